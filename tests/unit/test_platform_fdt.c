/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The boot device tree reader (lib/fdt.h) and platform_from_fdt() on blobs
 * built with the host's libfdt: QEMU virt-like trees, their variants, and
 * truncated or corrupted blobs placed against a guard page.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <libfdt.h>
#undef FDT_MAGIC /* lib/fdt.h defines the same value */

#include <config.h>
#include <lib/fdt.h>
#include <platform.h>
#include "guarded.h"

#define BLOB_MAX 16384

/* ---- building trees with libfdt's sequential-write API ---- */

#define SW(call) assert_int_equal((call), 0)

struct tree {
	unsigned root_ac, root_sc; /* 0: property left out */
	bool no_memory, no_cpus, nops;
	unsigned cpu_ac;           /* /cpus #address-cells */
	unsigned ncpus;
	uint64_t mem_base, mem_size;
};

static const struct tree qemu_virt = {
	.root_ac = 2, .root_sc = 2, .cpu_ac = 1, .ncpus = 4,
	.mem_base = 0x40000000, .mem_size = 0x80000000, .nops = true,
};

/* Big-endian cells from up to 4 values of `cells` cells each. */
static void prop_cells(void *fdt, const char *name, unsigned cells,
		       unsigned n, const uint64_t *v)
{
	fdt32_t buf[8];
	unsigned k = 0;

	for (unsigned i = 0; i < n; i++) {
		if (cells == 2)
			buf[k++] = cpu_to_fdt32((uint32_t)(v[i] >> 32));
		buf[k++] = cpu_to_fdt32((uint32_t)v[i]);
	}
	SW(fdt_property(fdt, name, buf, (int)(k * 4)));
}

static uint64_t cpu_mpidr(unsigned ac, unsigned i)
{
	/* clusters of 4 like QEMU; with 2 cells, an Aff3 field too */
	uint64_t m = (i / 4) << 8 | i % 4;

	return ac == 2 ? m | (uint64_t)(i + 1) << 32 : m;
}

static void unrelated_nodes(void *fdt)
{
	uint64_t reg[2] = {0x9000000, 0x1000};

	SW(fdt_begin_node(fdt, "pl011@9000000"));
	SW(fdt_property_string(fdt, "compatible", "arm,pl011"));
	prop_cells(fdt, "reg", 2, 2, reg);
	SW(fdt_property(fdt, "dma-coherent", NULL, 0));
	SW(fdt_end_node(fdt));
	/* nested, with its own #address-cells and a "memory"-like name */
	SW(fdt_begin_node(fdt, "intc@8000000"));
	SW(fdt_property_u32(fdt, "#address-cells", 2));
	SW(fdt_begin_node(fdt, "its@8080000"));
	SW(fdt_property_string(fdt, "compatible", "arm,gic-v3-its"));
	SW(fdt_begin_node(fdt, "memory"));
	SW(fdt_property_string(fdt, "device_type", "memory"));
	SW(fdt_end_node(fdt));
	SW(fdt_end_node(fdt));
	SW(fdt_end_node(fdt));
	SW(fdt_begin_node(fdt, "memory-controller"));
	SW(fdt_property_string(fdt, "device_type", "memoryx"));
	SW(fdt_end_node(fdt));
}

static void memory_node(void *fdt, const struct tree *t)
{
	unsigned ac = t->root_ac ? t->root_ac : 2, sc = t->root_sc ? t->root_sc : 1;
	fdt32_t reg[4];
	unsigned k = 0;
	char name[32];

	snprintf(name, sizeof(name), "memory@%llx",
		 (unsigned long long)t->mem_base);
	if (ac == 2)
		reg[k++] = cpu_to_fdt32((uint32_t)(t->mem_base >> 32));
	reg[k++] = cpu_to_fdt32((uint32_t)t->mem_base);
	if (sc == 2)
		reg[k++] = cpu_to_fdt32((uint32_t)(t->mem_size >> 32));
	reg[k++] = cpu_to_fdt32((uint32_t)t->mem_size);
	SW(fdt_begin_node(fdt, name));
	if (t->nops)
		SW(fdt_property_u32(fdt, "nop-me", 1));
	SW(fdt_property(fdt, "reg", reg, (int)(k * 4)));
	SW(fdt_property_string(fdt, "device_type", "memory"));
	SW(fdt_end_node(fdt));
}

