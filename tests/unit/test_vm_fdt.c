/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vm_fdt_build() on platform trees dumped by QEMU virt (cortex-a72 and max,
 * committed under tests/unit/fixtures, and dumped afresh when QEMU is
 * installed) and on hand-built platform trees that exercise the copy rules.
 * Every output is parsed with the host's libfdt (fdt_check_full) and the
 * hypervisor's reader and checked node by node; dtc must decompile it
 * without a warning. Short buffers and hostile platform blobs must give
 * errors, never a write outside the buffer or a fault.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <libfdt.h>
#undef FDT_MAGIC /* lib/fdt.h defines the same value */

#include <lib/fdt.h>
#include <vm_fdt.h>

#include "guarded.h"

#ifndef FIXTURE_DIR
#define FIXTURE_DIR "tests/unit/fixtures"
#endif

#define OUT_MAX 65536
#define PLAT_MAX 65536

static uint8_t out[OUT_MAX];
static char err[256];

/* ---- platform trees ---- */

struct blob {
	uint8_t *data;
	size_t size;
};

static struct blob read_file(const char *path)
{
	struct blob b = {0};
	FILE *f = fopen(path, "rb");

	if (!f)
		fail_msg("cannot open %s", path);
	b.data = malloc(PLAT_MAX);
	assert_non_null(b.data);
	b.size = fread(b.data, 1, PLAT_MAX, f);
	fclose(f);
	assert_int_equal(fdt_check_full(b.data, b.size), 0);
	return b;
}

static struct blob fixture(const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", FIXTURE_DIR, name);
	return read_file(path);
}

#define A72 "qemu-virt-a72-smp4.dtb"
#define MAX8 "qemu-virt-max-smp8.dtb"
/* -M virt,...,iommu=smmuv3,highmem=off: the board as config/boards has it */
#define SMMU "qemu-virt-a72-smp4-smmu.dtb"

/* ---- parameters ---- */

#define VIRTIO(n) {0x0a000000 + (n) * 0x200, 0x200}

/* The hybrid scenario's Service VM on QEMU virt. */
static const struct vm_fdt_params sos = {
	.vcpu_count = 3,
	.mem_count = 3,
	.mem = {{0x44000000, 0x04000000}, {0x48200000, 0x07e00000},
		{0x54000000, 0x6c000000}},
	.gicd = {0x08000000, 0x10000},
	.gicr_base = 0x080a0000,
	.uart_base = 0x09000000,
	.uart_intid = 33,
	.device_count = 8,
	.devices = {{0x09010000, 0x1000}, VIRTIO(31), VIRTIO(30), VIRTIO(29),
		    VIRTIO(28), VIRTIO(27), VIRTIO(26), VIRTIO(25)},
	.bootargs = "console=ttyAMA0 earlycon root=/dev/vda rw",
	.rng_seed = (const uint8_t[]){0xb9, 0xe0, 0x82, 0x8e, 0, 0x31, 0x7c},
	.rng_seed_len = 7,
	.initrd_start = 0x58000000,
	.initrd_end = 0x58c00000,
};

/* The shipped hybrid's Service VM: the RTC and the PCIe host bridge (its
 * windows and ECAM, 0x10000000..0x40000000). */
static const struct vm_fdt_params sos_pci = {
	.vcpu_count = 3,
	.mem_count = 2,
	.mem = {{0x48200000, 0x07e00000}, {0x54000000, 0x6c000000}},
	.gicd = {0x08000000, 0x10000},
	.gicr_base = 0x080a0000,
	.uart_base = 0x09000000,
	.uart_intid = 33,
	.device_count = 2,
	.devices = {{0x09010000, 0x1000}, {0x10000000, 0x30000000}},
	.bootargs = "console=ttyAMA0",
};

/* A small partition: one vCPU, no UART, no devices, nothing chosen. */
static const struct vm_fdt_params bare = {
	.vcpu_count = 1,
	.mem_count = 1,
	.mem = {{0x50000000, 0x04000000}},
	.gicd = {0x08000000, 0x10000},
	.gicr_base = 0x080a0000,
};

static int build(const struct blob *plat, const struct vm_fdt_params *p)
{
	err[0] = '\0';
	return vm_fdt_build(out, OUT_MAX, plat->data, plat->size, p, err,
			    sizeof(err));
}

static int build_ok(const struct blob *plat, const struct vm_fdt_params *p)
{
	int size = build(plat, p);

	if (size < 0)
		fail_msg("refused: %s", err);
	return size;
}

static void expect_refused(const struct blob *plat,
			   const struct vm_fdt_params *p, const char *want)
{
	assert_int_equal(build(plat, p), -1);
	if (!strstr(err, want))
		fail_msg("message \"%s\" does not contain \"%s\"", err, want);
	assert_non_null(strstr(err, "VM device tree: "));
}

/* ---- reading trees with libfdt ---- */

static int node_at(const void *fdt, const char *fmt, ...) PRINTF_LIKE(2, 3);

static int node_at(const void *fdt, const char *fmt, ...)
{
	char path[128];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	return fdt_path_offset(fdt, path);
}

static const void *prop(const void *fdt, int node, const char *name, int *len)
{
	return node >= 0 ? fdt_getprop(fdt, node, name, len) : NULL;
}

static uint32_t prop_u32(const void *fdt, int node, const char *name)
{
	int len;
	const fdt32_t *v = prop(fdt, node, name, &len);

	if (!v || len != 4)
		fail_msg("%s: no u32 %s", fdt_get_name(fdt, node, NULL), name);
	return fdt32_to_cpu(*v);
}

static void expect_prop(const void *fdt, int node, const char *name,
			const void *val, int len)
{
	int got;
	const void *v = prop(fdt, node, name, &got);

	if (!v)
		fail_msg("%s: no %s", fdt_get_name(fdt, node, NULL), name);
	if (got != len || (len && memcmp(v, val, (size_t)len) != 0))
		fail_msg("%s: %s differs", fdt_get_name(fdt, node, NULL), name);
}

static void expect_no_prop(const void *fdt, int node, const char *name)
{
	if (prop(fdt, node, name, NULL))
		fail_msg("%s: unexpected %s", fdt_get_name(fdt, node, NULL),
			 name);
}

#define expect_str(fdt, node, name, s) \
	expect_prop(fdt, node, name, s, (int)sizeof(s))

/* Big-endian cells from values, each `cells` wide. */
static int be_cells(fdt32_t *buf, unsigned cells, unsigned n,
		    const uint64_t *v)
{
	int k = 0;

	for (unsigned i = 0; i < n; i++) {
		if (cells == 2)
			buf[k++] = cpu_to_fdt32((uint32_t)(v[i] >> 32));
		buf[k++] = cpu_to_fdt32((uint32_t)v[i]);
	}
	return k * 4;
}

static void expect_u64s(const void *fdt, int node, const char *name,
			unsigned n, const uint64_t *v)
{
	fdt32_t buf[16];

	expect_prop(fdt, node, name, buf, be_cells(buf, 2, n, v));
}

static void expect_u32s(const void *fdt, int node, const char *name,
			unsigned n, const uint64_t *v)
{
	fdt32_t buf[32];

	assert_true(n <= ARRAY_SIZE(buf));
	expect_prop(fdt, node, name, buf, be_cells(buf, 1, n, v));
}

/* The platform root child whose first reg (2 + 2 cells) starts at base. */
static int platform_node_at(const void *plat, uint64_t base)
{
	int n;

	fdt_for_each_subnode(n, plat, 0) {
		int len;
		const fdt32_t *reg = prop(plat, n, "reg", &len);

		if (reg && len >= 16 &&
		    ((uint64_t)fdt32_to_cpu(reg[0]) << 32 |
		     fdt32_to_cpu(reg[1])) == base)
			return n;
	}
	return -1;
}

static int platform_timer(const void *plat)
{
	return fdt_node_offset_by_compatible(plat, -1, "arm,armv8-timer");
}

/* ---- checking a VM tree against its platform and parameters ---- */

struct check {
	const void *vm, *plat;
	const struct vm_fdt_params *p;
	uint32_t gic;
};

/* A clock reference in the VM resolves to a fixed clock of `hz`. */
static void expect_clock(const struct check *c, uint32_t ph, uint32_t hz)
{
	int clk = fdt_node_offset_by_phandle(c->vm, ph);

	assert_true(clk >= 0);
	assert_int_equal(fdt_node_check_compatible(c->vm, clk, "fixed-clock"), 0);
	assert_int_equal(prop_u32(c->vm, clk, "#clock-cells"), 0);
	assert_int_equal(prop_u32(c->vm, clk, "clock-frequency"), hz);
}

/*
 * A copied node: every platform property is there unchanged, except that
 * phandles are gone, interrupt-parent is the new GIC and clocks point at
 * copies of the same fixed clocks. Subnodes likewise.
 */
