/* SPDX-License-Identifier: BSD-3-Clause */
/* The virtual PL011: line assembly onto the console, registers, refusals, locking. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vuart.h>

#include <console.h>
#include <console_input.h>
#include <console_out.h>
#include <host_log.h>

#include "host_console.h"

/* PL011 registers (offsets) and values the guest sees. */
#define DR 0x000
#define RSR 0x004
#define FR 0x018
#define ILPR 0x020
#define IBRD 0x024
#define FBRD 0x028
#define LCR_H 0x02c
#define CR 0x030
#define IFLS 0x034
#define IMSC 0x038
#define RIS 0x03c
#define MIS 0x040
#define ICR 0x044
#define DMACR 0x048
#define PERIPHID0 0xfe0
#define FR_TXFE 0x80u
#define FR_TXFF 0x20u
#define FR_RXFE 0x10u
#define RIS_TX 0x20u

/* Another VM's console output, for lines that come between ours. */
static struct console_out *rt0_out;

static int setup(void **state)
{
	struct vuart *vu = malloc(sizeof(*vu));

	if (!vu)
		return -1;
	vuart_init(vu, console_out_init_vm(1, "vm1"));
	rt0_out = console_out_init_vm(2, "rt0");
	host_console_reset();
	*state = vu;
	return 0;
}

static int teardown(void **state)
{
	free(*state);
	return 0;
}

static uint64_t rd(struct vuart *vu, uint64_t off, unsigned size)
{
	uint64_t v = 0xdeadbeefdeadbeefull;

	assert_int_equal(vuart_access(vu, off, size, false, &v), 0);
	return v;
}

static void wr(struct vuart *vu, uint64_t off, unsigned size, uint64_t v)
{
	assert_int_equal(vuart_access(vu, off, size, true, &v), 0);
}

/* Bytes to DR as a guest would, with 8-, 16- and 32-bit stores in turn. */
static void tx(struct vuart *vu, const char *s, size_t n)
{
	static const unsigned sizes[] = {1, 2, 4};

	for (size_t i = 0; i < n; i++)
		wr(vu, DR, sizes[i % 3], (unsigned char)s[i]);
}

static void tx_str(struct vuart *vu, const char *s)
{
	tx(vu, s, strlen(s));
}

/* The console shows exactly `want` since the last check, once the
 * drainer wrote out what is buffered. */
static void expect_console(const char *want)
{
	console_out_flush();
	if (strcmp(host_console_text(), want) != 0)
		fail_msg("console \"%s\", want \"%s\"", host_console_text(), want);
	host_console_reset();
}

static void test_hello_line(void **state)
{
	struct vuart *vu = *state;

	tx_str(vu, "hello");
	expect_console(""); /* nothing until the line is complete */
	tx_str(vu, "\n");
	expect_console("[vm1] hello\r\n");
	tx_str(vu, "second line\nthird\n");
	expect_console("[vm1] second line\r\n[vm1] third\r\n");
}

/* A driver that masks and unmasks its TX interrupt between characters (as
 * Linux's pl011 tty driver does) loses nothing of a VM's whole lines. */
static void test_interrupt_mask_keeps_the_line(void **state)
{
	struct vuart *vu = *state;

	for (const char *c = "check: nproc=2\n"; *c; c++) {
		wr(vu, IMSC, 4, 0x20);
		wr(vu, DR, 1, (unsigned char)*c);
		wr(vu, IMSC, 4, 0x50);
	}
	expect_console("[vm1] check: nproc=2\r\n");
}

static void test_carriage_return_dropped(void **state)
{
	struct vuart *vu = *state;

	tx_str(vu, "a\r\nb\r\n\rc\r\rd\n");
	expect_console("[vm1] a\r\n[vm1] b\r\n[vm1] cd\r\n");
	tx_str(vu, "\r\r\r");
	vuart_flush(vu);
	expect_console("");
}

/* Only the low byte of a DR write is a character. */
static void test_data_register_low_byte(void **state)
{
	struct vuart *vu = *state;

	wr(vu, DR, 4, 0xffffff00u | 'x');
	wr(vu, DR, 4, 0x0f00u | 'y');
	wr(vu, DR, 4, '\n');
	expect_console("[vm1] xy\r\n");
}

