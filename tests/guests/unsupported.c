/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Does something the hypervisor cannot emulate: a load pair from its virtual
 * UART, which traps without an instruction syndrome. The whole VM must stop,
 * including its other vCPUs, which are busy printing heartbeats.
 */
#include "guest.h"

void guest_main(unsigned cpu)
{
	unsigned long a, b;

	if (cpu != 0)
		heartbeat(cpu, 100);
	for (unsigned long i = 1; i < 8; i++)
		if (psci_call(PSCI_CPU_ON, i, (unsigned long)secondary_start, 0) ==
		    PSCI_INVALID_PARAMETERS)
			break;
	delay_ms(500);
	guest_printf("unsupported: LDP from the vUART");
	__asm__ volatile("ldp %0, %1, [%2]" : "=r"(a), "=r"(b) : "r"(GUEST_UART));
	guest_printf("unsupported: ERROR still running (0x%lx 0x%lx)", a, b);
	heartbeat(0, 300);
}
