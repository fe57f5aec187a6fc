/* SPDX-License-Identifier: BSD-3-Clause */
/* arm64 CPU hooks used by common code (declared the same way for every arch). */
#ifndef TESSERA_ARCH_CPU_H
#define TESSERA_ARCH_CPU_H

#include <types.h>

struct pcpu;
struct vcpu;

/* The arm64 part of struct pcpu. */
struct arch_pcpu {
	uint64_t mpidr;        /* hardware id, as started */
	uint64_t gicr;         /* its GIC redistributor */
	struct vcpu *fp_owner; /* whose FP/SIMD registers are in the hardware */
	uint64_t irq_counts[33]; /* SGIs and PPIs by INTID, all SPIs in [32] */
};

/* One turn of a spin-wait loop: sleep in WFE until an event (another
 * CPU's SEV, or the EL2 event stream within about 16 µs) instead of
 * burning cycles; the caller looks again afterwards. */
static inline void cpu_spin_wait(void)
{
	__asm__ volatile("wfe" ::: "memory");
}

static inline void cpu_wake_waiters(void)
{
	__asm__ volatile("dsb ishst\n\tsev" ::: "memory");
}

/* TPIDR_EL2 holds the running pCPU's struct pcpu (arch_init_boot_pcpu and
 * secondary start-up set it). */
static inline struct pcpu *pcpu_this(void)
{
	struct pcpu *p;

	__asm__ volatile("mrs %0, tpidr_el2" : "=r"(p));
	return p;
}

#endif
