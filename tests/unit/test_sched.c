/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-pCPU scheduler (scheduler.c) on the fake arch layer: run-queue
 * order, priorities, slices, block and wake, the pCPU timer, kicks; and the
 * pCPU loop (pcpu_run) choosing, switching and waking vCPUs over time.
 *
 * vCPUs are made by hand here, in one dummy VM ("0.i" is its vCPU i in the
 * fake's trace), and attached to pCPUs 0 (prio_rr), 1 (noop), 2 (prio_rr).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fake_arch.h"

static const uint8_t policies[] = {SCHED_PRIO_RR, SCHED_NOOP, SCHED_PRIO_RR};
static struct vm vm0;
static struct pcpu *p0, *p1, *p2;

static int setup(void **state)
{
	(void)state;
	fake_reset(ARRAY_SIZE(policies), policies);
	memset(&vm0, 0, sizeof(vm0));
	p0 = pcpu_get(0);
	p1 = pcpu_get(1);
	p2 = pcpu_get(2);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_check_clean();
	return 0;
}

/* vCPU i of the dummy VM, runnable and on, attached to pCPU `pcpu`. */
static struct vcpu *mk(unsigned i, struct pcpu *p, uint8_t prio, uint64_t slice)
{
	struct vcpu *v = &vm0.vcpus[i];

	v->vm = &vm0;
	v->id = i;
	v->pcpu = p;
	v->power = VCPU_POWER_ON;
	v->sched.priority = prio;
	v->sched.slice = slice;
	v->arch.guest_timer = SCHED_NO_DEADLINE;
	assert_int_equal(sched_attach(&p->sched, v), 0);
	if (vm0.vcpu_count <= i)
		vm0.vcpu_count = i + 1;
	return v;
}

/* Compared by name ("0.1", or "none"), for readable failures. */
static const char *name(const struct vcpu *v, char *buf)
{
	if (!v)
		return "none";
	snprintf(buf, 16, "%u.%u", v->vm->id, v->id);
	return buf;
}

#define assert_vcpu(got, want)                                                 \
	do {                                                                   \
		char g_[16], w_[16];                                           \
		assert_string_equal(name((got), g_), name((want), w_));        \
	} while (0)

/* A turn of the loop's choice: pick, then arm the timer (the loop loads
 * the chosen vCPU in between; these tests load nothing). */
static struct vcpu *pick_at(struct pcpu *p, uint64_t now)
{
	struct vcpu *v;

	fake_counter_set(now);
	fake_set_current(p);
	v = sched_pick(p);
	sched_arm_timer(p);
	return v;
}

/* ---- attach ---- */

static void test_attach_limits(void **state)
{
	struct vcpu extra = {0};

	(void)state;
	/* noop: one vCPU owns the pCPU. */
	mk(0, p1, 0, 0);
	assert_int_equal(sched_attach(&p1->sched, &extra), -ENOSPC);
	assert_int_equal(p1->sched.nr, 1);
	/* prio_rr: a fixed run queue. */
	for (unsigned i = 1; i <= CONFIG_MAX_VCPUS_PER_PCPU; i++) {
		struct vcpu *v = mk(i, p0, 1, 100);

		assert_int_equal(v->sched.timer_deadline, SCHED_NO_DEADLINE);
	}
	assert_int_equal(sched_attach(&p0->sched, &extra), -ENOSPC);
	assert_int_equal(p0->sched.nr, CONFIG_MAX_VCPUS_PER_PCPU);
}

/* ---- noop ---- */

static void test_noop_picks_its_vcpu_when_runnable(void **state)
{
	struct vcpu *v = mk(0, p1, 0, 0);

	(void)state;
	fake_set_current(p1);
	assert_vcpu(sched_pick(p1), v);
	assert_vcpu(sched_pick(p1), v);
	sched_block(v, VCPU_BLOCK_WFI);
	assert_null(sched_pick(p1));
	assert_null(p1->sched.current);
	assert_true(sched_wake(v, VCPU_BLOCK_WFI));
	assert_vcpu(sched_pick(p1), v);
	sched_block(v, VCPU_BLOCK_OFF);
	assert_null(sched_pick(p1));
	/* No tick, no timer, no counter: even for a watched deadline. */
	sched_block(v, VCPU_BLOCK_WFI);
	v->sched.timer_deadline = 500;
	assert_null(sched_pick(p1));
	sched_timer_fired(p1, 100);
	assert_int_equal(sched_blocked(v), VCPU_BLOCK_OFF | VCPU_BLOCK_WFI);
	assert_int_equal(p1->arch.timer_sets, 0);
	assert_int_equal(fake_counter_reads(), 0);
	assert_int_equal(p1->sched.turns, 0);
	assert_string_equal(fake_trace(FT_ALL), "");
}

/*
 * The pCPU's own periodic work (the console's drain) on a noop pCPU: it
 * runs when due, every period from when it last ran, and the pCPU timer is
 * armed for it alone, also while the pCPU idles.
 */
static unsigned work_runs;
static uint64_t work_at[4];

static void count_work(void)
{
	if (work_runs < 4)
		work_at[work_runs] = arch_counter_now();
	work_runs++;
}

static bool idle_until_three_runs(struct pcpu *p)
{
	return work_runs < 3 && fake_idle_until_timer(p);
}

static void test_noop_periodic_work(void **state)
{
	(void)state;
	work_runs = 0;
	fake_counter_set(100);
	pcpu_set_periodic(p1, count_work, 1000);
	fake_set_idle_hook(idle_until_three_runs);
	assert_int_equal(fake_run(p1, 10), FAKE_STOP_IDLE);
	fake_set_idle_hook(NULL);
	assert_int_equal(work_runs, 3);
	assert_int_equal(work_at[0], 100);
	assert_int_equal(work_at[1], 1100);
	assert_int_equal(work_at[2], 2100);
	assert_int_equal(p1->arch.timer_at, 3100);
	assert_int_equal(pcpu_work_deadline(p1), 3100);
	pcpu_set_periodic(p1, NULL, 0);
	assert_int_equal(pcpu_work_deadline(p1), SCHED_NO_DEADLINE);
}

/* ---- prio_rr: priorities ---- */

static void test_highest_priority_runs(void **state)
{
	struct vcpu *a = mk(0, p0, 1, 1000), *b = mk(1, p0, 3, 1000),
		    *c = mk(2, p0, 2, 1000);

	(void)state;
	assert_vcpu(pick_at(p0, 0), b);
	sched_block(b, VCPU_BLOCK_WFI);
	assert_vcpu(pick_at(p0, 10), c);
	sched_block(c, VCPU_BLOCK_IO);
	assert_vcpu(pick_at(p0, 20), a);
	sched_block(a, VCPU_BLOCK_WFI);
	assert_null(pick_at(p0, 30));
	assert_null(p0->sched.current);
	/* The highest of those that are runnable, whatever their order. */
	sched_wake(a, VCPU_BLOCK_WFI);
	sched_wake(c, VCPU_BLOCK_IO);
	assert_vcpu(pick_at(p0, 40), c);
}

static void test_higher_priority_wake_preempts(void **state)
{
	struct vcpu *a = mk(0, p0, 1, 1000), *h = mk(1, p0, 5, 1000),
		    *b = mk(2, p0, 1, 1000);

	(void)state;
	sched_block(h, VCPU_BLOCK_WFI);
	sched_block(b, VCPU_BLOCK_WFI);
	assert_vcpu(pick_at(p0, 0), a);
	/* Woken from pCPU 2 (its interrupt came there): p0 is kicked. */
	fake_set_current(p2);
	assert_true(sched_wake(h, VCPU_BLOCK_WFI));
	assert_int_equal(p0->arch.kicks, 1);
	/* Within a's slice, h runs at once. */
	assert_vcpu(pick_at(p0, 10), h);
	assert_int_equal(h->sched.switches, 1);
	/* a gets back the 990 ticks left of its turn, not a fresh one. */
	sched_block(h, VCPU_BLOCK_WFI);
	assert_vcpu(pick_at(p0, 20), a);
	assert_int_equal(a->sched.switches, 2);
	assert_int_equal(p0->sched.slice_end, 1010);
	/* An equal one waking does not preempt. */
	sched_wake(b, VCPU_BLOCK_WFI);
	assert_vcpu(pick_at(p0, 30), a);
	assert_vcpu(pick_at(p0, 1009), a);
	assert_vcpu(pick_at(p0, 1010), b);
}

/* A vCPU cut short by a higher priority resumes its turn ahead of an equal
 * that ran longer ago: frequent wake-ups of the higher one must not turn
 * the slices of the lower ones into strict alternation. */
static void test_preempted_turn_resumes_first(void **state)
{
	struct vcpu *a = mk(0, p0, 1, 1000), *b = mk(1, p0, 1, 3000),
		    *h = mk(2, p0, 5, 1000);

	(void)state;
	sched_block(h, VCPU_BLOCK_WFI);
	assert_vcpu(pick_at(p0, 0), a);
	assert_vcpu(pick_at(p0, 1000), b); /* b: turn until 4000 */
	for (uint64_t t = 1100; t < 4000; t += 700) {
		sched_wake(h, VCPU_BLOCK_WFI);
		assert_vcpu(pick_at(p0, t), h);
		sched_block(h, VCPU_BLOCK_WFI);
		/* b, not a, though a ran longer ago */
		assert_vcpu(pick_at(p0, t + 100), b);
	}
	/* b's turn ended 100 ticks late for each of the 5 cuts, then a */
	assert_int_equal(p0->sched.slice_end, 4500);
	assert_vcpu(pick_at(p0, 4499), b);
	assert_vcpu(pick_at(p0, 4500), a);
	assert_int_equal(b->sched.turn_left, 0);
}

/* ---- prio_rr: round-robin among equals ---- */

static void test_equal_priorities_take_turns_at_slice_end(void **state)
{
	struct vcpu *a = mk(0, p0, 1, 1000), *b = mk(1, p0, 1, 1000);

	(void)state;
	assert_vcpu(pick_at(p0, 0), a);
	/* Not before the slice ends, however often it picks. */
	assert_vcpu(pick_at(p0, 1), a);
	assert_vcpu(pick_at(p0, 500), a);
	assert_vcpu(pick_at(p0, 999), a);
	assert_vcpu(pick_at(p0, 1000), b);
	assert_vcpu(pick_at(p0, 1500), b);
	assert_vcpu(pick_at(p0, 1999), b);
	assert_vcpu(pick_at(p0, 2000), a);
	assert_int_equal(a->sched.switches, 2);
	assert_int_equal(b->sched.switches, 1);
	assert_int_equal(p0->sched.turns, 3);
	/* Alone among equals it keeps running after its slice. */
	sched_block(b, VCPU_BLOCK_WFI);
	assert_vcpu(pick_at(p0, 5000), a);
	assert_int_equal(a->sched.switches, 2);
	/* The running one blocks: the other runs at once, slice or not. */
	sched_wake(b, VCPU_BLOCK_WFI);
	sched_block(a, VCPU_BLOCK_WFI);
	assert_vcpu(pick_at(p0, 5001), b);
	assert_int_equal(p0->sched.slice_end, 6001);
}

static void test_least_recently_run_goes_next(void **state)
{
	struct vcpu *a = mk(0, p0, 1, 1000), *b = mk(1, p0, 1, 1000),
		    *c = mk(2, p0, 1, 1000);

	(void)state;
	sched_block(c, VCPU_BLOCK_WFI);
	assert_vcpu(pick_at(p0, 0), a);
	assert_vcpu(pick_at(p0, 1000), b);
	sched_wake(c, VCPU_BLOCK_WFI);
	assert_vcpu(pick_at(p0, 1500), b);
	/* c never ran: before a, though a comes first in the queue. */
	assert_vcpu(pick_at(p0, 2000), c);
	assert_vcpu(pick_at(p0, 3000), a);
	assert_vcpu(pick_at(p0, 4000), b);
	assert_vcpu(pick_at(p0, 5000), c);
	assert_int_equal(a->sched.last_ran, 4);
	assert_int_equal(b->sched.last_ran, 5);
	assert_int_equal(c->sched.last_ran, 6);
}

/* ---- the pCPU timer ---- */

static void test_slice_timer_only_when_an_equal_waits(void **state)
{
	struct vcpu *a = mk(0, p0, 1, 1000), *b = mk(1, p0, 1, 1000);

	(void)state;
	mk(2, p0, 0, 1000); /* lower priority, runnable: needs no tick */
	sched_block(b, VCPU_BLOCK_WFI);
	assert_vcpu(pick_at(p0, 0), a);
	assert_vcpu(pick_at(p0, 50), a);
	assert_int_equal(p0->arch.timer_sets, 0);
	/* b waits for its turn: the timer ends a's. */
	sched_wake(b, VCPU_BLOCK_WFI);
	assert_vcpu(pick_at(p0, 100), a);
	assert_int_equal(p0->arch.timer_at, 1000);
	assert_vcpu(pick_at(p0, 200), a);
	assert_int_equal(p0->arch.timer_sets, 1); /* unchanged: not re-armed */
	/* Nobody waits any more: off. */
	sched_block(b, VCPU_BLOCK_WFI);
	assert_vcpu(pick_at(p0, 300), a);
	assert_string_equal(fake_trace(FT_TIMER), "timer p0=1000 timer p0=off");
}

static void test_timer_at_earliest_deadline_of_blocked_unloaded(void **state)
{
	struct vcpu *a = mk(0, p0, 1, 1000), *b = mk(1, p0, 1, 1000),
		    *c = mk(2, p0, 1, 1000), *d = mk(3, p0, 1, 1000);

	(void)state;
	sched_block(b, VCPU_BLOCK_WFI);
	b->sched.timer_deadline = 5000;
	sched_block(c, VCPU_BLOCK_WFI);
	c->sched.timer_deadline = 3000;
	sched_block(d, VCPU_BLOCK_IO); /* not waiting for its timer */
	d->sched.timer_deadline = 100;
	assert_vcpu(pick_at(p0, 0), a);
	assert_int_equal(p0->arch.timer_at, 3000);
	/* Earlier than the slice end when an equal one waits. */
	sched_wake(d, VCPU_BLOCK_IO);
	assert_vcpu(pick_at(p0, 10), a);
	assert_int_equal(p0->arch.timer_at, 1000);
	sched_block(d, VCPU_BLOCK_IO);
	assert_vcpu(pick_at(p0, 20), a);
	assert_int_equal(p0->arch.timer_at, 3000);
	/* Nothing to run: still armed for them. */
	sched_block(a, VCPU_BLOCK_WFI);
	assert_null(pick_at(p0, 30));
	assert_int_equal(p0->arch.timer_at, 3000);
	assert_string_equal(fake_trace(FT_TIMER),
			    "timer p0=3000 timer p0=1000 timer p0=3000");
}

static void test_loaded_vcpu_deadline_not_watched(void **state)
{
	struct vcpu *a = mk(0, p0, 1, 1000);

	(void)state;
	fake_set_current(p0);
	pcpu_load(p0, a);
	sched_block(a, VCPU_BLOCK_WFI);
	a->sched.timer_deadline = 50; /* stale: its timer is in the hardware */
	assert_null(pick_at(p0, 0));
	assert_int_equal(p0->arch.timer_sets, 0);
	sched_timer_fired(p0, 100);
	assert_int_equal(sched_blocked(a), VCPU_BLOCK_WFI);
	pcpu_unload(p0);
}

static void test_never_armed_when_nothing_needs_it(void **state)
{
	struct vcpu *a = mk(0, p0, 2, 1000), *b = mk(1, p0, 1, 1000);

	(void)state;
	sched_block(b, VCPU_BLOCK_WFI); /* no deadline */
	for (uint64_t t = 0; t < 10000; t += 700)
		assert_vcpu(pick_at(p0, t), a);
	sched_block(a, VCPU_BLOCK_IO);
	assert_null(pick_at(p0, 20000));
	assert_int_equal(p0->arch.timer_sets, 0);
}

static void test_timer_fired_wakes_exactly_expired_wfi(void **state)
{
	struct vcpu *a = mk(0, p0, 1, 1000), *b = mk(1, p0, 1, 1000),
		    *c = mk(2, p0, 1, 1000), *d = mk(3, p0, 1, 1000),
		    *e = mk(4, p0, 1, 1000), *f = mk(5, p0, 1, 1000);

	(void)state;
	fake_set_current(p0);
	pcpu_load(p0, f); /* f was the last to run, and stays loaded */
	sched_block(f, VCPU_BLOCK_WFI);
	f->sched.timer_deadline = 500;
	sched_block(b, VCPU_BLOCK_WFI);
	b->sched.timer_deadline = 3000;
	sched_block(c, VCPU_BLOCK_WFI);
	c->sched.timer_deadline = 5000;
	sched_block(d, VCPU_BLOCK_IO);
	d->sched.timer_deadline = 1000;
	sched_block(e, VCPU_BLOCK_WFI | VCPU_BLOCK_PAUSED);
	e->sched.timer_deadline = 2000;
	assert_vcpu(pick_at(p0, 0), a);
	assert_int_equal(p0->arch.timer_at, 2000);

	fake_counter_set(3000);
	assert_true(fake_timer_expire(p0));
	assert_true(sched_is_runnable(a));
	assert_true(sched_is_runnable(b)); /* deadline == now */
	assert_int_equal(sched_blocked(c), VCPU_BLOCK_WFI);
	assert_int_equal(sched_blocked(d), VCPU_BLOCK_IO);
	assert_int_equal(sched_blocked(e), VCPU_BLOCK_PAUSED);
	assert_int_equal(sched_blocked(f), VCPU_BLOCK_WFI);
	assert_int_equal(p0->sched.timer_at, SCHED_NO_DEADLINE);
	assert_int_equal(p0->arch.kicks, 0); /* woken on their own pCPU */
	/* Re-armed for what is left at the next pick: c (b waits: the slice). */
	assert_vcpu(pick_at(p0, 3000), b);
	assert_int_equal(p0->arch.timer_at, 4000);
	pcpu_unload(p0);
}

/* ---- block, wake, kicks ---- */

static void test_wake_only_when_last_reason_goes(void **state)
{
	struct vcpu *v = mk(0, p1, 0, 0);

	(void)state;
	sched_block(v, VCPU_BLOCK_WFI | VCPU_BLOCK_PAUSED);
	fake_set_current(p0);
	assert_false(sched_wake(v, VCPU_BLOCK_WFI));
	assert_int_equal(sched_blocked(v), VCPU_BLOCK_PAUSED);
	assert_false(sched_wake(v, VCPU_BLOCK_WFI)); /* not a reason now */
	assert_int_equal(p1->arch.kicks, 0);
	assert_true(sched_wake(v, VCPU_BLOCK_PAUSED | VCPU_BLOCK_IO));
	assert_true(sched_is_runnable(v));
	assert_int_equal(p1->arch.kicks, 1);
	assert_false(sched_wake(v, VCPU_BLOCK_WFI)); /* runnable already */
	assert_int_equal(p1->arch.kicks, 1);
	/* Woken on its own pCPU: no kick. */
	fake_set_current(p1);
	sched_block(v, VCPU_BLOCK_WFI);
	assert_true(sched_wake(v, VCPU_BLOCK_WFI));
	assert_int_equal(p1->arch.kicks, 1);
	assert_string_equal(fake_trace(FT_KICK), "kick p1");
}

static void test_block_remote_kicks_the_owner(void **state)
{
	struct vcpu *v = mk(0, p1, 0, 0);

	(void)state;
	fake_set_current(p0);
	sched_block_remote(v, VCPU_BLOCK_PAUSED);
	assert_int_equal(sched_blocked(v), VCPU_BLOCK_PAUSED);
	assert_int_equal(p1->arch.kicks, 1);
	fake_set_current(p1);
	sched_block_remote(v, VCPU_BLOCK_STOPPED);
	assert_int_equal(sched_blocked(v), VCPU_BLOCK_PAUSED | VCPU_BLOCK_STOPPED);
	assert_int_equal(p1->arch.kicks, 1);
	fake_set_current(p1);
	assert_null(sched_pick(p1));
	fake_set_current(p0);
	assert_false(sched_wake(v, VCPU_BLOCK_PAUSED));
	assert_true(sched_wake(v, VCPU_BLOCK_STOPPED));
	assert_int_equal(p1->arch.kicks, 2);
}

/* ---- the pCPU loop over time ---- */

static void test_loop_round_robin(void **state)
{
	(void)state;
	mk(0, p0, 1, 1000);
	mk(1, p0, 1, 1000);
	fake_set_entry_ticks(400); /* every entry exits after 400 ticks */
	assert_int_equal(fake_run(p0, 10), FAKE_STOP_BUDGET);
	/* Each slice: 400 + 400 + the 200 the slice timer cuts off. */
	assert_string_equal(fake_trace(FT_RUN),
			    "run 0.0 run 0.0 run 0.0 run 0.1 run 0.1 run 0.1 "
			    "run 0.0 run 0.0 run 0.0 run 0.1");
	assert_string_equal(fake_trace(FT_LOAD | FT_PUT),
			    "load 0.0 put 0.0 load 0.1 put 0.1 load 0.0 "
			    "put 0.0 load 0.1");
	assert_string_equal(fake_trace(FT_TIMER),
			    "timer p0=1000 fire p0 timer p0=off "
			    "timer p0=2000 fire p0 timer p0=off "
			    "timer p0=3000 fire p0 timer p0=off timer p0=4000");
	assert_int_equal(fake_counter(), 3400);
	pcpu_unload(p0);
}

static void test_loop_priority_and_idle(void **state)
{
	struct vcpu *lo = mk(0, p0, 1, 1000), *hi = mk(1, p0, 2, 1000);

	(void)state;
	lo->arch.guest = fake_guest_wfi;
	assert_int_equal(fake_run(p0, 5), FAKE_STOP_BUDGET);
	/* The higher one alone, forever: no switch, no timer. */
	assert_string_equal(fake_trace(FT_RUN | FT_LOAD | FT_PUT),
			    "load 0.1 run 0.1 run 0.1 run 0.1 run 0.1 run 0.1");
	hi->arch.guest = fake_guest_wfi;
	fake_trace_clear();
	assert_int_equal(fake_run(p0, 5), FAKE_STOP_IDLE);
	/* hi waits; lo runs once and waits too; nothing left: idle. */
	assert_string_equal(fake_trace(FT_ALL),
			    "run 0.1 put 0.1 load 0.0 run 0.0 idle p0");
	assert_int_equal(p0->stats.idles, 1);
	assert_int_equal(p0->arch.timer_sets, 0);
	pcpu_unload(p0);
}

/* A WFI on a pCPU of its own: the vCPU stays loaded (its timer is in the
 * hardware, not watched); an injected interrupt wakes it. */
static void test_loop_wake_by_injected_interrupt(void **state)
{
	struct vcpu *v = mk(0, p2, 1, 1000);

	(void)state;
	v->arch.guest = fake_guest_wfi;
	v->arch.guest_timer = 7000;
	assert_int_equal(fake_run(p2, 5), FAKE_STOP_IDLE);
	assert_string_equal(fake_trace(FT_ALL), "load 0.0 run 0.0 idle p2");
	assert_int_equal(sched_blocked(v), VCPU_BLOCK_WFI);
	/* The vGIC, on pCPU 0, injects: v wakes and p2 is kicked. */
	fake_set_current(p0);
	v->arch.irq_pending = true;
	vcpu_kick(v);
	assert_true(sched_is_runnable(v));
	assert_int_equal(p2->arch.kicks, 1);
	fake_trace_clear();
	assert_int_equal(fake_run(p2, 1), FAKE_STOP_BUDGET);
	assert_string_equal(fake_trace(FT_RUN | FT_LOAD | FT_PUT), "run 0.0");
	fake_set_current(p2);
	pcpu_unload(p2);
}

/* Per entry: the counter when a (vCPU 0) entered. */
static uint64_t entered_at[8];
static unsigned entries;

static void guest_wfi_with_timer(struct vcpu *v)
{
	entered_at[entries < 8 ? entries++ : 7] = fake_counter();
	if (v->arch.runs == 1) {
		v->arch.guest_timer = 5000;
		vcpu_wait_for_interrupt(v);
	}
}

/* a waits for its timer at 5000 while b runs: the pCPU timer wakes a. */
static void test_loop_wake_by_timer(void **state)
{
	struct vcpu *a = mk(0, p0, 1, 1000), *b = mk(1, p0, 1, 1000);

	(void)state;
	entries = 0;
	a->arch.guest = guest_wfi_with_timer;
	fake_set_entry_ticks(100);
	b->arch.entry_ticks = 300;
	fake_counter_set(100);
	assert_int_equal(fake_run(p0, 60), FAKE_STOP_BUDGET);
	assert_true(entries >= 2);
	assert_int_equal(entered_at[0], 100 + 100);
	/* Woken at 5000 (within b's turn), a runs when b's slice ends. */
	assert_true(entered_at[1] >= 5000);
	assert_true(entered_at[1] <= 5000 + b->sched.slice);
	assert_true(b->sched.switches >= 2);
	pcpu_unload(p0);
}

/*
 * The pCPU timer is armed after the loop loaded the chosen vCPU, so the
 * deadline of the one it just put (known only from its put) is watched:
 * armed before, a compute-bound next vCPU (b runs 100,000 ticks per entry)
 * would let a's timer at 5000 go unseen until 100,000.
 */
static void test_loop_timer_armed_for_vcpu_just_put(void **state)
{
	struct vcpu *a = mk(0, p0, 1, 1000), *b = mk(1, p0, 1, 1000);

	(void)state;
	entries = 0;
	a->arch.guest = guest_wfi_with_timer;
	b->arch.entry_ticks = 100000;
	assert_int_equal(fake_run(p0, 4), FAKE_STOP_BUDGET);
	assert_true(entries >= 2);
	assert_int_equal(entered_at[0], 0);
	assert_int_equal(entered_at[1], 5000);
	pcpu_unload(p0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
		T(test_attach_limits),
		T(test_noop_picks_its_vcpu_when_runnable),
		T(test_noop_periodic_work),
		T(test_highest_priority_runs),
		T(test_higher_priority_wake_preempts),
		T(test_preempted_turn_resumes_first),
		T(test_equal_priorities_take_turns_at_slice_end),
		T(test_least_recently_run_goes_next),
		T(test_slice_timer_only_when_an_equal_waits),
		T(test_timer_at_earliest_deadline_of_blocked_unloaded),
		T(test_loaded_vcpu_deadline_not_watched),
		T(test_never_armed_when_nothing_needs_it),
		T(test_timer_fired_wakes_exactly_expired_wfi),
		T(test_wake_only_when_last_reason_goes),
		T(test_block_remote_kicks_the_owner),
		T(test_loop_round_robin),
		T(test_loop_priority_and_idle),
		T(test_loop_wake_by_injected_interrupt),
		T(test_loop_wake_by_timer),
		T(test_loop_timer_armed_for_vcpu_just_put),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