static void test_long_line_split(void **state)
{
	struct vuart *vu = *state;
	const size_t n = 2 * VUART_LINE_MAX + 17;
	char *in = malloc(n + 1);
	char *want = malloc(n + 64);
	size_t w = 0;

	assert_non_null(in);
	assert_non_null(want);
	for (size_t i = 0; i < n; i++)
		in[i] = (char)('!' + i % 90);
	tx(vu, in, n);
	tx_str(vu, "\n");
	/* VUART_LINE_MAX, VUART_LINE_MAX, then the rest: nothing lost */
	for (size_t off = 0; off < n; off += VUART_LINE_MAX) {
		size_t k = n - off < VUART_LINE_MAX ? n - off : VUART_LINE_MAX;

		w += (size_t)sprintf(want + w, "[vm1] %.*s\r\n", (int)k, in + off);
	}
	expect_console(want);

	/* exactly one full line and its newline: one line, no empty one */
	tx(vu, in, VUART_LINE_MAX);
	tx_str(vu, "\n");
	sprintf(want, "[vm1] %.*s\r\n", (int)VUART_LINE_MAX, in);
	expect_console(want);
	free(in);
	free(want);
}

static void test_flush_partial_line(void **state)
{
	struct vuart *vu = *state;

	tx_str(vu, "partial");
	vuart_flush(vu);
	expect_console("[vm1] partial\r\n");
	vuart_flush(vu); /* nothing left */
	expect_console("");
	tx_str(vu, "next\n");
	expect_console("[vm1] next\r\n");
}

static void test_flag_register(void **state)
{
	struct vuart *vu = *state;

	assert_int_equal(rd(vu, FR, 4), FR_TXFE | FR_RXFE);
	assert_int_equal(rd(vu, FR, 2), FR_TXFE | FR_RXFE);
	assert_int_equal(rd(vu, FR, 1), FR_TXFE | FR_RXFE);
	tx_str(vu, "busy?");
	assert_int_equal(rd(vu, FR, 4), FR_TXFE | FR_RXFE);
	/* no input: DR reads 0 */
	assert_int_equal(rd(vu, DR, 4), 0);
}

static unsigned irq_calls;
static bool irq_level;

static void record_irq(void *ctx, bool level)
{
	(void)ctx;
	irq_calls++;
	irq_level = level;
}

/*
 * A full console buffer looks like a full PL011 FIFO: FR.TXFF and no TX
 * interrupt, until the drainer made room (the level rises again). A guest
 * that sends regardless loses whole lines, the latest, and the drainer
 * says how many where they were lost; the others come out whole, in order.
 */
static void test_full_buffer_flow_control(void **state)
{
	struct vuart *vu = *state;
	const char *text;
	unsigned shown = 0, sent = 0;
	char want[64];

	vuart_connect_irq(vu, record_irq, NULL);
	wr(vu, IMSC, 4, RIS_TX);
	assert_true(irq_level);
	while (!(rd(vu, FR, 4) & FR_TXFF)) {
		/* a 4 KiB buffer holds fewer than 200 of these */
		if (sent == 200)
			fail_msg("FR.TXFF never set");
		snprintf(want, sizeof(want), "line %03u of a guest that waits\n", sent++);
		tx_str(vu, want);
	}
	assert_int_equal(rd(vu, RIS, 4) & RIS_TX, 0);
	assert_false(irq_level);
	/* ... and one that does not: lines beyond the room are lost */
	for (unsigned i = 0; i < 8; i++) {
		snprintf(want, sizeof(want), "line %03u of a guest that waits\n", sent++);
		tx_str(vu, want);
	}
	irq_calls = 0;
	console_out_flush();
	assert_int_equal(irq_calls, 1);
	assert_true(irq_level);
	assert_true(rd(vu, RIS, 4) & RIS_TX);
	assert_int_equal(rd(vu, FR, 4) & FR_TXFF, 0);
	tx_str(vu, "after\n");
	console_out_flush();
	text = host_console_text();
	for (;; shown++) {
		snprintf(want, sizeof(want), "[vm1] line %03u of a guest that waits\r\n",
			 shown);
		if (strncmp(text, want, strlen(want)) != 0)
			break;
		text += strlen(want);
	}
	assert_true(shown > 0 && shown < sent);
	snprintf(want, sizeof(want), "[hv] warning: vm vm1: %u lines (%u bytes) of ",
		 sent - shown, (sent - shown) * 30);
	if (strncmp(text, want, strlen(want)) != 0)
		fail_msg("after %u lines: \"%s\", want \"%s...\"", shown, text, want);
	text = strchr(text, '\n') + 1;
	assert_string_equal(text, "[vm1] after\r\n");
	host_console_reset();
}

