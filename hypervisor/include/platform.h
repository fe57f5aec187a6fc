/* SPDX-License-Identifier: BSD-3-Clause */
/* What the hypervisor learns about the machine from the boot device tree. */
#ifndef TESSERA_PLATFORM_H
#define TESSERA_PLATFORM_H

#include <config.h>
#include <types.h>

struct platform_info {
	uint64_t ram_base; /* the first memory bank */
	uint64_t ram_size;
	unsigned cpu_count;
	uint64_t cpu_mpidr[CONFIG_MAX_PCPUS]; /* hardware id of each pCPU */
};

/*
 * Fill `info` from the device tree blob. Returns 0, or -1 with a message in
 * err naming what is missing or malformed. CPUs beyond CONFIG_MAX_PCPUS are
 * left out (and reported by the caller through cpu_count staying capped).
 */
int platform_from_fdt(struct platform_info *info, const void *dtb,
		      size_t max_size, char *err, size_t errlen);

/*
 * Keep a private copy of the boot device tree (the original lies in RAM that
 * a VM may own later). 0, or -1 if it is larger than the copy can hold.
 */
int platform_keep_fdt(const void *dtb, size_t max_size);
/* The kept copy, or NULL before platform_keep_fdt succeeded. */
const void *platform_fdt(void);
size_t platform_fdt_size(void);

#endif
