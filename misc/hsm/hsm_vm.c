// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera HSM: a VM's life (create, start, pause, resume, reset, destroy),
 * its memory (pinned user pages handed to the hypervisor as regions), its
 * vCPU registers, interrupt lines and the information calls.
 *
 * Every argument comes from an untrusted device model: it is copied once,
 * checked whole (sizes, alignment, reserved fields, ids), and only then
 * used. Structures for the hypervisor live in kmalloc'd or page memory,
 * never on the stack or in vmalloc space, since it is handed their
 * guest-physical address.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/delay.h>
#include <linux/mm.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "hsm.h"

/* Pages pinned per pin_user_pages_fast() call (then signals are checked). */
#define HSM_PIN_BATCH 512

void hsm_vm_init(struct hsm_vm *vm)
{
	init_rwsem(&vm->sem);
	mutex_init(&vm->map_lock);
	spin_lock_init(&vm->ioreq_lock);
	INIT_LIST_HEAD(&vm->node);
	INIT_LIST_HEAD(&vm->mem);
	vm->state = HSM_VM_NONE;
}

/*
 * TESSERA_HC_VM_DESTROY cancels the VM's requests and returns once no vCPU
 * uses its request pages or memory. Retried for a while if the hypervisor
 * is busy.
 */
static long hsm_hc_destroy(u32 vm_id)
{
	long ret;
	int tries;

	for (tries = 0; tries < 100; tries++) {
		ret = hsm_hvc(TESSERA_HC_VM_DESTROY, vm_id, 0, 0);
		if (ret != -EBUSY && ret != -EAGAIN)
			break;
		msleep(10);
	}
	return ret;
}

/* Drop the locked_vm charge of pinned pages, if their mm still exists. */
static void hsm_unaccount(struct mm_struct *mm, unsigned long nr_pages)
{
	if (mmget_not_zero(mm)) {
		account_locked_vm(mm, nr_pages, false);
		mmput_async(mm);
	}
}

/*
 * Unpin (unless the hypervisor may still use the pages) and free one
 * SET_MEMORY call's pages: the first nr_pinned of them are pinned.
 */
static void hsm_mem_free(struct hsm_mem *mem, unsigned long nr_pinned,
			 bool unpin, bool dirty)
{
	if (unpin && nr_pinned)
		unpin_user_pages_dirty_lock(mem->pages, nr_pinned, dirty);
	hsm_unaccount(mem->mm, mem->nr_pages);
	mmdrop(mem->mm);
	kvfree(mem->pages);
	kfree(mem);
}

/*
 * Forget everything this file holds for its VM, after destroying it in the
 * hypervisor. If the hypervisor refused, it may still use the request pages
 * and the memory: they are then left allocated and pinned for good (a leak,
 * logged) rather than given back to the Service VM. Caller holds sem for
 * writing. Returns the hypercall's result.
 */
static long __hsm_vm_teardown(struct hsm_vm *vm)
{
	struct hsm_req_area *area;
	struct hsm_mem *mem, *tmp;
	bool leak;
	long ret;

	if (vm->listed) {
		mutex_lock(&hsm_vms_lock);
		list_del_init(&vm->node);
		vm->listed = false;
		mutex_unlock(&hsm_vms_lock);
	}

	ret = hsm_hc_destroy(vm->vm_id);
	leak = ret < 0;
	if (leak)
		pr_err("VM %u '%s': TESSERA_HC_VM_DESTROY failed (%ld): leaving its request pages and %llu bytes of memory pinned\n",
		       vm->vm_id, vm->name, ret, vm->pinned_bytes);
	else
		pr_debug("VM %u '%s' destroyed\n", vm->vm_id, vm->name);

	/* Wakes the waiters; they return -ENOENT. */
	hsm_clients_destroy_all(vm);
	hsm_requests_forget(vm);

	mutex_lock(&vm->map_lock);
	area = vm->area;
	vm->area = NULL;
	vm->slots = NULL;
	vm->nr_req_pages = 0;
	mutex_unlock(&vm->map_lock);
	/* Pages still mapped in user space live on until munmap. */
	if (area && !leak)
		hsm_req_area_put(area);

	list_for_each_entry_safe(mem, tmp, &vm->mem, node) {
		list_del(&mem->node);
		/* The guest wrote them behind the Service VM's page tables. */
		hsm_mem_free(mem, mem->nr_pages, !leak, true);
	}
	vm->pinned_bytes = 0;
	vm->state = HSM_VM_NONE;
	return ret;
}

