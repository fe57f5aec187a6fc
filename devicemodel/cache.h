/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Data cache maintenance for what the DM writes into guest RAM before the
 * vCPU runs: the guest enters the kernel with its MMU and caches off, so
 * the kernel Image, initrd and device tree must be clean to the point of
 * coherency (arm64 booting protocol). On arm64 this is DC CVAC by virtual
 * address, which Linux lets EL0 use (SCTLR_EL1.UCI); a no-op elsewhere.
 */
#ifndef TESSERA_DM_CACHE_H
#define TESSERA_DM_CACHE_H

#include <stddef.h>

void cache_clean_poc(const void *p, size_t n);

#endif
