/* SPDX-License-Identifier: BSD-3-Clause */
/* The User VM's device tree parameters (dt.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dt.h"


int dt_read_platform(const char *path, void **blob, size_t *size, char *err,
		     size_t errlen)
{
	FILE *f = fopen(path, "rb");
	uint8_t *buf;
	size_t n;

	if (!f) {
		snprintf(err, errlen, "cannot read the platform device tree %s: "
			 "%s", path, strerror(errno));
		return -1;
	}
	buf = malloc(DT_PLATFORM_MAX);
	n = buf ? fread(buf, 1, DT_PLATFORM_MAX, f) : 0;
	fclose(f);
	if (!buf || n < 40) {
		snprintf(err, errlen, "%s: %s", path,
			 buf ? "too short for a device tree" : "out of memory");
		free(buf);
		return -1;
	}
	*blob = buf;
	*size = n;
	return 0;
}

static bool spi_exists(const struct tessera_vm_info *info, uint32_t intid)
{
	return intid >= 32 && intid - 32 < info->spi_count;
}

int dt_params(struct vm_fdt_params *p, const struct tessera_vm_info *info,
	      uint32_t vcpus, const struct guest_mem *m,
	      const struct dm_devices *d, const char *bootargs, char *err,
	      size_t errlen)
{
	*p = (struct vm_fdt_params){
		.vcpu_count = vcpus,
		.mem_count = 1,
		.mem = {{m->gpa, m->size}},
		.gicd = {info->gicd_base, TESSERA_VGIC_GICD_SIZE},
		.gicr_base = info->gicr_base,
		.uart_base = info->vuart_intid ? info->vuart_base : 0,
		.uart_intid = info->vuart_intid,
		.bootargs = bootargs,
	};
	if (!info->gicd_base || !info->gicr_base) {
		snprintf(err, errlen, "the hypervisor reports no virtual GIC "
			 "for the VM (distributor 0x%llx, redistributors 0x%llx)",
			 (unsigned long long)info->gicd_base,
			 (unsigned long long)info->gicr_base);
		return -1;
	}
	if (info->vuart_intid && !spi_exists(info, info->vuart_intid)) {
		snprintf(err, errlen, "the vUART's INTID %u is not one of the "
			 "VM's %u SPIs", info->vuart_intid, info->spi_count);
		return -1;
	}
	devices_fdt(d, p);
	for (unsigned i = 0; i < p->virtio_count; i++)
		if (!spi_exists(info, p->virtio[i].intid)) {
			snprintf(err, errlen, "%s needs SPI INTID %u, but the "
				 "VM's virtual GIC has %u SPIs (INTIDs 32..%u)",
				 d->dev[i].name, p->virtio[i].intid,
				 info->spi_count, 31 + info->spi_count);
			return -1;
		}
	return 0;
}
