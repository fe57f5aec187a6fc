/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VMs (doc/architecture.rst, doc/user-vms.rst). Every VM of the scenario has
 * a fixed slot, whose index is the VM's id everywhere (hypervisor, generated
 * scenario.json, hypercalls, logs). Pre-launched VMs and the Service VM are
 * created at boot; a post-launched slot is empty until the Service VM's
 * device model creates its VM, and empty again once it is destroyed.
 *
 * What a VM may do and gets is decided by its capabilities (VM_CAP_*, from
 * the scenario), never by its kind.
 *
 * State changes (vm_power_off, vm_crash, vm_reset, the lifecycle calls) are
 * serialised by the VM's lock and reach its vCPUs through their pCPUs
 * (pcpu_call): when one returns, no vCPU of the VM runs guest code it
 * should not. Call them from a pCPU loop or a hypercall, never with a lock
 * held.
 */
#ifndef TESSERA_VM_H
#define TESSERA_VM_H

#include <arch_vm.h>
#include <config.h>
#include <io_emul.h>
#include <lib/spinlock.h>
#include <log.h>
#include <scenario.h>
#include <types.h>
#include <vcpu.h>
#include <vuart.h>

enum vm_state {
	VM_EMPTY,       /* post-launched slot without a VM */
	VM_CREATED,     /* post-launched, being set up, not started */
	VM_RUNNING,
	VM_PAUSED,
	VM_POWERED_OFF, /* PSCI SYSTEM_OFF */
	VM_CRASHED,     /* stopped by the hypervisor, reason logged */
	VM_RESET_REQUESTED, /* post-launched PSCI SYSTEM_RESET: stopped until
			       its device model resets it */
	VM_RESETTING,   /* transient, under the lock holder */
};

/* The memory a post-launched VM's device model gave it. */
struct vm_mem_stats {
	uint64_t mapped_bytes;
	uint32_t regions; /* SET_MEMORY_REGIONS entries accepted */
};

struct vm {
	unsigned id;
	const struct vm_config *cfg;
	const struct board_config *board;
	enum vm_state state; /* atomic; changed under lock */
	unsigned vcpu_count; /* vCPUs it has now */
	uint32_t completion_mode; /* TESSERA_IO_COMPLETION_* of this run */
	spinlock_t lock;
	struct vcpu vcpus[CONFIG_MAX_VCPUS_PER_VM];
	struct vuart vuart;
	struct console_out *console; /* its slot's console buffer */
	struct io_vm io; /* I/O handlers, request slots, stats */
	struct vm_mem_stats mem;
	struct log_ratelimit fault_log;
	/* Over the VM's life, not per run: a guest resets as often as it
	 * likes (its "resetting" line, and its device model's reset). */
	struct log_ratelimit reset_log, dm_reset_log;
	/* Its stop (power-off, crash) is logged in full (atomic; cleared by a
	 * start): the last VM to say so powers the board off. */
	bool stop_reported;
	struct arch_vm arch;
};

/* ---- boot (vm.c) ---- */

/* Every VM slot of the scenario; the static VMs are created and their
 * vCPU 0 started. 0, or -1 if no VM could be started. */
int vm_init_all(const struct scenario_config *sc);
unsigned vm_count(void);
struct vm *vm_by_id(unsigned id);
const char *vm_name(const struct vm *vm);
enum vm_state vm_get_state(const struct vm *vm);
bool vm_has_cap(const struct vm *vm, uint32_t cap);
struct io_vm *vm_io(struct vm *vm);
/* The VM that takes the upcall (VM_CAP_UPCALL), or NULL. */
struct vm *vm_upcall_target(void);

/* ---- memory (vm_mem.c) ---- */

/* The hypervisor's pointer to [gpa, gpa+size) if it is wholly the VM's RAM
 * and contiguous in the hypervisor's view, else NULL. */
void *vm_gpa_to_hva(const struct vm *vm, uint64_t gpa, uint64_t size);
bool vm_owns_gpa(const struct vm *vm, uint64_t gpa, uint64_t size);
/* Whether gpa lies in the board's RAM window (where a miss is a fault on
 * memory the VM does not own, not an I/O access). */
bool vm_gpa_in_ram_window(const struct vm *vm, uint64_t gpa);
/* The one checked copy helper for guest buffers: 0, or -EFAULT if any byte
 * of [gpa, gpa+size) is not the VM's RAM. */
int vm_copy_from_guest(const struct vm *vm, void *dst, uint64_t gpa,
		       size_t size);
int vm_copy_to_guest(const struct vm *vm, uint64_t gpa, const void *src,
		     size_t size);

/* ---- state changes (vm.c) ---- */

/* Stop the VM (until a reset), logging why. vm_power_off and vm_reset
 * return false when the VM is in the middle of another state change (a
 * pause, a resume): the caller asks again once it is over. True when done,
 * or moot (the VM stopped already). */
bool vm_power_off(struct vm *vm, const char *why);
void vm_crash(struct vm *vm, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* PSCI SYSTEM_RESET: restart a static VM at its entry with only vCPU 0 on;
 * a post-launched VM stops and waits for its device model. */
bool vm_reset(struct vm *vm, const char *why);

/* ---- post-launched VMs, for the Service VM's hypercalls (vm_runtime.c) ---- */

struct tessera_mem_region;

/* Each returns 0 or a negated errno (doc/hypercalls.rst). */
int vm_create(unsigned id, unsigned vcpu_count, uint32_t completion_mode);
int vm_destroy(struct vm *vm);
int vm_start(struct vm *vm);
int vm_pause(struct vm *vm);
int vm_resume(struct vm *vm);
int vm_reset_by_dm(struct vm *vm);
int vm_set_vcpu_regs(struct vm *vm, unsigned vcpu_id, uint64_t pc,
		     const uint64_t x[4]);
/* Map count regions of the Service VM's RAM into vm (a checked copy):
 * all of them, or none if any is refused. */
int vm_map_memory(struct vm *vm, const struct vm *sos,
		  const struct tessera_mem_region *r, unsigned count);
/* The device model's request pages, in the Service VM's RAM. */
int vm_set_request_pages(struct vm *vm, const struct vm *sos, uint64_t gpa,
			 uint64_t nr);
/* Events for the upcall VM: bitmap of VM ids whose state changed. */
uint64_t vm_take_events(void);

#endif
