/* SPDX-License-Identifier: BSD-3-Clause */
/* SMC Calling Convention and PSCI function IDs (Arm DEN0028, DEN0022). */
#ifndef TESSERA_ARM64_SMCCC_H
#define TESSERA_ARM64_SMCCC_H

#include <types.h>

#define SMCCC_VERSION 0x80000000u
#define SMCCC_ARCH_FEATURES 0x80000001u
#define SMCCC_NOT_SUPPORTED (-1ll)
#define SMCCC_64BIT BIT(30)

#define PSCI_VERSION 0x84000000u
#define PSCI_CPU_SUSPEND 0x84000001u
#define PSCI_CPU_OFF 0x84000002u
#define PSCI_CPU_ON 0x84000003u
#define PSCI_AFFINITY_INFO 0x84000004u
#define PSCI_MIGRATE_INFO_TYPE 0x84000006u
#define PSCI_SYSTEM_OFF 0x84000008u
#define PSCI_SYSTEM_RESET 0x84000009u
#define PSCI_FEATURES 0x8400000au

#define PSCI_SUCCESS 0
#define PSCI_NOT_SUPPORTED (-1)
#define PSCI_INVALID_PARAMETERS (-2)
#define PSCI_DENIED (-3)
#define PSCI_ALREADY_ON (-4)
#define PSCI_ON_PENDING (-5)
#define PSCI_INTERNAL_FAILURE (-6)

#define PSCI_VERSION_1_1 0x00010001u
#define PSCI_AFFINITY_ON 0
#define PSCI_AFFINITY_OFF 1
#define PSCI_AFFINITY_ON_PENDING 2
#define PSCI_MIGRATE_NONE 2 /* no Trusted OS to migrate */

struct smccc_result {
	uint64_t a0, a1, a2, a3;
};

/* Call the platform firmware (EL3, or QEMU's built-in PSCI) through SMC. */
struct smccc_result smccc_smc(uint64_t fn, uint64_t a1, uint64_t a2,
			      uint64_t a3);

#endif
