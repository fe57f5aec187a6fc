/* SPDX-License-Identifier: BSD-3-Clause */
/* The hypervisor's console UART (a PL011) inside the arm64 layer. */
#ifndef TESSERA_ARM64_CONSOLE_H
#define TESSERA_ARM64_CONSOLE_H

#include <types.h>

/* Before the first log line: where the UART is. */
void arm64_console_init(uint64_t base);
/* Unmask its receive interrupt. */
void arm64_console_rx_enable(void);
/* Its receive interrupt fired: hand input on (console_input.h). */
void arm64_console_rx(void);

#endif
