/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A vCPU's context on and off its pCPU (arch.h): EL1 system registers,
 * timers, the GIC virtual CPU interface, and FP/SIMD lazily (the first use
 * after a switch traps, then the registers move). One entry and exit of the
 * guest, and post-work.
 */
#include <arch.h>
#include <arch_cpu.h>
#include <arm64_cpu.h>
#include <arm64_exit.h>
#include <arm64_timer.h>
#include <arm64_irq.h>
#include <arm64_trap.h>
#include <gicv3.h>
#include <io_emul.h>
#include <lib/string.h>
#include <pcpu.h>
#include <sysreg.h>
#include <vgic_hw.h>
#include <vm.h>

#define HCR_GUEST                                                              \
	(HCR_VM | HCR_SWIO | HCR_FMO | HCR_IMO | HCR_AMO | HCR_FB |           \
	 HCR_BSU_IS | HCR_TWI | HCR_TSC | HCR_RW)
#define SCTLR_EL1_RESET 0x30d00800ull /* RES1 bits, MMU and caches off */
#define CPTR_EL2_RES1 0x33ffull
#define CPTR_EL2_TFP BIT(10)          /* trap FP/SIMD (lazy switching) */
#define VTTBR_VMID_SHIFT 48
#define CNT_CTL_ENABLE BIT(0)
#define CNT_CTL_IMASK BIT(1)
#define CNT_CTL_ISTATUS BIT(2)

void arm64_fp_save(struct arm64_fp_regs *fp);
void arm64_fp_restore(const struct arm64_fp_regs *fp);

/* EL1 system registers, saved and restored as one list. */
#define EL1_REGS(X)                                                            \
	X(sctlr, sctlr_el1) X(cpacr, cpacr_el1) X(ttbr0, ttbr0_el1)            \
	X(ttbr1, ttbr1_el1) X(tcr, tcr_el1) X(esr, esr_el1)                    \
	X(afsr0, afsr0_el1) X(afsr1, afsr1_el1) X(far, far_el1)                \
	X(mair, mair_el1) X(amair, amair_el1) X(vbar, vbar_el1)                \
	X(contextidr, contextidr_el1) X(cntkctl, cntkctl_el1) X(par, par_el1)  \
	X(mdscr, mdscr_el1) X(sp_el0, sp_el0) X(sp_el1, sp_el1)                \
	X(elr, elr_el1) X(spsr, spsr_el1) X(tpidr_el0, tpidr_el0)              \
	X(tpidrro_el0, tpidrro_el0) X(tpidr_el1, tpidr_el1)                    \
	X(csselr, csselr_el1)

#define SAVE_EL1(field, reg) r->field = read_sysreg(reg);
#define RESTORE_EL1(field, reg) write_sysreg(reg, r->field);

void arch_vcpu_init(struct vcpu *v)
{
	v->arch.vmpidr = BIT(31) | v->id; /* Aff0 = vCPU index */
}

void arch_vcpu_reset(struct vcpu *v, uint64_t pc, const uint64_t args[4])
{
	struct arch_vcpu *a = &v->arch;

	memset(&a->regs, 0, sizeof(a->regs));
	for (unsigned i = 0; i < 4; i++)
		a->regs.x[i] = args[i];
	a->regs.pc = pc;
	a->regs.pstate = PSR_MODE_EL1h | PSR_DAIF;
	memset(&a->el1, 0, sizeof(a->el1));
	a->el1.sctlr = SCTLR_EL1_RESET;
	a->timer = (struct arm64_timer_regs){0};
	memset(&a->fp, 0, sizeof(a->fp));
	/* Whatever this vCPU left in the FP registers is not its any more. */
	if (v->pcpu->arch.fp_owner == v)
		v->pcpu->arch.fp_owner = NULL;
	arm64_vgic_vcpu_reset(v);
}

static void load_timers(struct vcpu *v)
{
	const struct arm64_timer_regs *t = &v->arch.timer;

	write_sysreg(cntv_cval_el0, t->cntv_cval);
	write_sysreg(cntp_cval_el0, t->cntp_cval);
	write_sysreg(cntv_ctl_el0, t->cntv_ctl);
	write_sysreg(cntp_ctl_el0, t->cntp_ctl);
	/* A timer interrupt the guest was handling stays active (it is
	 * hardware-mapped: the guest's deactivation ends it). */
	if (t->vtimer_active)
		gicv3_ppi_activate(v->pcpu, PPI_VTIMER);
	if (t->ptimer_active)
		gicv3_ppi_activate(v->pcpu, PPI_PTIMER);
}

static uint64_t timer_deadline(uint64_t ctl, uint64_t cval)
{
	return (ctl & CNT_CTL_ENABLE) && !(ctl & CNT_CTL_IMASK) ? cval
								: UINT64_MAX;
}

