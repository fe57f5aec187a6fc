/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hypervisor log. Messages below CONFIG_LOG_LEVEL are compiled out. Each line is
 * written whole under the console lock and prefixed with the level and pCPU.
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
 * Rate limiting for events a guest can trigger at will: at most `burst` lines,
 * then one more every `interval` events. Not a time-based limiter on purpose:
 * it needs no clock and behaves the same on the host and under -icount.
 */
struct log_ratelimit {
	uint32_t events;
	uint32_t burst;
	uint32_t interval;
};

#define LOG_RATELIMIT_INIT(burst, interval) {0, (burst), (interval)}

/* Returns true when this event should be logged; counts it either way. */
bool log_ratelimit_allow(struct log_ratelimit *rl);

#endif
