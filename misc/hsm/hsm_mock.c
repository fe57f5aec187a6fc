// SPDX-License-Identifier: GPL-2.0-only
/*
 * TEST BUILD ONLY (make hsm-mock): a stand-in for the hypervisor's side of
 * the HSM hypercalls, linked instead of hsm_hvc.c, so that the driver's
 * ioctls, dispatch, waits, mmap and memory pinning can be exercised on a
 * plain QEMU virt machine without Tessera (misc/hsm/tests/, doc/hsm.rst).
 *
 * It follows uapi/tessera_hypercall.h and doc/hypercalls.rst as far as the
 * driver can tell; it is not the hypervisor and proves nothing about it.
 * /sys/kernel/debug/tessera_hsm_mock:
 *   write "req VM VCPU TYPE DIR ADDR SIZE VALUE"  publish a request in the
 *         vCPU's slot (as a trapping vCPU would) and run the io upcall
 *   write "event VM"  flag a state change and run the event upcall
 *   write "state VM STATE"  set the VM's state as the hypervisor would
 *   write "fail FN SKIP COUNT ERRNO"  after SKIP more calls of hypercall FN
 *         (its function ID), fail COUNT calls with -ERRNO
 *   read  the VMs, their outstanding requests and the replies seen
 */
#define pr_fmt(fmt) KBUILD_MODNAME " mock: " fmt

#include <linux/debugfs.h>
#include <linux/io.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/uaccess.h>

#include "hsm.h"

#define MOCK_MAX_REGIONS 4096

struct mock_vm {
	const char *name;
	u32 kind;
	u32 max_vcpus;
	u32 default_mode;
	u64 max_memory;
	/* The run: */
	bool in_use;
	u32 state;
	u32 vcpu_count;
	u32 mode;
	struct tessera_io_slot *slots;
	u32 nr_pages;
	u64 mapped_bytes;
	unsigned int nr_regions;
	struct tessera_mem_region *regions;
	u64 outstanding;	/* vCPUs with a published request */
	u64 regs_set;
	u64 last_value[HSM_MAX_VCPUS];
	struct tessera_io_stats stats;
};

static struct mock_vm mock_vms[] = {
	{ "sos", TESSERA_VM_KIND_SERVICE, 3, 0, 0 },
	{ "rt0", TESSERA_VM_KIND_PRE_LAUNCHED, 1, 0, 0 },
	{ "uvm0", TESSERA_VM_KIND_POST_LAUNCHED, 4, TESSERA_IO_COMPLETION_NOTIFY, 256 << 20 },
	{ "uvm1", TESSERA_VM_KIND_POST_LAUNCHED, 2, TESSERA_IO_COMPLETION_POLLING, 64 << 20 },
};

#define MOCK_NR_VMS ARRAY_SIZE(mock_vms)
#define MOCK_SPIS 64

static DEFINE_MUTEX(mock_lock);
static u64 mock_events;
/* Fault injection. */
static u32 mock_fail_fn;
static u32 mock_fail_skip;
static u32 mock_fail_count;
static u32 mock_fail_errno;
static struct dentry *mock_file;

static struct mock_vm *mock_post_vm(u64 id)
{
	if (id >= MOCK_NR_VMS || mock_vms[id].kind != TESSERA_VM_KIND_POST_LAUNCHED)
		return NULL;
	return &mock_vms[id];
}

static void *mock_ram(u64 gpa, size_t size)
{
	if (!size || !pfn_valid(PHYS_PFN(gpa)) || !pfn_valid(PHYS_PFN(gpa + size - 1)))
		return NULL;
	return phys_to_virt(gpa);
}

static long mock_create(u64 gpa)
{
	struct tessera_vm_create *c = mock_ram(gpa, sizeof(*c));
	const u32 modes = TESSERA_VM_CREATE_NOTIFY | TESSERA_VM_CREATE_POLLING;
	struct mock_vm *m = NULL;
	unsigned int i;

	if (!c)
		return -EFAULT;
	if ((c->flags & ~modes) || (c->flags & modes) == modes ||
	    memchr_inv(c->reserved, 0, sizeof(c->reserved)) ||
	    strnlen(c->name, TESSERA_VM_NAME_MAX) == TESSERA_VM_NAME_MAX)
		return -EINVAL;
	for (i = 0; i < MOCK_NR_VMS; i++)
		if (c->name[0] ? !strcmp(c->name, mock_vms[i].name) : c->vm_id == i)
			m = &mock_vms[i];
	if (!m)
		return -ENOENT;
	if (m->kind != TESSERA_VM_KIND_POST_LAUNCHED)
		return -EPERM;
	if (m->in_use)
		return -EBUSY;
	if (c->vcpu_count == 0 || c->vcpu_count > m->max_vcpus)
		return -EINVAL;
	m->regions = kcalloc(MOCK_MAX_REGIONS, sizeof(*m->regions), GFP_KERNEL);
	if (!m->regions)
		return -ENOMEM;
	m->in_use = true;
	m->state = TESSERA_VM_STATE_CREATED;
	m->vcpu_count = c->vcpu_count;
	m->mode = c->flags & TESSERA_VM_CREATE_POLLING ? TESSERA_IO_COMPLETION_POLLING :
		  c->flags & TESSERA_VM_CREATE_NOTIFY ? TESSERA_IO_COMPLETION_NOTIFY :
		  m->default_mode;
	return m - mock_vms;
}

