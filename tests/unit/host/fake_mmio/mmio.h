/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Device register access for host tests of arm64 drivers: the same
 * interface as hypervisor/arch/arm64/include/mmio.h, implemented by the
 * test (a fake device behind the addresses). Put this directory before
 * hypervisor/arch/arm64/include on the include path.
 */
#ifndef TESSERA_ARM64_MMIO_H
#define TESSERA_ARM64_MMIO_H

#include <types.h>

uint8_t mmio_read8(uint64_t addr);
uint32_t mmio_read32(uint64_t addr);
uint64_t mmio_read64(uint64_t addr);
void mmio_write8(uint64_t addr, uint8_t v);
void mmio_write32(uint64_t addr, uint32_t v);
void mmio_write64(uint64_t addr, uint64_t v);

#endif
