/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A VM's device tree, generated (vm_fdt.h) and written into the VM's memory
 * at every start: its CPUs, memory, GIC, timer, vUART, passthrough devices
 * and /chosen (bootargs: the scenario's, then the firmware's; an initrd).
 * Every boot protocol passes it in x0 (doc/device-tree.rst).
 */
#ifndef TESSERA_VM_DT_H
#define TESSERA_VM_DT_H

#include <types.h>

struct vm;

/* What /chosen gets beyond the bootargs. */
struct vm_dt_chosen {
	uint64_t initrd_start, initrd_end; /* 0, 0: none */
	const uint8_t *rng_seed;           /* NULL: none */
	uint32_t rng_seed_len;
};

/* A raw image's tree: the last VM_DT_RAW_WINDOW bytes of the memory region
 * that holds its entry (a raw image is loaded at its entry and grows up). */
#define VM_DT_RAW_WINDOW SZ_64K

/*
 * Write vm's tree at gpa, in at most `window` bytes of its memory; clean it
 * to the point of coherency. Its size, or -1 with the reason logged.
 */
int vm_dt_write(struct vm *vm, uint64_t gpa, uint64_t window,
		const struct vm_dt_chosen *chosen);
/* For a raw image: vm_dt_write() at the place above; *gpa for x0. */
int vm_dt_write_raw(struct vm *vm, uint64_t *gpa);

#endif
