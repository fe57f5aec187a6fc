/* SPDX-License-Identifier: BSD-3-Clause */
#include <console_out.h>
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
#define FR_TXFF BIT(5)
#define FR_RXFF BIT(6)
#define FR_TXFE BIT(7)
#define RIS_RX BIT(4)
#define RIS_TX BIT(5)
#define RIS_RT BIT(6)

_Static_assert(VUART_LINE_MAX + 1 <= CONSOLE_RECORD_MAX,
	       "a line, with a stream line's newline, is one console record");

/* PeriphID0-3 then PCellID0-3: a PL011 r1p5, as Linux's AMBA bus expects. */
static const uint8_t pl011_id[8] = {0x11, 0x10, 0x14, 0x00,
				    0x0d, 0xf0, 0x05, 0xb1};

/*
 * Interrupt status as a level: transmit while the VM's console buffer has
 * room for a whole line, receive and receive-timeout while the FIFO holds
 * input.
 */
static bool tx_room_left(const struct vuart *vu)
{
	return !vu->out || console_out_has_room(vu->out);
}

static uint32_t raw_status(const struct vuart *vu)
{
	return (tx_room_left(vu) ? RIS_TX : 0) |
	       (vu->rx_count ? RIS_RX | RIS_RT : 0);
}

/* Called with the lock held; the line changes are reported after unlock. */
static bool irq_changed(struct vuart *vu)
{
	/* Only the unmasked sources: a guest that polls (the TX interrupt
	 * masked) pays no look at its buffer on every access. */
	bool level = (vu->rx_count && (vu->imsc & (RIS_RX | RIS_RT))) ||
		     ((vu->imsc & RIS_TX) && tx_room_left(vu));

	if (level == vu->irq_level)
		return false;
	vu->irq_level = level;
	return true;
}

static void report_irq(struct vuart *vu, bool changed)
{
	if (changed && vu->irq_fn)
		vu->irq_fn(vu->irq_ctx, __atomic_load_n(&vu->irq_level,
							 __ATOMIC_RELAXED));
}

void vuart_connect_irq(struct vuart *vu, vuart_irq_fn fn, void *ctx)
{
	vu->irq_fn = fn;
	vu->irq_ctx = ctx;
}

void vuart_connect_rx_space(struct vuart *vu, vuart_rx_space_fn fn, void *ctx)
{
	spin_lock(&vu->lock);
	vu->rx_space_fn = fn;
	vu->rx_space_ctx = ctx;
	spin_unlock(&vu->lock);
}

size_t vuart_rx_room(struct vuart *vu)
{
	size_t room;

	spin_lock(&vu->lock);
	room = VUART_RX_FIFO - vu->rx_count;
	spin_unlock(&vu->lock);
	return room;
}

size_t vuart_receive(struct vuart *vu, const char *buf, size_t n)
{
	size_t taken = 0;
	bool changed;

	spin_lock(&vu->lock);
	for (; taken < n && vu->rx_count < VUART_RX_FIFO; taken++)
		vu->rx[(vu->rx_head + vu->rx_count++) % VUART_RX_FIFO] =
			(uint8_t)buf[taken];
	/* The sender stops when we are full; tell it when we are not. */
	if (vu->rx_count == VUART_RX_FIFO)
		vu->rx_was_full = true;
	changed = irq_changed(vu);
	spin_unlock(&vu->lock);
	report_irq(vu, changed);
	return taken;
}

static uint32_t pop_rx(struct vuart *vu)
{
	uint8_t c;

	if (!vu->rx_count)
		return 0;
	c = vu->rx[vu->rx_head];
	vu->rx_head = (vu->rx_head + 1) % VUART_RX_FIFO;
	vu->rx_count--;
	return c;
}

/* The drainer made room in the console buffer: the TX level may rise. */
static void tx_room(void *arg)
{
	struct vuart *vu = arg;
	bool changed;

	spin_lock(&vu->lock);
	changed = irq_changed(vu);
	spin_unlock(&vu->lock);
	report_irq(vu, changed);
}

void vuart_init(struct vuart *vu, struct console_out *out)
{
	*vu = (struct vuart){.lock = SPINLOCK_INIT, .out = out};
	vu->cr = 0x300; /* TX and RX enabled, as after reset */
	vu->ifls = 0x12;
	console_out_connect_room(out, tx_room, vu);
}

