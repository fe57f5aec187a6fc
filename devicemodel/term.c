/* SPDX-License-Identifier: BSD-3-Clause */
/* Raw terminal mode and its restoration (term.h). */
#include <stdlib.h>
#include <termios.h>
#include <unistd.h>

#include "dm_log.h"
#include "term.h"

static struct termios saved;
static int saved_fd = -1;

void term_restore(void)
{
	if (saved_fd < 0)
		return;
	tcsetattr(saved_fd, TCSAFLUSH, &saved);
	saved_fd = -1;
	dm_log_set_crlf(false);
}

bool term_raw(int fd)
{
	static bool registered;
	struct termios t;

	if (!isatty(fd) || tcgetattr(fd, &saved))
		return false;
	t = saved;
	cfmakeraw(&t);
	if (tcsetattr(fd, TCSAFLUSH, &t))
		return false;
	saved_fd = fd;
	dm_log_set_crlf(true);
	if (!registered && !atexit(term_restore))
		registered = true;
	return true;
}
