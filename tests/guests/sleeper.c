/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sleeps on its virtual timer, again and again: arms CNTV_CVAL_EL0
 * SLEEP_US ahead, waits in WFI (trapped: the vCPU blocks) until the timer
 * interrupt, and measures how late the handler ran, the counter in the
 * handler minus CVAL. One line per wake-up:
 *
 *     sleep N late=L ns t=T
 *
 * T: the counter in the handler, in µs (CNTVOFF is 0: the same counter in
 * every VM), so a test sees a stall anywhere in the loop as a gap between
 * two lines, not only in L. An interrupt other than the timer is counted
 * and reported at the end of the line as "other=K" (there should be none).
 */
#include "guest.h"

/* Not a divisor of the test scenario's slices (10 and 30 ms), so wake-ups
 * fall anywhere in the other vCPUs' turns. */
#define SLEEP_US 7000
#define CNTV_CTL_ENABLE 1ul

static volatile bool fired;
static volatile uint64_t cval, late_ticks, woke;
static volatile unsigned other_irqs;

/* The counter first (what is measured is the time to get here), then the
 * timer disabled so that its level drops before the EOI. */
void guest_irq(void)
{
	uint64_t now = counter();
	uint32_t intid = gic_ack();

	if (intid == PPI_VTIMER) {
		__asm__ volatile("msr cntv_ctl_el0, xzr; isb");
		gic_eoi(intid);
		late_ticks = now - cval;
		woke = now;
		fired = true;
	} else if (intid < GIC_INTID_SPURIOUS - 3) { /* 1020-1023 are special */
		other_irqs++;
		gic_eoi(intid);
	}
}

void guest_main(unsigned cpu)
{
	uint64_t freq;

	__asm__ volatile("msr cntv_ctl_el0, xzr; isb");
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	gic_init_distributor();
	gic_init_cpu(cpu, 1u << PPI_VTIMER);
	guest_printf("sleeper: start, %u us sleeps", SLEEP_US);
	for (unsigned long n = 1;; n++) {
		unsigned long late_ns, t_us;

		fired = false;
		cval = counter() + freq / 1000000 * SLEEP_US;
		__asm__ volatile("msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; isb"
				 : : "r"((uint64_t)cval), "r"(CNTV_CTL_ENABLE));
		/* The flag is tested with IRQs masked, or the handler could run
		 * between the test and the WFI and leave it nothing to wake for.
		 * WFI wakes on a masked interrupt too; unmasking takes it. */
		while (!fired)
			__asm__ volatile("wfi; msr daifclr, #2; msr daifset, #2");
		late_ns = (unsigned long)(late_ticks * 1000000000 / freq);
		t_us = (unsigned long)(woke * 1000000 / freq);
		if (other_irqs)
			guest_printf("sleep %lu late=%lu ns t=%lu other=%u", n,
				     late_ns, t_us, other_irqs);
		else
			guest_printf("sleep %lu late=%lu ns t=%lu", n, late_ns,
				     t_us);
	}
}
