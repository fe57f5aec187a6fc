/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage-1 table walks that take a stage-2 fault (ESR S1PTW). The guest
 * turns its MMU on with an identity map of its RAM and of the low device
 * space, plus one 1 GiB region per target below whose level-1 table
 * descriptor points its level-2 table at the target: an emulated device
 * (the vGIC distributor and a redistributor, the vUART) or an IPA nobody
 * has. A load from such a region makes the MMU read a descriptor from the
 * target, which is not the VM's RAM: the hypervisor must not emulate that
 * read as an MMIO access but inject an abort (doc/architecture.rst,
 * "Accesses outside a VM"). One line per target:
 *
 *     s1ptw: walk to 0x<ipa> for 0x<va>: refused: ESR 0x<esr> FAR 0x<far>
 *
 * (or "NOT refused: read 0x<value>"), then "s1ptw: N of N walks refused"
 * and a heartbeat, with the MMU still on (tests/integration/
 * test_partitioned.py).
 */
#include "guest.h"

/* 4 KiB granule, 39-bit VAs: the walk starts at level 1, 1 GiB a entry. */
#define TCR_T0SZ_39 25ul
#define TCR_EPD1 (1ul << 23) /* no walks through TTBR1 */
#define TCR_IPS_36 (1ul << 32)
#define SCTLR_M 1ul
#define SCTLR_I (1ul << 12)
/* MAIR_EL1 attribute 0: Device-nGnRnE; 1: Normal, non-cacheable (the
 * tables are written with the MMU off, so walks must not be cached). */
#define MAIR_VALUE 0x4400ul
#define DESC_VALID 1ul
#define DESC_TABLE 3ul /* valid, table (level 0-2) */
#define DESC_AF (1ul << 10)
#define DESC_BLOCK_DEVICE (DESC_VALID | DESC_AF | 0ul << 2)
#define DESC_BLOCK_NORMAL (DESC_VALID | DESC_AF | 1ul << 2 | 3ul << 8)
#define GIB (1ul << 30)

/* Emulated by the hypervisor, or nobody's (not the VM's RAM). */
static const unsigned long targets[] = {
	GICD_BASE, GICR_BASE, GUEST_UART, 0x0b000000ul,
};
#define NTARGETS (sizeof(targets) / sizeof(targets[0]))
/* The first region the targets' walks translate: past RAM's 1 GiB. */
#define WALK_VA(i) ((2ul + (i)) * GIB)

static uint64_t level1[512] __attribute__((aligned(4096)));

static void mmu_on(void)
{
	for (unsigned i = 0; i < 512; i++) /* .bss is not cleared */
		level1[i] = 0;
	level1[0] = 0 | DESC_BLOCK_DEVICE;          /* devices, the GIC */
	level1[1] = GIB | DESC_BLOCK_NORMAL;        /* RAM: code, data, stacks */
	for (unsigned i = 0; i < NTARGETS; i++)
		level1[2 + i] = targets[i] | DESC_TABLE;
	__asm__ volatile("dsb ish; tlbi vmalle1; dsb ish; isb" ::: "memory");
	__asm__ volatile("msr mair_el1, %0" : : "r"(MAIR_VALUE));
	__asm__ volatile("msr tcr_el1, %0"
			 : : "r"(TCR_T0SZ_39 | TCR_EPD1 | TCR_IPS_36));
	__asm__ volatile("msr ttbr0_el1, %0; isb" : : "r"(level1));
	__asm__ volatile("mrs x0, sctlr_el1; orr x0, x0, %0; msr sctlr_el1, x0; isb"
			 : : "r"(SCTLR_M | SCTLR_I) : "x0", "memory");
}

void guest_main(unsigned cpu)
{
	unsigned refused = 0;

	mmu_on();
	guest_printf("s1ptw: MMU on");
	for (unsigned i = 0; i < NTARGETS; i++) {
		unsigned long before = exception_count;
		uint32_t v;

		expect_exception = true;
		v = *(volatile uint32_t *)WALK_VA(i);
		__asm__ volatile("isb" ::: "memory");
		expect_exception = false;
		if (exception_count != before) {
			refused++;
			guest_printf("s1ptw: walk to 0x%lx for 0x%lx: refused: "
				     "ESR 0x%lx FAR 0x%lx", targets[i],
				     WALK_VA(i), last_exception.esr,
				     last_exception.far);
		} else {
			guest_printf("s1ptw: walk to 0x%lx for 0x%lx: NOT "
				     "refused: read 0x%x", targets[i],
				     WALK_VA(i), v);
		}
	}
	guest_printf("s1ptw: %u of %u walks refused", refused,
		     (unsigned)NTARGETS);
	heartbeat(cpu, 300);
}
