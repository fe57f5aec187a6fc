/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SMCCC calls from a guest (through HVC or SMC): PSCI 1.1, SMCCC 1.1, and
 * Tessera's own hypercalls (owner 6), passed to common code.
 */
#include <arch.h>
#include <arm64_trap.h>
#include <hypercall.h>
#include <log.h>
#include <smccc.h>
#include <vm.h>

#define SMCCC_VERSION_1_1 0x10001u

static int64_t psci_cpu_on(struct vcpu *vcpu, uint64_t mpidr, uint64_t pc,
			   uint64_t arg)
{
	struct vcpu *target = vcpu_by_affinity(vcpu->vm, mpidr);

	if (!target)
		return PSCI_INVALID_PARAMETERS;
	if (!vm_owns_gpa(vcpu->vm, pc, 4))
		return PSCI_INVALID_PARAMETERS; /* entry must be guest RAM */
	switch (vcpu_power_on(target, pc, arg)) {
	case VCPU_ON_ALREADY:
		return PSCI_ALREADY_ON;
	case VCPU_ON_PENDING_ALREADY:
		return PSCI_ON_PENDING;
	default:
		return PSCI_SUCCESS;
	}
}

static int64_t psci_affinity_info(struct vcpu *vcpu, uint64_t mpidr,
				  uint64_t level)
{
	struct vcpu *target = vcpu_by_affinity(vcpu->vm, mpidr);

	if (!target || level != 0)
		return PSCI_INVALID_PARAMETERS;
	switch (vcpu_power_state(target)) {
	case VCPU_ON:
		return PSCI_AFFINITY_ON;
	case VCPU_ON_PENDING:
		return PSCI_AFFINITY_ON_PENDING;
	default:
		return PSCI_AFFINITY_OFF;
	}
}

static bool psci_implemented(uint32_t fn)
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
		return true;
	default:
		return false;
	}
}

/* 32-bit calling convention: arguments are the low 32 bits. */
static uint64_t arg(const struct arch_regs *regs, unsigned i, uint32_t fn)
{
	return fn & SMCCC_64BIT ? regs->x[i] : (uint32_t)regs->x[i];
}

void arm64_handle_smccc(struct vcpu *vcpu, struct arch_regs *regs)
{
	uint32_t fn = (uint32_t)regs->x[0];
	int64_t ret;

	switch (fn) {
	case SMCCC_VERSION:
		ret = SMCCC_VERSION_1_1;
		break;
	case PSCI_VERSION:
		ret = PSCI_VERSION_1_1;
		break;
	case PSCI_CPU_SUSPEND:
	case PSCI_CPU_SUSPEND | SMCCC_64BIT:
		arch_pcpu_wait(); /* standby: return on the next interrupt */
		ret = PSCI_SUCCESS;
		break;
	case PSCI_CPU_OFF:
		vcpu_power_off(vcpu);
		ret = PSCI_SUCCESS; /* never seen: the vCPU parks on return */
		break;
	case PSCI_CPU_ON:
	case PSCI_CPU_ON | SMCCC_64BIT:
		ret = psci_cpu_on(vcpu, arg(regs, 1, fn), arg(regs, 2, fn),
				  arg(regs, 3, fn));
		break;
	case PSCI_AFFINITY_INFO:
	case PSCI_AFFINITY_INFO | SMCCC_64BIT:
		ret = psci_affinity_info(vcpu, arg(regs, 1, fn),
					 arg(regs, 2, fn));
		break;
	case PSCI_MIGRATE_INFO_TYPE:
		ret = PSCI_MIGRATE_NONE;
		break;
	case PSCI_SYSTEM_OFF:
		vm_power_off(vcpu->vm, "PSCI SYSTEM_OFF");
		ret = PSCI_SUCCESS;
		break;
	case PSCI_SYSTEM_RESET:
		vm_reset(vcpu->vm, "PSCI SYSTEM_RESET");
		ret = PSCI_SUCCESS;
		break;
	case PSCI_FEATURES:
		ret = psci_implemented((uint32_t)regs->x[1]) ? PSCI_SUCCESS
							    : PSCI_NOT_SUPPORTED;
		break;
	default:
		if (hypercall_is_tessera(fn)) {
			const uint64_t args[HYPERCALL_ARGS] = {
				regs->x[1], regs->x[2], regs->x[3], regs->x[4]};

			ret = hypercall_dispatch(vcpu, fn, args);
		} else {
			ret = SMCCC_NOT_SUPPORTED;
		}
		break;
	}
	regs->x[0] = (uint64_t)ret;
}