void hsm_vm_teardown(struct hsm_vm *vm)
{
	__hsm_vm_teardown(vm);
}

/* ---- TESSERA_HSM_CREATE_VM ------------------------------------------------ */

static bool hsm_name_ok(const char *name, size_t len)
{
	size_t i;

	if (len == 0 || len >= TESSERA_VM_NAME_MAX)
		return false;
	for (i = 0; i < len; i++)
		if (name[i] < 0x21 || name[i] > 0x7e)
			return false;
	return true;
}

static bool hsm_vm_id_in_use(u32 vm_id)
{
	struct hsm_vm *other;
	bool used = false;

	mutex_lock(&hsm_vms_lock);
	list_for_each_entry(other, &hsm_vms, node)
		used |= other->vm_id == vm_id;
	mutex_unlock(&hsm_vms_lock);
	return used;
}

long hsm_vm_create(struct hsm_vm *vm, void __user *arg)
{
	const u32 modes = TESSERA_VM_CREATE_NOTIFY | TESSERA_VM_CREATE_POLLING;
	struct tessera_hsm_create_vm req;
	struct tessera_vm_create *hc = NULL;
	struct tessera_vm_info *info = NULL;
	struct hsm_req_area *area = NULL;
	unsigned int nr;
	size_t len;
	long id = -1, ret;

	if (copy_from_user(&req, arg, sizeof(req)))
		return -EFAULT;
	if (memchr_inv(req.reserved, 0, sizeof(req.reserved)))
		return -EINVAL;
	len = strnlen(req.name, sizeof(req.name));
	if (!hsm_name_ok(req.name, len))
		return -EINVAL;
	if (req.vcpu_count == 0 || req.vcpu_count > HSM_MAX_VCPUS)
		return -EINVAL;
	if ((req.flags & ~modes) || (req.flags & modes) == modes)
		return -EINVAL;

	down_write(&vm->sem);
	ret = -EEXIST;
	if (vm->state != HSM_VM_NONE)
		goto out_unlock;

	ret = -ENOMEM;
	hc = kzalloc(sizeof(*hc), GFP_KERNEL);
	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!hc || !info)
		goto out_free;
	memcpy(hc->name, req.name, len);
	hc->vcpu_count = req.vcpu_count;
	hc->flags = req.flags;

	id = hsm_hvc(TESSERA_HC_VM_CREATE, virt_to_phys(hc), 0, 0);
	if (id < 0) {
		ret = id;
		goto out_free;
	}
	ret = -EIO;
	if (hsm_vm_id_in_use(id)) {
		/* A hypervisor bug: destroying it would hit another file's VM. */
		pr_err("TESSERA_HC_VM_CREATE('%s') returned VM id %ld, which another file has\n",
		       hc->name, id);
		goto out_free;
	}
	if (id > HSM_MAX_VM_ID) {
		/* TESSERA_HC_VM_EVENTS could not report it. */
		pr_err("TESSERA_HC_VM_CREATE('%s') returned VM id %ld, above %u\n",
		       hc->name, id, HSM_MAX_VM_ID);
		goto out_destroy;
	}

	nr = TESSERA_IO_PAGES_FOR(req.vcpu_count);
	ret = -ENOMEM;
	area = hsm_req_area_alloc(nr);
	if (!area)
		goto out_destroy;
	ret = hsm_hvc(TESSERA_HC_SET_REQUEST_PAGES, id, virt_to_phys(area->va), nr);
	if (ret < 0)
		goto out_destroy;
	ret = hsm_hvc(TESSERA_HC_VM_INFO, id, virt_to_phys(info), 0);
	if (ret < 0)
		goto out_destroy;
	if (info->vm_id != id || info->vcpu_count != req.vcpu_count ||
	    info->completion_mode > TESSERA_IO_COMPLETION_POLLING) {
		pr_err("VM %ld: TESSERA_HC_VM_INFO disagrees (id %u, %u vCPUs, mode %u)\n",
		       id, info->vm_id, info->vcpu_count, info->completion_mode);
		ret = -EIO;
		goto out_destroy;
	}

	req.vm_id = id;
	req.completion_mode = info->completion_mode;
	req.nr_request_pages = nr;
	if (copy_to_user(arg, &req, sizeof(req))) {
		ret = -EFAULT;
		goto out_destroy;
	}

	vm->vm_id = id;
	vm->vcpu_count = req.vcpu_count;
	vm->completion_mode = info->completion_mode;
	vm->spi_count = info->spi_count;
	vm->max_memory = info->max_memory;
	memcpy(vm->name, hc->name, sizeof(vm->name));
	vm->name[sizeof(vm->name) - 1] = '\0';
	mutex_lock(&vm->map_lock);
	vm->area = area;
	vm->slots = area->va;
	vm->nr_req_pages = nr;
	mutex_unlock(&vm->map_lock);
	vm->state = HSM_VM_CREATED;

	mutex_lock(&hsm_vms_lock);
	list_add_tail(&vm->node, &hsm_vms);
	vm->listed = true;
	mutex_unlock(&hsm_vms_lock);

	pr_debug("VM %u '%s' created: %u vCPUs, %s completion\n", vm->vm_id,
		 vm->name, vm->vcpu_count,
		 vm->completion_mode ? "polling" : "notify");
	ret = 0;
	goto out_free;

