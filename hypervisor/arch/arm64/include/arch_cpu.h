/* SPDX-License-Identifier: BSD-3-Clause */
/* arm64 CPU hooks used by common code (declared the same way for every arch). */
#ifndef TESSERA_ARCH_CPU_H
#define TESSERA_ARCH_CPU_H

#include <types.h>

/* Wait for an event (SEV or the EL2 event stream) instead of burning cycles. */
static inline void cpu_relax(void)
{
	__asm__ volatile("wfe" ::: "memory");
}

static inline void cpu_wake_waiters(void)
{
	__asm__ volatile("dsb ishst\n\tsev" ::: "memory");
}

static inline void cpu_wait_for_interrupt(void)
{
	__asm__ volatile("dsb sy\n\twfi" ::: "memory");
}

/* Logical id of the running pCPU (index into the boot CPU table). */
static inline unsigned cpu_id(void)
{
	uint64_t v;

	__asm__ volatile("mrs %0, tpidr_el2" : "=r"(v));
	return (unsigned)v;
}

#endif
