/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arch_console_putc() on the host: every byte is appended to a capture
 * buffer that tests read and reset. Not locked: console.c calls it under the
 * console lock, as the real UART driver is.
 */
#ifndef TESSERA_HOST_CONSOLE_H
#define TESSERA_HOST_CONSOLE_H

#include <stddef.h>

/* Everything written since the last reset, NUL-terminated. */
const char *host_console_text(void);
size_t host_console_len(void);
void host_console_reset(void);
/* arch_console_rx_resume() calls since the last look. */
unsigned host_console_rx_resumes(void);

#endif