static void test_id_registers(void **state)
{
	struct vuart *vu = *state;
	static const uint8_t id[8] = {0x11, 0x10, 0x14, 0x00,
				      0x0d, 0xf0, 0x05, 0xb1};

	for (unsigned i = 0; i < 8; i++) {
		assert_int_equal(rd(vu, PERIPHID0 + 4 * i, 4), id[i]);
		/* read-only */
		wr(vu, PERIPHID0 + 4 * i, 4, 0xff);
		assert_int_equal(rd(vu, PERIPHID0 + 4 * i, 4), id[i]);
	}
	/* reserved space below the IDs reads as zero */
	assert_int_equal(rd(vu, 0xfdc, 4), 0);
	assert_int_equal(rd(vu, 0x800, 4), 0);
}

static void test_control_registers(void **state)
{
	struct vuart *vu = *state;
	static const struct {
		uint64_t off;
		uint32_t reset, mask;
	} regs[] = {
		{CR, 0x300, 0xff87}, {LCR_H, 0, 0xff},   {IBRD, 0, 0xffff},
		{FBRD, 0, 0x3f},     {IMSC, 0, 0x7ff},   {IFLS, 0x12, 0x3f},
		{DMACR, 0, 0x7},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(regs); i++) {
		assert_int_equal(rd(vu, regs[i].off, 4), regs[i].reset);
		wr(vu, regs[i].off, 4, 0xffffffff);
		assert_int_equal(rd(vu, regs[i].off, 4), regs[i].mask);
		wr(vu, regs[i].off, 4, 0xa5a5a5a5);
		assert_int_equal(rd(vu, regs[i].off, 4), 0xa5a5a5a5 & regs[i].mask);
		wr(vu, regs[i].off, 4, 0);
		assert_int_equal(rd(vu, regs[i].off, 4), 0);
	}
	/* a plausible Linux setup: 115200 8N1, FIFOs on, TX interrupt masked in */
	static const struct {
		uint64_t off;
		unsigned size;
		uint32_t value;
	} linux_setup[] = {
		{IBRD, 4, 13}, {FBRD, 4, 1}, {LCR_H, 4, 0x70}, {CR, 2, 0x301},
		{IMSC, 4, 0x20},
	};
	for (unsigned i = 0; i < ARRAY_SIZE(linux_setup); i++)
		wr(vu, linux_setup[i].off, linux_setup[i].size,
		   linux_setup[i].value);
	for (unsigned i = 0; i < ARRAY_SIZE(linux_setup); i++)
		assert_int_equal(rd(vu, linux_setup[i].off, 4),
				 linux_setup[i].value);
	/* TX always ready: raw status has TXRIS, masked status follows IMSC */
	assert_int_equal(rd(vu, RIS, 4), 0x20);
	assert_int_equal(rd(vu, MIS, 4), 0x20);
	wr(vu, IMSC, 4, 0x10);
	assert_int_equal(rd(vu, MIS, 4), 0);
	/* write-only and error registers: accepted, read as zero, change nothing */
	static const uint64_t write_only[] = {ICR, RSR, ILPR};
	for (unsigned i = 0; i < ARRAY_SIZE(write_only); i++) {
		wr(vu, write_only[i], 4, 0x7ff);
		assert_int_equal(rd(vu, write_only[i], 4), 0);
	}
	assert_int_equal(rd(vu, RIS, 4), 0x20);
	expect_console("");
}

