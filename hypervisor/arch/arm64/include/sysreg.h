/* SPDX-License-Identifier: BSD-3-Clause */
/* System register access and the EL2 register bits Tessera uses. */
#ifndef TESSERA_ARM64_SYSREG_H
#define TESSERA_ARM64_SYSREG_H

#include <types.h>

#define read_sysreg(r)                                                         \
	({                                                                     \
		uint64_t __v;                                                  \
		__asm__ volatile("mrs %0, " #r : "=r"(__v));                   \
		__v;                                                           \
	})

#define write_sysreg(r, v)                                                     \
	do {                                                                   \
		uint64_t __v = (uint64_t)(v);                                  \
		__asm__ volatile("msr " #r ", %0" : : "r"(__v));               \
	} while (0)

#define isb() __asm__ volatile("isb" ::: "memory")
#define dsb(opt) __asm__ volatile("dsb " #opt ::: "memory")

/* HCR_EL2 */
#define HCR_VM BIT(0)
#define HCR_SWIO BIT(1)
#define HCR_FMO BIT(3)
#define HCR_IMO BIT(4)
#define HCR_AMO BIT(5)
#define HCR_VSE BIT(8)
#define HCR_FB BIT(9)
#define HCR_BSU_IS (1ull << 10)
#define HCR_TWI BIT(13)
#define HCR_TSC BIT(19)
#define HCR_RW BIT(31)

/* ESR_ELx exception classes */
#define ESR_EC_SHIFT 26
#define ESR_EC(esr) (((esr) >> ESR_EC_SHIFT) & 0x3f)
#define ESR_IL BIT(25)
#define ESR_ISS(esr) ((esr) & 0x1ffffff)
#define EC_UNKNOWN 0x00
#define EC_WFX 0x01
#define EC_HVC64 0x16
#define EC_SMC64 0x17
#define EC_SYSREG 0x18
#define EC_IABT_LOW 0x20
#define EC_IABT_CUR 0x21
#define EC_DABT_LOW 0x24
#define EC_DABT_CUR 0x25

/* SPSR / PSTATE */
#define PSR_MODE_MASK 0xfull
#define PSR_MODE_EL0t 0x0ull
#define PSR_MODE_EL1t 0x4ull
#define PSR_MODE_EL1h 0x5ull
#define PSR_F BIT(6)
#define PSR_I BIT(7)
#define PSR_A BIT(8)
#define PSR_D BIT(9)
#define PSR_AARCH32 BIT(4)
#define PSR_DAIF (PSR_D | PSR_A | PSR_I | PSR_F)

#endif
