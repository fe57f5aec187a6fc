/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Ticket spinlock on C11/GCC atomics, so the same code runs at EL2 and in host
 * unit tests. Waiting goes through cpu_spin_wait() (WFE-backed on arm64, see
 * arch_cpu.h), never a raw busy loop.
 */
#ifndef TESSERA_LIB_SPINLOCK_H
#define TESSERA_LIB_SPINLOCK_H

#include <types.h>
#include <arch_cpu.h>

typedef struct {
	uint32_t next;
	uint32_t owner;
} spinlock_t;

#define SPINLOCK_INIT {0, 0}

static inline void spin_lock(spinlock_t *l)
{
	uint32_t ticket = __atomic_fetch_add(&l->next, 1, __ATOMIC_RELAXED);

	while (__atomic_load_n(&l->owner, __ATOMIC_ACQUIRE) != ticket)
		cpu_spin_wait();
}

static inline void spin_unlock(spinlock_t *l)
{
	__atomic_store_n(&l->owner, l->owner + 1, __ATOMIC_RELEASE);
	cpu_wake_waiters();
}

#endif
