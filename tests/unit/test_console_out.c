/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console output buffers and their drain (console_ring.c, console_out.c):
 * records in order and whole across the ring's end; a full ring drops the
 * newest records, counted, reported where they were lost (before the next
 * record, or alone once the ring is empty), each loss once; the drain's
 * per-VM budget, stamp order across VMs, a flooding VM that does not delay
 * one within its budget, its loss reports few; the log written at once
 * until the buffers are started.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <console_out.h>
#include <console_ring.h>

#include "host_console.h"

static struct console_ring ring;

static void put_line(const char *s)
{
	assert_true(console_ring_put(&ring, CONSOLE_RECORD_LINE, 1, s, strlen(s)));
}

static void expect_line(const char *s)
{
	struct console_record rec;

	assert_true(console_ring_get(&ring, &rec));
	assert_int_equal(rec.kind, CONSOLE_RECORD_LINE);
	assert_int_equal(rec.len, strlen(s));
	assert_memory_equal(rec.text, s, rec.len);
}

static void expect_loss(uint64_t lines, uint64_t bytes)
{
	struct console_record rec;

	assert_true(console_ring_get(&ring, &rec));
	assert_int_equal(rec.kind, CONSOLE_RECORD_DROPPED);
	assert_int_equal(rec.lost_lines, lines);
	assert_int_equal(rec.lost_bytes, bytes);
}

static void expect_empty(void)
{
	struct console_record rec;
	uint64_t stamp;

	assert_false(console_ring_peek(&ring, &stamp));
	assert_false(console_ring_get(&ring, &rec));
}

/* Records go round the end of the ring many times, whole and in order;
 * the stamp and the kind come back as they were put. */
static void test_ring_order_across_the_end(void **state)
{
	struct console_record rec;
	char line[64];
	uint64_t stamp;

	(void)state;
	console_ring_init(&ring);
	for (unsigned i = 0; i < 5000; i++) {
		int n = snprintf(line, sizeof(line), "record %u%.*s", i, (int)(i % 37),
				 "....................................");

		assert_true(console_ring_put(&ring, i % 2 ? CONSOLE_RECORD_STREAM
							  : CONSOLE_RECORD_LINE,
					     1000 + i, line, (size_t)n));
		assert_true(console_ring_peek(&ring, &stamp));
		assert_int_equal(stamp, 1000 + i);
		assert_true(console_ring_get(&ring, &rec));
		assert_int_equal(rec.kind, i % 2 ? CONSOLE_RECORD_STREAM
						 : CONSOLE_RECORD_LINE);
		assert_int_equal(rec.stamp, 1000 + i);
		assert_int_equal(rec.len, (size_t)n);
		assert_memory_equal(rec.text, line, (size_t)n);
	}
	expect_empty();
}

/* Fill it: what does not fit is dropped, counted in lines and bytes; the
 * loss comes out right before the first record put after it, once; what
 * was in the ring before comes out first, untouched. */
static void test_ring_loss_reported_where_it_happened(void **state)
{
	char line[64];
	unsigned kept = 0;

	(void)state;
	console_ring_init(&ring);
	for (;; kept++) {
		snprintf(line, sizeof(line), "kept %04u", kept);
		if (!console_ring_fits(&ring, strlen(line)))
			break;
		put_line(line);
	}
	assert_true(kept > 100);
	/* full: three lines lost (9, 10 and 0 bytes) */
	assert_false(console_ring_put(&ring, CONSOLE_RECORD_LINE, 1, "lost 0001", 9));
	assert_false(console_ring_put(&ring, CONSOLE_RECORD_LINE, 1, "lost 00002", 10));
	assert_false(console_ring_put(&ring, CONSOLE_RECORD_LINE, 1, "", 0));
	/* room again, for the loss report and the next line */
	for (unsigned i = 0; i < 3; i++) {
		snprintf(line, sizeof(line), "kept %04u", i);
		expect_line(line);
	}
	put_line("after the loss");
	for (unsigned i = 3; i < kept; i++) {
		snprintf(line, sizeof(line), "kept %04u", i);
		expect_line(line);
	}
	expect_loss(3, 19);
	expect_line("after the loss");
	expect_empty();
	/* the next loss is counted afresh */
	assert_false(console_ring_put(&ring, CONSOLE_RECORD_LINE, 1, line,
				      CONSOLE_RECORD_MAX + 1));
	expect_loss(1, CONSOLE_RECORD_MAX + 1);
	expect_empty();
}