static void mock_reset_run(struct mock_vm *m)
{
	if (m->slots)
		memset(m->slots, 0, (size_t)m->nr_pages * PAGE_SIZE);
	m->stats.cancelled += hweight64(m->outstanding);
	m->outstanding = 0;
}

static long mock_destroy(u64 id)
{
	struct mock_vm *m = mock_post_vm(id);

	if (!m)
		return -EINVAL;
	if (!m->in_use)
		return -ENOENT;
	mock_reset_run(m);
	kfree(m->regions);
	*m = (struct mock_vm){ .name = m->name, .kind = m->kind,
			       .max_vcpus = m->max_vcpus,
			       .default_mode = m->default_mode,
			       .max_memory = m->max_memory };
	return 0;
}

static long mock_info(u64 id, u64 gpa)
{
	struct tessera_vm_info *i = mock_ram(gpa, sizeof(*i));
	struct mock_vm *m;

	if (id >= MOCK_NR_VMS)
		return -EINVAL;
	if (!i)
		return -EFAULT;
	m = &mock_vms[id];
	memset(i, 0, sizeof(*i));
	i->vm_id = id;
	i->kind = m->kind;
	i->state = m->kind != TESSERA_VM_KIND_POST_LAUNCHED ? TESSERA_VM_STATE_RUNNING :
		   m->in_use ? m->state : TESSERA_VM_STATE_EMPTY;
	i->vcpu_count = m->vcpu_count;
	i->max_vcpus = m->max_vcpus;
	i->completion_mode = m->in_use ? m->mode : m->default_mode;
	i->pcpu_mask = 0x6;
	i->max_memory = m->max_memory;
	i->mapped_bytes = m->mapped_bytes;
	strscpy(i->name, m->name, sizeof(i->name));
	i->vuart_intid = 33;
	i->vuart_base = 0x09000000;
	i->gicd_base = 0x08000000;
	i->gicr_base = 0x080a0000;
	i->spi_count = MOCK_SPIS;
	return 0;
}

static long mock_request_pages(struct mock_vm *m, u64 gpa, u64 nr)
{
	unsigned int i;

	if (!PAGE_ALIGNED(gpa) || nr != TESSERA_IO_PAGES_FOR(m->vcpu_count))
		return -EINVAL;
	if (m->slots)
		return -EBUSY;
	m->slots = mock_ram(gpa, nr * PAGE_SIZE);
	if (!m->slots)
		return -EFAULT;
	m->nr_pages = nr;
	memset(m->slots, 0, nr * PAGE_SIZE);
	for (i = 0; i < m->vcpu_count; i++)
		m->slots[i].completion_mode = m->mode;
	return 0;
}

/* All or nothing per call, as the driver assumes (doc/hsm.rst). */
static long mock_regions(struct mock_vm *m, u64 gpa, u64 count)
{
	struct tessera_mem_region *r;
	unsigned int i, j;
	u64 total = 0;

	if (m->state != TESSERA_VM_STATE_CREATED)
		return -EBUSY;
	if (count == 0 || count > TESSERA_MEM_REGIONS_MAX)
		return -EINVAL;
	r = mock_ram(gpa, count * sizeof(*r));
	if (!r)
		return -EFAULT;
	if (m->nr_regions + count > MOCK_MAX_REGIONS)
		return -ENOSPC;
	for (i = 0; i < count; i++) {
		if (!r[i].size || !PAGE_ALIGNED(r[i].size) || !PAGE_ALIGNED(r[i].vm_gpa) ||
		    !PAGE_ALIGNED(r[i].sos_gpa) || r[i].reserved ||
		    !(r[i].flags & TESSERA_MEM_READ) || !mock_ram(r[i].sos_gpa, r[i].size))
			return -EINVAL;
		for (j = 0; j < m->nr_regions; j++)
			if (r[i].vm_gpa < m->regions[j].vm_gpa + m->regions[j].size &&
			    m->regions[j].vm_gpa < r[i].vm_gpa + r[i].size)
				return -EEXIST;
		total += r[i].size;
	}
	if (m->mapped_bytes + total > m->max_memory)
		return -ENOMEM;
	memcpy(&m->regions[m->nr_regions], r, count * sizeof(*r));
	m->nr_regions += count;
	m->mapped_bytes += total;
	return 0;
}

