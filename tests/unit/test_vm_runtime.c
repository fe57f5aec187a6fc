/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Post-launched VMs over their life (vm_runtime.c) on the fake arch layer,
 * with real stage-2 tables (s2_pgtable.c) and the board's RAM mapped at its
 * physical addresses: 1,000 create/destroy cycles that leak nothing, every
 * lifecycle call from every state, memory batches (each check, all or
 * nothing, the translation they build), destroy, vCPU registers and
 * request pages.
 *
 * The calls are made as the Service VM's vCPU 0 (pCPU 0) makes them, through
 * the vm_runtime.c functions or, where the argument is a list in the Service
 * VM's memory, through the hypercall. "2.0" in the fake's trace is vCPU 0
 * of the User VM uvm.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <hypercall.h>
#include <uapi/tessera_hypercall.h>

#include "fake_arch.h"
#include "host_log.h"

#include "runtime_fixture.h"

#define UVM2_MAX 0x00400000ull

/* Where things are in the Service VM (guest-physical). */
#define REQ_GPA SOS_R0                /* uvm's request page */
#define REQ2_GPA (SOS_R0 + 0x1000)    /* another one */
#define LIST_GPA (SOS_R0 + 0x2000)    /* a SET_MEMORY_REGIONS list */
#define ARG_GPA (SOS_R0 + 0x3000)     /* other arguments */
#define BACK_GPA (SOS_R0 + 0x200000)  /* backs User VM RAM: 2 MiB aligned */
#define BACK_SIZE (SOS_R0_SIZE - 0x200000)

enum { UVM2 = UVM + 1 };

/* uvm2 shares pCPU 1 with the Service VM, as the config tool allows. */
static const struct board_config board = FIXTURE_BOARD;
static const struct vm_config vm_cfgs[] = {
	FIXTURE_SOS, FIXTURE_RT, FIXTURE_UVM(0),
	FIXTURE_SLOT("uvm2", 0x2, 1, UVM2_MAX, PT_PAGES_FOR(UVM_MAX),
		     0x09000000, 0),
};
static const uint8_t policies[] = FIXTURE_POLICIES;
static const struct scenario_config sc = {
	.name = "fake", .board = &board, .hv_base = HV_BASE, .hv_size = HV_SIZE,
	.vm_count = ARRAY_SIZE(vm_cfgs), .vms = vm_cfgs,
	.pcpu_count = ARRAY_SIZE(policies), .pcpu_policy = policies};

static struct vm *sos, *rt, *uvm, *uvm2;
static struct pcpu *p[5];

