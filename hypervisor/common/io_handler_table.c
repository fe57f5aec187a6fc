/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The per-VM handler table: address ranges of all spaces in one array sorted
 * by (space, base), searched by bisection.
 *
 * Entries live at fixed places in `pool`; `order` lists the live ones sorted.
 * Writers (register, unregister) serialise on the lock and bracket every change
 * of `order` and `count` with the `seq` count (odd while changing). Lookups run
 * on every trap, from all vCPUs at once, so they take no lock: they read under
 * `seq`, retry if a writer got in, and pin the entry they found by raising its
 * `users` count before checking `seq` a last time. Unregister takes the entry
 * out of `order`, then waits for `users` to drop to zero: when it returns no
 * vCPU is inside the handler and none can enter it again.
 *
 * Fields a lookup reads while a writer may change them are accessed with
 * relaxed atomics; `seq` decides whether what was read is used.
 */
#include <errno.h>

#include "io_internal.h"

#define HANDLER_FREE 0u
#define HANDLER_LIVE 1u
#define HANDLER_RETIRING 2u /* out of `order`, waiting for its users */

/* test_io_table runs a writer in the window between finding and pinning. */
#ifdef IO_TABLE_BEFORE_PIN
void io_table_test_hook(void);
#else
#define IO_TABLE_BEFORE_PIN() ((void)0)
#endif

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_RELAXED)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_RELAXED)

void io_table_init(struct io_handler_table *t)
{
	t->lock = (spinlock_t)SPINLOCK_INIT;
	t->seq = 0;
	t->count = 0;
	for (uint32_t i = 0; i < CONFIG_IO_MAX_HANDLERS; i++) {
		t->order[i] = i;
		t->pool[i] = (struct io_handler){.state = HANDLER_FREE};
	}
}

/* Does the entry sort at or before (space, addr)? */
static bool key_at_or_before(const struct io_handler *h, unsigned space,
			     uint64_t addr)
{
	unsigned hs = LOAD(h->space);

	return hs < space || (hs == space && LOAD(h->base) <= addr);
}