static void cpu_node(void *fdt, const struct tree *t, unsigned i)
{
	char name[32];
	uint64_t mpidr = cpu_mpidr(t->cpu_ac, i);

	snprintf(name, sizeof(name), "cpu@%llx", (unsigned long long)mpidr);
	SW(fdt_begin_node(fdt, name));
	SW(fdt_property_string(fdt, "compatible", "arm,cortex-a72"));
	SW(fdt_property_string(fdt, "enable-method", "psci"));
	prop_cells(fdt, "reg", t->cpu_ac, 1, &mpidr);
	SW(fdt_property_string(fdt, "device_type", "cpu"));
	SW(fdt_end_node(fdt));
}

static void cpus_node(void *fdt, const struct tree *t)
{
	SW(fdt_begin_node(fdt, "cpus"));
	SW(fdt_property_u32(fdt, "#address-cells", t->cpu_ac));
	SW(fdt_property_u32(fdt, "#size-cells", 0));
	/* cpu-map first, as QEMU does: no device_type, skipped */
	SW(fdt_begin_node(fdt, "cpu-map"));
	SW(fdt_begin_node(fdt, "cluster0"));
	SW(fdt_begin_node(fdt, "core0"));
	SW(fdt_property_u32(fdt, "cpu", 0x8001));
	SW(fdt_end_node(fdt));
	SW(fdt_end_node(fdt));
	SW(fdt_end_node(fdt));
	for (unsigned i = 0; i < t->ncpus; i++) {
		cpu_node(fdt, t, i);
		if (t->nops && i == 1) {
			/* a fifth CPU that is NOPed out after finishing */
			SW(fdt_begin_node(fdt, "cpu@ff"));
			SW(fdt_property_string(fdt, "device_type", "cpu"));
			SW(fdt_property_u32(fdt, "reg", 0xff));
			SW(fdt_end_node(fdt));
		}
	}
	SW(fdt_begin_node(fdt, "l2-cache0"));
	SW(fdt_property_string(fdt, "device_type", "cache"));
	SW(fdt_end_node(fdt));
	SW(fdt_end_node(fdt));
}

/* A blob in buf: header, no reservations, the root node opened. */
static void blob_begin(void *buf)
{
	SW(fdt_create(buf, BLOB_MAX));
	SW(fdt_finish_reservemap(buf));
	SW(fdt_begin_node(buf, ""));
}

/* Close the root and finish; returns the blob's size. */
static size_t blob_end(void *buf)
{
	SW(fdt_end_node(buf));
	SW(fdt_finish(buf));
	return fdt_totalsize(buf);
}

/* Build `t` into buf; returns the blob's size. */
static size_t build_tree(const struct tree *t, void *buf)
{
	blob_begin(buf);
	if (t->nops)
		SW(fdt_property_u32(buf, "nop-me", 1));
	if (t->root_ac)
		SW(fdt_property_u32(buf, "#address-cells", t->root_ac));
	if (t->root_sc)
		SW(fdt_property_u32(buf, "#size-cells", t->root_sc));
	SW(fdt_property_string(buf, "compatible", "linux,dummy-virt"));
	SW(fdt_property_u32(buf, "interrupt-parent", 0x8002));
	if (t->nops) {
		SW(fdt_begin_node(buf, "removed@0"));
		SW(fdt_property_string(buf, "device_type", "memory"));
		SW(fdt_end_node(buf));
	}
	SW(fdt_begin_node(buf, "psci"));
	SW(fdt_property_string(buf, "method", "smc"));
	SW(fdt_end_node(buf));
	if (!t->no_memory)
		memory_node(buf, t);
	unrelated_nodes(buf);
	if (!t->no_cpus)
		cpus_node(buf, t);
	SW(fdt_begin_node(buf, "chosen"));
	SW(fdt_property_string(buf, "stdout-path", "/pl011@9000000"));
	SW(fdt_end_node(buf));
	blob_end(buf);
	if (t->nops) {
		int mem = fdt_subnode_offset(buf, 0, "memory@40000000");

		SW(fdt_nop_property(buf, 0, "nop-me"));
		SW(fdt_nop_node(buf, fdt_path_offset(buf, "/removed@0")));
		if (mem >= 0)
			SW(fdt_nop_property(buf, mem, "nop-me"));
		if (!t->no_cpus && t->ncpus > 1)
			SW(fdt_nop_node(buf, fdt_path_offset(buf, "/cpus/cpu@ff")));
	}
	SW(fdt_check_full(buf, fdt_totalsize(buf)));
	return fdt_totalsize(buf);
}

/* A big-endian header field, at any alignment (libfdt's setters need 4). */
static void header_set(uint8_t *blob, unsigned off, uint32_t value)
{
	fdt32_t v = cpu_to_fdt32(value);

	memcpy(blob + off, &v, sizeof(v));
}

/* ---- blobs against guard pages ---- */

/* ---- checking results ---- */

