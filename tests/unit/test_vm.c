/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The VM state machine (vm.c) on the fake arch layer: every slot set up at
 * boot, power off, crash, reset of a static VM from every state its vCPUs
 * can be in, CPU_ON against a reset, the post-launched reset that waits for
 * its device model, events, and what capabilities decide.
 *
 * A post-launched VM is created and started here as vm_runtime.c does it
 * (vm_setup, vm_start_vcpus from vm_internal.h). In the fake's trace "1.2"
 * is vCPU 2 of VM 1 (rt).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <console_input.h>

#include "fake_arch.h"
#include "host_log.h"
#include "../../hypervisor/common/vm_internal.h"

#define VUART_GPA 0x09000000ull
#define UNHANDLED_GPA 0x0a000000ull
#define SOS_UPCALL_INTID 40u
#define SOS_EVENT_INTID 41u
#define RT_ENTRY 0x50000000ull

enum { SOS, RT, UVM, LX };

/*
 * pCPUs 0 and 1 (prio_rr): sos.0, uvm.0 and sos.1, uvm.1.
 * pCPUs 2, 4, 5 (noop): rt.0, rt.1, rt.2 (its mask has a gap).
 * pCPU 3 (noop): lx.0, booted as Linux (linux_boot_load is the fake's).
 */
static const struct board_config board = {
	.name = "fake", .ram_base = 0x40000000, .ram_size = 0x40000000,
	.pcpu_count = 6, .console_uart_base = VUART_GPA,
	.gicd_base = 0x08000000, .gicr_base = 0x080a0000, .gicr_size = 0xf60000};
static const struct vm_config good_vms[] = {
	{.name = "sos", .kind = VM_KIND_SERVICE,
	 .caps = VM_CAP_MANAGE_VMS | VM_CAP_CONSOLE_INPUT | VM_CAP_UPCALL,
	 .pcpu_mask = 0x3, .vcpu_count = 2, .priority = 2, .slice_us = 1000,
	 .upcall_intid = SOS_UPCALL_INTID, .event_intid = SOS_EVENT_INTID,
	 .entry = 0x48000000, .vuart_gpa = VUART_GPA},
	{.name = "rt", .kind = VM_KIND_PRE_LAUNCHED, .pcpu_mask = 0x34,
	 .vcpu_count = 3, .priority = 1, .slice_us = 500, .entry = RT_ENTRY,
	 .vuart_gpa = VUART_GPA},
	{.name = "uvm", .kind = VM_KIND_POST_LAUNCHED, .caps = VM_CAP_RUNTIME,
	 .boot = VM_BOOT_BY_DM, .pcpu_mask = 0x3, .vcpu_count = 2,
	 .priority = 1, .slice_us = 2000, .max_memory = 0x10000000},
	{.name = "lx", .kind = VM_KIND_PRE_LAUNCHED, .boot = VM_BOOT_LINUX,
	 .pcpu_mask = 0x8, .vcpu_count = 1, .entry = 0x60000000},
};
static const uint8_t policies[] = {SCHED_PRIO_RR, SCHED_PRIO_RR, SCHED_NOOP,
				   SCHED_NOOP, SCHED_NOOP, SCHED_NOOP};

/* Editable copies, for the tests that break the scenario. */
static struct vm_config cfg[ARRAY_SIZE(good_vms)];
static struct scenario_config sc;

static struct vm *sos, *rt, *uvm, *lx;
static struct pcpu *p[6];

static void init_vms(void)
{
	assert_int_equal(vm_init_all(&sc), 0);
	sos = vm_by_id(SOS);
	rt = vm_by_id(RT);
	uvm = vm_by_id(UVM);
	lx = vm_by_id(LX);
	fake_trace_clear();
	fake_clear_pcpu_counts();
}

static int setup_only(void **state)
{
	(void)state;
	fake_reset(ARRAY_SIZE(policies), policies);
	memcpy(cfg, good_vms, sizeof(cfg));
	sc = (struct scenario_config){
		.name = "fake", .board = &board, .vm_count = ARRAY_SIZE(cfg),
		.vms = cfg, .pcpu_count = ARRAY_SIZE(policies),
		.pcpu_policy = policies};
	for (unsigned i = 0; i < ARRAY_SIZE(p); i++)
		p[i] = pcpu_get(i);
	return 0;
}

static int setup(void **state)
{
	setup_only(state);
	init_vms();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_check_clean();
	return 0;
}

static struct vcpu *V(struct vm *vm, unsigned i)
{
	return &vm->vcpus[i];
}

static bool step(struct vcpu *v)
{
	return fake_step(v);
}

/* v handles its start request: loaded, at its next guest entry. */
static void start(struct vcpu *v)
{
	assert_true(step(v));
	assert_false(v->requests & VCPU_REQ_RESET);
}

