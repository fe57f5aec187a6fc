/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The physical GICv3, owned by the hypervisor. For now it carries only the
 * hypervisor's own kick SGI; guests' virtual interrupts come later through
 * the ICH_* virtual CPU interface.
 */
#ifndef TESSERA_ARM64_GICV3_H
#define TESSERA_ARM64_GICV3_H

#include <types.h>

#define SGI_KICK 0 /* "leave the guest and look at your requests" */

void gicv3_init_distributor(void);
/* Wake this pCPU's redistributor and enable its CPU interface. */
void gicv3_init_cpu(uint64_t mpidr);
void gicv3_send_sgi(uint64_t target_mpidr, unsigned intid);
/* Acknowledge and complete every pending interrupt; returns how many. */
unsigned gicv3_ack_all(void);

#endif
