/* SPDX-License-Identifier: BSD-3-Clause */
/* A test-side virtio-mmio driver (fake_driver.h). */
#include <endian.h>
#include <stdlib.h>
#include <string.h>

#include "../virtio.h"
#include "fake_driver.h"

void fd_init(struct fake_driver *d, const struct guest_mem *m,
	     struct virtio_mmio *t)
{
	memset(d, 0, sizeof(*d));
	d->mem = m;
	d->t = t;
	d->next_free = m->gpa + 0x1000; /* keep 0 .. 4K unused */
}

uint64_t fd_access(struct fake_driver *d, uint64_t off, unsigned size,
		   bool write, uint64_t v)
{
	if (vmmio_access(d->t, off, size, write, &v))
		abort();
	return write ? 0 : v;
}

uint32_t fd_read(struct fake_driver *d, uint64_t off)
{
	return (uint32_t)fd_access(d, off, 4, false, 0);
}

void fd_write(struct fake_driver *d, uint64_t off, uint32_t v)
{
	fd_access(d, off, 4, true, v);
}

uint64_t fd_device_features(struct fake_driver *d)
{
	uint64_t f;

	fd_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 1);
	f = (uint64_t)fd_read(d, VIRTIO_MMIO_DEVICE_FEATURES) << 32;
	fd_write(d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 0);
	return f | fd_read(d, VIRTIO_MMIO_DEVICE_FEATURES);
}

uint64_t fd_alloc(struct fake_driver *d, uint64_t size, uint64_t align)
{
	uint64_t gpa = (d->next_free + align - 1) & ~(align - 1);
	void *p = gpa_to_host(d->mem, gpa, size);

	if (!p)
		abort(); /* the test's guest RAM is too small */
	memset(p, 0, size);
	d->next_free = gpa + size;
	return gpa;
}

void *fd_host(struct fake_driver *d, uint64_t gpa)
{
	return gpa_to_host(d->mem, gpa, 1);
}

uint32_t fd_negotiate(struct fake_driver *d, uint64_t features)
{
	fd_write(d, VIRTIO_MMIO_STATUS, 0);
	fd_write(d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	fd_write(d, VIRTIO_MMIO_STATUS,
		 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER);
	fd_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	fd_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)features);
	fd_write(d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 1);
	fd_write(d, VIRTIO_MMIO_DRIVER_FEATURES, (uint32_t)(features >> 32));
	fd_write(d, VIRTIO_MMIO_STATUS,
		 VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
			 VIRTIO_STATUS_FEATURES_OK);
	return fd_read(d, VIRTIO_MMIO_STATUS);
}

static void write64(struct fake_driver *d, uint64_t lo, uint64_t v)
{
	fd_write(d, lo, (uint32_t)v);
	fd_write(d, lo + 4, (uint32_t)(v >> 32));
}

void fd_setup_queue(struct fake_driver *d, unsigned q, uint16_t size)
{
	struct fd_queue *fq = &d->q[q];

	memset(fq, 0, sizeof(*fq));
	fq->size = size;
	fq->desc = fd_alloc(d, 16ull * size, 16);
	fq->avail = fd_alloc(d, 6 + 2ull * size, 2);
	fq->used = fd_alloc(d, 6 + 8ull * size, 4);
	fd_write(d, VIRTIO_MMIO_QUEUE_SEL, q);
	fd_write(d, VIRTIO_MMIO_QUEUE_NUM, size);
	write64(d, VIRTIO_MMIO_QUEUE_DESC_LOW, fq->desc);
	write64(d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, fq->avail);
	write64(d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, fq->used);
	fd_write(d, VIRTIO_MMIO_QUEUE_READY, 1);
}

void fd_driver_ok(struct fake_driver *d)
{
	fd_write(d, VIRTIO_MMIO_STATUS,
		 fd_read(d, VIRTIO_MMIO_STATUS) | VIRTIO_STATUS_DRIVER_OK);
}

void fd_bring_up(struct fake_driver *d, uint64_t features)
{
	fd_negotiate(d, features | (1ull << VIRTIO_F_VERSION_1));
	for (unsigned q = 0; q < d->t->be->nr_queues; q++)
		fd_setup_queue(d, q, 16);
	fd_driver_ok(d);
}

void fd_set_desc(struct fake_driver *d, unsigned q, uint16_t i, uint64_t addr,
		 uint32_t len, uint16_t flags, uint16_t next)
{
	uint8_t *p = fd_host(d, d->q[q].desc + 16ull * i);
	uint64_t a = htole64(addr);
	uint32_t l = htole32(len);
	uint16_t f = htole16(flags), n = htole16(next);

	memcpy(p, &a, 8);
	memcpy(p + 8, &l, 4);
	memcpy(p + 12, &f, 2);
	memcpy(p + 14, &n, 2);
}

void fd_set_avail_idx(struct fake_driver *d, unsigned q, uint16_t idx)
{
	uint16_t v = htole16(idx);

	memcpy(fd_host(d, d->q[q].avail + 2), &v, 2);
	d->q[q].avail_idx = idx;
}

void fd_set_avail_flags(struct fake_driver *d, unsigned q, uint16_t flags)
{
	uint16_t v = htole16(flags);

	memcpy(fd_host(d, d->q[q].avail), &v, 2);
}

void fd_publish(struct fake_driver *d, unsigned q, uint16_t head)
{
	struct fd_queue *fq = &d->q[q];
	uint16_t v = htole16(head);

	memcpy(fd_host(d, fq->avail + 4 + 2ull * (fq->avail_idx % fq->size)),
	       &v, 2);
	fd_set_avail_idx(d, q, fq->avail_idx + 1);
}

uint16_t fd_add_chain(struct fake_driver *d, unsigned q,
		      const struct fd_buf *bufs, unsigned n)
{
	struct fd_queue *fq = &d->q[q];
	uint16_t head = fq->next_desc;

	for (unsigned i = 0; i < n; i++) {
		uint16_t me = (uint16_t)((head + i) % fq->size);
		uint16_t next = (uint16_t)((head + i + 1) % fq->size);
		uint16_t flags = (bufs[i].write ? VIRTQ_DESC_F_WRITE : 0) |
				 (i + 1 < n ? VIRTQ_DESC_F_NEXT : 0);

		fd_set_desc(d, q, me, bufs[i].gpa, bufs[i].len, flags,
			    i + 1 < n ? next : 0);
	}
	fq->next_desc = (uint16_t)((head + n) % fq->size);
	fd_publish(d, q, head);
	return head;
}

void fd_kick(struct fake_driver *d, unsigned q)
{
	fd_write(d, VIRTIO_MMIO_QUEUE_NOTIFY, q);
}

bool fd_used(struct fake_driver *d, unsigned q, uint32_t *id, uint32_t *len)
{
	struct fd_queue *fq = &d->q[q];
	uint16_t idx;
	const uint8_t *e;

	memcpy(&idx, fd_host(d, fq->used + 2), 2);
	if (le16toh(idx) == fq->used_seen)
		return false;
	e = fd_host(d, fq->used + 4 + 8ull * (fq->used_seen % fq->size));
	memcpy(id, e, 4);
	memcpy(len, e + 4, 4);
	*id = le32toh(*id);
	*len = le32toh(*len);
	fq->used_seen++;
	return true;
}