out_destroy:
	if (hsm_hc_destroy(id) < 0) {
		pr_err("VM %ld: TESSERA_HC_VM_DESTROY failed while undoing its creation: leaking its request pages\n",
		       id);
		area = NULL;
	}
	if (area)
		hsm_req_area_put(area);
out_free:
	kfree(hc);
	kfree(info);
out_unlock:
	up_write(&vm->sem);
	return ret;
}

/* ---- START, PAUSE, RESUME, RESET, DESTROY --------------------------------- */

long hsm_vm_lifecycle(struct hsm_vm *vm, unsigned int cmd)
{
	long ret;

	down_write(&vm->sem);
	ret = -ENXIO;
	if (vm->state == HSM_VM_NONE)
		goto out;

	switch (cmd) {
	case TESSERA_HSM_START_VM:
		ret = -EBUSY;
		if (vm->state == HSM_VM_STARTED)
			break;
		ret = -EINVAL;
		if (list_empty(&vm->mem))
			break;
		ret = hsm_hvc(TESSERA_HC_VM_START, vm->vm_id, 0, 0);
		if (ret >= 0)
			vm->state = HSM_VM_STARTED;
		break;
	case TESSERA_HSM_PAUSE_VM:
	case TESSERA_HSM_RESUME_VM:
		ret = -EINVAL;
		if (vm->state != HSM_VM_STARTED)
			break;
		ret = hsm_hvc(cmd == TESSERA_HSM_PAUSE_VM ? TESSERA_HC_VM_PAUSE :
			      TESSERA_HC_VM_RESUME, vm->vm_id, 0, 0);
		break;
	case TESSERA_HSM_RESET_VM:
		ret = hsm_hvc(TESSERA_HC_VM_RESET, vm->vm_id, 0, 0);
		if (ret >= 0) {
			/* Every slot is FREE again: handed-out requests are void. */
			hsm_requests_forget(vm);
			vm->state = HSM_VM_CREATED;
		}
		break;
	case TESSERA_HSM_DESTROY_VM:
		ret = __hsm_vm_teardown(vm);
		break;
	}
out:
	up_write(&vm->sem);
	return ret < 0 ? ret : 0;
}

/* ---- TESSERA_HSM_SET_MEMORY ----------------------------------------------- */

/*
 * Hand the pinned pages to the hypervisor as runs of physically contiguous
 * pages, up to TESSERA_MEM_REGIONS_MAX per call from one kernel page.
 * *mapped says whether a call succeeded (the VM maps part of the pages).
 */
