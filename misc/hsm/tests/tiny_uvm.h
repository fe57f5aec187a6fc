// SPDX-License-Identifier: GPL-2.0-only
/*
 * A User VM made straight through the HSM ioctls, without tessera-dm, for
 * the driver's test programs (hsm-hostile, hsm-stall): 2 MiB of RAM at
 * TINY_RAM_GPA running one loop on the forwarded MMIO address
 * TINY_MMIO_GPA, and a data-abort handler that skips a failed access, so
 * that a run goes on and failures show in the statistics, not as a hang.
 */
#ifndef TESSERA_HSM_TINY_UVM_H
#define TESSERA_HSM_TINY_UVM_H

#include <stdint.h>

#include "tessera_hsm.h"

#define TINY_RAM_GPA 0x40000000ull
#define TINY_RAM_SIZE (2u << 20)
#define TINY_MMIO_GPA 0x0a000000ull /* nobody's: forwarded to the caller */

enum tiny_loop {
	TINY_READ,       /* ldr w1, [mmio] */
	TINY_READ_WRITE, /* ldr w1, [mmio]; str w1, [mmio + 4] */
};

struct tiny_uvm {
	struct tessera_hsm_create_vm vm; /* as CREATE_VM answered */
	uint8_t *ram;
	volatile struct tessera_io_slot *slots; /* the request pages */
};

/*
 * On the open HSM file fd: create the VM `name` with 1 vCPU (flags:
 * TESSERA_VM_CREATE_*), give it its RAM with the loop, set vCPU 0's
 * registers and map the request pages; not started. 0, or a negated errno
 * with the step that failed in *what.
 */
int tiny_uvm_create(int fd, struct tiny_uvm *t, const char *name,
		    uint32_t flags, enum tiny_loop loop, const char **what);

#endif