/* rt.0 started, rt.1 powered on by it and started; rt.2 off. */
static void rt_two_on(void)
{
	start(V(rt, 0));
	fake_set_current(p[2]);
	assert_int_equal(vcpu_power_on(V(rt, 1), RT_ENTRY + 0x100, 1), VCPU_ON_OK);
	start(V(rt, 1));
	fake_trace_clear();
}

/* The post-launched slot, created and started as vm_runtime.c does. */
static void uvm_create_and_start(void)
{
	assert_true(vm_change_state(uvm, VM_STATES(VM_EMPTY), VM_CREATED));
	assert_int_equal(vm_setup(uvm, 2, TESSERA_IO_COMPLETION_NOTIFY), 0);
	V(uvm, 0)->boot_pc = 0x40000000;
	assert_true(vm_change_state(uvm, VM_STATES(VM_CREATED), VM_RESETTING));
	vm_start_vcpus(uvm);
	assert_int_equal(vm_get_state(uvm), VM_RUNNING);
	(void)vm_take_events();
	fake_trace_clear();
}

static void assert_stopped(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *v = V(vm, i);

		assert_true(sched_blocked(v) & VCPU_BLOCK_STOPPED);
		assert_false(v->arch.loaded);
		assert_true(v->pcpu->loaded != v);
		assert_false(step(v));
	}
}

/* ---- boot ---- */

static void test_init_all_attaches_every_slot(void **state)
{
	static const struct {
		unsigned pcpu, nr;
		struct { unsigned vm, vcpu; } q[2];
	} queues[] = {
		{0, 2, {{SOS, 0}, {UVM, 0}}}, {1, 2, {{SOS, 1}, {UVM, 1}}},
		{2, 1, {{RT, 0}}}, {3, 1, {{LX, 0}}},
		{4, 1, {{RT, 1}}}, {5, 1, {{RT, 2}}},
	};

	(void)state;
	assert_int_equal(vm_init_all(&sc), 0);
	sos = vm_by_id(SOS);
	rt = vm_by_id(RT);
	uvm = vm_by_id(UVM);
	lx = vm_by_id(LX);
	assert_int_equal(vm_count(), 4);
	assert_null(vm_by_id(4));
	/* vCPU i on the i-th set bit of the mask, for good. */
	for (unsigned i = 0; i < ARRAY_SIZE(queues); i++) {
		struct sched_pcpu *s = &p[queues[i].pcpu]->sched;

		assert_int_equal(s->nr, queues[i].nr);
		for (unsigned k = 0; k < queues[i].nr; k++) {
			struct vcpu *v = V(vm_by_id(queues[i].q[k].vm),
					   queues[i].q[k].vcpu);

			assert_ptr_equal(s->vcpus[k], v);
			assert_ptr_equal(v->pcpu, p[queues[i].pcpu]);
			assert_int_equal(v->id, queues[i].q[k].vcpu);
		}
	}
	assert_int_equal(V(rt, 2)->sched.priority, 1);
	assert_int_equal(V(rt, 2)->sched.slice, 500 * (FAKE_HZ / 1000000));
	assert_int_equal(V(uvm, 1)->sched.slice, 2000 * (FAKE_HZ / 1000000));
	/* Static VMs running with vCPU 0 starting; post-launched: empty. */
	assert_int_equal(vm_get_state(sos), VM_RUNNING);
	assert_int_equal(vm_get_state(rt), VM_RUNNING);
	assert_int_equal(vm_get_state(lx), VM_RUNNING);
	assert_int_equal(vm_get_state(uvm), VM_EMPTY);
	for (unsigned id = 0; id < 4; id++) {
		struct vm *vm = vm_by_id(id);

		for (unsigned i = 0; i < vm->cfg->vcpu_count; i++) {
			struct vcpu *v = V(vm, i);
			bool first = i == 0 && id != UVM;

			assert_int_equal(vcpu_power_state(v),
					 first ? VCPU_POWER_ON : VCPU_POWER_OFF);
			assert_int_equal(v->requests, first ? VCPU_REQ_RESET : 0);
			assert_int_equal(sched_blocked(v),
					 first ? 0
					 : id == UVM ? VCPU_BLOCK_OFF | VCPU_BLOCK_STOPPED
						     : VCPU_BLOCK_OFF);
			assert_int_equal(v->arch.inits, id == UVM ? 0 : 1);
		}
	}
	assert_int_equal(V(rt, 0)->boot_pc, RT_ENTRY);
	assert_int_equal(V(lx, 0)->boot_pc, 0x60000000);
	assert_int_equal(V(lx, 0)->boot_arg[0], 0x48000000); /* its DT */
	assert_string_equal(fake_trace(FT_VM | FT_LINUX),
			    "vm_init 0 vm_init 1 vm_init 3 linux 3");
	/* Booted on pCPU 0: the other vCPUs 0's pCPUs are kicked. */
	assert_int_equal(p[0]->arch.kicks, 0);
	assert_true(p[2]->arch.kicks > 0 && p[3]->arch.kicks > 0);
	assert_int_equal(p[4]->arch.kicks | p[5]->arch.kicks, 0);
	assert_int_equal(host_log_count("vm rt: 3 vCPU(s) on pCPU mask 0x34"), 1);
	/* Each starts at its entry. */
	assert_int_equal(fake_run(p[2], 1), FAKE_STOP_BUDGET);
	assert_string_equal(fake_trace_of(FT_CONTEXT, "1.0"),
			    "load 1.0 put 1.0 reset 1.0@0x50000000 load 1.0 run 1.0");
}

