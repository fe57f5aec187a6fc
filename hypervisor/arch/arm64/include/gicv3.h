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

/* The distributor (once, on the boot pCPU). */
void gicv3_init(const struct board_config *board);
/* Wake p's redistributor (for p->arch.mpidr, recorded in p->arch.gicr)
 * and enable this CPU's interface; p is the running pCPU. */
void gicv3_init_cpu(struct pcpu *p);
void gicv3_send_sgi(uint64_t target_mpidr, unsigned intid);

/* Acknowledge the highest pending interrupt: its INTID, or >= 1020. */
unsigned gicv3_ack(void);
void gicv3_priority_drop(unsigned intid);
void gicv3_deactivate(unsigned intid);
/* Deactivation and activation state from any pCPU: an SPI's, or a PPI's
 * in pCPU p's redistributor. */
void gicv3_spi_deactivate(unsigned intid);
/* Is SPI intid pending in the distributor? For a level-sensitive one that
 * is its line (also while it is active). */
bool gicv3_spi_pending(unsigned intid);
void gicv3_ppi_deactivate(const struct pcpu *p, unsigned intid);
bool gicv3_ppi_active(const struct pcpu *p, unsigned intid);
void gicv3_ppi_activate(const struct pcpu *p, unsigned intid);

/* SPIs, in the distributor. */
void gicv3_spi_enable(unsigned intid, bool enable);
void gicv3_spi_route(unsigned intid, uint64_t mpidr);
void gicv3_spi_set_level_triggered(unsigned intid, bool level);

#endif
