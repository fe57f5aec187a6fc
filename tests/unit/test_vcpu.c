/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The vCPU thread (vcpu.c) and the pCPU's cross-calls and context loading
 * (pcpu.c) on the fake arch layer: requests, the pending I/O access in
 * notify and polling mode, WFI and its wake-ups, kicks, PSCI-shaped power
 * control; pcpu_call between host threads playing pCPUs.
 *
 * The VMs come from vm_init_all() with the scenario below; in the fake's
 * trace "1.0" is vCPU 0 of VM 1 (rt).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fake_arch.h"
#include "../../hypervisor/common/vm_internal.h"

#define VUART_GPA 0x09000000ull
#define UNHANDLED_GPA 0x0a000000ull /* no handler: forwarded, if it can be */
#define SOS_UPCALL_INTID 40u
#define SOS_EVENT_INTID 41u

/*
 * pCPU 0 (prio_rr): sos.0 (priority 2) and poll.0 (priority 1).
 * pCPUs 1 and 2 (noop): rt.0 and rt.1, notify mode.
 * pCPU 3 (noop): abrt.0, unhandled accesses abort.
 */
static const struct board_config board = {
	.name = "fake", .ram_base = 0x40000000, .ram_size = 0x40000000,
	.pcpu_count = 4, .console_uart_base = VUART_GPA,
	.gicd_base = 0x08000000, .gicr_base = 0x080a0000, .gicr_size = 0xf60000};
static const struct vm_config vms[] = {
	{.name = "sos", .kind = VM_KIND_SERVICE,
	 .caps = VM_CAP_MANAGE_VMS | VM_CAP_UPCALL, .pcpu_mask = 0x1,
	 .vcpu_count = 1, .priority = 2, .slice_us = 1000,
	 .upcall_intid = SOS_UPCALL_INTID, .event_intid = SOS_EVENT_INTID,
	 .entry = 0x48000000, .vuart_gpa = VUART_GPA},
	{.name = "rt", .kind = VM_KIND_PRE_LAUNCHED, .pcpu_mask = 0x6,
	 .vcpu_count = 2, .priority = 1, .slice_us = 1000, .entry = 0x50000000},
	{.name = "poll", .kind = VM_KIND_PRE_LAUNCHED, .pcpu_mask = 0x1,
	 .vcpu_count = 1, .priority = 1, .slice_us = 1000, .entry = 0x60000000,
	 .flags = VM_FLAG_IO_POLLING},
	{.name = "abrt", .kind = VM_KIND_PRE_LAUNCHED, .pcpu_mask = 0x8,
	 .vcpu_count = 1, .entry = 0x70000000,
	 .flags = VM_FLAG_ABORT_ON_UNHANDLED},
};
static const uint8_t policies[] = {SCHED_PRIO_RR, SCHED_NOOP, SCHED_NOOP,
				   SCHED_NOOP};
static const struct scenario_config sc = {
	.name = "fake", .board = &board, .vm_count = ARRAY_SIZE(vms),
	.vms = vms, .pcpu_count = ARRAY_SIZE(policies),
	.pcpu_policy = policies};

enum { SOS, RT, POLL, ABRT };

static struct vm *sos, *rt, *poll_vm, *abrt;
static struct pcpu *p0, *p1, *p2, *p3;

static int setup(void **state)
{
	(void)state;
	fake_reset(ARRAY_SIZE(policies), policies);
	assert_int_equal(vm_init_all(&sc), 0);
	sos = vm_by_id(SOS);
	rt = vm_by_id(RT);
	poll_vm = vm_by_id(POLL);
	abrt = vm_by_id(ABRT);
	p0 = pcpu_get(0);
	p1 = pcpu_get(1);
	p2 = pcpu_get(2);
	p3 = pcpu_get(3);
	fake_trace_clear();
	fake_clear_pcpu_counts();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_check_clean();
	return 0;
}

static bool step(struct vcpu *v)
{
	return fake_step(v);
}

/* v handles its start request and is loaded, at its first guest entry. */
static void start(struct vcpu *v)
{
	assert_true(step(v));
	assert_int_equal(v->requests, 0);
	assert_int_equal(v->arch.resets, 1);
}

/* A guest whose next exit is this access (then nothing more). */
static struct io_access guest_access;

