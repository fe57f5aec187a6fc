/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <lib/string.h>
#include <s2_pgtable.h>

/* Stage-2 descriptor bits (Arm ARM D8.3). */
#define DESC_VALID BIT(0)
#define DESC_TABLE BIT(1) /* table at levels 1-2, page at level 3 */
#define DESC_MEMATTR_NORMAL_WB (0xfull << 2)
#define DESC_MEMATTR_DEVICE_NGNRE (0x1ull << 2)
#define DESC_MEMATTR_MASK (0xfull << 2)
#define DESC_S2AP_R BIT(6)
#define DESC_S2AP_W BIT(7)
#define DESC_SH_INNER (3ull << 8)
#define DESC_AF BIT(10)
#define DESC_XN BIT(54)
#define DESC_ADDR_MASK 0x0000fffffffff000ull

/* Stage-1 leaf bits that differ (Arm ARM D8.3; an SMMU reads the same
 * format): AttrIndx into SMMU_S1_MAIR, AP[1] (unprivileged access, what a
 * device's transactions are), AP[2] (read-only), PXN with XN (UXN). */
#define S1_ATTRINDX_NORMAL (0ull << 2)
#define S1_ATTRINDX_DEVICE (1ull << 2)
#define S1_ATTRINDX_MASK (7ull << 2)
#define S1_AP_UNPRIV BIT(6)
#define S1_AP_RDONLY BIT(7)
#define S1_PXN BIT(53)

#define FIRST_LEVEL 1
#define LAST_LEVEL 3

static unsigned level_shift(unsigned level)
{
	return 12 + 9 * (LAST_LEVEL - level);
}

static uint64_t *table_at(uint64_t desc)
{
	return (uint64_t *)(uintptr_t)(desc & DESC_ADDR_MASK);
}

static uint64_t *alloc_table(struct s2_pool *pool)
{
	uint64_t *t;

	if (pool->used == pool->nr)
		return NULL;
	t = pool->pages[pool->used++];
	memset(t, 0, S2_PAGE_SIZE);
	return t;
}

int pgtable_init(struct s2_pgtable *pt, struct s2_pool *pool,
		 enum pgtable_format format)
{
	pt->pool = pool;
	pt->format = format;
	pt->root = alloc_table(pool);
	return pt->root ? 0 : -ENOSPC;
}

int s2_init(struct s2_pgtable *pt, struct s2_pool *pool)
{
	return pgtable_init(pt, pool, PGTABLE_STAGE2);
}

uint64_t s2_root_pa(const struct s2_pgtable *pt)
{
	return (uint64_t)(uintptr_t)pt->root;
}

/* A stage-1 leaf is always readable: S2_READ is implied. */
static uint64_t s1_leaf_bits(unsigned flags)
{
	uint64_t d = S1_AP_UNPRIV;

	d |= flags & S2_DEVICE ? S1_ATTRINDX_DEVICE
			       : S1_ATTRINDX_NORMAL | DESC_SH_INNER;
	if (!(flags & S2_WRITE))
		d |= S1_AP_RDONLY;
	if (!(flags & S2_EXEC) || (flags & S2_DEVICE))
		d |= DESC_XN | S1_PXN;
	return d;
}

static uint64_t leaf_desc(const struct s2_pgtable *pt, uint64_t pa,
			  unsigned flags, unsigned level)
{
	uint64_t d = (pa & DESC_ADDR_MASK) | DESC_VALID | DESC_AF;

	if (level == LAST_LEVEL)
		d |= DESC_TABLE;
	if (pt->format == PGTABLE_SMMU_STAGE1)
		return d | s1_leaf_bits(flags);
	d |= flags & S2_DEVICE ? DESC_MEMATTR_DEVICE_NGNRE
			       : DESC_MEMATTR_NORMAL_WB | DESC_SH_INNER;
	if (flags & S2_READ)
		d |= DESC_S2AP_R;
	if (flags & S2_WRITE)
		d |= DESC_S2AP_W;
	if (!(flags & S2_EXEC) || (flags & S2_DEVICE))
		d |= DESC_XN;
	return d;
}

static bool is_table(uint64_t desc, unsigned level)
{
	return level < LAST_LEVEL && (desc & (DESC_VALID | DESC_TABLE)) ==
					     (DESC_VALID | DESC_TABLE);
}

