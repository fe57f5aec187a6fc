/* SPDX-License-Identifier: BSD-3-Clause */
/* Stage-2 tables built in host memory: block sizes, translation, refusals. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>
#include <s2_pgtable.h>

#define IPA_LIMIT (1ull << S2_IPA_BITS)

struct s2 {
	struct s2_pool pool;
	struct s2_pgtable pt;
};

/* A pool of nr tables, with the root taken from it when nr > 0. */
static struct s2 *s2_new(unsigned nr)
{
	struct s2 *s = calloc(1, sizeof(*s));

	assert_non_null(s);
	s->pool.nr = nr;
	if (nr) {
		s->pool.pages = aligned_alloc(S2_PAGE_SIZE, nr * sizeof(s2_table_t));
		assert_non_null(s->pool.pages);
		/* garbage, so that a table used without clearing shows up */
		memset(s->pool.pages, 0xff, nr * sizeof(s2_table_t));
		assert_int_equal(s2_init(&s->pt, &s->pool), 0);
		assert_int_equal(s->pool.used, 1);
	}
	return s;
}

static void s2_free(struct s2 *s)
{
	free(s->pool.pages);
	free(s);
}

static void expect_mapped(const struct s2 *s, uint64_t ipa, uint64_t pa,
			  unsigned flags)
{
	uint64_t got_pa = ~0ull;
	unsigned got_flags = ~0u;

	if (!s2_translate(&s->pt, ipa, &got_pa, &got_flags))
		fail_msg("ipa 0x%llx not mapped", (unsigned long long)ipa);
	if (got_pa != pa)
		fail_msg("ipa 0x%llx -> 0x%llx, want 0x%llx",
			 (unsigned long long)ipa, (unsigned long long)got_pa,
			 (unsigned long long)pa);
	assert_int_equal(got_flags, flags);
}

static void expect_unmapped(const struct s2 *s, uint64_t ipa)
{
	uint64_t pa;
	unsigned flags;

	if (s2_translate(&s->pt, ipa, &pa, &flags))
		fail_msg("ipa 0x%llx unexpectedly maps to 0x%llx",
			 (unsigned long long)ipa, (unsigned long long)pa);
}

/*
 * Every page of [ipa, ipa+size) translates to the matching pa, at its first
 * and last byte; the bytes just outside the range do not (when the caller
 * says nothing else is mapped there).
 */
static void expect_range(const struct s2 *s, uint64_t ipa, uint64_t pa,
			 uint64_t size, unsigned flags, bool isolated)
{
	for (uint64_t off = 0; off < size; off += S2_PAGE_SIZE) {
		expect_mapped(s, ipa + off, pa + off, flags);
		expect_mapped(s, ipa + off + S2_PAGE_SIZE - 1,
			      pa + off + S2_PAGE_SIZE - 1, flags);
	}
	if (isolated) {
		if (ipa)
			expect_unmapped(s, ipa - 1);
		expect_unmapped(s, ipa + size);
	}
}

static void test_init_and_root(void **state)
{
	struct s2 *s = s2_new(4);
	struct s2 *empty = s2_new(0);

	(void)state;
	assert_int_equal(s2_root_pa(&s->pt),
			 (uint64_t)(uintptr_t)s->pool.pages[0]);
	assert_int_equal(s2_root_pa(&s->pt) % S2_PAGE_SIZE, 0);
	/* a fresh table maps nothing, whatever the pool held before */
	for (uint64_t ipa = 0; ipa < IPA_LIMIT; ipa += SZ_1G)
		expect_unmapped(s, ipa);
	expect_unmapped(s, IPA_LIMIT - 1);
	expect_unmapped(s, IPA_LIMIT);
	expect_unmapped(s, ~0ull);
	assert_int_equal(s2_init(&empty->pt, &empty->pool), -ENOSPC);
	s2_free(s);
	s2_free(empty);
}

