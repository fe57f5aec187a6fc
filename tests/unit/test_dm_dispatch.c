/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device model's request path: the address map (iobus.c on the
 * hypervisor's handler table) and the request slots (ioreq.c). Hits reach
 * the one handler holding the access with its offset and masked data,
 * misses and straddles read all-ones and drop writes (logged, rate
 * limited), and a slot whose fields are nonsense is completed with
 * all-ones without any handler seeing it.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "host/host_log.h"
#include "iobus.h"
#include "ioreq.h"

struct dev {
	unsigned calls;
	uint64_t last_off, last_value;
	unsigned last_size;
	bool last_write;
	int rc;
	struct tessera_io_slot *cancel; /* set this slot FREE when called */
};

static int dev_fn(void *priv, uint64_t off, unsigned size, bool write,
		  uint64_t *value)
{
	struct dev *d = priv;

	d->calls++;
	d->last_off = off;
	d->last_size = size;
	d->last_write = write;
	d->last_value = *value;
	if (d->cancel)
		__atomic_store_n(&d->cancel->state, TESSERA_IO_STATE_FREE,
				 __ATOMIC_RELAXED);
	if (!write) /* garbage above the access size: must be masked */
		*value = 0x1122334455667788ull ^ off;
	return d->rc;
}

static struct iobus bus;
static struct dev a, b, bad;

static int setup(void **state)
{
	(void)state;
	iobus_init(&bus);
	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	memset(&bad, 0, sizeof(bad));
	bad.rc = -EIO;
	assert_int_equal(iobus_add(&bus, TESSERA_IO_TYPE_MMIO, 0x1000, 0x100,
				   dev_fn, &a, "a"), 0);
	assert_int_equal(iobus_add(&bus, TESSERA_IO_TYPE_MMIO, 0x1100, 0x100,
				   dev_fn, &b, "b"), 0);
	assert_int_equal(iobus_add(&bus, TESSERA_IO_TYPE_MMIO, 0x3000, 0x10,
				   dev_fn, &bad, "bad"), 0);
	host_log_reset();
	return 0;
}

static uint64_t mask(unsigned size)
{
	return size == 8 ? ~0ull : (1ull << (8 * size)) - 1;
}

static void test_hits(void **state)
{
	static const unsigned sizes[] = {1, 2, 4, 8};

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		unsigned s = sizes[i];
		uint64_t v = iobus_access(&bus, TESSERA_IO_TYPE_MMIO, 0x1010, s,
					  false, 0xdead);

		assert_int_equal(v, (0x1122334455667788ull ^ 0x10) & mask(s));
		assert_int_equal(a.last_off, 0x10);
		assert_int_equal(a.last_size, s);
		assert_false(a.last_write);
		assert_int_equal(a.last_value, 0); /* a read brings no data */
		assert_int_equal(iobus_access(&bus, TESSERA_IO_TYPE_MMIO,
					      0x1100 - s, s, true,
					      0xf0e1d2c3b4a59687ull), 0);
		assert_true(a.last_write);
		assert_int_equal(a.last_off, 0x100 - s);
		assert_int_equal(a.last_value, 0xf0e1d2c3b4a59687ull & mask(s));
	}
	assert_int_equal(a.calls, 8);
	/* b's first byte, its last eight */
	iobus_access(&bus, TESSERA_IO_TYPE_MMIO, 0x1100, 1, false, 0);
	assert_int_equal(b.last_off, 0);
	iobus_access(&bus, TESSERA_IO_TYPE_MMIO, 0x11f8, 8, false, 0);
	assert_int_equal(b.last_off, 0xf8);
	assert_int_equal(bus.stats.handled, 10);
	assert_int_equal(host_log_lines[LOG_WARN], 0);
}

