/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtual CPUs (doc/scheduling.rst). A vCPU owns its whole context (struct
 * arch_vcpu: registers, EL1 state, timers, interrupt controller interface,
 * FP/SIMD); arch_vcpu_load()/arch_vcpu_put() move it on and off its pCPU.
 *
 * The vCPU thread is its life on its pCPU, one step per guest exit: handle
 * the named requests set for it, complete a pending I/O access (post-work),
 * enter the guest, handle the exit. A step that has to wait (WFI, a
 * forwarded access in notify mode) blocks the vCPU and returns: waiting is
 * vCPU state, never a stack frame.
 */
#ifndef TESSERA_VCPU_H
#define TESSERA_VCPU_H

#include <arch_vm.h>
#include <io_emul.h>
#include <scheduler.h>
#include <types.h>

struct pcpu;
struct vm;

/* Named requests (vcpu.requests): set from any pCPU with vcpu_request(),
 * acted on by the vCPU thread before it enters the guest again. */
#define VCPU_REQ_RESET BIT(0)   /* start afresh at boot_pc with boot_arg */
#define VCPU_REQ_VM_OFF BIT(1)  /* its VM asked to power off (PSCI) */
#define VCPU_REQ_VM_RESET BIT(2) /* its VM asked to reset (PSCI) */

enum vcpu_power {
	VCPU_POWER_OFF,
	VCPU_POWER_ON,
};

/* A trapped access waiting for the device model, and what to do after. */
struct vcpu_io {
	bool pending;
	struct io_access access;
};

struct vcpu_stats {
	uint64_t exits;
	uint64_t io_emulated;
	uint64_t io_forwarded;
	uint64_t io_polls; /* polling mode: looks at a slot still pending */
	uint64_t io_waits; /* notify mode: blocks for the device model */
	uint64_t wfi_blocks;
};

struct vcpu {
	struct vm *vm;
	unsigned id;          /* index in the VM, also its MPIDR.Aff0 */
	struct pcpu *pcpu;    /* the pCPU it runs on (fixed by the scenario) */
	struct sched_vcpu sched;
	uint32_t requests;    /* VCPU_REQ_* (atomic) */
	enum vcpu_power power; /* changed under the VM's lock */
	uint64_t boot_pc;     /* where VCPU_REQ_RESET starts it */
	uint64_t boot_arg[4]; /* x0..x3 (arm64) */
	struct vcpu_io io;
	struct vcpu_stats stats;
	struct arch_vcpu arch;
};

/* One step of the vCPU thread on its own pCPU (pcpu_run calls it). */
void vcpu_step(struct vcpu *v);

/* Ask v to act on `req` before its next guest entry; kicks its pCPU. */
void vcpu_request(struct vcpu *v, uint32_t req);

/* v's interrupt state changed (the vGIC says so): wake it from WFI, or make
 * it leave the guest and look. Any pCPU. */
void vcpu_kick(struct vcpu *v);

/* Trap path, on v's pCPU: the arch decoded a data access. Emulated, aborted
 * or forwarded; a forwarded one completes in a later vcpu_step(). */
void vcpu_data_access(struct vcpu *v, const struct io_access *a);

/* Trapped WFI (or PSCI CPU_SUSPEND): block until an interrupt or the timer. */
void vcpu_wait_for_interrupt(struct vcpu *v);

/* PSCI-shaped power control (doc/scheduling.rst, "Power"). */
#define VCPU_ON_OK 0
#define VCPU_ON_ALREADY 1  /* target is on */
#define VCPU_ON_RETRY 2    /* its VM is not running: a state change is
			      stopping the caller, which makes the call
			      again if it runs on (after a resume) */
int vcpu_power_on(struct vcpu *target, uint64_t pc, uint64_t arg);
/* The calling vCPU turns itself off (PSCI CPU_OFF). */
void vcpu_power_off(struct vcpu *v);
enum vcpu_power vcpu_power_state(const struct vcpu *v);

/* The vCPU with MPIDR `mpidr` in vm (Aff0 = index), or NULL. */
struct vcpu *vcpu_by_affinity(struct vm *vm, uint64_t mpidr);

#endif
