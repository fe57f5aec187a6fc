/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A partition that prints numbered lines at a steady, modest rate and
 * measures what each costs it (tests/integration/test_console_flood.py):
 *
 *     seqlines: seq NNNNN cost CCCCCCCC
 *
 * N runs 1..LINES without a gap; C is how many cycles of the PMU's cycle
 * counter writing line N-1 to the vUART took (0 for the first), counting
 * EL2 too (PMCCFILTR_EL0.NSH): the traps into the hypervisor's console
 * path and the guest's own instructions between them. Like Linux's PL011
 * driver it reads FR before every character and waits while TXFF is set,
 * so a full buffer, its own or one it were made to share, would show in
 * C as well as in W below. Under QEMU -icount shift=0 a cycle is one
 * instruction. Each line is formatted before the measured writes, all
 * lines have the same length, so every line's path through the hypervisor
 * is the same. Then "seqlines: done N lines, W waits for TXFF" and WFI.
 */
#include "guest.h"

#define LINES 300u
#define GAP_MS 2u /* about 15 bytes per ms: far within a VM's budget */

#define UARTFR 0x018
#define UARTFR_TXFF (1u << 5)

#define PMCR_E (1ul << 0)
#define PMCR_C (1ul << 2)
#define PMCNTEN_C (1ul << 31)
#define PMCCFILTR_NSH (1ul << 27)

static void cycles_init(void)
{
	__asm__ volatile("msr pmccfiltr_el0, %0" : : "r"(PMCCFILTR_NSH));
	__asm__ volatile("msr pmcntenset_el0, %0" : : "r"(PMCNTEN_C));
	__asm__ volatile("msr pmcr_el0, %0; isb" : : "r"(PMCR_E | PMCR_C));
}

static inline uint64_t cycles(void)
{
	uint64_t c;

	__asm__ volatile("isb; mrs %0, pmccntr_el0" : "=r"(c) : : "memory");
	return c;
}

/* `width` decimal digits of v, zero-padded. */
static char *put_dec(char *p, uint64_t v, unsigned width)
{
	for (unsigned i = width; i-- > 0; v /= 10)
		p[i] = (char)('0' + v % 10);
	return p + width;
}

static char *put_str(char *p, const char *s)
{
	while (*s)
		*p++ = *s++;
	return p;
}

void guest_main(unsigned cpu)
{
	char line[64], *end;
	uint64_t cost = 0;
	unsigned long waits = 0;

	(void)cpu;
	cycles_init();
	guest_printf("seqlines: start, %u lines", LINES);
	for (unsigned seq = 1; seq <= LINES; seq++) {
		uint64_t t0, t1;

		end = put_str(line, "seqlines: seq ");
		end = put_dec(end, seq, 5);
		end = put_str(end, " cost ");
		end = put_dec(end, cost, 8);
		*end++ = '\n';
		t0 = cycles();
		for (const char *c = line; c < end; c++) {
			while (mmio_read32(GUEST_UART + UARTFR) & UARTFR_TXFF)
				waits++;
			mmio_write32(GUEST_UART, (uint8_t)*c);
		}
		t1 = cycles();
		cost = t1 - t0;
		delay_ms(GAP_MS);
	}
	guest_printf("seqlines: done %u lines, %lu waits for TXFF", LINES, waits);
	for (;;)
		__asm__ volatile("wfi");
}
