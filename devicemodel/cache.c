/* SPDX-License-Identifier: BSD-3-Clause */
/* DC CVAC over a range, from EL0 (cache.h). */
#include <stdint.h>

#include "cache.h"

void cache_clean_poc(const void *p, size_t n)
{
#if defined(__aarch64__)
	uint64_t ctr;
	uintptr_t line, a, end = (uintptr_t)p + n;

	/* CTR_EL0.DminLine: log2 of the smallest D-cache line, in words;
	 * readable at EL0 under Linux (SCTLR_EL1.UCT, or emulated). */
	__asm__ volatile("mrs %0, ctr_el0" : "=r"(ctr));
	line = 4u << ((ctr >> 16) & 0xf);
	for (a = (uintptr_t)p & ~(line - 1); a < end; a += line)
		__asm__ volatile("dc cvac, %0" : : "r"(a) : "memory");
	__asm__ volatile("dsb sy" ::: "memory");
#else
	(void)p;
	(void)n;
#endif
}
