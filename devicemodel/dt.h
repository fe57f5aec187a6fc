/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The User VM's device tree: the parameters for the project's one FDT
 * writer, vm_fdt_build() (hypervisor/common/vm_fdt.c, doc/device-tree.rst).
 * The "platform" tree it copies the timer, the CPU compatible and the fixed
 * clocks from is the Service VM's own (/sys/firmware/fdt); the vGIC and the
 * vUART are where the hypervisor says (TESSERA_HSM_GET_INFO); the RAM and
 * the virtio-mmio transports are the DM's.
 */
#ifndef TESSERA_DM_DT_H
#define TESSERA_DM_DT_H

#include <stddef.h>
#include <stdint.h>

#include <uapi/tessera_hypercall.h>
#include <vm_fdt.h>

#include "devices.h"
#include "guest_mem.h"

#define DT_PLATFORM_MAX (1u << 20)

/* Read a device tree blob (at most DT_PLATFORM_MAX bytes) into *blob
 * (malloc'd). 0, or -1 with a sentence in err. */
int dt_read_platform(const char *path, void **blob, size_t *size, char *err,
		     size_t errlen);

/*
 * Everything but the initrd (boot.c places it). Checks what the hypervisor
 * reported: a distributor, enough SPIs for the vUART and every transport.
 * 0, or -1 with a sentence in err.
 */
int dt_params(struct vm_fdt_params *p, const struct tessera_vm_info *info,
	      uint32_t vcpus, const struct guest_mem *m,
	      const struct dm_devices *d, const char *bootargs, char *err,
	      size_t errlen);

#endif
