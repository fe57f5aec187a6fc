/* SPDX-License-Identifier: BSD-3-Clause */
#ifndef TESSERA_HOST_LOG_H
#define TESSERA_HOST_LOG_H

#include <stdlib.h>

/* Lines logged at each level since the last reset. */
extern unsigned host_log_lines[];
void host_log_reset(void);
/* How many of the last 256 lines since the reset contain `substring`. */
unsigned host_log_count(const char *substring);

#endif
