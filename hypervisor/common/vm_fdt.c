/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A VM's device tree: a few nodes written from the parameters (CPUs, PSCI,
 * memory, GIC, vUART, /chosen) and a few copied from the platform tree
 * (timer, passthrough devices, the fixed clocks they use), with every
 * phandle reference either rewritten to a node of the new tree or dropped;
 * plus the virtio-mmio transports a device model emulates.
 * doc/device-tree.rst explains each choice.
 */
#include <stdarg.h>
#include <errno.h>
#include <lib/fdt.h>
#include <lib/fdt_write.h>
#include <lib/format.h>
#include <lib/range.h>
#include <lib/string.h>
#include <vm_fdt.h>

#define MAX_CLOCKS 4      /* fixed clocks copied into one tree */
#define MAX_CLOCK_REFS 8  /* entries of one "clocks" property */
#define MAX_COPY_DEPTH 4  /* subnode levels copied below a platform node */
#define APB_PCLK_HZ 24000000u /* the apb-pclk made up when the platform has none */
#define FALLBACK_COMPAT "linux,dummy-virt"

/* GIC interrupt specifiers: <type number flags>. */
#define GIC_SPI 0u
#define GIC_PPI 1u
#define IRQ_EDGE_RISING 1u
#define IRQ_LEVEL_HIGH 4u
#define GIC_MAINT_PPI 9u

struct clock {
	int node; /* platform fixed-clock node, -1: made up */
	uint32_t phandle;
};

struct build {
	struct fdt_writer w;
	struct fdt pf; /* the platform tree */
	int proot;
	unsigned pac, psc; /* its root #address-cells and #size-cells */
	uint32_t pgic;     /* its GIC: the root's interrupt-parent, 0: none */
	uint32_t next_phandle;
	uint32_t gic; /* the new GIC's phandle */
	unsigned nclocks;
	struct clock clocks[MAX_CLOCKS];
	const struct vm_fdt_params *p;
	char *err;
	size_t errlen;
};

static int PRINTF_LIKE(2, 3) error(struct build *b, const char *fmt, ...)
{
	size_t n = (size_t)fmt_snprintf(b->err, b->errlen, "VM device tree: ");
	va_list ap;

	if (n < b->errlen) {
		va_start(ap, fmt);
		fmt_vsnprintf(b->err + n, b->errlen - n, fmt, ap);
		va_end(ap);
	}
	return -1;
}

static unsigned long long ull(uint64_t v)
{
	return (unsigned long long)v;
}

/* ---- parameters ---- */

struct labelled {
	const char *what;
	struct vm_fdt_range r;
};

static bool overlap(const struct vm_fdt_range *a, const struct vm_fdt_range *b)
{
	return range_overlaps(a->base, a->size, b->base, b->size);
}

/* Every range non-empty, not wrapping, and apart from every other. */
static int check_ranges(struct build *b, const struct labelled *l, unsigned n)
{
	for (unsigned i = 0; i < n; i++) {
		if (!l[i].r.size || l[i].r.base + l[i].r.size - 1 < l[i].r.base)
			return error(b, "%s 0x%llx+0x%llx is empty or wraps",
				     l[i].what, ull(l[i].r.base), ull(l[i].r.size));
		for (unsigned k = 0; k < i; k++)
			if (overlap(&l[i].r, &l[k].r))
				return error(b, "%s 0x%llx+0x%llx overlaps %s "
					     "0x%llx+0x%llx", l[i].what,
					     ull(l[i].r.base), ull(l[i].r.size),
					     l[k].what, ull(l[k].r.base),
					     ull(l[k].r.size));
	}
	return 0;
}

static bool initrd_in_memory(const struct vm_fdt_params *p)
{
	for (unsigned i = 0; i < p->mem_count; i++)
		if (p->initrd_start >= p->mem[i].base &&
		    p->initrd_end - p->mem[i].base <= p->mem[i].size)
			return true;
	return false;
}

static bool is_spi(uint32_t intid)
{
	return intid >= 32 && intid <= 1019;
}

/* Each transport's INTID an SPI, used once, and not the vUART's. */
static int check_virtio_intids(struct build *b)
{
	const struct vm_fdt_params *p = b->p;

	for (unsigned i = 0; i < p->virtio_count; i++) {
		uint32_t intid = p->virtio[i].intid;

		if (!is_spi(intid))
			return error(b, "virtio-mmio 0x%llx: INTID %u is not an "
				     "SPI", ull(p->virtio[i].base), intid);
		if (p->uart_base && intid == p->uart_intid)
			return error(b, "virtio-mmio 0x%llx: INTID %u is the "
				     "vUART's", ull(p->virtio[i].base), intid);
		for (unsigned k = 0; k < i; k++)
			if (p->virtio[k].intid == intid)
				return error(b, "virtio-mmio 0x%llx: INTID %u is "
					     "also virtio-mmio 0x%llx's",
					     ull(p->virtio[i].base), intid,
					     ull(p->virtio[k].base));
	}
	return 0;
}

