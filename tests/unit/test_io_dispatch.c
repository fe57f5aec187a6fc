/* SPDX-License-Identifier: BSD-3-Clause */
/* Dispatch policy: handler, then device model, then the unhandled policy. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>

#include "host_log.h"
#include "test_io_support.h"

struct fake_dev {
	unsigned calls;
	uint64_t last_offset;
	unsigned last_size;
	bool last_write;
	uint64_t last_value; /* write data seen */
	uint64_t reply;      /* read result given, unmasked */
	int rc;
};

static int fake_fn(void *priv, uint64_t offset, unsigned size, bool write,
		   uint64_t *value)
{
	struct fake_dev *d = priv;

	d->calls++;
	d->last_offset = offset;
	d->last_size = size;
	d->last_write = write;
	if (write)
		d->last_value = *value;
	else
		*value = d->reply;
	return d->rc;
}

static struct io_vm *vm_with_dev(struct fake_dev *d, bool pages, bool abort)
{
	struct io_vm *io = tio_vm_new(2, TESSERA_IO_COMPLETION_POLLING, abort, pages);

	assert_int_equal(io_register(io, IO_SPACE_MMIO, 0x9000000, 0x1000, fake_fn,
				     d, "fake"), 0);
	return io;
}

static void test_handler_read_and_write(void **state)
{
	struct fake_dev d = {.reply = 0x1122334455667788};
	struct io_vm *io = vm_with_dev(&d, true, false);
	struct io_access a = tio_read(IO_SPACE_MMIO, 0x9000018, 2);
	struct io_stats st;

	(void)state;
	assert_int_equal(io_emulate(io, 1, &a), IO_DONE);
	assert_int_equal(a.value, 0x7788); /* masked to the access size */
	assert_int_equal(d.last_offset, 0x18); /* region-relative */
	assert_int_equal(d.last_size, 2);
	assert_false(d.last_write);

	a = tio_write(IO_SPACE_MMIO, 0x9000ffc, 4, 0xaabbccdd00112233);
	assert_int_equal(io_emulate(io, 0, &a), IO_DONE);
	assert_true(d.last_write);
	assert_int_equal(d.last_value, 0x00112233);
	assert_int_equal(d.last_offset, 0xffc);

	io_vm_get_stats(io, &st);
	assert_int_equal(st.emulated, 2);
	assert_int_equal(st.forwarded, 0);
	assert_int_equal(tio_slots(io)[0].state, TESSERA_IO_STATE_FREE);
	tio_vm_free(io);
}

static void test_handler_error_fails_access(void **state)
{
	struct fake_dev d = {.rc = -EIO};
	struct io_vm *io = vm_with_dev(&d, false, false);
	struct io_access a = tio_read(IO_SPACE_MMIO, 0x9000000, 4);
	struct io_stats st;

	(void)state;
	a.value = 5;
	assert_int_equal(io_emulate(io, 0, &a), IO_ABORT);
	assert_int_equal(a.value, 5);
	io_vm_get_stats(io, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.emulated, 0);
	tio_vm_free(io);
}

/* Straddling is an error, never two calls nor a forward of half of it. */
static void test_straddle_is_an_error(void **state)
{
	struct fake_dev d = {0};
	struct io_vm *io = vm_with_dev(&d, true, false);
	struct io_access a = tio_read(IO_SPACE_MMIO, 0x9000ffe, 4);
	struct io_stats st;

	(void)state;
	assert_int_equal(io_emulate(io, 0, &a), IO_ABORT);
	a = tio_write(IO_SPACE_MMIO, 0x8fffffc, 8, 1);
	assert_int_equal(io_emulate(io, 0, &a), IO_ABORT);
	assert_int_equal(d.calls, 0);
	io_vm_get_stats(io, &st);
	assert_int_equal(st.failed, 2);
	assert_int_equal(st.forwarded, 0);
	assert_int_equal(tio_slots(io)[0].state, TESSERA_IO_STATE_FREE);
	tio_vm_free(io);
}

static void test_unhandled_without_device_model(void **state)
{
	static const struct {
		unsigned size;
		uint64_t ones;
	} cases[] = {{1, 0xff}, {2, 0xffff}, {4, 0xffffffff}, {8, ~0ull}};
	struct fake_dev d = {0};
	struct io_vm *io = vm_with_dev(&d, false, false);
	struct io_stats st;

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(cases); i++) {
		struct io_access a = tio_read(IO_SPACE_PIO, 0x60, cases[i].size);

		assert_int_equal(io_emulate(io, 0, &a), IO_DONE);
		assert_int_equal(a.value, cases[i].ones);
		a = tio_write(IO_SPACE_MMIO, 0x100, cases[i].size, 0x1234);
		assert_int_equal(io_emulate(io, 1, &a), IO_DONE);
		assert_int_equal(a.value, 0x1234);
	}
	io_vm_get_stats(io, &st);
	assert_int_equal(st.unhandled, 8);
	assert_int_equal(st.forwarded, 0);
	assert_int_equal(d.calls, 0);
	tio_vm_free(io);
}

