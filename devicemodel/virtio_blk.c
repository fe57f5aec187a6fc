/* SPDX-License-Identifier: BSD-3-Clause */
/* virtio-blk on a file (virtio_blk.h). */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "virtio.h"
#include "virtio_blk.h"

#define HDR_SIZE 16u
#define CONFIG_SIZE 24u /* capacity .. blk_size */
#define BIT64(n) (1ull << (n))

struct blk {
	int fd;
	bool ro;
	uint64_t sectors;
	char id[VIRTIO_BLK_ID_BYTES];
	char path[256];
	struct log_ratelimit rl;
	struct virtio_blk_stats stats;
};

/* Move the chain's bytes [from, from + len) of one direction to or from the
 * file at `at`, piece by piece. */
struct xfer {
	int fd;
	uint64_t from; /* stream position of file offset `at` */
	uint64_t at;
	bool to_file;
};

static int xfer_piece(void *arg, uint8_t *p, size_t n, uint64_t pos)
{
	const struct xfer *x = arg;
	off_t off = (off_t)(x->at + (pos - x->from));

	while (n) {
		ssize_t k = x->to_file ? pwrite(x->fd, p, n, off)
				       : pread(x->fd, p, n, off);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0) /* an error, or the file shrank under us */
			return -1;
		p += k;
		n -= (size_t)k;
		off += k;
	}
	return 0;
}

static bool in_range(const struct blk *b, uint64_t sector, uint64_t bytes)
{
	uint64_t n = bytes / VIRTIO_BLK_SECTOR;

	return bytes % VIRTIO_BLK_SECTOR == 0 && sector <= b->sectors &&
	       n <= b->sectors - sector;
}

static uint8_t ioerr(struct virtio_mmio *t, struct blk *b, const char *what,
		     uint64_t sector, uint64_t bytes)
{
	b->stats.ioerr++;
	if (log_ratelimit_allow(&b->rl))
		log_warn("%s: %s at sector %llu, %llu bytes (capacity %llu "
			 "sectors): I/O error", t->name, what,
			 (unsigned long long)sector, (unsigned long long)bytes,
			 (unsigned long long)b->sectors);
	return VIRTIO_BLK_S_IOERR;
}

static uint8_t do_read(struct virtio_mmio *t, struct blk *b,
		       struct vq_chain *c, uint64_t sector, uint64_t len)
{
	struct xfer x = {b->fd, 0, sector * VIRTIO_BLK_SECTOR, false};

	b->stats.reads++;
	if (!in_range(b, sector, len))
		return ioerr(t, b, "read out of range", sector, len);
	if (vq_chain_foreach(c, true, 0, len, xfer_piece, &x))
		return ioerr(t, b, "read failed", sector, len);
	return VIRTIO_BLK_S_OK;
}

static uint8_t do_write(struct virtio_mmio *t, struct blk *b,
			struct vq_chain *c, uint64_t sector, uint64_t len)
{
	struct xfer x = {b->fd, HDR_SIZE, sector * VIRTIO_BLK_SECTOR, true};

	b->stats.writes++;
	if (b->ro)
		return ioerr(t, b, "write to a read-only disk", sector, len);
	if (!in_range(b, sector, len))
		return ioerr(t, b, "write out of range", sector, len);
	if (vq_chain_foreach(c, false, HDR_SIZE, len, xfer_piece, &x))
		return ioerr(t, b, "write failed", sector, len);
	return VIRTIO_BLK_S_OK;
}

static uint32_t blk_chain(struct virtio_mmio *t, unsigned q,
			  struct vq_chain *c)
{
	struct blk *b = t->priv;
	uint8_t hdr[HDR_SIZE], status;
	uint32_t type, data, used = 1;
	uint64_t sector;