static int check_params(struct build *b)
{
	const struct vm_fdt_params *p = b->p;
	struct labelled l[SCENARIO_MAX_MEM_REGIONS + SCENARIO_MAX_DEVICES +
			  VM_FDT_MAX_VIRTIO + 3];
	unsigned n = 0;

	if (p->vcpu_count < 1 || p->vcpu_count > VM_FDT_MAX_VCPUS)
		return error(b, "%u vCPUs", p->vcpu_count);
	if (p->mem_count < 1 || p->mem_count > SCENARIO_MAX_MEM_REGIONS)
		return error(b, "%u memory regions", p->mem_count);
	if (p->device_count > SCENARIO_MAX_DEVICES)
		return error(b, "%u passthrough devices", p->device_count);
	if (p->virtio_count > VM_FDT_MAX_VIRTIO)
		return error(b, "%u virtio-mmio transports", p->virtio_count);
	if (p->uart_base && !is_spi(p->uart_intid))
		return error(b, "vUART INTID %u is not an SPI", p->uart_intid);
	if (check_virtio_intids(b))
		return -1;
	if ((p->hsm_io_intid || p->hsm_event_intid) &&
	    (!is_spi(p->hsm_io_intid) || !is_spi(p->hsm_event_intid) ||
	     p->hsm_io_intid == p->hsm_event_intid))
		return error(b, "HSM INTIDs %u and %u are not two SPIs",
			     p->hsm_io_intid, p->hsm_event_intid);
	if (p->rng_seed_len > VM_FDT_MAX_RNG_SEED ||
	    (p->rng_seed_len && !p->rng_seed))
		return error(b, "rng-seed of %u bytes", p->rng_seed_len);
	if ((p->initrd_start || p->initrd_end) &&
	    p->initrd_end <= p->initrd_start)
		return error(b, "initrd 0x%llx..0x%llx is empty",
			     ull(p->initrd_start), ull(p->initrd_end));
	if (p->initrd_end && !initrd_in_memory(p))
		return error(b, "initrd 0x%llx..0x%llx is not inside the VM's "
			     "memory", ull(p->initrd_start), ull(p->initrd_end));
	for (unsigned i = 0; i < p->mem_count; i++)
		l[n++] = (struct labelled){"memory", p->mem[i]};
	l[n++] = (struct labelled){"GIC distributor", p->gicd};
	l[n++] = (struct labelled){"GIC redistributors",
		{p->gicr_base, (uint64_t)p->vcpu_count * TESSERA_VGIC_GICR_FRAME_SIZE}};
	if (p->uart_base)
		l[n++] = (struct labelled){"vUART",
					   {p->uart_base, VM_FDT_UART_SIZE}};
	for (unsigned i = 0; i < p->device_count; i++)
		l[n++] = (struct labelled){"passthrough device", p->devices[i]};
	for (unsigned i = 0; i < p->virtio_count; i++)
		l[n++] = (struct labelled){"virtio-mmio",
			{p->virtio[i].base, p->virtio[i].size}};
	return check_ranges(b, l, n);
}

/* ---- reading the platform tree ---- */

static bool is_root_child(const struct build *b, int node)
{
	for (int n = fdt_first_child(&b->pf, b->proot); n >= 0;
	     n = fdt_next_sibling(&b->pf, n))
		if (n == node)
			return true;
	return false;
}

/* A NUL-terminated string list, at least one byte long. */
static const void *string_prop(const struct build *b, int node,
			       const char *name, uint32_t *len)
{
	const char *v = node >= 0 ? fdt_prop(&b->pf, node, name, len) : NULL;

	return v && *len && v[*len - 1] == '\0' ? v : NULL;
}

/* A child of the root, by a string in its "compatible", or -1. */
static int root_child_compatible(const struct build *b, const char *compat)
{
	for (int n = fdt_first_child(&b->pf, b->proot); n >= 0;
	     n = fdt_next_sibling(&b->pf, n))
		if (fdt_prop_has_string(&b->pf, n, "compatible", compat))
			return n;
	return -1;
}

/* A fixed clock directly under the root, with #clock-cells 0. */
static bool copyable_clock(const struct build *b, int node)
{
	return node >= 0 &&
	       fdt_prop_has_string(&b->pf, node, "compatible", "fixed-clock") &&
	       fdt_prop_u32(&b->pf, node, "#clock-cells", 1) == 0 &&
	       is_root_child(b, node);
}

