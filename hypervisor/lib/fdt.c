/* SPDX-License-Identifier: BSD-3-Clause */
#include <lib/fdt.h>
#include <lib/string.h>

#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u

/* Bound on tree depth while skipping a subtree; deeper blobs are rejected. */
#define FDT_MAX_DEPTH 64

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

uint64_t fdt_cells(const void *p, unsigned cells)
{
	const uint8_t *b = p;

	return cells == 2 ? (uint64_t)be32(b) << 32 | be32(b + 4) : be32(b);
}

uint32_t fdt_total_size(const void *blob)
{
	return be32((const uint8_t *)blob + 4);
}

/* Token at struct offset `off`; sets *next to the following token, -1 on error. */
static int token(const struct fdt *fdt, int off, int *next)
{
	const uint8_t *s = fdt->blob + fdt->struct_off;
	uint32_t limit = fdt->struct_size;
	uint32_t tok, len;
	size_t n;

	if (off < 0 || (uint32_t)off + 4 > limit)
		return -1;
	tok = be32(s + off);
	switch (tok) {
	case FDT_BEGIN_NODE:
		n = strnlen((const char *)s + off + 4, limit - (uint32_t)off - 4);
		if ((uint32_t)off + 4 + n >= limit)
			return -1;
		*next = (int)ALIGN_UP((uint32_t)off + 4 + (uint32_t)n + 1, 4u);
		return (int)tok;
	case FDT_PROP:
		if ((uint32_t)off + 12 > limit)
			return -1;
		len = be32(s + off + 4);
		if (len > limit - (uint32_t)off - 12)
			return -1;
		*next = (int)ALIGN_UP((uint32_t)off + 12 + len, 4u);
		return (int)tok;
	case FDT_END_NODE:
	case FDT_NOP:
	case FDT_END:
		*next = off + 4;
		return (int)tok;
	default:
		return -1;
	}
}

/*
 * Walk the whole structure block once: every token well formed, every
 * property name inside the strings block, one root node, nesting balanced
 * and at most FDT_MAX_DEPTH deep, FDT_END last. After this, the lookups
 * below cannot meet a malformed token on the way between real nodes, so a
 * damaged blob is refused here instead of reading as a smaller tree.
 */
static int check_structure(const struct fdt *fdt)
{
	const uint8_t *s = fdt->blob + fdt->struct_off;
	const char *strings = (const char *)fdt->blob + fdt->strings_off;
	int depth = 0, next, off = 0;
	bool seen_root = false;

	for (;; off = next) {
		uint32_t nameoff;

		switch (token(fdt, off, &next)) {
		case FDT_BEGIN_NODE:
			if ((depth == 0 && seen_root) || ++depth > FDT_MAX_DEPTH)
				return -1;
			seen_root = true;
			break;
		case FDT_END_NODE:
			if (depth-- == 0)
				return -1;
			break;
		case FDT_PROP:
			nameoff = be32(s + off + 8);
			if (depth == 0 || nameoff >= fdt->strings_size ||
			    strnlen(strings + nameoff,
				    fdt->strings_size - nameoff) ==
				    fdt->strings_size - nameoff)
				return -1;
			break;
		case FDT_NOP:
			break;
		case FDT_END:
			return depth == 0 && seen_root ? 0 : -1;
		default:
			return -1;
		}
	}
}

int fdt_open(struct fdt *fdt, const void *blob, size_t max_size)
{
	const uint8_t *b = blob;
	uint32_t size;

	if (max_size < 40 || be32(b) != FDT_MAGIC)
		return -1;
	size = be32(b + 4);
	if (size < 40 || size > max_size || be32(b + 20) < 16)
		return -1;
	fdt->blob = b;
	fdt->size = size;
	fdt->struct_off = be32(b + 8);
	fdt->strings_off = be32(b + 12);
	fdt->strings_size = be32(b + 32);
	fdt->struct_size = be32(b + 36);
	if (fdt->struct_off > size || fdt->struct_size > size - fdt->struct_off ||
	    fdt->strings_off > size ||
	    fdt->strings_size > size - fdt->strings_off ||
	    (fdt->struct_off & 3) || (fdt->struct_size & 3))
		return -1;
	return check_structure(fdt);
}

/* First token after the node's name and properties. */
static int after_props(const struct fdt *fdt, int node, int *tok_out)
{
	int next, off, tok;

	if (token(fdt, node, &next) != (int)FDT_BEGIN_NODE)
		return -1;
	for (off = next;; off = next) {
		tok = token(fdt, off, &next);
		if (tok != (int)FDT_PROP && tok != (int)FDT_NOP)
			break;
	}
	*tok_out = tok;
	return off;
}

int fdt_root(const struct fdt *fdt)
{
	int next, off = 0;

	while (token(fdt, off, &next) == (int)FDT_NOP)
		off = next;
	return token(fdt, off, &next) == (int)FDT_BEGIN_NODE ? off : -1;
}

int fdt_first_child(const struct fdt *fdt, int node)
{
	int tok = -1, off = after_props(fdt, node, &tok);

	return tok == (int)FDT_BEGIN_NODE ? off : -1;
}

int fdt_next_sibling(const struct fdt *fdt, int node)
{
	int depth = 0, next, off = node, tok;

	do {
		tok = token(fdt, off, &next);
		if (tok == (int)FDT_BEGIN_NODE && ++depth > FDT_MAX_DEPTH)
			return -1;
		if (tok == (int)FDT_END_NODE)
			depth--;
		if (tok < 0 || tok == (int)FDT_END)
			return -1;
		off = next;
	} while (depth > 0);
	while ((tok = token(fdt, off, &next)) == (int)FDT_NOP)
		off = next;
	return tok == (int)FDT_BEGIN_NODE ? off : -1;
}

