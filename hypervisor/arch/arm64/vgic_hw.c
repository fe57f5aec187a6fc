/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The GICv3 virtual CPU interface (ICH_*_EL2) around a vCPU: the list
 * registers are folded into the vGIC's state after an exit and refilled
 * before an entry, but only when they can have changed (doc/vgic.rst, "The
 * lean path"): no list register in use means nothing to read at exit, and
 * nothing new for the vCPU means nothing to write at entry. The rest of the
 * interface (ICH_VMCR_EL2, the active priorities) is the vCPU's context,
 * saved and restored with it on a switch.
 */
#include <arch.h>
#include <arch_cpu.h>
#include <config.h>
#include <arm64_cpu.h>
#include <arm64_timer.h>
#include <vgic_hw.h>
#include <gicv3.h>
#include <gicv3_dist.h>
#include <pcpu.h>
#include <sysreg.h>
#include <vgic.h>
#include <vm.h>

#define ICH_HCR_EN BIT(0)
#define ICH_HCR_UIE BIT(1) /* maintenance IRQ when at most one LR is valid */
#define MAX_LRS 16

static unsigned nr_lrs;   /* the same on every pCPU of a board */
static unsigned nr_aprs;  /* ICH_AP{0,1}R<n>_EL2 registers in use */

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

/* ICH_AP0R<n>_EL2 is S3_4_C12_C8_n, ICH_AP1R<n>_EL2 S3_4_C12_C9_n. */
#define APR_CASE(n)                                                            \
	case n:                                                                \
		if (write) {                                                   \
			write_sysreg(S3_4_C12_C8_##n, ap0[n]);                 \
			write_sysreg(S3_4_C12_C9_##n, ap1[n]);                 \
		} else {                                                       \
			ap0[n] = read_sysreg(S3_4_C12_C8_##n);                 \
			ap1[n] = read_sysreg(S3_4_C12_C9_##n);                 \
		}                                                              \
		break;

static void aprs_access(bool write, uint64_t *ap0, uint64_t *ap1)
{
	for (unsigned n = 0; n < nr_aprs; n++) {
		switch (n) {
			APR_CASE(0) APR_CASE(1) APR_CASE(2) APR_CASE(3)
		}
	}
}

void arm64_vgic_cpu_init(void)
{
	uint64_t vtr = read_sysreg(S3_4_C12_C11_1); /* ICH_VTR_EL2 */
	unsigned pri_bits = (unsigned)((vtr >> 29) & 7) + 1;

	nr_lrs = (unsigned)(vtr & 0x1f) + 1;
	if (nr_lrs > MAX_LRS)
		nr_lrs = MAX_LRS;
	/* 5 priority bits: one APR; 6: two; 7: four. */
	nr_aprs = pri_bits >= 7 ? 4 : pri_bits == 6 ? 2 : 1;
	for (unsigned i = 0; i < nr_lrs; i++)
		lr_access(i, true, 0);
	write_sysreg(S3_4_C12_C11_7, 0); /* ICH_VMCR_EL2 */
	write_sysreg(S3_4_C12_C11_0, 0); /* ICH_HCR_EL2: enabled at load */
	isb();
}

static struct vgic *vgic_of(struct vcpu *v)
{
	return &v->vm->arch.vgic;
}

void arm64_vgic_exit(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;
	uint32_t used = vgic_lrs_used(&a->vgic), freed;

	if (!used && !a->vgic_uie)
		return; /* nothing the guest could have changed */
	for (uint32_t m = used; m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);

		a->lrs[i] = lr_access(i, false, 0);
	}
	freed = vgic_sync_lrs(vgic_of(v), v->id, a->lrs, nr_lrs);
	/* A completed list register may hold a maintenance condition (EOI);
	 * underflow may hold one too: neither may stay while this pCPU waits
	 * at EL2, or the maintenance interrupt fires for good. */
	for (; freed; freed &= freed - 1) {
		unsigned i = (unsigned)__builtin_ctz(freed);

		a->lrs[i] = 0;
		lr_access(i, true, 0);
	}
	if (a->vgic_uie) {
		a->vgic_uie = false;
		write_sysreg(S3_4_C12_C11_0, ICH_HCR_EN);
	}
}

void arm64_vgic_enter(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;
	uint32_t written;
	bool overflow;

	if (!vgic_needs_flush(&a->vgic))
		return; /* the list registers are right as they are */
	overflow = vgic_flush_lrs(vgic_of(v), v->id, a->lrs, nr_lrs, &written);
	/* A changed LR is written, a zero included. */
	for (; written; written &= written - 1) {
		unsigned i = (unsigned)__builtin_ctz(written);

		lr_access(i, true, a->lrs[i]);
	}
	if (overflow != a->vgic_uie) {
		a->vgic_uie = overflow;
		write_sysreg(S3_4_C12_C11_0,
			     ICH_HCR_EN | (overflow ? ICH_HCR_UIE : 0));
	}
	isb();
}

void arm64_vgic_load(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;

	for (unsigned i = 0; i < nr_lrs; i++)
		lr_access(i, true, a->lrs[i]);
	aprs_access(true, a->cpuif.ap0r, a->cpuif.ap1r);
	write_sysreg(S3_4_C12_C11_7, a->cpuif.vmcr);
	write_sysreg(S3_4_C12_C11_0, ICH_HCR_EN | (a->vgic_uie ? ICH_HCR_UIE : 0));
}

void arm64_vgic_put(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;

	/* The exit already read the LRs in use; the others hold 0. */
	a->cpuif.vmcr = read_sysreg(S3_4_C12_C11_7);
	aprs_access(false, a->cpuif.ap0r, a->cpuif.ap1r);
	write_sysreg(S3_4_C12_C11_0, 0);
	for (unsigned i = 0; i < nr_lrs; i++)
		if (a->lrs[i])
			lr_access(i, true, 0);
}

void arm64_vgic_vcpu_reset(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;

	for (unsigned i = 0; i < MAX_LRS; i++)
		a->lrs[i] = 0;
	a->vgic_uie = false;
	a->cpuif = (struct arm64_cpuif_regs){0};
	/* Calls vgic_arch_hw_deactivate for what the guest left active. */
	vgic_vcpu_reset(vgic_of(v), v->id);
}

bool arch_vcpu_has_interrupt(struct vcpu *v)
{
	return vgic_vcpu_has_pending(vgic_of(v), v->id);
}

/* ---- hooks the vGIC calls ---- */

static struct vm *vgic_vm(struct vgic *vgic)
{
	return (struct vm *)((char *)vgic - __builtin_offsetof(struct vm, arch.vgic));
}

void vgic_arch_kick(struct vgic *vgic, unsigned vcpu_id)
{
	struct vm *vm = vgic_vm(vgic);

	if (vcpu_id < vm->vcpu_count)
		vcpu_kick(&vm->vcpus[vcpu_id]);
}

void vgic_arch_hw_enable(unsigned pintid, bool enable)
{
	gicv3_spi_enable(pintid, enable);
}

void vgic_arch_hw_route(struct vgic *vgic, unsigned pintid, unsigned vcpu_id)
{
	struct vm *vm = vgic_vm(vgic);

	if (vcpu_id < vm->vcpu_count)
		gicv3_spi_route(pintid, vm->vcpus[vcpu_id].pcpu->arch.mpidr);
}

/* A forwarded interrupt the guest never completed (reset, ICACTIVER)
 * stays active in the physical GIC: deactivate it, or it would never fire
 * again. A PPI's activation belongs to the vCPU: in its pCPU's
 * redistributor while it is loaded there, in its saved context otherwise. */
void vgic_arch_hw_deactivate(struct vgic *vgic, unsigned vcpu_id,
			     unsigned pintid)
{
	struct vm *vm = vgic_vm(vgic);
	struct vcpu *v = vcpu_id < vm->vcpu_count ? &vm->vcpus[vcpu_id] : NULL;

	if (pintid >= 32) {
		gicv3_spi_deactivate(pintid);
	} else if (v && v->pcpu->loaded == v) {
		gicv3_ppi_deactivate(v->pcpu, pintid);
	} else if (v) {
		if (pintid == PPI_VTIMER)
			v->arch.timer.vtimer_active = false;
		else if (pintid == PPI_PTIMER)
			v->arch.timer.ptimer_active = false;
	}
}

bool vgic_arch_hw_line(struct vgic *vgic, unsigned vcpu_id, unsigned pintid,
		       bool *level)
{
	struct vm *vm = vgic_vm(vgic);

	if (pintid >= 32) {
		*level = gicv3_spi_pending(pintid);
		return true;
	}
	return vcpu_id < vm->vcpu_count &&
	       arm64_timer_line(&vm->vcpus[vcpu_id], pintid, level);
}

void vgic_arch_hw_config(unsigned pintid, bool level)
{
	gicv3_spi_set_level_triggered(pintid, level);
}
