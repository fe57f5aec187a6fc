/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hypercall layer (hypercall.c, doc/hypercalls.rst) through its entry
 * point, hypercall_dispatch, as arm64_handle_smccc calls it for an HVC of
 * the Service VM, of a partition and of a User VM: function ids, the
 * capability every Service-VM call needs, the checked copy of arguments in
 * the caller's memory, VM and vCPU ids, the calls' own argument checks. The
 * VM state machine behind the calls is test_vm_runtime's.
 *
 * On the fake arch layer, with real stage-2 tables for the User VMs and the
 * board's RAM at its physical addresses (so copies land in real memory).
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
#include "../../hypervisor/common/vm_internal.h"

#include "runtime_fixture.h"

#define SOS_END (SOS_R1 + SOS_R1_SIZE) /* its RAM ends here (gpa) */
#define UVM_RAM_SIZE 0x100000ull /* what the tests map: [RAM_BASE, +1 MiB) */
#define BACK_GPA (SOS_R0 + 0x200000) /* Service-VM pages backing it */
#define REQ_GPA SOS_R0               /* uvm's request page */
#define NOT_SUPPORTED (-1) /* SMCCC, returned by the arch for other ids */

enum { FREE = UVM + 1, NR_VMS };

static const struct board_config board = FIXTURE_BOARD;
/* "free" (pCPU 0, beside the Service VM) is a post-launched slot left
 * empty. */
static const struct vm_config good_vms[] = {
	FIXTURE_SOS, FIXTURE_RT, FIXTURE_UVM(VM_FLAG_ABORT_ON_UNHANDLED),
	FIXTURE_SLOT("free", 0x1, 1, 0x400000, PT_PAGES_FOR(UVM_MAX), 0,
		     VM_FLAG_IO_POLLING),
};
static const uint8_t policies[] = FIXTURE_POLICIES;
static struct vm_config cfg[NR_VMS];
static struct scenario_config sc;

static struct vm *sos, *rt, *uvm, *free_slot;
static struct pcpu *p[5];

static struct vcpu *V(struct vm *vm, unsigned i)
{
	return &vm->vcpus[i];
}

/* The host address of a static VM's [gpa, gpa + size), from the scenario;
 * for uvm, from the memory the tests give it ([RAM_BASE, +1 MiB) on
 * BACK_GPA). Not from the code under test. */
static void *mem_of(const struct vm *vm, uint64_t gpa, uint64_t size)
{
	if (vm->id == UVM) {
		if (gpa >= RAM_BASE && gpa - RAM_BASE + size <= UVM_RAM_SIZE)
			return mem_of(sos, BACK_GPA + (gpa - RAM_BASE), size);
	} else {
		for (unsigned r = 0; r < vm->cfg->mem_region_count; r++) {
			const struct mem_region_config *m = &vm->cfg->mem[r];

			if (gpa >= m->gpa && gpa - m->gpa + size <= m->size)
				return (void *)(uintptr_t)(m->hpa + (gpa - m->gpa));
		}
	}
	fail_msg("0x%llx is not vm %s's", (unsigned long long)gpa, vm_name(vm));
	return NULL;
}

/* Where each caller keeps its arguments (guest-physical, its own RAM). */
static uint64_t scratch(const struct vm *caller)
{
	return caller->id == SOS ? SOS_R0 + 0x10000
	       : caller->id == RT ? RT_RAM + 0x10000
				  : RAM_BASE + 0x10000;
}

/* The HVC of the caller's vCPU 0, on its pCPU. */
static int64_t hc(struct vm *caller, uint32_t fn, uint64_t a0, uint64_t a1,
		  uint64_t a2)
{
	const uint64_t args[HYPERCALL_ARGS] = {a0, a1, a2, 0xbad};
	struct pcpu *was = pcpu_this();
	int64_t ret;

	fake_set_current(V(caller, 0)->pcpu);
	ret = hypercall_dispatch(V(caller, 0), fn, args);
	fake_set_current(was);
	return ret;
}

static struct tessera_mem_region R(uint64_t gpa, uint64_t sos_gpa,
				   uint64_t size, uint32_t flags)
{
	return (struct tessera_mem_region){.vm_gpa = gpa, .sos_gpa = sos_gpa,
					   .size = size, .flags = flags};
}

/* uvm created (2 vCPUs), request pages, 1 MiB at RAM_BASE, started: vCPU 0
 * back from its first entry on pCPU 2. All through hypercalls. */
static void uvm_up(void)
{
	uint64_t a = scratch(sos);
	struct tessera_vm_create *c = mem_of(sos, a, sizeof(*c));
	struct tessera_mem_region *r = mem_of(sos, a + 0x100, sizeof(*r));
	struct tessera_vcpu_regs *regs = mem_of(sos, a + 0x200, sizeof(*regs));

	*c = (struct tessera_vm_create){.name = "uvm", .vcpu_count = 2};
	assert_int_equal(hc(sos, TESSERA_HC_VM_CREATE, a, 0, 0), UVM);
	assert_int_equal(hc(sos, TESSERA_HC_SET_REQUEST_PAGES, UVM, REQ_GPA, 1), 0);
	*r = R(RAM_BASE, BACK_GPA, UVM_RAM_SIZE, RWX);
	assert_int_equal(hc(sos, TESSERA_HC_SET_MEMORY_REGIONS, UVM, a + 0x100, 1),
			 0);
	*regs = (struct tessera_vcpu_regs){.pc = RAM_BASE};
	assert_int_equal(hc(sos, TESSERA_HC_SET_VCPU_REGS, UVM, 0, a + 0x200), 0);
	assert_int_equal(hc(sos, TESSERA_HC_VM_START, UVM, 0, 0), 0);
	assert_true(fake_step(V(uvm, 0)));
}

static int setup_slots(void **state)
{
	(void)state;
	fake_reset(ARRAY_SIZE(policies), policies);
	fake_ram(RAM_BASE, RAM_SIZE);
	sc = (struct scenario_config){
		.name = "fake", .board = &board, .hv_base = HV_BASE,
		.hv_size = HV_SIZE, .vm_count = NR_VMS, .vms = cfg,
		.pcpu_count = ARRAY_SIZE(policies), .pcpu_policy = policies};
	assert_int_equal(vm_init_all(&sc), 0);
	sos = vm_by_id(SOS);
	rt = vm_by_id(RT);
	uvm = vm_by_id(UVM);
	free_slot = vm_by_id(FREE);
	for (unsigned i = 0; i < ARRAY_SIZE(p); i++)
		p[i] = pcpu_get(i);
	return 0;
}

static int setup(void **state)
{
	memcpy(cfg, good_vms, sizeof(cfg));
	setup_slots(state);
	uvm_up();
	(void)vm_take_events();
	fake_trace_clear();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	fake_check_clean();
	return 0;
}

/* ---- everything, before and after ---- */

struct world {
	struct fake_vm_snap vm[NR_VMS];
	uint64_t events;
};

