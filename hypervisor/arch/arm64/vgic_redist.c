/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The emulated redistributors (doc/vgic.rst, "Registers"): per vCPU an
 * RD_base frame (control, identification, power) and an SGI_base frame (the
 * vCPU's SGIs and PPIs, laid out as the distributor's first registers).
 * No LPIs: their registers are RAZ/WI. Frames past the last vCPU, and
 * anything not emulated, read as zero and ignore writes.
 */
#include <gicv3_regs.h>
#include <vgic.h>


static uint64_t typer(const struct vgic *vgic, unsigned vcpu_id)
{
	/* Affinity 0.0.0.vcpu_id, Processor_Number vcpu_id, no PLPIS. */
	return (uint64_t)vcpu_id << 32 | (uint64_t)vcpu_id << 8 |
	       (vcpu_id + 1 == vgic->nr_vcpus ? GICR_TYPER_LAST : 0);
}

static void rd_access(struct vgic *vgic, unsigned vcpu_id, uint64_t offset,
		      unsigned size, bool write, uint64_t *value)
{
	struct vgic_cpu *cpu = vgic->cpu[vcpu_id];
	unsigned shift;
	uint64_t v = 0;

	if (vgic_reg64_part(offset, GICR_TYPER, size, &shift)) {
		if (!write)
			*value = (typer(vgic, vcpu_id) >> shift) &
				 io_size_mask(size);
		return;
	}
	if (offset != GICR_CTLR && offset != GICR_IIDR &&
	    offset != GICR_WAKER && !vgic_id_reg(offset, &v)) {
		/* STATUSR, PROPBASER, PENDBASER, SYNCR, ...: RAZ/WI. */
		if (size < 4) /* no byte registers in RD_base */
			vgic_bad_access(vgic, "GICR", offset, size, write);
		return;
	}
	if (size != 4) {
		vgic_bad_access(vgic, "GICR", offset, size, write);
		return;
	}
	if (offset == GICR_WAKER) {
		spin_lock(&vgic->lock);
		if (write)
			cpu->asleep = *value & GICR_WAKER_PROCESSOR_SLEEP;
		else if (cpu->asleep)
			v = GICR_WAKER_PROCESSOR_SLEEP |
			    GICR_WAKER_CHILDREN_ASLEEP;
		spin_unlock(&vgic->lock);
	} else if (offset == GICR_IIDR) {
		v = VGIC_IIDR;
	}
	if (!write)
		*value = v; /* GICR_CTLR: no LPIs, RWP and UWP always 0 */
}

int vgic_redist_access(void *priv, uint64_t offset, unsigned size, bool write,
		       uint64_t *value)
{
	struct vgic *vgic = priv;
	uint64_t vcpu_id = offset / TESSERA_VGIC_GICR_FRAME_SIZE;

	if (!write)
		*value = 0;
	offset %= TESSERA_VGIC_GICR_FRAME_SIZE;
	if (!size || offset % size) {
		vgic_bad_access(vgic, "GICR", offset, size, write);
		return 0;
	}
	if (vcpu_id >= vgic->nr_vcpus || !vgic->cpu[vcpu_id])
		return 0;
	if (offset < GICR_SGI_BASE)
		rd_access(vgic, (unsigned)vcpu_id, offset, size, write, value);
	else
		/* IGRPMODR0, NSACR and the rest beyond these: RAZ/WI. */
		vgic_irq_regs_access(vgic, (unsigned)vcpu_id,
				     offset - GICR_SGI_BASE, size, write, value,
				     0, VGIC_NR_PRIVATE);
	return 0;
}
