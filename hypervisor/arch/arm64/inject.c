/* SPDX-License-Identifier: BSD-3-Clause */
/* Exceptions the hypervisor delivers into a guest. */
#include <arm64_trap.h>
#include <vm.h>
#include <log.h>
#include <sysreg.h>

#define DFSC_SYNC_EXTERNAL 0x10
#define SCTLR_EL1_M BIT(0)

/* Offset of the synchronous vector for the mode the exception was taken in. */
static uint64_t sync_vector_offset(uint64_t pstate)
{
	switch (pstate & (PSR_MODE_MASK | PSR_AARCH32)) {
	case PSR_MODE_EL1t:
		return 0x000;
	case PSR_MODE_EL1h:
		return 0x200;
	default: /* EL0 (AArch32 EL0 is refused before it gets here) */
		return 0x400;
	}
}

void arm64_inject_abort(struct vcpu *vcpu, struct arch_regs *regs, bool data,
			uint64_t far)
{
	bool from_el0 = (regs->pstate & PSR_MODE_MASK) == PSR_MODE_EL0t;
	uint64_t ec = data ? (from_el0 ? EC_DABT_LOW : EC_DABT_CUR)
			   : (from_el0 ? EC_IABT_LOW : EC_IABT_CUR);
	uint64_t target = read_sysreg(vbar_el1) + sync_vector_offset(regs->pstate);

	/*
	 * With its MMU off the guest's vector address is guest-physical and can
	 * be checked: a guest without vectors would otherwise fault on the
	 * vector fetch, get another abort, and loop forever.
	 */
	if (!(read_sysreg(sctlr_el1) & SCTLR_EL1_M) &&
	    !vm_owns_gpa(vcpu->vm, target, 4)) {
		vm_crash(vcpu->vm, "vcpu %u: abort at pc 0x%llx cannot be "
			 "delivered: no vector table (VBAR_EL1 0x%llx)",
			 vcpu->id, (unsigned long long)regs->pc,
			 (unsigned long long)read_sysreg(vbar_el1));
		return;
	}
	write_sysreg(esr_el1, ec << ESR_EC_SHIFT | ESR_IL | DFSC_SYNC_EXTERNAL);
	write_sysreg(far_el1, far);
	write_sysreg(elr_el1, regs->pc);
	write_sysreg(spsr_el1, regs->pstate);
	regs->pstate = PSR_MODE_EL1h | PSR_DAIF;
	regs->pc = target;
}