static void test_init_all_failures(void **state)
{
	/* One VM's set-up fails: the others run. */
	fake_vm_init_fails(RT, -ENOMEM);
	assert_int_equal(vm_init_all(&sc), 0);
	assert_int_equal(vm_get_state(vm_by_id(RT)), VM_CRASHED);
	assert_int_equal(vm_get_state(vm_by_id(SOS)), VM_RUNNING);
	assert_int_equal(vm_get_state(vm_by_id(LX)), VM_RUNNING);
	assert_int_equal(host_log_count("vm rt: not started"), 1);
	assert_false(sched_is_runnable(V(vm_by_id(RT), 0)));
	/* Linux images that cannot be loaded. */
	setup_only(state);
	fake_linux_boot_result = -EIO;
	assert_int_equal(vm_init_all(&sc), 0);
	assert_int_equal(vm_get_state(vm_by_id(LX)), VM_CRASHED);
	/* A vCPU that cannot be placed (two on a noop pCPU). */
	setup_only(state);
	cfg[LX].pcpu_mask = 0x4; /* rt.0's pCPU */
	assert_int_equal(vm_init_all(&sc), 0);
	assert_int_equal(vm_get_state(vm_by_id(LX)), VM_CRASHED);
	assert_int_equal(host_log_count("vm lx: vCPU 0 cannot be placed on pCPU 2"), 1);
	assert_int_equal(vm_get_state(vm_by_id(RT)), VM_RUNNING);
	assert_int_equal(p[2]->sched.nr, 1);
	/* Nothing started at all. */
	setup_only(state);
	fake_vm_init_fails(SOS, -EINVAL);
	fake_vm_init_fails(RT, -EINVAL);
	fake_vm_init_fails(LX, -EINVAL);
	assert_int_equal(vm_init_all(&sc), -1);
	assert_int_equal(vm_get_state(vm_by_id(UVM)), VM_EMPTY);
}

/*
 * A slice is exact in counter ticks: computed as hz / 1000000 * slice_us
 * it would truncate the ticks per microsecond first (on QEMU virt's 62.5
 * MHz counter a 500 us slice would be 31,000 ticks instead of 31,250, and
 * below 1 MHz every slice would be 0).
 */
static void test_slice_is_exact_in_counter_ticks(void **state)
{
	(void)state;
	fake_set_counter_hz(62500000);
	assert_int_equal(vm_init_all(&sc), 0);
	assert_int_equal(V(vm_by_id(RT), 0)->sched.slice, 31250);
	assert_int_equal(V(vm_by_id(UVM), 1)->sched.slice, 125000);
}

/* ---- stopping ---- */

static void test_power_off_stops_every_vcpu_on_its_pcpu(void **state)
{
	(void)state;
	rt_two_on();
	/* From another pCPU (pCPU 0: say, a hypercall there). */
	fake_set_current(p[0]);
	vm_power_off(rt, "test");
	assert_int_equal(vm_get_state(rt), VM_POWERED_OFF);
	assert_stopped(rt);
	/* Each put by its own pCPU (the fake checks), after a kick. */
	assert_string_equal(fake_trace(FT_PUT | FT_KICK),
			    "kick p2 put 1.0 kick p4 put 1.1 kick p5");
	assert_int_equal(host_log_count("vm rt: powered off (test)"), 1);
	assert_int_equal(host_log_count("vm rt vcpu 0: 0 exits; pCPU 2: 0 exits"), 1);
	assert_int_equal(host_log_count("vm rt vcpu 2: 0 exits; pCPU 5"), 1);
	/* Once. */
	fake_trace_clear();
	vm_power_off(rt, "again");
	vm_crash(rt, "too late");
	vm_reset(rt, "too late");
	assert_int_equal(vm_get_state(rt), VM_POWERED_OFF);
	assert_string_equal(fake_trace(FT_ALL), "");
	assert_int_equal(host_log_count("vm rt: powered off"), 1);
	assert_int_equal(host_log_count("stopped: too late"), 0);
	assert_int_equal(host_log_count("resetting"), 0);
	/* The other VMs carry on. */
	assert_int_equal(vm_get_state(sos), VM_RUNNING);
	assert_true(sched_is_runnable(V(sos, 0)));
	assert_int_equal(fake_run(p[2], 3), FAKE_STOP_IDLE);
}