/* The pending events, without consuming them: taken, and noted again
 * (which raises the upcall VM's event line: not part of what is compared). */
static uint64_t peek_events(void)
{
	uint64_t ev = vm_take_events();

	for (unsigned i = 0; i < NR_VMS; i++)
		if (ev & BIT(i))
			vm_note_event(vm_by_id(i));
	return ev;
}

static void world_snap(struct world *w)
{
	w->events = peek_events();
	fake_trace_clear();
	for (unsigned i = 0; i < NR_VMS; i++)
		fake_vm_snap(&w->vm[i], vm_by_id(i));
}

static void world_assert_same(const struct world *w)
{
	for (unsigned i = 0; i < NR_VMS; i++)
		fake_vm_assert_same(&w->vm[i], vm_by_id(i));
	if (*fake_trace(FT_ALL))
		fail_msg("something happened: %s", fake_trace(FT_ALL));
	assert_int_equal(peek_events(), w->events);
	fake_trace_clear();
}

/* ---- function ids ---- */

/* Which ids go to hypercall_dispatch at all (the arch answers the others
 * NOT_SUPPORTED): owner 6, fast, SMC64; nothing else. */
static void test_tessera_range(void **state)
{
	static const uint32_t mine[] = {
		0xc6000000, 0xc6000001, 0xc6000020, 0xc600ffff, 0xc6010000,
		0xc6ffffff};
	static const uint32_t others[] = {
		0x86000000, /* owner 6, SMC32 */
		0x46000000, /* owner 6, yielding */
		0x06000000, 0xc5000000, 0xc7000000, 0xc0000000, 0xf6000000,
		0x84000000, /* PSCI_VERSION */
		0xc4000003, /* PSCI CPU_ON (SMC64) */
		0x80000000, /* SMCCC_VERSION */
		0x82000100, /* SiP: microbench's "hvc" */
		0x00000000, 0xffffffff};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(mine); i++)
		assert_true(hypercall_is_tessera(mine[i]));
	for (unsigned i = 0; i < ARRAY_SIZE(others); i++)
		if (hypercall_is_tessera(others[i]))
			fail_msg("0x%08x taken for Tessera's (the arch answers it "
				 "%d)", others[i], NOT_SUPPORTED);
}

static void test_version_from_every_vm(void **state)
{
	struct vm *callers[] = {sos, rt, uvm};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(callers); i++) {
		struct world w;

		world_snap(&w);
		assert_int_equal(hc(callers[i], TESSERA_HC_VERSION, ~0ull, ~0ull,
				    ~0ull), TESSERA_HC_ABI_VERSION);
		world_assert_same(&w);
	}
	assert_int_equal(TESSERA_HC_ABI_VERSION >> 16, 2);
}

/* Every number of the range with no call, and every id above 0xc600ffff
 * that would alias one: -ENOSYS from any caller, before the capability
 * check, with no effect. */
static void test_unknown_ids(void **state)
{
	static const uint32_t known[] = {
		TESSERA_HC_VERSION, TESSERA_HC_VM_INFO, TESSERA_HC_VM_EVENTS,
		TESSERA_HC_NOTIFY_REQUEST_FINISH, TESSERA_HC_VM_CREATE,
		TESSERA_HC_VM_DESTROY, TESSERA_HC_VM_START, TESSERA_HC_VM_PAUSE,
		TESSERA_HC_VM_RESUME, TESSERA_HC_VM_RESET,
		TESSERA_HC_SET_MEMORY_REGIONS, TESSERA_HC_SET_VCPU_REGS,
		TESSERA_HC_SET_REQUEST_PAGES, TESSERA_HC_SET_IRQ_LINE,
		TESSERA_HC_GET_IO_STATS};
	struct vm *callers[] = {sos, rt, uvm};
	struct world w;
	unsigned unknown = 0;

	(void)state;
	vm_note_event(uvm); /* an event pending; uvm runs (a pause would show) */
	world_snap(&w);
	assert_int_equal(w.events, BIT(UVM));
	for (uint32_t n = 0; n <= 0xffff; n++) {
		bool is_known = false;

		for (unsigned k = 0; k < ARRAY_SIZE(known); k++)
			is_known |= known[k] == TESSERA_HC_ID(n);
		for (unsigned c = 0; c < ARRAY_SIZE(callers); c++) {
			/* Arguments that a call would act on: uvm, vCPU 0. */
			if (!is_known)
				assert_int_equal(hc(callers[c], TESSERA_HC_ID(n), UVM,
						    0, scratch(callers[c])),
						 -ENOSYS);
			/* Above the range: bits 16..23 set. */
			for (uint32_t hi = 1; hi <= 0x80; hi <<= 1)
				if (n < 0x50 || n == 0xffff)
					assert_int_equal(
						hc(callers[c],
						   TESSERA_HC_ID(n) | hi << 16, UVM,
						   0, scratch(callers[c])),
						-ENOSYS);
		}
		unknown += !is_known;
	}
	assert_int_equal(unknown, 0x10000 - ARRAY_SIZE(known));
	world_assert_same(&w);
}

/* ---- the capability ---- */

/*
 * Each Service-VM call, with arguments that would act (in the caller's own
 * memory) and with hostile ones: from the partition and from the User VM,
 * -EPERM and nothing changes, not even in the argument buffers; then from
 * the Service VM, it acts (so the refusal was the capability's). In this
 * order, each Service-VM call preparing the next: uvm runs until call 11
 * pauses it (a User VM caller only while it runs); the free slot is created
 * and started by calls 4 to 8.
 */
#define NR_CALLS 14

static void args_for(unsigned i, struct vm *caller, uint32_t *fn, uint64_t a[3])
{
	uint64_t s = scratch(caller);

	a[0] = a[1] = a[2] = 0;
	switch (i) {
	case 0:
		*fn = TESSERA_HC_VM_INFO;
		a[0] = UVM, a[1] = s;
		break;
	case 1:
		*fn = TESSERA_HC_VM_EVENTS;
		break;
	case 2:
		*fn = TESSERA_HC_NOTIFY_REQUEST_FINISH;
		a[0] = UVM, a[1] = 1;
		break;
	case 3:
		*fn = TESSERA_HC_VM_CREATE;
		a[0] = s + 0x100; /* uvm: busy */
		break;
	case 4:
		*fn = TESSERA_HC_VM_CREATE;
		a[0] = s + 0x300; /* free */
		break;
	case 5:
		*fn = TESSERA_HC_SET_REQUEST_PAGES;
		a[0] = FREE, a[1] = REQ_GPA + PAGE, a[2] = 1;
		break;
	case 6:
		*fn = TESSERA_HC_SET_MEMORY_REGIONS;
		a[0] = FREE, a[1] = s + 0x400, a[2] = 1;
		break;
	case 7:
		*fn = TESSERA_HC_SET_VCPU_REGS;
		a[0] = FREE, a[1] = 0, a[2] = s + 0x500;
		break;
	case 8:
		*fn = TESSERA_HC_VM_START;
		a[0] = FREE;
		break;
	case 9:
		*fn = TESSERA_HC_SET_IRQ_LINE;
		a[0] = UVM, a[1] = 48, a[2] = TESSERA_IRQ_PULSE;
		break;
	case 10:
		*fn = TESSERA_HC_GET_IO_STATS;
		a[0] = UVM, a[1] = s + 0x200;
		break;
	case 11:
		*fn = TESSERA_HC_VM_PAUSE;
		a[0] = UVM;
		break;
	case 12:
		*fn = TESSERA_HC_VM_RESET;
		a[0] = UVM;
		break;
	case 13:
		*fn = TESSERA_HC_VM_DESTROY;
		a[0] = UVM;
		break;
	default:
		fail();
	}
}