static void guest_does_access(struct vcpu *v)
{
	vcpu_data_access(v, &guest_access);
	v->arch.guest = NULL;
}

static struct io_access mmio_read(uint64_t addr, uint8_t reg)
{
	return (struct io_access){.space = IO_SPACE_MMIO, .size = 4,
				  .reg = reg, .addr = addr};
}

/* ---- requests ---- */

static void test_step_handles_requests_then_returns(void **state)
{
	struct vcpu *v = &rt->vcpus[0];

	(void)state;
	assert_int_equal(v->requests, VCPU_REQ_RESET);
	fake_set_current(p1);
	pcpu_load(p1, v);
	vcpu_step(v);
	/* Restarted, unloaded around the reset, and not entered. */
	assert_string_equal(fake_trace(FT_CONTEXT),
			    "load 1.0 put 1.0 reset 1.0@0x50000000 load 1.0");
	assert_int_equal(v->requests, 0);
	assert_int_equal(v->arch.pc, 0x50000000);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(v->arch.x[i], 0);
	assert_int_equal(v->stats.exits, 0);
	assert_true(p1->loaded == v && v->arch.loaded);
	vcpu_step(v);
	assert_string_equal(fake_trace(FT_RUN), "run 1.0");
	assert_int_equal(v->stats.exits, 1);
}

static void test_reset_of_unloaded_vcpu_needs_no_put(void **state)
{
	struct vcpu *v = &abrt->vcpus[0];

	(void)state;
	fake_set_current(p3);
	vcpu_step(v);
	assert_string_equal(fake_trace(FT_CONTEXT), "reset 3.0@0x70000000");
	assert_null(p3->loaded);
}

static void test_request_kicks_only_a_remote_pcpu(void **state)
{
	struct vcpu *v = &rt->vcpus[0];

	(void)state;
	start(v);
	fake_set_current(p0);
	vcpu_request(v, VCPU_REQ_RESET);
	assert_int_equal(p1->arch.kicks, 1);
	fake_set_current(p1);
	vcpu_request(v, VCPU_REQ_RESET);
	assert_int_equal(p1->arch.kicks, 1);
	assert_true(step(v));
	assert_string_equal(fake_trace_of(FT_CONTEXT, "1.0"),
			    "load 1.0 put 1.0 reset 1.0@0x50000000 load 1.0 "
			    "put 1.0 reset 1.0@0x50000000 load 1.0");
}

/* A request for a vCPU blocked in WFI waits until it runs again. */
static void test_request_waits_while_blocked(void **state)
{
	struct vcpu *v = &rt->vcpus[0];

	(void)state;
	start(v);
	v->arch.guest = fake_guest_wfi;
	assert_true(step(v));
	assert_int_equal(sched_blocked(v), VCPU_BLOCK_WFI);
	fake_set_current(p0);
	vcpu_request(v, VCPU_REQ_VM_OFF); /* as PSCI SYSTEM_OFF would */
	assert_false(step(v));
	assert_int_equal(vm_get_state(rt), VM_RUNNING);
	/* An interrupt wakes it: its next step powers the VM off. */
	v->arch.irq_pending = true;
	fake_set_current(p0);
	vcpu_kick(v);
	assert_true(step(v));
	assert_int_equal(vm_get_state(rt), VM_POWERED_OFF);
	assert_true(sched_blocked(v) & VCPU_BLOCK_STOPPED);
	assert_false(v->arch.loaded);
	assert_int_equal(v->arch.runs, 1);
}

/* ---- I/O: notify mode ---- */

