/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-console (virtio 1.x, 5.3), one port, no features: receiveq 0
 * carries input to the guest, transmitq 1 its output. Output is written to
 * out_fd as it comes (the DM's stdout); input is whatever the caller feeds
 * with virtio_console_input(), buffered (4 KiB) until the guest posts
 * receive buffers. A transmit chain with device-writable parts, or a
 * receive chain with device-readable parts, is dropped and logged.
 */
#ifndef TESSERA_DM_VIRTIO_CONSOLE_H
#define TESSERA_DM_VIRTIO_CONSOLE_H

#include <stddef.h>
#include <stdint.h>

#include "virtio_mmio.h"

#define VIRTIO_CONSOLE_INBUF 4096u

struct virtio_console_stats {
	uint64_t out_bytes;     /* written to out_fd */
	uint64_t in_bytes;      /* delivered to the guest */
	uint64_t dropped;       /* chains with the wrong direction */
	uint64_t lost_out;      /* bytes out_fd did not take */
};

/* 0, or -1 with a sentence in err. */
int virtio_console_attach(struct virtio_mmio *t, int out_fd, char *err,
			  size_t errlen);

/* Queue input for the guest: how many bytes were taken (room permitting). */
size_t virtio_console_input(struct virtio_mmio *t, const void *buf,
			    size_t len);
/* Bytes virtio_console_input() would take now. */
size_t virtio_console_input_room(const struct virtio_mmio *t);

const struct virtio_console_stats *
virtio_console_stats(const struct virtio_mmio *t);

#endif