/* The caller's argument buffers, filled in its memory. */
static void fill_args(struct vm *caller)
{
	uint64_t s = scratch(caller);
	struct tessera_vm_create *c = mem_of(caller, s + 0x100, sizeof(*c));
	struct tessera_vm_create *c2 = mem_of(caller, s + 0x300, sizeof(*c2));
	struct tessera_mem_region *r = mem_of(caller, s + 0x400, sizeof(*r));
	struct tessera_vcpu_regs *regs = mem_of(caller, s + 0x500, sizeof(*regs));

	memset(mem_of(caller, s, 0x100), 0xa5, 0x100);        /* info out */
	memset(mem_of(caller, s + 0x200, 0x100), 0xa5, 0x100); /* stats out */
	*c = (struct tessera_vm_create){.name = "uvm", .vcpu_count = 1};
	*c2 = (struct tessera_vm_create){.name = "free", .vcpu_count = 1};
	*r = R(RAM_BASE, BACK_GPA + 0x200000, PAGE, RWX);
	*regs = (struct tessera_vcpu_regs){.pc = RAM_BASE};
}

static void assert_untouched(struct vm *caller)
{
	const uint8_t *info = mem_of(caller, scratch(caller), 0x100);
	const uint8_t *st = mem_of(caller, scratch(caller) + 0x200, 0x100);

	for (unsigned b = 0; b < 0x100; b++)
		if (info[b] != 0xa5 || st[b] != 0xa5)
			fail_msg("vm %s: its buffer was written", vm_name(caller));
}

/* What the Service VM's call i must have done. */
static void check_acted(unsigned i, int64_t ret)
{
	uint64_t s = scratch(sos);
	const struct tessera_vm_info *info = mem_of(sos, s, sizeof(*info));
	const struct tessera_io_stats *st = mem_of(sos, s + 0x200, sizeof(*st));

	switch (i) {
	case 0:
		assert_int_equal(ret, 0);
		assert_int_equal(info->vm_id, UVM);
		assert_int_equal(info->state, TESSERA_VM_STATE_RUNNING);
		break;
	case 1:
		assert_int_equal(ret, BIT(UVM));
		assert_int_equal(vm_take_events(), 0);
		break;
	case 2:
		assert_int_equal(ret, 0);
		assert_true(sched_is_runnable(V(uvm, 1)));
		break;
	case 3:
		assert_int_equal(ret, -EBUSY); /* got past the capability */
		break;
	case 4:
		assert_int_equal(ret, FREE);
		assert_int_equal(vm_get_state(free_slot), VM_CREATED);
		break;
	case 5:
		assert_int_equal(ret, 0);
		assert_non_null(free_slot->io.slots);
		break;
	case 6:
		assert_int_equal(ret, 0);
		assert_int_equal(free_slot->mem.mapped_bytes, PAGE);
		break;
	case 7:
		assert_int_equal(ret, 0);
		assert_int_equal(V(free_slot, 0)->boot_pc, RAM_BASE);
		break;
	case 8:
		assert_int_equal(ret, 0);
		assert_int_equal(vm_get_state(free_slot), VM_RUNNING);
		break;
	case 9:
		assert_int_equal(ret, 0);
		assert_int_equal(uvm->arch.last_edge, 48);
		break;
	case 10:
		assert_int_equal(ret, 0);
		assert_int_equal(st->forwarded, 1);
		assert_int_equal(st->reserved[0], 0);
		break;
	case 11:
		assert_int_equal(ret, 0);
		assert_int_equal(vm_get_state(uvm), VM_PAUSED);
		break;
	case 12:
		assert_int_equal(ret, 0);
		assert_int_equal(vm_get_state(uvm), VM_CREATED);
		break;
	case 13:
		assert_int_equal(ret, 0);
		assert_int_equal(vm_get_state(uvm), VM_EMPTY);
		break;
	default:
		fail();
	}
}

/* uvm.1 powered on, its access forwarded and waiting for the device
 * model's notification; the reply is in the slot already. */
static void pending_work(void)
{
	struct io_access a = {.space = IO_SPACE_MMIO, .size = 4, .reg = 1,
			      .addr = 0x0a000000};
	struct tessera_io_slot *slot;

	fake_set_current(p[2]);
	assert_int_equal(vcpu_power_on(V(uvm, 1), RAM_BASE, 0), VCPU_ON_OK);
	fake_set_current(p[3]);
	assert_true(fake_step(V(uvm, 1)));
	vcpu_data_access(V(uvm, 1), &a);
	assert_true(fake_step(V(uvm, 1)));
	assert_int_equal(sched_blocked(V(uvm, 1)), VCPU_BLOCK_IO);
	slot = mem_of(sos, REQ_GPA + sizeof(*slot), sizeof(*slot));
	assert_int_equal(slot->state, TESSERA_IO_STATE_PENDING);
	slot->state = TESSERA_IO_STATE_COMPLETE; /* the device model's reply */
	fake_set_current(p[0]);
	fake_trace_clear();
}

static void test_service_vm_calls_need_the_capability(void **state)
{
	struct vm *callers[] = {rt, uvm};
	const uint64_t hostile[][3] = {
		{0, 0, 0}, {~0ull, ~0ull, ~0ull}, {UVM, HV_BASE, 1ull << 40},
		{SOS, RT_RAM, TESSERA_MEM_REGIONS_MAX + 1}, {FREE, 0, 1}};

	(void)state;
	pending_work();
	vm_note_event(uvm); /* for VM_EVENTS */
	for (unsigned i = 0; i < NR_CALLS; i++) {
		unsigned nr_callers = i <= 11 ? 2 : 1;
		uint32_t fn;
		uint64_t a[3];
		struct world w;

		for (unsigned c = 0; c < nr_callers; c++) {
			fill_args(callers[c]);
			world_snap(&w);
			args_for(i, callers[c], &fn, a);
			if (hc(callers[c], fn, a[0], a[1], a[2]) != -EPERM)
				fail_msg("call 0x%x from %s: not -EPERM", fn,
					 vm_name(callers[c]));
			for (unsigned h = 0; h < ARRAY_SIZE(hostile); h++)
				assert_int_equal(hc(callers[c], fn, hostile[h][0],
						    hostile[h][1], hostile[h][2]),
						 -EPERM);
			world_assert_same(&w);
			assert_untouched(callers[c]);
		}
		fill_args(sos);
		args_for(i, sos, &fn, a);
		check_acted(i, hc(sos, fn, a[0], a[1], a[2]));
		fake_trace_clear();
	}
}

