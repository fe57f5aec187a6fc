/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdarg.h>

#include "guest.h"

volatile bool expect_exception;
volatile struct exception_info last_exception;
volatile unsigned exception_count;

static uint32_t console_lock;

static void uart_putc(char c)
{
	*(volatile uint32_t *)GUEST_UART = (uint8_t)c;
}

static void put_str(const char *s)
{
	while (*s)
		uart_putc(*s++);
}

static void put_num(uint64_t v, unsigned base)
{
	char buf[24];
	int n = 0;

	do {
		buf[n++] = "0123456789abcdef"[v % base];
		v /= base;
	} while (v);
	while (n)
		uart_putc(buf[--n]);
}

/* Supports %s %u %d %x %lu %lx %ld: all the test guests need. */
void guest_printf(const char *fmt, ...)
{
	va_list ap;

	while (__atomic_exchange_n(&console_lock, 1, __ATOMIC_ACQUIRE))
		;
	va_start(ap, fmt);
	for (; *fmt; fmt++) {
		int lng = 0;

		if (*fmt != '%') {
			uart_putc(*fmt);
			continue;
		}
		if (*++fmt == 'l') {
			lng = 1;
			fmt++;
		}
		switch (*fmt) {
		case 's':
			put_str(va_arg(ap, const char *));
			break;
		case 'u':
			put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 10);
			break;
		case 'd': {
			long v = lng ? va_arg(ap, long) : va_arg(ap, int);

			if (v < 0) {
				uart_putc('-');
				v = -v;
			}
			put_num((uint64_t)v, 10);
			break;
		}
		case 'x':
			put_num(lng ? va_arg(ap, unsigned long) : va_arg(ap, unsigned), 16);
			break;
		default:
			uart_putc(*fmt);
		}
	}
	va_end(ap);
	uart_putc('\n');
	__atomic_store_n(&console_lock, 0, __ATOMIC_RELEASE);
}

long psci_call(unsigned long fn, unsigned long a1, unsigned long a2,
	       unsigned long a3)
{
	register unsigned long x0 __asm__("x0") = fn;
	register unsigned long x1 __asm__("x1") = a1;
	register unsigned long x2 __asm__("x2") = a2;
	register unsigned long x3 __asm__("x3") = a3;

	__asm__ volatile("hvc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "memory");
	return (long)x0;
}

/* CNTKCTL_EL1: an event on every 2^9 counter ticks (8 us at 62.5 MHz). */
#define EVENT_STREAM ((1ul << 2) | (8ul << 4))

/*
 * Waits in WFE on the timer's event stream rather than spinning: a guest
 * that spins steals the host CPU from every other vCPU under QEMU's
 * round-robin (-icount) and burns power on a board.
 */
void delay_ms(unsigned ms)
{
	uint64_t freq, start, now, kctl;

	__asm__ volatile("mrs %0, cntkctl_el1" : "=r"(kctl));
	__asm__ volatile("msr cntkctl_el1, %0; isb" : : "r"(kctl | EVENT_STREAM));
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(start));
	for (;;) {
		__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(now));
		if (now - start >= freq / 1000 * ms)
			return;
		__asm__ volatile("wfe");
	}
}

unsigned long now_ms(void)
{
	uint64_t freq;

	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	return (unsigned long)(counter() / (freq / 1000));
}

/* The timestamp lets tests see a stall of this vCPU as a gap in its own time. */
void heartbeat(unsigned cpu, unsigned period_ms)
{
	for (unsigned long tick = 1;; tick++) {
		delay_ms(period_ms);
		guest_printf("vcpu %u tick %lu t=%lu", cpu, tick, now_ms());
	}
}

void guest_sync_exception(void)
{
	struct exception_info e;

	__asm__ volatile("mrs %0, esr_el1" : "=r"(e.esr));
	__asm__ volatile("mrs %0, far_el1" : "=r"(e.far));
	__asm__ volatile("mrs %0, elr_el1" : "=r"(e.elr));
	last_exception = e;
	exception_count++;
	if (!expect_exception) {
		guest_printf("unexpected exception: ESR 0x%lx FAR 0x%lx ELR 0x%lx",
			     e.esr, e.far, e.elr);
		for (;;)
			__asm__ volatile("wfe");
	}
	expect_exception = false;
	/* Skip the faulting instruction. */
	__asm__ volatile("msr elr_el1, %0" : : "r"(e.elr + 4));
}

/* A guest that does not handle IRQs never unmasks them; if one arrives
 * anyway, stop here as the vector did before it called C. */
__attribute__((weak)) void guest_irq(void)
{
	for (;;)
		__asm__ volatile("wfe");
}

#define GICD_CTLR 0x0000
#define GICD_CTLR_ENABLE_GRP1 (1u << 1) /* the layout with one security state */
#define GICD_CTLR_ARE (1u << 4)
#define GICD_CTLR_RWP (1u << 31)
#define GICR_WAKER 0x0014
#define GICR_WAKER_PROCESSOR_SLEEP (1u << 1)
#define GICR_WAKER_CHILDREN_ASLEEP (1u << 2)
#define GICR_IGROUPR0 0x0080
#define GICR_IPRIORITYR0 0x0400

static void gicd_wait_for_rwp(void)
{
	while (mmio_read32(GICD_BASE + GICD_CTLR) & GICD_CTLR_RWP)
		;
}

void gic_init_distributor(void)
{
	/* ARE before the group enable: changing ARE while a group is enabled
	 * is UNPREDICTABLE. (QEMU and Tessera both have ARE fixed at 1.) */
	mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE);
	gicd_wait_for_rwp();
	mmio_write32(GICD_BASE + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_GRP1);
	gicd_wait_for_rwp();
}

void gic_init_cpu(unsigned cpu, uint32_t intid_mask)
{
	uintptr_t rd = GICR_BASE + cpu * GICR_STRIDE;
	uintptr_t sgi = rd + GICR_SGI_FRAME;

	mmio_write32(rd + GICR_WAKER,
		     mmio_read32(rd + GICR_WAKER) & ~GICR_WAKER_PROCESSOR_SLEEP);
	while (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP)
		;
	/* Group 1 for all: Group 0 would arrive as FIQs, and Tessera's vGIC
	 * has no Group 0 at all. */
	mmio_write32(sgi + GICR_IGROUPR0, ~0u);
	for (unsigned intid = 0; intid < 32; intid++)
		if (intid_mask & (1u << intid))
			*(volatile uint8_t *)(sgi + GICR_IPRIORITYR0 + intid) =
				GIC_PRIORITY_DEFAULT;
	mmio_write32(sgi + GICR_ISENABLER0, intid_mask);

	/* The system register interface, EOImode 0 (EOIR also deactivates),
	 * every priority unmasked, no preemption grouping. */
	__asm__ volatile("mrs x0, icc_sre_el1; orr x0, x0, #1; msr icc_sre_el1, x0; isb"
			 : : : "x0");
	__asm__ volatile("msr icc_ctlr_el1, xzr; msr icc_pmr_el1, %0;"
			 "msr icc_bpr1_el1, xzr; msr icc_igrpen1_el1, %1; isb"
			 : : "r"(0xfful), "r"(1ul) : "memory");
}