/*
 * The interactive VM's unfinished line goes out when its driver has nothing
 * more to send: Linux's PL011 driver then masks the transmit interrupt.
 * Lines stay whole, and a shell prompt still shows.
 */
static void push_partial(struct vuart *vu)
{
	if (!vu->stream)
		return; /* whole lines only: the line waits for its end */
	if (vu->line_len)
		console_out_stream(vu->out, vu->line, vu->line_len);
	vu->line_len = 0;
}

static void flush_locked(struct vuart *vu)
{
	if (vu->stream) {
		push_partial(vu);
		return;
	}
	if (vu->line_len)
		console_out_line(vu->out, vu->line, vu->line_len);
	vu->line_len = 0;
}

void vuart_flush(struct vuart *vu)
{
	spin_lock(&vu->lock);
	flush_locked(vu);
	spin_unlock(&vu->lock);
}

void vuart_reset(struct vuart *vu)
{
	vuart_irq_fn irq_fn;
	vuart_rx_space_fn space_fn;
	void *irq_ctx, *space_ctx;
	bool stream, changed;

	spin_lock(&vu->lock);
	flush_locked(vu);
	/* Registers and FIFO as at power-on; connections and mode stay. */
	irq_fn = vu->irq_fn, irq_ctx = vu->irq_ctx;
	space_fn = vu->rx_space_fn, space_ctx = vu->rx_space_ctx;
	stream = vu->stream;
	vu->rx_head = vu->rx_count = 0;
	vu->lcr_h = vu->ibrd = vu->fbrd = vu->imsc = vu->dmacr = 0;
	vu->cr = 0x300;
	vu->ifls = 0x12;
	vu->irq_fn = irq_fn, vu->irq_ctx = irq_ctx;
	vu->rx_space_fn = space_fn, vu->rx_space_ctx = space_ctx;
	vu->stream = stream;
	vu->rx_was_full = false;
	changed = irq_changed(vu);
	spin_unlock(&vu->lock);
	report_irq(vu, changed);
	/* Whoever was held back by a full FIFO may send again. */
	if (space_fn)
		space_fn(space_ctx);
}

void vuart_set_stream(struct vuart *vu, bool stream)
{
	vu->stream = stream;
}

static void transmit(struct vuart *vu, char c)
{
	/* Whole lines need no carriage returns; the interactive VM's line
	 * editor does (console_stream). */
	if (c == '\r' && !vu->stream)
		return;
	if (vu->stream && c == '\n') {
		vu->line[vu->line_len] = '\n'; /* the buffer has room for it */
		console_out_stream(vu->out, vu->line, vu->line_len + 1);
		vu->line_len = 0;
		return;
	}
	if (c == '\n') {
		console_out_line(vu->out, vu->line, vu->line_len);
		vu->line_len = 0;
		return;
	}
	if (vu->line_len == VUART_LINE_MAX) {
		if (vu->stream)
			push_partial(vu);
		else
			flush_locked(vu); /* overlong line: split it, lose nothing */
	}
	vu->line[vu->line_len++] = c;
}

static uint32_t read_reg(struct vuart *vu, uint64_t off)
{
	if (off >= UARTPERIPHID0 && off < UARTPERIPHID0 + 32)
		return pl011_id[(off - UARTPERIPHID0) / 4];
	switch (off) {
	case UARTDR:
		return pop_rx(vu);
	case UARTFR:
		return FR_TXFE | (tx_room_left(vu) ? 0 : FR_TXFF) |
		       (vu->rx_count ? 0 : FR_RXFE) |
		       (vu->rx_count == VUART_RX_FIFO ? FR_RXFF : 0);
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
		return raw_status(vu);
	case UARTMIS:
		return raw_status(vu) & vu->imsc;
	case UARTDMACR:
		return vu->dmacr;
	default: /* RSR, ILPR, ICR: read as zero */
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
		push_partial(vu);
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
	vuart_rx_space_fn space_fn = NULL;
	bool changed;

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
	if (vu->rx_was_full && vu->rx_count < VUART_RX_FIFO) {
		vu->rx_was_full = false;
		space_fn = vu->rx_space_fn;
	}
	changed = irq_changed(vu);
	spin_unlock(&vu->lock);
	report_irq(vu, changed);
	if (space_fn)
		space_fn(vu->rx_space_ctx);
	return 0;
}
