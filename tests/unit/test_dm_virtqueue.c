/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Split virtqueues against a hostile driver (devicemodel/virtqueue.c). Guest
 * RAM sits flush against a PROT_NONE page (guarded.h), so a walk that reads
 * or a push that writes one byte outside it faults. Every rule of
 * virtqueue.h is broken once: loops, descriptors and buffers out of range,
 * wrapping addresses, wrong flag order, indirect descriptors, huge avail
 * index jumps, zero lengths, 4 GiB chains.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "guarded.h"
#include "guest_mem.h"
#include "host/host_log.h"
#include "virtio.h"
#include "virtqueue.h"

#define RAM_GPA 0x40000000ull
#define RAM_SIZE 0x10000ull /* 64 KiB */
#define DESC (RAM_GPA + 0x0)
#define AVAIL (RAM_GPA + 0x1000)
#define USED (RAM_GPA + 0x2000)
#define BUFS (RAM_GPA + 0x4000)

static struct guarded g;
static struct guest_mem mem;
static struct virtqueue vq;
static struct vq_chain ch;
static uint16_t avail_idx;

static void *host(uint64_t gpa)
{
	return gpa_to_host(&mem, gpa, 1);
}

static void set_desc(uint16_t i, uint64_t addr, uint32_t len, uint16_t flags,
		     uint16_t next)
{
	uint8_t *p = host(DESC + 16ull * i);
	uint64_t a = htole64(addr);
	uint32_t l = htole32(len);
	uint16_t f = htole16(flags), n = htole16(next);

	memcpy(p, &a, 8);
	memcpy(p + 8, &l, 4);
	memcpy(p + 12, &f, 2);
	memcpy(p + 14, &n, 2);
}

static void set_avail_idx(uint16_t idx)
{
	uint16_t v = htole16(idx);

	memcpy(host(AVAIL + 2), &v, 2);
	avail_idx = idx;
}

/* Make head the next available entry. */
static void publish(uint16_t head)
{
	uint16_t v = htole16(head);

	memcpy(host(AVAIL + 4 + 2ull * (avail_idx % vq.size)), &v, 2);
	set_avail_idx(avail_idx + 1);
}

static uint16_t used_idx(void)
{
	uint16_t v;

	memcpy(&v, host(USED + 2), 2);
	return le16toh(v);
}

static void used_elem(uint16_t i, uint32_t *id, uint32_t *len)
{
	memcpy(id, host(USED + 4 + 8ull * (i % vq.size)), 4);
	memcpy(len, host(USED + 8 + 8ull * (i % vq.size)), 4);
}

static int setup_size(uint32_t size)
{
	const char *why = NULL;

	guarded_init(&g, RAM_SIZE);
	memset(g.data, 0, RAM_SIZE);
	guest_mem_wrap(&mem, g.data, RAM_GPA, RAM_SIZE);
	vq_init(&vq, &mem, "test queue");
	avail_idx = 0;
	host_log_reset();
	return vq_enable(&vq, size, DESC, AVAIL, USED, &why);
}

static int setup(void **state)
{
	(void)state;
	return setup_size(8);
}

static int teardown(void **state)
{
	(void)state;
	guarded_fini(&g);
	return 0;
}

static void test_enable_checks(void **state)
{
	static const struct {
		uint32_t size;
		uint64_t desc, avail, used;
	} bad[] = {
		{0, DESC, AVAIL, USED},
		{3, DESC, AVAIL, USED},
		{512, DESC, AVAIL, USED},                  /* above the max */
		{65536, DESC, AVAIL, USED},
		{8, RAM_GPA - 16, AVAIL, USED},            /* below RAM */
		{8, RAM_GPA + RAM_SIZE - 64, AVAIL, USED}, /* 128 bytes: past end */
		{8, DESC, RAM_GPA + RAM_SIZE - 20, USED},  /* avail 22 bytes */
		{8, DESC, AVAIL, RAM_GPA + RAM_SIZE - 68}, /* used 70 bytes */
		{8, DESC, AVAIL, ~0ull - 8},               /* wraps */
		{8, DESC + 8, AVAIL, USED},                /* misaligned */
		{8, DESC, AVAIL + 1, USED},
		{8, DESC, AVAIL, USED + 2},
	};
	const char *why;

	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		assert_int_equal(vq_enable(&vq, bad[i].size, bad[i].desc,
					   bad[i].avail, bad[i].used, &why),
				 -EINVAL);
		assert_non_null(why);
		assert_false(vq.ready);
		assert_int_equal(vq_pop(&vq, &ch), VQ_EMPTY);
	}
	/* the rings may end exactly at the end of RAM */
	assert_int_equal(vq_enable(&vq, 8, RAM_GPA + RAM_SIZE - 128,
				   RAM_GPA + RAM_SIZE - 22,
				   RAM_GPA + RAM_SIZE - 256, &why), 0);
	assert_true(vq.ready);
}

