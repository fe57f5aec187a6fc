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

/* VM option flags (vm_config.flags). */
#define VM_FLAG_ABORT_ON_UNHANDLED (1u << 0) /* unhandled MMIO: inject abort */
#define VM_FLAG_IO_POLLING (1u << 1) /* vCPUs poll their request slot */

struct mem_region_config {
	uint64_t gpa;  /* guest-physical base */
	uint64_t hpa;  /* host-physical base */
	uint64_t size; /* bytes, multiple of 4 KiB */
};

/* A physical device range (and optionally its interrupt) given to one VM. */
struct device_config {
	const char *name;
	uint64_t base; /* identity-mapped: gpa == hpa */
	uint64_t size;
	uint32_t irq; /* GIC INTID, 0 = none */
};

struct vm_config {
	const char *name;
	enum vm_kind kind;
	uint64_t pcpu_mask;  /* vCPU i runs on the i-th lowest set bit */
	uint32_t vcpu_count; /* == popcount(pcpu_mask) */
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
};

/* The scenario compiled into this image (generated). */
extern const struct scenario_config tessera_scenario;

#endif
