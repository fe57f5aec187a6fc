/* SPDX-License-Identifier: BSD-3-Clause */
/* virtio-rng (virtio_rng.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "virtio.h"
#include "virtio_rng.h"

struct rng {
	int urandom; /* -1 until getrandom() is found missing */
	struct log_ratelimit rl;
	struct virtio_rng_stats stats;
};

static int fill(struct rng *r, uint8_t *p, size_t n)
{
	while (n) {
		ssize_t k;

		if (r->urandom < 0) {
			k = getrandom(p, n, 0);
			if (k < 0 && errno == ENOSYS) {
				r->urandom = open("/dev/urandom",
						  O_RDONLY | O_CLOEXEC);
				if (r->urandom < 0)
					return -1;
				continue;
			}
		} else {
			k = read(r->urandom, p, n);
		}
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return -1;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static int fill_piece(void *arg, uint8_t *p, size_t n, uint64_t pos)
{
	(void)pos;
	return fill(arg, p, n);
}

static uint32_t rng_chain(struct virtio_mmio *t, unsigned q, struct vq_chain *c)
{
	struct rng *r = t->priv;
	uint32_t n = c->write_len < VIRTIO_RNG_MAX_REQUEST
			     ? c->write_len
			     : VIRTIO_RNG_MAX_REQUEST;

	(void)q;
	if (c->nr_read) {
		r->stats.dropped++;
		if (log_ratelimit_allow(&r->rl))
			log_warn("%s: request with device-readable parts: "
				 "dropped", t->name);
		return 0;
	}
	if (vq_chain_foreach(c, true, 0, n, fill_piece, r)) {
		r->stats.failed++;
		if (log_ratelimit_allow(&r->rl))
			log_warn("%s: entropy source failed: %s", t->name,
				 strerror(errno));
		return 0;
	}
	r->stats.bytes += n;
	return n;
}

static void rng_notify(struct virtio_mmio *t, unsigned q)
{
	vmmio_serve_queue(t, q, rng_chain);
}

static void rng_destroy(struct virtio_mmio *t)
{
	struct rng *r = t->priv;

	if (r->urandom >= 0)
		close(r->urandom);
	free(r);
}

static const struct virtio_backend rng_backend = {
	.kind = "virtio-rng",
	.device_id = VIRTIO_ID_RNG,
	.nr_queues = 1,
	.notify = rng_notify,
	.destroy = rng_destroy,
};

int virtio_rng_attach(struct virtio_mmio *t, char *err, size_t errlen)
{
	struct rng *r = calloc(1, sizeof(*r));

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	r->urandom = -1;
	r->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(LOG_WARN, NULL,
							 "virtio-rng entropy");
	vmmio_bind(t, &rng_backend, r, 0);
	return 0;
}

const struct virtio_rng_stats *virtio_rng_stats(const struct virtio_mmio *t)
{
	return &((const struct rng *)t->priv)->stats;
}
