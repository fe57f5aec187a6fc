/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Entry at EL2 from QEMU's -kernel loader or a bootloader, using the Linux
 * arm64 Image protocol: x0 = device tree, MMU off. The header makes loaders
 * place the image 2 MiB-aligned at RAM base + 2 MiB (0x40200000 on QEMU
 * virt), where it is linked; anything else is refused.
 */
#include <arm64_cpu.h>

	.section .text.head, "ax"
	.global _head
_head:
	b	primary_entry
	.long	0
	.quad	0			/* text_offset: 0 from a 2 MiB boundary */
	.quad	__image_size		/* image_size */
	.quad	0x2			/* flags: little endian, 4 KiB pages */
	.quad	0, 0, 0
	.ascii	"ARM\x64"		/* magic */
	.long	0

primary_entry:
	msr	daifset, #0xf
	mov	x19, x0				/* device tree */
	mrs	x1, CurrentEL
	cmp	x1, #(2 << 2)
	b.ne	halt				/* not at EL2: nothing we can do */
	adr	x1, _head
	ldr	x2, =_head
	cmp	x1, x2
	b.ne	halt				/* loaded somewhere we were not linked */

	ldr	x1, =__bss_start
	ldr	x2, =__bss_end
1:	cmp	x1, x2
	b.hs	2f
	str	xzr, [x1], #8
	b	1b
2:	mov	x20, #0				/* boot pCPU is logical CPU 0 */
	bl	cpu_setup_stack
	mov	x0, x19				/* MMU and caches still off: C */
	bl	arm64_boot_primary		/* turns them on (arm64_mmu.h) */
	b	halt

/* PSCI CPU_ON target; x0 = logical CPU id passed as context. */
	.global secondary_entry
secondary_entry:
	msr	daifset, #0xf
	mov	x20, x0
	bl	cpu_setup_stack
	bl	arm64_mmu_enable
	mov	x0, x20
	bl	arm64_boot_secondary
	b	halt

/* SP = top of CPU x20's stack, TPIDR_EL2 = 0 until C binds its struct
 * pcpu, vectors. */
cpu_setup_stack:
	msr	tpidr_el2, xzr
	ldr	x1, =cpu_stacks
	add	x2, x20, #1
	mov	x3, #CPU_STACK_SIZE
	madd	x1, x2, x3, x1
	mov	sp, x1
	ldr	x1, =el2_vectors
	msr	vbar_el2, x1
	isb
	ret

halt:
	wfe
	b	halt

	.bss
	.balign	16
	.global cpu_stacks
cpu_stacks:
	.space	CPU_STACK_SIZE * CONFIG_MAX_PCPUS
