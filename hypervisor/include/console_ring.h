/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * One console output buffer: a fixed ring of records (whole lines, or the
 * interactive VM's unfinished pieces) between one producer and one consumer.
 *
 * The producer (a VM's vCPUs, serialised by their vUART's lock, or the
 * hypervisor's log under its own lock) never waits for the consumer: a
 * record that does not fit is dropped and counted, never half written. The
 * consumer (the console drainer, doc/architecture.rst "The console") takes
 * records in the order they were put. What was dropped is reported where
 * it was lost: a DROPPED record comes out before the first record put
 * after the loss, or on its own once the ring is empty.
 *
 * Every record carries a stamp (the counter when it was put), so that a
 * consumer of several rings can write them out in the order they happened.
 *
 * No lock is shared between the two sides: the producer owns `tail`, the
 * consumer `head`, each published with release and read with acquire.
 */
#ifndef TESSERA_CONSOLE_RING_H
#define TESSERA_CONSOLE_RING_H

#include <types.h>

#define CONSOLE_RING_SIZE 4096u  /* bytes of records; a power of two */
#define CONSOLE_RECORD_MAX 256u  /* text of one record, at most */

enum console_record_kind {
	CONSOLE_RECORD_LINE = 1,    /* a whole line, without its newline */
	CONSOLE_RECORD_STREAM = 2,  /* bytes as the interactive VM sent them */
	CONSOLE_RECORD_DROPPED = 3, /* lines and bytes lost before this point */
};

/* A record as the consumer gets it. */
struct console_record {
	enum console_record_kind kind;
	uint64_t stamp;                  /* when it was put */
	size_t len;                      /* LINE, STREAM: bytes of text */
	char text[CONSOLE_RECORD_MAX];
	uint64_t lost_lines, lost_bytes; /* DROPPED: since the last report */
};

struct console_ring {
	uint8_t buf[CONSOLE_RING_SIZE];
	uint32_t head; /* next byte the consumer reads (atomic) */
	uint32_t tail; /* next byte the producer writes (atomic) */
	/* Producer: records dropped ever (atomic totals), and what the last
	 * DROPPED record it put said. */
	uint64_t lost_lines, lost_bytes;
	uint64_t stamped_lines, stamped_bytes;
	/* Consumer: losses it has reported. */
	uint64_t reported_lines, reported_bytes;
	bool room_wanted; /* the producer found it full (atomic) */
};

void console_ring_init(struct console_ring *r);

/* ---- producer ---- */

/* Whether a record of n bytes fits now. If not, room_wanted is set, for
 * console_ring_take_room_wanted(). */
bool console_ring_fits(struct console_ring *r, size_t n);
/* Put a LINE or STREAM record of n <= CONSOLE_RECORD_MAX bytes, preceded
 * by a DROPPED record if something was lost since the last one. false: it
 * did not fit, it is dropped and counted as one line of n bytes. */
bool console_ring_put(struct console_ring *r, enum console_record_kind kind,
		      uint64_t stamp, const char *text, size_t n);

/* ---- consumer ---- */

/* The stamp of the record console_ring_get() would return next, or false if
 * there is none. A loss reported from the totals has the stamp UINT64_MAX:
 * it happened after everything in the ring. */
bool console_ring_peek(struct console_ring *r, uint64_t *stamp);
/* The next record into *rec, or false if there is none. When the ring is
 * empty and losses are unreported, a DROPPED record for them. */
bool console_ring_get(struct console_ring *r, struct console_record *rec);
/* Whether the producer wanted room that a largest record now has; clears
 * the wish when it is answered. */
bool console_ring_take_room_wanted(struct console_ring *r);

#endif
