/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * vGIC interrupt state: injection, the per-INTID registers, and the choice
 * of what goes into the list registers (doc/vgic.rst, "State model").
 *
 * Pending state lives in three places: `latch` (software, not yet in a list
 * register), `lr_latch` (handed to a list register, not yet acknowledged) and
 * the input line of level sources. A list register's pending bit is always
 * recomputed from them by lr_update(), with the guest stopped; its active bit
 * comes from `active`. vgic_sync_lrs() folds what the guest did in between
 * (acknowledge, deactivate) back by comparing with what was written.
 *
 * Every state change goes through note_change(), which works out which vCPU
 * must look (kick mask); kicks are sent after the lock is dropped.
 */
#include <errno.h>
#include <lib/string.h>
#include <vgic.h>

#define LR_P ((uint8_t)(VGIC_LR_PENDING >> VGIC_LR_STATE_SHIFT))
#define LR_A ((uint8_t)(VGIC_LR_ACTIVE >> VGIC_LR_STATE_SHIFT))

/* IROUTER: Aff0-2 and IRM (Aff3 is RES0: GICD_TYPER.A3V = 0). */
#define IROUTER_AFF0 0xffull
#define IROUTER_AFF12 0xffff00ull
#define IROUTER_IRM BIT(31)
#define IROUTER_MASK (IROUTER_AFF0 | IROUTER_AFF12 | IROUTER_IRM)

/* ICC_SGI1R_EL1 */
#define SGI1R_TARGETS(v) ((v) & 0xffffu)
#define SGI1R_AFF1(v) (((v) >> 16) & 0xff)
#define SGI1R_INTID(v) (((v) >> 24) & 0xf)
#define SGI1R_AFF2(v) (((v) >> 32) & 0xff)
#define SGI1R_IRM BIT(40)
#define SGI1R_RS(v) (((v) >> 44) & 0xf)
#define SGI1R_AFF3(v) (((v) >> 48) & 0xff)

static struct vgic_cpu *cpu_of(struct vgic *vgic, unsigned vcpu_id)
{
	return vcpu_id < vgic->nr_vcpus ? vgic->cpu[vcpu_id] : NULL;
}

static struct vgic_irq *irq_of(struct vgic *vgic, unsigned vcpu_id,
			       unsigned intid)
{
	struct vgic_cpu *cpu;

	if (intid >= VGIC_NR_IRQS)
		return NULL;
	if (intid >= VGIC_NR_PRIVATE)
		return &vgic->spis[intid - VGIC_NR_PRIVATE];
	cpu = cpu_of(vgic, vcpu_id);
	return cpu ? &cpu->irqs[intid] : NULL;
}

/* The n-th of the INTIDs a vCPU sees (its own SGIs/PPIs, then the SPIs). */
static struct vgic_irq *seen_by(struct vgic *vgic, struct vgic_cpu *cpu,
				unsigned n)
{
	return n < VGIC_NR_PRIVATE ? &cpu->irqs[n]
				   : &vgic->spis[n - VGIC_NR_PRIVATE];
}

static bool is_spi(const struct vgic_irq *irq)
{
	return irq->intid >= VGIC_NR_PRIVATE;
}

/* Pending from the input line (HW interrupts are pending by activation). */
static bool line_pending(const struct vgic_irq *irq)
{
	return irq->level && !irq->hw && irq->line;
}

static bool is_pending(const struct vgic_irq *irq)
{
	return irq->latch || irq->lr_latch || line_pending(irq);
}

/* The distributor forwards its pending state to vcpu_id. */
static bool deliverable_to(const struct vgic *vgic, const struct vgic_irq *irq,
			   unsigned vcpu_id)
{
	return vgic->enabled && irq->enabled && irq->target == vcpu_id;
}

/* Needs a list register of vcpu_id: deliverable pending, or active (the
 * guest can only deactivate what is in a list register). */
static bool wants_lr(const struct vgic *vgic, const struct vgic_irq *irq,
		     unsigned vcpu_id)
{
	if (irq->lr_vcpu != VGIC_NO_VCPU || irq->target != vcpu_id)
		return false;
	return irq->active || ((irq->latch || line_pending(irq)) &&
			       deliverable_to(vgic, irq, vcpu_id));
}

static void mark_flush(const struct vgic *vgic, unsigned vcpu_id)
{
	__atomic_store_n(&vgic->cpu[vcpu_id]->flush_needed, true,
			 __ATOMIC_RELEASE);
}

/* irq changed: whoever holds it in a list register, or would take it,
 * must look; a taker gets it as a candidate. */
