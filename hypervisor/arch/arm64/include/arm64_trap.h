/* SPDX-License-Identifier: BSD-3-Clause */
/* Guest trap handling inside the arm64 layer. */
#ifndef TESSERA_ARM64_TRAP_H
#define TESSERA_ARM64_TRAP_H

#include <arch_vm.h>
#include <vm.h>

/* Deliver a synchronous external abort (data or instruction) to the guest. */
void arm64_inject_abort(struct vcpu *vcpu, struct arch_regs *regs, bool data,
			uint64_t far);
void arm64_handle_dabt(struct vcpu *vcpu, struct arch_regs *regs, uint64_t esr);
/* SMCCC call from the guest (HVC or SMC); result in x0..x3. */
void arm64_handle_smccc(struct vcpu *vcpu, struct arch_regs *regs);

#endif
