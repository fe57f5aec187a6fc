/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the I/O path: the input describes a VM (mode, options,
 * handlers), then a series of trapped accesses as a decoder might produce
 * them, each followed, if forwarded, by whatever a hostile Service VM does to
 * the slot; then completion and post-work. Checks the invariants the rest of
 * the hypervisor relies on; sanitizers catch the rest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <errno.h>

#include "../../hypervisor/common/io_internal.h"
#include "../unit/test_io_support.h"

struct input {
	const uint8_t *p;
	size_t left;
};

static uint64_t take(struct input *in, unsigned bytes)
{
	uint64_t v = 0;

	for (unsigned i = 0; i < bytes && in->left; i++, in->left--)
		v |= (uint64_t)*in->p++ << (8 * i);
	return v;
}

static int fuzz_handler(void *priv, uint64_t offset, unsigned size, bool write,
			uint64_t *value)
{
	uintptr_t how = (uintptr_t)priv;

	if (size != 1 && size != 2 && size != 4 && size != 8)
		abort();
	if (write && (*value & ~io_size_mask(size)))
		abort(); /* write data must arrive masked */
	if (!write)
		*value = ~offset * 0x0101010101010101ull; /* garbage above size */
	return how & 1 ? -EIO : 0;
}

static struct io_vm vm;
static uint8_t pages[2 * TESSERA_IO_PAGE_SIZE]
	__attribute__((aligned(TESSERA_IO_PAGE_SIZE)));

static void setup_vm(struct input *in)
{
	uint64_t opt = take(in, 2);
	struct io_vm_params p = {
		.vm_id = 7,
		.vcpu_count = 1 + (unsigned)(opt >> 4) % CONFIG_MAX_VCPUS_PER_VM,
		.completion_mode = opt & 1,
		.abort_on_unhandled = opt & 2,
	};
	unsigned handlers = (unsigned)(opt >> 8) % 8;

	if (io_vm_init(&vm, &p))
		abort();
	if ((opt & 4) && io_vm_attach_request_pages(&vm, pages, 1))
		abort();
	for (unsigned i = 0; i < handlers; i++) {
		unsigned space = (unsigned)take(in, 1) % 4;
		uint64_t base = take(in, 2) << (take(in, 1) % 64);
		uint64_t size = take(in, 2);
		int rc = io_register(&vm, space, base, size, fuzz_handler,
				     (void *)(uintptr_t)i, "fuzz");

		if (rc && rc != -EINVAL && rc != -EEXIST)
			abort();
	}
}

static struct io_access decode(struct input *in)
{
	uint64_t bits = take(in, 3);

	return (struct io_access){
		.space = (uint8_t)(bits & 3),
		.size = (uint8_t)(bits >> 2 & 0xf),
		.write = bits >> 6 & 1,
		.sign_extend = bits >> 7 & 1,
		.reg_is_64bit = bits >> 8 & 1,
		.merge_low = bits >> 9 & 1,
		.reg = (uint8_t)(bits >> 10 & 0x3f),
		.addr = take(in, 2) << (bits >> 16 & 63),
		.value = take(in, 8),
	};
}

/* What the Service VM may do to the slot while the request is out. */
static void hostile_service_vm(struct input *in, struct tessera_io_slot *s)
{
	unsigned ops = (unsigned)take(in, 1) % 5;

	for (unsigned i = 0; i < ops; i++) {
		uint64_t op = take(in, 1), arg = take(in, 4);
		int rc;

		switch (op % 8) {
		case 0:
			__atomic_store_n(&s->state, (uint32_t)arg, __ATOMIC_RELEASE);
			break;
		case 1:
			__atomic_store_n(&s->state, (uint32_t)arg % 5, __ATOMIC_RELEASE);
			break;
		case 2:
			s->req.value = arg * 0x9e3779b97f4a7c15ull;
			break;
		case 3:
			rc = io_notify_finish(&vm, (unsigned)arg % 20);
			if (rc && rc != -EINVAL && rc != -ENOENT)
				abort();
			break;
		case 4:
			io_vm_cancel_all(&vm);
			break;
		case 5:
			s->req.size = (uint32_t)arg;
			s->req.addr = arg;
			break;
		default:
			__atomic_store_n(&s->state, TESSERA_IO_STATE_COMPLETE,
					 __ATOMIC_RELEASE);
		}
	}
}

/* A single-threaded harness must not wait for a completion nobody will give. */
static void unblock_if_needed(unsigned v)
{
	uint32_t st = __atomic_load_n(&vm.vcpu[v].slot->state, __ATOMIC_RELAXED);
	bool busy = st == TESSERA_IO_STATE_PENDING ||
		    st == TESSERA_IO_STATE_PROCESSING;

	if (vm.completion_mode == TESSERA_IO_COMPLETION_POLLING
		    ? busy
		    : vm.vcpu[v].phase != IO_PHASE_NOTIFIED)
		io_vm_cancel_all(&vm);
}

static void one_access(struct input *in)
{
	unsigned v = (unsigned)take(in, 1) % (CONFIG_MAX_VCPUS_PER_VM + 2);
	struct io_access a = decode(in);
	struct io_access before = a;
	enum io_result r = io_emulate(&vm, v, &a);
	uint64_t reg = 0x1111111111111111ull;

	if (r == IO_PENDING) {
		hostile_service_vm(in, vm.vcpu[v].slot);
		unblock_if_needed(v);
		r = tio_wait(&vm, v, &a);
	}
	if (r != IO_DONE) {
		if (a.value != before.value)
			abort(); /* failures leave the access alone */
		if (r == IO_CANCELLED && io_vm_reset(&vm))
			abort();
		return;
	}
	if (a.write ? a.value != before.value : a.value & ~io_size_mask(a.size))
		abort();
	if (io_postwork_value(&a, reg, &reg) && (a.write || a.reg >= IO_REG_ZERO))
		abort();
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	setenv("TESSERA_TEST_QUIET", "1", 1);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	struct io_stats st;

	setup_vm(&in);
	for (unsigned n = 0; in.left && n < 64; n++) {
		one_access(&in);
		if (take(&in, 1) == 0xee) /* the device model goes away */
			io_vm_detach_request_pages(&vm);
	}
	io_vm_get_stats(&vm, &st);
	if (st.completed + st.cancelled > st.forwarded)
		abort();
	for (unsigned v = 0; v < vm.vcpu_count; v++)
		if (vm.vcpu[v].phase != IO_PHASE_IDLE)
			abort();
	return 0;
}
