/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The GICv3 virtual CPU interface of the vCPU loaded on this pCPU: list
 * registers around each guest entry, the rest with the vCPU's context.
 */
#ifndef TESSERA_ARM64_VGIC_HW_H
#define TESSERA_ARM64_VGIC_HW_H

struct vcpu;

/* Per pCPU, after the GIC: size the list registers, clear the interface. */
void arm64_vgic_cpu_init(void);
/* After an exit: fold the list registers in use into the vGIC. */
void arm64_vgic_exit(struct vcpu *v);
/* Before an entry: refill the list registers if anything changed. */
void arm64_vgic_enter(struct vcpu *v);
/* With arch_vcpu_load/put: the interface's state in and out. */
void arm64_vgic_load(struct vcpu *v);
void arm64_vgic_put(struct vcpu *v);
/* vCPU reset (not loaded): empty its interface, deactivate what the guest
 * left active. */
void arm64_vgic_vcpu_reset(struct vcpu *v);

#endif
