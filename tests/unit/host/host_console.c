/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arch_console_putc() into a capture buffer (see host_console.h). The buffer
 * is fixed and the index atomic, so even unlocked concurrent callers (a
 * console.c without its lock) garble the text instead of corrupting memory,
 * and a test can see the garbling.
 */
#include <arch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host_console.h"

#define CAPTURE_MAX (8u << 20)

/* Zero beyond len, so the text is always terminated. */
static char text[CAPTURE_MAX];
static size_t len;

void arch_console_putc(char c)
{
	size_t i = __atomic_fetch_add(&len, 1, __ATOMIC_RELAXED);

	if (i >= CAPTURE_MAX - 1) {
		fprintf(stderr, "host_console: more than %u bytes captured\n",
			CAPTURE_MAX - 1);
		abort();
	}
	text[i] = c;
}

static unsigned rx_resumes;

void arch_console_rx_resume(void)
{
	__atomic_fetch_add(&rx_resumes, 1, __ATOMIC_RELAXED);
}

unsigned host_console_rx_resumes(void)
{
	return __atomic_exchange_n(&rx_resumes, 0, __ATOMIC_RELAXED);
}

const char *host_console_text(void)
{
	return text;
}

size_t host_console_len(void)
{
	return __atomic_load_n(&len, __ATOMIC_RELAXED);
}

void host_console_reset(void)
{
	memset(text, 0, len < CAPTURE_MAX ? len : CAPTURE_MAX);
	len = 0;
}
