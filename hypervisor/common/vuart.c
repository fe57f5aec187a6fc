/* SPDX-License-Identifier: BSD-3-Clause */
#include <console.h>
#include <lib/format.h>
#include <vuart.h>

/* PL011 register offsets and bits (ARM DDI 0183). */
#define UARTDR 0x000
#define UARTRSR 0x004
#define UARTFR 0x018
#define UARTILPR 0x020
#define UARTIBRD 0x024
#define UARTFBRD 0x028
#define UARTLCR_H 0x02c
#define UARTCR 0x030
#define UARTIFLS 0x034
#define UARTIMSC 0x038
#define UARTRIS 0x03c
#define UARTMIS 0x040
#define UARTICR 0x044
#define UARTDMACR 0x048
#define UARTPERIPHID0 0xfe0

#define FR_RXFE BIT(4)
#define FR_TXFE BIT(7)
#define RIS_TX BIT(5)

/* PeriphID0-3 then PCellID0-3: a PL011 r1p5, as Linux's AMBA bus expects. */
static const uint8_t pl011_id[8] = {0x11, 0x10, 0x14, 0x00,
				    0x0d, 0xf0, 0x05, 0xb1};

void vuart_init(struct vuart *vu, const char *vm_name)
{
	*vu = (struct vuart){.lock = SPINLOCK_INIT};
	fmt_snprintf(vu->prefix, sizeof(vu->prefix), "[%s] ", vm_name);
	vu->cr = 0x300; /* TX and RX enabled, as after reset */
	vu->ifls = 0x12;
}

static void flush_locked(struct vuart *vu)
{
	if (vu->line_len)
		console_write_line(vu->prefix, vu->line, vu->line_len);
	vu->line_len = 0;
}

void vuart_flush(struct vuart *vu)
{
	spin_lock(&vu->lock);
	flush_locked(vu);
	spin_unlock(&vu->lock);
}

static void transmit(struct vuart *vu, char c)
{
	if (c == '\r')
		return;
	if (c == '\n') {
		console_write_line(vu->prefix, vu->line, vu->line_len);
		vu->line_len = 0;
		return;
	}
	if (vu->line_len == sizeof(vu->line))
		flush_locked(vu); /* overlong line: split it, lose nothing */
	vu->line[vu->line_len++] = c;
}

static uint32_t read_reg(struct vuart *vu, uint64_t off)
{
	if (off >= UARTPERIPHID0 && off < UARTPERIPHID0 + 32)
		return pl011_id[(off - UARTPERIPHID0) / 4];
	switch (off) {
	case UARTFR:
		return FR_TXFE | FR_RXFE; /* never busy, no input yet */
	case UARTIBRD:
		return vu->ibrd;
	case UARTFBRD:
		return vu->fbrd;
	case UARTLCR_H:
		return vu->lcr_h;
	case UARTCR:
		return vu->cr;
	case UARTIFLS:
		return vu->ifls;
	case UARTIMSC:
		return vu->imsc;
	case UARTRIS:
		return RIS_TX;
	case UARTMIS:
		return RIS_TX & vu->imsc;
	case UARTDMACR:
		return vu->dmacr;
	default: /* UARTDR with no input, RSR, ILPR, ICR: read as zero */
		return 0;
	}
}

static void write_reg(struct vuart *vu, uint64_t off, uint32_t v)
{
	switch (off) {
	case UARTDR:
		transmit(vu, (char)(v & 0xff));
		break;
	case UARTIBRD:
		vu->ibrd = v & 0xffff;
		break;
	case UARTFBRD:
		vu->fbrd = v & 0x3f;
		break;
	case UARTLCR_H:
		vu->lcr_h = v & 0xff;
		break;
	case UARTCR:
		vu->cr = v & 0xff87;
		break;
	case UARTIFLS:
		vu->ifls = v & 0x3f;
		break;
	case UARTIMSC:
		vu->imsc = v & 0x7ff;
		break;
	case UARTDMACR:
		vu->dmacr = v & 0x7;
		break;
	default: /* ICR, RSR (error clear), read-only registers: ignored */
		break;
	}
}

int vuart_access(void *vuart, uint64_t offset, unsigned size, bool write,
		 uint64_t *value)
{
	struct vuart *vu = vuart;

	unsigned lane = (unsigned)(offset & 3) * 8;

	/* The PL011 has 8/16/32-bit registers; wider or unaligned is a guest bug. */
	if ((size != 1 && size != 2 && size != 4) || (offset & (size - 1)) ||
	    offset >= VUART_MMIO_SIZE)
		return -1;
	spin_lock(&vu->lock);
	if (!write)
		*value = (read_reg(vu, offset & ~3ull) >> lane) &
			 (size == 4 ? 0xffffffffu : (1u << (size * 8)) - 1);
	else if (!lane) /* a write to the upper bytes only changes nothing we keep */
		write_reg(vu, offset, (uint32_t)*value);
	spin_unlock(&vu->lock);
	return 0;
}
