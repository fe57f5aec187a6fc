/* SPDX-License-Identifier: BSD-3-Clause */
/* The fake arch layer (fake_arch.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include <console_input.h>
#include <errno.h>
#include <linux_boot.h>
#include <vm_dt.h>
#include <uapi/tessera_hypercall.h>

#include "fake_arch.h"
#include "host_console.h"
#include "host_log.h"

#ifndef MAP_FIXED_NOREPLACE
#define MAP_FIXED_NOREPLACE 0x100000 /* Linux 4.17; older ones take a hint */
#endif

/* A thread spinning this long in cpu_spin_wait() without the fake seeing
 * anything else happen waits for something that cannot happen. */
#define SPIN_LIMIT 1000000ul

/* ---- the trace and the violations (any thread) ---- */

#define MAX_EVENTS 8192
#define MAX_VIOLATIONS_KEPT 4

struct event {
	unsigned kind;
	char text[44];
};

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static struct event events[MAX_EVENTS];
static unsigned nr_events;
static bool events_lost;
static unsigned violations;
static char violation_text[MAX_VIOLATIONS_KEPT][160];
static char trace_buf[MAX_EVENTS * sizeof(events[0].text)];

/* Per thread: the pCPU it plays, the pCPUs it plays further out (a kick
 * delivered, a loop run), the innermost fake_run, and its idle spinning. */
struct run_ctx {
	jmp_buf jb;
	struct pcpu *p;
	unsigned max, runs;
	struct run_ctx *prev;
	unsigned depth, in_op;
	struct pcpu *cur;
};

static __thread struct pcpu *cur;
static __thread struct pcpu *outer[64];
static __thread unsigned depth;
static __thread struct run_ctx *run_top;
static __thread unsigned long spins;
/* Fake operations (a loop turn, a loop, a delivered kick...) under way on
 * this thread; 0: the test's own code. */
static __thread unsigned in_op;
static bool threaded;

static void note(unsigned kind, const char *fmt, ...) PRINTF_LIKE(2, 3);

static void note(unsigned kind, const char *fmt, ...)
{
	va_list ap;

	spins = 0;
	if (threaded)
		return; /* counted, not traced */
	pthread_mutex_lock(&lock);
	if (nr_events < MAX_EVENTS) {
		events[nr_events].kind = kind;
		va_start(ap, fmt);
		vsnprintf(events[nr_events].text, sizeof(events[0].text), fmt, ap);
		va_end(ap);
		nr_events++;
	} else {
		events_lost = true;
	}
	pthread_mutex_unlock(&lock);
}

static void violation(const char *fmt, ...) PRINTF_LIKE(1, 2);

static void violation(const char *fmt, ...)
{
	char text[160];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	/* On the test's own thread the test fails here, where it happened;
	 * other threads leave it to fake_check_clean(). */
	if (!threaded)
		fail_msg("fake arch: %s", text);
	fprintf(stderr, "fake arch: violation: %s\n", text);
	pthread_mutex_lock(&lock);
	if (violations < MAX_VIOLATIONS_KEPT)
		memcpy(violation_text[violations], text, sizeof(text));
	violations++;
	pthread_mutex_unlock(&lock);
}

unsigned fake_violations(void)
{
	return __atomic_load_n(&violations, __ATOMIC_ACQUIRE);
}

void fake_check_clean(void)
{
	if (events_lost)
		fail_msg("fake arch: more than %u trace events", MAX_EVENTS);
	if (fake_violations())
		fail_msg("fake arch: %u violation(s), first: %s", fake_violations(),
			 violation_text[0]);
}

static unsigned vm_id_of(const struct vcpu *v)
{
	return v->vm ? v->vm->id : 0;
}

/* "1.0": vCPU 0 of VM 1. */
#define VFMT "%u.%u"
#define VARG(v) vm_id_of(v), (v)->id

void fake_trace_clear(void)
{
	pthread_mutex_lock(&lock);
	nr_events = 0;
	events_lost = false;
	pthread_mutex_unlock(&lock);
}

/* The subject of an event: the word after its name, up to '@', '=' or ':'. */
static bool is_about(const char *text, const char *who)
{
	const char *s = strchr(text, ' ');
	size_t n;

	if (!s)
		return false;
	s++;
	n = strcspn(s, "@=: ");
	return strlen(who) == n && !strncmp(s, who, n);
}

