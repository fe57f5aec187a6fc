/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Physical interrupts taken at EL2, and the virtual CPU interface of the
 * vCPU running on this pCPU (its list registers).
 */
#ifndef TESSERA_ARM64_IRQ_H
#define TESSERA_ARM64_IRQ_H

#include <types.h>

struct vcpu;
struct vm;

/* Per pCPU, after the GIC: size the list registers, enable the interface. */
void arm64_vgic_cpu_init(void);
/* Acknowledge and handle every pending physical interrupt. */
void arm64_handle_irqs(void);
/* Around the guest: fold list registers into the vGIC on every exit, and
 * refill them before every entry. */
void arm64_vgic_exit(struct vcpu *vcpu);
void arm64_vgic_enter(struct vcpu *vcpu);
/* vCPU reset: empty its list registers, deactivate forwarded interrupts. */
void arm64_vgic_vcpu_reset(struct vcpu *vcpu);
/* Whether the vCPU has an interrupt it could take now (ends a WFI). */
bool arm64_vgic_has_pending(struct vcpu *vcpu);
/* Passthrough SPIs of a VM: route them to it (at VM creation). */
void arm64_irq_claim_spis(struct vm *vm);
/* The console UART's receive interrupt, on the boot pCPU. */
void arm64_console_rx_init(void);

#endif
