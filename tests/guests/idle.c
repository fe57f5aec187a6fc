/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Says one line, then waits in WFI for good: no interrupt is enabled and
 * no timer armed, so its vCPU blocks and never runs again. What leaves a
 * shared pCPU idle (tests/integration/test_sched.py).
 */
#include "guest.h"

void guest_main(unsigned cpu)
{
	(void)cpu;
	__asm__ volatile("msr cntv_ctl_el0, xzr; msr cntp_ctl_el0, xzr; isb");
	guest_printf("idle: waiting for nothing");
	for (;;)
		__asm__ volatile("wfi");
}
