/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * I/O emulation and forwarding (doc/io-emulation.rst).
 *
 * Every trapped port, MMIO or PCI-config access is decoded by the arch code
 * into a struct io_access and handed to io_emulate(): a hypervisor handler
 * emulates it, or it is forwarded through the vCPU's request slot to the
 * device model in the Service VM, or the unhandled policy applies. A
 * forwarded access is pending: the vCPU keeps the access and looks again
 * with io_complete() (never blocking here: waiting is the vCPU thread's
 * business). Once it is done, the arch code computes the register value
 * with io_postwork_value() and advances the PC.
 *
 * The module knows nothing of vCPU or VM structures or of the architecture;
 * it uses fixed arrays only and compiles freestanding.
 */
#ifndef TESSERA_IO_EMUL_H
#define TESSERA_IO_EMUL_H

#include <config.h>
#include <log.h>
#include <types.h>
#include <lib/spinlock.h>
#include <uapi/tessera_ioreq.h>

#ifndef CONFIG_IO_MAX_HANDLERS
#define CONFIG_IO_MAX_HANDLERS 64 /* handler ranges per VM, all spaces */
#endif

/* Address spaces; the values are the ABI's request types. */
enum io_space {
	IO_SPACE_PIO = TESSERA_IO_TYPE_PIO,
	IO_SPACE_MMIO = TESSERA_IO_TYPE_MMIO,
	IO_SPACE_PCI_CFG = TESSERA_IO_TYPE_PCI_CFG,
};
#define IO_SPACE_COUNT TESSERA_IO_TYPE_COUNT

/* Register number meaning "no register" (the arm64 zero register XZR/WZR). */
#define IO_REG_ZERO 31u

/* A trapped access, decoded and saved at trap time. */
struct io_access {
	uint8_t space;  /* enum io_space */
	uint8_t size;   /* 1, 2, 4 or 8 */
	bool write;
	/* post-work, for reads: */
	uint8_t reg;       /* target register 0..31; IO_REG_ZERO is never written */
	bool sign_extend;  /* sign-extend the value to the register width */
	bool reg_is_64bit; /* X register (else W: the upper 32 bits become 0) */
	bool merge_low;    /* keep the register's bytes above a 1- or 2-byte
			      result (x86 8/16-bit destinations, e.g. in al,dx) */
	uint64_t addr;
	uint64_t value; /* write data; for reads, the result once DONE */
};

/* Outcome of io_emulate() and io_complete(). */
enum io_result {
	IO_DONE,      /* value ready: run post-work, advance the PC */
	IO_PENDING,   /* forwarded, not complete yet: io_complete() later */
	IO_ABORT,     /* unhandled with the abort policy, a bad access, a
			 handler error or a bad reply: inject an abort (the
			 reason was logged and counted) */
	IO_CANCELLED, /* VM reset/destroy: no post-work, no PC advance */
};

/*
 * A hypervisor device. offset is relative to the registered base; value is
 * the write data (masked to size) or receives the read result. Returns 0 or a
 * negative error, which fails the access.
 */
typedef int (*io_handler_fn)(void *priv, uint64_t offset, unsigned size,
			     bool write, uint64_t *value);

struct io_handler {
	uint64_t base;
	uint64_t size;
	io_handler_fn fn;
	void *priv;
	const char *name;
	uint32_t users; /* vCPUs inside fn right now (atomic) */
	uint8_t space;
	uint8_t state; /* free, live, or unregistered but still in use */
};

/*
 * One table for all spaces, sorted by (space, base). Writers serialise on
 * `lock`; lookups take no lock: they read under the `seq` sequence count and
 * pin the entry they found by its `users` count (io_handler_table.c).
 */
struct io_handler_table {
	spinlock_t lock;
	uint32_t seq;   /* odd while a writer changes `order` or `count` */
	uint32_t count; /* live entries, in order[0..count) */
	uint32_t order[CONFIG_IO_MAX_HANDLERS]; /* pool indices, sorted */
	struct io_handler pool[CONFIG_IO_MAX_HANDLERS];
};

struct io_stats {
	uint64_t emulated;  /* done by a hypervisor handler */
	uint64_t forwarded; /* published to the device model */
	uint64_t completed; /* forwarded and completed */
	uint64_t failed;    /* failed: bad access, handler error, bad reply */
	uint64_t unhandled; /* no handler and no device model */
	uint64_t cancelled; /* forwarded, then cancelled by reset/destroy */
	uint64_t upcalls;   /* upcalls raised (notify mode, DM not watching) */
};

/* What a vCPU's last lookup found, valid while the table's seq is unchanged
 * (io_handler_table.c): the handler it hit, or the gap between handlers it
 * missed in. Touched by that vCPU only. */
struct io_table_hint {
	uint32_t seq;  /* odd: none */
	uint32_t idx;  /* pool index, or IO_TABLE_HINT_GAP */
	uint32_t space;
	uint64_t gap_first, gap_last; /* the gap: no handler in [first, last] */
};
#define IO_TABLE_HINT_GAP 0xffffffffu

/* Per-vCPU I/O state, private to the hypervisor. */
struct io_vcpu_wait {
	uint32_t phase; /* IO_PHASE_*, io_internal.h (atomic) */
	uint32_t seq;   /* requests forwarded by this vCPU */
	struct tessera_io_slot *slot; /* where the outstanding request is */
	struct io_table_hint hint;
};

struct io_vm_params {
	uint32_t vm_id;
	const char *name;    /* for log lines; NULL: "vm<id>" */
	void *owner;         /* for the hooks: the VM */
	uint32_t vcpu_count; /* 1..CONFIG_MAX_VCPUS_PER_VM */
	uint32_t completion_mode; /* TESSERA_IO_COMPLETION_* */
	bool abort_on_unhandled;  /* unhandled access: abort, not all-ones */
};

