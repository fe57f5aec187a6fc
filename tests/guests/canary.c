/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The partition a DMA attack aims at (tests/scenarios/dma.toml): fills 4 KiB
 * of its memory with a pattern and prints, with every heartbeat, a checksum
 * of it. A write that reaches the page changes the checksum; the test checks
 * that it never does and that the heartbeat has no gap.
 */
#include "guest.h"

static uint32_t checksum(const volatile uint8_t *p, unsigned n)
{
	uint32_t h = 2166136261u; /* FNV-1a */

	for (unsigned i = 0; i < n; i++)
		h = (h ^ p[i]) * 16777619u;
	return h;
}

void guest_main(unsigned cpu)
{
	volatile uint8_t *page = (volatile uint8_t *)DMA_TEST_CANARY;
	uint32_t first;

	for (unsigned i = 0; i < DMA_TEST_CANARY_SIZE; i++)
		page[i] = dma_test_canary_byte(i);
	first = checksum(page, DMA_TEST_CANARY_SIZE);
	guest_printf("canary: 4 KiB at 0x%lx, checksum 0x%x", DMA_TEST_CANARY,
		     first);
	for (unsigned long tick = 1;; tick++) {
		uint32_t now;

		delay_ms(300);
		now = checksum(page, DMA_TEST_CANARY_SIZE);
		guest_printf("vcpu %u tick %lu checksum 0x%x%s", cpu, tick, now,
			     now == first ? "" : " OVERWRITTEN");
	}
}