static int setup(void **state)
{
	(void)state;
	fake_reset(ARRAY_SIZE(policies), policies);
	fake_ram(RAM_BASE, RAM_SIZE);
	assert_int_equal(vm_init_all(&sc), 0);
	sos = vm_by_id(SOS);
	rt = vm_by_id(RT);
	uvm = vm_by_id(UVM);
	uvm2 = vm_by_id(UVM2);
	for (unsigned i = 0; i < ARRAY_SIZE(p); i++)
		p[i] = pcpu_get(i);
	fake_set_current(p[0]); /* the Service VM's vCPU 0, in a hypercall */
	fake_trace_clear();
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

/* The host address of the Service VM's [gpa, gpa + size), from the
 * scenario (not from the code under test). */
static void *sos_ptr(uint64_t gpa, uint64_t size)
{
	for (unsigned r = 0; r < vm_cfgs[SOS].mem_region_count; r++) {
		const struct mem_region_config *m = &vm_cfgs[SOS].mem[r];

		if (gpa >= m->gpa && gpa - m->gpa + size <= m->size)
			return (void *)(uintptr_t)(m->hpa + (gpa - m->gpa));
	}
	fail_msg("0x%llx is not the Service VM's", (unsigned long long)gpa);
	return NULL;
}

static uint64_t sos_hpa(uint64_t gpa)
{
	return (uint64_t)(uintptr_t)sos_ptr(gpa, 1);
}

static int64_t hc(struct vm *caller, uint32_t fn, uint64_t a0, uint64_t a1,
		  uint64_t a2)
{
	const uint64_t args[HYPERCALL_ARGS] = {a0, a1, a2, 0};

	return hypercall_dispatch(V(caller, 0), fn, args);
}

static struct tessera_mem_region R(uint64_t gpa, uint64_t sos_gpa,
				   uint64_t size, uint32_t flags)
{
	return (struct tessera_mem_region){.vm_gpa = gpa, .sos_gpa = sos_gpa,
					   .size = size, .flags = flags};
}

/* SET_MEMORY_REGIONS of n regions, listed in the Service VM's memory. */
static int64_t map_n(struct vm *vm, const struct tessera_mem_region *r,
		     uint64_t n)
{
	memcpy(sos_ptr(LIST_GPA, PAGE), r, n * sizeof(*r));
	return hc(sos, TESSERA_HC_SET_MEMORY_REGIONS, vm->id, LIST_GPA, n);
}

static int64_t map1(struct vm *vm, uint64_t gpa, uint64_t sos_gpa,
		    uint64_t size, uint32_t flags)
{
	struct tessera_mem_region r = R(gpa, sos_gpa, size, flags);

	return map_n(vm, &r, 1);
}

/* The translation of one page of vm: its host-physical address, or 0. */
static uint64_t xlate(const struct vm *vm, uint64_t gpa, uint32_t *flags)
{
	uint64_t hpa;
	uint32_t f;

	if (!fake_s2_lookup(vm, gpa, &hpa, &f))
		return 0;
	if (flags)
		*flags = f;
	return hpa;
}

static bool has_trace(unsigned kinds, const char *what)
{
	return strstr(fake_trace(kinds), what) != NULL;
}

/* ---- the VM in each state ---- */

static const uint64_t regs_x[4] = {0x11, 0x22, 0x33, 0x44};

/* Created with 2 vCPUs, request pages, 1 MiB at RAM_BASE, vCPU 0's entry. */
static void to_created(void)
{
	assert_int_equal(vm_create(UVM, 2, TESSERA_IO_COMPLETION_NOTIFY), 0);
	assert_int_equal(vm_set_request_pages(uvm, sos, REQ_GPA, 1), 0);
	assert_int_equal(map1(uvm, RAM_BASE, BACK_GPA, 0x100000, RWX), 0);
	assert_int_equal(vm_set_vcpu_regs(uvm, 0, RAM_BASE, regs_x), 0);
}

/* Started, vCPU 0 loaded on pCPU 2 and back from its first entry. */
static void to_running(void)
{
	to_created();
	assert_int_equal(vm_start(uvm), 0);
	assert_true(fake_step(V(uvm, 0)));
	assert_true(V(uvm, 0)->arch.loaded);
}

enum st {
	S_NEVER, S_CREATED, S_RUNNING, S_PAUSED, S_OFF, S_CRASHED,
	S_RESET_REQ, S_DESTROYED, S_RESETTING, NR_ST
};
static const char *const st_name[] = {
	"never created", "created", "running", "paused", "powered off",
	"crashed", "reset requested", "destroyed", "resetting"};

static void to_state(enum st s)
{
	switch (s) {
	case S_NEVER:
		break;
	case S_CREATED:
		to_created();
		break;
	case S_RUNNING:
		to_running();
		break;
	case S_PAUSED:
		to_running();
		assert_int_equal(vm_pause(uvm), 0);
		break;
	case S_OFF:
		to_running();
		vm_power_off(uvm, "test");
		break;
	case S_CRASHED:
		to_running();
		vm_crash(uvm, "test");
		break;
	case S_RESET_REQ:
		to_running();
		vm_reset(uvm, "test"); /* PSCI SYSTEM_RESET: waits for its DM */
		break;
	case S_DESTROYED:
		to_running();
		assert_int_equal(vm_destroy(uvm), 0);
		break;
	default:
		fail();
	}
	fake_trace_clear();
}

enum call {
	C_CREATE, C_DESTROY, C_START, C_PAUSE, C_RESUME, C_RESET, C_REGS,
	C_MAP, C_PAGES, NR_CALLS
};
static const char *const call_name[] = {
	"create", "destroy", "start", "pause", "resume", "reset_by_dm",
	"set_vcpu_regs", "map_memory", "set_request_pages"};

#define NEW_PC (RAM_BASE + 0x100)
#define NEW_GPA (RAM_BASE + 0x200000)

static int do_call(enum call c)
{
	static const uint64_t x[4] = {5, 6, 7, 8};
	struct tessera_mem_region r = R(NEW_GPA, BACK_GPA + 0x100000, PAGE, RW);

	switch (c) {
	case C_CREATE:
		return vm_create(UVM, 2, TESSERA_IO_COMPLETION_NOTIFY);
	case C_DESTROY:
		return vm_destroy(uvm);
	case C_START:
		return vm_start(uvm);
	case C_PAUSE:
		return vm_pause(uvm);
	case C_RESUME:
		return vm_resume(uvm);
	case C_RESET:
		return vm_reset_by_dm(uvm);
	case C_REGS:
		return vm_set_vcpu_regs(uvm, 0, NEW_PC, x);
	case C_MAP:
		return vm_map_memory(uvm, sos, &r, 1);
	case C_PAGES:
		return vm_set_request_pages(uvm, sos, REQ2_GPA, 1);
	default:
		fail();
	}
	return 0;
}

/*
 * What each call does in each state: 0 (allowed) or the error of a refused
 * call (doc/hsm.rst, misc/hsm/tests/hvc_check.c). A free slot has nothing
 * to destroy (-ENOENT); create needs a free slot (-EBUSY); start, pause,
 * resume and reset are refused in the wrong state (-EINVAL), set-up calls
 * once the VM was started (-EBUSY) or on a free slot (-EINVAL: no such
 * vCPU, no VM to give pages to); in RESETTING another call is changing the
 * VM: destroy and create say busy. The bring-up attached request pages, so
 * a second set is -EBUSY.
 */
#define OK 0
static const int expect[NR_ST][NR_CALLS] = {
	/*             create   destroy  start    pause    resume   reset    regs     map      pages */
	[S_NEVER]     = {OK,     -ENOENT, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EBUSY,  -EINVAL},
	[S_CREATED]   = {-EBUSY, OK,      OK,      -EINVAL, -EINVAL, OK,      OK,      OK,      -EBUSY},
	[S_RUNNING]   = {-EBUSY, OK,      -EINVAL, OK,      -EINVAL, OK,      -EBUSY,  -EBUSY,  -EBUSY},
	[S_PAUSED]    = {-EBUSY, OK,      -EINVAL, -EINVAL, OK,      OK,      -EBUSY,  -EBUSY,  -EBUSY},
	[S_OFF]       = {-EBUSY, OK,      -EINVAL, -EINVAL, -EINVAL, OK,      -EBUSY,  -EBUSY,  -EBUSY},
	[S_CRASHED]   = {-EBUSY, OK,      -EINVAL, -EINVAL, -EINVAL, OK,      -EBUSY,  -EBUSY,  -EBUSY},
	[S_RESET_REQ] = {-EBUSY, OK,      -EINVAL, -EINVAL, -EINVAL, OK,      -EBUSY,  -EBUSY,  -EBUSY},
	[S_DESTROYED] = {OK,     -ENOENT, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EBUSY,  -EINVAL},
	[S_RESETTING] = {-EBUSY, -EBUSY,  -EINVAL, -EINVAL, -EINVAL, -EINVAL, -EBUSY,  -EBUSY,  -EINVAL},
};

/* Nothing of the slot's last run is left: no vCPU, memory, mapping, table
 * page, request page, handler; its vCPUs stopped and given back. */
static void assert_slot_free(struct vm *vm)
{
	assert_int_equal(vm_get_state(vm), VM_EMPTY);
	assert_int_equal(vm->vcpu_count, 0);
	assert_int_equal(vm->mem.mapped_bytes, 0);
	assert_int_equal(vm->mem.regions, 0);
	assert_false(vm->arch.live);
	assert_int_equal(vm->arch.inits, vm->arch.teardowns);
	assert_null(vm->arch.s2.root);
	assert_int_equal(vm->arch.s2_pool.used, 0);
	assert_int_equal(fake_s2_mapped(vm, RAM_BASE, vm->cfg->max_memory), 0);
	assert_null(vm->io.slots);
	assert_int_equal(vm->io.table.count, 0);
	for (unsigned i = 0; i < vm->cfg->vcpu_count; i++) {
		const struct vcpu *v = V(vm, i);

		assert_false(v->arch.loaded);
		assert_ptr_not_equal(v->pcpu->loaded, v);
		assert_false(sched_is_runnable(v));
		assert_true(sched_blocked(v) & VCPU_BLOCK_STOPPED);
	}
}

/* What an allowed call did. */
static void check_allowed(enum call c, const struct fake_vm_snap *was)
{
	switch (c) {
	case C_CREATE:
		assert_int_equal(vm_get_state(uvm), VM_CREATED);
		assert_int_equal(uvm->vcpu_count, 2);
		assert_true(uvm->arch.live);
		assert_int_equal(uvm->mem.mapped_bytes, 0);
		assert_int_equal(fake_s2_mapped(uvm, RAM_BASE, UVM_MAX), 0);
		assert_int_equal(V(uvm, 0)->boot_pc, 0);
		assert_null(uvm->io.slots);
		break;
	case C_DESTROY:
		assert_slot_free(uvm);
		/* Its vCPUs' contexts were put on their own pCPUs (the fake
		 * checks), before the stage 2 went. */
		if (was->vcpu[0].loaded)
			assert_true(has_trace(FT_PUT | FT_VM,
					      "put 2.0 vm_teardown 2"));
		break;
	case C_START:
		assert_int_equal(vm_get_state(uvm), VM_RUNNING);
		assert_true(sched_is_runnable(V(uvm, 0)));
		assert_false(sched_is_runnable(V(uvm, 1)));
		assert_true(fake_step(V(uvm, 0)));
		assert_int_equal(V(uvm, 0)->arch.pc, was->vcpu[0].boot_pc);
		assert_memory_equal(V(uvm, 0)->arch.x, was->vcpu[0].boot_arg,
				    sizeof(was->vcpu[0].boot_arg));
		break;
	case C_PAUSE:
		assert_int_equal(vm_get_state(uvm), VM_PAUSED);
		for (unsigned i = 0; i < 2; i++)
			assert_false(fake_step(V(uvm, i)));
		break;
	case C_RESUME:
		assert_int_equal(vm_get_state(uvm), VM_RUNNING);
		assert_true(fake_step(V(uvm, 0)));
		break;
	case C_RESET:
		/* Created again, vCPUs off and stopped, set-up registers gone;
		 * memory and request pages kept. */
		assert_int_equal(vm_get_state(uvm), VM_CREATED);
		assert_int_equal(uvm->arch.resets, was->resets + 1);
		for (unsigned i = 0; i < 2; i++) {
			assert_int_equal(vcpu_power_state(V(uvm, i)), VCPU_POWER_OFF);
			assert_false(V(uvm, i)->arch.loaded);
			assert_false(fake_step(V(uvm, i)));
			assert_int_equal(V(uvm, i)->boot_pc, 0);
		}
		assert_int_equal(uvm->mem.mapped_bytes, was->mapped_bytes);
		assert_int_equal(uvm->arch.s2_pool.used, was->s2_used);
		assert_int_equal(xlate(uvm, RAM_BASE, NULL), sos_hpa(BACK_GPA));
		assert_ptr_equal(uvm->io.slots, was->slots);
		break;
	case C_REGS:
		assert_int_equal(V(uvm, 0)->boot_pc, NEW_PC);
		assert_int_equal(V(uvm, 0)->boot_arg[3], 8);
		break;
	case C_MAP:
		assert_int_equal(uvm->mem.mapped_bytes, was->mapped_bytes + PAGE);
		assert_int_equal(xlate(uvm, NEW_GPA, NULL),
				 sos_hpa(BACK_GPA + 0x100000));
		break;
	case C_PAGES:
		assert_ptr_equal(uvm->io.slots, sos_ptr(REQ2_GPA, PAGE));
		break;
	default:
		fail();
	}
}

static void check_cell(enum st s, enum call c)
{
	struct fake_vm_snap was;
	int ret;

	fake_vm_snap(&was, uvm);
	fake_trace_clear();
	ret = do_call(c);
	if (ret != expect[s][c])
		fail_msg("%s of a %s VM: %d, expected %d", call_name[c], st_name[s],
			 ret, expect[s][c]);
	if (ret == 0) {
		check_allowed(c, &was);
		return;
	}
	/* Refused: nothing changed, nothing was done to its vCPUs. */
	fake_vm_assert_same(&was, uvm);
	if (*fake_trace(FT_ALL))
		fail_msg("%s of a %s VM did: %s", call_name[c], st_name[s],
			 fake_trace(FT_ALL));
}

static void test_every_call_from_every_state(void **state)
{
	for (unsigned s = 0; s < S_RESETTING; s++)
		for (unsigned c = 0; c < NR_CALLS; c++) {
			setup(state);
			to_state(s);
			check_cell(s, c);
			fake_check_clean();
		}
}

/*
 * RESETTING: while a pause, a destroy or a reset waits for the VM's vCPUs to
 * stop (on pCPU 2, as its kick arrives), another Service-VM vCPU's call
 * comes in.
 * It is refused, changes nothing, and the first call ends as it would have.
 */
static enum call racing_call;
static unsigned races;

static void race_on_kick(void *ctx)
{
	(void)ctx;
	assert_int_equal(vm_get_state(uvm), VM_RESETTING);
	check_cell(S_RESETTING, racing_call);
	races++;
}

static void test_every_call_while_resetting(void **state)
{
	for (unsigned c = 0; c < NR_CALLS; c++) {
		races = 0;
		/* During a pause. */
		setup(state);
		to_running();
		racing_call = c;
		fake_on_kick(p[2], race_on_kick, NULL);
		assert_int_equal(vm_pause(uvm), 0);
		assert_int_equal(vm_get_state(uvm), VM_PAUSED);
		assert_false(fake_step(V(uvm, 0)));
		/* During a destroy. */
		setup(state);
		to_running();
		fake_on_kick(p[2], race_on_kick, NULL);
		assert_int_equal(vm_destroy(uvm), 0);
		assert_slot_free(uvm);
		/* During a reset by the device model. */
		setup(state);
		to_running();
		fake_on_kick(p[2], race_on_kick, NULL);
		assert_int_equal(vm_reset_by_dm(uvm), 0);
		assert_int_equal(vm_get_state(uvm), VM_CREATED);
		assert_int_equal(races, 3);
		fake_check_clean();
	}
}

/* Only post-launched slots have a run-time life: a static VM is refused
 * everything, and left alone. */
static void test_static_vms_are_refused(void **state)
{
	static const uint64_t x[4];
	struct tessera_mem_region r = R(RAM_BASE, BACK_GPA, PAGE, RW);
	struct vm *statics[] = {sos, rt};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(statics); i++) {
		struct vm *vm = statics[i];
		struct fake_vm_snap was;

		fake_vm_snap(&was, vm);
		assert_int_equal(vm_create(vm->id, 1, 0), -EPERM);
		assert_int_equal(vm_destroy(vm), -EPERM);
		assert_int_equal(vm_start(vm), -EPERM);
		assert_int_equal(vm_pause(vm), -EPERM);
		assert_int_equal(vm_resume(vm), -EPERM);
		assert_int_equal(vm_reset_by_dm(vm), -EPERM);
		assert_int_equal(vm_set_vcpu_regs(vm, 0, 0, x), -EPERM);
		assert_int_equal(vm_map_memory(vm, sos, &r, 1), -EPERM);
		assert_int_equal(vm_set_request_pages(vm, sos, REQ_GPA, 1), -EPERM);
		fake_vm_assert_same(&was, vm);
		assert_int_equal(vm_get_state(vm), VM_RUNNING);
	}
	assert_int_equal(vm_create(vm_count(), 1, 0), -ENOENT);
	assert_string_equal(fake_trace(FT_ALL), "");
}