static const char *trace(unsigned kinds, const char *who)
{
	size_t len = 0;

	pthread_mutex_lock(&lock);
	trace_buf[0] = '\0';
	for (unsigned i = 0; i < nr_events; i++) {
		if (!(events[i].kind & kinds) ||
		    (who && !is_about(events[i].text, who)))
			continue;
		len += (size_t)snprintf(trace_buf + len, sizeof(trace_buf) - len,
					"%s%s", len ? " " : "", events[i].text);
	}
	pthread_mutex_unlock(&lock);
	return trace_buf;
}

const char *fake_trace(unsigned kinds)
{
	return trace(kinds, NULL);
}

const char *fake_trace_of(unsigned kinds, const char *who)
{
	return trace(kinds, who);
}

/* ---- knobs ---- */

static uint64_t now;
static uint64_t hz = FAKE_HZ;
static unsigned counter_reads;
static uint64_t entry_ticks;
static unsigned relaxes;
static fake_guest_fn default_guest;
static bool (*irq_hook)(struct vcpu *v, unsigned n);
static unsigned irq_hook_calls;
static bool (*idle_hook)(struct pcpu *p);
static struct {
	void (*fn)(void *ctx);
	void *ctx;
} on_kick[CONFIG_MAX_PCPUS];
static int vm_init_err[CONFIG_MAX_VMS];
static void (*map_hook)(struct vm *vm, uint64_t gpa, uint64_t hpa);
static void *dm_pages[2 * CONFIG_MAX_VMS];
static unsigned nr_dm_pages;

int fake_linux_boot_result;
unsigned fake_linux_boot_calls;

void fake_reset(unsigned pcpus, const uint8_t *policies)
{
	pcpu_init_all(CONFIG_MAX_PCPUS, NULL);
	for (unsigned i = 0; i < CONFIG_MAX_PCPUS; i++) {
		struct pcpu *p = pcpu_get(i);

		memset(p, 0, sizeof(*p));
		p->arch.timer_at = UINT64_MAX;
	}
	pcpu_init_all(pcpus, policies);
	for (unsigned i = 0; i < pcpus; i++)
		pcpu_get(i)->online = true;

	threaded = false;
	cur = pcpu_get(0);
	depth = 0;
	in_op = 0;
	run_top = NULL;
	spins = 0;
	now = 0;
	hz = FAKE_HZ;
	counter_reads = 0;
	entry_ticks = 0;
	relaxes = 0;
	default_guest = NULL;
	irq_hook = NULL;
	irq_hook_calls = 0;
	idle_hook = NULL;
	memset(on_kick, 0, sizeof(on_kick));
	memset(vm_init_err, 0, sizeof(vm_init_err));
	map_hook = NULL;
	fake_linux_boot_result = 0;
	fake_linux_boot_calls = 0;
	fake_board_power_offs = 0;
	for (unsigned i = 0; i < nr_dm_pages; i++)
		free(dm_pages[i]);
	nr_dm_pages = 0;

	(void)vm_take_events();
	console_input_set_target(NULL);
	(void)host_console_rx_resumes();
	host_console_reset();
	host_log_reset();
	fake_trace_clear();
	violations = 0;
}

void fake_set_threaded(bool on)
{
	threaded = on;
}

void fake_set_current(struct pcpu *p)
{
	cur = p;
}

void fake_on_kick(struct pcpu *p, void (*fn)(void *ctx), void *ctx)
{
	on_kick[p->id].fn = fn;
	on_kick[p->id].ctx = ctx;
}

unsigned fake_relaxes(void)
{
	return __atomic_load_n(&relaxes, __ATOMIC_RELAXED);
}

void fake_set_idle_hook(bool (*fn)(struct pcpu *p))
{
	idle_hook = fn;
}

void fake_set_default_guest(fake_guest_fn fn)
{
	default_guest = fn;
}

void fake_set_irq_hook(bool (*fn)(struct vcpu *v, unsigned n))
{
	irq_hook = fn;
	irq_hook_calls = 0;
}

void fake_set_entry_ticks(uint64_t ticks)
{
	entry_ticks = ticks;
}

void fake_vm_init_fails(unsigned id, int err)
{
	vm_init_err[id] = err;
}

void fake_set_map_hook(void (*fn)(struct vm *vm, uint64_t gpa, uint64_t hpa))
{
	map_hook = fn;
}

/* ---- playing pCPUs ---- */

struct pcpu *pcpu_this(void)
{
	return cur;
}

static void become(struct pcpu *p)
{
	if (depth == ARRAY_SIZE(outer))
		fail_msg("fake arch: pCPUs nested too deeply");
	outer[depth++] = cur;
	cur = p;
}

