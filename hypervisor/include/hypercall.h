/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tessera's own hypercalls (uapi/tessera_hypercall.h), architecture-neutral:
 * the arch layer recognises the call and hands over its ID and arguments.
 */
#ifndef TESSERA_HYPERCALL_H
#define TESSERA_HYPERCALL_H

#include <types.h>

struct vcpu;

#define HYPERCALL_ARGS 4

/* True if `fn` is in Tessera's function-ID range. */
bool hypercall_is_tessera(uint32_t fn);
/* Run the call for `caller`; returns the value for the caller's result
 * register: >= 0, or a negated errno. Never trusts an argument. */
int64_t hypercall_dispatch(struct vcpu *caller, uint32_t fn,
			   const uint64_t args[HYPERCALL_ARGS]);

#endif
