/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Post-work: the register value a completed read leaves behind. Pure, so it
 * runs on the vCPU's own pCPU from the access saved at trap time, never from
 * fault registers that a context switch may have changed.
 */
#include "io_internal.h"

static uint64_t sign_extend(uint64_t v, unsigned size)
{
	uint64_t sign = 1ull << (size * 8 - 1);

	return (v ^ sign) - sign; /* v is already masked to size */
}

bool io_postwork_value(const struct io_access *a, uint64_t old_reg,
		       uint64_t *new_reg)
{
	uint64_t mask = io_size_mask(a->size);
	uint64_t v = a->value & mask;

	if (a->write || a->reg >= IO_REG_ZERO)
		return false;
	if (a->merge_low && a->size < 4) {
		/* x86 8/16-bit destinations keep the rest of the register. */
		*new_reg = (old_reg & ~mask) | v;
		return true;
	}
	if (a->sign_extend)
		v = sign_extend(v, a->size);
	if (!a->reg_is_64bit)
		v &= 0xffffffffull; /* a W register write clears the top half */
	*new_reg = v;
	return true;
}
