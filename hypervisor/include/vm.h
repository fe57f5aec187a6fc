/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * VMs and their vCPUs. Every VM of the scenario is created at boot; each vCPU
 * is pinned to the pCPU the scenario gives it, so "running a vCPU" is that
 * pCPU's whole job and no scheduler is involved for partitioned VMs.
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
#include <vuart.h>

enum vcpu_power {
	VCPU_OFF,
	VCPU_ON_PENDING, /* CPU_ON accepted, its pCPU has not entered it yet */
	VCPU_ON,
};

enum vm_state {
	VM_RUNNING,
	VM_POWERED_OFF, /* PSCI SYSTEM_OFF */
	VM_CRASHED,     /* stopped by the hypervisor, reason logged */
	VM_RESETTING,   /* SYSTEM_RESET: vCPUs parking before the restart */
};

struct vm;

struct vcpu {
	struct vm *vm;
	unsigned id;   /* index in the VM, also its MPIDR.Aff0 */
	unsigned pcpu; /* the pCPU it is pinned to */
	enum vcpu_power power; /* atomic: written by other pCPUs (CPU_ON) */
	bool parked;           /* atomic: its pCPU waits outside the guest */
	uint64_t boot_pc;
	uint64_t boot_arg;
	struct arch_vcpu arch;
};

struct vm {
	unsigned id;
	const struct vm_config *cfg;
	enum vm_state state; /* atomic */
	unsigned vcpu_count;
	spinlock_t lock; /* serialises state changes */
	struct vcpu vcpus[CONFIG_MAX_VCPUS_PER_VM];
	struct vuart vuart;
	struct io_vm io; /* I/O handlers, request slots, stats */
	struct log_ratelimit fault_log;
	struct arch_vm arch;
};

/* Create every VM of the scenario (stage 2, devices); start their vCPU 0. */
int vm_create_all(const struct scenario_config *sc);
unsigned vm_count(void);
struct vm *vm_by_id(unsigned id);
const char *vm_name(const struct vm *vm);
enum vm_state vm_get_state(const struct vm *vm);
struct io_vm *vm_io(struct vm *vm);

/* Whether [gpa, gpa+size) lies wholly in the VM's RAM. */
bool vm_owns_gpa(const struct vm *vm, uint64_t gpa, uint64_t size);
/* The hypervisor's pointer to [gpa, gpa+size) if wholly in one RAM region. */
void *vm_gpa_to_hva(const struct vm *vm, uint64_t gpa, uint64_t size);

/* Stop the VM for good (until a reset), logging why. Callable from any vCPU. */
void vm_power_off(struct vm *vm, const char *why);
void vm_crash(struct vm *vm, const char *fmt, ...) PRINTF_LIKE(2, 3);
/* Restart the VM at its entry point with only vCPU 0 on. */
void vm_reset(struct vm *vm, const char *why);

/* The vCPU pinned to `pcpu`, or NULL if that pCPU has none. */
struct vcpu *vcpu_on_pcpu(unsigned pcpu);
/* The vCPU running on this pCPU (valid while in a trap handler). */
struct vcpu *vcpu_current(void);
struct vcpu *vcpu_by_affinity(struct vm *vm, uint64_t mpidr);

/* A pCPU's life when it has a vCPU: wait until it is on, then run it. */
NORETURN void vcpu_run_loop(struct vcpu *vcpu);
/* Before returning to the guest: park if the VM stopped or this vCPU went off. */
void vcpu_check_requests(struct vcpu *vcpu);

/* PSCI-shaped power control; returns 0, or -EALREADY style codes below. */
#define VCPU_ON_OK 0
#define VCPU_ON_ALREADY 1
#define VCPU_ON_PENDING_ALREADY 2
int vcpu_power_on(struct vcpu *target, uint64_t pc, uint64_t arg);
void vcpu_power_off(struct vcpu *vcpu);
enum vcpu_power vcpu_power_state(const struct vcpu *vcpu);

#endif
