/* SPDX-License-Identifier: BSD-3-Clause */
/* Says hello from every vCPU it can start, then prints a heartbeat forever. */
#include "guest.h"

void guest_main(unsigned cpu)
{
	guest_printf("hello from vcpu %u", cpu);
	if (cpu == 0) {
		for (unsigned long i = 1; i < 8; i++) {
			long r = psci_call(PSCI_CPU_ON, i,
					   (unsigned long)secondary_start, 0);
			if (r == PSCI_INVALID_PARAMETERS)
				break;
			if (r)
				guest_printf("CPU_ON %lu failed: %ld", i, r);
		}
	}
	heartbeat(cpu, 300);
}
