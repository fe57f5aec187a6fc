/* SPDX-License-Identifier: BSD-3-Clause */
/* VM slots, boot-time creation and the state changes of running VMs (vm.h). */
#include <arch.h>
#include <console_input.h>
#include <console_out.h>
#include <errno.h>
#include <lib/format.h>
#include <lib/string.h>
#include <linux_boot.h>
#include <vm_dt.h>
#include <pcpu.h>
#include <stdarg.h>
#include <vm.h>

#include "vm_internal.h"

static struct vm vms[CONFIG_MAX_VMS];
static bool keep_board_up; /* the scenario's, from vm_init_all() */
static unsigned nr_vms;
static uint64_t vm_events; /* VM ids whose state changed (atomic) */

unsigned vm_count(void)
{
	return nr_vms;
}

struct vm *vm_by_id(unsigned id)
{
	return id < nr_vms ? &vms[id] : NULL;
}

const char *vm_name(const struct vm *vm)
{
	return vm->cfg->name;
}

enum vm_state vm_get_state(const struct vm *vm)
{
	return __atomic_load_n(&vm->state, __ATOMIC_ACQUIRE);
}

bool vm_has_cap(const struct vm *vm, uint32_t cap)
{
	return (vm->cfg->caps & cap) == cap;
}

struct io_vm *vm_io(struct vm *vm)
{
	return &vm->io;
}

struct vm *vm_upcall_target(void)
{
	for (unsigned i = 0; i < nr_vms; i++)
		if (vm_has_cap(&vms[i], VM_CAP_UPCALL) &&
		    vm_get_state(&vms[i]) == VM_RUNNING)
			return &vms[i];
	return NULL;
}

/* ---- events for the Service VM ---- */

uint64_t vm_take_events(void)
{
	return __atomic_exchange_n(&vm_events, 0, __ATOMIC_ACQ_REL);
}

void vm_note_event(struct vm *vm)
{
	struct vm *sos;

	if (!vm_has_cap(vm, VM_CAP_RUNTIME))
		return;
	__atomic_fetch_or(&vm_events, 1ull << vm->id, __ATOMIC_ACQ_REL);
	sos = vm_upcall_target();
	if (sos)
		arch_vm_irq_edge(sos, sos->cfg->event_intid);
}

void io_arch_raise_upcall(struct io_vm *io)
{
	struct vm *sos = vm_upcall_target();

	(void)io;
	if (sos)
		arch_vm_irq_edge(sos, sos->cfg->upcall_intid);
}

/* ---- console ---- */

/* Console input goes to the VM that takes it while that VM runs. */
static void console_connect(struct vm *vm, bool connect)
{
	if (vm_has_cap(vm, VM_CAP_CONSOLE_INPUT) && vm->cfg->vuart_gpa)
		console_input_set_target(connect ? &vm->vuart : NULL);
}

static void vuart_irq(void *vm, bool level)
{
	arch_vm_set_irq_level(vm, VUART_INTID, level);
}

/* ---- stopping and starting vCPUs ---- */

/* On v's own pCPU, between two guest entries: v stops and its hardware
 * state is given back. */
static void stop_on_pcpu(void *arg)
{
	struct vcpu *v = arg;

	sched_block(v, VCPU_BLOCK_STOPPED);
	if (v->pcpu->loaded == v)
		pcpu_unload(v->pcpu);
}

void vm_stop_vcpus(struct vm *vm)
{
	io_vm_cancel_all(&vm->io);
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		pcpu_call(vm->vcpus[i].pcpu, stop_on_pcpu, &vm->vcpus[i]);
}

void vm_start_vcpus(struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *v = &vm->vcpus[i];

		/* Stopped, so nobody else changes it: whatever it waited for
		 * in its last run (WFI, I/O) is over. */
		v->power = i == 0 ? VCPU_POWER_ON : VCPU_POWER_OFF;
		__atomic_store_n(&v->requests, 0, __ATOMIC_RELEASE);
		__atomic_store_n(&v->sched.blocked, VCPU_BLOCK_OFF,
				 __ATOMIC_SEQ_CST);
	}
	__atomic_store_n(&vm->stop_reported, false, __ATOMIC_RELEASE);
	__atomic_store_n(&vm->state, VM_RUNNING, __ATOMIC_RELEASE);
	console_connect(vm, true);
	vcpu_request(&vm->vcpus[0], VCPU_REQ_RESET);
	sched_wake(&vm->vcpus[0], VCPU_BLOCK_OFF);
}

