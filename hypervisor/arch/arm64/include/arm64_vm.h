/* SPDX-License-Identifier: BSD-3-Clause */
/* Parts of a VM's arch state, one per concern. */
#ifndef TESSERA_ARM64_VM_H
#define TESSERA_ARM64_VM_H

struct vm;

void arm64_stage2_cpu_init(void);
/* Map the VM's static memory and passthrough devices. 0 or a negative errno. */
int arm64_stage2_init(struct vm *vm);
/* Invalidate what the VM's VMID left in every TLB (a reset: same tables,
 * a new run) and drop its tables (teardown). */
void arm64_stage2_flush(const struct vm *vm);
void arm64_stage2_teardown(struct vm *vm);
/* Confine the DMA of the VM's devices behind the SMMU to its memory, and
 * say at boot which devices nothing confines (doc/dma-isolation.rst).
 * After arm64_stage2_init (the tables come from the same pool). */
int arm64_dma_init(struct vm *vm);
void arm64_dma_teardown(struct vm *vm);

#endif