struct expect {
	uint64_t ram_base, ram_size;
	unsigned cpu_count;
	uint64_t mpidr[CONFIG_MAX_PCPUS];
};

static struct expect expect_of(const struct tree *t)
{
	struct expect e = {.ram_base = t->mem_base, .ram_size = t->mem_size};

	e.cpu_count = t->ncpus < CONFIG_MAX_PCPUS ? t->ncpus : CONFIG_MAX_PCPUS;
	for (unsigned i = 0; i < e.cpu_count; i++)
		e.mpidr[i] = cpu_mpidr(t->cpu_ac, i);
	return e;
}

static bool info_matches(const struct platform_info *info,
			 const struct expect *e)
{
	if (info->ram_base != e->ram_base || info->ram_size != e->ram_size ||
	    info->cpu_count != e->cpu_count)
		return false;
	for (unsigned i = 0; i < e->cpu_count; i++)
		if (info->cpu_mpidr[i] != e->mpidr[i])
			return false;
	return true;
}

static void expect_platform(const struct tree *t)
{
	static uint8_t blob[BLOB_MAX];
	struct platform_info info;
	struct expect e = expect_of(t);
	char err[128] = "";
	size_t size = build_tree(t, blob);

	if (platform_from_fdt(&info, blob, size, err, sizeof(err)) != 0)
		fail_msg("refused: %s", err);
	assert_int_equal(info.ram_base, e.ram_base);
	assert_int_equal(info.ram_size, e.ram_size);
	assert_int_equal(info.cpu_count, e.cpu_count);
	for (unsigned i = 0; i < e.cpu_count; i++)
		assert_int_equal(info.cpu_mpidr[i], e.mpidr[i]);
	for (unsigned i = e.cpu_count; i < CONFIG_MAX_PCPUS; i++)
		assert_int_equal(info.cpu_mpidr[i], 0);
	/* the same blob with room to spare after it */
	assert_int_equal(platform_from_fdt(&info, blob, BLOB_MAX, err,
					   sizeof(err)), 0);
	assert_true(info_matches(&info, &e));
}

static void expect_refused(const struct tree *t, const char *want)
{
	static uint8_t blob[BLOB_MAX];
	struct platform_info info;
	char err[128] = "";
	size_t size = build_tree(t, blob);

	assert_int_equal(platform_from_fdt(&info, blob, size, err, sizeof(err)),
			 -1);
	if (!strstr(err, want))
		fail_msg("message \"%s\" does not contain \"%s\"", err, want);
}

/* ---- platform_from_fdt ---- */

static void test_qemu_virt(void **state)
{
	struct tree t = qemu_virt;

	(void)state;
	expect_platform(&t);
	t.nops = false;
	expect_platform(&t);
}

static void test_root_cells_variants(void **state)
{
	struct tree t = qemu_virt;

	(void)state;
	t.root_ac = 1;
	t.root_sc = 1;
	expect_platform(&t);
	t.root_ac = 2;
	t.mem_base = 0x880000000ull;
	t.mem_size = 0x10000000;
	expect_platform(&t);
	/* no properties: the defaults are 2 and 1 */
	t.root_ac = t.root_sc = 0;
	expect_platform(&t);
	t.root_ac = 3;
	expect_refused(&t, "#address-cells 3");
	t.root_ac = 2;
	t.root_sc = 3;
	expect_refused(&t, "#size-cells 3");
}

static void test_cpus_two_address_cells(void **state)
{
	struct tree t = qemu_virt;

	(void)state;
	t.cpu_ac = 2;
	expect_platform(&t);
	t.cpu_ac = 3;
	expect_refused(&t, "/cpus #address-cells 3");
}

static void test_more_cpus_than_supported(void **state)
{
	struct tree t = qemu_virt;

	(void)state;
	for (t.ncpus = 1; t.ncpus <= CONFIG_MAX_PCPUS + 4; t.ncpus++)
		expect_platform(&t); /* capped at CONFIG_MAX_PCPUS */
}

static void test_missing_nodes(void **state)
{
	struct tree t = qemu_virt;

	(void)state;
	t.no_memory = true;
	expect_refused(&t, "no memory node");
	t.no_memory = false;
	t.no_cpus = true;
	expect_refused(&t, "no /cpus node");
	t.no_cpus = false;
	t.ncpus = 0;
	expect_refused(&t, "no cpu nodes");
}

/* /cpus (with #address-cells `ac`, 0: none) holding cpu@0, reg one cell 0. */
static void one_cpu(void *buf, unsigned ac)
{
	SW(fdt_begin_node(buf, "cpus"));
	if (ac)
		SW(fdt_property_u32(buf, "#address-cells", ac));
	SW(fdt_begin_node(buf, "cpu@0"));
	SW(fdt_property_string(buf, "device_type", "cpu"));
	SW(fdt_property_u32(buf, "reg", 0));
	SW(fdt_end_node(buf));
	SW(fdt_end_node(buf));
}