/* Map one block or page at ipa; *mapped is the size it covered. */
static int map_one(struct s2_pgtable *pt, uint64_t ipa, uint64_t pa,
		   uint64_t size, unsigned flags, uint64_t *mapped)
{
	uint64_t *table = pt->root;

	for (unsigned level = FIRST_LEVEL;; level++) {
		uint64_t blk = 1ull << level_shift(level);
		uint64_t *e = &table[(ipa >> level_shift(level)) % S2_ENTRIES];

		if (level == LAST_LEVEL ||
		    (IS_ALIGNED(ipa | pa, blk) && size >= blk)) {
			if (*e & DESC_VALID)
				return -EEXIST;
			*e = leaf_desc(pt, pa, flags, level);
			*mapped = blk;
			return 0;
		}
		if (!(*e & DESC_VALID)) {
			uint64_t *next = alloc_table(pt->pool);

			if (!next)
				return -ENOSPC;
			*e = (uint64_t)(uintptr_t)next | DESC_VALID | DESC_TABLE;
		} else if (!is_table(*e, level)) {
			return -EEXIST; /* a block already covers this range */
		}
		table = table_at(*e);
	}
}

int s2_map(struct s2_pgtable *pt, uint64_t ipa, uint64_t pa, uint64_t size,
	   unsigned flags)
{
	const uint64_t limit = 1ull << S2_IPA_BITS;

	if (!size || !IS_ALIGNED(ipa | pa | size, S2_PAGE_SIZE) ||
	    ipa >= limit || size > limit - ipa || pa + size < pa ||
	    (pa + size - 1) > (DESC_ADDR_MASK | (S2_PAGE_SIZE - 1)))
		return -EINVAL;
	while (size) {
		uint64_t mapped;
		int ret = map_one(pt, ipa, pa, size, flags, &mapped);

		if (ret < 0)
			return ret;
		ipa += mapped;
		pa += mapped;
		size -= mapped;
	}
	return 0;
}

static unsigned desc_flags(const struct s2_pgtable *pt, uint64_t d)
{
	unsigned f = 0;

	if (pt->format == PGTABLE_SMMU_STAGE1) {
		f = S2_READ;
		if (!(d & S1_AP_RDONLY))
			f |= S2_WRITE;
		if (!(d & DESC_XN))
			f |= S2_EXEC;
		if ((d & S1_ATTRINDX_MASK) == S1_ATTRINDX_DEVICE)
			f |= S2_DEVICE;
		return f;
	}

	if (d & DESC_S2AP_R)
		f |= S2_READ;
	if (d & DESC_S2AP_W)
		f |= S2_WRITE;
	if (!(d & DESC_XN))
		f |= S2_EXEC;
	if ((d & DESC_MEMATTR_MASK) == DESC_MEMATTR_DEVICE_NGNRE)
		f |= S2_DEVICE;
	return f;
}

bool s2_translate(const struct s2_pgtable *pt, uint64_t ipa, uint64_t *pa,
		  unsigned *flags)
{
	const uint64_t *table = pt->root;

	if (ipa >= 1ull << S2_IPA_BITS)
		return false;
	for (unsigned level = FIRST_LEVEL; level <= LAST_LEVEL; level++) {
		unsigned shift = level_shift(level);
		uint64_t d = table[(ipa >> shift) % S2_ENTRIES];

		if (!(d & DESC_VALID))
			return false;
		if (is_table(d, level)) {
			table = table_at(d);
			continue;
		}
		if (level == LAST_LEVEL && !(d & DESC_TABLE))
			return false; /* reserved encoding at level 3 */
		*pa = (d & DESC_ADDR_MASK & ~((1ull << shift) - 1)) |
		      (ipa & ((1ull << shift) - 1));
		*flags = desc_flags(pt, d);
		return true;
	}
	return false;
}

bool s2_range_unmapped(const struct s2_pgtable *pt, uint64_t ipa, uint64_t size)
{
	uint64_t end = ipa + size;

	if (!size || end < ipa || end > 1ull << S2_IPA_BITS)
		return false;
	while (ipa < end) {
		const uint64_t *table = pt->root;

		for (unsigned level = FIRST_LEVEL;; level++) {
			unsigned shift = level_shift(level);
			uint64_t d = table[(ipa >> shift) % S2_ENTRIES];

			if (!(d & DESC_VALID)) {
				/* Nothing below this entry: skip its span. */
				ipa = ALIGN_DOWN(ipa, 1ull << shift) + (1ull << shift);
				break;
			}
			if (!is_table(d, level))
				return false;
			table = table_at(d);
		}
	}
	return true;
}
