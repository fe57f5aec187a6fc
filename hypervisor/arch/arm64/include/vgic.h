/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Virtual GICv3 of one VM (doc/vgic.rst): interrupt state, list-register
 * selection, and the emulated distributor and redistributors. Affinity
 * routing only (ARE = 1), one security state (DS = 1), every interrupt in
 * Group 1; no LPIs, no ITS.
 *
 * Pure C: no system register, no assembly. The arch glue moves list
 * registers between this module and ICH_LR<n>_EL2 (vgic_sync_lrs on every
 * guest exit, vgic_flush_lrs before every entry) and implements the
 * vgic_arch_* hooks below. State of a VM is protected by one spinlock, so
 * every function may be called from any pCPU unless its comment says
 * otherwise.
 *
 * Files: vgic_state.c (state, injection, list registers), vgic_dist.c
 * (GICD frame, and the per-INTID registers the GICR SGI frame shares),
 * vgic_redist.c (GICR frames).
 */
#ifndef TESSERA_ARM64_VGIC_H
#define TESSERA_ARM64_VGIC_H

#include <config.h>
#include <io_emul.h>
#include <lib/spinlock.h>
#include <log.h>
#include <types.h>
#include <uapi/tessera_hypercall.h>

#define VGIC_NR_PRIVATE 32 /* SGIs 0-15, PPIs 16-31: per vCPU */
#define VGIC_NR_SPIS 96    /* SPIs 32-127: per VM (QEMU virt uses up to 79) */
#define VGIC_NR_IRQS (VGIC_NR_PRIVATE + VGIC_NR_SPIS)
#define VGIC_NR_SGIS 16
#define VGIC_MAX_LRS 16    /* ICH_VTR_EL2.ListRegs allows at most 16 */
#define VGIC_NO_VCPU 0xffu

_Static_assert(VGIC_NR_SPIS % 32 == 0, "SPIs come in GICD_TYPER lines of 32");
_Static_assert(CONFIG_MAX_VCPUS_PER_VM <= 32, "kick masks are 32 bits");

/* MMIO regions: register these with io_register(), priv = the struct vgic. */
#define VGIC_GICR_SIZE(nr_vcpus) ((uint64_t)(nr_vcpus) * TESSERA_VGIC_GICR_FRAME_SIZE)

/* ICH_LR<n>_EL2 */
#define VGIC_LR_VINTID_MASK 0xffffffffull
#define VGIC_LR_PINTID_SHIFT 32
#define VGIC_LR_PINTID_MASK (0x1fffull << VGIC_LR_PINTID_SHIFT)
#define VGIC_LR_EOI BIT(41) /* HW = 0: maintenance interrupt on deactivation */
#define VGIC_LR_PRIO_SHIFT 48
#define VGIC_LR_PRIO_MASK (0xffull << VGIC_LR_PRIO_SHIFT)
#define VGIC_LR_GROUP1 BIT(60)
#define VGIC_LR_HW BIT(61)
#define VGIC_LR_STATE_SHIFT 62
#define VGIC_LR_PENDING BIT(62)
#define VGIC_LR_ACTIVE BIT(63)
#define VGIC_LR_STATE_MASK (VGIC_LR_PENDING | VGIC_LR_ACTIVE)

/* State of one interrupt. Private to the module: use the functions below. */
struct vgic_irq {
	uint16_t intid;
	uint16_t pintid;  /* physical INTID when hw */
	uint8_t priority; /* lower value = higher priority */
	uint8_t target;   /* vCPU it is delivered to, or VGIC_NO_VCPU */
	uint8_t lr_vcpu;  /* vCPU whose list register holds it, or VGIC_NO_VCPU */
	uint8_t lr;       /* which list register of lr_vcpu */
	bool enabled;
	bool level;     /* level-sensitive (GICD_ICFGR), else edge-triggered */
	bool line;      /* input line of a level source (vgic_set_level) */
	bool latch;     /* pending, not yet handed to a list register */
	bool lr_latch;  /* latched pending handed to the list register, not
			   yet acknowledged by the guest */
	bool active;
	bool hw;        /* backed by physical interrupt pintid */
	bool hw_active; /* physical acknowledged at EL2, its activation not yet
			   handed to a list register (implies latch) */
};

