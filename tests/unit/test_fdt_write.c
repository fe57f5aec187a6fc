/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The sequential FDT writer (lib/fdt_write.h), checked against the host's
 * libfdt: every property kind read back, random trees byte-identical to
 * libfdt's own sequential-write output, misuse refused, every too-small
 * buffer refused without a write outside it. Also the read helpers added
 * to lib/fdt.h for the VM device tree builder (node walk, phandle lookup,
 * property iteration, string lists), on good and corrupted blobs.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libfdt.h>
#undef FDT_MAGIC /* lib/fdt.h defines the same value */

#include <errno.h>
#include <lib/fdt.h>
#include <lib/fdt_write.h>

#include "guarded.h"

#define BLOB_MAX 65536

static uint8_t blob[BLOB_MAX], ref[BLOB_MAX];

/* ---- every property kind, read back by libfdt and by lib/fdt.h ---- */

static const uint8_t raw_bytes[5] = {1, 2, 3, 4, 5};
static const uint32_t cells3[3] = {0, 33, 4};
static const uint64_t u64s[4] = {0x40000000, 0x80000000, 0x123456789abcdef0ull,
				 1};
static const char *const compat[] = {"arm,pl011", "arm,primecell"};

/* A small tree using every call; returns fdtw_finish()'s result. */
static int write_sample(void *buf, size_t size)
{
	struct fdt_writer w;

	fdtw_init(&w, buf, size);
	fdtw_begin_node(&w, "");
	fdtw_prop_u32(&w, "#address-cells", 2);
	fdtw_prop_u32(&w, "#size-cells", 2);
	fdtw_prop_string(&w, "model", "test");
	fdtw_begin_node(&w, "dev@9000000");
	fdtw_prop_strings(&w, "compatible", compat, 2);
	fdtw_prop_u64s(&w, "reg", u64s, 4);
	fdtw_prop_cells(&w, "interrupts", cells3, 3);
	fdtw_prop_empty(&w, "dma-coherent");
	fdtw_prop(&w, "raw", raw_bytes, sizeof(raw_bytes));
	fdtw_prop_u64(&w, "big", 0x1122334455667788ull);
	fdtw_prop_begin(&w, "built");
	fdtw_prop_append_u32(&w, 7);
	fdtw_prop_append(&w, "ab", 2);
	fdtw_prop_append_u64(&w, 9);
	fdtw_prop_end(&w);
	fdtw_prop_u32(&w, "phandle", 5);
	fdtw_begin_node(&w, "child");
	fdtw_prop_strings(&w, "empty-list", NULL, 0);
	fdtw_end_node(&w);
	fdtw_end_node(&w);
	fdtw_begin_node(&w, "chosen");
	fdtw_prop_string(&w, "bootargs", "");
	fdtw_end_node(&w);
	fdtw_end_node(&w);
	return fdtw_finish(&w);
}

static void expect_libfdt_prop(const void *fdt, const char *path,
			       const char *name, const void *val, int len)
{
	int node = fdt_path_offset(fdt, path), got;
	const void *p;

	assert_true(node >= 0);
	p = fdt_getprop(fdt, node, name, &got);
	if (!p)
		fail_msg("%s:%s missing", path, name);
	assert_int_equal(got, len);
	if (len)
		assert_memory_equal(p, val, (size_t)len);
}

