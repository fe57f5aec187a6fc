/* SPDX-License-Identifier: BSD-3-Clause */
/* Synchronous traps from the guest, by exception class. */
#include <arch.h>
#include <arm64_trap.h>
#include <log.h>
#include <sysreg.h>
#include <vcpu.h>
#include <vgic.h>
#include <vm.h>

#define HVC_IMM(esr) ((esr) & 0xffff)
#define WFX_IS_WFE BIT(0)
#define EC_FP_ASIMD 0x07

/* ISS of a trapped system register access (EC 0x18). */
#define SYSREG_ISS_KEY(iss) ((iss) & 0x3ffc1eull)
#define SYSREG_KEY(op0, op1, crn, crm, op2)                                    \
	((uint64_t)(op0) << 20 | (uint64_t)(op2) << 17 | (uint64_t)(op1) << 14 | \
	 (uint64_t)(crn) << 10 | (uint64_t)(crm) << 1)
#define SYSREG_ICC_SGI1R SYSREG_KEY(3, 0, 12, 11, 5)
#define SYSREG_ICC_ASGI1R SYSREG_KEY(3, 0, 12, 11, 6)
#define SYSREG_ICC_SGI0R SYSREG_KEY(3, 0, 12, 11, 7)
#define SYSREG_IS_READ BIT(0)
#define SYSREG_RT(iss) (((iss) >> 5) & 31)

static void handle_iabt(struct vcpu *v, uint64_t esr)
{
	uint64_t far = read_sysreg(far_el2);

	(void)esr;
	if (log_ratelimit_allow(&v->vm->fault_log))
		log_warn("vm %s vcpu %u: instruction fetch from 0x%llx, "
			 "outside its memory: abort injected", vm_name(v->vm),
			 v->id, (unsigned long long)far);
	arm64_inject_abort(v, &v->arch.regs, false, far);
}

/* WFI blocks the vCPU until it has an interrupt or its timer is due; WFE
 * is a hint (the guest's spin loops), nothing to wait for. */
static void handle_wfx(struct vcpu *v, uint64_t esr)
{
	v->arch.regs.pc += 4;
	if (!(esr & WFX_IS_WFE))
		vcpu_wait_for_interrupt(v);
}

static void handle_sysreg(struct vcpu *v, uint64_t esr)
{
	struct arch_regs *regs = &v->arch.regs;
	uint64_t iss = ESR_ISS(esr);
	uint64_t key = SYSREG_ISS_KEY(iss);
	unsigned rt = (unsigned)SYSREG_RT(iss);
	uint64_t value = rt == 31 ? 0 : regs->x[rt];

	if (!(iss & SYSREG_IS_READ) &&
	    (key == SYSREG_ICC_SGI1R || key == SYSREG_ICC_ASGI1R)) {
		vgic_inject_sgi(&v->vm->arch.vgic, v->id, value);
	} else if (!(iss & SYSREG_IS_READ) && key == SYSREG_ICC_SGI0R) {
		/* Group 0 does not exist for guests: the SGI goes nowhere. */
	} else {
		vm_crash(v->vm, "vcpu %u: unsupported system register "
			 "access, ISS 0x%llx at pc 0x%llx", v->id,
			 (unsigned long long)iss, (unsigned long long)regs->pc);
		return;
	}
	regs->pc += 4;
}

static void handle_hvc(struct vcpu *v, uint64_t esr)
{
	if (HVC_IMM(esr) == 0)
		arm64_handle_smccc(v, &v->arch.regs);
	else
		v->arch.regs.x[0] = (uint64_t)-1; /* not an SMCCC call */
}

static void handle_smc(struct vcpu *v, uint64_t esr)
{
	(void)esr;
	v->arch.regs.pc += 4; /* a trapped SMC returns to itself */
	arm64_handle_smccc(v, &v->arch.regs);
}

static void handle_fp(struct vcpu *v, uint64_t esr)
{
	(void)esr;
	arm64_fp_trap(v);
}

static void handle_unknown(struct vcpu *v, uint64_t esr)
{
	vm_crash(v->vm, "vcpu %u: unsupported trap, EC 0x%llx ISS 0x%llx at "
		 "pc 0x%llx", v->id, (unsigned long long)ESR_EC(esr),
		 (unsigned long long)ESR_ISS(esr),
		 (unsigned long long)v->arch.regs.pc);
}

typedef void (*trap_fn)(struct vcpu *v, uint64_t esr);

/* By ESR_EL2.EC; unset entries are unsupported. */
static const trap_fn trap_handlers[64] = {
	[EC_WFX] = handle_wfx,
	[EC_FP_ASIMD] = handle_fp,
	[EC_HVC64] = handle_hvc,
	[EC_SMC64] = handle_smc,
	[EC_SYSREG] = handle_sysreg,
	[EC_IABT_LOW] = handle_iabt,
	[EC_DABT_LOW] = arm64_handle_dabt,
};

void arm64_trap_sync(struct vcpu *v)
{
	uint64_t esr = read_sysreg(esr_el2);
	trap_fn fn = trap_handlers[ESR_EC(esr)];

	(fn ? fn : handle_unknown)(v, esr);
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