static void test_crash_stops_once(void **state)
{
	(void)state;
	rt_two_on();
	fake_set_current(p[4]); /* from its own vCPU 1's exit */
	vm_crash(rt, "vcpu %u: bad %s", 1u, "thing");
	assert_int_equal(vm_get_state(rt), VM_CRASHED);
	assert_stopped(rt);
	assert_int_equal(host_log_count("vm rt: stopped: vcpu 1: bad thing"), 1);
	vm_crash(rt, "again");
	vm_power_off(rt, "again");
	assert_int_equal(vm_get_state(rt), VM_CRASHED);
	assert_int_equal(host_log_count("vm rt: stopped"), 1);
	assert_int_equal(host_log_count("powered off"), 0);
}

static void guest_system_off(struct vcpu *v)
{
	vcpu_request(v, VCPU_REQ_VM_OFF); /* PSCI SYSTEM_OFF */
	v->arch.guest = NULL;
}

static void test_system_off_from_a_vcpu(void **state)
{
	(void)state;
	rt_two_on();
	V(rt, 1)->arch.guest = guest_system_off;
	assert_true(step(V(rt, 1)));
	assert_int_equal(vm_get_state(rt), VM_RUNNING);
	assert_true(step(V(rt, 1))); /* its next step acts on it */
	assert_int_equal(vm_get_state(rt), VM_POWERED_OFF);
	assert_stopped(rt);
	assert_int_equal(V(rt, 1)->arch.runs, 1);
}

/* ---- reset of a static VM ---- */

static void guest_system_reset(struct vcpu *v)
{
	vcpu_request(v, VCPU_REQ_VM_RESET); /* PSCI SYSTEM_RESET */
	v->arch.guest = NULL;
}

/*
 * SYSTEM_OFF and SYSTEM_RESET that meet the VM between two states (a pause
 * or resume under way: VM_RESETTING) are carried out once it is in one,
 * never dropped: PSCI says they do not return.
 */
static void waits_out_a_state_change(void (*guest)(struct vcpu *),
				     enum vm_state after, const char *logged)
{
	rt_two_on();
	V(rt, 1)->arch.guest = guest;
	assert_true(step(V(rt, 1)));
	assert_true(vm_change_state(rt, VM_STATES(VM_RUNNING), VM_RESETTING));
	for (unsigned k = 0; k < 3; k++) {
		assert_true(step(V(rt, 1))); /* looks, keeps it */
		assert_int_equal(vm_get_state(rt), VM_RESETTING);
		assert_true(V(rt, 1)->requests &
			    (VCPU_REQ_VM_OFF | VCPU_REQ_VM_RESET));
	}
	/* the change is over (a resume) */
	assert_true(vm_change_state(rt, VM_STATES(VM_RESETTING), VM_RUNNING));
	assert_true(step(V(rt, 1)));
	assert_int_equal(vm_get_state(rt), after);
	assert_int_equal(host_log_count(logged), 1);
}

static void test_system_off_waits_out_a_state_change(void **state)
{
	(void)state;
	waits_out_a_state_change(guest_system_off, VM_POWERED_OFF, "powered off");
}

static void test_system_reset_waits_out_a_state_change(void **state)
{
	(void)state;
	waits_out_a_state_change(guest_system_reset, VM_RUNNING, "resetting");
}

/*
 * When every VM but the post-launched one has stopped (powered off or
 * crashed), the board powers off: not one VM earlier, and not while a
 * post-launched VM's slot is still there, which does not count. With the
 * scenario's keep_board_up it stays on, and says so.
 */
static void stop_all_static(void)
{
	fake_set_current(p[0]);
	vm_power_off(rt, "test");
	assert_int_equal(fake_board_power_offs, 0);
	vm_crash(lx, "test");
	assert_int_equal(fake_board_power_offs, 0);
	vm_power_off(sos, "test");
}

static void test_board_off_when_every_vm_stopped(void **state)
{
	(void)state;
	stop_all_static();
	assert_int_equal(fake_board_power_offs, 1);
	assert_int_equal(host_log_count("every VM has stopped: powering the "
					"board off"), 1);
}

/* A VM that another pCPU is stopping right now (its state changed, its
 * lines not yet written) holds the power-off back: that pCPU, the last to
 * report, powers the board off after its lines. */
static void test_board_waits_for_every_stop_to_be_reported(void **state)
{
	(void)state;
	fake_set_current(p[0]);
	vm_power_off(rt, "test");
	assert_true(vm_change_state(sos, VM_STATES(VM_RUNNING), VM_POWERED_OFF));
	vm_crash(lx, "test");
	assert_int_equal(fake_board_power_offs, 0);
}

