/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The hypervisor's console: the board's PL011. Output is polled; input
 * arrives by its receive interrupt and goes to console_input(), never more
 * than the receiving VM has room for: otherwise the receive interrupt is
 * masked and the bytes wait in the UART (and behind it), until
 * arch_console_rx_resume().
 */
#include <arch.h>
#include <arch_cpu.h>
#include <arm64_console.h>
#include <console_input.h>
#include <lib/spinlock.h>
#include <mmio.h>

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTFR_TXFF BIT(5)
#define UARTFR_RXFE BIT(4)
#define UARTIMSC 0x038
#define UARTIMSC_RX (BIT(4) | BIT(6)) /* receive, receive timeout */

static uint64_t uart_base;
static spinlock_t rx_lock = SPINLOCK_INIT;

void arm64_console_init(uint64_t base)
{
	uart_base = base;
}

void arch_console_putc(char c)
{
	while (mmio_read32(uart_base + UARTFR) & UARTFR_TXFF)
		;
	mmio_write32(uart_base + UARTDR, (uint8_t)c);
}

static bool rx_empty(void)
{
	return mmio_read32(uart_base + UARTFR) & UARTFR_RXFE;
}

void arm64_console_rx(void)
{
	char buf[32];
	size_t n = 0, room;

	spin_lock(&rx_lock);
	room = console_input_room();
	while (room && !rx_empty()) {
		buf[n++] = (char)mmio_read32(uart_base + UARTDR);
		room--;
		if (n == sizeof(buf)) {
			console_input(buf, n);
			n = 0;
		}
	}
	if (n)
		console_input(buf, n);
	/* Full: stop the (level) interrupt until the VM has read some. */
	if (!room && !rx_empty())
		mmio_write32(uart_base + UARTIMSC, 0);
	spin_unlock(&rx_lock);
}

void arm64_console_rx_enable(void)
{
	mmio_write32(uart_base + UARTIMSC, UARTIMSC_RX);
}

void arch_console_rx_resume(void)
{
	spin_lock(&rx_lock);
	if (uart_base)
		arm64_console_rx_enable();
	spin_unlock(&rx_lock);
}