static void test_create_arguments(void **state)
{
	struct fake_vm_snap was;

	(void)state;
	fake_vm_snap(&was, uvm);
	assert_int_equal(vm_create(UVM, 0, 0), -EINVAL);
	assert_int_equal(vm_create(UVM, 3, 0), -EINVAL); /* the slot has 2 */
	assert_int_equal(vm_create(UVM, 1, TESSERA_IO_COMPLETION_POLLING + 1),
			 -EINVAL);
	fake_vm_assert_same(&was, uvm);
	assert_string_equal(fake_trace(FT_ALL), "");
	/* Fewer vCPUs than the slot has, polling. */
	assert_int_equal(vm_create(UVM, 1, TESSERA_IO_COMPLETION_POLLING), 0);
	assert_int_equal(uvm->vcpu_count, 1);
	assert_int_equal(uvm->completion_mode, TESSERA_IO_COMPLETION_POLLING);
	assert_string_equal(fake_trace(FT_VM | FT_INIT), "init 2.0 vm_init 2");
	assert_int_equal(uvm->arch.s2_pool.used, 1); /* the root */
}

/*
 * A create whose set-up fails (the interrupt controller cannot be set up,
 * after the stage 2 was built) gives everything back, and the slot is as
 * free as one never created: same answers to every call.
 */
static void test_failed_create_leaves_a_free_slot(void **state)
{
	int never[NR_CALLS];

	for (unsigned c = 0; c < NR_CALLS; c++) {
		setup(state);
		never[c] = do_call(c);
	}
	for (unsigned c = 0; c < NR_CALLS; c++) {
		int ret;

		setup(state);
		fake_vm_init_fails(UVM, -ENOSPC); /* no table page: -ENOMEM */
		assert_int_equal(vm_create(UVM, 2, 0), -ENOMEM);
		assert_slot_free(uvm);
		assert_string_equal(fake_trace(FT_VM),
				    "vm_init 2 vm_teardown 2");
		fake_vm_init_fails(UVM, 0);
		fake_trace_clear();
		ret = do_call(c); /* create: it can be created now */
		if (ret != never[c])
			fail_msg("%s after a failed create: %d, on a slot never "
				 "created: %d", call_name[c], ret, never[c]);
		if (c == C_CREATE)
			assert_int_equal(uvm->arch.s2_pool.used, 1);
		else
			assert_string_equal(fake_trace(FT_ALL), "");
	}
	/* Other errors come back as they are. */
	setup(state);
	fake_vm_init_fails(UVM, -EINVAL);
	assert_int_equal(vm_create(UVM, 1, 0), -EINVAL);
	assert_slot_free(uvm);
}

