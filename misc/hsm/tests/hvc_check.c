// SPDX-License-Identifier: GPL-2.0-only
/*
 * tessera_hvc_check: the hypervisor's own validation of every Service-VM
 * hypercall, from the Service VM, with no driver in between to filter the
 * arguments (doc/hypercalls.rst). At load it makes each call with hostile
 * arguments — bad VM ids, foreign, unaligned and overlapping memory, the
 * hypervisor's and rt0's addresses, bad vCPU ids, wrong states — checks
 * the errno and that nothing changed (VM_INFO), prints one line per check
 * and "hvc-check: N passed, N failed", and stays loaded doing nothing.
 *
 * It assumes the hybrid scenario's layout: the hypervisor at 0x40000000,
 * rt0 at 0x50000000, and a post-launched slot named uvm0 that is empty.
 */
#include <linux/arm-smccc.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "tessera_hypercall.h"
#include "tessera_ioreq.h"

#define HV_IMAGE 0x40200000ull /* the hypervisor's own code */
#define RT0_RAM 0x50000000ull  /* the partition next door */
#define UVM_RAM 0x40000000ull  /* where a User VM's RAM may go */

static unsigned int passed, failed;

static long hvc(u32 fn, u64 a1, u64 a2, u64 a3)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(fn, a1, a2, a3, &res);
	return (long)res.a0;
}

static bool check(bool ok, const char *what, long got, long want)
{
	if (ok)
		passed++;
	else
		failed++;
	pr_info("hvc-check: %s: %s (got %ld, want %ld)\n", ok ? "ok" : "FAIL",
		what, got, want);
	return ok;
}

#define EXPECT(call, want, what)                                               \
	({ long __r = (call); check(__r == (want), what, __r, want); })

static struct tessera_vm_info *info;

static long vm_info(u32 id)
{
	return hvc(TESSERA_HC_VM_INFO, id, virt_to_phys(info), 0);
}

/* The slot's state and mapping are what they were. */
static void unchanged(u32 id, u32 state, u64 mapped, const char *what)
{
	long r = vm_info(id);

	check(r == 0 && info->state == state && info->mapped_bytes == mapped,
	      what, r == 0 ? (long)info->state : r, state);
}

static u32 find_slot(const char *name)
{
	for (u32 id = 0; id < 64; id++)
		if (vm_info(id) == 0 && !strcmp(info->name, name))
			return id;
	return U32_MAX;
}

static void check_create(struct tessera_vm_create *c, u32 uvm)
{
	const struct { const char *name; u32 vcpus, flags, rsv; long want;
		       const char *what; } bad[] = {
		{"rt0", 1, 0, 0, -EPERM, "create a pre-launched VM's slot"},
		{"sos", 1, 0, 0, -EPERM, "create the Service VM's slot"},
		{"nosuch", 1, 0, 0, -ENOENT, "create an unknown slot"},
		{"uvm0", 0, 0, 0, -EINVAL, "create with 0 vCPUs"},
		{"uvm0", 3, 0, 0, -EINVAL, "create with more vCPUs than pCPUs"},
		{"uvm0", 1, 3, 0, -EINVAL, "create with both completion modes"},
		{"uvm0", 1, 1u << 7, 0, -EINVAL, "create with an unknown flag"},
		{"uvm0", 1, 0, 1, -EINVAL, "create with reserved set"},
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		memset(c, 0, sizeof(*c));
		strscpy(c->name, bad[i].name, sizeof(c->name));
		c->vcpu_count = bad[i].vcpus;
		c->flags = bad[i].flags;
		c->reserved[4] = bad[i].rsv;
		EXPECT(hvc(TESSERA_HC_VM_CREATE, virt_to_phys(c), 0, 0),
		       bad[i].want, bad[i].what);
	}
	memset(c, 'x', sizeof(c->name)); /* no NUL */
	c->vcpu_count = 1;
	EXPECT(hvc(TESSERA_HC_VM_CREATE, virt_to_phys(c), 0, 0), -EINVAL,
	       "create with an unterminated name");
	memset(c, 0, sizeof(*c));
	c->vm_id = 999;
	c->vcpu_count = 1;
	EXPECT(hvc(TESSERA_HC_VM_CREATE, virt_to_phys(c), 0, 0), -ENOENT,
	       "create slot id 999");
	EXPECT(hvc(TESSERA_HC_VM_CREATE, HV_IMAGE, 0, 0), -EFAULT,
	       "create from the hypervisor's memory");
	EXPECT(hvc(TESSERA_HC_VM_CREATE, RT0_RAM, 0, 0), -EFAULT,
	       "create from rt0's memory");
	unchanged(uvm, TESSERA_VM_STATE_EMPTY, 0, "uvm0 still empty");
}

