/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PSCI 1.1 for guests. CPU_ON is synchronous, as in KVM: once it returned
 * SUCCESS the target is on (AFFINITY_INFO says ON), every other CPU_ON of
 * it gets ALREADY_ON, and the target starts at the given entry when its
 * pCPU next runs it. VM-wide calls (SYSTEM_OFF, SYSTEM_RESET) become
 * requests the vCPU thread acts on before it would enter the guest again.
 */
#include <arm64_trap.h>
#include <smccc.h>
#include <vm.h>

/*
 * A CPU_ON that meets its VM in a state change (a pause, a reset, a stop)
 * has no answer PSCI allows: the call is made again when the caller next
 * runs (after a resume; after a reset or a stop it never does).
 */
static int64_t psci_cpu_on(struct vcpu *v, struct arch_regs *regs,
			   uint64_t mpidr, uint64_t pc, uint64_t arg)
{
	struct vcpu *target = vcpu_by_affinity(v->vm, mpidr);

	if (!target)
		return PSCI_INVALID_PARAMETERS;
	if (!vm_owns_gpa(v->vm, pc, 4))
		return PSCI_INVALID_PARAMETERS; /* entry must be guest RAM */
	switch (vcpu_power_on(target, pc, arg)) {
	case VCPU_ON_ALREADY:
		return PSCI_ALREADY_ON;
	case VCPU_ON_RETRY:
		regs->pc -= 4; /* back to the HVC or SMC, x0 as it was */
		return (int64_t)regs->x[0];
	default:
		return PSCI_SUCCESS;
	}
}

static int64_t psci_affinity_info(struct vcpu *v, uint64_t mpidr,
				  uint64_t level)
{
	struct vcpu *target = vcpu_by_affinity(v->vm, mpidr);

	if (!target || level != 0)
		return PSCI_INVALID_PARAMETERS;
	return vcpu_power_state(target) == VCPU_POWER_ON ? PSCI_AFFINITY_ON
							  : PSCI_AFFINITY_OFF;
}

static int64_t psci_features(uint32_t fn)
{
	switch (fn & ~SMCCC_64BIT) {
	case PSCI_VERSION:
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_OFF:
	case PSCI_CPU_ON:
	case PSCI_AFFINITY_INFO:
	case PSCI_MIGRATE_INFO_TYPE:
	case PSCI_SYSTEM_OFF:
	case PSCI_SYSTEM_RESET:
	case PSCI_FEATURES:
	case SMCCC_VERSION:
		return PSCI_SUCCESS;
	default:
		return PSCI_NOT_SUPPORTED;
	}
}

/* 32-bit calling convention: arguments are the low 32 bits. */
static uint64_t arg(const struct arch_regs *regs, unsigned i, uint32_t fn)
{
	return fn & SMCCC_64BIT ? regs->x[i] : (uint32_t)regs->x[i];
}

int64_t arm64_psci(struct vcpu *v, struct arch_regs *regs, uint32_t fn)
{
	switch (fn) {
	case PSCI_VERSION:
		return PSCI_VERSION_1_1;
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_SUSPEND | SMCCC_64BIT:
		/* Standby, as a WFI: back on the next interrupt. */
		vcpu_wait_for_interrupt(v);
		return PSCI_SUCCESS;
	case PSCI_CPU_OFF:
		vcpu_power_off(v);
		return PSCI_SUCCESS; /* never seen: a CPU_ON restarts it afresh */
	case PSCI_CPU_ON:
	case PSCI_CPU_ON | SMCCC_64BIT:
		return psci_cpu_on(v, regs, arg(regs, 1, fn), arg(regs, 2, fn),
				   arg(regs, 3, fn));
	case PSCI_AFFINITY_INFO:
	case PSCI_AFFINITY_INFO | SMCCC_64BIT:
		return psci_affinity_info(v, arg(regs, 1, fn), arg(regs, 2, fn));
	case PSCI_MIGRATE_INFO_TYPE:
		return PSCI_MIGRATE_NONE;
	case PSCI_SYSTEM_OFF:
		vcpu_request(v, VCPU_REQ_VM_OFF);
		return PSCI_SUCCESS;
	case PSCI_SYSTEM_RESET:
		vcpu_request(v, VCPU_REQ_VM_RESET);
		return PSCI_SUCCESS;
	case PSCI_FEATURES:
		return psci_features((uint32_t)regs->x[1]);
	default:
		return PSCI_NOT_SUPPORTED;
	}
}
