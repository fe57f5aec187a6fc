/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The physical distributor. Guests reach these functions through their
 * vGIC (enable, trigger mode, route of a passthrough SPI) under their own
 * VM's lock only, so two VMs whose SPIs share a register word run them at
 * the same time. Which registers need what:
 *
 *   ISENABLER, ICENABLER, ICACTIVER   write-1-to-set/clear: a write changes
 *                                      only the bits it sets, nothing to lose
 *   IPRIORITYR                         byte access: one SPI per byte
 *   IROUTER                            one 64-bit register per SPI
 *   IGROUPR (1 bit per SPI)            read-modify-write under dist_lock
 *   ICFGR (2 bits per SPI)             read-modify-write under dist_lock
 *
 * Without the lock, a VM's read-modify-write racing another's writes back
 * the other's old bit: a lost IGROUPR bit leaves that SPI in Group 0, never
 * delivered; a lost ICFGR bit leaves it with the wrong trigger mode.
 */
#include <arch_cpu.h>
#include <gicv3.h>
#include <gicv3_dist.h>
#include <gicv3_regs.h>
#include <lib/spinlock.h>
#include <mmio.h>

static uint64_t gicd_base;
/* Serialises every read-modify-write of a distributor register. */
static spinlock_t dist_lock = SPINLOCK_INIT;

static bool is_spi(unsigned intid)
{
	return intid >= 32 && intid < INTID_SPURIOUS;
}

/* The register of a 1-bit-per-INTID array holding intid, and its bit. */
static uint64_t bit_reg(unsigned array, unsigned intid)
{
	return gicd_base + array + intid / 32 * 4;
}

static uint32_t bit_of(unsigned intid)
{
	return (uint32_t)BIT(intid % 32);
}

static void update32_locked(uint64_t reg, uint32_t clear, uint32_t set)
{
	spin_lock(&dist_lock);
	mmio_write32(reg, (mmio_read32(reg) & ~clear) | set);
	spin_unlock(&dist_lock);
}

void gicv3_dist_init(uint64_t base)
{
	gicd_base = base;
	mmio_write32(gicd_base + GICD_CTLR, GICD_CTLR_ARE);
	while (mmio_read32(gicd_base + GICD_CTLR) & GICD_CTLR_RWP)
		cpu_spin_wait();
	mmio_write32(gicd_base + GICD_CTLR, GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
}

void gicv3_spi_enable(unsigned intid, bool enable)
{
	if (!is_spi(intid))
		return;
	if (enable) {
		update32_locked(bit_reg(GICD_IGROUPR, intid), 0, bit_of(intid));
		mmio_write8(gicd_base + GICD_IPRIORITYR + intid, GIC_PRIO_HYP);
	}
	mmio_write32(bit_reg(enable ? GICD_ISENABLER : GICD_ICENABLER, intid),
		     bit_of(intid));
}

void gicv3_spi_route(unsigned intid, uint64_t mpidr)
{
	if (is_spi(intid))
		mmio_write64(gicd_base + GICD_IROUTER + intid * 8,
			     mpidr & 0xff00ffffffull);
}

void gicv3_spi_set_level_triggered(unsigned intid, bool level)
{
	/* Two bits per INTID; bit 1 of the field: 1 edge, 0 level. */
	uint64_t reg = gicd_base + GICD_ICFGR + intid / 16 * 4;
	uint32_t edge = (uint32_t)BIT(intid % 16 * 2 + 1);

	if (is_spi(intid))
		update32_locked(reg, level ? edge : 0, level ? 0 : edge);
}

void gicv3_spi_deactivate(unsigned intid)
{
	if (is_spi(intid))
		mmio_write32(bit_reg(GICD_ICACTIVER, intid), bit_of(intid));
}

bool gicv3_spi_pending(unsigned intid)
{
	return is_spi(intid) &&
	       (mmio_read32(bit_reg(GICD_ISPENDR, intid)) & bit_of(intid));
}
