/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Host test buffers fenced by inaccessible pages: `len` bytes that end right
 * before a PROT_NONE page (and start after one), so that a read or write
 * past the end faults instead of passing unnoticed. The slack between the
 * lower guard page and the data is filled with a canary, checked by
 * guarded_front_intact(): a write just before the data shows there.
 */
#ifndef TESSERA_TEST_GUARDED_H
#define TESSERA_TEST_GUARDED_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define GUARDED_CANARY 0xa5

struct guarded {
	uint8_t *map;
	uint8_t *body;
	size_t map_len;
	uint8_t *data; /* len bytes, flush against the upper guard page */
};

/* Aborts the test program if the mapping cannot be made. */
static inline void guarded_init(struct guarded *g, size_t len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	size_t body = (len + page - 1) / page * page;

	if (!body)
		body = page;
	g->map_len = body + 2 * page;
	g->map = mmap(NULL, g->map_len, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS,
		      -1, 0);
	if (g->map == MAP_FAILED ||
	    mprotect(g->map + page, body, PROT_READ | PROT_WRITE))
		abort();
	g->body = g->map + page;
	g->data = g->body + body - len;
	memset(g->body, GUARDED_CANARY, (size_t)(g->data - g->body));
}

static inline bool guarded_front_intact(const struct guarded *g)
{
	for (const uint8_t *p = g->body; p < g->data; p++)
		if (*p != GUARDED_CANARY)
			return false;
	return true;
}

static inline void guarded_fini(struct guarded *g)
{
	munmap(g->map, g->map_len);
}

#endif