static void unbecome(void)
{
	cur = outer[--depth];
}

/*
 * Play p for a fake operation. Inside another one, p is nested: whatever
 * this thread played stays busy. From the test's own code, p replaces the
 * test's current pCPU for the time of the operation (that one is not doing
 * anything meanwhile, whatever pCPU the test last set).
 */
struct saved {
	struct pcpu *cur;
	bool nested;
};

static void enter(struct pcpu *p, struct saved *s)
{
	s->nested = in_op > 0;
	s->cur = cur;
	if (s->nested)
		become(p);
	else
		cur = p;
	in_op++;
}

static void leave(const struct saved *s)
{
	in_op--;
	if (s->nested)
		unbecome();
	else
		cur = s->cur;
}

/* Whether p's code is on this thread's stack already. */
static bool busy(const struct pcpu *p)
{
	if (p == cur)
		return true;
	for (unsigned i = 0; i < depth; i++)
		if (outer[i] == p)
			return true;
	return false;
}

void fake_as(struct pcpu *p, void (*fn)(void *ctx), void *ctx)
{
	struct saved s;

	enter(p, &s);
	fn(ctx);
	leave(&s);
}

void fake_clear_pcpu_counts(void)
{
	for (unsigned i = 0; i < pcpu_count(); i++) {
		struct arch_pcpu *a = &pcpu_get(i)->arch;

		a->kicks = a->timer_sets = a->idles = 0;
	}
}

void cpu_spin_wait(void)
{
	__atomic_fetch_add(&relaxes, 1, __ATOMIC_RELAXED);
	if (threaded) {
		sched_yield();
		return;
	}
	if (++spins > SPIN_LIMIT) {
		spins = 0;
		fail_msg("fake arch: pCPU %d waits forever (a lock never released, "
			 "or a pcpu_call to a pCPU that cannot run it)",
			 cur ? (int)cur->id : -1);
	}
}

void cpu_wake_waiters(void)
{
}

void arch_pcpu_kick(struct pcpu *p)
{
	void (*fn)(void *ctx);
	void *ctx;

	__atomic_fetch_add(&p->arch.kicks, 1, __ATOMIC_RELAXED);
	note(FT_KICK, "kick p%u", p->id);
	if (threaded || busy(p))
		return;
	/* p leaves its guest (or its idle wait), finishes that exit, and its
	 * loop carries out the calls sent to it. */
	become(p);
	in_op++;
	fn = on_kick[p->id].fn;
	ctx = on_kick[p->id].ctx;
	on_kick[p->id].fn = NULL;
	if (fn)
		fn(ctx);
	pcpu_handle_calls(p);
	in_op--;
	unbecome();
}

void arch_pcpu_idle(struct pcpu *p)
{
	struct run_ctx *c = run_top;

	note(FT_IDLE, "idle p%u", p->id);
	p->arch.idles++;
	if (!c || c->p != cur)
		return;
	if (idle_hook && idle_hook(p))
		return;
	longjmp(c->jb, FAKE_STOP_IDLE);
}

int fake_run(struct pcpu *p, unsigned max_entries)
{
	struct run_ctx ctx = {.p = p, .max = max_entries, .prev = run_top,
			      .depth = depth, .in_op = in_op, .cur = cur};
	struct saved s;
	int stop;

	enter(p, &s);
	run_top = &ctx;
	stop = setjmp(ctx.jb);
	if (!stop)
		pcpu_run(p);
	/* Back from anywhere in the loop: as before enter(). */
	run_top = ctx.prev;
	depth = ctx.depth;
	in_op = ctx.in_op;
	cur = ctx.cur;
	return stop;
}

bool fake_step(struct vcpu *v)
{
	struct saved s;
	bool ran = false;

	enter(v->pcpu, &s);
	pcpu_handle_calls(v->pcpu);
	if (sched_is_runnable(v)) {
		pcpu_load(v->pcpu, v);
		vcpu_step(v);
		ran = true;
	}
	leave(&s);
	return ran;
}

void arch_init_boot_pcpu(struct pcpu *p, const struct board_config *board)
{
	(void)board;
	cur = p;
}

int arch_pcpu_start(struct pcpu *p, uint64_t mpidr)
{
	(void)p, (void)mpidr;
	return 0;
}

/* ---- time ---- */