static long mock_notify(struct mock_vm *m, u64 vcpu)
{
	struct tessera_io_slot *s;

	if (vcpu >= m->vcpu_count)
		return -EINVAL;
	if (!(m->outstanding & BIT_ULL(vcpu)))
		return -ENOENT;
	s = &m->slots[vcpu];
	if (smp_load_acquire(&s->state) == TESSERA_IO_STATE_COMPLETE) {
		m->last_value[vcpu] = READ_ONCE(s->req.value);
		m->stats.completed++;
	} else {
		m->stats.failed++;
	}
	m->outstanding &= ~BIT_ULL(vcpu);
	smp_store_release(&s->state, TESSERA_IO_STATE_FREE);
	return 0;
}

static long mock_state_change(struct mock_vm *m, u32 from, u32 to)
{
	if (m->state != from)
		return -EINVAL;
	if (to == TESSERA_VM_STATE_RUNNING && from == TESSERA_VM_STATE_CREATED &&
	    (!m->slots || !m->mapped_bytes))
		return -EINVAL;
	m->state = to;
	return 0;
}

static long mock_call(u32 fn, u64 a1, u64 a2, u64 a3)
{
	struct mock_vm *m = NULL;
	long ret;

	if (fn == mock_fail_fn && mock_fail_count) {
		if (mock_fail_skip) {
			mock_fail_skip--;
		} else {
			mock_fail_count--;
			return -(long)mock_fail_errno;
		}
	}
	switch (fn) {
	case TESSERA_HC_VERSION:
		return TESSERA_HC_ABI_VERSION;
	case TESSERA_HC_VM_EVENTS:
		ret = mock_events;
		mock_events = 0;
		return ret;
	case TESSERA_HC_VM_CREATE:
		return mock_create(a1);
	case TESSERA_HC_VM_INFO:
		return mock_info(a1, a2);
	case TESSERA_HC_VM_DESTROY:
		return mock_destroy(a1);
	}
	m = mock_post_vm(a1);
	if (!m || !m->in_use)
		return -EINVAL;
	switch (fn) {
	case TESSERA_HC_NOTIFY_REQUEST_FINISH:
		return mock_notify(m, a2);
	case TESSERA_HC_VM_START:
		return mock_state_change(m, TESSERA_VM_STATE_CREATED, TESSERA_VM_STATE_RUNNING);
	case TESSERA_HC_VM_PAUSE:
		return mock_state_change(m, TESSERA_VM_STATE_RUNNING, TESSERA_VM_STATE_PAUSED);
	case TESSERA_HC_VM_RESUME:
		return mock_state_change(m, TESSERA_VM_STATE_PAUSED, TESSERA_VM_STATE_RUNNING);
	case TESSERA_HC_VM_RESET:
		mock_reset_run(m);
		m->state = TESSERA_VM_STATE_CREATED;
		return 0;
	case TESSERA_HC_SET_MEMORY_REGIONS:
		return mock_regions(m, a2, a3);
	case TESSERA_HC_SET_VCPU_REGS:
		if (m->state != TESSERA_VM_STATE_CREATED)
			return -EBUSY;
		if (a2 >= m->vcpu_count || !mock_ram(a3, sizeof(struct tessera_vcpu_regs)))
			return -EINVAL;
		m->regs_set |= BIT_ULL(a2);
		return 0;
	case TESSERA_HC_SET_REQUEST_PAGES:
		return mock_request_pages(m, a2, a3);
	case TESSERA_HC_SET_IRQ_LINE:
		if (a2 < 32 || a2 >= 32 + MOCK_SPIS || a3 > TESSERA_IRQ_PULSE)
			return -EINVAL;
		return 0;
	case TESSERA_HC_GET_IO_STATS: {
		struct tessera_io_stats *st = mock_ram(a2, sizeof(*st));

		if (!st)
			return -EFAULT;
		*st = m->stats;
		return 0;
	}
	}
	return -ENOSYS;
}

long hsm_hvc(u32 fn, u64 a1, u64 a2, u64 a3)
{
	long ret;

	mutex_lock(&mock_lock);
	ret = mock_call(fn, a1, a2, a3);
	mutex_unlock(&mock_lock);
	return ret;
}

