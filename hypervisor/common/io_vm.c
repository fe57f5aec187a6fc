/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Per-VM I/O state over the VM's life: init, the device model's request pages
 * coming and going, cancel on reset/destroy, reset, statistics.
 * The caller serialises these calls for one VM (the VM lifecycle lock);
 * io_vm_cancel_all() and io_vm_get_stats() may also run at any time.
 */
#include <errno.h>
#include <lib/format.h>

#include "io_internal.h"

int io_vm_init(struct io_vm *io, const struct io_vm_params *p)
{
	if (p->vcpu_count == 0 || p->vcpu_count > CONFIG_MAX_VCPUS_PER_VM ||
	    p->completion_mode > TESSERA_IO_COMPLETION_POLLING)
		return -EINVAL;
	io->vm_id = p->vm_id;
	io->owner = p->owner;
	if (p->name)
		fmt_snprintf(io->name, sizeof(io->name), "%s", p->name);
	else
		fmt_snprintf(io->name, sizeof(io->name), "vm%u", p->vm_id);
	io->vcpu_count = p->vcpu_count;
	io->completion_mode = p->completion_mode;
	io->abort_on_unhandled = p->abort_on_unhandled;
	io->cancelled = 0;
	io->slots = NULL;
	for (unsigned i = 0; i < CONFIG_MAX_VCPUS_PER_VM; i++)
		io->vcpu[i] = (struct io_vcpu_wait){.phase = IO_PHASE_IDLE,
						    .hint = IO_TABLE_NO_HINT};
	io->stats = (struct io_stats){0};
	io->unhandled_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(
		LOG_INFO, io->name, "io: unhandled access");
	io->bad_access_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(
		LOG_WARN, io->name, "io: refused access");
	io->slot_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(
		LOG_WARN, io->name, "io: request slot");
	io_table_init(&io->table);
	return 0;
}

static void clear_slots(struct io_vm *io, struct tessera_io_slot *slots)
{
	for (unsigned i = 0; i < io->vcpu_count; i++)
		io_slot_clear(&slots[i]);
}

int io_vm_attach_request_pages(struct io_vm *io, void *pages, unsigned nr_pages)
{
	if (!pages || !IS_ALIGNED((uintptr_t)pages, TESSERA_IO_PAGE_SIZE) ||
	    nr_pages < TESSERA_IO_PAGES_FOR(io->vcpu_count))
		return -EINVAL;
	if (__atomic_load_n(&io->slots, __ATOMIC_ACQUIRE))
		return -EBUSY;
	clear_slots(io, pages);
	__atomic_store_n(&io->slots, (struct tessera_io_slot *)pages,
			 __ATOMIC_RELEASE);
	return 0;
}

void io_vm_log_summaries(struct io_vm *io)
{
	log_ratelimit_flush(&io->unhandled_rl);
	log_ratelimit_flush(&io->bad_access_rl);
	log_ratelimit_flush(&io->slot_rl);
}

void io_vm_cancel_all(struct io_vm *io)
{
	__atomic_store_n(&io->cancelled, 1, __ATOMIC_SEQ_CST);
	cpu_wake_waiters();
}

int io_vm_detach_request_pages(struct io_vm *io)
{
	if (!__atomic_load_n(&io->slots, __ATOMIC_ACQUIRE))
		return -ENOENT;
	io_vm_cancel_all(io);
	__atomic_store_n(&io->slots, NULL, __ATOMIC_SEQ_CST);
	for (unsigned i = 0; i < io->vcpu_count; i++)
		io->vcpu[i] = (struct io_vcpu_wait){.phase = IO_PHASE_IDLE,
						    .hint = IO_TABLE_NO_HINT};
	return 0;
}

int io_vm_reset(struct io_vm *io)
{
	struct tessera_io_slot *slots = __atomic_load_n(&io->slots, __ATOMIC_ACQUIRE);

	if (slots)
		clear_slots(io, slots);
	for (unsigned i = 0; i < io->vcpu_count; i++)
		io->vcpu[i] = (struct io_vcpu_wait){.phase = IO_PHASE_IDLE,
						    .hint = IO_TABLE_NO_HINT};
	__atomic_store_n(&io->cancelled, 0, __ATOMIC_RELEASE);
	return 0;
}

bool io_completes_by_notify(const struct io_vm *io)
{
	return io->completion_mode == TESSERA_IO_COMPLETION_NOTIFY;
}

void io_vm_get_stats(const struct io_vm *io, struct io_stats *out)
{
	out->emulated = __atomic_load_n(&io->stats.emulated, __ATOMIC_RELAXED);
	out->forwarded = __atomic_load_n(&io->stats.forwarded, __ATOMIC_RELAXED);
	out->completed = __atomic_load_n(&io->stats.completed, __ATOMIC_RELAXED);
	out->failed = __atomic_load_n(&io->stats.failed, __ATOMIC_RELAXED);
	out->unhandled = __atomic_load_n(&io->stats.unhandled, __ATOMIC_RELAXED);
	out->cancelled = __atomic_load_n(&io->stats.cancelled, __ATOMIC_RELAXED);
	out->upcalls = __atomic_load_n(&io->stats.upcalls, __ATOMIC_RELAXED);
}
