/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hooks common code needs from the architecture. Declared once here, defined
 * under hypervisor/arch/<arch>/ (and faked in tests/unit/host for host tests).
 */
#ifndef TESSERA_ARCH_H
#define TESSERA_ARCH_H

#include <types.h>

struct vm;
struct vcpu;

/* Console output of one byte on the hypervisor's UART. */
void arch_console_putc(char c);
/* Console input may flow again (console_input.h); any pCPU. */
void arch_console_rx_resume(void);

/* The VM's second-stage translation, interrupt controller and its
 * registers (after its I/O emulation is initialised). */
int arch_vm_init(struct vm *vm);
/* Back to power-on state (SYSTEM_RESET), while none of its vCPUs runs. */
void arch_vm_reset(struct vm *vm);
/* Drive a level-sensitive virtual interrupt line of the VM (any pCPU). */
void arch_vm_set_irq_level(struct vm *vm, unsigned intid, bool level);
/* Set the vCPU's registers to its architectural reset state at pc, arg. */
void arch_vcpu_reset(struct vcpu *vcpu, uint64_t pc, uint64_t arg);
/* Enter the guest on this pCPU; returns only through traps. */
NORETURN void arch_vcpu_enter(struct vcpu *vcpu);

/* Start a secondary pCPU; it calls pcpu_secondary_main(cpu). */
int arch_pcpu_start(unsigned cpu, uint64_t mpidr);
/* Interrupt `cpu` so that it leaves its guest and looks at its requests. */
void arch_pcpu_kick(unsigned cpu);
/* Sleep until an interrupt or a kick arrives (interrupts stay masked). */
void arch_pcpu_wait(void);

/* Write back data caches over [p, p+n) to the point of coherency, so a
 * guest starting with its MMU (and caches) off sees what was copied. */
void arch_clean_dcache(const void *p, size_t n);

/* Common entry points the arch code calls. */
NORETURN void hv_main(const void *dtb);
NORETURN void pcpu_secondary_main(unsigned cpu);
NORETURN void hv_panic(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