/* What the module last wrote into one list register of a vCPU. */
struct vgic_lr {
	uint16_t intid; /* VGIC_LR_FREE if unused */
	uint8_t state;  /* VGIC_LR state bits >> VGIC_LR_STATE_SHIFT */
	bool hw;        /* HW = 1: the guest's deactivation ends the physical */
};
#define VGIC_LR_FREE 0xffffu

/* Per vCPU: embed in struct arch_vcpu, attach with vgic_cpu_init(). */
struct vgic_cpu {
	struct vgic_irq irqs[VGIC_NR_PRIVATE];
	struct vgic_lr lr[VGIC_MAX_LRS];
	bool asleep; /* GICR_WAKER.ProcessorSleep */
	/*
	 * What the exit/entry path needs to skip all work when nothing
	 * changed. Written under the vGIC lock; lr_used only by this vCPU's
	 * own sync/flush and resets, so its pCPU reads both without the lock.
	 */
	uint32_t lr_used;    /* list registers holding an interrupt */
	bool flush_needed;   /* state changed since the last flush (atomic) */
	bool overflow;       /* a deliverable interrupt did not fit */
	bool want_all;       /* candidates unknown: scan every INTID */
	/* Candidates for a list register of this vCPU: a superset of the
	 * INTIDs that want one (bit n: INTID n, private then SPIs). */
	uint64_t want[VGIC_NR_IRQS / 64];
};

/* Per VM: embed in struct arch_vm. */
struct vgic {
	spinlock_t lock;
	unsigned nr_vcpus;
	bool enabled; /* GICD_CTLR.EnableGrp1 */
	struct vgic_cpu *cpu[CONFIG_MAX_VCPUS_PER_VM];
	struct vgic_irq spis[VGIC_NR_SPIS];
	uint64_t irouter[VGIC_NR_SPIS];
	const char *name;                   /* the VM's, for the log */
	struct log_ratelimit bad_access_rl; /* guest accesses not emulated */
	struct log_ratelimit lr_rl;         /* list registers out of step */
};

/* ---- set-up and reset (vgic_state.c) ---- */

/* Empty, reset-state vGIC for nr_vcpus (1..CONFIG_MAX_VCPUS_PER_VM) vCPUs,
 * no HW mappings, of the VM `name` (kept, for the log). 0 or -EINVAL.
 * Before any other call. */
int vgic_init(struct vgic *vgic, unsigned nr_vcpus, const char *name);
/* The VM's run ended: log what the rate limits suppressed (log.h). */
void vgic_log_summaries(struct vgic *vgic);

/* Attach vCPU vcpu_id's state (struct arch_vcpu) and reset it. Every vCPU
 * below nr_vcpus must be attached before the VM runs. 0 or -EINVAL. */
int vgic_cpu_init(struct vgic *vgic, unsigned vcpu_id, struct vgic_cpu *cpu);

/*
 * vCPU reset (PSCI CPU_ON of an off vCPU, VM reset): its SGIs and PPIs back
 * to reset state (disabled, inactive, not pending, priority 0, SGIs edge,
 * PPIs level), its list-register bookkeeping emptied, its redistributor
 * asleep. SPIs that were in its list registers go back to the distributor:
 * still pending if the vCPU had not acknowledged them, else inactive. HW
 * mappings and input line levels are kept; physical interrupts the reset
 * orphans are handed to vgic_arch_hw_deactivate(). Only while the vCPU is not
 * in the guest; the next vgic_flush_lrs() rewrites all its list registers.
 */
void vgic_vcpu_reset(struct vgic *vgic, unsigned vcpu_id);

/* Whole-VM reset (SYSTEM_RESET), while no vCPU of the VM is in the guest:
 * every vCPU as vgic_vcpu_reset(), every SPI back to reset state (mirrored to
 * the physical GIC for HW SPIs), the distributor disabled. */
void vgic_reset(struct vgic *vgic);

/*
 * Back vintid (a PPI of vcpu_id, or an SPI: vcpu_id ignored) by physical
 * pintid of the same kind. Its deliveries then use HW list registers, and
 * for SPIs the guest's enable, trigger mode and routing are mirrored through
 * the vgic_arch_hw_* hooks (called at once with the current state).
 * 0, -EINVAL (bad ids, SGI), -EBUSY (already mapped to another pintid).
 */
int vgic_map_hw(struct vgic *vgic, unsigned vcpu_id, unsigned vintid,
		unsigned pintid);

