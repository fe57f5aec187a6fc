/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The physical console: writes to the UART, a whole line at a time under
 * one lock, so lines from different VMs never interleave mid-line. Only
 * the console drainer (console_out.h) writes here, and the hypervisor's log
 * before the drainer runs and at a panic; VMs never do, and never wait for
 * the UART.
 */
#ifndef TESSERA_CONSOLE_H
#define TESSERA_CONSOLE_H

#include <types.h>

/* Write `prefix` (may be NULL) then `n` bytes of `text`, then a newline. */
void console_write_line(const char *prefix, const char *text, size_t n);

/*
 * Unbuffered output for the VM the user types into (a shell prompt has no
 * newline): bytes go out at once, `prefix` starts each of its lines.
 * Everything else the guest sends reaches the terminal unchanged (escape
 * sequences included); a carriage return that is not part of CR LF returns
 * to the start of the line and writes the prefix again, so a line editor's
 * redraw lands in place. When another line must be written while this one
 * is unfinished, the unfinished line is broken and picked up again with its
 * prefix afterwards.
 */
void console_stream(const char *prefix, const char *text, size_t n);

#endif
