/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tessera's hypercalls (doc/hypercalls.rst): one table of calls, each with
 * the capability its caller needs. Every argument is validated before use;
 * structures in the caller's memory are copied in (or out) once, whole,
 * through vm_copy_from_guest/vm_copy_to_guest, and only the copy is looked
 * at: the caller may change its memory meanwhile.
 */
#include <arch.h>
#include <errno.h>
#include <hypercall.h>
#include <io_emul.h>
#include <lib/string.h>
#include <log.h>
#include <pcpu.h>
#include <uapi/tessera_hypercall.h>
#include <vm.h>

#define HC_OWNER(fn) (((fn) >> 24) & 0x3fu)
#define HC_FAST_SMC64 0xc0000000u
#define HC_NUMBER(fn) ((fn) & 0xffffu)

/* The VM a call names, or NULL. */
static struct vm *vm_arg(uint64_t id)
{
	return id < vm_count() ? vm_by_id((unsigned)id) : NULL;
}

/* A post-launched VM the call names: 0 and *vm, or the error. */
static int runtime_vm_arg(uint64_t id, struct vm **vm)
{
	*vm = vm_arg(id);
	if (!*vm)
		return -EINVAL;
	if (!vm_has_cap(*vm, VM_CAP_RUNTIME))
		return -EPERM;
	return 0;
}

bool hypercall_is_tessera(uint32_t fn)
{
	return (fn & 0xc0000000u) == HC_FAST_SMC64 &&
	       HC_OWNER(fn) == TESSERA_HC_OWNER;
}

static int64_t hc_version(struct vcpu *caller, const uint64_t *args)
{
	(void)caller, (void)args;
	return TESSERA_HC_ABI_VERSION;
}

static const uint32_t state_abi[] = {
	[VM_EMPTY] = TESSERA_VM_STATE_EMPTY,
	[VM_CREATED] = TESSERA_VM_STATE_CREATED,
	[VM_RUNNING] = TESSERA_VM_STATE_RUNNING,
	[VM_PAUSED] = TESSERA_VM_STATE_PAUSED,
	[VM_POWERED_OFF] = TESSERA_VM_STATE_POWERED_OFF,
	[VM_CRASHED] = TESSERA_VM_STATE_CRASHED,
	[VM_RESET_REQUESTED] = TESSERA_VM_STATE_RESET_REQUESTED,
	[VM_RESETTING] = TESSERA_VM_STATE_CREATED, /* transient, never seen */
};

static int64_t hc_vm_info(struct vcpu *caller, const uint64_t *args)
{
	struct vm *vm = vm_arg(args[0]);
	const struct vm_config *cfg;
	struct tessera_vm_info info;

	if (!vm)
		return -EINVAL;
	cfg = vm->cfg;
	info = (struct tessera_vm_info){
		.vm_id = vm->id,
		.kind = (uint32_t)cfg->kind,
		.state = state_abi[vm_get_state(vm)],
		.vcpu_count = vm_get_state(vm) == VM_EMPTY ? 0 : vm->vcpu_count,
		.max_vcpus = cfg->vcpu_count,
		.completion_mode = vm->completion_mode,
		.pcpu_mask = cfg->pcpu_mask,
		.max_memory = cfg->max_memory,
		.mapped_bytes = vm->mem.mapped_bytes,
		.vm_flags = cfg->flags,
		.vuart_intid = cfg->vuart_gpa ? VUART_INTID : 0,
		.vuart_base = cfg->vuart_gpa,
		.gicd_base = vm->board->gicd_base,
		.gicr_base = vm->board->gicr_base,
		.spi_count = ARCH_VM_SPI_COUNT,
	};
	memcpy(info.name, cfg->name, strnlen(cfg->name, sizeof(info.name) - 1));
	return vm_copy_to_guest(caller->vm, args[1], &info, sizeof(info));
}

static int64_t hc_vm_events(struct vcpu *caller, const uint64_t *args)
{
	(void)caller, (void)args;
	/* VM ids stay below 63 (CONFIG_MAX_VMS), so the bitmap is >= 0. */
	return (int64_t)vm_take_events();
}

static int64_t hc_notify_request_finish(struct vcpu *caller,
					const uint64_t *args)
{
	struct vm *vm = vm_arg(args[0]);

	(void)caller;
	if (!vm || args[1] >= vm->vcpu_count)
		return -EINVAL;
	return io_notify_finish(vm_io(vm), (unsigned)args[1]);
}