/* Capabilities decide, never the kind: a partition given VM_CAP_MANAGE_VMS
 * may make the calls; the Service VM without it may not. */
static void test_capability_not_kind(void **state)
{
	uint64_t s;

	memcpy(cfg, good_vms, sizeof(cfg));
	cfg[RT].caps = VM_CAP_MANAGE_VMS;
	cfg[SOS].caps &= ~VM_CAP_MANAGE_VMS;
	setup_slots(state);
	s = scratch(rt);
	assert_int_equal(hc(rt, TESSERA_HC_VM_INFO, FREE, s, 0), 0);
	assert_string_equal(((struct tessera_vm_info *)mem_of(rt, s, 128))->name,
			    "free");
	assert_int_equal(hc(sos, TESSERA_HC_VM_INFO, FREE, scratch(sos), 0),
			 -EPERM);
	assert_int_equal(hc(sos, TESSERA_HC_VM_EVENTS, 0, 0, 0), -EPERM);
	assert_int_equal(hc(sos, TESSERA_HC_VERSION, 0, 0, 0),
			 TESSERA_HC_ABI_VERSION);
}

/* ---- the checked copy ---- */

/* Host memory that must not be written: filled with a pattern. */
static void poison(uint64_t hpa, size_t n)
{
	memset((void *)(uintptr_t)hpa, 0x5a, n);
}

static void assert_poisoned(uint64_t hpa, size_t n)
{
	const uint8_t *b = (const uint8_t *)(uintptr_t)hpa;

	for (size_t i = 0; i < n; i++)
		if (b[i] != 0x5a)
			fail_msg("0x%llx was written", (unsigned long long)(hpa + i));
}

/* Places for a buffer of `size` bytes that are not wholly the Service VM's
 * RAM: each -EFAULT. */
struct bad_place {
	uint64_t gpa;
	const char *what;
};

static unsigned bad_places(uint64_t size, struct bad_place *out)
{
	const struct bad_place all[] = {
		{HV_BASE, "the hypervisor's memory"},
		{HV_BASE + HV_SIZE - 8, "the hypervisor's last bytes (then the "
					"Service VM's)"},
		{RT_RAM + 0x800000, "rt's RAM"},
		{SOS_R1_HPA, "a host-physical address of the Service VM's"},
		{SOS_END - 8, "across the end of its RAM"},
		{SOS_END - size + 1, "one byte past the end of its RAM"},
		{SOS_END, "just past its RAM"},
		{0x09000000, "device space"},
		{RAM_BASE + RAM_SIZE - 8, "across the end of board RAM"},
		{0, "address 0"},
		{~0ull - size + 2, "wrapping past 2^64"},
		{~0ull, "the last byte of the address space"},
	};

	memcpy(out, all, sizeof(all));
	return ARRAY_SIZE(all);
}

/* Out: VM_INFO and GET_IO_STATS. Refused with -EFAULT, and no byte outside
 * the caller's RAM written (within it, a failed copy out may have written
 * the pages before: documented). */
static void test_copy_out_refuses_bad_buffers(void **state)
{
	static const struct {
		uint32_t fn;
		size_t size;
	} calls[] = {{TESSERA_HC_VM_INFO, sizeof(struct tessera_vm_info)},
		     {TESSERA_HC_GET_IO_STATS, sizeof(struct tessera_io_stats)}};
	struct bad_place bad[16];

	(void)state;
	for (unsigned c = 0; c < ARRAY_SIZE(calls); c++) {
		unsigned n = bad_places(calls[c].size, bad);

		for (unsigned i = 0; i < n; i++) {
			struct world w;
			int64_t ret;

			poison(HV_BASE, HV_SIZE);
			poison(RT_RAM + 0x7ff000, 2 * PAGE);
			poison(SOS_R1_HPA + SOS_R1_SIZE, PAGE);
			poison(SOS_R1_HPA, 2 * PAGE);
			poison(RAM_BASE + RAM_SIZE - PAGE, PAGE);
			world_snap(&w);
			ret = hc(sos, calls[c].fn, UVM, bad[i].gpa, 0);
			if (ret != -EFAULT)
				fail_msg("0x%x into %s: %lld", calls[c].fn, bad[i].what,
					 (long long)ret);
			world_assert_same(&w);
			assert_poisoned(HV_BASE, HV_SIZE);
			assert_poisoned(RT_RAM + 0x7ff000, 2 * PAGE);
			assert_poisoned(SOS_R1_HPA + SOS_R1_SIZE, PAGE);
			assert_poisoned(SOS_R1_HPA, 2 * PAGE);
			assert_poisoned(RAM_BASE + RAM_SIZE - PAGE, PAGE);
		}
	}
}

/* In: VM_CREATE, SET_VCPU_REGS, SET_MEMORY_REGIONS. Refused with -EFAULT,
 * nothing done. The structures are put where the call would read them
 * if it did (the host memory behind those addresses). */
static void test_copy_in_refuses_bad_buffers(void **state)
{
	struct bad_place bad[16];
	struct tessera_vm_create create = {.name = "free", .vcpu_count = 1};
	struct tessera_vcpu_regs regs = {.pc = RAM_BASE + 0x100};
	struct tessera_mem_region reg = R(RAM_BASE + 0x200000, BACK_GPA, PAGE, RW);
	static const struct {
		uint32_t fn;
		size_t size;
	} calls[] = {{TESSERA_HC_VM_CREATE, sizeof(struct tessera_vm_create)},
		     {TESSERA_HC_SET_VCPU_REGS, sizeof(struct tessera_vcpu_regs)},
		     {TESSERA_HC_SET_MEMORY_REGIONS,
		      sizeof(struct tessera_mem_region)}};

	(void)state;
	assert_int_equal(hc(sos, TESSERA_HC_VM_RESET, UVM, 0, 0), 0); /* set-up */
	for (unsigned c = 0; c < ARRAY_SIZE(calls); c++) {
		unsigned n = bad_places(calls[c].size, bad);

		for (unsigned i = 0; i < n; i++) {
			struct world w;
			int64_t ret;
			uint64_t g = bad[i].gpa;

			/* Plant the structure at the host address behind g,
			 * where RAM is there. */
			if (g >= RAM_BASE && g - RAM_BASE <= RAM_SIZE - calls[c].size)
				memcpy((void *)(uintptr_t)g,
				       c == 0 ? (void *)&create
				       : c == 1 ? (void *)&regs : (void *)&reg,
				       calls[c].size);
			fake_trace_clear();
			world_snap(&w);
			ret = c == 0 ? hc(sos, calls[c].fn, g, 0, 0)
			      : c == 1 ? hc(sos, calls[c].fn, UVM, 0, g)
				       : hc(sos, calls[c].fn, UVM, g, 1);
			if (ret != -EFAULT)
				fail_msg("0x%x from %s: %lld", calls[c].fn, bad[i].what,
					 (long long)ret);
			world_assert_same(&w);
		}
	}
}

