/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Tessera HSM driver: definitions shared by its files. doc/hsm.rst.
 */
#ifndef TESSERA_HSM_INTERNAL_H
#define TESSERA_HSM_INTERNAL_H

#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mm_types.h>
#include <linux/mutex.h>
#include <linux/rwsem.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/wait.h>

#include <tessera_hsm.h>

#define HSM_NAME "tessera_hsm"

/* The request slots are mapped to user space page by page. */
static_assert(PAGE_SIZE == TESSERA_IO_PAGE_SIZE,
	      "the HSM driver needs a 4 KiB-page kernel");

/* vcpu_mask in TESSERA_HSM_WAIT is 64 bits wide. */
#define HSM_MAX_VCPUS 64u
/* TESSERA_HC_VM_EVENTS returns a 64-bit bitmap of VM ids. */
#define HSM_MAX_VM_ID 63u

/* What the driver knows of a VM's life (the hypervisor knows the rest). */
enum hsm_vm_state {
	HSM_VM_NONE,	/* nothing created on this file (yet, or any more) */
	HSM_VM_CREATED,	/* created or reset: set-up calls allowed */
	HSM_VM_STARTED,	/* started: running, paused or stopped by itself */
};

struct hsm_range {
	u32 type;
	u64 start;
	u64 end;	/* inclusive */
};

/* The access of a claimed request, copied once from its slot. */
struct hsm_req_snap {
	u32 type;
	u32 size;
	u64 addr;
};

struct hsm_client {
	struct kref ref;	/* the VM's table, and each waiter */
	struct hsm_vm *vm;
	u32 id;
	bool is_default;
	wait_queue_head_t wq;
	/* Under vm->ioreq_lock: */
	bool dead;
	u64 pending;		/* vCPUs whose requests await a WAIT */
	u32 events;		/* TESSERA_HSM_EVENT_* not yet reported */
	unsigned int nr_ranges;
	struct hsm_range ranges[TESSERA_HSM_MAX_RANGES];
};

/*
 * A VM's request pages: physically contiguous, zeroed. The VM holds one
 * reference and each user mapping one, so the pages outlive a destroyed VM
 * until they are unmapped.
 */
struct hsm_req_area {
	struct kref ref;
	void *va;
	unsigned int nr_pages;
};

/* One SET_MEMORY call's pinned user pages. */
struct hsm_mem {
	struct list_head node;
	u64 vm_gpa;
	unsigned long nr_pages;
	struct page **pages;
	struct mm_struct *mm;	/* whose locked_vm counts the pins (grabbed) */
};

/*
 * Locking, outermost first:
 *   sem        (rw_semaphore) lifecycle and set-up take it for writing,
 *              the hot paths (NOTIFY, IRQ_LINE, WAIT's look-up) for reading;
 *   mmap_lock  taken under sem by pin_user_pages and user copies, never the
 *              other way round: mmap() does not take sem but map_lock;
 *   hsm_vms_lock (global mutex) the list the upcall handlers walk;
 *   map_lock   the request pages, against mmap();
 *   ioreq_lock (spinlock) clients' ranges, pending masks and events, the
 *              snapshots and the unrouted mask.
 */
struct hsm_vm {
	struct rw_semaphore sem;
	enum hsm_vm_state state;
	u32 vm_id;
	u32 vcpu_count;
	u32 completion_mode;
	u32 spi_count;
	u64 max_memory;
	char name[TESSERA_VM_NAME_MAX];

	/* The request pages; slots is area->va while the VM exists. */
	struct mutex map_lock;
	struct hsm_req_area *area;
	struct tessera_io_slot *slots;
	unsigned int nr_req_pages;

	struct list_head node;	/* in hsm_vms while listed */
	bool listed;

	/* Pinned memory (under sem). */
	struct list_head mem;
	u64 pinned_bytes;

	spinlock_t ioreq_lock;
	struct hsm_client *clients[TESSERA_HSM_MAX_CLIENTS];
	struct hsm_client *default_client;
	u32 next_client_id;
	u64 unrouted;		/* claimed, but no client matched yet */
	u32 events;		/* events that came when no client existed */
	struct hsm_req_snap claimed[HSM_MAX_VCPUS];
	u64 nr_dispatched;
	u64 nr_unrouted;
};

/* hsm_main.c: the upcalls' state. */
extern struct mutex hsm_vms_lock;
extern struct list_head hsm_vms;
void hsm_io_upcall(void);
void hsm_event_upcall(void);

/* hsm_vm.c */
void hsm_vm_init(struct hsm_vm *vm);
void hsm_vm_teardown(struct hsm_vm *vm);
long hsm_vm_create(struct hsm_vm *vm, void __user *arg);
long hsm_vm_lifecycle(struct hsm_vm *vm, unsigned int cmd);
long hsm_vm_set_memory(struct hsm_vm *vm, void __user *arg);
long hsm_vm_set_vcpu_regs(struct hsm_vm *vm, void __user *arg);
long hsm_vm_irq_line(struct hsm_vm *vm, void __user *arg);
long hsm_vm_get_info(struct hsm_vm *vm, void __user *arg);
long hsm_vm_get_io_stats(struct hsm_vm *vm, void __user *arg);

/* hsm_ioreq.c */
long hsm_create_client(struct hsm_vm *vm, void __user *arg);
long hsm_destroy_client(struct hsm_vm *vm, void __user *arg);
long hsm_add_range(struct hsm_vm *vm, void __user *arg);
long hsm_wait(struct hsm_vm *vm, void __user *arg);
long hsm_notify(struct hsm_vm *vm, void __user *arg);
int hsm_mmap(struct hsm_vm *vm, struct vm_area_struct *vma);
struct hsm_req_area *hsm_req_area_alloc(unsigned int nr_pages);
void hsm_req_area_put(struct hsm_req_area *area);
void hsm_dispatch_vm(struct hsm_vm *vm);
void hsm_flag_event(struct hsm_vm *vm, u32 events);
void hsm_clients_destroy_all(struct hsm_vm *vm);
void hsm_requests_forget(struct hsm_vm *vm);

/* Hypercalls (hsm_hvc.c, or the test double in hsm_mock.c). */
long hsm_hvc(u32 fn, u64 a1, u64 a2, u64 a3);

#ifdef TESSERA_HSM_MOCK
int hsm_mock_init(void);
void hsm_mock_exit(void);
#endif

#endif
