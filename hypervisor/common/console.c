/* SPDX-License-Identifier: BSD-3-Clause */
#include <arch.h>
#include <console.h>
#include <lib/spinlock.h>

static spinlock_t console_lock = SPINLOCK_INIT;

static void put(char c)
{
	if (c == '\n')
		arch_console_putc('\r');
	arch_console_putc(c);
}

void console_write_line(const char *prefix, const char *text, size_t n)
{
	spin_lock(&console_lock);
	for (; prefix && *prefix; prefix++)
		put(*prefix);
	for (size_t i = 0; i < n; i++)
		put(text[i]);
	put('\n');
	spin_unlock(&console_lock);
}