uint64_t arch_counter_now(void)
{
	__atomic_fetch_add(&counter_reads, 1, __ATOMIC_RELAXED);
	return __atomic_load_n(&now, __ATOMIC_RELAXED);
}

uint64_t arch_counter_hz(void)
{
	return hz;
}

void fake_set_counter_hz(uint64_t h)
{
	hz = h;
}

void fake_counter_set(uint64_t t)
{
	__atomic_store_n(&now, t, __ATOMIC_RELAXED);
}

void fake_counter_advance(uint64_t ticks)
{
	__atomic_fetch_add(&now, ticks, __ATOMIC_RELAXED);
}

uint64_t fake_counter(void)
{
	return __atomic_load_n(&now, __ATOMIC_RELAXED);
}

unsigned fake_counter_reads(void)
{
	return __atomic_load_n(&counter_reads, __ATOMIC_RELAXED);
}

void arch_pcpu_timer_set(uint64_t at)
{
	struct pcpu *p = cur;

	if (!p) {
		violation("arch_pcpu_timer_set(%llu) with no current pCPU",
			  (unsigned long long)at);
		return;
	}
	p->arch.timer_at = at;
	p->arch.timer_sets++;
	if (at == UINT64_MAX)
		note(FT_TIMER, "timer p%u=off", p->id);
	else
		note(FT_TIMER, "timer p%u=%llu", p->id, (unsigned long long)at);
}

bool fake_timer_expire(struct pcpu *p)
{
	struct saved s;

	if (p->arch.timer_at == UINT64_MAX || p->arch.timer_at > fake_counter())
		return false;
	enter(p, &s);
	note(FT_TIMER, "fire p%u", p->id);
	arch_pcpu_timer_set(UINT64_MAX); /* as arm64_handle_irqs does */
	sched_timer_fired(p, arch_counter_now());
	leave(&s);
	return true;
}

bool fake_idle_until_timer(struct pcpu *p)
{
	if (p->arch.timer_at == UINT64_MAX)
		return false;
	if (fake_counter() < p->arch.timer_at)
		fake_counter_set(p->arch.timer_at);
	return fake_timer_expire(p);
}

/* ---- vCPU context ---- */

static void on_own_pcpu(const struct vcpu *v, const char *what)
{
	if (cur != v->pcpu)
		violation("%s " VFMT " on pCPU %d, its pCPU is %u", what, VARG(v),
			  cur ? (int)cur->id : -1, v->pcpu->id);
}

void arch_vcpu_init(struct vcpu *v)
{
	v->arch.inits++;
	v->arch.guest_timer = UINT64_MAX;
	note(FT_INIT, "init " VFMT, VARG(v));
}

void arch_vcpu_reset(struct vcpu *v, uint64_t pc, const uint64_t args[4])
{
	on_own_pcpu(v, "reset");
	if (v->arch.loaded)
		violation("reset " VFMT " while loaded", VARG(v));
	memset(v->arch.x, 0, sizeof(v->arch.x));
	for (unsigned i = 0; i < 4; i++)
		v->arch.x[i] = args[i];
	v->arch.pc = pc;
	v->arch.guest_timer = UINT64_MAX; /* timers off */
	v->arch.irq_pending = false;      /* its interrupt interface reset */
	v->arch.resets++;
	note(FT_RESET, "reset " VFMT "@0x%llx", VARG(v), (unsigned long long)pc);
}

void arch_vcpu_load(struct vcpu *v)
{
	on_own_pcpu(v, "load");
	if (v->arch.loaded)
		violation("load " VFMT ": already loaded", VARG(v));
	if (v->pcpu->arch.hw)
		violation("load " VFMT ": " VFMT " still loaded on pCPU %u",
			  VARG(v), VARG(v->pcpu->arch.hw), v->pcpu->id);
	v->arch.loaded = true;
	v->pcpu->arch.hw = v;
	v->arch.loads++;
	note(FT_LOAD, "load " VFMT, VARG(v));
}

void arch_vcpu_put(struct vcpu *v)
{
	on_own_pcpu(v, "put");
	if (!v->arch.loaded || v->pcpu->arch.hw != v)
		violation("put " VFMT ": not loaded", VARG(v));
	v->arch.loaded = false;
	if (v->pcpu->arch.hw == v)
		v->pcpu->arch.hw = NULL;
	v->sched.timer_deadline = v->arch.guest_timer;
	v->arch.puts++;
	note(FT_PUT, "put " VFMT, VARG(v));
}

