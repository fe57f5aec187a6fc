/* SPDX-License-Identifier: BSD-3-Clause */
/* The vCPU thread, its requests and power control (vcpu.h). */
#include <arch.h>
#include <pcpu.h>
#include <vcpu.h>
#include <vm.h>

struct vcpu *vcpu_by_affinity(struct vm *vm, uint64_t mpidr)
{
	/* vCPU i has MPIDR.Aff0 == i and all higher affinity levels zero. */
	if (mpidr & ~0xffull || mpidr >= vm->vcpu_count)
		return NULL;
	return &vm->vcpus[mpidr];
}

enum vcpu_power vcpu_power_state(const struct vcpu *v)
{
	return __atomic_load_n(&v->power, __ATOMIC_ACQUIRE);
}

void vcpu_request(struct vcpu *v, uint32_t req)
{
	__atomic_fetch_or(&v->requests, req, __ATOMIC_SEQ_CST);
	pcpu_kick(v->pcpu);
}

void vcpu_kick(struct vcpu *v)
{
	/* Woken from WFI, or (running) made to exit and flush. */
	if (!sched_wake(v, VCPU_BLOCK_WFI))
		pcpu_kick(v->pcpu);
}

/* ---- power ---- */

int vcpu_power_on(struct vcpu *target, uint64_t pc, uint64_t arg)
{
	struct vm *vm = target->vm;
	int ret = VCPU_ON_OK;

	/* Serialised with the VM's state changes: a reset or a stop cannot
	 * slip in between the check and the power-on. */
	spin_lock(&vm->lock);
	if (vm->state != VM_RUNNING) {
		ret = VCPU_ON_RETRY;
	} else if (target->power == VCPU_POWER_ON) {
		ret = VCPU_ON_ALREADY;
	} else {
		/* Synchronous: from here on the target is on, and every other
		 * CPU_ON of it gets ALREADY_ON. */
		target->boot_pc = pc;
		target->boot_arg[0] = arg;
		target->boot_arg[1] = target->boot_arg[2] =
			target->boot_arg[3] = 0;
		__atomic_store_n(&target->power, VCPU_POWER_ON, __ATOMIC_RELEASE);
		__atomic_fetch_or(&target->requests, VCPU_REQ_RESET,
				  __ATOMIC_SEQ_CST);
	}
	spin_unlock(&vm->lock);
	if (ret == VCPU_ON_OK)
		sched_wake(target, VCPU_BLOCK_OFF);
	return ret;
}

void vcpu_power_off(struct vcpu *v)
{
	spin_lock(&v->vm->lock);
	__atomic_store_n(&v->power, VCPU_POWER_OFF, __ATOMIC_RELEASE);
	sched_block(v, VCPU_BLOCK_OFF);
	spin_unlock(&v->vm->lock);
}

/* ---- the thread ---- */

/* Start afresh at boot_pc: context, pending I/O and waits forgotten. */
static void vcpu_restart(struct vcpu *v)
{
	bool loaded = v->pcpu->loaded == v;

	if (loaded)
		pcpu_unload(v->pcpu);
	v->io.pending = false;
	sched_wake(v, VCPU_BLOCK_WFI | VCPU_BLOCK_IO);
	arch_vcpu_reset(v, v->boot_pc, v->boot_arg);
	if (loaded)
		pcpu_load(v->pcpu, v);
}

