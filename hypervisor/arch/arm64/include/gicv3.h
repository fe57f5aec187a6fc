/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The physical GICv3, owned by the hypervisor. It runs with EOImode 1:
 * priority drop and deactivation are separate, so an interrupt forwarded to
 * a guest through a hardware-mapped list register stays active until the
 * guest deactivates it, and cannot fire again before.
 */
#ifndef TESSERA_ARM64_GICV3_H
#define TESSERA_ARM64_GICV3_H

#include <types.h>

struct board_config;
struct pcpu;

#define SGI_KICK 0 /* "leave the guest or the idle wait and look again" */
#define PPI_MAINTENANCE 25 /* virtual CPU interface maintenance */
#define PPI_HYP_TIMER 26   /* EL2 physical timer: the scheduler's */
#define PPI_VTIMER 27      /* EL1 virtual timer */
#define PPI_PTIMER 30      /* EL1 physical timer (guests may use it too) */
#define INTID_SPURIOUS 1020
/* Every physical interrupt's priority: EL2 takes them all, whatever it is. */
#define GIC_PRIO_HYP 0x80

/* The distributor and the redistributors' region (once, on the boot pCPU). */
void gicv3_init(const struct board_config *board);
/* Wake p's redistributor (for p->arch.mpidr, recorded in p->arch.gicr)
 * and enable this CPU's interface; p is the running pCPU. */
void gicv3_init_cpu(struct pcpu *p);
void gicv3_send_sgi(uint64_t target_mpidr, unsigned intid);

/* Acknowledge the highest pending interrupt: its INTID, or >= 1020. */
unsigned gicv3_ack(void);
void gicv3_priority_drop(unsigned intid);
void gicv3_deactivate(unsigned intid);
/* A PPI's activation state in pCPU p's redistributor, from any pCPU. */
void gicv3_ppi_deactivate(const struct pcpu *p, unsigned intid);
bool gicv3_ppi_active(const struct pcpu *p, unsigned intid);
void gicv3_ppi_activate(const struct pcpu *p, unsigned intid);
/* SPIs: the distributor, gicv3_dist.h. */

#endif
