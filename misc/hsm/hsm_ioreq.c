// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera HSM: I/O requests. The request pages and their mapping, the
 * device model's clients and their ranges, the dispatch of PENDING slots to
 * clients on the upcall, TESSERA_HSM_WAIT and TESSERA_HSM_NOTIFY.
 *
 * A slot is shared with the hypervisor and writable by the device model at
 * any time: the driver reads its state with acquire ordering, claims it with
 * one compare-and-swap PENDING -> PROCESSING and then reads each field of
 * the access once. Whatever it reads, the worst outcome is a request routed
 * to the wrong client of the same VM.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/bitops.h>
#include <linux/jiffies.h>
#include <linux/mm.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include "hsm.h"

/* ---- routing (ioreq_lock held) -------------------------------------------- */

static bool hsm_range_holds(const struct hsm_range *r, const struct hsm_req_snap *q)
{
	u64 last;

	if (r->type != q->type || q->size == 0)
		return false;
	if (check_add_overflow(q->addr, (u64)q->size - 1, &last))
		return false;
	return q->addr >= r->start && last <= r->end;
}

/* The client one of whose ranges holds the whole access, else the default. */
static struct hsm_client *hsm_route(struct hsm_vm *vm, const struct hsm_req_snap *q)
{
	unsigned int i, r;

	for (i = 0; i < TESSERA_HSM_MAX_CLIENTS; i++) {
		struct hsm_client *c = vm->clients[i];

		if (!c)
			continue;
		for (r = 0; r < c->nr_ranges; r++)
			if (hsm_range_holds(&c->ranges[r], q))
				return c;
	}
	return vm->default_client;
}

/* Give the claimed requests of the vCPUs in `bits` to their clients. */
static void hsm_route_bits(struct hsm_vm *vm, u64 bits)
{
	struct hsm_client *c;
	unsigned int v;

	while (bits) {
		v = __ffs64(bits);
		bits &= bits - 1;
		c = hsm_route(vm, &vm->claimed[v]);
		if (c) {
			c->pending |= BIT_ULL(v);
			wake_up_interruptible(&c->wq);
		} else {
			vm->unrouted |= BIT_ULL(v);
		}
	}
}

static void hsm_route_unrouted(struct hsm_vm *vm)
{
	u64 bits = vm->unrouted;

	vm->unrouted = 0;
	hsm_route_bits(vm, bits);
}

/* ---- the upcall's dispatch ------------------------------------------------ */

/*
 * Claim every PENDING slot of the VM and hand it to its client. Called with
 * hsm_vms_lock held, so the request pages stay (teardown unlists the VM
 * under that lock before freeing them). Polling-mode VMs are the device
 * model's own business: it spins on their slots.
 */
void hsm_dispatch_vm(struct hsm_vm *vm)
{
	struct tessera_io_slot *slot;
	struct hsm_req_snap q;
	unsigned int v;

	if (vm->completion_mode != TESSERA_IO_COMPLETION_NOTIFY)
		return;
	for (v = 0; v < vm->vcpu_count; v++) {
		slot = &vm->slots[v];
		if (smp_load_acquire(&slot->state) != TESSERA_IO_STATE_PENDING)
			continue;
		/* Fully ordered: the fields below are read after the claim. */
		if (cmpxchg(&slot->state, TESSERA_IO_STATE_PENDING,
			    TESSERA_IO_STATE_PROCESSING) != TESSERA_IO_STATE_PENDING)
			continue;
		q.type = READ_ONCE(slot->req.type);
		q.size = READ_ONCE(slot->req.size);
		q.addr = READ_ONCE(slot->req.addr);

		spin_lock(&vm->ioreq_lock);
		vm->claimed[v] = q;
		vm->nr_dispatched++;
		hsm_route_bits(vm, BIT_ULL(v));
		if (vm->unrouted & BIT_ULL(v))
			vm->nr_unrouted++;
		spin_unlock(&vm->ioreq_lock);
	}
}

void hsm_flag_event(struct hsm_vm *vm, u32 events)
{
	bool any = false;
	unsigned int i;

	spin_lock(&vm->ioreq_lock);
	for (i = 0; i < TESSERA_HSM_MAX_CLIENTS; i++) {
		struct hsm_client *c = vm->clients[i];

		if (!c)
			continue;
		c->events |= events;
		wake_up_interruptible(&c->wq);
		any = true;
	}
	/* Kept for the first client that is created. */
	if (!any)
		vm->events |= events;
	spin_unlock(&vm->ioreq_lock);
}

/*
 * Reset or destroy: the hypervisor has freed every slot, so requests that
 * were handed out or wait for a client mean nothing any more. hsm_vms_lock
 * keeps a dispatch that read the slots before the reset from routing after.
 */
