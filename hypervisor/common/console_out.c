/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-VM console buffers and their drain (console_out.h). */
#include <arch.h>
#include <config.h>
#include <console.h>
#include <console_out.h>
#include <lib/format.h>
#include <lib/spinlock.h>

static struct console_out vm_out[CONFIG_MAX_VMS];
static struct console_out log_out = {.prefix = "[hv] "};
/* The log has writers on every pCPU; they hold this only to copy a line. */
static spinlock_t log_lock = SPINLOCK_INIT;
/* One consumer at a time: the drainer's tick, or a flush. */
static spinlock_t drain_lock = SPINLOCK_INIT;
/* Log lines go through log_out (atomic; from console_out_start()). */
static bool log_buffered;
/* The VM the next drain starts with, so that on a slow UART no VM is
 * always last (drainer only). */
static unsigned first_vm;
/* Drains done (drainer only). */
static uint64_t drains;

struct console_out *console_out_init_vm(unsigned vm_id, const char *vm_name)
{
	struct console_out *o;

	if (vm_id >= CONFIG_MAX_VMS)
		return NULL;
	o = &vm_out[vm_id];
	console_ring_init(&o->ring);
	fmt_snprintf(o->prefix, sizeof(o->prefix), "[%s] ", vm_name);
	o->name = vm_name;
	o->room_fn = NULL;
	o->lost_lines = o->lost_bytes = o->reported_at = 0;
	return o;
}

/* ---- writers ---- */

bool console_out_line(struct console_out *o, const char *text, size_t n)
{
	return console_ring_put(&o->ring, CONSOLE_RECORD_LINE, arch_counter_now(),
				text, n);
}

bool console_out_stream(struct console_out *o, const char *text, size_t n)
{
	return console_ring_put(&o->ring, CONSOLE_RECORD_STREAM,
				arch_counter_now(), text, n);
}

bool console_out_has_room(struct console_out *o)
{
	return console_ring_fits(&o->ring, CONSOLE_RECORD_MAX);
}

void console_out_connect_room(struct console_out *o, void (*fn)(void *ctx),
			      void *ctx)
{
	o->room_ctx = ctx;
	__atomic_store_n(&o->room_fn, fn, __ATOMIC_RELEASE);
}

void console_out_log(const char *text, size_t n)
{
	if (!__atomic_load_n(&log_buffered, __ATOMIC_ACQUIRE)) {
		console_write_line(log_out.prefix, text, n);
		return;
	}
	spin_lock(&log_lock);
	console_ring_put(&log_out.ring, CONSOLE_RECORD_LINE, arch_counter_now(),
			 text, n);
	spin_unlock(&log_lock);
}

/* ---- the drainer ---- */

/* The line about what `o` lost since its last one. */
static void report_loss(struct console_out *o)
{
	char line[160];
	int n;

	if (!o->lost_lines)
		return;
	if (o->name)
		n = fmt_snprintf(line, sizeof(line),
				 "warning: vm %s: %llu lines (%llu bytes) of "
				 "console output dropped, over its budget",
				 o->name, (unsigned long long)o->lost_lines,
				 (unsigned long long)o->lost_bytes);
	else
		n = fmt_snprintf(line, sizeof(line),
				 "warning: %llu log lines (%llu bytes) dropped, "
				 "the log's buffer was full",
				 (unsigned long long)o->lost_lines,
				 (unsigned long long)o->lost_bytes);
	console_write_line(log_out.prefix, line,
			   (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1);
	o->lost_lines = o->lost_bytes = 0;
	o->reported_at = drains;
}

/* A loss where it happened, unless one was reported less than
 * CONSOLE_LOSS_REPORT_DRAINS ago: then it waits, added up. */
static void note_loss(struct console_out *o, const struct console_record *rec)
{
	o->lost_lines += rec->lost_lines;
	o->lost_bytes += rec->lost_bytes;
	if (!o->reported_at || drains - o->reported_at >= CONSOLE_LOSS_REPORT_DRAINS)
		report_loss(o);
}

static void write_record(struct console_out *o,
			 const struct console_record *rec)
{
	switch (rec->kind) {
	case CONSOLE_RECORD_LINE:
		console_write_line(o->prefix, rec->text, rec->len);
		break;
	case CONSOLE_RECORD_STREAM:
		console_stream(o->prefix, rec->text, rec->len);
		break;
	case CONSOLE_RECORD_DROPPED:
		note_loss(o, rec);
		break;
	}
}

/* Every buffer the drainer serves, the log first, then the VMs from
 * `first_vm` on. */
#define NR_OUTS (1 + CONFIG_MAX_VMS)

static struct console_out *out_at(unsigned i)
{
	return i == 0 ? &log_out : &vm_out[(first_vm + i - 1) % CONFIG_MAX_VMS];
}

/*
 * Records from all buffers in stamp order, each buffer until its budget is
 * spent (the log's is unlimited: its lines are rate-limited at the source).
 * A buffer past its budget waits for the next drain; the others go on.
 */
static void drain(size_t vm_budget)
{
	size_t spent[NR_OUTS] = {0};
	struct console_record rec;
	uint64_t stamp;

	for (;;) {
		unsigned best = NR_OUTS;
		uint64_t best_stamp = UINT64_MAX;

		for (unsigned i = 0; i < NR_OUTS; i++) {
			struct console_out *o = out_at(i);

			if ((i == 0 || (o->name && spent[i] < vm_budget)) &&
			    console_ring_peek(&o->ring, &stamp) &&
			    (best == NR_OUTS || stamp < best_stamp)) {
				best = i;
				best_stamp = stamp;
			}
		}
		if (best == NR_OUTS)
			break;
		if (!console_ring_get(&out_at(best)->ring, &rec))
			continue;
		write_record(out_at(best), &rec);
		spent[best] += rec.len + 1;
	}
	for (unsigned i = 0; i < NR_OUTS; i++) {
		struct console_out *o = out_at(i);
		void (*fn)(void *) = __atomic_load_n(&o->room_fn, __ATOMIC_ACQUIRE);

		/* A loss held back, once the flood is over (or a flush). */
		if (vm_budget == SIZE_MAX || !console_ring_peek(&o->ring, &stamp))
			report_loss(o);
		/* Writers that found their buffer full may go on. */
		if (fn && console_ring_take_room_wanted(&o->ring))
			fn(o->room_ctx);
	}
}

void console_out_start(void)
{
	__atomic_store_n(&log_buffered, true, __ATOMIC_RELEASE);
}

void console_out_drain(void)
{
	spin_lock(&drain_lock);
	drains++;
	drain(CONSOLE_VM_BUDGET);
	first_vm = (first_vm + 1) % CONFIG_MAX_VMS;
	spin_unlock(&drain_lock);
}

void console_out_flush(void)
{
	spin_lock(&drain_lock);
	drain(SIZE_MAX);
	spin_unlock(&drain_lock);
}