void arch_vcpu_run(struct vcpu *v)
{
	struct run_ctx *c = run_top;
	fake_guest_fn guest;
	uint64_t duration, at;

	if (c && c->p == cur) {
		if (c->runs >= c->max)
			longjmp(c->jb, FAKE_STOP_BUDGET);
		c->runs++;
	}
	on_own_pcpu(v, "run");
	if (!v->arch.loaded)
		violation("run " VFMT ": not loaded", VARG(v));
	if (!sched_is_runnable(v))
		violation("run " VFMT ": not runnable (blocked 0x%x)", VARG(v),
			  sched_blocked(v));
	if (vcpu_power_state(v) != VCPU_POWER_ON)
		violation("run " VFMT ": powered off", VARG(v));
	v->arch.runs++;
	v->pcpu->stats.exits++;
	note(FT_RUN, "run " VFMT, VARG(v));
	/* The guest runs for its entry's time, unless the pCPU's timer
	 * interrupt comes first: then that is the exit. */
	duration = v->arch.entry_ticks ? v->arch.entry_ticks : entry_ticks;
	at = v->pcpu->arch.timer_at;
	if (at != UINT64_MAX && fake_counter() + duration >= at) {
		if (fake_counter() < at)
			fake_counter_set(at);
		fake_timer_expire(v->pcpu);
		return;
	}
	fake_counter_advance(duration);
	guest = v->arch.guest ? v->arch.guest : default_guest;
	if (guest)
		guest(v);
}

void arch_vcpu_io_done(struct vcpu *v, const struct io_access *a)
{
	uint64_t value;

	on_own_pcpu(v, "io_done");
	if (io_postwork_value(a, v->arch.x[a->reg & 31], &value))
		v->arch.x[a->reg & 31] = value;
	v->arch.pc += 4;
	v->arch.io_dones++;
	note(FT_IO, "io_done " VFMT, VARG(v));
}

void arch_vcpu_io_abort(struct vcpu *v, uint64_t addr)
{
	on_own_pcpu(v, "io_abort");
	v->arch.last_abort_addr = addr;
	v->arch.io_aborts++;
	note(FT_IO, "io_abort " VFMT, VARG(v));
}

bool arch_vcpu_has_interrupt(struct vcpu *v)
{
	v->arch.irq_checks++;
	if (irq_hook)
		return irq_hook(v, irq_hook_calls++);
	return v->arch.irq_pending;
}

void fake_guest_nop(struct vcpu *v)
{
	(void)v;
}

void fake_guest_wfi(struct vcpu *v)
{
	vcpu_wait_for_interrupt(v);
}

void fake_guest_cpu_off(struct vcpu *v)
{
	vcpu_power_off(v);
}

/* ---- VMs ---- */

/* The stage-2 table pages of every VM (generated for the real image). */
uint8_t tessera_pt_pool[FAKE_PT_POOL_PAGES * S2_PAGE_SIZE]
	__attribute__((aligned(S2_PAGE_SIZE)));

/* Whether the fake builds vm's stage 2 (the scenario gave it table pages). */
static bool has_s2(const struct vm *vm)
{
	return vm->cfg->pt_pages != 0;
}

/* What the VM's interrupt controller or stage 2 may not see change under a
 * vCPU that runs, or may run. */
static void check_stopped(const struct vm *vm, const char *what)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		const struct vcpu *v = &vm->vcpus[i];

		if (v->arch.loaded || sched_is_runnable(v))
			violation("%s %u: vCPU %u %s", what, vm->id, i,
				  v->arch.loaded ? "loaded" : "runnable");
	}
}

/* As arm64_stage2_init: the root from the VM's slice of the pool, then the
 * scenario's memory regions. */
static int s2_build(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	struct arch_vm *a = &vm->arch;
	int ret;

	if (cfg->pt_first + cfg->pt_pages > FAKE_PT_POOL_PAGES) {
		violation("vm_init %u: table pages %u+%u beyond the fake's pool",
			  vm->id, cfg->pt_first, cfg->pt_pages);
		return -ENOSPC;
	}
	a->s2_pool = (struct s2_pool){
		(s2_table_t *)(tessera_pt_pool +
			       (size_t)cfg->pt_first * S2_PAGE_SIZE),
		cfg->pt_pages, 0};
	ret = s2_init(&a->s2, &a->s2_pool);
	for (unsigned r = 0; !ret && r < cfg->mem_region_count; r++)
		ret = s2_map(&a->s2, cfg->mem[r].gpa, cfg->mem[r].hpa,
			     cfg->mem[r].size, S2_RWX);
	return ret;
}

