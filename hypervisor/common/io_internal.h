/* SPDX-License-Identifier: BSD-3-Clause */
/* What the io_*.c files share and nothing else needs. */
#ifndef TESSERA_IO_INTERNAL_H
#define TESSERA_IO_INTERNAL_H

#include <io_emul.h>

/* Per-vCPU forwarding phases (io_vcpu_wait.phase). */
#define IO_PHASE_IDLE 0u     /* no request outstanding */
#define IO_PHASE_WAITING 1u  /* published, or about to look at the pages */
#define IO_PHASE_NOTIFIED 2u /* io_notify_finish() marked it */

#define io_stat_inc(io, field)                                                 \
	__atomic_fetch_add(&(io)->stats.field, 1, __ATOMIC_RELAXED)

/* ---- io_handler_table.c ---- */

enum io_lookup {
	IO_LOOKUP_MISS,     /* no handler touches the access */
	IO_LOOKUP_HIT,      /* one handler holds all of it; pinned */
	IO_LOOKUP_STRADDLE, /* it crosses a handler's start or end */
};

void io_table_init(struct io_handler_table *t);
int io_table_add(struct io_handler_table *t, unsigned space, uint64_t base,
		 uint64_t size, io_handler_fn fn, void *priv, const char *name);
int io_table_remove(struct io_handler_table *t, unsigned space, uint64_t base);
/* On HIT, *h is pinned: it stays callable until io_table_put(). The hint
 * (NULL: none) is the caller's own: tried first, and updated on a hit. */
enum io_lookup io_table_get(struct io_handler_table *t,
			    struct io_table_hint *hint, unsigned space,
			    uint64_t addr, unsigned size, struct io_handler **h);
#define IO_TABLE_NO_HINT ((struct io_table_hint){.seq = 1})
void io_table_put(struct io_handler *h);

/* ---- io_request_slot.c ---- */

enum io_forward {
	IO_FORWARD_SENT,      /* slot PENDING, upcall raised */
	IO_FORWARD_NO_DM,     /* no request pages attached */
	IO_FORWARD_CANCELLED, /* the VM is being reset or destroyed */
	IO_FORWARD_BUSY,      /* this vCPU already has a request out */
};

enum io_forward io_forward(struct io_vm *io, unsigned vcpu_id,
			   const struct io_access *a);
/* Hypervisor-owned slot back to a zeroed FREE slot. */
void io_slot_clear(struct tessera_io_slot *s);

#endif