/* Above every phandle of the platform, so that no reference aliases ours. */
static uint32_t first_free_phandle(const struct fdt *f)
{
	uint32_t max = 0;
	int depth = 0;

	for (int n = fdt_root(f); n >= 0; n = fdt_walk_next(f, n, &depth)) {
		uint32_t a = fdt_prop_u32(f, n, "phandle", 0);
		uint32_t c = fdt_prop_u32(f, n, "linux,phandle", 0);

		max = a > max ? a : max;
		max = c > max ? c : max;
	}
	return max < 0xfffffffeu - 1 - MAX_CLOCKS ? max + 1 : 1;
}

static int open_platform(struct build *b, const void *dtb, size_t max)
{
	int gic;

	if (!dtb || fdt_open(&b->pf, dtb, max) < 0)
		return error(b, "no valid platform device tree");
	b->proot = fdt_root(&b->pf);
	b->pac = fdt_prop_u32(&b->pf, b->proot, "#address-cells", 2);
	b->psc = fdt_prop_u32(&b->pf, b->proot, "#size-cells", 1);
	if (b->pac < 1 || b->pac > 2 || b->psc < 1 || b->psc > 2)
		return error(b, "platform root #address-cells %u / #size-cells "
			     "%u", b->pac, b->psc);
	b->pgic = fdt_prop_u32(&b->pf, b->proot, "interrupt-parent", 0);
	gic = fdt_node_by_phandle(&b->pf, b->pgic);
	if (gic >= 0 && fdt_prop_u32(&b->pf, gic, "#interrupt-cells", 3) != 3)
		return error(b, "platform interrupt controller %s does not have "
			     "3 interrupt cells", fdt_node_name(&b->pf, gic));
	b->next_phandle = first_free_phandle(&b->pf);
	b->gic = b->next_phandle++;
	return 0;
}

static bool inside(const struct vm_fdt_range *d, uint64_t a, uint64_t s)
{
	return a >= d->base && s <= d->size && a - d->base <= d->size - s;
}

static int outside_error(struct build *b, const struct vm_fdt_range *d,
			 int n, const char *prop, uint64_t a, uint64_t s)
{
	return error(b, "passthrough device 0x%llx: %s has %s 0x%llx+0x%llx "
		     "outside 0x%llx+0x%llx", ull(d->base),
		     fdt_node_name(&b->pf, n), prop, ull(a), ull(s),
		     ull(d->base), ull(d->size));
}

/*
 * The windows a bus node (a PCI host bridge) forwards must be the VM's too.
 * Only for a bus that states its cells under a 2 + 2 root: other ranges are
 * refused when copied (copy_prop).
 */
static int check_ranges_inside(struct build *b, const struct vm_fdt_range *d,
			       int n)
{
	unsigned cac = fdt_prop_u32(&b->pf, n, "#address-cells", 0);
	unsigned csc = fdt_prop_u32(&b->pf, n, "#size-cells", 1);
	uint32_t len, ent = (cac + b->pac + csc) * 4;
	const uint8_t *r = fdt_prop(&b->pf, n, "ranges", &len);

	if (!r || !len || !cac || b->pac != 2 || b->psc != 2)
		return 0;
	if (cac < 1 || cac > 3 || csc < 1 || csc > 2 || len % ent)
		return error(b, "platform node %s has a malformed ranges",
			     fdt_node_name(&b->pf, n));
	for (uint32_t i = 0; i < len; i += ent) {
		uint64_t a = fdt_cells(r + i + cac * 4, b->pac);
		uint64_t s = fdt_cells(r + i + (cac + b->pac) * 4, csc);

		if (!inside(d, a, s))
			return outside_error(b, d, n, "ranges", a, s);
	}
	return 0;
}

/*
 * Node n's reg: 0 if it has none; -1 (reported) if malformed or, for the
 * node at d->base, not all inside d; else 1 with *at_base and *within.
 */
static int reg_of(struct build *b, const struct vm_fdt_range *d, int n,
		  bool *at_base, bool *within)
{
	uint32_t ent = (b->pac + b->psc) * 4, len;
	const uint8_t *reg = fdt_prop(&b->pf, n, "reg", &len);

	if (!reg || len < ent)
		return 0;
	*at_base = fdt_cells(reg, b->pac) == d->base;
	if (len % ent)
		return *at_base ? error(b, "platform node %s has a malformed reg",
					fdt_node_name(&b->pf, n))
				: 0;
	*within = true;
	for (uint32_t i = 0; i < len; i += ent) {
		uint64_t a = fdt_cells(reg + i, b->pac);
		uint64_t s = fdt_cells(reg + i + b->pac * 4, b->psc);

		if (inside(d, a, s))
			continue;
		if (*at_base)
			return outside_error(b, d, n, "reg", a, s);
		*within = false;
	}
	return 1;
}