/* A loss at the end with nothing after it is reported once the ring is
 * empty, with a stamp after everything; a record put later does not
 * report it again. */
static void test_ring_loss_at_the_end(void **state)
{
	char big[CONSOLE_RECORD_MAX] = {0};
	uint64_t stamp;

	(void)state;
	console_ring_init(&ring);
	while (console_ring_fits(&ring, sizeof(big)))
		assert_true(console_ring_put(&ring, CONSOLE_RECORD_LINE, 5, big,
					     sizeof(big)));
	assert_false(console_ring_put(&ring, CONSOLE_RECORD_LINE, 5, big,
				      sizeof(big)));
	while (console_ring_peek(&ring, &stamp) && stamp == 5) {
		struct console_record rec;

		assert_true(console_ring_get(&ring, &rec));
		assert_int_equal(rec.kind, CONSOLE_RECORD_LINE);
	}
	assert_true(console_ring_peek(&ring, &stamp));
	assert_int_equal(stamp, UINT64_MAX);
	expect_loss(1, sizeof(big));
	expect_empty();
	put_line("later"); /* carries a report already made */
	expect_line("later");
	expect_empty();
}

/* The producer is told when room came back, once. */
static void test_ring_room_wanted(void **state)
{
	char big[CONSOLE_RECORD_MAX] = {0};
	struct console_record rec;

	(void)state;
	console_ring_init(&ring);
	assert_false(console_ring_take_room_wanted(&ring));
	while (console_ring_fits(&ring, sizeof(big)))
		assert_true(console_ring_put(&ring, CONSOLE_RECORD_LINE, 1, big,
					     sizeof(big)));
	assert_false(console_ring_take_room_wanted(&ring)); /* still full */
	assert_true(console_ring_get(&ring, &rec));
	assert_true(console_ring_get(&ring, &rec));
	assert_true(console_ring_take_room_wanted(&ring));
	assert_false(console_ring_take_room_wanted(&ring));
}

/* ---- the drain ---- */

static unsigned count(const char *text, const char *what)
{
	unsigned n = 0;

	for (const char *p = text; (p = strstr(p, what)); p += strlen(what))
		n++;
	return n;
}

/* Until console_out_start() the log is written at once, drains or not;
 * then it waits in its buffer for the drainer, in order with the VMs'
 * lines. */
static void test_log_direct_until_started(void **state)
{
	struct console_out *vm = console_out_init_vm(0, "rt0");

	(void)state;
	host_console_reset();
	console_out_log("booting", 7);
	assert_string_equal(host_console_text(), "[hv] booting\r\n");
	host_console_reset();
	console_out_drain();
	console_out_log("still", 5);
	assert_string_equal(host_console_text(), "[hv] still\r\n");
	host_console_reset();
	console_out_start();
	assert_true(console_out_line(vm, "one", 3));
	console_out_log("between", 7);
	assert_true(console_out_line(vm, "two", 3));
	assert_string_equal(host_console_text(), "");
	console_out_drain();
	assert_string_equal(host_console_text(),
			    "[rt0] one\r\n[hv] between\r\n[rt0] two\r\n");
	host_console_reset();
}

/* Each drain writes at most a budget of a VM's text (whole lines); a VM
 * within its budget loses nothing and is never held back by a neighbour
 * that floods: the flooder loses its own excess, counted, and the
 * reports, one where the loss began and one when it is over, say exactly
 * how much. */
