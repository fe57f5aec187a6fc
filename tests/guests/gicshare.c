/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One of two partitions whose passthrough devices' SPIs share words of the
 * physical distributor (tests/scenarios/gic-shared.toml): the PL031 RTC's
 * INTID 34 (built with -DGICSHARE_RTC) and the PL061 GPIO's INTID 39
 * (-DGICSHARE_GPIO) have their bits in one IGROUPR and one ICFGR word.
 * Each reconfigures its SPI at its vGIC again and again, as a driver that
 * sets a trigger mode does (disable, edge, level, enable), which the
 * hypervisor mirrors into those shared words; after every round it checks
 * at the device that the SPI still arrives and is still level-triggered in
 * the physical GIC: it raises the device's level line, takes the
 * interrupt, completes it with the line still high (a level SPI fires
 * again), then lowers the line and completes the second one. A lost
 * IGROUPR bit leaves the SPI in Group 0: no interrupt at all. A lost ICFGR
 * bit (the SPI edge-triggered in the GIC) shows the same way: acknowledged
 * as an edge it is no longer pending, so the hypervisor's re-sample of the
 * level line (doc/vgic.rst) ends it before the guest sees it; without the
 * re-sample it would show as no second interrupt. It prints
 *
 *     gicshare: <dev> INTID <n>: start t=<ms>
 *     gicshare: <dev> INTID <n>: <R> rounds of <T> reconfigurations:
 *         delivered <D>, re-fired while high <L>, stray <S>, t=<ms>
 *
 * (one line; it gives up after 20 failed rounds), the first few failures
 * as they happen, then a heartbeat
 * (tests/integration/test_gic_shared.py).
 */
#include "guest.h"

#if defined(GICSHARE_RTC)
#define DEV_NAME "pl031"
#define DEV_BASE 0x09010000ul
#define DEV_INTID 34u
#define RTCDR 0x00
#define RTCMR 0x04
#define RTCIMSC 0x10
#define RTCRIS 0x14
#define RTCICR 0x1c

static void dev_init(void)
{
	mmio_write32(DEV_BASE + RTCICR, 1);
	mmio_write32(DEV_BASE + RTCIMSC, 1);
}

/* An alarm at the current second fires at once; if the second turned
 * between the read and the write, the alarm is a wrap-around away: again. */
static void dev_raise(void)
{
	do
		mmio_write32(DEV_BASE + RTCMR, mmio_read32(DEV_BASE + RTCDR));
	while (!(mmio_read32(DEV_BASE + RTCRIS) & 1));
}

static void dev_lower(void)
{
	mmio_write32(DEV_BASE + RTCICR, 1);
}
#elif defined(GICSHARE_GPIO)
#define DEV_NAME "pl061"
#define DEV_BASE 0x09030000ul
#define DEV_INTID 39u
#define GPIO_PIN0_DATA 0x004 /* address bits [9:2] mask the pins written */
#define GPIODIR 0x400
#define GPIOIS 0x404
#define GPIOIEV 0x40c
#define GPIOIE 0x410
#define GPIOIC 0x41c

/* Pin 0 an output, its interrupt level-sensitive, active high: the guest
 * drives its own interrupt line. (Pin 3 is QEMU's power button.) */
static void dev_init(void)
{
	mmio_write32(DEV_BASE + GPIODIR, 1);
	mmio_write32(DEV_BASE + GPIO_PIN0_DATA, 0);
	mmio_write32(DEV_BASE + GPIOIS, 1);
	mmio_write32(DEV_BASE + GPIOIEV, 1);
	mmio_write32(DEV_BASE + GPIOIC, 1);
	mmio_write32(DEV_BASE + GPIOIE, 1);
}

static void dev_raise(void)
{
	mmio_write32(DEV_BASE + GPIO_PIN0_DATA, 1);
}

/* The raw status latches: clear it once the pin is low. */
static void dev_lower(void)
{
	mmio_write32(DEV_BASE + GPIO_PIN0_DATA, 0);
	mmio_write32(DEV_BASE + GPIOIC, 1);
}
#else
#error "build with -DGICSHARE_RTC or -DGICSHARE_GPIO"
#endif