static void test_io_notify_blocks_until_finished(void **state)
{
	struct vcpu *v = &rt->vcpus[0];
	struct tessera_io_slot *slot;

	(void)state;
	fake_dm_attach(rt);
	start(v);
	guest_access = mmio_read(UNHANDLED_GPA + 8, 5);
	v->arch.guest = guest_does_access;
	assert_true(step(v)); /* the access: forwarded, pending */
	assert_true(v->io.pending);
	assert_int_equal(v->stats.io_forwarded, 1);
	slot = fake_dm_slot(rt, 0);
	assert_int_equal(slot->state, TESSERA_IO_STATE_PENDING);
	assert_int_equal(slot->req.addr, UNHANDLED_GPA + 8);
	assert_string_equal(fake_trace(FT_IRQ), "edge 0:40"); /* the upcall */
	/* It waits: blocked, not entered, however often the loop looks. */
	assert_true(step(v));
	assert_int_equal(sched_blocked(v), VCPU_BLOCK_IO);
	assert_false(step(v));
	fake_set_current(p1);
	assert_null(sched_pick(p1));
	assert_int_equal(v->arch.runs, 1);
	assert_int_equal(v->arch.io_dones, 0);
	/* The device model, in the Service VM on pCPU 0, completes it. */
	fake_set_current(p0);
	fake_dm_complete(rt, 0, 0xabcd);
	assert_true(sched_is_runnable(v));
	assert_int_equal(p1->arch.kicks, 1);
	/* Post-work once, before the next entry; then plain entries. */
	fake_trace_clear();
	assert_true(step(v));
	assert_true(step(v));
	assert_string_equal(fake_trace(FT_CONTEXT), "io_done 1.0 run 1.0 run 1.0");
	assert_int_equal(v->arch.io_dones, 1);
	assert_int_equal(v->arch.x[5], 0xabcd);
	assert_int_equal(v->arch.pc, 0x50000000 + 4);
	assert_false(v->io.pending);
	assert_int_equal(slot->state, TESSERA_IO_STATE_FREE);
}

static void test_io_notify_before_the_next_step_does_not_block(void **state)
{
	struct vcpu *v = &rt->vcpus[0];

	(void)state;
	fake_dm_attach(rt);
	start(v);
	guest_access = mmio_read(UNHANDLED_GPA, 2);
	v->arch.guest = guest_does_access;
	assert_true(step(v));
	fake_set_current(p0);
	fake_dm_complete(rt, 0, 0x1234);
	fake_trace_clear();
	assert_true(step(v));
	assert_string_equal(fake_trace(FT_CONTEXT), "io_done 1.0 run 1.0");
	assert_int_equal(sched_blocked(v), 0);
	assert_int_equal(v->arch.x[2], 0x1234);
}

/* ---- I/O: polling mode ---- */

static void test_io_polling_never_blocks(void **state)
{
	struct vcpu *v = &poll_vm->vcpus[0];
	unsigned relaxes;

	(void)state;
	fake_dm_attach(poll_vm);
	start(v);
	guest_access = mmio_read(UNHANDLED_GPA, 7);
	v->arch.guest = guest_does_access;
	assert_true(step(v));
	assert_true(v->io.pending);
	relaxes = fake_relaxes();
	for (unsigned i = 0; i < 5; i++) {
		assert_true(step(v));
		assert_true(sched_is_runnable(v));
	}
	assert_true(fake_relaxes() >= relaxes + 5);
	assert_int_equal(v->arch.runs, 1);
	assert_int_equal(v->arch.io_dones, 0);
	fake_set_current(p0);
	fake_dm_complete(poll_vm, 0, 0x99);
	fake_trace_clear();
	assert_true(step(v));
	assert_true(step(v));
	assert_string_equal(fake_trace(FT_CONTEXT), "io_done 2.0 run 2.0 run 2.0");
	assert_int_equal(v->arch.x[7], 0x99);
}

/* ---- I/O: cancelled ---- */

static struct vcpu *one_step_of;

/* What the kicked pCPU was doing when the kick came: a step of its
 * (loaded) vCPU, which ends before the loop looks at its calls. */
static void finish_step(void *ctx)
{
	(void)ctx;
	assert_ptr_equal(pcpu_this(), one_step_of->pcpu);
	assert_ptr_equal(pcpu_this()->loaded, one_step_of);
	vcpu_step(one_step_of);
}

static void test_io_cancelled_by_stop_does_no_postwork(void **state)
{
	struct vcpu *v = &poll_vm->vcpus[0];
	struct io_stats st;

	(void)state;
	fake_dm_attach(poll_vm);
	start(v);
	guest_access = mmio_read(UNHANDLED_GPA, 7);
	v->arch.guest = guest_does_access;
	assert_true(step(v));
	assert_true(v->io.pending);
	/* The VM is stopped from pCPU 1 while pCPU 0 polls. */
	one_step_of = v;
	fake_on_kick(p0, finish_step, NULL);
	fake_set_current(p1);
	vm_power_off(poll_vm, "test");
	assert_int_equal(vm_get_state(poll_vm), VM_POWERED_OFF);
	assert_int_equal(v->arch.io_dones, 0);
	assert_int_equal(v->arch.io_aborts, 0);
	assert_int_equal(v->arch.runs, 1);
	assert_false(v->io.pending);
	io_vm_get_stats(vm_io(poll_vm), &st);
	assert_int_equal(st.cancelled, 1);
	assert_true(sched_blocked(v) & VCPU_BLOCK_STOPPED);
	assert_false(v->arch.loaded);
	assert_false(step(v));
}