bool vm_change_state_found(struct vm *vm, uint32_t from, enum vm_state to,
			   enum vm_state *found)
{
	bool ok;

	spin_lock(&vm->lock);
	*found = vm->state;
	ok = from & VM_STATES(vm->state);
	if (ok)
		__atomic_store_n(&vm->state, to, __ATOMIC_RELEASE);
	spin_unlock(&vm->lock);
	return ok;
}

bool vm_change_state(struct vm *vm, uint32_t from, enum vm_state to)
{
	enum vm_state found;

	return vm_change_state_found(vm, from, to, &found);
}

/* Its vCPUs stopped: what the rate limits held back from the log in this
 * run, so that a guest cannot hide how much it misbehaved. */
void vm_log_summaries(struct vm *vm)
{
	log_ratelimit_flush(&vm->fault_log);
	io_vm_log_summaries(&vm->io);
	arch_vm_log_summaries(vm);
}

void vm_log_life_summaries(struct vm *vm)
{
	log_ratelimit_flush(&vm->reset_log);
	log_ratelimit_flush(&vm->dm_reset_log);
}

/* A live VM stops for good (until a reset). */
/*
 * A finished run ends the machine: when every VM that is not post-launched
 * (those wait for a Service VM that has gone too) has stopped, the board
 * powers off, unless the scenario keeps it up.
 */
static void board_off_when_all_stopped(void)
{
	for (unsigned i = 0; i < nr_vms; i++) {
		enum vm_state s = vm_get_state(&vms[i]);

		if (vm_has_cap(&vms[i], VM_CAP_RUNTIME))
			continue;
		/* stopped, and its lines written: another pCPU may be
		 * stopping it right now */
		if ((s != VM_POWERED_OFF && s != VM_CRASHED) ||
		    !__atomic_load_n(&vms[i].stop_reported, __ATOMIC_ACQUIRE))
			return;
	}
	if (keep_board_up) {
		log_info("every VM has stopped; the board stays up (keep_board_up)");
		return;
	}
	log_info("every VM has stopped: powering the board off");
	console_out_flush(); /* every line out before the power goes */
	arch_board_power_off();
}

/* False if it was not live; *found: the state it was in. */
static bool stop_vm(struct vm *vm, enum vm_state to, enum vm_state *found)
{
	if (!vm_change_state_found(vm, VM_LIVE, to, found))
		return false;
	vm_stop_vcpus(vm);
	vm_log_summaries(vm);
	vm_log_life_summaries(vm);
	vm_destroy_managed(vm);
	vuart_flush(&vm->vuart);
	console_connect(vm, false);
	vm_note_event(vm);
	return true;
}

/* What the VM cost, in the log when it stops: exits by its vCPUs, and
 * everything its vCPUs' pCPUs did (other VMs' work there included). */
static void log_costs(const struct vm *vm)
{
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		const struct vcpu *v = &vm->vcpus[i];

		log_info("vm %s vcpu %u: %llu exits; pCPU %u: %llu exits, %llu "
			 "interrupts", vm_name(vm), i,
			 (unsigned long long)v->stats.exits, v->pcpu->id,
			 (unsigned long long)v->pcpu->stats.exits,
			 (unsigned long long)v->pcpu->stats.irqs);
		if (v->stats.io_forwarded)
			log_info("vm %s vcpu %u: %llu accesses forwarded, %llu "
				 "waits for the device model, %llu looks at a "
				 "pending slot", vm_name(vm), i,
				 (unsigned long long)v->stats.io_forwarded,
				 (unsigned long long)v->stats.io_waits,
				 (unsigned long long)v->stats.io_polls);
	}
}

/*
 * Whether a request that found the VM in `found` is over: it is not while
 * another state change is under way (VM_RESETTING; a vCPU that sees it is
 * on its way to being stopped, paused or restarted). Decided on the state
 * read with the failed change: a resume on another pCPU may end meanwhile.
 */