static void test_every_property_kind(void **state)
{
	int size = write_sample(blob, BLOB_MAX);
	uint8_t be[64];
	struct fdt f;
	uint32_t len;
	int dev;

	(void)state;
	assert_true(size > 0);
	assert_int_equal(fdt_check_full(blob, (size_t)size), 0);
	assert_int_equal(fdt_totalsize(blob), size);
	assert_int_equal(fdt_version(blob), 17);
	assert_int_equal(fdt_last_comp_version(blob), 16);
	assert_int_equal(fdt_num_mem_rsv(blob), 0);

	expect_libfdt_prop(blob, "/", "model", "test", 5);
	expect_libfdt_prop(blob, "/dev@9000000", "compatible",
			   "arm,pl011\0arm,primecell", 24);
	for (unsigned i = 0; i < 4; i++) {
		fdt64_t v = cpu_to_fdt64(u64s[i]);

		memcpy(be + 8 * i, &v, 8);
	}
	expect_libfdt_prop(blob, "/dev@9000000", "reg", be, 32);
	for (unsigned i = 0; i < 3; i++) {
		fdt32_t v = cpu_to_fdt32(cells3[i]);

		memcpy(be + 4 * i, &v, 4);
	}
	expect_libfdt_prop(blob, "/dev@9000000", "interrupts", be, 12);
	expect_libfdt_prop(blob, "/dev@9000000", "dma-coherent", NULL, 0);
	expect_libfdt_prop(blob, "/dev@9000000", "raw", raw_bytes, 5);
	expect_libfdt_prop(blob, "/dev@9000000", "big",
			   "\x11\x22\x33\x44\x55\x66\x77\x88", 8);
	expect_libfdt_prop(blob, "/dev@9000000", "built",
			   "\0\0\0\7ab\0\0\0\0\0\0\0\x09", 14);
	expect_libfdt_prop(blob, "/dev@9000000/child", "empty-list", NULL, 0);
	expect_libfdt_prop(blob, "/chosen", "bootargs", "", 1);
	assert_int_equal(fdt_node_offset_by_phandle(blob, 5),
			 fdt_path_offset(blob, "/dev@9000000"));

	/* the hypervisor's own reader agrees */
	assert_int_equal(fdt_open(&f, blob, (size_t)size), 0);
	dev = fdt_path(&f, "/dev@9000000");
	assert_true(dev >= 0);
	assert_int_equal(fdt_prop_u32(&f, fdt_root(&f), "#size-cells", 0), 2);
	assert_true(fdt_prop_has_string(&f, dev, "compatible", "arm,primecell"));
	assert_int_equal(fdt_cells((const uint8_t *)fdt_prop(&f, dev, "reg",
							   &len) + 16, 2),
			 0x123456789abcdef0ull);
	assert_int_equal(len, 32);
	assert_int_equal(fdt_node_by_phandle(&f, 5), dev);
	assert_true(fdt_path(&f, "/dev@9000000/child") >= 0);
}

/* ---- random trees, byte for byte against libfdt's sequential writer ---- */

struct sink {
	void (*begin)(void *ctx, const char *name);
	void (*prop)(void *ctx, const char *name, const void *v, int len);
	void (*end)(void *ctx);
	void *ctx;
};

static void mine_begin(void *ctx, const char *name)
{
	fdtw_begin_node(ctx, name);
}

static void mine_prop(void *ctx, const char *name, const void *v, int len)
{
	fdtw_prop(ctx, name, v, (size_t)len);
}

static void mine_end(void *ctx)
{
	fdtw_end_node(ctx);
}

static void lib_begin(void *ctx, const char *name)
{
	assert_int_equal(fdt_begin_node(ctx, name), 0);
}

static void lib_prop(void *ctx, const char *name, const void *v, int len)
{
	assert_int_equal(fdt_property(ctx, name, v, len), 0);
}

static void lib_end(void *ctx)
{
	assert_int_equal(fdt_end_node(ctx), 0);
}

/* Names that share suffixes, so deduplication has something to find. */
static const char *const prop_names[] = {
	"reg", "compatible", "#size-cells", "size-cells", "cells", "status",
	"interrupts", "vendor,x-y", "a", "#address-cells",
};

/* A random subtree from the current random() state. */
static void random_node(const struct sink *s, const char *name, unsigned depth)
{
	unsigned nprops = (unsigned)random() % 6, nkids;
	uint8_t val[40];

	s->begin(s->ctx, name);
	for (unsigned i = 0; i < nprops; i++) {
		int len = (int)(random() % (long)sizeof(val));

		for (int k = 0; k < len; k++)
			val[k] = (uint8_t)random();
		s->prop(s->ctx, prop_names[random() % ARRAY_SIZE(prop_names)],
			val, len);
	}
	nkids = depth < 4 ? (unsigned)random() % 4 : 0;
	for (unsigned i = 0; i < nkids; i++) {
		char kid[32];

		snprintf(kid, sizeof(kid), "n%u@%lx", i, random() % 0x100000);
		random_node(s, kid, depth + 1);
	}
	s->end(s->ctx);
}

/* Header fields of a blob: the offset and size of a block. */
#define HDR_STRUCT 8, 36
#define HDR_STRINGS 12, 32

static uint32_t hdr(const void *blob, unsigned field)
{
	return fdt32_to_cpu(((const fdt32_t *)blob)[field / 4]);
}