static void put_timers(struct vcpu *v)
{
	struct arm64_timer_regs *t = &v->arch.timer;
	uint64_t vdl, pdl;

	t->cntv_ctl = read_sysreg(cntv_ctl_el0);
	t->cntv_cval = read_sysreg(cntv_cval_el0);
	t->cntp_ctl = read_sysreg(cntp_ctl_el0);
	t->cntp_cval = read_sysreg(cntp_cval_el0);
	/* Off while another context runs: they would fire for the wrong one. */
	write_sysreg(cntv_ctl_el0, 0);
	write_sysreg(cntp_ctl_el0, 0);
	isb();
	t->vtimer_active = gicv3_ppi_active(v->pcpu, PPI_VTIMER);
	t->ptimer_active = gicv3_ppi_active(v->pcpu, PPI_PTIMER);
	if (t->vtimer_active)
		gicv3_ppi_deactivate(v->pcpu, PPI_VTIMER);
	if (t->ptimer_active)
		gicv3_ppi_deactivate(v->pcpu, PPI_PTIMER);
	/* CNTVOFF_EL2 is 0: the virtual count is the counter. */
	vdl = timer_deadline(t->cntv_ctl, t->cntv_cval);
	pdl = timer_deadline(t->cntp_ctl, t->cntp_cval);
	v->sched.timer_deadline = vdl < pdl ? vdl : pdl;
}

static bool timer_fires(uint64_t ctl, uint64_t cval, uint64_t now)
{
	return (ctl & CNT_CTL_ENABLE) && !(ctl & CNT_CTL_IMASK) && now >= cval;
}

bool arm64_timer_line(const struct vcpu *v, unsigned ppi, bool *level)
{
	const struct arm64_timer_regs *t = &v->arch.timer;
	bool vt = ppi == PPI_VTIMER;

	if (ppi != PPI_VTIMER && ppi != PPI_PTIMER)
		return false;
	if (v->pcpu->loaded == v) {
		if (pcpu_this() != v->pcpu)
			return false;
		/* ISTATUS: the condition is met; the line is that, unmasked. */
		uint64_t ctl = vt ? read_sysreg(cntv_ctl_el0)
				  : read_sysreg(cntp_ctl_el0);
		*level = (ctl & (CNT_CTL_ENABLE | CNT_CTL_IMASK |
				 CNT_CTL_ISTATUS)) ==
			 (CNT_CTL_ENABLE | CNT_CTL_ISTATUS);
		return true;
	}
	/* CNTVOFF_EL2 is 0: both timers compare with the counter. */
	*level = vt ? timer_fires(t->cntv_ctl, t->cntv_cval, arch_counter_now())
		    : timer_fires(t->cntp_ctl, t->cntp_cval, arch_counter_now());
	return true;
}

void arch_vcpu_load(struct vcpu *v)
{
	struct arch_vcpu *a = &v->arch;
	const struct arch_vm *avm = &v->vm->arch;
	const struct arm64_el1_regs *r = &a->el1;

	write_sysreg(vpidr_el2, read_sysreg(midr_el1));
	write_sysreg(vmpidr_el2, a->vmpidr);
	write_sysreg(vttbr_el2, (uint64_t)avm->vmid << VTTBR_VMID_SHIFT |
					s2_root_pa(&avm->s2));
	write_sysreg(hcr_el2, HCR_GUEST);
	write_sysreg(cptr_el2, CPTR_EL2_RES1 |
				       (v->pcpu->arch.fp_owner == v ? 0 : CPTR_EL2_TFP));
	EL1_REGS(RESTORE_EL1)
	load_timers(v);
	arm64_vgic_load(v);
	isb();
}

void arch_vcpu_put(struct vcpu *v)
{
	struct arm64_el1_regs *r = &v->arch.el1;

	EL1_REGS(SAVE_EL1)
	put_timers(v);
	arm64_vgic_put(v);
	isb();
}

/* The guest touched FP/SIMD: its registers move in, the last owner's out. */
void arm64_fp_trap(struct vcpu *v)
{
	struct arch_pcpu *ap = &v->pcpu->arch;

	write_sysreg(cptr_el2, CPTR_EL2_RES1);
	isb();
	if (ap->fp_owner != v) {
		if (ap->fp_owner)
			arm64_fp_save(&ap->fp_owner->arch.fp);
		arm64_fp_restore(&v->arch.fp);
		ap->fp_owner = v;
	}
}

void arch_vcpu_run(struct vcpu *v)
{
	uint64_t kind;

	arm64_vgic_enter(v);
	kind = arm64_enter_guest(&v->arch.regs);
	arm64_vgic_exit(v);
	v->pcpu->stats.exits++;
	switch (kind) {
	case ARM64_EXIT_SYNC:
		arm64_trap_sync(v);
		break;
	case ARM64_EXIT_IRQ:
	case ARM64_EXIT_FIQ:
		arm64_handle_irqs(v->pcpu);
		break;
	case ARM64_EXIT_SERROR:
		vm_crash(v->vm, "vcpu %u: SError, ESR 0x%llx at pc 0x%llx",
			 v->id, (unsigned long long)read_sysreg(esr_el2),
			 (unsigned long long)v->arch.regs.pc);
		break;
	default:
		vm_crash(v->vm, "vcpu %u: AArch32 execution is not supported "
			 "(pc 0x%llx)", v->id,
			 (unsigned long long)v->arch.regs.pc);
		break;
	}
}

void arch_vcpu_io_done(struct vcpu *v, const struct io_access *a)
{
	struct arch_regs *regs = &v->arch.regs;
	uint64_t value;

	if (io_postwork_value(a, regs->x[a->reg & 31], &value))
		regs->x[a->reg] = value;
	regs->pc += 4; /* a data abort with a valid syndrome: a 32-bit load/store */
}

void arch_vcpu_io_abort(struct vcpu *v, uint64_t addr)
{
	(void)addr; /* the guest wants its virtual address, saved at the trap */
	arm64_inject_abort(v, &v->arch.regs, true, v->arch.fault_far);
}
