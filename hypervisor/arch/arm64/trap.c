/* SPDX-License-Identifier: BSD-3-Clause */
/* Traps from the guest, by exception class. */
#include <arch.h>
#include <arm64_irq.h>
#include <arm64_trap.h>
#include <gicv3.h>
#include <log.h>
#include <sysreg.h>
#include <vgic.h>
#include <vm.h>

#define HVC_IMM(esr) ((esr) & 0xffff)
#define WFX_IS_WFE BIT(0)

static void handle_iabt(struct vcpu *vcpu, struct arch_regs *regs)
{
	uint64_t far = read_sysreg(far_el2);

	if (log_ratelimit_allow(&vcpu->vm->fault_log))
		log_warn("vm %s vcpu %u: instruction fetch from 0x%llx, "
			 "outside its memory: abort injected", vm_name(vcpu->vm),
			 vcpu->id, (unsigned long long)far);
	arm64_inject_abort(vcpu, regs, false, far);
}

/* ISS of a trapped system register access (EC 0x18). */
#define SYSREG_ISS_KEY(iss) ((iss) & 0x3ffc1eull)
#define SYSREG_KEY(op0, op1, crn, crm, op2)                                    \
	((uint64_t)(op0) << 20 | (uint64_t)(op2) << 17 | (uint64_t)(op1) << 14 | \
	 (uint64_t)(crn) << 10 | (uint64_t)(crm) << 1)
#define SYSREG_ICC_SGI1R SYSREG_KEY(3, 0, 12, 11, 5)
#define SYSREG_ICC_ASGI1R SYSREG_KEY(3, 1, 12, 11, 6)
#define SYSREG_ICC_SGI0R SYSREG_KEY(3, 2, 12, 11, 7)
#define SYSREG_IS_READ BIT(0)
#define SYSREG_RT(iss) (((iss) >> 5) & 31)

/* A trapped WFI waits here until the vCPU has an interrupt to take. */
static void handle_wfx(struct vcpu *vcpu, struct arch_regs *regs,
		       uint64_t esr)
{
	if (!(esr & WFX_IS_WFE))
		while (!arm64_vgic_has_pending(vcpu) &&
		       vm_get_state(vcpu->vm) == VM_RUNNING &&
		       vcpu_power_state(vcpu) == VCPU_ON)
			arch_pcpu_wait();
	regs->pc += 4;
}

static void handle_sysreg(struct vcpu *vcpu, struct arch_regs *regs,
			  uint64_t esr)
{
	uint64_t iss = ESR_ISS(esr);
	uint64_t key = SYSREG_ISS_KEY(iss);
	unsigned rt = (unsigned)SYSREG_RT(iss);
	uint64_t value = rt == 31 ? 0 : regs->x[rt];

	if (!(iss & SYSREG_IS_READ) &&
	    (key == SYSREG_ICC_SGI1R || key == SYSREG_ICC_ASGI1R)) {
		vgic_inject_sgi(&vcpu->vm->arch.vgic, vcpu->id, value);
	} else if (!(iss & SYSREG_IS_READ) && key == SYSREG_ICC_SGI0R) {
		/* Group 0 does not exist for guests: the SGI goes nowhere. */
	} else {
		vm_crash(vcpu->vm, "vcpu %u: unsupported system register "
			 "access, ISS 0x%llx at pc 0x%llx", vcpu->id,
			 (unsigned long long)iss, (unsigned long long)regs->pc);
		return;
	}
	regs->pc += 4;
}

void arm64_trap_sync(struct arch_regs *regs)
{
	struct vcpu *vcpu = vcpu_current();
	uint64_t esr = read_sysreg(esr_el2);

	arm64_vgic_exit(vcpu);
	switch (ESR_EC(esr)) {
	case EC_DABT_LOW:
		arm64_handle_dabt(vcpu, regs, esr);
		break;
	case EC_IABT_LOW:
		handle_iabt(vcpu, regs);
		break;
	case EC_HVC64:
		if (HVC_IMM(esr) == 0)
			arm64_handle_smccc(vcpu, regs);
		else
			regs->x[0] = (uint64_t)-1; /* not an SMCCC call */
		break;
	case EC_SMC64:
		regs->pc += 4; /* a trapped SMC returns to itself */
		arm64_handle_smccc(vcpu, regs);
		break;
	case EC_WFX:
		handle_wfx(vcpu, regs, esr);
		break;
	case EC_SYSREG:
		handle_sysreg(vcpu, regs, esr);
		break;
	default:
		vm_crash(vcpu->vm, "vcpu %u: unsupported trap, EC 0x%llx ISS "
			 "0x%llx at pc 0x%llx", vcpu->id,
			 (unsigned long long)ESR_EC(esr),
			 (unsigned long long)ESR_ISS(esr),
			 (unsigned long long)regs->pc);
		break;
	}
	vcpu_check_requests(vcpu);
	arm64_vgic_enter(vcpu);
}

void arm64_trap_irq(struct arch_regs *regs)
{
	struct vcpu *vcpu = vcpu_current();

	(void)regs;
	arm64_vgic_exit(vcpu);
	arm64_handle_irqs();
	vcpu_check_requests(vcpu);
	arm64_vgic_enter(vcpu);
}

void arm64_trap_fiq(struct arch_regs *regs)
{
	arm64_trap_irq(regs);
}

void arm64_trap_serror(struct arch_regs *regs)
{
	struct vcpu *vcpu = vcpu_current();

	vm_crash(vcpu->vm, "vcpu %u: SError, ESR 0x%llx at pc 0x%llx", vcpu->id,
		 (unsigned long long)read_sysreg(esr_el2),
		 (unsigned long long)regs->pc);
	vcpu_check_requests(vcpu);
}

void arm64_trap_aarch32(struct arch_regs *regs)
{
	struct vcpu *vcpu = vcpu_current();

	vm_crash(vcpu->vm, "vcpu %u: AArch32 execution is not supported "
		 "(pc 0x%llx)", vcpu->id, (unsigned long long)regs->pc);
	vcpu_check_requests(vcpu);
}

void arm64_hyp_exception(uint64_t kind, uint64_t sp)
{
	hv_panic("exception %llu at EL2: ESR 0x%llx ELR 0x%llx FAR 0x%llx "
		 "SP 0x%llx", (unsigned long long)kind,
		 (unsigned long long)read_sysreg(esr_el2),
		 (unsigned long long)read_sysreg(elr_el2),
		 (unsigned long long)read_sysreg(far_el2),
		 (unsigned long long)sp);
}
