/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading Linux into the User VM (devicemodel/boot.c, dt.c): the arm64 Image
 * header checks, the placement of device tree, kernel and initrd, what is
 * cleaned from the caches, vCPU 0's registers, and the device tree itself,
 * read back with libfdt and decompiled with dtc against expectations
 * written out by hand (doc/devicemodel.rst's memory map).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <endian.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <libfdt.h>

#include "boot.h"
#include "devices.h"
#include "dt.h"
#include "fake/fake_vm.h"
#include "iobus.h"
#include "layout.h"

#ifndef FIXTURE_DIR
#define FIXTURE_DIR "tests/unit/fixtures"
#endif
#define PLATFORM FIXTURE_DIR "/qemu-virt-a72-smp4.dtb"
#define MiB (1ull << 20)

static char err[512];
static char kpath[64], ipath[64];

/* An arm64 Image: header, then a pattern, file_size bytes in all. */
static void make_image(uint8_t *buf, uint64_t file_size, uint64_t text_offset,
		       uint64_t image_size, uint64_t flags)
{
	uint64_t v;
	uint32_t magic = htole32(0x644d5241);

	for (uint64_t i = 0; i < file_size; i++)
		buf[i] = (uint8_t)(i * 13 + (i >> 12));
	memset(buf, 0, 64);
	buf[0] = 0x4d; /* "MZ", as an EFI-stub kernel */
	buf[1] = 0x5a;
	v = htole64(text_offset);
	memcpy(buf + 8, &v, 8);
	v = htole64(image_size);
	memcpy(buf + 16, &v, 8);
	v = htole64(flags);
	memcpy(buf + 24, &v, 8);
	memcpy(buf + 56, &magic, 4);
}

static void write_file(char *path, const char *tmpl, const void *data,
		       size_t n)
{
	int fd;

	strcpy(path, tmpl);
	fd = mkstemp(path);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, n), (ssize_t)n);
	close(fd);
}

static uint8_t *kernel_file(uint64_t file_size, uint64_t text_offset,
			    uint64_t image_size)
{
	uint8_t *buf = malloc(file_size);

	make_image(buf, file_size, text_offset, image_size, 0xa);
	write_file(kpath, "/tmp/tessera-dm-Image-XXXXXX", buf, file_size);
	return buf;
}

static uint8_t *initrd_file(uint64_t size)
{
	uint8_t *buf = malloc(size);

	for (uint64_t i = 0; i < size; i++)
		buf[i] = (uint8_t)(0x5a ^ i ^ (i >> 8));
	write_file(ipath, "/tmp/tessera-dm-initrd-XXXXXX", buf, size);
	return buf;
}

static void *platform(size_t *size)
{
	void *blob;

	if (dt_read_platform(PLATFORM, &blob, size, err, sizeof(err)))
		fail_msg("%s", err);
	return blob;
}

static const struct tessera_vm_info qemu_info = {
	.vuart_intid = 33,
	.vuart_base = 0x09000000,
	.gicd_base = 0x08000000,
	.gicr_base = 0x080a0000,
	.spi_count = 64,
};

static int teardown(void **state)
{
	(void)state;
	if (kpath[0])
		unlink(kpath);
	if (ipath[0])
		unlink(ipath);
	kpath[0] = ipath[0] = '\0';
	return 0;
}

/* ---- the header ---- */

static void expect_header_refused(const uint8_t *hdr, size_t len,
				  uint64_t file_size, const char *want)
{
	struct arm64_image img;

	err[0] = '\0';
	assert_int_equal(boot_parse_image(hdr, len, file_size, "K", &img, err,
					  sizeof(err)), -1);
	if (!strstr(err, want))
		fail_msg("\"%s\" does not say \"%s\"", err, want);
}

