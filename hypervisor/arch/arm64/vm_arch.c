/* SPDX-License-Identifier: BSD-3-Clause */
/* A VM on arm64: stage 2, the virtual GIC and its registers (arch.h). */
#include <arch.h>
#include <arm64_irq.h>
#include <arm64_vm.h>
#include <gicv3.h>
#include <io_emul.h>
#include <log.h>
#include <scenario.h>
#include <vgic.h>
#include <vm.h>

/* The vGIC sits where the board's GIC is, so guests use the usual addresses. */
static int register_vgic(struct vm *vm)
{
	const struct board_config *b = vm->board;
	struct vgic *vgic = &vm->arch.vgic;
	int ret;

	ret = vgic_init(vgic, vm->vcpu_count, vm_name(vm));
	for (unsigned i = 0; !ret && i < vm->vcpu_count; i++) {
		ret = vgic_cpu_init(vgic, i, &vm->vcpus[i].arch.vgic);
		/* Each vCPU's EL1 timers are its pCPU's PPIs, forwarded. */
		if (!ret)
			ret = vgic_map_hw(vgic, i, PPI_VTIMER, PPI_VTIMER);
		if (!ret)
			ret = vgic_map_hw(vgic, i, PPI_PTIMER, PPI_PTIMER);
	}
	if (!ret)
		ret = io_register(vm_io(vm), IO_SPACE_MMIO, b->gicd_base,
				  TESSERA_VGIC_GICD_SIZE, vgic_dist_access, vgic,
				  "vgic-dist");
	/* The board's whole redistributor window is the GIC's: frames past
	 * the last vCPU are RAZ/WI there (vgic_redist_access), never an
	 * unassigned access nor one forwarded to a device model. */
	if (!ret)
		ret = io_register(vm_io(vm), IO_SPACE_MMIO, b->gicr_base,
				  b->gicr_size > VGIC_GICR_SIZE(vm->vcpu_count)
					  ? b->gicr_size
					  : VGIC_GICR_SIZE(vm->vcpu_count),
				  vgic_redist_access, vgic, "vgic-redist");
	if (ret < 0)
		log_err("vm %s: cannot register the virtual GIC (error %d)",
			vm_name(vm), ret);
	vm->arch.vgic_registered = !ret;
	return ret;
}

int arch_vm_init(struct vm *vm)
{
	int ret = arm64_stage2_init(vm);

	if (!ret)
		ret = arm64_dma_init(vm);
	if (!ret)
		ret = register_vgic(vm);
	if (!ret)
		arm64_irq_claim_spis(vm);
	return ret;
}

void arch_vm_reset(struct vm *vm)
{
	/* Interrupt state must not leak into the next run (enables, pending,
	 * routing); forwarded interrupts left active are deactivated. */
	vgic_reset(&vm->arch.vgic);
	arm64_stage2_flush(vm);
}

void arch_vm_log_summaries(struct vm *vm)
{
	vgic_log_summaries(&vm->arch.vgic);
}

void arch_vm_teardown(struct vm *vm)
{
	const struct board_config *b = vm->board;

	if (vm->arch.vgic_registered) {
		io_unregister(vm_io(vm), IO_SPACE_MMIO, b->gicd_base);
		io_unregister(vm_io(vm), IO_SPACE_MMIO, b->gicr_base);
		vm->arch.vgic_registered = false;
	}
	vgic_reset(&vm->arch.vgic);
	arm64_irq_release_spis(vm);
	arm64_dma_teardown(vm); /* before its tables go back to the pool */
	arm64_stage2_teardown(vm);
}

void arch_vm_set_irq_level(struct vm *vm, unsigned intid, bool level)
{
	vgic_set_level(&vm->arch.vgic, 0, intid, level);
}

void arch_vm_irq_edge(struct vm *vm, unsigned intid)
{
	vgic_inject_edge(&vm->arch.vgic, 0, intid);
}

bool arch_vm_irq_is_free(const struct vm *vm, unsigned intid)
{
	if (intid < VGIC_NR_PRIVATE || intid >= VGIC_NR_IRQS)
		return false;
	if (vm->cfg->vuart_gpa && intid == VUART_INTID)
		return false;
	for (unsigned d = 0; d < vm->cfg->device_count; d++)
		if (device_config_has_irq(&vm->cfg->devices[d], intid))
			return false;
	return true;
}