#ifndef GICSHARE_ROUNDS
#define GICSHARE_ROUNDS 3000u
#endif
#define TOGGLES 32u /* reconfigurations between two checks */
#define WAIT_MS 1000u /* for each interrupt of a check: host load stalls vCPUs */
#define REPORT_FAILURES 5u
#define GIVE_UP_FAILURES 20u /* each costs up to 2 x WAIT_MS */

#define GICD_ISENABLER 0x0100
#define GICD_ICENABLER 0x0180
#define GICD_IPRIORITYR 0x0400
#define GICD_ICFGR 0x0c00
#define ICFGR_EDGE(intid) (2u << ((intid) % 16 * 2))

static volatile unsigned check_irqs, stray_irqs;

void guest_irq(void)
{
	uint32_t intid = gic_ack();

	if (intid == DEV_INTID) {
		/* The first with the line left high, to see it again. */
		if (++check_irqs >= 2)
			dev_lower();
		gic_eoi(intid);
	} else if (intid < GIC_INTID_SPURIOUS - 3) {
		stray_irqs++;
		gic_eoi(intid);
	}
}

/* Waits with IRQs on, in WFE (woken by the event stream delay_ms turned
 * on, or the interrupt), for `want` interrupts of this check. */
static bool wait_for_irqs(unsigned want)
{
	uint64_t freq, start = counter();

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	__asm__ volatile("msr daifclr, #2" ::: "memory");
	while (check_irqs < want && counter() - start < freq / 1000 * WAIT_MS)
		__asm__ volatile("wfe" ::: "memory");
	__asm__ volatile("msr daifset, #2" ::: "memory");
	return check_irqs >= want;
}

static void gicd_set_bit(unsigned array, unsigned intid)
{
	mmio_write32(GICD_BASE + array + intid / 32 * 4, 1u << (intid % 32));
}

static void set_edge(bool edge)
{
	uintptr_t reg = GICD_BASE + GICD_ICFGR + DEV_INTID / 16 * 4;
	uint32_t v = mmio_read32(reg) & ~ICFGR_EDGE(DEV_INTID);

	mmio_write32(reg, v | (edge ? ICFGR_EDGE(DEV_INTID) : 0));
}

static void reconfigure(void)
{
	gicd_set_bit(GICD_ICENABLER, DEV_INTID);
	set_edge(true);
	set_edge(false);
	gicd_set_bit(GICD_ISENABLER, DEV_INTID);
}

void guest_main(unsigned cpu)
{
	unsigned delivered = 0, refired = 0, failures = 0, r;

	if (cpu != 0) {
		for (;;)
			__asm__ volatile("wfi");
	}
	delay_ms(1); /* also turns the event stream on */
	gic_init_distributor();
	gic_init_cpu(cpu, 0);
	*(volatile uint8_t *)(GICD_BASE + GICD_IPRIORITYR + DEV_INTID) =
		GIC_PRIORITY_DEFAULT;
	dev_init();
	guest_printf("gicshare: %s INTID %u: start t=%lu", DEV_NAME, DEV_INTID,
		     now_ms());
	for (r = 0; r < GICSHARE_ROUNDS && failures < GIVE_UP_FAILURES; r++) {
		bool first, again;

		for (unsigned t = 0; t < TOGGLES; t++)
			reconfigure();
		check_irqs = 0;
		dev_raise();
		first = wait_for_irqs(1);
		again = first && wait_for_irqs(2);
		dev_lower();
		delivered += first;
		refired += again;
		if ((!first || !again) && failures++ < REPORT_FAILURES)
			guest_printf("gicshare: round %u: %s", r,
				     first ? "not fired again while high "
					     "(edge-triggered?)"
					   : "not delivered (in Group 0, or "
					     "edge-triggered in the GIC?)");
	}
	guest_printf("gicshare: %s INTID %u: %u rounds of %u reconfigurations: "
		     "delivered %u, re-fired while high %u, stray %u, t=%lu",
		     DEV_NAME, DEV_INTID, r, TOGGLES, delivered,
		     refired, stray_irqs, now_ms());
	heartbeat(cpu, 300);
}