/*
 * Every byte in the caller's RAM is all the copy needs: an unaligned
 * buffer (the structures are copied byte by byte into aligned ones), and
 * one across two regions adjacent in its guest-physical space but not in
 * host memory (copied page by page).
 */
static void test_copy_unaligned_and_across_regions(void **state)
{
	const uint64_t across = SOS_R1 - 40; /* 40 bytes in R0, the rest in R1 */
	struct tessera_vm_info info;
	struct tessera_io_stats st;
	struct tessera_vcpu_regs regs = {.pc = RAM_BASE + 0x40, .x = {1, 2, 3, 4}};
	struct tessera_mem_region reg[2] = {
		R(RAM_BASE + 0x200000, BACK_GPA + 0x200000, PAGE, RW),
		R(RAM_BASE + 0x300000, SOS_R1, PAGE, RW)};
	uint64_t hpa;
	uint32_t flags;

	(void)state;
	for (uint64_t off = 0; off < 8; off++) {
		uint64_t g = scratch(sos) + 0x800 + off;

		memset(mem_of(sos, g - off, 0x200), 0, 0x200);
		assert_int_equal(hc(sos, TESSERA_HC_VM_INFO, UVM, g, 0), 0);
		memcpy(&info, mem_of(sos, g, sizeof(info)), sizeof(info));
		assert_int_equal(info.vm_id, UVM);
		assert_string_equal(info.name, "uvm");
		assert_int_equal(info.max_memory, UVM_MAX);
		assert_int_equal(*(uint8_t *)mem_of(sos, g + sizeof(info), 1), 0);
	}
	/* Out, across R0's end: 40 bytes at its host end, the rest at R1's. */
	memset(mem_of(sos, across, 40), 0, 40);
	memset(mem_of(sos, SOS_R1, 0x100), 0, 0x100);
	assert_int_equal(hc(sos, TESSERA_HC_VM_INFO, UVM, across, 0), 0);
	memcpy(&info, mem_of(sos, across, 40), 40);
	memcpy((uint8_t *)&info + 40, mem_of(sos, SOS_R1, sizeof(info) - 40),
	       sizeof(info) - 40);
	assert_int_equal(info.vm_id, UVM);
	assert_int_equal(info.max_memory, UVM_MAX);
	assert_string_equal(info.name, "uvm");
	assert_int_equal(info.gicd_base, board.gicd_base);
	assert_int_equal(hc(sos, TESSERA_HC_GET_IO_STATS, UVM, across + 3, 0), 0);
	memcpy(&st, mem_of(sos, across + 3, 37), 37);
	memcpy((uint8_t *)&st + 37, mem_of(sos, SOS_R1, sizeof(st) - 37),
	       sizeof(st) - 37);
	assert_int_equal(st.forwarded, 0);
	/* In, unaligned and across: registers and a region list. */
	assert_int_equal(hc(sos, TESSERA_HC_VM_RESET, UVM, 0, 0), 0);
	memcpy(mem_of(sos, across, 40), &regs, 40);
	memcpy(mem_of(sos, SOS_R1, sizeof(regs) - 40), (uint8_t *)&regs + 40,
	       sizeof(regs) - 40);
	assert_int_equal(hc(sos, TESSERA_HC_SET_VCPU_REGS, UVM, 1, across), 0);
	assert_int_equal(V(uvm, 1)->boot_pc, regs.pc);
	assert_int_equal(V(uvm, 1)->boot_arg[3], 4);
	memcpy(mem_of(sos, across, 40), reg, 40);
	memcpy(mem_of(sos, SOS_R1, sizeof(reg) - 40), (uint8_t *)reg + 40,
	       sizeof(reg) - 40);
	assert_int_equal(hc(sos, TESSERA_HC_SET_MEMORY_REGIONS, UVM, across, 2), 0);
	assert_true(fake_s2_lookup(uvm, RAM_BASE + 0x200000, &hpa, &flags));
	assert_int_equal(hpa, (uint64_t)(uintptr_t)mem_of(sos, BACK_GPA + 0x200000,
							  PAGE));
	assert_true(fake_s2_lookup(uvm, RAM_BASE + 0x300000, &hpa, &flags));
	assert_int_equal(hpa, SOS_R1_HPA);
	memcpy(mem_of(sos, scratch(sos) + 0x901, sizeof(regs)), &regs, sizeof(regs));
	assert_int_equal(hc(sos, TESSERA_HC_SET_VCPU_REGS, UVM, 0,
			    scratch(sos) + 0x901), 0);
	assert_int_equal(V(uvm, 0)->boot_pc, regs.pc);
}

/*
 * Only the copy is looked at: a region list the Service VM rewrites while
 * the call maps (another of its vCPUs) maps what was checked, not the new
 * contents (here: the hypervisor's memory).
 */
static struct tessera_mem_region *racing_list;

static void rewrite_list(struct vm *vm, uint64_t gpa, uint64_t hpa)
{
	(void)vm, (void)gpa, (void)hpa;
	for (unsigned i = 0; i < 2; i++) {
		racing_list[i].sos_gpa = HV_BASE;
		racing_list[i].size = 0x1000000;
	}
}

static void test_arguments_are_read_once(void **state)
{
	uint64_t list = scratch(sos) + 0x1000;
	uint64_t hpa;
	uint32_t flags;

	(void)state;
	assert_int_equal(hc(sos, TESSERA_HC_VM_RESET, UVM, 0, 0), 0);
	racing_list = mem_of(sos, list, 2 * sizeof(*racing_list));
	racing_list[0] = R(RAM_BASE + 0x200000, BACK_GPA + 0x200000, PAGE, RW);
	racing_list[1] = R(RAM_BASE + 0x300000, BACK_GPA + 0x300000, PAGE, RW);
	fake_set_map_hook(rewrite_list);
	assert_int_equal(hc(sos, TESSERA_HC_SET_MEMORY_REGIONS, UVM, list, 2), 0);
	fake_set_map_hook(NULL);
	assert_true(fake_s2_lookup(uvm, RAM_BASE + 0x300000, &hpa, &flags));
	assert_int_equal(hpa, (uint64_t)(uintptr_t)mem_of(sos, BACK_GPA + 0x300000,
							  PAGE));
	assert_true(fake_s2_lookup(uvm, RAM_BASE + 0x200000, &hpa, &flags));
	assert_int_equal(hpa, (uint64_t)(uintptr_t)mem_of(sos, BACK_GPA + 0x200000,
							  PAGE));
	assert_int_equal(uvm->mem.mapped_bytes, UVM_RAM_SIZE + 2 * PAGE);
	assert_int_equal(fake_s2_mapped(uvm, RAM_BASE + 0x301000, 0x1000000), 0);
}

