/* SPDX-License-Identifier: BSD-3-Clause */
/* Handler table: registration rules, lookup, straddling, concurrent unregister. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>

#include <errno.h>

#include "../../hypervisor/common/io_internal.h"
#include "test_io_support.h"

static int fn_value(void *priv, uint64_t offset, unsigned size, bool write,
		    uint64_t *value)
{
	(void)offset, (void)size;
	if (!write)
		*value = (uint64_t)(uintptr_t)priv;
	return 0;
}

/* The caller's hint of get(), for the table of the test. */
static struct io_table_hint hint;

static struct io_handler_table *table_new(void)
{
	struct io_handler_table *t = malloc(sizeof(*t));

	assert_non_null(t);
	io_table_init(t);
	hint = IO_TABLE_NO_HINT;
	return t;
}

static int add(struct io_handler_table *t, unsigned space, uint64_t base,
	       uint64_t size)
{
	return io_table_add(t, space, base, size, fn_value, (void *)(uintptr_t)base,
			    "t");
}

/* Lookup result, and on a hit the handler's base. Every lookup goes
 * through the one hint, as a vCPU's do. */
static enum io_lookup get(struct io_handler_table *t, unsigned space,
			  uint64_t addr, unsigned size, uint64_t *base)
{
	struct io_handler *h;
	enum io_lookup r = io_table_get(t, &hint, space, addr, size, &h);

	if (r == IO_LOOKUP_HIT) {
		*base = h->base;
		io_table_put(h);
		assert_int_equal(h->users, 0);
	}
	return r;
}

static void test_register_rejects_bad_ranges(void **state)
{
	struct io_handler_table *t = table_new();

	(void)state;
	assert_int_equal(add(t, IO_SPACE_MMIO, 0x1000, 0), -EINVAL);
	assert_int_equal(add(t, IO_SPACE_MMIO, ~0ull, 2), -EINVAL);
	assert_int_equal(add(t, IO_SPACE_MMIO, 2, ~0ull), -EINVAL);
	assert_int_equal(add(t, IO_SPACE_COUNT, 0x1000, 1), -EINVAL);
	assert_int_equal(io_table_add(t, IO_SPACE_PIO, 0, 1, NULL, NULL, "x"),
			 -EINVAL);
	/* The very top of the address space is a legal range. */
	assert_int_equal(add(t, IO_SPACE_MMIO, ~0ull, 1), 0);
	assert_int_equal(add(t, IO_SPACE_PIO, 1, ~0ull), 0);
	assert_int_equal(t->count, 2);
	free(t);
}

static void test_register_rejects_overlaps(void **state)
{
	struct io_handler_table *t = table_new();

	(void)state;
	assert_int_equal(add(t, IO_SPACE_MMIO, 0x1000, 0x1000), 0);
	assert_int_equal(add(t, IO_SPACE_MMIO, 0x1000, 0x1000), -EEXIST);
	assert_int_equal(add(t, IO_SPACE_MMIO, 0xfff, 2), -EEXIST);
	assert_int_equal(add(t, IO_SPACE_MMIO, 0x1fff, 1), -EEXIST);
	assert_int_equal(add(t, IO_SPACE_MMIO, 0x1800, 0x1000), -EEXIST);
	assert_int_equal(add(t, IO_SPACE_MMIO, 0x1100, 0x10), -EEXIST);
	assert_int_equal(add(t, IO_SPACE_MMIO, 0, 0x100000), -EEXIST);
	/* Adjacent on both sides, and the same range in other spaces. */
	assert_int_equal(add(t, IO_SPACE_MMIO, 0x2000, 0x10), 0);
	assert_int_equal(add(t, IO_SPACE_MMIO, 0xff0, 0x10), 0);
	assert_int_equal(add(t, IO_SPACE_PIO, 0x1000, 0x1000), 0);
	assert_int_equal(add(t, IO_SPACE_PCI_CFG, 0x1000, 0x1000), 0);
	assert_int_equal(add(t, IO_SPACE_MMIO, 0xfff, 1), -EEXIST);
	assert_int_equal(t->count, 5);
	free(t);
}