static void test_good_chain(void **state)
{
	uint8_t out[12], in[10] = "0123456789";
	uint32_t id, len;

	(void)state;
	memcpy(host(BUFS), "hello, ", 7);
	memcpy(host(BUFS + 0x100), "world", 5);
	set_desc(5, BUFS, 7, VIRTQ_DESC_F_NEXT, 2);
	set_desc(2, BUFS + 0x100, 5, VIRTQ_DESC_F_NEXT, 7);
	set_desc(7, BUFS + 0x200, 4, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 0);
	set_desc(0, BUFS + 0x300, 6, VIRTQ_DESC_F_WRITE, 0);
	publish(5);
	assert_int_equal(vq_pop(&vq, &ch), VQ_CHAIN);
	assert_int_equal(ch.head, 5);
	assert_int_equal(ch.nr_read, 2);
	assert_int_equal(ch.nr_write, 2);
	assert_int_equal(ch.read_len, 12);
	assert_int_equal(ch.write_len, 10);
	assert_int_equal(vq_chain_read(&ch, 0, out, 12), 0);
	assert_memory_equal(out, "hello, world", 12);
	assert_int_equal(vq_chain_read(&ch, 5, out, 4), 0);
	assert_memory_equal(out, ", wo", 4);
	assert_int_equal(vq_chain_read(&ch, 9, out, 4), -1); /* too short */
	assert_int_equal(vq_chain_write(&ch, 0, in, 10), 0);
	assert_memory_equal(host(BUFS + 0x200), "0123", 4);
	assert_memory_equal(host(BUFS + 0x300), "456789", 6);
	assert_int_equal(vq_chain_write(&ch, 3, in, 8), -1);
	assert_int_equal(vq_pop(&vq, &ch), VQ_EMPTY);
	vq_push(&vq, 5, 10);
	assert_int_equal(used_idx(), 1);
	used_elem(0, &id, &len);
	assert_int_equal(id, 5);
	assert_int_equal(len, 10);
	assert_true(vq_wants_interrupt(&vq));
	/* NO_INTERRUPT: no used-buffer interrupt wanted */
	*(uint16_t *)host(AVAIL) = htole16(VIRTQ_AVAIL_F_NO_INTERRUPT);
	assert_false(vq_wants_interrupt(&vq));
	assert_int_equal(host_log_lines[LOG_WARN], 0);
}

static void expect_bad(enum vq_pop want)
{
	uint16_t head;

	assert_int_equal(vq_pop(&vq, &ch), want);
	head = ch.head;
	if (want == VQ_BAD_CHAIN)
		vq_push(&vq, head, 0);
}

static void test_loops_end(void **state)
{
	(void)state;
	/* 0 -> 1 -> 0 ... */
	set_desc(0, BUFS, 16, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, BUFS, 16, VIRTQ_DESC_F_NEXT, 0);
	publish(0);
	expect_bad(VQ_BAD_CHAIN);
	/* and the walk gave up after the queue's 8 descriptors */
	assert_true(ch.nr_read + ch.nr_write <= 8);
	/* a descriptor pointing at itself, zero-length so it is cheap */
	set_desc(3, 0, 0, VIRTQ_DESC_F_NEXT, 3);
	publish(3);
	expect_bad(VQ_BAD_CHAIN);
	/* a loop through writable descriptors */
	set_desc(4, BUFS, 1, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 5);
	set_desc(5, BUFS, 1, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 4);
	publish(4);
	expect_bad(VQ_BAD_CHAIN);
	/* all 8 descriptors in one chain is the longest legal chain */
	for (uint16_t i = 0; i < 8; i++)
		set_desc(i, BUFS + i, 1, i < 7 ? VIRTQ_DESC_F_NEXT : 0, i + 1);
	publish(0);
	assert_int_equal(vq_pop(&vq, &ch), VQ_CHAIN);
	assert_int_equal(ch.nr_read, 8);
	assert_int_equal(vq.stats.bad, 3);
	assert_int_equal(host_log_lines[LOG_WARN], 3);
}