static void test_budget_and_a_flooding_neighbour(void **state)
{
	struct console_out *rt = console_out_init_vm(1, "rt");
	struct console_out *flood = console_out_init_vm(2, "flood");
	unsigned sent = 0, put = 0, rt_lines = 0, reports = 0;
	unsigned long long lost = 0, lost_bytes = 0, refused_bytes = 0;
	char line[80], want[80];
	const char *text, *p;

	(void)state;
	console_out_start();
	host_console_reset();
	for (unsigned tick = 0; tick < 50; tick++) {
		/* the flooder: 200 lines of 39 bytes per drain */
		for (unsigned i = 0; i < 200; i++, sent++) {
			snprintf(line, sizeof(line), "flood %06u ..........................",
				 sent);
			if (console_out_line(flood, line, strlen(line)))
				put++;
			else
				refused_bytes += strlen(line);
		}
		/* rt: 4 lines per drain, far within its budget */
		for (unsigned i = 0; i < 4; i++) {
			snprintf(line, sizeof(line), "seq %05u", rt_lines++);
			assert_true(console_out_line(rt, line, strlen(line)));
		}
		console_out_drain();
		/* everything rt sent is out, after every drain */
		snprintf(want, sizeof(want), "[rt] seq %05u\r\n", rt_lines - 1);
		assert_non_null(strstr(host_console_text(), want));
		/* and at most a budget of the flooder's, plus one line */
		if (tick > 0)
			assert_true(count(host_console_text(), "[flood] ") * 40 <=
				    CONSOLE_VM_BUDGET + 40); /* a line costs 39 + 1 */
		text = host_console_text();
		for (p = text; (p = strstr(p, "vm flood: ")); p++) {
			unsigned long long l, b;

			assert_int_equal(sscanf(p, "vm flood: %llu lines (%llu bytes)",
						&l, &b), 2);
			lost += l;
			lost_bytes += b;
			reports++;
		}
		/* rt's lines in order, none missing */
		for (unsigned i = rt_lines - 4; i < rt_lines; i++) {
			snprintf(want, sizeof(want), "[rt] seq %05u\r\n", i);
			assert_non_null(strstr(text, want));
		}
		host_console_reset();
	}
	console_out_flush();
	text = host_console_text();
	for (p = text; (p = strstr(p, "vm flood: ")); p++) {
		unsigned long long l, b;

		assert_int_equal(sscanf(p, "vm flood: %llu lines (%llu bytes)", &l,
					&b), 2);
		lost += l;
		lost_bytes += b;
		reports++;
	}
	host_console_reset();
	assert_true(lost > 0);
	/* the loss where it began, then (within CONSOLE_LOSS_REPORT_DRAINS)
	 * only once more, when the flood is over */
	assert_int_equal(reports, 2);
	assert_int_equal(put + lost, sent);
	assert_int_equal(lost_bytes, refused_bytes);
}

/* A flush writes everything, budgets ignored (a panic). */
static void test_flush_ignores_budgets(void **state)
{
	struct console_out *vm = console_out_init_vm(3, "big");
	char line[100];

	(void)state;
	memset(line, 'x', sizeof(line));
	host_console_reset();
	for (unsigned i = 0; i < 30; i++)
		assert_true(console_out_line(vm, line, sizeof(line)));
	console_out_flush();
	assert_int_equal(count(host_console_text(), "[big] "), 30);
	host_console_reset();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring_order_across_the_end),
		cmocka_unit_test(test_ring_loss_reported_where_it_happened),
		cmocka_unit_test(test_ring_loss_at_the_end),
		cmocka_unit_test(test_ring_room_wanted),
		cmocka_unit_test(test_log_direct_until_started),
		cmocka_unit_test(test_budget_and_a_flooding_neighbour),
		cmocka_unit_test(test_flush_ignores_budgets),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