static void test_table_full_and_unregister(void **state)
{
	struct io_handler_table *t = table_new();

	(void)state;
	for (uint64_t i = 0; i < CONFIG_IO_MAX_HANDLERS; i++)
		assert_int_equal(add(t, IO_SPACE_MMIO, i * 0x100, 0x10), 0);
	assert_int_equal(add(t, IO_SPACE_PIO, 0, 1), -ENOSPC);
	assert_int_equal(io_table_remove(t, IO_SPACE_MMIO, 0x108), -ENOENT);
	assert_int_equal(io_table_remove(t, IO_SPACE_PIO, 0x100), -ENOENT);
	assert_int_equal(io_table_remove(t, IO_SPACE_MMIO, 0x100), 0);
	assert_int_equal(io_table_remove(t, IO_SPACE_MMIO, 0x100), -ENOENT);
	assert_int_equal(add(t, IO_SPACE_PIO, 0, 1), 0);
	assert_int_equal(add(t, IO_SPACE_PIO, 1, 1), -ENOSPC);
	free(t);
}

static void test_lookup_boundaries_and_straddling(void **state)
{
	struct io_handler_table *t = table_new();
	uint64_t base = 0;

	(void)state;
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x1000, 4, &base), IO_LOOKUP_MISS);
	assert_int_equal(add(t, IO_SPACE_MMIO, 0x1000, 0x100), 0);
	assert_int_equal(add(t, IO_SPACE_MMIO, 0x1100, 0x100), 0);
	assert_int_equal(add(t, IO_SPACE_MMIO, 0x2000, 0x10), 0);

	assert_int_equal(get(t, IO_SPACE_MMIO, 0x1000, 8, &base), IO_LOOKUP_HIT);
	assert_int_equal(base, 0x1000);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x10f8, 8, &base), IO_LOOKUP_HIT);
	assert_int_equal(base, 0x1000);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x10ff, 1, &base), IO_LOOKUP_HIT);
	assert_int_equal(base, 0x1000);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x1100, 1, &base), IO_LOOKUP_HIT);
	assert_int_equal(base, 0x1100);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x200f, 1, &base), IO_LOOKUP_HIT);
	assert_int_equal(base, 0x2000);

	assert_int_equal(get(t, IO_SPACE_MMIO, 0xfff, 1, &base), IO_LOOKUP_MISS);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0xff8, 8, &base), IO_LOOKUP_MISS);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x2010, 8, &base), IO_LOOKUP_MISS);
	assert_int_equal(get(t, IO_SPACE_PIO, 0x1000, 1, &base), IO_LOOKUP_MISS);

	/* Across two handlers, out of one's end, into one's start. */
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x10fe, 4, &base), IO_LOOKUP_STRADDLE);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x200c, 8, &base), IO_LOOKUP_STRADDLE);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0xffc, 8, &base), IO_LOOKUP_STRADDLE);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x1ffe, 4, &base), IO_LOOKUP_STRADDLE);
	free(t);
}

/* The hint names the entry of the last hit while no writer came since,
 * and never outlives a change of the table. */
static void test_hint_follows_the_table(void **state)
{
	struct io_handler_table *t = table_new();
	uint64_t base = 0;

	(void)state;
	assert_int_equal(add(t, IO_SPACE_MMIO, 0x1000, 0x100), 0);
	assert_int_equal(add(t, IO_SPACE_MMIO, 0x2000, 0x100), 0);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x2010, 4, &base), IO_LOOKUP_HIT);
	assert_int_equal(hint.seq, t->seq);
	assert_int_equal(t->pool[hint.idx].base, 0x2000);
	/* the hint's entry holds the start only, or nothing: searched */
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x20fe, 4, &base),
			 IO_LOOKUP_STRADDLE);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x1010, 4, &base), IO_LOOKUP_HIT);
	assert_int_equal(base, 0x1000);
	/* a miss leaves the gap it fell in: all of PIO here */
	assert_int_equal(get(t, IO_SPACE_PIO, 0x1010, 4, &base), IO_LOOKUP_MISS);
	assert_int_equal(hint.idx, IO_TABLE_HINT_GAP);
	assert_int_equal(hint.space, IO_SPACE_PIO);
	assert_int_equal(hint.gap_first, 0);
	assert_int_equal(hint.gap_last, ~0ull);
	/* and in MMIO, the room between two handlers */
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x1800, 4, &base), IO_LOOKUP_MISS);
	assert_int_equal(hint.gap_first, 0x1100);
	assert_int_equal(hint.gap_last, 0x1fff);
	/* in the gap: a miss; across its end or in another space: searched */
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x1ffc, 4, &base), IO_LOOKUP_MISS);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x1ffe, 4, &base),
			 IO_LOOKUP_STRADDLE);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x1800, 4, &base), IO_LOOKUP_MISS);
	assert_int_equal(get(t, IO_SPACE_PIO, 0x2010, 4, &base), IO_LOOKUP_MISS);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x2010, 4, &base), IO_LOOKUP_HIT);
	assert_int_equal(base, 0x2000);
	/* below the first handler: [0, its base) */
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x10, 4, &base), IO_LOOKUP_MISS);
	assert_int_equal(hint.gap_first, 0);
	assert_int_equal(hint.gap_last, 0xfff);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x1010, 4, &base), IO_LOOKUP_HIT);
	/* its entry goes, and its place takes another range: never used */
	assert_int_equal(io_table_remove(t, IO_SPACE_MMIO, 0x1000), 0);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x1010, 4, &base), IO_LOOKUP_MISS);
	/* a handler lands in the gap the last miss left: not missed again */
	assert_int_equal(add(t, IO_SPACE_MMIO, 0x1080, 0x100), 0);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x1090, 4, &base), IO_LOOKUP_HIT);
	assert_int_equal(base, 0x1080);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x1010, 4, &base), IO_LOOKUP_MISS);
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x1090, 4, &base), IO_LOOKUP_HIT);
	assert_int_equal(base, 0x1080);
	/* a stale hint with an odd seq or a wild index is ignored */
	hint = (struct io_table_hint){.seq = t->seq, .idx = ~0u};
	assert_int_equal(get(t, IO_SPACE_MMIO, 0x1090, 4, &base), IO_LOOKUP_HIT);
	assert_int_equal(base, 0x1080);
	assert_int_equal(t->pool[hint.idx].users, 0);
	free(t);
}

