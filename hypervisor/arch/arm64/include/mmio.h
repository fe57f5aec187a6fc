/* SPDX-License-Identifier: BSD-3-Clause */
/* Device register access from the hypervisor (identity-mapped device memory). */
#ifndef TESSERA_ARM64_MMIO_H
#define TESSERA_ARM64_MMIO_H

#include <types.h>

#define DEFINE_MMIO(bits)                                                      \
	static inline uint##bits##_t mmio_read##bits(uint64_t addr)            \
	{                                                                      \
		uint##bits##_t v =                                             \
			*(volatile uint##bits##_t *)(uintptr_t)addr;           \
		__asm__ volatile("dmb oshld" ::: "memory");                    \
		return v;                                                      \
	}                                                                      \
	static inline void mmio_write##bits(uint64_t addr, uint##bits##_t v)   \
	{                                                                      \
		__asm__ volatile("dmb oshst" ::: "memory");                    \
		*(volatile uint##bits##_t *)(uintptr_t)addr = v;               \
	}

DEFINE_MMIO(8)
DEFINE_MMIO(32)
DEFINE_MMIO(64)

#endif
