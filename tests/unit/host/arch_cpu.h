/* SPDX-License-Identifier: BSD-3-Clause */
/* Host implementation of the arch CPU hooks, for unit tests, benchmarks and fuzzing. */
#ifndef TESSERA_ARCH_CPU_H
#define TESSERA_ARCH_CPU_H

#include <sched.h>

static inline void cpu_spin_wait(void)
{
	sched_yield();
}

static inline void cpu_wake_waiters(void)
{
}

#endif
