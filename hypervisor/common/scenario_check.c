/* SPDX-License-Identifier: BSD-3-Clause */
#include <config.h>
#include <lib/format.h>
#include <lib/range.h>
#include <scenario_check.h>
#include <scheduler.h>

#define PAGE 0x1000ull

static unsigned popcount64(uint64_t v)
{
	unsigned n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

static int check_region(const struct scenario_config *sc,
			const struct platform_info *plat,
			const struct vm_config *vm, unsigned r, char *err,
			size_t errlen)
{
	const struct mem_region_config *m = &vm->mem[r];

	if (!m->size || !IS_ALIGNED(m->gpa | m->hpa | m->size, PAGE) ||
	    m->hpa + m->size < m->hpa || m->gpa + m->size < m->gpa) {
		fmt_snprintf(err, errlen, "vm %s: memory[%u] hpa 0x%llx size "
			     "0x%llx is empty, unaligned or wraps", vm->name, r,
			     (unsigned long long)m->hpa,
			     (unsigned long long)m->size);
		return -1;
	}
	if (!range_inside(m->hpa, m->size, plat->ram_base, plat->ram_size)) {
		fmt_snprintf(err, errlen, "vm %s: memory[%u] 0x%llx+0x%llx is "
			     "outside RAM 0x%llx+0x%llx", vm->name, r,
			     (unsigned long long)m->hpa,
			     (unsigned long long)m->size,
			     (unsigned long long)plat->ram_base,
			     (unsigned long long)plat->ram_size);
		return -1;
	}
	if (range_overlaps(m->hpa, m->size, sc->hv_base, sc->hv_size)) {
		fmt_snprintf(err, errlen, "vm %s: memory[%u] at 0x%llx overlaps "
			     "the hypervisor", vm->name, r,
			     (unsigned long long)m->hpa);
		return -1;
	}
	for (unsigned q = 0; q < r; q++) {
		if (range_overlaps(m->gpa, m->size, vm->mem[q].gpa,
				   vm->mem[q].size)) {
			fmt_snprintf(err, errlen, "vm %s: memory[%u] and "
				     "memory[%u] overlap in guest-physical "
				     "space", vm->name, q, r);
			return -1;
		}
	}
	return 0;
}

/*
 * The pCPUs a scheduler shares between vCPUs. Two VMs may overlap only
 * there: on a noop pCPU the second VM's vCPU would never run.
 */
static uint64_t shared_pcpus(const struct scenario_config *sc)
{
	uint64_t m = 0;

	for (unsigned p = 0; p < sc->pcpu_count && p < 64; p++)
		if (sc->pcpu_policy && sc->pcpu_policy[p] == SCHED_PRIO_RR)
			m |= 1ull << p;
	return m;
}

static unsigned lowest_bit(uint64_t v)
{
	unsigned n = 0;

	while (!(v & 1)) {
		v >>= 1;
		n++;
	}
	return n;
}

/* Host-physical overlap between two VMs' memory. */
static bool vms_share_memory(const struct vm_config *a,
			     const struct vm_config *b)
{
	for (unsigned i = 0; i < a->mem_region_count; i++)
		for (unsigned j = 0; j < b->mem_region_count; j++)
			if (range_overlaps(a->mem[i].hpa, a->mem[i].size,
				     b->mem[j].hpa, b->mem[j].size))
				return true;
	return false;
}

static bool gpa_in_vm(const struct vm_config *vm, uint64_t gpa, uint64_t size)
{
	for (unsigned r = 0; r < vm->mem_region_count; r++)
		if (range_inside(gpa, size, vm->mem[r].gpa, vm->mem[r].size))
			return true;
	return false;
}

static bool gpa_touches_vm(const struct vm_config *vm, uint64_t gpa,
			   uint64_t size)
{
	for (unsigned r = 0; r < vm->mem_region_count; r++)
		if (range_overlaps(gpa, size, vm->mem[r].gpa, vm->mem[r].size))
			return true;
	return false;
}

/*
 * DMA masters: one the SMMU confines needs an SMMU and stream IDs; one
 * nothing confines only with the VM's explicit opt-in (the config tool lets
 * only the Service VM have it).
 */
static int check_dma(const struct scenario_config *sc,
		     const struct vm_config *vm, char *err, size_t errlen)
{
	for (unsigned d = 0; d < vm->device_count; d++) {
		const struct device_config *dev = &vm->devices[d];

		if (dev->irq_count > SCENARIO_MAX_DEVICE_IRQS) {
			fmt_snprintf(err, errlen, "vm %s: device %s has %u "
				     "interrupts (limit %u)", vm->name,
				     dev->name, dev->irq_count,
				     SCENARIO_MAX_DEVICE_IRQS);
			return -1;
		}
		if (dev->dma == DEVICE_DMA_UNCONFINED &&
		    !(vm->flags & VM_FLAG_DMA_UNCONFINED)) {
			fmt_snprintf(err, errlen, "vm %s: device %s is a DMA "
				     "master no IOMMU confines, and the VM has "
				     "not opted in to unconfined DMA",
				     vm->name, dev->name);
			return -1;
		}
		if (dev->dma == DEVICE_DMA_SMMU &&
		    (!sc->board->smmu_base || !dev->stream_count ||
		     dev->stream_base + dev->stream_count < dev->stream_base)) {
			fmt_snprintf(err, errlen, "vm %s: device %s: DMA through "
				     "an SMMU, but the board has none or the "
				     "device no stream IDs", vm->name, dev->name);
			return -1;
		}
	}
	return 0;
}

static int check_vm(const struct scenario_config *sc,
		    const struct platform_info *plat, unsigned i, char *err,
		    size_t errlen)
{
	const struct vm_config *vm = &sc->vms[i];
	uint64_t present = plat->cpu_count >= 64 ? ~0ull
						 : (1ull << plat->cpu_count) - 1;

	if (!vm->name || !vm->name[0]) {
		fmt_snprintf(err, errlen, "vm %u has no name", i);
		return -1;
	}
	/* A post-launched slot has its pCPUs (and its vCPUs on them) from
	 * boot, its memory only at run time. */
	if (!vm->pcpu_mask || vm->pcpu_mask & ~present) {
		fmt_snprintf(err, errlen, "vm %s: pCPU mask 0x%llx does not fit "
			     "the %u pCPUs of this machine", vm->name,
			     (unsigned long long)vm->pcpu_mask, plat->cpu_count);
		return -1;
	}
	if (vm->vcpu_count != popcount64(vm->pcpu_mask) ||
	    vm->vcpu_count > CONFIG_MAX_VCPUS_PER_VM) {
		fmt_snprintf(err, errlen, "vm %s: %u vCPUs for pCPU mask 0x%llx "
			     "(limit %u)", vm->name, vm->vcpu_count,
			     (unsigned long long)vm->pcpu_mask,
			     CONFIG_MAX_VCPUS_PER_VM);
		return -1;
	}
	for (unsigned j = 0; j < i; j++) {
		const struct vm_config *other = &sc->vms[j];
		uint64_t clash = vm->pcpu_mask & other->pcpu_mask &
				 ~shared_pcpus(sc);

		if (clash) {
			fmt_snprintf(err, errlen, "vm %s: pCPU mask 0x%llx "
				     "shares pCPU %u with vm %s, and no "
				     "scheduler runs there", vm->name,
				     (unsigned long long)vm->pcpu_mask,
				     lowest_bit(clash), other->name);
			return -1;
		}
	}
	if (check_dma(sc, vm, err, errlen) < 0)
		return -1;
	if (vm->kind == VM_KIND_POST_LAUNCHED)
		return 0; /* its memory comes from its device model */
	if (!vm->mem_region_count ||
	    vm->mem_region_count > SCENARIO_MAX_MEM_REGIONS) {
		fmt_snprintf(err, errlen, "vm %s: %u memory regions", vm->name,
			     vm->mem_region_count);
		return -1;
	}
	for (unsigned r = 0; r < vm->mem_region_count; r++)
		if (check_region(sc, plat, vm, r, err, errlen) < 0)
			return -1;
	if (!gpa_in_vm(vm, vm->entry, 4)) {
		fmt_snprintf(err, errlen, "vm %s: entry 0x%llx is not in its "
			     "memory", vm->name, (unsigned long long)vm->entry);
		return -1;
	}
	if (vm->vuart_gpa && gpa_touches_vm(vm, vm->vuart_gpa, PAGE)) {
		fmt_snprintf(err, errlen, "vm %s: vUART at 0x%llx overlaps its "
			     "memory", vm->name,
			     (unsigned long long)vm->vuart_gpa);
		return -1;
	}
	for (unsigned j = 0; j < i; j++) {
		const struct vm_config *other = &sc->vms[j];

		if (other->kind == VM_KIND_POST_LAUNCHED)
			continue;
		if (vms_share_memory(vm, other)) {
			fmt_snprintf(err, errlen, "vm %s: memory overlaps vm %s",
				     vm->name, other->name);
			return -1;
		}
	}
	return 0;
}

int scenario_check(const struct scenario_config *sc,
		   const struct platform_info *plat, char *err, size_t errlen)
{
	if (!sc->vm_count || sc->vm_count > CONFIG_MAX_VMS) {
		fmt_snprintf(err, errlen, "scenario %s: %u VMs (limit %u)",
			     sc->name, sc->vm_count, CONFIG_MAX_VMS);
		return -1;
	}
	if (!range_inside(sc->hv_base, sc->hv_size, plat->ram_base,
			  plat->ram_size)) {
		fmt_snprintf(err, errlen, "scenario %s: hypervisor memory "
			     "0x%llx+0x%llx is outside RAM 0x%llx+0x%llx",
			     sc->name, (unsigned long long)sc->hv_base,
			     (unsigned long long)sc->hv_size,
			     (unsigned long long)plat->ram_base,
			     (unsigned long long)plat->ram_size);
		return -1;
	}
	/* The loader puts a kernel Image (2 MiB aligned) at the store's base
	 * and the initrd follows at a 2 MiB boundary. */
	if (sc->image_store_size &&
	    (!IS_ALIGNED(sc->image_store_base | sc->image_store_size, SZ_2M) ||
	     !range_inside(sc->image_store_base, sc->image_store_size,
			   sc->hv_base, sc->hv_size))) {
		fmt_snprintf(err, errlen, "scenario %s: image store 0x%llx+0x%llx "
			     "is not 2 MiB aligned inside the hypervisor's memory",
			     sc->name, (unsigned long long)sc->image_store_base,
			     (unsigned long long)sc->image_store_size);
		return -1;
	}
	for (unsigned i = 0; i < sc->vm_count; i++)
		if (check_vm(sc, plat, i, err, errlen) < 0)
			return -1;
	return 0;
}
