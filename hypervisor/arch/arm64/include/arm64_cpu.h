/* SPDX-License-Identifier: BSD-3-Clause */
/* pCPU bring-up shared by head.S, vectors.S and the arm64 C code. */
#ifndef TESSERA_ARM64_CPU_H
#define TESSERA_ARM64_CPU_H

#define CPU_STACK_SIZE 0x4000 /* 16 KiB per pCPU */

#ifndef __ASSEMBLER__
#include <types.h>

struct arch_regs;

/* Physical address where secondary pCPUs start (head.S). */
extern char secondary_entry[];
/* Enter the guest from regs; returns at the next exit with ARM64_EXIT_*. */
uint64_t arm64_enter_guest(struct arch_regs *regs);
#endif

#endif