static void test_board_kept_up(void **state)
{
	(void)state;
	setup_only(state);
	sc.keep_board_up = true;
	init_vms();
	stop_all_static();
	assert_int_equal(fake_board_power_offs, 0);
	assert_int_equal(host_log_count("the board stays up (keep_board_up)"), 1);
}

static struct vcpu *busy_vcpu;

/* The pCPU was running busy_vcpu when the kick came: that step ends first. */
static void finish_step(void *ctx)
{
	(void)ctx;
	assert_ptr_equal(pcpu_this()->loaded, busy_vcpu);
	vcpu_step(busy_vcpu);
}

/* rt.1 (pCPU 4) resets the VM; afterwards only rt.0 is on, starting afresh
 * at the entry; the others stay off. */
static void reset_by_rt1_and_check(void)
{
	struct vcpu *v0 = V(rt, 0);

	V(rt, 1)->arch.guest = guest_system_reset;
	assert_true(step(V(rt, 1)));
	fake_trace_clear();
	assert_true(step(V(rt, 1)));
	assert_int_equal(vm_get_state(rt), VM_RUNNING);
	assert_int_equal(rt->arch.resets, 1);
	assert_int_equal(host_log_count("vm rt: resetting (PSCI SYSTEM_RESET)"), 1);
	assert_false(v0->arch.loaded);
	for (unsigned i = 1; i < 3; i++) {
		assert_int_equal(vcpu_power_state(V(rt, i)), VCPU_POWER_OFF);
		assert_true(sched_blocked(V(rt, i)) & VCPU_BLOCK_OFF);
		assert_int_equal(fake_run(V(rt, i)->pcpu, 0), FAKE_STOP_IDLE);
	}
	assert_int_equal(vcpu_power_state(v0), VCPU_POWER_ON);
	assert_true(sched_is_runnable(v0));
	fake_trace_clear();
	assert_int_equal(fake_run(p[2], 1), FAKE_STOP_BUDGET);
	assert_string_equal(fake_trace(FT_CONTEXT),
			    "load 1.0 put 1.0 reset 1.0@0x50000000 load 1.0 run 1.0");
	assert_int_equal(v0->arch.pc, RT_ENTRY);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(v0->arch.x[i], 0);
	assert_int_equal(v0->arch.io_dones + v0->arch.io_aborts, 0);
	assert_false(v0->io.pending); /* forgotten by the restart */
	assert_int_equal(v0->arch.guest_timer, UINT64_MAX);
}

static void test_reset_with_vcpu0_running(void **state)
{
	(void)state;
	rt_two_on();
	busy_vcpu = V(rt, 0);
	fake_on_kick(p[2], finish_step, NULL);
	reset_by_rt1_and_check();
	assert_int_equal(V(rt, 0)->arch.runs, 2); /* the last old one, the new */
}

static void test_reset_with_vcpu0_runnable(void **state)
{
	(void)state;
	rt_two_on();
	reset_by_rt1_and_check();
}

static void guest_wfi_once(struct vcpu *v)
{
	vcpu_wait_for_interrupt(v);
	v->arch.guest = NULL;
}

/*
 * A reset ends a WFI or I/O wait. vm_start_vcpus() must leave only
 * VCPU_BLOCK_OFF: a vCPU stopped while blocked in WFI (or on I/O) that kept
 * VCPU_BLOCK_WFI (VCPU_BLOCK_IO) would be "on" with VCPU_REQ_RESET pending
 * but never runnable, so the restart that forgets the wait never runs: the
 * VM RUNNING with nothing of it running, for good on a noop pCPU (no pCPU
 * timer, and the reset left no interrupt). Linux parks the other CPUs in
 * WFI before PSCI SYSTEM_RESET, and a panic resets from any CPU. (HEAD's
 * vm_start_vcpus only removed STOPPED and PAUSED.)
 */
static void test_reset_with_vcpu0_in_wfi(void **state)
{
	(void)state;
	rt_two_on();
	V(rt, 0)->arch.guest = guest_wfi_once;
	assert_true(step(V(rt, 0)));
	assert_int_equal(sched_blocked(V(rt, 0)), VCPU_BLOCK_WFI);
	reset_by_rt1_and_check();
}

static void test_reset_with_vcpu0_waiting_for_io(void **state)
{
	struct io_access a = {.space = IO_SPACE_MMIO, .size = 4, .reg = 1,
			      .addr = UNHANDLED_GPA};

	(void)state;
	fake_dm_attach(rt);
	rt_two_on();
	fake_set_current(p[2]);
	vcpu_data_access(V(rt, 0), &a);
	assert_true(step(V(rt, 0)));
	assert_int_equal(sched_blocked(V(rt, 0)), VCPU_BLOCK_IO);
	reset_by_rt1_and_check();
}