void hsm_requests_forget(struct hsm_vm *vm)
{
	unsigned int i;

	mutex_lock(&hsm_vms_lock);
	spin_lock(&vm->ioreq_lock);
	for (i = 0; i < TESSERA_HSM_MAX_CLIENTS; i++)
		if (vm->clients[i])
			vm->clients[i]->pending = 0;
	vm->unrouted = 0;
	memset(vm->claimed, 0, sizeof(vm->claimed));
	spin_unlock(&vm->ioreq_lock);
	mutex_unlock(&hsm_vms_lock);
}

/* ---- clients -------------------------------------------------------------- */

static void hsm_client_free(struct kref *ref)
{
	kfree(container_of(ref, struct hsm_client, ref));
}

/* sem or ioreq_lock held */
static int hsm_client_index(struct hsm_vm *vm, u32 id)
{
	unsigned int i;

	for (i = 0; i < TESSERA_HSM_MAX_CLIENTS; i++)
		if (vm->clients[i] && vm->clients[i]->id == id)
			return i;
	return -1;
}

/* Take the client out of the table; sem held for writing, ioreq_lock held. */
static void hsm_client_unlink(struct hsm_vm *vm, unsigned int i)
{
	struct hsm_client *c = vm->clients[i];

	vm->clients[i] = NULL;
	if (vm->default_client == c)
		vm->default_client = NULL;
	c->dead = true;
	c->pending = 0;
	wake_up_interruptible_all(&c->wq);
}

long hsm_create_client(struct hsm_vm *vm, void __user *arg)
{
	struct tessera_hsm_client u;
	struct hsm_client *c;
	unsigned int i;
	long ret;

	if (copy_from_user(&u, arg, sizeof(u)))
		return -EFAULT;
	if (u.flags & ~TESSERA_HSM_CLIENT_DEFAULT)
		return -EINVAL;
	c = kzalloc(sizeof(*c), GFP_KERNEL);
	if (!c)
		return -ENOMEM;
	kref_init(&c->ref);
	init_waitqueue_head(&c->wq);
	c->vm = vm;
	c->is_default = u.flags & TESSERA_HSM_CLIENT_DEFAULT;

	down_write(&vm->sem);
	ret = -ENXIO;
	if (vm->state == HSM_VM_NONE)
		goto out_free;
	ret = -EEXIST;
	if (c->is_default && vm->default_client)
		goto out_free;
	ret = -ENOSPC;
	for (i = 0; i < TESSERA_HSM_MAX_CLIENTS; i++)
		if (!vm->clients[i])
			break;
	if (i == TESSERA_HSM_MAX_CLIENTS)
		goto out_free;
	/* Ids are not reused while the file is open; 0 is never one. */
	do {
		c->id = ++vm->next_client_id;
	} while (!c->id || hsm_client_index(vm, c->id) >= 0);
	u.client_id = c->id;
	ret = -EFAULT;
	if (copy_to_user(arg, &u, sizeof(u)))
		goto out_free;

	spin_lock(&vm->ioreq_lock);
	vm->clients[i] = c;
	if (c->is_default)
		vm->default_client = c;
	c->events = vm->events;
	vm->events = 0;
	hsm_route_unrouted(vm);
	spin_unlock(&vm->ioreq_lock);
	up_write(&vm->sem);
	return 0;

out_free:
	up_write(&vm->sem);
	kfree(c);
	return ret;
}

long hsm_destroy_client(struct hsm_vm *vm, void __user *arg)
{
	struct hsm_client *c;
	u32 id;
	u64 bits;
	int i;
	long ret;

	if (copy_from_user(&id, arg, sizeof(id)))
		return -EFAULT;

	down_write(&vm->sem);
	ret = -ENXIO;
	if (vm->state == HSM_VM_NONE)
		goto out;
	ret = -ENOENT;
	i = hsm_client_index(vm, id);
	if (i < 0)
		goto out;
	c = vm->clients[i];
	spin_lock(&vm->ioreq_lock);
	/* Requests it never collected go to whoever matches now. */
	bits = c->pending;
	hsm_client_unlink(vm, i);
	hsm_route_bits(vm, bits);
	spin_unlock(&vm->ioreq_lock);
	kref_put(&c->ref, hsm_client_free);
	ret = 0;
out:
	up_write(&vm->sem);
	return ret;
}

/* Teardown: sem held for writing. */
void hsm_clients_destroy_all(struct hsm_vm *vm)
{
	struct hsm_client *gone[TESSERA_HSM_MAX_CLIENTS];
	unsigned int i, n = 0;

	spin_lock(&vm->ioreq_lock);
	for (i = 0; i < TESSERA_HSM_MAX_CLIENTS; i++) {
		if (!vm->clients[i])
			continue;
		gone[n++] = vm->clients[i];
		hsm_client_unlink(vm, i);
	}
	vm->events = 0;
	spin_unlock(&vm->ioreq_lock);
	for (i = 0; i < n; i++)
		kref_put(&gone[i]->ref, hsm_client_free);
}

