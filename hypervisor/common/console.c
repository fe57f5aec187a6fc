/* SPDX-License-Identifier: BSD-3-Clause */
#include <arch.h>
#include <console.h>
#include <lib/spinlock.h>

static spinlock_t console_lock = SPINLOCK_INIT;
/* The stream whose line is unfinished on the terminal, or NULL. */
static const char *open_stream;

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

void console_stream(const char *prefix, const char *text, size_t n)
{
	spin_lock(&console_lock);
	for (size_t i = 0; i < n; i++) {
		if (text[i] == '\r')
			continue;
		if (open_stream != prefix) {
			break_open_stream();
			put_str(prefix);
			open_stream = prefix;
		}
		put(text[i]);
		if (text[i] == '\n')
			open_stream = NULL;
	}
	spin_unlock(&console_lock);
}