/* ---- 1,000 lives ---- */

/* Bits of the last run that must not be seen by the next. */
static void one_life(unsigned n)
{
	struct tessera_mem_region r[3] = {
		R(RAM_BASE, BACK_GPA, SZ_2M, RWX), /* a block */
		R(RAM_BASE + SZ_2M, BACK_GPA + SZ_2M, PAGE, RW),
		R(RAM_BASE + 0x800000, SOS_R1, 2 * PAGE, RW),
	};
	struct tessera_vcpu_regs *regs = sos_ptr(ARG_GPA, sizeof(*regs));
	struct tessera_vm_create *c = sos_ptr(ARG_GPA + 0x100, sizeof(*c));

	*c = (struct tessera_vm_create){.name = "uvm", .vcpu_count = 2};
	assert_int_equal(hc(sos, TESSERA_HC_VM_CREATE, ARG_GPA + 0x100, 0, 0), UVM);
	assert_int_equal(hc(sos, TESSERA_HC_SET_REQUEST_PAGES, UVM, REQ_GPA, 1), 0);
	assert_int_equal(map_n(uvm, r, 3), 0);
	*regs = (struct tessera_vcpu_regs){.pc = RAM_BASE + 4 * n % SZ_2M,
					   .x = {n}};
	assert_int_equal(hc(sos, TESSERA_HC_SET_VCPU_REGS, UVM, 0, ARG_GPA), 0);
	assert_int_equal(hc(sos, TESSERA_HC_SET_IRQ_LINE, UVM, 48,
			    TESSERA_IRQ_RAISE), 0);
	if (n % 4) {
		/* Started and run; every 8th leaves a forwarded access
		 * waiting for its device model. */
		struct io_access a = {.space = IO_SPACE_MMIO, .size = 4,
				      .reg = 1, .addr = 0x0a000000};

		assert_int_equal(hc(sos, TESSERA_HC_VM_START, UVM, 0, 0), 0);
		assert_true(fake_step(V(uvm, 0)));
		assert_int_equal(V(uvm, 0)->arch.pc, regs->pc);
		assert_int_equal(V(uvm, 0)->arch.x[0], n);
		if (n % 8 == 1) {
			fake_set_current(p[2]);
			vcpu_data_access(V(uvm, 0), &a);
			fake_set_current(p[0]);
			assert_true(fake_step(V(uvm, 0)));
			assert_int_equal(sched_blocked(V(uvm, 0)), VCPU_BLOCK_IO);
		}
		if (n % 16 == 3)
			assert_int_equal(hc(sos, TESSERA_HC_VM_PAUSE, UVM, 0, 0), 0);
	}
	assert_int_equal(hc(sos, TESSERA_HC_VM_DESTROY, UVM, 0, 0), 0);
	assert_slot_free(uvm);
	fake_trace_clear();
}

static void test_create_destroy_1000_times_leaks_nothing(void **state)
{
	struct fake_vm_snap uvm2_was;
	unsigned rq[ARRAY_SIZE(p)];
	struct tessera_vm_info *info = sos_ptr(ARG_GPA + 0x200, sizeof(*info));

	(void)state;
	/* The other run-time slot, with a life of its own meanwhile. */
	assert_int_equal(vm_create(UVM2, 1, 0), 0);
	assert_int_equal(map1(uvm2, RAM_BASE, BACK_GPA + 0x1000000, SZ_2M, RW), 0);
	fake_vm_snap(&uvm2_was, uvm2);
	for (unsigned i = 0; i < ARRAY_SIZE(p); i++)
		rq[i] = p[i]->sched.nr;
	for (unsigned n = 0; n < 1000; n++) {
		one_life(n);
		if (n % 100 == 50) {
			/* A create that fails in the middle, now and then. */
			fake_vm_init_fails(UVM, -ENOSPC);
			assert_int_equal(vm_create(UVM, 2, 0), -ENOMEM);
			fake_vm_init_fails(UVM, 0);
			assert_slot_free(uvm);
		}
	}
	/* Set up, destroyed and torn down exactly once per successful create
	 * (and the failed ones torn down too). */
	assert_int_equal(uvm->arch.inits, 1000 + 10);
	assert_int_equal(uvm->arch.teardowns, 1000 + 10);
	/* vCPUs attached once, for good: no run queue grew. */
	for (unsigned i = 0; i < ARRAY_SIZE(p); i++)
		assert_int_equal(p[i]->sched.nr, rq[i]);
	fake_vm_assert_same(&uvm2_was, uvm2);
	/* The 1,001st works, and is fresh. */
	one_life(1000);
	assert_int_equal(vm_create(UVM, 2, 0), 0);
	assert_int_equal(uvm->arch.s2_pool.used, 1);
	assert_int_equal(hc(sos, TESSERA_HC_VM_INFO, UVM, ARG_GPA + 0x200, 0), 0);
	assert_int_equal(info->state, TESSERA_VM_STATE_CREATED);
	assert_int_equal(info->mapped_bytes, 0);
	assert_int_equal(vm_set_request_pages(uvm, sos, REQ_GPA, 1), 0);
	assert_int_equal(map1(uvm, RAM_BASE, BACK_GPA, UVM_MAX / 64, RWX), 0);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(V(uvm, i)->boot_pc, 0);
	assert_int_equal(uvm2->arch.s2_pool.used, uvm2_was.s2_used);
}

/* ---- memory ---- */

static void test_map_builds_the_translation(void **state)
{
	uint32_t f;

	(void)state;
	assert_int_equal(vm_create(UVM, 2, 0), 0);
	/* Read-only, read-write, executable; a 2 MiB block; the last page of
	 * the window; one from R1 (elsewhere in RAM than its gpa). */
	assert_int_equal(map1(uvm, RAM_BASE, BACK_GPA, PAGE, TESSERA_MEM_READ), 0);
	assert_int_equal(map1(uvm, RAM_BASE + PAGE, BACK_GPA + PAGE, PAGE, RW), 0);
	assert_int_equal(map1(uvm, RAM_BASE + 2 * PAGE, BACK_GPA + 5 * PAGE, PAGE,
			      RWX), 0);
	assert_int_equal(map1(uvm, RAM_BASE + SZ_2M, BACK_GPA + SZ_2M, SZ_2M, RW), 0);
	assert_int_equal(map1(uvm, RAM_BASE + UVM_MAX - PAGE, BACK_GPA, PAGE, RW), 0);
	assert_int_equal(map1(uvm, RAM_BASE + 0x800000, SOS_R1 + PAGE, 2 * PAGE, RW),
			 0);
	assert_int_equal(xlate(uvm, RAM_BASE, &f), sos_hpa(BACK_GPA));
	assert_int_equal(f, TESSERA_MEM_READ);
	assert_int_equal(xlate(uvm, RAM_BASE + PAGE, &f), sos_hpa(BACK_GPA + PAGE));
	assert_int_equal(f, RW);
	assert_int_equal(xlate(uvm, RAM_BASE + 2 * PAGE, &f),
			 sos_hpa(BACK_GPA + 5 * PAGE));
	assert_int_equal(f, RWX);
	assert_int_equal(xlate(uvm, RAM_BASE + SZ_2M + 0x123000, NULL),
			 sos_hpa(BACK_GPA + SZ_2M + 0x123000));
	assert_int_equal(xlate(uvm, RAM_BASE + UVM_MAX - PAGE, NULL),
			 sos_hpa(BACK_GPA));
	/* The Service VM's host-physical page, not what its guest-physical
	 * address is in host-physical terms (rt's RAM). */
	assert_int_equal(xlate(uvm, RAM_BASE + 0x800000 + PAGE, NULL),
			 SOS_R1_HPA + 2 * PAGE);
	assert_int_equal(xlate(uvm, RAM_BASE + 3 * PAGE, NULL), 0);
	assert_int_equal(uvm->mem.mapped_bytes, 5 * PAGE + SZ_2M + PAGE);
	assert_int_equal(uvm->mem.regions, 6);
	assert_int_equal(fake_s2_mapped(uvm, RAM_BASE, UVM_MAX),
			 uvm->mem.mapped_bytes);
	/* The guest runs on it: its vCPU 0 enters at an address it has. */
	assert_int_equal(vm_set_vcpu_regs(uvm, 0, RAM_BASE + 2 * PAGE, regs_x), 0);
	assert_int_equal(vm_start(uvm), 0);
}

