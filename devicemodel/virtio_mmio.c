/* SPDX-License-Identifier: BSD-3-Clause */
/* The virtio-mmio register state machine (virtio_mmio.h). */
#include <stdio.h>
#include <string.h>

#include "virtio.h"
#include "virtio_mmio.h"

#define STATUS_MASK 0xffu

#define BIT64(n) (1ull << (n))

#define complain(t, ...)                                                       \
	do {                                                                   \
		(t)->stats.bad_access++;                                       \
		if (log_ratelimit_allow(&(t)->rl))                             \
			log_warn(__VA_ARGS__);                                 \
	} while (0)

static void name_queues(struct virtio_mmio *t, const char *kind)
{
	snprintf(t->name, sizeof(t->name), "%s@0x%llx", kind,
		 (unsigned long long)t->base);
	for (unsigned q = 0; q < VMMIO_MAX_QUEUES; q++)
		snprintf(t->vq_name[q], sizeof(t->vq_name[q]), "%s queue %u",
			 t->name, q);
}

void vmmio_init(struct virtio_mmio *t, const struct guest_mem *m,
		struct vmm *vmm, uint64_t base, uint32_t intid)
{
	memset(t, 0, sizeof(*t));
	t->mem = m;
	t->vmm = vmm;
	t->base = base;
	t->intid = intid;
	t->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(LOG_WARN, NULL,
							 "virtio-mmio register");
	name_queues(t, "virtio");
	for (unsigned q = 0; q < VMMIO_MAX_QUEUES; q++)
		vq_init(&t->vq[q], m, t->vq_name[q]);
}

void vmmio_bind(struct virtio_mmio *t, const struct virtio_backend *be,
		void *priv, uint64_t features)
{
	t->be = be;
	t->priv = priv;
	t->features = features | BIT64(VIRTIO_F_VERSION_1);
	name_queues(t, be->kind);
}

void vmmio_set_config(struct virtio_mmio *t, const void *cfg, uint32_t len)
{
	if (len > VMMIO_CONFIG_MAX)
		len = VMMIO_CONFIG_MAX;
	memcpy(t->config, cfg, len);
	t->config_len = len;
}

void vmmio_destroy(struct virtio_mmio *t)
{
	if (t->be && t->be->destroy)
		t->be->destroy(t);
	t->be = NULL;
	t->priv = NULL;
}

static unsigned nr_queues(const struct virtio_mmio *t)
{
	return t->be ? t->be->nr_queues : 0;
}

/* ---- interrupts ---- */

static void update_line(struct virtio_mmio *t)
{
	bool high = t->isr != 0;
	int rc;

	if (high == t->line_high)
		return;
	rc = t->vmm->ops->irq_line(t->vmm->ctx, t->intid,
				   high ? TESSERA_IRQ_RAISE : TESSERA_IRQ_LOWER);
	if (rc) {
		if (log_ratelimit_allow(&t->rl))
			log_warn("%s: cannot %s INTID %u: %d", t->name,
				 high ? "raise" : "lower", t->intid, rc);
		return;
	}
	t->line_high = high;
	if (high)
		t->stats.irqs++;
}

static void set_isr(struct virtio_mmio *t, uint32_t bits)
{
	t->isr |= bits;
	update_line(t);
}

void vmmio_signal_used(struct virtio_mmio *t, unsigned q)
{
	if (q < VMMIO_MAX_QUEUES && vq_wants_interrupt(&t->vq[q]))
		set_isr(t, VIRTIO_MMIO_INT_VRING);
}

void vmmio_needs_reset(struct virtio_mmio *t, const char *why)
{
	if (log_ratelimit_allow(&t->rl))
		log_warn("%s: %s: device needs a reset", t->name, why);
	if (t->status & VIRTIO_STATUS_NEEDS_RESET)
		return;
	t->status |= VIRTIO_STATUS_NEEDS_RESET;
	if (t->status & VIRTIO_STATUS_DRIVER_OK)
		set_isr(t, VIRTIO_MMIO_INT_CONFIG);
}

/* ---- state ---- */

