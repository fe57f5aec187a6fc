/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Stage-2 translation tables: 4 KiB granule, 39-bit IPA starting at level 1,
 * built from a fixed pool of table pages (no allocation after boot). The
 * same walker builds the stage-1 tables an SMMU without stage 2 uses to
 * confine a VM's DMA (guest-physical addresses in, host-physical out): the
 * formats differ only in a leaf's attribute bits. The
 * table logic is plain C so it is unit-tested on the host; tables are
 * addressed through their identity mapping (EL2 maps RAM 1:1).
 */
#ifndef TESSERA_ARM64_S2_PGTABLE_H
#define TESSERA_ARM64_S2_PGTABLE_H

#include <types.h>

#define S2_IPA_BITS 39
#define S2_PAGE_SIZE 4096u
#define S2_ENTRIES 512u

/* Mapping permissions and type. */
#define S2_READ BIT(0)
#define S2_WRITE BIT(1)
#define S2_EXEC BIT(2)
#define S2_DEVICE BIT(3) /* Device-nGnRE instead of Normal write-back */
#define S2_RWX (S2_READ | S2_WRITE | S2_EXEC)

typedef uint64_t s2_table_t[S2_ENTRIES];

struct s2_pool {
	s2_table_t *pages; /* page-aligned array of nr tables */
	unsigned nr;
	unsigned used;
};

enum pgtable_format {
	PGTABLE_STAGE2,      /* a VM's stage 2 (VTTBR_EL2) */
	PGTABLE_SMMU_STAGE1, /* an SMMU context's stage 1 (CD.TTB0, with
				SMMU_S1_MAIR); always readable */
};

struct s2_pgtable {
	uint64_t *root; /* level-1 table */
	struct s2_pool *pool;
	enum pgtable_format format;
};

/* Take the root table from the pool. 0, or -ENOSPC. */
int pgtable_init(struct s2_pgtable *pt, struct s2_pool *pool,
		 enum pgtable_format format);
/* pgtable_init(pt, pool, PGTABLE_STAGE2). */
int s2_init(struct s2_pgtable *pt, struct s2_pool *pool);
/*
 * Map [ipa, ipa+size) to [pa, pa+size) with the largest blocks alignment
 * allows. Refuses unaligned, empty or out-of-range requests (-EINVAL) and
 * anything overlapping an existing mapping (-EEXIST); -ENOSPC when the pool
 * runs out. Not atomic on failure: callers treat failure as fatal for the VM.
 */
int s2_map(struct s2_pgtable *pt, uint64_t ipa, uint64_t pa, uint64_t size,
	   unsigned flags);
/* Walk like the MMU does. True and *pa, *flags if ipa is mapped. */
bool s2_translate(const struct s2_pgtable *pt, uint64_t ipa, uint64_t *pa,
		  unsigned *flags);
/* Whether no page of [ipa, ipa+size) is mapped (an empty range is not:
 * false, as for one that wraps or leaves the IPA space). */
bool s2_range_unmapped(const struct s2_pgtable *pt, uint64_t ipa,
		       uint64_t size);
/* Base address to program into VTTBR_EL2.BADDR. */
uint64_t s2_root_pa(const struct s2_pgtable *pt);

#endif
