/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A VM's DMA (arm64_vm.h): its devices behind the SMMU see exactly its
 * memory, at its guest-physical addresses, through stage-1 tables that map
 * what its stage 2 maps as RAM (QEMU 7.2's SMMUv3 has no stage 2; with one,
 * the VM's stage-2 tables could be shared instead). Devices no IOMMU
 * confines reach all of memory: the scenario must have opted in, and the
 * boot log says what that voids.
 */
#include <arm64_vm.h>
#include <log.h>
#include <scenario.h>
#include <smmuv3.h>
#include <sysreg.h>
#include <vm.h>

static bool has_dma(const struct vm *vm, enum device_dma kind)
{
	for (unsigned d = 0; d < vm->cfg->device_count; d++)
		if (vm->cfg->devices[d].dma == kind)
			return true;
	return false;
}

static int build_tables(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	struct arch_vm *a = &vm->arch;
	int ret = pgtable_init(&a->dma_s1, &a->s2_pool, PGTABLE_SMMU_STAGE1);

	for (unsigned r = 0; !ret && r < cfg->mem_region_count; r++)
		ret = s2_map(&a->dma_s1, cfg->mem[r].gpa, cfg->mem[r].hpa,
			     cfg->mem[r].size, S2_READ | S2_WRITE);
	dsb(ishst);
	if (ret < 0)
		log_err("vm %s: cannot build its DMA tables (error %d)",
			vm_name(vm), ret);
	return ret;
}

int arm64_dma_init(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	int ret = 0;

	for (unsigned d = 0; d < cfg->device_count; d++)
		if (cfg->devices[d].dma == DEVICE_DMA_UNCONFINED)
			log_warn("vm %s: device %s is a DMA master no IOMMU "
				 "confines: isolation of the hypervisor's and "
				 "other VMs' memory from this VM is void",
				 vm_name(vm), cfg->devices[d].name);
	if (!has_dma(vm, DEVICE_DMA_SMMU))
		return 0;
	ret = build_tables(vm);
	for (unsigned d = 0; !ret && d < cfg->device_count; d++) {
		const struct device_config *dev = &cfg->devices[d];

		if (dev->dma != DEVICE_DMA_SMMU)
			continue;
		ret = smmuv3_attach(dev->stream_base, dev->stream_count, vm->id,
				    &vm->arch.dma_s1, vm_name(vm));
		if (ret < 0)
			log_err("vm %s: device %s: cannot confine its DMA "
				"(streams 0x%x+%u, error %d)", vm_name(vm),
				dev->name, dev->stream_base, dev->stream_count,
				ret);
		else
			log_info("vm %s: device %s: DMA confined to its memory "
				 "by the SMMU (streams 0x%x..0x%x)", vm_name(vm),
				 dev->name, dev->stream_base,
				 dev->stream_base + dev->stream_count - 1);
	}
	return ret;
}

void arm64_dma_teardown(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;

	for (unsigned d = 0; d < cfg->device_count; d++)
		if (cfg->devices[d].dma == DEVICE_DMA_SMMU)
			smmuv3_detach(cfg->devices[d].stream_base,
				      cfg->devices[d].stream_count, vm->id);
	vm->arch.dma_s1.root = NULL;
}