static void note_change(const struct vgic *vgic, const struct vgic_irq *irq,
			uint32_t *kicks)
{
	if (irq->lr_vcpu != VGIC_NO_VCPU) {
		mark_flush(vgic, irq->lr_vcpu);
		*kicks |= 1u << irq->lr_vcpu;
	} else if (irq->target < vgic->nr_vcpus &&
		   wants_lr(vgic, irq, irq->target)) {
		struct vgic_cpu *cpu = vgic->cpu[irq->target];

		cpu->want[irq->intid / 64] |= 1ull << (irq->intid % 64);
		mark_flush(vgic, irq->target);
		*kicks |= 1u << irq->target;
	}
}

/* Every interrupt of vcpu_id may have changed (distributor enable, resets). */
static void note_all(const struct vgic *vgic, unsigned vcpu_id)
{
	vgic->cpu[vcpu_id]->want_all = true;
	mark_flush(vgic, vcpu_id);
}

static void send_kicks(struct vgic *vgic, uint32_t kicks)
{
	for (; kicks; kicks &= kicks - 1)
		vgic_arch_kick(vgic, (unsigned)__builtin_ctz(kicks));
}

static void hw_deactivate(struct vgic *vgic, struct vgic_irq *irq,
			  unsigned vcpu_id)
{
	vgic_arch_hw_deactivate(vgic, vcpu_id, irq->pintid);
}

/* The latch was cleared: a physical activation waiting in it is orphaned. */
static void hw_settle(struct vgic *vgic, struct vgic_irq *irq)
{
	if (irq->hw_active && !irq->latch) {
		irq->hw_active = false;
		hw_deactivate(vgic, irq, irq->target);
	}
}

/*
 * A HW interrupt whose source is level-sensitive (a timer, a level SPI)
 * waits in the latch: its line may have dropped since the physical one
 * fired (the guest had it masked, then stopped the source). Where the line
 * can be read, a low one ends it, as on a real GIC, where a level
 * interrupt's pending state is its line: no stale interrupt, no stale
 * pending bit. Where it cannot (a PPI of a vCPU running elsewhere), the
 * latch stands until the owner looks.
 */
static void hw_resample(struct vgic *vgic, struct vgic_irq *irq)
{
	bool level;

	if (!irq->hw_active || !irq->latch || (is_spi(irq) && !irq->level) ||
	    !vgic_arch_hw_line(vgic, irq->target, irq->pintid, &level) || level)
		return;
	irq->latch = false;
	hw_settle(vgic, irq);
}

static void hw_mirror_spi(struct vgic *vgic, const struct vgic_irq *irq)
{
	if (!irq->hw || !is_spi(irq))
		return;
	vgic_arch_hw_config(irq->pintid, irq->level);
	if (irq->target != VGIC_NO_VCPU)
		vgic_arch_hw_route(vgic, irq->pintid, irq->target);
	vgic_arch_hw_enable(irq->pintid, irq->enabled);
}

/* ---- list registers ---- */

static uint64_t lr_encode(const struct vgic_irq *irq, const struct vgic_lr *lr,
			  uint64_t old)
{
	uint64_t v = irq->intid | VGIC_LR_GROUP1 |
		     (uint64_t)lr->state << VGIC_LR_STATE_SHIFT;

	/* An active interrupt keeps the priority it was acknowledged at. */
	if ((lr->state & LR_A) && (old & VGIC_LR_STATE_MASK))
		v |= old & VGIC_LR_PRIO_MASK;
	else
		v |= (uint64_t)irq->priority << VGIC_LR_PRIO_SHIFT;
	if (lr->hw)
		v |= VGIC_LR_HW | ((uint64_t)irq->pintid << VGIC_LR_PINTID_SHIFT);
	else if (irq->level || irq->latch)
		v |= VGIC_LR_EOI; /* resample the line, or deliver the latch */
	return v;
}

/* Hand the software latch to list register lr if it may go there now. */
static void lr_take_latch(struct vgic_irq *irq, struct vgic_lr *lr)
{
	if (!irq->latch)
		return;
	/* A HW list register is never pending and active: its deactivation
	 * would end a physical activation the pending part still needs. */
	if (irq->active && (lr->hw || irq->hw_active))
		return;
	irq->latch = false;
	irq->lr_latch = true;
	if (irq->hw_active) {
		irq->hw_active = false;
		lr->hw = true;
	}
}

/* Empty list register i of vcpu_id without the guest completing irq: its
 * unacknowledged pending goes back to the latch, with the physical
 * activation a HW list register held; else that activation is ended. */
static void lr_take_back(struct vgic *vgic, unsigned vcpu_id, unsigned i,
			 struct vgic_irq *irq)
{
	struct vgic_lr *lr = &vgic->cpu[vcpu_id]->lr[i];

