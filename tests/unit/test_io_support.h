/* SPDX-License-Identifier: BSD-3-Clause */
/* Shared fixtures for the I/O emulation tests, benchmark and fuzzer. */
#ifndef TESSERA_TEST_IO_SUPPORT_H
#define TESSERA_TEST_IO_SUPPORT_H

#include <io_emul.h>

/* A VM with `vcpus` vCPUs and, if `pages`, its request pages attached. */
struct io_vm *tio_vm_new(unsigned vcpus, uint32_t mode, bool abort_on_unhandled,
			 bool pages);
void tio_vm_free(struct io_vm *io);
/* The slot array attached to the VM (NULL if none). */
struct tessera_io_slot *tio_slots(struct io_vm *io);

/* Upcalls raised and vCPU wakes asked for so far (io_arch_raise_upcall
 * and io_vcpu_wake are implemented here). */
extern unsigned long tio_upcalls;
extern unsigned long tio_wakes;

/* What a vCPU thread does with a pending access, as a loop: look with
 * io_complete() until it is not PENDING. */
enum io_result tio_wait(struct io_vm *io, unsigned v, struct io_access *a);

/* Accesses as the arch decoder would build them. */
struct io_access tio_read(unsigned space, uint64_t addr, unsigned size);
struct io_access tio_write(unsigned space, uint64_t addr, unsigned size,
			   uint64_t value);

/* Device model side: complete slot `v` as a well-behaved device model does. */
void tio_dm_complete(struct io_vm *io, unsigned v, uint64_t value);

/* xorshift64*: reproducible randomness for tests. */
uint64_t tio_rand(uint64_t *state);

#endif
