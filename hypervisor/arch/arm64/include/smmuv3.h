/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The board's Arm SMMUv3, owned by the hypervisor and never shown to a
 * guest. Every stream aborts unless it is attached to a VM, whose stage-1
 * context then translates the device's addresses (the VM's guest-physical
 * addresses) to the VM's memory and faults everything else. Faults are
 * logged from the event queue with the VM, the stream and the address.
 * doc/dma-isolation.rst.
 */
#ifndef TESSERA_ARM64_SMMUV3_H
#define TESSERA_ARM64_SMMUV3_H

#include <types.h>

struct board_config;
struct s2_pgtable;

/* Stream IDs the stream table covers; higher ones abort (C_BAD_STREAMID). */
#define SMMU_MAX_SID_BITS 12

/*
 * On the boot pCPU, before any VM exists: take the SMMU (if the board has
 * one), every stream aborting, and its interrupts to this pCPU. 0, or a
 * negative errno (the SMMU is then left disabled and attach fails).
 */
int smmuv3_init(const struct board_config *board);
/* Whether an SMMU was found and set up. */
bool smmuv3_present(void);
/*
 * Streams [sid, sid+count) translate through pt (PGTABLE_SMMU_STAGE1)
 * under context `ctx` (one per VM, < CONFIG_MAX_VMS; its ASID is ctx+1);
 * owner names them in fault logs. -ENODEV without an SMMU, -ERANGE for
 * streams the table does not cover, -EBUSY if one is attached already.
 */
int smmuv3_attach(uint32_t sid, uint32_t count, unsigned ctx,
		  const struct s2_pgtable *pt, const char *owner);
/* Streams [sid, sid+count) abort again; their context's TLB entries go. */
void smmuv3_detach(uint32_t sid, uint32_t count, unsigned ctx);
/* The SMMU's event-queue or global-error interrupt: handled, true. */
bool smmuv3_handle_irq(unsigned intid);

#endif
