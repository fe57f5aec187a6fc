/* SPDX-License-Identifier: BSD-3-Clause */
#include <arch.h>
#include <arch_cpu.h>
#include <console_input.h>
#include <stdarg.h>
#include <lib/format.h>
#include <lib/range.h>
#include <lib/string.h>
#include <linux_boot.h>
#include <vm.h>

static struct vm vms[CONFIG_MAX_VMS];
static unsigned nr_vms;
/* pCPU -> the vCPU pinned to it; written once at boot. */
static struct vcpu *pcpu_vcpu[CONFIG_MAX_PCPUS];

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

struct io_vm *vm_io(struct vm *vm)
{
	return &vm->io;
}

struct vcpu *vcpu_on_pcpu(unsigned pcpu)
{
	return pcpu < CONFIG_MAX_PCPUS ? pcpu_vcpu[pcpu] : NULL;
}

void *vm_gpa_to_hva(const struct vm *vm, uint64_t gpa, uint64_t size)
{
	for (unsigned r = 0; r < vm->cfg->mem_region_count; r++) {
		const struct mem_region_config *m = &vm->cfg->mem[r];

		/* EL2 maps RAM 1:1, so the host-physical address is the pointer. */
		if (range_inside(gpa, size, m->gpa, m->size))
			return (void *)(uintptr_t)(m->hpa + (gpa - m->gpa));
	}
	return NULL;
}

bool vm_owns_gpa(const struct vm *vm, uint64_t gpa, uint64_t size)
{
	return vm_gpa_to_hva(vm, gpa, size) != NULL;
}

/* What vCPU 0 starts with: the entry, and for Linux a fresh image and DT. */
static int vm_prepare_boot(struct vm *vm)
{
	struct vcpu *boot = &vm->vcpus[0];

	boot->boot_pc = vm->cfg->entry;
	boot->boot_arg = 0;
	if (vm->cfg->kind == VM_KIND_SERVICE)
		return linux_boot_load(vm, &boot->boot_arg);
	return 0;
}

static unsigned nth_set_bit(uint64_t mask, unsigned n)
{
	for (unsigned bit = 0; bit < 64; bit++)
		if ((mask & BIT(bit)) && n-- == 0)
			return bit;
	return 64;
}

/* Console input goes to the VM that takes it while that VM runs. */
static void console_connect(struct vm *vm, bool connect)
{
	if (vm->cfg->kind == VM_KIND_SERVICE && vm->cfg->vuart_gpa)
		console_input_set_target(connect ? &vm->vuart : NULL);
}

static void vuart_irq(void *vm, bool level)
{
	arch_vm_set_irq_level(vm, VUART_INTID, level);
}

/* I/O emulation: the request machinery, and the hypervisor's own devices. */
static int vm_init_io(struct vm *vm)
{
	const struct vm_config *cfg = vm->cfg;
	struct io_vm_params params = {
		.vm_id = vm->id,
		.name = cfg->name,
		.vcpu_count = vm->vcpu_count,
		.completion_mode = cfg->flags & VM_FLAG_IO_POLLING
					   ? TESSERA_IO_COMPLETION_POLLING
					   : TESSERA_IO_COMPLETION_NOTIFY,
		.abort_on_unhandled = cfg->flags & VM_FLAG_ABORT_ON_UNHANDLED,
	};
	int ret = io_vm_init(&vm->io, &params);

	if (!ret && cfg->vuart_gpa) {
		ret = io_register(&vm->io, IO_SPACE_MMIO, cfg->vuart_gpa,
				  VUART_MMIO_SIZE, vuart_access, &vm->vuart,
				  "vuart");
		vuart_connect_irq(&vm->vuart, vuart_irq, vm);
		if (cfg->kind == VM_KIND_SERVICE) {
			vuart_set_stream(&vm->vuart, true);
			console_connect(vm, true);
		}
	}
	return ret;
}

static int vm_create(const struct vm_config *cfg)
{
	struct vm *vm = &vms[nr_vms];
	int ret;

	vm->id = nr_vms;
	vm->cfg = cfg;
	vm->state = VM_RUNNING;
	vm->vcpu_count = cfg->vcpu_count;
	vm->lock = (spinlock_t)SPINLOCK_INIT;
	vm->fault_log = (struct log_ratelimit)LOG_RATELIMIT_INIT(16, 1024);
	vuart_init(&vm->vuart, cfg->name);
	for (unsigned i = 0; i < vm->vcpu_count; i++) {
		struct vcpu *v = &vm->vcpus[i];

		v->vm = vm;
		v->id = i;
		v->pcpu = nth_set_bit(cfg->pcpu_mask, i);
		v->power = VCPU_OFF;
		v->parked = true;
		pcpu_vcpu[v->pcpu] = v;
	}
	ret = vm_init_io(vm);
	if (!ret)
		ret = arch_vm_init(vm);
	if (!ret)
		ret = vm_prepare_boot(vm);
	if (ret < 0)
		return ret;
	vm->vcpus[0].power = VCPU_ON_PENDING;
	nr_vms++;
	return 0;
}