static void test_io_cancelled_after_notify_does_no_postwork(void **state)
{
	struct vcpu *v = &rt->vcpus[0];

	(void)state;
	fake_dm_attach(rt);
	start(v);
	guest_access = mmio_read(UNHANDLED_GPA, 3);
	v->arch.guest = guest_does_access;
	assert_true(step(v));
	assert_true(step(v)); /* blocks */
	fake_set_current(p0);
	fake_dm_complete(rt, 0, 0x5);
	/* A stop begins (vm_stop_vcpus cancels first) before v steps. */
	io_vm_cancel_all(vm_io(rt));
	fake_trace_clear();
	assert_true(step(v));
	assert_string_equal(fake_trace(FT_CONTEXT), "");
	assert_false(v->io.pending);
	assert_int_equal(v->arch.x[3], 0);
}

/* ---- I/O: done or aborted at once ---- */

static void test_io_emulated_unhandled_and_aborted(void **state)
{
	struct vcpu *s = &sos->vcpus[0], *r = &rt->vcpus[0],
		    *a = &abrt->vcpus[0];

	(void)state;
	/* The Service VM's vUART: emulated, post-work at once. */
	start(s);
	guest_access = mmio_read(VUART_GPA + 0x18, 4); /* UARTFR */
	s->arch.guest = guest_does_access;
	assert_true(step(s));
	assert_false(s->io.pending);
	assert_int_equal(s->stats.io_emulated, 1);
	assert_int_equal(s->arch.io_dones, 1);
	/* No handler, no device model: reads as all ones. */
	start(r);
	guest_access = mmio_read(UNHANDLED_GPA, 6);
	r->arch.guest = guest_does_access;
	assert_true(step(r));
	assert_false(r->io.pending);
	assert_int_equal(r->arch.x[6], 0xffffffff);
	/* The abort policy: an external abort at the address. */
	start(a);
	guest_access = mmio_read(UNHANDLED_GPA + 4, 6);
	a->arch.guest = guest_does_access;
	assert_true(step(a));
	assert_false(a->io.pending);
	assert_int_equal(a->arch.io_aborts, 1);
	assert_int_equal(a->arch.last_abort_addr, UNHANDLED_GPA + 4);
	assert_int_equal(a->arch.io_dones, 0);
}

/* ---- WFI ---- */

static void test_wfi_blocks_unless_an_interrupt_is_pending(void **state)
{
	struct vcpu *v = &rt->vcpus[0];

	(void)state;
	start(v);
	v->arch.irq_pending = true;
	vcpu_wait_for_interrupt(v);
	assert_true(sched_is_runnable(v));
	assert_int_equal(v->stats.wfi_blocks, 0);
	assert_int_equal(v->arch.irq_checks, 1);
	v->arch.irq_pending = false;
	vcpu_wait_for_interrupt(v);
	assert_int_equal(sched_blocked(v), VCPU_BLOCK_WFI);
	assert_int_equal(v->stats.wfi_blocks, 1);
	assert_int_equal(v->arch.irq_checks, 3); /* before and after blocking */
	assert_false(step(v));
}

/* The interrupt comes in (vGIC on pCPU 0) after the first look and before
 * the block: the waker finds nothing to wake; the second look sees it. */
static void inject(void *v)
{
	((struct vcpu *)v)->arch.irq_pending = true;
	vcpu_kick(v);
}

static bool interrupt_races_the_block(struct vcpu *v, unsigned n)
{
	if (n == 0) {
		fake_as(p0, inject, v);
		return false;
	}
	return v->arch.irq_pending;
}