static long hsm_map_regions(struct hsm_vm *vm, const struct tessera_hsm_memory *m,
			    const struct hsm_mem *mem, bool *mapped)
{
	struct tessera_mem_region *list;
	unsigned long i = 0, j;
	unsigned int n = 0;
	phys_addr_t start;
	long ret = 0;

	list = (struct tessera_mem_region *)get_zeroed_page(GFP_KERNEL);
	if (!list)
		return -ENOMEM;
	*mapped = false;
	while (i < mem->nr_pages) {
		start = page_to_phys(mem->pages[i]);
		for (j = i + 1; j < mem->nr_pages; j++)
			if (page_to_phys(mem->pages[j]) != start + (j - i) * PAGE_SIZE)
				break;
		list[n].vm_gpa = m->vm_gpa + i * PAGE_SIZE;
		list[n].sos_gpa = start;
		list[n].size = (u64)(j - i) * PAGE_SIZE;
		list[n].flags = m->flags;
		list[n].reserved = 0;
		n++;
		i = j;
		if (n < TESSERA_MEM_REGIONS_MAX && i < mem->nr_pages)
			continue;
		ret = hsm_hvc(TESSERA_HC_SET_MEMORY_REGIONS, vm->vm_id,
			      virt_to_phys(list), n);
		if (ret < 0)
			break;
		*mapped = true;
		n = 0;
		cond_resched();
	}
	free_page((unsigned long)list);
	return ret < 0 ? ret : 0;
}

long hsm_vm_set_memory(struct hsm_vm *vm, void __user *arg)
{
	const u32 flags = TESSERA_MEM_READ | TESSERA_MEM_WRITE | TESSERA_MEM_EXEC;
	struct tessera_hsm_memory m;
	unsigned long nr_pages, done = 0;
	struct hsm_mem *mem;
	bool mapped = false;
	long ret;

	if (copy_from_user(&m, arg, sizeof(m)))
		return -EFAULT;
	if (m.reserved || (m.flags & ~flags) || !(m.flags & TESSERA_MEM_READ))
		return -EINVAL;
	if (!m.size || !PAGE_ALIGNED(m.size) || !PAGE_ALIGNED(m.user_addr) ||
	    !PAGE_ALIGNED(m.vm_gpa))
		return -EINVAL;
	if (m.user_addr + m.size < m.user_addr || m.vm_gpa + (m.size - 1) < m.vm_gpa)
		return -EINVAL;
	if (!access_ok(u64_to_user_ptr(m.user_addr), m.size))
		return -EFAULT;
	nr_pages = m.size >> PAGE_SHIFT;

	down_write(&vm->sem);
	ret = -ENXIO;
	if (vm->state == HSM_VM_NONE)
		goto out_unlock;
	ret = -EBUSY;
	if (vm->state == HSM_VM_STARTED)
		goto out_unlock;
	/* The scenario's limit: refuse before pinning gigabytes for nothing. */
	ret = -ENOSPC;
	if (vm->max_memory && m.size > vm->max_memory - min(vm->pinned_bytes, vm->max_memory))
		goto out_unlock;

	ret = -ENOMEM;
	mem = kzalloc(sizeof(*mem), GFP_KERNEL);
	if (!mem)
		goto out_unlock;
	mem->vm_gpa = m.vm_gpa;
	mem->nr_pages = nr_pages;
	mem->pages = kvmalloc_array(nr_pages, sizeof(*mem->pages), GFP_KERNEL);
	if (!mem->pages) {
		kfree(mem);
		goto out_unlock;
	}
	/* Counted in the caller's locked_vm (RLIMIT_MEMLOCK unless CAP_IPC_LOCK). */
	ret = account_locked_vm(current->mm, nr_pages, true);
	if (ret) {
		kvfree(mem->pages);
		kfree(mem);
		goto out_unlock;
	}
	mem->mm = current->mm;
	mmgrab(mem->mm);

	while (done < nr_pages) {
		int chunk = min_t(unsigned long, nr_pages - done, HSM_PIN_BATCH);
		int got;

		got = pin_user_pages_fast(m.user_addr + done * PAGE_SIZE, chunk,
					  FOLL_WRITE | FOLL_LONGTERM,
					  mem->pages + done);
		if (got <= 0) {
			ret = got ? got : -EFAULT;
			goto out_unpin;
		}
		done += got;
		if (fatal_signal_pending(current)) {
			ret = -EINTR;
			goto out_unpin;
		}
		cond_resched();
	}

	ret = hsm_map_regions(vm, &m, mem, &mapped);
	if (ret < 0 && !mapped)
		goto out_unpin;
	/*
	 * Mapped, or partly mapped and failed: the hypervisor has no call to
	 * unmap, so the pages stay pinned until the VM is destroyed.
	 */
	if (ret < 0)
		pr_warn("VM %u: TESSERA_HC_SET_MEMORY_REGIONS failed (%ld) after mapping part of [%#llx, +%#llx): kept pinned until destroy\n",
			vm->vm_id, ret, m.vm_gpa, m.size);
	list_add_tail(&mem->node, &vm->mem);
	vm->pinned_bytes += m.size;
	goto out_unlock;

out_unpin:
	hsm_mem_free(mem, done, true, false);
out_unlock:
	up_write(&vm->sem);
	return ret < 0 ? ret : 0;
}

