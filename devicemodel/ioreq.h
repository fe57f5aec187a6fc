/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device model's side of the request slots (uapi/tessera_ioreq.h,
 * doc/io-emulation.rst). The slots are shared with the hypervisor and the
 * Service VM kernel, so they are untrusted input: each field is read once,
 * the copy is validated (type, direction, size 1/2/4/8, no wrap past 2^64)
 * and only the copy is used. A request that fails validation is completed
 * anyway (a read gets all-ones) so that its vCPU does not hang, and logged
 * with rate limiting.
 *
 * Completion: for a read, req.value is written first; then the state moves
 * PROCESSING -> COMPLETE by a compare-and-swap with release ordering. If the
 * state is no longer PROCESSING (the hypervisor cancelled the request for a
 * reset or destroy, and may already have reused the slot), nothing is
 * written over it.
 *
 * Notify mode: the driver claimed the requests (PROCESSING) and handed over
 * their vCPUs in TESSERA_HSM_WAIT's mask; the caller notifies each vCPU
 * ioreq_serve_mask() returns. Polling mode: ioreq_poll() claims PENDING
 * slots itself (CAS PENDING -> PROCESSING, acquire) and also serves slots a
 * driver already moved to PROCESSING for the DM; no notification.
 */
#ifndef TESSERA_DM_IOREQ_H
#define TESSERA_DM_IOREQ_H

#include <stdbool.h>
#include <stdint.h>

#include <log.h>
#include <uapi/tessera_ioreq.h>

#include "iobus.h"

#define IOREQ_MAX_VCPUS 64u /* TESSERA_HSM_WAIT's vcpu_mask has 64 bits */

struct ioreq_stats {
	uint64_t completed; /* requests completed */
	uint64_t malformed; /* failed validation, completed with all-ones */
	uint64_t lost;      /* slot changed under the DM: not completed */
	uint64_t stray;     /* a vCPU in the mask whose slot was not ours */
};

struct ioreq {
	struct tessera_io_slot *slots;
	uint32_t vcpu_count; /* 1..IOREQ_MAX_VCPUS */
	struct iobus *bus;
	struct log_ratelimit rl;
	struct ioreq_stats stats;
};

/* 0, or -EINVAL for a vCPU count the ABI cannot serve. */
int ioreq_init(struct ioreq *q, struct tessera_io_slot *slots,
	       uint32_t vcpu_count, struct iobus *bus);

/*
 * Notify mode: complete the PROCESSING requests of the vCPUs in mask (bits
 * at or above vcpu_count are ignored and logged). Returns the vCPUs whose
 * request was completed: the caller sends each a TESSERA_HSM_NOTIFY.
 */
uint64_t ioreq_serve_mask(struct ioreq *q, uint64_t mask);

/* Polling mode: one look at every slot; returns how many were completed. */
unsigned ioreq_poll(struct ioreq *q);

/*
 * Notify mode, while the DM watches the slots itself (ioreq_watch on):
 * claim and complete the PENDING requests. The ones the driver claimed
 * still come through TESSERA_HSM_WAIT. Returns the vCPUs completed: the
 * caller notifies each.
 */
uint64_t ioreq_take_pending(struct ioreq *q);

/*
 * Say in every slot whether the DM watches it (sos_watching): while on,
 * the hypervisor raises no upcall for it. After turning it off, look once
 * more (ioreq_take_pending) before blocking: a request published while it
 * was on had no upcall.
 */
void ioreq_watch(struct ioreq *q, bool on);

/*
 * The policy for one request (a copy, never the slot itself): the read
 * reply, or 0 for a write and for a malformed request's write. Exposed for
 * the tests; *malformed says whether validation failed.
 */
uint64_t ioreq_emulate(struct ioreq *q, const struct tessera_io_request *r,
		       bool *malformed);

#endif