static void test_wfi_wake_racing_the_block_is_not_lost(void **state)
{
	struct vcpu *v = &rt->vcpus[0];

	(void)state;
	start(v);
	fake_set_irq_hook(interrupt_races_the_block);
	v->arch.guest = fake_guest_wfi;
	assert_true(step(v));
	assert_true(sched_is_runnable(v));
	assert_int_equal(v->stats.wfi_blocks, 1);
	assert_int_equal(p1->arch.kicks, 1); /* the waker's kick */
	assert_true(step(v));
	assert_int_equal(v->arch.runs, 2);
}

/* ---- kicks ---- */

static void test_kick_wakes_wfi_or_kicks_the_running(void **state)
{
	struct vcpu *v = &rt->vcpus[0], *w = &rt->vcpus[1];

	(void)state;
	start(v);
	vcpu_wait_for_interrupt(v);
	fake_set_current(p0);
	vcpu_kick(v);
	assert_true(sched_is_runnable(v));
	assert_int_equal(p1->arch.kicks, 1);
	/* Running: made to exit (its pCPU kicked), nothing else. */
	fake_set_current(p1);
	assert_int_equal(vcpu_power_on(w, 0x50001000, 0), VCPU_ON_OK);
	start(w);
	fake_set_current(p0);
	assert_int_equal(p2->arch.kicks, 1); /* the CPU_ON's */
	vcpu_kick(w);
	assert_int_equal(p2->arch.kicks, 2);
	assert_true(sched_is_runnable(w));
	/* On its own pCPU: woken, no kick. */
	fake_set_current(p1);
	vcpu_wait_for_interrupt(v);
	vcpu_kick(v);
	assert_true(sched_is_runnable(v));
	assert_int_equal(p1->arch.kicks, 1);
	/* Paused too: the WFI ends, the pause stays; its pCPU looks. */
	vcpu_wait_for_interrupt(v);
	sched_block(v, VCPU_BLOCK_PAUSED);
	fake_set_current(p0);
	vcpu_kick(v);
	assert_int_equal(sched_blocked(v), VCPU_BLOCK_PAUSED);
	assert_int_equal(p1->arch.kicks, 2);
}

/* ---- power ---- */

static void test_power_on_is_synchronous(void **state)
{
	struct vcpu *v = &rt->vcpus[0], *w = &rt->vcpus[1];

	(void)state;
	start(v);
	assert_int_equal(vcpu_power_state(w), VCPU_POWER_OFF);
	assert_int_equal(sched_blocked(w), VCPU_BLOCK_OFF);
	fake_set_current(p1); /* v's CPU_ON */
	assert_int_equal(vcpu_power_on(w, 0x50001000, 0x77), VCPU_ON_OK);
	/* On as the call returns: */
	assert_int_equal(vcpu_power_state(w), VCPU_POWER_ON);
	assert_true(w->requests & VCPU_REQ_RESET);
	assert_true(sched_is_runnable(w));
	assert_int_equal(p2->arch.kicks, 1);
	/* so every other CPU_ON gets ALREADY_ON and changes nothing. */
	assert_int_equal(vcpu_power_on(w, 0x50009000, 0x88), VCPU_ON_ALREADY);
	assert_int_equal(w->boot_pc, 0x50001000);
	assert_int_equal(vcpu_power_on(v, 0x50009000, 0x88), VCPU_ON_ALREADY);
	start(w);
	assert_string_equal(fake_trace_of(FT_RESET, "1.1"), "reset 1.1@0x50001000");
	assert_int_equal(w->arch.x[0], 0x77);
	assert_int_equal(w->arch.x[1] | w->arch.x[2] | w->arch.x[3], 0);
	assert_true(step(w));
	assert_int_equal(w->arch.runs, 1);
}

static void test_power_on_retried_unless_vm_running(void **state)
{
	struct vcpu *w = &rt->vcpus[1];
	static const enum vm_state not_running[] = {
		VM_PAUSED, VM_RESETTING, VM_POWERED_OFF, VM_CRASHED,
		VM_CREATED, VM_RESET_REQUESTED};

	(void)state;
	fake_set_current(p1);
	for (unsigned i = 0; i < ARRAY_SIZE(not_running); i++) {
		assert_true(vm_change_state(rt, VM_STATES(vm_get_state(rt)),
					    not_running[i]));
		assert_int_equal(vcpu_power_on(w, 0x50001000, 0), VCPU_ON_RETRY);
		assert_int_equal(vcpu_power_state(w), VCPU_POWER_OFF);
		assert_int_equal(sched_blocked(w), VCPU_BLOCK_OFF);
		assert_int_equal(w->requests, 0);
	}
	assert_int_equal(p2->arch.kicks, 0);
}

