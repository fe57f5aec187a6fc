/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * log.h on the host: lines go to stderr and are counted, and the most recent
 * ones are kept, so tests can assert on what was logged.
 */
#include <log.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_log.h"

#define KEPT_LINES 256
#define KEPT_LEN 256

unsigned host_log_lines[LOG_DEBUG + 1];
static char kept[KEPT_LINES][KEPT_LEN];
static unsigned kept_count; /* lines ever kept since the reset */
static pthread_mutex_t kept_lock = PTHREAD_MUTEX_INITIALIZER;

void log_write(int level, const char *fmt, ...)
{
	char line[KEPT_LEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&kept_lock);
	if (level >= LOG_ERROR && level <= LOG_DEBUG)
		host_log_lines[level]++;
	memcpy(kept[kept_count++ % KEPT_LINES], line, sizeof(line));
	pthread_mutex_unlock(&kept_lock);
	if (!getenv("TESSERA_TEST_QUIET"))
		fprintf(stderr, "%s\n", line);
}

void host_log_reset(void)
{
	pthread_mutex_lock(&kept_lock);
	for (unsigned i = 0; i <= LOG_DEBUG; i++)
		host_log_lines[i] = 0;
	kept_count = 0;
	pthread_mutex_unlock(&kept_lock);
}

unsigned host_log_count(const char *substring)
{
	unsigned n = 0, have;

	pthread_mutex_lock(&kept_lock);
	have = kept_count < KEPT_LINES ? kept_count : KEPT_LINES;
	for (unsigned i = 0; i < have; i++)
		if (strstr(kept[i], substring))
			n++;
	pthread_mutex_unlock(&kept_lock);
	return n;
}