static void test_out_of_range(void **state)
{
	static const struct {
		uint64_t addr;
		uint32_t len;
	} bufs[] = {
		{RAM_GPA - 1, 1},                     /* below RAM */
		{RAM_GPA - 1, 2},                     /* across the start */
		{RAM_GPA + RAM_SIZE, 1},              /* just past the end */
		{RAM_GPA + RAM_SIZE - 1, 2},          /* across the end */
		{RAM_GPA, (uint32_t)RAM_SIZE + 1},
		{0xfffffffffffffff0ull, 0x20},        /* wraps 2^64 */
		{0xffffffffffffffffull, 1},
		{0, 0xffffffff},
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(bufs) / sizeof(bufs[0]); i++) {
		set_desc(1, BUFS, 4, VIRTQ_DESC_F_NEXT, 6);
		set_desc(6, bufs[i].addr, bufs[i].len, VIRTQ_DESC_F_WRITE, 0);
		publish(1);
		expect_bad(VQ_BAD_CHAIN);
	}
	/* exactly the last byte, exactly all of RAM: fine */
	set_desc(6, RAM_GPA + RAM_SIZE - 1, 1, VIRTQ_DESC_F_WRITE, 0);
	publish(6);
	assert_int_equal(vq_pop(&vq, &ch), VQ_CHAIN);
	vq_push(&vq, 6, 0);
	set_desc(6, RAM_GPA, (uint32_t)RAM_SIZE, 0, 0);
	publish(6);
	assert_int_equal(vq_pop(&vq, &ch), VQ_CHAIN);
	vq_push(&vq, 6, 0);
	/* next out of range */
	set_desc(2, BUFS, 4, VIRTQ_DESC_F_NEXT, 8);
	publish(2);
	expect_bad(VQ_BAD_CHAIN);
	set_desc(2, BUFS, 4, VIRTQ_DESC_F_NEXT, 0xffff);
	publish(2);
	expect_bad(VQ_BAD_CHAIN);
	assert_int_equal(vq.stats.broken, 0);
	/* a head out of range: the ring is corrupt */
	publish(8);
	expect_bad(VQ_BROKEN);
	publish(0xffff);
	expect_bad(VQ_BROKEN);
}

static void test_wrong_flags(void **state)
{
	(void)state;
	/* readable after writable */
	set_desc(0, BUFS, 4, VIRTQ_DESC_F_WRITE | VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, BUFS + 4, 4, 0, 0);
	publish(0);
	expect_bad(VQ_BAD_CHAIN);
	/* indirect, never offered: refused wherever it is in the chain */
	set_desc(2, BUFS, 16, VIRTQ_DESC_F_INDIRECT, 0);
	publish(2);
	expect_bad(VQ_BAD_CHAIN);
	set_desc(3, BUFS, 16, VIRTQ_DESC_F_NEXT, 4);
	set_desc(4, BUFS, 16, VIRTQ_DESC_F_INDIRECT | VIRTQ_DESC_F_WRITE, 0);
	publish(3);
	expect_bad(VQ_BAD_CHAIN);
	/* undefined flag bits are ignored */
	set_desc(5, BUFS, 16, 0xfff0, 0);
	publish(5);
	assert_int_equal(vq_pop(&vq, &ch), VQ_CHAIN);
	assert_int_equal(ch.nr_read, 1);
}

static void test_avail_index_jumps(void **state)
{
	(void)state;
	for (uint16_t i = 0; i < 8; i++)
		set_desc(i, BUFS, 1, 0, 0);
	/* 9 new entries in a queue of 8 */
	set_avail_idx(9);
	expect_bad(VQ_BROKEN);
	/* and a jump backwards is a jump of almost 2^16 */
	vq_disable(&vq);
	assert_int_equal(setup_size(8), 0);
	for (uint16_t i = 0; i < 8; i++)
		set_desc(i, BUFS, 1, 0, 0);
	set_avail_idx(0xffff);
	expect_bad(VQ_BROKEN);
	/* exactly a full ring is fine */
	vq_disable(&vq);
	guarded_fini(&g);
	assert_int_equal(setup_size(8), 0);
	for (uint16_t i = 0; i < 8; i++) {
		set_desc(i, BUFS, 1, 0, 0);
		publish(i);
	}
	for (uint16_t i = 0; i < 8; i++) {
		assert_int_equal(vq_pop(&vq, &ch), VQ_CHAIN);
		assert_int_equal(ch.head, i);
		vq_push(&vq, ch.head, 0);
	}
	assert_int_equal(vq_pop(&vq, &ch), VQ_EMPTY);
}

static void test_index_wraparound(void **state)
{
	uint32_t id, len;

	(void)state;
	/* 70000 round trips: both 16-bit indices wrap */
	for (unsigned n = 0; n < 70000; n++) {
		uint16_t d = (uint16_t)(n % 8);

		set_desc(d, BUFS + d, 1, VIRTQ_DESC_F_WRITE, 0);
		publish(d);
		assert_int_equal(vq_pop(&vq, &ch), VQ_CHAIN);
		assert_int_equal(ch.head, d);
		vq_push(&vq, d, n);
	}
	assert_int_equal(used_idx(), 70000 % 65536);
	used_elem(69999 % 65536, &id, &len);
	assert_int_equal(id, 69999 % 8);
	assert_int_equal(len, 69999);
}

