/* SPDX-License-Identifier: BSD-3-Clause */
/* Per-pCPU layout shared by head.S, vectors.S and the arm64 C code. */
#ifndef TESSERA_ARM64_CPU_H
#define TESSERA_ARM64_CPU_H

#define CPU_STACK_SIZE 0x4000 /* 16 KiB per pCPU; guest frame at its top */

#ifndef __ASSEMBLER__
#include <arch_vm.h>

/* The guest register frame of the vCPU running on this pCPU. */
struct arch_regs *arm64_guest_regs(unsigned cpu);
/* Hardware id of a pCPU (as started). */
uint64_t arm64_pcpu_mpidr(unsigned cpu);
/* Physical address where secondary pCPUs start (head.S). */
extern char secondary_entry[];
#endif

#endif
