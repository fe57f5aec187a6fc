// SPDX-License-Identifier: GPL-2.0-only
/* The test programs' seeded random numbers (xorshift64; seed must not be 0). */
#ifndef TESSERA_HSM_TESTS_XORSHIFT_H
#define TESSERA_HSM_TESTS_XORSHIFT_H

#include <stdint.h>

#define XORSHIFT_SEED 0x9e3779b97f4a7c15ull

static inline uint64_t xorshift64(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

#endif
