/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A guest-side virtio-mmio driver for the host tests and the fuzzer: it
 * talks to a transport through its register handler, exactly as the
 * guest's accesses would arrive, and lays out split rings and buffers in
 * guest RAM with a bump allocator. It does what a well-behaved driver does
 * unless a test reaches into guest RAM to break the rules. Not part of
 * tessera-dm.
 */
#ifndef TESSERA_DM_FAKE_DRIVER_H
#define TESSERA_DM_FAKE_DRIVER_H

#include <stdbool.h>
#include <stdint.h>

#include "../guest_mem.h"
#include "../virtio_mmio.h"

struct fd_queue {
	uint16_t size;
	uint64_t desc, avail, used; /* guest-physical */
	uint16_t avail_idx;  /* the driver's next avail->idx */
	uint16_t used_seen;  /* used entries consumed */
	uint16_t next_desc;  /* next free descriptor (round robin) */
};

struct fake_driver {
	const struct guest_mem *mem;
	struct virtio_mmio *t;
	uint64_t next_free; /* bump allocator over guest RAM */
	struct fd_queue q[VMMIO_MAX_QUEUES];
};

/* A buffer of a chain to build. */
struct fd_buf {
	uint64_t gpa;
	uint32_t len;
	bool write; /* device-writable */
};

void fd_init(struct fake_driver *d, const struct guest_mem *m,
	     struct virtio_mmio *t);
uint32_t fd_read(struct fake_driver *d, uint64_t off);
void fd_write(struct fake_driver *d, uint64_t off, uint32_t v);
/* Any-width access to the register window (offset, size 1/2/4/8). */
uint64_t fd_access(struct fake_driver *d, uint64_t off, unsigned size,
		   bool write, uint64_t v);
uint64_t fd_device_features(struct fake_driver *d);

/* Guest RAM for rings and buffers, zeroed: its guest-physical address. */
uint64_t fd_alloc(struct fake_driver *d, uint64_t size, uint64_t align);
void *fd_host(struct fake_driver *d, uint64_t gpa);

/*
 * Reset, ACKNOWLEDGE, DRIVER, accept `features`, FEATURES_OK. Returns the
 * status read back (FEATURES_OK missing: refused).
 */
uint32_t fd_negotiate(struct fake_driver *d, uint64_t features);
/* Rings for queue q of `size` entries, programmed and made ready. */
void fd_setup_queue(struct fake_driver *d, unsigned q, uint16_t size);
void fd_driver_ok(struct fake_driver *d);
/* Everything above, for a device taking VIRTIO_F_VERSION_1 only. */
void fd_bring_up(struct fake_driver *d, uint64_t features);

/* Write the chain into the table, publish its head (no kick): the head. */
uint16_t fd_add_chain(struct fake_driver *d, unsigned q,
		      const struct fd_buf *bufs, unsigned n);
void fd_kick(struct fake_driver *d, unsigned q);
/* The next used element, if the device gave one back. */
bool fd_used(struct fake_driver *d, unsigned q, uint32_t *id, uint32_t *len);

/* Raw ring access for hostile tests. */
void fd_set_desc(struct fake_driver *d, unsigned q, uint16_t i, uint64_t addr,
		 uint32_t len, uint16_t flags, uint16_t next);
void fd_publish(struct fake_driver *d, unsigned q, uint16_t head);
void fd_set_avail_idx(struct fake_driver *d, unsigned q, uint16_t idx);
void fd_set_avail_flags(struct fake_driver *d, unsigned q, uint16_t flags);

#endif
