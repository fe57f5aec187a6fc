/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * Tessera hypercalls: the ABI between the hypervisor and the Service VM's
 * HSM driver (and, for the few calls any VM may make, every guest).
 *
 * arm64: `hvc #0` under the SMC Calling Convention, in the SMCCC
 * vendor-specific hypervisor service range (owner 6): fast calls, SMC64.
 * Function ID in x0 (w0), arguments in x1..x4, result in x0: >= 0 on
 * success, a negated Linux errno value on failure. doc/hypercalls.rst lists
 * every call, who may make it and every error it returns.
 *
 * Arguments named *_gpa are guest-physical addresses in the caller's own
 * RAM (the Service VM's); the structure there is read (or written) once,
 * whole, through the hypervisor's checked copy helper.
 *
 * Shared by the hypervisor (freestanding), the HSM driver (__KERNEL__), the
 * device model, the tools and the tests; static asserts pin every layout.
 */
#ifndef TESSERA_UAPI_HYPERCALL_H
#define TESSERA_UAPI_HYPERCALL_H

#include "tessera_types.h"

#define TESSERA_HC_OWNER 6u
#define TESSERA_HC_ID(n) (0xc6000000u | (n)) /* fast, SMC64, owner 6 */

/* Any VM: () -> TESSERA_HC_ABI_VERSION */
#define TESSERA_HC_VERSION TESSERA_HC_ID(0x00)
/* (vm_id, info_gpa: struct tessera_vm_info) -> 0 */
#define TESSERA_HC_VM_INFO TESSERA_HC_ID(0x01)
/* () -> bitmap of VM ids whose state changed since the last call (cleared) */
#define TESSERA_HC_VM_EVENTS TESSERA_HC_ID(0x02)

/* (vm_id, vcpu_id) -> 0 */
#define TESSERA_HC_NOTIFY_REQUEST_FINISH TESSERA_HC_ID(0x10)

/* Post-launched VM lifecycle, Service VM only. */
/* (create_gpa: struct tessera_vm_create) -> vm_id */
#define TESSERA_HC_VM_CREATE TESSERA_HC_ID(0x20)
/* (vm_id) -> 0 */
#define TESSERA_HC_VM_DESTROY TESSERA_HC_ID(0x21)
#define TESSERA_HC_VM_START TESSERA_HC_ID(0x22)
#define TESSERA_HC_VM_PAUSE TESSERA_HC_ID(0x23)
#define TESSERA_HC_VM_RESUME TESSERA_HC_ID(0x24)
#define TESSERA_HC_VM_RESET TESSERA_HC_ID(0x25)

/* Set-up of a created (not yet started, or reset) VM, Service VM only. */
/* (vm_id, list_gpa: struct tessera_mem_region[count], count) -> 0 */
#define TESSERA_HC_SET_MEMORY_REGIONS TESSERA_HC_ID(0x30)
/* (vm_id, vcpu_id, regs_gpa: struct tessera_vcpu_regs) -> 0 */
#define TESSERA_HC_SET_VCPU_REGS TESSERA_HC_ID(0x31)
/* (vm_id, pages_gpa, nr_pages): physically contiguous, 4 KiB aligned -> 0 */
#define TESSERA_HC_SET_REQUEST_PAGES TESSERA_HC_ID(0x32)
/* (vm_id, intid, op: TESSERA_IRQ_*) -> 0 */
#define TESSERA_HC_SET_IRQ_LINE TESSERA_HC_ID(0x33)

/* (vm_id, stats_gpa: struct tessera_io_stats) -> 0 */
#define TESSERA_HC_GET_IO_STATS TESSERA_HC_ID(0x40)

#define TESSERA_HC_ABI_VERSION 0x00020000u /* major << 16 | minor */

/* VM kinds and states, as struct tessera_vm_info reports them. */
#define TESSERA_VM_KIND_PRE_LAUNCHED 0u
#define TESSERA_VM_KIND_SERVICE 1u
#define TESSERA_VM_KIND_POST_LAUNCHED 2u

#define TESSERA_VM_STATE_EMPTY 0u       /* post-launched slot, no VM */
#define TESSERA_VM_STATE_CREATED 1u     /* created, being set up, not started */
#define TESSERA_VM_STATE_RUNNING 2u
#define TESSERA_VM_STATE_PAUSED 3u
#define TESSERA_VM_STATE_POWERED_OFF 4u /* PSCI SYSTEM_OFF */
#define TESSERA_VM_STATE_CRASHED 5u     /* stopped by the hypervisor */
#define TESSERA_VM_STATE_RESET_REQUESTED 6u /* post-launched, PSCI SYSTEM_RESET:
					       stopped until its device model
					       reloads and resets it */

#define TESSERA_VM_NAME_MAX 16u /* with the terminating NUL */

/* TESSERA_HC_VM_CREATE. Unknown flags and non-zero reserved fields: -EINVAL. */
struct tessera_vm_create {
	char name[TESSERA_VM_NAME_MAX]; /* scenario slot; "" = by vm_id */
	tessera_u32 vm_id;              /* the slot, when name is "" */
	tessera_u32 vcpu_count;         /* 1..the slot's max_vcpus */
	tessera_u32 flags;              /* TESSERA_VM_CREATE_* */
	tessera_u32 reserved[5];
};

/* Completion mode for this run; default: the scenario's io_completion. */
#define TESSERA_VM_CREATE_NOTIFY (1u << 0)
#define TESSERA_VM_CREATE_POLLING (1u << 1)

/* TESSERA_HC_VM_INFO: the VM, and where the hypervisor emulates its
 * interrupt controller and UART (a device model leaves those addresses to
 * the hypervisor and describes them in the VM's device tree). */
/* The virtual GICv3 of every VM, at the bases tessera_vm_info reports: a
 * 64 KiB distributor and, per vCPU, a 128 KiB redistributor (RD_base, then
 * SGI_base), the architecture's layout without virtual LPIs. */
#define TESSERA_VGIC_GICD_SIZE 0x10000u
#define TESSERA_VGIC_GICR_FRAME_SIZE 0x20000u

struct tessera_vm_info {
	tessera_u32 vm_id;
	tessera_u32 kind;  /* TESSERA_VM_KIND_* */
	tessera_u32 state; /* TESSERA_VM_STATE_* */
	tessera_u32 vcpu_count; /* created vCPUs (0 for an empty slot) */
	tessera_u32 max_vcpus;
	tessera_u32 completion_mode; /* TESSERA_IO_COMPLETION_* in use */
	tessera_u64 pcpu_mask;       /* vCPU i runs on the i-th set bit */
	tessera_u64 max_memory;      /* bytes the scenario allows (post-launched) */
	tessera_u64 mapped_bytes;    /* RAM mapped now */
	char name[TESSERA_VM_NAME_MAX];
	tessera_u32 vm_flags;        /* scenario flags (hypervisor's VM_FLAG_*) */
	tessera_u32 vuart_intid;     /* 0: no virtual UART */
	tessera_u64 vuart_base;      /* virtual PL011, 4 KiB */
	tessera_u64 gicd_base;       /* virtual GICv3 distributor, 64 KiB */
	tessera_u64 gicr_base;       /* redistributors, 128 KiB per vCPU */
	tessera_u32 spi_count;       /* SPIs the virtual GIC has, from INTID 32 */
	tessera_u32 reserved[7];
};

/* TESSERA_HC_SET_MEMORY_REGIONS: at most this many regions per call. */
#define TESSERA_MEM_REGIONS_MAX 128u
#define TESSERA_MEM_READ (1u << 0)
#define TESSERA_MEM_WRITE (1u << 1)
#define TESSERA_MEM_EXEC (1u << 2)

struct tessera_mem_region {
	tessera_u64 vm_gpa;  /* User VM guest-physical base, 4 KiB aligned */
	tessera_u64 sos_gpa; /* Service VM guest-physical base (its RAM) */
	tessera_u64 size;    /* bytes, a non-zero multiple of 4 KiB */
	tessera_u32 flags;   /* TESSERA_MEM_*: at least READ */
	tessera_u32 reserved;
};

/* TESSERA_HC_SET_VCPU_REGS: where the vCPU starts (arm64: PC, X0..X3;
 * the rest at their architectural reset values, EL1h, interrupts masked). */
struct tessera_vcpu_regs {
	tessera_u64 pc;
	tessera_u64 x[4];
	tessera_u64 reserved[3];
};

/* TESSERA_HC_SET_IRQ_LINE ops */
#define TESSERA_IRQ_LOWER 0u
#define TESSERA_IRQ_RAISE 1u
#define TESSERA_IRQ_PULSE 2u /* a rising edge, the line left low */

/* TESSERA_HC_GET_IO_STATS */
struct tessera_io_stats {
	tessera_u64 emulated;  /* done by a hypervisor handler */
	tessera_u64 forwarded; /* published to the device model */
	tessera_u64 completed; /* forwarded and completed */
	tessera_u64 failed;    /* failed (bad access, bad reply) */
	tessera_u64 unhandled; /* no handler and no device model */
	tessera_u64 cancelled; /* forwarded, then cancelled by reset/destroy */
	tessera_u64 upcalls;   /* upcalls raised for it (notify mode: the
				  forwarded ones the device model did not
				  watch for) */
	tessera_u64 reserved[1];
};

TESSERA_ASSERT(sizeof(struct tessera_vm_create) == 48, "vm_create");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_vm_create, vm_id) == 16, "vm_id");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_vm_create, vcpu_count) == 20, "vcpus");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_vm_create, flags) == 24, "flags");
TESSERA_ASSERT(sizeof(struct tessera_vm_info) == 128, "vm_info");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_vm_info, pcpu_mask) == 24, "pcpus");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_vm_info, max_memory) == 32, "maxmem");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_vm_info, mapped_bytes) == 40, "mapped");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_vm_info, name) == 48, "name");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_vm_info, vm_flags) == 64, "vm_flags");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_vm_info, vuart_base) == 72, "vuart");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_vm_info, gicd_base) == 80, "gicd");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_vm_info, gicr_base) == 88, "gicr");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_vm_info, spi_count) == 96, "spis");
TESSERA_ASSERT(sizeof(struct tessera_mem_region) == 32, "mem_region");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_mem_region, sos_gpa) == 8, "sos_gpa");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_mem_region, size) == 16, "size");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_mem_region, flags) == 24, "mflags");
TESSERA_ASSERT(TESSERA_MEM_REGIONS_MAX * sizeof(struct tessera_mem_region) ==
		       4096, "one page of regions");
TESSERA_ASSERT(sizeof(struct tessera_vcpu_regs) == 64, "vcpu_regs");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_vcpu_regs, x) == 8, "x");
TESSERA_ASSERT(sizeof(struct tessera_io_stats) == 64, "io_stats");

#endif
