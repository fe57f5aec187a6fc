/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Putting a vCPU on its pCPU. Each vCPU owns its pCPU, so its EL1 system
 * registers simply live in the hardware; a reset rewrites them all.
 */
#include <arch.h>
#include <arch_cpu.h>
#include <arm64_cpu.h>
#include <arm64_irq.h>
#include <lib/string.h>
#include <sysreg.h>
#include <vm.h>

#define HCR_GUEST                                                              \
	(HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB |           \
	 HCR_BSU_IS | HCR_TWI | HCR_TSC | HCR_RW)
#define SCTLR_EL1_RESET 0x30d00800ull /* RES1 bits, MMU and caches off */
#define CPTR_EL2_RES1 0x33ffull       /* no FP/SIMD traps */
#define VTTBR_VMID_SHIFT 48

void arm64_enter_guest(struct arch_regs *regs);

static void reset_el1_sysregs(void)
{
	write_sysreg(sctlr_el1, SCTLR_EL1_RESET);
	write_sysreg(tcr_el1, 0);
	write_sysreg(ttbr0_el1, 0);
	write_sysreg(ttbr1_el1, 0);
	write_sysreg(mair_el1, 0);
	write_sysreg(amair_el1, 0);
	write_sysreg(vbar_el1, 0);
	write_sysreg(contextidr_el1, 0);
	write_sysreg(cpacr_el1, 0);
	write_sysreg(esr_el1, 0);
	write_sysreg(far_el1, 0);
	write_sysreg(afsr0_el1, 0);
	write_sysreg(afsr1_el1, 0);
	write_sysreg(par_el1, 0);
	write_sysreg(elr_el1, 0);
	write_sysreg(spsr_el1, 0);
	write_sysreg(sp_el1, 0);
	write_sysreg(sp_el0, 0);
	write_sysreg(tpidr_el0, 0);
	write_sysreg(tpidrro_el0, 0);
	write_sysreg(tpidr_el1, 0);
	write_sysreg(cntkctl_el1, 0);
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
}

void arch_vcpu_reset(struct vcpu *vcpu, uint64_t pc, uint64_t arg)
{
	struct arch_regs *regs = arm64_guest_regs(cpu_id());
	const struct arch_vm *a = &vcpu->vm->arch;

	memset(regs, 0, sizeof(*regs));
	regs->x[0] = arg;
	regs->pc = pc;
	regs->pstate = PSR_MODE_EL1h | PSR_DAIF;

	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, vcpu->arch.vmpidr);
	write_sysreg(vttbr_el2, (uint64_t)a->vmid << VTTBR_VMID_SHIFT |
					s2_root_pa(&a->s2));
	write_sysreg(hcr_el2, HCR_GUEST);
	write_sysreg(cptr_el2, CPTR_EL2_RES1);
	isb();
	reset_el1_sysregs();
	arm64_vgic_vcpu_reset(vcpu);
	/* Stale translations and instructions from an earlier run of this VM. */
	__asm__ volatile("tlbi vmalls12e1\n\tic iallu" ::: "memory");
	dsb(nsh);
	isb();
}

void arch_vcpu_enter(struct vcpu *vcpu)
{
	arm64_vgic_enter(vcpu);
	arm64_enter_guest(arm64_guest_regs(cpu_id()));
	__builtin_unreachable();
}