static void test_header_checks(void **state)
{
	uint8_t h[64];
	struct arm64_image img;

	(void)state;
	make_image(h, 64, 0, 4 * MiB, 0xa);
	assert_int_equal(boot_parse_image(h, 64, 1 * MiB, "K", &img, err,
					  sizeof(err)), 0);
	assert_int_equal(img.text_offset, 0);
	assert_int_equal(img.image_size, 4 * MiB);
	h[56] = 'B';
	expect_header_refused(h, 64, MiB, "not an arm64 Linux Image");
	h[56] = 'A';
	h[59] = 0x65;
	expect_header_refused(h, 64, MiB, "ARM\\x64");
	expect_header_refused((const uint8_t *)"\x1f\x8b\x08\x00", 4, MiB,
			      "gzip-compressed");
	expect_header_refused((const uint8_t *)"MZ\0\0zimg", 8, MiB,
			      "EFI zboot");
	make_image(h, 64, 0, 4 * MiB, 0xa);
	expect_header_refused(h, 63, 63, "too small");
	expect_header_refused(h, 64, 40, "too small");
	make_image(h, 64, 0, 4 * MiB, 0xb);
	expect_header_refused(h, 64, MiB, "big-endian");
	make_image(h, 64, 0, 0, 0xa);
	expect_header_refused(h, 64, MiB, "image_size 0");
	make_image(h, 64, 0x80800, 4 * MiB, 0xa);
	expect_header_refused(h, 64, MiB, "text_offset 0x80800");
	make_image(h, 64, 2 * MiB, 4 * MiB, 0xa);
	expect_header_refused(h, 64, MiB, "text_offset 0x200000");
	make_image(h, 64, 0, MiB, 0xa);
	expect_header_refused(h, 64, MiB + 1, "smaller than the file");
}

