/* SPDX-License-Identifier: BSD-3-Clause */
/* Powers its VM off through PSCI after a few heartbeats. */
#include "guest.h"

void guest_main(unsigned cpu)
{
	(void)cpu;
	for (unsigned i = 1; i <= 3; i++) {
		delay_ms(200);
		guest_printf("poweroff: tick %u", i);
	}
	guest_printf("poweroff: calling SYSTEM_OFF");
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	guest_printf("poweroff: ERROR SYSTEM_OFF returned");
	heartbeat(0, 300);
}