void vmmio_reset(struct virtio_mmio *t)
{
	if (t->be && t->be->reset)
		t->be->reset(t);
	t->status = 0;
	t->driver_features = 0;
	t->dev_features_sel = t->drv_features_sel = t->queue_sel = 0;
	for (unsigned q = 0; q < VMMIO_MAX_QUEUES; q++) {
		vq_disable(&t->vq[q]);
		t->qregs[q].num = 0;
		t->qregs[q].desc = t->qregs[q].avail = t->qregs[q].used = 0;
	}
	t->isr = 0;
	update_line(t);
}

bool vmmio_queue_live(const struct virtio_mmio *t, unsigned q)
{
	return (t->status & (VIRTIO_STATUS_DRIVER_OK | VIRTIO_STATUS_FAILED |
			     VIRTIO_STATUS_NEEDS_RESET)) ==
		       VIRTIO_STATUS_DRIVER_OK &&
	       q < nr_queues(t) && t->vq[q].ready;
}

static void run_queue(struct virtio_mmio *t, unsigned q)
{
	t->stats.notifies++;
	t->be->notify(t, q);
}

static bool features_acceptable(const struct virtio_mmio *t)
{
	return !(t->driver_features & ~t->features) &&
	       (t->driver_features & BIT64(VIRTIO_F_VERSION_1));
}

static void write_status(struct virtio_mmio *t, uint32_t v)
{
	uint32_t dev = t->status & VIRTIO_STATUS_NEEDS_RESET;
	uint32_t old = t->status & ~VIRTIO_STATUS_NEEDS_RESET, added;

	if (v == 0) {
		vmmio_reset(t);
		return;
	}
	if (v & ~STATUS_MASK)
		complain(t, "%s: status 0x%x has bits above 0xff: ignored",
			 t->name, v);
	v &= STATUS_MASK & ~VIRTIO_STATUS_NEEDS_RESET;
	if (old & ~v) {
		complain(t, "%s: status 0x%x would clear bits of 0x%x: ignored",
			 t->name, v, old);
		return;
	}
	added = v & ~old;
	if ((added & VIRTIO_STATUS_FEATURES_OK) && !features_acceptable(t)) {
		complain(t, "%s: driver features 0x%llx (offered 0x%llx) "
			 "refused", t->name,
			 (unsigned long long)t->driver_features,
			 (unsigned long long)t->features);
		added &= ~VIRTIO_STATUS_FEATURES_OK;
	}
	if ((added & VIRTIO_STATUS_DRIVER_OK) &&
	    !((old | added) & VIRTIO_STATUS_FEATURES_OK)) {
		complain(t, "%s: DRIVER_OK before FEATURES_OK: ignored",
			 t->name);
		added &= ~VIRTIO_STATUS_DRIVER_OK;
	}
	t->status = old | added | dev;
	/* Buffers made available before DRIVER_OK were left alone (the
	 * device must not use them earlier); the driver may not kick again. */
	if (added & VIRTIO_STATUS_DRIVER_OK)
		for (unsigned q = 0; q < nr_queues(t); q++)
			if (vmmio_queue_live(t, q))
				run_queue(t, q);
}

static void write_queue_ready(struct virtio_mmio *t, unsigned q, uint32_t v)
{
	const char *why;

	if (v > 1) {
		complain(t, "%s: QueueReady %u", t->name, v);
		return;
	}
	if (!v) {
		vq_disable(&t->vq[q]);
		return;
	}
	if (t->vq[q].ready)
		return;
	if (vq_enable(&t->vq[q], t->qregs[q].num, t->qregs[q].desc,
		      t->qregs[q].avail, t->qregs[q].used, &why)) {
		char msg[128];

		snprintf(msg, sizeof(msg), "queue %u (size %u, desc 0x%llx, "
			 "driver 0x%llx, device 0x%llx): %s", q,
			 t->qregs[q].num, (unsigned long long)t->qregs[q].desc,
			 (unsigned long long)t->qregs[q].avail,
			 (unsigned long long)t->qregs[q].used, why);
		vmmio_needs_reset(t, msg);
	}
}