static void expect_copy(const struct check *c, int vn, int pn)
{
	int p, nprops = 0, vprops = 0, pc, vc;

	fdt_for_each_property_offset(p, c->plat, pn) {
		const char *name;
		int len;
		const void *v = fdt_getprop_by_offset(c->plat, p, &name, &len);

		if (!strcmp(name, "phandle") || !strcmp(name, "linux,phandle")) {
			expect_no_prop(c->vm, vn, name);
			continue;
		}
		nprops++;
		if (!strcmp(name, "interrupt-parent")) {
			assert_int_equal(prop_u32(c->vm, vn, name), c->gic);
		} else if (!strcmp(name, "clocks")) {
			int vlen;
			const fdt32_t *vv = prop(c->vm, vn, name, &vlen);
			const fdt32_t *pv = v;

			assert_non_null(vv);
			assert_int_equal(vlen, len);
			for (int i = 0; i < len / 4; i++) {
				int target = fdt_node_offset_by_phandle(
					c->plat, fdt32_to_cpu(pv[i]));

				expect_clock(c, fdt32_to_cpu(vv[i]),
					     prop_u32(c->plat, target,
						      "clock-frequency"));
			}
		} else {
			expect_prop(c->vm, vn, name, v, len);
		}
	}
	fdt_for_each_property_offset(p, c->vm, vn)
		vprops++;
	assert_int_equal(vprops, nprops + !!prop(c->vm, vn, "phandle", NULL));
	vc = fdt_first_subnode(c->vm, vn);
	fdt_for_each_subnode(pc, c->plat, pn) {
		assert_true(vc >= 0);
		assert_string_equal(fdt_get_name(c->vm, vc, NULL),
				    fdt_get_name(c->plat, pc, NULL));
		expect_copy(c, vc, pc);
		vc = fdt_next_subnode(c->vm, vc);
	}
	assert_true(vc < 0);
}

static bool inside(uint64_t a, uint64_t s, uint64_t base, uint64_t size)
{
	return a >= base && s <= size && a - base <= size - s;
}

/* Every reg of a root child lies in something the VM was given. */
static void expect_only_given_ranges(const struct check *c)
{
	const struct vm_fdt_params *p = c->p;
	int n;

	fdt_for_each_subnode(n, c->vm, 0) {
		int len;
		const fdt32_t *reg = prop(c->vm, n, "reg", &len);

		for (int i = 0; reg && i + 16 <= len; i += 16) {
			const fdt32_t *e = reg + i / 4;
			uint64_t a = (uint64_t)fdt32_to_cpu(e[0]) << 32 |
				     fdt32_to_cpu(e[1]);
			uint64_t s = (uint64_t)fdt32_to_cpu(e[2]) << 32 |
				     fdt32_to_cpu(e[3]);
			bool ok = inside(a, s, p->gicd.base, p->gicd.size) ||
				  inside(a, s, p->gicr_base,
					 p->vcpu_count * TESSERA_VGIC_GICR_FRAME_SIZE) ||
				  (p->uart_base &&
				   inside(a, s, p->uart_base, VM_FDT_UART_SIZE));

			for (unsigned k = 0; k < p->mem_count; k++)
				ok |= inside(a, s, p->mem[k].base, p->mem[k].size);
			for (unsigned k = 0; k < p->device_count; k++)
				ok |= inside(a, s, p->devices[k].base,
					     p->devices[k].size);
			for (unsigned k = 0; k < p->virtio_count; k++)
				ok |= inside(a, s, p->virtio[k].base,
					     p->virtio[k].size);
			if (!ok)
				fail_msg("%s: reg 0x%llx+0x%llx was not given",
					 fdt_get_name(c->vm, n, NULL),
					 (unsigned long long)a,
					 (unsigned long long)s);
		}
	}
}

/* Unique phandles; every interrupt-parent and clocks entry resolves. */
static void expect_phandles_sound(const struct check *c)
{
	uint32_t seen[64];
	unsigned nseen = 0;
	int n, depth = 0;

	for (n = 0; n >= 0 && depth >= 0; n = fdt_next_node(c->vm, n, &depth)) {
		int len;
		const fdt32_t *v;

		if (prop(c->vm, n, "phandle", NULL)) {
			uint32_t ph = prop_u32(c->vm, n, "phandle");

			assert_true(ph != 0 && ph != 0xffffffff);
			for (unsigned i = 0; i < nseen; i++)
				assert_true(seen[i] != ph);
			assert_true(nseen < ARRAY_SIZE(seen));
			seen[nseen++] = ph;
		}
		expect_no_prop(c->vm, n, "linux,phandle");
		if (prop(c->vm, n, "interrupt-parent", NULL))
			assert_int_equal(prop_u32(c->vm, n, "interrupt-parent"),
					 c->gic);
		v = prop(c->vm, n, "clocks", &len);
		for (int i = 0; v && i < len / 4; i++)
			assert_true(fdt_node_offset_by_phandle(
					    c->vm, fdt32_to_cpu(v[i])) >= 0);
	}
}

static void expect_root(const struct check *c)
{
	int len;
	const void *v;

	v = prop(c->plat, 0, "compatible", &len);
	if (v)
		expect_prop(c->vm, 0, "compatible", v, len);
	else
		expect_str(c->vm, 0, "compatible", "linux,dummy-virt");
	v = prop(c->plat, 0, "model", &len);
	if (v)
		expect_prop(c->vm, 0, "model", v, len);
	assert_int_equal(prop_u32(c->vm, 0, "#address-cells"), 2);
	assert_int_equal(prop_u32(c->vm, 0, "#size-cells"), 2);
	assert_int_equal(prop_u32(c->vm, 0, "interrupt-parent"), c->gic);
}

static void expect_cpus(const struct check *c)
{
	int cpus = fdt_path_offset(c->vm, "/cpus"), pcpu, len, n;
	const void *compat;
	unsigned count = 0;

	pcpu = fdt_node_offset_by_prop_value(c->plat, -1, "device_type", "cpu",
					     4);
	compat = prop(c->plat, pcpu, "compatible", &len);
	assert_int_equal(prop_u32(c->vm, cpus, "#address-cells"), 1);
	assert_int_equal(prop_u32(c->vm, cpus, "#size-cells"), 0);
	fdt_for_each_subnode(n, c->vm, cpus) {
		char name[16];

		snprintf(name, sizeof(name), "cpu@%x", count);
		assert_string_equal(fdt_get_name(c->vm, n, NULL), name);
		expect_str(c->vm, n, "device_type", "cpu");
		if (compat)
			expect_prop(c->vm, n, "compatible", compat, len);
		else
			expect_str(c->vm, n, "compatible", "arm,armv8");
		assert_int_equal(prop_u32(c->vm, n, "reg"), count);
		expect_str(c->vm, n, "enable-method", "psci");
		count++;
	}
	assert_int_equal(count, c->p->vcpu_count);
}

static void expect_gic(const struct check *c)
{
	const struct vm_fdt_params *p = c->p;
	int gic = node_at(c->vm, "/intc@%llx", (unsigned long long)p->gicd.base);
	const uint64_t reg[] = {p->gicd.base, p->gicd.size, p->gicr_base,
				p->vcpu_count * 0x20000ull};

	assert_true(gic >= 0);
	assert_int_equal(prop_u32(c->vm, gic, "phandle"), c->gic);
	expect_str(c->vm, gic, "compatible", "arm,gic-v3");
	assert_int_equal(prop_u32(c->vm, gic, "#interrupt-cells"), 3);
	expect_prop(c->vm, gic, "interrupt-controller", NULL, 0);
	expect_u64s(c->vm, gic, "reg", 4, reg);
	expect_u32s(c->vm, gic, "interrupts", 3, (const uint64_t[]){1, 9, 4});
	assert_true(fdt_first_subnode(c->vm, gic) < 0); /* no ITS */
}

static void expect_uart(const struct check *c)
{
	const struct vm_fdt_params *p = c->p;
	int uart = node_at(c->vm, "/pl011@%llx", (unsigned long long)p->uart_base);
	int pclk = fdt_path_offset(c->plat, "/apb-pclk");
	const fdt32_t *clocks;
	int len;

	if (!p->uart_base) {
		fdt_for_each_subnode(uart, c->vm, 0)
			assert_true(fdt_node_check_compatible(c->vm, uart,
							      "arm,pl011"));
		return;
	}
	assert_true(uart >= 0);
	expect_str(c->vm, uart, "compatible", "arm,pl011\0arm,primecell");
	expect_u64s(c->vm, uart, "reg", 2,
		    (const uint64_t[]){p->uart_base, 0x1000});
	expect_u32s(c->vm, uart, "interrupts", 3,
		    (const uint64_t[]){0, p->uart_intid - 32, 4});
	expect_str(c->vm, uart, "clock-names", "uartclk\0apb_pclk");
	clocks = prop(c->vm, uart, "clocks", &len);
	assert_int_equal(len, 8);
	assert_int_equal(clocks[0], clocks[1]);
	expect_clock(c, fdt32_to_cpu(clocks[0]),
		     pclk >= 0 ? prop_u32(c->plat, pclk, "clock-frequency")
			       : 24000000);
}

