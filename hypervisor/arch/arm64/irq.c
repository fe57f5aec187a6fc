/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Physical interrupt dispatch. Interrupts a guest owns (its EL1 timers, its
 * passthrough SPIs) are priority-dropped and handed to its vGIC as
 * hardware-mapped: they stay active until the guest deactivates them through
 * its list register. The hypervisor's own (kick, maintenance, its timer,
 * console input, the SMMU's events) are deactivated here.
 */
#include <arch.h>
#include <arm64_console.h>
#include <arm64_irq.h>
#include <gicv3.h>
#include <gicv3_dist.h>
#include <log.h>
#include <pcpu.h>
#include <scenario.h>
#include <smmuv3.h>
#include <sysreg.h>
#include <vgic.h>
#include <vm.h>

/* Which VM owns each SPI (changed when VMs are set up or torn down). */
static struct vm *spi_owner[INTID_SPURIOUS];
static unsigned console_irq;
static struct log_ratelimit stray_log =
	LOG_RATELIMIT_INIT(LOG_WARN, NULL, "unexpected interrupt");

void arm64_irq_claim_spis(struct vm *vm)
{
	for (unsigned d = 0; d < vm->cfg->device_count; d++) {
		const struct device_config *dev = &vm->cfg->devices[d];

		for (unsigned i = 0; i < dev->irq_count; i++) {
			unsigned irq = dev->irqs[i];

			if (irq < 32 || irq >= INTID_SPURIOUS)
				continue;
			__atomic_store_n(&spi_owner[irq], vm, __ATOMIC_RELEASE);
			vgic_map_hw(&vm->arch.vgic, 0, irq, irq);
		}
	}
}

void arm64_irq_release_spis(struct vm *vm)
{
	for (unsigned irq = 32; irq < INTID_SPURIOUS; irq++)
		if (__atomic_load_n(&spi_owner[irq], __ATOMIC_ACQUIRE) == vm) {
			gicv3_spi_enable(irq, false);
			gicv3_spi_deactivate(irq);
			__atomic_store_n(&spi_owner[irq], NULL, __ATOMIC_RELEASE);
		}
}

void arm64_console_rx_init(const struct board_config *board)
{
	console_irq = board->console_uart_irq;
	if (console_irq < 32 || console_irq >= INTID_SPURIOUS)
		return;
	gicv3_spi_set_level_triggered(console_irq, true);
	gicv3_spi_route(console_irq, read_sysreg(mpidr_el1));
	gicv3_spi_enable(console_irq, true);
	arm64_console_rx_enable();
}

/* An interrupt for a guest: true if handed over (left active). */
static bool forward_to_guest(struct pcpu *p, unsigned intid)
{
	struct vcpu *v = p->loaded;
	struct vm *owner;

	/* A timer fires for the vCPU whose context is in the hardware. */
	if (intid == PPI_VTIMER || intid == PPI_PTIMER)
		return v && vgic_inject_hw(&v->vm->arch.vgic, v->id, intid) >= 0;
	owner = intid >= 32 ? __atomic_load_n(&spi_owner[intid], __ATOMIC_ACQUIRE)
			    : NULL;
	return owner && vgic_inject_hw(&owner->arch.vgic, 0, intid) >= 0;
}

void arm64_handle_irqs(struct pcpu *p)
{
	for (;;) {
		unsigned intid = gicv3_ack();

		if (intid >= INTID_SPURIOUS)
			return;
		gicv3_priority_drop(intid);
		p->stats.irqs++;
		p->arch.irq_counts[intid < 32 ? intid : 32]++;
		if (forward_to_guest(p, intid))
			continue;
		if (intid == PPI_HYP_TIMER) {
			arch_pcpu_timer_set(UINT64_MAX); /* drops the level */
			sched_timer_fired(p, arch_counter_now());
		} else if (intid == console_irq && console_irq) {
			arm64_console_rx();
		} else if (intid >= 32 && smmuv3_handle_irq(intid)) {
			/* its faults are logged; a kick (an SGI) never costs
			 * the call */
		} else if (intid != SGI_KICK && intid != PPI_MAINTENANCE &&
			   intid != PPI_VTIMER && intid != PPI_PTIMER &&
			   log_ratelimit_allow(&stray_log)) {
			log_warn("pCPU %u: unexpected interrupt %u", p->id, intid);
		}
		gicv3_deactivate(intid);
	}
}