	if (irq->lr_latch) {
		irq->lr_latch = false;
		irq->latch = true;
		irq->hw_active |= lr->hw;
	} else if (lr->hw) {
		hw_deactivate(vgic, irq, vcpu_id);
	}
	lr->intid = VGIC_LR_FREE;
	irq->lr_vcpu = VGIC_NO_VCPU;
	vgic->cpu[vcpu_id]->lr_used &= ~(1u << i);
}

/* Recompute list register i of vcpu_id (holding irq) from the state. */
static void lr_update(struct vgic *vgic, unsigned vcpu_id, unsigned i,
		      struct vgic_irq *irq, uint64_t *lrv, uint32_t *kicks)
{
	struct vgic_lr *lr = &vgic->cpu[vcpu_id]->lr[i];
	bool deliver = deliverable_to(vgic, irq, vcpu_id);
	bool pending;

	if (lr->hw && irq->active && irq->lr_latch) {
		/* ISACTIVER on a pending HW one: the activation waits in the
		 * latch until the guest deactivates the virtual one. */
		irq->lr_latch = false;
		irq->latch = true;
		irq->hw_active = true;
		lr->hw = false;
	}
	if (deliver) {
		hw_resample(vgic, irq);
		lr_take_latch(irq, lr);
	}
	/* A level line is resampled after deactivation, not re-pended on an
	 * active interrupt. */
	pending = deliver &&
		  (irq->lr_latch || (line_pending(irq) && !irq->active));
	if (!pending && !irq->active) {
		lr_take_back(vgic, vcpu_id, i, irq);
		*lrv = 0;
		note_change(vgic, irq, kicks); /* maybe for another vCPU */
		return;
	}
	if (!pending && irq->lr_latch) { /* pending+active, now undeliverable */
		irq->lr_latch = false;
		irq->latch = true;
	}
	lr->state = (uint8_t)((pending ? LR_P : 0) | (irq->active ? LR_A : 0));
	*lrv = lr_encode(irq, lr, *lrv);
}

static void lr_place(struct vgic *vgic, unsigned vcpu_id, unsigned i,
		     struct vgic_irq *irq, uint64_t *lrv, uint32_t *kicks)
{
	struct vgic_lr *lr = &vgic->cpu[vcpu_id]->lr[i];

	lr->intid = irq->intid;
	lr->state = 0;
	lr->hw = false;
	irq->lr_vcpu = (uint8_t)vcpu_id;
	irq->lr = (uint8_t)i;
	vgic->cpu[vcpu_id]->lr_used |= 1u << i;
	*lrv = 0;
	lr_update(vgic, vcpu_id, i, irq, lrv, kicks);
}

/* Selection order: active ones first (they must be in a list register),
 * then by priority, then by INTID. Lower key first. */
static uint32_t lr_key(const struct vgic_irq *irq)
{
	return (irq->active ? 0 : 1u << 24) | (uint32_t)irq->priority << 16 |
	       irq->intid;
}

/* Keep the `max` best candidates in best[0..*n), sorted. */
static void best_insert(struct vgic_irq **best, unsigned *n, unsigned max,
			struct vgic_irq *irq)
{
	uint32_t key = lr_key(irq);
	unsigned pos = *n;

	while (pos > 0 && lr_key(best[pos - 1]) > key)
		pos--;
	if (pos >= max)
		return;
	for (unsigned j = (*n < max ? *n : max - 1); j > pos; j--)
		best[j] = best[j - 1];
	best[pos] = irq;
	if (*n < max)
		(*n)++;
}

/* The list register to evict for `want`: a pending-only one of lower
 * priority (the lowest of them), or -1. */
static int lr_victim(struct vgic *vgic, unsigned vcpu_id, unsigned nr_lrs,
		     const struct vgic_irq *want)
{
	struct vgic_cpu *cpu = vgic->cpu[vcpu_id];
	uint32_t worst = 0;
	int victim = -1;

	for (unsigned i = 0; i < nr_lrs; i++) {
		struct vgic_irq *irq;

		if (cpu->lr[i].intid == VGIC_LR_FREE || cpu->lr[i].state != LR_P)
			continue;
		irq = irq_of(vgic, vcpu_id, cpu->lr[i].intid);
		if (!want->active && irq->priority <= want->priority)
			continue;
		if (victim < 0 || lr_key(irq) > worst) {
			worst = lr_key(irq);
			victim = (int)i;
		}
	}
	return victim;
}