/* ---- 1,000 random ranges against a brute-force reference ---- */

struct ref_range {
	unsigned space;
	uint64_t base, size;
	bool live;
};

static enum io_lookup ref_get(const struct ref_range *r, unsigned n,
			      unsigned space, uint64_t addr, unsigned size,
			      uint64_t *base)
{
	uint64_t last = addr + size - 1;

	for (unsigned i = 0; i < n; i++) {
		uint64_t rl = r[i].base + r[i].size - 1;

		if (!r[i].live || r[i].space != space || r[i].base > last ||
		    rl < addr)
			continue;
		if (r[i].base <= addr && last <= rl) {
			*base = r[i].base;
			return IO_LOOKUP_HIT;
		}
		return IO_LOOKUP_STRADDLE;
	}
	return IO_LOOKUP_MISS;
}

static bool ref_overlaps(const struct ref_range *r, unsigned n, unsigned space,
			 uint64_t base, uint64_t size)
{
	for (unsigned i = 0; i < n; i++)
		if (r[i].live && r[i].space == space && r[i].base < base + size &&
		    base < r[i].base + r[i].size)
			return true;
	return false;
}

static void check_random_lookups(struct io_handler_table *t,
				 const struct ref_range *r, unsigned n,
				 uint64_t *rng, unsigned count)
{
	static const unsigned sizes[] = {1, 2, 4, 8};

	for (unsigned i = 0; i < count; i++) {
		const struct ref_range *near = &r[tio_rand(rng) % n];
		unsigned space = (unsigned)(tio_rand(rng) % IO_SPACE_COUNT);
		unsigned size = sizes[tio_rand(rng) % 4];
		uint64_t addr = near->base + near->size - 8 + tio_rand(rng) % 24;
		uint64_t want_base = 1, got_base = 2;
		enum io_lookup want, got;

		if (tio_rand(rng) & 1)
			addr = near->base - 8 + tio_rand(rng) % 16;
		want = ref_get(r, n, space, addr, size, &want_base);
		/* twice: the second time a hit comes from the hint */
		for (unsigned again = 0; again < 2; again++) {
			got = get(t, space, addr, size, &got_base);
			assert_int_equal(got, want);
			if (got == IO_LOOKUP_HIT)
				assert_int_equal(got_base, want_base);
		}
	}
}

static void test_random_ranges_against_reference(void **state)
{
	enum { N = 1000 };
	struct io_handler_table *t = table_new();
	struct ref_range *r = calloc(N, sizeof(*r));
	uint64_t rng = 0x1234567;
	unsigned n = 0, rejected = 0;

	(void)state;
	assert_true(CONFIG_IO_MAX_HANDLERS >= N);
	while (n < N) {
		unsigned space = (unsigned)(tio_rand(&rng) % IO_SPACE_COUNT);
		uint64_t base = 0x10000 + tio_rand(&rng) % 0x100000;
		uint64_t size = 1 + tio_rand(&rng) % 0x100;
		bool clash = ref_overlaps(r, n, space, base, size);

		assert_int_equal(add(t, space, base, size), clash ? -EEXIST : 0);
		if (clash) {
			rejected++;
			continue;
		}
		r[n++] = (struct ref_range){space, base, size, true};
	}
	assert_true(rejected > 0);
	assert_int_equal(t->count, N);
	check_random_lookups(t, r, n, &rng, 20000);

	/* Remove every other range and check again. */
	for (unsigned i = 0; i < n; i += 2) {
		assert_int_equal(io_table_remove(t, r[i].space, r[i].base), 0);
		r[i].live = false;
	}
	check_random_lookups(t, r, n, &rng, 20000);
	free(r);
	free(t);
}