static bool settled(enum vm_state found)
{
	return found != VM_RESETTING;
}

bool vm_power_off(struct vm *vm, const char *why)
{
	enum vm_state found;

	if (!stop_vm(vm, VM_POWERED_OFF, &found))
		return settled(found);
	log_info("vm %s: powered off (%s)", vm_name(vm), why);
	log_costs(vm);
	__atomic_store_n(&vm->stop_reported, true, __ATOMIC_RELEASE);
	board_off_when_all_stopped();
	return true;
}

void vm_crash(struct vm *vm, const char *fmt, ...)
{
	enum vm_state found;
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (stop_vm(vm, VM_CRASHED, &found)) {
		log_err("vm %s: stopped: %s", vm_name(vm), why);
		__atomic_store_n(&vm->stop_reported, true, __ATOMIC_RELEASE);
		board_off_when_all_stopped();
	}
}

/* What vCPU 0 starts with: the entry, a fresh device tree in x0, and for
 * Linux a fresh image. */
static int prepare_boot(struct vm *vm)
{
	struct vcpu *boot = &vm->vcpus[0];

	boot->boot_pc = vm->cfg->entry;
	memset(boot->boot_arg, 0, sizeof(boot->boot_arg));
	if (vm->cfg->boot == VM_BOOT_LINUX)
		return linux_boot_load(vm, &boot->boot_arg[0]);
	return vm_dt_write_raw(vm, &boot->boot_arg[0]);
}

void vm_reset_state(struct vm *vm)
{
	vuart_reset(&vm->vuart);
	arch_vm_reset(vm);
	io_vm_reset(&vm->io); /* requests cancelled by the stop leave no slot */
}

bool vm_reset(struct vm *vm, const char *why)
{
	bool by_dm = vm->cfg->boot == VM_BOOT_BY_DM;
	enum vm_state found;

	if (!vm_change_state_found(vm, VM_LIVE,
				   by_dm ? VM_RESET_REQUESTED : VM_RESETTING,
				   &found))
		return settled(found);
	/* A guest resets itself as often as it likes. */
	if (log_ratelimit_allow(&vm->reset_log))
		log_info("vm %s: resetting (%s)", vm_name(vm), why);
	vm_stop_vcpus(vm);
	vm_log_summaries(vm);
	vm_destroy_managed(vm);
	if (by_dm) {
		/* Its device model reloads it and calls vm_reset_by_dm(). */
		vm_note_event(vm);
		return true;
	}
	vm_reset_state(vm);
	if (prepare_boot(vm) < 0) {
		__atomic_store_n(&vm->state, VM_CRASHED, __ATOMIC_RELEASE);
		vuart_flush(&vm->vuart);
		console_connect(vm, false);
		log_err("vm %s: cannot restart: boot images could not be loaded",
			vm_name(vm));
		return true;
	}
	vm_start_vcpus(vm);
	return true;
}

/* ---- creation ---- */

static unsigned nth_set_bit(uint64_t mask, unsigned n)
{
	for (unsigned bit = 0; bit < 64; bit++)
		if ((mask & BIT(bit)) && n-- == 0)
			return bit;
	return 64;
}

/* I/O emulation: the request machinery, and the hypervisor's own devices. */
static int init_io(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	struct io_vm_params params = {
		.vm_id = vm->id,
		.name = cfg->name,
		.owner = vm,
		.vcpu_count = vm->vcpu_count,
		.completion_mode = vm->completion_mode,
		.abort_on_unhandled = cfg->flags & VM_FLAG_ABORT_ON_UNHANDLED,
	};
	int ret = io_vm_init(&vm->io, &params);

	if (!ret && cfg->vuart_gpa) {
		vuart_init(&vm->vuart, vm->console);
		ret = io_register(&vm->io, IO_SPACE_MMIO, cfg->vuart_gpa,
				  VUART_MMIO_SIZE, vuart_access, &vm->vuart,
				  "vuart");
		vuart_connect_irq(&vm->vuart, vuart_irq, vm);
		vuart_set_stream(&vm->vuart,
				 vm_has_cap(vm, VM_CAP_CONSOLE_INPUT));
	}
	return ret;
}

