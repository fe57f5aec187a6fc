/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SMCCC calls from a guest (through HVC or SMC), by owner: the Arm
 * architecture calls (SMCCC 1.1), PSCI (vpsci.c) and Tessera's own
 * hypercalls (owner 6, common/hypercall.c). Anything else is NOT_SUPPORTED.
 */
#include <arm64_trap.h>
#include <hypercall.h>
#include <smccc.h>
#include <vm.h>

#define SMCCC_VERSION_1_1 0x10001u
#define SMCCC_OWNER(fn) (((fn) >> 24) & 0x3fu)
#define SMCCC_OWNER_ARCH 0u
#define SMCCC_OWNER_STANDARD 4u /* PSCI */

/* SMCCC_ARCH_FEATURES: what this SMCCC implementation offers. The CPU
 * errata workarounds are the firmware's business, not a guest's. */
static int64_t arch_features(uint32_t fn)
{
	switch (fn) {
	case SMCCC_VERSION:
	case SMCCC_ARCH_FEATURES:
		return 0;
	default:
		return SMCCC_NOT_SUPPORTED;
	}
}

void arm64_handle_smccc(struct vcpu *v, struct arch_regs *regs)
{
	uint32_t fn = (uint32_t)regs->x[0];
	int64_t ret;

	if (fn == SMCCC_VERSION) {
		ret = SMCCC_VERSION_1_1;
	} else if (fn == SMCCC_ARCH_FEATURES) {
		ret = arch_features((uint32_t)regs->x[1]);
	} else if (SMCCC_OWNER(fn) == SMCCC_OWNER_STANDARD) {
		ret = arm64_psci(v, regs, fn);
	} else if (hypercall_is_tessera(fn)) {
		const uint64_t args[HYPERCALL_ARGS] = {regs->x[1], regs->x[2],
						       regs->x[3], regs->x[4]};

		ret = hypercall_dispatch(v, fn, args);
	} else {
		ret = SMCCC_NOT_SUPPORTED;
	}
	regs->x[0] = (uint64_t)ret;
}