/* The same block, found by its header fields, in two blobs. */
static bool same_block(const void *a, const void *b, unsigned off_field,
		       unsigned size_field)
{
	uint32_t n = hdr(a, size_field);

	return n == hdr(b, size_field) &&
	       memcmp((const uint8_t *)a + hdr(a, off_field),
		      (const uint8_t *)b + hdr(b, off_field), n) == 0;
}

static void test_random_trees_match_libfdt(void **state)
{
	(void)state;
	for (unsigned seed = 1; seed <= 400; seed++) {
		struct fdt_writer w;
		struct sink mine = {mine_begin, mine_prop, mine_end, &w};
		struct sink lib = {lib_begin, lib_prop, lib_end, ref};
		int size;

		srandom(seed);
		fdtw_init(&w, blob, BLOB_MAX);
		random_node(&mine, "", 0);
		size = fdtw_finish(&w);
		assert_true(size > 0);

		srandom(seed);
		assert_int_equal(fdt_create(ref, BLOB_MAX), 0);
		assert_int_equal(fdt_finish_reservemap(ref), 0);
		random_node(&lib, "", 0);
		assert_int_equal(fdt_finish(ref), 0);

		assert_int_equal(fdt_check_full(blob, (size_t)size), 0);
		/* libfdt puts the reservation block at 48, this writer at 40 */
		assert_int_equal(fdt_totalsize(ref) - (uint32_t)size, 8);
		assert_int_equal(fdt_off_mem_rsvmap(blob), 40);
		assert_int_equal(fdt_num_mem_rsv(blob), 0);
		assert_int_equal(fdt_off_dt_struct(blob), 56);
		if (!same_block(blob, ref, HDR_STRUCT) ||
		    !same_block(blob, ref, HDR_STRINGS))
			fail_msg("seed %u: blocks differ from libfdt's", seed);
	}
}

/* ---- the strings block ---- */

static void test_strings_deduplicated(void **state)
{
	struct fdt_writer w;
	int size;

	(void)state;
	fdtw_init(&w, blob, BLOB_MAX);
	fdtw_begin_node(&w, "");
	fdtw_prop_u32(&w, "#size-cells", 1);
	for (unsigned i = 0; i < 50; i++) {
		char name[16];

		snprintf(name, sizeof(name), "n%u", i);
		fdtw_begin_node(&w, name);
		fdtw_prop_u32(&w, "reg", i);
		fdtw_prop_u32(&w, "size-cells", i); /* a suffix: shared */
		fdtw_prop_u32(&w, "cells", i);
		fdtw_prop_string(&w, "status", "okay");
		fdtw_end_node(&w);
	}
	fdtw_end_node(&w);
	size = fdtw_finish(&w);
	assert_true(size > 0);
	assert_int_equal(fdt_check_full(blob, (size_t)size), 0);
	/* "#size-cells\0" + "reg\0" + "status\0" */
	assert_int_equal(fdt_size_dt_strings(blob), 12 + 4 + 7);
	for (unsigned i = 0; i < 50; i++) {
		char path[16];
		int node, len;

		snprintf(path, sizeof(path), "/n%u", i);
		node = fdt_path_offset(blob, path);
		assert_true(node >= 0);
		assert_non_null(fdt_getprop(blob, node, "size-cells", &len));
		assert_non_null(fdt_getprop(blob, node, "cells", &len));
		assert_string_equal(fdt_getprop(blob, node, "status", &len),
				    "okay");
	}
}

/* ---- misuse ---- */

static void open_root(struct fdt_writer *w)
{
	fdtw_init(w, blob, BLOB_MAX);
	assert_int_equal(fdtw_begin_node(w, ""), 0);
}

static void expect_sticky(struct fdt_writer *w, int err)
{
	assert_int_equal(w->err, err);
	assert_int_equal(fdtw_begin_node(w, "x"), err);
	assert_int_equal(fdtw_prop_u32(w, "y", 1), err);
	assert_int_equal(fdtw_end_node(w), err);
	assert_int_equal(fdtw_finish(w), err);
}

