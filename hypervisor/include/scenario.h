/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Static configuration: the board and the VMs carved out of it.
 *
 * The tables are generated at build time from config/boards/<board>.toml and
 * config/scenarios/<scenario>.toml by misc/config_tools/tessera_config.py, which
 * validates them first. The hypervisor validates them again at boot
 * (scenario_check.h), so a hand-edited or stale generated file cannot set up
 * overlapping VMs.
 */
#ifndef TESSERA_SCENARIO_H
#define TESSERA_SCENARIO_H

#include <types.h>

enum vm_kind {
	VM_KIND_PRE_LAUNCHED = 0,
	VM_KIND_SERVICE = 1,
	VM_KIND_POST_LAUNCHED = 2,
};

#define SCENARIO_MAX_MEM_REGIONS 4
#define SCENARIO_MAX_DEVICES 8
#define SCENARIO_MAX_DEVICE_IRQS 4 /* a PCI host bridge's INTA..INTD */

/* VM option flags (vm_config.flags). */
#define VM_FLAG_ABORT_ON_UNHANDLED (1u << 0) /* unhandled MMIO: inject abort */
#define VM_FLAG_IO_POLLING (1u << 1) /* vCPUs poll their request slot */
#define VM_FLAG_DMA_UNCONFINED (1u << 2) /* the Service VM's documented
					    opt-in to DMA masters no IOMMU
					    confines (doc/dma-isolation.rst) */

/*
 * What a VM may do and gets (vm_config.caps): the code tests these, never
 * the VM's kind. The config tool gives the Service VM the first three.
 */
#define VM_CAP_MANAGE_VMS (1u << 0)    /* Service-VM hypercalls: manage
					  post-launched VMs, see their state */
#define VM_CAP_CONSOLE_INPUT (1u << 1) /* the physical console's input goes
					  to its virtual UART */
#define VM_CAP_UPCALL (1u << 2)        /* receives the I/O upcall and VM
					  events (tessera,hsm in its DT) */
#define VM_CAP_RUNTIME (1u << 3)       /* created at run time by a device
					  model (post-launched) */

/* How a VM's vCPU 0 starts (vm_config.boot). */
enum vm_boot {
	VM_BOOT_RAW = 0,   /* at `entry`; its image was placed by the loader */
	VM_BOOT_LINUX = 1, /* Linux Image + initrd from the image store, copied
			      in at every start, a device tree generated */
	VM_BOOT_BY_DM = 2, /* its device model loads it and sets the registers */
};

struct mem_region_config {
	uint64_t gpa;  /* guest-physical base */
	uint64_t hpa;  /* host-physical base */
	uint64_t size; /* bytes, multiple of 4 KiB */
};

/* Whether a device masters DMA, and what confines it (device_config.dma). */
enum device_dma {
	DEVICE_DMA_NONE = 0,       /* not a DMA master */
	DEVICE_DMA_UNCONFINED = 1, /* reaches all of physical memory */
	DEVICE_DMA_SMMU = 2,       /* its streams go through the board's SMMU */
};

/* A physical device range (and its interrupts) given to one VM. */
struct device_config {
	const char *name;
	uint64_t base; /* identity-mapped: gpa == hpa */
	uint64_t size;
	uint32_t irq_count;
	uint32_t irqs[SCENARIO_MAX_DEVICE_IRQS]; /* GIC INTIDs (SPIs) */
	enum device_dma dma;
	/* DEVICE_DMA_SMMU: its SMMU stream IDs [stream_base, +stream_count)
	 * (for a PCI host bridge, the requester IDs of its buses). */
	uint32_t stream_base;
	uint32_t stream_count;
};

static inline bool device_config_has_irq(const struct device_config *d,
					 uint32_t intid)
{
	for (uint32_t i = 0; i < d->irq_count && i < SCENARIO_MAX_DEVICE_IRQS; i++)
		if (d->irqs[i] == intid)
			return true;
	return false;
}

struct vm_config {
	const char *name;
	enum vm_kind kind;   /* for reports only; behaviour follows caps */
	uint32_t caps;       /* VM_CAP_* */
	enum vm_boot boot;
	uint64_t pcpu_mask;  /* vCPU i runs on the i-th lowest set bit */
	uint32_t vcpu_count; /* == popcount(pcpu_mask); at most this many for
				a post-launched VM */
	uint8_t priority;    /* on shared pCPUs: higher runs first */
	uint32_t slice_us;   /* on shared pCPUs: time slice */
	uint64_t max_memory; /* post-launched: bytes its device model may map */
	uint32_t pt_first;   /* its stage-2 table pages in tessera_pt_pool */
	uint32_t pt_pages;
	uint32_t upcall_intid; /* VM_CAP_UPCALL: I/O upcall SPI */
	uint32_t event_intid;  /* VM_CAP_UPCALL: VM event SPI */
	uint32_t mem_region_count;
	struct mem_region_config mem[SCENARIO_MAX_MEM_REGIONS];
	uint64_t entry;     /* guest-physical PC of vCPU 0 (Linux: load address) */
	const char *bootargs; /* Service VM: kernel command line, may be NULL */
	uint64_t vuart_gpa; /* virtual PL011 base, 0 = none */
	uint32_t flags;     /* VM_FLAG_* */
	uint32_t device_count;
	struct device_config devices[SCENARIO_MAX_DEVICES];
};

struct board_config {
	const char *name;
	uint64_t ram_base;
	uint64_t ram_size;
	uint32_t pcpu_count;
	uint64_t console_uart_base; /* PL011 used by the hypervisor */
	uint32_t console_uart_irq;  /* its INTID (input), 0 = polled/none */
	uint64_t gicd_base;
	uint64_t gicr_base;
	uint64_t gicr_size; /* all redistributor frames */
	/* The SMMUv3 that confines DEVICE_DMA_SMMU devices; base 0: none. */
	uint64_t smmu_base;
	uint32_t smmu_event_irq;  /* its event queue interrupt (INTID) */
	uint32_t smmu_gerror_irq; /* its global error interrupt (INTID) */
};

struct scenario_config {
	const char *name;
	const struct board_config *board;
	uint64_t hv_base; /* RAM reserved for the hypervisor */
	uint64_t hv_size;
	/* Inside the hypervisor's memory: the Service VM's kernel (placed by the
	 * loader at its base) and initrd, copied into the VM at every start. */
	uint64_t image_store_base;
	uint64_t image_store_size;
	uint32_t vm_count;
	const struct vm_config *vms;
	uint32_t pcpu_count;     /* entries of pcpu_policy */
	const uint8_t *pcpu_policy; /* enum sched_policy of each pCPU */
	uint32_t pt_pool_pages;  /* pages in tessera_pt_pool */
	/* Every VM but the post-launched has stopped (powered off or
	 * crashed): false, the hypervisor powers the board off; true, it
	 * stays up (doc/scenario-format.rst, [hypervisor] keep_board_up). */
	bool keep_board_up;
};

/* The scenario compiled into this image (generated). */
extern const struct scenario_config tessera_scenario;
/* Stage-2 table pages of every VM, 4 KiB each (generated; sliced by
 * vm_config.pt_first/pt_pages). */
extern uint8_t tessera_pt_pool[];

#endif
