/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the device model's guest-facing surface: a hostile
 * guest drives one virtio-mmio transport (virtio-blk on a memfd disk,
 * virtio-console or virtio-rng) through register accesses, queue set-ups
 * at any size and address, writes anywhere in its RAM (descriptor tables,
 * rings, buffers), kicks and console input. Guest RAM is an exactly sized
 * heap buffer, so AddressSanitizer reports any access outside it; UBSan
 * any overflow. Invariants checked after every step: the IRQ line matches
 * InterruptStatus, a ready queue's rings lie in RAM, the used index moved
 * by at most the queue size since the ring was last seen.
 *
 * Input: a device byte, then commands (op byte, arguments), until it ends.
 */
#define _GNU_SOURCE /* memfd_create */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "../../devicemodel/fake/fake_driver.h"
#include "../../devicemodel/fake/fake_vm.h"
#include "../../devicemodel/virtio.h"
#include "../../devicemodel/virtio_blk.h"
#include "../../devicemodel/virtio_console.h"
#include "../../devicemodel/virtio_rng.h"

#define RAM_GPA 0x40000000ull
#define RAM_SIZE 0x10000u
#define INTID 48u

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

static int null_fd = -1;
static char disk_path[64];
static uint8_t *ram;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	int fd = memfd_create("tessera-dm-fuzz-disk", 0);

	(void)argc;
	(void)argv;
	if (fd < 0 || ftruncate(fd, 64 * 1024))
		abort();
	snprintf(disk_path, sizeof(disk_path), "/proc/self/fd/%d", fd);
	null_fd = open("/dev/null", O_WRONLY);
	ram = malloc(RAM_SIZE);
	setenv("TESSERA_TEST_QUIET", "1", 1);
	return 0;
}

static bool irq_failed; /* an IRQ line change was refused this run */

static void check(struct virtio_mmio *t, struct fake_vm *vm,
		  uint16_t *last_used)
{
	/* the transport knows the line's level; it follows InterruptStatus
	 * unless the Service VM refused a change (retried on the next one) */
	if (vm->line[INTID] != t->line_high)
		abort();
	if (!irq_failed && t->line_high != (t->isr != 0))
		abort();
	for (unsigned q = 0; q < VMMIO_MAX_QUEUES; q++) {
		const struct virtqueue *vq = &t->vq[q];

		if (!vq->ready)
			continue;
		if (vq->desc < ram || vq->desc + 16u * vq->size > ram + RAM_SIZE ||
		    vq->avail < ram || vq->avail + 6 + 2u * vq->size > ram + RAM_SIZE ||
		    vq->used < ram || vq->used + 6 + 8u * vq->size > ram + RAM_SIZE)
			abort();
		if ((uint16_t)(vq->used_idx - last_used[q]) > 4u * vq->size)
			abort(); /* more than one serve's budget since last look */
		last_used[q] = vq->used_idx;
	}
}

