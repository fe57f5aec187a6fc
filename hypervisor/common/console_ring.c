/* SPDX-License-Identifier: BSD-3-Clause */
/* One console output buffer between one producer and one consumer
 * (console_ring.h). */
#include <console_ring.h>

/*
 * In the ring a record is a 12-byte header (kind, a 16-bit length, the
 * 64-bit stamp) then its bytes; a DROPPED record carries the producer's
 * loss totals (two 64-bit counts). Positions are free-running 32-bit
 * counters, masked on access, so a record may wrap around the end.
 */
#define HEADER 12u
#define DROPPED_SIZE (HEADER + 16u)
#define MASK (CONSOLE_RING_SIZE - 1)

struct header {
	uint8_t kind, zero;
	uint16_t len;
	uint32_t stamp_lo, stamp_hi; /* 4-byte aligned: 12 bytes, no hole */
};

_Static_assert((CONSOLE_RING_SIZE & MASK) == 0, "ring size: a power of two");
_Static_assert(CONSOLE_RECORD_MAX <= 0xffff, "record length: 16 bits");

void console_ring_init(struct console_ring *r)
{
	*r = (struct console_ring){0};
}

static uint32_t copy_in(struct console_ring *r, uint32_t pos, const void *src,
			size_t n)
{
	const uint8_t *s = src;

	for (size_t i = 0; i < n; i++)
		r->buf[pos++ & MASK] = s[i];
	return pos;
}

static uint32_t copy_out(const struct console_ring *r, uint32_t pos, void *dst,
			 size_t n)
{
	uint8_t *d = dst;

	for (size_t i = 0; i < n; i++)
		d[i] = r->buf[pos++ & MASK];
	return pos;
}

_Static_assert(sizeof(struct header) == HEADER, "header layout");

static uint32_t put_header(struct console_ring *r, uint32_t pos,
			   enum console_record_kind kind, uint64_t stamp,
			   size_t n)
{
	struct header h = {(uint8_t)kind, 0, (uint16_t)n, (uint32_t)stamp,
			   (uint32_t)(stamp >> 32)};

	return copy_in(r, pos, &h, sizeof(h));
}

/* ---- producer ---- */

static bool loss_unstamped(const struct console_ring *r)
{
	return __atomic_load_n(&r->lost_lines, __ATOMIC_RELAXED) !=
	       r->stamped_lines;
}

/* Ring bytes a record of n bytes takes, with the DROPPED record before it
 * if one is due. */
static size_t needed(const struct console_ring *r, size_t n)
{
	return HEADER + n + (loss_unstamped(r) ? DROPPED_SIZE : 0);
}

/* From either side: each reads the other's position atomically. */
static bool room_for(const struct console_ring *r, size_t bytes)
{
	uint32_t head = __atomic_load_n(&r->head, __ATOMIC_ACQUIRE);
	uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_RELAXED);

	return CONSOLE_RING_SIZE - (tail - head) >= bytes;
}

bool console_ring_fits(struct console_ring *r, size_t n)
{
	if (n <= CONSOLE_RECORD_MAX && room_for(r, needed(r, n)))
		return true;
	__atomic_store_n(&r->room_wanted, true, __ATOMIC_RELAXED);
	return false;
}

/* Bytes first, then lines with release: a consumer that reads the lines
 * with acquire sees at least the bytes that go with them. */
static void lose(struct console_ring *r, size_t n)
{
	__atomic_store_n(&r->lost_bytes, r->lost_bytes + n, __ATOMIC_RELAXED);
	__atomic_store_n(&r->lost_lines, r->lost_lines + 1, __ATOMIC_RELEASE);
	__atomic_store_n(&r->room_wanted, true, __ATOMIC_RELAXED);
}