static void test_misuse_refused(void **state)
{
	struct fdt_writer w;

	(void)state;
	/* a property outside any node */
	fdtw_init(&w, blob, BLOB_MAX);
	assert_int_equal(fdtw_prop_u32(&w, "x", 1), -EINVAL);
	expect_sticky(&w, -EINVAL);
	/* the root with a name, a child without one */
	fdtw_init(&w, blob, BLOB_MAX);
	assert_int_equal(fdtw_begin_node(&w, "root"), -EINVAL);
	open_root(&w);
	assert_int_equal(fdtw_begin_node(&w, ""), -EINVAL);
	/* a property after a subnode */
	open_root(&w);
	fdtw_begin_node(&w, "a");
	fdtw_end_node(&w);
	assert_int_equal(fdtw_prop_u32(&w, "x", 1), -EINVAL);
	expect_sticky(&w, -EINVAL);
	/* an empty property name */
	open_root(&w);
	assert_int_equal(fdtw_prop_u32(&w, "", 1), -EINVAL);
	/* one end too many, a second root */
	open_root(&w);
	fdtw_end_node(&w);
	assert_int_equal(fdtw_end_node(&w), -EINVAL);
	open_root(&w);
	fdtw_end_node(&w);
	assert_int_equal(fdtw_begin_node(&w, ""), -EINVAL);
	/* finishing with a node open, or with nothing written */
	open_root(&w);
	assert_int_equal(fdtw_finish(&w), -EINVAL);
	fdtw_init(&w, blob, BLOB_MAX);
	assert_int_equal(fdtw_finish(&w), -EINVAL);
	/* the piecewise property: nesting, appending or ending with none open */
	open_root(&w);
	fdtw_prop_begin(&w, "a");
	assert_int_equal(fdtw_prop_begin(&w, "b"), -EINVAL);
	open_root(&w);
	fdtw_prop_begin(&w, "a");
	assert_int_equal(fdtw_begin_node(&w, "n"), -EINVAL);
	open_root(&w);
	fdtw_prop_begin(&w, "a");
	assert_int_equal(fdtw_end_node(&w), -EINVAL);
	open_root(&w);
	assert_int_equal(fdtw_prop_append_u32(&w, 1), -EINVAL);
	open_root(&w);
	assert_int_equal(fdtw_prop_end(&w), -EINVAL);
	open_root(&w);
	fdtw_prop_begin(&w, "a");
	fdtw_end_node(&w);
	expect_sticky(&w, -EINVAL);
	/* nothing more after finishing */
	open_root(&w);
	fdtw_end_node(&w);
	assert_true(fdtw_finish(&w) > 0);
	assert_int_equal(fdtw_begin_node(&w, ""), -EINVAL);
	assert_int_equal(fdtw_finish(&w), -EINVAL);
	/* no buffer */
	fdtw_init(&w, NULL, 4096);
	expect_sticky(&w, -ENOSPC);
}

/* ---- buffer sizes and alignment ---- */

/* Every size short of the blob: -ENOSPC, and no byte written outside. */
static void test_every_short_buffer(void **state)
{
	int need = write_sample(ref, BLOB_MAX);

	(void)state;
	assert_true(need > 0);
	for (int len = 0; len <= need; len++) {
		struct guarded g;
		int ret;

		guarded_init(&g, (size_t)len);
		ret = write_sample(g.data, (size_t)len);
		if (len < need) {
			if (ret != -ENOSPC)
				fail_msg("%d of %d bytes: returned %d", len, need,
					 ret);
		} else {
			assert_int_equal(ret, need);
			assert_memory_equal(g.data, ref, (size_t)need);
		}
		assert_true(guarded_front_intact(&g));
		guarded_fini(&g);
	}
}

/* The same bytes at any alignment and with room to spare. */
static void test_alignment_and_slack(void **state)
{
	int need = write_sample(ref, BLOB_MAX);

	(void)state;
	for (unsigned off = 0; off < 8; off++) {
		size_t room = (size_t)need + off * 13;

		memset(blob, 0xee, sizeof(blob));
		assert_int_equal(write_sample(blob + off, room), need);
		assert_memory_equal(blob + off, ref, (size_t)need);
		for (size_t i = 0; i < off; i++)
			assert_int_equal(blob[i], 0xee);
		for (size_t i = off + room; i < off + room + 64; i++)
			assert_int_equal(blob[i], 0xee);
	}
}

/* ---- the read helpers in lib/fdt.h ---- */

