/* SPDX-License-Identifier: BSD-3-Clause */
/* Data cache maintenance by virtual address. */
#include <arch.h>
#include <sysreg.h>

void arch_clean_dcache(const void *p, size_t n)
{
	/* CTR_EL0.DminLine: log2 of the smallest data cache line in words. */
	uint64_t line = 4ull << ((read_sysreg(ctr_el0) >> 16) & 0xf);
	uintptr_t end = (uintptr_t)p + n;

	for (uintptr_t a = ALIGN_DOWN((uintptr_t)p, line); a < end; a += line)
		__asm__ volatile("dc cvac, %0" : : "r"(a) : "memory");
	dsb(sy);
}
