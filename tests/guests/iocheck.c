/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Exercises the I/O emulation path from inside a VM and prints what it saw:
 * post-work on reads of the emulated PL011 (sizes, sign extension, register
 * width, the zero register), the unhandled-access policy on an address with
 * no handler and no device model, and the permission checks of Tessera's
 * hypercalls. The integration test compares every value.
 */
#include "guest.h"

#define PL011_CELLID3 (GUEST_UART + 0xffc) /* reads 0xb1: top bit set */
#define NO_DEVICE 0x0a000000ul /* a virtio-mmio slot this VM was not given */
#define HC_VERSION 0xc6000000ul
#define HC_NOTIFY_REQUEST_FINISH 0xc6000010ul
#define HC_UNKNOWN 0xc600fffful

void guest_main(unsigned cpu)
{
	unsigned long x;
	unsigned w;

	(void)cpu;
	__asm__ volatile("ldrb %w0, [%1]" : "=r"(w) : "r"(PL011_CELLID3));
	guest_printf("iocheck: ldrb 0x%x", w);
	__asm__ volatile("ldrsb %w0, [%1]" : "=r"(w) : "r"(PL011_CELLID3));
	guest_printf("iocheck: ldrsb w 0x%x", w);
	__asm__ volatile("ldrsb %0, [%1]" : "=r"(x) : "r"(PL011_CELLID3));
	guest_printf("iocheck: ldrsb x 0x%lx", x);
	x = 0x1234;
	__asm__ volatile("mov %0, #0x1234\n\tldr wzr, [%1]" : "+r"(x) : "r"(PL011_CELLID3));
	guest_printf("iocheck: ldr wzr kept x 0x%lx", x);

	__asm__ volatile("ldr %0, [%1]" : "=r"(x) : "r"(NO_DEVICE));
	guest_printf("iocheck: unhandled ldr x 0x%lx", x);
	__asm__ volatile("ldrb %w0, [%1]" : "=r"(w) : "r"(NO_DEVICE));
	guest_printf("iocheck: unhandled ldrb 0x%x", w);
	__asm__ volatile("str %w0, [%1]" : : "r"(0x5a5a5a5a), "r"(NO_DEVICE));
	guest_printf("iocheck: unhandled write dropped");
	for (int i = 0; i < 200; i++)
		__asm__ volatile("ldr %w0, [%1]" : "=r"(w) : "r"(NO_DEVICE));
	guest_printf("iocheck: 200 more unhandled reads");

	guest_printf("iocheck: hc version 0x%lx", psci_call(HC_VERSION, 0, 0, 0));
	guest_printf("iocheck: hc notify %ld",
		     psci_call(HC_NOTIFY_REQUEST_FINISH, 0, 0, 0));
	guest_printf("iocheck: hc notify hostile %ld",
		     psci_call(HC_NOTIFY_REQUEST_FINISH, ~0ul, ~0ul, 0));
	guest_printf("iocheck: hc unknown %ld", psci_call(HC_UNKNOWN, 0, 0, 0));

	/* An EL1 physical timer that fires and is never serviced (this guest
	 * has no interrupt handling): the hypervisor must hand it to the VM,
	 * not take it over and over. */
	__asm__ volatile("msr cntp_cval_el0, xzr; msr cntp_ctl_el0, %0; isb"
			 : : "r"(1ul));
	delay_ms(50);
	__asm__ volatile("mrs %0, cntp_ctl_el0" : "=r"(x));
	guest_printf("iocheck: ptimer ctl 0x%lx", x);
	guest_printf("iocheck: done");
	heartbeat(0, 300);
}
