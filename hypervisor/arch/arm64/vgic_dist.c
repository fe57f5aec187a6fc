/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The emulated GICD frame (doc/vgic.rst, "Registers"), and the helpers the
 * redistributor shares with it: the per-INTID register files, which sit at
 * the same offsets in GICD and in the GICR SGI frame, the ID registers, and
 * 64-bit registers accessed whole or by halves.
 *
 * Accesses the spec allows go to the state module; everything else in the
 * frame reads as zero and ignores writes (reserved, Group 0, security,
 * legacy and extended-range registers). Wrong sizes and misaligned accesses
 * are RAZ/WI too, with a rate-limited log line.
 */
#include <gicv3_regs.h>
#include <vgic.h>

#define GICD_ITARGETSR_END 0x0c00
#define GICD_CPENDSGIR 0x0f10
#define GICD_SGIR_END 0x0f30 /* after SPENDSGIR<n> */
#define GICD_IROUTER_END 0x8000

/* ITLinesNumber, IDbits = 9 (INTIDs < 1024), RSS: no LPIs, MBIS, security
 * extension, Aff3 (A3V) or extended SPIs. 1-of-N (No1N = 0) routes to vCPU 0. */
#define GICD_TYPER_VALUE                                                       \
	((VGIC_NR_IRQS / 32 - 1) | (9u << 19) | BIT(26))

/* The per-INTID register files and the bytes they span in both frames. */
static const struct {
	uint16_t base, len;
	enum vgic_reg reg;
} irq_regs[] = {
	{0x0080, 0x80, VGIC_REG_GROUP},
	{0x0100, 0x80, VGIC_REG_ENABLE_SET},
	{0x0180, 0x80, VGIC_REG_ENABLE_CLEAR},
	{0x0200, 0x80, VGIC_REG_PEND_SET},
	{0x0280, 0x80, VGIC_REG_PEND_CLEAR},
	{0x0300, 0x80, VGIC_REG_ACTIVE_SET},
	{0x0380, 0x80, VGIC_REG_ACTIVE_CLEAR},
	{0x0400, 0x400, VGIC_REG_PRIORITY},
	{0x0c00, 0x100, VGIC_REG_CONFIG},
};

void vgic_bad_access(struct vgic *vgic, const char *frame, uint64_t offset,
		     unsigned size, bool write)
{
	if (log_ratelimit_allow(&vgic->bad_access_rl))
		log_warn("vm %s: vGIC: unsupported %u-byte %s of %s+0x%llx "
			 "(RAZ/WI)", vgic->name, size, write ? "write" : "read",
			 frame,
			 (unsigned long long)offset);
}

bool vgic_irq_regs_access(struct vgic *vgic, unsigned vcpu_id,
			  uint64_t offset, unsigned size, bool write,
			  uint64_t *value, unsigned lo, unsigned hi)
{
	for (unsigned r = 0; r < ARRAY_SIZE(irq_regs); r++) {
		unsigned bits = vgic_reg_bits(irq_regs[r].reg), intid, count;

		if (offset < irq_regs[r].base ||
		    offset >= (uint64_t)irq_regs[r].base + irq_regs[r].len)
			continue;
		/* Word access; priorities byte-accessible too. */
		if (size != 4 && !(size == 1 && bits == 8)) {
			/* Only the SGI frame owns INTID 0. */
			vgic_bad_access(vgic, lo ? "GICD" : "GICR_SGI_BASE", offset,
					size, write);
			return true;
		}
		intid = (unsigned)(offset - irq_regs[r].base) * 8 / bits;
		count = size * 8 / bits;
		if (intid >= lo && intid + count <= hi)
			vgic_reg_access(vgic, vcpu_id, irq_regs[r].reg, intid,
					count, write, value);
		return true;
	}
	return false;
}

