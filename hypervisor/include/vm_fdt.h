/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A VM's device tree, built from the platform's (the one firmware or QEMU
 * gave the hypervisor) and what the scenario gives the VM: its vCPUs, its
 * memory, the virtual GICv3 and PL011, its passthrough devices and /chosen.
 * Nothing else of the platform appears in it. doc/device-tree.rst.
 */
#ifndef TESSERA_VM_FDT_H
#define TESSERA_VM_FDT_H

#include <scenario.h>
#include <types.h>
#include <uapi/tessera_hypercall.h>

#define VM_FDT_UART_SIZE 0x1000u
#define VM_FDT_MAX_VCPUS 256u      /* cpu@N with reg N = MPIDR Aff0 */
#define VM_FDT_MAX_VIRTIO 8u       /* emulated virtio-mmio transports */
#define VM_FDT_MAX_RNG_SEED 64u    /* bytes of /chosen/rng-seed */

struct vm_fdt_range {
	uint64_t base;
	uint64_t size;
};

/*
 * A virtio-mmio transport emulated by a device model (not a platform node):
 * written as virtio_mmio@<base>, "virtio,mmio", level-high SPI, dma-coherent.
 */
struct vm_fdt_virtio {
	uint64_t base;
	uint64_t size;   /* e.g. 0x200 */
	uint32_t intid;  /* its SPI as a GIC INTID, 32..1019 */
};

struct vm_fdt_params {
	uint32_t vcpu_count; /* 1..VM_FDT_MAX_VCPUS; vCPU i has MPIDR Aff0 i */
	uint32_t mem_count;  /* 1..SCENARIO_MAX_MEM_REGIONS */
	struct vm_fdt_range mem[SCENARIO_MAX_MEM_REGIONS]; /* guest-physical */
	struct vm_fdt_range gicd; /* virtual distributor, e.g. 0x08000000+0x10000 */
	uint64_t gicr_base;  /* redistributors: vcpu_count * TESSERA_VGIC_GICR_FRAME_SIZE */
	uint64_t uart_base;  /* virtual PL011 (VM_FDT_UART_SIZE), 0: none */
	uint32_t uart_intid; /* its SPI as a GIC INTID, 32..1019 */
	uint32_t device_count; /* 0..SCENARIO_MAX_DEVICES */
	/* Passthrough: each base must be the first reg address of a node
	 * directly under the platform's root, all of whose reg lies inside. */
	struct vm_fdt_range devices[SCENARIO_MAX_DEVICES];
	uint32_t virtio_count; /* 0..VM_FDT_MAX_VIRTIO */
	/* Emulated transports: INTIDs distinct, and not the vUART's. */
	struct vm_fdt_virtio virtio[VM_FDT_MAX_VIRTIO];
	/* The upcall node for the HSM driver (compatible "tessera,hsm"): its
	 * I/O and VM event SPIs as GIC INTIDs, 0 and 0: none. */
	uint32_t hsm_io_intid;
	uint32_t hsm_event_intid;
	const char *bootargs; /* /chosen/bootargs, NULL: none */
	/* /chosen/rng-seed: entropy the kernel credits before it runs
	 * anything (Linux seeds its crng from it), 0 bytes: none. */
	const uint8_t *rng_seed;
	uint32_t rng_seed_len; /* 0..VM_FDT_MAX_RNG_SEED */
	uint64_t initrd_start; /* [start, end) guest-physical, 0 and 0: none */
	uint64_t initrd_end;
};

/*
 * Write the VM's device tree blob to out (at most out_size bytes; the
 * buffer must not overlap the platform blob, and Linux wants it 8-byte
 * aligned). platform_dtb is read with the bounds-checked reader, never
 * past platform_max bytes, and is not trusted. Returns the blob's size, or
 * -1 with a message in err: bad parameters, a passthrough device missing
 * from the platform tree, a platform node that cannot be copied safely, or
 * out too small. Never writes outside out.
 */
int vm_fdt_build(void *out, size_t out_size, const void *platform_dtb,
		 size_t platform_max, const struct vm_fdt_params *p, char *err,
		 size_t errlen);

#endif
