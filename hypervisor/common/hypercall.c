/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <hypercall.h>
#include <io_emul.h>
#include <log.h>
#include <uapi/tessera_hypercall.h>
#include <vm.h>

#define HC_OWNER(fn) (((fn) >> 24) & 0x3fu)
#define HC_FAST_SMC64 0xc0000000u

bool hypercall_is_tessera(uint32_t fn)
{
	return (fn & 0xc0000000u) == HC_FAST_SMC64 &&
	       HC_OWNER(fn) == TESSERA_HC_OWNER;
}

static bool from_service_vm(const struct vcpu *caller)
{
	return caller->vm->cfg->kind == VM_KIND_SERVICE;
}

static int64_t notify_request_finish(uint64_t vm_id, uint64_t vcpu_id)
{
	struct vm *vm;

	if (vm_id >= vm_count() || vcpu_id >= CONFIG_MAX_VCPUS_PER_VM)
		return -EINVAL;
	vm = vm_by_id((unsigned)vm_id);
	if (vcpu_id >= vm->vcpu_count)
		return -EINVAL;
	return io_notify_finish(vm_io(vm), (unsigned)vcpu_id);
}

int64_t hypercall_dispatch(struct vcpu *caller, uint32_t fn,
			   const uint64_t args[HYPERCALL_ARGS])
{
	switch (fn) {
	case TESSERA_HC_VERSION:
		return TESSERA_HC_ABI_VERSION;
	case TESSERA_HC_NOTIFY_REQUEST_FINISH:
		if (!from_service_vm(caller))
			return -EPERM;
		return notify_request_finish(args[0], args[1]);
	default:
		return -ENOSYS;
	}
}
