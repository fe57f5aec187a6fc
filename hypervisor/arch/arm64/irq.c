/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Physical interrupt dispatch. Interrupts a guest owns (its EL1 timers,
 * its passthrough SPIs) are priority-dropped and handed to its vGIC as
 * hardware-mapped: they stay active until the guest deactivates them through
 * its list register. The hypervisor's own (kick, maintenance, console input)
 * are deactivated here.
 */
#include <arm64_console.h>
#include <arm64_irq.h>
#include <gicv3.h>
#include <log.h>
#include <scenario.h>
#include <sysreg.h>
#include <vgic.h>
#include <vm.h>

/* Which VM owns each SPI (written at boot, read by any pCPU). */
static struct vm *spi_owner[INTID_SPURIOUS];
static unsigned console_irq;
/* Interrupts taken per pCPU: SGIs and PPIs by INTID, all SPIs in slot 32. */
static uint64_t irq_counts[CONFIG_MAX_PCPUS][33];
static struct log_ratelimit stray_log = LOG_RATELIMIT_INIT(8, 1024);

void arm64_irq_claim_spis(struct vm *vm)
{
	for (unsigned d = 0; d < vm->cfg->device_count; d++) {
		unsigned irq = vm->cfg->devices[d].irq;

		if (irq >= 32 && irq < INTID_SPURIOUS) {
			spi_owner[irq] = vm;
			vgic_map_hw(&vm->arch.vgic, 0, irq, irq);
		}
	}
}

void arm64_console_rx_init(void)
{
	const struct board_config *b = tessera_scenario.board;

	console_irq = b->console_uart_irq;
	if (console_irq < 32 || console_irq >= INTID_SPURIOUS)
		return;
	gicv3_spi_set_level_triggered(console_irq, true);
	gicv3_spi_route(console_irq, read_sysreg(mpidr_el1));
	gicv3_spi_enable(console_irq, true);
	arm64_console_rx_enable();
}

/* An interrupt for a guest: true if handed over (left active). */
static bool forward_to_guest(unsigned intid)
{
	struct vcpu *vcpu = vcpu_current();

	if ((intid == PPI_VTIMER || intid == PPI_PTIMER) && vcpu)
		return vgic_inject_hw(&vcpu->vm->arch.vgic, vcpu->id, intid) >= 0;
	if (intid >= 32 && spi_owner[intid])
		return vgic_inject_hw(&spi_owner[intid]->arch.vgic, 0, intid) >= 0;
	return false;
}

void arm64_handle_irqs(void)
{
	for (;;) {
		unsigned intid = gicv3_ack();

		if (intid >= INTID_SPURIOUS)
			return;
		gicv3_priority_drop(intid);
		irq_counts[cpu_id()][intid < 32 ? intid : 32]++;
		if (forward_to_guest(intid))
			continue;
		if (intid == console_irq && console_irq)
			arm64_console_rx();
		else if (intid != SGI_KICK && intid != PPI_MAINTENANCE &&
			 log_ratelimit_allow(&stray_log))
			log_warn("pCPU %u: unexpected interrupt %u", cpu_id(), intid);
		gicv3_deactivate(intid);
	}
}
