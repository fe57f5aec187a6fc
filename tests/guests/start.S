/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Test guest entry. vCPU 0 arrives at _start from the hypervisor; other vCPUs
 * at secondary_start through PSCI CPU_ON. Each gets a stack by MPIDR.Aff0,
 * and keeps the x0 it came in with in guest_boot_x0[] (guest.h).
 * .bss is not cleared here: guest_main decides (a reset keeps .data).
 */
#include "guest_layout.h"
#define STACK_SIZE GUEST_STACK_SIZE
#define MAX_CPUS GUEST_MAX_CPUS

	.section .text.start, "ax"
	.global _start
_start:
	.global secondary_start
secondary_start:
	msr	daifset, #0xf
	mrs	x1, mpidr_el1
	and	x1, x1, #0xff
	cmp	x1, #MAX_CPUS
	b.hs	hang
	adr	x2, stacks
	add	x3, x1, #1
	mov	x4, #STACK_SIZE
	madd	x2, x3, x4, x2
	mov	sp, x2
	adr	x2, guest_boot_x0	/* x0 as the vCPU came in: the device */
	str	x0, [x2, x1, lsl #3]	/* tree for vCPU 0, else CPU_ON's arg */
	adr	x2, guest_vectors
	msr	vbar_el1, x2
	isb
	mov	x0, x1
	bl	guest_main
hang:
	wfe
	b	hang

/*
 * Synchronous exceptions and IRQs at EL1h go to C (guest_sync_exception,
 * guest_irq) with the caller-saved registers on the stack; the rest hang.
 * Guests keep IRQs masked unless they provide guest_irq (runtime.c has a
 * default that hangs, as the vector did before it called C).
 */
	.macro	vec target
	.balign	0x80
	b	\target
	.endm

	.balign	0x800
guest_vectors:
	vec hang
	vec hang
	vec hang
	vec hang
	vec sync_el1h
	vec irq_el1h
	vec hang
	vec hang
	vec hang
	vec hang
	vec hang
	vec hang
	vec hang
	vec hang
	vec hang
	vec hang

/* x0-x18 and x30: what a C function may clobber (x29 it saves itself). */
	.macro	save_caller_saved
	sub	sp, sp, #256
	stp	x0, x1, [sp, #0]
	stp	x2, x3, [sp, #16]
	stp	x4, x5, [sp, #32]
	stp	x6, x7, [sp, #48]
	stp	x8, x9, [sp, #64]
	stp	x10, x11, [sp, #80]
	stp	x12, x13, [sp, #96]
	stp	x14, x15, [sp, #112]
	stp	x16, x17, [sp, #128]
	stp	x18, x30, [sp, #144]
	.endm

	.macro	restore_caller_saved
	ldp	x0, x1, [sp, #0]
	ldp	x2, x3, [sp, #16]
	ldp	x4, x5, [sp, #32]
	ldp	x6, x7, [sp, #48]
	ldp	x8, x9, [sp, #64]
	ldp	x10, x11, [sp, #80]
	ldp	x12, x13, [sp, #96]
	ldp	x14, x15, [sp, #112]
	ldp	x16, x17, [sp, #128]
	ldp	x18, x30, [sp, #144]
	add	sp, sp, #256
	.endm

sync_el1h:
	save_caller_saved
	bl	guest_sync_exception
	restore_caller_saved
	eret

/*
 * ELR_EL1 and SPSR_EL1 are not saved: PSTATE.I stays set while guest_irq
 * runs, and an IRQ handler must not take a synchronous exception.
 */
irq_el1h:
	save_caller_saved
	bl	guest_irq
	restore_caller_saved
	eret

	.bss
	.balign	16
stacks:
	.space	STACK_SIZE * MAX_CPUS
	.global	guest_boot_x0
	.balign	8
guest_boot_x0:
	.space	8 * MAX_CPUS
