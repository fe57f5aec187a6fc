/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * libFuzzer target for the FDT code, both directions.
 *
 * Reader: the input's tail is a device tree blob as firmware might pass it
 * (hostile or broken): the platform reader (memory and CPUs), the copy the
 * hypervisor keeps, and a walk of every node and property with the lookups
 * the VM builders use. Nothing may read outside the blob (ASan); every
 * node the walk returns has a name.
 *
 * Writer: the input's head drives the FDT writer (nodes with names from the
 * input, properties of every kind, lengths up to the buffer) into a small
 * buffer. Whatever the writer accepts must finish into a blob that libfdt's
 * full check passes and that our reader walks to the same node count; what
 * it refuses must leave an error, never a write past the buffer.
 */
#include <libfdt.h>
#undef FDT_MAGIC /* lib/fdt.h defines the same value */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <lib/fdt.h>
#include <lib/fdt_write.h>
#include <platform.h>

#define WRITER_BUF 2048

struct input {
	const uint8_t *p;
	size_t left;
};

static unsigned take(struct input *in)
{
	if (!in->left)
		return 0;
	in->left--;
	return *in->p++;
}

static void read_blob(const uint8_t *data, size_t size)
{
	struct platform_info info;
	struct fdt fdt;
	char err[128];
	int node, depth = 0;

	(void)platform_from_fdt(&info, data, size, err, sizeof(err));
	(void)platform_keep_fdt(data, size);
	if (fdt_open(&fdt, data, size) < 0 || (node = fdt_root(&fdt)) < 0)
		return;
	for (unsigned n = 0; node >= 0 && n < 4096; n++) {
		const char *pname;
		uint32_t len;

		if (!fdt_node_name(&fdt, node))
			abort();
		for (int p = fdt_first_prop(&fdt, node); p >= 0;
		     p = fdt_next_prop(&fdt, p))
			(void)fdt_prop_at(&fdt, p, &pname, &len);
		(void)fdt_prop_u32(&fdt, node, "#address-cells", 2);
		(void)fdt_prop_has_string(&fdt, node, "compatible", "arm,gic-v3");
		(void)fdt_first_child(&fdt, node);
		(void)fdt_next_sibling(&fdt, node);
		node = fdt_walk_next(&fdt, node, &depth);
	}
	(void)fdt_path(&fdt, "/cpus");
	(void)fdt_path(&fdt, "/memory@40000000");
	(void)fdt_node_by_phandle(&fdt, 1);
}

/* A name from the input: 0-15 bytes of [a-z0-9,@-], or odd bytes now and
 * then (the writer must refuse or store them, never break). */
static void take_name(struct input *in, char *name)
{
	static const char ok[] = "abcdefghijklmnopqrstuvwxyz0123456789,@-#";
	unsigned n = take(in) % 16;

	for (unsigned i = 0; i < n; i++) {
		unsigned c = take(in);

		name[i] = c < 240 ? ok[c % (sizeof(ok) - 1)] : (char)(c - 200);
	}
	name[n] = '\0';
}

static void write_blob(struct input *in)
{
	static uint8_t buf[WRITER_BUF + 64];
	struct fdt_writer w;
	unsigned nodes = 0, steps = take(in) % 64;
	int total;
	char name[17];
	uint8_t val[256];

	memset(buf, 0xa5, sizeof(buf));
	fdtw_init(&w, buf, WRITER_BUF);
	fdtw_begin_node(&w, "");
	nodes++;
	for (unsigned s = 0; s < steps; s++) {
		unsigned op = take(in) % 8, len = take(in);

		take_name(in, name);
		for (unsigned i = 0; i < len && i < sizeof(val); i++)
			val[i] = (uint8_t)take(in);
		switch (op) {
		case 0:
			if (fdtw_begin_node(&w, name) == 0)
				nodes++;
			break;
		case 1:
			if (w.depth > 1)
				fdtw_end_node(&w);
			break;
		case 2:
			fdtw_prop(&w, name, val, len);
			break;
		case 3:
			fdtw_prop_u32(&w, name, (uint32_t)len * 0x01010101u);
			break;
		case 4:
			val[len % sizeof(val)] = 0;
			fdtw_prop_string(&w, name, (const char *)val);
			break;
		case 5:
			fdtw_prop_empty(&w, name);
			break;
		case 6:
			fdtw_prop_begin(&w, name);
			fdtw_prop_append(&w, val, len % 32);
			fdtw_prop_append_u64(&w, len);
			fdtw_prop_end(&w);
			break;
		default:
			fdtw_prop_u64s(&w, name, (const uint64_t *)(void *)val,
				       len % 4);
			break;
		}
	}
	while (w.depth > 0 && fdtw_end_node(&w) == 0)
		;
	for (size_t i = WRITER_BUF; i < sizeof(buf); i++)
		if (buf[i] != 0xa5)
			abort(); /* wrote past its buffer */
	total = fdtw_finish(&w);
	if (total < 0)
		return;
	if (fdt_check_full(buf, (size_t)total) != 0)
		abort(); /* accepted, but not a valid blob */
	{
		struct fdt fdt;
		int node, depth = 0;
		unsigned seen = 0;

		if (fdt_open(&fdt, buf, (size_t)total) < 0)
			abort();
		for (node = fdt_root(&fdt); node >= 0;
		     node = fdt_walk_next(&fdt, node, &depth))
			seen++;
		if (seen != nodes)
			abort(); /* our reader and the writer disagree */
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct input in = {data, size < 512 ? size : 512};

	write_blob(&in);
	/* The blob from a copy, aligned as the hypervisor sees it. */
	if (size) {
		uint8_t *copy = malloc(size);

		memcpy(copy, data, size);
		read_blob(copy, size);
		free(copy);
	}
	return 0;
}
