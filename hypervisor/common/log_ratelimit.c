/* SPDX-License-Identifier: BSD-3-Clause */
/* Event-count rate limiting (log.h). Safe from several pCPUs at once. */
#include <log.h>

bool log_ratelimit_allow(struct log_ratelimit *rl)
{
	/* After 2^32 events the count wraps and a new burst is allowed. */
	uint32_t n = __atomic_fetch_add(&rl->events, 1, __ATOMIC_RELAXED);

	if (n < rl->burst)
		return true;
	return rl->interval != 0 && (n - rl->burst + 1) % rl->interval == 0;
}