const char *fdt_node_name(const struct fdt *fdt, int node)
{
	int next;

	if (token(fdt, node, &next) != (int)FDT_BEGIN_NODE)
		return NULL;
	return (const char *)fdt->blob + fdt->struct_off + node + 4;
}

static bool name_matches(const char *node_name, const char *want, size_t n)
{
	/* "cpus" matches "cpus"; "memory" does not match "memory@40000000". */
	return strncmp(node_name, want, n) == 0 && node_name[n] == '\0';
}

int fdt_path(const struct fdt *fdt, const char *path)
{
	int node = fdt_root(fdt);

	if (*path != '/')
		return -1;
	while (node >= 0 && *path) {
		size_t n;
		int child;

		while (*path == '/')
			path++;
		if (!*path)
			break;
		for (n = 0; path[n] && path[n] != '/'; n++)
			;
		for (child = fdt_first_child(fdt, node); child >= 0;
		     child = fdt_next_sibling(fdt, child))
			if (name_matches(fdt_node_name(fdt, child), path, n))
				break;
		node = child;
		path += n;
	}
	return node;
}

/* The first property or NOP-skipped token from `off`: a PROP offset or -1. */
static int prop_from(const struct fdt *fdt, int off)
{
	int next, tok;

	while ((tok = token(fdt, off, &next)) == (int)FDT_NOP)
		off = next;
	return tok == (int)FDT_PROP ? off : -1;
}

int fdt_first_prop(const struct fdt *fdt, int node)
{
	int next;

	if (token(fdt, node, &next) != (int)FDT_BEGIN_NODE)
		return -1;
	return prop_from(fdt, next);
}

int fdt_next_prop(const struct fdt *fdt, int prop)
{
	int next;

	if (token(fdt, prop, &next) != (int)FDT_PROP)
		return -1;
	return prop_from(fdt, next);
}

const void *fdt_prop_at(const struct fdt *fdt, int prop, const char **name,
			uint32_t *len)
{
	const uint8_t *s = fdt->blob + fdt->struct_off;
	uint32_t nameoff;
	const char *pname;
	int next;

	if (token(fdt, prop, &next) != (int)FDT_PROP)
		return NULL;
	nameoff = be32(s + prop + 8);
	if (nameoff >= fdt->strings_size)
		return NULL;
	pname = (const char *)fdt->blob + fdt->strings_off + nameoff;
	if (strnlen(pname, fdt->strings_size - nameoff) ==
	    fdt->strings_size - nameoff)
		return NULL;
	if (name)
		*name = pname;
	if (len)
		*len = be32(s + prop + 4);
	return s + prop + 12;
}

const void *fdt_prop(const struct fdt *fdt, int node, const char *name,
		     uint32_t *len)
{
	for (int off = fdt_first_prop(fdt, node); off >= 0;
	     off = fdt_next_prop(fdt, off)) {
		const char *pname;
		uint32_t plen;
		const void *v = fdt_prop_at(fdt, off, &pname, &plen);

		if (!v)
			return NULL;
		if (strcmp(pname, name) == 0) {
			if (len)
				*len = plen;
			return v;
		}
	}
	return NULL;
}

bool fdt_prop_is(const struct fdt *fdt, int node, const char *name,
		 const char *value)
{
	uint32_t len;
	const char *p = fdt_prop(fdt, node, name, &len);
	size_t n = strlen(value);

	return p && len == n + 1 && memcmp(p, value, n + 1) == 0;
}

uint32_t fdt_prop_u32(const struct fdt *fdt, int node, const char *name,
		      uint32_t dflt)
{
	uint32_t len;
	const void *p = fdt_prop(fdt, node, name, &len);

	return p && len == 4 ? (uint32_t)fdt_cells(p, 1) : dflt;
}

bool fdt_prop_has_string(const struct fdt *fdt, int node, const char *name,
			 const char *value)
{
	uint32_t len, i = 0;
	const char *p = fdt_prop(fdt, node, name, &len);
	size_t n = strlen(value);

	while (p && i < len) {
		size_t l = strnlen(p + i, len - i);

		if (l == len - i) /* not terminated */
			return false;
		if (l == n && memcmp(p + i, value, n) == 0)
			return true;
		i += (uint32_t)l + 1;
	}
	return false;
}

int fdt_walk_next(const struct fdt *fdt, int node, int *depth)
{
	int next, off;

	if (token(fdt, node, &next) != (int)FDT_BEGIN_NODE)
		return -1;
	for (off = next;; off = next) {
		switch (token(fdt, off, &next)) {
		case FDT_BEGIN_NODE:
			++*depth;
			return off;
		case FDT_END_NODE:
			--*depth;
			break;
		case FDT_PROP:
		case FDT_NOP:
			break;
		default: /* FDT_END or malformed */
			return -1;
		}
	}
}

int fdt_node_by_phandle(const struct fdt *fdt, uint32_t phandle)
{
	int depth = 0;

	if (phandle == 0 || phandle == 0xffffffffu)
		return -1;
	for (int n = fdt_root(fdt); n >= 0; n = fdt_walk_next(fdt, n, &depth))
		if (fdt_prop_u32(fdt, n, "phandle", 0) == phandle ||
		    fdt_prop_u32(fdt, n, "linux,phandle", 0) == phandle)
			return n;
	return -1;
}