static void test_4k_pages(void **state)
{
	struct s2 *s = s2_new(8);

	(void)state;
	/* 3 pages at an ipa with no 2M alignment: root + L2 + L3 */
	assert_int_equal(s2_map(&s->pt, 0x41001000, 0x41001000, 3 * SZ_4K,
				S2_RWX), 0);
	assert_int_equal(s->pool.used, 3);
	expect_range(s, 0x41001000, 0x41001000, 3 * SZ_4K, S2_RWX, true);
	/* a neighbour page in the same L3 table costs no new table */
	assert_int_equal(s2_map(&s->pt, 0x41005000, 0x90000000, SZ_4K,
				S2_READ), 0);
	assert_int_equal(s->pool.used, 3);
	expect_range(s, 0x41005000, 0x90000000, SZ_4K, S2_READ, true);
	expect_unmapped(s, 0x41004000);
	s2_free(s);
}

static void test_2m_block(void **state)
{
	struct s2 *s = s2_new(8);

	(void)state;
	/* non-identity: gpa 0x4020_0000 -> hpa 0x8_8060_0000 */
	assert_int_equal(s2_map(&s->pt, 0x40200000, 0x880600000ull, SZ_2M,
				S2_READ | S2_WRITE), 0);
	assert_int_equal(s->pool.used, 2); /* root + L2, no L3: a block */
	expect_range(s, 0x40200000, 0x880600000ull, SZ_2M, S2_READ | S2_WRITE,
		     true);
	s2_free(s);
}

static void test_1g_block(void **state)
{
	struct s2 *s = s2_new(8);

	(void)state;
	assert_int_equal(s2_map(&s->pt, SZ_1G, 5 * SZ_1G, SZ_1G, S2_RWX), 0);
	assert_int_equal(s->pool.used, 1); /* only the root: a level-1 block */
	expect_range(s, SZ_1G, 5 * SZ_1G, SZ_1G, S2_RWX, true);
	s2_free(s);
}

static void test_mixed_sizes(void **state)
{
	struct s2 *s = s2_new(16);
	/* 4K + 2M + 1G + 2M + 4K around the 1G..2G block */
	uint64_t ipa = SZ_1G - SZ_2M - SZ_4K;
	uint64_t pa = 0x7000000000ull + ipa;
	uint64_t size = 2 * SZ_4K + 2 * SZ_2M + SZ_1G;

	(void)state;
	assert_int_equal(s2_map(&s->pt, ipa, pa, size, S2_RWX), 0);
	/* root, L2+L3 below 1G, L2+L3 above 2G */
	assert_int_equal(s->pool.used, 5);
	expect_range(s, ipa, pa, size, S2_RWX, true);
	s2_free(s);
}

static void test_misaligned_pa_uses_pages(void **state)
{
	struct s2 *s = s2_new(8);

	(void)state;
	/* ipa is 2M aligned, pa only 4K: no block possible */
	assert_int_equal(s2_map(&s->pt, SZ_2M, SZ_2M + SZ_4K, SZ_2M, S2_RWX), 0);
	assert_int_equal(s->pool.used, 3);
	expect_range(s, SZ_2M, SZ_2M + SZ_4K, SZ_2M, S2_RWX, true);
	/* the same for 1G: ipa aligned, pa 2M aligned -> 512 2M blocks */
	assert_int_equal(s2_map(&s->pt, 2 * SZ_1G, 3 * SZ_1G + SZ_2M, SZ_1G,
				S2_READ), 0);
	assert_int_equal(s->pool.used, 4);
	expect_range(s, 2 * SZ_1G, 3 * SZ_1G + SZ_2M, SZ_1G, S2_READ, true);
	s2_free(s);
}

static void test_top_of_ipa_space(void **state)
{
	struct s2 *s = s2_new(8);

	(void)state;
	assert_int_equal(s2_map(&s->pt, IPA_LIMIT - SZ_4K, 0x1000, SZ_4K,
				S2_READ), 0);
	assert_int_equal(s2_map(&s->pt, IPA_LIMIT - 2 * SZ_1G, 0, SZ_1G,
				S2_READ), 0);
	expect_range(s, IPA_LIMIT - SZ_4K, 0x1000, SZ_4K, S2_READ, false);
	expect_range(s, IPA_LIMIT - 2 * SZ_1G, 0, SZ_1G, S2_READ, true);
	expect_unmapped(s, IPA_LIMIT);
	expect_unmapped(s, IPA_LIMIT + IPA_LIMIT - SZ_4K); /* would alias */
	s2_free(s);
}

