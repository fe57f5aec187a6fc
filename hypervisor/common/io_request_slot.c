/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Forwarding through the vCPU's request slot, and its completion.
 *
 * The slot lives in memory the Service VM can write at any time, so it is
 * treated as hostile: every field is read once with an atomic load, only the
 * transitions of the ABI are accepted, the compare-and-swap that frees the
 * slot is tried a bounded number of times, and whatever goes wrong fails this
 * one request (logged, rate-limited, counted) instead of hanging or crashing.
 *
 * Nothing here waits: io_complete() takes one look, and the vCPU thread
 * decides whether to block (notify mode) or look again (polling). Its first
 * look is at the VM's `cancelled` word, which only the hypervisor writes, so
 * reset and destroy always end a request, whatever the Service VM does.
 */
#include <errno.h>

#include "io_internal.h"

/* Weak CAS attempts when freeing a COMPLETE slot. A weak CAS is one LL/SC
 * try on arm64 without LSE, so this bounds the time the Service VM can keep
 * us in the loop by hammering the line (cf. XSA-295). */
#define IO_SLOT_FREE_TRIES 16

#define SLOT_LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define SLOT_STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

static void slot_fill(struct tessera_io_slot *s, uint32_t mode, uint32_t seq,
		      const struct io_access *a)
{
	SLOT_STORE(s->completion_mode, mode);
	SLOT_STORE(s->seq, seq);
	SLOT_STORE(s->req.type, (uint32_t)a->space);
	SLOT_STORE(s->req.direction,
		   a->write ? TESSERA_IO_WRITE : TESSERA_IO_READ);
	SLOT_STORE(s->req.addr, a->addr);
	SLOT_STORE(s->req.size, (uint32_t)a->size);
	SLOT_STORE(s->req.reserved0, 0);
	/* A read carries 0: register contents never reach the Service VM. */
	SLOT_STORE(s->req.value, a->write ? a->value & io_size_mask(a->size) : 0);
}

void io_slot_clear(struct tessera_io_slot *s)
{
	/* Field by field, atomically: the Service VM may be reading. A new
	 * page starts unwatched: upcalls until the device model says. */
	SLOT_STORE(s->sos_watching, 0);
	for (size_t i = 0; i < ARRAY_SIZE(s->reserved_hdr); i++)
		SLOT_STORE(s->reserved_hdr[i], 0);
	for (size_t i = 0; i < ARRAY_SIZE(s->reserved); i++)
		SLOT_STORE(s->reserved[i], 0);
	slot_fill(s, 0, 0, &(struct io_access){0});
	__atomic_store_n(&s->state, TESSERA_IO_STATE_FREE, __ATOMIC_RELEASE);
}

static void slot_warn(struct io_vm *io, unsigned vcpu_id, const char *what,
		      uint32_t state)
{
	if (log_ratelimit_allow(&io->slot_rl))
		log_warn("vm %s vcpu %u: io: %s (slot state %u)", io->name,
			 vcpu_id, what, state);
}

enum io_forward io_forward(struct io_vm *io, unsigned vcpu_id,
			   const struct io_access *a)
{
	struct io_vcpu_wait *w = &io->vcpu[vcpu_id];
	struct tessera_io_slot *slots, *s;
	uint32_t old;

	if (__atomic_load_n(&w->phase, __ATOMIC_RELAXED) != IO_PHASE_IDLE)
		return IO_FORWARD_BUSY;
	/* Announce ourselves before looking at the pages; detach does the
	 * opposite (pages, then phases), so one of us sees the other. */
	__atomic_store_n(&w->phase, IO_PHASE_WAITING, __ATOMIC_SEQ_CST);
	if (__atomic_load_n(&io->cancelled, __ATOMIC_SEQ_CST)) {
		__atomic_store_n(&w->phase, IO_PHASE_IDLE, __ATOMIC_RELEASE);
		return IO_FORWARD_CANCELLED;
	}
	slots = __atomic_load_n(&io->slots, __ATOMIC_SEQ_CST);
	if (!slots) {
		__atomic_store_n(&w->phase, IO_PHASE_IDLE, __ATOMIC_RELEASE);
		return IO_FORWARD_NO_DM;
	}
	s = &slots[vcpu_id];
	old = SLOT_LOAD(s->state);
	if (old != TESSERA_IO_STATE_FREE)
		slot_warn(io, vcpu_id, "slot not FREE before a request, reclaimed", old);
	w->slot = s;
	slot_fill(s, io->completion_mode, ++w->seq, a);
	/* Sequentially consistent with the read of sos_watching below, as the
	 * device model's clear of it is with its next look (uapi header). */
	__atomic_store_n(&s->state, TESSERA_IO_STATE_PENDING, __ATOMIC_SEQ_CST);
	io_stat_inc(io, forwarded);
	/* A polling device model looks at the slots by itself, and so does a
	 * notify-mode one that said it is watching: an interrupt would only
	 * cost the Service VM an exit and a handler per access. */
	if (io->completion_mode != TESSERA_IO_COMPLETION_NOTIFY)
		return IO_FORWARD_SENT;
	if (!__atomic_load_n(&s->sos_watching, __ATOMIC_SEQ_CST)) {
		io_stat_inc(io, upcalls);
		io_arch_raise_upcall(io);
	}
	return IO_FORWARD_SENT;
}

