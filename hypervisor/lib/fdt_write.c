/* SPDX-License-Identifier: BSD-3-Clause */
#include <errno.h>
#include <lib/fdt.h>
#include <lib/fdt_write.h>
#include <lib/string.h>

#define TOK_BEGIN_NODE 1u
#define TOK_END_NODE 2u
#define TOK_PROP 3u
#define TOK_END 9u

#define HEADER_SIZE 40u
#define RSVMAP_SIZE 16u /* the terminating all-zero entry */
#define STRUCT_OFF (HEADER_SIZE + RSVMAP_SIZE)
#define MAX_SIZE 0x7ffffff8u /* the total size must fit an int */

/*
 * While writing, a property's name offset holds the distance from the end
 * of the buffer to its string (the strings grow downwards); fdtw_finish()
 * turns it into an offset into the strings block.
 */

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)fdt_cells(p, 1);
}

static int fail(struct fdt_writer *w, int err)
{
	if (!w->err)
		w->err = err;
	return w->err;
}

/* Room for n more structure bytes, or NULL with -ENOSPC recorded. */
static uint8_t *reserve(struct fdt_writer *w, size_t n)
{
	uint8_t *p;

	if (n > w->size - w->strings_len - w->pos) {
		fail(w, -ENOSPC);
		return NULL;
	}
	p = w->buf + w->pos;
	w->pos += (uint32_t)n;
	return p;
}

static int put_token(struct fdt_writer *w, uint32_t tok)
{
	uint8_t *p = reserve(w, 4);

	if (!p)
		return w->err;
	put32(p, tok);
	w->last_tok = tok;
	return 0;
}

/* Zero bytes up to the next 4-byte boundary of the structure block. */
static int pad(struct fdt_writer *w)
{
	size_t n = ALIGN_UP(w->pos, 4u) - w->pos;
	uint8_t *p = reserve(w, n);

	if (!p)
		return w->err;
	memset(p, 0, n);
	return 0;
}

/* Distance from the buffer's end to `s` in the strings, added if new; 0: error. */
static uint32_t string_ref(struct fdt_writer *w, const char *s)
{
	size_t n = strlen(s) + 1;
	const uint8_t *table = w->buf + w->size - w->strings_len;

	/* any "s\0" in the table will do, a suffix of a longer name too */
	for (size_t i = 0; i + n <= w->strings_len; i++)
		if (memcmp(table + i, s, n) == 0)
			return w->strings_len - (uint32_t)i;
	if (n > w->size - w->strings_len - w->pos) {
		fail(w, -ENOSPC);
		return 0;
	}
	w->strings_len += (uint32_t)n;
	memcpy(w->buf + w->size - w->strings_len, s, n);
	return w->strings_len;
}

void fdtw_init(struct fdt_writer *w, void *buf, size_t size)
{
	*w = (struct fdt_writer){
		.buf = buf,
		.size = size > MAX_SIZE ? MAX_SIZE : (uint32_t)size,
		.pos = STRUCT_OFF,
	};
	if (!buf || size < STRUCT_OFF) {
		w->size = w->pos = 0;
		w->err = -ENOSPC;
	}
}

int fdtw_begin_node(struct fdt_writer *w, const char *name)
{
	size_t n;
	uint8_t *p;

	if (w->err)
		return w->err;
	/* one root, named ""; every other node has a name */
	if (w->prop || (w->depth == 0 && w->last_tok) ||
	    (w->depth == 0) != (name[0] == '\0'))
		return fail(w, -EINVAL);
	n = strlen(name) + 1;
	if (put_token(w, TOK_BEGIN_NODE) || !(p = reserve(w, n)) || pad(w))
		return w->err;
	memcpy(p, name, n);
	w->depth++;
	return 0;
}

int fdtw_end_node(struct fdt_writer *w)
{
	if (w->err)
		return w->err;
	if (w->prop || w->depth == 0)
		return fail(w, -EINVAL);
	if (put_token(w, TOK_END_NODE))
		return w->err;
	w->depth--;
	return 0;
}

int fdtw_prop_begin(struct fdt_writer *w, const char *name)
{
	uint32_t ref, at = w->pos;
	uint8_t *p;

	if (w->err)
		return w->err;
	/* inside a node, before its subnodes */
	if (w->prop || w->depth == 0 || w->last_tok == TOK_END_NODE ||
	    name[0] == '\0')
		return fail(w, -EINVAL);
	ref = string_ref(w, name);
	if (!ref || put_token(w, TOK_PROP) || !(p = reserve(w, 8)))
		return w->err;
	put32(p, 0);
	put32(p + 4, ref);
	w->prop = at;
	return 0;
}