/* A queue set-up from the input: sound most of the time, anything else too. */
static void setup_queue(struct fake_driver *d, struct input *in, unsigned q)
{
	uint8_t how = (uint8_t)take(in, 1);
	uint64_t desc = RAM_GPA + 0x1000 + q * 0x3000, avail = desc + 0x1000,
		 used = desc + 0x2000;
	uint32_t num = 1u << (how % 9);

	if (how & 0x80) {
		num = (uint32_t)take(in, 2);
		desc = RAM_GPA + take(in, 3) - 0x100;
		avail = RAM_GPA + take(in, 3) - 0x100;
		used = RAM_GPA + take(in, 3) - 0x100;
	}
	fd_write(d, VIRTIO_MMIO_QUEUE_SEL, q);
	fd_write(d, VIRTIO_MMIO_QUEUE_NUM, num);
	fd_write(d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	fd_write(d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	fd_write(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	fd_write(d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	fd_write(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	fd_write(d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
	fd_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
	d->q[q] = (struct fd_queue){.size = (uint16_t)num, .desc = desc,
				    .avail = avail, .used = used};
}

/* A chain of 1..4 descriptors that is nearly right: buffers mostly in RAM,
 * flags and links from the input. Only on a queue the device took. */
static void add_chain(struct fake_driver *d, struct virtio_mmio *t,
		      struct input *in)
{
	unsigned q = (unsigned)take(in, 1) % VMMIO_MAX_QUEUES;
	unsigned n = 1 + (unsigned)take(in, 1) % 4;
	struct fd_queue *fq = &d->q[q];
	uint16_t first;

	if (!t->vq[q].ready || fq->size != t->vq[q].size)
		return;
	first = (uint16_t)(take(in, 1) % fq->size);
	for (unsigned i = 0; i < n; i++) {
		uint16_t me = (uint16_t)((first + i) % fq->size);
		uint8_t how = (uint8_t)take(in, 1);
		uint64_t addr = how & 0x80 ? take(in, 8)
					   : RAM_GPA + take(in, 2) % RAM_SIZE;
		uint32_t len = how & 0x40 ? (uint32_t)take(in, 4)
					  : (uint32_t)take(in, 2) % 0x800;
		uint16_t flags = (how & 1 ? VIRTQ_DESC_F_WRITE : 0) |
				 (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0) |
				 (how & 2 ? VIRTQ_DESC_F_INDIRECT : 0);
		uint16_t next = how & 4 ? (uint16_t)take(in, 2)
					: (uint16_t)((me + 1) % fq->size);

		if (how & 8) /* blk: writable after the header */
			flags = (i ? VIRTQ_DESC_F_WRITE : 0) |
				(i + 1 < n ? VIRTQ_DESC_F_NEXT : 0);
		fd_set_desc(d, q, me, addr, len, flags, next);
	}
	fd_publish(d, q, first);
}

/* A virtio-blk request header somewhere in RAM. */
static void blk_header(struct input *in)
{
	uint32_t off = (uint32_t)take(in, 2) % (RAM_SIZE - 16);
	uint32_t type = (uint32_t)take(in, 1) % 10;
	uint64_t sector = take(in, 1) & 1 ? take(in, 8) : take(in, 1);

	memcpy(ram + off, &type, 4);
	memset(ram + off + 4, 0, 4);
	memcpy(ram + off + 8, &sector, 8);
}

static void bring_up(struct fake_driver *d, struct input *in)
{
	uint64_t features = take(in, 1) & 1 ? take(in, 8)
					    : fd_device_features(d);

	fd_negotiate(d, features);
	for (unsigned q = 0; q < d->t->be->nr_queues; q++)
		setup_queue(d, in, q);
	fd_driver_ok(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size};
	struct guest_mem mem;
	struct fake_vm *vm = malloc(sizeof(*vm));
	struct virtio_mmio t;
	struct fake_driver d;
	uint16_t last_used[VMMIO_MAX_QUEUES] = {0};
	char err[256];
	unsigned steps = 0;
	int rc;

	memset(ram, 0, RAM_SIZE);
	irq_failed = false;
	guest_mem_wrap(&mem, ram, RAM_GPA, RAM_SIZE);
	fake_vm_init(vm);
	vmmio_init(&t, &mem, &vm->vmm, 0x0a000000, INTID);
	switch (take(&in, 1) % 3) {
	case 0:
		rc = virtio_blk_attach(&t, disk_path, false, err, sizeof(err));
		break;
	case 1:
		rc = virtio_console_attach(&t, null_fd, err, sizeof(err));
		break;
	default:
		rc = virtio_rng_attach(&t, err, sizeof(err));
		break;
	}
	if (rc)
		abort();
	fd_init(&d, &mem, &t);
	bring_up(&d, &in);
	check(&t, vm, last_used);
	while (in.left && steps++ < 256) {
		uint8_t op = (uint8_t)take(&in, 1);

		switch (op % 10) {
		case 0: { /* the guest writes its RAM */
			uint32_t off = (uint32_t)take(&in, 2) % RAM_SIZE;
			uint32_t len = (uint32_t)take(&in, 1) % 33;

			while (len-- && in.left && off < RAM_SIZE)
				ram[off++] = (uint8_t)take(&in, 1);
			break;
		}
		case 1: /* kick */
			fd_kick(&d, (uint32_t)take(&in, 1) % 3);
			break;
		case 2: { /* a register write */
			uint64_t off = take(&in, 1) * 4 % 0x100;

			fd_write(&d, off, (uint32_t)take(&in, 4));
			break;
		}
		case 3: { /* an access of any width, anywhere in the window */
			static const unsigned sizes[] = {1, 2, 4, 8};
			uint64_t off = take(&in, 2) % VIRTIO_MMIO_SIZE;
			uint8_t how = (uint8_t)take(&in, 1);
			unsigned s = sizes[how & 3];

			if (off + s > VIRTIO_MMIO_SIZE)
				break; /* iobus never hands over a straddle */
			fd_access(&d, off, s, how & 4, take(&in, 8));
			break;
		}
		case 4: { /* console input */
			uint8_t buf[64];
			size_t n = take(&in, 1) % sizeof(buf), k = 0;

			while (k < n && in.left)
				buf[k++] = (uint8_t)take(&in, 1);
			if (t.be->device_id == VIRTIO_ID_CONSOLE)
				virtio_console_input(&t, buf, k);
			break;
		}
		case 5: /* reset, and up again */
			memset(last_used, 0, sizeof(last_used));
			bring_up(&d, &in);
			break;
		case 6: /* acknowledge */
			fd_write(&d, VIRTIO_MMIO_INTERRUPT_ACK,
				 (uint32_t)take(&in, 1));
			break;
		case 8:
			add_chain(&d, &t, &in);
			break;
		case 9:
			blk_header(&in);
			break;
		default: /* the Service VM refuses IRQ line changes, or not */
			vm->rc[FAKE_IRQ] = take(&in, 1) & 1 ? -5 : 0;
			irq_failed |= vm->rc[FAKE_IRQ] != 0;
			break;
		}
		check(&t, vm, last_used);
	}
	vm->rc[FAKE_IRQ] = 0;
	vmmio_reset(&t); /* as on VM reset: the line goes down */
	if (vm->line[INTID] || t.line_high)
		abort();
	vmmio_destroy(&t);
	fake_vm_fini(vm);
	free(vm);
	return 0;
}