bool vgic_reg64_part(uint64_t offset, uint64_t reg, unsigned size,
		     unsigned *shift)
{
	if (size == 8 && offset == reg)
		*shift = 0;
	else if (size == 4 && (offset == reg || offset == reg + 4))
		*shift = (unsigned)(offset - reg) * 8;
	else
		return false;
	return true;
}

bool vgic_id_reg(uint64_t offset, uint64_t *value)
{
	/* PIDR4-7, PIDR0-3, CIDR0-3: part number 0x054, Arm (JEP106 0x3b,
	 * continuation 4), architecture revision 3 (GICv3), 64 KiB frame. */
	static const uint8_t ids[12] = {
		0x44, 0x00, 0x00, 0x00, 0x54, 0xb0, 0x3b, 0x00,
		0x0d, 0xf0, 0x05, 0xb1,
	};

	if (offset < 0xffd0 || offset > 0xfffc || offset % 4)
		return false;
	*value = ids[(offset - 0xffd0) / 4];
	return true;
}

static void irouter_access(struct vgic *vgic, uint64_t offset, unsigned size,
			   bool write, uint64_t *value)
{
	unsigned intid = (unsigned)(offset - GICD_IROUTER) / 8, shift;
	uint64_t mask;

	if (!vgic_reg64_part(offset, GICD_IROUTER + intid * 8ull, size, &shift)) {
		vgic_bad_access(vgic, "GICD", offset, size, write);
		return;
	}
	mask = io_size_mask(size) << shift;
	if (write)
		vgic_irouter_write(vgic, intid, *value << shift, mask);
	else
		*value = (vgic_irouter_read(vgic, intid) & mask) >> shift;
}

int vgic_dist_access(void *priv, uint64_t offset, unsigned size, bool write,
		     uint64_t *value)
{
	struct vgic *vgic = priv;
	uint64_t v = 0;

	if (!write)
		*value = 0;
	if (offset >= TESSERA_VGIC_GICD_SIZE || !size || offset % size) {
		vgic_bad_access(vgic, "GICD", offset, size, write);
		return 0;
	}
	/* The per-INTID registers start at 0x80; the control registers
	 * (CTLR, TYPER, IIDR) are below and read far more often. */
	if (offset >= GICD_IGROUPR &&
	    vgic_irq_regs_access(vgic, 0, offset, size, write, value,
				 VGIC_NR_PRIVATE, VGIC_NR_IRQS))
		return 0;
	if (offset >= GICD_IROUTER && offset < GICD_IROUTER_END) {
		irouter_access(vgic, offset, size, write, value);
		return 0;
	}
	if (offset != GICD_CTLR && offset != GICD_TYPER && offset != GICD_IIDR &&
	    !vgic_id_reg(offset, &v)) {
		/* TYPER2, STATUSR, ITARGETSR, IGRPMODR, NSACR, SGIR, ...:
		 * RAZ/WI under ARE = 1 and DS = 1. Bytes only where the spec
		 * has byte registers (ITARGETSR, CPENDSGIR, SPENDSGIR). */
		if (size < 4 && !(offset >= GICD_ITARGETSR &&
				  offset < GICD_ITARGETSR_END) &&
		    !(offset >= GICD_CPENDSGIR && offset < GICD_SGIR_END))
			vgic_bad_access(vgic, "GICD", offset, size, write);
		return 0;
	}
	if (size != 4) {
		vgic_bad_access(vgic, "GICD", offset, size, write);
		return 0;
	}
	if (offset == GICD_CTLR && write)
		vgic_set_enabled(vgic, *value & GICD_CTLR_ENABLE_G1);
	else if (offset == GICD_CTLR)
		v = GICD_CTLR_ARE | GICD_CTLR_DS |
		    (__atomic_load_n(&vgic->enabled, __ATOMIC_RELAXED) ?
			     GICD_CTLR_ENABLE_G1 : 0);
	else if (offset == GICD_TYPER)
		v = GICD_TYPER_VALUE;
	else if (offset == GICD_IIDR)
		v = VGIC_IIDR;
	if (!write)
		*value = v;
	return 0;
}