/* The slot a create names: by name, or by id when the name is empty. */
static struct vm *slot_named(const struct tessera_vm_create *c)
{
	if (!c->name[0])
		return vm_arg(c->vm_id);
	for (unsigned i = 0; i < vm_count(); i++)
		if (strcmp(vm_name(vm_by_id(i)), c->name) == 0)
			return vm_by_id(i);
	return NULL;
}

static int64_t hc_vm_create(struct vcpu *caller, const uint64_t *args)
{
	const uint32_t modes = TESSERA_VM_CREATE_NOTIFY | TESSERA_VM_CREATE_POLLING;
	struct tessera_vm_create c;
	uint32_t mode;
	struct vm *vm;
	int ret;

	if (vm_copy_from_guest(caller->vm, &c, args[0], sizeof(c)))
		return -EFAULT;
	for (unsigned i = 0; i < ARRAY_SIZE(c.reserved); i++)
		if (c.reserved[i])
			return -EINVAL;
	if ((c.flags & ~modes) || (c.flags & modes) == modes ||
	    strnlen(c.name, sizeof(c.name)) == sizeof(c.name))
		return -EINVAL;
	vm = slot_named(&c);
	if (!vm)
		return -ENOENT;
	mode = c.flags & TESSERA_VM_CREATE_POLLING ? TESSERA_IO_COMPLETION_POLLING
		: c.flags & TESSERA_VM_CREATE_NOTIFY ? TESSERA_IO_COMPLETION_NOTIFY
		: vm->cfg->flags & VM_FLAG_IO_POLLING ? TESSERA_IO_COMPLETION_POLLING
						      : TESSERA_IO_COMPLETION_NOTIFY;
	ret = vm_create(vm->id, c.vcpu_count, mode);
	return ret < 0 ? ret : (int64_t)vm->id;
}

static int64_t hc_vm_lifecycle(uint32_t fn, const uint64_t *args)
{
	struct vm *vm;
	int ret = runtime_vm_arg(args[0], &vm);

	if (ret < 0)
		return ret;
	switch (fn) {
	case TESSERA_HC_VM_DESTROY:
		return vm_destroy(vm);
	case TESSERA_HC_VM_START:
		return vm_start(vm);
	case TESSERA_HC_VM_PAUSE:
		return vm_pause(vm);
	case TESSERA_HC_VM_RESUME:
		return vm_resume(vm);
	default:
		return vm_reset_by_dm(vm);
	}
}

#define LIFECYCLE(name, id)                                                    \
	static int64_t name(struct vcpu *caller, const uint64_t *args)        \
	{                                                                      \
		(void)caller;                                                  \
		return hc_vm_lifecycle(id, args);                              \
	}
LIFECYCLE(hc_vm_destroy, TESSERA_HC_VM_DESTROY)
LIFECYCLE(hc_vm_start, TESSERA_HC_VM_START)
LIFECYCLE(hc_vm_pause, TESSERA_HC_VM_PAUSE)
LIFECYCLE(hc_vm_resume, TESSERA_HC_VM_RESUME)
LIFECYCLE(hc_vm_reset, TESSERA_HC_VM_RESET)

/* One page of regions per pCPU: a call is copied in whole, then checked
 * and mapped from the copy (vm_map_memory: all or nothing). */
static struct tessera_mem_region batch[CONFIG_MAX_PCPUS][TESSERA_MEM_REGIONS_MAX];

static int64_t hc_set_memory_regions(struct vcpu *caller, const uint64_t *args)
{
	struct tessera_mem_region *r = batch[pcpu_this()->id];
	uint64_t count = args[2];
	struct vm *vm;
	int ret = runtime_vm_arg(args[0], &vm);

	if (ret < 0)
		return ret;
	if (!count || count > TESSERA_MEM_REGIONS_MAX)
		return -EINVAL;
	if (vm_copy_from_guest(caller->vm, r, args[1], count * sizeof(*r)))
		return -EFAULT;
	return vm_map_memory(vm, caller->vm, r, (unsigned)count);
}

static int64_t hc_set_vcpu_regs(struct vcpu *caller, const uint64_t *args)
{
	struct tessera_vcpu_regs regs;
	struct vm *vm;
	int ret = runtime_vm_arg(args[0], &vm);

	if (ret < 0)
		return ret;
	if (vm_copy_from_guest(caller->vm, &regs, args[2], sizeof(regs)))
		return -EFAULT;
	for (unsigned i = 0; i < ARRAY_SIZE(regs.reserved); i++)
		if (regs.reserved[i])
			return -EINVAL;
	if (args[1] >= vm->vcpu_count)
		return -EINVAL;
	return vm_set_vcpu_regs(vm, (unsigned)args[1], regs.pc, regs.x);
}