uint32_t vgic_sync_lrs(struct vgic *vgic, unsigned vcpu_id,
		       const uint64_t *lrs, unsigned nr_lrs)
{
	struct vgic_cpu *cpu = cpu_of(vgic, vcpu_id);
	uint32_t kicks = 0, freed = 0;

	if (!cpu)
		return 0;
	if (nr_lrs > VGIC_MAX_LRS)
		nr_lrs = VGIC_MAX_LRS;
	spin_lock(&vgic->lock);
	for (uint32_t m = cpu->lr_used & ((1u << nr_lrs) - 1); m; m &= m - 1) {
		unsigned i = (unsigned)__builtin_ctz(m);
		struct vgic_lr *lr = &cpu->lr[i];
		struct vgic_irq *irq;
		uint8_t now;

		if ((lrs[i] & VGIC_LR_VINTID_MASK) != lr->intid) {
			if (log_ratelimit_allow(&vgic->lr_rl))
				log_err("vm %s vcpu %u: vGIC: LR%u holds INTID "
					"%llu, expected %u", vgic->name, vcpu_id, i,
					(unsigned long long)(lrs[i] &
							     VGIC_LR_VINTID_MASK),
					lr->intid);
			continue;
		}
		irq = irq_of(vgic, vcpu_id, lr->intid);
		now = (uint8_t)(lrs[i] >> VGIC_LR_STATE_SHIFT);
		if ((lr->state & LR_A) && !(now & LR_A))
			irq->active = false; /* deactivated */
		if (!(lr->state & LR_A) && (now & LR_A))
			irq->active = true; /* acknowledged */
		if ((lr->state & LR_P) && !(now & LR_P))
			irq->lr_latch = false; /* acknowledged */
		if (now != lr->state)
			mark_flush(vgic, vcpu_id);
		lr->state = now;
		if (!now) {
			/* Completed; a HW one ended its physical activation. */
			lr->intid = VGIC_LR_FREE;
			irq->lr_vcpu = VGIC_NO_VCPU;
			cpu->lr_used &= ~(1u << i);
			freed |= 1u << i;
			note_change(vgic, irq, &kicks);
		}
	}
	spin_unlock(&vgic->lock);
	send_kicks(vgic, kicks & ~(1u << vcpu_id));
	return freed;
}

/* Candidates of vcpu_id for a list register, best first, at most max. The
 * want set drops what no longer wants one. */
static unsigned collect_candidates(struct vgic *vgic, unsigned vcpu_id,
				   struct vgic_irq **best, unsigned max)
{
	struct vgic_cpu *cpu = vgic->cpu[vcpu_id];
	unsigned n = 0;

	if (cpu->want_all) {
		cpu->want_all = false;
		for (unsigned w = 0; w < ARRAY_SIZE(cpu->want); w++)
			cpu->want[w] = ~0ull;
	}
	for (unsigned w = 0; w < ARRAY_SIZE(cpu->want); w++) {
		uint64_t bits = cpu->want[w];

		while (bits) {
			unsigned b = (unsigned)__builtin_ctzll(bits);
			unsigned intid = w * 64 + b;
			struct vgic_irq *irq = seen_by(vgic, cpu, intid);

			bits &= bits - 1;
			if (wants_lr(vgic, irq, vcpu_id))
				best_insert(best, &n, max, irq);
			else
				cpu->want[w] &= ~(1ull << b);
		}
	}
	return n;
}