/* A tree with a bad memory or cpu reg, built by hand. */
static size_t build_bad_reg(void *buf, bool bad_memory)
{
	fdt32_t reg[4] = {0, cpu_to_fdt32(0x40000000), 0, cpu_to_fdt32(0x1000)};

	blob_begin(buf);
	SW(fdt_property_u32(buf, "#address-cells", 2));
	SW(fdt_property_u32(buf, "#size-cells", 2));
	SW(fdt_begin_node(buf, "memory@40000000"));
	SW(fdt_property_string(buf, "device_type", "memory"));
	/* 3 cells where 4 are needed */
	SW(fdt_property(buf, "reg", reg, bad_memory ? 12 : 16));
	SW(fdt_end_node(buf));
	one_cpu(buf, 2); /* 1 reg cell where 2 are needed */
	return blob_end(buf);
}

static void test_bad_reg(void **state)
{
	static uint8_t blob[BLOB_MAX];
	struct platform_info info;
	char err[128];
	size_t size;

	(void)state;
	size = build_bad_reg(blob, true);
	assert_int_equal(platform_from_fdt(&info, blob, size, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "memory@40000000 has no usable reg"));
	size = build_bad_reg(blob, false);
	assert_int_equal(platform_from_fdt(&info, blob, size, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "cpu node cpu@0 has no reg"));
}

static void test_bad_header(void **state)
{
	static uint8_t blob[BLOB_MAX];
	struct platform_info info;
	char err[128];
	size_t size = build_tree(&qemu_virt, blob);
	struct fdt f;

	(void)state;
	assert_int_equal(fdt_open(&f, blob, size), 0);
	assert_int_equal(fdt_total_size(blob), size);
	assert_int_equal(platform_from_fdt(&info, NULL, size, err, sizeof(err)), -1);
	/* smaller than the header says */
	assert_int_equal(platform_from_fdt(&info, blob, size - 1, err,
					   sizeof(err)), -1);
	assert_int_equal(fdt_open(&f, blob, 39), -1);
	/* each header field broken in turn */
	static const struct {
		unsigned off;
		uint32_t value;
	} bad[] = {
		{0, 0xd00dfeef},  /* magic */
		{0, 0xedfe0dd0},  /* magic, wrong endianness */
		{4, 39},          /* totalsize below the header */
		{4, BLOB_MAX + 1},
		{8, 0xfffffff0},  /* off_dt_struct */
		{8, 0x39},        /* off_dt_struct not aligned */
		{12, 0xfffffff0}, /* off_dt_strings */
		{20, 15},         /* version */
		{32, 0xfffffff0}, /* size_dt_strings */
		{36, 0xfffffff0}, /* size_dt_struct */
		{36, 0x102},      /* size_dt_struct not aligned */
	};
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		uint8_t copy[BLOB_MAX];

		memcpy(copy, blob, BLOB_MAX);
		header_set(copy, bad[i].off, bad[i].value);
		if (platform_from_fdt(&info, copy, BLOB_MAX, err, sizeof(err)) != -1)
			fail_msg("header case %u accepted", i);
		assert_non_null(strstr(err, "no valid device tree"));
	}
}

/* ---- the reader itself ---- */

static void test_fdt_path(void **state)
{
	static uint8_t blob[BLOB_MAX];
	struct fdt f;
	int node;

	(void)state;
	assert_int_equal(fdt_open(&f, blob, build_tree(&qemu_virt, blob)), 0);
	static const struct {
		const char *path, *name; /* name NULL: not found */
	} cases[] = {
		{"/", ""},
		{"/cpus", "cpus"},
		{"/cpus/", "cpus"},
		{"//cpus//cpu@1", "cpu@1"},
		{"/cpus/cpu@3", "cpu@3"},
		{"/cpus/cpu-map/cluster0/core0", "core0"},
		{"/intc@8000000/its@8080000/memory", "memory"},
		{"/intc@8000000/its@8080000", "its@8080000"},
		{"/memory@40000000", "memory@40000000"},
		{"/chosen", "chosen"},
		{"/memory", NULL},          /* unit address required */
		{"/cpus/cpu", NULL},
		{"/cpu", NULL},             /* prefix of "cpus" */
		{"/cpuss", NULL},
		{"/cpus/cpu@4", NULL},
		{"/cpus/cpu@ff", NULL},     /* NOPed out */
		{"/removed@0", NULL},       /* NOPed out */
		{"/cpus/cpu@1/x", NULL},
		{"/intc@8000000/memory", NULL}, /* only deeper */
		{"cpus", NULL},
		{"", NULL},
	};
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		node = fdt_path(&f, cases[i].path);
		if (!cases[i].name) {
			if (node >= 0)
				fail_msg("%s found", cases[i].path);
			continue;
		}
		if (node < 0)
			fail_msg("%s not found", cases[i].path);
		assert_string_equal(fdt_node_name(&f, node), cases[i].name);
		/* and where libfdt says it is */
		assert_int_equal(node, fdt_path_offset(blob, cases[i].path));
	}
}