/* One region the checks refuse, and why. */
struct bad_region {
	struct tessera_mem_region r;
	int err;
	const char *what;
};

/* Mapped before the bad batches: a page run and a 2 MiB block. */
#define OLD_PAGES (RAM_BASE + 0x100000)
#define OLD_BLOCK (RAM_BASE + 0x400000)

static const struct bad_region bad_regions[] = {
	/* Alignment, size, flags, reserved. */
	{{RAM_BASE + 0x800, BACK_GPA, PAGE, RW, 0}, -EINVAL, "unaligned vm_gpa"},
	{{RAM_BASE, BACK_GPA + 8, PAGE, RW, 0}, -EINVAL, "unaligned sos_gpa"},
	{{RAM_BASE, BACK_GPA, 0x1800, RW, 0}, -EINVAL, "size not in pages"},
	{{RAM_BASE, BACK_GPA, 0, RW, 0}, -EINVAL, "size 0"},
	{{RAM_BASE, BACK_GPA, PAGE, 0, 0}, -EINVAL, "no permission"},
	{{RAM_BASE, BACK_GPA, PAGE, TESSERA_MEM_WRITE, 0}, -EINVAL, "write only"},
	{{RAM_BASE, BACK_GPA, PAGE, TESSERA_MEM_EXEC, 0}, -EINVAL, "exec only"},
	{{RAM_BASE, BACK_GPA, PAGE, RW | (1u << 3), 0}, -EINVAL, "unknown flag"},
	{{RAM_BASE, BACK_GPA, PAGE, RW, 1}, -EINVAL, "reserved set"},
	/* The User VM's window [RAM_BASE, + max_memory). */
	{{RAM_BASE - PAGE, BACK_GPA, PAGE, RW, 0}, -EINVAL, "below the window"},
	{{RAM_BASE - PAGE, BACK_GPA, 2 * PAGE, RW, 0}, -EINVAL,
	 "straddling the window's start"},
	{{RAM_BASE + UVM_MAX - PAGE, BACK_GPA, 2 * PAGE, RW, 0}, -EINVAL,
	 "straddling the window's end"},
	{{RAM_BASE + UVM_MAX, BACK_GPA, PAGE, RW, 0}, -EINVAL, "past the window"},
	{{RAM_BASE, BACK_GPA, UVM_MAX + PAGE, RW, 0}, -EINVAL,
	 "larger than the window"},
	{{0, BACK_GPA, PAGE, RW, 0}, -EINVAL, "gpa 0"},
	{{~0ull & ~(PAGE - 1), BACK_GPA, 2 * PAGE, RW, 0}, -EINVAL,
	 "gpa + size wraps"},
	{{RAM_BASE + PAGE, BACK_GPA, 0ull - RAM_BASE, RW, 0}, -EINVAL,
	 "a size that wraps gpa + size into the window"},
	{{RAM_BASE, BACK_GPA, ~0ull & ~(PAGE - 1), RW, 0}, -EINVAL,
	 "a huge size"},
	/* Only the Service VM's own RAM. */
	{{RAM_BASE, HV_BASE, PAGE, RW, 0}, -EFAULT, "the hypervisor's memory"},
	{{RAM_BASE, HV_BASE + HV_SIZE - PAGE, 2 * PAGE, RW, 0}, -EFAULT,
	 "the hypervisor's last page and the Service VM's first"},
	{{RAM_BASE, RT_RAM + 0x800000, PAGE, RW, 0}, -EFAULT, "rt's RAM"},
	{{RAM_BASE, SOS_R1_HPA, PAGE, RW, 0}, -EFAULT,
	 "R1's host-physical address (not the Service VM's guest-physical)"},
	{{RAM_BASE, 0x09000000, PAGE, RW, 0}, -EFAULT, "device space"},
	{{RAM_BASE, RAM_BASE + RAM_SIZE, PAGE, RW, 0}, -EFAULT, "beyond RAM"},
	{{RAM_BASE, 0, PAGE, RW, 0}, -EFAULT, "address 0"},
	{{RAM_BASE, SOS_R0 + SOS_R0_SIZE - PAGE, 2 * PAGE, RW, 0}, -EFAULT,
	 "across R0's end (R1 follows in gpa, not in host memory)"},
	{{RAM_BASE, SOS_R1 + SOS_R1_SIZE - PAGE, 2 * PAGE, RW, 0}, -EFAULT,
	 "across the end of the Service VM's RAM"},
	{{RAM_BASE, SOS_R0, SOS_R0_SIZE + PAGE, RW, 0}, -EFAULT,
	 "larger than its region"},
	{{RAM_BASE, ~0ull & ~(PAGE - 1), 2 * PAGE, RW, 0}, -EFAULT,
	 "sos_gpa + size wraps"},
	/* Not mapped already (by an earlier batch). */
	{{OLD_PAGES, BACK_GPA, PAGE, RW, 0}, -EEXIST, "the same page again"},
	{{OLD_PAGES + PAGE, BACK_GPA, PAGE, RW, 0}, -EEXIST, "a page inside"},
	{{OLD_PAGES - PAGE, BACK_GPA, 2 * PAGE, RW, 0}, -EEXIST,
	 "overlapping its start"},
	{{OLD_PAGES + 3 * PAGE, BACK_GPA, 2 * PAGE, RW, 0}, -EEXIST,
	 "overlapping its end"},
	{{OLD_PAGES - PAGE, BACK_GPA, 6 * PAGE, RW, 0}, -EEXIST, "around it"},
	{{OLD_BLOCK + 0x1ff000, BACK_GPA, PAGE, RW, 0}, -EEXIST,
	 "a page inside a 2 MiB block"},
	{{OLD_BLOCK - SZ_2M, BACK_GPA, 2 * SZ_2M, RW, 0}, -EEXIST,
	 "two blocks, one of them mapped"},
};

/* Distinct good regions, away from every address above. */
static struct tessera_mem_region good(unsigned i)
{
	return R(RAM_BASE + 0x1000000 + i * PAGE, BACK_GPA + i * PAGE, PAGE, RW);
}

static void map_old(void)
{
	assert_int_equal(vm_create(UVM, 2, 0), 0);
	assert_int_equal(map1(uvm, OLD_PAGES, BACK_GPA, 4 * PAGE, RW), 0);
	assert_int_equal(map1(uvm, OLD_BLOCK, BACK_GPA, SZ_2M, RW), 0);
	assert_int_equal(xlate(uvm, OLD_BLOCK + 0x1ff000, NULL) - 0x1ff000,
			 sos_hpa(BACK_GPA));
}