/*
 * The child of the root whose first reg address is d->base, or else the
 * first whose reg lies inside d (a PCI host bridge: d spans its windows and
 * its configuration space). All of its reg and of its bus windows must lie
 * inside d, or the VM would see registers it cannot reach.
 */
static int find_device(struct build *b, const struct vm_fdt_range *d,
		       int *out)
{
	int found = -1;

	for (int n = fdt_first_child(&b->pf, b->proot); n >= 0;
	     n = fdt_next_sibling(&b->pf, n)) {
		bool at_base = false, within = false;
		int r = reg_of(b, d, n, &at_base, &within);

		if (r < 0)
			return -1;
		if (r && at_base) {
			found = n;
			break;
		}
		if (r && within && found < 0)
			found = n;
	}
	if (found < 0)
		return error(b, "passthrough device 0x%llx is not in the "
			     "platform device tree", ull(d->base));
	*out = found;
	return check_ranges_inside(b, d, found);
}

/* ---- clocks ---- */

/* The new phandle of the copy of platform clock `node` (-1: made up). */
static int clock_phandle(struct build *b, int node, uint32_t *ph)
{
	for (unsigned i = 0; i < b->nclocks; i++)
		if (b->clocks[i].node == node) {
			*ph = b->clocks[i].phandle;
			return 0;
		}
	if (b->nclocks == MAX_CLOCKS)
		return -1;
	*ph = b->next_phandle++;
	b->clocks[b->nclocks++] = (struct clock){node, *ph};
	return 0;
}

/*
 * The node's "clocks" with each reference moved to a copied fixed clock:
 * the entry count, 0 without the property, -1 if any entry is something
 * else (the caller then drops "clocks" and "clock-names").
 */
static int map_clocks(struct build *b, int node, uint32_t *out)
{
	uint32_t len;
	const uint8_t *v = fdt_prop(&b->pf, node, "clocks", &len);
	unsigned n = len / 4;

	if (!v)
		return 0;
	if (!len || len % 4 || n > MAX_CLOCK_REFS)
		return -1;
	for (unsigned i = 0; i < n; i++)
		if (!copyable_clock(b, fdt_node_by_phandle(
				       &b->pf, (uint32_t)fdt_cells(v + 4 * i, 1))))
			return -1;
	for (unsigned i = 0; i < n; i++)
		if (clock_phandle(b, fdt_node_by_phandle(
				      &b->pf, (uint32_t)fdt_cells(v + 4 * i, 1)),
				  &out[i]))
			return -1;
	return (int)n;
}

/* The platform's apb-pclk for the vUART: /apb-pclk, any fixed clock, or made up. */
static int uart_clock(struct build *b, uint32_t *ph)
{
	int n = fdt_path(&b->pf, "/apb-pclk");

	if (!copyable_clock(b, n))
		n = root_child_compatible(b, "fixed-clock");
	if (!copyable_clock(b, n))
		n = -1;
	return clock_phandle(b, n, ph);
}

/* ---- copying platform nodes ---- */

enum prop_rule {
	P_COPY,
	P_DROP,          /* would dangle */
	P_CLOCKS,        /* remapped or dropped */
	P_CLOCK_NAMES,   /* dropped with "clocks" */
	P_IRQ_PARENT,    /* must be the GIC: rewritten */
	P_IRQ_EXTENDED,  /* every entry must be the GIC: rewritten */
	P_IRQ_MAP,       /* every parent must be the GIC: rewritten */
	P_REG,           /* translated to 2+2 cells at the top level */
	P_RANGES,        /* refused at the top level unless already 2+2 */
};

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	return n >= k && strcmp(s + n - k, suffix) == 0;
}

static enum prop_rule rule_for(const char *name)
{
	/* properties that hold phandles of nodes a VM tree does not have */
	static const char *const dangling[] = {
		"phandle", "linux,phandle", "msi-parent", "msi-map",
		"msi-map-mask", "iommus", "iommu-map", "iommu-map-mask", "dmas",
		"dma-names", "resets", "reset-names", "power-domains",
		"power-domain-names", "phys", "phy-names", "memory-region",
		"memory-region-names", "interconnects", "interconnect-names",
		"mboxes", "mbox-names", "nvmem-cells", "nvmem-cell-names",
		"assigned-clocks", "assigned-clock-parents",
		"assigned-clock-rates", "gpios", "operating-points-v2",
	};
	static const struct {
		const char *name;
		enum prop_rule rule;
	} special[] = {
		{"clocks", P_CLOCKS},
		{"clock-names", P_CLOCK_NAMES},
		{"interrupt-parent", P_IRQ_PARENT},
		{"interrupts-extended", P_IRQ_EXTENDED},
		{"reg", P_REG},
		{"ranges", P_RANGES},
		{"dma-ranges", P_RANGES},
		{"interrupt-map", P_IRQ_MAP},
	};