static void region(struct tessera_mem_region *r, u64 gpa, u64 sos, u64 size,
		   u32 flags)
{
	*r = (struct tessera_mem_region){ .vm_gpa = gpa, .sos_gpa = sos,
					  .size = size, .flags = flags };
}

static void check_memory(u32 id, struct tessera_mem_region *r, void *page)
{
	const u32 rw = TESSERA_MEM_READ | TESSERA_MEM_WRITE;
	u64 mine = virt_to_phys(page);
	const struct { u64 gpa, sos, size; u32 flags, rsv; long want;
		       const char *what; } bad[] = {
		{UVM_RAM + 0x800, mine, PAGE_SIZE, rw, 0, -EINVAL, "unaligned vm_gpa"},
		{UVM_RAM, mine + 8, PAGE_SIZE, rw, 0, -EINVAL, "unaligned sos_gpa"},
		{UVM_RAM, mine, 100, rw, 0, -EINVAL, "size not a page multiple"},
		{UVM_RAM, mine, 0, rw, 0, -EINVAL, "size 0"},
		{UVM_RAM, mine, PAGE_SIZE, 0, 0, -EINVAL, "no permissions"},
		{UVM_RAM, mine, PAGE_SIZE, rw | (1u << 9), 0, -EINVAL,
		 "an unknown flag"},
		{UVM_RAM, mine, PAGE_SIZE, rw, 1, -EINVAL, "reserved set"},
		{0x10000000ull, mine, PAGE_SIZE, rw, 0, -EINVAL,
		 "vm_gpa below the RAM window"},
		{UVM_RAM + (1ull << 40), mine, PAGE_SIZE, rw, 0, -EINVAL,
		 "vm_gpa far beyond the window"},
		{UVM_RAM, HV_IMAGE, PAGE_SIZE, rw, 0, -EFAULT,
		 "the hypervisor's memory"},
		{UVM_RAM, RT0_RAM, PAGE_SIZE, rw, 0, -EFAULT, "rt0's memory"},
		{UVM_RAM, 0x09000000ull, PAGE_SIZE, rw, 0, -EFAULT,
		 "device space (the UART)"},
		{UVM_RAM, ~0ull & ~(PAGE_SIZE - 1), PAGE_SIZE, rw, 0, -EFAULT,
		 "the top of the address space"},
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(bad); i++) {
		region(&r[0], bad[i].gpa, bad[i].sos, bad[i].size, bad[i].flags);
		r[0].reserved = bad[i].rsv;
		EXPECT(hvc(TESSERA_HC_SET_MEMORY_REGIONS, id, virt_to_phys(r), 1),
		       bad[i].want, bad[i].what);
	}
	EXPECT(hvc(TESSERA_HC_SET_MEMORY_REGIONS, id, virt_to_phys(r), 0),
	       -EINVAL, "a batch of 0 regions");
	EXPECT(hvc(TESSERA_HC_SET_MEMORY_REGIONS, id, virt_to_phys(r),
		   TESSERA_MEM_REGIONS_MAX + 1), -EINVAL, "a batch of 129 regions");
	EXPECT(hvc(TESSERA_HC_SET_MEMORY_REGIONS, id, RT0_RAM, 1), -EFAULT,
	       "a region list in rt0's memory");
	/* All or nothing: a good region, then one overlapping it. */
	region(&r[0], UVM_RAM, mine, PAGE_SIZE, rw);
	region(&r[1], UVM_RAM, mine, PAGE_SIZE, rw);
	EXPECT(hvc(TESSERA_HC_SET_MEMORY_REGIONS, id, virt_to_phys(r), 2),
	       -EEXIST, "two overlapping regions in one batch");
	region(&r[1], UVM_RAM + PAGE_SIZE, RT0_RAM, PAGE_SIZE, rw);
	EXPECT(hvc(TESSERA_HC_SET_MEMORY_REGIONS, id, virt_to_phys(r), 2),
	       -EFAULT, "a good region, then rt0's");
	unchanged(id, TESSERA_VM_STATE_CREATED, 0, "nothing of a refused batch is mapped");
	EXPECT(hvc(TESSERA_HC_SET_MEMORY_REGIONS, id, virt_to_phys(r), 1), 0,
	       "one good page");
	EXPECT(hvc(TESSERA_HC_SET_MEMORY_REGIONS, id, virt_to_phys(r), 1),
	       -EEXIST, "the same page again");
	region(&r[0], UVM_RAM + 2 * PAGE_SIZE, mine, info->max_memory, rw);
	EXPECT(hvc(TESSERA_HC_SET_MEMORY_REGIONS, id, virt_to_phys(r), 1),
	       -EINVAL, "past the end of the RAM window (max_memory)");
	unchanged(id, TESSERA_VM_STATE_CREATED, PAGE_SIZE, "one page mapped");
}

