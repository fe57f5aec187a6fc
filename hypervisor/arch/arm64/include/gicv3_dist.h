/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The physical GICv3 distributor: one for the whole machine, so its
 * registers hold the state of SPIs of every VM (and of the hypervisor's
 * console). Safe to call from any pCPU at once: a register shared between
 * SPIs is either written only with write-1 semantics, accessed one SPI at
 * a time (bytes, 64-bit routes), or read-modify-written under one lock.
 */
#ifndef TESSERA_ARM64_GICV3_DIST_H
#define TESSERA_ARM64_GICV3_DIST_H

#include <types.h>

/* Enable affinity routing and Group 1 (once, on the boot pCPU). */
void gicv3_dist_init(uint64_t gicd_base);

/* SPIs (INTIDs 32-1019; others are ignored, or read as not pending).
 * Enabling also puts the SPI in Group 1 at the hypervisor's priority. */
void gicv3_spi_enable(unsigned intid, bool enable);
void gicv3_spi_route(unsigned intid, uint64_t mpidr);
void gicv3_spi_set_level_triggered(unsigned intid, bool level);
/* Deactivation from any pCPU. */
void gicv3_spi_deactivate(unsigned intid);
/* Is SPI intid pending in the distributor? For a level-sensitive one that
 * is its line (also while it is active). */
bool gicv3_spi_pending(unsigned intid);

#endif
