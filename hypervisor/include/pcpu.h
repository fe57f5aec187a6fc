/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Physical CPUs: everything per pCPU in one object (doc/scheduling.rst).
 *
 * A pCPU's life is one loop (pcpu_run): carry out the cross-calls other
 * pCPUs sent it, pick a vCPU, make its context the loaded one, let its vCPU
 * thread run one step (enter the guest, handle the exit), and again; idle in
 * WFI when no vCPU is runnable.
 *
 * Cross-calls (pcpu_call) run a function on another pCPU, in its loop,
 * between two guest entries: how VM-wide changes reach vCPUs that may be
 * running, loaded or descheduled there, and how a vCPU's hardware state is
 * only ever touched by its own pCPU. The caller waits; while waiting it
 * carries out the calls sent to it, so two pCPUs calling each other cannot
 * deadlock. Never call with a lock held.
 */
#ifndef TESSERA_PCPU_H
#define TESSERA_PCPU_H

#include <arch_cpu.h>
#include <config.h>
#include <scheduler.h>
#include <types.h>

struct vcpu;

typedef void (*pcpu_call_fn)(void *arg);
typedef void (*pcpu_work_fn)(void);

/* One caller's request to this pCPU (indexed by the caller's id). */
struct pcpu_call {
	pcpu_call_fn fn;
	void *arg;
	uint32_t pending; /* atomic: set by the caller, cleared when done */
};

struct pcpu_stats {
	uint64_t exits;  /* guest exits handled */
	uint64_t irqs;   /* physical interrupts taken */
	uint64_t idles;  /* times it went idle */
};

/* The hypervisor's own periodic work on this pCPU (the console's drain). */
struct pcpu_work {
	pcpu_work_fn fn;  /* NULL: none */
	uint64_t period;  /* counter ticks */
	uint64_t at;      /* when it is due next */
};

struct pcpu {
	unsigned id;
	bool online;
	struct vcpu *loaded; /* whose context is in the hardware, or NULL */
	struct pcpu_work work;
	struct sched_pcpu sched;
	uint64_t calls_pending; /* bit per caller pCPU (atomic) */
	struct pcpu_call calls[CONFIG_MAX_PCPUS];
	struct pcpu_stats stats;
	struct arch_pcpu arch;
};

/* The pCPU this code runs on (after arch_pcpu_bind). */
struct pcpu *pcpu_this(void);
struct pcpu *pcpu_get(unsigned id);
unsigned pcpu_count(void);

/* At boot: `count` pCPUs, each with its scheduling policy. */
void pcpu_init_all(unsigned count, const uint8_t *policies);

/* The pCPU's loop; never returns. */
NORETURN void pcpu_run(struct pcpu *p);

/* Run fn(arg) on pCPU `target` and wait until it returned (on this pCPU
 * itself it runs at once). */
void pcpu_call(struct pcpu *target, pcpu_call_fn fn, void *arg);
/* Carry out the calls sent to this pCPU (the loop does, and waiters). */
void pcpu_handle_calls(struct pcpu *p);

/* Before p runs its loop: run fn every `period` counter ticks there,
 * between guest entries (the scheduler arms p's timer for it). */
void pcpu_set_periodic(struct pcpu *p, pcpu_work_fn fn, uint64_t period);
/* When p's periodic work is due next; SCHED_NO_DEADLINE if it has none.
 * Inline: the scheduler asks at every turn of every pCPU's loop. */
static inline uint64_t pcpu_work_deadline(const struct pcpu *p)
{
	return p->work.fn ? p->work.at : SCHED_NO_DEADLINE;
}

/* Make `target` look at its state again soon (no-op for this pCPU). */
void pcpu_kick(struct pcpu *target);

/* Make v's context the loaded one on this pCPU (its own). */
void pcpu_load(struct pcpu *p, struct vcpu *v);
/* Save and unload whatever context is loaded. */
void pcpu_unload(struct pcpu *p);

#endif