/* ---- VM ids ---- */

/* Every call that names a VM: ids that name none are -EINVAL, and change
 * nothing. Ids are 64 bits: one that would alias uvm in 32 is none. */
static void test_ids_that_name_no_vm(void **state)
{
	static const uint32_t by_id[] = {
		TESSERA_HC_VM_INFO, TESSERA_HC_NOTIFY_REQUEST_FINISH,
		TESSERA_HC_VM_DESTROY, TESSERA_HC_VM_START, TESSERA_HC_VM_PAUSE,
		TESSERA_HC_VM_RESUME, TESSERA_HC_VM_RESET,
		TESSERA_HC_SET_MEMORY_REGIONS, TESSERA_HC_SET_VCPU_REGS,
		TESSERA_HC_SET_REQUEST_PAGES, TESSERA_HC_SET_IRQ_LINE,
		TESSERA_HC_GET_IO_STATS};
	const uint64_t ids[] = {
		NR_VMS, CONFIG_MAX_VMS, 63, 64, 999, ~0ull /* -1 */, ~0ull - 1,
		1ull << 32 | UVM, 1ull << 63 | UVM, 0x100000000ull};
	struct world w;

	(void)state;
	fill_args(sos);
	world_snap(&w);
	for (unsigned c = 0; c < ARRAY_SIZE(by_id); c++)
		for (unsigned i = 0; i < ARRAY_SIZE(ids); i++) {
			int64_t ret = hc(sos, by_id[c], ids[i], scratch(sos), 1);

			if (ret != -EINVAL)
				fail_msg("0x%x of VM 0x%llx: %lld", by_id[c],
					 (unsigned long long)ids[i], (long long)ret);
		}
	world_assert_same(&w);
	/* A create by id: no such slot. */
	for (unsigned i = 0; i < ARRAY_SIZE(ids); i++) {
		struct tessera_vm_create *c = mem_of(sos, scratch(sos), 48);

		if (ids[i] > UINT32_MAX)
			continue; /* vm_id is 32 bits */
		*c = (struct tessera_vm_create){.vm_id = (uint32_t)ids[i],
						.vcpu_count = 1};
		assert_int_equal(hc(sos, TESSERA_HC_VM_CREATE, scratch(sos), 0, 0),
				 -ENOENT);
	}
	world_assert_same(&w);
}

/* The lifecycle and set-up calls on a static VM (the Service VM itself, a
 * partition): -EPERM, before anything else; they keep running. */
static void test_static_vm_ids(void **state)
{
	static const uint32_t calls[] = {
		TESSERA_HC_VM_DESTROY, TESSERA_HC_VM_START, TESSERA_HC_VM_PAUSE,
		TESSERA_HC_VM_RESUME, TESSERA_HC_VM_RESET,
		TESSERA_HC_SET_MEMORY_REGIONS, TESSERA_HC_SET_VCPU_REGS,
		TESSERA_HC_SET_REQUEST_PAGES, TESSERA_HC_SET_IRQ_LINE};
	static const char *const names[] = {"sos", "rt"};
	const unsigned statics[] = {SOS, RT};
	struct world w;

	(void)state;
	fill_args(sos);
	world_snap(&w);
	for (unsigned s = 0; s < ARRAY_SIZE(statics); s++) {
		struct tessera_vm_create *c = mem_of(sos, scratch(sos), 48);

		for (unsigned k = 0; k < ARRAY_SIZE(calls); k++) {
			/* Sane arguments, then hostile ones. */
			assert_int_equal(hc(sos, calls[k], statics[s], 0, 1), -EPERM);
			assert_int_equal(hc(sos, calls[k], statics[s], scratch(sos),
					    1), -EPERM);
			assert_int_equal(hc(sos, calls[k], statics[s], ~0ull, ~0ull),
					 -EPERM);
		}
		/* Created by name or by id. */
		*c = (struct tessera_vm_create){.vcpu_count = 1};
		strcpy(c->name, names[s]);
		assert_int_equal(hc(sos, TESSERA_HC_VM_CREATE, scratch(sos), 0, 0),
				 -EPERM);
		*c = (struct tessera_vm_create){.vm_id = statics[s], .vcpu_count = 1};
		assert_int_equal(hc(sos, TESSERA_HC_VM_CREATE, scratch(sos), 0, 0),
				 -EPERM);
	}
	world_assert_same(&w);
	assert_int_equal(vm_get_state(sos), VM_RUNNING);
	assert_int_equal(vm_get_state(rt), VM_RUNNING);
	/* Information about them is fine. */
	assert_int_equal(hc(sos, TESSERA_HC_VM_INFO, RT, scratch(sos), 0), 0);
	assert_int_equal(((struct tessera_vm_info *)mem_of(sos, scratch(sos), 128))
				 ->kind, TESSERA_VM_KIND_PRE_LAUNCHED);
	assert_int_equal(hc(sos, TESSERA_HC_GET_IO_STATS, SOS, scratch(sos), 0), 0);
}