	for (unsigned i = 0; i < ARRAY_SIZE(special); i++)
		if (strcmp(name, special[i].name) == 0)
			return special[i].rule;
	for (unsigned i = 0; i < ARRAY_SIZE(dangling); i++)
		if (strcmp(name, dangling[i]) == 0)
			return P_DROP;
	if (ends_with(name, "-gpios") || ends_with(name, "-gpio") ||
	    ends_with(name, "-supply") || strncmp(name, "pinctrl-", 8) == 0)
		return P_DROP;
	return P_COPY;
}

/* reg from the platform root's cells to 2 + 2. */
static int copy_reg(struct build *b, const char *node, const uint8_t *v,
		    uint32_t len)
{
	uint32_t ent = (b->pac + b->psc) * 4;

	if (len % ent)
		return error(b, "platform node %s has a malformed reg", node);
	fdtw_prop_begin(&b->w, "reg");
	for (uint32_t i = 0; i < len; i += ent) {
		fdtw_prop_append_u64(&b->w, fdt_cells(v + i, b->pac));
		fdtw_prop_append_u64(&b->w, fdt_cells(v + i + b->pac * 4, b->psc));
	}
	fdtw_prop_end(&b->w);
	return 0;
}

/* interrupts-extended, each <phandle type number flags> moved to the new GIC. */
static int copy_irq_extended(struct build *b, const char *node,
			     const uint8_t *v, uint32_t len)
{
	if (!len)
		return error(b, "%s: malformed interrupts-extended", node);
	for (uint32_t i = 0; i < len; i += 16) {
		if (len - i < 4 || (uint32_t)fdt_cells(v + i, 1) != b->pgic)
			return error(b, "%s: an interrupt goes to another "
				     "controller than the GIC", node);
		if (len - i < 16)
			return error(b, "%s: malformed interrupts-extended",
				     node);
	}
	fdtw_prop_begin(&b->w, "interrupts-extended");
	for (uint32_t i = 0; i < len; i += 16) {
		fdtw_prop_append_u32(&b->w, b->gic);
		fdtw_prop_append(&b->w, v + i + 4, 12);
	}
	fdtw_prop_end(&b->w);
	return 0;
}

/*
 * interrupt-map (a PCI host bridge's INTx routing): entries of <child unit
 * address, child interrupt, parent phandle, parent unit address, parent
 * interrupt>, each parent the GIC. The phandle becomes the new GIC's and
 * the parent unit address its two cells (their value is not used: the GIC
 * has no interrupt-map of its own).
 */
static int copy_irq_map(struct build *b, int pnode, const char *node,
			const uint8_t *v, uint32_t len)
{
	unsigned child = fdt_prop_u32(&b->pf, pnode, "#address-cells", 2) +
			 fdt_prop_u32(&b->pf, pnode, "#interrupt-cells", 1);
	unsigned gac = fdt_prop_u32(&b->pf, fdt_node_by_phandle(&b->pf, b->pgic),
				    "#address-cells", 0);
	uint32_t ent = (child + 1 + gac + 3) * 4;

	if (!b->pgic || child < 1 || child > 8 || gac > 3 || !len)
		return error(b, "%s: malformed interrupt-map", node);
	for (uint32_t i = 0; i < len; i += ent) {
		if (len - i < (child + 1) * 4)
			return error(b, "%s: malformed interrupt-map", node);
		if ((uint32_t)fdt_cells(v + i + child * 4, 1) != b->pgic)
			return error(b, "%s: an interrupt goes to another "
				     "controller than the GIC", node);
		if (len - i < ent)
			return error(b, "%s: malformed interrupt-map", node);
	}
	fdtw_prop_begin(&b->w, "interrupt-map");
	for (uint32_t i = 0; i < len; i += ent) {
		fdtw_prop_append(&b->w, v + i, child * 4);
		fdtw_prop_append_u32(&b->w, b->gic);
		fdtw_prop_append_u64(&b->w, 0);
		fdtw_prop_append(&b->w, v + i + (child + 1 + gac) * 4, 12);
	}
	fdtw_prop_end(&b->w);
	return 0;
}

