/* SPDX-License-Identifier: BSD-3-Clause */
/* Address ranges [base, base + size), compared without overflowing. */
#ifndef TESSERA_LIB_RANGE_H
#define TESSERA_LIB_RANGE_H

#include <types.h>

static inline bool range_overlaps(uint64_t a, uint64_t asz, uint64_t b,
				  uint64_t bsz)
{
	return a < b + bsz && b < a + asz;
}

/* [a, a + asz) lies wholly within [b, b + bsz). */
static inline bool range_inside(uint64_t a, uint64_t asz, uint64_t b,
				uint64_t bsz)
{
	return a >= b && asz <= bsz && a - b <= bsz - asz;
}

#endif
