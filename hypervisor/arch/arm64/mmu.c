/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hypervisor's own (EL2 stage 1) translation: an identity map built of
 * 1 GiB blocks, device memory below RAM and normal write-back memory over
 * the board's RAM. Identity mapping keeps physical = virtual everywhere in
 * the hypervisor, which is what lets stage-2 tables be walked in C.
 */
#include <arm64_mmu.h>
#include <config.h>
#include <scenario.h>
#include <sysreg.h>

#define L1_BLOCK BIT(0)
#define ATTR_IDX(n) ((uint64_t)(n) << 2)
#define AP_EL2_RW (1ull << 6) /* AP[1] is RES1 in the EL2 regime */
#define SH_INNER (3ull << 8)
#define AF BIT(10)
#define XN BIT(54)

#define MAIR_DEVICE_IDX 0
#define MAIR_NORMAL_IDX 1
#define MAIR_VALUE 0xff00ull /* attr0 Device-nGnRnE, attr1 Normal WB RW-alloc */

#define TCR_T0SZ 25 /* 39-bit VA */
#define TCR_RES1 (BIT(31) | BIT(23))
#define TCR_IRGN0_WBWA (1ull << 8)
#define TCR_ORGN0_WBWA (1ull << 10)
#define TCR_SH0_INNER (3ull << 12)
#define TCR_PS_SHIFT 16

#define SCTLR_EL2_RES1 0x30c50830ull
#define SCTLR_M BIT(0)
#define SCTLR_C BIT(2)
#define SCTLR_SA BIT(3)
#define SCTLR_I BIT(12)

static uint64_t el2_l1[512] __attribute__((aligned(4096)));

void arm64_mmu_build(const struct board_config *b)
{
	uint64_t ram_first = b->ram_base / SZ_1G;
	uint64_t ram_last = (b->ram_base + b->ram_size - 1) / SZ_1G;

	/* The first GiB holds the platform's devices on every board we support. */
	el2_l1[0] = 0 | L1_BLOCK | ATTR_IDX(MAIR_DEVICE_IDX) | AP_EL2_RW | AF | XN;
	for (uint64_t i = ram_first; i <= ram_last && i < 512; i++)
		el2_l1[i] = i * SZ_1G | L1_BLOCK | ATTR_IDX(MAIR_NORMAL_IDX) |
			    AP_EL2_RW | SH_INNER | AF;
	/* Written with caches off: drop any stale lines before the MMU reads it. */
	for (uintptr_t p = (uintptr_t)el2_l1; p < (uintptr_t)(el2_l1 + 512);
	     p += 64)
		__asm__ volatile("dc ivac, %0" : : "r"(p) : "memory");
	dsb(sy);
}

void arm64_mmu_enable(void)
{
	uint64_t parange = read_sysreg(id_aa64mmfr0_el1) & 0xf;

	write_sysreg(mair_el2, MAIR_VALUE);
	write_sysreg(tcr_el2, TCR_RES1 | (parange > 5 ? 5 : parange)
						   << TCR_PS_SHIFT |
				      TCR_SH0_INNER | TCR_ORGN0_WBWA |
				      TCR_IRGN0_WBWA | TCR_T0SZ);
	write_sysreg(ttbr0_el2, (uint64_t)(uintptr_t)el2_l1);
	isb();
	__asm__ volatile("tlbi alle2" ::: "memory");
	dsb(nsh);
	isb();
	write_sysreg(sctlr_el2,
		     SCTLR_EL2_RES1 | SCTLR_M | SCTLR_C | SCTLR_SA | SCTLR_I);
	isb();
}