/* Every combination of flags survives a round trip, at every level. */
static void test_flags_round_trip(void **state)
{
	struct s2 *s = s2_new(16);

	(void)state;
	for (unsigned f = 0; f < 16; f++) {
		/* Device memory is never executable. */
		unsigned want = f & S2_DEVICE ? f & ~S2_EXEC : f;
		uint64_t page = 0x100000000ull + f * SZ_4K;
		uint64_t block = 0x200000000ull + f * SZ_2M;
		uint64_t huge = 0x400000000ull + f * SZ_1G;

		assert_int_equal(s2_map(&s->pt, page, page, SZ_4K, f), 0);
		assert_int_equal(s2_map(&s->pt, block, block, SZ_2M, f), 0);
		assert_int_equal(s2_map(&s->pt, huge, huge, SZ_1G, f), 0);
		expect_mapped(s, page + 0x123, page + 0x123, want);
		expect_mapped(s, block + 0x1ff123, block + 0x1ff123, want);
		expect_mapped(s, huge + 0x3ff00123, huge + 0x3ff00123, want);
	}
	s2_free(s);
}

/*
 * The raw descriptor the walker would find for ipa: followed by hand from
 * the root (a level-1 table for a 39-bit IPA space, 4 KiB granule), with
 * nothing from the module under test but the root's address.
 */
static uint64_t raw_desc(const struct s2 *s, uint64_t ipa, unsigned *level)
{
	const uint64_t *table = (const uint64_t *)(uintptr_t)s2_root_pa(&s->pt);

	for (*level = 1;; (*level)++) {
		uint64_t d = table[(ipa >> (12 + 9 * (3 - *level))) & 511];

		if (*level == 3 || (d & 3) != 3)
			return d;
		table = (const uint64_t *)(uintptr_t)(d & 0x0000fffffffff000ull);
	}
}

/*
 * Each descriptor bit against the Arm ARM (DDI 0487, D8.3 and D8.5.5, stage
 * 2 with the 4 KiB granule), written out here independently of the module:
 *   [1:0]   0b11 page (level 3) or table, 0b01 block (levels 1-2)
 *   [5:2]   MemAttr: 0b1111 Normal, Outer and Inner Write-Back Cacheable;
 *           0b0001 Device-nGnRE
 *   [7:6]   S2AP: bit 6 read, bit 7 write
 *   [9:8]   SH: 0b11 Inner Shareable (Normal memory only)
 *   [10]    AF, set: no access-flag faults
 *   [54]    XN[1]: not executable at EL1 and EL0
 */
static void test_descriptor_bits_are_the_architecture_s(void **state)
{
	static const struct {
		unsigned flags;
		uint64_t low;  /* bits [11:0] of a page descriptor */
		bool xn;
	} cases[] = {
		{S2_RWX, 0x7ff, false},
		{S2_READ | S2_WRITE, 0x7ff, true},
		{S2_READ | S2_EXEC, 0x77f, false},
		{S2_READ, 0x77f, true},
		{S2_WRITE, 0x7bf, true},
		{0, 0x73f, true},
		{S2_READ | S2_WRITE | S2_DEVICE, 0x4c7, true},
		{S2_RWX | S2_DEVICE, 0x4c7, true}, /* Device is never executable */
		{S2_READ | S2_DEVICE, 0x447, true},
	};
	struct s2 *s = s2_new(16);
	unsigned level;

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t page = 0x100000000ull + i * SZ_4K;
		uint64_t pa_page = 0x880000000ull + i * SZ_4K;
		uint64_t block = 0x200000000ull + i * SZ_2M;
		uint64_t huge = 0x400000000ull + i * SZ_1G;
		uint64_t xn = cases[i].xn ? 1ull << 54 : 0;
		uint64_t d;

		assert_int_equal(s2_map(&s->pt, page, pa_page, SZ_4K,
					cases[i].flags), 0);
		assert_int_equal(s2_map(&s->pt, block, block, SZ_2M,
					cases[i].flags), 0);
		assert_int_equal(s2_map(&s->pt, huge, huge, SZ_1G,
					cases[i].flags), 0);
		d = raw_desc(s, page, &level);
		assert_int_equal(level, 3);
		assert_int_equal(d, pa_page | cases[i].low | xn);
		/* A block: bit 1 clear, the rest the same. */
		d = raw_desc(s, block + SZ_4K, &level);
		assert_int_equal(level, 2);
		assert_int_equal(d, block | (cases[i].low & ~2ull) | xn);
		d = raw_desc(s, huge + SZ_2M, &level);
		assert_int_equal(level, 1);
		assert_int_equal(d, huge | (cases[i].low & ~2ull) | xn);
	}
	s2_free(s);
}