bool vgic_flush_lrs(struct vgic *vgic, unsigned vcpu_id, uint64_t *lrs,
		    unsigned nr_lrs, uint32_t *written)
{
	struct vgic_cpu *cpu = cpu_of(vgic, vcpu_id);
	struct vgic_irq *best[VGIC_MAX_LRS + 1];
	unsigned nbest = 0, next = 0;
	bool overflow = false;
	uint32_t kicks = 0, changed = 0;

	*written = 0;
	if (!cpu)
		return false;
	if (nr_lrs > VGIC_MAX_LRS)
		nr_lrs = VGIC_MAX_LRS;
	if (!nr_lrs)
		return false;
	spin_lock(&vgic->lock);
	__atomic_store_n(&cpu->flush_needed, false, __ATOMIC_RELAXED);
	for (unsigned i = 0; i < nr_lrs; i++) {
		uint64_t was = lrs[i];

		if (cpu->lr[i].intid == VGIC_LR_FREE)
			lrs[i] = 0;
		else
			lr_update(vgic, vcpu_id, i,
				  irq_of(vgic, vcpu_id, cpu->lr[i].intid),
				  &lrs[i], &kicks);
		if (lrs[i] != was)
			changed |= 1u << i;
	}

	nbest = collect_candidates(vgic, vcpu_id, best, nr_lrs + 1);
	for (unsigned i = 0; i < nr_lrs && next < nbest; i++)
		if (cpu->lr[i].intid == VGIC_LR_FREE) {
			lr_place(vgic, vcpu_id, i, best[next++], &lrs[i], &kicks);
			changed |= 1u << i;
		}
	while (next < nbest) {
		int i = lr_victim(vgic, vcpu_id, nr_lrs, best[next]);

		if (i < 0)
			break;
		struct vgic_irq *evicted = irq_of(vgic, vcpu_id, cpu->lr[i].intid);

		lr_take_back(vgic, vcpu_id, (unsigned)i, evicted);
		lr_place(vgic, vcpu_id, (unsigned)i, best[next++], &lrs[i],
			 &kicks);
		changed |= 1u << i;
		note_change(vgic, evicted, &kicks); /* it waits as a candidate */
		overflow = true;
	}
	if (next < nbest)
		overflow = true;
	cpu->overflow = overflow;
	/* Something waits: exit on every deactivation, not only when the
	 * list registers drain (UIE), in case they all hold active ones. */
	for (unsigned i = 0; i < nr_lrs && overflow; i++)
		if (lrs[i] && !(lrs[i] & (VGIC_LR_HW | VGIC_LR_EOI))) {
			lrs[i] |= VGIC_LR_EOI;
			changed |= 1u << i;
		}
	spin_unlock(&vgic->lock);
	send_kicks(vgic, kicks & ~(1u << vcpu_id));
	*written = changed;
	return overflow;
}

static bool pending_for(const struct vgic *vgic, const struct vgic_irq *irq,
			unsigned vcpu_id)
{
	return is_pending(irq) && deliverable_to(vgic, irq, vcpu_id) &&
	       (irq->lr_vcpu == VGIC_NO_VCPU || irq->lr_vcpu == vcpu_id);
}

bool vgic_vcpu_has_pending(struct vgic *vgic, unsigned vcpu_id)
{
	struct vgic_cpu *cpu = cpu_of(vgic, vcpu_id);
	bool found = false;

	if (!cpu)
		return false;
	spin_lock(&vgic->lock);
	/* What could be pending for it: what its list registers hold, and its
	 * candidates (all INTIDs when those are not known). */
	for (uint32_t m = cpu->lr_used; m && !found; m &= m - 1)
		found = pending_for(vgic, irq_of(vgic, vcpu_id,
						 cpu->lr[__builtin_ctz(m)].intid),
				    vcpu_id);
	for (unsigned w = 0; w < ARRAY_SIZE(cpu->want) && !found; w++) {
		uint64_t bits = cpu->want_all ? ~0ull : cpu->want[w];

		for (; bits && !found; bits &= bits - 1)
			found = pending_for(vgic, seen_by(vgic, cpu, w * 64 +
							  (unsigned)__builtin_ctzll(bits)),
					    vcpu_id);
	}
	spin_unlock(&vgic->lock);
	return found;
}

/* ---- set-up and reset ---- */

/* Reset state; HW mapping and input line are kept (they are not GIC
 * state). The caller has taken irq out of any list register. */
static void irq_reset(struct vgic_irq *irq, unsigned target)
{
	irq->priority = 0;
	irq->target = (uint8_t)target;
	irq->lr_vcpu = VGIC_NO_VCPU;
	irq->lr = 0;
	irq->enabled = false;
	/* SGIs are edge-triggered, PPIs level by default, SPIs level too. */
	irq->level = irq->intid >= VGIC_NR_SGIS;
	irq->latch = false;
	irq->lr_latch = false;
	irq->active = false;
	irq->hw_active = false;
}

static void vcpu_reset_locked(struct vgic *vgic, unsigned vcpu_id,
			      uint32_t *kicks)
{
	struct vgic_cpu *cpu = vgic->cpu[vcpu_id];

	for (unsigned i = 0; i < VGIC_MAX_LRS; i++) {
		struct vgic_irq *irq;

		if (cpu->lr[i].intid == VGIC_LR_FREE)
			continue;
		irq = irq_of(vgic, vcpu_id, cpu->lr[i].intid);
		/* This vCPU will never deactivate it. */
		irq->active = false;
		lr_take_back(vgic, vcpu_id, i, irq);
		note_change(vgic, irq, kicks);
	}
	for (unsigned n = 0; n < VGIC_NR_PRIVATE; n++) {
		struct vgic_irq *irq = &cpu->irqs[n];

		if (irq->hw_active)
			hw_deactivate(vgic, irq, vcpu_id);
		irq_reset(irq, vcpu_id);
	}
	cpu->asleep = true;
	cpu->overflow = false;
	note_all(vgic, vcpu_id);
}