static void test_cpu_off_then_on_starts_afresh(void **state)
{
	struct vcpu *w = &rt->vcpus[1];

	(void)state;
	fake_set_current(p1);
	assert_int_equal(vcpu_power_on(w, 0x50001000, 1), VCPU_ON_OK);
	start(w);
	w->arch.guest = fake_guest_cpu_off;
	assert_true(step(w));
	assert_int_equal(vcpu_power_state(w), VCPU_POWER_OFF);
	assert_int_equal(sched_blocked(w), VCPU_BLOCK_OFF);
	assert_false(step(w));
	fake_set_current(p1);
	assert_int_equal(vcpu_power_on(w, 0x50002000, 2), VCPU_ON_OK);
	w->arch.guest = NULL;
	assert_true(step(w));
	assert_true(step(w));
	assert_string_equal(fake_trace_of(FT_CONTEXT, "1.1"),
			    "load 1.1 put 1.1 reset 1.1@0x50001000 load 1.1 "
			    "run 1.1 put 1.1 reset 1.1@0x50002000 load 1.1 "
			    "run 1.1");
	assert_int_equal(w->arch.x[0], 2);
}

static void test_vcpu_by_affinity(void **state)
{
	(void)state;
	assert_ptr_equal(vcpu_by_affinity(rt, 0), &rt->vcpus[0]);
	assert_ptr_equal(vcpu_by_affinity(rt, 1), &rt->vcpus[1]);
	assert_null(vcpu_by_affinity(rt, 2));
	assert_null(vcpu_by_affinity(rt, 0x100)); /* Aff1 */
	assert_null(vcpu_by_affinity(rt, 0x80000000)); /* not just Aff0 */
}

/* ---- pCPUs: context, cross-calls ---- */

static void test_pcpu_load_unload_order(void **state)
{
	struct vcpu *s = &sos->vcpus[0], *v = &poll_vm->vcpus[0];

	(void)state;
	fake_set_current(p0);
	pcpu_load(p0, s);
	pcpu_load(p0, s);
	assert_string_equal(fake_trace(FT_CONTEXT), "load 0.0");
	pcpu_load(p0, v);
	assert_string_equal(fake_trace(FT_CONTEXT), "load 0.0 put 0.0 load 2.0");
	assert_ptr_equal(p0->loaded, v);
	pcpu_unload(p0);
	pcpu_unload(p0);
	assert_string_equal(fake_trace(FT_CONTEXT),
			    "load 0.0 put 0.0 load 2.0 put 2.0");
	assert_null(p0->loaded);
	/* put reported the guest's timer for the scheduler to watch. */
	v->arch.guest_timer = 1234;
	pcpu_load(p0, v);
	pcpu_load(p0, s);
	assert_int_equal(v->sched.timer_deadline, 1234);
	pcpu_unload(p0);
}

static struct pcpu *ran_on;
static unsigned ran;

static void record_call(void *arg)
{
	(void)arg;
	ran_on = pcpu_this();
	ran++;
}

static void test_pcpu_call_runs_on_the_target(void **state)
{
	(void)state;
	fake_set_current(p0);
	pcpu_call(p2, record_call, NULL);
	assert_ptr_equal(ran_on, p2);
	assert_int_equal(ran, 1);
	assert_int_equal(p2->arch.kicks, 1);
	assert_int_equal(p2->calls_pending, 0);
	/* On the pCPU itself: at once, no kick. */
	pcpu_call(p0, record_call, NULL);
	assert_ptr_equal(ran_on, p0);
	assert_int_equal(ran, 2);
	assert_int_equal(p0->arch.kicks, 0);
}

/* Two host threads as pCPUs 0 and 1 call each other at the same time,
 * thousands of times, and a third (pCPU 2) calls both: each waiter runs
 * the calls sent to it, so none waits forever. */
#define XCALLS 20000

static unsigned xcalls_ran[3], xcalls_wrong, xthreads_done;
static pthread_barrier_t xstart;