static void set_half(uint64_t *reg, bool high, uint32_t v)
{
	*reg = high ? (*reg & 0xffffffffull) | (uint64_t)v << 32
		    : (*reg & ~0xffffffffull) | v;
}

/* A queue register of the selected queue: NULL if it may not change now. */
static uint64_t *queue_addr_reg(struct virtio_mmio *t, uint64_t off)
{
	unsigned q = t->queue_sel;

	if (q >= nr_queues(t) || t->vq[q].ready) {
		complain(t, "%s: queue %u register 0x%llx written while the "
			 "queue is %s: ignored", t->name, q,
			 (unsigned long long)off,
			 q >= nr_queues(t) ? "absent" : "ready");
		return NULL;
	}
	switch (off & ~4ull) {
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
		return &t->qregs[q].desc;
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
		return &t->qregs[q].avail;
	default:
		return &t->qregs[q].used;
	}
}

static void write_reg(struct virtio_mmio *t, uint64_t off, uint32_t v)
{
	unsigned q = t->queue_sel;
	uint64_t *reg;

	switch (off) {
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
		t->dev_features_sel = v;
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES:
		if (t->status & VIRTIO_STATUS_FEATURES_OK)
			complain(t, "%s: driver features written after "
				 "FEATURES_OK: ignored", t->name);
		else if (t->drv_features_sel < 2)
			set_half(&t->driver_features, t->drv_features_sel, v);
		break;
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
		t->drv_features_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_SEL:
		t->queue_sel = v;
		break;
	case VIRTIO_MMIO_QUEUE_NUM:
		if (q < nr_queues(t) && !t->vq[q].ready)
			t->qregs[q].num = v;
		else
			complain(t, "%s: QueueNum of queue %u ignored", t->name,
				 q);
		break;
	case VIRTIO_MMIO_QUEUE_READY:
		if (q < nr_queues(t))
			write_queue_ready(t, q, v);
		else
			complain(t, "%s: QueueReady of absent queue %u", t->name,
				 q);
		break;
	case VIRTIO_MMIO_QUEUE_NOTIFY:
		/* Before DRIVER_OK a kick is legal but early: the buffers are
		 * taken when DRIVER_OK comes. */
		if (vmmio_queue_live(t, v))
			run_queue(t, v);
		else
			log_debug("%s: notify of queue %u, which is not live "
				  "(status 0x%x): ignored", t->name, v,
				  t->status);
		break;
	case VIRTIO_MMIO_INTERRUPT_ACK:
		t->isr &= ~v;
		update_line(t);
		break;
	case VIRTIO_MMIO_STATUS:
		write_status(t, v);
		break;
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
		reg = queue_addr_reg(t, off);
		if (reg)
			set_half(reg, off & 4, v);
		break;
	case VIRTIO_MMIO_SHM_SEL: /* no shared memory regions */
		break;
	default:
		complain(t, "%s: write 0x%x to read-only or unknown register "
			 "0x%llx: ignored", t->name, v, (unsigned long long)off);
		break;
	}
}

