/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-blk against a temporary file (devicemodel/virtio_blk.c), driven
 * through the transport by the test driver: configuration, read, write,
 * flush and get-id with the request split over descriptors in every odd
 * way, then requests past the end, read-only disks, unknown types and
 * malformed chains. The file is checked with pread, not through the DM.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <endian.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake/fake_driver.h"
#include "fake/fake_vm.h"
#include "guarded.h"
#include "virtio.h"
#include "virtio_blk.h"

#define RAM_GPA 0x40000000ull
#define RAM_SIZE 0x40000ull
#define SECTORS 128u
#define DISK_SIZE (SECTORS * 512u)
#define INTID 48u
#define BIT64(n) (1ull << (n))

static struct guarded g;
static struct guest_mem mem;
static struct fake_vm vm;
static struct virtio_mmio t;
static struct fake_driver d;
static char path[64];
static uint8_t disk[DISK_SIZE]; /* what the file holds */

static int open_disk(bool ro)
{
	char err[256];
	FILE *f;

	strcpy(path, "/tmp/tessera-dm-blk-XXXXXX");
	close(mkstemp(path));
	for (unsigned i = 0; i < DISK_SIZE; i++)
		disk[i] = (uint8_t)(i * 7 + i / 512);
	f = fopen(path, "wb");
	fwrite(disk, 1, DISK_SIZE, f);
	fclose(f);
	guarded_init(&g, RAM_SIZE);
	guest_mem_wrap(&mem, g.data, RAM_GPA, RAM_SIZE);
	fake_vm_init(&vm);
	vmmio_init(&t, &mem, &vm.vmm, 0x0a000000, INTID);
	if (virtio_blk_attach(&t, path, ro, err, sizeof(err)))
		fail_msg("%s", err);
	fd_init(&d, &mem, &t);
	fd_bring_up(&d, BIT64(VIRTIO_BLK_F_FLUSH) | BIT64(VIRTIO_BLK_F_SEG_MAX));
	return 0;
}

static int setup(void **state)
{
	(void)state;
	return open_disk(false);
}

static int setup_ro(void **state)
{
	(void)state;
	return open_disk(true);
}

static int teardown(void **state)
{
	(void)state;
	vmmio_destroy(&t);
	fake_vm_fini(&vm);
	guarded_fini(&g);
	unlink(path);
	return 0;
}

static void file_bytes(uint64_t off, void *buf, size_t n)
{
	FILE *f = fopen(path, "rb");

	fseek(f, (long)off, SEEK_SET);
	assert_int_equal(fread(buf, 1, n, f), n);
	fclose(f);
}

/* A request header in guest RAM. */
static uint64_t header(uint32_t type, uint64_t sector)
{
	uint64_t gpa = fd_alloc(&d, 16, 8);
	uint8_t *p = fd_host(&d, gpa);
	uint32_t ty = htole32(type);
	uint64_t se = htole64(sector);

	memcpy(p, &ty, 4);
	memset(p + 4, 0, 4);
	memcpy(p + 8, &se, 8);
	return gpa;
}

/* Send the chain, kick, and return the used length; *status from sgpa. */
static uint32_t run(const struct fd_buf *b, unsigned n)
{
	uint32_t id, len;
	uint16_t head = fd_add_chain(&d, 0, b, n);

	fd_kick(&d, 0);
	assert_true(fd_used(&d, 0, &id, &len));
	assert_int_equal(id, head);
	assert_false(fd_used(&d, 0, &id, &len));
	return len;
}

static uint8_t status_at(uint64_t gpa)
{
	return *(uint8_t *)fd_host(&d, gpa);
}

static void test_config(void **state)
{
	uint64_t f = fd_device_features(&d);

	(void)state;
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_DEVICE_ID), 2);
	assert_int_equal(fd_access(&d, 0x100, 8, false, 0), SECTORS);
	assert_int_equal(fd_access(&d, 0x100 + 12, 4, false, 0), 254); /* seg_max */
	assert_int_equal(fd_access(&d, 0x100 + 20, 4, false, 0), 512); /* blk_size */
	assert_true(f & BIT64(VIRTIO_BLK_F_FLUSH));
	assert_true(f & BIT64(VIRTIO_BLK_F_SEG_MAX));
	assert_true(f & BIT64(VIRTIO_BLK_F_BLK_SIZE));
	assert_false(f & BIT64(VIRTIO_BLK_F_RO));
	assert_true(f & BIT64(VIRTIO_F_VERSION_1));
	assert_int_equal(virtio_blk_sectors(&t), SECTORS);
}

