/* SPDX-License-Identifier: BSD-3-Clause */
/* virtio-console, one port (virtio_console.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "virtio.h"
#include "virtio_console.h"

#define RXQ 0u
#define TXQ 1u
#define CONFIG_SIZE 12u /* cols, rows, max_nr_ports, emerg_wr */
#define OUT_WAIT_MS 100 /* for a full non-blocking output, per write */

struct con {
	int out_fd;
	uint8_t in[VIRTIO_CONSOLE_INBUF]; /* ring of pending input */
	size_t in_head, in_len;
	struct log_ratelimit rl;
	struct virtio_console_stats stats;
};

static int out_piece(void *arg, uint8_t *p, size_t n, uint64_t pos)
{
	struct con *c = arg;

	(void)pos;
	while (n) {
		ssize_t k = write(c->out_fd, p, n);
		struct pollfd pfd = {.fd = c->out_fd, .events = POLLOUT};

		if (k < 0 && errno == EINTR)
			continue;
		/* a non-blocking stdout that is full: wait a little for it */
		if (k < 0 && errno == EAGAIN && poll(&pfd, 1, OUT_WAIT_MS) > 0)
			continue;
		if (k <= 0) {
			c->stats.lost_out += n;
			if (log_ratelimit_allow(&c->rl))
				log_warn("virtio-console: output lost: %s",
					 k < 0 ? "write failed" : "nothing "
					 "written");
			return 0; /* drop the rest of this piece */
		}
		c->stats.out_bytes += (size_t)k;
		p += k;
		n -= (size_t)k;
	}
	return 0;
}

static uint32_t tx_chain(struct virtio_mmio *t, unsigned q, struct vq_chain *ch)
{
	struct con *c = t->priv;

	(void)q;
	if (ch->nr_write) {
		c->stats.dropped++;
		if (log_ratelimit_allow(&c->rl))
			log_warn("%s: transmit buffer with device-writable "
				 "parts: dropped", t->name);
		return 0;
	}
	vq_chain_foreach(ch, false, 0, ch->read_len, out_piece, c);
	return 0;
}

/* Move pending input into the guest's receive buffers. */
static void flush_input(struct virtio_mmio *t)
{
	struct con *c = t->priv;
	struct virtqueue *vq = &t->vq[RXQ];
	struct vq_chain ch;
	bool pushed = false;

	while (c->in_len && vmmio_queue_live(t, RXQ)) {
		uint32_t n = 0;

		switch (vq_pop(vq, &ch)) {
		case VQ_EMPTY:
			goto out;
		case VQ_BROKEN:
			vmmio_needs_reset(t, "corrupt available ring");
			goto out;
		case VQ_BAD_CHAIN:
			break;
		case VQ_CHAIN:
			if (ch.nr_read) {
				c->stats.dropped++;
				if (log_ratelimit_allow(&c->rl))
					log_warn("%s: receive buffer with "
						 "device-readable parts: dropped",
						 t->name);
				break;
			}
			while (c->in_len && n < ch.write_len) {
				size_t run = VIRTIO_CONSOLE_INBUF - c->in_head;

				if (run > c->in_len)
					run = c->in_len;
				if (run > ch.write_len - n)
					run = ch.write_len - n;
				vq_chain_write(&ch, n, c->in + c->in_head, run);
				n += (uint32_t)run;
				c->in_head = (c->in_head + run) %
					     VIRTIO_CONSOLE_INBUF;
				c->in_len -= run;
			}
			c->stats.in_bytes += n;
			break;
		}
		vq_push(vq, ch.head, n);
		pushed = true;
	}
out:
	if (pushed)
		vmmio_signal_used(t, RXQ);
}

static void con_notify(struct virtio_mmio *t, unsigned q)
{
	if (q == TXQ)
		vmmio_serve_queue(t, q, tx_chain);
	else
		flush_input(t);
}

static void con_reset(struct virtio_mmio *t)
{
	struct con *c = t->priv;

	c->in_head = c->in_len = 0;
}

static void con_destroy(struct virtio_mmio *t)
{
	free(t->priv);
}

static const struct virtio_backend con_backend = {
	.kind = "virtio-console",
	.device_id = VIRTIO_ID_CONSOLE,
	.nr_queues = 2,
	.notify = con_notify,
	.reset = con_reset,
	.destroy = con_destroy,
};

int virtio_console_attach(struct virtio_mmio *t, int out_fd, char *err,
			  size_t errlen)
{
	static const uint8_t cfg[CONFIG_SIZE] = {0};
	struct con *c = calloc(1, sizeof(*c));

	if (!c) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	c->out_fd = out_fd;
	c->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(LOG_WARN, NULL,
							 "virtio-console buffer");
	vmmio_bind(t, &con_backend, c, 0);
	vmmio_set_config(t, cfg, sizeof(cfg));
	return 0;
}

size_t virtio_console_input_room(const struct virtio_mmio *t)
{
	const struct con *c = t->priv;

	return VIRTIO_CONSOLE_INBUF - c->in_len;
}

size_t virtio_console_input(struct virtio_mmio *t, const void *buf, size_t len)
{
	struct con *c = t->priv;
	const uint8_t *p = buf;
	size_t room = VIRTIO_CONSOLE_INBUF - c->in_len;

	if (len > room)
		len = room;
	for (size_t i = 0; i < len; i++)
		c->in[(c->in_head + c->in_len + i) % VIRTIO_CONSOLE_INBUF] = p[i];
	c->in_len += len;
	flush_input(t);
	return len;
}

const struct virtio_console_stats *
virtio_console_stats(const struct virtio_mmio *t)
{
	return &((const struct con *)t->priv)->stats;
}
