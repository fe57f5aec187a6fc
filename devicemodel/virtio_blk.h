/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-blk (virtio 1.x, 5.2) on a file or block device: IN, OUT, FLUSH
 * and GET_ID; anything else is VIRTIO_BLK_S_UNSUPP. The capacity is the
 * file's size in 512-byte sectors, fixed when the disk is opened. A request
 * that reaches beyond the end, is not a whole number of sectors, or writes
 * to a read-only disk, fails with VIRTIO_BLK_S_IOERR. Requests are done
 * synchronously, on the kick.
 *
 * Features: VIRTIO_BLK_F_SEG_MAX, BLK_SIZE, FLUSH, and RO for a read-only
 * disk. The layout of a request is not assumed: the header is the first 16
 * device-readable bytes, the status the last device-writable byte.
 */
#ifndef TESSERA_DM_VIRTIO_BLK_H
#define TESSERA_DM_VIRTIO_BLK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "virtio_mmio.h"

struct virtio_blk_stats {
	uint64_t reads, writes, flushes, get_ids;
	uint64_t ioerr;  /* requests answered VIRTIO_BLK_S_IOERR */
	uint64_t unsupp; /* requests answered VIRTIO_BLK_S_UNSUPP */
	uint64_t dropped; /* too malformed to answer at all */
};

/*
 * Open path (read-only if ro) as the disk behind transport t. 0, or -1
 * with a sentence in err (the file cannot be opened or sized, is empty).
 */
int virtio_blk_attach(struct virtio_mmio *t, const char *path, bool ro,
		      char *err, size_t errlen);

/* Capacity in sectors, and counters; t must have a virtio-blk bound. */
uint64_t virtio_blk_sectors(const struct virtio_mmio *t);
const struct virtio_blk_stats *virtio_blk_stats(const struct virtio_mmio *t);

#endif
