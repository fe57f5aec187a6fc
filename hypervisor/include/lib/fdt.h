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

/* True if the string-list property `name` holds `value` ("compatible"). */
bool fdt_prop_has_string(const struct fdt *fdt, int node, const char *name,
			 const char *value);

/*
 * Every node in document order: the node after `node` (its first child, its
 * next sibling or the next sibling of an ancestor), or -1 at the end of the
 * tree. *depth is adjusted by the levels moved (+1 into a child, 0 to a
 * sibling, negative back up).
 */
int fdt_walk_next(const struct fdt *fdt, int node, int *depth);
/* The node whose "phandle" (or "linux,phandle") is `phandle`, or -1. */
int fdt_node_by_phandle(const struct fdt *fdt, uint32_t phandle);

/* A node's properties in order, by offset (negative = none left). */
int fdt_first_prop(const struct fdt *fdt, int node);
int fdt_next_prop(const struct fdt *fdt, int prop);
/* The value of the property at `prop` and, if wanted, its name and length. */
const void *fdt_prop_at(const struct fdt *fdt, int prop, const char **name,
			uint32_t *len);

/* Big-endian cell reads (cells is 1 or 2). */
uint64_t fdt_cells(const void *p, unsigned cells);

#endif