static void test_fdt_walk(void **state)
{
	static uint8_t blob[BLOB_MAX];
	static const char *const want[] = {
		"psci", "memory@40000000", "pl011@9000000", "intc@8000000",
		"memory-controller", "cpus", "chosen",
	};
	struct fdt f;
	unsigned n = 0;

	(void)state;
	assert_int_equal(fdt_open(&f, blob, build_tree(&qemu_virt, blob)), 0);
	assert_int_equal(fdt_root(&f), 0);
	for (int c = fdt_first_child(&f, fdt_root(&f)); c >= 0;
	     c = fdt_next_sibling(&f, c)) {
		assert_true(n < ARRAY_SIZE(want));
		assert_string_equal(fdt_node_name(&f, c), want[n++]);
	}
	assert_int_equal(n, ARRAY_SIZE(want));
	/* leaves have no children; not-a-node offsets give nothing */
	assert_int_equal(fdt_first_child(&f, fdt_path(&f, "/psci")), -1);
	assert_int_equal(fdt_first_child(&f, -1), -1);
	assert_int_equal(fdt_next_sibling(&f, fdt_path(&f, "/chosen")), -1);
	assert_null(fdt_node_name(&f, -1));
	assert_null(fdt_node_name(&f, 4)); /* inside the root's name/prop */
	assert_null(fdt_node_name(&f, 1 << 30));
}

static void test_fdt_prop(void **state)
{
	static uint8_t blob[BLOB_MAX];
	struct fdt f;
	uint32_t len = 12345;
	int root, mem, uart, cpu;
	const uint8_t *p;

	(void)state;
	assert_int_equal(fdt_open(&f, blob, build_tree(&qemu_virt, blob)), 0);
	root = fdt_root(&f);
	mem = fdt_path(&f, "/memory@40000000");
	uart = fdt_path(&f, "/pl011@9000000");
	cpu = fdt_path(&f, "/cpus/cpu@2");
	assert_true(root >= 0 && mem >= 0 && uart >= 0 && cpu >= 0);

	p = fdt_prop(&f, mem, "reg", &len);
	assert_non_null(p);
	assert_int_equal(len, 16);
	assert_int_equal(fdt_cells(p, 2), 0x40000000);
	assert_int_equal(fdt_cells(p + 8, 2), 0x80000000);
	assert_int_equal(fdt_cells(p + 4, 1), 0x40000000);
	assert_non_null(fdt_prop(&f, mem, "reg", NULL));
	/* an empty property is present with length 0 */
	len = 99;
	assert_non_null(fdt_prop(&f, uart, "dma-coherent", &len));
	assert_int_equal(len, 0);

	/* missing: NULL, the length left alone */
	len = 12345;
	assert_null(fdt_prop(&f, mem, "missing", &len));
	assert_null(fdt_prop(&f, mem, "re", &len));
	assert_null(fdt_prop(&f, mem, "regs", &len));
	assert_null(fdt_prop(&f, mem, "nop-me", &len)); /* NOPed */
	assert_null(fdt_prop(&f, root, "method", &len)); /* only in /psci */
	assert_null(fdt_prop(&f, root, "reg", &len));
	assert_null(fdt_prop(&f, -1, "reg", &len));
	assert_null(fdt_prop(&f, 1 << 20, "reg", &len));
	assert_int_equal(len, 12345);

	assert_true(fdt_prop_is(&f, cpu, "device_type", "cpu"));
	assert_false(fdt_prop_is(&f, cpu, "device_type", "cp"));
	assert_false(fdt_prop_is(&f, cpu, "device_type", "cpus"));
	assert_false(fdt_prop_is(&f, cpu, "reg", ""));
	assert_false(fdt_prop_is(&f, cpu, "missing", "cpu"));
	assert_false(fdt_prop_is(&f, -1, "device_type", "cpu"));

	assert_int_equal(fdt_prop_u32(&f, cpu, "reg", 77), 2);
	assert_int_equal(fdt_prop_u32(&f, root, "#size-cells", 77), 2);
	assert_int_equal(fdt_prop_u32(&f, root, "missing", 77), 77);
	assert_int_equal(fdt_prop_u32(&f, mem, "reg", 77), 77); /* 16 bytes */
	assert_int_equal(fdt_prop_u32(&f, uart, "dma-coherent", 77), 77);
	assert_int_equal(fdt_prop_u32(&f, uart, "compatible", 77), 77);
}

