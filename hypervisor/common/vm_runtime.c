/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Post-launched VMs over their life, as the Service VM's hypercalls drive
 * it (doc/user-vms.rst): a slot of the scenario is created, given memory,
 * registers and request pages, started, paused and resumed, reset, and
 * destroyed; then it is empty again and can be created anew. Everything a
 * run took is given back on destroy: mappings and table pages, request
 * pages, interrupt state, handlers.
 *
 * The caller is a hypercall (the Service VM's vCPU, in its exit handler),
 * never a vCPU of the VM itself: its vCPUs are stopped through their own
 * pCPUs (vm_stop_vcpus) before anything they use changes.
 */
#include <arch.h>
#include <errno.h>
#include <lib/range.h>
#include <lib/string.h>
#include <pcpu.h>
#include <uapi/tessera_hypercall.h>
#include <vm.h>

#include "vm_internal.h"

#define ANY_STOPPED                                                            \
	(VM_STATES(VM_POWERED_OFF) | VM_STATES(VM_CRASHED) |                   \
	 VM_STATES(VM_RESET_REQUESTED))

static bool runtime(const struct vm *vm)
{
	return vm_has_cap(vm, VM_CAP_RUNTIME);
}

/* Undo vm_setup, its vCPUs stopped: nothing of the run stays mapped or
 * registered, and the slot answers as one never created. */
static void release(struct vm *vm)
{
	arch_vm_teardown(vm);
	if (vm->cfg->vuart_gpa)
		(void)io_unregister(&vm->io, IO_SPACE_MMIO, vm->cfg->vuart_gpa);
	vm->mem = (struct vm_mem_stats){0};
	vm->vcpu_count = 0;
}

int vm_create(unsigned id, unsigned vcpu_count, uint32_t completion_mode)
{
	struct vm *vm = vm_by_id(id);
	int ret;

	if (!vm)
		return -ENOENT;
	if (!runtime(vm))
		return -EPERM;
	if (!vcpu_count || vcpu_count > vm->cfg->vcpu_count ||
	    completion_mode > TESSERA_IO_COMPLETION_POLLING)
		return -EINVAL;
	if (!vm_change_state(vm, VM_STATES(VM_EMPTY), VM_CREATED))
		return -EBUSY;
	ret = vm_setup(vm, vcpu_count, completion_mode);
	if (ret < 0) {
		release(vm);
		__atomic_store_n(&vm->state, VM_EMPTY, __ATOMIC_RELEASE);
		return ret == -ENOSPC ? -ENOMEM : ret;
	}
	for (unsigned i = 0; i < vcpu_count; i++)
		vm->vcpus[i].boot_pc = 0;
	log_info("vm %s: created with %u vCPU(s), %s completion", vm_name(vm),
		 vcpu_count, completion_mode == TESSERA_IO_COMPLETION_POLLING
				      ? "polling" : "notify");
	return 0;
}

int vm_destroy(struct vm *vm)
{
	enum vm_state was;

	if (!runtime(vm))
		return -EPERM;
	spin_lock(&vm->lock);
	was = vm->state;
	if (was != VM_EMPTY && was != VM_RESETTING)
		__atomic_store_n(&vm->state, VM_RESETTING, __ATOMIC_RELEASE);
	spin_unlock(&vm->lock);
	if (was == VM_EMPTY)
		return -ENOENT;
	if (was == VM_RESETTING)
		return -EBUSY; /* another call is changing it right now */
	vm_stop_vcpus(vm);
	vm_log_summaries(vm);
	vm_log_life_summaries(vm);
	/* No vCPU runs or holds hardware state: everything may go. */
	io_vm_detach_request_pages(&vm->io);
	vuart_flush(&vm->vuart);
	log_info("vm %s: destroyed (%llu bytes were mapped)", vm_name(vm),
		 (unsigned long long)vm->mem.mapped_bytes);
	release(vm);
	__atomic_store_n(&vm->state, VM_EMPTY, __ATOMIC_RELEASE);
	return 0;
}

void vm_destroy_managed(const struct vm *manager)
{
	if (!vm_has_cap(manager, VM_CAP_MANAGE_VMS))
		return;
	for (unsigned id = 0; id < vm_count(); id++) {
		struct vm *vm = vm_by_id(id);

		if (!runtime(vm) || vm_get_state(vm) == VM_EMPTY)
			continue;
		log_warn("vm %s: destroyed with vm %s, whose memory it uses",
			 vm_name(vm), vm_name(manager));
		vm_destroy(vm);
	}
}

int vm_start(struct vm *vm)
{
	if (!runtime(vm))
		return -EPERM;
	/* Memory and an entry point in it first: else the first fetch faults. */
	if (!vm->mem.mapped_bytes || !vm_owns_gpa(vm, vm->vcpus[0].boot_pc, 4))
		return -EINVAL;
	if (!vm_change_state(vm, VM_STATES(VM_CREATED), VM_RESETTING))
		return -EINVAL;
	log_info("vm %s: started at 0x%llx", vm_name(vm),
		 (unsigned long long)vm->vcpus[0].boot_pc);
	vm_start_vcpus(vm);
	return 0;
}

/* On v's own pCPU: v stops at this exit and stays until resumed. */
static void pause_on_pcpu(void *arg)
{
	sched_block(arg, VCPU_BLOCK_PAUSED);
}

int vm_pause(struct vm *vm)
{
	if (!runtime(vm))
		return -EPERM;
	/* Busy (RESETTING) until every vCPU stopped: a resume or another
	 * change meanwhile is refused, not interleaved. */
	if (!vm_change_state(vm, VM_STATES(VM_RUNNING), VM_RESETTING))
		return -EINVAL;
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		pcpu_call(vm->vcpus[i].pcpu, pause_on_pcpu, &vm->vcpus[i]);
	__atomic_store_n(&vm->state, VM_PAUSED, __ATOMIC_RELEASE);
	return 0;
}

int vm_resume(struct vm *vm)
{
	if (!runtime(vm))
		return -EPERM;
	if (!vm_change_state(vm, VM_STATES(VM_PAUSED), VM_RESETTING))
		return -EINVAL;
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		sched_wake(&vm->vcpus[i], VCPU_BLOCK_PAUSED);
	__atomic_store_n(&vm->state, VM_RUNNING, __ATOMIC_RELEASE);
	return 0;
}

int vm_reset_by_dm(struct vm *vm)
{
	if (!runtime(vm))
		return -EPERM;
	if (!vm_change_state(vm, VM_LIVE | ANY_STOPPED | VM_STATES(VM_CREATED),
			     VM_RESETTING))
		return -EINVAL;
	vm_stop_vcpus(vm);
	vm_log_summaries(vm);
	vm_reset_state(vm);
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		vm->vcpus[i].boot_pc = 0;
		vm->vcpus[i].power = VCPU_POWER_OFF;
	}
	/* Memory and request pages stay: its device model reloads it. */
	if (log_ratelimit_allow(&vm->dm_reset_log))
		log_info("vm %s: reset by its device model", vm_name(vm));
	__atomic_store_n(&vm->state, VM_CREATED, __ATOMIC_RELEASE);
	return 0;
}

