/* SPDX-License-Identifier: BSD-3-Clause */
/* The hypervisor's console: a polled PL011 (the board's console UART). */
#include <arch.h>
#include <arch_cpu.h>
#include <mmio.h>
#include <scenario.h>

#define UARTDR 0x000
#define UARTFR 0x018
#define UARTFR_TXFF BIT(5)

void arch_console_putc(char c)
{
	uint64_t base = tessera_scenario.board->console_uart_base;

	while (mmio_read32(base + UARTFR) & UARTFR_TXFF)
		;
	mmio_write32(base + UARTDR, (uint8_t)c);
}
