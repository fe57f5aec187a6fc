/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * virtio-console (devicemodel/virtio_console.c) through the transport: the
 * guest's output reaches the output file descriptor (a pipe here) byte for
 * byte over any number of pieces; input waits for receive buffers, fills
 * them in order and is bounded; chains in the wrong direction are refused.
 */
#define _GNU_SOURCE /* pipe2 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "fake/fake_driver.h"
#include "fake/fake_vm.h"
#include "guarded.h"
#include "virtio.h"
#include "virtio_console.h"

#define RAM_GPA 0x40000000ull
#define RAM_SIZE 0x40000ull
#define INTID 49u
#define RXQ 0
#define TXQ 1

static struct guarded g;
static struct guest_mem mem;
static struct fake_vm vm;
static struct virtio_mmio t;
static struct fake_driver d;
static int out[2];

static int setup(void **state)
{
	char err[128];

	(void)state;
	guarded_init(&g, RAM_SIZE);
	guest_mem_wrap(&mem, g.data, RAM_GPA, RAM_SIZE);
	fake_vm_init(&vm);
	assert_int_equal(pipe2(out, O_NONBLOCK), 0);
	vmmio_init(&t, &mem, &vm.vmm, 0x0a000200, INTID);
	assert_int_equal(virtio_console_attach(&t, out[1], err, sizeof(err)), 0);
	fd_init(&d, &mem, &t);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmmio_destroy(&t);
	fake_vm_fini(&vm);
	guarded_fini(&g);
	close(out[0]);
	close(out[1]);
	return 0;
}

static size_t output(char *buf, size_t n)
{
	ssize_t k = read(out[0], buf, n);

	return k < 0 ? 0 : (size_t)k;
}

static uint64_t text(const char *s)
{
	uint64_t gpa = fd_alloc(&d, strlen(s), 1);

	memcpy(fd_host(&d, gpa), s, strlen(s));
	return gpa;
}

static void test_output(void **state)
{
	uint64_t a = text("Linux version "), b = text("6.1\r\n");
	struct fd_buf one[] = {{a, 14, false}, {b, 5, false}};
	char buf[64];
	uint32_t id, len;

	(void)state;
	fd_bring_up(&d, 0);
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_DEVICE_ID), 3);
	assert_int_equal(fd_device_features(&d), 1ull << VIRTIO_F_VERSION_1);
	fd_add_chain(&d, TXQ, one, 2);
	fd_kick(&d, TXQ);
	assert_int_equal(output(buf, sizeof(buf)), 19);
	assert_memory_equal(buf, "Linux version 6.1\r\n", 19);
	assert_true(fd_used(&d, TXQ, &id, &len));
	assert_int_equal(len, 0); /* nothing written into the buffers */
	assert_true(vm.line[INTID]);
	/* two chains, one kick */
	fd_add_chain(&d, TXQ, (struct fd_buf[]){{a, 5, false}}, 1);
	fd_add_chain(&d, TXQ, (struct fd_buf[]){{b + 3, 2, false}}, 1);
	fd_kick(&d, TXQ);
	assert_int_equal(output(buf, sizeof(buf)), 7);
	assert_memory_equal(buf, "Linux\r\n", 7);
	assert_int_equal(virtio_console_stats(&t)->out_bytes, 26);
}

static void test_output_wrong_direction(void **state)
{
	uint64_t a = text("secret");
	struct fd_buf b[] = {{a, 6, false}, {a, 6, true}};
	char buf[16];
	uint32_t id, len;

	(void)state;
	fd_bring_up(&d, 0);
	fd_add_chain(&d, TXQ, b, 2);
	fd_kick(&d, TXQ);
	assert_int_equal(output(buf, sizeof(buf)), 0);
	assert_true(fd_used(&d, TXQ, &id, &len));
	assert_int_equal(len, 0);
	assert_int_equal(virtio_console_stats(&t)->dropped, 1);
}

static void test_input(void **state)
{
	uint64_t r1 = fd_alloc(&d, 2, 1), r2 = fd_alloc(&d, 8, 1);
	uint32_t id, len;

	(void)state;
	/* typed before the driver is up: kept */
	fd_negotiate(&d, 1ull << VIRTIO_F_VERSION_1);
	fd_setup_queue(&d, RXQ, 16);
	fd_setup_queue(&d, TXQ, 16);
	assert_int_equal(virtio_console_input(&t, "abc", 3), 3);
	fd_add_chain(&d, RXQ, (struct fd_buf[]){{r1, 2, true}}, 1);
	assert_false(fd_used(&d, RXQ, &id, &len));
	/* DRIVER_OK: the posted buffer takes what fits */
	fd_driver_ok(&d);
	assert_true(fd_used(&d, RXQ, &id, &len));
	assert_int_equal(len, 2);
	assert_memory_equal(fd_host(&d, r1), "ab", 2);
	assert_true(vm.line[INTID]);
	/* the rest waits for the next buffer, posted with a kick */
	fd_add_chain(&d, RXQ, (struct fd_buf[]){{r2, 8, true}}, 1);
	fd_kick(&d, RXQ);
	assert_true(fd_used(&d, RXQ, &id, &len));
	assert_int_equal(len, 1);
	assert_memory_equal(fd_host(&d, r2), "c", 1);
	/* no input: a posted buffer stays with the device */
	fd_add_chain(&d, RXQ, (struct fd_buf[]){{r2, 8, true}}, 1);
	fd_kick(&d, RXQ);
	assert_false(fd_used(&d, RXQ, &id, &len));
	assert_int_equal(virtio_console_input(&t, "xyz", 3), 3);
	assert_true(fd_used(&d, RXQ, &id, &len));
	assert_int_equal(len, 3);
	assert_memory_equal(fd_host(&d, r2), "xyz", 3);
	assert_int_equal(virtio_console_stats(&t)->in_bytes, 6);
}

static void test_input_bounded_and_reset(void **state)
{
	static char big[5000];
	uint64_t r = fd_alloc(&d, 16, 1);
	uint32_t id, len;

	(void)state;
	fd_bring_up(&d, 0);
	memset(big, 'q', sizeof(big));
	assert_int_equal(virtio_console_input(&t, big, sizeof(big)),
			 VIRTIO_CONSOLE_INBUF);
	assert_int_equal(virtio_console_input_room(&t), 0);
	assert_int_equal(virtio_console_input(&t, "x", 1), 0);
	/* a reset forgets it */
	fd_bring_up(&d, 0);
	assert_int_equal(virtio_console_input_room(&t), VIRTIO_CONSOLE_INBUF);
	fd_add_chain(&d, RXQ, (struct fd_buf[]){{r, 16, true}}, 1);
	fd_kick(&d, RXQ);
	assert_false(fd_used(&d, RXQ, &id, &len));
	/* a receive buffer the device could read: refused */
	fd_add_chain(&d, RXQ, (struct fd_buf[]){{r, 16, false}}, 1);
	virtio_console_input(&t, "hi", 2);
	/* the first (good) buffer got the input, the second is refused */
	assert_true(fd_used(&d, RXQ, &id, &len));
	assert_int_equal(len, 2);
	assert_false(fd_used(&d, RXQ, &id, &len));
	virtio_console_input(&t, "!", 1);
	assert_true(fd_used(&d, RXQ, &id, &len));
	assert_int_equal(len, 0);
	assert_int_equal(virtio_console_stats(&t)->dropped, 1);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_output),
		T(test_output_wrong_direction),
		T(test_input),
		T(test_input_bounded_and_reset),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
