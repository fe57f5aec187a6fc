/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * arch_counter_now() for host tests without the fake arch layer: a counter
 * that moves one tick per read, so every stamp taken from it is distinct
 * and in the order the reads were made.
 */
#include <arch.h>

static uint64_t ticks;

uint64_t arch_counter_now(void)
{
	return __atomic_add_fetch(&ticks, 1, __ATOMIC_RELAXED);
}
