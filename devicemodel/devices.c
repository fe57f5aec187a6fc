/* SPDX-License-Identifier: BSD-3-Clause */
/* The User VM's device set (devices.h). */
#include <stdio.h>
#include <string.h>

#include "devices.h"
#include "virtio.h"
#include "virtio_blk.h"
#include "virtio_console.h"
#include "virtio_rng.h"

static int attach(struct dm_devices *d, struct virtio_mmio *t,
		  const struct dm_device_opt *o, int console_out, char *err,
		  size_t len)
{
	switch (o->kind) {
	case DM_DEV_BLK:
		return virtio_blk_attach(t, o->path, o->ro, err, len);
	case DM_DEV_CONSOLE:
		d->console = t;
		return virtio_console_attach(t, console_out, err, len);
	case DM_DEV_RNG:
		return virtio_rng_attach(t, err, len);
	}
	snprintf(err, len, "unknown device kind %d", (int)o->kind);
	return -1;
}

int devices_create(struct dm_devices *d, const struct dm_options *o,
		   const struct guest_mem *m, struct vmm *vmm,
		   struct iobus *bus, int console_out, char *err,
		   size_t errlen)
{
	memset(d, 0, sizeof(*d));
	for (unsigned i = 0; i < o->nr_devices && i < DM_MAX_DEVICES; i++) {
		struct virtio_mmio *t = &d->dev[i];
		uint64_t base = DM_VIRTIO_BASE + i * DM_VIRTIO_STRIDE;
		int rc;

		vmmio_init(t, m, vmm, base, DM_VIRTIO_INTID0 + i);
		if (attach(d, t, &o->devices[i], console_out, err, errlen))
			goto fail;
		d->count++;
		rc = iobus_add(bus, TESSERA_IO_TYPE_MMIO, base, VIRTIO_MMIO_SIZE,
			       vmmio_access, t, t->name);
		if (rc) {
			snprintf(err, errlen, "%s: cannot be mapped: %d",
				 t->name, rc);
			goto fail;
		}
		log_debug("%s: SPI INTID %u", t->name, t->intid);
	}
	return 0;
fail:
	devices_destroy(d);
	return -1;
}

void devices_reset(struct dm_devices *d)
{
	for (unsigned i = 0; i < d->count; i++)
		vmmio_reset(&d->dev[i]);
}

void devices_destroy(struct dm_devices *d)
{
	for (unsigned i = 0; i < d->count; i++)
		vmmio_destroy(&d->dev[i]);
	d->count = 0;
	d->console = NULL;
}

void devices_fdt(const struct dm_devices *d, struct vm_fdt_params *p)
{
	p->virtio_count = d->count;
	for (unsigned i = 0; i < d->count; i++)
		p->virtio[i] = (struct vm_fdt_virtio){
			d->dev[i].base, VIRTIO_MMIO_SIZE, d->dev[i].intid};
}