static void expect_chosen(const struct check *c)
{
	const struct vm_fdt_params *p = c->p;
	int chosen = fdt_path_offset(c->vm, "/chosen"), len;
	const char *path;

	assert_true(chosen >= 0);
	if (p->bootargs)
		expect_prop(c->vm, chosen, "bootargs", p->bootargs,
			    (int)strlen(p->bootargs) + 1);
	else
		expect_no_prop(c->vm, chosen, "bootargs");
	path = prop(c->vm, chosen, "stdout-path", &len);
	if (p->uart_base)
		assert_int_equal(fdt_path_offset(c->vm, path),
				 node_at(c->vm, "/pl011@%llx",
					 (unsigned long long)p->uart_base));
	else
		assert_null(path);
	if (p->initrd_end) {
		expect_u64s(c->vm, chosen, "linux,initrd-start", 1,
			    &p->initrd_start);
		expect_u64s(c->vm, chosen, "linux,initrd-end", 1, &p->initrd_end);
	} else {
		expect_no_prop(c->vm, chosen, "linux,initrd-start");
		expect_no_prop(c->vm, chosen, "linux,initrd-end");
	}
	if (p->rng_seed_len)
		expect_prop(c->vm, chosen, "rng-seed", p->rng_seed,
			    (int)p->rng_seed_len);
	else
		expect_no_prop(c->vm, chosen, "rng-seed");
	assert_true(fdt_first_subnode(c->vm, chosen) < 0);
}

/* What the root holds: nothing beyond the nodes named here. */
static void expect_root_children(const struct check *c)
{
	const struct vm_fdt_params *p = c->p;
	unsigned expected = 5 + p->mem_count + p->device_count +
			    p->virtio_count + (p->hsm_io_intid ? 1 : 0),
		 count = 0;
	int n, pclk = -1;

	if (p->uart_base)
		expected++;
	fdt_for_each_subnode(n, c->vm, 0) {
		count++;
		if (!fdt_node_check_compatible(c->vm, n, "fixed-clock")) {
			assert_true(pclk < 0); /* one clock in these trees */
			pclk = n;
		}
	}
	assert_int_equal(count, expected + (pclk >= 0));
	for (unsigned i = 0; i < p->mem_count; i++) {
		n = node_at(c->vm, "/memory@%llx",
			    (unsigned long long)p->mem[i].base);
		expect_str(c->vm, n, "device_type", "memory");
		expect_u64s(c->vm, n, "reg", 2,
			    (const uint64_t[]){p->mem[i].base, p->mem[i].size});
	}
	n = fdt_path_offset(c->vm, "/psci");
	expect_str(c->vm, n, "compatible", "arm,psci-1.0\0arm,psci-0.2");
	expect_str(c->vm, n, "method", "hvc");
	n = platform_timer(c->plat);
	if (n >= 0)
		expect_copy(c, node_at(c->vm, "/%s",
				       fdt_get_name(c->plat, n, NULL)), n);
	for (unsigned i = 0; i < p->device_count; i++) {
		int pn = platform_node_at(c->plat, p->devices[i].base);

		assert_true(pn >= 0);
		expect_copy(c, node_at(c->vm, "/%s",
				       fdt_get_name(c->plat, pn, NULL)), pn);
	}
}

/* Emulated transports: exactly these four properties, no subnodes. */
static void expect_virtio(const struct check *c)
{
	const struct vm_fdt_params *p = c->p;

	for (unsigned i = 0; i < p->virtio_count; i++) {
		const struct vm_fdt_virtio *v = &p->virtio[i];
		int n = node_at(c->vm, "/virtio_mmio@%llx",
				(unsigned long long)v->base), pr, nprops = 0;

		assert_true(n >= 0);
		expect_str(c->vm, n, "compatible", "virtio,mmio");
		expect_u64s(c->vm, n, "reg", 2,
			    (const uint64_t[]){v->base, v->size});
		expect_u32s(c->vm, n, "interrupts", 3,
			    (const uint64_t[]){0, v->intid - 32, 4});
		expect_prop(c->vm, n, "dma-coherent", NULL, 0);
		fdt_for_each_property_offset(pr, c->vm, n)
			nprops++;
		assert_int_equal(nprops, 4);
		assert_true(fdt_first_subnode(c->vm, n) < 0);
	}
}

/* The hypervisor's own reader finds the same tree. */
static void expect_reader_agrees(const struct check *c, int size)
{
	struct fdt f;
	int n, depth = 0, ldepth = 0, ln = 0;
	unsigned nodes = 0;

	assert_int_equal(fdt_open(&f, c->vm, (size_t)size), 0);
	for (n = fdt_root(&f); n >= 0; n = fdt_walk_next(&f, n, &depth)) {
		assert_int_equal(n, ln);
		assert_string_equal(fdt_node_name(&f, n),
				    fdt_get_name(c->vm, ln, NULL));
		ln = fdt_next_node(c->vm, ln, &ldepth);
		nodes++;
	}
	assert_true(ln < 0 || ldepth < 0);
	assert_true(nodes >= 8);
	assert_int_equal(fdt_node_by_phandle(&f, c->gic),
			 fdt_node_offset_by_phandle(c->vm, c->gic));
	assert_true(fdt_path(&f, "/cpus/cpu@0") >= 0);
	assert_true(fdt_prop_is(&f, fdt_path(&f, "/psci"), "method", "hvc"));
}

static void check_vm_tree(const void *vm, int size, const struct blob *plat,
			  const struct vm_fdt_params *p)
{
	struct check c = {.vm = vm, .plat = plat->data, .p = p};
	int gic;

	assert_true(size > 0 && size <= OUT_MAX);
	assert_int_equal(fdt_check_full(vm, (size_t)size), 0);
	assert_int_equal(fdt_totalsize(vm), size);
	assert_int_equal(fdt_num_mem_rsv(vm), 0);
	gic = fdt_node_offset_by_compatible(vm, -1, "arm,gic-v3");
	assert_true(gic >= 0);
	c.gic = prop_u32(vm, gic, "phandle");
	expect_root(&c);
	expect_cpus(&c);
	expect_gic(&c);
	expect_uart(&c);
	expect_chosen(&c);
	expect_virtio(&c);
	expect_root_children(&c);
	expect_only_given_ranges(&c);
	expect_phandles_sound(&c);
	expect_reader_agrees(&c, size);
}

static void build_and_check(const struct blob *plat,
			    const struct vm_fdt_params *p)
{
	check_vm_tree(out, build_ok(plat, p), plat, p);
}

/* ---- the QEMU virt platform ---- */

static void test_service_vm_on_qemu_virt(void **state)
{
	struct blob plat = fixture(A72);
	int size;

	(void)state;
	size = build_ok(&plat, &sos);
	check_vm_tree(out, size, &plat, &sos);
	/* the things Linux will look for, by name */
	assert_true(fdt_path_offset(out, "/pl031@9010000") >= 0);
	assert_true(fdt_path_offset(out, "/virtio_mmio@a003e00") >= 0);
	assert_true(fdt_path_offset(out, "/virtio_mmio@a003200") >= 0);
	assert_true(fdt_path_offset(out, "/apb-pclk") >= 0);
	assert_true(fdt_path_offset(out, "/timer") >= 0);
	/* and what it must not see */
	assert_true(fdt_path_offset(out, "/virtio_mmio@a003000") < 0);
	assert_true(fdt_path_offset(out, "/flash@0") < 0);
	assert_true(fdt_path_offset(out, "/fw-cfg@9020000") < 0);
	assert_true(fdt_path_offset(out, "/pcie@10000000") < 0);
	assert_true(fdt_path_offset(out, "/memory@40000000") < 0);
	assert_true(fdt_path_offset(out, "/memory@50000000") < 0);
	assert_true(fdt_path_offset(out, "/intc@8000000/its@8080000") < 0);
	print_message("Service VM tree (3 vCPUs, 3 memory regions, 8 devices): "
		      "%d bytes\n", size);
	free(plat.data);
}

static void test_vcpu_counts(void **state)
{
	struct blob a72 = fixture(A72), max = fixture(MAX8);
	struct vm_fdt_params p = sos;

	(void)state;
	for (p.vcpu_count = 1; p.vcpu_count <= 8; p.vcpu_count++) {
		build_and_check(&a72, &p);
		build_and_check(&max, &p);
		expect_str(out, fdt_path_offset(out, "/cpus/cpu@0"), "compatible",
			   "arm,cortex-a57");
	}
	/* redistributors for 16 vCPUs would reach the vUART at 0x09000000 */
	p.vcpu_count = 16;
	p.uart_base = 0x09100000;
	build_and_check(&max, &p);
	p.vcpu_count = 0;
	expect_refused(&max, &p, "0 vCPUs");
	p.vcpu_count = VM_FDT_MAX_VCPUS + 1;
	expect_refused(&max, &p, "257 vCPUs");
	free(a72.data);
	free(max.data);
}