/* The batch is refused with err, and the stage 2 (tables, pool, counts) is
 * exactly as before: nothing of it was mapped. */
static void refused(const struct tessera_mem_region *r, unsigned n, int err,
		    const char *what, unsigned pos)
{
	struct fake_vm_snap was;
	int64_t ret;

	fake_vm_snap(&was, uvm);
	fake_trace_clear();
	ret = map_n(uvm, r, n);
	if (ret != err)
		fail_msg("%s (entry %u of %u): %lld, expected %d", what, pos, n,
			 (long long)ret, err);
	fake_vm_assert_same(&was, uvm);
	if (has_trace(FT_VM, "map "))
		fail_msg("%s (entry %u of %u): mapped %s", what, pos, n,
			 fake_trace(FT_VM));
}

static void test_map_refuses_each_bad_region_all_or_nothing(void **state)
{
	struct tessera_mem_region b[5];

	(void)state;
	map_old();
	for (unsigned i = 0; i < ARRAY_SIZE(bad_regions); i++) {
		const struct bad_region *bad = &bad_regions[i];

		/* Alone, first, in the middle, last of 5. */
		refused(&bad->r, 1, bad->err, bad->what, 0);
		for (unsigned pos = 0; pos < 5; pos += 2) {
			for (unsigned k = 0; k < 5; k++)
				b[k] = good(k);
			b[pos] = bad->r;
			refused(b, 5, bad->err, bad->what, pos);
		}
	}
	/* The good ones alone are fine: the refusals were the bad entry's. */
	for (unsigned k = 0; k < 5; k++)
		b[k] = good(k);
	assert_int_equal(map_n(uvm, b, 5), 0);
	assert_int_equal(fake_s2_mapped(uvm, good(0).vm_gpa, 5 * PAGE), 5 * PAGE);
}

static void test_map_overlaps_inside_a_batch(void **state)
{
	struct tessera_mem_region b[4];

	(void)state;
	assert_int_equal(vm_create(UVM, 2, 0), 0);
	/* The same region twice; one inside another; overlapping ends; the
	 * overlap last of four. */
	b[0] = R(RAM_BASE, BACK_GPA, 2 * PAGE, RW);
	b[1] = b[0];
	refused(b, 2, -EEXIST, "the same region twice", 1);
	b[1] = R(RAM_BASE + PAGE, BACK_GPA, PAGE, RW);
	refused(b, 2, -EEXIST, "a page inside the first", 1);
	b[1] = R(RAM_BASE - 0, BACK_GPA, 4 * PAGE, RW);
	refused(b, 2, -EEXIST, "around the first", 1);
	b[1] = R(RAM_BASE + PAGE, BACK_GPA, 4 * PAGE, RW);
	refused(b, 2, -EEXIST, "across the first's end", 1);
	b[0] = R(RAM_BASE + SZ_2M, BACK_GPA + SZ_2M, SZ_2M, RW); /* a block */
	b[1] = R(RAM_BASE, BACK_GPA, PAGE, RW);
	b[2] = R(RAM_BASE + 8 * PAGE, BACK_GPA, PAGE, RW);
	b[3] = R(RAM_BASE + SZ_2M + 0x100000, BACK_GPA, PAGE, RW);
	refused(b, 4, -EEXIST, "a page inside an earlier block", 3);
	/* Adjacent regions do not overlap; the same Service-VM page may back
	 * several. */
	b[3] = R(RAM_BASE + SZ_2M - PAGE, BACK_GPA, PAGE, RW);
	assert_int_equal(map_n(uvm, b, 4), 0);
	assert_int_equal(uvm->mem.regions, 4);
	assert_int_equal(fake_s2_mapped(uvm, RAM_BASE, UVM_MAX), SZ_2M + 3 * PAGE);
}

/* Batch sizes: 1..TESSERA_MEM_REGIONS_MAX, and the list wholly in the
 * Service VM's RAM. */
static void test_map_batch_limits(void **state)
{
	struct tessera_mem_region b[TESSERA_MEM_REGIONS_MAX];
	struct fake_vm_snap was;
	static const uint64_t counts[] = {
		0, TESSERA_MEM_REGIONS_MAX + 1, 1ull << 32, (1ull << 32) | 1,
		~0ull, ~0ull / sizeof(struct tessera_mem_region) + 1};

	(void)state;
	assert_int_equal(vm_create(UVM, 2, 0), 0);
	for (unsigned k = 0; k < ARRAY_SIZE(b); k++)
		b[k] = good(k);
	memcpy(sos_ptr(LIST_GPA, PAGE), b, sizeof(b));
	fake_vm_snap(&was, uvm);
	for (unsigned i = 0; i < ARRAY_SIZE(counts); i++)
		assert_int_equal(hc(sos, TESSERA_HC_SET_MEMORY_REGIONS, UVM,
				    LIST_GPA, counts[i]), -EINVAL);
	/* A list that leaves the Service VM's RAM, or is not in it. */
	assert_int_equal(hc(sos, TESSERA_HC_SET_MEMORY_REGIONS, UVM,
			    SOS_R1 + SOS_R1_SIZE - 2 * sizeof(b[0]), 3), -EFAULT);
	assert_int_equal(hc(sos, TESSERA_HC_SET_MEMORY_REGIONS, UVM, HV_BASE, 1),
			 -EFAULT);
	fake_vm_assert_same(&was, uvm);
	/* 128 at once. */
	assert_int_equal(hc(sos, TESSERA_HC_SET_MEMORY_REGIONS, UVM, LIST_GPA,
			    TESSERA_MEM_REGIONS_MAX), 0);
	assert_int_equal(uvm->mem.regions, TESSERA_MEM_REGIONS_MAX);
	assert_int_equal(fake_s2_mapped(uvm, RAM_BASE, UVM_MAX),
			 TESSERA_MEM_REGIONS_MAX * PAGE);
}

/*
 * The mappings of a batch cannot fail once its checks passed: the table pool
 * the config tool sizes holds max_memory mapped page by page. The whole
 * window, one page per region (no blocks: the most tables), then nothing
 * more fits.
 */
static void test_map_the_whole_window_page_by_page(void **state)
{
	struct tessera_mem_region b[TESSERA_MEM_REGIONS_MAX];
	uint64_t gpa = RAM_BASE;

	(void)state;
	assert_int_equal(vm_create(UVM, 2, 0), 0);
	while (gpa < RAM_BASE + UVM_MAX) {
		for (unsigned k = 0; k < ARRAY_SIZE(b); k++, gpa += PAGE)
			b[k] = R(gpa, BACK_GPA + (gpa - RAM_BASE) % BACK_SIZE,
				 PAGE, RW);
		assert_int_equal(map_n(uvm, b, ARRAY_SIZE(b)), 0);
		fake_trace_clear();
	}
	assert_int_equal(uvm->mem.mapped_bytes, UVM_MAX);
	assert_int_equal(fake_s2_mapped(uvm, RAM_BASE, UVM_MAX), UVM_MAX);
	assert_true(uvm->arch.s2_pool.used <= uvm->cfg->pt_pages);
	assert_int_equal(xlate(uvm, RAM_BASE + UVM_MAX - PAGE, NULL),
			 sos_hpa(BACK_GPA + (UVM_MAX - PAGE) % BACK_SIZE));
	refused(&b[0], 1, -EEXIST, "a page of a full window", 0);
	b[0] = R(RAM_BASE + UVM_MAX, BACK_GPA, PAGE, RW);
	refused(&b[0], 1, -EINVAL, "past a full window", 0);
	assert_int_equal(vm_destroy(uvm), 0);
	assert_slot_free(uvm);
}