/* Per-VM state, embedded by value in the VM. */
struct io_vm {
	uint32_t vm_id;
	void *owner;
	char name[16];           /* as the rest of the log names the VM */
	uint32_t vcpu_count;
	uint32_t completion_mode;
	bool abort_on_unhandled;
	uint32_t cancelled;              /* set by io_vm_cancel_all (atomic) */
	struct tessera_io_slot *slots;   /* attached request pages or NULL */
	struct io_vcpu_wait vcpu[CONFIG_MAX_VCPUS_PER_VM];
	struct io_stats stats;           /* updated atomically */
	struct log_ratelimit unhandled_rl;  /* accesses nobody handles */
	struct log_ratelimit bad_access_rl; /* accesses refused */
	struct log_ratelimit slot_rl;       /* request slots misused */
	struct io_handler_table table;
};

/* ---- VM lifecycle (io_vm.c) ---- */

/* Empty table, no pages, stats zeroed. 0 or -EINVAL (bad params). */
int io_vm_init(struct io_vm *io, const struct io_vm_params *p);

/*
 * The device model's request pages (4 KiB aligned, mapped in the hypervisor):
 * from now on unhandled accesses are forwarded. Every slot is set FREE.
 * 0, -EINVAL (misaligned, too few pages for vcpu_count), -EBUSY (attached).
 */
int io_vm_attach_request_pages(struct io_vm *io, void *pages,
			       unsigned nr_pages);

/*
 * Forget the pages, while no vCPU of the VM runs (it is stopped): its
 * requests are cancelled (as io_vm_cancel_all) and nothing refers to the
 * pages any more, so they may be unmapped when it returns. -ENOENT if none
 * were attached.
 */
int io_vm_detach_request_pages(struct io_vm *io);

/*
 * Reset or destroy is under way: every pending access completes as
 * IO_CANCELLED, and every later forward is refused with IO_CANCELLED until
 * io_vm_reset().
 * Does not wait; callable from any pCPU. Pause must not use it (doc).
 */
void io_vm_cancel_all(struct io_vm *io);

/*
 * Back to a fresh VM: every slot FREE, no request outstanding, cancel
 * lifted. Handlers and stats are kept. Only while no vCPU of the VM runs;
 * their pending accesses are forgotten.
 */
int io_vm_reset(struct io_vm *io);

/* The VM's run ended (stop, reset, destroy): log what its rate limits
 * suppressed (log.h). */
void io_vm_log_summaries(struct io_vm *io);

/* A consistent-enough copy of the counters (each read atomically). */
void io_vm_get_stats(const struct io_vm *io, struct io_stats *out);

/* ---- handlers (io_handler_table.c) ---- */

/*
 * Add [base, base + size) in `space`. 0, -EINVAL (bad space, empty,
 * wraps past 2^64, no fn), -EEXIST (overlaps), -ENOSPC (table full).
 */
int io_register(struct io_vm *io, enum io_space space, uint64_t base,
		uint64_t size, io_handler_fn fn, void *priv, const char *name);

/*
 * Remove the range starting at `base`. Waits until no vCPU is inside its
 * handler: afterwards fn is never called again and priv may be freed.
 * A handler must not unregister its own range (it would wait for itself).
 * 0 or -ENOENT.
 */
int io_unregister(struct io_vm *io, enum io_space space, uint64_t base);

/* ---- the trap path (io_dispatch.c, io_request_slot.c) ---- */

/*
 * Emulate, forward or apply the unhandled policy. DONE (a->value holds a
 * read's result), PENDING, ABORT or CANCELLED.
 */
enum io_result io_emulate(struct io_vm *io, unsigned vcpu_id,
			  struct io_access *a);

/*
 * After PENDING, on the same vCPU: one look at the request. PENDING while
 * the device model works (notify mode: until it notified); else the slot is
 * validated, a read's reply (masked) copied into a->value and the slot
 * freed: DONE, ABORT (bad slot, logged and counted) or CANCELLED.
 */
enum io_result io_complete(struct io_vm *io, unsigned vcpu_id,
			   struct io_access *a);

/* Whether a pending access completes by notification (the vCPU may block)
 * or by polling (it looks again and again). */
bool io_completes_by_notify(const struct io_vm *io);

/*
 * Body of the notify_request_finish(vm, vcpu) hypercall: mark vcpu_id's
 * request finished and wake it (io_vcpu_wake). 0, -EINVAL (vcpu_id out of
 * range), -ENOENT (no request waiting for a notification). No effect on
 * error.
 */
int io_notify_finish(struct io_vm *io, unsigned vcpu_id);

/* Hooks, implemented by the VM layer (and by the tests on the host):
 * raise the upcall in the Service VM, called after a slot went PENDING; and
 * make vcpu_id runnable, its request was notified. */
void io_arch_raise_upcall(struct io_vm *io);
void io_vcpu_wake(struct io_vm *io, unsigned vcpu_id);

/* ---- post-work (io_postwork.c) ---- */

/*
 * The new value of the target register after a completed read: masked to
 * the access size, sign- or zero-extended to the register width, merged
 * into old_reg when merge_low. false when no register is written (writes,
 * IO_REG_ZERO).
 */
bool io_postwork_value(const struct io_access *a, uint64_t old_reg,
		       uint64_t *new_reg);

/* All ones in the low `size` bytes (size 1, 2, 4 or 8). */
static inline uint64_t io_size_mask(unsigned size)
{
	return size >= 8 ? ~0ull : (1ull << (size * 8)) - 1;
}

#endif