/*
 * A blob laid out by hand: header, empty reservation map, `pad` bytes, the
 * structure block from `words` (host-order 32-bit words), the strings.
 */
#define T_BEGIN 1u
#define T_END_NODE 2u
#define T_PROP 3u
#define T_NOP 4u
#define T_END 9u
#define NAME_A 0x61000000u /* "a" and its padding */

static size_t raw_blob(uint8_t *out, unsigned pad, const uint32_t *words,
		       unsigned nwords, const char *strings, unsigned slen)
{
	uint32_t off_struct = 40 + 16 + pad;
	uint32_t off_strings = off_struct + 4 * nwords;
	uint32_t total = off_strings + slen;

	memset(out, 0, total);
	header_set(out, 0, 0xd00dfeed);
	header_set(out, 4, total);
	header_set(out, 8, off_struct);
	header_set(out, 12, off_strings);
	header_set(out, 16, 40);
	header_set(out, 20, 17);
	header_set(out, 24, 16);
	header_set(out, 32, slen);
	header_set(out, 36, 4 * nwords);
	for (unsigned i = 0; i < nwords; i++)
		header_set(out, off_struct + 4 * i, words[i]);
	memcpy(out + off_strings, strings, slen);
	return total;
}

/* The words of a structure block and their count. */
#define W(...) sizeof((uint32_t[]){__VA_ARGS__}) / 4, {__VA_ARGS__}

/* The structure block is checked whole when the blob is opened. */
static void test_malformed_structure(void **state)
{
	static const struct {
		const char *what;
		int ok;
		unsigned pad;
		unsigned nwords;
		uint32_t words[12];
		unsigned slen; /* of "reg\0x" */
	} cases[] = {
		{"minimal", 1, 0, W(T_BEGIN, 0, T_END_NODE, T_END), 0},
		{"NOPs around the root", 1, 0,
		 W(T_NOP, T_BEGIN, 0, T_END_NODE, T_NOP, T_END), 0},
		{"a property", 1, 0,
		 W(T_BEGIN, 0, T_PROP, 0, 0, T_END_NODE, T_END), 4},
		{"a child", 1, 0,
		 W(T_BEGIN, 0, T_BEGIN, NAME_A, T_END_NODE, T_END_NODE, T_END), 0},
		{"no root", 0, 0, W(T_END), 0},
		{"only NOPs", 0, 0, W(T_NOP, T_END), 0},
		{"root not closed", 0, 0, W(T_BEGIN, 0, T_END), 0},
		{"child not closed", 0, 0,
		 W(T_BEGIN, 0, T_BEGIN, NAME_A, T_END_NODE, T_END), 0},
		{"one END_NODE too many", 0, 0,
		 W(T_BEGIN, 0, T_END_NODE, T_END_NODE, T_END), 0},
		{"closing the root, then reopening", 0, 0,
		 W(T_BEGIN, 0, T_END_NODE, T_END_NODE, T_BEGIN, 0, T_END), 0},
		{"property length wraps around", 0, 0,
		 W(T_BEGIN, 0, T_PROP, 0xffffffec, 0, T_END_NODE, T_END), 4},
		{"two roots", 0, 0,
		 W(T_BEGIN, 0, T_END_NODE, T_BEGIN, 0, T_END_NODE, T_END), 0},
		{"property before the root", 0, 0,
		 W(T_PROP, 0, 0, T_BEGIN, 0, T_END_NODE, T_END), 4},
		{"property after the root", 0, 0,
		 W(T_BEGIN, 0, T_END_NODE, T_PROP, 0, 0, T_END), 4},
		{"no FDT_END", 0, 0, W(T_BEGIN, 0, T_END_NODE), 0},
		{"unknown token", 0, 0, W(T_BEGIN, 0, 5, T_END_NODE, T_END), 0},
		{"name offset past the strings", 0, 0,
		 W(T_BEGIN, 0, T_PROP, 0, 4, T_END_NODE, T_END), 4},
		{"name not terminated in the strings", 0, 0,
		 W(T_BEGIN, 0, T_PROP, 0, 4, T_END_NODE, T_END), 5},
		{"property longer than the block", 0, 0,
		 W(T_BEGIN, 0, T_PROP, 64, 0, T_END_NODE, T_END), 4},
		{"node name not terminated", 0, 0,
		 W(T_BEGIN, NAME_A | 0x626364), 0},
		{"structure block not aligned", 0, 2,
		 W(T_BEGIN, 0, T_END_NODE, T_END), 0},
	};
	uint8_t blob[256];
	struct fdt f;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t size = raw_blob(blob, cases[i].pad, cases[i].words,
				       cases[i].nwords, "reg\0x", cases[i].slen);
		int ret = fdt_open(&f, blob, size);

		if (cases[i].ok ? ret != 0 : ret != -1)
			fail_msg("%s: fdt_open returned %d", cases[i].what, ret);
		if (ret == 0)
			assert_true(fdt_root(&f) >= 0);
	}
}