static void test_refused_accesses(void **state)
{
	struct vuart *vu = *state;
	static const struct {
		uint64_t off;
		unsigned size;
	} bad[] = {
		{DR, 8}, {FR, 8}, {0xff8, 8},       /* 64-bit */
		{DR + 1, 4}, {DR + 2, 4}, {CR + 3, 4}, /* unaligned */
		{DR + 1, 2}, {IBRD + 3, 2},
		{0x1000, 4}, {0x1000, 1}, {0x1ffc, 4}, /* outside the page */
		{0x100000000ull, 4}, {~0ull & ~3ull, 4},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		uint64_t v = 'Z';

		if (vuart_access(vu, bad[i].off, bad[i].size, true, &v) != -1)
			fail_msg("write 0x%llx/%u accepted",
				 (unsigned long long)bad[i].off, bad[i].size);
		v = 0x1234;
		assert_int_equal(vuart_access(vu, bad[i].off, bad[i].size, false,
					      &v), -1);
		assert_int_equal(v, 0x1234); /* untouched */
	}
	vuart_flush(vu);
	expect_console(""); /* no 'Z' reached DR */
	/* the last word and byte of the window are accepted */
	assert_int_equal(rd(vu, 0xffc, 4), 0xb1);
	(void)rd(vu, 0xfff, 1);
}

/* Two VMs printing at once, their driver waiting while the FIFO is full,
 * and the drainer: each console line is one VM's line, whole, none lost. */
struct writer {
	struct vuart vu;
	char name[8];
	unsigned lines;
	pthread_barrier_t *start;
};

#define LINE_FMT "line %05u of %s: the quick brown fox jumps over the lazy dog\n"

static void *writer_main(void *arg)
{
	struct writer *w = arg;
	char line[128];

	pthread_barrier_wait(w->start); /* both at once, to collide */
	for (unsigned i = 0; i < w->lines; i++) {
		int n = snprintf(line, sizeof(line), LINE_FMT, i, w->name);

		for (int k = 0; k < n; k++) {
			uint64_t v = (unsigned char)line[k], fr;

			/* as Linux's driver: wait while the FIFO is full */
			do {
				if (vuart_access(&w->vu, FR, 4, false, &fr) != 0)
					abort();
			} while ((fr & FR_TXFF) && (sched_yield(), true));
			if (vuart_access(&w->vu, DR, 1, true, &v) != 0)
				abort();
		}
	}
	return NULL;
}

static unsigned writers_done;

static void *drainer_main(void *arg)
{
	(void)arg;
	while (!__atomic_load_n(&writers_done, __ATOMIC_ACQUIRE)) {
		console_out_drain();
		sched_yield();
	}
	return NULL;
}