long hsm_add_range(struct hsm_vm *vm, void __user *arg)
{
	struct tessera_hsm_range u;
	struct hsm_client *c;
	unsigned int i, r;
	int idx;
	long ret;

	if (copy_from_user(&u, arg, sizeof(u)))
		return -EFAULT;
	if (u.type >= TESSERA_IO_TYPE_COUNT || u.start > u.end)
		return -EINVAL;

	down_write(&vm->sem);
	ret = -ENXIO;
	if (vm->state == HSM_VM_NONE)
		goto out;
	ret = -ENOENT;
	idx = hsm_client_index(vm, u.client_id);
	if (idx < 0)
		goto out;
	c = vm->clients[idx];
	ret = -ENOSPC;
	if (c->nr_ranges == TESSERA_HSM_MAX_RANGES)
		goto out;
	/* No two ranges of the VM overlap: routing must not depend on order. */
	ret = -EEXIST;
	for (i = 0; i < TESSERA_HSM_MAX_CLIENTS; i++) {
		struct hsm_client *o = vm->clients[i];

		for (r = 0; o && r < o->nr_ranges; r++)
			if (o->ranges[r].type == u.type &&
			    u.start <= o->ranges[r].end && o->ranges[r].start <= u.end)
				goto out;
	}

	spin_lock(&vm->ioreq_lock);
	c->ranges[c->nr_ranges].type = u.type;
	c->ranges[c->nr_ranges].start = u.start;
	c->ranges[c->nr_ranges].end = u.end;
	c->nr_ranges++;
	hsm_route_unrouted(vm);
	spin_unlock(&vm->ioreq_lock);
	ret = 0;
out:
	up_write(&vm->sem);
	return ret;
}

/* ---- TESSERA_HSM_WAIT, TESSERA_HSM_NOTIFY --------------------------------- */

static bool hsm_client_ready(struct hsm_client *c)
{
	return READ_ONCE(c->pending) || READ_ONCE(c->events) || READ_ONCE(c->dead);
}

long hsm_wait(struct hsm_vm *vm, void __user *arg)
{
	struct tessera_hsm_wait w;
	struct hsm_client *c;
	long timeout, left, ret;
	u64 mask = 0;
	u32 events = 0;
	bool dead;
	int i;

	if (copy_from_user(&w, arg, sizeof(w)))
		return -EFAULT;
	if (w.reserved)
		return -EINVAL;

	down_read(&vm->sem);
	ret = -ENXIO;
	if (vm->state == HSM_VM_NONE)
		goto out_unlock;
	ret = -ENOENT;
	i = hsm_client_index(vm, w.client_id);
	if (i < 0)
		goto out_unlock;
	c = vm->clients[i];
	kref_get(&c->ref);
	up_read(&vm->sem);

	timeout = w.timeout_ms ? msecs_to_jiffies(w.timeout_ms) : MAX_SCHEDULE_TIMEOUT;
	for (;;) {
		left = wait_event_interruptible_timeout(c->wq, hsm_client_ready(c),
							timeout);
		if (left < 0) {
			ret = -EINTR;
			break;
		}
		spin_lock(&vm->ioreq_lock);
		dead = c->dead;
		if (!dead) {
			mask = c->pending;
			events = c->events;
			c->pending = 0;
			c->events = 0;
		}
		spin_unlock(&vm->ioreq_lock);
		if (dead) {
			ret = -ENOENT;
			break;
		}
		if (mask || events) {
			ret = 0;
			break;
		}
		/* Another waiter on the same client took them: wait on. */
		if (!left) {
			ret = -ETIMEDOUT;
			break;
		}
		timeout = left;
	}

	if (!ret) {
		w.vcpu_mask = mask;
		w.events = events;
		if (copy_to_user(arg, &w, sizeof(w))) {
			/* Not delivered: give them back. */
			spin_lock(&vm->ioreq_lock);
			if (!c->dead) {
				c->pending |= mask;
				c->events |= events;
			}
			spin_unlock(&vm->ioreq_lock);
			ret = -EFAULT;
		}
	}
	kref_put(&c->ref, hsm_client_free);
	return ret;

out_unlock:
	up_read(&vm->sem);
	return ret;
}

