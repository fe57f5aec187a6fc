/* SPDX-License-Identifier: BSD-3-Clause */
/* Split virtqueues against a hostile driver (virtqueue.h). */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "virtio.h"
#include "virtqueue.h"

/* Guest-memory layout of the split rings. */
#define DESC_SIZE 16u
#define AVAIL_FLAGS 0u
#define AVAIL_IDX 2u
#define AVAIL_RING 4u
#define USED_IDX 2u
#define USED_RING 4u
#define USED_ELEM 8u

struct desc {
	uint64_t addr;
	uint32_t len;
	uint16_t flags;
	uint16_t next;
};

void vq_init(struct virtqueue *vq, const struct guest_mem *m, const char *name)
{
	*vq = (struct virtqueue){
		.mem = m,
		.name = name,
		.rl = LOG_RATELIMIT_INIT(LOG_WARN, NULL, "virtqueue"),
	};
}

static bool aligned(uint64_t gpa, const void *host, unsigned a)
{
	return gpa % a == 0 && (uintptr_t)host % a == 0;
}

int vq_enable(struct virtqueue *vq, uint32_t size, uint64_t desc,
	      uint64_t avail, uint64_t used, const char **why)
{
	/* with used_event / avail_event: 2 bytes more each */
	uint8_t *d = gpa_to_host(vq->mem, desc, (uint64_t)size * DESC_SIZE);
	uint8_t *a = gpa_to_host(vq->mem, avail, 6 + 2ull * size);
	uint8_t *u = gpa_to_host(vq->mem, used, 6 + (uint64_t)USED_ELEM * size);

	vq_disable(vq);
	if (!size || size > VQ_MAX_SIZE || (size & (size - 1)))
		*why = "queue size is not a power of two up to the maximum";
	else if (!d || !a || !u)
		*why = "a ring area is not inside guest RAM";
	else if (!aligned(desc, d, 16) || !aligned(avail, a, 2) ||
		 !aligned(used, u, 4))
		*why = "a ring area is misaligned";
	else {
		vq->size = (uint16_t)size;
		vq->desc = d;
		vq->avail = a;
		vq->used = u;
		vq->ready = true;
		return 0;
	}
	return -EINVAL;
}

void vq_disable(struct virtqueue *vq)
{
	vq->ready = false;
	vq->size = 0;
	vq->last_avail = 0;
	vq->used_idx = 0;
	vq->desc = vq->avail = vq->used = NULL;
}

static uint16_t load16(const uint8_t *p)
{
	uint16_t v;

	memcpy(&v, p, sizeof(v));
	return le16toh(v);
}

static void read_desc(const struct virtqueue *vq, uint16_t i, struct desc *d)
{
	uint8_t raw[DESC_SIZE]; /* one copy; the guest may change the table */
	uint64_t addr;
	uint32_t len;
	uint16_t flags, next;

	memcpy(raw, vq->desc + (size_t)i * DESC_SIZE, sizeof(raw));
	memcpy(&addr, raw, 8);
	memcpy(&len, raw + 8, 4);
	memcpy(&flags, raw + 12, 2);
	memcpy(&next, raw + 14, 2);
	*d = (struct desc){le64toh(addr), le32toh(len), le16toh(flags),
			   le16toh(next)};
}

static enum vq_pop bad(struct virtqueue *vq, enum vq_pop what,
		       const char *why, unsigned a, unsigned b)
{
	if (what == VQ_BROKEN)
		vq->stats.broken++;
	else
		vq->stats.bad++;
	if (log_ratelimit_allow(&vq->rl))
		log_warn("%s: %s (%u, %u): %s", vq->name, why, a, b,
			 what == VQ_BROKEN ? "device needs a reset"
					   : "request dropped");
	return what;
}

/* Walk the chain from c->head into c. */
static enum vq_pop walk(struct virtqueue *vq, struct vq_chain *c)
{
	uint16_t i = c->head;
	uint64_t total[2] = {0, 0};

