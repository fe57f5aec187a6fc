/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Physical interrupts taken at EL2: a guest's own (its timers, passthrough
 * SPIs) go to its vGIC hardware-mapped; the hypervisor's (kicks, its own
 * timer, maintenance, console input) are handled here.
 */
#ifndef TESSERA_ARM64_IRQ_H
#define TESSERA_ARM64_IRQ_H

#include <types.h>

struct board_config;
struct pcpu;
struct vm;

/* Acknowledge and handle every pending physical interrupt on p. */
void arm64_handle_irqs(struct pcpu *p);
/* A VM's passthrough SPIs: routed to it at creation, released at teardown. */
void arm64_irq_claim_spis(struct vm *vm);
void arm64_irq_release_spis(struct vm *vm);
/* The console UART's receive interrupt, on the boot pCPU. */
void arm64_console_rx_init(const struct board_config *board);

#endif
