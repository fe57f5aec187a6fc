/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arm64 parts of struct vm and struct vcpu (owned by hypervisor/arch/arm64).
 * A vCPU's whole context lives here while it is not loaded; while loaded,
 * the EL1 system registers, timers, GIC CPU interface and (lazily) FP/SIMD
 * are in the hardware and the general registers are here between exits.
 */
#ifndef TESSERA_ARCH_VM_H
#define TESSERA_ARCH_VM_H

#include <s2_pgtable.h>
#include <vgic.h>
#include <types.h>

/* Guest registers as saved by the EL2 vectors (layout fixed by vectors.S). */
struct arch_regs {
	uint64_t x[31];
	uint64_t pc;     /* ELR_EL2 */
	uint64_t pstate; /* SPSR_EL2 */
	uint64_t pad;
};

#define ARCH_REGS_SIZE 272
_Static_assert(sizeof(struct arch_regs) == ARCH_REGS_SIZE, "vectors.S frame");

/* EL1 (and EL0) system registers a guest owns. */
struct arm64_el1_regs {
	uint64_t sctlr, cpacr, ttbr0, ttbr1, tcr, esr, afsr0, afsr1, far, mair,
		amair, vbar, contextidr, cntkctl, par, mdscr, sp_el0, sp_el1,
		elr, spsr, tpidr_el0, tpidrro_el0, tpidr_el1, csselr;
};

/* The EL1 virtual and physical timers, and whether their (hardware-mapped)
 * interrupts were active in the GIC when the vCPU was put. */
struct arm64_timer_regs {
	uint64_t cntv_ctl, cntv_cval, cntp_ctl, cntp_cval;
	bool vtimer_active, ptimer_active;
};

/* The GIC virtual CPU interface beyond the list registers. */
struct arm64_cpuif_regs {
	uint64_t vmcr;
	uint64_t ap0r[4], ap1r[4];
};

struct arm64_fp_regs {
	__uint128_t v[32];
	uint64_t fpsr, fpcr;
} __attribute__((aligned(16)));

_Static_assert(__builtin_offsetof(struct arm64_fp_regs, fpsr) == 512,
	       "fpsimd.S layout");

struct arch_vcpu {
	struct arch_regs regs;
	struct arm64_el1_regs el1;
	struct arm64_timer_regs timer;
	struct arm64_cpuif_regs cpuif;
	uint64_t lrs[VGIC_MAX_LRS]; /* ICH_LR<n>_EL2 as last read or written */
	bool vgic_uie;              /* ICH_HCR_EL2.UIE set for it */
	struct arm64_fp_regs fp;
	uint64_t vmpidr;    /* MPIDR the guest reads for this vCPU */
	uint64_t fault_far; /* FAR_EL2 of the access being completed */
	struct vgic_cpu vgic;
};

/* SPIs of every VM's virtual GIC (INTIDs 32 up). */
#define ARCH_VM_SPI_COUNT VGIC_NR_SPIS

struct arch_vm {
	uint16_t vmid;
	struct s2_pgtable s2;
	struct s2_pool s2_pool;
	/* What its SMMU-confined devices' DMA reaches (from the same pool). */
	struct s2_pgtable dma_s1;
	struct vgic vgic;
	bool vgic_registered;
};

#endif
