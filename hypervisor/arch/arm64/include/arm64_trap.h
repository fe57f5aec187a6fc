/* SPDX-License-Identifier: BSD-3-Clause */
/* Guest exits inside the arm64 layer: synchronous traps by class. */
#ifndef TESSERA_ARM64_TRAP_H
#define TESSERA_ARM64_TRAP_H

#include <arch_vm.h>
#include <types.h>

struct vcpu;

/* A synchronous exit of the loaded vCPU: dispatched on ESR_EL2.EC. */
void arm64_trap_sync(struct vcpu *v);
/* Deliver a synchronous external abort (data or instruction) to the guest. */
void arm64_inject_abort(struct vcpu *v, struct arch_regs *regs, bool data,
			uint64_t far);
void arm64_handle_dabt(struct vcpu *v, uint64_t esr);
/* SMCCC call from the guest (HVC or SMC); result in x0..x3. */
void arm64_handle_smccc(struct vcpu *v, struct arch_regs *regs);
/* A PSCI function (SMCCC owner 4): its result. */
int64_t arm64_psci(struct vcpu *v, struct arch_regs *regs, uint32_t fn);
/* First FP/SIMD use after a switch. */
void arm64_fp_trap(struct vcpu *v);

#endif