static void check_setup(u32 id, void *page)
{
	struct tessera_vcpu_regs *regs = page;

	memset(regs, 0, sizeof(*regs));
	EXPECT(hvc(TESSERA_HC_SET_VCPU_REGS, id, 5, virt_to_phys(regs)), -EINVAL,
	       "registers of vCPU 5");
	EXPECT(hvc(TESSERA_HC_SET_VCPU_REGS, id, 0, HV_IMAGE), -EFAULT,
	       "registers read from the hypervisor's memory");
	regs->reserved[2] = 1;
	EXPECT(hvc(TESSERA_HC_SET_VCPU_REGS, id, 0, virt_to_phys(regs)), -EINVAL,
	       "registers with reserved set");
	EXPECT(hvc(TESSERA_HC_VM_START, id, 0, 0), -EINVAL,
	       "start with no entry point in its RAM");
	EXPECT(hvc(TESSERA_HC_SET_REQUEST_PAGES, id, virt_to_phys(page) + 8, 1),
	       -EINVAL, "unaligned request pages");
	EXPECT(hvc(TESSERA_HC_SET_REQUEST_PAGES, id, virt_to_phys(page), 2),
	       -EINVAL, "two request pages for one vCPU");
	EXPECT(hvc(TESSERA_HC_SET_REQUEST_PAGES, id, RT0_RAM, 1), -EFAULT,
	       "request pages in rt0's memory");
	EXPECT(hvc(TESSERA_HC_SET_REQUEST_PAGES, id, HV_IMAGE, 1), -EFAULT,
	       "request pages in the hypervisor");
	EXPECT(hvc(TESSERA_HC_SET_IRQ_LINE, id, 33, TESSERA_IRQ_RAISE), -EINVAL,
	       "the line of its hypervisor vUART");
	EXPECT(hvc(TESSERA_HC_SET_IRQ_LINE, id, 20, TESSERA_IRQ_RAISE), -EINVAL,
	       "a PPI");
	EXPECT(hvc(TESSERA_HC_SET_IRQ_LINE, id, 1020, TESSERA_IRQ_RAISE), -EINVAL,
	       "INTID 1020");
	EXPECT(hvc(TESSERA_HC_SET_IRQ_LINE, id, 48, 7), -EINVAL, "irq op 7");
	EXPECT(hvc(TESSERA_HC_NOTIFY_REQUEST_FINISH, id, 9, 0), -EINVAL,
	       "notify of vCPU 9");
	EXPECT(hvc(TESSERA_HC_NOTIFY_REQUEST_FINISH, id, 0, 0), -ENOENT,
	       "notify with no request out");
	EXPECT(hvc(TESSERA_HC_VM_PAUSE, id, 0, 0), -EINVAL, "pause a created VM");
	EXPECT(hvc(TESSERA_HC_VM_RESUME, id, 0, 0), -EINVAL, "resume a created VM");
	EXPECT(hvc(TESSERA_HC_GET_IO_STATS, id, RT0_RAM, 0), -EFAULT,
	       "statistics written into rt0's memory");
	EXPECT(hvc(TESSERA_HC_VM_INFO, id, HV_IMAGE, 0), -EFAULT,
	       "info written into the hypervisor");
}

