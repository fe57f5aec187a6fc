/* SPDX-License-Identifier: BSD-3-Clause */
#include <arch.h>
#include <console.h>
#include <lib/spinlock.h>

static spinlock_t console_lock = SPINLOCK_INIT;
/* The stream whose line is unfinished on the terminal, or NULL. */
static const char *open_stream;
/* That stream sent a carriage return: a newline or a redraw follows. */
static bool cr_pending;

static void put(char c)
{
	if (c == '\n')
		arch_console_putc('\r');
	arch_console_putc(c);
}

static void put_str(const char *s)
{
	for (; s && *s; s++)
		put(*s);
}

static void break_open_stream(void)
{
	if (open_stream)
		put('\n');
	open_stream = NULL;
	cr_pending = false;
}

void console_write_line(const char *prefix, const char *text, size_t n)
{
	spin_lock(&console_lock);
	break_open_stream();
	put_str(prefix);
	for (size_t i = 0; i < n; i++)
		put(text[i]);
	put('\n');
	spin_unlock(&console_lock);
}

/*
 * A lone carriage return is a line editor redrawing its line: the cursor
 * goes back to the start of the terminal line, where the prefix is, so the
 * prefix is written again before the redrawn text. CR LF is a newline.
 */
static void stream_char(const char *prefix, char c)
{
	if (c == '\r') {
		if (open_stream == prefix)
			cr_pending = true;
		return;
	}
	if (open_stream == prefix && cr_pending && c != '\n') {
		arch_console_putc('\r');
		put_str(prefix);
	}
	cr_pending = false;
	if (open_stream != prefix) {
		break_open_stream();
		put_str(prefix);
		open_stream = prefix;
	}
	put(c);
	if (c == '\n')
		open_stream = NULL;
}

void console_stream(const char *prefix, const char *text, size_t n)
{
	spin_lock(&console_lock);
	for (size_t i = 0; i < n; i++)
		stream_char(prefix, text[i]);
	spin_unlock(&console_lock);
}
