/* SPDX-License-Identifier: BSD-3-Clause */
/* A minimal runtime for Tessera's bare-metal test guests. */
#ifndef TESSERA_GUEST_H
#define TESSERA_GUEST_H

#include <stdbool.h>
#include <stdint.h>

#include "guest_layout.h"

#ifndef GUEST_UART
#define GUEST_UART 0x09000000ul
#endif

#define PSCI_CPU_ON 0xc4000003ul
#define PSCI_SYSTEM_OFF 0x84000008ul
#define PSCI_SYSTEM_RESET 0x84000009ul
#define PSCI_INVALID_PARAMETERS (-2l)

void secondary_start(void);
/* x0 of each vCPU as it entered (start.S): for vCPU 0 the address of the
 * device tree the hypervisor wrote for the VM. */
extern uint64_t guest_boot_x0[GUEST_MAX_CPUS];

/* Print a whole line under the guest's console lock. */
void guest_printf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
long psci_call(unsigned long fn, unsigned long a1, unsigned long a2,
	       unsigned long a3);
void delay_ms(unsigned ms);

/* CNTVCT_EL0, read after the instructions before it: the same counter in
 * every VM (CNTVOFF is 0). */
static inline uint64_t counter(void)
{
	uint64_t ticks;

	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(ticks) : : "memory");
	return ticks;
}

/* Milliseconds of that counter. */
unsigned long now_ms(void);
void heartbeat(unsigned cpu, unsigned period_ms);

/*
 * tests/scenarios/dma.toml: the 4 KiB rt0 guards with a checksum (canary.c)
 * and the DMA guest (dmaattack.c) aims at; the hypervisor's load address.
 */
#define DMA_TEST_CANARY 0x50100000ul
#define DMA_TEST_HYPERVISOR 0x40200000ul
#define DMA_TEST_CANARY_SIZE 4096u

static inline uint8_t dma_test_canary_byte(unsigned i)
{
	return (uint8_t)(i * 37 + 11);
}

/*
 * The IRQ vector calls guest_irq with IRQs masked. runtime.c's default (weak)
 * hangs: a guest that unmasks IRQs provides its own.
 */
void guest_irq(void);

static inline uint32_t mmio_read32(uintptr_t addr)
{
	return *(volatile uint32_t *)addr;
}

static inline void mmio_write32(uintptr_t addr, uint32_t value)
{
	*(volatile uint32_t *)addr = value;
}

/*
 * GICv3 of QEMU's virt board, which is also where every Tessera VM finds its
 * virtual GIC. gic_init_distributor() (once) and gic_init_cpu() (on each
 * vCPU, for its own redistributor) work on QEMU's GIC with one security
 * state, the guest at EL1, and on Tessera's vGIC (doc/vgic.rst).
 */
#define GICD_BASE 0x08000000ul
#define GICD_IIDR 0x0008
#define GICR_BASE 0x080a0000ul
#define GICR_STRIDE 0x20000ul /* RD_base and SGI_base frames of one CPU */
#define GICR_SGI_FRAME 0x10000ul
#define GICR_ISENABLER0 0x0100 /* in the SGI frame, as the three below */
#define GICR_ICENABLER0 0x0180
#define GICR_ISPENDR0 0x0200
#define GIC_PRIORITY_DEFAULT 0x80
#define GIC_INTID_SPURIOUS 1023u
#define PPI_VTIMER 27u

void gic_init_distributor(void);
/* Wakes vCPU `cpu`'s redistributor, puts its SGIs and PPIs in Group 1,
 * enables those in `intid_mask` (bit n: INTID n < 32) at
 * GIC_PRIORITY_DEFAULT, and enables this CPU's interface for Group 1. */
void gic_init_cpu(unsigned cpu, uint32_t intid_mask);

static inline uint32_t gic_ack(void)
{
	uint64_t intid;

	__asm__ volatile("mrs %0, icc_iar1_el1" : "=r"(intid) : : "memory");
	return (uint32_t)intid;
}

/* With EOImode 0 (what gic_init_cpu sets), also the deactivation. */
static inline void gic_eoi(uint32_t intid)
{
	__asm__ volatile("msr icc_eoir1_el1, %0" : : "r"((uint64_t)intid) : "memory");
}

/* SGI `intid` to the CPU whose MPIDR is Aff0 = cpu (< 16), Aff1-3 = 0. */
static inline void gic_send_sgi(unsigned cpu, unsigned intid)
{
	uint64_t sgi1r = (uint64_t)(intid & 0xf) << 24 | (1ul << cpu);

	__asm__ volatile("msr icc_sgi1r_el1, %0; isb" : : "r"(sgi1r) : "memory");
}

/* Called by the vector on a synchronous exception; default: report and hang. */
struct exception_info {
	uint64_t esr, far, elr;
};
extern volatile bool expect_exception;
extern volatile struct exception_info last_exception;
extern volatile unsigned exception_count;

#endif