static void check_others(u32 rt0, u32 sos)
{
	static const u32 lifecycle[] = {
		TESSERA_HC_VM_DESTROY, TESSERA_HC_VM_START, TESSERA_HC_VM_PAUSE,
		TESSERA_HC_VM_RESUME, TESSERA_HC_VM_RESET,
	};

	for (unsigned int i = 0; i < ARRAY_SIZE(lifecycle); i++) {
		EXPECT(hvc(lifecycle[i], rt0, 0, 0), -EPERM,
		       "a lifecycle call on rt0");
		EXPECT(hvc(lifecycle[i], sos, 0, 0), -EPERM,
		       "a lifecycle call on the Service VM");
		EXPECT(hvc(lifecycle[i], 999, 0, 0), -EINVAL,
		       "a lifecycle call on VM 999");
	}
	EXPECT(hvc(TESSERA_HC_SET_MEMORY_REGIONS, rt0, 0, 1), -EPERM,
	       "memory for rt0");
	EXPECT(hvc(TESSERA_HC_SET_IRQ_LINE, rt0, 48, 1), -EPERM,
	       "an interrupt line of rt0");
	EXPECT(hvc(TESSERA_HC_VM_INFO, 999, virt_to_phys(info), 0), -EINVAL,
	       "info of VM 999");
	EXPECT(hvc(TESSERA_HC_ID(0xffff), 0, 0, 0), -ENOSYS,
	       "an unknown Tessera call");
	unchanged(rt0, TESSERA_VM_STATE_RUNNING, 0,
		  "rt0 still running");
}

static int __init hvc_check_init(void)
{
	struct tessera_vm_create *c = kzalloc(sizeof(*c), GFP_KERNEL);
	struct tessera_mem_region *r = (void *)__get_free_page(GFP_KERNEL);
	void *page = (void *)get_zeroed_page(GFP_KERNEL);
	u32 uvm, rt0, sos, id;
	long ret;

	info = kzalloc(sizeof(*info), GFP_KERNEL);
	if (!c || !r || !page || !info)
		goto out;
	EXPECT(hvc(TESSERA_HC_VERSION, 0, 0, 0), TESSERA_HC_ABI_VERSION,
	       "the ABI version");
	uvm = find_slot("uvm0");
	rt0 = find_slot("rt0");
	sos = find_slot("sos");
	if (!check(uvm != U32_MAX && rt0 != U32_MAX && sos != U32_MAX,
		   "the hybrid scenario's slots", uvm, 2))
		goto out;
	check_create(c, uvm);
	memset(c, 0, sizeof(*c));
	strscpy(c->name, "uvm0", sizeof(c->name));
	c->vcpu_count = 1;
	ret = hvc(TESSERA_HC_VM_CREATE, virt_to_phys(c), 0, 0);
	if (!check(ret == uvm, "create uvm0 with 1 vCPU", ret, uvm))
		goto out;
	id = uvm;
	EXPECT(hvc(TESSERA_HC_VM_CREATE, virt_to_phys(c), 0, 0), -EBUSY,
	       "create uvm0 twice");
	vm_info(id); /* max_memory */
	check_memory(id, r, page);
	check_setup(id, page);
	check_others(rt0, sos);
	EXPECT(hvc(TESSERA_HC_VM_DESTROY, id, 0, 0), 0, "destroy uvm0");
	EXPECT(hvc(TESSERA_HC_VM_DESTROY, id, 0, 0), -ENOENT,
	       "destroy uvm0 twice");
	unchanged(id, TESSERA_VM_STATE_EMPTY, 0, "uvm0 empty again, nothing mapped");
out:
	pr_info("hvc-check: %u passed, %u failed\n", passed, failed);
	kfree(info);
	kfree(c);
	free_page((unsigned long)r);
	free_page((unsigned long)page);
	return 0;
}

static void __exit hvc_check_exit(void)
{
}

module_init(hvc_check_init);
module_exit(hvc_check_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Tessera: the hypervisor's checks of Service-VM hypercalls");
