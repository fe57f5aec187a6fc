/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The DM's terminal, when the virtio-console owns stdin: raw mode (no echo,
 * no line editing, no signals from keys, no output processing) so the
 * guest's console behaves like a serial line, and the saved settings put
 * back on every way out (term_restore(), also registered with atexit()).
 */
#ifndef TESSERA_DM_TERM_H
#define TESSERA_DM_TERM_H

#include <stdbool.h>

/* Raw mode on fd if it is a terminal: true if it was changed. */
bool term_raw(int fd);
void term_restore(void);

#endif