static void test_misses_read_all_ones(void **state)
{
	static const struct {
		unsigned type;
		uint64_t addr;
	} miss[] = {
		{TESSERA_IO_TYPE_MMIO, 0xff8},       /* ends just below a */
		{TESSERA_IO_TYPE_MMIO, 0x1200},      /* just above b */
		{TESSERA_IO_TYPE_MMIO, 0},
		{TESSERA_IO_TYPE_MMIO, ~0ull - 7},
		{TESSERA_IO_TYPE_PIO, 0x1000},       /* a's address, other space */
		{TESSERA_IO_TYPE_PCI_CFG, 0x1000},
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(miss) / sizeof(miss[0]); i++)
		for (unsigned s = 1; s <= 8; s *= 2) {
			assert_int_equal(iobus_access(&bus, miss[i].type,
						      miss[i].addr, s, false, 0),
					 mask(s));
			assert_int_equal(iobus_access(&bus, miss[i].type,
						      miss[i].addr, s, true, 5),
					 0);
		}
	assert_int_equal(a.calls + b.calls + bad.calls, 0);
	assert_int_equal(bus.stats.unknown, 6 * 4 * 2);
	assert_int_equal(host_log_lines[LOG_WARN], LOG_RATELIMIT_BURST);
}

static void test_straddles(void **state)
{
	(void)state;
	/* across a's start, across a/b, across b's end; never two calls */
	assert_int_equal(iobus_access(&bus, TESSERA_IO_TYPE_MMIO, 0xffe, 4,
				      false, 0), 0xffffffff);
	assert_int_equal(iobus_access(&bus, TESSERA_IO_TYPE_MMIO, 0x10fc, 8,
				      false, 0), ~0ull);
	assert_int_equal(iobus_access(&bus, TESSERA_IO_TYPE_MMIO, 0x10ff, 2,
				      true, 0xffff), 0);
	assert_int_equal(iobus_access(&bus, TESSERA_IO_TYPE_MMIO, 0x11ff, 2,
				      false, 0), 0xffff);
	assert_int_equal(a.calls + b.calls, 0);
	assert_int_equal(bus.stats.straddled, 4);
	assert_int_equal(bus.stats.unknown, 0);
}

static void test_handler_error_and_rate_limit(void **state)
{
	(void)state;
	assert_int_equal(iobus_access(&bus, TESSERA_IO_TYPE_MMIO, 0x3004, 4,
				      false, 0), 0xffffffff);
	assert_int_equal(bad.calls, 1);
	assert_int_equal(bus.stats.failed, 1);
	host_log_reset();
	/* The burst, then a summary every LOG_RATELIMIT_SUMMARY misses; the
	 * failure above is another reason, with its own limit. */
	for (unsigned i = 0; i < LOG_RATELIMIT_BURST + LOG_RATELIMIT_SUMMARY; i++)
		iobus_access(&bus, TESSERA_IO_TYPE_MMIO, 0x9000, 4, false, 0);
	assert_int_equal(host_log_lines[LOG_WARN], LOG_RATELIMIT_BURST + 1);
	assert_int_equal(host_log_count("65536 of 65544 \"access no device "
					"takes\" lines suppressed so far"), 1);
}

static void test_table_rules(void **state)
{
	struct dev c = {0};

	(void)state;
	assert_int_equal(iobus_add(&bus, TESSERA_IO_TYPE_MMIO, 0x10f0, 0x20,
				   dev_fn, &c, "c"), -EEXIST);
	assert_int_equal(iobus_add(&bus, TESSERA_IO_TYPE_MMIO, 0xf00, 0x101,
				   dev_fn, &c, "c"), -EEXIST);
	assert_int_equal(iobus_add(&bus, TESSERA_IO_TYPE_MMIO, 0x5000, 0, dev_fn,
				   &c, "c"), -EINVAL);
	assert_int_equal(iobus_add(&bus, TESSERA_IO_TYPE_COUNT, 0x5000, 1,
				   dev_fn, &c, "c"), -EINVAL);
	assert_int_equal(iobus_add(&bus, TESSERA_IO_TYPE_MMIO, ~0ull, 2, dev_fn,
				   &c, "c"), -EINVAL);
	/* right next to a, and at a's address in another space: fine */
	assert_int_equal(iobus_add(&bus, TESSERA_IO_TYPE_MMIO, 0xf00, 0x100,
				   dev_fn, &c, "c"), 0);
	assert_int_equal(iobus_add(&bus, TESSERA_IO_TYPE_PIO, 0x1000, 0x100,
				   dev_fn, &c, "c"), 0);
	iobus_access(&bus, TESSERA_IO_TYPE_PIO, 0x1004, 1, true, 1);
	assert_int_equal(c.calls, 1);
	assert_int_equal(a.calls, 0);
}

/* ---- slots ---- */

#define VCPUS 5
static struct tessera_io_slot *slots;
static struct ioreq rq;