/* Destroy takes every mapping away, with the tables, from whatever state;
 * the next run starts with none and may map the same addresses. */
static void test_destroy_unmaps_everything(void **state)
{
	static const enum st from[] = {S_CREATED, S_RUNNING, S_PAUSED, S_OFF,
				       S_CRASHED, S_RESET_REQ};

	for (unsigned i = 0; i < ARRAY_SIZE(from); i++) {
		setup(state);
		to_state(from[i]);
		if (from[i] == S_CREATED) {
			assert_int_equal(map1(uvm, OLD_BLOCK, BACK_GPA, SZ_2M, RW), 0);
			assert_int_equal(map1(uvm, RAM_BASE + UVM_MAX - PAGE, SOS_R1,
					      PAGE, RW), 0);
		}
		assert_true(uvm->mem.mapped_bytes > 0);
		assert_int_equal(fake_s2_mapped(uvm, RAM_BASE, UVM_MAX),
				 uvm->mem.mapped_bytes);
		assert_int_equal(vm_destroy(uvm), 0);
		assert_slot_free(uvm);
		/* Torn down last: after every vCPU was stopped and put. */
		assert_true(has_trace(FT_VM, "vm_teardown 2"));
		assert_string_equal(strstr(fake_trace(FT_CONTEXT | FT_VM),
					   "vm_teardown"), "vm_teardown 2");
		/* The next run: nothing mapped, the same page maps again. */
		assert_int_equal(vm_create(UVM, 2, 0), 0);
		assert_int_equal(fake_s2_mapped(uvm, RAM_BASE, UVM_MAX), 0);
		assert_int_equal(xlate(uvm, RAM_BASE, NULL), 0);
		assert_int_equal(map1(uvm, RAM_BASE, BACK_GPA + PAGE, PAGE, RW), 0);
		assert_int_equal(xlate(uvm, RAM_BASE, NULL), sos_hpa(BACK_GPA + PAGE));
		/* The start check sees only this run's memory (the last run
		 * had [RAM_BASE, +1 MiB)). */
		assert_int_equal(vm_set_vcpu_regs(uvm, 0, RAM_BASE + 0x80000,
						  regs_x), 0);
		assert_int_equal(vm_start(uvm), -EINVAL);
		fake_check_clean();
	}
}

/* The Service VM powers off, crashes or restarts: the User VMs made of
 * its memory are destroyed with it, whatever their state; a partition
 * stopping takes none. */
static void test_service_vm_takes_its_user_vms(void **state)
{
	static const enum st from[] = {S_CREATED, S_RUNNING, S_PAUSED, S_OFF,
				       S_CRASHED, S_RESET_REQ};

	for (unsigned i = 0; i < 3 * ARRAY_SIZE(from); i++) {
		struct fake_vm_snap was;

		setup(state);
		to_state(from[i % ARRAY_SIZE(from)]);
		assert_int_equal(vm_create(UVM2, 1, 0), 0);
		fake_vm_snap(&was, uvm);
		vm_power_off(rt, "test");
		fake_vm_assert_same(&was, uvm);
		host_log_reset();
		switch (i / ARRAY_SIZE(from)) {
		case 0:
			vm_power_off(sos, "test");
			break;
		case 1:
			vm_crash(sos, "test");
			break;
		default:
			vm_reset(sos, "test");
			assert_int_equal(vm_get_state(sos), VM_RUNNING);
			break;
		}
		assert_slot_free(uvm);
		assert_slot_free(uvm2);
		assert_int_equal(host_log_count("vm uvm: destroyed with vm sos"), 1);
		assert_int_equal(host_log_count("vm uvm2: destroyed with vm sos"), 1);
		fake_check_clean();
	}
}

/* ---- vCPU registers and the entry point ---- */

static void test_vcpu_regs(void **state)
{
	static const uint64_t x[4] = {1, 2, 3, 4};
	struct fake_vm_snap was;

	(void)state;
	/* A free slot has no vCPU. */
	assert_int_equal(vm_set_vcpu_regs(uvm, 0, RAM_BASE, x), -EINVAL);
	/* 1 of the slot's 2 vCPUs created: vCPU 1 does not exist. */
	assert_int_equal(vm_create(UVM, 1, 0), 0);
	assert_int_equal(map1(uvm, RAM_BASE, BACK_GPA, 2 * PAGE, RWX), 0);
	fake_vm_snap(&was, uvm);
	assert_int_equal(vm_set_vcpu_regs(uvm, 1, RAM_BASE, x), -EINVAL);
	assert_int_equal(vm_set_vcpu_regs(uvm, 2, RAM_BASE, x), -EINVAL);
	assert_int_equal(vm_set_vcpu_regs(uvm, CONFIG_MAX_VCPUS_PER_VM, RAM_BASE, x),
			 -EINVAL);
	assert_int_equal(vm_set_vcpu_regs(uvm, ~0u, RAM_BASE, x), -EINVAL);
	fake_vm_assert_same(&was, uvm);
	/* The entry must be in its RAM, 4 bytes of it. */
	assert_int_equal(vm_start(uvm), -EINVAL); /* pc 0 */
	assert_int_equal(vm_set_vcpu_regs(uvm, 0, RAM_BASE + 2 * PAGE, x), 0);
	assert_int_equal(vm_start(uvm), -EINVAL);
	assert_int_equal(vm_set_vcpu_regs(uvm, 0, RAM_BASE + 2 * PAGE - 2, x), 0);
	assert_int_equal(vm_start(uvm), -EINVAL);
	assert_int_equal(vm_set_vcpu_regs(uvm, 0, RAM_BASE - 4, x), 0);
	assert_int_equal(vm_start(uvm), -EINVAL);
	assert_int_equal(vm_get_state(uvm), VM_CREATED);
	/* Set twice: the last wins; it starts there with x0..x3. */
	assert_int_equal(vm_set_vcpu_regs(uvm, 0, RAM_BASE + 0x10, regs_x), 0);
	assert_int_equal(vm_set_vcpu_regs(uvm, 0, RAM_BASE + 2 * PAGE - 4, x), 0);
	assert_int_equal(vm_start(uvm), 0);
	assert_true(fake_step(V(uvm, 0)));
	assert_string_equal(fake_trace(FT_RESET), "reset 2.0@0x40001ffc");
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(V(uvm, 0)->arch.x[i], x[i]);
	/* Running, paused, stopped: not any more; after a reset, again. */
	fake_vm_snap(&was, uvm);
	assert_int_equal(vm_set_vcpu_regs(uvm, 0, RAM_BASE, regs_x), -EBUSY);
	fake_vm_assert_same(&was, uvm);
	assert_int_equal(vm_pause(uvm), 0);
	assert_int_equal(vm_set_vcpu_regs(uvm, 0, RAM_BASE, regs_x), -EBUSY);
	assert_int_equal(vm_resume(uvm), 0);
	vm_power_off(uvm, "test");
	assert_int_equal(vm_set_vcpu_regs(uvm, 0, RAM_BASE, regs_x), -EBUSY);
	assert_int_equal(vm_reset_by_dm(uvm), 0);
	assert_int_equal(V(uvm, 0)->boot_pc, 0); /* forgotten by the reset */
	assert_int_equal(vm_start(uvm), -EINVAL);
	assert_int_equal(vm_set_vcpu_regs(uvm, 0, RAM_BASE + 8, regs_x), 0);
	fake_trace_clear();
	assert_int_equal(vm_start(uvm), 0);
	assert_true(fake_step(V(uvm, 0)));
	assert_string_equal(fake_trace(FT_RESET), "reset 2.0@0x40000008");
	assert_int_equal(V(uvm, 0)->arch.x[3], regs_x[3]);
}

