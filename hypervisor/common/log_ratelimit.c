/* SPDX-License-Identifier: BSD-3-Clause */
/* Event-count rate limiting (log.h). */
#include <log.h>

static void summary(const struct log_ratelimit *rl, uint64_t suppressed,
		    uint64_t events, const char *when)
{
	if (rl->who)
		log_at(rl->level, "vm %s: %llu of %llu \"%s\" lines suppressed%s",
		       rl->who, (unsigned long long)suppressed,
		       (unsigned long long)events, rl->what, when);
	else
		log_at(rl->level, "%llu of %llu \"%s\" lines suppressed%s",
		       (unsigned long long)suppressed,
		       (unsigned long long)events, rl->what, when);
}

bool log_ratelimit_allow(struct log_ratelimit *rl)
{
	uint64_t n = __atomic_add_fetch(&rl->events, 1, __ATOMIC_RELAXED);

	if (n <= LOG_RATELIMIT_BURST)
		return true;
	if ((n - LOG_RATELIMIT_BURST) % LOG_RATELIMIT_SUMMARY == 0)
		summary(rl, n - LOG_RATELIMIT_BURST, n, " so far");
	return false;
}

void log_ratelimit_flush(struct log_ratelimit *rl)
{
	uint64_t n = __atomic_exchange_n(&rl->events, 0, __ATOMIC_RELAXED);

	if (n > LOG_RATELIMIT_BURST)
		summary(rl, n - LOG_RATELIMIT_BURST, n, "");
}