static int setup_slots(void **state)
{
	setup(state);
	slots = aligned_alloc(4096, 4096);
	memset(slots, 0, 4096);
	assert_int_equal(ioreq_init(&rq, slots, VCPUS, &bus), 0);
	return 0;
}

static int teardown_slots(void **state)
{
	(void)state;
	free(slots);
	return 0;
}

static void put(unsigned v, uint32_t state, uint32_t type, uint32_t dir,
		uint64_t addr, uint32_t size, uint64_t value)
{
	slots[v].state = state;
	slots[v].req = (struct tessera_io_request){
		.type = type, .direction = dir, .addr = addr, .size = size,
		.value = value,
	};
}

static void test_slot_init_limits(void **state)
{
	struct ioreq q;

	(void)state;
	assert_int_equal(ioreq_init(&q, slots, 0, &bus), -EINVAL);
	assert_int_equal(ioreq_init(&q, slots, 65, &bus), -EINVAL);
	assert_int_equal(ioreq_init(&q, NULL, 1, &bus), -EINVAL);
	assert_int_equal(ioreq_init(&q, slots, 64, &bus), 0);
}

static void test_serve_mask(void **state)
{
	uint64_t done;

	(void)state;
	put(0, TESSERA_IO_STATE_PROCESSING, TESSERA_IO_TYPE_MMIO,
	    TESSERA_IO_READ, 0x1020, 4, 0x5555); /* junk in a read's value */
	put(1, TESSERA_IO_STATE_PENDING, TESSERA_IO_TYPE_MMIO, TESSERA_IO_READ,
	    0x1000, 4, 0);
	put(2, TESSERA_IO_STATE_PROCESSING, TESSERA_IO_TYPE_MMIO,
	    TESSERA_IO_WRITE, 0x1104, 2, 0xabcdef);
	put(3, TESSERA_IO_STATE_FREE, TESSERA_IO_TYPE_MMIO, TESSERA_IO_READ,
	    0x1000, 4, 0);
	put(4, TESSERA_IO_STATE_PROCESSING, TESSERA_IO_TYPE_MMIO,
	    TESSERA_IO_READ, 0x7000, 2, 0);
	/* 0, 2, 3 (FREE: not ours), 4 (a miss); bit 9 is beyond the VM */
	done = ioreq_serve_mask(&rq, 0x21d);
	assert_int_equal(done, 0x15);
	assert_int_equal(slots[0].state, TESSERA_IO_STATE_COMPLETE);
	assert_int_equal(slots[0].req.value,
			 (0x1122334455667788ull ^ 0x20) & 0xffffffff);
	assert_int_equal(a.last_value, 0); /* the junk never reached it */
	assert_int_equal(slots[1].state, TESSERA_IO_STATE_PENDING);
	assert_int_equal(slots[2].state, TESSERA_IO_STATE_COMPLETE);
	assert_int_equal(slots[2].req.value, 0xabcdef); /* a write: untouched */
	assert_int_equal(b.last_value, 0xcdef);          /* masked to 2 bytes */
	assert_int_equal(b.last_off, 4);
	assert_int_equal(slots[3].state, TESSERA_IO_STATE_FREE);
	assert_int_equal(slots[4].state, TESSERA_IO_STATE_COMPLETE);
	assert_int_equal(slots[4].req.value, 0xffff);
	assert_int_equal(rq.stats.completed, 3);
	assert_int_equal(rq.stats.stray, 2); /* bit 9, and vCPU 3 */
}

