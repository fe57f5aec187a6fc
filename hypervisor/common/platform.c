/* SPDX-License-Identifier: BSD-3-Clause */
#include <lib/fdt.h>
#include <lib/format.h>
#include <lib/string.h>
#include <platform.h>

static int find_memory(struct platform_info *info, const struct fdt *fdt,
		       char *err, size_t errlen)
{
	int root = fdt_root(fdt);
	unsigned ac = fdt_prop_u32(fdt, root, "#address-cells", 2);
	unsigned sc = fdt_prop_u32(fdt, root, "#size-cells", 1);

	if (ac < 1 || ac > 2 || sc < 1 || sc > 2) {
		fmt_snprintf(err, errlen, "device tree: unsupported root "
			     "#address-cells %u / #size-cells %u", ac, sc);
		return -1;
	}
	for (int n = fdt_first_child(fdt, root); n >= 0;
	     n = fdt_next_sibling(fdt, n)) {
		uint32_t len;
		const uint8_t *reg;

		if (!fdt_prop_is(fdt, n, "device_type", "memory"))
			continue;
		reg = fdt_prop(fdt, n, "reg", &len);
		if (!reg || len < (ac + sc) * 4) {
			fmt_snprintf(err, errlen, "device tree: node %s has no "
				     "usable reg", fdt_node_name(fdt, n));
			return -1;
		}
		info->ram_base = fdt_cells(reg, ac);
		info->ram_size = fdt_cells(reg + ac * 4, sc);
		return 0;
	}
	fmt_snprintf(err, errlen, "device tree: no memory node");
	return -1;
}

static int find_cpus(struct platform_info *info, const struct fdt *fdt,
		     char *err, size_t errlen)
{
	int cpus = fdt_path(fdt, "/cpus");
	unsigned ac;

	if (cpus < 0) {
		fmt_snprintf(err, errlen, "device tree: no /cpus node");
		return -1;
	}
	ac = fdt_prop_u32(fdt, cpus, "#address-cells", 1);
	if (ac < 1 || ac > 2) {
		fmt_snprintf(err, errlen, "device tree: /cpus #address-cells %u",
			     ac);
		return -1;
	}
	info->cpu_count = 0;
	for (int n = fdt_first_child(fdt, cpus); n >= 0;
	     n = fdt_next_sibling(fdt, n)) {
		uint32_t len;
		const void *reg;

		if (!fdt_prop_is(fdt, n, "device_type", "cpu"))
			continue;
		reg = fdt_prop(fdt, n, "reg", &len);
		if (!reg || len < ac * 4) {
			fmt_snprintf(err, errlen, "device tree: cpu node %s has "
				     "no reg", fdt_node_name(fdt, n));
			return -1;
		}
		if (info->cpu_count == CONFIG_MAX_PCPUS)
			break; /* the rest stay off; the banner says so */
		info->cpu_mpidr[info->cpu_count++] = fdt_cells(reg, ac);
	}
	if (!info->cpu_count) {
		fmt_snprintf(err, errlen, "device tree: no cpu nodes in /cpus");
		return -1;
	}
	return 0;
}

int platform_from_fdt(struct platform_info *info, const void *dtb,
		      size_t max_size, char *err, size_t errlen)
{
	struct fdt fdt;

	*info = (struct platform_info){0};
	if (!dtb || fdt_open(&fdt, dtb, max_size) < 0 || fdt_root(&fdt) < 0) {
		fmt_snprintf(err, errlen, "no valid device tree at %p", dtb);
		return -1;
	}
	if (find_memory(info, &fdt, err, errlen) < 0)
		return -1;
	return find_cpus(info, &fdt, err, errlen);
}

/* QEMU's virt tree is about 8 KiB (more with a long command line). */
#define PLATFORM_FDT_MAX (64u << 10)

static uint8_t kept_fdt[PLATFORM_FDT_MAX] __attribute__((aligned(8)));
static size_t kept_fdt_size;

static void put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/*
 * Copies the blob up to the end of its last block: QEMU, for one, declares
 * a 1 MiB total size with a few KiB in use. The copy's header says its size.
 */
int platform_keep_fdt(const void *dtb, size_t max_size)
{
	struct fdt fdt;
	uint32_t used;

	if (!dtb || fdt_open(&fdt, dtb, max_size) < 0)
		return -1;
	used = fdt.struct_off + fdt.struct_size;
	if (fdt.strings_off + fdt.strings_size > used)
		used = fdt.strings_off + fdt.strings_size;
	if (used > sizeof(kept_fdt))
		return -1;
	memcpy(kept_fdt, dtb, used);
	put_be32(kept_fdt + 4, used); /* totalsize */
	kept_fdt_size = used;
	return 0;
}

const void *platform_fdt(void)
{
	return kept_fdt_size ? kept_fdt : NULL;
}

size_t platform_fdt_size(void)
{
	return kept_fdt_size;
}