int vm_set_vcpu_regs(struct vm *vm, unsigned vcpu_id, uint64_t pc,
		     const uint64_t x[4])
{
	struct vcpu *v;

	if (!runtime(vm))
		return -EPERM;
	if (vcpu_id >= vm->vcpu_count)
		return -EINVAL;
	v = &vm->vcpus[vcpu_id];
	spin_lock(&vm->lock);
	if (vm->state != VM_CREATED) {
		spin_unlock(&vm->lock);
		return -EBUSY;
	}
	v->boot_pc = pc;
	memcpy(v->boot_arg, x, sizeof(v->boot_arg));
	spin_unlock(&vm->lock);
	return 0;
}

/* [gpa, gpa+size) may hold the VM's RAM: inside [ram base, + max_memory),
 * where its stage-2 table pool has room for every page. */
static bool in_ram_window(const struct vm *vm, uint64_t gpa, uint64_t size)
{
	return range_inside(gpa, size, vm->board->ram_base, vm->cfg->max_memory);
}

static int check_region(const struct vm *vm, const struct vm *sos,
			const struct tessera_mem_region *r)
{
	const uint32_t known = TESSERA_MEM_READ | TESSERA_MEM_WRITE |
			       TESSERA_MEM_EXEC;

	if (r->reserved || (r->flags & ~known) || !(r->flags & TESSERA_MEM_READ) ||
	    !r->size || !IS_ALIGNED(r->vm_gpa | r->sos_gpa | r->size, SZ_4K) ||
	    !in_ram_window(vm, r->vm_gpa, r->size))
		return -EINVAL;
	/* Only the Service VM's own RAM: never the hypervisor's or another
	 * VM's (those are not in its memory map at all). */
	if (!vm_owns_gpa(sos, r->sos_gpa, r->size))
		return -EFAULT;
	if (!arch_vm_range_unmapped(vm, r->vm_gpa, r->size))
		return -EEXIST;
	return 0;
}