bool console_ring_put(struct console_ring *r, enum console_record_kind kind,
		      uint64_t stamp, const char *text, size_t n)
{
	uint32_t pos = r->tail;

	if (n > CONSOLE_RECORD_MAX || !room_for(r, needed(r, n))) {
		lose(r, n);
		return false;
	}
	if (loss_unstamped(r)) {
		uint64_t totals[2] = {r->lost_lines, r->lost_bytes};

		pos = put_header(r, pos, CONSOLE_RECORD_DROPPED, stamp,
				 sizeof(totals));
		pos = copy_in(r, pos, totals, sizeof(totals));
		r->stamped_lines = totals[0];
		r->stamped_bytes = totals[1];
	}
	pos = put_header(r, pos, kind, stamp, n);
	pos = copy_in(r, pos, text, n);
	__atomic_store_n(&r->tail, pos, __ATOMIC_RELEASE);
	return true;
}

/* ---- consumer ---- */

/* What was lost up to the totals (lines, bytes) and not reported yet, into
 * *rec (its stamp is the caller's); a stale DROPPED record (its loss
 * already reported) yields nothing. */
static bool report_loss(struct console_ring *r, uint64_t lines,
			uint64_t bytes, struct console_record *rec)
{
	if (lines <= r->reported_lines)
		return false;
	rec->kind = CONSOLE_RECORD_DROPPED;
	rec->len = 0;
	rec->lost_lines = lines - r->reported_lines;
	rec->lost_bytes = bytes - r->reported_bytes;
	r->reported_lines = lines;
	r->reported_bytes = bytes;
	return true;
}

/*
 * The next record, into *rec if `take`. A DROPPED record whose loss was
 * already reported (from the totals, while the ring was empty) is skipped.
 */
static bool next_record(struct console_ring *r, struct console_record *rec,
			bool take)
{
	for (;;) {
		/* The totals before the tail: a loss after a record that is
		 * already in the ring is then never reported ahead of it. */
		uint64_t lines = __atomic_load_n(&r->lost_lines, __ATOMIC_ACQUIRE);
		uint64_t bytes = __atomic_load_n(&r->lost_bytes, __ATOMIC_RELAXED);
		uint32_t tail = __atomic_load_n(&r->tail, __ATOMIC_ACQUIRE);
		uint32_t pos = r->head;
		uint64_t totals[2];
		struct header h;

		if (pos == tail) {
			if (lines <= r->reported_lines)
				return false;
			rec->stamp = UINT64_MAX;
			return !take || report_loss(r, lines, bytes, rec);
		}
		pos = copy_out(r, pos, &h, sizeof(h));
		rec->stamp = h.stamp_lo | (uint64_t)h.stamp_hi << 32;
		if (h.kind != CONSOLE_RECORD_DROPPED) {
			if (!take)
				return true;
			rec->kind = (enum console_record_kind)h.kind;
			rec->len = h.len;
			pos = copy_out(r, pos, rec->text, h.len);
			__atomic_store_n(&r->head, pos, __ATOMIC_RELEASE);
			return true;
		}
		copy_out(r, pos, totals, sizeof(totals));
		if (totals[0] > r->reported_lines && !take)
			return true;
		__atomic_store_n(&r->head, pos + sizeof(totals), __ATOMIC_RELEASE);
		if (report_loss(r, totals[0], totals[1], rec))
			return true;
	}
}

bool console_ring_peek(struct console_ring *r, uint64_t *stamp)
{
	struct console_record rec;

	if (!next_record(r, &rec, false))
		return false;
	*stamp = rec.stamp;
	return true;
}

bool console_ring_get(struct console_ring *r, struct console_record *rec)
{
	return next_record(r, rec, true);
}

bool console_ring_take_room_wanted(struct console_ring *r)
{
	if (!__atomic_load_n(&r->room_wanted, __ATOMIC_RELAXED) ||
	    !room_for(r, HEADER + CONSOLE_RECORD_MAX + DROPPED_SIZE))
		return false;
	__atomic_store_n(&r->room_wanted, false, __ATOMIC_RELAXED);
	return true;
}