static void guest_cpu_off_once(struct vcpu *v)
{
	vcpu_power_off(v); /* PSCI CPU_OFF */
	v->arch.guest = NULL;
}

static void test_reset_with_vcpu0_off(void **state)
{
	(void)state;
	rt_two_on();
	V(rt, 0)->arch.guest = guest_cpu_off_once;
	assert_true(step(V(rt, 0)));
	assert_int_equal(vcpu_power_state(V(rt, 0)), VCPU_POWER_OFF);
	reset_by_rt1_and_check();
}

/* The secondary that was in WFI at the reset is powered on again. */
static void test_reset_then_cpu_on_of_a_vcpu_that_was_in_wfi(void **state)
{
	(void)state;
	rt_two_on();
	fake_set_current(p[2]);
	assert_int_equal(vcpu_power_on(V(rt, 2), RT_ENTRY + 0x200, 0), VCPU_ON_OK);
	start(V(rt, 2));
	V(rt, 2)->arch.guest = guest_wfi_once;
	assert_true(step(V(rt, 2)));
	reset_by_rt1_and_check();
	fake_set_current(p[2]); /* the new vCPU 0 starts it */
	assert_int_equal(vcpu_power_on(V(rt, 2), RT_ENTRY + 0x300, 0), VCPU_ON_OK);
	assert_true(sched_is_runnable(V(rt, 2)));
	fake_trace_clear();
	assert_int_equal(fake_run(p[5], 1), FAKE_STOP_BUDGET);
	assert_string_equal(fake_trace_of(FT_RESET, "1.2"), "reset 1.2@0x50000300");
}

static void test_reset_leaves_other_vms_alone(void **state)
{
	struct arch_vcpu s, l;

	(void)state;
	start(V(sos, 0));
	start(V(lx, 0));
	s = V(sos, 0)->arch;
	l = V(lx, 0)->arch;
	rt_two_on();
	reset_by_rt1_and_check();
	assert_int_equal(V(sos, 0)->arch.loads, s.loads);
	assert_int_equal(V(sos, 0)->arch.puts, s.puts);
	assert_int_equal(V(lx, 0)->arch.puts, l.puts);
	assert_int_equal(V(lx, 0)->arch.resets, l.resets);
	assert_true(V(sos, 0)->arch.loaded && V(lx, 0)->arch.loaded);
	assert_true(sched_is_runnable(V(sos, 0)));
	assert_int_equal(sos->arch.resets + lx->arch.resets, 0);
}

static void test_reset_of_linux_vm_reloads_or_crashes(void **state)
{
	(void)state;
	start(V(lx, 0));
	fake_set_current(p[3]);
	vm_reset(lx, "test");
	assert_int_equal(vm_get_state(lx), VM_RUNNING);
	assert_int_equal(fake_linux_boot_calls, 2);
	/* Its images cannot be loaded again: it stays stopped. */
	fake_linux_boot_result = -EIO;
	vm_reset(lx, "test");
	assert_int_equal(vm_get_state(lx), VM_CRASHED);
	assert_int_equal(host_log_count("vm lx: cannot restart"), 1);
	assert_stopped(lx);
}

/*
 * A static VM that cannot restart (its Linux images fail to load) ends
 * CRASHED like any stopped VM: console input disconnected from its vUART
 * (else keys would fill a FIFO nobody reads, input would stop, and the
 * "not connected" notice would never come) and its partial line flushed.
 * The Service VM is such a VM.
 */
static void test_failed_restart_disconnects_console(void **state)
{
	(void)state;
	cfg[SOS].boot = VM_BOOT_LINUX;
	init_vms();
	assert_true(console_input_room() != SIZE_MAX);
	fake_linux_boot_result = -EIO;
	fake_set_current(p[0]);
	vm_reset(sos, "test");
	assert_int_equal(vm_get_state(sos), VM_CRASHED);
	assert_int_equal(console_input_room(), SIZE_MAX);
}

/* ---- CPU_ON against a reset ---- */

static void guest_cpu_on_rt2_then_reset(struct vcpu *v)
{
	assert_int_equal(vcpu_power_on(V(rt, 2), RT_ENTRY + 0xbad, 0), VCPU_ON_OK);
	vcpu_request(v, VCPU_REQ_VM_RESET);
	v->arch.guest = NULL;
}

/* rt.0 powers rt.2 on and resets the VM before rt.2 ran: the old CPU_ON
 * is gone; rt.2 starts only at the next CPU_ON's entry. */