static void test_debian_kernel(void **state)
{
	struct arm64_image img;

	(void)state;
	if (access(GUEST_IMAGE, R_OK)) {
		print_message("no %s: skipping the Debian kernel\n", GUEST_IMAGE);
		skip();
	}
	if (boot_check_kernel(GUEST_IMAGE, false, &img, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(img.image_size >= img.file_size);
	assert_int_equal(img.text_offset % 4096, 0);
	print_message("%s: %llu bytes, text_offset 0x%llx, image_size 0x%llx\n",
		      GUEST_IMAGE, (unsigned long long)img.file_size,
		      (unsigned long long)img.text_offset,
		      (unsigned long long)img.image_size);
}

/* ---- loading ---- */

struct env {
	struct guest_mem mem;
	struct fake_vm vm;
	struct iobus bus;
	struct dm_devices devs;
	struct vm_fdt_params p;
	void *plat;
	size_t plat_size;
	int null_fd;
};

static void env_init(struct env *e, uint64_t ram, unsigned ndev)
{
	struct dm_options o = {.nr_devices = ndev};

	for (unsigned i = 0; i < ndev; i++)
		o.devices[i].kind = i == 1 ? DM_DEV_CONSOLE : DM_DEV_RNG;
	assert_int_equal(guest_mem_alloc(&e->mem, DM_RAM_BASE, ram), 0);
	fake_vm_init(&e->vm);
	iobus_init(&e->bus);
	e->null_fd = open("/dev/null", O_WRONLY);
	if (devices_create(&e->devs, &o, &e->mem, &e->vm.vmm, &e->bus,
			   e->null_fd, err, sizeof(err)))
		fail_msg("%s", err);
	if (dt_params(&e->p, &qemu_info, 2, &e->mem, &e->devs,
		      "console=hvc0 quiet", err, sizeof(err)))
		fail_msg("%s", err);
	e->plat = platform(&e->plat_size);
}

static void env_fini(struct env *e)
{
	devices_destroy(&e->devs);
	guest_mem_free(&e->mem);
	fake_vm_fini(&e->vm);
	free(e->plat);
	close(e->null_fd);
}

static enum boot_result load(struct env *e, const char *initrd,
			     struct boot_layout *l,
			     struct tessera_vcpu_regs *regs)
{
	err[0] = '\0';
	return boot_load(kpath, false, initrd, &e->mem, &e->p, e->plat,
			 e->plat_size, l, regs, err, sizeof(err));
}

static const void *ram(struct env *e, uint64_t gpa, uint64_t n)
{
	const void *p = gpa_to_host(&e->mem, gpa, n);

	assert_non_null(p);
	return p;
}

/* dtc's source for the blob, or skip without dtc. */
static void dts_of(const void *blob, size_t size, char *out, size_t len)
{
	char path[] = "/tmp/tessera-dm-dtb-XXXXXX", cmd[128];
	int fd = mkstemp(path), status;
	size_t n = 0, k;
	FILE *f;

	assert_int_equal(write(fd, blob, size), (ssize_t)size);
	close(fd);
	snprintf(cmd, sizeof(cmd), "dtc -I dtb -O dts %s 2>&1", path);
	f = popen(cmd, "r");
	while (n + 1 < len && (k = fread(out + n, 1, len - 1 - n, f)))
		n += k;
	out[n] = '\0';
	status = pclose(f);
	unlink(path);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		skip();
	if (!WIFEXITED(status) || WEXITSTATUS(status) || strstr(out, "Warning"))
		fail_msg("dtc: %s", out);
}

static void test_load_layout(void **state)
{
	static char dts[65536];
	struct env e;
	struct boot_layout l;
	struct tessera_vcpu_regs regs;
	uint8_t *k = kernel_file(MiB + 12345, 0, 3 * MiB);
	uint8_t *rd = initrd_file(300 * 1024 + 7);
	const void *dtb;
	int n, len;
	const fdt32_t *v;

	(void)state;
	env_init(&e, 64 * MiB, 2);
	assert_int_equal(load(&e, ipath, &l, &regs), BOOT_OK);
	/* the memory map of doc/devicemodel.rst */
	assert_int_equal(l.dtb, 0x40000000);
	assert_int_equal(l.kernel, 0x40200000);
	assert_int_equal(l.kernel_size, 3 * MiB);
	assert_int_equal(l.initrd, 0x40600000); /* 2 MiB after 0x40500000 */
	assert_int_equal(l.initrd_size, 300 * 1024 + 7);
	assert_memory_equal(ram(&e, l.kernel, MiB + 12345), k, MiB + 12345);
	assert_memory_equal(ram(&e, l.initrd, l.initrd_size), rd, l.initrd_size);
	/* PC at the kernel, x0 the device tree, x1..x3 zero */
	assert_int_equal(regs.pc, 0x40200000);
	assert_int_equal(regs.x[0], 0x40000000);
	assert_int_equal(regs.x[1] | regs.x[2] | regs.x[3], 0);
	/* kernel (all of image_size), initrd and device tree were cleaned */
	assert_int_equal(fake_cache_count, 3);
	assert_ptr_equal(fake_cache_cleaned[0].p, ram(&e, l.kernel, 1));
	assert_int_equal(fake_cache_cleaned[0].n, 3 * MiB);
	assert_ptr_equal(fake_cache_cleaned[1].p, ram(&e, l.initrd, 1));
	assert_int_equal(fake_cache_cleaned[1].n, l.initrd_size);
	assert_ptr_equal(fake_cache_cleaned[2].p, ram(&e, l.dtb, 1));
	assert_int_equal(fake_cache_cleaned[2].n, l.dtb_size);
	/* the tree, read with libfdt */
	dtb = ram(&e, l.dtb, l.dtb_size);
	assert_int_equal(fdt_check_full(dtb, l.dtb_size), 0);
	assert_int_equal(fdt_totalsize(dtb), l.dtb_size);
	n = fdt_path_offset(dtb, "/chosen");
	v = fdt_getprop(dtb, n, "linux,initrd-start", &len);
	assert_int_equal(len, 8);
	assert_int_equal(fdt32_to_cpu(v[1]), 0x40600000);
	v = fdt_getprop(dtb, n, "linux,initrd-end", &len);
	assert_int_equal(fdt32_to_cpu(v[1]), 0x40600000 + 300 * 1024 + 7);
	assert_string_equal(fdt_getprop(dtb, n, "bootargs", NULL),
			    "console=hvc0 quiet");
	assert_true(fdt_path_offset(dtb, "/cpus/cpu@1") >= 0);
	assert_true(fdt_path_offset(dtb, "/cpus/cpu@2") < 0);
	/* and as dtc prints it, against the layout written out by hand */
	dts_of(dtb, l.dtb_size, dts, sizeof(dts));
	static const char *const want[] = {
		"\tmemory@40000000 {\n"
		"\t\tdevice_type = \"memory\";\n"
		"\t\treg = <0x00 0x40000000 0x00 0x4000000>;\n"
		"\t};\n",
		"\tintc@8000000 {\n",
		"\t\treg = <0x00 0x8000000 0x00 0x10000 0x00 0x80a0000 0x00 "
		"0x40000>;\n",
		"\tpl011@9000000 {\n",
		"\t\tinterrupts = <0x00 0x01 0x04>;\n", /* INTID 33 */
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
		"\t\tbootargs = \"console=hvc0 quiet\";\n",
		"\t\tlinux,initrd-start = <0x00 0x40600000>;\n",
		"\t\tlinux,initrd-end = <0x00 0x4064b007>;\n",
		"\t\tstdout-path = \"/pl011@9000000\";\n",
	};
	for (unsigned i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		if (!strstr(dts, want[i]))
			fail_msg("no\n%s\nin\n%s", want[i], dts);
	assert_null(strstr(dts, "virtio_mmio@a000400"));
	free(k);
	free(rd);
	env_fini(&e);
}

static void test_text_offset_and_no_initrd(void **state)
{
	struct env e;
	struct boot_layout l;
	struct tessera_vcpu_regs regs;
	uint8_t *k = kernel_file(4096, 0x80000, MiB);
	const void *dtb;

	(void)state;
	env_init(&e, 16 * MiB, 0);
	assert_int_equal(load(&e, NULL, &l, &regs), BOOT_OK);
	assert_int_equal(l.kernel, 0x40280000);
	assert_int_equal(regs.pc, 0x40280000);
	assert_int_equal(l.initrd_size, 0);
	assert_int_equal(fake_cache_count, 2);
	dtb = ram(&e, l.dtb, l.dtb_size);
	assert_null(fdt_getprop(dtb, fdt_path_offset(dtb, "/chosen"),
				"linux,initrd-start", NULL));
	assert_true(fdt_path_offset(dtb, "/virtio_mmio@a000000") < 0);
	free(k);
	env_fini(&e);
}

/* --bare: the file as it is, where a text_offset-0 Image goes, entered at
 * its first byte with x0 = the device tree; no header is read. */
static void test_bare_image(void **state)
{
	struct env e;
	struct boot_layout l;
	struct tessera_vcpu_regs regs;
	struct arm64_image img;
	uint8_t bin[5000];

	(void)state;
	for (unsigned i = 0; i < sizeof(bin); i++)
		bin[i] = (uint8_t)(i * 7 + 3); /* no Image magic anywhere */
	write_file(kpath, "/tmp/tessera-dm-bare-XXXXXX", bin, sizeof(bin));
	assert_int_equal(boot_check_kernel(kpath, false, &img, err,
					   sizeof(err)), -1);
	assert_int_equal(boot_check_kernel(kpath, true, &img, err, sizeof(err)),
			 0);
	assert_int_equal(img.image_size, 8192);
	env_init(&e, 16 * MiB, 1);
	err[0] = '\0';
	assert_int_equal(boot_load(kpath, true, NULL, &e.mem, &e.p, e.plat,
				   e.plat_size, &l, &regs, err, sizeof(err)),
			 BOOT_OK);
	assert_int_equal(l.kernel, 0x40200000);
	assert_memory_equal(ram(&e, 0x40200000, sizeof(bin)), bin, sizeof(bin));
	assert_int_equal(regs.pc, 0x40200000);
	assert_int_equal(regs.x[0], l.dtb);
	assert_int_equal(l.dtb, 0x40000000);
	unlink(kpath);
	/* empty: refused before anything is created */
	write_file(kpath, "/tmp/tessera-dm-bare-XXXXXX", bin, 0);
	assert_int_equal(boot_check_kernel(kpath, true, &img, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "is empty"));
	unlink(kpath);
	env_fini(&e);
}

static void test_too_large_for_ram(void **state)
{
	struct env e;
	struct boot_layout l;
	struct tessera_vcpu_regs regs;
	uint8_t *k, *rd;

	(void)state;
	env_init(&e, 16 * MiB, 0);
	/* 2 MiB of device tree window + 14 MiB of kernel: exactly full */
	k = kernel_file(4096, 0, 14 * MiB);
	assert_int_equal(load(&e, NULL, &l, &regs), BOOT_OK);
	free(k);
	unlink(kpath);
	k = kernel_file(4096, 0, 14 * MiB + 4096);
	assert_int_equal(load(&e, NULL, &l, &regs), BOOT_EFILE);
	assert_non_null(strstr(err, "does not fit in 16 MiB"));
	assert_non_null(strstr(err, "-m"));
	free(k);
	unlink(kpath);
	/* the kernel fits, with the initrd it does not */
	k = kernel_file(4096, 0, 9 * MiB);
	rd = initrd_file(4 * MiB + 1);
	assert_int_equal(load(&e, ipath, &l, &regs), BOOT_EFILE);
	assert_non_null(strstr(err, "and the initrd (5 MiB)"));
	free(k);
	free(rd);
	env_fini(&e);
}

static void test_missing_files(void **state)
{
	struct env e;
	struct boot_layout l;
	struct tessera_vcpu_regs regs;
	uint8_t *k = kernel_file(4096, 0, MiB);
	char empty[] = "/tmp/tessera-dm-empty-XXXXXX";

	(void)state;
	env_init(&e, 16 * MiB, 0);
	assert_int_equal(load(&e, "/nonexistent/initrd", &l, &regs), BOOT_EFILE);
	assert_non_null(strstr(err, "cannot open initrd /nonexistent/initrd"));
	close(mkstemp(empty));
	assert_int_equal(load(&e, empty, &l, &regs), BOOT_EFILE);
	assert_non_null(strstr(err, "is empty"));
	unlink(empty);
	assert_int_equal(load(&e, "/tmp", &l, &regs), BOOT_EFILE);
	assert_non_null(strstr(err, "not a regular file"));
	unlink(kpath);
	assert_int_equal(load(&e, NULL, &l, &regs), BOOT_EFILE);
	assert_non_null(strstr(err, "cannot open kernel"));
	assert_int_equal(fake_cache_count, 0);
	free(k);
	env_fini(&e);
}

static void test_device_tree_errors(void **state)
{
	struct env e;
	struct boot_layout l;
	struct tessera_vcpu_regs regs;
	struct tessera_vm_info info = qemu_info;
	uint8_t *k = kernel_file(4096, 0, MiB);

	(void)state;
	env_init(&e, 16 * MiB, 3);
	/* a vGIC the hypervisor put inside the DM's RAM */
	info.gicd_base = 0x40800000;
	assert_int_equal(dt_params(&e.p, &info, 1, &e.mem, &e.devs, NULL, err,
				   sizeof(err)), 0);
	assert_int_equal(load(&e, NULL, &l, &regs), BOOT_EDT);
	assert_non_null(strstr(err, "GIC distributor 0x40800000+0x10000 "
				    "overlaps memory"));
	/* what the hypervisor reports is checked */
	info = qemu_info;
	info.gicd_base = 0;
	assert_int_equal(dt_params(&e.p, &info, 1, &e.mem, &e.devs, NULL, err,
				   sizeof(err)), -1);
	assert_non_null(strstr(err, "no virtual GIC"));
	info = qemu_info;
	info.spi_count = 17; /* INTIDs 32..48: the second transport's 49 is out */
	assert_int_equal(dt_params(&e.p, &info, 1, &e.mem, &e.devs, NULL, err,
				   sizeof(err)), -1);
	assert_non_null(strstr(err, "needs SPI INTID 49"));
	info = qemu_info;
	info.vuart_intid = 96;
	assert_int_equal(dt_params(&e.p, &info, 1, &e.mem, &e.devs, NULL, err,
				   sizeof(err)), -1);
	assert_non_null(strstr(err, "vUART's INTID 96"));
	/* no vUART: no pl011 node */
	info = qemu_info;
	info.vuart_intid = 0;
	assert_int_equal(dt_params(&e.p, &info, 1, &e.mem, &e.devs, NULL, err,
				   sizeof(err)), 0);
	assert_int_equal(load(&e, NULL, &l, &regs), BOOT_OK);
	assert_true(fdt_path_offset(ram(&e, l.dtb, l.dtb_size),
				    "/pl011@9000000") < 0);
	free(k);
	env_fini(&e);
}

static void test_reload_after_reset(void **state)
{
	struct env e;
	struct boot_layout l;
	struct tessera_vcpu_regs regs;
	uint8_t *k = kernel_file(256 * 1024, 0, MiB);
	uint8_t *rd = initrd_file(5000);
	uint8_t *copy = malloc(8 * MiB);

	(void)state;
	env_init(&e, 16 * MiB, 1);
	assert_int_equal(load(&e, ipath, &l, &regs), BOOT_OK);
	memcpy(copy, e.mem.host, 8 * MiB);
	/* the guest ran and wrote all over its RAM */
	memset(e.mem.host, 0xcc, 8 * MiB);
	assert_int_equal(load(&e, ipath, &l, &regs), BOOT_OK);
	assert_memory_equal(ram(&e, l.kernel, 256 * 1024), k, 256 * 1024);
	assert_memory_equal(ram(&e, l.initrd, 5000), rd, 5000);
	assert_memory_equal(ram(&e, l.dtb, l.dtb_size), copy, l.dtb_size);
	free(copy);
	free(k);
	free(rd);
	env_fini(&e);
}

int main(void)
{
#define T(f) cmocka_unit_test_teardown(f, teardown)
	const struct CMUnitTest tests[] = {
		T(test_header_checks),
		T(test_debian_kernel),
		T(test_load_layout),
		T(test_text_offset_and_no_initrd),
		T(test_bare_image),
		T(test_too_large_for_ram),
		T(test_missing_files),
		T(test_device_tree_errors),
		T(test_reload_after_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
