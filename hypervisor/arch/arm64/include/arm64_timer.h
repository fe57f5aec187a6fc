/* SPDX-License-Identifier: BSD-3-Clause */
/* A vCPU's EL1 timers as interrupt sources (vcpu_arch.c). */
#ifndef TESSERA_ARM64_TIMER_H
#define TESSERA_ARM64_TIMER_H

#include <types.h>

struct vcpu;

/*
 * The output line of v's timer behind `ppi` (PPI_VTIMER or PPI_PTIMER):
 * enabled, not masked and due. From the hardware when v is loaded on this
 * pCPU, from its saved context when it is loaded nowhere; false (and
 * *level untouched) when it runs on another pCPU, whose registers only
 * that pCPU can read.
 */
bool arm64_timer_line(const struct vcpu *v, unsigned ppi, bool *level);

#endif