static void test_cpu_on_before_reset_is_forgotten(void **state)
{
	(void)state;
	start(V(rt, 0));
	V(rt, 0)->arch.guest = guest_cpu_on_rt2_then_reset;
	assert_true(step(V(rt, 0)));
	assert_true(sched_is_runnable(V(rt, 2)));
	assert_true(step(V(rt, 0))); /* the reset */
	assert_int_equal(vm_get_state(rt), VM_RUNNING);
	assert_int_equal(vcpu_power_state(V(rt, 2)), VCPU_POWER_OFF);
	assert_false(sched_is_runnable(V(rt, 2)));
	assert_int_equal(fake_run(p[5], 3), FAKE_STOP_IDLE);
	assert_string_equal(fake_trace_of(FT_CONTEXT, "1.2"), "");
	start(V(rt, 0));
	fake_set_current(p[2]);
	assert_int_equal(vcpu_power_on(V(rt, 2), RT_ENTRY + 0x300, 0), VCPU_ON_OK);
	assert_int_equal(fake_run(p[5], 1), FAKE_STOP_BUDGET);
	assert_string_equal(fake_trace_of(FT_RESET | FT_RUN, "1.2"),
			    "reset 1.2@0x50000300 run 1.2");
}

static int cpu_on_result = -1;

/* rt.1's exit when the reset's stop reaches pCPU 4: a CPU_ON of rt.2. */
static void rt1_cpu_on_rt2(void *ctx)
{
	(void)ctx;
	cpu_on_result = vcpu_power_on(V(rt, 2), RT_ENTRY + 0xbad, 0);
}

/* rt.0 resets the VM while rt.1 is in the middle of a CPU_ON of rt.2. */
static void test_cpu_on_during_reset_is_retried(void **state)
{
	(void)state;
	rt_two_on();
	fake_on_kick(p[4], rt1_cpu_on_rt2, NULL);
	V(rt, 0)->arch.guest = guest_system_reset;
	assert_true(step(V(rt, 0)));
	assert_true(step(V(rt, 0)));
	assert_int_equal(cpu_on_result, VCPU_ON_RETRY);
	assert_int_equal(vm_get_state(rt), VM_RUNNING);
	for (unsigned i = 1; i < 3; i++) {
		assert_int_equal(vcpu_power_state(V(rt, i)), VCPU_POWER_OFF);
		assert_false(sched_is_runnable(V(rt, i)));
	}
	assert_int_equal(fake_run(p[5], 3), FAKE_STOP_IDLE);
	assert_string_equal(fake_trace_of(FT_CONTEXT, "1.2"), "");
	assert_int_equal(fake_run(p[2], 1), FAKE_STOP_BUDGET);
	assert_int_equal(V(rt, 0)->arch.pc, RT_ENTRY);
}

/*
 * Requests do not survive a reset: rt.1 asks for SYSTEM_RESET and is
 * stopped (by the reset rt.0 asked for at the same time) before its pCPU
 * acts on it; a VCPU_REQ_VM_RESET left set would reset the fresh VM again
 * as soon as its vCPU 0 powers rt.1 on (a stale VCPU_REQ_VM_OFF would
 * power it off).
 */
static void guest_cpu_on_rt1(struct vcpu *v)
{
	(void)v;
	assert_int_equal(vcpu_power_on(V(rt, 1), RT_ENTRY + 0x100, 0), VCPU_ON_OK);
	v->arch.guest = NULL;
}

static void test_requests_do_not_survive_reset(void **state)
{
	(void)state;
	rt_two_on();
	V(rt, 1)->arch.guest = guest_system_reset;
	assert_true(step(V(rt, 1))); /* asks; its pCPU has not looked yet */
	V(rt, 0)->arch.guest = guest_system_reset;
	assert_true(step(V(rt, 0)));
	assert_true(step(V(rt, 0))); /* rt.0's reset goes first */
	assert_int_equal(rt->arch.resets, 1);
	start(V(rt, 0));
	V(rt, 0)->arch.guest = guest_cpu_on_rt1;
	assert_true(step(V(rt, 0)));
	(void)fake_run(p[4], 2);
	assert_int_equal(rt->arch.resets, 1); /* here: 2 */
	assert_int_equal(V(rt, 0)->arch.resets, 2);
	assert_int_equal(V(rt, 1)->arch.runs, 1 + 2);
	assert_int_equal(vm_get_state(rt), VM_RUNNING);
}

/* ---- post-launched VMs ---- */

