/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A virtio-mmio transport (virtio 1.x, 4.2; MMIO version 2, modern only) in
 * front of one backend (virtio_blk.c, virtio_console.c, virtio_rng.c).
 *
 * The register state machine, all of it driven by untrusted guest writes:
 *  - status: 0 resets the device; otherwise bits are only ever added, a
 *    write that would clear one is ignored; FEATURES_OK sticks only if the
 *    driver accepted VIRTIO_F_VERSION_1 and nothing that was not offered;
 *    DRIVER_OK only after FEATURES_OK; NEEDS_RESET is the device's;
 *  - driver features: writable until FEATURES_OK;
 *  - queue registers: per QueueSel, writable while that queue is not ready;
 *    QueueReady 1 checks the queue (virtqueue.h) and, if it is not sound,
 *    leaves it not ready and sets DEVICE_NEEDS_RESET;
 *  - QueueNotify runs the backend for a ready queue of a DRIVER_OK device,
 *    synchronously, on the vCPU's request;
 *  - registers take 32-bit accesses only (others read all-ones, writes are
 *    dropped, logged); the config space takes 1, 2, 4 and 8-byte reads and
 *    is read-only.
 *
 * Interrupts have level semantics: the SPI is raised when InterruptStatus
 * becomes non-zero and lowered when InterruptACK (or a reset) clears it.
 */
#ifndef TESSERA_DM_VIRTIO_MMIO_H
#define TESSERA_DM_VIRTIO_MMIO_H

#include <stdbool.h>
#include <stdint.h>

#include <log.h>

#include "guest_mem.h"
#include "virtqueue.h"
#include "vmm.h"

#define VMMIO_MAX_QUEUES 2u
#define VMMIO_CONFIG_MAX 64u

struct virtio_mmio;

/* What a backend provides. */
struct virtio_backend {
	const char *kind;   /* "virtio-blk", for log lines */
	uint32_t device_id; /* VIRTIO_ID_* */
	unsigned nr_queues; /* 1..VMMIO_MAX_QUEUES */
	/* The driver kicked queue q (ready, DRIVER_OK). */
	void (*notify)(struct virtio_mmio *t, unsigned q);
	/* The device is being reset: forget in-flight state. May be NULL. */
	void (*reset)(struct virtio_mmio *t);
	/* Release everything (files, memory). May be NULL. */
	void (*destroy)(struct virtio_mmio *t);
};

struct virtio_mmio_stats {
	uint64_t notifies;   /* QueueNotify writes acted on */
	uint64_t irqs;       /* line raised */
	uint64_t bad_access; /* wrong width, unknown register, bad value */
};

struct virtio_mmio {
	/* set by vmmio_init() */
	const struct guest_mem *mem;
	struct vmm *vmm;
	uint64_t base;
	uint32_t intid;
	char name[40]; /* "virtio-blk@0xa000000" */
	/* set by the backend: vmmio_bind(), vmmio_set_config() */
	const struct virtio_backend *be;
	void *priv;
	uint64_t features; /* offered; VIRTIO_F_VERSION_1 is added */
	uint8_t config[VMMIO_CONFIG_MAX];
	uint32_t config_len;
	/* register state */
	uint32_t status;
	uint32_t isr;
	bool line_high;
	uint32_t dev_features_sel, drv_features_sel, queue_sel;
	uint64_t driver_features;
	uint32_t config_generation;
	struct {
		uint32_t num;
		uint64_t desc, avail, used;
	} qregs[VMMIO_MAX_QUEUES];
	struct virtqueue vq[VMMIO_MAX_QUEUES];
	char vq_name[VMMIO_MAX_QUEUES][48];
	struct log_ratelimit rl;
	struct virtio_mmio_stats stats;
};

/* The transport at base (VIRTIO_MMIO_SIZE bytes) raising SPI intid. */
void vmmio_init(struct virtio_mmio *t, const struct guest_mem *m,
		struct vmm *vmm, uint64_t base, uint32_t intid);
/* The backend's half: its operations, state, and offered feature bits. */
void vmmio_bind(struct virtio_mmio *t, const struct virtio_backend *be,
		void *priv, uint64_t features);
/* The device-specific configuration space (little-endian fields). */
void vmmio_set_config(struct virtio_mmio *t, const void *cfg, uint32_t len);
void vmmio_destroy(struct virtio_mmio *t);

/* The iobus handler (io_handler_fn) for [base, base + VIRTIO_MMIO_SIZE). */
int vmmio_access(void *t, uint64_t offset, unsigned size, bool write,
		 uint64_t *value);

/* Device reset: as the driver writing 0 to Status, and on a VM reset. */
void vmmio_reset(struct virtio_mmio *t);

/* Is queue q usable: DRIVER_OK, not FAILED or NEEDS_RESET, queue ready. */
bool vmmio_queue_live(const struct virtio_mmio *t, unsigned q);
/* After vq_push()es on q: a used-buffer interrupt if the driver wants it. */
void vmmio_signal_used(struct virtio_mmio *t, unsigned q);
/* The driver broke the protocol: DEVICE_NEEDS_RESET (+ config interrupt). */
void vmmio_needs_reset(struct virtio_mmio *t, const char *why);

/*
 * The usual queue service: pop every available chain of q (at most 4 x
 * the queue size per call, so a driver refilling the ring cannot keep the
 * DM here), hand each good one to fn, which returns the bytes it wrote into
 * the chain, push it back; a bad chain goes back with length 0; a broken
 * ring sets NEEDS_RESET. One interrupt at the end if anything was pushed.
 */
typedef uint32_t (*vmmio_chain_fn)(struct virtio_mmio *t, unsigned q,
				   struct vq_chain *c);
void vmmio_serve_queue(struct virtio_mmio *t, unsigned q, vmmio_chain_fn fn);

#endif
