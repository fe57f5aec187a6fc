/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fake arch layer's parts of struct vcpu and struct vm (the arm64 ones
 * pull in the vGIC; the stage-2 tables, plain C, are the real ones). Found
 * through -I tests/unit/host/fake, after every other include directory
 * but hypervisor/arch/arm64/include (searched last, for s2_pgtable.h: its
 * arch_vm.h is the one this shadows), so it shadows nothing for the other
 * host tests. Fields are plain: tests read and set them directly. struct
 * vm and struct vcpu are zeroed when a VM slot is set up, so tests set the
 * "Controlled by the test" fields afterwards.
 */
#ifndef TESSERA_ARCH_VM_H
#define TESSERA_ARCH_VM_H

#include <s2_pgtable.h>
#include <types.h>

struct vcpu;

/* What one guest entry does (arch_vcpu_run), e.g. a WFI or an MMIO access
 * through the same calls the arm64 trap handlers make. */
typedef void (*fake_guest_fn)(struct vcpu *v);

struct arch_vcpu {
	/* The guest's registers, in memory (as arm64 keeps them between exits). */
	uint64_t pc;
	uint64_t x[32];
	/* What the fake saw. */
	unsigned inits, resets, loads, puts, runs, io_dones, io_aborts;
	uint64_t last_abort_addr;
	bool loaded;         /* between arch_vcpu_load and arch_vcpu_put */
	unsigned irq_checks; /* arch_vcpu_has_interrupt calls */
	/* Controlled by the test. */
	bool irq_pending;     /* what arch_vcpu_has_interrupt answers */
	uint64_t guest_timer; /* the guest's timer deadline (put reports it);
				 UINT64_MAX: none. Cleared by a reset. */
	uint64_t entry_ticks; /* how long one entry lasts (0: the default,
				 fake_set_entry_ticks) */
	fake_guest_fn guest;  /* NULL: the fake's default guest */
	void *guest_ctx;
};

/* SPIs of a VM's (fake) interrupt controller. */
#define ARCH_VM_SPI_COUNT 64

struct arch_vm {
	unsigned inits, resets, teardowns, maps;
	unsigned edges;        /* arch_vm_irq_edge calls */
	unsigned last_edge;    /* its intid */
	unsigned levels;       /* arch_vm_set_irq_level calls */
	unsigned last_level_intid;
	bool last_level;
	bool live;             /* between arch_vm_init and arch_vm_teardown */
	/* Its stage 2, if the scenario gives it table pages (vm_config.pt_pages):
	 * the real tables (s2_pgtable.c) on its slice of tessera_pt_pool, as
	 * arm64 builds them; else maps are only counted, nothing is mapped. */
	struct s2_pgtable s2;
	struct s2_pool s2_pool;
};

#endif