long hsm_notify(struct hsm_vm *vm, void __user *arg)
{
	struct tessera_hsm_notify n;
	u64 bit;
	unsigned int i;
	long ret;

	if (copy_from_user(&n, arg, sizeof(n)))
		return -EFAULT;
	if (n.reserved)
		return -EINVAL;

	down_read(&vm->sem);
	ret = -ENXIO;
	if (vm->state == HSM_VM_NONE)
		goto out;
	ret = -EINVAL;
	if (n.vcpu_id >= vm->vcpu_count)
		goto out;
	/*
	 * The request is done, however the device model found it: a bit still
	 * waiting for a WAIT would report it a second time. Cleared before the
	 * hypercall, since after it the vCPU may publish its next request.
	 */
	bit = BIT_ULL(n.vcpu_id);
	spin_lock(&vm->ioreq_lock);
	for (i = 0; i < TESSERA_HSM_MAX_CLIENTS; i++)
		if (vm->clients[i])
			vm->clients[i]->pending &= ~bit;
	vm->unrouted &= ~bit;
	spin_unlock(&vm->ioreq_lock);
	ret = hsm_hvc(TESSERA_HC_NOTIFY_REQUEST_FINISH, vm->vm_id, n.vcpu_id, 0);
out:
	up_read(&vm->sem);
	return ret < 0 ? ret : 0;
}

/* ---- the request pages and their mmap ------------------------------------- */

struct hsm_req_area *hsm_req_area_alloc(unsigned int nr_pages)
{
	struct hsm_req_area *area;

	area = kzalloc(sizeof(*area), GFP_KERNEL);
	if (!area)
		return NULL;
	area->va = alloc_pages_exact((size_t)nr_pages * PAGE_SIZE,
				     GFP_KERNEL | __GFP_ZERO);
	if (!area->va) {
		kfree(area);
		return NULL;
	}
	kref_init(&area->ref);
	area->nr_pages = nr_pages;
	return area;
}

static void hsm_req_area_free(struct kref *ref)
{
	struct hsm_req_area *area = container_of(ref, struct hsm_req_area, ref);

	free_pages_exact(area->va, (size_t)area->nr_pages * PAGE_SIZE);
	kfree(area);
}

void hsm_req_area_put(struct hsm_req_area *area)
{
	kref_put(&area->ref, hsm_req_area_free);
}

/* Every copy of the mapping (fork, split, mremap) holds a reference. */
static void hsm_vma_open(struct vm_area_struct *vma)
{
	struct hsm_req_area *area = vma->vm_private_data;

	kref_get(&area->ref);
}

static void hsm_vma_close(struct vm_area_struct *vma)
{
	hsm_req_area_put(vma->vm_private_data);
}

/* ptrace, /proc/PID/mem: a debugger can read and write the slots. */
static int hsm_vma_access(struct vm_area_struct *vma, unsigned long addr,
			  void *buf, int len, int write)
{
	struct hsm_req_area *area = vma->vm_private_data;
	unsigned long off = addr - vma->vm_start + (vma->vm_pgoff << PAGE_SHIFT);
	unsigned long size = (unsigned long)area->nr_pages * PAGE_SIZE;

	if (len <= 0 || off >= size)
		return -EINVAL;
	len = min_t(unsigned long, len, size - off);
	if (write)
		memcpy((char *)area->va + off, buf, len);
	else
		memcpy(buf, (char *)area->va + off, len);
	return len;
}

static const struct vm_operations_struct hsm_vm_ops = {
	.open = hsm_vma_open,
	.close = hsm_vma_close,
	.access = hsm_vma_access,
};

/*
 * Offset 0, exactly nr_request_pages pages, MAP_SHARED, not executable.
 * A PFN mapping (VM_IO | VM_PFNMAP, special PTEs): no one can pin the
 * pages through it, not even get_user_pages_fast, so they cannot become
 * guest memory with SET_MEMORY (a debugger still reads them, through
 * ->access). If the VM is destroyed while they are
 * mapped they are freed at munmap. Takes map_lock, not sem: the caller
 * holds mmap_lock, which sem nests outside.
 */
int hsm_mmap(struct hsm_vm *vm, struct vm_area_struct *vma)
{
	unsigned long size = vma->vm_end - vma->vm_start;
	struct hsm_req_area *area;
	int ret;

	if (!(vma->vm_flags & VM_SHARED) || (vma->vm_flags & VM_EXEC) ||
	    vma->vm_pgoff != 0)
		return -EINVAL;

	mutex_lock(&vm->map_lock);
	area = vm->area;
	ret = -ENXIO;
	if (!area)
		goto out;
	ret = -EINVAL;
	if (size != (unsigned long)area->nr_pages * PAGE_SIZE)
		goto out;
	vma->vm_flags |= VM_DONTEXPAND | VM_DONTDUMP;
	vma->vm_flags &= ~VM_MAYEXEC;
	ret = remap_pfn_range(vma, vma->vm_start, PHYS_PFN(virt_to_phys(area->va)),
			      size, vma->vm_page_prot);
	if (ret)
		goto out;
	kref_get(&area->ref);
	vma->vm_private_data = area;
	vma->vm_ops = &hsm_vm_ops;
out:
	mutex_unlock(&vm->map_lock);
	return ret;
}
