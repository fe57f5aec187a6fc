/* SPDX-License-Identifier: BSD-3-Clause */
#include <arch.h>
#include <arch_cpu.h>
#include <vm.h>

struct vcpu *vcpu_current(void)
{
	return vcpu_on_pcpu(cpu_id());
}

struct vcpu *vcpu_by_affinity(struct vm *vm, uint64_t mpidr)
{
	/* vCPU i has MPIDR.Aff0 == i and all higher affinity levels zero. */
	if (mpidr & ~0xffull || mpidr >= vm->vcpu_count)
		return NULL;
	return &vm->vcpus[mpidr];
}

enum vcpu_power vcpu_power_state(const struct vcpu *vcpu)
{
	return __atomic_load_n(&vcpu->power, __ATOMIC_ACQUIRE);
}

static bool may_enter(const struct vcpu *vcpu)
{
	return vm_get_state(vcpu->vm) == VM_RUNNING &&
	       vcpu_power_state(vcpu) == VCPU_ON_PENDING;
}

void vcpu_run_loop(struct vcpu *vcpu)
{
	__atomic_store_n(&vcpu->parked, true, __ATOMIC_RELEASE);
	cpu_wake_waiters(); /* a resetting vCPU may be waiting for this */
	while (!may_enter(vcpu))
		arch_pcpu_wait();
	__atomic_store_n(&vcpu->power, VCPU_ON, __ATOMIC_RELEASE);
	__atomic_store_n(&vcpu->parked, false, __ATOMIC_RELEASE);
	arch_vcpu_reset(vcpu, vcpu->boot_pc, vcpu->boot_arg);
	arch_vcpu_enter(vcpu);
}

void vcpu_check_requests(struct vcpu *vcpu)
{
	if (vm_get_state(vcpu->vm) != VM_RUNNING ||
	    vcpu_power_state(vcpu) != VCPU_ON)
		vcpu_run_loop(vcpu); /* does not return: re-enters fresh */
}

int vcpu_power_on(struct vcpu *target, uint64_t pc, uint64_t arg)
{
	struct vm *vm = target->vm;
	int ret = VCPU_ON_OK;

	spin_lock(&vm->lock);
	if (target->power == VCPU_ON) {
		ret = VCPU_ON_ALREADY;
	} else if (target->power == VCPU_ON_PENDING) {
		ret = VCPU_ON_PENDING_ALREADY;
	} else {
		target->boot_pc = pc;
		target->boot_arg = arg;
		__atomic_store_n(&target->power, VCPU_ON_PENDING,
				 __ATOMIC_RELEASE);
	}
	spin_unlock(&vm->lock);
	if (ret == VCPU_ON_OK)
		arch_pcpu_kick(target->pcpu);
	return ret;
}

void vcpu_power_off(struct vcpu *vcpu)
{
	__atomic_store_n(&vcpu->power, VCPU_OFF, __ATOMIC_RELEASE);
}
