/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arch_cpu.h of the fake arch layer (tests/unit/host/fake_arch.h), for the
 * host tests of the scheduler, the vCPU thread and the VM state machine.
 *
 * Forced in with `-include` (tests/unit/sched.mk): tests/unit/host comes
 * first on the include path, so its own arch_cpu.h, which every other host
 * test uses unchanged, would win. This one takes its include guard first.
 * Unlike that one, pcpu_this() exists (a per-thread "current pCPU"), and
 * cpu_spin_wait() and cpu_wake_waiters() are the fake's: in single-threaded
 * tests a wait that can never end fails the test instead of hanging.
 */
#ifndef TESSERA_ARCH_CPU_H
#define TESSERA_ARCH_CPU_H

#include <types.h>

struct pcpu;
struct vcpu;

/* The fake's part of struct pcpu: what was done to this pCPU. */
struct arch_pcpu {
	uint64_t timer_at;   /* armed by arch_pcpu_timer_set; UINT64_MAX: off */
	unsigned timer_sets; /* arch_pcpu_timer_set calls */
	unsigned kicks;      /* arch_pcpu_kick calls (atomic) */
	unsigned idles;      /* arch_pcpu_idle calls */
	struct vcpu *hw;     /* whose context the "hardware" holds */
};

void cpu_spin_wait(void);
void cpu_wake_waiters(void);
/* The pCPU this thread plays (fake_set_current, and while the fake runs a
 * pCPU's loop or delivers a kick to it). */
struct pcpu *pcpu_this(void);

#endif