void vgic_vcpu_reset(struct vgic *vgic, unsigned vcpu_id)
{
	uint32_t kicks = 0;

	if (!cpu_of(vgic, vcpu_id))
		return;
	spin_lock(&vgic->lock);
	vcpu_reset_locked(vgic, vcpu_id, &kicks);
	spin_unlock(&vgic->lock);
	send_kicks(vgic, kicks & ~(1u << vcpu_id));
}

void vgic_log_summaries(struct vgic *vgic)
{
	log_ratelimit_flush(&vgic->bad_access_rl);
	log_ratelimit_flush(&vgic->lr_rl);
}

void vgic_reset(struct vgic *vgic)
{
	uint32_t kicks = 0;

	spin_lock(&vgic->lock);
	vgic->enabled = false;
	for (unsigned v = 0; v < vgic->nr_vcpus; v++)
		if (vgic->cpu[v])
			vcpu_reset_locked(vgic, v, &kicks);
	for (unsigned n = 0; n < VGIC_NR_SPIS; n++) {
		struct vgic_irq *irq = &vgic->spis[n];

		if (irq->hw_active)
			hw_deactivate(vgic, irq, irq->target);
		irq_reset(irq, 0);
		vgic->irouter[n] = 0;
		hw_mirror_spi(vgic, irq);
	}
	spin_unlock(&vgic->lock);
}

int vgic_init(struct vgic *vgic, unsigned nr_vcpus, const char *name)
{
	if (!nr_vcpus || nr_vcpus > CONFIG_MAX_VCPUS_PER_VM)
		return -EINVAL;
	memset(vgic, 0, sizeof(*vgic));
	vgic->nr_vcpus = nr_vcpus;
	vgic->name = name;
	vgic->bad_access_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(
		LOG_WARN, name, "vGIC: unsupported access");
	vgic->lr_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(
		LOG_ERROR, name, "vGIC: list register");
	for (unsigned n = 0; n < VGIC_NR_SPIS; n++) {
		vgic->spis[n].intid = (uint16_t)(VGIC_NR_PRIVATE + n);
		irq_reset(&vgic->spis[n], 0);
	}
	return 0;
}

int vgic_cpu_init(struct vgic *vgic, unsigned vcpu_id, struct vgic_cpu *cpu)
{
	if (vcpu_id >= vgic->nr_vcpus || !cpu)
		return -EINVAL;
	memset(cpu, 0, sizeof(*cpu));
	for (unsigned n = 0; n < VGIC_NR_PRIVATE; n++) {
		cpu->irqs[n].intid = (uint16_t)n;
		irq_reset(&cpu->irqs[n], vcpu_id);
	}
	for (unsigned i = 0; i < VGIC_MAX_LRS; i++)
		cpu->lr[i].intid = VGIC_LR_FREE;
	cpu->asleep = true;
	spin_lock(&vgic->lock);
	vgic->cpu[vcpu_id] = cpu;
	spin_unlock(&vgic->lock);
	return 0;
}

int vgic_map_hw(struct vgic *vgic, unsigned vcpu_id, unsigned vintid,
		unsigned pintid)
{
	struct vgic_irq *irq = irq_of(vgic, vcpu_id, vintid);
	int rc = 0;

	if (!irq || vintid < VGIC_NR_SGIS || pintid < VGIC_NR_SGIS ||
	    pintid >= 1020 || (vintid < VGIC_NR_PRIVATE) !=
	    (pintid < VGIC_NR_PRIVATE))
		return -EINVAL;
	spin_lock(&vgic->lock);
	if (irq->hw && irq->pintid != pintid) {
		rc = -EBUSY;
	} else {
		irq->hw = true;
		irq->pintid = (uint16_t)pintid;
		hw_mirror_spi(vgic, irq);
	}
	spin_unlock(&vgic->lock);
	return rc;
}

/* ---- injection ---- */

/* Run fn on intid under the lock, then kick. -EINVAL if no such INTID. */
static int with_irq(struct vgic *vgic, unsigned vcpu_id, unsigned intid,
		    int (*fn)(struct vgic *, struct vgic_irq *, uintptr_t),
		    uintptr_t arg)
{
	struct vgic_irq *irq = irq_of(vgic, vcpu_id, intid);
	uint32_t kicks = 0;
	int rc;

	if (!irq)
		return -EINVAL;
	spin_lock(&vgic->lock);
	rc = fn(vgic, irq, arg);
	if (rc > 0)
		note_change(vgic, irq, &kicks);
	spin_unlock(&vgic->lock);
	send_kicks(vgic, kicks);
	return rc < 0 ? rc : 0;
}

