/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Console output: a fixed buffer (console_ring.h) per VM slot and one for
 * the hypervisor's log, drained onto the physical console by one pCPU
 * (doc/architecture.rst, "The console").
 *
 * Writers only copy into their own buffer: a vCPU never waits for the UART
 * or for another VM's text. Every CONSOLE_DRAIN_PERIOD_US the console pCPU
 * (main.c picks it) writes out the log and, from each VM, at most
 * CONSOLE_VM_BUDGET bytes, all in the order they were put (by their
 * stamps) as far as the budgets allow. A VM that writes more than its
 * budget fills its own buffer and loses its excess, counted; the drainer
 * reports the loss with a line where it happened, and while the loss goes
 * on at most once per CONSOLE_LOSS_REPORT_DRAINS, then once more when the
 * VM's buffer is empty. A VM that stays within its budget (and bursts of
 * at most its buffer) loses nothing.
 */
#ifndef TESSERA_CONSOLE_OUT_H
#define TESSERA_CONSOLE_OUT_H

#include <console_ring.h>
#include <types.h>

#define CONSOLE_DRAIN_PERIOD_US 10000u
/* Bytes of a VM's text written out per drain, at most (lines are not
 * split: the last may go past it): 100 KB/s. */
#define CONSOLE_VM_BUDGET 1024u
/* While a VM keeps losing output, one line about it per this many drains
 * (a second), so that the reports do not flood the console in its stead. */
#define CONSOLE_LOSS_REPORT_DRAINS 100u

struct console_out {
	struct console_ring ring;
	char prefix[24];  /* "[name] " */
	const char *name; /* NULL: the slot has no console output */
	void (*room_fn)(void *ctx);
	void *room_ctx;
	/* Drainer: losses taken from the ring and not reported yet, and the
	 * drain that last reported one (0: none yet). */
	uint64_t lost_lines, lost_bytes;
	uint64_t reported_at;
};

/* Once per VM slot at boot (its buffer outlives the VMs created in it):
 * the slot's output, with the VM's name as its prefix. */
struct console_out *console_out_init_vm(unsigned vm_id, const char *vm_name);

/* ---- writers (any pCPU; one writer per VM at a time) ---- */

/* A whole line, without its newline, or unbuffered bytes of the VM the
 * user types into (console.h, console_stream()). false: no room, dropped
 * and counted. */
bool console_out_line(struct console_out *o, const char *text, size_t n);
bool console_out_stream(struct console_out *o, const char *text, size_t n);
/* Whether a whole line fits now. If not, fn(ctx) is called, from the
 * drainer, once one does. */
bool console_out_has_room(struct console_out *o);
void console_out_connect_room(struct console_out *o, void (*fn)(void *ctx),
			      void *ctx);
/* A hypervisor log line: written at once until console_out_start(), then
 * through the log's buffer. */
void console_out_log(const char *text, size_t n);

/* ---- the drainer ---- */

/* Boot, once the drain is set up and before any VM runs: from now on the
 * log goes through its buffer too, so that its lines and the VMs' come
 * out in the order they were written. */
void console_out_start(void);
/* One drain, on the console pCPU every CONSOLE_DRAIN_PERIOD_US. */
void console_out_drain(void);
/* Everything buffered, out now, budgets ignored (a panic; tests). */
void console_out_flush(void);

#endif
