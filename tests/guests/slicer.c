/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What a vCPU switch on a shared pCPU costs, seen from the guests that
 * share it. Spins reading the counter, without a single exit of its own,
 * over a fixed window of counter time (the same for every VM: CNTVOFF is 0,
 * so two slicers measure the same span). A step of the counter longer than
 * GAP_TICKS is time the vCPU did not run (another vCPU's turn, and the
 * hypervisor's switches to and from it); the rest is the vCPU's own. At the
 * end of the window one line, in counter ticks:
 *
 *     slicer: window W ran R gaps G
 *
 * tests/bench/bench_sched.py runs two on one pCPU: W - R_a - R_b is what the
 * hypervisor spent, over G_a + G_b switches. Then it waits in WFI for ever.
 */
#include "guest.h"

#define WINDOW_START_MS 200 /* past the boot of every VM */
#define WINDOW_MS 500
/* 128 instructions under -icount shift=0: a loop turn is a few, an exit
 * and a switch are far more. */
#define GAP_TICKS 8

void guest_main(unsigned cpu)
{
	uint64_t freq, start, end, prev, now, ran = 0, gaps = 0;

	(void)cpu;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	start = freq / 1000 * WINDOW_START_MS;
	end = start + freq / 1000 * WINDOW_MS;
	guest_printf("slicer: start");
	while (counter() < start)
		;
	prev = start;
	do {
		now = counter();
		if (now - prev > GAP_TICKS)
			gaps++;
		else
			ran += now - prev;
		prev = now;
	} while (now < end);
	guest_printf("slicer: window %lu ran %lu gaps %lu",
		     (unsigned long)(end - start), (unsigned long)ran,
		     (unsigned long)gaps);
	for (;;)
		__asm__ volatile("wfi");
}
