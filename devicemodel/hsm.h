/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The real VM backend: struct vmm on /dev/tessera_hsm (uapi/tessera_hsm.h).
 * One open file is one User VM; create_vm also maps the request slots and
 * makes the DM the default request client. Thin on purpose: each operation
 * is one ioctl, its errno returned negated.
 */
#ifndef TESSERA_DM_HSM_H
#define TESSERA_DM_HSM_H

#include <stddef.h>
#include <stdint.h>

#include "vmm.h"

struct hsm {
	int fd;
	uint32_t client_id;
	void *slots;
	size_t slots_len;
};

/* Open the device: 0, or a negative errno (the caller words it). */
int hsm_open(struct hsm *h, const char *device, struct vmm *out);
/* Unmap and close (the driver destroys a VM still bound to the file). */
void hsm_close(struct hsm *h);

#endif