/* Through the hypercall: the structure's reserved words, and the vCPU id
 * as the caller passes it (64 bits). */
static void test_vcpu_regs_hypercall(void **state)
{
	struct tessera_vcpu_regs *regs = sos_ptr(ARG_GPA, sizeof(*regs));
	struct fake_vm_snap was;

	(void)state;
	assert_int_equal(vm_create(UVM, 2, 0), 0);
	fake_vm_snap(&was, uvm);
	*regs = (struct tessera_vcpu_regs){.pc = RAM_BASE, .x = {9}};
	for (unsigned i = 0; i < ARRAY_SIZE(regs->reserved); i++) {
		regs->reserved[i] = 1;
		assert_int_equal(hc(sos, TESSERA_HC_SET_VCPU_REGS, UVM, 0, ARG_GPA),
				 -EINVAL);
		regs->reserved[i] = 0;
	}
	assert_int_equal(hc(sos, TESSERA_HC_SET_VCPU_REGS, UVM, 2, ARG_GPA), -EINVAL);
	assert_int_equal(hc(sos, TESSERA_HC_SET_VCPU_REGS, UVM, 1ull << 32, ARG_GPA),
			 -EINVAL);
	assert_int_equal(hc(sos, TESSERA_HC_SET_VCPU_REGS, UVM, ~0ull, ARG_GPA),
			 -EINVAL);
	assert_int_equal(hc(sos, TESSERA_HC_SET_VCPU_REGS, UVM, 0, HV_BASE), -EFAULT);
	fake_vm_assert_same(&was, uvm);
	assert_int_equal(hc(sos, TESSERA_HC_SET_VCPU_REGS, UVM, 1, ARG_GPA), 0);
	assert_int_equal(V(uvm, 1)->boot_pc, RAM_BASE);
	assert_int_equal(V(uvm, 1)->boot_arg[0], 9);
	assert_int_equal(V(uvm, 0)->boot_pc, 0);
}

/* ---- request pages ---- */

static void test_request_pages(void **state)
{
	struct fake_vm_snap was;
	static const struct {
		uint64_t gpa, nr;
		int err;
		const char *what;
	} bad[] = {
		{REQ_GPA + 8, 1, -EINVAL, "unaligned"},
		{REQ_GPA + 0x800, 1, -EINVAL, "half a page in"},
		{REQ_GPA, 0, -EINVAL, "no page"},
		{REQ_GPA, 2, -EINVAL, "a page more than its vCPUs need"},
		{REQ_GPA, 1ull << 32 | 1, -EINVAL, "2^32 + 1 pages"},
		{REQ_GPA, ~0ull, -EINVAL, "2^64 - 1 pages"},
		{HV_BASE, 1, -EFAULT, "the hypervisor's memory"},
		{RT_RAM + 0x800000, 1, -EFAULT, "rt's RAM"},
		{SOS_R1_HPA, 1, -EFAULT, "a host-physical address"},
		{0x09000000, 1, -EFAULT, "device space"},
		{RAM_BASE + RAM_SIZE, 1, -EFAULT, "beyond RAM"},
		{~0ull & ~(PAGE - 1), 1, -EFAULT, "the top of the address space"},
	};
	struct tessera_io_slot *slots;

	(void)state;
	/* No VM in the slot: whatever the count (0 is what no vCPU needs). */
	fake_vm_snap(&was, uvm);
	for (uint64_t nr = 0; nr < 3; nr++)
		assert_int_equal(vm_set_request_pages(uvm, sos, REQ_GPA, nr), -EINVAL);
	fake_vm_assert_same(&was, uvm);
	assert_int_equal(vm_create(UVM, 2, 0), 0);
	fake_vm_snap(&was, uvm);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		int ret = vm_set_request_pages(uvm, sos, bad[i].gpa, bad[i].nr);

		if (ret != bad[i].err)
			fail_msg("%s: %d, expected %d", bad[i].what, ret, bad[i].err);
		fake_vm_assert_same(&was, uvm);
	}
	/* In R1 (not identity-mapped): the hypervisor uses the Service VM's
	 * page, wherever it is; every slot made FREE. */
	slots = sos_ptr(SOS_R1 + SOS_R1_SIZE - PAGE, PAGE);
	memset(slots, 0xee, PAGE);
	assert_int_equal(vm_set_request_pages(uvm, sos, SOS_R1 + SOS_R1_SIZE - PAGE,
					      1), 0);
	assert_ptr_equal(uvm->io.slots, slots);
	for (unsigned i = 0; i < 2; i++)
		assert_int_equal(slots[i].state, TESSERA_IO_STATE_FREE);
	/* Twice: refused, the first ones stay. */
	fake_vm_snap(&was, uvm);
	assert_int_equal(vm_set_request_pages(uvm, sos, REQ_GPA, 1), -EBUSY);
	fake_vm_assert_same(&was, uvm);
	/* Kept by a reset by the device model; gone with the VM. */
	assert_int_equal(vm_reset_by_dm(uvm), 0);
	assert_ptr_equal(uvm->io.slots, slots);
	assert_int_equal(vm_destroy(uvm), 0);
	assert_null(uvm->io.slots);
	for (uint64_t nr = 0; nr < 3; nr++)
		assert_int_equal(vm_set_request_pages(uvm, sos, REQ_GPA, nr), -EINVAL);
	assert_null(uvm->io.slots);
	/* The next run may use the same pages. */
	assert_int_equal(vm_create(UVM, 2, 0), 0);
	assert_int_equal(vm_set_request_pages(uvm, sos, SOS_R1 + SOS_R1_SIZE - PAGE,
					      1), 0);
	/* A vCPU's forwarded access lands there. */
	assert_int_equal(map1(uvm, RAM_BASE, BACK_GPA, PAGE, RWX), 0);
	assert_int_equal(vm_set_vcpu_regs(uvm, 0, RAM_BASE, regs_x), 0);
	assert_int_equal(vm_start(uvm), 0);
	assert_true(fake_step(V(uvm, 0)));
	{
		struct io_access a = {.space = IO_SPACE_MMIO, .size = 4, .reg = 1,
				      .addr = 0x0a000000};

		fake_set_current(p[2]);
		vcpu_data_access(V(uvm, 0), &a);
		fake_set_current(p[0]);
	}
	assert_int_equal(slots[0].state, TESSERA_IO_STATE_PENDING);
	assert_int_equal(slots[0].req.addr, 0x0a000000);
	/* Destroyed with the access outstanding: cancelled, pages let go. */
	assert_int_equal(vm_destroy(uvm), 0);
	assert_slot_free(uvm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
		T(test_every_call_from_every_state),
		T(test_every_call_while_resetting),
		T(test_static_vms_are_refused),
		T(test_create_arguments),
		T(test_failed_create_leaves_a_free_slot),
		T(test_create_destroy_1000_times_leaks_nothing),
		T(test_map_builds_the_translation),
		T(test_map_refuses_each_bad_region_all_or_nothing),
		T(test_map_overlaps_inside_a_batch),
		T(test_map_batch_limits),
		T(test_map_the_whole_window_page_by_page),
		T(test_destroy_unmaps_everything),
		T(test_service_vm_takes_its_user_vms),
		T(test_vcpu_regs),
		T(test_vcpu_regs_hypercall),
		T(test_request_pages),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