/* ---- truncated and corrupted blobs ---- */

/* Everything a caller could ask of a blob; must never fault. */
static void read_everything(const uint8_t *blob, size_t size)
{
	static const char *const paths[] = {
		"/", "/cpus", "/cpus/cpu@1", "/memory@40000000",
		"/intc@8000000/its@8080000/memory", "/chosen",
	};
	static const char *const props[] = {"reg", "device_type",
					    "#address-cells", "compatible"};
	struct platform_info info;
	char err[128];
	struct fdt f;
	int stack[16], depth = 0, node;
	unsigned visited = 0;

	if (platform_from_fdt(&info, blob, size, err, sizeof(err)) == 0) {
		assert_in_range(info.cpu_count, 1, CONFIG_MAX_PCPUS);
	} else {
		assert_non_null(memchr(err, '\0', sizeof(err)));
	}
	if (fdt_open(&f, blob, size) < 0)
		return;
	for (unsigned i = 0; i < ARRAY_SIZE(paths); i++) {
		node = fdt_path(&f, paths[i]);
		for (unsigned k = 0; k < ARRAY_SIZE(props); k++) {
			uint32_t len;
			const void *p = fdt_prop(&f, node, props[k], &len);

			if (p && len >= 4)
				(void)fdt_cells(p, len >= 8 ? 2 : 1);
			(void)fdt_prop_is(&f, node, props[k], "cpu");
			(void)fdt_prop_u32(&f, node, props[k], 0);
		}
	}
	/* depth-first walk of the whole tree, bounded */
	node = fdt_root(&f);
	while (node >= 0 && visited++ < 10000) {
		const char *name = fdt_node_name(&f, node);
		int child = fdt_first_child(&f, node);

		assert_non_null(name);
		(void)strlen(name);
		if (child >= 0 && depth < (int)ARRAY_SIZE(stack)) {
			stack[depth++] = node;
			node = child;
			continue;
		}
		node = fdt_next_sibling(&f, node);
		while (node < 0 && depth > 0)
			node = fdt_next_sibling(&f, stack[--depth]);
	}
}

/* A chain of `depth` nested nodes, then /cpus and /memory@0. */
static size_t build_deep(void *buf, unsigned depth)
{
	blob_begin(buf);
	for (unsigned i = 0; i < depth; i++)
		SW(fdt_begin_node(buf, "d"));
	for (unsigned i = 0; i < depth; i++)
		SW(fdt_end_node(buf));
	one_cpu(buf, 0);
	SW(fdt_begin_node(buf, "memory@0"));
	SW(fdt_property_string(buf, "device_type", "memory"));
	SW(fdt_property(buf, "reg", (fdt32_t[]){0, 0, cpu_to_fdt32(1)}, 12));
	SW(fdt_end_node(buf));
	return blob_end(buf);
}

/* Nesting a real tree never reaches works; far deeper is refused, no crash. */
static void test_deep_nesting(void **state)
{
	static uint8_t blob[BLOB_MAX];
	struct platform_info info;
	char err[128];
	struct fdt f;
	size_t size;

	(void)state;
	size = build_deep(blob, 24);
	assert_int_equal(fdt_open(&f, blob, size), 0);
	assert_true(fdt_path(&f, "/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d") >= 0);
	assert_true(fdt_path(&f, "/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d/d") < 0);
	assert_int_equal(platform_from_fdt(&info, blob, size, err, sizeof(err)), 0);
	assert_int_equal(info.cpu_count, 1);
	assert_int_equal(info.ram_size, 1);

	size = build_deep(blob, 1000);
	assert_int_equal(fdt_open(&f, blob, size), -1);
	assert_int_equal(platform_from_fdt(&info, blob, size, err, sizeof(err)), -1);
	read_everything(blob, size);
}