/* A tree for the readers, by libfdt: phandles, NOPs, nested nodes. */
static size_t reader_tree(void *buf)
{
	assert_int_equal(fdt_create(buf, BLOB_MAX), 0);
	assert_int_equal(fdt_finish_reservemap(buf), 0);
	assert_int_equal(fdt_begin_node(buf, ""), 0);
	assert_int_equal(fdt_property_string(buf, "compatible",
					     "linux,dummy-virt"), 0);
	assert_int_equal(fdt_property_u32(buf, "gone", 1), 0);
	assert_int_equal(fdt_begin_node(buf, "a"), 0);
	assert_int_equal(fdt_property_u32(buf, "phandle", 0x8000), 0);
	assert_int_equal(fdt_begin_node(buf, "a1"), 0);
	assert_int_equal(fdt_property_u32(buf, "linux,phandle", 7), 0);
	assert_int_equal(fdt_begin_node(buf, "a11"), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_begin_node(buf, "a2"), 0);
	assert_int_equal(fdt_property(buf, "compatible",
				      "x,first\0x,second\0\0x,fourth", 27), 0);
	assert_int_equal(fdt_property(buf, "broken", "abc\0de", 6), 0);
	assert_int_equal(fdt_property_u32(buf, "phandle", 0xffffffff), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_begin_node(buf, "b"), 0);
	assert_int_equal(fdt_property_u32(buf, "phandle", 3), 0);
	assert_int_equal(fdt_property_u32(buf, "x", 1), 0);
	assert_int_equal(fdt_property_u32(buf, "y", 2), 0);
	assert_int_equal(fdt_property_u32(buf, "z", 3), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_begin_node(buf, "removed"), 0);
	assert_int_equal(fdt_property_u32(buf, "phandle", 9), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_end_node(buf), 0);
	assert_int_equal(fdt_finish(buf), 0);
	assert_int_equal(fdt_nop_property(buf, 0, "gone"), 0);
	assert_int_equal(fdt_nop_property(buf, fdt_path_offset(buf, "/b"), "y"), 0);
	assert_int_equal(fdt_nop_node(buf, fdt_path_offset(buf, "/removed")), 0);
	return fdt_totalsize(buf);
}

static void test_reader_walk_matches_libfdt(void **state)
{
	size_t size = reader_tree(blob);
	struct fdt f;
	int node, lnode, depth = 0, ldepth = 0;
	unsigned count = 0;

	(void)state;
	assert_int_equal(fdt_open(&f, blob, size), 0);
	node = fdt_root(&f);
	lnode = 0;
	while (lnode >= 0 && ldepth >= 0) { /* libfdt ends at depth -1 */
		assert_int_equal(node, lnode);
		assert_int_equal(depth, ldepth);
		assert_string_equal(fdt_node_name(&f, node),
				    fdt_get_name(blob, lnode, NULL));
		node = fdt_walk_next(&f, node, &depth);
		lnode = fdt_next_node(blob, lnode, &ldepth);
		count++;
	}
	assert_true(node < 0);
	assert_int_equal(count, 6); /* /, a, a1, a11, a2, b */
	assert_int_equal(fdt_walk_next(&f, -1, &depth), -1);
	assert_int_equal(fdt_walk_next(&f, 12345, &depth), -1);
}

static void test_reader_phandles(void **state)
{
	size_t size = reader_tree(blob);
	struct fdt f;

	(void)state;
	assert_int_equal(fdt_open(&f, blob, size), 0);
	assert_int_equal(fdt_node_by_phandle(&f, 0x8000), fdt_path(&f, "/a"));
	assert_int_equal(fdt_node_by_phandle(&f, 7), fdt_path(&f, "/a/a1"));
	assert_int_equal(fdt_node_by_phandle(&f, 3), fdt_path(&f, "/b"));
	assert_int_equal(fdt_node_by_phandle(&f, 9), -1); /* NOPed out */
	assert_int_equal(fdt_node_by_phandle(&f, 0), -1);
	assert_int_equal(fdt_node_by_phandle(&f, 0xffffffff), -1);
	assert_int_equal(fdt_node_by_phandle(&f, 4), -1);
}