static void test_read(void **state)
{
	uint64_t h = header(VIRTIO_BLK_T_IN, 2), data = fd_alloc(&d, 1024, 8);
	uint64_t st = fd_alloc(&d, 1, 1);
	struct fd_buf b[] = {
		{h, 16, false}, {data, 1024, true}, {st, 1, true},
	};

	(void)state;
	*(uint8_t *)fd_host(&d, st) = 0xee;
	assert_int_equal(run(b, 3), 1025);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_OK);
	assert_memory_equal(fd_host(&d, data), disk + 1024, 1024);
	assert_true(vm.line[INTID]);
	fd_write(&d, VIRTIO_MMIO_INTERRUPT_ACK, 1);
	assert_false(vm.line[INTID]);
}

/* The device must not assume the framing: header in two pieces, data in
 * three of odd sizes, the status byte in the same buffer as data. */
static void test_odd_framing(void **state)
{
	uint64_t h = header(VIRTIO_BLK_T_IN, 5), buf = fd_alloc(&d, 1100, 8);
	struct fd_buf b[] = {
		{h, 10, false}, {h + 10, 6, false},
		{buf, 100, true}, {buf + 100, 700, true}, {buf + 800, 225, true},
	};
	/* a write whose data starts inside the header's buffer */
	uint64_t w = fd_alloc(&d, 16 + 512, 8), st = fd_alloc(&d, 4, 1);
	struct fd_buf wb[] = {
		{w, 3, false}, {w + 3, 13 + 200, false}, /* header + data */
		{w + 216, 312, false}, {st, 1, true},
	};
	uint8_t got[512], *wh = fd_host(&d, w);
	uint32_t out = htole32(VIRTIO_BLK_T_OUT);
	uint64_t sector = htole64(7);

	(void)state;
	assert_int_equal(run(b, 5), 1025);
	assert_memory_equal(fd_host(&d, buf), disk + 5 * 512, 512);
	assert_int_equal(status_at(buf + 1024), VIRTIO_BLK_S_OK);
	memcpy(wh, &out, 4);
	memcpy(wh + 8, &sector, 8);
	for (unsigned i = 0; i < 512; i++)
		wh[16 + i] = (uint8_t)(0xa0 + i);
	assert_int_equal(run(wb, 4), 1);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_OK);
	file_bytes(7 * 512, got, 512);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(got[i], (uint8_t)(0xa0 + i));
	file_bytes(6 * 512, got, 512);
	assert_memory_equal(got, disk + 6 * 512, 512); /* neighbours intact */
	file_bytes(8 * 512, got, 512);
	assert_memory_equal(got, disk + 8 * 512, 512);
}

static void test_write_flush_get_id(void **state)
{
	uint64_t h = header(VIRTIO_BLK_T_OUT, SECTORS - 1);
	uint64_t data = fd_alloc(&d, 512, 8), st = fd_alloc(&d, 1, 1);
	struct fd_buf b[] = {{h, 16, false}, {data, 512, false}, {st, 1, true}};
	uint64_t fh = header(VIRTIO_BLK_T_FLUSH, 0);
	struct fd_buf fb[] = {{fh, 16, false}, {st, 1, true}};
	uint64_t ih = header(VIRTIO_BLK_T_GET_ID, 0), id = fd_alloc(&d, 21, 1);
	struct fd_buf ib[] = {{ih, 16, false}, {id, 20, true}, {id + 20, 1, true}};
	uint8_t got[512];
	char want[20] = {0};

	(void)state;
	memset(fd_host(&d, data), 0x5a, 512);
	assert_int_equal(run(b, 3), 1);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_OK);
	file_bytes((SECTORS - 1) * 512, got, 512);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(got[i], 0x5a);
	*(uint8_t *)fd_host(&d, st) = 0xee;
	assert_int_equal(run(fb, 2), 1);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_OK);
	assert_int_equal(run(ib, 3), 21);
	assert_int_equal(status_at(id + 20), VIRTIO_BLK_S_OK);
	/* 20 bytes, NUL-terminated only when shorter (5.2.6) */
	memcpy(want, strrchr(path, '/') + 1,
	       strnlen(strrchr(path, '/') + 1, sizeof(want)));
	assert_memory_equal(fd_host(&d, id), want, 20);
	assert_int_equal(virtio_blk_stats(&t)->writes, 1);
	assert_int_equal(virtio_blk_stats(&t)->flushes, 1);
	assert_int_equal(virtio_blk_stats(&t)->get_ids, 1);
}

/* Sector and byte count the device must refuse with IOERR. */
static void expect_ioerr(uint32_t type, uint64_t sector, uint32_t bytes)
{
	uint64_t h = header(type, sector), data = fd_alloc(&d, bytes + 1, 8);
	uint64_t st = data + bytes;
	struct fd_buf b[] = {
		{h, 16, false}, {data, bytes, type == VIRTIO_BLK_T_IN},
		{st, 1, true},
	};
	uint8_t file[DISK_SIZE];

	memset(fd_host(&d, data), 0x77, bytes);
	*(uint8_t *)fd_host(&d, st) = 0xee;
	assert_int_equal(run(b, 3), 1); /* only the status was written */
	assert_int_equal(status_at(st), VIRTIO_BLK_S_IOERR);
	for (unsigned i = 0; i < bytes; i++) /* nothing read into the guest */
		assert_int_equal(((uint8_t *)fd_host(&d, data))[i], 0x77);
	file_bytes(0, file, DISK_SIZE); /* nor written to the file */
	assert_memory_equal(file, disk, DISK_SIZE);
}