static int copy_prop(struct build *b, int pnode, const char *node,
		     const char *name, const uint8_t *v, uint32_t len, bool top,
		     int nclk, const uint32_t *clk)
{
	bool root_is_2_2 = b->pac == 2 && b->psc == 2;

	switch (rule_for(name)) {
	case P_DROP:
		return 0;
	case P_CLOCKS:
		if (nclk > 0)
			fdtw_prop_cells(&b->w, name, clk, (unsigned)nclk);
		return 0;
	case P_CLOCK_NAMES:
		if (nclk >= 0)
			fdtw_prop(&b->w, name, v, len);
		return 0;
	case P_IRQ_PARENT:
		if (len != 4 || !b->pgic || (uint32_t)fdt_cells(v, 1) != b->pgic)
			return error(b, "%s: interrupt-parent is not the GIC",
				     node);
		fdtw_prop_u32(&b->w, name, b->gic);
		return 0;
	case P_IRQ_EXTENDED:
		return copy_irq_extended(b, node, v, len);
	case P_IRQ_MAP:
		return copy_irq_map(b, pnode, node, v, len);
	case P_REG:
		if (top && !root_is_2_2)
			return copy_reg(b, node, v, len);
		break;
	case P_RANGES:
		if (top && !root_is_2_2 && len)
			return error(b, "%s: cannot translate %s", node, name);
		break;
	case P_COPY:
		break;
	}
	fdtw_prop(&b->w, name, v, len);
	return 0;
}

static int copy_props(struct build *b, int node, const char *name, bool top)
{
	uint32_t clk[MAX_CLOCK_REFS];
	int nclk = map_clocks(b, node, clk);

	for (int p = fdt_first_prop(&b->pf, node); p >= 0;
	     p = fdt_next_prop(&b->pf, p)) {
		const char *pname;
		uint32_t len;
		const uint8_t *v = fdt_prop_at(&b->pf, p, &pname, &len);

		if (!v || !*pname)
			return error(b, "%s: malformed property", name);
		if (copy_prop(b, node, name, pname, v, len, top, nclk, clk))
			return -1;
	}
	return 0;
}

/*
 * Copy a platform node with its properties and subnodes under the open
 * node of the new tree; phandle (0: none) is the copy's new phandle.
 */
static int copy_node(struct build *b, int node, uint32_t phandle,
		     unsigned depth)
{
	const char *name = fdt_node_name(&b->pf, node);

	if (b->w.err) /* out of room already: fdtw_finish() reports it */
		return 0;
	if (!name || !*name || depth > MAX_COPY_DEPTH)
		return error(b, "platform node %s is nested too deep or has no "
			     "name", name ? name : "?");
	fdtw_begin_node(&b->w, name);
	if (copy_props(b, node, name, depth == 0))
		return -1;
	if (phandle)
		fdtw_prop_u32(&b->w, "phandle", phandle);
	for (int c = fdt_first_child(&b->pf, node); c >= 0;
	     c = fdt_next_sibling(&b->pf, c))
		if (copy_node(b, c, 0, depth + 1))
			return -1;
	fdtw_end_node(&b->w);
	return 0;
}

/* The platform's string-list property, or `fallback`. */
static void copy_strings(struct build *b, int node, const char *name,
			 const char *fallback)
{
	uint32_t len;
	const void *v = string_prop(b, node, name, &len);

	if (v)
		fdtw_prop(&b->w, name, v, len);
	else
		fdtw_prop_string(&b->w, name, fallback);
}

/* ---- the nodes written from the parameters ---- */

static void begin_node_at(struct build *b, const char *prefix, uint64_t addr)
{
	char name[48];

	fmt_snprintf(name, sizeof(name), "%s@%llx", prefix, ull(addr));
	fdtw_begin_node(&b->w, name);
}

static void write_cpus(struct build *b)
{
	struct fdt_writer *w = &b->w;
	int cpus = fdt_path(&b->pf, "/cpus"), first = -1;

	for (int n = fdt_first_child(&b->pf, cpus); n >= 0 && first < 0;
	     n = fdt_next_sibling(&b->pf, n))
		if (fdt_prop_is(&b->pf, n, "device_type", "cpu"))
			first = n;
	fdtw_begin_node(w, "cpus");
	fdtw_prop_u32(w, "#address-cells", 1);
	fdtw_prop_u32(w, "#size-cells", 0);
	for (uint32_t i = 0; i < b->p->vcpu_count; i++) {
		begin_node_at(b, "cpu", i);
		fdtw_prop_string(w, "device_type", "cpu");
		copy_strings(b, first, "compatible", "arm,armv8");
		fdtw_prop_u32(w, "reg", i);
		fdtw_prop_string(w, "enable-method", "psci");
		fdtw_end_node(w);
	}
	fdtw_end_node(w);
}

static void write_psci(struct build *b)
{
	static const char *const compat[] = {"arm,psci-1.0", "arm,psci-0.2"};

	fdtw_begin_node(&b->w, "psci");
	fdtw_prop_strings(&b->w, "compatible", compat, ARRAY_SIZE(compat));
	fdtw_prop_string(&b->w, "method", "hvc");
	fdtw_end_node(&b->w);
}

