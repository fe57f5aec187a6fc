/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Never waits: counts in a tight loop (no WFI, no WFE, no trap), and after
 * every SPIN_UNIT iterations prints one line
 *
 *     spin N t=T
 *
 * N: units of work done so far; T: its own virtual counter, in µs. A test
 * compares the work two spinners on one pCPU did over the same span of
 * counter time (CNTVOFF is 0: every VM reads the same counter), so progress
 * is measured as work, not as wall time (tests/integration/test_sched.py).
 * The print is the spinner's only exit (one trap per character): its turns
 * end only when the hypervisor takes the pCPU back.
 */
#include "guest.h"

/* About 50 ms of TCG on the test machine, longer than the test scenario's
 * slices (10 and 30 ms): the spinner's own exits rarely hand the pCPU's
 * scheduler a chance to look around, so a vCPU waiting on its timer is
 * woken by the hypervisor's timer, or late, at the end of a turn. The work
 * count at each line is exact, so rates come out precise over a few
 * seconds all the same. */
#define SPIN_UNIT (1ul << 25)

void guest_main(unsigned cpu)
{
	uint64_t freq;

	(void)cpu;
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(freq));
	guest_printf("spinner: start");
	for (unsigned long n = 1;; n++) {
		for (unsigned long i = 0; i < SPIN_UNIT; i++)
			__asm__ volatile("" : : "r"(i)); /* keeps the loop */
		guest_printf("spin %lu t=%lu", n,
			     (unsigned long)(counter() * 1000000 / freq));
	}
}
