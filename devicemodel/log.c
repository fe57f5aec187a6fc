/* SPDX-License-Identifier: BSD-3-Clause */
/* log_write() for tessera-dm: one write(2) per line on stderr (dm_log.h). */
#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "dm_log.h"

static int max_level = LOG_INFO;
static bool crlf;

void dm_log_set_level(int level)
{
	max_level = level;
}

void dm_log_set_crlf(bool on)
{
	crlf = on;
}

void log_write(int level, const char *fmt, ...)
{
	static const char *const tag[] = {
		[LOG_ERROR] = "error: ", [LOG_WARN] = "warning: ",
		[LOG_INFO] = "", [LOG_DEBUG] = "debug: ",
	};
	char line[1024];
	size_t n;
	va_list ap;
	int k;

	if (level > max_level || level < LOG_ERROR || level > LOG_DEBUG)
		return;
	k = snprintf(line, sizeof(line), "tessera-dm: %s", tag[level]);
	n = k < 0 ? 0 : (size_t)k;
	va_start(ap, fmt);
	k = vsnprintf(line + n, sizeof(line) - n, fmt, ap);
	va_end(ap);
	n += k < 0 ? 0 : (size_t)k;
	if (n > sizeof(line) - 3)
		n = sizeof(line) - 3; /* cut, with room for the line end */
	if (crlf)
		line[n++] = '\r';
	line[n++] = '\n';
	if (write(STDERR_FILENO, line, n) < 0) {
		/* nowhere left to report it */
	}
}
