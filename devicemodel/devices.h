/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The User VM's emulated devices: one virtio-mmio transport per -s option,
 * in order, transport n at DM_VIRTIO_BASE + n * DM_VIRTIO_STRIDE raising
 * SPI INTID DM_VIRTIO_INTID0 + n (layout.h), each registered on the iobus
 * and described in the device tree.
 */
#ifndef TESSERA_DM_DEVICES_H
#define TESSERA_DM_DEVICES_H

#include <stddef.h>

#include <vm_fdt.h>

#include "guest_mem.h"
#include "iobus.h"
#include "options.h"
#include "virtio_mmio.h"
#include "vmm.h"

struct dm_devices {
	unsigned count;
	struct virtio_mmio dev[DM_MAX_DEVICES];
	struct virtio_mmio *console; /* the stdio console, or NULL */
};

/*
 * Create the devices of o on bus; the console writes to console_out.
 * 0, or -1 with a sentence in err (a disk that cannot be opened, ...);
 * on error nothing is left open.
 */
int devices_create(struct dm_devices *d, const struct dm_options *o,
		   const struct guest_mem *m, struct vmm *vmm,
		   struct iobus *bus, int console_out, char *err,
		   size_t errlen);
/* Device reset of every transport (VM reset): lines lowered. */
void devices_reset(struct dm_devices *d);
void devices_destroy(struct dm_devices *d);
/* The transports as device tree nodes: p->virtio and p->virtio_count. */
void devices_fdt(const struct dm_devices *d, struct vm_fdt_params *p);

#endif
