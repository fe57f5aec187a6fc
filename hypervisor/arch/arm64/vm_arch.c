/* SPDX-License-Identifier: BSD-3-Clause */
/* Creating a VM on arm64: stage 2, the virtual GIC and its registers. */
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
	const struct board_config *b = tessera_scenario.board;
	int ret;

	ret = vgic_init(&vm->arch.vgic, vm->vcpu_count);
	for (unsigned i = 0; !ret && i < vm->vcpu_count; i++) {
		ret = vgic_cpu_init(&vm->arch.vgic, i, &vm->vcpus[i].arch.vgic);
		/* Each vCPU's EL1 timers are its pCPU's PPIs, forwarded. */
		if (!ret)
			ret = vgic_map_hw(&vm->arch.vgic, i, PPI_VTIMER, PPI_VTIMER);
		if (!ret)
			ret = vgic_map_hw(&vm->arch.vgic, i, PPI_PTIMER, PPI_PTIMER);
	}
	if (!ret)
		ret = io_register(vm_io(vm), IO_SPACE_MMIO, b->gicd_base, VGIC_GICD_SIZE,
			  vgic_dist_access, &vm->arch.vgic, "vgic-dist");
	if (!ret)
		ret = io_register(vm_io(vm), IO_SPACE_MMIO, b->gicr_base,
				  VGIC_GICR_SIZE(vm->vcpu_count),
				  vgic_redist_access, &vm->arch.vgic,
				  "vgic-redist");
	if (ret < 0)
		log_err("vm %s: cannot register the virtual GIC (error %d)",
			vm_name(vm), ret);
	return ret;
}

int arch_vm_init(struct vm *vm)
{
	int ret = arm64_stage2_init(vm);

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
}

void arch_vm_set_irq_level(struct vm *vm, unsigned intid, bool level)
{
	vgic_set_level(&vm->arch.vgic, 0, intid, level);
}
