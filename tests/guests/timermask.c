/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A level interrupt follows its line, also while the guest has it masked.
 * For each EL1 timer (virtual: PPI 27, physical: PPI 30): mask it at the
 * GIC, let it fire, then either stop the timer (its line drops) or leave it
 * running, read its pending bit, unmask and wait a while with IRQs on. A
 * GIC shows a stopped timer neither pending nor delivers it; a running one
 * is pending and arrives once. One line per case:
 *
 *     timermask: <vtimer|ptimer> <stopped|running>: pending P, interrupts N
 *
 * then "timermask: done" and SYSTEM_OFF (tests/integration/
 * test_partitioned.py).
 */
#include "guest.h"

#define PPI_PTIMER 30u
#define CTL_ENABLE 1ul
#define CTL_ISTATUS 4ul
#define FIRE_US 20

static volatile unsigned irqs[32];

static void timer_set(bool virt, uint64_t ctl, uint64_t cval)
{
	if (virt)
		__asm__ volatile("msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; isb"
				 : : "r"(cval), "r"(ctl));
	else
		__asm__ volatile("msr cntp_cval_el0, %0; msr cntp_ctl_el0, %1; isb"
				 : : "r"(cval), "r"(ctl));
}

static uint64_t timer_ctl(bool virt)
{
	uint64_t ctl;

	if (virt)
		__asm__ volatile("isb; mrs %0, cntv_ctl_el0" : "=r"(ctl));
	else
		__asm__ volatile("isb; mrs %0, cntp_ctl_el0" : "=r"(ctl));
	return ctl;
}

/* Stop the source before the EOI, or a level interrupt fires again. */
void guest_irq(void)
{
	uint32_t intid = gic_ack();

	if (intid == PPI_VTIMER || intid == PPI_PTIMER) {
		timer_set(intid == PPI_VTIMER, 0, 0);
		irqs[intid]++;
	}
	if (intid < GIC_INTID_SPURIOUS - 3)
		gic_eoi(intid);
}

static void check(uintptr_t sgi, uint64_t freq, bool virt, bool stop)
{
	unsigned ppi = virt ? PPI_VTIMER : PPI_PTIMER;
	unsigned before = irqs[ppi];
	uint32_t pending;

	mmio_write32(sgi + GICR_ICENABLER0, 1u << ppi);
	timer_set(virt, CTL_ENABLE, counter() + freq / 1000000 * FIRE_US);
	while (!(timer_ctl(virt) & CTL_ISTATUS))
		;
	delay_ms(2); /* long after the physical interrupt was taken */
	if (stop)
		timer_set(virt, 0, 0);
	pending = mmio_read32(sgi + GICR_ISPENDR0) & (1u << ppi);
	mmio_write32(sgi + GICR_ISENABLER0, 1u << ppi);
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	delay_ms(5);
	__asm__ volatile("msr daifset, #2" ::: "memory");
	timer_set(virt, 0, 0);
	guest_printf("timermask: %s %s: pending %u, interrupts %u",
		     virt ? "vtimer" : "ptimer", stop ? "stopped" : "running",
		     pending ? 1u : 0u, irqs[ppi] - before);
}

void guest_main(unsigned cpu)
{
	uintptr_t sgi = GICR_BASE + cpu * GICR_STRIDE + GICR_SGI_FRAME;
	uint64_t freq;

	if (cpu != 0) {
		for (;;)
			__asm__ volatile("wfi");
	}
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	timer_set(true, 0, 0);
	timer_set(false, 0, 0);
	gic_init_distributor();
	gic_init_cpu(cpu, 0);
	for (int virt = 1; virt >= 0; virt--) {
		check(sgi, freq, virt, true);
		check(sgi, freq, virt, false);
	}
	guest_printf("timermask: done");
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;)
		__asm__ volatile("wfi");
}
