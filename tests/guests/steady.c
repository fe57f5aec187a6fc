/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fixed workload whose every trap is known: STEPS delays of STEP_MS (on
 * the counter, waiting in WFE: WFE does not trap), each followed by a line
 * of fixed text, then PSCI SYSTEM_OFF. No timestamps: its output is
 * byte-identical from run to run, and so are the exits it causes (one per
 * character written to the vUART, and the SYSTEM_OFF call). The test of the
 * real-time pCPU compares those counts (tests/integration/test_sched.py).
 */
#include "guest.h"

#define STEPS 20
#define STEP_MS 50

void guest_main(unsigned cpu)
{
	(void)cpu;
	guest_printf("steady: start");
	for (unsigned i = 1; i <= STEPS; i++) {
		delay_ms(STEP_MS);
		guest_printf("steady: step %u of %u", i, STEPS);
	}
	guest_printf("steady: done");
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	guest_printf("steady: ERROR SYSTEM_OFF returned");
	for (;;)
		__asm__ volatile("wfe");
}