/* ---- TESSERA_HSM_SET_VCPU_REGS, TESSERA_HSM_IRQ_LINE ---------------------- */

long hsm_vm_set_vcpu_regs(struct hsm_vm *vm, void __user *arg)
{
	struct tessera_hsm_vcpu_regs r;
	struct tessera_vcpu_regs *regs;
	long ret;

	if (copy_from_user(&r, arg, sizeof(r)))
		return -EFAULT;
	if (r.reserved || memchr_inv(r.regs.reserved, 0, sizeof(r.regs.reserved)))
		return -EINVAL;

	down_write(&vm->sem);
	ret = -ENXIO;
	if (vm->state == HSM_VM_NONE)
		goto out;
	ret = -EBUSY;
	if (vm->state == HSM_VM_STARTED)
		goto out;
	ret = -EINVAL;
	if (r.vcpu_id >= vm->vcpu_count)
		goto out;
	ret = -ENOMEM;
	regs = kmemdup(&r.regs, sizeof(r.regs), GFP_KERNEL);
	if (!regs)
		goto out;
	ret = hsm_hvc(TESSERA_HC_SET_VCPU_REGS, vm->vm_id, r.vcpu_id,
		      virt_to_phys(regs));
	kfree(regs);
out:
	up_write(&vm->sem);
	return ret < 0 ? ret : 0;
}

long hsm_vm_irq_line(struct hsm_vm *vm, void __user *arg)
{
	struct tessera_hsm_irq_line l;
	long ret;

	if (copy_from_user(&l, arg, sizeof(l)))
		return -EFAULT;
	if (l.op > TESSERA_IRQ_PULSE)
		return -EINVAL;

	down_read(&vm->sem);
	ret = -ENXIO;
	if (vm->state == HSM_VM_NONE)
		goto out;
	ret = -EINVAL;
	if (l.intid < 32 || l.intid - 32 >= vm->spi_count)
		goto out;
	ret = hsm_hvc(TESSERA_HC_SET_IRQ_LINE, vm->vm_id, l.intid, l.op);
out:
	up_read(&vm->sem);
	return ret < 0 ? ret : 0;
}

/* ---- TESSERA_HSM_GET_INFO, TESSERA_HSM_GET_IO_STATS ----------------------- */

static long hsm_vm_query(struct hsm_vm *vm, u32 fn, void __user *arg, size_t size)
{
	void *buf;
	long ret;

	buf = kzalloc(size, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	down_read(&vm->sem);
	ret = -ENXIO;
	if (vm->state != HSM_VM_NONE)
		ret = hsm_hvc(fn, vm->vm_id, virt_to_phys(buf), 0);
	up_read(&vm->sem);
	if (ret >= 0 && copy_to_user(arg, buf, size))
		ret = -EFAULT;
	kfree(buf);
	return ret < 0 ? ret : 0;
}

long hsm_vm_get_info(struct hsm_vm *vm, void __user *arg)
{
	return hsm_vm_query(vm, TESSERA_HC_VM_INFO, arg,
			    sizeof(struct tessera_vm_info));
}

long hsm_vm_get_io_stats(struct hsm_vm *vm, void __user *arg)
{
	return hsm_vm_query(vm, TESSERA_HC_GET_IO_STATS, arg,
			    sizeof(struct tessera_io_stats));
}
