/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EL2 exception vectors and guest entry.
 *
 * arm64_enter_guest(regs) is called like a function: it keeps the
 * hypervisor's callee-saved registers and the frame pointer `regs` on the
 * EL2 stack, loads the guest's general registers, ELR and SPSR from `regs`
 * (the vCPU's struct arch_regs) and erets. A trap from the guest lands on
 * the same stack: the vector stores the guest's registers back into `regs`,
 * restores the hypervisor's and returns from arm64_enter_guest with the
 * exception kind (ARM64_EXIT_*). Nothing of the guest is on the stack
 * afterwards, so the vCPU can be switched out right there.
 *
 * Exceptions taken at EL2 itself are hypervisor bugs and end in a panic.
 */
#include <arm64_exit.h>

	.macro	guest_vector kind
	.balign	0x80
	stp	x0, x1, [sp, #-16]!
	mov	x1, #\kind
	b	guest_exit
	.endm

	.macro	hyp_vector kind
	.balign	0x80
	mov	x0, #\kind
	mov	x1, sp
	b	arm64_hyp_exception
	.endm

	.text
	.balign	0x800
	.global	el2_vectors
el2_vectors:
	hyp_vector 0			/* current EL, SP0 */
	hyp_vector 1
	hyp_vector 2
	hyp_vector 3
	hyp_vector 4			/* current EL, SPx */
	hyp_vector 5
	hyp_vector 6
	hyp_vector 7
	guest_vector ARM64_EXIT_SYNC	/* lower EL, AArch64 */
	guest_vector ARM64_EXIT_IRQ
	guest_vector ARM64_EXIT_FIQ
	guest_vector ARM64_EXIT_SERROR
	guest_vector ARM64_EXIT_AARCH32	/* lower EL, AArch32 */
	guest_vector ARM64_EXIT_AARCH32
	guest_vector ARM64_EXIT_AARCH32
	guest_vector ARM64_EXIT_AARCH32

/* uint64_t arm64_enter_guest(struct arch_regs *regs) */
	.global	arm64_enter_guest
arm64_enter_guest:
	stp	x29, x30, [sp, #-96]!
	stp	x19, x20, [sp, #16]
	stp	x21, x22, [sp, #32]
	stp	x23, x24, [sp, #48]
	stp	x25, x26, [sp, #64]
	stp	x27, x28, [sp, #80]
	str	x0, [sp, #-16]!			/* regs, for the way back */
	ldp	x30, x1, [x0, #16 * 15]
	msr	elr_el2, x1
	ldr	x1, [x0, #16 * 16]
	msr	spsr_el2, x1
	ldp	x2, x3, [x0, #16 * 1]
	ldp	x4, x5, [x0, #16 * 2]
	ldp	x6, x7, [x0, #16 * 3]
	ldp	x8, x9, [x0, #16 * 4]
	ldp	x10, x11, [x0, #16 * 5]
	ldp	x12, x13, [x0, #16 * 6]
	ldp	x14, x15, [x0, #16 * 7]
	ldp	x16, x17, [x0, #16 * 8]
	ldp	x18, x19, [x0, #16 * 9]
	ldp	x20, x21, [x0, #16 * 10]
	ldp	x22, x23, [x0, #16 * 11]
	ldp	x24, x25, [x0, #16 * 12]
	ldp	x26, x27, [x0, #16 * 13]
	ldp	x28, x29, [x0, #16 * 14]
	ldp	x0, x1, [x0, #16 * 0]
	eret

/* From a guest vector: the guest's x0, x1 are on the stack, x1 = kind. */
guest_exit:
	ldr	x0, [sp, #16]			/* regs */
	stp	x2, x3, [x0, #16 * 1]
	stp	x4, x5, [x0, #16 * 2]
	stp	x6, x7, [x0, #16 * 3]
	stp	x8, x9, [x0, #16 * 4]
	stp	x10, x11, [x0, #16 * 5]
	stp	x12, x13, [x0, #16 * 6]
	stp	x14, x15, [x0, #16 * 7]
	stp	x16, x17, [x0, #16 * 8]
	stp	x18, x19, [x0, #16 * 9]
	stp	x20, x21, [x0, #16 * 10]
	stp	x22, x23, [x0, #16 * 11]
	stp	x24, x25, [x0, #16 * 12]
	stp	x26, x27, [x0, #16 * 13]
	stp	x28, x29, [x0, #16 * 14]
	mrs	x2, elr_el2
	stp	x30, x2, [x0, #16 * 15]
	mrs	x2, spsr_el2
	str	x2, [x0, #16 * 16]
	ldp	x2, x3, [sp], #16		/* the guest's x0, x1 */
	stp	x2, x3, [x0, #16 * 0]
	mov	x0, x1				/* the exit kind */
	add	sp, sp, #16			/* regs */
	ldp	x19, x20, [sp, #16]
	ldp	x21, x22, [sp, #32]
	ldp	x23, x24, [sp, #48]
	ldp	x25, x26, [sp, #64]
	ldp	x27, x28, [sp, #80]
	ldp	x29, x30, [sp], #96
	ret
