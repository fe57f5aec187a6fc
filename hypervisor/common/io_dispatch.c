/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The trap path's decision: a hypervisor handler, else the device model, else
 * the unhandled policy (all-ones reads and dropped writes, or an abort).
 */
#include "io_internal.h"

static const char *const space_names[IO_SPACE_COUNT] = {"pio", "mmio", "pcicfg"};

static bool access_valid(const struct io_vm *io, unsigned vcpu_id,
			 const struct io_access *a)
{
	return vcpu_id < io->vcpu_count && a->space < IO_SPACE_COUNT &&
	       (a->size == 1 || a->size == 2 || a->size == 4 || a->size == 8) &&
	       a->addr + (a->size - 1) >= a->addr && a->reg <= IO_REG_ZERO;
}

/* Guest-triggerable failures: rate-limited line, counted, abort. */
static enum io_result fail_access(struct io_vm *io, unsigned vcpu_id,
				  const struct io_access *a, const char *why)
{
	if (log_ratelimit_allow(&io->bad_access_rl))
		log_warn("vm %s vcpu %u: io: %s %s %u bytes at %#llx: %s", io->name,
			 vcpu_id, a->space < IO_SPACE_COUNT ? space_names[a->space] : "?",
			 a->write ? "write" : "read", (unsigned)a->size,
			 (unsigned long long)a->addr, why);
	io_stat_inc(io, failed);
	return IO_ABORT;
}

static enum io_result unhandled(struct io_vm *io, unsigned vcpu_id,
				struct io_access *a)
{
	io_stat_inc(io, unhandled);
	if (log_ratelimit_allow(&io->unhandled_rl))
		log_info("vm %s vcpu %u: io: unhandled %s %s %u bytes at %#llx%s",
			 io->name, vcpu_id, space_names[a->space],
			 a->write ? "write" : "read", (unsigned)a->size,
			 (unsigned long long)a->addr,
			 io->abort_on_unhandled ? ", abort" : "");
	if (io->abort_on_unhandled)
		return IO_ABORT;
	if (!a->write)
		a->value = io_size_mask(a->size);
	return IO_DONE;
}

static enum io_result emulate(struct io_vm *io, unsigned vcpu_id,
			      struct io_access *a, struct io_handler *h)
{
	uint64_t mask = io_size_mask(a->size);
	uint64_t value = a->write ? a->value & mask : 0;
	int rc = h->fn(h->priv, a->addr - h->base, a->size, a->write, &value);

	io_table_put(h);
	if (rc)
		return fail_access(io, vcpu_id, a, "handler error");
	if (!a->write)
		a->value = value & mask;
	io_stat_inc(io, emulated);
	return IO_DONE;
}

enum io_result io_emulate(struct io_vm *io, unsigned vcpu_id,
			  struct io_access *a)
{
	struct io_handler *h;

	if (!access_valid(io, vcpu_id, a))
		return fail_access(io, vcpu_id, a, "malformed access");
	switch (io_table_get(&io->table, &io->vcpu[vcpu_id].hint, a->space,
			     a->addr, a->size, &h)) {
	case IO_LOOKUP_HIT:
		return emulate(io, vcpu_id, a, h);
	case IO_LOOKUP_STRADDLE:
		return fail_access(io, vcpu_id, a, "straddles a handler's bounds");
	case IO_LOOKUP_MISS:
		break;
	}
	switch (io_forward(io, vcpu_id, a)) {
	case IO_FORWARD_SENT:
		return IO_PENDING;
	case IO_FORWARD_CANCELLED:
		return IO_CANCELLED;
	case IO_FORWARD_BUSY:
		return fail_access(io, vcpu_id, a, "request already outstanding");
	case IO_FORWARD_NO_DM:
		break;
	}
	return unhandled(io, vcpu_id, a);
}