	for (unsigned n = 0;; n++) {
		struct desc d;
		bool w;

		if (n == vq->size)
			return bad(vq, VQ_BAD_CHAIN, "chain longer than the "
				   "queue (a loop?)", c->head, n);
		read_desc(vq, i, &d);
		w = d.flags & VIRTQ_DESC_F_WRITE;
		if (d.flags & VIRTQ_DESC_F_INDIRECT)
			return bad(vq, VQ_BAD_CHAIN, "indirect descriptor "
				   "(not offered)", c->head, i);
		if (!w && c->nr_write)
			return bad(vq, VQ_BAD_CHAIN, "device-readable descriptor "
				   "after a writable one", c->head, i);
		if (d.len) {
			uint8_t *p = gpa_to_host(vq->mem, d.addr, d.len);
			uint16_t k = c->nr_read + c->nr_write;

			if (!p)
				return bad(vq, VQ_BAD_CHAIN, "buffer outside "
					   "guest RAM", c->head, i);
			total[w] += d.len;
			if (total[w] > UINT32_MAX)
				return bad(vq, VQ_BAD_CHAIN, "chain of 4 GiB or "
					   "more", c->head, i);
			c->buf[k] = (struct vq_buf){p, d.len};
			if (w)
				c->nr_write++;
			else
				c->nr_read++;
		}
		if (!(d.flags & VIRTQ_DESC_F_NEXT))
			break;
		if (d.next >= vq->size)
			return bad(vq, VQ_BAD_CHAIN, "next descriptor out of "
				   "range", c->head, d.next);
		i = d.next;
	}
	c->read_len = (uint32_t)total[0];
	c->write_len = (uint32_t)total[1];
	vq->stats.chains++;
	return VQ_CHAIN;
}

enum vq_pop vq_pop(struct virtqueue *vq, struct vq_chain *c)
{
	uint16_t idx, pending, head;

	if (!vq->ready)
		return VQ_EMPTY;
	idx = le16toh(__atomic_load_n((uint16_t *)(vq->avail + AVAIL_IDX),
				      __ATOMIC_ACQUIRE));
	pending = (uint16_t)(idx - vq->last_avail);
	if (!pending)
		return VQ_EMPTY;
	if (pending > vq->size)
		return bad(vq, VQ_BROKEN, "avail index ran ahead by more than "
			   "the queue size", idx, vq->last_avail);
	head = load16(vq->avail + AVAIL_RING +
		      2u * (vq->last_avail & (vq->size - 1)));
	vq->last_avail++;
	if (head >= vq->size)
		return bad(vq, VQ_BROKEN, "head descriptor out of range", head,
			   vq->size);
	c->head = head;
	c->nr_read = c->nr_write = 0;
	c->read_len = c->write_len = 0;
	return walk(vq, c);
}

void vq_push(struct virtqueue *vq, uint16_t head, uint32_t len)
{
	uint8_t *e;
	uint32_t id = htole32(head), l = htole32(len);

	if (!vq->ready)
		return;
	e = vq->used + USED_RING + USED_ELEM * (vq->used_idx & (vq->size - 1));
	memcpy(e, &id, 4);
	memcpy(e + 4, &l, 4);
	vq->used_idx++;
	__atomic_store_n((uint16_t *)(vq->used + USED_IDX), htole16(vq->used_idx),
			 __ATOMIC_RELEASE);
}

bool vq_wants_interrupt(struct virtqueue *vq)
{
	uint16_t flags;

	if (!vq->ready)
		return false;
	/* the used->idx store before the flags load */
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	flags = le16toh(__atomic_load_n((uint16_t *)(vq->avail + AVAIL_FLAGS),
					__ATOMIC_RELAXED));
	return !(flags & VIRTQ_AVAIL_F_NO_INTERRUPT);
}

int vq_chain_foreach(const struct vq_chain *c, bool writable, uint64_t off,
		     uint64_t len, vq_piece_fn fn, void *arg)
{
	const struct vq_buf *b = c->buf + (writable ? c->nr_read : 0);
	unsigned n = writable ? c->nr_write : c->nr_read;
	uint64_t have = writable ? c->write_len : c->read_len, pos = 0;

	if (off > have || len > have - off)
		return -1;
	for (unsigned i = 0; i < n && len; pos += b[i].len, i++) {
		uint64_t skip, take;
		int rc;

		if (off >= pos + b[i].len)
			continue;
		skip = off > pos ? off - pos : 0;
		take = b[i].len - skip < len ? b[i].len - skip : len;
		rc = fn(arg, b[i].host + skip, (size_t)take, pos + skip);
		if (rc)
			return rc;
		off += take;
		len -= take;
	}
	return 0;
}

struct copy {
	uint8_t *mem;   /* caller's buffer */
	uint64_t start; /* its position in the stream */
	bool to_guest;
};

static int copy_piece(void *arg, uint8_t *p, size_t n, uint64_t pos)
{
	struct copy *cp = arg;

	if (cp->to_guest)
		memcpy(p, cp->mem + (pos - cp->start), n);
	else
		memcpy(cp->mem + (pos - cp->start), p, n);
	return 0;
}

int vq_chain_read(const struct vq_chain *c, uint64_t off, void *dst,
		  size_t len)
{
	struct copy cp = {dst, off, false};

	return vq_chain_foreach(c, false, off, len, copy_piece, &cp);
}

int vq_chain_write(const struct vq_chain *c, uint64_t off, const void *src,
		   size_t len)
{
	struct copy cp = {(uint8_t *)src, off, true};

	return vq_chain_foreach(c, true, off, len, copy_piece, &cp);
}
