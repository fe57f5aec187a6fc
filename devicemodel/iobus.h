/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device model's address map: which emulated device owns which range.
 * It is the hypervisor's handler table (hypervisor/common/io_handler_table.c,
 * reused as is): one array for all spaces sorted by (space, base), ranges
 * that never overlap, a lookup by bisection, and an access that straddles a
 * range's start or end is never split between two handlers.
 *
 * iobus_access() applies the DM's policy to one access that the caller has
 * already checked (space known, size 1/2/4/8, no wrap): a handler holding
 * all of it emulates it; anything else (no handler, a straddle, a handler
 * error) reads all-ones and drops writes, logged with rate limiting.
 */
#ifndef TESSERA_DM_IOBUS_H
#define TESSERA_DM_IOBUS_H

#include <stdbool.h>
#include <stdint.h>

#include <io_emul.h>

struct iobus_stats {
	uint64_t handled;   /* emulated by a handler */
	uint64_t unknown;   /* no handler: all-ones / dropped */
	uint64_t straddled; /* crossed a range's edge: all-ones / dropped */
	uint64_t failed;    /* the handler returned an error */
};

struct iobus {
	struct io_handler_table table;
	struct log_ratelimit miss_rl;  /* unknown and straddling accesses */
	struct log_ratelimit error_rl; /* handler errors */
	struct iobus_stats stats;
};

void iobus_init(struct iobus *b);

/* [base, base + size) in space (enum io_space): 0, -EINVAL, -EEXIST, -ENOSPC. */
int iobus_add(struct iobus *b, unsigned space, uint64_t base, uint64_t size,
	      io_handler_fn fn, void *priv, const char *name);

/*
 * One access. For a write, value is the data (masked to size here); the
 * return value is the read result (masked), or 0 for a write.
 */
uint64_t iobus_access(struct iobus *b, unsigned space, uint64_t addr,
		      unsigned size, bool write, uint64_t value);

#endif