static void test_unhandled_abort_option(void **state)
{
	struct fake_dev d = {0};
	struct io_vm *io = vm_with_dev(&d, false, true);
	struct io_access a = tio_read(IO_SPACE_MMIO, 0x100, 4);

	(void)state;
	a.value = 9;
	assert_int_equal(io_emulate(io, 0, &a), IO_ABORT);
	assert_int_equal(a.value, 9);
	a = tio_write(IO_SPACE_MMIO, 0x100, 4, 1);
	assert_int_equal(io_emulate(io, 0, &a), IO_ABORT);
	/* Handlers still work. */
	a = tio_read(IO_SPACE_MMIO, 0x9000000, 4);
	assert_int_equal(io_emulate(io, 0, &a), IO_DONE);
	tio_vm_free(io);
}

static void test_unhandled_logs_are_rate_limited(void **state)
{
	struct io_vm *io = tio_vm_new(1, TESSERA_IO_COMPLETION_NOTIFY, false, false);
	const unsigned n = 3 * LOG_RATELIMIT_SUMMARY + 100;

	(void)state;
	host_log_reset();
	for (unsigned i = 0; i < n; i++) {
		struct io_access a = tio_read(IO_SPACE_MMIO, i, 1);

		assert_int_equal(io_emulate(io, 0, &a), IO_DONE);
	}
	/* The burst, then a summary per LOG_RATELIMIT_SUMMARY suppressed. */
	assert_int_equal(host_log_lines[LOG_INFO], LOG_RATELIMIT_BURST + 3);
	assert_int_equal(host_log_count("io: unhandled mmio read 1 bytes at"),
			 LOG_RATELIMIT_BURST);
	assert_int_equal(host_log_count("vm vm1: 131072 of 131080 \"io: "
					"unhandled access\" lines suppressed so far"), 1);
	/* The run ends: the rest is summed up once, then a new burst. */
	io_vm_log_summaries(io);
	assert_int_equal(host_log_count("vm vm1: 196700 of 196708 \"io: "
					"unhandled access\" lines suppressed"), 1);
	assert_int_equal(host_log_lines[LOG_INFO], LOG_RATELIMIT_BURST + 4);
	io_vm_log_summaries(io);
	assert_int_equal(host_log_lines[LOG_INFO], LOG_RATELIMIT_BURST + 4);
	for (unsigned i = 0; i < LOG_RATELIMIT_BURST + 1; i++) {
		struct io_access a = tio_read(IO_SPACE_MMIO, i, 1);

		io_emulate(io, 0, &a);
	}
	assert_int_equal(host_log_lines[LOG_INFO], 2 * LOG_RATELIMIT_BURST + 4);
	tio_vm_free(io);
}

/* Each reason has its own limit: a flood of one hides no line of another. */
static void test_reasons_limited_apart(void **state)
{
	struct io_vm *io = tio_vm_new(1, TESSERA_IO_COMPLETION_NOTIFY, false, false);
	struct io_access bad = tio_read(IO_SPACE_MMIO, 0x100, 3); /* size 3 */

	(void)state;
	host_log_reset();
	for (unsigned i = 0; i < 1000; i++) {
		struct io_access a = tio_read(IO_SPACE_MMIO, i, 1);

		io_emulate(io, 0, &a);
	}
	assert_int_equal(io_emulate(io, 0, &bad), IO_ABORT);
	assert_int_equal(host_log_count("io: mmio read 3 bytes at 0x100"), 1);
	assert_int_equal(host_log_lines[LOG_WARN], 1);
	/* and only what was suppressed is summed up */
	io_vm_log_summaries(io);
	assert_int_equal(host_log_count("lines suppressed"), 1);
	assert_int_equal(host_log_count("\"io: refused access\""), 0);
	tio_vm_free(io);
}

/* With a device model, what no handler takes is forwarded, in every space. */
static void test_forward_in_every_space(void **state)
{
	struct fake_dev d = {0};
	struct io_vm *io = vm_with_dev(&d, true, true);

	(void)state;
	for (unsigned space = 0; space < IO_SPACE_COUNT; space++) {
		struct io_access a = tio_read(space, 0x9000000, 4);

		if (space == IO_SPACE_MMIO)
			a.addr = 0x9001000; /* just past the handler */
		assert_int_equal(io_emulate(io, 0, &a), IO_PENDING);
		assert_int_equal(tio_slots(io)[0].req.type, space);
		assert_int_equal(tio_slots(io)[0].req.addr, a.addr);
		tio_dm_complete(io, 0, space);
		assert_int_equal(tio_wait(io, 0, &a), IO_DONE);
		assert_int_equal(a.value, space);
	}
	assert_int_equal(d.calls, 0);
	tio_vm_free(io);
}

