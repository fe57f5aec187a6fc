/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Read-only flattened device tree access. Every read is bounds-checked against
 * the blob's header, so a malformed or hostile blob yields errors, not faults.
 * Nodes are named by their offset in the structure block (negative = none).
 */
#ifndef TESSERA_LIB_FDT_H
#define TESSERA_LIB_FDT_H

#include <types.h>

#define FDT_MAGIC 0xd00dfeedu

struct fdt {
	const uint8_t *blob;
	uint32_t size;
	uint32_t struct_off;
	uint32_t struct_size;
	uint32_t strings_off;
	uint32_t strings_size;
};

/* Validate the header of the blob at `blob` (at most max_size bytes). 0 or -1. */
int fdt_open(struct fdt *fdt, const void *blob, size_t max_size);
uint32_t fdt_total_size(const void *blob);

int fdt_root(const struct fdt *fdt);
int fdt_first_child(const struct fdt *fdt, int node);
int fdt_next_sibling(const struct fdt *fdt, int node);
/* Absolute path such as "/cpus"; unit addresses must be given in full. */
int fdt_path(const struct fdt *fdt, const char *path);
const char *fdt_node_name(const struct fdt *fdt, int node);
const void *fdt_prop(const struct fdt *fdt, int node, const char *name,
		     uint32_t *len);
bool fdt_prop_is(const struct fdt *fdt, int node, const char *name,
		 const char *value);
uint32_t fdt_prop_u32(const struct fdt *fdt, int node, const char *name,
		      uint32_t dflt);

/* Big-endian cell reads (cells is 1 or 2). */
uint64_t fdt_cells(const void *p, unsigned cells);

#endif
