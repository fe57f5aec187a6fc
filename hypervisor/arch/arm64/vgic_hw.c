/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The GICv3 virtual CPU interface (ICH_*_EL2) around a running vCPU: the
 * list registers are folded into the vGIC's state after every exit and
 * refilled before every entry. Each vCPU owns its pCPU, so the interface's
 * other state (ICH_VMCR_EL2, the guest's priority mask and enables) simply
 * stays in the hardware and is only reset with the vCPU.
 */
#include <arch.h>
#include <arch_cpu.h>
#include <config.h>
#include <arm64_cpu.h>
#include <arm64_irq.h>
#include <gicv3.h>
#include <sysreg.h>
#include <vgic.h>
#include <vm.h>

#define ICH_HCR_EN BIT(0)
#define ICH_HCR_UIE BIT(1) /* maintenance IRQ when at most one LR is valid */
#define MAX_LRS 16

static unsigned nr_lrs; /* the same on every pCPU of a board */
/* What this pCPU's list registers hold: read at exit, kept until the entry
 * (the guest is not running, nothing changes them), so they are read from
 * the hardware once per round trip and only changed ones are written. */
static uint64_t lr_shadow[CONFIG_MAX_PCPUS][MAX_LRS];

#define LR_CASE(n, crm, op2)                                                   \
	case n:                                                                \
		if (write)                                                     \
			write_sysreg(S3_4_C12_##crm##_##op2, value);           \
		else                                                           \
			value = read_sysreg(S3_4_C12_##crm##_##op2);           \
		break;

static uint64_t lr_access(unsigned n, bool write, uint64_t value)
{
	switch (n) {
		LR_CASE(0, C12, 0) LR_CASE(1, C12, 1) LR_CASE(2, C12, 2)
		LR_CASE(3, C12, 3) LR_CASE(4, C12, 4) LR_CASE(5, C12, 5)
		LR_CASE(6, C12, 6) LR_CASE(7, C12, 7) LR_CASE(8, C13, 0)
		LR_CASE(9, C13, 1) LR_CASE(10, C13, 2) LR_CASE(11, C13, 3)
		LR_CASE(12, C13, 4) LR_CASE(13, C13, 5) LR_CASE(14, C13, 6)
		LR_CASE(15, C13, 7)
	}
	return value;
}

static void clear_lrs(void)
{
	for (unsigned i = 0; i < nr_lrs; i++) {
		lr_access(i, true, 0);
		lr_shadow[cpu_id()][i] = 0;
	}
}

void arm64_vgic_cpu_init(void)
{
	uint64_t vtr = read_sysreg(S3_4_C12_C11_1); /* ICH_VTR_EL2 */

	nr_lrs = (unsigned)(vtr & 0x1f) + 1;
	if (nr_lrs > MAX_LRS)
		nr_lrs = MAX_LRS;
	clear_lrs();
	write_sysreg(S3_4_C12_C11_7, 0); /* ICH_VMCR_EL2 */
	write_sysreg(S3_4_C12_C11_0, 0); /* ICH_HCR_EL2: enabled at entry */
	isb();
}

void arm64_vgic_exit(struct vcpu *vcpu)
{
	uint64_t *lrs = lr_shadow[cpu_id()];

	for (unsigned i = 0; i < nr_lrs; i++)
		lrs[i] = lr_access(i, false, 0);
	vgic_sync_lrs(&vcpu->vm->arch.vgic, vcpu->id, lrs, nr_lrs);
	/*
	 * Until the next entry the list registers are stale: one the guest just
	 * completed would keep the maintenance interrupt asserted all the time
	 * this pCPU waits at EL2 (a trapped WFI), and at equal priority PPI 25
	 * wins over the timer's PPI 27 for good. A disabled interface signals
	 * no maintenance interrupts.
	 */
	write_sysreg(S3_4_C12_C11_0, 0); /* ICH_HCR_EL2 */
	isb();
}

void arm64_vgic_enter(struct vcpu *vcpu)
{
	uint64_t *lrs = lr_shadow[cpu_id()];
	uint64_t old[MAX_LRS];
	bool overflow;

	for (unsigned i = 0; i < nr_lrs; i++)
		old[i] = lrs[i];
	overflow = vgic_flush_lrs(&vcpu->vm->arch.vgic, vcpu->id, lrs, nr_lrs);
	/* A changed LR is written, a zero included: it clears a completed
	 * entry's pending EOI maintenance condition. */
	for (unsigned i = 0; i < nr_lrs; i++)
		if (lrs[i] != old[i])
			lr_access(i, true, lrs[i]);
	write_sysreg(S3_4_C12_C11_0, ICH_HCR_EN | (overflow ? ICH_HCR_UIE : 0));
	isb();
}

void arm64_vgic_vcpu_reset(struct vcpu *vcpu)
{
	clear_lrs();
	write_sysreg(S3_4_C12_C11_7, 0);
	isb();
	/* Calls vgic_arch_hw_deactivate for what the guest left active. */
	vgic_vcpu_reset(&vcpu->vm->arch.vgic, vcpu->id);
	gicv3_ppi_enable(PPI_VTIMER, true);
	gicv3_ppi_enable(PPI_PTIMER, true);
}

bool arm64_vgic_has_pending(struct vcpu *vcpu)
{
	return vgic_vcpu_has_pending(&vcpu->vm->arch.vgic, vcpu->id);
}

/* ---- hooks the vGIC calls ---- */

static struct vm *vgic_vm(struct vgic *vgic)
{
	return (struct vm *)((char *)vgic - __builtin_offsetof(struct vm, arch.vgic));
}

void vgic_arch_kick(struct vgic *vgic, unsigned vcpu_id)
{
	struct vm *vm = vgic_vm(vgic);
	struct vcpu *target = &vm->vcpus[vcpu_id];

	if (target != vcpu_current())
		arch_pcpu_kick(target->pcpu);
}

void vgic_arch_hw_enable(unsigned pintid, bool enable)
{
	gicv3_spi_enable(pintid, enable);
}

void vgic_arch_hw_route(struct vgic *vgic, unsigned pintid, unsigned vcpu_id)
{
	struct vm *vm = vgic_vm(vgic);

	if (vcpu_id < vm->vcpu_count)
		gicv3_spi_route(pintid, arm64_pcpu_mpidr(vm->vcpus[vcpu_id].pcpu));
}

/* A forwarded interrupt the guest never completed (vCPU reset) stays active
 * in the physical GIC: deactivate it, or it would never fire again. */
void vgic_arch_hw_deactivate(struct vgic *vgic, unsigned vcpu_id,
			     unsigned pintid)
{
	struct vm *vm = vgic_vm(vgic);
	unsigned pcpu = vcpu_id < vm->vcpu_count ? vm->vcpus[vcpu_id].pcpu
						 : CONFIG_MAX_PCPUS;

	gicv3_clear_active(pcpu, pintid);
}

void vgic_arch_hw_config(unsigned pintid, bool level)
{
	gicv3_spi_set_level_triggered(pintid, level);
}
