/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * What the lifecycle User VM (tests/guests/lifecycle.c) and its driver in
 * the Service VM (misc/hsm/tests/hsm_lifecycle.c) share: where the image
 * goes in the VM's RAM and the control block they talk through.
 */
#ifndef TESSERA_LIFECYCLE_H
#define TESSERA_LIFECYCLE_H

#include <stdint.h>

#define LIFECYCLE_RAM_GPA 0x40000000ull
#define LIFECYCLE_RAM_SIZE (4u << 20)
#define LIFECYCLE_IMAGE_GPA 0x40200000ull /* guests.mk: UVM_BENCH_BASE */
#define LIFECYCLE_CTL_GPA 0x40100000ull

/* What the driver asks vCPU 0 to do next (lifecycle_ctl.cmd). */
enum lifecycle_cmd {
	LIFECYCLE_RUN = 0,
	LIFECYCLE_SYSTEM_RESET = 1,
	LIFECYCLE_CRASH = 2,       /* an access the hypervisor cannot emulate */
	LIFECYCLE_SYSTEM_OFF = 3,
};

struct lifecycle_ctl {
	uint64_t cmd;      /* enum lifecycle_cmd, written by the driver */
	uint64_t runs0;    /* vCPU 0's CPU_ON rounds */
	uint64_t runs1;    /* times vCPU 1 started */
	uint64_t bad;      /* CPU_ON answers other than SUCCESS or ALREADY_ON */
	int64_t last_bad;  /* the last of them */
	uint64_t returned; /* SYSTEM_RESET or SYSTEM_OFF came back (never may) */
};

#endif