static void write_memory(struct build *b)
{
	for (unsigned i = 0; i < b->p->mem_count; i++) {
		const struct vm_fdt_range *m = &b->p->mem[i];

		begin_node_at(b, "memory", m->base);
		fdtw_prop_string(&b->w, "device_type", "memory");
		fdtw_prop_u64s(&b->w, "reg", (const uint64_t[]){m->base, m->size},
			       2);
		fdtw_end_node(&b->w);
	}
}

static void write_gic(struct build *b)
{
	const struct vm_fdt_params *p = b->p;
	struct fdt_writer *w = &b->w;
	const uint64_t reg[] = {
		p->gicd.base, p->gicd.size,
		p->gicr_base, (uint64_t)p->vcpu_count * TESSERA_VGIC_GICR_FRAME_SIZE,
	};

	begin_node_at(b, "intc", p->gicd.base);
	fdtw_prop_string(w, "compatible", "arm,gic-v3");
	fdtw_prop_u32(w, "#interrupt-cells", 3);
	fdtw_prop_empty(w, "interrupt-controller");
	/* no children, but dtc wants an interrupt provider to say this */
	fdtw_prop_u32(w, "#address-cells", 2);
	fdtw_prop_u32(w, "#size-cells", 2);
	fdtw_prop_empty(w, "ranges");
	fdtw_prop_u32(w, "#redistributor-regions", 1);
	fdtw_prop_u64s(w, "reg", reg, ARRAY_SIZE(reg));
	fdtw_prop_cells(w, "interrupts",
			(const uint32_t[]){GIC_PPI, GIC_MAINT_PPI,
					   IRQ_LEVEL_HIGH}, 3);
	fdtw_prop_u32(w, "phandle", b->gic);
	fdtw_end_node(w);
}

/* The platform's architected timer, or the SBSA's PPIs if it has none. */
static int write_timer(struct build *b)
{
	static const uint32_t sbsa_ppis[] = {
		GIC_PPI, 13, IRQ_LEVEL_HIGH, GIC_PPI, 14, IRQ_LEVEL_HIGH,
		GIC_PPI, 11, IRQ_LEVEL_HIGH, GIC_PPI, 10, IRQ_LEVEL_HIGH,
	};
	int timer = root_child_compatible(b, "arm,armv8-timer");

	if (timer >= 0)
		return copy_node(b, timer, 0, 0);
	fdtw_begin_node(&b->w, "timer");
	fdtw_prop_string(&b->w, "compatible", "arm,armv8-timer");
	fdtw_prop_cells(&b->w, "interrupts", sbsa_ppis, ARRAY_SIZE(sbsa_ppis));
	fdtw_prop_empty(&b->w, "always-on");
	fdtw_end_node(&b->w);
	return 0;
}

static int write_uart(struct build *b)
{
	static const char *const compat[] = {"arm,pl011", "arm,primecell"};
	static const char *const clock_names[] = {"uartclk", "apb_pclk"};
	const struct vm_fdt_params *p = b->p;
	struct fdt_writer *w = &b->w;
	uint32_t clk;

	if (!p->uart_base)
		return 0;
	if (uart_clock(b, &clk))
		return error(b, "no room for the vUART's clock");
	begin_node_at(b, "pl011", p->uart_base);
	fdtw_prop_strings(w, "compatible", compat, ARRAY_SIZE(compat));
	fdtw_prop_u64s(w, "reg",
		       (const uint64_t[]){p->uart_base, VM_FDT_UART_SIZE}, 2);
	fdtw_prop_cells(w, "interrupts",
			(const uint32_t[]){GIC_SPI, p->uart_intid - 32,
					   IRQ_LEVEL_HIGH}, 3);
	fdtw_prop_strings(w, "clock-names", clock_names,
			  ARRAY_SIZE(clock_names));
	fdtw_prop_cells(w, "clocks", (const uint32_t[]){clk, clk}, 2);
	fdtw_end_node(w);
	return 0;
}

/* The transports a device model emulates: nothing of them is in the platform. */
static void write_virtio(struct build *b)
{
	struct fdt_writer *w = &b->w;

	for (unsigned i = 0; i < b->p->virtio_count; i++) {
		const struct vm_fdt_virtio *v = &b->p->virtio[i];

		begin_node_at(b, "virtio_mmio", v->base);
		fdtw_prop_string(w, "compatible", "virtio,mmio");
		fdtw_prop_u64s(w, "reg", (const uint64_t[]){v->base, v->size}, 2);
		fdtw_prop_cells(w, "interrupts",
				(const uint32_t[]){GIC_SPI, v->intid - 32,
						   IRQ_LEVEL_HIGH}, 3);
		fdtw_prop_empty(w, "dma-coherent");
		fdtw_end_node(w);
	}
}

