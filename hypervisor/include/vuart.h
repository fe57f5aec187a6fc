/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtual PL011 UART emulated in the hypervisor: enough of the register file
 * for bare-metal guests and Linux's amba-pl011 driver. Transmitted bytes are
 * collected into lines and written to the physical console prefixed with the
 * VM's name.
 */
#ifndef TESSERA_VUART_H
#define TESSERA_VUART_H

#include <lib/spinlock.h>
#include <types.h>

#define VUART_MMIO_SIZE 0x1000u
#define VUART_LINE_MAX 160u

struct vuart {
	spinlock_t lock;
	char prefix[24];
	char line[VUART_LINE_MAX];
	size_t line_len;
	uint32_t cr, lcr_h, ibrd, fbrd, ifls, imsc, dmacr;
};

void vuart_init(struct vuart *vu, const char *vm_name);
/* MMIO handler: offset within the 4 KiB register window. 0, or -1 if refused. */
int vuart_access(void *vuart, uint64_t offset, unsigned size, bool write,
		 uint64_t *value);
/* Push out a partial line (VM stopping). */
void vuart_flush(struct vuart *vu);

#endif
