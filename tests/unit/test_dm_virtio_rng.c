/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-rng (devicemodel/virtio_rng.c) through the transport: requests are
 * filled, over every piece of the chain, capped at 64 KiB; a request with a
 * device-readable buffer is given back untouched.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include "fake/fake_driver.h"
#include "fake/fake_vm.h"
#include "guarded.h"
#include "virtio.h"
#include "virtio_rng.h"

#define RAM_GPA 0x40000000ull
#define RAM_SIZE 0x80000ull
#define INTID 52u

static struct guarded g;
static struct guest_mem mem;
static struct fake_vm vm;
static struct virtio_mmio t;
static struct fake_driver d;

static int setup(void **state)
{
	char err[128];

	(void)state;
	guarded_init(&g, RAM_SIZE);
	guest_mem_wrap(&mem, g.data, RAM_GPA, RAM_SIZE);
	fake_vm_init(&vm);
	vmmio_init(&t, &mem, &vm.vmm, 0x0a000400, INTID);
	assert_int_equal(virtio_rng_attach(&t, err, sizeof(err)), 0);
	fd_init(&d, &mem, &t);
	fd_bring_up(&d, 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmmio_destroy(&t);
	fake_vm_fini(&vm);
	guarded_fini(&g);
	return 0;
}

static uint32_t run(const struct fd_buf *b, unsigned n)
{
	uint32_t id, len;

	fd_add_chain(&d, 0, b, n);
	fd_kick(&d, 0);
	assert_true(fd_used(&d, 0, &id, &len));
	return len;
}

/* Not 16 zero bytes in a row: the odds of a false failure are 2^-128. */
static void expect_random(uint64_t gpa, size_t n)
{
	const uint8_t *p = fd_host(&d, gpa);
	static const uint8_t zero[16];

	for (size_t i = 0; i + 16 <= n; i += 16)
		assert_memory_not_equal(p + i, zero, 16);
}

static void test_fills_requests(void **state)
{
	uint64_t a = fd_alloc(&d, 64, 8), b = fd_alloc(&d, 64, 8);
	struct fd_buf ba[] = {{a, 64, true}}, bb[] = {{b, 64, true}};

	(void)state;
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_DEVICE_ID), 4);
	assert_int_equal(run(ba, 1), 64);
	assert_int_equal(run(bb, 1), 64);
	expect_random(a, 64);
	expect_random(b, 64);
	assert_memory_not_equal(fd_host(&d, a), fd_host(&d, b), 64);
	assert_true(vm.line[INTID]);
	assert_int_equal(virtio_rng_stats(&t)->bytes, 128);
}

static void test_every_piece(void **state)
{
	uint64_t a = fd_alloc(&d, 48, 8);
	struct fd_buf b[] = {{a, 16, true}, {a + 16, 16, true}, {a + 32, 16, true}};

	(void)state;
	assert_int_equal(run(b, 3), 48);
	expect_random(a, 48);
}

static void test_capped(void **state)
{
	uint64_t a = fd_alloc(&d, 0x30000, 8);
	struct fd_buf b[] = {{a, 0x30000, true}};
	static const uint8_t zero[16];

	(void)state;
	assert_int_equal(run(b, 1), VIRTIO_RNG_MAX_REQUEST);
	expect_random(a, VIRTIO_RNG_MAX_REQUEST);
	/* nothing beyond the cap was written */
	for (size_t i = VIRTIO_RNG_MAX_REQUEST; i < 0x30000; i += 16)
		assert_memory_equal((uint8_t *)fd_host(&d, a) + i, zero, 16);
}

static void test_readable_refused(void **state)
{
	uint64_t a = fd_alloc(&d, 64, 8);
	struct fd_buf b[] = {{a, 32, false}, {a + 32, 32, true}};
	static const uint8_t zero[64];

	(void)state;
	assert_int_equal(run(b, 2), 0);
	assert_memory_equal(fd_host(&d, a), zero, 64);
	assert_int_equal(virtio_rng_stats(&t)->dropped, 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_fills_requests),
		T(test_every_piece),
		T(test_capped),
		T(test_readable_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
