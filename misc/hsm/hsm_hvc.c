// SPDX-License-Identifier: GPL-2.0-only
/*
 * Tessera hypercalls: hvc #0 under the SMC Calling Convention
 * (uapi/tessera_hypercall.h). The result is x0: >= 0 on success, a negated
 * errno on failure; an SMCCC implementation that does not know the call
 * answers NOT_SUPPORTED (-1).
 */
#include <linux/arm-smccc.h>

#include "hsm.h"

long hsm_hvc(u32 fn, u64 a1, u64 a2, u64 a3)
{
	struct arm_smccc_res res;

	arm_smccc_1_1_hvc(fn, a1, a2, a3, &res);
	return (long)res.a0;
}