static void test_refuses_bad_requests(void **state)
{
	struct s2 *s = s2_new(8);
	static const struct {
		uint64_t ipa, pa, size;
	} bad[] = {
		{0x1000, 0x1000, 0},                         /* empty */
		{0x1800, 0x1000, SZ_4K},                     /* ipa unaligned */
		{0x1000, 0x1001, SZ_4K},                     /* pa unaligned */
		{0x1000, 0x1000, SZ_4K + 1},                 /* size unaligned */
		{0x1000, 0x1000, 0x800},                     /* size < page */
		{IPA_LIMIT, 0, SZ_4K},                       /* ipa beyond 39 bits */
		{IPA_LIMIT - SZ_4K, 0, 2 * SZ_4K},           /* end beyond 39 bits */
		{1ull << 40, 0, SZ_2M},
		{~0ull & ~0xfffull, 0, SZ_4K},
		{0, 0, IPA_LIMIT + SZ_4K},
		{0, 0, ~0ull & ~0xfffull},                   /* ipa + size wraps */
		{0x1000, ~0ull & ~0xfffull, 2 * SZ_4K},      /* pa wraps */
		{0x1000, ~0ull & ~0xfffull, SZ_4K},          /* pa beyond 48 bits */
		{0x1000, 1ull << 48, SZ_4K},
		{0x1000, (1ull << 48) - SZ_4K, 2 * SZ_4K},   /* pa end beyond 48 bits */
	};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret = s2_map(&s->pt, bad[i].ipa, bad[i].pa, bad[i].size,
				 S2_RWX);

		if (ret != -EINVAL)
			fail_msg("case %u: ipa 0x%llx pa 0x%llx size 0x%llx "
				 "returned %d", i,
				 (unsigned long long)bad[i].ipa,
				 (unsigned long long)bad[i].pa,
				 (unsigned long long)bad[i].size, ret);
	}
	/* nothing was allocated or mapped */
	assert_int_equal(s->pool.used, 1);
	expect_unmapped(s, 0x1000);
	expect_unmapped(s, 0);
	expect_unmapped(s, IPA_LIMIT - SZ_4K);
	/* the largest pa that fits is fine */
	assert_int_equal(s2_map(&s->pt, 0x1000, (1ull << 48) - SZ_4K, SZ_4K,
				S2_READ), 0);
	expect_mapped(s, 0x1fff, (1ull << 48) - 1, S2_READ);
	s2_free(s);
}