	(void)q;
	if (!c->write_len) { /* nowhere to put a status */
		b->stats.dropped++;
		if (log_ratelimit_allow(&b->rl))
			log_warn("%s: request without a status byte: dropped",
				 t->name);
		return 0;
	}
	data = c->write_len - 1; /* device-writable bytes before the status */
	if (vq_chain_read(c, 0, hdr, HDR_SIZE)) {
		status = ioerr(t, b, "request shorter than its header", 0,
			       c->read_len);
		goto done;
	}
	memcpy(&type, hdr, 4);
	memcpy(&sector, hdr + 8, 8);
	type = le32toh(type);
	sector = le64toh(sector);
	switch (type) {
	case VIRTIO_BLK_T_IN:
		status = do_read(t, b, c, sector, data);
		if (status == VIRTIO_BLK_S_OK)
			used += data;
		break;
	case VIRTIO_BLK_T_OUT:
		status = do_write(t, b, c, sector, c->read_len - HDR_SIZE);
		break;
	case VIRTIO_BLK_T_FLUSH:
		b->stats.flushes++;
		status = b->ro || fdatasync(b->fd) == 0
				 ? VIRTIO_BLK_S_OK
				 : ioerr(t, b, "flush failed", 0, 0);
		break;
	case VIRTIO_BLK_T_GET_ID: {
		uint32_t n = data < VIRTIO_BLK_ID_BYTES ? data
							: VIRTIO_BLK_ID_BYTES;

		b->stats.get_ids++;
		vq_chain_write(c, 0, b->id, n);
		used += n;
		status = VIRTIO_BLK_S_OK;
		break;
	}
	default:
		b->stats.unsupp++;
		if (log_ratelimit_allow(&b->rl))
			log_info("%s: request type %u not supported", t->name,
				 type);
		status = VIRTIO_BLK_S_UNSUPP;
		break;
	}
done:
	vq_chain_write(c, c->write_len - 1, &status, 1);
	return used;
}

static void blk_notify(struct virtio_mmio *t, unsigned q)
{
	vmmio_serve_queue(t, q, blk_chain);
}

static void blk_destroy(struct virtio_mmio *t)
{
	struct blk *b = t->priv;

	if (b->fd >= 0)
		close(b->fd);
	free(b);
}

static const struct virtio_backend blk_backend = {
	.kind = "virtio-blk",
	.device_id = VIRTIO_ID_BLOCK,
	.nr_queues = 1,
	.notify = blk_notify,
	.destroy = blk_destroy,
};

int virtio_blk_attach(struct virtio_mmio *t, const char *path, bool ro,
		      char *err, size_t errlen)
{
	uint8_t cfg[CONFIG_SIZE] = {0};
	uint64_t cap;
	uint32_t v32;
	off_t size;
	struct blk *b;
	const char *base = strrchr(path, '/');
	int fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);

	if (fd < 0) {
		snprintf(err, errlen, "cannot open disk %s%s: %s", path,
			 ro ? "" : " for writing", strerror(errno));
		return -1;
	}
	size = lseek(fd, 0, SEEK_END); /* also right for block devices */
	if (size < (off_t)VIRTIO_BLK_SECTOR) {
		snprintf(err, errlen, "disk %s %s", path,
			 size < 0 ? "cannot be sized"
				  : "is smaller than one 512-byte sector");
		close(fd);
		return -1;
	}
	b = calloc(1, sizeof(*b));
	if (!b) {
		snprintf(err, errlen, "out of memory");
		close(fd);
		return -1;
	}
	b->fd = fd;
	b->ro = ro;
	b->sectors = (uint64_t)size / VIRTIO_BLK_SECTOR;
	b->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(LOG_WARN, NULL,
							 "virtio-blk request");
	snprintf(b->path, sizeof(b->path), "%s", path);
	/* GET_ID: the file's name, NUL-padded, cut to 20 bytes */
	base = base ? base + 1 : path;
	memcpy(b->id, base, strnlen(base, sizeof(b->id)));
	if ((uint64_t)size % VIRTIO_BLK_SECTOR)
		log_warn("disk %s: the last %llu bytes are not a whole sector "
			 "and cannot be reached", path,
			 (unsigned long long)((uint64_t)size %
					      VIRTIO_BLK_SECTOR));
	vmmio_bind(t, &blk_backend, b,
		   BIT64(VIRTIO_BLK_F_SEG_MAX) | BIT64(VIRTIO_BLK_F_BLK_SIZE) |
			   BIT64(VIRTIO_BLK_F_FLUSH) |
			   (ro ? BIT64(VIRTIO_BLK_F_RO) : 0));
	cap = htole64(b->sectors);
	memcpy(cfg, &cap, 8);                  /* capacity */
	v32 = htole32(VQ_MAX_SIZE - 2);        /* seg_max: header, status */
	memcpy(cfg + 12, &v32, 4);
	v32 = htole32(VIRTIO_BLK_SECTOR);      /* blk_size */
	memcpy(cfg + 20, &v32, 4);
	vmmio_set_config(t, cfg, sizeof(cfg));
	return 0;
}

uint64_t virtio_blk_sectors(const struct virtio_mmio *t)
{
	return ((const struct blk *)t->priv)->sectors;
}

const struct virtio_blk_stats *virtio_blk_stats(const struct virtio_mmio *t)
{
	return &((const struct blk *)t->priv)->stats;
}
