/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * The Service VM's HSM driver (misc/hsm): the ioctl ABI of /dev/tessera_hsm,
 * shared by the driver, the device model, the tools and the tests.
 *
 * One open file is one User VM. TESSERA_HSM_CREATE_VM binds the file to a
 * post-launched slot of the scenario; closing the file (also when the device
 * model is killed) fails the VM's outstanding requests, destroys the VM and
 * releases everything the driver holds for it. doc/hsm.rst describes every
 * ioctl and its errors.
 *
 * mmap(fd, offset 0, nr_request_pages * 4 KiB, PROT_READ|PROT_WRITE,
 * MAP_SHARED): the VM's request slots (uapi/tessera_ioreq.h).
 */
#ifndef TESSERA_UAPI_HSM_H
#define TESSERA_UAPI_HSM_H

#include <linux/ioctl.h>

#include "tessera_hypercall.h"
#include "tessera_ioreq.h"
#include "tessera_types.h"

#define TESSERA_HSM_DEVICE "/dev/tessera_hsm"
#define TESSERA_HSM_IOCTL 0xE6 /* ioctl type */

/* TESSERA_HSM_CREATE_VM: in name, vcpu_count, flags; out the rest. */
struct tessera_hsm_create_vm {
	char name[TESSERA_VM_NAME_MAX]; /* scenario slot of a post-launched VM */
	tessera_u32 vcpu_count;         /* 1..max_vcpus */
	tessera_u32 flags;              /* TESSERA_VM_CREATE_* */
	tessera_u32 vm_id;              /* out: the slot's stable id */
	tessera_u32 completion_mode;    /* out: TESSERA_IO_COMPLETION_* */
	tessera_u32 nr_request_pages;   /* out: pages to mmap at offset 0 */
	tessera_u32 reserved[3];        /* zero */
};

/* TESSERA_HSM_SET_MEMORY: back [vm_gpa, vm_gpa + size) with the caller's
 * memory at user_addr (both 4 KiB aligned); the driver pins it until the VM
 * is destroyed. Repeatable for several ranges. */
struct tessera_hsm_memory {
	tessera_u64 user_addr;
	tessera_u64 vm_gpa;
	tessera_u64 size;
	tessera_u32 flags;    /* TESSERA_MEM_* */
	tessera_u32 reserved; /* zero */
};

struct tessera_hsm_vcpu_regs {
	tessera_u32 vcpu_id;
	tessera_u32 reserved; /* zero */
	struct tessera_vcpu_regs regs;
};

struct tessera_hsm_irq_line {
	tessera_u32 intid; /* a User VM SPI */
	tessera_u32 op;    /* TESSERA_IRQ_* */
};

/* Request clients (ACRN's model): a request goes to the client one of whose
 * ranges wholly contains the access, else to the default client. */
#define TESSERA_HSM_CLIENT_DEFAULT (1u << 0)

struct tessera_hsm_client {
	tessera_u32 flags;     /* TESSERA_HSM_CLIENT_DEFAULT or 0 */
	tessera_u32 client_id; /* out */
};

struct tessera_hsm_range {
	tessera_u32 client_id;
	tessera_u32 type;   /* TESSERA_IO_TYPE_* */
	tessera_u64 start;  /* first address */
	tessera_u64 end;    /* last address (inclusive) */
};

/* TESSERA_HSM_WAIT: block until the client has requests or the VM an event.
 * Requests handed to the client are PROCESSING in their slots; the client
 * emulates them, writes req.value for reads, sets the state COMPLETE and
 * calls TESSERA_HSM_NOTIFY for notify-mode VMs. */
struct tessera_hsm_wait {
	tessera_u32 client_id;
	tessera_u32 timeout_ms; /* 0: no timeout */
	tessera_u64 vcpu_mask;  /* out: vCPUs whose requests are the client's now */
	tessera_u32 events;     /* out: TESSERA_HSM_EVENT_* */
	tessera_u32 reserved;   /* zero */
};