static void test_refuses_overlap(void **state)
{
	struct s2 *s = s2_new(16);
	uint64_t pa;
	unsigned flags, used;

	(void)state;
	/* a page inside the second GiB, a 2M block, a 1G block */
	assert_int_equal(s2_map(&s->pt, SZ_1G + 0x5000, 0x5000, SZ_4K, S2_READ), 0);
	assert_int_equal(s2_map(&s->pt, SZ_1G + 4 * SZ_2M, 0, SZ_2M, S2_READ), 0);
	assert_int_equal(s2_map(&s->pt, 3 * SZ_1G, 0, SZ_1G, S2_READ), 0);
	used = s->pool.used;

	/* the same page, a block over the page, a 1G block over both */
	assert_int_equal(s2_map(&s->pt, SZ_1G + 0x5000, 0x9000, SZ_4K, S2_RWX),
			 -EEXIST);
	assert_int_equal(s2_map(&s->pt, SZ_1G, 0, SZ_2M, S2_RWX), -EEXIST);
	assert_int_equal(s2_map(&s->pt, SZ_1G, 0, SZ_1G, S2_RWX), -EEXIST);
	/* pages and blocks inside the 2M block */
	assert_int_equal(s2_map(&s->pt, SZ_1G + 4 * SZ_2M, 0, SZ_4K, S2_RWX),
			 -EEXIST);
	assert_int_equal(s2_map(&s->pt, SZ_1G + 5 * SZ_2M - SZ_4K, 0, SZ_4K,
				S2_RWX), -EEXIST);
	assert_int_equal(s2_map(&s->pt, SZ_1G + 4 * SZ_2M, 0, SZ_2M, S2_RWX),
			 -EEXIST);
	/* pages and blocks inside the 1G block */
	assert_int_equal(s2_map(&s->pt, 3 * SZ_1G, 0, SZ_4K, S2_RWX), -EEXIST);
	assert_int_equal(s2_map(&s->pt, 4 * SZ_1G - SZ_2M, 0, SZ_2M, S2_RWX),
			 -EEXIST);
	assert_int_equal(s2_map(&s->pt, 3 * SZ_1G + SZ_2M + SZ_4K, 0, SZ_4K,
				S2_RWX), -EEXIST);
	assert_int_equal(s2_map(&s->pt, 3 * SZ_1G, SZ_1G, SZ_1G, S2_RWX),
			 -EEXIST);
	/* a range that ends inside the 1G block */
	assert_int_equal(s2_map(&s->pt, 3 * SZ_1G - SZ_2M, 0x10000000,
				2 * SZ_2M, S2_RWX), -EEXIST);
	/* refusals never replaced anything */
	assert_true(s2_translate(&s->pt, SZ_1G + 0x5000, &pa, &flags));
	assert_int_equal(pa, 0x5000);
	assert_int_equal(flags, S2_READ);
	expect_range(s, SZ_1G + 4 * SZ_2M, 0, SZ_2M, S2_READ, true);
	expect_mapped(s, 3 * SZ_1G + 0x12345, 0x12345, S2_READ);
	expect_mapped(s, 4 * SZ_1G - 1, SZ_1G - 1, S2_READ);
	/* at most the tables for the part before the 1G block were added */
	assert_in_range(s->pool.used, used, used + 1);
	s2_free(s);
}

static void test_pool_exhaustion(void **state)
{
	struct s2 *one = s2_new(1);
	struct s2 *two = s2_new(2);

	(void)state;
	/* root only: a 1G block fits, a 2M block or page needs a table */
	assert_int_equal(s2_map(&one->pt, SZ_1G, SZ_1G, SZ_1G, S2_RWX), 0);
	assert_int_equal(s2_map(&one->pt, 0, 0, SZ_2M, S2_RWX), -ENOSPC);
	assert_int_equal(s2_map(&one->pt, 0, 0, SZ_4K, S2_RWX), -ENOSPC);
	assert_int_equal(one->pool.used, 1);
	expect_unmapped(one, 0);
	expect_mapped(one, SZ_1G, SZ_1G, S2_RWX);

	/* root + L2: 2M blocks fit, a page needs an L3 table */
	assert_int_equal(s2_map(&two->pt, 0, 0, 2 * SZ_2M, S2_RWX), 0);
	assert_int_equal(two->pool.used, 2);
	assert_int_equal(s2_map(&two->pt, 2 * SZ_2M, 0, SZ_4K, S2_RWX), -ENOSPC);
	assert_int_equal(s2_map(&two->pt, SZ_1G, 0, SZ_2M, S2_RWX), -ENOSPC);
	assert_int_equal(two->pool.used, 2);
	expect_range(two, 0, 0, 2 * SZ_2M, S2_RWX, true);
	s2_free(one);
	s2_free(two);
}

/* Randomized: many disjoint ranges, translate checked against a reference. */
struct ref_range {
	uint64_t ipa, pa, size;
	unsigned flags;
};

#define SLOTS 256u
#define SLOT_SIZE (IPA_LIMIT / SLOTS) /* 2 GiB */

static uint64_t rnd64(void)
{
	return (uint64_t)random() << 33 ^ (uint64_t)random() << 11 ^
	       (uint64_t)random();
}

/* A random range inside slot `slot`, shaped to exercise all block sizes. */
static struct ref_range random_range(unsigned slot)
{
	uint64_t base = (uint64_t)slot * SLOT_SIZE;
	/* the pa keeps the ipa's offset within 1G, 2M or only 4K */
	uint64_t align = (uint64_t[]){SZ_1G, SZ_2M, SZ_4K}[random() % 3];
	struct ref_range r;
	uint64_t start;

