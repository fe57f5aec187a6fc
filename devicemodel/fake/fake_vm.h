/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The fake VM backend for the host tests and the fuzzer: a struct vmm that
 * records every call (IRQ line changes, registers, memory) and answers from
 * fields a test sets, request slots in ordinary memory, and a recording
 * cache_clean_poc() in place of cache.c. Not part of tessera-dm.
 */
#ifndef TESSERA_DM_FAKE_VM_H
#define TESSERA_DM_FAKE_VM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "../vmm.h"

enum fake_op {
	FAKE_CREATE, FAKE_INFO, FAKE_MEMORY, FAKE_REGS, FAKE_START, FAKE_RESET,
	FAKE_DESTROY, FAKE_IRQ, FAKE_WAIT, FAKE_NOTIFY, FAKE_OPS,
};

#define FAKE_MAX_EVENTS 4096u
#define FAKE_MAX_INTID 1024u

struct fake_irq_event {
	uint32_t intid, op;
};

struct fake_vm {
	struct vmm vmm;
	/* answers: rc[op] is returned by that operation (0 by default) */
	int rc[FAKE_OPS];
	uint32_t completion_mode;       /* what create_vm reports */
	struct tessera_vm_info info;    /* what get_info reports */
	/* wait(): the test's script; NULL returns 0 with nothing */
	int (*on_wait)(struct fake_vm *f, uint64_t *mask, uint32_t *events);
	/* get_info(): called before info is copied out; may change it */
	void (*on_info)(struct fake_vm *f);
	/* notify(): called after it is recorded */
	void (*on_notify)(struct fake_vm *f, uint32_t vcpu);
	void *test;
	/* record */
	unsigned calls[FAKE_OPS];
	enum fake_op seq[FAKE_MAX_EVENTS]; /* the order of calls */
	unsigned nseq;
	char name[16];
	uint32_t vcpus, flags;
	void *mem_host;
	uint64_t mem_gpa, mem_size;
	uint32_t mem_flags;
	struct tessera_vcpu_regs regs;  /* the last SET_VCPU_REGS */
	uint32_t regs_vcpu;
	bool line[FAKE_MAX_INTID];      /* level of each INTID now */
	struct fake_irq_event irq[FAKE_MAX_EVENTS];
	unsigned nirq;
	uint32_t notified[FAKE_MAX_EVENTS];
	unsigned nnotify;
	struct tessera_io_slot *slots;  /* after create_vm */
	unsigned nr_pages;
};

/* A slot "uvm0" with 8 vCPUs, 1 GiB, the vGIC and vUART of QEMU virt. */
void fake_vm_init(struct fake_vm *f);
void fake_vm_fini(struct fake_vm *f);

/* What cache_clean_poc() was asked to clean, in order. */
struct fake_cache_range {
	const void *p;
	size_t n;
};
#define FAKE_MAX_CACHE_RANGES 64u
extern struct fake_cache_range fake_cache_cleaned[FAKE_MAX_CACHE_RANGES];
extern unsigned fake_cache_count;

#endif