/* ---- injection, from any pCPU (vgic_state.c) ----
 * vcpu_id selects the vCPU for SGIs/PPIs and is ignored for SPIs (their
 * route decides). Each returns 0 or -EINVAL (bad vCPU or INTID), and calls
 * vgic_arch_kick() for every vCPU that has something new to look at. */

/* Make intid pending (edge event, or a one-shot for any interrupt). */
int vgic_inject_edge(struct vgic *vgic, unsigned vcpu_id, unsigned intid);

/* Input line of a level source; a rising line on an edge-configured
 * interrupt is an edge. -EINVAL for HW-mapped interrupts. */
int vgic_set_level(struct vgic *vgic, unsigned vcpu_id, unsigned intid,
		   bool level);

/* The physical interrupt behind HW-mapped intid fired and EL2 acknowledged
 * and priority-dropped it (EOImode 1): it stays active until the guest
 * deactivates it through a HW list register. -EINVAL if not HW-mapped. */
int vgic_inject_hw(struct vgic *vgic, unsigned vcpu_id, unsigned intid);

/* A guest write of `sgi1r` (ICC_SGI1R_EL1 format) by vCPU `sender`.
 * vCPU i has affinity 0.0.0.i; targets beyond nr_vcpus are ignored. */
int vgic_inject_sgi(struct vgic *vgic, unsigned sender, uint64_t sgi1r);

/* ---- list registers, on the vCPU's own pCPU (vgic_state.c) ---- */

/*
 * After a guest exit: fold lrs[0..nr_lrs) (ICH_LR<n>_EL2 as the guest left
 * them) into the state: acknowledgements and deactivations; list registers
 * the guest completed become free. Only the entries in vgic_lrs_used() are
 * read. Must see every exit with a list register in use before the next
 * vgic_flush_lrs(). Returns the list registers that became free (write 0
 * to them: a completed one may hold a maintenance condition).
 */
uint32_t vgic_sync_lrs(struct vgic *vgic, unsigned vcpu_id,
		       const uint64_t *lrs, unsigned nr_lrs);

/*
 * Before a guest entry: rewrite lrs[0..nr_lrs), which hold what
 * ICH_LR<n>_EL2 hold; *written gets the list registers whose value changed
 * (write those back). Interrupts already there are updated (new pending
 * state, disabled, retargeted, cleared); free list registers get the
 * highest-priority deliverable interrupts (ties: lower INTID first); a
 * pending-only one of lower priority is evicted for a higher one. Returns
 * true if a deliverable interrupt did not fit: set ICH_HCR_EL2.UIE so the
 * guest exits when its list registers drain (else clear it).
 */
bool vgic_flush_lrs(struct vgic *vgic, unsigned vcpu_id, uint64_t *lrs,
		    unsigned nr_lrs, uint32_t *written);

/* Whether vcpu_id has an enabled pending interrupt (ends a WFI). */
bool vgic_vcpu_has_pending(struct vgic *vgic, unsigned vcpu_id);

/* The lean path, on the vCPU's own pCPU, without the lock: the list
 * registers in use (bit per LR), and whether the next entry must flush
 * (something changed, or an interrupt is waiting for a free LR). When
 * neither holds, the list registers are right as they are. cpu is the
 * vCPU's struct vgic_cpu (attached with vgic_cpu_init). */
static inline uint32_t vgic_lrs_used(const struct vgic_cpu *cpu)
{
	return cpu->lr_used;
}

static inline bool vgic_needs_flush(const struct vgic_cpu *cpu)
{
	return __atomic_load_n(&cpu->flush_needed, __ATOMIC_ACQUIRE) ||
	       cpu->overflow;
}

/* ---- MMIO handlers (io_handler_fn), priv = struct vgic ---- */

/* The 64 KiB GICD frame. Always 0: what is not emulated is RAZ/WI. */
int vgic_dist_access(void *vgic, uint64_t offset, unsigned size, bool write,
		     uint64_t *value);
/* The redistributors: VGIC_GICR_SIZE(nr_vcpus) bytes, vCPU i's RD_base at
 * i * TESSERA_VGIC_GICR_FRAME_SIZE. Always 0; frames past the last vCPU are RAZ/WI. */
int vgic_redist_access(void *vgic, uint64_t offset, unsigned size, bool write,
		       uint64_t *value);

/* ---- hooks implemented by the arch glue (faked by the unit test) ---- */