static uint32_t read_reg(struct virtio_mmio *t, uint64_t off)
{
	unsigned q = t->queue_sel;

	switch (off) {
	case VIRTIO_MMIO_MAGIC_VALUE:
		return VIRTIO_MMIO_MAGIC;
	case VIRTIO_MMIO_VERSION_REG:
		return VIRTIO_MMIO_VERSION;
	case VIRTIO_MMIO_DEVICE_ID:
		return t->be ? t->be->device_id : 0;
	case VIRTIO_MMIO_VENDOR_ID:
		return VIRTIO_MMIO_VENDOR;
	case VIRTIO_MMIO_DEVICE_FEATURES:
		return t->dev_features_sel < 2
			       ? (uint32_t)(t->features >>
					    (32 * t->dev_features_sel))
			       : 0;
	case VIRTIO_MMIO_QUEUE_NUM_MAX:
		return q < nr_queues(t) ? VQ_MAX_SIZE : 0;
	case VIRTIO_MMIO_QUEUE_READY:
		return q < nr_queues(t) && t->vq[q].ready;
	case VIRTIO_MMIO_INTERRUPT_STATUS:
		return t->isr;
	case VIRTIO_MMIO_STATUS:
		return t->status;
	case VIRTIO_MMIO_CONFIG_GENERATION:
		return t->config_generation;
	case VIRTIO_MMIO_SHM_LEN_LOW:
	case VIRTIO_MMIO_SHM_LEN_HIGH:
	case VIRTIO_MMIO_SHM_BASE_LOW:
	case VIRTIO_MMIO_SHM_BASE_HIGH:
		return ~0u; /* no such region */
	case VIRTIO_MMIO_DEVICE_FEATURES_SEL:
	case VIRTIO_MMIO_DRIVER_FEATURES:
	case VIRTIO_MMIO_DRIVER_FEATURES_SEL:
	case VIRTIO_MMIO_QUEUE_SEL:
	case VIRTIO_MMIO_QUEUE_NUM:
	case VIRTIO_MMIO_QUEUE_NOTIFY:
	case VIRTIO_MMIO_INTERRUPT_ACK:
	case VIRTIO_MMIO_QUEUE_DESC_LOW:
	case VIRTIO_MMIO_QUEUE_DESC_HIGH:
	case VIRTIO_MMIO_QUEUE_DRIVER_LOW:
	case VIRTIO_MMIO_QUEUE_DRIVER_HIGH:
	case VIRTIO_MMIO_QUEUE_DEVICE_LOW:
	case VIRTIO_MMIO_QUEUE_DEVICE_HIGH:
	case VIRTIO_MMIO_SHM_SEL:
	case VIRTIO_MMIO_QUEUE_RESET:
		return 0; /* write-only, or not offered */
	default:
		complain(t, "%s: read of unknown register 0x%llx", t->name,
			 (unsigned long long)off);
		return 0;
	}
}

static void config_access(struct virtio_mmio *t, uint64_t off, unsigned size,
			  bool write, uint64_t *value)
{
	uint64_t v = 0;

	if (write) {
		complain(t, "%s: write to config space 0x%llx: ignored",
			 t->name, (unsigned long long)off);
		return;
	}
	if (off >= t->config_len || size > t->config_len - off) {
		complain(t, "%s: read of config 0x%llx (%u bytes) beyond its "
			 "%u bytes", t->name, (unsigned long long)off, size,
			 t->config_len);
		*value = 0;
		return;
	}
	for (unsigned i = 0; i < size; i++)
		v |= (uint64_t)t->config[off + i] << (8 * i);
	*value = v;
}

int vmmio_access(void *opaque, uint64_t off, unsigned size, bool write,
		 uint64_t *value)
{
	struct virtio_mmio *t = opaque;

	if (off >= VIRTIO_MMIO_CONFIG) {
		config_access(t, off - VIRTIO_MMIO_CONFIG, size, write, value);
		return 0;
	}
	if (size != 4 || off % 4) {
		complain(t, "%s: %u-byte %s at register 0x%llx: registers are "
			 "32-bit", t->name, size, write ? "write" : "read",
			 (unsigned long long)off);
		if (!write)
			*value = ~0ull;
		return 0;
	}
	if (write)
		write_reg(t, off, (uint32_t)*value);
	else
		*value = read_reg(t, off);
	return 0;
}

void vmmio_serve_queue(struct virtio_mmio *t, unsigned q, vmmio_chain_fn fn)
{
	struct vq_chain c;
	struct virtqueue *vq = &t->vq[q];
	unsigned budget = 4u * vq->size;
	bool pushed = false;

	while (budget-- && vmmio_queue_live(t, q)) {
		switch (vq_pop(vq, &c)) {
		case VQ_EMPTY:
			budget = 0;
			break;
		case VQ_BROKEN:
			vmmio_needs_reset(t, "corrupt available ring");
			break;
		case VQ_BAD_CHAIN:
			vq_push(vq, c.head, 0);
			pushed = true;
			break;
		case VQ_CHAIN:
			vq_push(vq, c.head, fn(t, q, &c));
			pushed = true;
			break;
		}
	}
	if (pushed)
		vmmio_signal_used(t, q);
}