static void xcall(void *arg)
{
	struct pcpu *from = arg, *self = pcpu_this();

	if (self == from)
		__atomic_fetch_add(&xcalls_wrong, 1, __ATOMIC_RELAXED);
	__atomic_fetch_add(&xcalls_ran[self->id], 1, __ATOMIC_RELAXED);
}

static void *xcall_thread(void *arg)
{
	struct pcpu *self = arg;

	fake_set_current(self);
	pthread_barrier_wait(&xstart);
	for (unsigned i = 0; i < XCALLS; i++) {
		struct pcpu *to = self->id == 0 ? p1
				  : self->id == 1 ? p0
				  : (i & 1) ? p0 : p1;

		pcpu_call(to, xcall, self);
	}
	__atomic_fetch_add(&xthreads_done, 1, __ATOMIC_ACQ_REL);
	/* Go on looping (as pcpu_run does) until the others are done. */
	while (__atomic_load_n(&xthreads_done, __ATOMIC_ACQUIRE) < 3) {
		pcpu_handle_calls(self);
		cpu_spin_wait();
	}
	return NULL;
}

static void test_pcpu_calls_between_threads_never_deadlock(void **state)
{
	pthread_t t[3];

	(void)state;
	fake_set_threaded(true);
	pthread_barrier_init(&xstart, NULL, 3);
	alarm(30); /* a deadlock kills the test binary */
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&t[i], NULL, xcall_thread,
						pcpu_get(i)), 0);
	for (unsigned i = 0; i < 3; i++)
		pthread_join(t[i], NULL);
	alarm(0);
	pthread_barrier_destroy(&xstart);
	fake_set_threaded(false);
	fake_set_current(p0);
	assert_int_equal(xcalls_wrong, 0);
	assert_int_equal(xcalls_ran[0], XCALLS + XCALLS / 2);
	assert_int_equal(xcalls_ran[1], XCALLS + XCALLS / 2);
	assert_int_equal(xcalls_ran[2], 0);
	assert_int_equal(p0->calls_pending | p1->calls_pending, 0);
	assert_true(p0->arch.kicks >= XCALLS);
}

/* pCPU 3's real loop (pcpu_run, in fake_run) on its own thread, running
 * abrt.0 over and over: calls from pCPU 0 are carried out there, between
 * two guest entries, until the vCPU waits and the loop idles. */
#define LOOP_CALLS 200

static bool loop_stop;
static pthread_t loop_thread;
static unsigned loop_calls_ok;

static void loop_guest(struct vcpu *v)
{
	if (__atomic_load_n(&loop_stop, __ATOMIC_ACQUIRE))
		vcpu_wait_for_interrupt(v);
}

static bool loop_idle(struct pcpu *p)
{
	(void)p;
	sched_yield();
	return !__atomic_load_n(&loop_stop, __ATOMIC_ACQUIRE);
}

static int loop_stopped;

static void *loop_main(void *arg)
{
	(void)arg;
	fake_set_current(p3);
	loop_stopped = fake_run(p3, UINT32_MAX); /* no cmocka off its thread */
	return NULL;
}

static void in_loop_call(void *arg)
{
	struct vcpu *v = arg;

	(void)v;
	if (pcpu_this() == p3 && pthread_equal(pthread_self(), loop_thread))
		loop_calls_ok++;
}

static void test_pcpu_call_runs_in_the_target_loop(void **state)
{
	struct vcpu *v = &abrt->vcpus[0];

	(void)state;
	v->arch.guest = loop_guest;
	fake_set_idle_hook(loop_idle);
	fake_set_threaded(true);
	alarm(30);
	assert_int_equal(pthread_create(&loop_thread, NULL, loop_main, NULL), 0);
	fake_set_current(p0);
	for (unsigned i = 0; i < LOOP_CALLS; i++)
		pcpu_call(p3, in_loop_call, v);
	__atomic_store_n(&loop_stop, true, __ATOMIC_RELEASE);
	pthread_join(loop_thread, NULL);
	alarm(0);
	fake_set_threaded(false);
	assert_int_equal(loop_stopped, FAKE_STOP_IDLE);
	assert_int_equal(loop_calls_ok, LOOP_CALLS);
	assert_true(v->arch.runs > 0);
	assert_int_equal(sched_blocked(v), VCPU_BLOCK_WFI);
	assert_int_equal(p3->arch.kicks, LOOP_CALLS);
	fake_set_current(p3);
	pcpu_unload(p3);
}

