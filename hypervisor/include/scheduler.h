/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vCPU scheduling on one pCPU (doc/scheduling.rst).
 *
 * Every vCPU a pCPU may ever run is attached to it at boot (the scenario is
 * static: a vCPU's pCPU never changes), so a run queue is a small fixed
 * array and nothing is allocated or moved at run time. A vCPU is runnable
 * when nothing blocks it; `blocked` is a set of reasons, each added and
 * removed on its own (a paused vCPU that also waits for I/O needs both to
 * end). The owning pCPU alone picks, switches and blocks for WFI or I/O;
 * any pCPU may add a reason (pause, stop) or remove one (wake), and kicks
 * the owner so it looks again.
 *
 * Policies, per pCPU, from the scenario:
 *   noop     one vCPU owns the pCPU: no run queue walk, no tick, no switch;
 *   prio_rr  the highest-priority runnable vCPU runs; among equals each runs
 *            for its time slice, then the next (round-robin). A vCPU that
 *            wakes with a higher priority than the running one preempts it.
 *
 * Blocked vCPUs that are not loaded have their guest timers watched: the
 * pCPU's own timer is armed at the earliest deadline (and at the end of the
 * running vCPU's slice when an equal-priority vCPU waits), and a vCPU blocked
 * in WFI is woken when its deadline passes.
 */
#ifndef TESSERA_SCHEDULER_H
#define TESSERA_SCHEDULER_H

#include <config.h>
#include <types.h>

struct pcpu;
struct vcpu;

#ifndef CONFIG_MAX_VCPUS_PER_PCPU
#define CONFIG_MAX_VCPUS_PER_PCPU 8
#endif

enum sched_policy {
	SCHED_NOOP = 0,
	SCHED_PRIO_RR = 1,
};

/* Reasons a vCPU does not run (sched_vcpu.blocked). */
#define VCPU_BLOCK_OFF BIT(0)     /* powered off, or never started */
#define VCPU_BLOCK_WFI BIT(1)     /* waits for an interrupt or its timer */
#define VCPU_BLOCK_IO BIT(2)      /* waits for the device model (notify mode) */
#define VCPU_BLOCK_PAUSED BIT(3)  /* its VM is paused */
#define VCPU_BLOCK_STOPPED BIT(4) /* its VM is stopped (off, crashed, reset,
				     destroyed) */

#define SCHED_NO_DEADLINE UINT64_MAX

/* Per vCPU (embedded in struct vcpu). */
struct sched_vcpu {
	uint32_t blocked;  /* VCPU_BLOCK_*; 0 = runnable (atomic) */
	uint8_t priority;  /* higher runs first (prio_rr) */
	uint64_t slice;    /* counter ticks per turn (prio_rr) */
	uint64_t last_ran; /* pCPU turn number when it last started a turn */
	/* Ticks left of a turn a higher priority cut short; 0 if none. It
	 * resumes that turn ahead of its equals (as POSIX SCHED_RR does). */
	uint64_t turn_left;
	/* Earliest guest timer deadline while not loaded (counter ticks),
	 * SCHED_NO_DEADLINE if none; set by the arch on put. */
	uint64_t timer_deadline;
	uint64_t switches; /* times it was switched to */
};

/* Per pCPU (embedded in struct pcpu); touched by that pCPU only. */
struct sched_pcpu {
	enum sched_policy policy;
	unsigned nr;
	struct vcpu *vcpus[CONFIG_MAX_VCPUS_PER_PCPU];
	struct vcpu *current; /* the vCPU of the running turn, or NULL */
	uint64_t slice_end;   /* counter value when the current turn ends */
	uint64_t turns;
	uint64_t timer_at;    /* what the pCPU timer is armed for, or none */
};

/* At boot, before the pCPU runs: its policy and its vCPUs. */
void sched_init(struct sched_pcpu *s, enum sched_policy policy);
/* 0, or -ENOSPC (too many vCPUs; noop takes one). */
int sched_attach(struct sched_pcpu *s, struct vcpu *v);

/*
 * On the pCPU, at every turn of its loop: the vCPU to run now (NULL: none
 * is runnable, idle). Then, once the chosen one is loaded (and the one it
 * replaces put, its timer deadline known), sched_arm_timer() arms the pCPU
 * timer as needed.
 */
struct vcpu *sched_pick(struct pcpu *p);
void sched_arm_timer(struct pcpu *p);

/* The running vCPU on its own pCPU adds a reason (WFI, I/O, CPU_OFF). The
 * caller re-checks its wake condition afterwards and wakes itself if it
 * already holds (a waker may have come in between). */
void sched_block(struct vcpu *v, uint32_t reason);
/* Any pCPU: add a reason to a vCPU that may be running elsewhere; it stops
 * at its next exit (the caller kicks its pCPU or waits for it). */
void sched_block_remote(struct vcpu *v, uint32_t reason);
/* Any pCPU: remove reasons; when none is left the vCPU is runnable and its
 * pCPU is kicked (unless it is this pCPU). True if it became runnable. */
bool sched_wake(struct vcpu *v, uint32_t reasons);
bool sched_is_runnable(const struct vcpu *v);
uint32_t sched_blocked(const struct vcpu *v);

/* The pCPU timer fired: wake vCPUs whose watched deadline passed. */
void sched_timer_fired(struct pcpu *p, uint64_t now);

#endif
