/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The arch CPU hooks for the device model (user space). cpu_spin_wait(), one
 * turn of a spin-wait loop, is also what the DM's polling loop runs between
 * two looks at the request slots:
 * on arm64 the YIELD hint, so that a spinning DM does not distort a QEMU
 * -icount run; on the host (tests) a sched_yield().
 */
#ifndef TESSERA_ARCH_CPU_H
#define TESSERA_ARCH_CPU_H

#if defined(__aarch64__)
static inline void cpu_spin_wait(void)
{
	__asm__ volatile("yield" ::: "memory");
}
#else
#include <sched.h>
static inline void cpu_spin_wait(void)
{
	sched_yield();
}
#endif

/* Nobody waits for the DM with WFE on a lock it releases. */
static inline void cpu_wake_waiters(void)
{
}

#endif
