/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hypervisor log. Messages below CONFIG_LOG_LEVEL are compiled out. Each line
 * reaches the console whole, prefixed with "[hv] " and its level: written at
 * once during boot, then through the log's buffer, which the console pCPU
 * drains (console_out.h), so that no pCPU waits for the UART to log.
 */
#ifndef TESSERA_LOG_H
#define TESSERA_LOG_H

#include <config.h>
#include <types.h>

#define LOG_ERROR 1
#define LOG_WARN 2
#define LOG_INFO 3
#define LOG_DEBUG 4

void log_write(int level, const char *fmt, ...) PRINTF_LIKE(2, 3);

#define log_at(level, ...)                                                     \
	do {                                                                   \
		if ((level) <= CONFIG_LOG_LEVEL)                               \
			log_write((level), __VA_ARGS__);                       \
	} while (0)

#define log_err(...) log_at(LOG_ERROR, __VA_ARGS__)
#define log_warn(...) log_at(LOG_WARN, __VA_ARGS__)
#define log_info(...) log_at(LOG_INFO, __VA_ARGS__)
#define log_debug(...) log_at(LOG_DEBUG, __VA_ARGS__)

/*
 * Rate limiting for lines a guest can cause at will: one limiter per VM (or
 * device) and per reason. The first LOG_RATELIMIT_BURST events are logged;
 * the rest are counted, with a summary line every LOG_RATELIMIT_SUMMARY
 * suppressed events and one when the owner flushes the limiter (a VM that
 * stops, resets or goes). Counted in events, not timed: it needs no clock
 * and behaves the same on the host and under -icount.
 */
#define LOG_RATELIMIT_BURST 8u
#define LOG_RATELIMIT_SUMMARY 65536u

struct log_ratelimit {
	uint64_t events;  /* since the last flush (atomic) */
	int level;        /* of the lines it limits, for its summaries */
	const char *who;  /* "vm <who>" in summaries; NULL: the hypervisor */
	const char *what; /* the kind of line, e.g. "unhandled access" */
};

#define LOG_RATELIMIT_INIT(level, who, what) {0, (level), (who), (what)}

/* True when this event should be logged; counts it either way. Safe from
 * several pCPUs at once. */
bool log_ratelimit_allow(struct log_ratelimit *rl);
/* Log what was suppressed since the last flush, if anything; the next event
 * starts a new burst. */
void log_ratelimit_flush(struct log_ratelimit *rl);

#endif