int vm_setup(struct vm *vm, unsigned vcpu_count, uint32_t completion_mode)
{
	int ret;

	vm->vcpu_count = vcpu_count;
	vm->completion_mode = completion_mode;
	vm->mem = (struct vm_mem_stats){0};
	for (unsigned i = 0; i < vcpu_count; i++) {
		struct vcpu *v = &vm->vcpus[i];

		v->power = VCPU_POWER_OFF;
		v->requests = 0;
		v->io.pending = false;
		v->stats = (struct vcpu_stats){0};
		arch_vcpu_init(v);
	}
	ret = init_io(vm);
	if (!ret)
		ret = arch_vm_init(vm);
	return ret;
}

/* Every slot, with its vCPUs attached to their pCPUs for good (stopped). */
static int init_slot(struct vm *vm, unsigned id,
		     const struct scenario_config *sc)
{
	const struct vm_config *cfg = &sc->vms[id];
	uint64_t hz = arch_counter_hz();

	*vm = (struct vm){.id = id, .cfg = cfg, .board = sc->board,
			  .state = VM_EMPTY, .lock = SPINLOCK_INIT};
	vm->fault_log = (struct log_ratelimit)LOG_RATELIMIT_INIT(
		LOG_WARN, cfg->name, "outside its memory");
	vm->reset_log = (struct log_ratelimit)LOG_RATELIMIT_INIT(
		LOG_INFO, cfg->name, "resetting");
	vm->dm_reset_log = (struct log_ratelimit)LOG_RATELIMIT_INIT(
		LOG_INFO, cfg->name, "reset by its device model");
	vm->console = console_out_init_vm(id, cfg->name);
	for (unsigned i = 0; i < cfg->vcpu_count; i++) {
		struct vcpu *v = &vm->vcpus[i];
		struct pcpu *p = pcpu_get(nth_set_bit(cfg->pcpu_mask, i));

		v->vm = vm;
		v->id = i;
		v->pcpu = p;
		v->sched.blocked = VCPU_BLOCK_OFF | VCPU_BLOCK_STOPPED;
		v->sched.priority = cfg->priority;
		v->sched.slice = hz * cfg->slice_us / 1000000;
		if (!p || sched_attach(&p->sched, v) < 0) {
			log_err("vm %s: vCPU %u cannot be placed on pCPU %u",
				cfg->name, i, nth_set_bit(cfg->pcpu_mask, i));
			return -EINVAL;
		}
	}
	return 0;
}

static int create_static(struct vm *vm)
{
	uint32_t mode = vm->cfg->flags & VM_FLAG_IO_POLLING
				? TESSERA_IO_COMPLETION_POLLING
				: TESSERA_IO_COMPLETION_NOTIFY;
	int ret = vm_setup(vm, vm->cfg->vcpu_count, mode);

	if (!ret)
		ret = prepare_boot(vm);
	if (ret < 0)
		return ret;
	vm_start_vcpus(vm);
	return 0;
}

int vm_init_all(const struct scenario_config *sc)
{
	unsigned started = 0;

	nr_vms = sc->vm_count < CONFIG_MAX_VMS ? sc->vm_count : CONFIG_MAX_VMS;
	keep_board_up = sc->keep_board_up;
	for (unsigned i = 0; i < nr_vms; i++) {
		struct vm *vm = &vms[i];
		int ret = init_slot(vm, i, sc);

		if (!ret && !vm_has_cap(vm, VM_CAP_RUNTIME))
			ret = create_static(vm);
		if (ret < 0) {
			/* The other VMs must not depend on this one: run them. */
			log_err("vm %s: not started (error %d)", sc->vms[i].name,
				ret);
			__atomic_store_n(&vm->state, VM_CRASHED, __ATOMIC_RELEASE);
			continue;
		}
		if (vm_has_cap(vm, VM_CAP_RUNTIME))
			continue;
		started++;
		log_info("vm %s: %u vCPU(s) on pCPU mask 0x%llx, entry 0x%llx",
			 vm_name(vm), vm->vcpu_count,
			 (unsigned long long)vm->cfg->pcpu_mask,
			 (unsigned long long)vm->cfg->entry);
	}
	return started ? 0 : -1;
}
