/* SPDX-License-Identifier: BSD-3-Clause */
/* Request slots: validate, dispatch, complete (ioreq.h). */
#include <errno.h>

#include "ioreq.h"

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)

int ioreq_init(struct ioreq *q, struct tessera_io_slot *slots,
	       uint32_t vcpu_count, struct iobus *bus)
{
	if (!slots || vcpu_count < 1 || vcpu_count > IOREQ_MAX_VCPUS)
		return -EINVAL;
	*q = (struct ioreq){
		.slots = slots,
		.vcpu_count = vcpu_count,
		.bus = bus,
		.rl = LOG_RATELIMIT_INIT(LOG_WARN, NULL, "request slot"),
	};
	return 0;
}

static bool valid(const struct tessera_io_request *r)
{
	return r->type < TESSERA_IO_TYPE_COUNT &&
	       (r->direction == TESSERA_IO_READ ||
		r->direction == TESSERA_IO_WRITE) &&
	       (r->size == 1 || r->size == 2 || r->size == 4 || r->size == 8) &&
	       r->addr + (r->size - 1) >= r->addr;
}

uint64_t ioreq_emulate(struct ioreq *q, const struct tessera_io_request *r,
		       bool *malformed)
{
	*malformed = !valid(r);
	if (*malformed) {
		q->stats.malformed++;
		if (log_ratelimit_allow(&q->rl))
			log_warn("malformed request: type %u, direction %u, "
				 "addr 0x%llx, size %u: completed with all-ones",
				 r->type, r->direction,
				 (unsigned long long)r->addr, r->size);
		return r->direction == TESSERA_IO_WRITE ? 0 : ~0ull;
	}
	return iobus_access(q->bus, r->type, r->addr, r->size,
			    r->direction == TESSERA_IO_WRITE, r->value);
}

/* The request, each field read once. */
static struct tessera_io_request snapshot(const struct tessera_io_slot *s)
{
	return (struct tessera_io_request){
		.type = LOAD(s->req.type),
		.direction = LOAD(s->req.direction),
		.addr = LOAD(s->req.addr),
		.size = LOAD(s->req.size),
		.value = LOAD(s->req.value),
	};
}

/* Emulate the PROCESSING request in s and complete it. */
static bool complete(struct ioreq *q, struct tessera_io_slot *s, unsigned vcpu)
{
	struct tessera_io_request r = snapshot(s);
	uint32_t expect = TESSERA_IO_STATE_PROCESSING;
	bool malformed;
	uint64_t v = ioreq_emulate(q, &r, &malformed);

	/* The reply goes in before the state changes. If the hypervisor took
	 * the slot back meanwhile (reset, destroy), the value lands in a slot
	 * nobody reads: the slot is only reused after the DM's own RESET_VM,
	 * which this single-threaded DM never makes while serving. */
	if (r.direction != TESSERA_IO_WRITE)
		__atomic_store_n(&s->req.value, v, __ATOMIC_RELAXED);
	/* Release: the reply is visible before COMPLETE is. */
	if (!__atomic_compare_exchange_n(&s->state, &expect,
					 TESSERA_IO_STATE_COMPLETE, false,
					 __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
		q->stats.lost++;
		if (log_ratelimit_allow(&q->rl))
			log_warn("vCPU %u: slot went from PROCESSING to %u "
				 "under the device model (cancelled?): not "
				 "completed", vcpu, expect);
		return false;
	}
	q->stats.completed++;
	return true;
}

uint64_t ioreq_serve_mask(struct ioreq *q, uint64_t mask)
{
	uint64_t done = 0;

	if (q->vcpu_count < 64 && mask >> q->vcpu_count) {
		q->stats.stray++;
		if (log_ratelimit_allow(&q->rl))
			log_warn("request mask 0x%llx names vCPUs beyond the "
				 "VM's %u: ignored", (unsigned long long)mask,
				 q->vcpu_count);
		mask &= (1ull << q->vcpu_count) - 1;
	}
	for (unsigned v = 0; mask; v++, mask >>= 1) {
		struct tessera_io_slot *s = &q->slots[v];
		uint32_t state;

		if (!(mask & 1))
			continue;
		state = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
		if (state != TESSERA_IO_STATE_PROCESSING) {
			q->stats.stray++;
			if (log_ratelimit_allow(&q->rl))
				log_warn("vCPU %u: handed over in state %u, not "
					 "PROCESSING: skipped", v, state);
			continue;
		}
		if (complete(q, s, v))
			done |= 1ull << v;
	}
	return done;
}

/* One look at every slot: complete the PENDING ones (claimed here) and,
 * with `driver_claimed`, the PROCESSING ones too. The vCPUs completed. */
static uint64_t look(struct ioreq *q, bool driver_claimed)
{
	uint64_t done = 0;

	for (unsigned v = 0; v < q->vcpu_count; v++) {
		struct tessera_io_slot *s = &q->slots[v];
		uint32_t state = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);

		/* A PROCESSING slot was claimed by the driver on the DM's
		 * behalf: the DM never leaves one of its own in that state
		 * between two looks. */
		if (state == TESSERA_IO_STATE_PENDING &&
		    !__atomic_compare_exchange_n(&s->state, &state,
						 TESSERA_IO_STATE_PROCESSING,
						 false, __ATOMIC_ACQUIRE,
						 __ATOMIC_RELAXED))
			continue;
		if (state != TESSERA_IO_STATE_PENDING &&
		    (state != TESSERA_IO_STATE_PROCESSING || !driver_claimed))
			continue;
		if (complete(q, s, v))
			done |= 1ull << v;
	}
	return done;
}

unsigned ioreq_poll(struct ioreq *q)
{
	return (unsigned)__builtin_popcountll(look(q, true));
}

uint64_t ioreq_take_pending(struct ioreq *q)
{
	return look(q, false);
}

void ioreq_watch(struct ioreq *q, bool on)
{
	for (unsigned v = 0; v < q->vcpu_count; v++)
		__atomic_store_n(&q->slots[v].sos_watching, on ? 1u : 0u,
				 __ATOMIC_SEQ_CST);
	/* Before the caller's next look at the states (uapi header). */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}