static void test_memory_regions(void **state)
{
	static const struct vm_fdt_range regions[] = {
		{0x40000000, 0x10000000}, {0x60000000, 0x200000},
		{0x880000000ull, 0x40000000}, {0x100000000ull, 0x1000},
	};
	struct blob plat = fixture(A72);
	struct vm_fdt_params p = bare;

	(void)state;
	for (p.mem_count = 1; p.mem_count <= SCENARIO_MAX_MEM_REGIONS;
	     p.mem_count++) {
		memcpy(p.mem, regions, sizeof(regions));
		build_and_check(&plat, &p);
	}
	p.mem_count = 0;
	expect_refused(&plat, &p, "0 memory regions");
	p.mem_count = SCENARIO_MAX_MEM_REGIONS + 1;
	expect_refused(&plat, &p, "memory regions");
	/* rng-seed: at most VM_FDT_MAX_RNG_SEED bytes, and some to copy */
	p = bare;
	p.rng_seed = (const uint8_t[VM_FDT_MAX_RNG_SEED + 1]){1};
	p.rng_seed_len = VM_FDT_MAX_RNG_SEED;
	build_and_check(&plat, &p);
	p.rng_seed_len = VM_FDT_MAX_RNG_SEED + 1;
	expect_refused(&plat, &p, "rng-seed of 65 bytes");
	p.rng_seed = NULL;
	p.rng_seed_len = 1;
	expect_refused(&plat, &p, "rng-seed of 1 bytes");
	free(plat.data);
}

static void test_bare_partition(void **state)
{
	struct blob plat = fixture(A72);
	int n;

	(void)state;
	build_and_check(&plat, &bare);
	fdt_for_each_subnode(n, out, 0)
		assert_true(fdt_node_check_compatible(out, n, "fixed-clock"));
	/* a passthrough primecell brings its clock along, without a vUART */
	struct vm_fdt_params p = bare;
	p.device_count = 1;
	p.devices[0] = (struct vm_fdt_range){0x09010000, 0x1000};
	build_and_check(&plat, &p);
	assert_true(fdt_path_offset(out, "/apb-pclk") >= 0);
	free(plat.data);
}

static void test_missing_device(void **state)
{
	struct blob plat = fixture(A72);
	struct vm_fdt_params p = sos;

	(void)state;
	p.devices[3].base = 0x09050000;
	p.devices[3].size = 0x1000;
	expect_refused(&plat, &p, "passthrough device 0x9050000 is not in the "
			       "platform device tree");
	/* the node's registers reach past what is passed through */
	p = sos;
	p.devices[0].size = 0x800;
	expect_refused(&plat, &p, "pl031@9010000 has reg 0x9010000+0x1000 "
			       "outside 0x9010000+0x800");
	p.devices[0].size = 0xfff;
	expect_refused(&plat, &p, "outside 0x9010000+0xfff");
	/* a base inside a node, not its first address */
	p = sos;
	p.devices[1].base += 0x100;
	p.devices[1].size = 0x100;
	expect_refused(&plat, &p, "0xa003f00 is not in the platform");
	free(plat.data);
}

/* Parameter mistake i (0 <= i < BAD_CASES) and what it must be called. */
#define BAD_CASES 16
static const char *bad_params(unsigned i, struct vm_fdt_params *p)
{
	const struct vm_fdt_range uart = {0x09000000, 0x1000};
	const struct vm_fdt_range gicd = {0x08000000, 0x10000};

	switch (i) {
	case 0:
		p->device_count = 9;
		return "9 passthrough devices";
	case 1:
		p->uart_intid = 31;
		return "vUART INTID 31 is not an SPI";
	case 2:
		p->uart_intid = 1020;
		return "vUART INTID 1020 is not an SPI";
	case 3:
		p->initrd_end = p->initrd_start;
		return "initrd 0x58000000..0x58000000 is empty";
	case 4:
		p->initrd_start = 0;
		p->initrd_end = 0x1000;
		return "initrd 0x0..0x1000 is not inside the VM's memory";
	case 5:
		p->initrd_end = 0xc0001000;
		return "initrd 0x58000000..0xc0001000 is not inside";
	case 6:
		p->mem[1].size = 0;
		return "memory 0x48200000+0x0 is empty";
	case 7:
		p->mem[1].base = 0xfffffffffffff000ull;
		return "memory 0xfffffffffffff000+0x7e00000 is empty or wraps";
	case 8:
		p->gicd.size = 0;
		return "GIC distributor 0x8000000+0x0 is empty";
	case 9:
		p->mem[0].base = p->mem[1].base;
		return "memory 0x48200000+0x7e00000 overlaps memory "
		       "0x48200000+0x4000000";
	case 10:
		p->gicd.base = 0x44000000;
		return "GIC distributor 0x44000000+0x10000 overlaps memory "
		       "0x44000000+0x4000000";
	case 11:
		p->gicr_base = 0x08000000;
		return "GIC redistributors 0x8000000+0x60000 overlaps GIC "
		       "distributor";
	case 12:
		p->uart_base = 0x09010000;
		return "passthrough device 0x9010000+0x1000 overlaps vUART";
	case 13:
		p->devices[2] = uart;
		return "passthrough device 0x9000000+0x1000 overlaps vUART";
	case 14:
		p->devices[2] = p->devices[1];
		return "passthrough device 0xa003e00+0x200 overlaps passthrough "
		       "device 0xa003e00+0x200";
	default:
		p->devices[2] = gicd;
		return "passthrough device 0x8000000+0x10000 overlaps GIC "
		       "distributor";
	}
}

static void test_bad_parameters(void **state)
{
	struct blob plat = fixture(A72);

	(void)state;
	for (unsigned i = 0; i < BAD_CASES; i++) {
		struct vm_fdt_params p = sos;
		const char *want = bad_params(i, &p);

		expect_refused(&plat, &p, want);
	}
	assert_int_equal(vm_fdt_build(out, OUT_MAX, NULL, 4096, &sos, err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "no valid platform device tree"));
	/* a message that does not fit is cut, never overrun */
	{
		struct vm_fdt_params p = sos;
		char small[24];

		memset(small, 'x', sizeof(small));
		p.vcpu_count = 0;
		assert_int_equal(vm_fdt_build(out, OUT_MAX, plat.data, plat.size,
					      &p, small, 10), -1);
		assert_string_equal(small, "VM device");
		assert_int_equal(small[10], 'x');
		assert_int_equal(vm_fdt_build(out, OUT_MAX, plat.data, plat.size,
					      &p, NULL, 0), -1);
	}
	free(plat.data);
}

/* ---- buffers ---- */

/* Every size short of the blob: refused, nothing written outside. */
static void test_every_short_buffer(void **state)
{
	struct blob plat = fixture(A72);
	int need = build_ok(&plat, &sos);
	uint8_t *want = malloc((size_t)need);

	(void)state;
	memcpy(want, out, (size_t)need);
	for (int len = 0; len <= need; len++) {
		struct guarded g;
		int ret;

		guarded_init(&g, (size_t)len);
		ret = vm_fdt_build(g.data, (size_t)len, plat.data, plat.size, &sos,
				   err, sizeof(err));
		if (len < need) {
			if (ret != -1 || !strstr(err, "does not fit"))
				fail_msg("%d of %d bytes: %d, %s", len, need, ret,
					 err);
		} else {
			assert_int_equal(ret, need);
			assert_memory_equal(g.data, want, (size_t)need);
		}
		assert_true(guarded_front_intact(&g));
		guarded_fini(&g);
	}
	free(want);
	free(plat.data);
}

/* ---- hostile platform trees ---- */

/* Build from a damaged platform blob: an error or a sound blob, no fault. */
static void build_from_damaged_with(const uint8_t *data, size_t size,
				    const struct vm_fdt_params *p)
{
	int ret = vm_fdt_build(out, OUT_MAX, data, size, p, err, sizeof(err));

	if (ret < 0) {
		assert_int_equal(ret, -1);
		assert_non_null(memchr(err, '\0', sizeof(err)));
		return;
	}
	if (fdt_check_full(out, (size_t)ret) != 0)
		fail_msg("unsound output from a damaged platform tree");
}

static void build_from_damaged(const uint8_t *data, size_t size)
{
	build_from_damaged_with(data, size, &sos);
}

static void test_hostile_platform_corruption(void **state)
{
	struct blob plat = fixture(A72);
	struct guarded g;

	(void)state;
	srandom(20240611);
	guarded_init(&g, plat.size);
	for (unsigned iter = 0; iter < 4000; iter++) {
		uint32_t off_struct = fdt_off_dt_struct(plat.data);
		uint32_t struct_size = fdt_size_dt_struct(plat.data);

		memcpy(g.data, plat.data, plat.size);
		for (unsigned k = 1 + (unsigned)random() % 8; k; k--) {
			size_t at = random() % 3 ?
				off_struct + (size_t)random() % struct_size :
				(size_t)random() % plat.size;

			if (random() % 2)
				g.data[at] ^= (uint8_t)(1u << (random() % 8));
			else
				g.data[at] = (uint8_t)random();
		}
		build_from_damaged(g.data, plat.size);
	}
	guarded_fini(&g);
	free(plat.data);
}

