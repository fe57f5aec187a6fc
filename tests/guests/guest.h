/* SPDX-License-Identifier: BSD-3-Clause */
/* A minimal runtime for Tessera's bare-metal test guests. */
#ifndef TESSERA_GUEST_H
#define TESSERA_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#ifndef GUEST_UART
#define GUEST_UART 0x09000000ul
#endif

#define PSCI_CPU_ON 0xc4000003ul
#define PSCI_SYSTEM_OFF 0x84000008ul
#define PSCI_SYSTEM_RESET 0x84000009ul
#define PSCI_INVALID_PARAMETERS (-2l)

void secondary_start(void);

/* Print a whole line under the guest's console lock. */
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long psci_call(unsigned long fn, unsigned long a1, unsigned long a2,
	       unsigned long a3);
void delay_ms(unsigned ms);
void heartbeat(unsigned cpu, unsigned period_ms);

/* Called by the vector on a synchronous exception; default: report and hang. */
struct exception_info {
	uint64_t esr, far, elr;
};
extern volatile bool expect_exception;
extern volatile struct exception_info last_exception;
extern volatile unsigned exception_count;

#endif