/* The Service VM's upcall device: the HSM driver binds to it. Edge
 * interrupts: each is a hint to rescan, not a level to keep. */
static void write_hsm(struct build *b)
{
	static const char *const names[] = {"io", "event"};
	const struct vm_fdt_params *p = b->p;
	struct fdt_writer *w = &b->w;

	if (!p->hsm_io_intid)
		return;
	fdtw_begin_node(w, "tessera-hsm");
	fdtw_prop_string(w, "compatible", "tessera,hsm");
	fdtw_prop_cells(w, "interrupts",
			(const uint32_t[]){GIC_SPI, p->hsm_io_intid - 32,
					   IRQ_EDGE_RISING, GIC_SPI,
					   p->hsm_event_intid - 32,
					   IRQ_EDGE_RISING}, 6);
	fdtw_prop_strings(w, "interrupt-names", names, ARRAY_SIZE(names));
	fdtw_end_node(w);
}

/* Every fixed clock referenced so far, under its new phandle. */
static int write_clocks(struct build *b)
{
	for (unsigned i = 0; i < b->nclocks; i++) {
		const struct clock *c = &b->clocks[i];

		if (c->node >= 0) {
			if (copy_node(b, c->node, c->phandle, 0))
				return -1;
			continue;
		}
		fdtw_begin_node(&b->w, "apb-pclk");
		fdtw_prop_string(&b->w, "compatible", "fixed-clock");
		fdtw_prop_u32(&b->w, "#clock-cells", 0);
		fdtw_prop_u32(&b->w, "clock-frequency", APB_PCLK_HZ);
		fdtw_prop_string(&b->w, "clock-output-names", "clk24mhz");
		fdtw_prop_u32(&b->w, "phandle", c->phandle);
		fdtw_end_node(&b->w);
	}
	return 0;
}

static void write_chosen(struct build *b)
{
	const struct vm_fdt_params *p = b->p;
	struct fdt_writer *w = &b->w;
	char path[48];

	fdtw_begin_node(w, "chosen");
	if (p->bootargs)
		fdtw_prop_string(w, "bootargs", p->bootargs);
	if (p->uart_base) {
		fmt_snprintf(path, sizeof(path), "/pl011@%llx",
			     ull(p->uart_base));
		fdtw_prop_string(w, "stdout-path", path);
	}
	if (p->initrd_end) {
		fdtw_prop_u64(w, "linux,initrd-start", p->initrd_start);
		fdtw_prop_u64(w, "linux,initrd-end", p->initrd_end);
	}
	if (p->rng_seed_len)
		fdtw_prop(w, "rng-seed", p->rng_seed, p->rng_seed_len);
	fdtw_end_node(w);
}

static int write_tree(struct build *b, const int *devices)
{
	struct fdt_writer *w = &b->w;

	fdtw_begin_node(w, "");
	copy_strings(b, b->proot, "compatible", FALLBACK_COMPAT);
	copy_strings(b, b->proot, "model", FALLBACK_COMPAT);
	fdtw_prop_u32(w, "#address-cells", 2);
	fdtw_prop_u32(w, "#size-cells", 2);
	fdtw_prop_u32(w, "interrupt-parent", b->gic);
	write_cpus(b);
	write_psci(b);
	write_memory(b);
	write_gic(b);
	if (write_timer(b) || write_uart(b))
		return -1;
	for (unsigned i = 0; i < b->p->device_count; i++)
		if (copy_node(b, devices[i], 0, 0))
			return -1;
	write_virtio(b);
	write_hsm(b);
	if (write_clocks(b))
		return -1;
	write_chosen(b);
	fdtw_end_node(w);
	return 0;
}

int vm_fdt_build(void *out, size_t out_size, const void *platform_dtb,
		 size_t platform_max, const struct vm_fdt_params *p, char *err,
		 size_t errlen)
{
	struct build b = {.p = p, .err = err, .errlen = errlen};
	int devices[SCENARIO_MAX_DEVICES];
	int size;

	if (check_params(&b) || open_platform(&b, platform_dtb, platform_max))
		return -1;
	for (unsigned i = 0; i < p->device_count; i++)
		if (find_device(&b, &p->devices[i], &devices[i]))
			return -1;
	fdtw_init(&b.w, out, out_size);
	if (write_tree(&b, devices))
		return -1;
	size = fdtw_finish(&b.w);
	if (size == -ENOSPC)
		return error(&b, "does not fit in %zu bytes", out_size);
	if (size < 0)
		return error(&b, "writer error %d", size);
	return size;
}