static void test_hostile_platform_truncation(void **state)
{
	struct blob plat = fixture(A72);

	(void)state;
	for (size_t len = 0; len <= plat.size; len++) {
		struct guarded g;

		guarded_init(&g, len);
		memcpy(g.data, plat.data, len);
		build_from_damaged(g.data, len);
		/* and the same prefix with a header claiming just that much */
		if (len >= 40) {
			/* by bytes: the guarded copy need not be aligned */
			for (unsigned k = 0; k < 4; k++)
				g.data[4 + k] = (uint8_t)(len >> (24 - 8 * k));
			build_from_damaged(g.data, len);
		}
		guarded_fini(&g);
	}
	assert_int_equal(vm_fdt_build(out, OUT_MAX, plat.data, plat.size - 1,
				      &sos, err, sizeof(err)), -1);
	free(plat.data);
}

/*
 * The PCIe host bridge passed through: its node, found by the reg inside
 * the device (ECAM at 0x3f000000), keeps its windows and its INTx routing
 * with every parent the new GIC; the ITS and the SMMU it names are not the
 * VM's, so msi-map and iommu-map go, and the SMMU's own node never comes.
 */
static void test_pci_host_bridge(void **state)
{
	struct blob plat = fixture(SMMU);
	struct vm_fdt_params p = sos_pci;
	const fdt32_t *map;
	uint32_t gic;
	int node, len;

	(void)state;
	build_ok(&plat, &p);
	node = fdt_path_offset(out, "/pcie@10000000");
	assert_true(node >= 0);
	assert_string_equal(fdt_getprop(out, node, "compatible", NULL),
			    "pci-host-ecam-generic");
	expect_u64s(out, node, "reg", 2, (const uint64_t[]){0x3f000000, 0x1000000});
	assert_null(fdt_getprop(out, node, "msi-map", NULL));
	assert_null(fdt_getprop(out, node, "iommu-map", NULL));
	assert_non_null(fdt_getprop(out, node, "ranges", NULL));
	gic = prop_u32(out, 0, "interrupt-parent");
	map = fdt_getprop(out, node, "interrupt-map", &len);
	assert_non_null(map);
	/* 16 entries (4 slots x INTA..D) of 3 + 1 + 1 + 2 + 3 cells */
	assert_int_equal(len, 16 * 10 * 4);
	for (int e = 0; e < 16; e++) {
		const fdt32_t *c = map + e * 10;

		assert_int_equal(fdt32_to_cpu(c[4]), gic);
		assert_int_equal(fdt32_to_cpu(c[7]), 0);          /* GIC_SPI */
		assert_in_range(fdt32_to_cpu(c[8]), 3, 6);        /* SPIs 3..6 */
		assert_int_equal(fdt32_to_cpu(c[9]), 4);          /* level high */
	}
	assert_true(fdt_path_offset(out, "/smmuv3@9050000") < 0);
	/* a device that leaves out the ECAM matches no node; one that leaves
	 * out a window would hide it from the VM */
	p.devices[1].size = 0x2f000000;
	expect_refused(&plat, &p, "0x10000000 is not in the platform device tree");
	p.devices[1] = (struct vm_fdt_range){0x20000000, 0x20000000};
	expect_refused(&plat, &p, "pcie@10000000 has ranges 0x10000000+0x2eff0000 "
				  "outside 0x20000000+0x20000000");
	free(plat.data);
}

/* The same tree, damaged at random, with the bridge passed through. */
static void test_hostile_pci_platform(void **state)
{
	struct blob plat = fixture(SMMU);
	struct guarded g;

	(void)state;
	srandom(20261202);
	guarded_init(&g, plat.size);
	for (unsigned iter = 0; iter < 3000; iter++) {
		memcpy(g.data, plat.data, plat.size);
		for (unsigned k = 1 + (unsigned)random() % 8; k; k--)
			g.data[(size_t)random() % plat.size] = (uint8_t)random();
		build_from_damaged_with(g.data, plat.size, &sos_pci);
	}
	guarded_fini(&g);
	free(plat.data);
}

/* ---- the copy rules, on hand-built platform trees ---- */

#define SW(call) assert_int_equal((call), 0)

enum {
	PH_GIC = 0x10,
	PH_OTHER_INTC = 0x11,
	PH_OSC = 0x12,
	PH_CLKCTL = 0x13,
	PH_DEV = 0x20,
};

static void sw_cells(void *fdt, const char *name, unsigned n,
		     const uint32_t *v)
{
	fdt32_t buf[16];

	for (unsigned i = 0; i < n; i++)
		buf[i] = cpu_to_fdt32(v[i]);
	SW(fdt_property(fdt, name, buf, (int)(4 * n)));
}

#define CELLS(fdt, name, ...) \
	sw_cells(fdt, name, sizeof((uint32_t[]){__VA_ARGS__}) / 4, \
		 (uint32_t[]){__VA_ARGS__})

/* A root device node at `base` with reg in the root's cells. */
static void sw_device(void *fdt, unsigned ac, const char *name, uint32_t base)
{
	char full[64];

	snprintf(full, sizeof(full), "%s@%x", name, base);
	SW(fdt_begin_node(fdt, full));
	if (ac == 2)
		CELLS(fdt, "reg", 0, base, 0, 0x1000);
	else
		CELLS(fdt, "reg", base, 0x1000);
}

struct synth {
	unsigned ac;        /* root #address-cells == #size-cells */
	unsigned gic_cells; /* the GIC's #interrupt-cells, 0: 3 */
	bool bare_root;     /* no compatible, model, /cpus, timer, clocks */
	uint32_t big_phandle; /* a platform node with this phandle, 0: none */
};

static struct blob synth_platform(const struct synth *s)
{
	struct blob b = {malloc(PLAT_MAX), 0};
	void *fdt = b.data;

	SW(fdt_create(fdt, PLAT_MAX));
	SW(fdt_finish_reservemap(fdt));
	SW(fdt_begin_node(fdt, ""));
	CELLS(fdt, "#address-cells", s->ac);
	CELLS(fdt, "#size-cells", s->ac);
	CELLS(fdt, "interrupt-parent", PH_GIC);
	if (!s->bare_root) {
		SW(fdt_property_string(fdt, "compatible", "vendor,board"));
		SW(fdt_property_string(fdt, "model", "Vendor Board"));
		SW(fdt_begin_node(fdt, "cpus"));
		SW(fdt_begin_node(fdt, "cpu@0"));
		SW(fdt_property_string(fdt, "device_type", "cpu"));
		SW(fdt_property(fdt, "compatible", "arm,cortex-a53\0arm,armv8",
				25));
		SW(fdt_end_node(fdt));
		SW(fdt_end_node(fdt));
		SW(fdt_begin_node(fdt, "arch-timer"));
		SW(fdt_property_string(fdt, "compatible", "arm,armv8-timer"));
		CELLS(fdt, "interrupt-parent", PH_GIC);
		CELLS(fdt, "interrupts", 1, 13, 8, 1, 14, 8, 1, 11, 8, 1, 10, 8);
		SW(fdt_end_node(fdt));
		SW(fdt_begin_node(fdt, "osc"));
		SW(fdt_property_string(fdt, "compatible", "fixed-clock"));
		CELLS(fdt, "#clock-cells", 0);
		CELLS(fdt, "clock-frequency", 19200000);
		CELLS(fdt, "phandle", PH_OSC);
		SW(fdt_end_node(fdt));
	}
	sw_device(fdt, s->ac, "gic", 0x08000000);
	SW(fdt_property_string(fdt, "compatible", "arm,gic-v3"));
	SW(fdt_property(fdt, "interrupt-controller", NULL, 0));
	CELLS(fdt, "#interrupt-cells", s->gic_cells ? s->gic_cells : 3);
	CELLS(fdt, "phandle", PH_GIC);
	SW(fdt_end_node(fdt));
	sw_device(fdt, s->ac, "intc", 0x08100000);
	SW(fdt_property(fdt, "interrupt-controller", NULL, 0));
	CELLS(fdt, "#interrupt-cells", 2);
	CELLS(fdt, "phandle", PH_OTHER_INTC);
	SW(fdt_end_node(fdt));
	sw_device(fdt, s->ac, "clkctl", 0x08200000);
	CELLS(fdt, "#clock-cells", 1);
	CELLS(fdt, "phandle", PH_CLKCTL);
	SW(fdt_end_node(fdt));