/* Every prefix of a valid blob, given as all there is: an error, never a fault. */
static void test_every_truncation(void **state)
{
	static uint8_t blob[BLOB_MAX];
	size_t size = build_tree(&qemu_virt, blob);

	(void)state;
	for (size_t len = 0; len <= size; len++) {
		struct guarded g;
		struct platform_info info;
		struct expect e = expect_of(&qemu_virt);
		char err[128];
		int ret;

		guarded_init(&g, len);
		memcpy(g.data, blob, len);
		ret = platform_from_fdt(&info, g.data, len, err, sizeof(err));
		if (len < size)
			assert_int_equal(ret, -1);
		else
			assert_true(ret == 0 && info_matches(&info, &e));
		read_everything(g.data, len);
		guarded_fini(&g);
	}
}

/*
 * The same prefixes with a header that agrees with the cut (total size and
 * block sizes shortened to what is left), so the reader gets as far as the
 * structure block: an error, or exactly the full blob's answer.
 */
static void test_every_truncation_consistent_header(void **state)
{
	static uint8_t blob[BLOB_MAX];
	size_t size = build_tree(&qemu_virt, blob);
	struct expect e = expect_of(&qemu_virt);
	uint32_t off_struct = fdt_off_dt_struct(blob);
	uint32_t off_strings = fdt_off_dt_strings(blob);
	unsigned ok = 0;

	(void)state;
	assert_true(off_struct < off_strings); /* libfdt's sequential layout */
	for (size_t len = 40; len <= size; len++) {
		struct guarded g;
		struct platform_info info;
		char err[128];
		uint32_t struct_size = fdt_size_dt_struct(blob);
		uint32_t strings_size = fdt_size_dt_strings(blob);

		if (len < off_strings + strings_size)
			strings_size = len > off_strings ? len - off_strings : 0;
		if (len < off_struct + struct_size)
			struct_size = len > off_struct ?
				(uint32_t)(len - off_struct) & ~3u : 0;
		guarded_init(&g, len);
		memcpy(g.data, blob, len);
		header_set(g.data, 4, (uint32_t)len); /* totalsize */
		header_set(g.data, 32, strings_size);
		header_set(g.data, 36, struct_size);
		if (platform_from_fdt(&info, g.data, len, err, sizeof(err)) == 0) {
			if (!info_matches(&info, &e))
				fail_msg("cut at %zu of %zu: wrong answer, %u CPUs, "
					 "RAM 0x%llx+0x%llx", len, size,
					 info.cpu_count,
					 (unsigned long long)info.ram_base,
					 (unsigned long long)info.ram_size);
			ok++;
		}
		read_everything(g.data, len);
		guarded_fini(&g);
	}
	assert_true(ok >= 1); /* at least the untruncated blob */
}

/* Random byte corruption of a valid blob: whatever comes out, no fault. */
static void test_random_corruption(void **state)
{
	static uint8_t blob[BLOB_MAX];
	size_t size = build_tree(&qemu_virt, blob);
	uint32_t off_struct = fdt_off_dt_struct(blob);
	uint32_t struct_size = fdt_size_dt_struct(blob);
	struct guarded g;
	const unsigned seed = 424242;

	(void)state;
	srandom(seed);
	guarded_init(&g, size);
	for (unsigned iter = 0; iter < 5000; iter++) {
		unsigned flips = 1 + (unsigned)random() % 8;

		memcpy(g.data, blob, size);
		for (unsigned k = 0; k < flips; k++) {
			size_t at;

			switch (random() % 4) {
			case 0: /* anywhere, header included */
				at = (size_t)random() % size;
				break;
			case 1: /* the header */
				at = (size_t)random() % 40;
				break;
			default: /* the structure block, where it hurts */
				at = off_struct + (size_t)random() % struct_size;
				break;
			}
			if (random() % 2)
				g.data[at] ^= (uint8_t)(1u << (random() % 8));
			else
				g.data[at] = (uint8_t)random();
		}
		read_everything(g.data, size);
	}
	guarded_fini(&g);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_qemu_virt),
		cmocka_unit_test(test_root_cells_variants),
		cmocka_unit_test(test_cpus_two_address_cells),
		cmocka_unit_test(test_more_cpus_than_supported),
		cmocka_unit_test(test_missing_nodes),
		cmocka_unit_test(test_bad_reg),
		cmocka_unit_test(test_bad_header),
		cmocka_unit_test(test_fdt_path),
		cmocka_unit_test(test_fdt_walk),
		cmocka_unit_test(test_fdt_prop),
		cmocka_unit_test(test_deep_nesting),
		cmocka_unit_test(test_malformed_structure),
		cmocka_unit_test(test_every_truncation),
		cmocka_unit_test(test_every_truncation_consistent_header),
		cmocka_unit_test(test_random_corruption),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