/* ---- unregister while other vCPUs are inside the handler ---- */

#define READERS 4
#define CYCLES 500

#define DEV_SIZE 0x100
/* Two bases in turn, so that a stale lookup would land on the wrong range. */
#define DEV_BASE(c) (0x9000 + ((c) & 1) * 0x1000)

struct device {
	int alive; /* 0 once "freed" */
	uint64_t id;
};

static struct io_vm *conc_vm;
static int conc_stop;
static unsigned long after_free_calls, inside_calls, bad_results;

static int fn_device(void *priv, uint64_t offset, unsigned size, bool write,
		     uint64_t *value)
{
	struct device *d = priv;

	(void)size, (void)write;
	if (offset >= DEV_SIZE)
		__atomic_fetch_add(&bad_results, 1, __ATOMIC_RELAXED);
	if (!__atomic_load_n(&d->alive, __ATOMIC_ACQUIRE))
		__atomic_fetch_add(&after_free_calls, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&inside_calls, 1, __ATOMIC_RELAXED);
	sched_yield(); /* stay inside a while */
	*value = d->id;
	if (!__atomic_load_n(&d->alive, __ATOMIC_ACQUIRE))
		__atomic_fetch_add(&after_free_calls, 1, __ATOMIC_RELAXED);
	return 0;
}

static void *reader(void *arg)
{
	unsigned v = (unsigned)(uintptr_t)arg;

	for (unsigned i = 0; !__atomic_load_n(&conc_stop, __ATOMIC_RELAXED); i++) {
		struct io_access a = tio_read(IO_SPACE_MMIO, DEV_BASE(i) + v * 4, 4);

		/* The device's id, or all-ones while nothing is registered.
		 * (cmocka asserts only on the main thread: count here.) */
		if (io_emulate(conc_vm, v, &a) != IO_DONE ||
		    (a.value != 0xffffffffu && a.value >= CYCLES))
			__atomic_fetch_add(&bad_results, 1, __ATOMIC_RELAXED);
	}
	return NULL;
}