/* Each returns 1 if the state changed, 0 if not, or a negative error. */
static int do_edge(struct vgic *vgic, struct vgic_irq *irq, uintptr_t arg)
{
	(void)vgic, (void)arg;
	if (irq->latch)
		return 0;
	irq->latch = true;
	return 1;
}

static int do_level(struct vgic *vgic, struct vgic_irq *irq, uintptr_t level)
{
	(void)vgic;
	if (irq->hw)
		return -EINVAL;
	if (irq->line == (level != 0))
		return 0;
	irq->line = level != 0;
	if (irq->line && !irq->level)
		irq->latch = true;
	return 1;
}

static int do_hw(struct vgic *vgic, struct vgic_irq *irq, uintptr_t arg)
{
	(void)vgic, (void)arg;
	if (!irq->hw)
		return -EINVAL;
	irq->hw_active = true;
	irq->latch = true;
	return 1;
}

int vgic_inject_edge(struct vgic *vgic, unsigned vcpu_id, unsigned intid)
{
	return with_irq(vgic, vcpu_id, intid, do_edge, 0);
}

int vgic_set_level(struct vgic *vgic, unsigned vcpu_id, unsigned intid,
		   bool level)
{
	return with_irq(vgic, vcpu_id, intid, do_level, level);
}

int vgic_inject_hw(struct vgic *vgic, unsigned vcpu_id, unsigned intid)
{
	return with_irq(vgic, vcpu_id, intid, do_hw, 0);
}

int vgic_inject_sgi(struct vgic *vgic, unsigned sender, uint64_t sgi1r)
{
	unsigned intid = SGI1R_INTID(sgi1r);
	uint64_t all = (1ull << vgic->nr_vcpus) - 1;
	uint32_t targets = 0, kicks = 0;

	if (sender >= vgic->nr_vcpus)
		return -EINVAL;
	if (sgi1r & SGI1R_IRM) {
		targets = (uint32_t)(all & ~(1ull << sender));
	} else if (!SGI1R_AFF1(sgi1r) && !SGI1R_AFF2(sgi1r) &&
		   !SGI1R_AFF3(sgi1r)) {
		/* vCPU i has Aff0 = i: RS selects Aff0 16*RS .. 16*RS+15. */
		unsigned first = SGI1R_RS(sgi1r) * 16;

		if (first < vgic->nr_vcpus)
			targets = (uint32_t)(((uint64_t)SGI1R_TARGETS(sgi1r)
					      << first) & all);
	}
	spin_lock(&vgic->lock);
	for (uint32_t m = targets; m; m &= m - 1) {
		unsigned v = (unsigned)__builtin_ctz(m);
		struct vgic_irq *irq;

		if (!vgic->cpu[v])
			continue;
		irq = &vgic->cpu[v]->irqs[intid];
		if (do_edge(vgic, irq, 0))
			note_change(vgic, irq, &kicks);
	}
	spin_unlock(&vgic->lock);
	send_kicks(vgic, kicks);
	return 0;
}

/* ---- registers ---- */

static uint32_t field_read(const struct vgic_irq *irq, enum vgic_reg reg)
{
	switch (reg) {
	case VGIC_REG_GROUP:
		return 1; /* all Group 1 */
	case VGIC_REG_ENABLE_SET:
	case VGIC_REG_ENABLE_CLEAR:
		return irq->enabled;
	case VGIC_REG_PEND_SET:
	case VGIC_REG_PEND_CLEAR:
		return is_pending(irq);
	case VGIC_REG_ACTIVE_SET:
	case VGIC_REG_ACTIVE_CLEAR:
		return irq->active;
	case VGIC_REG_PRIORITY:
		return irq->priority;
	case VGIC_REG_CONFIG:
		return irq->level ? 0 : 2;
	}
	return 0;
}

static void set_enabled(struct vgic_irq *irq, bool on)
{
	irq->enabled = on;
	if (irq->hw && is_spi(irq))
		vgic_arch_hw_enable(irq->pintid, on);
}

