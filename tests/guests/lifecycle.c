/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A User VM whose two vCPUs power each other on and off without a pause
 * while its driver in the Service VM (hsm-lifecycle) pauses, resumes,
 * resets and destroys it, and has it reset, crash and power itself off
 * (lifecycle.h). vCPU 0 calls CPU_ON for vCPU 1 in a loop, vCPU 1 turns
 * itself off as soon as it runs: every state change of the VM lands in the
 * middle of a power operation. Built for the User VM's RAM (guests.mk).
 */
#include "guest.h"
#include "lifecycle.h"

#define PSCI_CPU_OFF 0x84000002ul
#define PSCI_SUCCESS 0l
#define PSCI_ALREADY_ON (-4l)

void guest_main(unsigned cpu)
{
	volatile struct lifecycle_ctl *ctl =
		(volatile struct lifecycle_ctl *)(uintptr_t)LIFECYCLE_CTL_GPA;
	unsigned long a, b;

	if (cpu == 1) {
		__atomic_add_fetch(&ctl->runs1, 1, __ATOMIC_RELAXED);
		psci_call(PSCI_CPU_OFF, 0, 0, 0);
		for (;;) /* CPU_OFF does not return */
			__asm__ volatile("wfe");
	}
	for (;;) {
		long r = psci_call(PSCI_CPU_ON, 1, (unsigned long)secondary_start,
				   0);

		if (r != PSCI_SUCCESS && r != PSCI_ALREADY_ON) {
			ctl->bad++;
			ctl->last_bad = r;
		}
		ctl->runs0++;
		switch (ctl->cmd) {
		case LIFECYCLE_SYSTEM_RESET:
			psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
			ctl->returned++;
			break;
		case LIFECYCLE_CRASH:
			__asm__ volatile("ldp %0, %1, [%2]"
					 : "=r"(a), "=r"(b)
					 : "r"(GUEST_UART));
			break;
		case LIFECYCLE_SYSTEM_OFF:
			psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
			ctl->returned++;
			break;
		}
	}
}
