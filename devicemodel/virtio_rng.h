/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-rng (virtio 1.x, 5.4): one request queue whose device-writable
 * buffers are filled from getrandom() (/dev/urandom where the kernel has no
 * getrandom), at most 64 KiB per request. A request with device-readable
 * parts is dropped and logged.
 */
#ifndef TESSERA_DM_VIRTIO_RNG_H
#define TESSERA_DM_VIRTIO_RNG_H

#include <stddef.h>
#include <stdint.h>

#include "virtio_mmio.h"

#define VIRTIO_RNG_MAX_REQUEST 65536u

struct virtio_rng_stats {
	uint64_t bytes;   /* random bytes given */
	uint64_t dropped; /* malformed requests */
	uint64_t failed;  /* the entropy source failed: request given 0 bytes */
};

int virtio_rng_attach(struct virtio_mmio *t, char *err, size_t errlen);
const struct virtio_rng_stats *virtio_rng_stats(const struct virtio_mmio *t);

#endif