/* Undo a half-created VM so that its pCPUs simply idle. */
static void vm_discard(struct vm *vm)
{
	if (vm->cfg && vm->cfg->kind == VM_KIND_SERVICE)
		console_input_set_target(NULL);
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		pcpu_vcpu[vm->vcpus[i].pcpu] = NULL;
	memset(vm, 0, sizeof(*vm));
}

int vm_create_all(const struct scenario_config *sc)
{
	for (unsigned i = 0; i < sc->vm_count; i++) {
		const struct vm_config *cfg = &sc->vms[i];
		int ret;

		if (cfg->kind == VM_KIND_POST_LAUNCHED)
			continue;
		ret = vm_create(cfg);
		if (ret < 0) {
			/* The other VMs must not depend on this one: run them. */
			log_err("vm %s: not started (error %d)", cfg->name, ret);
			vm_discard(&vms[nr_vms]);
			continue;
		}
		log_info("vm %s: %u vCPU(s) on pCPU mask 0x%llx, entry 0x%llx",
			 cfg->name, cfg->vcpu_count,
			 (unsigned long long)cfg->pcpu_mask,
			 (unsigned long long)cfg->entry);
	}
	return nr_vms ? 0 : -1;
}

static void kick_other_vcpus(struct vm *vm)
{
	struct vcpu *self = vcpu_current();

	for (unsigned i = 0; i < vm->vcpu_count; i++)
		if (&vm->vcpus[i] != self)
			arch_pcpu_kick(vm->vcpus[i].pcpu);
}

/* Move a running VM to `state`; false if it was not running. */
static bool vm_leave_running(struct vm *vm, enum vm_state state)
{
	bool was_running;

	spin_lock(&vm->lock);
	was_running = vm->state == VM_RUNNING;
	if (was_running) {
		for (unsigned i = 0; i < vm->vcpu_count; i++)
			__atomic_store_n(&vm->vcpus[i].power, VCPU_OFF,
					 __ATOMIC_RELEASE);
		__atomic_store_n(&vm->state, state, __ATOMIC_RELEASE);
	}
	spin_unlock(&vm->lock);
	if (was_running) {
		/* vCPUs waiting for a device model stop waiting (CANCELLED). */
		io_vm_cancel_all(&vm->io);
		vuart_flush(&vm->vuart);
		if (state != VM_RESETTING)
			console_connect(vm, false);
		kick_other_vcpus(vm);
	}
	return was_running;
}

void vm_power_off(struct vm *vm, const char *why)
{
	if (vm_leave_running(vm, VM_POWERED_OFF))
		log_info("vm %s: powered off (%s)", vm_name(vm), why);
}

void vm_crash(struct vm *vm, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (vm_leave_running(vm, VM_CRASHED))
		log_err("vm %s: stopped: %s", vm_name(vm), why);
}

void vm_reset(struct vm *vm, const char *why)
{
	struct vcpu *self = vcpu_current();
	struct vcpu *boot = &vm->vcpus[0];

	if (!vm_leave_running(vm, VM_RESETTING))
		return;
	log_info("vm %s: resetting (%s)", vm_name(vm), why);
	/* Every other vCPU must be out of the guest before vCPU 0 restarts. */
	for (unsigned i = 0; i < vm->vcpu_count; i++)
		while (&vm->vcpus[i] != self &&
		       !__atomic_load_n(&vm->vcpus[i].parked, __ATOMIC_ACQUIRE))
			cpu_relax();
	arch_vm_reset(vm);
	/* Requests cancelled above leave no slot behind for the next run. */
	if (io_vm_reset(&vm->io) < 0)
		log_warn("vm %s: I/O request slots could not all be freed",
			 vm_name(vm));
	if (vm_prepare_boot(vm) < 0) {
		__atomic_store_n(&vm->state, VM_CRASHED, __ATOMIC_RELEASE);
		log_err("vm %s: cannot restart: boot images could not be loaded",
			vm_name(vm));
		return;
	}
	__atomic_store_n(&boot->power, VCPU_ON_PENDING, __ATOMIC_RELEASE);
	__atomic_store_n(&vm->state, VM_RUNNING, __ATOMIC_RELEASE);
	if (boot != self)
		arch_pcpu_kick(boot->pcpu);
}