int arch_vm_init(struct vm *vm)
{
	int ret = 0;

	vm->arch.inits++;
	note(FT_VM, "vm_init %u", vm->id);
	/* Tables, handlers and SPIs of the last run would leak. */
	if (vm->arch.live)
		violation("vm_init %u: its last run was not torn down", vm->id);
	vm->arch.live = true;
	if (has_s2(vm))
		ret = s2_build(vm);
	/* An injected failure comes after the stage 2 was built, as a vGIC
	 * that cannot be registered does on arm64: the caller tears down. */
	if (!ret && vm->id < CONFIG_MAX_VMS)
		ret = vm_init_err[vm->id];
	return ret;
}

void arch_vm_log_summaries(struct vm *vm)
{
	(void)vm; /* the fake has no rate-limited lines of its own */
}

void arch_vm_reset(struct vm *vm)
{
	check_stopped(vm, "vm_reset");
	vm->arch.resets++;
	note(FT_VM, "vm_reset %u", vm->id);
}

void arch_vm_teardown(struct vm *vm)
{
	/* arm64 invalidates the VMID's TLB entries and drops the tables: a
	 * vCPU that may still run would run on stale translations. */
	check_stopped(vm, "vm_teardown");
	vm->arch.teardowns++;
	vm->arch.live = false;
	vm->arch.s2.root = NULL;
	vm->arch.s2_pool.used = 0;
	note(FT_VM, "vm_teardown %u", vm->id);
}

int arch_vm_map_ram(struct vm *vm, uint64_t gpa, uint64_t hpa, uint64_t size,
		    uint32_t flags)
{
	unsigned s2 = (flags & TESSERA_MEM_READ ? S2_READ : 0) |
		      (flags & TESSERA_MEM_WRITE ? S2_WRITE : 0) |
		      (flags & TESSERA_MEM_EXEC ? S2_EXEC : 0);
	int ret;

	vm->arch.maps++;
	note(FT_VM, "map %u:0x%llx+0x%llx", vm->id, (unsigned long long)gpa,
	     (unsigned long long)size);
	if (map_hook)
		map_hook(vm, gpa, hpa);
	if (!has_s2(vm))
		return 0;
	if (!vm->arch.s2.root)
		return -EINVAL;
	ret = s2_map(&vm->arch.s2, gpa, hpa, size, s2);
	return ret == -ENOSPC ? -ENOMEM : ret;
}

bool arch_vm_range_unmapped(const struct vm *vm, uint64_t gpa, uint64_t size)
{
	if (!has_s2(vm))
		return true;
	return vm->arch.s2.root && s2_range_unmapped(&vm->arch.s2, gpa, size);
}

bool arch_vm_translate(const struct vm *vm, uint64_t gpa, uint64_t *hpa)
{
	unsigned flags;

	return has_s2(vm) && vm->arch.s2.root &&
	       s2_translate(&vm->arch.s2, gpa, hpa, &flags) &&
	       !(flags & S2_DEVICE);
}

bool fake_s2_lookup(const struct vm *vm, uint64_t gpa, uint64_t *hpa,
		    uint32_t *flags)
{
	unsigned f;

	if (!has_s2(vm) || !vm->arch.s2.root ||
	    !s2_translate(&vm->arch.s2, gpa, hpa, &f))
		return false;
	*flags = (f & S2_READ ? TESSERA_MEM_READ : 0) |
		 (f & S2_WRITE ? TESSERA_MEM_WRITE : 0) |
		 (f & S2_EXEC ? TESSERA_MEM_EXEC : 0);
	return true;
}

uint64_t fake_s2_mapped(const struct vm *vm, uint64_t gpa, uint64_t size)
{
	uint64_t bytes = 0, hpa;
	uint32_t flags;

	for (uint64_t off = 0; off < size; off += S2_PAGE_SIZE)
		if (fake_s2_lookup(vm, gpa + off, &hpa, &flags))
			bytes += S2_PAGE_SIZE;
	return bytes;
}

const void *fake_s2_tables(const struct vm *vm, size_t *bytes)
{
	*bytes = (size_t)vm->cfg->pt_pages * S2_PAGE_SIZE;
	return tessera_pt_pool + (size_t)vm->cfg->pt_first * S2_PAGE_SIZE;
}

void arch_vm_set_irq_level(struct vm *vm, unsigned intid, bool level)
{
	vm->arch.levels++;
	vm->arch.last_level_intid = intid;
	vm->arch.last_level = level;
	note(FT_IRQ, "level %u:%u=%d", vm->id, intid, level);
}