/* ---- debugfs control ------------------------------------------------------ */

static int mock_publish(u32 id, u32 vcpu, u32 type, u32 dir, u64 addr,
			u32 size, u64 value)
{
	struct mock_vm *m = mock_post_vm(id);
	struct tessera_io_slot *s;

	if (!m || !m->in_use || !m->slots || vcpu >= m->vcpu_count)
		return -EINVAL;
	s = &m->slots[vcpu];
	if (READ_ONCE(s->state) != TESSERA_IO_STATE_FREE || (m->outstanding & BIT_ULL(vcpu)))
		return -EBUSY;
	s->req.type = type;
	s->req.direction = dir;
	s->req.addr = addr;
	s->req.size = size;
	s->req.reserved0 = 0;
	s->req.value = dir == TESSERA_IO_WRITE ? value : 0;
	s->seq++;
	m->outstanding |= BIT_ULL(vcpu);
	m->stats.forwarded++;
	smp_store_release(&s->state, TESSERA_IO_STATE_PENDING);
	return 0;
}

static ssize_t mock_write(struct file *f, const char __user *ubuf, size_t len,
			  loff_t *pos)
{
	char buf[128];
	u32 id, vcpu, type, dir, size, state, fn, skip, count, err;
	u64 addr, value;
	int ret;

	if (len >= sizeof(buf))
		return -EINVAL;
	if (copy_from_user(buf, ubuf, len))
		return -EFAULT;
	buf[len] = '\0';

	if (sscanf(buf, "req %u %u %u %u %llx %u %llx", &id, &vcpu, &type, &dir,
		   &addr, &size, &value) == 7) {
		mutex_lock(&mock_lock);
		ret = mock_publish(id, vcpu, type, dir, addr, size, value);
		mutex_unlock(&mock_lock);
		if (ret)
			return ret;
		hsm_io_upcall();	/* what the io interrupt's thread runs */
	} else if (sscanf(buf, "event %u", &id) == 1) {
		if (id > HSM_MAX_VM_ID)
			return -EINVAL;
		mutex_lock(&mock_lock);
		mock_events |= BIT_ULL(id);
		mutex_unlock(&mock_lock);
		hsm_event_upcall();
	} else if (sscanf(buf, "fail %x %u %u %u", &fn, &skip, &count, &err) == 4) {
		if (err == 0 || err > MAX_ERRNO)
			return -EINVAL;
		mutex_lock(&mock_lock);
		mock_fail_fn = fn;
		mock_fail_skip = skip;
		mock_fail_count = count;
		mock_fail_errno = err;
		mutex_unlock(&mock_lock);
	} else if (sscanf(buf, "state %u %u", &id, &state) == 2) {
		struct mock_vm *m = mock_post_vm(id);

		if (!m || !m->in_use)
			return -EINVAL;
		mutex_lock(&mock_lock);
		m->state = state;
		mutex_unlock(&mock_lock);
	} else {
		return -EINVAL;
	}
	return len;
}

static int mock_show(struct seq_file *s, void *unused)
{
	unsigned int i, v;

	mutex_lock(&mock_lock);
	for (i = 0; i < MOCK_NR_VMS; i++) {
		struct mock_vm *m = &mock_vms[i];

		if (!m->in_use)
			continue;
		seq_printf(s, "vm %u %s state %u vcpus %u mode %u pages %u mapped %llu regions %u outstanding %#llx regs %#llx completed %llu failed %llu cancelled %llu\n",
			   i, m->name, m->state, m->vcpu_count, m->mode, m->nr_pages,
			   m->mapped_bytes, m->nr_regions, m->outstanding, m->regs_set,
			   m->stats.completed, m->stats.failed, m->stats.cancelled);
		for (v = 0; v < m->vcpu_count; v++)
			seq_printf(s, "vm %u vcpu %u state %u value %#llx\n", i, v,
				   m->slots ? READ_ONCE(m->slots[v].state) : 0,
				   m->last_value[v]);
	}
	mutex_unlock(&mock_lock);
	return 0;
}

static int mock_open(struct inode *inode, struct file *file)
{
	return single_open(file, mock_show, NULL);
}

static const struct file_operations mock_fops = {
	.owner = THIS_MODULE,
	.open = mock_open,
	.read = seq_read,
	.llseek = seq_lseek,
	.release = single_release,
	.write = mock_write,
};

int hsm_mock_init(void)
{
	mock_file = debugfs_create_file("tessera_hsm_mock", 0600, NULL, NULL,
					&mock_fops);
	return 0;
}

void hsm_mock_exit(void)
{
	debugfs_remove(mock_file);
}