static void test_unregister_during_concurrent_use(void **state)
{
	pthread_t th[READERS];
	struct device *d;

	(void)state;
	conc_vm = tio_vm_new(READERS, TESSERA_IO_COMPLETION_NOTIFY, false, false);
	for (unsigned i = 0; i < READERS; i++)
		pthread_create(&th[i], NULL, reader, (void *)(uintptr_t)i);
	for (uint64_t c = 0; c < CYCLES; c++) {
		d = malloc(sizeof(*d));
		d->alive = 1;
		d->id = c;
		assert_int_equal(io_register(conc_vm, IO_SPACE_MMIO, DEV_BASE(c),
					     DEV_SIZE, fn_device, d, "dev"), 0);
		for (int spin = 0; spin < 20; spin++)
			sched_yield();
		assert_int_equal(io_unregister(conc_vm, IO_SPACE_MMIO, DEV_BASE(c)), 0);
		/* After unregister returns, priv is ours to free. */
		__atomic_store_n(&d->alive, 0, __ATOMIC_RELEASE);
		for (int spin = 0; spin < 3; spin++)
			sched_yield();
		free(d);
	}
	__atomic_store_n(&conc_stop, 1, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < READERS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(after_free_calls, 0);
	assert_int_equal(bad_results, 0);
	assert_true(inside_calls > 0);
	tio_vm_free(conc_vm);
}

/* A handler may unregister another range (a BAR being moved). */
static struct io_vm *nested_vm;

static int fn_move_bar(void *priv, uint64_t offset, unsigned size, bool write,
		       uint64_t *value)
{
	(void)priv, (void)offset, (void)size, (void)value;
	if (write) {
		assert_int_equal(io_unregister(nested_vm, IO_SPACE_MMIO, 0x1000), 0);
		assert_int_equal(io_register(nested_vm, IO_SPACE_MMIO, 0x5000, 0x10,
					     fn_value, (void *)7, "bar"), 0);
	}
	return 0;
}

static void test_handler_may_move_another_range(void **state)
{
	struct io_access a = tio_write(IO_SPACE_PCI_CFG, 0x10, 4, 0x5000);

	(void)state;
	nested_vm = tio_vm_new(1, TESSERA_IO_COMPLETION_NOTIFY, false, false);
	assert_int_equal(io_register(nested_vm, IO_SPACE_PCI_CFG, 0, 0x100,
				     fn_move_bar, NULL, "cfg"), 0);
	assert_int_equal(io_register(nested_vm, IO_SPACE_MMIO, 0x1000, 0x10,
				     fn_value, (void *)7, "bar"), 0);
	assert_int_equal(io_emulate(nested_vm, 0, &a), IO_DONE);
	a = tio_read(IO_SPACE_MMIO, 0x5004, 4);
	assert_int_equal(io_emulate(nested_vm, 0, &a), IO_DONE);
	assert_int_equal(a.value, 7);
	tio_vm_free(nested_vm);
}

/*
 * A writer gets in between a lookup finding its entry and pinning it: the
 * entry is unregistered and its place reused for another range. The lookup
 * must notice and retry, not call the new handler for the old range.
 */
static struct io_vm *race_vm;
static int race_armed;
static uint64_t race_offset;

void io_table_test_hook(void)
{
	if (!race_armed)
		return;
	race_armed = 0;
	assert_int_equal(io_unregister(race_vm, IO_SPACE_MMIO, 0x1000), 0);
	assert_int_equal(io_register(race_vm, IO_SPACE_MMIO, 0x8000, 0x100,
				     fn_value, (void *)2, "new"), 0);
}

static int fn_offset(void *priv, uint64_t offset, unsigned size, bool write,
		     uint64_t *value)
{
	(void)priv, (void)size, (void)write;
	race_offset = offset;
	*value = offset;
	return 0;
}

static void test_writer_between_find_and_pin(void **state)
{
	struct io_access a = tio_read(IO_SPACE_MMIO, 0x1010, 4);

	(void)state;
	race_vm = tio_vm_new(1, TESSERA_IO_COMPLETION_NOTIFY, false, false);
	assert_int_equal(io_register(race_vm, IO_SPACE_MMIO, 0x1000, 0x100,
				     fn_offset, NULL, "old"), 0);
	race_armed = 1;
	assert_int_equal(io_emulate(race_vm, 0, &a), IO_DONE);
	assert_int_equal(race_armed, 0);
	assert_int_equal(a.value, 0xffffffff); /* retried: now unhandled */
	assert_int_equal(race_vm->table.pool[0].users, 0);
	tio_vm_free(race_vm);
}

/* The same race on the hinted path: the second lookup goes by the hint,
 * and a writer gets in before it pins. */
static void test_writer_between_hint_and_pin(void **state)
{
	struct io_access a = tio_read(IO_SPACE_MMIO, 0x1010, 4);

	(void)state;
	race_vm = tio_vm_new(1, TESSERA_IO_COMPLETION_NOTIFY, false, false);
	assert_int_equal(io_register(race_vm, IO_SPACE_MMIO, 0x1000, 0x100,
				     fn_offset, NULL, "old"), 0);
	assert_int_equal(io_emulate(race_vm, 0, &a), IO_DONE);
	assert_int_equal(a.value, 0x10);
	assert_int_equal(race_vm->vcpu[0].hint.seq, race_vm->table.seq);
	race_armed = 1;
	a = tio_read(IO_SPACE_MMIO, 0x1010, 4);
	assert_int_equal(io_emulate(race_vm, 0, &a), IO_DONE);
	assert_int_equal(race_armed, 0);
	assert_int_equal(a.value, 0xffffffff); /* retried: now unhandled */
	assert_int_equal(race_vm->table.pool[0].users, 0);
	tio_vm_free(race_vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_register_rejects_bad_ranges),
		cmocka_unit_test(test_register_rejects_overlaps),
		cmocka_unit_test(test_table_full_and_unregister),
		cmocka_unit_test(test_lookup_boundaries_and_straddling),
		cmocka_unit_test(test_random_ranges_against_reference),
		cmocka_unit_test(test_unregister_during_concurrent_use),
		cmocka_unit_test(test_handler_may_move_another_range),
		cmocka_unit_test(test_writer_between_find_and_pin),
		cmocka_unit_test(test_writer_between_hint_and_pin),
		cmocka_unit_test(test_hint_follows_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
