/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Resets its VM through PSCI once, then powers off. The boot counter lives in
 * .data, which a reset does not reload, so the second boot can tell.
 */
#include "guest.h"

static volatile unsigned boots;

void guest_main(unsigned cpu)
{
	(void)cpu;
	boots++;
	guest_printf("reset: boot %u", boots);
	if (boots == 1) {
		psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
		guest_printf("reset: ERROR SYSTEM_RESET returned");
	}
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	heartbeat(0, 300);
}
