/* SPDX-License-Identifier: BSD-3-Clause */
#include <console_out.h>
#include <lib/format.h>
#include <log.h>

#define LOG_LINE_MAX 200

static const char *const level_tag[] = {
	[LOG_ERROR] = "error: ",
	[LOG_WARN] = "warning: ",
	[LOG_INFO] = "",
	[LOG_DEBUG] = "debug: ",
};

void log_write(int level, const char *fmt, ...)
{
	char line[LOG_LINE_MAX];
	int head = fmt_snprintf(line, sizeof(line), "%s", level_tag[level]);
	int n;
	va_list ap;

	va_start(ap, fmt);
	n = fmt_vsnprintf(line + head, sizeof(line) - (size_t)head, fmt, ap);
	va_end(ap);
	n += head;
	console_out_log(line, (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
}
