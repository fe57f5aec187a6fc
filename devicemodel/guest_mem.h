/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The User VM's RAM as the device model sees it: one guest-physical range
 * backed by the DM's own memory (handed to the driver with
 * TESSERA_HSM_SET_MEMORY). Every access the DM makes to guest memory on the
 * guest's behalf goes through gpa_to_host(), the one checked translation:
 * guest addresses and lengths are untrusted.
 */
#ifndef TESSERA_DM_GUEST_MEM_H
#define TESSERA_DM_GUEST_MEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct guest_mem {
	uint8_t *host; /* [gpa, gpa + size) is host[0, size) */
	uint64_t gpa;
	uint64_t size;
	bool mapped;   /* allocated by guest_mem_alloc() */
};

/*
 * Anonymous, 2 MiB aligned, zeroed memory for [gpa, gpa + size). gpa and
 * size must be 4 KiB aligned and size non-zero. 0 or a negative errno.
 */
int guest_mem_alloc(struct guest_mem *m, uint64_t gpa, uint64_t size);
/* Describe memory the caller owns (tests, the fuzzer). */
void guest_mem_wrap(struct guest_mem *m, void *host, uint64_t gpa,
		    uint64_t size);
void guest_mem_free(struct guest_mem *m);

/*
 * The host address of [gpa, gpa + len) if all of it is guest RAM, else NULL.
 * len 0 is never valid: a caller with nothing to access must not ask.
 * Never overflows, whatever gpa and len are.
 */
void *gpa_to_host(const struct guest_mem *m, uint64_t gpa, uint64_t len);

/* Copies through gpa_to_host(): 0, or -1 if the range is not all RAM. */
int guest_read(const struct guest_mem *m, uint64_t gpa, void *dst, size_t len);
int guest_write(const struct guest_mem *m, uint64_t gpa, const void *src,
		size_t len);

#endif
