/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A partition that owns the PCIe host bridge and drives QEMU's `edu` test
 * device (hw/misc/edu.c: a DMA engine between its 4 KiB buffer and memory)
 * behind the SMMU (tests/scenarios/dma.toml). First a round trip through its
 * own memory, which must work; then a DMA read of rt0's memory and DMA
 * writes into rt0's memory and the hypervisor's, which the SMMU must refuse.
 * It prints what it saw; the hypervisor's log has the faults.
 */
#include "guest.h"

#define ECAM 0x3f000000ul      /* bus 0 (QEMU virt, highmem=off) */
#define ECAM_DEV(d) (ECAM + ((unsigned long)(d) << 15))
#define PCI_ID 0x00
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MEM_MASTER 0x6 /* memory space, bus master */
#define PCI_BAR0 0x10
#define EDU_ID 0x11e81234u     /* device 0x11e8, vendor 0x1234 */
#define EDU_BAR 0x10000000ul   /* the bridge's 32-bit window */
#define EDU_IDENT 0x00
#define EDU_IDENT_VALUE 0x010000edu
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_START 1u
#define EDU_DMA_TO_RAM 2u      /* buffer -> memory; clear: memory -> buffer */
#define EDU_BUFFER 0x40000u
#define LEN 64u

static uint8_t own_src[LEN] __attribute__((aligned(64)));
static uint8_t own_dst[LEN] __attribute__((aligned(64)));

static bool same(const volatile uint8_t *a, const volatile uint8_t *b)
{
	for (unsigned i = 0; i < LEN; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

static bool holds_canary(const volatile uint8_t *p)
{
	for (unsigned i = 0; i < LEN; i++)
		if (p[i] != dma_test_canary_byte(i))
			return false;
	return true;
}

static void fill(volatile uint8_t *p, const char *text)
{
	unsigned n = 0;

	while (text[n])
		n++;
	for (unsigned i = 0; i < LEN; i++)
		p[i] = (uint8_t)text[i % n];
}

/* One transfer; false if the engine did not finish within 2 s. */
static bool dma(uint32_t src, uint32_t dst, bool to_ram)
{
	mmio_write32(EDU_BAR + EDU_DMA_SRC, src);
	mmio_write32(EDU_BAR + EDU_DMA_DST, dst);
	mmio_write32(EDU_BAR + EDU_DMA_COUNT, LEN);
	mmio_write32(EDU_BAR + EDU_DMA_CMD,
		     EDU_DMA_START | (to_ram ? EDU_DMA_TO_RAM : 0));
	for (unsigned ms = 0; ms < 2000; ms += 10) {
		if (!(mmio_read32(EDU_BAR + EDU_DMA_CMD) & EDU_DMA_START))
			return true;
		delay_ms(10);
	}
	guest_printf("dmaattack: DMA 0x%x -> 0x%x did not finish", src, dst);
	return false;
}

static int find_edu(void)
{
	for (int d = 0; d < 32; d++)
		if (mmio_read32(ECAM_DEV(d) + PCI_ID) == EDU_ID)
			return d;
	return -1;
}

void guest_main(unsigned cpu)
{
	volatile uint8_t *src = own_src, *dst = own_dst;
	int d = find_edu();

	(void)cpu;
	if (d < 0) {
		guest_printf("dmaattack: no edu device on bus 0");
		return;
	}
	mmio_write32(ECAM_DEV(d) + PCI_BAR0, EDU_BAR);
	mmio_write32(ECAM_DEV(d) + PCI_COMMAND, PCI_COMMAND_MEM_MASTER);
	guest_printf("dmaattack: edu at 00:%x.0 (stream 0x%x), ident 0x%x", d,
		     d << 3, mmio_read32(EDU_BAR + EDU_IDENT));

	/* Its own memory, there and back: the translation maps the VM. */
	fill(src, "own-memory-round-trip-");
	fill(dst, "untouched-");
	if (dma((uint32_t)(uintptr_t)src, EDU_BUFFER, false) &&
	    dma(EDU_BUFFER, (uint32_t)(uintptr_t)dst, true))
		guest_printf("dmaattack: own memory round trip: %s",
			     same(src, dst) ? "ok" : "FAILED");

	/* Reading rt0's page into the buffer must not bring its bytes (before
	 * anything could have changed them). */
	dma(DMA_TEST_CANARY, EDU_BUFFER, false);
	fill(dst, "untouched-");
	dma(EDU_BUFFER, (uint32_t)(uintptr_t)dst, true);
	guest_printf("dmaattack: read of 0x%lx: %s", DMA_TEST_CANARY,
		     holds_canary(dst) ? "LEAKED rt0's data" : "refused");

	/* What the review's attack wrote, from the buffer into rt0 and the
	 * hypervisor. */
	fill(src, "PWNED-BY-DMA-FROM-dma0-");
	dma((uint32_t)(uintptr_t)src, EDU_BUFFER, false);
	dma(EDU_BUFFER, DMA_TEST_CANARY, true);
	dma(EDU_BUFFER, DMA_TEST_HYPERVISOR, true);
	guest_printf("dmaattack: wrote 0x%lx and 0x%lx", DMA_TEST_CANARY,
		     DMA_TEST_HYPERVISOR);
	guest_printf("dmaattack: done");
	for (;;)
		delay_ms(1000);
}