	/* (4K-only alignment is kept small: 1G of pages is 512 tables) */
	switch (random() % (align == SZ_4K ? 2 : 3)) {
	case 0: /* a few pages */
		r.size = (1 + random() % 32) * SZ_4K;
		break;
	case 1: /* some 2M blocks with ragged ends */
		r.size = (random() % 8) * SZ_2M + (1 + random() % 1024) * SZ_4K;
		break;
	default: /* up to a 1G block with ragged ends */
		r.size = SZ_1G + (random() % 64) * SZ_2M +
			 (random() % 512) * SZ_4K;
		break;
	}
	start = (rnd64() % ((SLOT_SIZE - r.size) / SZ_4K + 1)) * SZ_4K;
	r.ipa = base + start;
	r.pa = ALIGN_DOWN(rnd64() % (1ull << 47), SZ_1G) + (r.ipa % align);
	if (align == SZ_4K)
		r.pa += (random() % 511 + 1) * SZ_4K; /* break 2M alignment */
	r.flags = random() % 16;
	if (r.flags & S2_DEVICE)
		r.flags &= ~S2_EXEC;
	return r;
}

static const struct ref_range *ref_find(const struct ref_range *ref,
					unsigned n, uint64_t ipa)
{
	for (unsigned i = 0; i < n; i++)
		if (ipa >= ref[i].ipa && ipa - ref[i].ipa < ref[i].size)
			return &ref[i];
	return NULL;
}

static void expect_ref(const struct s2 *s, const struct ref_range *ref,
		       unsigned n, uint64_t ipa)
{
	const struct ref_range *r = ref_find(ref, n, ipa);

	if (r)
		expect_mapped(s, ipa, r->pa + (ipa - r->ipa), r->flags);
	else
		expect_unmapped(s, ipa);
}

static void test_random_against_reference(void **state)
{
	const unsigned seed = 20240611;
	struct s2 *s = s2_new(8192);
	struct ref_range ref[SLOTS];
	unsigned n = 0;

	(void)state;
	srandom(seed);
	for (unsigned slot = 0; slot < SLOTS; slot++) {
		if (random() % 4 == 0)
			continue; /* leave some slots empty */
		ref[n] = random_range(slot);
		if (s2_map(&s->pt, ref[n].ipa, ref[n].pa, ref[n].size,
			   ref[n].flags) != 0)
			fail_msg("seed %u: map %u failed", seed, n);
		n++;
	}
	assert_true(n > SLOTS / 2);
	/* A second map of any page of any range is refused. */
	for (unsigned i = 0; i < n; i++) {
		uint64_t off = (rnd64() % (ref[i].size / SZ_4K)) * SZ_4K;

		assert_int_equal(s2_map(&s->pt, ref[i].ipa + off, 0, SZ_4K,
					S2_READ), -EEXIST);
	}
	for (unsigned i = 0; i < n; i++) {
		const struct ref_range *r = &ref[i];

		expect_ref(s, ref, n, r->ipa - 1);
		expect_ref(s, ref, n, r->ipa + r->size);
		/* each page boundary near the ends, then random pages */
		for (uint64_t off = 0; off < r->size && off < 8 * SZ_4K;
		     off += SZ_4K) {
			expect_ref(s, ref, n, r->ipa + off);
			expect_ref(s, ref, n, r->ipa + r->size - 1 - off);
		}
		for (unsigned k = 0; k < 64; k++)
			expect_ref(s, ref, n, r->ipa + rnd64() % r->size);
	}
	for (unsigned k = 0; k < 100000; k++)
		expect_ref(s, ref, n, rnd64() % IPA_LIMIT);
	/* s2_range_unmapped agrees with the reference on random ranges, and
	 * on the gaps right next to each mapped range. */
	for (unsigned k = 0; k < 20000; k++) {
		uint64_t ipa = (rnd64() % (IPA_LIMIT / SZ_4K)) * SZ_4K;
		uint64_t size = (1 + rnd64() % (k % 2 ? 512 : 4)) * SZ_4K;
		bool overlaps = false;

		if (ipa + size > IPA_LIMIT)
			continue;
		for (unsigned i = 0; i < n; i++)
			overlaps |= ipa < ref[i].ipa + ref[i].size &&
				    ref[i].ipa < ipa + size;
		if (s2_range_unmapped(&s->pt, ipa, size) == overlaps)
			fail_msg("range 0x%llx+0x%llx: s2_range_unmapped says %d",
				 (unsigned long long)ipa,
				 (unsigned long long)size, !overlaps);
	}
	for (unsigned i = 0; i < n; i++) {
		const struct ref_range *r = &ref[i];

		assert_false(s2_range_unmapped(&s->pt, r->ipa, r->size));
		assert_false(s2_range_unmapped(&s->pt, r->ipa + r->size - SZ_4K,
					       SZ_4K));
		if (!ref_find(ref, n, r->ipa + r->size) &&
		    r->ipa + r->size < IPA_LIMIT)
			assert_true(s2_range_unmapped(&s->pt, r->ipa + r->size,
						      SZ_4K));
	}
	assert_false(s2_range_unmapped(&s->pt, 0, 0));
	assert_false(s2_range_unmapped(&s->pt, IPA_LIMIT - SZ_4K, 2 * SZ_4K));
	s2_free(s);
}