static void test_out_of_range(void **state)
{
	(void)state;
	expect_ioerr(VIRTIO_BLK_T_IN, SECTORS, 512);
	expect_ioerr(VIRTIO_BLK_T_IN, SECTORS - 1, 1024);
	expect_ioerr(VIRTIO_BLK_T_OUT, SECTORS - 1, 1024);
	expect_ioerr(VIRTIO_BLK_T_OUT, SECTORS, 512);
	expect_ioerr(VIRTIO_BLK_T_IN, ~0ull, 512);          /* sector * 512 */
	expect_ioerr(VIRTIO_BLK_T_IN, 1ull << 55, 512);     /* wraps */
	expect_ioerr(VIRTIO_BLK_T_OUT, (~0ull / 512) + 1, 512);
	/* not a whole number of sectors */
	expect_ioerr(VIRTIO_BLK_T_IN, 0, 100);
	expect_ioerr(VIRTIO_BLK_T_OUT, 0, 513);
	assert_int_equal(virtio_blk_stats(&t)->ioerr, 9);
}

static void test_read_only(void **state)
{
	uint64_t f = fd_device_features(&d);
	uint64_t h = header(VIRTIO_BLK_T_IN, 0), data = fd_alloc(&d, 513, 8);
	struct fd_buf b[] = {{h, 16, false}, {data, 513, true}};

	(void)state;
	assert_true(f & BIT64(VIRTIO_BLK_F_RO));
	expect_ioerr(VIRTIO_BLK_T_OUT, 0, 512);
	expect_ioerr(VIRTIO_BLK_T_OUT, 3, 4096);
	/* reading works */
	assert_int_equal(run(b, 2), 513);
	assert_memory_equal(fd_host(&d, data), disk, 512);
}

static void test_malformed(void **state)
{
	uint64_t h = header(99, 0), st = fd_alloc(&d, 32, 1);
	struct fd_buf unsupp[] = {{h, 16, false}, {st, 1, true}};
	struct fd_buf no_status[] = {{h, 16, false}};
	struct fd_buf short_hdr[] = {{h, 8, false}, {st, 1, true}};
	uint64_t in = header(VIRTIO_BLK_T_IN, 0);
	struct fd_buf in_no_data[] = {{in, 16, false}, {st, 1, true}};

	(void)state;
	assert_int_equal(run(unsupp, 2), 1);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_UNSUPP);
	assert_int_equal(run(no_status, 1), 0);
	assert_int_equal(virtio_blk_stats(&t)->dropped, 1);
	*(uint8_t *)fd_host(&d, st) = 0xee;
	assert_int_equal(run(short_hdr, 2), 1);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_IOERR);
	/* a read of 0 sectors is a read of nothing */
	assert_int_equal(run(in_no_data, 2), 1);
	assert_int_equal(status_at(st), VIRTIO_BLK_S_OK);
	/* a chain the queue refuses comes back with length 0 */
	fd_set_desc(&d, 0, 0, RAM_GPA + RAM_SIZE, 16, 0, 0);
	fd_publish(&d, 0, 0);
	fd_kick(&d, 0);
	{
		uint32_t id, len;

		assert_true(fd_used(&d, 0, &id, &len));
		assert_int_equal(len, 0);
	}
	assert_false(fd_read(&d, VIRTIO_MMIO_STATUS) &
		     VIRTIO_STATUS_NEEDS_RESET);
}

static void test_attach_errors(void **state)
{
	struct virtio_mmio u;
	char err[256], empty[] = "/tmp/tessera-dm-empty-XXXXXX";

	(void)state;
	vmmio_init(&u, &mem, &vm.vmm, 0x0a000200, 49);
	assert_int_equal(virtio_blk_attach(&u, "/nonexistent/disk.img", false,
					   err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent/disk.img"));
	assert_non_null(strstr(err, "No such file"));
	close(mkstemp(empty));
	assert_int_equal(virtio_blk_attach(&u, empty, true, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "smaller than one 512-byte sector"));
	unlink(empty);
	assert_null(u.be);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_config),
		T(test_read),
		T(test_odd_framing),
		T(test_write_flush_get_id),
		T(test_out_of_range),
		cmocka_unit_test_setup_teardown(test_read_only, setup_ro,
						teardown),
		T(test_malformed),
		T(test_attach_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