	/* A: everything that must be rewritten or dropped, and subnodes */
	sw_device(fdt, s->ac, "deva", 0x01000000);
	SW(fdt_property(fdt, "compatible", "vendor,a\0arm,primecell", 23));
	CELLS(fdt, "interrupt-parent", PH_GIC);
	CELLS(fdt, "interrupts", 0, 5, 4);
	if (!s->bare_root)
		CELLS(fdt, "clocks", PH_OSC, PH_OSC);
	SW(fdt_property(fdt, "clock-names", "a\0apb_pclk", 11));
	CELLS(fdt, "resets", PH_CLKCTL, 1);
	SW(fdt_property_string(fdt, "reset-names", "core"));
	CELLS(fdt, "reset-gpios", PH_DEV, 3, 0);
	CELLS(fdt, "vdd-supply", PH_DEV);
	CELLS(fdt, "pinctrl-0", PH_DEV);
	SW(fdt_property_string(fdt, "pinctrl-names", "default"));
	CELLS(fdt, "phandle", PH_DEV);
	SW(fdt_property_string(fdt, "status", "okay"));
	SW(fdt_property(fdt, "dma-coherent", NULL, 0));
	SW(fdt_begin_node(fdt, "port@1"));
	CELLS(fdt, "reg", 1);
	CELLS(fdt, "linux,phandle", 0x30);
	SW(fdt_begin_node(fdt, "endpoint"));
	CELLS(fdt, "remote-endpoint", 0x31);
	SW(fdt_end_node(fdt));
	SW(fdt_end_node(fdt));
	SW(fdt_end_node(fdt));

	/* B: a clock through a controller (dropped), interrupts-extended */
	sw_device(fdt, s->ac, "devb", 0x02000000);
	CELLS(fdt, "clocks", PH_CLKCTL, 5);
	SW(fdt_property_string(fdt, "clock-names", "bus"));
	CELLS(fdt, "interrupts-extended", PH_GIC, 0, 6, 4, PH_GIC, 0, 7, 1);
	SW(fdt_end_node(fdt));

	/* C..G: refused */
	sw_device(fdt, s->ac, "devc", 0x03000000);
	CELLS(fdt, "interrupt-parent", PH_OTHER_INTC);
	CELLS(fdt, "interrupts", 3, 1);
	SW(fdt_end_node(fdt));
	sw_device(fdt, s->ac, "devd", 0x04000000);
	CELLS(fdt, "interrupts-extended", PH_GIC, 0, 6, 4, PH_OTHER_INTC, 3, 1);
	SW(fdt_end_node(fdt));
	sw_device(fdt, s->ac, "deve", 0x05000000);
	CELLS(fdt, "#address-cells", 3);
	CELLS(fdt, "#interrupt-cells", 1);
	/* the GIC has no #address-cells: no parent unit address */
	CELLS(fdt, "interrupt-map", 0, 0, 0, 1, PH_GIC, 0, 3, 4,
	      0x800, 0, 0, 1, PH_OTHER_INTC, 3, 1);
	SW(fdt_end_node(fdt));
	sw_device(fdt, s->ac, "devi", 0x05100000);
	CELLS(fdt, "#address-cells", 3);
	CELLS(fdt, "#interrupt-cells", 1);
	CELLS(fdt, "interrupt-map", 0, 0, 0, 1, PH_GIC, 0, 3, 4,
	      0x800, 0, 0, 1, PH_GIC, 0, 4, 4);
	SW(fdt_end_node(fdt));
	sw_device(fdt, s->ac, "devj", 0x05200000);
	CELLS(fdt, "#address-cells", 3);
	CELLS(fdt, "#interrupt-cells", 1);
	CELLS(fdt, "interrupt-map", 0, 0, 0, 1, PH_GIC, 0, 3, 4, 0);
	SW(fdt_end_node(fdt));
	sw_device(fdt, s->ac, "devf", 0x06000000);
	for (unsigned i = 0; i < 6; i++)
		SW(fdt_begin_node(fdt, "deeper"));
	for (unsigned i = 0; i < 6; i++)
		SW(fdt_end_node(fdt));
	SW(fdt_end_node(fdt));
	sw_device(fdt, s->ac, "devg", 0x07000000);
	CELLS(fdt, "ranges", 0, 0x07000000, 0x1000);
	SW(fdt_end_node(fdt));
	/* H: a bus with an empty ranges and a child */
	sw_device(fdt, s->ac, "devh", 0x07100000);
	SW(fdt_property(fdt, "ranges", NULL, 0));
	SW(fdt_begin_node(fdt, "child"));
	SW(fdt_end_node(fdt));
	SW(fdt_end_node(fdt));
	if (s->big_phandle) {
		SW(fdt_begin_node(fdt, "big"));
		CELLS(fdt, "phandle", s->big_phandle);
		SW(fdt_end_node(fdt));
	}
	SW(fdt_end_node(fdt));
	SW(fdt_finish(fdt));
	b.size = fdt_totalsize(fdt);
	SW(fdt_check_full(fdt, b.size));
	return b;
}

static struct vm_fdt_params synth_params(unsigned ndev, const uint32_t *bases)
{
	struct vm_fdt_params p = bare;

	p.uart_base = 0x09000000;
	p.uart_intid = 40;
	p.device_count = ndev;
	for (unsigned i = 0; i < ndev; i++)
		p.devices[i] = (struct vm_fdt_range){bases[i], 0x1000};
	return p;
}

static void test_copy_rules(void **state)
{
	struct blob plat = synth_platform(&(struct synth){.ac = 2});
	struct vm_fdt_params p = synth_params(3, (const uint32_t[]){
		0x01000000, 0x02000000, 0x07100000});
	int a, b, osc, len;
	const fdt32_t *v;

	(void)state;
	assert_int_equal(fdt_check_full(out, (size_t)build_ok(&plat, &p)), 0);
	osc = fdt_path_offset(out, "/osc");
	assert_true(osc >= 0);
	assert_int_equal(prop_u32(out, osc, "clock-frequency"), 19200000);
	/* the vUART took the platform's only fixed clock */
	v = prop(out, fdt_path_offset(out, "/pl011@9000000"), "clocks", &len);
	assert_int_equal(fdt32_to_cpu(v[0]), prop_u32(out, osc, "phandle"));
	expect_str(out, 0, "compatible", "vendor,board");
	expect_str(out, 0, "model", "Vendor Board");
	expect_str(out, fdt_path_offset(out, "/cpus/cpu@0"), "compatible",
		   "arm,cortex-a53\0arm,armv8");

	a = fdt_path_offset(out, "/deva@1000000");
	assert_int_equal(prop_u32(out, a, "interrupt-parent"),
			 prop_u32(out, fdt_path_offset(out, "/intc@8000000"),
				  "phandle"));
	expect_u32s(out, a, "clocks", 2,
		    (const uint64_t[]){prop_u32(out, osc, "phandle"),
				       prop_u32(out, osc, "phandle")});
	expect_str(out, a, "clock-names", "a\0apb_pclk");
	for (unsigned i = 0; i < 7; i++)
		expect_no_prop(out, a, (const char *[]){
			"resets", "reset-names", "reset-gpios", "vdd-supply",
			"pinctrl-0", "pinctrl-names", "phandle"}[i]);
	expect_str(out, a, "status", "okay");
	expect_prop(out, a, "dma-coherent", NULL, 0);
	expect_u32s(out, a, "interrupts", 3, (const uint64_t[]){0, 5, 4});
	expect_u32s(out, fdt_path_offset(out, "/deva@1000000/port@1"), "reg", 1,
		    (const uint64_t[]){1});
	expect_no_prop(out, fdt_path_offset(out, "/deva@1000000/port@1"),
		       "linux,phandle");
	/* an unknown property is copied as it is */
	expect_u32s(out, fdt_path_offset(out, "/deva@1000000/port@1/endpoint"),
		    "remote-endpoint", 1, (const uint64_t[]){0x31});

	b = fdt_path_offset(out, "/devb@2000000");
	expect_no_prop(out, b, "clocks");
	expect_no_prop(out, b, "clock-names");
	expect_u32s(out, b, "interrupts-extended", 8, (const uint64_t[]){
		prop_u32(out, a, "interrupt-parent"), 0, 6, 4,
		prop_u32(out, a, "interrupt-parent"), 0, 7, 1});
	assert_true(fdt_path_offset(out, "/devh@7100000/child") >= 0);

	/* the timer is the platform's, its interrupt-parent the new GIC */
	expect_u32s(out, fdt_path_offset(out, "/arch-timer"), "interrupts", 12,
		    (const uint64_t[]){1, 13, 8, 1, 14, 8, 1, 11, 8, 1, 10, 8});
	assert_int_equal(prop_u32(out, fdt_path_offset(out, "/arch-timer"),
				  "interrupt-parent"),
			 prop_u32(out, a, "interrupt-parent"));
	/* no platform interrupt controller or clock controller came along */
	assert_true(fdt_path_offset(out, "/gic@8000000") < 0);
	assert_true(fdt_path_offset(out, "/intc@8100000") < 0);
	assert_true(fdt_path_offset(out, "/clkctl@8200000") < 0);

	static const struct {
		uint32_t base;
		const char *want;
	} refused[] = {
		{0x03000000, "devc@3000000: interrupt-parent is not the GIC"},
		{0x04000000, "devd@4000000: an interrupt goes to another"},
		{0x05000000, "deve@5000000: an interrupt goes to another"},
		{0x05200000, "devj@5200000: malformed interrupt-map"},
		{0x06000000, "nested too deep"},
	};
	for (unsigned i = 0; i < ARRAY_SIZE(refused); i++) {
		p = synth_params(1, &refused[i].base);
		expect_refused(&plat, &p, refused[i].want);
	}
	/* interrupt-map: each parent moved to the new GIC, with the two
	 * address cells the new GIC declares */
	p = synth_params(1, (const uint32_t[]){0x05100000});
	build_ok(&plat, &p);
	{
		uint32_t gic = prop_u32(out, 0, "interrupt-parent");

		expect_u32s(out, fdt_path_offset(out, "/devi@5100000"),
			    "interrupt-map", 20,
			    (const uint64_t[]){0, 0, 0, 1, gic, 0, 0, 0, 3, 4,
					       0x800, 0, 0, 1, gic, 0, 0, 0, 4,
					       4});
	}
	/* ranges is fine as long as the root's cells need no translation */
	p = synth_params(1, (const uint32_t[]){0x07000000});
	build_ok(&plat, &p);
	free(plat.data);
	/* interrupt specifiers the new GIC would read differently */
	plat = synth_platform(&(struct synth){.ac = 2, .gic_cells = 4});
	expect_refused(&plat, &p, "gic@8000000 does not have 3 interrupt cells");
	free(plat.data);
}

