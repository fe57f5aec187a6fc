/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A VM's stage-2 translation: its memory and passthrough devices, nothing
 * else. Table pages come from the VM's slice of the scenario's table pool
 * (sized by the config tool), so building never allocates.
 */
#include <arm64_vm.h>
#include <arch.h>
#include <config.h>
#include <errno.h>
#include <log.h>
#include <sysreg.h>
#include <uapi/tessera_hypercall.h>
#include <vm.h>

#define VTCR_T0SZ 25 /* 39-bit IPA */
#define VTCR_SL0_LEVEL1 (1ull << 6)
#define VTCR_IRGN0_WBWA (1ull << 8)
#define VTCR_ORGN0_WBWA (1ull << 10)
#define VTCR_SH0_INNER (3ull << 12)
#define VTCR_PS_SHIFT 16
#define VTCR_RES1 BIT(31)
#define VTTBR_VMID_SHIFT 48

void arm64_stage2_cpu_init(void)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	write_sysreg(vtcr_el2, VTCR_RES1 | (parange > 5 ? 5 : parange)
						    << VTCR_PS_SHIFT |
				       VTCR_SH0_INNER | VTCR_ORGN0_WBWA |
				       VTCR_IRGN0_WBWA | VTCR_SL0_LEVEL1 |
				       VTCR_T0SZ);
	isb();
}

static int map_or_log(struct vm *vm, const char *what, uint64_t ipa,
		      uint64_t pa, uint64_t size, unsigned flags)
{
	int ret = s2_map(&vm->arch.s2, ipa, pa, size, flags);

	if (ret < 0)
		log_err("vm %s: stage 2: cannot map %s 0x%llx+0x%llx (error %d)",
			vm_name(vm), what, (unsigned long long)ipa,
			(unsigned long long)size, ret);
	return ret;
}

/*
 * Devices are mapped by whole pages; small devices (QEMU's virtio-mmio
 * transports are 0x200 bytes) share a page, which is mapped once. The config
 * tool makes sure no page is shared between two VMs.
 */
static int map_device(struct vm *vm, const struct device_config *dev)
{
	uint64_t start = ALIGN_DOWN(dev->base, SZ_4K);
	uint64_t end = ALIGN_UP(dev->base + dev->size, SZ_4K);

	/* Untouched pages (a large window such as a PCI host bridge's) in
	 * one call, so it gets blocks rather than a table per 2 MiB. */
	if (s2_range_unmapped(&vm->arch.s2, start, end - start))
		return map_or_log(vm, dev->name, start, start, end - start,
				  S2_READ | S2_WRITE | S2_DEVICE);
	for (uint64_t page = start; page < end;
	     page += SZ_4K) {
		uint64_t pa;
		unsigned flags;
		int ret;

		if (s2_translate(&vm->arch.s2, page, &pa, &flags) && pa == page &&
		    (flags & S2_DEVICE))
			continue;
		ret = map_or_log(vm, dev->name, page, page, SZ_4K,
				 S2_READ | S2_WRITE | S2_DEVICE);
		if (ret < 0)
			return ret;
	}
	return 0;
}

int arm64_stage2_init(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	struct arch_vm *a = &vm->arch;
	int ret;

	a->vmid = (uint16_t)(vm->id + 1); /* VMID 0 stays unused */
	a->s2_pool = (struct s2_pool){
		(s2_table_t *)(tessera_pt_pool + (size_t)cfg->pt_first * SZ_4K),
		cfg->pt_pages, 0};
	ret = s2_init(&a->s2, &a->s2_pool);
	for (unsigned r = 0; !ret && r < cfg->mem_region_count; r++)
		ret = map_or_log(vm, "memory", cfg->mem[r].gpa, cfg->mem[r].hpa,
				 cfg->mem[r].size, S2_RWX);
	for (unsigned d = 0; !ret && d < cfg->device_count; d++)
		ret = map_device(vm, &cfg->devices[d]);
	dsb(ishst);
	return ret;
}

/* Every translation the VM's VMID may have left in any pCPU's TLB, and
 * instructions it may have left in the caches. */
static void flush_vmid(const struct vm *vm)
{
	uint64_t vttbr = read_sysreg(vttbr_el2);

	dsb(ishst);
	write_sysreg(vttbr_el2, (uint64_t)vm->arch.vmid << VTTBR_VMID_SHIFT);
	isb();
	__asm__ volatile("tlbi vmalls12e1is\n\tic ialluis" ::: "memory");
	dsb(ish);
	write_sysreg(vttbr_el2, vttbr);
	isb();
}

void arm64_stage2_flush(const struct vm *vm)
{
	flush_vmid(vm);
}

void arm64_stage2_teardown(struct vm *vm)
{
	struct arch_vm *a = &vm->arch;

	/* The tables go with the pool: nothing walks them once the TLBs of
	 * the VMID are clean and no vCPU of it is loaded anywhere. */
	flush_vmid(vm);
	a->s2_pool.used = 0;
	a->s2.root = NULL;
}

int arch_vm_map_ram(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size,
		    uint32_t flags)
{
	unsigned s2 = (flags & TESSERA_MEM_READ ? S2_READ : 0) |
		      (flags & TESSERA_MEM_WRITE ? S2_WRITE : 0) |
		      (flags & TESSERA_MEM_EXEC ? S2_EXEC : 0);
	int ret;

	if (!vm->arch.s2.root)
		return -EINVAL;
	ret = s2_map(&vm->arch.s2, gpa, hpa, size, s2);
	dsb(ishst);
	return ret == -ENOSPC ? -ENOMEM : ret;
}

bool arch_vm_translate(const struct vm *vm, uint64_t gpa, uint64_t *hpa)
{
	unsigned flags;

	return vm->arch.s2.root && s2_translate(&vm->arch.s2, gpa, hpa, &flags) &&
	       !(flags & S2_DEVICE);
}

bool arch_vm_range_unmapped(const struct vm *vm, uint64_t gpa, uint64_t size)
{
	return vm->arch.s2.root && s2_range_unmapped(&vm->arch.s2, gpa, size);
}