int fdtw_prop_append(struct fdt_writer *w, const void *data, size_t len)
{
	uint8_t *p;

	if (w->err)
		return w->err;
	if (!w->prop)
		return fail(w, -EINVAL);
	if (!(p = reserve(w, len)))
		return w->err;
	if (len)
		memcpy(p, data, len);
	return 0;
}

int fdtw_prop_append_u32(struct fdt_writer *w, uint32_t v)
{
	uint8_t cell[4];

	put32(cell, v);
	return fdtw_prop_append(w, cell, sizeof(cell));
}

int fdtw_prop_append_u64(struct fdt_writer *w, uint64_t v)
{
	uint8_t cells[8];

	put32(cells, (uint32_t)(v >> 32));
	put32(cells + 4, (uint32_t)v);
	return fdtw_prop_append(w, cells, sizeof(cells));
}

int fdtw_prop_end(struct fdt_writer *w)
{
	if (w->err)
		return w->err;
	if (!w->prop)
		return fail(w, -EINVAL);
	put32(w->buf + w->prop + 4, w->pos - w->prop - 12);
	if (pad(w))
		return w->err;
	w->prop = 0;
	return 0;
}

int fdtw_prop(struct fdt_writer *w, const char *name, const void *val,
	      size_t len)
{
	fdtw_prop_begin(w, name);
	fdtw_prop_append(w, val, len);
	return fdtw_prop_end(w);
}

int fdtw_prop_empty(struct fdt_writer *w, const char *name)
{
	return fdtw_prop(w, name, NULL, 0);
}

int fdtw_prop_u32(struct fdt_writer *w, const char *name, uint32_t v)
{
	return fdtw_prop_cells(w, name, &v, 1);
}

int fdtw_prop_u64(struct fdt_writer *w, const char *name, uint64_t v)
{
	return fdtw_prop_u64s(w, name, &v, 1);
}

int fdtw_prop_cells(struct fdt_writer *w, const char *name,
		    const uint32_t *cells, unsigned n)
{
	fdtw_prop_begin(w, name);
	for (unsigned i = 0; i < n; i++)
		fdtw_prop_append_u32(w, cells[i]);
	return fdtw_prop_end(w);
}

int fdtw_prop_u64s(struct fdt_writer *w, const char *name, const uint64_t *v,
		   unsigned n)
{
	fdtw_prop_begin(w, name);
	for (unsigned i = 0; i < n; i++)
		fdtw_prop_append_u64(w, v[i]);
	return fdtw_prop_end(w);
}

int fdtw_prop_string(struct fdt_writer *w, const char *name, const char *s)
{
	return fdtw_prop_strings(w, name, &s, 1);
}

int fdtw_prop_strings(struct fdt_writer *w, const char *name,
		      const char *const *list, unsigned n)
{
	fdtw_prop_begin(w, name);
	for (unsigned i = 0; i < n; i++)
		fdtw_prop_append(w, list[i], strlen(list[i]) + 1);
	return fdtw_prop_end(w);
}

/* Turn every property's distance-from-the-end into a strings-block offset. */
static void fix_name_offsets(struct fdt_writer *w)
{
	uint32_t off = STRUCT_OFF;

	while (off < w->pos) {
		uint8_t *p = w->buf + off;

		switch (get32(p)) {
		case TOK_BEGIN_NODE:
			off += 4 + ALIGN_UP((uint32_t)strlen((char *)p + 4) + 1, 4u);
			break;
		case TOK_PROP:
			put32(p + 8, w->strings_len - get32(p + 8));
			off += 12 + ALIGN_UP(get32(p + 4), 4u);
			break;
		default: /* END_NODE, END */
			off += 4;
			break;
		}
	}
}

int fdtw_finish(struct fdt_writer *w)
{
	uint8_t *h = w->buf;
	uint32_t struct_size, total;

	if (w->err)
		return w->err;
	if (w->prop || w->depth || w->last_tok != TOK_END_NODE)
		return fail(w, -EINVAL);
	if (put_token(w, TOK_END))
		return w->err;
	fix_name_offsets(w);
	memmove(h + w->pos, h + w->size - w->strings_len, w->strings_len);
	struct_size = w->pos - STRUCT_OFF;
	total = w->pos + w->strings_len;
	put32(h, FDT_MAGIC);
	put32(h + 4, total);
	put32(h + 8, STRUCT_OFF);
	put32(h + 12, w->pos);         /* off_dt_strings */
	put32(h + 16, HEADER_SIZE);    /* off_mem_rsvmap */
	put32(h + 20, 17);             /* version */
	put32(h + 24, 16);             /* last_comp_version */
	put32(h + 28, 0);              /* boot_cpuid_phys */
	put32(h + 32, w->strings_len); /* size_dt_strings */
	put32(h + 36, struct_size);
	memset(h + HEADER_SIZE, 0, RSVMAP_SIZE);
	fail(w, -EINVAL); /* done: no more writes */
	return (int)total;
}