/*
 * vcpu_id has new interrupt state to look at: make it leave the guest (or
 * wake it) so that it runs vgic_flush_lrs(). Called without the vGIC lock,
 * possibly on vcpu_id's own pCPU (then nothing needs doing: the flush before
 * the next entry sees the change).
 */
void vgic_arch_kick(struct vgic *vgic, unsigned vcpu_id);

/* Mirror a HW-mapped SPI's enable, trigger mode and route to the physical
 * distributor. Called with the vGIC lock held: must not call the vGIC.
 * hw_route is not called while the SPI routes to no vCPU. */
void vgic_arch_hw_enable(unsigned pintid, bool enable);
void vgic_arch_hw_config(unsigned pintid, bool level);
void vgic_arch_hw_route(struct vgic *vgic, unsigned pintid, unsigned vcpu_id);

/* Deactivate physical pintid, whose virtual interrupt went away without the
 * guest deactivating it (ICPENDR, ICACTIVER, reset). For a PPI, vcpu_id owns
 * it (use its pCPU's redistributor); for an SPI it is informational. Called
 * with the vGIC lock held, from any pCPU: must not call the vGIC. */
void vgic_arch_hw_deactivate(struct vgic *vgic, unsigned vcpu_id,
			     unsigned pintid);

/* The input line of physical pintid, level-sensitive, routed to vcpu_id
 * (its timer for a PPI): true with *level set if it can be read from this
 * pCPU now, false if not (a PPI of a vCPU running elsewhere). Called with
 * the vGIC lock held: must not call the vGIC. */
bool vgic_arch_hw_line(struct vgic *vgic, unsigned vcpu_id, unsigned pintid,
		       bool *level);

/* ---- internal: shared by vgic_state.c, vgic_dist.c, vgic_redist.c ---- */

/* Per-INTID register files, laid out alike in GICD and the GICR SGI frame. */
enum vgic_reg {
	VGIC_REG_GROUP,
	VGIC_REG_ENABLE_SET,
	VGIC_REG_ENABLE_CLEAR,
	VGIC_REG_PEND_SET,
	VGIC_REG_PEND_CLEAR,
	VGIC_REG_ACTIVE_SET,
	VGIC_REG_ACTIVE_CLEAR,
	VGIC_REG_PRIORITY, /* 8 bits per INTID */
	VGIC_REG_CONFIG,   /* 2 bits per INTID */
};

static inline unsigned vgic_reg_bits(enum vgic_reg reg)
{
	return reg == VGIC_REG_PRIORITY ? 8 : reg == VGIC_REG_CONFIG ? 2 : 1;
}

/* Read or write `count` consecutive INTIDs from `intid` of register file
 * `reg`, packed vgic_reg_bits() apiece into *value. Missing INTIDs RAZ/WI. */
void vgic_reg_access(struct vgic *vgic, unsigned vcpu_id, enum vgic_reg reg,
		     unsigned intid, unsigned count, bool write,
		     uint64_t *value);

/* GICD_CTLR.EnableGrp1. */
void vgic_set_enabled(struct vgic *vgic, bool enabled);
/* GICD_IROUTER<intid> (an SPI): read, or update the bits in mask. */
uint64_t vgic_irouter_read(struct vgic *vgic, unsigned intid);
void vgic_irouter_write(struct vgic *vgic, unsigned intid, uint64_t value,
			uint64_t mask);

/* The per-INTID registers at `offset` of a GICD or GICR SGI frame, for the
 * INTIDs [lo, hi) that frame owns. false if offset is not one of them. */
bool vgic_irq_regs_access(struct vgic *vgic, unsigned vcpu_id,
			  uint64_t offset, unsigned size, bool write,
			  uint64_t *value, unsigned lo, unsigned hi);
/* The part of a 64-bit register at reg that a 4- or 8-byte access at
 * offset touches: its bit shift. false if the access is not one of those. */
bool vgic_reg64_part(uint64_t offset, uint64_t reg, unsigned size,
		     unsigned *shift);
/* PIDR0-7/CIDR0-3 (offsets 0xffd0-0xfffc), the same in GICD and GICR. */
bool vgic_id_reg(uint64_t offset, uint64_t *value);
/* GICD/GICR_IIDR */
#define VGIC_IIDR 0x5400043bu /* ProductID 'T', Arm's JEP106 code 0x43b */
/* Log an access the spec does not allow (wrong size, misaligned). */
void vgic_bad_access(struct vgic *vgic, const char *frame, uint64_t offset,
		     unsigned size, bool write);

#endif
