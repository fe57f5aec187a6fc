/* SPDX-License-Identifier: BSD-3-Clause */
#include <stdlib.h>
#include <string.h>

#include "test_io_support.h"

#include <sched.h>

unsigned long tio_upcalls;
unsigned long tio_wakes;

void io_arch_raise_upcall(struct io_vm *io)
{
	(void)io;
	__atomic_fetch_add(&tio_upcalls, 1, __ATOMIC_RELAXED);
}

void io_vcpu_wake(struct io_vm *io, unsigned vcpu_id)
{
	(void)io, (void)vcpu_id;
	__atomic_fetch_add(&tio_wakes, 1, __ATOMIC_RELAXED);
}

enum io_result tio_wait(struct io_vm *io, unsigned v, struct io_access *a)
{
	enum io_result r;

	while ((r = io_complete(io, v, a)) == IO_PENDING)
		sched_yield();
	return r;
}

struct io_vm *tio_vm_new(unsigned vcpus, uint32_t mode, bool abort_on_unhandled,
			 bool pages)
{
	struct io_vm *io = calloc(1, sizeof(*io));
	struct io_vm_params p = {
		.vm_id = 1,
		.vcpu_count = vcpus,
		.completion_mode = mode,
		.abort_on_unhandled = abort_on_unhandled,
	};

	if (!io || io_vm_init(io, &p))
		abort();
	if (pages) {
		unsigned n = TESSERA_IO_PAGES_FOR(vcpus);
		void *mem = aligned_alloc(TESSERA_IO_PAGE_SIZE, n * TESSERA_IO_PAGE_SIZE);

		if (!mem)
			abort();
		memset(mem, 0xa5, n * TESSERA_IO_PAGE_SIZE); /* attach must clear */
		if (io_vm_attach_request_pages(io, mem, n))
			abort();
	}
	return io;
}

struct tessera_io_slot *tio_slots(struct io_vm *io)
{
	return __atomic_load_n(&io->slots, __ATOMIC_ACQUIRE);
}

void tio_vm_free(struct io_vm *io)
{
	void *pages = tio_slots(io);

	if (pages && io_vm_detach_request_pages(io))
		abort();
	free(pages);
	free(io);
}

struct io_access tio_read(unsigned space, uint64_t addr, unsigned size)
{
	return (struct io_access){.space = (uint8_t)space, .addr = addr,
				  .size = (uint8_t)size, .reg = 1,
				  .reg_is_64bit = true};
}

struct io_access tio_write(unsigned space, uint64_t addr, unsigned size,
			   uint64_t value)
{
	struct io_access a = tio_read(space, addr, size);

	a.write = true;
	a.value = value;
	return a;
}

void tio_dm_complete(struct io_vm *io, unsigned v, uint64_t value)
{
	struct tessera_io_slot *s = &tio_slots(io)[v];

	__atomic_store_n(&s->state, TESSERA_IO_STATE_PROCESSING, __ATOMIC_RELAXED);
	if (s->req.direction == TESSERA_IO_READ)
		__atomic_store_n(&s->req.value, value, __ATOMIC_RELAXED);
	__atomic_store_n(&s->state, TESSERA_IO_STATE_COMPLETE, __ATOMIC_RELEASE);
	if (io->completion_mode == TESSERA_IO_COMPLETION_NOTIFY &&
	    io_notify_finish(io, v))
		abort();
}

uint64_t tio_rand(uint64_t *state)
{
	uint64_t x = *state;

	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	*state = x;
	return x * 0x2545f4914f6cdd1dull;
}