static void test_malformed_accesses_fail(void **state)
{
	struct io_vm *io = tio_vm_new(2, TESSERA_IO_COMPLETION_POLLING, false, true);
	struct io_access bad[] = {
		tio_read(IO_SPACE_MMIO, 0x100, 0),
		tio_read(IO_SPACE_MMIO, 0x100, 3),
		tio_read(IO_SPACE_MMIO, 0x100, 16),
		tio_read(IO_SPACE_COUNT, 0x100, 4),
		tio_read(IO_SPACE_MMIO, ~0ull - 2, 4), /* wraps */
		tio_read(IO_SPACE_MMIO, 0x100, 4),
	};
	struct io_stats st;

	(void)state;
	bad[5].reg = 32;
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
		assert_int_equal(io_emulate(io, 0, &bad[i]), IO_ABORT);
	bad[5].reg = 0;
	assert_int_equal(io_emulate(io, 2, &bad[5]), IO_ABORT); /* vCPU id */
	io_vm_get_stats(io, &st);
	assert_int_equal(st.failed, ARRAY_SIZE(bad) + 1);
	assert_int_equal(st.forwarded, 0);
	/* The very last byte of the space is fine. */
	bad[0] = tio_read(IO_SPACE_MMIO, ~0ull, 1);
	assert_int_equal(io_emulate(io, 0, &bad[0]), IO_PENDING);
	tio_dm_complete(io, 0, 1);
	assert_int_equal(tio_wait(io, 0, &bad[0]), IO_DONE);
	tio_vm_free(io);
}

/* Several pCPUs at once: every event counted, exactly the burst logged. */
struct rl_thread {
	struct log_ratelimit *rl;
	unsigned allowed;
};

static void *rl_hammer(void *arg)
{
	struct rl_thread *t = arg;

	for (unsigned i = 0; i < 100000; i++)
		t->allowed += log_ratelimit_allow(t->rl);
	return NULL;
}

static void test_log_ratelimit(void **state)
{
	struct log_ratelimit rl = LOG_RATELIMIT_INIT(LOG_WARN, "x", "thing");
	struct log_ratelimit hv = LOG_RATELIMIT_INIT(LOG_ERROR, NULL, "thing");
	struct rl_thread t[4];
	pthread_t th[4];
	unsigned allowed = 0;

	(void)state;
	host_log_reset();
	for (unsigned i = 0; i < 4; i++) {
		t[i] = (struct rl_thread){.rl = &rl};
		assert_int_equal(pthread_create(&th[i], NULL, rl_hammer, &t[i]), 0);
	}
	for (unsigned i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		allowed += t[i].allowed;
	}
	assert_int_equal(allowed, LOG_RATELIMIT_BURST);
	/* 400000 - 8 suppressed: 6 periodic summaries, at the right counts */
	assert_int_equal(host_log_lines[LOG_WARN], 6);
	assert_int_equal(host_log_count("vm x: 393216 of 393224 \"thing\" "
					"lines suppressed so far"), 1);
	log_ratelimit_flush(&rl);
	assert_int_equal(host_log_count("vm x: 399992 of 400000 \"thing\" "
					"lines suppressed"), 1);
	/* Within the burst nothing is suppressed, so nothing is summed up. */
	for (unsigned i = 0; i < LOG_RATELIMIT_BURST; i++)
		assert_true(log_ratelimit_allow(&hv));
	log_ratelimit_flush(&hv);
	assert_int_equal(host_log_lines[LOG_ERROR], 0);
	for (unsigned i = 0; i < LOG_RATELIMIT_BURST + 2; i++)
		log_ratelimit_allow(&hv);
	log_ratelimit_flush(&hv);
	assert_int_equal(host_log_count("2 of 10 \"thing\" lines suppressed"), 1);
	assert_int_equal(host_log_lines[LOG_ERROR], 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handler_read_and_write),
		cmocka_unit_test(test_handler_error_fails_access),
		cmocka_unit_test(test_straddle_is_an_error),
		cmocka_unit_test(test_unhandled_without_device_model),
		cmocka_unit_test(test_unhandled_abort_option),
		cmocka_unit_test(test_unhandled_logs_are_rate_limited),
		cmocka_unit_test(test_forward_in_every_space),
		cmocka_unit_test(test_malformed_accesses_fail),
		cmocka_unit_test(test_log_ratelimit),
		cmocka_unit_test(test_reasons_limited_apart),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
