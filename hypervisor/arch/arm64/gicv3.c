/* SPDX-License-Identifier: BSD-3-Clause */
#include <arch_cpu.h>
#include <config.h>
#include <gicv3.h>
#include <gicv3_dist.h>
#include <gicv3_regs.h>
#include <log.h>
#include <mmio.h>
#include <pcpu.h>
#include <scenario.h>
#include <sysreg.h>

#define ICC_SRE_EL2_VALUE 0xfull /* SRE, DFB, DIB, Enable (EL1 may use SRE) */
#define ICC_CTLR_EOIMODE BIT(1)

/* The board's redistributors, from gicv3_init(). */
static uint64_t gicr_base, gicr_size;

static uint64_t mpidr_affinity(uint64_t mpidr)
{
	/* Aff3.Aff2.Aff1.Aff0 packed as in GICR_TYPER[63:32]. */
	return ((mpidr >> 8) & 0xff000000ull) | (mpidr & 0xffffffull);
}

void gicv3_init(const struct board_config *board)
{
	gicr_base = board->gicr_base;
	gicr_size = board->gicr_size;
	gicv3_dist_init(board->gicd_base);
}

static uint64_t find_redistributor(uint64_t mpidr)
{
	uint64_t want = mpidr_affinity(mpidr);

	for (uint64_t rd = gicr_base; rd < gicr_base + gicr_size;
	     rd += GICR_FRAME_SIZE) {
		uint64_t typer = mmio_read64(rd + GICR_TYPER);

		if ((typer >> 32) == want)
			return rd;
		if (typer & GICR_TYPER_LAST)
			break;
	}
	return 0;
}

void gicv3_init_cpu(struct pcpu *p)
{
	uint64_t rd = find_redistributor(p->arch.mpidr);

	if (!rd) {
		log_err("GICv3: no redistributor for MPIDR 0x%llx",
			(unsigned long long)p->arch.mpidr);
		return;
	}
	mmio_write32(rd + GICR_WAKER, mmio_read32(rd + GICR_WAKER) &
					      ~GICR_WAKER_PROCESSOR_SLEEP);
	while (mmio_read32(rd + GICR_WAKER) & GICR_WAKER_CHILDREN_ASLEEP)
		cpu_spin_wait();
	p->arch.gicr = rd;
	mmio_write32(rd + GICR_IGROUPR0, 0xffffffffu);
	for (unsigned i = 0; i < 32; i++)
		mmio_write8(rd + GICR_IPRIORITYR + i, GIC_PRIO_HYP);
	mmio_write32(rd + GICR_ICENABLER0, 0xffffffffu);
	mmio_write32(rd + GICR_ICACTIVER0, 0xffffffffu);
	/* The guests' timers stay enabled: they are handed over as they fire. */
	mmio_write32(rd + GICR_ISENABLER0, BIT(SGI_KICK) | BIT(PPI_MAINTENANCE) |
						   BIT(PPI_HYP_TIMER) |
						   BIT(PPI_VTIMER) | BIT(PPI_PTIMER));

	write_sysreg(S3_4_C12_C9_5, ICC_SRE_EL2_VALUE); /* ICC_SRE_EL2 */
	isb();
	write_sysreg(S3_0_C4_C6_0, 0xff);  /* ICC_PMR_EL1: let all through */
	write_sysreg(S3_0_C12_C12_3, 0);   /* ICC_BPR1_EL1 */
	write_sysreg(S3_0_C12_C12_4, ICC_CTLR_EOIMODE); /* ICC_CTLR_EL1 */
	write_sysreg(S3_0_C12_C12_7, 1);   /* ICC_IGRPEN1_EL1 */
	isb();
}

void gicv3_send_sgi(uint64_t target_mpidr, unsigned intid)
{
	uint64_t aff0 = target_mpidr & 0xff;
	uint64_t v = ((target_mpidr >> 32) & 0xff) << 48 | /* Aff3 */
		     ((target_mpidr >> 16) & 0xff) << 32 | /* Aff2 */
		     (aff0 >> 4) << 44 |                   /* RS */
		     (uint64_t)(intid & 0xf) << 24 |
		     ((target_mpidr >> 8) & 0xff) << 16 |  /* Aff1 */
		     BIT(aff0 & 0xf);

	dsb(ishst);
	write_sysreg(S3_0_C12_C11_5, v); /* ICC_SGI1R_EL1 */
	isb();
}

unsigned gicv3_ack(void)
{
	return (unsigned)(read_sysreg(S3_0_C12_C12_0) & 0xffffff); /* IAR1 */
}

void gicv3_priority_drop(unsigned intid)
{
	write_sysreg(S3_0_C12_C12_1, intid); /* ICC_EOIR1_EL1 */
	isb();
}

void gicv3_deactivate(unsigned intid)
{
	write_sysreg(S3_0_C12_C11_1, intid); /* ICC_DIR_EL1 */
	isb();
}

void gicv3_ppi_deactivate(const struct pcpu *p, unsigned intid)
{
	if (p->arch.gicr && intid < 32)
		mmio_write32(p->arch.gicr + GICR_ICACTIVER0, BIT(intid));
}

bool gicv3_ppi_active(const struct pcpu *p, unsigned intid)
{
	return p->arch.gicr && intid < 32 &&
	       (mmio_read32(p->arch.gicr + GICR_ISACTIVER0) & BIT(intid));
}

void gicv3_ppi_activate(const struct pcpu *p, unsigned intid)
{
	if (p->arch.gicr && intid < 32)
		mmio_write32(p->arch.gicr + GICR_ISACTIVER0, BIT(intid));
}