/* Apply field value f; true if the state changed. */
static bool field_write(struct vgic *vgic, struct vgic_irq *irq,
			enum vgic_reg reg, uint32_t f)
{
	switch (reg) {
	case VGIC_REG_GROUP:
		return false; /* RAO/WI */
	case VGIC_REG_ENABLE_SET:
	case VGIC_REG_ENABLE_CLEAR:
		if (!f || irq->enabled == (reg == VGIC_REG_ENABLE_SET))
			return false;
		set_enabled(irq, reg == VGIC_REG_ENABLE_SET);
		return true;
	case VGIC_REG_PEND_SET:
		return f && do_edge(vgic, irq, 0);
	case VGIC_REG_PEND_CLEAR:
		if (!f || !(irq->latch || irq->lr_latch))
			return false;
		irq->latch = false;
		irq->lr_latch = false;
		hw_settle(vgic, irq);
		return true;
	case VGIC_REG_ACTIVE_SET:
	case VGIC_REG_ACTIVE_CLEAR:
		if (!f || irq->active == (reg == VGIC_REG_ACTIVE_SET))
			return false;
		irq->active = reg == VGIC_REG_ACTIVE_SET;
		return true;
	case VGIC_REG_PRIORITY:
		if (irq->priority == f)
			return false;
		irq->priority = (uint8_t)f;
		return true;
	case VGIC_REG_CONFIG:
		if (irq->intid < VGIC_NR_SGIS || irq->level == !(f & 2))
			return false; /* SGIs: always edge */
		irq->level = !(f & 2);
		if (irq->hw && is_spi(irq))
			vgic_arch_hw_config(irq->pintid, irq->level);
		return true;
	}
	return false;
}

void vgic_reg_access(struct vgic *vgic, unsigned vcpu_id, enum vgic_reg reg,
		     unsigned intid, unsigned count, bool write,
		     uint64_t *value)
{
	unsigned bits = vgic_reg_bits(reg);
	uint32_t fmask = (1u << bits) - 1, kicks = 0;
	uint64_t v = write ? *value : 0;

	spin_lock(&vgic->lock);
	for (unsigned k = 0; k < count; k++) {
		struct vgic_irq *irq = irq_of(vgic, vcpu_id, intid + k);

		if (!irq)
			continue;
		if (!write && (reg == VGIC_REG_PEND_SET ||
			       reg == VGIC_REG_PEND_CLEAR))
			hw_resample(vgic, irq);
		if (!write)
			v |= (uint64_t)field_read(irq, reg) << (k * bits);
		else if (field_write(vgic, irq, reg,
				     (uint32_t)(v >> (k * bits)) & fmask))
			note_change(vgic, irq, &kicks);
	}
	spin_unlock(&vgic->lock);
	send_kicks(vgic, kicks);
	if (!write)
		*value = v;
}

void vgic_set_enabled(struct vgic *vgic, bool enabled)
{
	uint32_t kicks = 0;

	spin_lock(&vgic->lock);
	if (vgic->enabled != enabled) {
		vgic->enabled = enabled;
		/* Rare: let every vCPU re-evaluate. */
		kicks = (uint32_t)((1ull << vgic->nr_vcpus) - 1);
		for (unsigned v = 0; v < vgic->nr_vcpus; v++)
			if (vgic->cpu[v])
				note_all(vgic, v);
	}
	spin_unlock(&vgic->lock);
	send_kicks(vgic, kicks);
}

static unsigned route_target(const struct vgic *vgic, uint64_t irouter)
{
	if (irouter & IROUTER_IRM)
		return 0; /* "any PE": the first */
	if (irouter & IROUTER_AFF12 ||
	    (irouter & IROUTER_AFF0) >= vgic->nr_vcpus)
		return VGIC_NO_VCPU;
	return (unsigned)(irouter & IROUTER_AFF0);
}

uint64_t vgic_irouter_read(struct vgic *vgic, unsigned intid)
{
	uint64_t v = 0;

	if (intid < VGIC_NR_PRIVATE || intid >= VGIC_NR_IRQS)
		return 0;
	spin_lock(&vgic->lock);
	v = vgic->irouter[intid - VGIC_NR_PRIVATE];
	spin_unlock(&vgic->lock);
	return v;
}

void vgic_irouter_write(struct vgic *vgic, unsigned intid, uint64_t value,
			uint64_t mask)
{
	struct vgic_irq *irq;
	uint64_t *r;
	uint32_t kicks = 0;

	if (intid < VGIC_NR_PRIVATE || intid >= VGIC_NR_IRQS)
		return;
	irq = &vgic->spis[intid - VGIC_NR_PRIVATE];
	r = &vgic->irouter[intid - VGIC_NR_PRIVATE];
	spin_lock(&vgic->lock);
	*r = ((*r & ~mask) | (value & mask)) & IROUTER_MASK;
	if (irq->target != route_target(vgic, *r)) {
		/* The list register holding it (if any) is noted first. */
		note_change(vgic, irq, &kicks);
		irq->target = (uint8_t)route_target(vgic, *r);
		note_change(vgic, irq, &kicks);
		if (irq->hw && irq->target != VGIC_NO_VCPU)
			vgic_arch_hw_route(vgic, irq->pintid, irq->target);
	}
	spin_unlock(&vgic->lock);
	send_kicks(vgic, kicks);
}