static void test_reader_property_iteration(void **state)
{
	size_t size = reader_tree(blob);
	static const char *const want[] = {"phandle", "x", "z"}; /* y NOPed */
	struct fdt f;
	unsigned n = 0;
	int node, p, lp;

	(void)state;
	assert_int_equal(fdt_open(&f, blob, size), 0);
	node = fdt_path(&f, "/b");
	lp = fdt_first_property_offset(blob, node);
	for (p = fdt_first_prop(&f, node); p >= 0; p = fdt_next_prop(&f, p)) {
		const char *name;
		uint32_t len;
		const void *v = fdt_prop_at(&f, p, &name, &len);

		assert_int_equal(p, lp);
		assert_non_null(v);
		assert_string_equal(name, want[n]);
		assert_int_equal(len, 4);
		assert_ptr_equal(v, fdt_prop(&f, node, name, NULL));
		assert_null(fdt_prop_at(&f, p + 4, NULL, NULL));
		lp = fdt_next_property_offset(blob, lp);
		n++;
	}
	assert_int_equal(n, 3);
	assert_true(lp < 0);
	/* the root's only property left is compatible; a11 has none */
	p = fdt_first_prop(&f, fdt_root(&f));
	assert_true(p >= 0);
	assert_int_equal(fdt_next_prop(&f, p), -1);
	assert_int_equal(fdt_first_prop(&f, fdt_path(&f, "/a/a1/a11")), -1);
	assert_int_equal(fdt_first_prop(&f, -1), -1);
	assert_int_equal(fdt_next_prop(&f, node), -1); /* a node, not a prop */
}

static void test_reader_string_lists(void **state)
{
	size_t size = reader_tree(blob);
	struct fdt f;
	int a2, root;

	(void)state;
	assert_int_equal(fdt_open(&f, blob, size), 0);
	a2 = fdt_path(&f, "/a/a2");
	root = fdt_root(&f);
	assert_true(fdt_prop_has_string(&f, a2, "compatible", "x,first"));
	assert_true(fdt_prop_has_string(&f, a2, "compatible", "x,second"));
	assert_true(fdt_prop_has_string(&f, a2, "compatible", ""));
	assert_true(fdt_prop_has_string(&f, a2, "compatible", "x,fourth"));
	assert_false(fdt_prop_has_string(&f, a2, "compatible", "x,fir"));
	assert_false(fdt_prop_has_string(&f, a2, "compatible", "first"));
	assert_false(fdt_prop_has_string(&f, a2, "compatible", "x,fourth2"));
	assert_true(fdt_prop_has_string(&f, a2, "broken", "abc"));
	assert_false(fdt_prop_has_string(&f, a2, "broken", "de")); /* no NUL */
	assert_false(fdt_prop_has_string(&f, a2, "missing", "abc"));
	assert_true(fdt_prop_has_string(&f, root, "compatible",
					"linux,dummy-virt"));
	assert_false(fdt_prop_has_string(&f, -1, "compatible", ""));
}

/* Corrupted blobs: the helpers return errors or answers, never fault. */
static void test_reader_helpers_corrupted(void **state)
{
	size_t size = reader_tree(ref);
	struct guarded g;

	(void)state;
	srandom(777);
	guarded_init(&g, size);
	for (unsigned iter = 0; iter < 5000; iter++) {
		struct fdt f;
		int depth = 0;
		unsigned visited = 0;

		memcpy(g.data, ref, size);
		for (unsigned k = 1 + (unsigned)random() % 6; k; k--)
			g.data[(size_t)random() % size] = (uint8_t)random();
		if (fdt_open(&f, g.data, size) < 0)
			continue;
		for (int n = fdt_root(&f); n >= 0 && visited < 1000;
		     n = fdt_walk_next(&f, n, &depth), visited++) {
			for (int p = fdt_first_prop(&f, n); p >= 0;
			     p = fdt_next_prop(&f, p)) {
				const char *name;
				uint32_t len;

				if (fdt_prop_at(&f, p, &name, &len))
					assert_true(strlen(name) < size);
			}
			(void)fdt_prop_has_string(&f, n, "compatible", "x,second");
		}
		for (uint32_t ph = 0; ph < 10; ph++)
			(void)fdt_node_by_phandle(&f, ph);
		(void)fdt_node_by_phandle(&f, 0x8000);
	}
	guarded_fini(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_property_kind),
		cmocka_unit_test(test_random_trees_match_libfdt),
		cmocka_unit_test(test_strings_deduplicated),
		cmocka_unit_test(test_misuse_refused),
		cmocka_unit_test(test_every_short_buffer),
		cmocka_unit_test(test_alignment_and_slack),
		cmocka_unit_test(test_reader_walk_matches_libfdt),
		cmocka_unit_test(test_reader_phandles),
		cmocka_unit_test(test_reader_property_iteration),
		cmocka_unit_test(test_reader_string_lists),
		cmocka_unit_test(test_reader_helpers_corrupted),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
