/* SPDX-License-Identifier: (GPL-2.0-only WITH Linux-syscall-note) OR BSD-3-Clause */
/*
 * Tessera I/O request ABI: the per-vCPU request slots shared between the
 * hypervisor and the Service VM (HSM driver and device model).
 *
 * One header for every side: the hypervisor (freestanding), the Linux HSM
 * driver (built with the kernel's headers, __KERNEL__ defined), the user-space
 * device model and the host tests. Every size and offset is pinned by a static
 * assert at the end, so a change that moves a field fails to compile everywhere.
 *
 * Layout: a VM's request area is an array of 4 KiB pages, each holding 16
 * slots of 256 bytes; slot i belongs to vCPU i (page i / 16, slot i % 16).
 *
 * Slot states and who owns the slot in each (the owner may write the whole
 * slot; the other side reads nothing but the state word):
 *
 *   FREE        hypervisor  no request; the Service VM must not touch it
 *   PENDING     Service VM  filled and published by the hypervisor; the HSM
 *                           driver claims it by moving it to PROCESSING
 *   PROCESSING  Service VM  a device-model client emulates the access and, for
 *                           a read, writes req.value
 *   COMPLETE    hypervisor  the device model is done; the hypervisor copies
 *                           the reply and moves the slot back to FREE
 *
 *   FREE -> PENDING (hv) -> PROCESSING (SOS) -> COMPLETE (SOS) -> FREE (hv)
 *
 * The device model may also go PENDING -> COMPLETE directly. Every other state
 * value or transition the hypervisor sees fails that one request.
 *
 * One more word is the Service VM's in every state: `sos_watching`. While it
 * is non-zero the device model looks at the slot's state by itself (it spins
 * for a while after a request, before it blocks), so in notify mode the
 * hypervisor raises no upcall for a request it publishes there. A hint: a
 * wrong value only delays or adds an upcall of the Service VM's own User
 * VM. Both sides order it against the state word sequentially consistently
 * (the hypervisor: state = PENDING, then read sos_watching; the device model:
 * sos_watching = 0, then read the state), so a request is never left
 * without an upcall and without a look.
 */
#ifndef TESSERA_UAPI_IOREQ_H
#define TESSERA_UAPI_IOREQ_H

#include "tessera_types.h"

/* Geometry. */
#define TESSERA_IO_PAGE_SIZE 4096u
#define TESSERA_IO_SLOT_SIZE 256u
#define TESSERA_IO_SLOTS_PER_PAGE (TESSERA_IO_PAGE_SIZE / TESSERA_IO_SLOT_SIZE)
/* Pages needed for a VM with `vcpus` vCPUs. */
#define TESSERA_IO_PAGES_FOR(vcpus)                                             \
	(((vcpus) + TESSERA_IO_SLOTS_PER_PAGE - 1) / TESSERA_IO_SLOTS_PER_PAGE)

/* Request types (tessera_io_request.type). */
#define TESSERA_IO_TYPE_PIO 0u     /* port I/O; addr is the port number */
#define TESSERA_IO_TYPE_MMIO 1u    /* addr is the guest-physical address */
#define TESSERA_IO_TYPE_PCI_CFG 2u /* addr is TESSERA_IO_PCI_CFG_ADDR(...) */
#define TESSERA_IO_TYPE_COUNT 3u

/* PCI configuration address: ECAM layout, offset from the segment's base. */
#define TESSERA_IO_PCI_CFG_ADDR(bus, dev, fn, reg)                              \
	(((tessera_u64)(bus) << 20) | ((tessera_u64)(dev) << 15) |             \
	 ((tessera_u64)(fn) << 12) | (tessera_u64)(reg))

/* Directions (tessera_io_request.direction). */
#define TESSERA_IO_READ 0u
#define TESSERA_IO_WRITE 1u

/* Slot states (tessera_io_slot.state). FREE is 0 so zeroed pages are valid. */
#define TESSERA_IO_STATE_FREE 0u
#define TESSERA_IO_STATE_PENDING 1u
#define TESSERA_IO_STATE_PROCESSING 2u
#define TESSERA_IO_STATE_COMPLETE 3u

/*
 * Completion modes (tessera_io_slot.completion_mode), per VM:
 * NOTIFY   the vCPU waits until the notify_request_finish hypercall;
 *          the device model must make it after setting COMPLETE.
 * POLLING  the vCPU watches the state word; the hypercall is optional.
 */
#define TESSERA_IO_COMPLETION_NOTIFY 0u
#define TESSERA_IO_COMPLETION_POLLING 1u

/* The access itself. Written by the hypervisor; value also by the device model. */
struct tessera_io_request {
	tessera_u32 type;      /* TESSERA_IO_TYPE_* */
	tessera_u32 direction; /* TESSERA_IO_READ or TESSERA_IO_WRITE */
	tessera_u64 addr;      /* port, guest-physical address or PCI cfg address */
	tessera_u32 size;      /* bytes: 1, 2, 4 or 8 */
	tessera_u32 reserved0; /* zero */
	tessera_u64 value;     /* write: data; read: 0 from the hypervisor,
				  the reply from the device model */
};

/*
 * One vCPU's slot. The state word has its own 64-byte header line, apart from
 * the payload line, so a polling vCPU reading the state does not share a cache
 * line with the device model writing the reply.
 */
struct tessera_io_slot {
	tessera_u32 state;           /* TESSERA_IO_STATE_*; read/written atomically */
	tessera_u32 completion_mode; /* TESSERA_IO_COMPLETION_* of this VM (info) */
	tessera_u32 seq;             /* per-vCPU request counter, for tracing */
	tessera_u32 sos_watching;    /* Service VM: non-zero, no upcall needed */
	tessera_u32 reserved_hdr[12];
	struct tessera_io_request req;
	tessera_u8 reserved[160];    /* future fields; zero */
};

TESSERA_ASSERT(sizeof(struct tessera_io_request) == 32, "request size");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_io_request, type) == 0, "type");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_io_request, direction) == 4, "dir");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_io_request, addr) == 8, "addr");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_io_request, size) == 16, "size");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_io_request, reserved0) == 20, "rsv");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_io_request, value) == 24, "value");

TESSERA_ASSERT(sizeof(struct tessera_io_slot) == TESSERA_IO_SLOT_SIZE, "slot");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_io_slot, state) == 0, "state");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_io_slot, completion_mode) == 4, "mode");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_io_slot, seq) == 8, "seq");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_io_slot, sos_watching) == 12, "watch");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_io_slot, reserved_hdr) == 16, "hdr");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_io_slot, req) == 64, "req");
TESSERA_ASSERT(TESSERA_OFFSET(tessera_io_slot, reserved) == 96, "reserved");
TESSERA_ASSERT(TESSERA_IO_SLOTS_PER_PAGE == 16, "slots per page");

#endif