static void handle_requests(struct vcpu *v, uint32_t req)
{
	uint32_t again = 0;

	__atomic_fetch_and(&v->requests, ~req, __ATOMIC_ACQ_REL);
	/* VM-wide changes first: they may stop this vCPU too. */
	if ((req & VCPU_REQ_VM_OFF) && !vm_power_off(v->vm, "PSCI SYSTEM_OFF"))
		again |= VCPU_REQ_VM_OFF;
	if ((req & VCPU_REQ_VM_RESET) && !vm_reset(v->vm, "PSCI SYSTEM_RESET"))
		again |= VCPU_REQ_VM_RESET;
	if (again) {
		/* The VM is between two states (being paused, say): the guest's
		 * SYSTEM_OFF or SYSTEM_RESET is carried out once it is in one,
		 * never dropped (it does not return). A stop or restart
		 * meanwhile clears the requests. */
		__atomic_fetch_or(&v->requests, again | (req & VCPU_REQ_RESET),
				  __ATOMIC_SEQ_CST);
		return;
	}
	if ((req & VCPU_REQ_RESET) && sched_is_runnable(v))
		vcpu_restart(v);
	else if (req & VCPU_REQ_RESET) /* stopped meanwhile: keep it for later */
		__atomic_fetch_or(&v->requests, VCPU_REQ_RESET, __ATOMIC_SEQ_CST);
}

/* A pending access: complete it, or wait (block in notify mode, look again
 * in polling mode). True when the guest may run. */
static bool io_resume(struct vcpu *v)
{
	struct io_vm *io = vm_io(v->vm);
	enum io_result r = io_complete(io, v->id, &v->io.access);

	if (r == IO_PENDING && io_completes_by_notify(io)) {
		v->stats.io_waits++;
		sched_block(v, VCPU_BLOCK_IO);
		/* A notification may have come in before we blocked. */
		r = io_complete(io, v->id, &v->io.access);
		if (r != IO_PENDING)
			sched_wake(v, VCPU_BLOCK_IO);
	}
	if (r == IO_PENDING) {
		if (!io_completes_by_notify(io)) {
			v->stats.io_polls++;
			cpu_spin_wait(); /* polling: look again next turn */
		}
		return false;
	}
	v->io.pending = false;
	if (r == IO_DONE)
		arch_vcpu_io_done(v, &v->io.access);
	else if (r == IO_ABORT)
		arch_vcpu_io_abort(v, v->io.access.addr);
	/* CANCELLED: the VM is stopping; it goes no further */
	return r != IO_CANCELLED;
}

void vcpu_step(struct vcpu *v)
{
	uint32_t req = __atomic_load_n(&v->requests, __ATOMIC_ACQUIRE);

	if (req) {
		/* Back to the loop afterwards: a request may have stopped,
		 * unloaded or restarted this vCPU, or set new requests. */
		handle_requests(v, req);
		return;
	}
	if (v->io.pending && !io_resume(v))
		return;
	v->stats.exits++;
	arch_vcpu_run(v);
}

/* ---- what exit handlers call ---- */

void vcpu_data_access(struct vcpu *v, const struct io_access *a)
{
	v->io.access = *a;
	switch (io_emulate(vm_io(v->vm), v->id, &v->io.access)) {
	case IO_DONE:
		v->stats.io_emulated++;
		arch_vcpu_io_done(v, &v->io.access);
		break;
	case IO_ABORT:
		arch_vcpu_io_abort(v, a->addr);
		break;
	case IO_PENDING:
		/* Completed by a later vcpu_step(), from the saved access. */
		v->stats.io_forwarded++;
		v->io.pending = true;
		break;
	case IO_CANCELLED:
		break; /* the VM is stopping */
	}
}

void vcpu_wait_for_interrupt(struct vcpu *v)
{
	if (arch_vcpu_has_interrupt(v))
		return;
	v->stats.wfi_blocks++;
	sched_block(v, VCPU_BLOCK_WFI);
	/* An interrupt injected before the block would have found nothing to
	 * wake: look again. */
	if (arch_vcpu_has_interrupt(v))
		sched_wake(v, VCPU_BLOCK_WFI);
}

/* ---- hooks of the I/O core ---- */

void io_vcpu_wake(struct io_vm *io, unsigned vcpu_id)
{
	struct vm *vm = io->owner;

	if (vm && vcpu_id < vm->vcpu_count)
		sched_wake(&vm->vcpus[vcpu_id], VCPU_BLOCK_IO);
}