/* The slot read COMPLETE: take the reply and give the slot back. */
static enum io_result slot_take_reply(struct io_vm *io, unsigned vcpu_id,
				      struct tessera_io_slot *s,
				      struct io_access *a)
{
	uint64_t value = SLOT_LOAD(s->req.value);
	uint32_t expected = TESSERA_IO_STATE_COMPLETE;

	for (int i = 0; i < IO_SLOT_FREE_TRIES; i++) {
		if (__atomic_compare_exchange_n(&s->state, &expected,
						TESSERA_IO_STATE_FREE, true,
						__ATOMIC_ACQ_REL, __ATOMIC_RELAXED)) {
			if (!a->write)
				a->value = value & io_size_mask(a->size);
			return IO_DONE;
		}
		if (expected != TESSERA_IO_STATE_COMPLETE) {
			slot_warn(io, vcpu_id, "state changed after COMPLETE", expected);
			return IO_ABORT;
		}
	}
	slot_warn(io, vcpu_id, "could not free a COMPLETE slot", expected);
	return IO_ABORT;
}

/* One look at the slot. IO_PENDING means: not finished. */
static enum io_result slot_check(struct io_vm *io, unsigned vcpu_id,
				 struct tessera_io_slot *s, struct io_access *a,
				 bool notified)
{
	uint32_t state = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);

	switch (state) {
	case TESSERA_IO_STATE_COMPLETE:
		return slot_take_reply(io, vcpu_id, s, a);
	case TESSERA_IO_STATE_PENDING:
	case TESSERA_IO_STATE_PROCESSING:
		if (!notified)
			return IO_PENDING;
		slot_warn(io, vcpu_id, "notified before the slot was COMPLETE", state);
		return IO_ABORT;
	default:
		slot_warn(io, vcpu_id, "illegal slot state", state);
		return IO_ABORT;
	}
}

/* The request is over: counted, slot back to the hypervisor, vCPU idle. */
static enum io_result finish(struct io_vm *io, struct io_vcpu_wait *w,
			     enum io_result r)
{
	if (r == IO_DONE) {
		io_stat_inc(io, completed);
	} else if (r == IO_ABORT) {
		/* Take the slot back; the next request overwrites it anyway. */
		__atomic_store_n(&w->slot->state, TESSERA_IO_STATE_FREE,
				 __ATOMIC_RELEASE);
		io_stat_inc(io, failed);
	} else {
		/* The Service VM may still own the slot: io_vm_reset frees it. */
		io_stat_inc(io, cancelled);
	}
	__atomic_store_n(&w->phase, IO_PHASE_IDLE, __ATOMIC_RELEASE);
	return r;
}

enum io_result io_complete(struct io_vm *io, unsigned vcpu_id,
			   struct io_access *a)
{
	struct io_vcpu_wait *w;
	bool polling = io->completion_mode == TESSERA_IO_COMPLETION_POLLING;
	uint32_t phase;
	enum io_result r;

	if (vcpu_id >= io->vcpu_count ||
	    __atomic_load_n(&io->vcpu[vcpu_id].phase, __ATOMIC_ACQUIRE) ==
		    IO_PHASE_IDLE) {
		log_err("vm %s vcpu %u: io: completion without a forwarded "
			"request", io->name, vcpu_id);
		io_stat_inc(io, failed);
		return IO_ABORT;
	}
	w = &io->vcpu[vcpu_id];
	if (__atomic_load_n(&io->cancelled, __ATOMIC_ACQUIRE))
		return finish(io, w, IO_CANCELLED);
	/* Polling ignores notifications: a late one for the previous request
	 * may land on this one. */
	phase = __atomic_load_n(&w->phase, __ATOMIC_ACQUIRE);
	if (!polling && phase != IO_PHASE_NOTIFIED)
		return IO_PENDING;
	r = slot_check(io, vcpu_id, w->slot, a, !polling);
	return r == IO_PENDING ? r : finish(io, w, r);
}

int io_notify_finish(struct io_vm *io, unsigned vcpu_id)
{
	uint32_t expected = IO_PHASE_WAITING;

	if (vcpu_id >= io->vcpu_count)
		return -EINVAL;
	if (!__atomic_compare_exchange_n(&io->vcpu[vcpu_id].phase, &expected,
					 IO_PHASE_NOTIFIED, false,
					 __ATOMIC_ACQ_REL, __ATOMIC_RELAXED))
		return -ENOENT;
	io_vcpu_wake(io, vcpu_id);
	return 0;
}
