/* SPDX-License-Identifier: BSD-3-Clause */
/* The recording VM backend (fake_vm.h). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "../cache.h"
#include "fake_vm.h"

struct fake_cache_range fake_cache_cleaned[FAKE_MAX_CACHE_RANGES];
unsigned fake_cache_count;

void cache_clean_poc(const void *p, size_t n)
{
	if (fake_cache_count < FAKE_MAX_CACHE_RANGES)
		fake_cache_cleaned[fake_cache_count] =
			(struct fake_cache_range){p, n};
	fake_cache_count++;
}

static int record(struct fake_vm *f, enum fake_op op)
{
	f->calls[op]++;
	if (f->nseq < FAKE_MAX_EVENTS)
		f->seq[f->nseq++] = op;
	return f->rc[op];
}

static int create_vm(void *ctx, const char *name, uint32_t vcpus,
		     uint32_t flags, struct vmm_vm *out)
{
	struct fake_vm *f = ctx;
	int rc = record(f, FAKE_CREATE);

	if (rc)
		return rc;
	strncpy(f->name, name, sizeof(f->name) - 1);
	f->vcpus = vcpus;
	f->flags = flags;
	f->nr_pages = TESSERA_IO_PAGES_FOR(vcpus);
	free(f->slots);
	f->slots = aligned_alloc(TESSERA_IO_PAGE_SIZE,
				 f->nr_pages * TESSERA_IO_PAGE_SIZE);
	if (!f->slots)
		return -ENOMEM;
	memset(f->slots, 0, f->nr_pages * TESSERA_IO_PAGE_SIZE);
	f->info.vcpu_count = vcpus;
	f->info.state = TESSERA_VM_STATE_CREATED;
	if (flags & TESSERA_VM_CREATE_POLLING)
		f->completion_mode = TESSERA_IO_COMPLETION_POLLING;
	f->info.completion_mode = f->completion_mode;
	*out = (struct vmm_vm){f->info.vm_id, f->completion_mode, f->nr_pages,
			       f->slots};
	return 0;
}

static int get_info(void *ctx, struct tessera_vm_info *info)
{
	struct fake_vm *f = ctx;
	int rc = record(f, FAKE_INFO);

	if (!rc && f->on_info)
		f->on_info(f);
	if (!rc)
		*info = f->info;
	return rc;
}

static int set_memory(void *ctx, void *host, uint64_t gpa, uint64_t size,
		      uint32_t flags)
{
	struct fake_vm *f = ctx;
	int rc = record(f, FAKE_MEMORY);

	if (!rc) {
		f->mem_host = host;
		f->mem_gpa = gpa;
		f->mem_size = size;
		f->mem_flags = flags;
	}
	return rc;
}

static int set_vcpu_regs(void *ctx, uint32_t vcpu,
			 const struct tessera_vcpu_regs *regs)
{
	struct fake_vm *f = ctx;
	int rc = record(f, FAKE_REGS);

	if (!rc) {
		f->regs_vcpu = vcpu;
		f->regs = *regs;
	}
	return rc;
}

static int start(void *ctx)
{
	struct fake_vm *f = ctx;
	int rc = record(f, FAKE_START);

	if (!rc)
		f->info.state = TESSERA_VM_STATE_RUNNING;
	return rc;
}

static int reset(void *ctx)
{
	struct fake_vm *f = ctx;
	int rc = record(f, FAKE_RESET);

	if (!rc)
		f->info.state = TESSERA_VM_STATE_CREATED;
	return rc;
}

static int destroy(void *ctx)
{
	struct fake_vm *f = ctx;
	int rc = record(f, FAKE_DESTROY);

	if (!rc)
		f->info.state = TESSERA_VM_STATE_EMPTY;
	return rc;
}

static int irq_line(void *ctx, uint32_t intid, uint32_t op)
{
	struct fake_vm *f = ctx;
	int rc = record(f, FAKE_IRQ);

	if (rc)
		return rc;
	if (intid >= FAKE_MAX_INTID || op > TESSERA_IRQ_PULSE)
		return -EINVAL;
	if (f->nirq < FAKE_MAX_EVENTS)
		f->irq[f->nirq++] = (struct fake_irq_event){intid, op};
	f->line[intid] = op == TESSERA_IRQ_RAISE;
	return 0;
}

static int wait_requests(void *ctx, uint32_t timeout_ms, uint64_t *mask,
			 uint32_t *events)
{
	struct fake_vm *f = ctx;
	int rc = record(f, FAKE_WAIT);

	(void)timeout_ms;
	*mask = 0;
	*events = 0;
	if (rc)
		return rc;
	return f->on_wait ? f->on_wait(f, mask, events) : 0;
}

static int notify(void *ctx, uint32_t vcpu)
{
	struct fake_vm *f = ctx;
	int rc = record(f, FAKE_NOTIFY);

	if (!rc && f->nnotify < FAKE_MAX_EVENTS)
		f->notified[f->nnotify++] = vcpu;
	if (!rc && f->on_notify)
		f->on_notify(f, vcpu);
	return rc;
}

static const struct vmm_ops fake_ops = {
	.create_vm = create_vm,
	.get_info = get_info,
	.set_memory = set_memory,
	.set_vcpu_regs = set_vcpu_regs,
	.start = start,
	.reset = reset,
	.destroy = destroy,
	.irq_line = irq_line,
	.wait = wait_requests,
	.notify = notify,
};

void fake_vm_init(struct fake_vm *f)
{
	memset(f, 0, sizeof(*f));
	f->vmm = (struct vmm){&fake_ops, f};
	f->info = (struct tessera_vm_info){
		.vm_id = 3,
		.kind = TESSERA_VM_KIND_POST_LAUNCHED,
		.state = TESSERA_VM_STATE_EMPTY,
		.max_vcpus = 8,
		.max_memory = 1ull << 30,
		.name = "uvm0",
		.vuart_intid = 33,
		.vuart_base = 0x09000000,
		.gicd_base = 0x08000000,
		.gicr_base = 0x080a0000,
		.spi_count = 64,
	};
	fake_cache_count = 0;
}

void fake_vm_fini(struct fake_vm *f)
{
	free(f->slots);
	f->slots = NULL;
}