static int64_t hc_set_request_pages(struct vcpu *caller, const uint64_t *args)
{
	struct vm *vm;
	int ret = runtime_vm_arg(args[0], &vm);

	if (ret < 0)
		return ret;
	return vm_set_request_pages(vm, caller->vm, args[1], args[2]);
}

static int64_t hc_set_irq_line(struct vcpu *caller, const uint64_t *args)
{
	struct vm *vm;
	int ret = runtime_vm_arg(args[0], &vm);

	(void)caller;
	if (ret < 0)
		return ret;
	if (args[1] > UINT32_MAX || !arch_vm_irq_is_free(vm, (unsigned)args[1]) ||
	    args[2] > TESSERA_IRQ_PULSE)
		return -EINVAL;
	if (vm_get_state(vm) == VM_EMPTY)
		return -EINVAL;
	if (args[2] == TESSERA_IRQ_PULSE)
		arch_vm_irq_edge(vm, (unsigned)args[1]);
	else
		arch_vm_set_irq_level(vm, (unsigned)args[1],
				      args[2] == TESSERA_IRQ_RAISE);
	return 0;
}

static int64_t hc_get_io_stats(struct vcpu *caller, const uint64_t *args)
{
	struct vm *vm = vm_arg(args[0]);
	struct tessera_io_stats st = {0};
	struct io_stats s;

	if (!vm)
		return -EINVAL;
	io_vm_get_stats(vm_io(vm), &s);
	st = (struct tessera_io_stats){s.emulated, s.forwarded, s.completed,
				       s.failed, s.unhandled, s.cancelled,
				       s.upcalls, {0}};
	return vm_copy_to_guest(caller->vm, args[1], &st, sizeof(st));
}

typedef int64_t (*hypercall_fn)(struct vcpu *caller,
				const uint64_t args[HYPERCALL_ARGS]);

#define CALL(id, fn, caps) [HC_NUMBER(id)] = {fn, caps}
static const struct {
	hypercall_fn fn;
	uint32_t caps; /* VM_CAP_* the caller needs */
} hypercalls[] = {
	CALL(TESSERA_HC_VERSION, hc_version, 0),
	CALL(TESSERA_HC_VM_INFO, hc_vm_info, VM_CAP_MANAGE_VMS),
	CALL(TESSERA_HC_VM_EVENTS, hc_vm_events, VM_CAP_MANAGE_VMS),
	CALL(TESSERA_HC_NOTIFY_REQUEST_FINISH, hc_notify_request_finish,
	     VM_CAP_MANAGE_VMS),
	CALL(TESSERA_HC_VM_CREATE, hc_vm_create, VM_CAP_MANAGE_VMS),
	CALL(TESSERA_HC_VM_DESTROY, hc_vm_destroy, VM_CAP_MANAGE_VMS),
	CALL(TESSERA_HC_VM_START, hc_vm_start, VM_CAP_MANAGE_VMS),
	CALL(TESSERA_HC_VM_PAUSE, hc_vm_pause, VM_CAP_MANAGE_VMS),
	CALL(TESSERA_HC_VM_RESUME, hc_vm_resume, VM_CAP_MANAGE_VMS),
	CALL(TESSERA_HC_VM_RESET, hc_vm_reset, VM_CAP_MANAGE_VMS),
	CALL(TESSERA_HC_SET_MEMORY_REGIONS, hc_set_memory_regions,
	     VM_CAP_MANAGE_VMS),
	CALL(TESSERA_HC_SET_VCPU_REGS, hc_set_vcpu_regs, VM_CAP_MANAGE_VMS),
	CALL(TESSERA_HC_SET_REQUEST_PAGES, hc_set_request_pages,
	     VM_CAP_MANAGE_VMS),
	CALL(TESSERA_HC_SET_IRQ_LINE, hc_set_irq_line, VM_CAP_MANAGE_VMS),
	CALL(TESSERA_HC_GET_IO_STATS, hc_get_io_stats, VM_CAP_MANAGE_VMS),
};

int64_t hypercall_dispatch(struct vcpu *caller, uint32_t fn,
			   const uint64_t args[HYPERCALL_ARGS])
{
	uint32_t n = HC_NUMBER(fn);

	if ((fn & ~0xffffu) != TESSERA_HC_ID(0) || n >= ARRAY_SIZE(hypercalls) ||
	    !hypercalls[n].fn)
		return -ENOSYS;
	if (!vm_has_cap(caller->vm, hypercalls[n].caps))
		return -EPERM;
	return hypercalls[n].fn(caller, args);
}
