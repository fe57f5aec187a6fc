/* SPDX-License-Identifier: BSD-3-Clause */
/* The hypervisor's own EL2 translation: an identity map of the board. */
#ifndef TESSERA_ARM64_MMU_H
#define TESSERA_ARM64_MMU_H

struct board_config;

/* Build the tables, with the MMU and caches still off (boot pCPU). */
void arm64_mmu_build(const struct board_config *board);
/* Turn the MMU and caches on with them (every pCPU). */
void arm64_mmu_enable(void);

#endif