/* How many of the first n sorted entries sort at or before (space, addr). */
static uint32_t count_at_or_before(const struct io_handler_table *t, uint32_t n,
				   unsigned space, uint64_t addr)
{
	uint32_t lo = 0, hi = n;

	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;

		if (key_at_or_before(&t->pool[LOAD(t->order[mid])], space, addr))
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* Is the entry in `space` and does it hold addr? */
static bool holds(const struct io_handler *h, unsigned space, uint64_t addr)
{
	uint64_t base = LOAD(h->base);

	return LOAD(h->space) == space && base <= addr &&
	       addr - base < LOAD(h->size);
}

/*
 * Where [first, last] would go among the n sorted entries, and whether it
 * collides with its neighbours. The neighbours are the only candidates, as
 * entries do not overlap each other: the one before may hold `first`, the one
 * after may start at or before `last`.
 */
static enum io_lookup classify(const struct io_handler_table *t, uint32_t n,
			       unsigned space, uint64_t first, uint64_t last,
			       uint32_t *pos)
{
	const struct io_handler *prev, *next;

	*pos = count_at_or_before(t, n, space, first);
	prev = *pos > 0 ? &t->pool[LOAD(t->order[*pos - 1])] : NULL;
	next = *pos < n ? &t->pool[LOAD(t->order[*pos])] : NULL;
	if (prev && holds(prev, space, first))
		return holds(prev, space, last) ? IO_LOOKUP_HIT
						: IO_LOOKUP_STRADDLE;
	if (next && LOAD(next->space) == space && LOAD(next->base) <= last)
		return IO_LOOKUP_STRADDLE;
	return IO_LOOKUP_MISS;
}

/* After a miss at pos: the gap of `space` the access fell in, between the
 * entries around pos. (prev ends at or before the access, so its end does
 * not wrap.) */
static struct io_table_hint gap_at(const struct io_handler_table *t,
				   uint32_t n, uint32_t pos, unsigned space,
				   uint32_t seq)
{
	struct io_table_hint g = {.seq = seq, .idx = IO_TABLE_HINT_GAP,
				  .space = space, .gap_first = 0,
				  .gap_last = ~0ull};

	if (pos > 0) {
		const struct io_handler *prev = &t->pool[LOAD(t->order[pos - 1])];

		if (LOAD(prev->space) == space)
			g.gap_first = LOAD(prev->base) + LOAD(prev->size);
	}
	if (pos < n) {
		const struct io_handler *next = &t->pool[LOAD(t->order[pos])];

		if (LOAD(next->space) == space)
			g.gap_last = LOAD(next->base) - 1;
	}
	return g;
}

/* Pin h, then check that no writer came since seq: pairs with the fence
 * in table_retire(). */
static bool pin(struct io_handler_table *t, struct io_handler *h, uint32_t seq)
{
	IO_TABLE_BEFORE_PIN();
	__atomic_fetch_add(&h->users, 1, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (LOAD(t->seq) == seq)
		return true;
	io_table_put(h);
	return false;
}

/*
 * A vCPU polling one register finds the same thing again and again: while
 * no writer came since, the entry it hit is still live and in place, and
 * the gap it missed in is still empty, so the search can be skipped. A
 * HIT (with *h pinned) or MISS; IO_LOOKUP_STRADDLE: no answer, search.
 */
static enum io_lookup try_hint(struct io_handler_table *t,
			       const struct io_table_hint *hint,
			       unsigned space, uint64_t first, uint64_t last,
			       struct io_handler **h)
{
	uint32_t seq = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);

	if (seq != hint->seq)
		return IO_LOOKUP_STRADDLE;
	if (hint->idx == IO_TABLE_HINT_GAP)
		return hint->space == space && first >= hint->gap_first &&
			       last <= hint->gap_last
		       ? IO_LOOKUP_MISS
		       : IO_LOOKUP_STRADDLE;
	if (hint->idx >= CONFIG_IO_MAX_HANDLERS)
		return IO_LOOKUP_STRADDLE;
	*h = &t->pool[hint->idx];
	if (!holds(*h, space, first) || !holds(*h, space, last) ||
	    !pin(t, *h, seq))
		return IO_LOOKUP_STRADDLE;
	return IO_LOOKUP_HIT;
}

enum io_lookup io_table_get(struct io_handler_table *t,
			    struct io_table_hint *hint, unsigned space,
			    uint64_t addr, unsigned size, struct io_handler **h)
{
	uint64_t last = addr + size - 1;

	if (hint) {
		enum io_lookup r = try_hint(t, hint, space, addr, last, h);

		if (r != IO_LOOKUP_STRADDLE)
			return r;
	}
	for (;;) {
		uint32_t seq = __atomic_load_n(&t->seq, __ATOMIC_ACQUIRE);
		uint32_t n = LOAD(t->count), pos;
		enum io_lookup r;

		if ((seq & 1) || n > CONFIG_IO_MAX_HANDLERS) {
			cpu_spin_wait();
			continue;
		}
		r = classify(t, n, space, addr, last, &pos);
		if (r != IO_LOOKUP_HIT) {
			struct io_table_hint gap;

			/* read before the check, like everything it uses */
			if (hint && r == IO_LOOKUP_MISS)
				gap = gap_at(t, n, pos, space, seq);
			__atomic_thread_fence(__ATOMIC_ACQUIRE);
			if (LOAD(t->seq) != seq)
				continue;
			if (hint && r == IO_LOOKUP_MISS)
				*hint = gap;
			return r;
		}
		*h = &t->pool[LOAD(t->order[pos - 1])];
		if (pin(t, *h, seq)) {
			if (hint)
				*hint = (struct io_table_hint){
					.seq = seq,
					.idx = (uint32_t)(*h - t->pool)};
			return r;
		}
	}
}

void io_table_put(struct io_handler *h)
{
	__atomic_fetch_sub(&h->users, 1, __ATOMIC_RELEASE);
}

static void write_begin(struct io_handler_table *t)
{
	STORE(t->seq, t->seq + 1);
	__atomic_thread_fence(__ATOMIC_RELEASE);
}

static void write_end(struct io_handler_table *t)
{
	__atomic_store_n(&t->seq, t->seq + 1, __ATOMIC_RELEASE);
}

static int free_pool_entry(const struct io_handler_table *t)
{
	for (uint32_t i = 0; i < CONFIG_IO_MAX_HANDLERS; i++)
		if (t->pool[i].state == HANDLER_FREE)
			return (int)i;
	return -1;
}

int io_table_add(struct io_handler_table *t, unsigned space, uint64_t base,
		 uint64_t size, io_handler_fn fn, void *priv, const char *name)
{
	uint32_t pos;
	int idx, rc = 0;

	if (space >= IO_SPACE_COUNT || size == 0 || size - 1 > ~base || !fn)
		return -EINVAL;
	spin_lock(&t->lock);
	if (classify(t, t->count, space, base, base + (size - 1), &pos) !=
	    IO_LOOKUP_MISS) {
		rc = -EEXIST;
		goto out;
	}
	idx = free_pool_entry(t);
	if (idx < 0) {
		rc = -ENOSPC;
		goto out;
	}
	write_begin(t);
	STORE(t->pool[idx].space, (uint8_t)space);
	STORE(t->pool[idx].base, base);
	STORE(t->pool[idx].size, size);
	t->pool[idx].fn = fn;
	t->pool[idx].priv = priv;
	t->pool[idx].name = name;
	t->pool[idx].state = HANDLER_LIVE;
	for (uint32_t i = t->count; i > pos; i--)
		STORE(t->order[i], t->order[i - 1]);
	STORE(t->order[pos], (uint32_t)idx);
	STORE(t->count, t->count + 1);
	write_end(t);
out:
	spin_unlock(&t->lock);
	return rc;
}

/* Wait until no vCPU is inside the entry's handler, then free the entry. */
static void table_retire(struct io_handler_table *t, struct io_handler *h)
{
	/* Pairs with the fence in io_table_get(): a lookup either saw the new
	 * `seq` and backed off, or its pin is visible here. */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	while (__atomic_load_n(&h->users, __ATOMIC_ACQUIRE) != 0)
		cpu_spin_wait();
	spin_lock(&t->lock);
	h->state = HANDLER_FREE;
	spin_unlock(&t->lock);
}

int io_table_remove(struct io_handler_table *t, unsigned space, uint64_t base)
{
	struct io_handler *h = NULL;
	uint32_t pos;

	spin_lock(&t->lock);
	pos = count_at_or_before(t, t->count, space, base);
	if (pos > 0) {
		h = &t->pool[t->order[pos - 1]];
		if (h->space != space || h->base != base)
			h = NULL;
	}
	if (h) {
		write_begin(t);
		h->state = HANDLER_RETIRING;
		for (uint32_t i = pos - 1; i + 1 < t->count; i++)
			STORE(t->order[i], t->order[i + 1]);
		STORE(t->count, t->count - 1);
		write_end(t);
	}
	spin_unlock(&t->lock);
	if (!h)
		return -ENOENT;
	table_retire(t, h);
	return 0;
}

int io_register(struct io_vm *io, enum io_space space, uint64_t base,
		uint64_t size, io_handler_fn fn, void *priv, const char *name)
{
	int rc = io_table_add(&io->table, space, base, size, fn, priv, name);

	if (rc)
		log_warn("vm %s: io: cannot register %s [%#llx, +%#llx) in space %u: %d",
			 io->name, name ? name : "?", (unsigned long long)base,
			 (unsigned long long)size, (unsigned)space, rc);
	return rc;
}

int io_unregister(struct io_vm *io, enum io_space space, uint64_t base)
{
	return io_table_remove(&io->table, space, base);
}
