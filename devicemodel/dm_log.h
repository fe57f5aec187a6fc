/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device model logs through the hypervisor's <log.h> API (log_err,
 * log_warn, log_info, log_debug, struct log_ratelimit), so the hypervisor
 * files it reuses log the same way. log.c writes each line whole to stderr,
 * prefixed "tessera-dm: ". The host tests link tests/unit/host/host_log.c
 * instead, which counts lines per level.
 */
#ifndef TESSERA_DM_LOG_H
#define TESSERA_DM_LOG_H

#include <stdbool.h>

#include <log.h>

/* Lines above `level` (LOG_ERROR..LOG_DEBUG) are dropped; default LOG_INFO. */
void dm_log_set_level(int level);
/* End lines with "\r\n": the terminal is in raw mode (no output processing). */
void dm_log_set_crlf(bool crlf);

#endif