void arch_vm_irq_edge(struct vm *vm, unsigned intid)
{
	vm->arch.edges++;
	vm->arch.last_edge = intid;
	note(FT_IRQ, "edge %u:%u", vm->id, intid);
}

/* As arm64: an SPI of the VM's interrupt controller that neither its
 * virtual UART nor a passthrough device uses. */
bool arch_vm_irq_is_free(const struct vm *vm, unsigned intid)
{
	if (intid < 32 || intid >= 32 + ARCH_VM_SPI_COUNT)
		return false;
	if (vm->cfg->vuart_gpa && intid == VUART_INTID)
		return false;
	for (unsigned d = 0; d < vm->cfg->device_count; d++)
		if (device_config_has_irq(&vm->cfg->devices[d], intid))
			return false;
	return true;
}

/* ---- what a VM looks like ---- */

static uint64_t fnv1a(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint64_t h = 0xcbf29ce484222325ull;

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ull;
	return h;
}

void fake_vm_snap(struct fake_vm_snap *s, const struct vm *vm)
{
	size_t bytes;
	const void *tables = fake_s2_tables(vm, &bytes);

	memset(s, 0, sizeof(*s));
	s->state = vm_get_state(vm);
	s->vcpu_count = vm->vcpu_count;
	s->completion_mode = vm->completion_mode;
	s->mapped_bytes = vm->mem.mapped_bytes;
	s->regions = vm->mem.regions;
	s->slots = __atomic_load_n(&vm->io.slots, __ATOMIC_ACQUIRE);
	s->handlers = vm->io.table.count;
	s->cancelled = vm->io.cancelled;
	io_vm_get_stats(&vm->io, &s->io_stats);
	s->inits = vm->arch.inits;
	s->resets = vm->arch.resets;
	s->teardowns = vm->arch.teardowns;
	s->maps = vm->arch.maps;
	s->edges = vm->arch.edges;
	s->levels = vm->arch.levels;
	s->live = vm->arch.live;
	s->s2_root = vm->arch.s2.root;
	s->s2_used = vm->arch.s2_pool.used;
	s->tables_hash = fnv1a(tables, bytes);
	for (unsigned i = 0; i < vm->cfg->vcpu_count; i++) {
		const struct vcpu *v = &vm->vcpus[i];
		struct fake_vcpu_snap *c = &s->vcpu[i];

		c->boot_pc = v->boot_pc;
		memcpy(c->boot_arg, v->boot_arg, sizeof(c->boot_arg));
		c->pc = v->arch.pc;
		c->power = v->power;
		c->blocked = sched_blocked(v);
		c->requests = __atomic_load_n(&v->requests, __ATOMIC_ACQUIRE);
		c->io_pending = v->io.pending;
		c->loaded = v->arch.loaded;
		c->inits = v->arch.inits;
		c->resets = v->arch.resets;
		c->loads = v->arch.loads;
		c->puts = v->arch.puts;
		c->runs = v->arch.runs;
	}
}