/* A free slot: every call's answer for a slot with no VM in it. */
static void test_free_slot(void **state)
{
	static const struct {
		uint32_t fn;
		uint64_t a1, a2;
		int err;
	} calls[] = {
		{TESSERA_HC_VM_DESTROY, 0, 0, -ENOENT},
		{TESSERA_HC_VM_START, 0, 0, -EINVAL},
		{TESSERA_HC_VM_PAUSE, 0, 0, -EINVAL},
		{TESSERA_HC_VM_RESUME, 0, 0, -EINVAL},
		{TESSERA_HC_VM_RESET, 0, 0, -EINVAL},
		{TESSERA_HC_SET_MEMORY_REGIONS, 0x400, 1, -EBUSY},
		{TESSERA_HC_SET_VCPU_REGS, 0, 0x500, -EINVAL},
		{TESSERA_HC_SET_REQUEST_PAGES, 0, 1, -EINVAL},
		{TESSERA_HC_SET_REQUEST_PAGES, 0, 0, -EINVAL},
		{TESSERA_HC_SET_IRQ_LINE, 48, TESSERA_IRQ_RAISE, -EINVAL},
		{TESSERA_HC_NOTIFY_REQUEST_FINISH, 0, 0, -EINVAL},
	};
	const struct tessera_vm_info *info = mem_of(sos, scratch(sos), 128);
	struct world w;

	(void)state;
	for (unsigned round = 0; round < 2; round++) {
		/* Never created; then destroyed after a run. */
		fill_args(sos);
		world_snap(&w);
		for (unsigned i = 0; i < ARRAY_SIZE(calls); i++) {
			uint64_t a1 = calls[i].a1, a2 = calls[i].a2;
			struct vm *slot = round ? uvm : free_slot;
			int64_t ret;

			if (calls[i].fn == TESSERA_HC_SET_MEMORY_REGIONS)
				a1 += scratch(sos);
			if (calls[i].fn == TESSERA_HC_SET_VCPU_REGS)
				a2 += scratch(sos);
			if (calls[i].fn == TESSERA_HC_SET_REQUEST_PAGES)
				a1 = REQ_GPA + PAGE;
			ret = hc(sos, calls[i].fn, slot->id, a1, a2);
			if (ret != calls[i].err)
				fail_msg("0x%x of %s free slot: %lld, expected %d",
					 calls[i].fn, round ? "a destroyed" : "a",
					 (long long)ret, calls[i].err);
		}
		world_assert_same(&w);
		/* Information, statistics: an empty slot. */
		assert_int_equal(hc(sos, TESSERA_HC_VM_INFO, round ? UVM : FREE,
				    scratch(sos), 0), 0);
		assert_int_equal(info->state, TESSERA_VM_STATE_EMPTY);
		assert_int_equal(info->vcpu_count, 0);
		assert_int_equal(info->mapped_bytes, 0);
		assert_int_equal(info->kind, TESSERA_VM_KIND_POST_LAUNCHED);
		assert_int_equal(hc(sos, TESSERA_HC_GET_IO_STATS, round ? UVM : FREE,
				    scratch(sos) + 0x200, 0), 0);
		assert_int_equal(hc(sos, TESSERA_HC_VM_DESTROY, UVM, 0, 0),
				 round ? -ENOENT : 0);
		fake_trace_clear();
	}
}

/* ---- the calls' own arguments ---- */

static void test_vm_info(void **state)
{
	const struct tessera_vm_info *i = mem_of(sos, scratch(sos), 128);

	(void)state;
	memset(mem_of(sos, scratch(sos), 128), 0xff, 128);
	assert_int_equal(hc(sos, TESSERA_HC_VM_INFO, UVM, scratch(sos), 0), 0);
	assert_int_equal(i->vm_id, UVM);
	assert_int_equal(i->kind, TESSERA_VM_KIND_POST_LAUNCHED);
	assert_int_equal(i->state, TESSERA_VM_STATE_RUNNING);
	assert_int_equal(i->vcpu_count, 2);
	assert_int_equal(i->max_vcpus, good_vms[UVM].vcpu_count);
	assert_int_equal(i->completion_mode, TESSERA_IO_COMPLETION_NOTIFY);
	assert_int_equal(i->pcpu_mask, good_vms[UVM].pcpu_mask);
	assert_int_equal(i->max_memory, UVM_MAX);
	assert_int_equal(i->mapped_bytes, UVM_RAM_SIZE);
	assert_memory_equal(i->name, "uvm\0\0\0\0\0\0\0\0\0\0\0\0\0", 16);
	assert_int_equal(i->vm_flags, VM_FLAG_ABORT_ON_UNHANDLED);
	assert_int_equal(i->vuart_base, 0x09000000);
	assert_int_equal(i->vuart_intid, VUART_INTID);
	assert_int_equal(i->gicd_base, board.gicd_base);
	assert_int_equal(i->gicr_base, board.gicr_base);
	assert_int_equal(i->spi_count, ARCH_VM_SPI_COUNT);
	for (unsigned k = 0; k < ARRAY_SIZE(i->reserved); k++)
		assert_int_equal(i->reserved[k], 0);
	/* Each state as the ABI numbers it. */
	assert_int_equal(hc(sos, TESSERA_HC_VM_PAUSE, UVM, 0, 0), 0);
	assert_int_equal(hc(sos, TESSERA_HC_VM_INFO, UVM, scratch(sos), 0), 0);
	assert_int_equal(i->state, TESSERA_VM_STATE_PAUSED);
	assert_int_equal(hc(sos, TESSERA_HC_VM_RESUME, UVM, 0, 0), 0);
	vm_reset(uvm, "test");
	assert_int_equal(hc(sos, TESSERA_HC_VM_INFO, UVM, scratch(sos), 0), 0);
	assert_int_equal(i->state, TESSERA_VM_STATE_RESET_REQUESTED);
	assert_int_equal(hc(sos, TESSERA_HC_VM_RESET, UVM, 0, 0), 0);
	assert_int_equal(hc(sos, TESSERA_HC_VM_INFO, UVM, scratch(sos), 0), 0);
	assert_int_equal(i->state, TESSERA_VM_STATE_CREATED);
	assert_int_equal(i->mapped_bytes, UVM_RAM_SIZE); /* kept */
	/* A slot with no virtual UART. */
	assert_int_equal(hc(sos, TESSERA_HC_VM_INFO, FREE, scratch(sos), 0), 0);
	assert_int_equal(i->vuart_intid, 0);
	assert_int_equal(i->vuart_base, 0);
	assert_int_equal(i->max_vcpus, 1);
	assert_int_equal(i->vm_flags, VM_FLAG_IO_POLLING);
}

