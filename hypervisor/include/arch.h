/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Hooks common code needs from the architecture. Declared once here, defined
 * under hypervisor/arch/<arch>/ (and faked in tests/unit/host for host
 * tests). Everything the arch code needs to know of the board or a VM is
 * passed in; it does not read the scenario itself.
 */
#ifndef TESSERA_ARCH_H
#define TESSERA_ARCH_H

#include <types.h>

struct board_config;
struct io_access;
struct pcpu;
struct vcpu;
struct vm;

/* ---- console ---- */

/* Console output of one byte on the hypervisor's UART. */
void arch_console_putc(char c);
/* Console input may flow again (console_input.h); any pCPU. */
void arch_console_rx_resume(void);

/* ---- pCPUs ---- */

/* On the boot pCPU, before the first log line: console, interrupt
 * controller, timers of this pCPU; p becomes pcpu_this(). */
void arch_init_boot_pcpu(struct pcpu *p, const struct board_config *board);
/* Start a secondary pCPU; once its own set-up is done it calls
 * pcpu_secondary_main(p). 0 or -1. */
int arch_pcpu_start(struct pcpu *p, uint64_t mpidr);
/* Interrupt p so that it leaves its guest or its idle wait and looks again. */
void arch_pcpu_kick(struct pcpu *p);
/* Sleep until an interrupt arrives (or a kick), then handle interrupts. */
void arch_pcpu_idle(struct pcpu *p);
/* Turn the machine off (the firmware's PSCI SYSTEM_OFF); on hardware it
 * does not return. */
void arch_board_power_off(void);
/* The system counter (the guests' timebase) and its frequency. */
uint64_t arch_counter_now(void);
uint64_t arch_counter_hz(void);
/* Arm this pCPU's own timer at counter value `at` (UINT64_MAX: off); on
 * expiry the arch calls sched_timer_fired(). */
void arch_pcpu_timer_set(uint64_t at);

/* ---- vCPU context ---- */

/* Once, when the VM is set up: the parts of the context that never change
 * (identification registers). */
void arch_vcpu_init(struct vcpu *v);
/* The context, in memory, back to its architectural reset state: EL1h,
 * interrupts masked, MMU off, pc, x0..x3 = args. Not while loaded. */
void arch_vcpu_reset(struct vcpu *v, uint64_t pc, const uint64_t args[4]);
/* Move the context into this pCPU's hardware / out of it. put() also sets
 * v->sched.timer_deadline: the earliest enabled guest timer, or none. */
void arch_vcpu_load(struct vcpu *v);
void arch_vcpu_put(struct vcpu *v);
/* Enter the guest once and handle the exit (loaded vCPU, its pCPU). */
void arch_vcpu_run(struct vcpu *v);
/* Post-work of a completed access: the read's result into its register,
 * the PC past the instruction. */
void arch_vcpu_io_done(struct vcpu *v, const struct io_access *a);
/* The access failed: a synchronous external data abort at addr. */
void arch_vcpu_io_abort(struct vcpu *v, uint64_t addr);
/* The vCPU has an interrupt it could take now (ends a WFI). */
bool arch_vcpu_has_interrupt(struct vcpu *v);

/* ---- VMs ---- */

/* Stage 2, interrupt controller and emulated devices of a VM with
 * vm->vcpu_count vCPUs (after its I/O emulation is initialised). */
int arch_vm_init(struct vm *vm);
/* Back to power-on state while none of its vCPUs runs (reset). */
void arch_vm_reset(struct vm *vm);
/* The VM's run ended: log what the arch's rate limits suppressed. */
void arch_vm_log_summaries(struct vm *vm);
/* Undo arch_vm_init: nothing of the VM is left mapped or cached in any
 * TLB, its handlers are unregistered, its SPIs released. */
void arch_vm_teardown(struct vm *vm);
/* Map [gpa, gpa+size) to host-physical hpa (R/W/X as TESSERA_MEM_*). 0,
 * -EINVAL, -EEXIST (overlaps a mapping), -ENOMEM (table pages). */
int arch_vm_map_ram(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size,
		    uint32_t flags);
/* Whether nothing of [gpa, gpa+size) is mapped yet. */
bool arch_vm_range_unmapped(const struct vm *vm, uint64_t gpa, uint64_t size);
/* The VM's translation of gpa (its RAM only). */
bool arch_vm_translate(const struct vm *vm, uint64_t gpa, uint64_t *hpa);
/* Interrupt lines of the VM's virtual interrupt controller (any pCPU). */
void arch_vm_set_irq_level(struct vm *vm, unsigned intid, bool level);
void arch_vm_irq_edge(struct vm *vm, unsigned intid);
/* Whether intid is a line a device model may drive (not one the
 * hypervisor's own devices or a passthrough device use). */
bool arch_vm_irq_is_free(const struct vm *vm, unsigned intid);

/* Write back data caches over [p, p+n) to the point of coherency, so a
 * guest starting with its MMU (and caches) off sees what was copied. */
void arch_clean_dcache(const void *p, size_t n);

/* ---- entry points the arch code calls ---- */

NORETURN void hv_main(const void *dtb);
NORETURN void pcpu_secondary_main(struct pcpu *p);
NORETURN void hv_panic(const char *fmt, ...) PRINTF_LIKE(1, 2);

#endif
