/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A partition that reads the device tree the hypervisor passed in x0 and
 * prints what it says (tests/integration/test_partition_dt.py): its size,
 * the CPUs, each memory node, the bootargs, and the compatible of each
 * node it was given. Then it resets itself once (boot 2 must find a fresh
 * tree at the same place), and ticks.
 */
#include "guest.h"

#define FDT_MAGIC 0xd00dfeedu
#define FDT_BEGIN_NODE 1u
#define FDT_END_NODE 2u
#define FDT_PROP 3u
#define FDT_NOP 4u
#define FDT_END 9u
#define MAX_DEPTH 8

static volatile unsigned boots; /* kept across the reset (.data) */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 |
	       p[3];
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static bool starts(const char *s, const char *prefix)
{
	while (*prefix)
		if (*s++ != *prefix++)
			return false;
	return true;
}

static bool same(const char *a, const char *b)
{
	while (*a && *a == *b)
		a++, b++;
	return *a == *b;
}

static unsigned align4(unsigned n)
{
	return (n + 3) & ~3u;
}

/* Walk the structure block: what a test can compare with the scenario. */
static void walk(const uint8_t *fdt)
{
	const uint8_t *st = fdt + be32(fdt + 8), *strs = fdt + be32(fdt + 12);
	const char *path[MAX_DEPTH] = {0};
	unsigned depth = 0, cpus = 0, off = 0;

	for (;;) {
		uint32_t tag = be32(st + off);

		off += 4;
		if (tag == FDT_BEGIN_NODE) {
			const char *name = (const char *)st + off;
			unsigned n = 0;

			while (name[n])
				n++;
			off += align4(n + 1);
			if (depth < MAX_DEPTH)
				path[depth] = name;
			depth++;
			/* depth 1 is the root, 2 its children */
			if (depth == 3 && path[1] && same(path[1], "cpus") &&
			    starts(name, "cpu@"))
				cpus++;
		} else if (tag == FDT_END_NODE) {
			depth--;
		} else if (tag == FDT_PROP) {
			uint32_t len = be32(st + off), name = be32(st + off + 4);
			const uint8_t *v = st + off + 8;
			const char *pname = (const char *)strs + name;
			const char *node = depth >= 2 ? path[depth - 1] : "/";

			off += 8 + align4(len);
			if (depth == 2 && starts(node, "memory@") &&
			    same(pname, "reg") && len == 16)
				guest_printf("dtcheck: memory 0x%lx+0x%lx",
					     (unsigned long)be64(v),
					     (unsigned long)be64(v + 8));
			else if (depth == 2 && same(node, "chosen") &&
				 same(pname, "bootargs"))
				guest_printf("dtcheck: bootargs \"%s\"",
					     (const char *)v);
			else if (depth == 2 && same(pname, "compatible"))
				guest_printf("dtcheck: node %s compatible %s", node,
					     (const char *)v);
		} else if (tag == FDT_NOP) {
			continue;
		} else {
			break; /* FDT_END, or anything else */
		}
	}
	guest_printf("dtcheck: %u cpus", cpus);
}

void guest_main(unsigned cpu)
{
	const uint8_t *fdt = (const uint8_t *)(uintptr_t)guest_boot_x0[0];

	if (cpu != 0)
		heartbeat(cpu, 300);
	boots++;
	if (!fdt || be32(fdt) != FDT_MAGIC) {
		guest_printf("dtcheck: boot %u: no device tree in x0 (0x%lx)", boots,
			     (unsigned long)guest_boot_x0[0]);
		heartbeat(0, 300);
	}
	guest_printf("dtcheck: boot %u: device tree at 0x%lx, %u bytes", boots,
		     (unsigned long)guest_boot_x0[0], be32(fdt + 4));
	walk(fdt);
	if (psci_call(PSCI_CPU_ON, 1, (unsigned long)secondary_start, 0) != 0)
		guest_printf("dtcheck: vcpu 1 did not start");
	guest_printf("dtcheck: boot %u: done", boots);
	if (boots == 1) {
		delay_ms(300);
		psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
	}
	heartbeat(0, 300);
}
