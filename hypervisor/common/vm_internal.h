/* SPDX-License-Identifier: BSD-3-Clause */
/* What vm.c and vm_runtime.c share and nothing else needs. */
#ifndef TESSERA_VM_INTERNAL_H
#define TESSERA_VM_INTERNAL_H

#include <vm.h>

/* States as bits, for vm_change_state(). */
#define VM_STATES(s) (1u << (s))
#define VM_LIVE (VM_STATES(VM_RUNNING) | VM_STATES(VM_PAUSED))

/* Move the VM from one of the states in `from` to `to`, under its lock;
 * false if it was in none of them. */
bool vm_change_state(struct vm *vm, uint32_t from, enum vm_state to);
/* The same; *found: the state it was in, read under the same lock. */
bool vm_change_state_found(struct vm *vm, uint32_t from, enum vm_state to,
			   enum vm_state *found);
/* vCPUs, I/O, stage 2 and interrupt controller for vcpu_count vCPUs. */
int vm_setup(struct vm *vm, unsigned vcpu_count, uint32_t completion_mode);
/* When it returns, no vCPU of the VM runs or holds hardware state. */
void vm_stop_vcpus(struct vm *vm);
/* Every vCPU off, vCPU 0 started at its boot entry; state RUNNING. */
void vm_start_vcpus(struct vm *vm);
/* The manager (a VM that may create VMs) stopped or restarts: the VMs made
 * of its memory go too (vm_runtime.c). Its own vCPUs are stopped, so none
 * of its hypercalls is under way. */
void vm_destroy_managed(const struct vm *manager);
/* After vm_stop_vcpus(): log what the VM's rate limits suppressed in this
 * run; at its end for good (stopped, destroyed), also over its life. */
void vm_log_summaries(struct vm *vm);
void vm_log_life_summaries(struct vm *vm);
/* Interrupt controller and request slots back to power-on state. */
void vm_reset_state(struct vm *vm);
/* A post-launched VM's state changed: tell its device model. */
void vm_note_event(struct vm *vm);

#endif
