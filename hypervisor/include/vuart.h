/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtual PL011 UART emulated in the hypervisor: enough of the register file
 * for bare-metal guests and Linux's amba-pl011 driver. Transmitted bytes are
 * collected into lines and put into the VM's console buffer (console_out.h),
 * which the console pCPU writes out prefixed with the VM's name. While that
 * buffer has no room for a whole line the UART says so, as a PL011 with a
 * full FIFO does (FR.TXFF set, no TX interrupt): a driver that waits loses
 * nothing; bytes sent regardless are dropped, counted, with the line they
 * belong to.
 */
#ifndef TESSERA_VUART_H
#define TESSERA_VUART_H

#include <lib/spinlock.h>
#include <types.h>

#define VUART_MMIO_SIZE 0x1000u
#define VUART_LINE_MAX 160u
#define VUART_INTID 33u /* SPI 1, where QEMU virt wires its PL011 */

#define VUART_RX_FIFO 64u /* deeper than a PL011's 16: input comes in bursts */

/* Drives the UART's interrupt line; called with the new level on changes. */
typedef void (*vuart_irq_fn)(void *ctx, bool level);
/* The guest read from a receive FIFO that had been full: more input fits. */
typedef void (*vuart_rx_space_fn)(void *ctx);

struct console_out;

struct vuart {
	spinlock_t lock;
	struct console_out *out; /* the VM's console buffer */
	char line[VUART_LINE_MAX + 1]; /* + the newline a stream line ends with */
	size_t line_len;
	uint8_t rx[VUART_RX_FIFO];
	unsigned rx_head, rx_count;
	uint32_t cr, lcr_h, ibrd, fbrd, ifls, imsc, dmacr;
	bool stream; /* interactive VM: partial lines shown (console_stream) */
	bool irq_level;
	bool rx_was_full; /* the sender was told to stop (rx_space_fn pending) */
	vuart_irq_fn irq_fn;
	void *irq_ctx;
	vuart_rx_space_fn rx_space_fn;
	void *rx_space_ctx;
};

/* Output goes to `out` (the VM slot's, console_out_init_vm()). */
void vuart_init(struct vuart *vu, struct console_out *out);
/* Connect the interrupt output (before the VM runs). */
void vuart_connect_irq(struct vuart *vu, vuart_irq_fn fn, void *ctx);
/* Show unfinished lines too, when the guest's driver stops sending (a shell
 * prompt); for the VM that gets console input. Before the VM runs. */
void vuart_set_stream(struct vuart *vu, bool stream);
/*
 * Input from the console: returns how many bytes fitted in the RX FIFO.
 * The sender must not lose the rest: it asks vuart_rx_room() first, and
 * once the FIFO was full it waits for the rx_space_fn callback (called from
 * the guest's read of the data register, outside the vUART's lock).
 */
size_t vuart_receive(struct vuart *vu, const char *buf, size_t n);
size_t vuart_rx_room(struct vuart *vu);
void vuart_connect_rx_space(struct vuart *vu, vuart_rx_space_fn fn, void *ctx);
/* MMIO handler: offset within the 4 KiB register window. 0, or -1 if refused. */
int vuart_access(void *vuart, uint64_t offset, unsigned size, bool write,
		 uint64_t *value);
/* Push out a partial line (VM stopping). */
void vuart_flush(struct vuart *vu);
/* The VM is reset: partial line out, registers and receive FIFO as at
 * power-on; its connections (interrupt, input flow) and mode are kept. */
void vuart_reset(struct vuart *vu);

#endif
