/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A VM that prints as fast as it can from both of its vCPUs, far beyond
 * any console budget, for FLOOD_MS of its own time
 * (tests/integration/test_console_flood.py):
 *
 *     flood: vcpu V line NNNNNNN ....
 *
 * N counts each vCPU's lines from 1. It never waits for the UART (FR is
 * never read), so whatever does not fit in its console buffer is lost.
 * Then each vCPU waits for its buffer to drain and prints
 * "flood: vcpu V done N lines", and waits in WFI.
 */
#include "guest.h"

#define FLOOD_MS 1500ul
#define SETTLE_MS 100u

static volatile unsigned done_cpus;

void guest_main(unsigned cpu)
{
	unsigned long lines = 0;
	uint64_t end;

	if (cpu == 0 && psci_call(PSCI_CPU_ON, 1, (unsigned long)secondary_start, 0))
		guest_printf("flood: ERROR CPU_ON failed");
	end = now_ms() + FLOOD_MS;
	while (now_ms() < end)
		guest_printf("flood: vcpu %u line %lu ..................................",
			     cpu, ++lines);
	/* One after the other, once the buffer had time to drain. */
	delay_ms(SETTLE_MS * (cpu + 1));
	guest_printf("flood: vcpu %u done %lu lines", cpu, lines);
	for (;;)
		__asm__ volatile("wfi");
}