/* The VM's state changed (powered off, reset requested, crashed):
 * TESSERA_HSM_GET_INFO tells which state. */
#define TESSERA_HSM_EVENT_STATE (1u << 0)

struct tessera_hsm_notify {
	tessera_u32 vcpu_id;
	tessera_u32 reserved; /* zero */
};

#define TESSERA_HSM_CREATE_VM _IOWR(TESSERA_HSM_IOCTL, 0x00, struct tessera_hsm_create_vm)
#define TESSERA_HSM_START_VM _IO(TESSERA_HSM_IOCTL, 0x01)
#define TESSERA_HSM_PAUSE_VM _IO(TESSERA_HSM_IOCTL, 0x02)
#define TESSERA_HSM_RESUME_VM _IO(TESSERA_HSM_IOCTL, 0x03)
#define TESSERA_HSM_RESET_VM _IO(TESSERA_HSM_IOCTL, 0x04)
#define TESSERA_HSM_DESTROY_VM _IO(TESSERA_HSM_IOCTL, 0x05)
#define TESSERA_HSM_SET_MEMORY _IOW(TESSERA_HSM_IOCTL, 0x10, struct tessera_hsm_memory)
#define TESSERA_HSM_SET_VCPU_REGS _IOW(TESSERA_HSM_IOCTL, 0x11, struct tessera_hsm_vcpu_regs)
#define TESSERA_HSM_IRQ_LINE _IOW(TESSERA_HSM_IOCTL, 0x12, struct tessera_hsm_irq_line)
#define TESSERA_HSM_CREATE_CLIENT _IOWR(TESSERA_HSM_IOCTL, 0x20, struct tessera_hsm_client)
#define TESSERA_HSM_DESTROY_CLIENT _IOW(TESSERA_HSM_IOCTL, 0x21, tessera_u32)
#define TESSERA_HSM_ADD_RANGE _IOW(TESSERA_HSM_IOCTL, 0x22, struct tessera_hsm_range)
#define TESSERA_HSM_WAIT _IOWR(TESSERA_HSM_IOCTL, 0x23, struct tessera_hsm_wait)
#define TESSERA_HSM_NOTIFY _IOW(TESSERA_HSM_IOCTL, 0x24, struct tessera_hsm_notify)
#define TESSERA_HSM_GET_INFO _IOR(TESSERA_HSM_IOCTL, 0x30, struct tessera_vm_info)
#define TESSERA_HSM_GET_IO_STATS _IOR(TESSERA_HSM_IOCTL, 0x31, struct tessera_io_stats)

/* Limits the driver enforces. */
#define TESSERA_HSM_MAX_CLIENTS 8u
#define TESSERA_HSM_MAX_RANGES 32u /* per client */

TESSERA_ASSERT(sizeof(struct tessera_hsm_create_vm) == 48, "create_vm");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_hsm_create_vm, vm_id) == 24, "vm_id");
TESSERA_ASSERT(sizeof(struct tessera_hsm_memory) == 32, "memory");
TESSERA_ASSERT(sizeof(struct tessera_hsm_vcpu_regs) == 72, "vcpu_regs");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_hsm_vcpu_regs, regs) == 8, "regs");
TESSERA_ASSERT(sizeof(struct tessera_hsm_irq_line) == 8, "irq_line");
TESSERA_ASSERT(sizeof(struct tessera_hsm_client) == 8, "client");
TESSERA_ASSERT(sizeof(struct tessera_hsm_range) == 24, "range");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_hsm_range, start) == 8, "start");
TESSERA_ASSERT(sizeof(struct tessera_hsm_wait) == 24, "wait");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_hsm_wait, vcpu_mask) == 8, "mask");
TESSERA_ASSERT(sizeof(struct tessera_hsm_notify) == 8, "notify");

#endif