/* A platform root with one address and one size cell: reg is translated. */
static void test_platform_root_one_cell(void **state)
{
	struct blob plat = synth_platform(&(struct synth){.ac = 1});
	struct vm_fdt_params p = synth_params(2, (const uint32_t[]){
		0x01000000, 0x07100000});

	(void)state;
	build_ok(&plat, &p);
	expect_u64s(out, fdt_path_offset(out, "/deva@1000000"), "reg", 2,
		    (const uint64_t[]){0x01000000, 0x1000});
	/* the subnode's reg is in its parent's cells: untouched */
	expect_u32s(out, fdt_path_offset(out, "/deva@1000000/port@1"), "reg", 1,
		    (const uint64_t[]){1});
	p = synth_params(1, (const uint32_t[]){0x07000000});
	expect_refused(&plat, &p, "devg@7000000: cannot translate ranges");
	free(plat.data);
}

static void test_fallbacks(void **state)
{
	struct blob plat = synth_platform(&(struct synth){.ac = 2,
							  .bare_root = true});
	struct vm_fdt_params p = synth_params(1, (const uint32_t[]){0x01000000});
	int pclk, timer;

	(void)state;
	build_ok(&plat, &p);
	expect_str(out, 0, "compatible", "linux,dummy-virt");
	expect_str(out, 0, "model", "linux,dummy-virt");
	expect_str(out, fdt_path_offset(out, "/cpus/cpu@0"), "compatible",
		   "arm,armv8");
	pclk = fdt_path_offset(out, "/apb-pclk");
	assert_int_equal(prop_u32(out, pclk, "clock-frequency"), 24000000);
	timer = fdt_path_offset(out, "/timer");
	expect_str(out, timer, "compatible", "arm,armv8-timer");
	expect_u32s(out, timer, "interrupts", 12,
		    (const uint64_t[]){1, 13, 4, 1, 14, 4, 1, 11, 4, 1, 10, 4});
	expect_prop(out, timer, "always-on", NULL, 0);
	free(plat.data);
}

static uint32_t max_phandle(const void *fdt)
{
	uint32_t max = 0;
	int n, depth = 0;

	for (n = 0; n >= 0 && depth >= 0; n = fdt_next_node(fdt, n, &depth)) {
		uint32_t ph = fdt_get_phandle(fdt, n);

		max = ph > max ? ph : max;
	}
	return max;
}

static uint32_t min_phandle(const void *fdt)
{
	uint32_t min = 0xffffffff;
	int n, depth = 0;

	for (n = 0; n >= 0 && depth >= 0; n = fdt_next_node(fdt, n, &depth)) {
		uint32_t ph = fdt_get_phandle(fdt, n);

		min = ph && ph < min ? ph : min;
	}
	return min;
}

/* New phandles lie above the platform's, so no stale reference finds one. */
static void test_phandle_policy(void **state)
{
	struct blob qemu = fixture(A72);
	struct vm_fdt_params p = synth_params(1, (const uint32_t[]){0x01000000});

	(void)state;
	build_ok(&qemu, &sos);
	assert_true(min_phandle(out) > max_phandle(qemu.data));
	free(qemu.data);
	static const uint32_t bigs[] = {0xfffffff0, 0xfffffff7, 0xfffffffe};

	for (unsigned i = 0; i < ARRAY_SIZE(bigs); i++) {
		uint32_t big = bigs[i];
		struct blob plat = synth_platform(&(struct synth){
			.ac = 2, .big_phandle = big});
		struct check c = {.vm = out, .plat = plat.data, .p = &p};

		build_ok(&plat, &p);
		c.gic = prop_u32(out, fdt_path_offset(out, "/intc@8000000"),
				 "phandle");
		/* above the platform's, or from 1 when there is no room */
		assert_true(c.gic > big || c.gic == 1);
		if (big == 0xfffffffe)
			assert_int_equal(c.gic, 1);
		expect_phandles_sound(&c);
		free(plat.data);
	}
}

/* ---- dtc and fresh QEMU trees ---- */

/* 0 if dtc decompiled the blob with nothing on stderr, 127 if no dtc. */
static int run_dtc(const void *blob, int size, char *msg, size_t msglen)
{
	char dtb[] = "/tmp/tessera-vmfdt-XXXXXX", cmd[256], log[64];
	FILE *f;
	int fd = mkstemp(dtb), status;
	size_t n;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, blob, (size_t)size), size);
	close(fd);
	snprintf(log, sizeof(log), "%s.log", dtb);
	snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts -o /dev/null %s 2>%s",
		 dtb, log);
	status = system(cmd);
	f = fopen(log, "r");
	n = f ? fread(msg, 1, msglen - 1, f) : 0;
	msg[n] = '\0';
	if (f)
		fclose(f);
	unlink(dtb);
	unlink(log);
	if (!WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) ? WEXITSTATUS(status) : n ? -2 : 0;
}

static void test_dtc_accepts_output(void **state)
{
	struct blob a72 = fixture(A72), max = fixture(MAX8);
	struct vm_fdt_params eight = sos;
	struct {
		const struct blob *plat;
		const struct vm_fdt_params *p;
	} runs[] = {{&a72, &sos}, {&a72, &bare}, {&max, &eight}};
	char msg[2048];

	(void)state;
	eight.vcpu_count = 8;
	for (unsigned i = 0; i < ARRAY_SIZE(runs); i++) {
		int size = build_ok(runs[i].plat, runs[i].p);
		int rc = run_dtc(out, size, msg, sizeof(msg));

		if (rc == 127) {
			print_message("dtc not installed: skipping the dtc check\n");
			skip();
		}
		if (rc != 0)
			fail_msg("dtc (%d) on tree %u: %s", rc, i, msg);
	}
	free(a72.data);
	free(max.data);
}

/* ---- virtio-mmio transports emulated by a device model ---- */

/* A User VM as tessera-dm describes it (doc/devicemodel.rst). */
static const struct vm_fdt_params uvm = {
	.vcpu_count = 2,
	.mem_count = 1,
	.mem = {{0x40000000, 0x10000000}},
	.gicd = {0x08000000, 0x10000},
	.gicr_base = 0x080a0000,
	.uart_base = 0x09000000,
	.uart_intid = 33,
	.virtio_count = 3,
	.virtio = {{0x0a000000, 0x200, 48}, {0x0a000200, 0x200, 49},
		   {0x0a000400, 0x200, 50}},
	.bootargs = "console=hvc0",
	.initrd_start = 0x42200000,
	.initrd_end = 0x42300000,
};

/* dtc's decompilation of the blob into buf, or skip the test without dtc. */
static void dtc_source(const void *blob, int size, char *buf, size_t len)
{
	char dtb[] = "/tmp/tessera-vmfdt-XXXXXX", cmd[256];
	int fd = mkstemp(dtb), status;
	size_t n = 0;
	FILE *f;

	assert_true(fd >= 0);
	assert_int_equal(write(fd, blob, (size_t)size), size);
	close(fd);
	snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts %s 2>/dev/null", dtb);
	f = popen(cmd, "r");
	assert_non_null(f);
	while (n + 1 < len) {
		size_t got = fread(buf + n, 1, len - 1 - n, f);

		if (!got)
			break;
		n += got;
	}
	buf[n] = '\0';
	status = pclose(f);
	unlink(dtb);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127) {
		print_message("dtc not installed: skipping the dtc check\n");
		skip();
	}
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

