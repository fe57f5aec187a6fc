/* SPDX-License-Identifier: BSD-3-Clause */
/* arm64 parts of struct vm and struct vcpu (owned by hypervisor/arch/arm64). */
#ifndef TESSERA_ARCH_VM_H
#define TESSERA_ARCH_VM_H

#include <s2_pgtable.h>
#include <vgic.h>
#include <types.h>

/* Guest registers as saved by the EL2 vectors (layout fixed by vectors.S). */
struct arch_regs {
	uint64_t x[31];
	uint64_t pc;     /* ELR_EL2 */
	uint64_t pstate; /* SPSR_EL2 */
	uint64_t pad;
};

#define ARCH_REGS_SIZE 272
_Static_assert(sizeof(struct arch_regs) == ARCH_REGS_SIZE, "vectors.S frame");

struct arch_vcpu {
	uint64_t vmpidr; /* MPIDR the guest reads for this vCPU */
	struct vgic_cpu vgic;
};

struct arch_vm {
	uint16_t vmid;
	struct s2_pgtable s2;
	struct s2_pool s2_pool;
	struct vgic vgic;
};

#endif