/* ---- pause (as vm_pause and vm_resume do it) ---- */

static void pause_on_pcpu(void *v)
{
	sched_block(v, VCPU_BLOCK_PAUSED);
}

static void pause_vcpu(struct vcpu *v)
{
	fake_set_current(p0);
	pcpu_call(v->pcpu, pause_on_pcpu, v);
	assert_true(sched_blocked(v) & VCPU_BLOCK_PAUSED);
}

static void resume_vcpu(struct vcpu *v)
{
	fake_set_current(p0);
	sched_wake(v, VCPU_BLOCK_PAUSED);
}

static void test_pause_while_running_blocked_or_runnable(void **state)
{
	struct vcpu *v = &rt->vcpus[0], *w = &rt->vcpus[1];

	(void)state;
	fake_dm_attach(rt);
	start(v);
	/* Running: its step ends, then it stops where it is. */
	one_step_of = v;
	fake_on_kick(p1, finish_step, NULL);
	pause_vcpu(v);
	assert_int_equal(v->arch.runs, 1);
	assert_false(step(v));
	resume_vcpu(v);
	assert_int_equal(p1->arch.kicks, 2); /* the pause's call, the resume */
	assert_true(step(v));
	assert_int_equal(v->arch.runs, 2);
	/* In WFI: an interrupt ends the wait, not the pause. */
	v->arch.guest = fake_guest_wfi;
	assert_true(step(v));
	v->arch.guest = NULL;
	pause_vcpu(v);
	v->arch.irq_pending = true;
	vcpu_kick(v);
	assert_int_equal(sched_blocked(v), VCPU_BLOCK_PAUSED);
	assert_false(step(v));
	resume_vcpu(v);
	assert_true(step(v));
	assert_int_equal(v->arch.runs, 4);
	/* Waiting for I/O: completed meanwhile, post-work after the resume. */
	guest_access = mmio_read(UNHANDLED_GPA, 9);
	v->arch.guest = guest_does_access;
	assert_true(step(v));
	assert_true(step(v));
	pause_vcpu(v);
	fake_set_current(p0);
	fake_dm_complete(rt, 0, 0x42);
	assert_int_equal(sched_blocked(v), VCPU_BLOCK_PAUSED);
	assert_false(step(v));
	assert_int_equal(v->arch.io_dones, 0);
	resume_vcpu(v);
	fake_trace_clear();
	assert_true(step(v));
	assert_string_equal(fake_trace(FT_CONTEXT), "io_done 1.0 run 1.0");
	assert_int_equal(v->arch.x[9], 0x42);
	/* Runnable, not run yet (just powered on): it waits to start. */
	fake_set_current(p1);
	assert_int_equal(vcpu_power_on(w, 0x50001000, 0), VCPU_ON_OK);
	pause_vcpu(w);
	assert_false(step(w));
	assert_int_equal(w->arch.resets, 0);
	resume_vcpu(w);
	start(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
		T(test_step_handles_requests_then_returns),
		T(test_reset_of_unloaded_vcpu_needs_no_put),
		T(test_request_kicks_only_a_remote_pcpu),
		T(test_request_waits_while_blocked),
		T(test_io_notify_blocks_until_finished),
		T(test_io_notify_before_the_next_step_does_not_block),
		T(test_io_polling_never_blocks),
		T(test_io_cancelled_by_stop_does_no_postwork),
		T(test_io_cancelled_after_notify_does_no_postwork),
		T(test_io_emulated_unhandled_and_aborted),
		T(test_wfi_blocks_unless_an_interrupt_is_pending),
		T(test_wfi_wake_racing_the_block_is_not_lost),
		T(test_kick_wakes_wfi_or_kicks_the_running),
		T(test_power_on_is_synchronous),
		T(test_power_on_retried_unless_vm_running),
		T(test_cpu_off_then_on_starts_afresh),
		T(test_vcpu_by_affinity),
		T(test_pcpu_load_unload_order),
		T(test_pcpu_call_runs_on_the_target),
		T(test_pcpu_calls_between_threads_never_deadlock),
		T(test_pcpu_call_runs_in_the_target_loop),
		T(test_pause_while_running_blocked_or_runnable),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
