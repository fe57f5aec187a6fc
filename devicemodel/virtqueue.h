/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split virtqueues (virtio 1.x, 2.7), device side. Everything in a queue is
 * written by the guest and untrusted:
 *
 *  - set-up: the size must be a power of two up to VQ_MAX_SIZE, and the
 *    descriptor table, driver (avail) and device (used) areas must be
 *    aligned (16, 2, 4) and lie wholly inside guest RAM;
 *  - avail->idx may run at most `size` entries ahead of the device: a larger
 *    jump, or a head index >= size, means the ring is corrupt (VQ_BROKEN: the
 *    transport sets DEVICE_NEEDS_RESET and stops using the queue);
 *  - each descriptor is copied out of guest memory once; its buffer must lie
 *    wholly in guest RAM (through gpa_to_host()), `next` must be < size,
 *    the chain may hold at most `size` descriptors (so a loop ends), every
 *    device-writable descriptor must come after every device-readable one,
 *    and each direction may total at most 4 GiB - 1. INDIRECT descriptors
 *    are refused (VIRTIO_RING_F_INDIRECT_DESC is never offered).
 *    Zero-length descriptors count towards the chain length and are
 *    otherwise skipped. A chain that breaks a rule is VQ_BAD_CHAIN: the
 *    caller gives it back with vq_push(head, 0) and it is logged;
 *  - the device never reads the used ring: it keeps its own index.
 *
 * Memory ordering: avail->idx is loaded with acquire before the ring and
 * descriptors are read; used->idx is stored with release after the element;
 * a full fence separates the store from the read of avail->flags.
 */
#ifndef TESSERA_DM_VIRTQUEUE_H
#define TESSERA_DM_VIRTQUEUE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <log.h>

#include "guest_mem.h"

#define VQ_MAX_SIZE 256u /* QueueNumMax of every queue the DM offers */

/* A buffer of a chain, already translated: host[0, len) is guest RAM. */
struct vq_buf {
	uint8_t *host;
	uint32_t len; /* > 0 */
};

struct vq_chain {
	uint16_t head;
	uint16_t nr_read;    /* buf[0, nr_read): device-readable */
	uint16_t nr_write;   /* then nr_write device-writable buffers */
	uint32_t read_len;   /* bytes, all device-readable buffers */
	uint32_t write_len;  /* bytes, all device-writable buffers */
	struct vq_buf buf[VQ_MAX_SIZE];
};

struct vq_stats {
	uint64_t chains;  /* chains handed out */
	uint64_t bad;     /* VQ_BAD_CHAIN */
	uint64_t broken;  /* VQ_BROKEN */
};

struct virtqueue {
	const struct guest_mem *mem;
	const char *name; /* for log lines */
	bool ready;
	uint16_t size;
	uint16_t last_avail; /* next avail ring entry to take */
	uint16_t used_idx;   /* the device's copy of used->idx */
	uint8_t *desc, *avail, *used; /* host addresses, checked at enable */
	struct log_ratelimit rl;
	struct vq_stats stats;
};

enum vq_pop {
	VQ_EMPTY,     /* nothing available (or the queue is not ready) */
	VQ_CHAIN,     /* *c is a valid chain */
	VQ_BAD_CHAIN, /* c->head is valid, the chain is not: push it back, 0 */
	VQ_BROKEN,    /* the ring itself is corrupt */
};

void vq_init(struct virtqueue *vq, const struct guest_mem *m, const char *name);

/*
 * Start using the queue at these guest-physical addresses. 0, or -EINVAL
 * with *why set to a static reason; the queue stays disabled then.
 */
int vq_enable(struct virtqueue *vq, uint32_t size, uint64_t desc,
	      uint64_t avail, uint64_t used, const char **why);
/* Stop (queue or device reset): not ready, indices back to 0. */
void vq_disable(struct virtqueue *vq);

enum vq_pop vq_pop(struct virtqueue *vq, struct vq_chain *c);
/* Give a chain back: used element {head, len}, then used->idx (release). */
void vq_push(struct virtqueue *vq, uint16_t head, uint32_t len);
/* After pushes: does the driver want a used-buffer interrupt? */
bool vq_wants_interrupt(struct virtqueue *vq);

/*
 * The chain's device-readable (writable false) or device-writable bytes as
 * one stream: fn is called for each host piece of [off, off + len), with the
 * piece's position in the stream; a non-zero return stops the walk and is
 * returned. Returns -1 without calling fn if the stream is shorter than
 * off + len.
 */
typedef int (*vq_piece_fn)(void *arg, uint8_t *p, size_t n, uint64_t pos);
int vq_chain_foreach(const struct vq_chain *c, bool writable, uint64_t off,
		     uint64_t len, vq_piece_fn fn, void *arg);

/* Copy from the readable / to the writable stream: 0 or -1 (too short). */
int vq_chain_read(const struct vq_chain *c, uint64_t off, void *dst,
		  size_t len);
int vq_chain_write(const struct vq_chain *c, uint64_t off, const void *src,
		   size_t len);

#endif
