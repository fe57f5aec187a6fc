/* SPDX-License-Identifier: BSD-3-Clause */
/* log.h on the host: lines go to stderr and are counted, so tests can assert on them. */
#include <log.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

#include "host_log.h"

unsigned host_log_lines[LOG_DEBUG + 1];

void log_write(int level, const char *fmt, ...)
{
	va_list ap;

	if (level >= LOG_ERROR && level <= LOG_DEBUG)
		host_log_lines[level]++;
	if (getenv("TESSERA_TEST_QUIET"))
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void host_log_reset(void)
{
	for (unsigned i = 0; i <= LOG_DEBUG; i++)
		host_log_lines[i] = 0;
}
