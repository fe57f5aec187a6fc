/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * EL2 exception vectors. A trap from the guest saves its general registers,
 * ELR and SPSR into the frame at the top of this pCPU's stack (struct
 * arch_regs), calls C with a pointer to it and returns to the guest from it.
 * Exceptions taken at EL2 itself are hypervisor bugs and end in a panic.
 */
	.macro	save_guest
	stp	x0, x1, [sp, #16 * 0]
	stp	x2, x3, [sp, #16 * 1]
	stp	x4, x5, [sp, #16 * 2]
	stp	x6, x7, [sp, #16 * 3]
	stp	x8, x9, [sp, #16 * 4]
	stp	x10, x11, [sp, #16 * 5]
	stp	x12, x13, [sp, #16 * 6]
	stp	x14, x15, [sp, #16 * 7]
	stp	x16, x17, [sp, #16 * 8]
	stp	x18, x19, [sp, #16 * 9]
	stp	x20, x21, [sp, #16 * 10]
	stp	x22, x23, [sp, #16 * 11]
	stp	x24, x25, [sp, #16 * 12]
	stp	x26, x27, [sp, #16 * 13]
	stp	x28, x29, [sp, #16 * 14]
	mrs	x0, elr_el2
	stp	x30, x0, [sp, #16 * 15]
	mrs	x0, spsr_el2
	str	x0, [sp, #16 * 16]
	mov	x0, sp
	.endm

	.macro	guest_vector handler
	.balign	0x80
	save_guest
	bl	\handler
	b	guest_return
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
	guest_vector arm64_trap_sync	/* lower EL, AArch64 */
	guest_vector arm64_trap_irq
	guest_vector arm64_trap_fiq
	guest_vector arm64_trap_serror
	guest_vector arm64_trap_aarch32	/* lower EL, AArch32 */
	guest_vector arm64_trap_aarch32
	guest_vector arm64_trap_aarch32
	guest_vector arm64_trap_aarch32

/* Enter (or re-enter) the guest from the frame at x0, which is this pCPU's. */
	.global	arm64_enter_guest
arm64_enter_guest:
	mov	sp, x0
guest_return:
	ldp	x30, x0, [sp, #16 * 15]
	msr	elr_el2, x0
	ldr	x0, [sp, #16 * 16]
	msr	spsr_el2, x0
	ldp	x0, x1, [sp, #16 * 0]
	ldp	x2, x3, [sp, #16 * 1]
	ldp	x4, x5, [sp, #16 * 2]
	ldp	x6, x7, [sp, #16 * 3]
	ldp	x8, x9, [sp, #16 * 4]
	ldp	x10, x11, [sp, #16 * 5]
	ldp	x12, x13, [sp, #16 * 6]
	ldp	x14, x15, [sp, #16 * 7]
	ldp	x16, x17, [sp, #16 * 8]
	ldp	x18, x19, [sp, #16 * 9]
	ldp	x20, x21, [sp, #16 * 10]
	ldp	x22, x23, [sp, #16 * 11]
	ldp	x24, x25, [sp, #16 * 12]
	ldp	x26, x27, [sp, #16 * 13]
	ldp	x28, x29, [sp, #16 * 14]
	eret