/* One round: both writers at once, then every console line checked. */
static void concurrent_round(struct writer w[2])
{
	pthread_barrier_t start;
	pthread_t t[2], drainer;
	unsigned next[2] = {0, 0};
	char *text, *line, *save = NULL;

	host_console_reset();
	assert_int_equal(pthread_barrier_init(&start, NULL, 2), 0);
	for (unsigned i = 0; i < 2; i++) {
		w[i].start = &start;
		assert_int_equal(pthread_create(&t[i], NULL, writer_main, &w[i]),
				 0);
	}
	/* The drainer, as the console pCPU's tick would, while they write. */
	__atomic_store_n(&writers_done, 0, __ATOMIC_RELEASE);
	assert_int_equal(pthread_create(&drainer, NULL, drainer_main, NULL), 0);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(pthread_join(t[i], NULL), 0);
	__atomic_store_n(&writers_done, 1, __ATOMIC_RELEASE);
	assert_int_equal(pthread_join(drainer, NULL), 0);
	console_out_flush();
	pthread_barrier_destroy(&start);

	text = strdup(host_console_text());
	assert_non_null(text);
	for (line = strtok_r(text, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char want[160];
		unsigned who = strncmp(line, "[left] ", 7) == 0 ? 0 : 1;

		/* lines from each VM arrive whole and in order */
		snprintf(want, sizeof(want), "[%s] " LINE_FMT, w[who].name,
			 next[who], w[who].name);
		want[strlen(want) - 1] = '\r';
		if (strcmp(line, want) != 0)
			fail_msg("console line \"%s\", want \"%s\"", line, want);
		next[who]++;
	}
	assert_int_equal(next[0], w[0].lines);
	assert_int_equal(next[1], w[1].lines);
	free(text);
	host_console_reset();
}

static void test_concurrent_lines_do_not_interleave(void **state)
{
	struct writer w[2] = {{.name = "left", .lines = 20000},
			      {.name = "right", .lines = 20000}};

	(void)state;
	/* a few rounds: one collision is enough to show a missing lock */
	for (unsigned round = 0; round < 5; round++) {
		for (unsigned i = 0; i < 2; i++)
			vuart_init(&w[i].vu, console_out_init_vm(3 + i, w[i].name));
		concurrent_round(w);
	}
}

/*
 * The interactive VM: whole lines as usual; an unfinished line (a prompt)
 * appears when the driver masks the transmit interrupt; another VM's line
 * breaks it and it is picked up again with its prefix.
 */
static void test_stream_prompt_and_interleaving(void **state)
{
	struct vuart *vu = *state;

	vuart_set_stream(vu, true);
	tx_str(vu, "sos# ");
	expect_console(""); /* still sending, nothing yet */
	wr(vu, IMSC, 4, 0x50); /* TX interrupt masked: batch over */
	expect_console("[vm1] sos# ");
	tx_str(vu, "ls\n");
	expect_console("ls\r\n"); /* the open line goes on */
	tx_str(vu, "half");
	wr(vu, IMSC, 4, 0x50);
	console_out_line(rt0_out, "tick", 4);
	tx_str(vu, " done\n");
	expect_console("[vm1] half\r\n[rt0] tick\r\n[vm1]  done\r\n");
	/* A line written in one batch is never broken. */
	tx_str(vu, "check: timer cpu1 1->2");
	console_out_line(rt0_out, "tick", 4);
	tx_str(vu, "\n");
	expect_console("[rt0] tick\r\n[vm1] check: timer cpu1 1->2\r\n");
}


/*
 * A line editor redraws with a lone carriage return (Up-arrow, Ctrl-U): it
 * reaches the terminal, with the prefix written again where the cursor
 * lands; CR LF stays one newline; escape sequences pass unchanged.
 */
static void test_stream_redraw_in_place(void **state)
{
	struct vuart *vu = *state;

	vuart_set_stream(vu, true);
	tx_str(vu, "sos# ");
	wr(vu, IMSC, 4, 0x50);
	expect_console("[vm1] sos# ");
	/* Up-arrow: busybox returns to column 0 and rewrites the line */
	tx_str(vu, "\rsos# echo abcd\x1b[K");
	wr(vu, IMSC, 4, 0x50);
	expect_console("\r[vm1] sos# echo abcd\x1b[K");
	/* Ctrl-U */
	tx_str(vu, "\rsos# \x1b[K");
	wr(vu, IMSC, 4, 0x50);
	expect_console("\r[vm1] sos# \x1b[K");
	tx_str(vu, "ok\r\n");
	expect_console("ok\r\n");
	/* a CR that ends a push waits for what follows it */
	tx_str(vu, "x\r");
	wr(vu, IMSC, 4, 0x50);
	expect_console("[vm1] x");
	tx_str(vu, "\n");
	expect_console("\r\n");
	/* another VM's line between the CR and the redraw: no stray prefix */
	tx_str(vu, "y\r");
	wr(vu, IMSC, 4, 0x50);
	console_out_line(rt0_out, "tick", 4);
	tx_str(vu, "z\n");
	expect_console("[vm1] y\r\n[rt0] tick\r\n[vm1] z\r\n");
}

static unsigned space_calls;

static void count_space(void *ctx)
{
	(void)ctx;
	space_calls++;
}

/* The receive FIFO never drops: the sender learns the room, and is called
 * back once the guest reads from a FIFO that had been full. */
static void test_receive_room_and_space_callback(void **state)
{
	struct vuart *vu = *state;
	char buf[VUART_RX_FIFO + 10];

	memset(buf, 'a', sizeof(buf));
	space_calls = 0;
	vuart_connect_rx_space(vu, count_space, NULL);
	assert_int_equal(vuart_rx_room(vu), VUART_RX_FIFO);
	assert_int_equal(vuart_receive(vu, buf, 10), 10);
	assert_int_equal(vuart_rx_room(vu), VUART_RX_FIFO - 10);
	assert_int_equal(rd(vu, DR, 4), 'a');
	assert_int_equal(space_calls, 0); /* it was never full */
	assert_int_equal(vuart_receive(vu, buf, sizeof(buf)), VUART_RX_FIFO - 9);
	assert_int_equal(vuart_rx_room(vu), 0);
	assert_int_equal(rd(vu, FR, 4) & FR_RXFE, 0);
	rd(vu, FR, 4);
	assert_int_equal(space_calls, 0); /* a flag read frees nothing */
	assert_int_equal(rd(vu, DR, 1), 'a');
	assert_int_equal(space_calls, 1);
	assert_int_equal(rd(vu, DR, 1), 'a');
	assert_int_equal(space_calls, 1); /* once per time it was full */
	assert_int_equal(vuart_rx_room(vu), 2);
	for (unsigned i = 0; i < VUART_RX_FIFO - 2; i++)
		assert_int_equal(rd(vu, DR, 1), 'a');
	assert_int_equal(rd(vu, FR, 4) & FR_RXFE, FR_RXFE);
	assert_int_equal(rd(vu, DR, 1), 0); /* empty FIFO reads 0 */
}

/* Console input: all of it reaches the connected VM in order, flow resumes
 * when the VM reads; with nobody connected the user is told once. */
static void test_console_input_flow(void **state)
{
	struct vuart *vu = *state;
	char paste[4096];
	size_t sent = 0, got = 0;

	for (size_t i = 0; i < sizeof(paste); i++)
		paste[i] = (char)('!' + i % 90);
	host_console_rx_resumes();
	console_input_set_target(vu);
	assert_true(host_console_rx_resumes() >= 1);
	/* what a console driver does: send what fits, then wait for a resume */
	while (got < sizeof(paste)) {
		size_t room = console_input_room();
		size_t n = sizeof(paste) - sent < room ? sizeof(paste) - sent : room;

		console_input(paste + sent, n);
		sent += n;
		if (sent < sizeof(paste))
			assert_int_equal(console_input_room(), 0);
		/* the guest reads three bytes, then the driver is resumed */
		for (int k = 0; k < 3 && got < sent; k++, got++)
			assert_int_equal(rd(vu, DR, 1), (unsigned char)paste[got]);
		if (sent < sizeof(paste))
			assert_int_equal(host_console_rx_resumes(), 1);
	}
	assert_int_equal(sent, sizeof(paste));

	console_input_set_target(NULL);
	assert_true(console_input_room() == SIZE_MAX);
	host_log_reset();
	console_input("ls\n", 3);
	console_input("ls\n", 3);
	assert_int_equal(host_log_count("input is not connected"), 1);
	console_input_set_target(vu); /* connected again: told again next time */
	console_input_set_target(NULL);
	console_input("x", 1);
	assert_int_equal(host_log_count("input is not connected"), 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_hello_line, setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_stream_prompt_and_interleaving, setup, teardown),
		cmocka_unit_test_setup_teardown(test_carriage_return_dropped,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_interrupt_mask_keeps_the_line, setup, teardown),
		cmocka_unit_test_setup_teardown(test_stream_redraw_in_place,
						setup, teardown),
		cmocka_unit_test_setup_teardown(
			test_receive_room_and_space_callback, setup, teardown),
		cmocka_unit_test_setup_teardown(test_console_input_flow, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_data_register_low_byte,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_long_line_split, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_flush_partial_line, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_flag_register, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_full_buffer_flow_control,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_id_registers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_control_registers, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_refused_accesses, setup,
						teardown),
		cmocka_unit_test(test_concurrent_lines_do_not_interleave),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
