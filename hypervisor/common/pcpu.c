/* SPDX-License-Identifier: BSD-3-Clause */
/* pCPUs: their loop, cross-calls, kicks and context loading (pcpu.h). */
#include <arch.h>
#include <pcpu.h>
#include <vcpu.h>

static struct pcpu pcpus[CONFIG_MAX_PCPUS];
static unsigned nr_pcpus;

struct pcpu *pcpu_get(unsigned id)
{
	return id < nr_pcpus ? &pcpus[id] : NULL;
}

unsigned pcpu_count(void)
{
	return nr_pcpus;
}

void pcpu_init_all(unsigned count, const uint8_t *policies)
{
	nr_pcpus = count < CONFIG_MAX_PCPUS ? count : CONFIG_MAX_PCPUS;
	for (unsigned i = 0; i < nr_pcpus; i++) {
		pcpus[i].id = i;
		sched_init(&pcpus[i].sched, policies ? (enum sched_policy)policies[i]
						      : SCHED_NOOP);
	}
}

void pcpu_kick(struct pcpu *target)
{
	if (target && target != pcpu_this())
		arch_pcpu_kick(target);
}

/* ---- cross-calls ---- */

void pcpu_handle_calls(struct pcpu *p)
{
	uint64_t pending = __atomic_load_n(&p->calls_pending, __ATOMIC_ACQUIRE);

	while (pending) {
		unsigned from = (unsigned)__builtin_ctzll(pending);
		struct pcpu_call *c = &p->calls[from];

		pending &= pending - 1;
		__atomic_fetch_and(&p->calls_pending, ~(1ull << from),
				   __ATOMIC_ACQ_REL);
		c->fn(c->arg);
		__atomic_store_n(&c->pending, 0, __ATOMIC_RELEASE);
		cpu_wake_waiters();
	}
}

void pcpu_call(struct pcpu *target, pcpu_call_fn fn, void *arg)
{
	struct pcpu *self = pcpu_this();
	struct pcpu_call *c;

	if (target == self) {
		fn(arg);
		return;
	}
	/* Each caller has its own slot in the target: no lock to take. */
	c = &target->calls[self->id];
	c->fn = fn;
	c->arg = arg;
	__atomic_store_n(&c->pending, 1, __ATOMIC_RELEASE);
	__atomic_fetch_or(&target->calls_pending, 1ull << self->id,
			  __ATOMIC_ACQ_REL);
	arch_pcpu_kick(target);
	while (__atomic_load_n(&c->pending, __ATOMIC_ACQUIRE)) {
		pcpu_handle_calls(self); /* it may be calling us */
		cpu_spin_wait();
	}
}

/* ---- context ---- */

void pcpu_unload(struct pcpu *p)
{
	if (p->loaded) {
		arch_vcpu_put(p->loaded);
		p->loaded = NULL;
	}
}

void pcpu_load(struct pcpu *p, struct vcpu *v)
{
	if (p->loaded == v)
		return;
	pcpu_unload(p);
	arch_vcpu_load(v);
	p->loaded = v;
}

/* ---- periodic work ---- */

void pcpu_set_periodic(struct pcpu *p, pcpu_work_fn fn, uint64_t period)
{
	p->work = (struct pcpu_work){.fn = fn, .period = period, .at = 0};
}

/* From now, not from when it was due: a late run does not make the next
 * ones come in a burst. */
static void run_periodic(struct pcpu *p)
{
	uint64_t now = arch_counter_now();

	if (now < p->work.at)
		return;
	p->work.fn();
	p->work.at = now + p->work.period;
}

/* ---- the loop ---- */

void pcpu_run(struct pcpu *p)
{
	for (;;) {
		struct vcpu *v;

		pcpu_handle_calls(p);
		if (p->work.fn)
			run_periodic(p);
		v = sched_pick(p);
		if (v)
			pcpu_load(p, v);
		sched_arm_timer(p);
		if (!v) {
			p->stats.idles++;
			arch_pcpu_idle(p);
			continue;
		}
		vcpu_step(v);
	}
}
