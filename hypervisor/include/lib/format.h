/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * printf-style formatting into a bounded buffer. Supports %d %i %u %x %X %p %s %c
 * %% with the l, ll and z length modifiers, a field width, '0', '-' and '#'
 * flags.
 * Output is always NUL-terminated when size > 0; the return value is the
 * length the full output would have had, like C's vsnprintf.
 */
#ifndef TESSERA_LIB_FORMAT_H
#define TESSERA_LIB_FORMAT_H

#include <stdarg.h>
#include <types.h>

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap);
int fmt_snprintf(char *buf, size_t size, const char *fmt, ...) PRINTF_LIKE(3, 4);

#endif