#define SAME(field)                                                            \
	do {                                                                   \
		if (memcmp(&was->field, &now.field, sizeof(now.field)))        \
			fail_msg("vm %s: %s changed", vm_name(vm), #field);    \
	} while (0)

void fake_vm_assert_same(const struct fake_vm_snap *was, const struct vm *vm)
{
	struct fake_vm_snap now;

	fake_vm_snap(&now, vm);
	SAME(state);
	SAME(vcpu_count);
	SAME(completion_mode);
	SAME(mapped_bytes);
	SAME(regions);
	SAME(slots);
	SAME(handlers);
	SAME(cancelled);
	SAME(io_stats);
	SAME(inits);
	SAME(resets);
	SAME(teardowns);
	SAME(maps);
	SAME(edges);
	SAME(levels);
	SAME(live);
	SAME(s2_root);
	SAME(s2_used);
	SAME(tables_hash);
	for (unsigned i = 0; i < vm->cfg->vcpu_count; i++) {
		SAME(vcpu[i].boot_pc);
		SAME(vcpu[i].boot_arg);
		SAME(vcpu[i].pc);
		SAME(vcpu[i].power);
		SAME(vcpu[i].blocked);
		SAME(vcpu[i].requests);
		SAME(vcpu[i].io_pending);
		SAME(vcpu[i].loaded);
		SAME(vcpu[i].inits);
		SAME(vcpu[i].resets);
		SAME(vcpu[i].loads);
		SAME(vcpu[i].puts);
		SAME(vcpu[i].runs);
	}
}

#undef SAME

/* ---- the board's RAM ---- */

static uint64_t ram_base, ram_size;

void *fake_ram(uint64_t base, uint64_t size)
{
	void *want = (void *)(uintptr_t)base, *got;

	if (ram_size) {
		if (base != ram_base || size != ram_size)
			fail_msg("fake arch: RAM 0x%llx+0x%llx, but it is at "
				 "0x%llx+0x%llx", (unsigned long long)base,
				 (unsigned long long)size,
				 (unsigned long long)ram_base,
				 (unsigned long long)ram_size);
		/* Private anonymous pages read as zero again. */
		assert_int_equal(madvise(want, size, MADV_DONTNEED), 0);
		return want;
	}
	got = mmap(want, size, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE |
			   MAP_FIXED_NOREPLACE, -1, 0);
	if (got != want) {
		if (got != MAP_FAILED)
			munmap(got, size);
		fail_msg("fake arch: cannot map RAM at 0x%llx+0x%llx on this host",
			 (unsigned long long)base, (unsigned long long)size);
	}
	ram_base = base;
	ram_size = size;
	return want;
}

void arch_clean_dcache(const void *p, size_t n)
{
	(void)p, (void)n;
}

void hv_panic(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "hv_panic: ");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n");
	va_end(ap);
	abort();
}

unsigned fake_board_power_offs;

void arch_board_power_off(void)
{
	fake_board_power_offs++;
	note(FT_LINUX, "board off");
}

/* ---- what vm.c needs beyond the arch ---- */

int linux_boot_load(struct vm *vm, uint64_t *dtb_gpa)
{
	fake_linux_boot_calls++;
	note(FT_LINUX, "linux %u", vm->id);
	if (!fake_linux_boot_result)
		*dtb_gpa = 0x48000000;
	return fake_linux_boot_result;
}

/* A raw image's device tree: where vm_dt.c puts it, not written (the
 * builder has its own tests: test_vm_fdt); 0 for the tests' VMs without
 * memory. */
int vm_dt_write_raw(struct vm *vm, uint64_t *gpa)
{
	const struct vm_config *cfg = vm->cfg;

	*gpa = 0;
	for (unsigned i = 0; i < cfg->mem_region_count; i++)
		if (cfg->entry >= cfg->mem[i].gpa &&
		    cfg->entry - cfg->mem[i].gpa < cfg->mem[i].size)
			*gpa = cfg->mem[i].gpa + cfg->mem[i].size - VM_DT_RAW_WINDOW;
	return 0;
}

/* ---- the device model ---- */

void fake_dm_attach(struct vm *vm)
{
	unsigned n = TESSERA_IO_PAGES_FOR(vm->vcpu_count);
	void *mem = aligned_alloc(TESSERA_IO_PAGE_SIZE, n * TESSERA_IO_PAGE_SIZE);

	assert_non_null(mem);
	assert_true(nr_dm_pages < ARRAY_SIZE(dm_pages));
	dm_pages[nr_dm_pages++] = mem;
	assert_int_equal(io_vm_attach_request_pages(vm_io(vm), mem, n), 0);
}

struct tessera_io_slot *fake_dm_slot(struct vm *vm, unsigned vcpu_id)
{
	struct tessera_io_slot *slots = __atomic_load_n(&vm->io.slots,
							__ATOMIC_ACQUIRE);

	assert_non_null(slots);
	return &slots[vcpu_id];
}

void fake_dm_complete(struct vm *vm, unsigned vcpu_id, uint64_t value)
{
	struct tessera_io_slot *s = fake_dm_slot(vm, vcpu_id);

	assert_int_equal(__atomic_load_n(&s->state, __ATOMIC_ACQUIRE),
			 TESSERA_IO_STATE_PENDING);
	__atomic_store_n(&s->state, TESSERA_IO_STATE_PROCESSING, __ATOMIC_RELAXED);
	if (s->req.direction == TESSERA_IO_READ)
		__atomic_store_n(&s->req.value, value, __ATOMIC_RELAXED);
	__atomic_store_n(&s->state, TESSERA_IO_STATE_COMPLETE, __ATOMIC_RELEASE);
	if (io_completes_by_notify(vm_io(vm)))
		assert_int_equal(io_notify_finish(vm_io(vm), vcpu_id), 0);
}
