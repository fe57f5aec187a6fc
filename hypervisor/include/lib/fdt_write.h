/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Sequential flattened device tree writer, into a caller-provided buffer.
 *
 * Nodes and properties are written in document order: begin a node, write
 * its properties, then its subnodes, end it. The structure block grows up
 * from the start of the buffer and the strings block down from its end;
 * fdtw_finish() closes the gap and writes the header (version 17, empty
 * memory reservation block). Property names are stored once each.
 *
 * Every write is checked against the buffer: running out of room is
 * -ENOSPC, a call out of order (a property outside a node or after a
 * subnode, an unbalanced end, ...) is -EINVAL. The first error is sticky:
 * later calls do nothing and return it, and so does fdtw_finish(), so a
 * caller may write a whole tree and check once at the end. Nothing is ever
 * written outside [buf, buf + size). The buffer needs no alignment; a blob
 * handed to Linux must be 8-byte aligned.
 */
#ifndef TESSERA_LIB_FDT_WRITE_H
#define TESSERA_LIB_FDT_WRITE_H

#include <types.h>

struct fdt_writer {
	uint8_t *buf;
	uint32_t size;        /* capacity, at most UINT32_MAX */
	uint32_t pos;         /* end of the structure block so far */
	uint32_t strings_len; /* strings, in buf[size - strings_len, size) */
	uint32_t prop;        /* offset of the open property's token, 0: none */
	uint32_t depth;       /* open nodes */
	uint32_t last_tok;    /* last token written, 0: none yet */
	int err;              /* first error (negative), 0: none */
};

void fdtw_init(struct fdt_writer *w, void *buf, size_t size);

int fdtw_begin_node(struct fdt_writer *w, const char *name); /* root: "" */
int fdtw_end_node(struct fdt_writer *w);

/* A property whose value is `len` raw bytes (val may be NULL when len is 0). */
int fdtw_prop(struct fdt_writer *w, const char *name, const void *val,
	      size_t len);
int fdtw_prop_empty(struct fdt_writer *w, const char *name);
int fdtw_prop_u32(struct fdt_writer *w, const char *name, uint32_t v);
/* One 64-bit value as two cells, most significant first. */
int fdtw_prop_u64(struct fdt_writer *w, const char *name, uint64_t v);
/* n 32-bit cells. */
int fdtw_prop_cells(struct fdt_writer *w, const char *name,
		    const uint32_t *cells, unsigned n);
/* n 64-bit values, two cells each: reg with #address/#size-cells 2. */
int fdtw_prop_u64s(struct fdt_writer *w, const char *name, const uint64_t *v,
		   unsigned n);
int fdtw_prop_string(struct fdt_writer *w, const char *name, const char *s);
/* "a\0b\0": n strings, each with its terminating NUL. */
int fdtw_prop_strings(struct fdt_writer *w, const char *name,
		      const char *const *list, unsigned n);

/*
 * A property built piece by piece: begin, any number of appends, end.
 * Nothing else may be written while it is open.
 */
int fdtw_prop_begin(struct fdt_writer *w, const char *name);
int fdtw_prop_append(struct fdt_writer *w, const void *data, size_t len);
int fdtw_prop_append_u32(struct fdt_writer *w, uint32_t v);
int fdtw_prop_append_u64(struct fdt_writer *w, uint64_t v);
int fdtw_prop_end(struct fdt_writer *w);

/*
 * Close the blob (every node ended, a root written) and lay it out:
 * header, empty reservation block, structure, strings. Returns the blob's
 * total size, or the first error. The writer is done afterwards.
 */
int fdtw_finish(struct fdt_writer *w);

#endif
