/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tessera's hypercalls (doc/hypercalls.rst): one table of calls, each with
 * the capability its caller needs. Every argument is validated by the call
 * itself; guest buffers go through vm_copy_from_guest/vm_copy_to_guest.
 */
#include <errno.h>
#include <hypercall.h>
#include <io_emul.h>
#include <log.h>
#include <uapi/tessera_hypercall.h>
#include <vm.h>

#define HC_OWNER(fn) (((fn) >> 24) & 0x3fu)
#define HC_FAST_SMC64 0xc0000000u
#define HC_NUMBER(fn) ((fn) & 0xffffu)

bool hypercall_is_tessera(uint32_t fn)
{
	return (fn & 0xc0000000u) == HC_FAST_SMC64 &&
	       HC_OWNER(fn) == TESSERA_HC_OWNER;
}

typedef int64_t (*hypercall_fn)(struct vcpu *caller,
				const uint64_t args[HYPERCALL_ARGS]);

static int64_t hc_version(struct vcpu *caller, const uint64_t *args)
{
	(void)caller, (void)args;
	return TESSERA_HC_ABI_VERSION;
}

static int64_t hc_notify_request_finish(struct vcpu *caller,
					const uint64_t *args)
{
	struct vm *vm = args[0] < vm_count() ? vm_by_id((unsigned)args[0]) : NULL;

	(void)caller;
	if (!vm || args[1] >= vm->vcpu_count)
		return -EINVAL;
	return io_notify_finish(vm_io(vm), (unsigned)args[1]);
}

static const struct {
	hypercall_fn fn;
	uint32_t caps; /* VM_CAP_* the caller needs */
} hypercalls[] = {
	[HC_NUMBER(TESSERA_HC_VERSION)] = {hc_version, 0},
	[HC_NUMBER(TESSERA_HC_NOTIFY_REQUEST_FINISH)] = {hc_notify_request_finish,
							  VM_CAP_MANAGE_VMS},
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
