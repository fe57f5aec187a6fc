/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hypervisor as the device model sees it: one User VM, driven through
 * a table of operations. hsm.c implements it with /dev/tessera_hsm ioctls;
 * fake/fake_vm.c implements it for the host tests and the fuzzer (guest RAM
 * in a malloc'd buffer, IRQ line changes recorded). Nothing else in the DM
 * knows which one it talks to.
 *
 * Every operation returns 0 or a negative errno value.
 */
#ifndef TESSERA_DM_VMM_H
#define TESSERA_DM_VMM_H

#include <stdint.h>

#include <uapi/tessera_hypercall.h>
#include <uapi/tessera_ioreq.h>

/* What TESSERA_HSM_CREATE_VM gave. */
struct vmm_vm {
	uint32_t vm_id;
	uint32_t completion_mode;       /* TESSERA_IO_COMPLETION_* */
	uint32_t nr_request_pages;
	struct tessera_io_slot *slots;  /* slot i is vCPU i's */
};

struct vmm_ops {
	/* flags: TESSERA_VM_CREATE_*. */
	int (*create_vm)(void *ctx, const char *name, uint32_t vcpus,
			 uint32_t flags, struct vmm_vm *out);
	int (*get_info)(void *ctx, struct tessera_vm_info *info);
	/* Back [gpa, gpa + size) with the caller's memory at host. */
	int (*set_memory)(void *ctx, void *host, uint64_t gpa, uint64_t size,
			  uint32_t flags);
	int (*set_vcpu_regs)(void *ctx, uint32_t vcpu,
			     const struct tessera_vcpu_regs *regs);
	int (*start)(void *ctx);
	int (*reset)(void *ctx);
	int (*destroy)(void *ctx);
	/* op: TESSERA_IRQ_RAISE / LOWER / PULSE of a User VM SPI. */
	int (*irq_line)(void *ctx, uint32_t intid, uint32_t op);
	/*
	 * Block until requests or an event (at most timeout_ms, 0: no limit).
	 * *vcpu_mask: vCPUs whose slots are the DM's to complete now;
	 * *events: TESSERA_HSM_EVENT_*. A timeout or a signal is 0 with both
	 * zero, or -ETIMEDOUT / -EINTR.
	 */
	int (*wait)(void *ctx, uint32_t timeout_ms, uint64_t *vcpu_mask,
		    uint32_t *events);
	/* Notify-mode completion of vCPU's request. */
	int (*notify)(void *ctx, uint32_t vcpu);
};

struct vmm {
	const struct vmm_ops *ops;
	void *ctx;
};

#endif