static void test_vm_create_arguments(void **state)
{
	struct tessera_vm_create *c = mem_of(sos, scratch(sos), sizeof(*c));
	const struct {
		const char *name;
		uint32_t vm_id, vcpus, flags;
		int rsv;
		int err;
		const char *what;
	} bad[] = {
		{"free", 0, 1, 0, 0, -EINVAL, "reserved[0]"},
		{"free", 0, 1, 0, 4, -EINVAL, "reserved[4]"},
		{"free", 0, 1, 1u << 2, -1, -EINVAL, "an unknown flag"},
		{"free", 0, 1, 1u << 31, -1, -EINVAL, "flag 31"},
		{"free", 0, 1, TESSERA_VM_CREATE_NOTIFY | TESSERA_VM_CREATE_POLLING,
		 -1, -EINVAL, "both modes"},
		{"nosuch", 0, 1, 0, -1, -ENOENT, "no slot of that name"},
		{"fre", 0, 1, 0, -1, -ENOENT, "a prefix of a slot's name"},
		{"freee", 0, 1, 0, -1, -ENOENT, "a slot's name and more"},
		{"", NR_VMS, 1, 0, -1, -ENOENT, "no slot of that id"},
		{"free", 0, 0, 0, -1, -EINVAL, "0 vCPUs"},
		{"free", 0, 2, 0, -1, -EINVAL, "more vCPUs than the slot has"},
		{"free", 0, ~0u, 0, -1, -EINVAL, "2^32 - 1 vCPUs"},
		{"uvm", 0, 1, 0, -1, -EBUSY, "a slot in use"},
		{"", UVM, 1, 0, -1, -EBUSY, "a slot in use, by id"},
	};
	static const struct {
		uint32_t flags, mode;
	} modes[] = {{0, TESSERA_IO_COMPLETION_POLLING},
		     {TESSERA_VM_CREATE_NOTIFY, TESSERA_IO_COMPLETION_NOTIFY},
		     {TESSERA_VM_CREATE_POLLING, TESSERA_IO_COMPLETION_POLLING}};
	struct world w;

	(void)state;
	world_snap(&w);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
		int64_t ret;

		*c = (struct tessera_vm_create){.vm_id = bad[i].vm_id,
						.vcpu_count = bad[i].vcpus,
						.flags = bad[i].flags};
		strcpy(c->name, bad[i].name);
		if (bad[i].rsv >= 0)
			c->reserved[bad[i].rsv] = 1;
		ret = hc(sos, TESSERA_HC_VM_CREATE, scratch(sos), 0, 0);
		if (ret != bad[i].err)
			fail_msg("create with %s: %lld, expected %d", bad[i].what,
				 (long long)ret, bad[i].err);
	}
	memset(c->name, 'x', sizeof(c->name)); /* not NUL-terminated */
	assert_int_equal(hc(sos, TESSERA_HC_VM_CREATE, scratch(sos), 0, 0), -EINVAL);
	world_assert_same(&w);
	/* The mode: the caller's, else the scenario's (free: polling). */
	for (unsigned i = 0; i < ARRAY_SIZE(modes); i++) {
		/* By name, with bytes after its NUL; by id. */
		*c = (struct tessera_vm_create){.vcpu_count = 1,
						.flags = modes[i].flags};
		if (i == 1)
			c->vm_id = FREE;
		else
			memcpy(c->name, "free\0garbage", 13);
		assert_int_equal(hc(sos, TESSERA_HC_VM_CREATE, scratch(sos), 0, 0),
				 FREE);
		assert_int_equal(free_slot->completion_mode, modes[i].mode);
		assert_int_equal(free_slot->io.completion_mode, modes[i].mode);
		assert_int_equal(hc(sos, TESSERA_HC_VM_DESTROY, FREE, 0, 0), 0);
	}
}

static void test_set_irq_line(void **state)
{
	static const struct {
		uint64_t intid, op;
		const char *what;
	} bad[] = {
		{31, TESSERA_IRQ_RAISE, "a PPI"},
		{0, TESSERA_IRQ_RAISE, "an SGI"},
		{VUART_INTID, TESSERA_IRQ_RAISE, "its virtual UART's"},
		{32 + ARCH_VM_SPI_COUNT, TESSERA_IRQ_RAISE, "past its SPIs"},
		{1020, TESSERA_IRQ_PULSE, "INTID 1020"},
		{1ull << 32 | 48, TESSERA_IRQ_RAISE, "2^32 + 48"},
		{~0ull, TESSERA_IRQ_RAISE, "2^64 - 1"},
		{48, 3, "op 3"},
		{48, 1ull << 32 | TESSERA_IRQ_RAISE, "op 2^32 + 1"},
		{48, ~0ull, "op 2^64 - 1"},
	};
	struct world w;

	(void)state;
	world_snap(&w);
	for (unsigned i = 0; i < ARRAY_SIZE(bad); i++)
		if (hc(sos, TESSERA_HC_SET_IRQ_LINE, UVM, bad[i].intid, bad[i].op) !=
		    -EINVAL)
			fail_msg("irq line %s: not refused", bad[i].what);
	world_assert_same(&w);
	assert_int_equal(hc(sos, TESSERA_HC_SET_IRQ_LINE, UVM, 32, TESSERA_IRQ_RAISE),
			 0);
	assert_int_equal(hc(sos, TESSERA_HC_SET_IRQ_LINE, UVM, 31 + ARCH_VM_SPI_COUNT,
			    TESSERA_IRQ_RAISE), 0);
	assert_int_equal(hc(sos, TESSERA_HC_SET_IRQ_LINE, UVM, 48, TESSERA_IRQ_LOWER),
			 0);
	assert_int_equal(hc(sos, TESSERA_HC_SET_IRQ_LINE, UVM, 49, TESSERA_IRQ_PULSE),
			 0);
	assert_string_equal(fake_trace(FT_IRQ), "level 2:32=1 level 2:95=1 "
			    "level 2:48=0 edge 2:49");
	/* In any state but empty: stopped too. */
	vm_power_off(uvm, "test");
	fake_trace_clear();
	assert_int_equal(hc(sos, TESSERA_HC_SET_IRQ_LINE, UVM, 50, TESSERA_IRQ_RAISE),
			 0);
	assert_string_equal(fake_trace(FT_IRQ), "level 2:50=1");
}

static void test_notify_request_finish(void **state)
{
	struct world w;

	(void)state;
	pending_work(); /* uvm.1 waits; its slot COMPLETE */
	world_snap(&w);
	assert_int_equal(hc(sos, TESSERA_HC_NOTIFY_REQUEST_FINISH, UVM, 2, 0),
			 -EINVAL);
	assert_int_equal(hc(sos, TESSERA_HC_NOTIFY_REQUEST_FINISH, UVM,
			    1ull << 32 | 1, 0), -EINVAL);
	assert_int_equal(hc(sos, TESSERA_HC_NOTIFY_REQUEST_FINISH, UVM, ~0ull, 0),
			 -EINVAL);
	assert_int_equal(hc(sos, TESSERA_HC_NOTIFY_REQUEST_FINISH, UVM, 0, 0),
			 -ENOENT); /* vCPU 0 has none */
	world_assert_same(&w);
	assert_int_equal(hc(sos, TESSERA_HC_NOTIFY_REQUEST_FINISH, UVM, 1, 0), 0);
	assert_true(sched_is_runnable(V(uvm, 1)));
	assert_int_equal(hc(sos, TESSERA_HC_NOTIFY_REQUEST_FINISH, UVM, 1, 0),
			 -ENOENT); /* notified already */
}

static void test_vm_events(void **state)
{
	(void)state;
	assert_int_equal(hc(sos, TESSERA_HC_VM_EVENTS, 0, 0, 0), 0);
	vm_crash(uvm, "test");
	assert_int_equal(hc(sos, TESSERA_HC_VM_EVENTS, ~0ull, ~0ull, ~0ull),
			 BIT(UVM));
	assert_int_equal(hc(sos, TESSERA_HC_VM_EVENTS, 0, 0, 0), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
		T(test_tessera_range),
		T(test_version_from_every_vm),
		T(test_unknown_ids),
		T(test_service_vm_calls_need_the_capability),
		T(test_capability_not_kind),
		T(test_copy_out_refuses_bad_buffers),
		T(test_copy_in_refuses_bad_buffers),
		T(test_copy_unaligned_and_across_regions),
		T(test_arguments_are_read_once),
		T(test_ids_that_name_no_vm),
		T(test_static_vm_ids),
		T(test_free_slot),
		T(test_vm_info),
		T(test_vm_create_arguments),
		T(test_set_irq_line),
		T(test_notify_request_finish),
		T(test_vm_events),
#undef T
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
