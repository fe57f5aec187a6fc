/* SPDX-License-Identifier: BSD-3-Clause */
/* Parts of arch_vm_init(), one per concern. */
#ifndef TESSERA_ARM64_VM_H
#define TESSERA_ARM64_VM_H

struct vm;

void arm64_stage2_cpu_init(void);
/* Map the VM's memory and passthrough devices. 0 or a negative errno. */
int arm64_stage2_init(struct vm *vm);

#endif