static bool regions_overlap(const struct tessera_mem_region *a,
			    const struct tessera_mem_region *b)
{
	return a->vm_gpa < b->vm_gpa + b->size && b->vm_gpa < a->vm_gpa + a->size;
}

int vm_map_memory(struct vm *vm, const struct vm *sos,
		  const struct tessera_mem_region *r, unsigned count)
{
	uint64_t total = 0;
	int ret = 0;

	if (!runtime(vm))
		return -EPERM;
	/* Under the lock: no destroy or reset can pull the tables away. */
	spin_lock(&vm->lock);
	if (vm->state != VM_CREATED)
		ret = -EBUSY;
	for (unsigned i = 0; !ret && i < count; i++) {
		ret = check_region(vm, sos, &r[i]);
		for (unsigned k = 0; !ret && k < i; k++)
			if (regions_overlap(&r[i], &r[k]))
				ret = -EEXIST;
		total += r[i].size;
	}
	if (!ret && vm->mem.mapped_bytes + total > vm->cfg->max_memory)
		ret = -ENOMEM;
	/* Every region checked: the mappings below cannot fail (the window
	 * and the table pool fit max_memory page by page). What is mapped is
	 * the host-physical memory behind the Service VM's range, contiguous
	 * (checked), whose pointer is its address (EL2 maps RAM 1:1): the
	 * Service VM need not be identity-mapped. */
	for (unsigned i = 0; !ret && i < count; i++) {
		uint64_t hpa = (uint64_t)(uintptr_t)vm_gpa_to_hva(
			sos, r[i].sos_gpa, r[i].size);

		ret = arch_vm_map_ram(vm, r[i].vm_gpa, hpa, r[i].size,
				      r[i].flags);
		if (ret < 0) {
			log_err("vm %s: stage 2 mapping failed after its checks "
				"(error %d)", vm_name(vm), ret);
			break;
		}
		vm->mem.mapped_bytes += r[i].size;
		vm->mem.regions++;
	}
	spin_unlock(&vm->lock);
	return ret;
}

int vm_set_request_pages(struct vm *vm, const struct vm *sos, uint64_t gpa,
			 uint64_t nr)
{
	void *pages;
	int ret;

	if (!runtime(vm))
		return -EPERM;
	spin_lock(&vm->lock);
	if (vm->state == VM_EMPTY || vm->state == VM_RESETTING) {
		ret = -EINVAL;
	} else if (!IS_ALIGNED(gpa, TESSERA_IO_PAGE_SIZE) ||
		   nr != TESSERA_IO_PAGES_FOR(vm->vcpu_count)) {
		ret = -EINVAL;
	} else {
		pages = vm_gpa_to_hva(sos, gpa, nr * TESSERA_IO_PAGE_SIZE);
		ret = pages ? io_vm_attach_request_pages(&vm->io, pages,
							 (unsigned)nr)
			    : -EFAULT;
	}
	spin_unlock(&vm->lock);
	return ret;
}