static void test_bad_slot_fields(void **state)
{
	static const struct tessera_io_request bad_req[] = {
		{.type = 3, .direction = 0, .addr = 0x1000, .size = 4},
		{.type = 0xffffffff, .direction = 0, .addr = 0x1000, .size = 4},
		{.type = 1, .direction = 2, .addr = 0x1000, .size = 4},
		{.type = 1, .direction = 0, .addr = 0x1000, .size = 0},
		{.type = 1, .direction = 0, .addr = 0x1000, .size = 3},
		{.type = 1, .direction = 0, .addr = 0x1000, .size = 16},
		{.type = 1, .direction = 0, .addr = ~0ull, .size = 2},
		{.type = 1, .direction = 1, .addr = ~0ull - 2, .size = 4,
		 .value = 7},
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(bad_req) / sizeof(bad_req[0]); i++) {
		slots[0].state = TESSERA_IO_STATE_PROCESSING;
		slots[0].req = bad_req[i];
		assert_int_equal(ioreq_serve_mask(&rq, 1), 1);
		assert_int_equal(slots[0].state, TESSERA_IO_STATE_COMPLETE);
		if (bad_req[i].direction == TESSERA_IO_WRITE)
			assert_int_equal(slots[0].req.value, 7);
		else
			assert_int_equal(slots[0].req.value, ~0ull);
	}
	assert_int_equal(rq.stats.malformed, 8);
	assert_int_equal(a.calls + b.calls + bad.calls, 0);
	assert_int_equal(host_log_lines[LOG_WARN], 8);
	/* the last byte of the address space is a valid 1-byte access */
	put(0, TESSERA_IO_STATE_PROCESSING, TESSERA_IO_TYPE_MMIO,
	    TESSERA_IO_READ, ~0ull, 1, 0);
	ioreq_serve_mask(&rq, 1);
	assert_int_equal(slots[0].req.value, 0xff);
	assert_int_equal(rq.stats.malformed, 8);
}

static void test_cancelled_under_the_dm(void **state)
{
	(void)state;
	/* the hypervisor takes the slot back while the device emulates */
	a.cancel = &slots[1];
	put(1, TESSERA_IO_STATE_PROCESSING, TESSERA_IO_TYPE_MMIO,
	    TESSERA_IO_READ, 0x1000, 4, 0);
	assert_int_equal(ioreq_serve_mask(&rq, 2), 0);
	assert_int_equal(slots[1].state, TESSERA_IO_STATE_FREE);
	assert_int_equal(rq.stats.lost, 1);
	assert_int_equal(rq.stats.completed, 0);
}

static void test_polling_claims(void **state)
{
	(void)state;
	put(0, TESSERA_IO_STATE_PENDING, TESSERA_IO_TYPE_MMIO, TESSERA_IO_READ,
	    0x1100, 1, 0);
	put(1, TESSERA_IO_STATE_FREE, TESSERA_IO_TYPE_MMIO, TESSERA_IO_READ,
	    0x1100, 1, 0);
	put(2, TESSERA_IO_STATE_COMPLETE, TESSERA_IO_TYPE_MMIO,
	    TESSERA_IO_READ, 0x1100, 1, 0x42);
	put(3, TESSERA_IO_STATE_PROCESSING, TESSERA_IO_TYPE_MMIO,
	    TESSERA_IO_WRITE, 0x1108, 4, 9); /* a driver claimed it for us */
	put(4, 7, TESSERA_IO_TYPE_MMIO, TESSERA_IO_READ, 0x1100, 1, 0);
	assert_int_equal(ioreq_poll(&rq), 2);
	assert_int_equal(slots[0].state, TESSERA_IO_STATE_COMPLETE);
	assert_int_equal(slots[0].req.value, (0x1122334455667788ull) & 0xff);
	assert_int_equal(slots[1].state, TESSERA_IO_STATE_FREE);
	assert_int_equal(slots[2].state, TESSERA_IO_STATE_COMPLETE);
	assert_int_equal(slots[2].req.value, 0x42); /* not served twice */
	assert_int_equal(slots[3].state, TESSERA_IO_STATE_COMPLETE);
	assert_int_equal(b.last_value, 9);
	assert_int_equal(slots[4].state, 7); /* garbage state: left alone */
	assert_int_equal(b.calls, 2);
	assert_int_equal(ioreq_poll(&rq), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_hits, setup),
		cmocka_unit_test_setup(test_misses_read_all_ones, setup),
		cmocka_unit_test_setup(test_straddles, setup),
		cmocka_unit_test_setup(test_handler_error_and_rate_limit, setup),
		cmocka_unit_test_setup(test_table_rules, setup),
		cmocka_unit_test_setup_teardown(test_slot_init_limits,
						setup_slots, teardown_slots),
		cmocka_unit_test_setup_teardown(test_serve_mask, setup_slots,
						teardown_slots),
		cmocka_unit_test_setup_teardown(test_bad_slot_fields,
						setup_slots, teardown_slots),
		cmocka_unit_test_setup_teardown(test_cancelled_under_the_dm,
						setup_slots, teardown_slots),
		cmocka_unit_test_setup_teardown(test_polling_claims, setup_slots,
						teardown_slots),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
