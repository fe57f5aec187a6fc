/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * Fixed-width types and layout asserts for Tessera's ABI headers, usable from
 * the hypervisor (freestanding), the Linux HSM driver (__KERNEL__), the
 * user-space device model and tools, and the host tests.
 */
#ifndef TESSERA_UAPI_TYPES_H
#define TESSERA_UAPI_TYPES_H

#ifdef __KERNEL__
#include <linux/types.h>
typedef __u8 tessera_u8;
typedef __u16 tessera_u16;
typedef __u32 tessera_u32;
typedef __u64 tessera_u64;
#else
#include <stdint.h>
typedef uint8_t tessera_u8;
typedef uint16_t tessera_u16;
typedef uint32_t tessera_u32;
typedef uint64_t tessera_u64;
#endif

#ifdef __cplusplus
#define TESSERA_ASSERT(c, m) static_assert(c, m)
#else
#define TESSERA_ASSERT(c, m) _Static_assert(c, m)
#endif
#define TESSERA_OFFSET(t, f) __builtin_offsetof(struct t, f)

#endif
