/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Isolation probe: reads and writes memory that is not this VM's (another
 * VM's RAM, the hypervisor's image) and reports what happened to each access.
 */
#include "guest.h"

static const unsigned long targets[] = {PROBE_TARGETS};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))

static bool try_access(unsigned long addr, bool write)
{
	unsigned long before = exception_count;

	expect_exception = true;
	if (write)
		*(volatile uint32_t *)addr = 0xdeadbeef;
	else
		(void)*(volatile uint32_t *)addr;
	__asm__ volatile("isb" ::: "memory");
	expect_exception = false;
	return exception_count != before;
}

/* Redistributor frames past this VM's vCPUs (at most 2 here) are still
 * the GIC's: RAZ/WI, no abort, nothing logged. */
#define GICR_FRAME 0x20000ul
#define GICR_TYPER_LO 0x8ul
static const unsigned past_frames[] = {2, 3, 60};

static void probe_redistributors(void)
{
	for (unsigned i = 0; i < sizeof(past_frames) / sizeof(past_frames[0]);
	     i++) {
		unsigned long addr = GICR_BASE + past_frames[i] * GICR_FRAME +
				     GICR_TYPER_LO;
		uint32_t v = 0x12345678;
		bool aborted;

		expect_exception = true;
		*(volatile uint32_t *)addr = 0xffffffff;
		v = *(volatile uint32_t *)addr;
		__asm__ volatile("isb" ::: "memory");
		expect_exception = false;
		aborted = exception_count != 0;
		guest_printf("probe: redistributor frame %u reads 0x%x%s",
			     past_frames[i], v, aborted ? " (aborted)" : "");
	}
}

void guest_main(unsigned cpu)
{
	unsigned refused = 0;

	probe_redistributors();
	for (unsigned i = 0; i < NTARGETS; i++) {
		for (int w = 0; w < 2; w++) {
			const char *what = w ? "write" : "read";

			if (try_access(targets[i], w)) {
				refused++;
				guest_printf("probe: %s 0x%lx refused: ESR 0x%lx FAR 0x%lx",
					     what, targets[i], last_exception.esr,
					     last_exception.far);
			} else {
				guest_printf("probe: %s 0x%lx NOT refused", what,
					     targets[i]);
			}
		}
	}
	guest_printf("probe: %u of %u accesses refused", refused,
		     (unsigned)(2 * NTARGETS));
	heartbeat(cpu, 300);
}
