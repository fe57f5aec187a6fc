/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The default partition guest of `make run`: says hello from every vCPU,
 * then shows it is alive every 10 s, quiet enough to leave the terminal to
 * the Service VM's shell. (Tests use `hello`, which ticks every 300 ms.)
 */
#include "guest.h"

void guest_main(unsigned cpu)
{
	guest_printf("hello from vcpu %u", cpu);
	if (cpu == 0)
		for (unsigned long i = 1; i < 8; i++)
			if (psci_call(PSCI_CPU_ON, i, (unsigned long)secondary_start,
				      0) == PSCI_INVALID_PARAMETERS)
				break;
	heartbeat(cpu, 10000);
}