/*
 * The SMMU's stage-1 leaves against the Arm ARM (VMSAv8-64 stage 1, 4 KiB
 * granule; the SMMU reads the same format), written out independently:
 *   [4:2]   AttrIndx into SMMU_S1_MAIR: 0 Normal WB, 1 Device-nGnRE
 *   [6]     AP[1]: 1, unprivileged (a device's transactions) may access
 *   [7]     AP[2]: 1 read-only
 *   [9:8]   SH: 0b11 Inner Shareable (Normal only)
 *   [10]    AF
 *   [53]    PXN, [54] UXN: set unless executable
 */
static void test_smmu_stage1_bits_are_the_architecture_s(void **state)
{
	static const struct {
		unsigned flags;
		uint64_t low; /* bits [11:0] of a page descriptor */
		bool xn;
	} cases[] = {
		{S2_READ | S2_WRITE, 0x743, true},
		{S2_READ, 0x7c3, true},
		{S2_RWX, 0x743, false},
		{S2_READ | S2_WRITE | S2_DEVICE, 0x447, true},
	};
	struct s2 *s = s2_new(0);
	unsigned level, flags;
	uint64_t pa;

	(void)state;
	s->pool.nr = 8;
	s->pool.pages = aligned_alloc(S2_PAGE_SIZE, 8 * sizeof(s2_table_t));
	assert_non_null(s->pool.pages);
	memset(s->pool.pages, 0xff, 8 * sizeof(s2_table_t));
	assert_int_equal(pgtable_init(&s->pt, &s->pool, PGTABLE_SMMU_STAGE1), 0);
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint64_t page = 0x100000000ull + i * SZ_4K;
		uint64_t block = 0x200000000ull + i * SZ_2M;
		uint64_t xn = cases[i].xn ? 3ull << 53 : 0;

		assert_int_equal(s2_map(&s->pt, page, page + SZ_1G, SZ_4K,
					cases[i].flags), 0);
		assert_int_equal(s2_map(&s->pt, block, block, SZ_2M,
					cases[i].flags), 0);
		assert_int_equal(raw_desc(s, page, &level),
				 page + SZ_1G + (cases[i].low | xn));
		assert_int_equal(level, 3);
		assert_int_equal(raw_desc(s, block, &level),
				 block | (cases[i].low & ~2ull) | xn);
		assert_int_equal(level, 2);
		/* and it walks back to what was asked (stage 1 always reads) */
		assert_true(s2_translate(&s->pt, page + 8, &pa, &flags));
		assert_int_equal(pa, page + SZ_1G + 8);
		assert_int_equal(flags, cases[i].flags | S2_READ);
	}
	s2_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init_and_root),
		cmocka_unit_test(test_4k_pages),
		cmocka_unit_test(test_2m_block),
		cmocka_unit_test(test_1g_block),
		cmocka_unit_test(test_mixed_sizes),
		cmocka_unit_test(test_misaligned_pa_uses_pages),
		cmocka_unit_test(test_top_of_ipa_space),
		cmocka_unit_test(test_flags_round_trip),
		cmocka_unit_test(test_descriptor_bits_are_the_architecture_s),
		cmocka_unit_test(test_smmu_stage1_bits_are_the_architecture_s),
		cmocka_unit_test(test_refuses_bad_requests),
		cmocka_unit_test(test_refuses_overlap),
		cmocka_unit_test(test_pool_exhaustion),
		cmocka_unit_test(test_random_against_reference),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
