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

#define SGI_KICK 0 /* "leave the guest and look at your requests" */
#define PPI_MAINTENANCE 25 /* virtual CPU interface maintenance */
#define PPI_VTIMER 27      /* EL1 virtual timer */
#define PPI_PTIMER 30      /* EL1 physical timer (guests may use it too) */
#define INTID_SPURIOUS 1020

void gicv3_init_distributor(void);
/* Wake this pCPU's redistributor and enable its CPU interface. */
void gicv3_init_cpu(uint64_t mpidr);
void gicv3_send_sgi(uint64_t target_mpidr, unsigned intid);

/* Acknowledge the highest pending interrupt: its INTID, or >= 1020. */
unsigned gicv3_ack(void);
void gicv3_priority_drop(unsigned intid);
void gicv3_deactivate(unsigned intid);
/* Deactivate from any pCPU: an SPI, or a PPI of pCPU `cpu`. */
void gicv3_clear_active(unsigned cpu, unsigned intid);

/* SGIs/PPIs of this pCPU. */
void gicv3_ppi_enable(unsigned intid, bool enable);
/* SPIs, in the distributor. */
void gicv3_spi_enable(unsigned intid, bool enable);
void gicv3_spi_route(unsigned intid, uint64_t mpidr);
void gicv3_spi_set_level_triggered(unsigned intid, bool level);

#endif
