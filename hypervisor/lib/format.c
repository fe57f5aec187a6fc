/* SPDX-License-Identifier: BSD-3-Clause */
#include <lib/format.h>

struct out {
	char *buf;
	size_t size;
	size_t len;
};

static void put(struct out *o, char c)
{
	if (o->len + 1 < o->size)
		o->buf[o->len] = c;
	o->len++;
}

static void put_padded(struct out *o, const char *s, size_t n, unsigned width,
		       bool left, char pad)
{
	size_t fill = width > n ? width - n : 0;

	if (!left)
		while (fill--)
			put(o, pad);
	while (n--)
		put(o, *s++);
	if (left)
		while (fill--)
			put(o, ' ');
}

/* v in `base` after `prefix` ("-", "0x" or ""); the width covers both. */
static void put_number(struct out *o, uint64_t v, const char *prefix,
		       unsigned base, bool upper, unsigned width, bool left,
		       char pad)
{
	const char *digits = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	char tmp[24];
	size_t n = 0, plen = 0;

	do {
		tmp[sizeof(tmp) - 1 - n++] = digits[v % base];
		v /= base;
	} while (v);
	while (prefix[plen])
		plen++;
	if (pad == '0') {
		/* zeros go between the prefix and the digits */
		while (*prefix)
			put(o, *prefix++);
		width = width > plen ? width - (unsigned)plen : 0;
	} else {
		while (plen)
			tmp[sizeof(tmp) - 1 - n++] = prefix[--plen];
	}
	put_padded(o, &tmp[sizeof(tmp) - n], n, width, left, pad);
}

static uint64_t arg_unsigned(va_list *ap, int lng)
{
	if (lng >= 2)
		return va_arg(*ap, unsigned long long);
	if (lng == 1)
		return va_arg(*ap, unsigned long);
	return va_arg(*ap, unsigned int);
}

static int64_t arg_signed(va_list *ap, int lng)
{
	if (lng >= 2)
		return va_arg(*ap, long long);
	if (lng == 1)
		return va_arg(*ap, long);
	return va_arg(*ap, int);
}

int fmt_vsnprintf(char *buf, size_t size, const char *fmt, va_list ap_in)
{
	struct out o = {buf, size, 0};
	va_list ap;

	va_copy(ap, ap_in);
	for (; *fmt; fmt++) {
		bool left = false;
		char pad = ' ';
		unsigned width = 0;
		int lng = 0;
		bool alt = false; /* '#': 0x before non-zero hex, as C does */

		if (*fmt != '%') {
			put(&o, *fmt);
			continue;
		}
		fmt++;
		for (;; fmt++) {
			if (*fmt == '-')
				left = true;
			else if (*fmt == '0')
				pad = '0';
			else if (*fmt == '#')
				alt = true;
			else
				break;
		}
		while (*fmt >= '0' && *fmt <= '9')
			width = width * 10 + (unsigned)(*fmt++ - '0');
		for (;; fmt++) {
			if (*fmt == 'l')
				lng++;
			else if (*fmt == 'z')
				lng = 1; /* size_t is unsigned long on LP64 */
			else
				break;
		}
		if (left)
			pad = ' ';
		switch (*fmt) {
		case 'd':
		case 'i': {
			int64_t v = arg_signed(&ap, lng);
			uint64_t mag = v < 0 ? -(uint64_t)v : (uint64_t)v;

			put_number(&o, mag, v < 0 ? "-" : "", 10, false, width,
				   left, pad);
			break;
		}
		case 'u':
			put_number(&o, arg_unsigned(&ap, lng), "", 10, false,
				   width, left, pad);
			break;
		case 'x':
		case 'X': {
			uint64_t v = arg_unsigned(&ap, lng);

			put_number(&o, v, alt && v ? (*fmt == 'X' ? "0X" : "0x") : "",
				   16, *fmt == 'X', width, left, pad);
			break;
		}
		case 'p':
			put_number(&o, (uintptr_t)va_arg(ap, void *), "0x", 16,
				   false, width, left, pad);
			break;
		case 's': {
			const char *s = va_arg(ap, const char *);
			size_t n = 0;

			if (!s)
				s = "(null)";
			while (s[n])
				n++;
			put_padded(&o, s, n, width, left, ' ');
			break;
		}
		case 'c': {
			char c = (char)va_arg(ap, int);

			put_padded(&o, &c, 1, width, left, ' ');
			break;
		}
		case '%':
			put(&o, '%');
			break;
		case '\0':
			fmt--; /* lone '%' at the end: stop cleanly */
			break;
		default:
			put(&o, '%');
			put(&o, *fmt);
			break;
		}
	}
	va_end(ap);
	if (size)
		buf[o.len < size ? o.len : size - 1] = '\0';
	return (int)o.len;
}

int fmt_snprintf(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = fmt_vsnprintf(buf, size, fmt, ap);
	va_end(ap);
	return n;
}
