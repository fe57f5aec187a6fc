/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The board and VMs that test_vm_runtime and test_hypercall share: a Service
 * VM, a partition and a post-launched User VM on the fake arch layer.
 *
 * pCPUs 0, 1 (prio_rr): the Service VM's two vCPUs (and a test's second
 * slot, if it puts one there). pCPUs 2, 3 (noop): uvm's two vCPUs. pCPU 4
 * (noop): rt's.
 */
#ifndef TESSERA_TEST_RUNTIME_FIXTURE_H
#define TESSERA_TEST_RUNTIME_FIXTURE_H

#define RAM_BASE 0x40000000ull
#define RAM_SIZE 0x20000000ull
#define HV_BASE RAM_BASE /* the hypervisor's own memory */
#define HV_SIZE 0x00200000ull
/* The Service VM: R0 identity-mapped; R1 right after it in its guest-physical
 * space but elsewhere in RAM, so R1's guest-physical addresses are rt's
 * host-physical ones. */
#define SOS_R0 0x40200000ull
#define SOS_R0_SIZE 0x01e00000ull
#define SOS_R1 0x42000000ull
#define SOS_R1_HPA 0x4c000000ull
#define SOS_R1_SIZE 0x00100000ull
#define RT_RAM 0x42000000ull /* the partition rt, identity-mapped */
#define RT_SIZE 0x01000000ull
#define UVM_MAX 0x10000000ull /* uvm: its window is [RAM_BASE, +256 MiB) */

#define PAGE 0x1000ull
#define RW (TESSERA_MEM_READ | TESSERA_MEM_WRITE)
#define RWX (RW | TESSERA_MEM_EXEC)

/* Table pages the config tool gives a post-launched VM (plan_table_pool in
 * tessera_config.py): the root, a level-2 table per GiB and a level-3 one
 * per 2 MiB of max_memory, one more of each for a layout straddling them. */
#define DIV_UP(a, b) (((a) + (b) - 1) / (b))
#define PT_PAGES_FOR(m) (1 + DIV_UP(m, SZ_1G) + 1 + DIV_UP(m, SZ_2M) + 1)

enum { SOS, RT, UVM };

#define FIXTURE_BOARD                                                          \
	{.name = "fake", .ram_base = RAM_BASE, .ram_size = RAM_SIZE,           \
	 .pcpu_count = 5, .console_uart_base = 0x09000000,                     \
	 .gicd_base = 0x08000000, .gicr_base = 0x080a0000,                     \
	 .gicr_size = 0xf60000}

#define FIXTURE_SOS                                                            \
	{.name = "sos", .kind = VM_KIND_SERVICE,                               \
	 .caps = VM_CAP_MANAGE_VMS | VM_CAP_CONSOLE_INPUT | VM_CAP_UPCALL,     \
	 .pcpu_mask = 0x3, .vcpu_count = 2, .priority = 2, .slice_us = 1000,   \
	 .upcall_intid = 40, .event_intid = 41, .mem_region_count = 2,         \
	 .mem = {{SOS_R0, SOS_R0, SOS_R0_SIZE},                                \
		 {SOS_R1, SOS_R1_HPA, SOS_R1_SIZE}},                           \
	 .entry = SOS_R0, .vuart_gpa = 0x09000000}

#define FIXTURE_RT                                                             \
	{.name = "rt", .kind = VM_KIND_PRE_LAUNCHED, .pcpu_mask = 0x10,        \
	 .vcpu_count = 1, .mem_region_count = 1,                               \
	 .mem = {{RT_RAM, RT_RAM, RT_SIZE}}, .entry = RT_RAM,                  \
	 .vuart_gpa = 0x09000000}

/* A post-launched slot: its table pages follow those of the slots before. */
#define FIXTURE_SLOT(name_, mask, vcpus, max, first, vuart, flags_)            \
	{.name = (name_), .kind = VM_KIND_POST_LAUNCHED,                       \
	 .caps = VM_CAP_RUNTIME, .boot = VM_BOOT_BY_DM, .pcpu_mask = (mask),   \
	 .vcpu_count = (vcpus), .priority = 1, .slice_us = 1000,               \
	 .max_memory = (max), .pt_first = (first),                             \
	 .pt_pages = PT_PAGES_FOR(max), .vuart_gpa = (vuart),                  \
	 .flags = (flags_)}

#define FIXTURE_UVM(flags)                                                     \
	FIXTURE_SLOT("uvm", 0xc, 2, UVM_MAX, 0, 0x09000000, flags)

#define FIXTURE_POLICIES                                                       \
	{SCHED_PRIO_RR, SCHED_PRIO_RR, SCHED_NOOP, SCHED_NOOP, SCHED_NOOP}

#endif