static void test_virtio_mmio_nodes(void **state)
{
	/* Written by hand from the virtio-mmio binding, as dtc prints it. */
	static const char *const want[] = {
		"\tvirtio_mmio@a000000 {\n"
		"\t\tcompatible = \"virtio,mmio\";\n"
		"\t\treg = <0x00 0xa000000 0x00 0x200>;\n"
		"\t\tinterrupts = <0x00 0x10 0x04>;\n"
		"\t\tdma-coherent;\n"
		"\t};\n",
		"\tvirtio_mmio@a000200 {\n"
		"\t\tcompatible = \"virtio,mmio\";\n"
		"\t\treg = <0x00 0xa000200 0x00 0x200>;\n"
		"\t\tinterrupts = <0x00 0x11 0x04>;\n"
		"\t\tdma-coherent;\n"
		"\t};\n",
		"\tvirtio_mmio@a000400 {\n"
		"\t\tcompatible = \"virtio,mmio\";\n"
		"\t\treg = <0x00 0xa000400 0x00 0x200>;\n"
		"\t\tinterrupts = <0x00 0x12 0x04>;\n"
		"\t\tdma-coherent;\n"
		"\t};\n",
	};
	struct blob a72 = fixture(A72), max = fixture(MAX8);
	static char dts[65536];
	const char *prev;
	int size;

	(void)state;
	build_and_check(&a72, &uvm);
	build_and_check(&max, &uvm);
	/* with passthrough devices too: the transports come after them */
	{
		struct vm_fdt_params p = sos;

		p.virtio_count = 2;
		p.virtio[0] = (struct vm_fdt_virtio){0x0b000000, 0x200, 60};
		p.virtio[1] = (struct vm_fdt_virtio){0x0b000200, 0x1000, 61};
		build_and_check(&a72, &p);
	}
	size = build_ok(&a72, &uvm);
	dtc_source(out, size, dts, sizeof(dts));
	prev = strstr(dts, "\tintc@8000000 {");
	assert_non_null(prev);
	for (unsigned i = 0; i < ARRAY_SIZE(want); i++) {
		const char *at = strstr(dts, want[i]);

		if (!at)
			fail_msg("dtc output lacks\n%s---\n%s", want[i], dts);
		assert_true(at > prev); /* in the order given */
		prev = at;
	}
	/* and before /chosen, after the vUART */
	assert_true(strstr(dts, "\tchosen {") > prev);
	assert_true(strstr(dts, "\tpl011@9000000 {") <
		    strstr(dts, want[0]));
	free(a72.data);
	free(max.data);
}

/* The Service VM's upcall device, as the HSM driver binds to it. */
static void test_hsm_node(void **state)
{
	/* Written by hand from doc/hsm.rst, as dtc prints it. */
	static const char want[] =
		"\ttessera-hsm {\n"
		"\t\tcompatible = \"tessera,hsm\";\n"
		"\t\tinterrupts = <0x00 0x58 0x01 0x00 0x59 0x01>;\n"
		"\t\tinterrupt-names = \"io\\0event\";\n"
		"\t};\n";
	struct blob a72 = fixture(A72);
	struct vm_fdt_params p = sos;
	static char dts[65536];
	char err[160];
	int size;

	(void)state;
	p.hsm_io_intid = 120;
	p.hsm_event_intid = 121;
	build_and_check(&a72, &p);
	size = build_ok(&a72, &p);
	dtc_source(out, size, dts, sizeof(dts));
	if (!strstr(dts, want))
		fail_msg("dtc output lacks\n%s---\n%s", want, dts);
	/* none without the capability */
	size = build_ok(&a72, &sos);
	dtc_source(out, size, dts, sizeof(dts));
	assert_null(strstr(dts, "tessera,hsm"));
	/* two distinct SPIs, or nothing */
	p.hsm_event_intid = 120;
	assert_int_equal(vm_fdt_build(out, OUT_MAX, a72.data, a72.size, &p, err,
				      sizeof(err)), -1);
	assert_non_null(strstr(err, "HSM INTIDs 120 and 120"));
	p.hsm_event_intid = 20;
	assert_int_equal(vm_fdt_build(out, OUT_MAX, a72.data, a72.size, &p, err,
				      sizeof(err)), -1);
	free(a72.data);
}

static void test_virtio_mmio_bad_parameters(void **state)
{
	static const struct {
		unsigned field; /* what to break, below */
		uint64_t v;
		const char *want;
	} cases[] = {
		{0, 9, "9 virtio-mmio transports"},
		{1, 31, "virtio-mmio 0xa000200: INTID 31 is not an SPI"},
		{1, 1020, "virtio-mmio 0xa000200: INTID 1020 is not an SPI"},
		{1, 33, "virtio-mmio 0xa000200: INTID 33 is the vUART's"},
		{1, 48, "virtio-mmio 0xa000200: INTID 48 is also virtio-mmio "
			"0xa000000's"},
		{2, 0x0a000100, "virtio-mmio 0xa000100+0x200 overlaps virtio-mmio "
				"0xa000000+0x200"},
		{2, 0x4ffffe00, "virtio-mmio 0x4ffffe00+0x200 overlaps memory "
				"0x40000000+0x10000000"},
		{2, 0x09000e00, "virtio-mmio 0x9000e00+0x200 overlaps vUART"},
		{2, 0x080bfe00, "virtio-mmio 0x80bfe00+0x200 overlaps GIC "
				"redistributors"},
		{3, 0, "virtio-mmio 0xa000200+0x0 is empty"},
		{2, 0xffffffffffffff00ull, "virtio-mmio 0xffffffffffffff00+0x200 "
					   "is empty or wraps"},
	};
	struct blob plat = fixture(A72);

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		struct vm_fdt_params p = uvm;

		switch (cases[i].field) {
		case 0:
			p.virtio_count = (uint32_t)cases[i].v;
			break;
		case 1:
			p.virtio[1].intid = (uint32_t)cases[i].v;
			break;
		case 2:
			p.virtio[1].base = cases[i].v;
			break;
		default:
			p.virtio[1].size = cases[i].v;
			break;
		}
		expect_refused(&plat, &p, cases[i].want);
	}
	/* without a vUART its INTID is free for a transport */
	{
		struct vm_fdt_params p = uvm;

		p.uart_base = 0;
		p.virtio[1].intid = 33;
		build_and_check(&plat, &p);
	}
	/* eight fit, and with them the tree still passes dtc */
	{
		struct vm_fdt_params p = uvm;
		char msg[2048];
		int rc;

		p.virtio_count = VM_FDT_MAX_VIRTIO;
		for (unsigned i = 0; i < VM_FDT_MAX_VIRTIO; i++)
			p.virtio[i] = (struct vm_fdt_virtio){
				0x0a000000 + i * 0x200, 0x200, 48 + i};
		build_and_check(&plat, &p);
		rc = run_dtc(out, build_ok(&plat, &p), msg, sizeof(msg));
		if (rc != 0 && rc != 127)
			fail_msg("dtc (%d): %s", rc, msg);
	}
	free(plat.data);
}

/* Whatever QEMU is installed: its virt tree, dumped now. */
static void test_fresh_qemu_dump(void **state)
{
	static const char *const cpus[] = {"cortex-a72", "max"};
	char path[] = "/tmp/tessera-virt-XXXXXX", cmd[512];
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	close(fd);
	for (unsigned i = 0; i < ARRAY_SIZE(cpus); i++) {
		struct blob plat, compact;
		int rc;

		snprintf(cmd, sizeof(cmd),
			 "qemu-system-aarch64 -M virt,virtualization=on,"
			 "gic-version=3,dumpdtb=%s -cpu %s -smp 4 -m 2G -nic none "
			 "-display none >/dev/null 2>&1", path, cpus[i]);
		rc = system(cmd);
		if (!WIFEXITED(rc) || WEXITSTATUS(rc) != 0) {
			unlink(path);
			print_message("no usable qemu-system-aarch64: skipping "
				      "the fresh QEMU tree\n");
			skip();
		}
		/* QEMU pads its dump to 1 MiB; read what the header says */
		compact.data = malloc(1 << 20);
		{
			FILE *f = fopen(path, "rb");

			compact.size = f ? fread(compact.data, 1, 1 << 20, f) : 0;
			if (f)
				fclose(f);
			/* Gone before any assertion can end the test early
			 * (QEMU writes it afresh on the next round). */
			unlink(path);
			assert_non_null(f);
		}
		assert_int_equal(fdt_check_full(compact.data, compact.size), 0);
		plat = compact;
		build_and_check(&plat, &sos);
		free(compact.data);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_service_vm_on_qemu_virt),
		cmocka_unit_test(test_vcpu_counts),
		cmocka_unit_test(test_memory_regions),
		cmocka_unit_test(test_bare_partition),
		cmocka_unit_test(test_missing_device),
		cmocka_unit_test(test_bad_parameters),
		cmocka_unit_test(test_every_short_buffer),
		cmocka_unit_test(test_hostile_platform_corruption),
		cmocka_unit_test(test_hostile_platform_truncation),
		cmocka_unit_test(test_pci_host_bridge),
		cmocka_unit_test(test_hostile_pci_platform),
		cmocka_unit_test(test_copy_rules),
		cmocka_unit_test(test_platform_root_one_cell),
		cmocka_unit_test(test_fallbacks),
		cmocka_unit_test(test_phandle_policy),
		cmocka_unit_test(test_dtc_accepts_output),
		cmocka_unit_test(test_virtio_mmio_nodes),
		cmocka_unit_test(test_hsm_node),
		cmocka_unit_test(test_virtio_mmio_bad_parameters),
		cmocka_unit_test(test_fresh_qemu_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
