/* SPDX-License-Identifier: BSD-3-Clause */
/* The per-pCPU vCPU scheduler (scheduler.h, doc/scheduling.rst). */
#include <arch.h>
#include <errno.h>
#include <pcpu.h>
#include <scheduler.h>
#include <vcpu.h>

void sched_init(struct sched_pcpu *s, enum sched_policy policy)
{
	*s = (struct sched_pcpu){.policy = policy,
				 .timer_at = SCHED_NO_DEADLINE};
}

int sched_attach(struct sched_pcpu *s, struct vcpu *v)
{
	unsigned max = s->policy == SCHED_NOOP ? 1 : CONFIG_MAX_VCPUS_PER_PCPU;

	if (s->nr >= max)
		return -ENOSPC;
	s->vcpus[s->nr++] = v;
	v->sched.timer_deadline = SCHED_NO_DEADLINE;
	return 0;
}

uint32_t sched_blocked(const struct vcpu *v)
{
	return __atomic_load_n(&v->sched.blocked, __ATOMIC_ACQUIRE);
}

bool sched_is_runnable(const struct vcpu *v)
{
	return sched_blocked(v) == 0;
}

void sched_block(struct vcpu *v, uint32_t reason)
{
	/* Paired with the waker's wake-then-kick: one of us sees the other. */
	__atomic_fetch_or(&v->sched.blocked, reason, __ATOMIC_SEQ_CST);
}

void sched_block_remote(struct vcpu *v, uint32_t reason)
{
	__atomic_fetch_or(&v->sched.blocked, reason, __ATOMIC_SEQ_CST);
	pcpu_kick(v->pcpu);
}

bool sched_wake(struct vcpu *v, uint32_t reasons)
{
	uint32_t was = __atomic_fetch_and(&v->sched.blocked, ~reasons,
					  __ATOMIC_SEQ_CST);

	if (!(was & reasons) || (was & ~reasons))
		return false;
	pcpu_kick(v->pcpu);
	return true;
}

/* ---- choosing ---- */

/* prio_rr: is a vCPU of this priority, other than `v`, waiting to run? */
static bool equal_waits(const struct sched_pcpu *s, const struct vcpu *v)
{
	for (unsigned i = 0; i < s->nr; i++)
		if (s->vcpus[i] != v && sched_is_runnable(s->vcpus[i]) &&
		    s->vcpus[i]->sched.priority == v->sched.priority)
			return true;
	return false;
}

/* Among equals, does `v` go before `best`? A cut-short turn first, then
 * the one that ran longest ago. */
static bool goes_first(const struct vcpu *v, const struct vcpu *best)
{
	if (!v->sched.turn_left != !best->sched.turn_left)
		return v->sched.turn_left != 0;
	return v->sched.last_ran < best->sched.last_ran;
}

/* The highest priority runnable; among equals the running one while its
 * turn lasts, else the first by goes_first(). */
static struct vcpu *pick_prio_rr(struct sched_pcpu *s, uint64_t now)
{
	struct vcpu *cur = s->current, *best = NULL;
	bool cur_keeps = cur && sched_is_runnable(cur) && now < s->slice_end;

	for (unsigned i = 0; i < s->nr; i++) {
		struct vcpu *v = s->vcpus[i];

		if (!sched_is_runnable(v))
			continue;
		if (!best || v->sched.priority > best->sched.priority) {
			best = v;
			continue;
		}
		if (v->sched.priority < best->sched.priority ||
		    (cur_keeps && best == cur))
			continue;
		if ((cur_keeps && v == cur) || goes_first(v, best))
			best = v;
	}
	return best;
}

static void set_timer(struct sched_pcpu *s, uint64_t at)
{
	if (at != s->timer_at) {
		s->timer_at = at;
		arch_pcpu_timer_set(at);
	}
}

/* The pCPU's timer at the earliest of: the pCPU's own periodic work, the
 * end of the turn when another vCPU of equal priority waits, and the
 * deadlines of blocked vCPUs that are not loaded (their timers are not in
 * the hardware). */
static void arm_timer(struct pcpu *p, struct vcpu *running)
{
	struct sched_pcpu *s = &p->sched;
	uint64_t at = pcpu_work_deadline(p);

	if (running && equal_waits(s, running))
		at = s->slice_end;
	for (unsigned i = 0; i < s->nr; i++) {
		struct vcpu *v = s->vcpus[i];

		if (v != p->loaded && (sched_blocked(v) & VCPU_BLOCK_WFI) &&
		    v->sched.timer_deadline < at)
			at = v->sched.timer_deadline;
	}
	set_timer(s, at);
}

struct vcpu *sched_pick(struct pcpu *p)
{
	struct sched_pcpu *s = &p->sched;
	struct vcpu *next;
	uint64_t now;

	if (s->policy == SCHED_NOOP) {
		/* One vCPU owns the pCPU: nothing to choose, no tick. */
		next = s->nr && sched_is_runnable(s->vcpus[0]) ? s->vcpus[0]
							       : NULL;
		s->current = next;
		return next;
	}
	now = arch_counter_now();
	next = pick_prio_rr(s, now);
	if (next && next != s->current) {
		struct vcpu *cur = s->current;

		/* Only a higher priority takes the pCPU from a runnable vCPU
		 * within its turn: keep the rest of the turn for it. */
		if (cur && sched_is_runnable(cur) && now < s->slice_end)
			cur->sched.turn_left = s->slice_end - now;
		if (next->sched.turn_left) {
			s->slice_end = now + next->sched.turn_left;
			next->sched.turn_left = 0;
		} else {
			next->sched.last_ran = ++s->turns;
			s->slice_end = now + next->sched.slice;
		}
		next->sched.switches++;
	}
	s->current = next;
	return next;
}

void sched_arm_timer(struct pcpu *p)
{
	if (p->sched.policy != SCHED_NOOP)
		arm_timer(p, p->sched.current);
	else if (p->work.fn) /* its vCPU's timers are its own: only the
				pCPU's work, where there is any */
		set_timer(&p->sched, p->work.at);
}

void sched_timer_fired(struct pcpu *p, uint64_t now)
{
	struct sched_pcpu *s = &p->sched;

	s->timer_at = SCHED_NO_DEADLINE; /* it is one-shot */
	for (unsigned i = 0; i < s->nr; i++) {
		struct vcpu *v = s->vcpus[i];

		if (v != p->loaded && v->sched.timer_deadline <= now)
			sched_wake(v, VCPU_BLOCK_WFI);
	}
	/* The turn's end needs nothing more: the next pick sees the time. */
}