static void test_post_launched_reset_waits_for_its_dm(void **state)
{
	(void)state;
	uvm_create_and_start();
	start(V(uvm, 0));
	fake_trace_clear();
	V(uvm, 0)->arch.guest = guest_system_reset;
	assert_true(step(V(uvm, 0)));
	assert_true(step(V(uvm, 0)));
	assert_int_equal(vm_get_state(uvm), VM_RESET_REQUESTED);
	assert_stopped(uvm);
	/* Its device model resets it: nothing of it is reset here. */
	assert_int_equal(uvm->arch.resets, 0);
	assert_string_equal(fake_trace(FT_VM | FT_RESET), "");
	assert_int_equal(vm_take_events(), BIT(UVM));
	assert_int_equal(vm_take_events(), 0);
	assert_string_equal(fake_trace(FT_IRQ), "edge 0:41");
	/* Not live: nothing more. */
	vm_reset(uvm, "again");
	vm_power_off(uvm, "again");
	assert_int_equal(vm_get_state(uvm), VM_RESET_REQUESTED);
	assert_int_equal(vm_take_events(), 0);
	assert_int_equal(sos->arch.edges, 1);
}

static void test_events_and_upcall_follow_capabilities(void **state)
{
	struct io_access a = {.space = IO_SPACE_MMIO, .size = 4, .reg = 1,
			      .addr = UNHANDLED_GPA};

	(void)state;
	assert_ptr_equal(vm_upcall_target(), sos);
	/* A static VM's state changes are not events. */
	fake_set_current(p[0]);
	vm_power_off(rt, "test");
	assert_int_equal(vm_take_events(), 0);
	assert_int_equal(sos->arch.edges, 0);
	/* A post-launched one's are, with an edge on the upcall VM. */
	uvm_create_and_start();
	fake_dm_attach(uvm);
	start(V(uvm, 0));
	fake_set_current(p[0]);
	vcpu_data_access(V(uvm, 0), &a); /* forwarded: the I/O upcall */
	assert_string_equal(fake_trace(FT_IRQ), "edge 0:40");
	vm_crash(uvm, "test");
	assert_int_equal(vm_take_events(), BIT(UVM));
	assert_string_equal(fake_trace(FT_IRQ), "edge 0:40 edge 0:41");
	/* The upcall VM stops: no upcall target, and the User VMs it made
	 * go with it, without an edge anywhere. */
	setup(state);
	uvm_create_and_start();
	fake_trace_clear();
	vm_power_off(sos, "test");
	assert_null(vm_upcall_target());
	assert_int_equal(vm_get_state(uvm), VM_EMPTY);
	assert_string_equal(fake_trace(FT_IRQ), "");
}

static void test_console_input_follows_capability(void **state)
{
	(void)state;
	/* The VM with VM_CAP_CONSOLE_INPUT (and a vUART) takes it. */
	assert_int_equal(console_input_room(), VUART_RX_FIFO);
	console_input("ab", 2);
	assert_int_equal(sos->vuart.rx_count, 2);
	assert_int_equal(rt->vuart.rx_count, 0);
	/* rt has a vUART but not the capability: its stop changes nothing. */
	fake_set_current(p[0]);
	vm_power_off(rt, "test");
	assert_int_equal(console_input_room(), VUART_RX_FIFO - 2);
	/* A reset reconnects it, a stop disconnects it. */
	vm_reset(sos, "test");
	assert_int_equal(vm_get_state(sos), VM_RUNNING);
	assert_true(console_input_room() != SIZE_MAX);
	vm_power_off(sos, "test");
	assert_int_equal(console_input_room(), SIZE_MAX);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
#define T_BOOT(t) cmocka_unit_test_setup_teardown(t, setup_only, teardown)
		T_BOOT(test_init_all_attaches_every_slot),
		T_BOOT(test_init_all_failures),
		T_BOOT(test_slice_is_exact_in_counter_ticks),
		T(test_power_off_stops_every_vcpu_on_its_pcpu),
		T(test_crash_stops_once),
		T(test_system_off_from_a_vcpu),
		T(test_reset_with_vcpu0_running),
		T(test_reset_with_vcpu0_runnable),
		T(test_reset_with_vcpu0_in_wfi),
		T(test_reset_with_vcpu0_waiting_for_io),
		T(test_reset_with_vcpu0_off),
		T(test_reset_then_cpu_on_of_a_vcpu_that_was_in_wfi),
		T(test_reset_leaves_other_vms_alone),
		T(test_reset_of_linux_vm_reloads_or_crashes),
		T_BOOT(test_failed_restart_disconnects_console),
		T(test_cpu_on_before_reset_is_forgotten),
		T(test_cpu_on_during_reset_is_retried),
		T(test_system_off_waits_out_a_state_change),
		T(test_board_off_when_every_vm_stopped),
		T(test_board_waits_for_every_stop_to_be_reported),
		cmocka_unit_test_setup_teardown(test_board_kept_up, NULL, teardown),
		T(test_system_reset_waits_out_a_state_change),
		T(test_requests_do_not_survive_reset),
		T(test_post_launched_reset_waits_for_its_dm),
		T(test_events_and_upcall_follow_capabilities),
		T(test_console_input_follows_capability),
#undef T
#undef T_BOOT
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