static void test_zero_length(void **state)
{
	uint8_t b[3];

	(void)state;
	/* zero-length descriptors anywhere, even at absurd addresses */
	set_desc(0, 0xdead000000000000ull, 0, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, BUFS, 3, VIRTQ_DESC_F_NEXT, 2);
	set_desc(2, ~0ull, 0, VIRTQ_DESC_F_NEXT | VIRTQ_DESC_F_WRITE, 3);
	set_desc(3, BUFS + 8, 1, VIRTQ_DESC_F_WRITE, 0);
	memcpy(host(BUFS), "abc", 3);
	publish(0);
	assert_int_equal(vq_pop(&vq, &ch), VQ_CHAIN);
	assert_int_equal(ch.nr_read, 1);
	assert_int_equal(ch.nr_write, 1);
	assert_int_equal(vq_chain_read(&ch, 0, b, 3), 0);
	assert_memory_equal(b, "abc", 3);
	vq_push(&vq, 0, 1);
	/* nothing but a zero-length descriptor: an empty chain */
	set_desc(4, 0, 0, 0, 0);
	publish(4);
	assert_int_equal(vq_pop(&vq, &ch), VQ_CHAIN);
	assert_int_equal(ch.nr_read + ch.nr_write, 0);
	assert_int_equal(ch.read_len + ch.write_len, 0);
	assert_int_equal(vq_chain_read(&ch, 0, b, 0), 0);
	assert_int_equal(vq_chain_read(&ch, 0, b, 1), -1);
}

static void test_4gib_chain(void **state)
{
	struct guest_mem big;
	const char *why;

	(void)state;
	/* RAM that claims 8 GiB: a walk only ever reads the rings, which
	 * sit in the real first 64 KiB, never the buffers */
	guest_mem_wrap(&big, g.data, RAM_GPA, 8ull << 30);
	vq_init(&vq, &big, "big queue");
	assert_int_equal(vq_enable(&vq, 8, DESC, AVAIL, USED, &why), 0);
	set_desc(0, RAM_GPA, 0x80000000u, VIRTQ_DESC_F_NEXT, 1);
	set_desc(1, RAM_GPA, 0x80000000u, 0, 0);
	publish(0);
	expect_bad(VQ_BAD_CHAIN);
	set_desc(2, RAM_GPA, 0xffffffffu, VIRTQ_DESC_F_NEXT, 3);
	set_desc(3, RAM_GPA, 0xffffffffu, VIRTQ_DESC_F_WRITE, 0);
	publish(2);
	assert_int_equal(vq_pop(&vq, &ch), VQ_CHAIN);
	assert_int_equal(ch.read_len, 0xffffffffu);
	assert_int_equal(ch.write_len, 0xffffffffu);
}

static void test_used_ring_is_write_only(void **state)
{
	uint32_t id, len;

	(void)state;
	set_desc(0, BUFS, 1, 0, 0);
	publish(0);
	assert_int_equal(vq_pop(&vq, &ch), VQ_CHAIN);
	/* the driver scribbles over used->idx: the device keeps counting */
	*(uint16_t *)host(USED + 2) = htole16(0x1234);
	vq_push(&vq, 0, 7);
	assert_int_equal(used_idx(), 1);
	used_elem(0, &id, &len);
	assert_int_equal(len, 7);
	/* and the descriptor was copied once: changing it after the pop
	 * changes nothing the device holds */
	set_desc(0, RAM_GPA + RAM_SIZE - 1, 1, VIRTQ_DESC_F_WRITE, 0);
	publish(0);
	assert_int_equal(vq_pop(&vq, &ch), VQ_CHAIN);
	assert_int_equal(ch.nr_write, 1);
	set_desc(0, ~0ull, 0xffffffff, VIRTQ_DESC_F_WRITE, 0);
	assert_int_equal(vq_chain_write(&ch, 0, "x", 1), 0);
	assert_int_equal(*(uint8_t *)host(RAM_GPA + RAM_SIZE - 1), 'x');
	/* a disabled queue gives nothing and takes nothing */
	publish(0);
	vq_disable(&vq);
	assert_int_equal(vq_pop(&vq, &ch), VQ_EMPTY);
	vq_push(&vq, 0, 1);
	assert_false(vq_wants_interrupt(&vq));
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_enable_checks),
		T(test_good_chain),
		T(test_loops_end),
		T(test_out_of_range),
		T(test_wrong_flags),
		T(test_avail_index_jumps),
		T(test_index_wraparound),
		T(test_zero_length),
		T(test_4gib_chain),
		T(test_used_ring_is_write_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
