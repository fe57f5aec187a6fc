/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtual GICv3: interrupt life cycles through the list registers,
 * selection and overflow, SGI and SPI targeting, HW-mapped interrupts, every
 * emulated GICD/GICR register, and injection racing a running vCPU.
 * The guest is simulated on a shadow list-register array: it acknowledges
 * (pending -> active) and deactivates (active -> invalid) as the GIC would.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errno.h>
#include <vgic.h>

#include "host_log.h"

#define NV 4 /* vCPUs of the test VM */
#define NLR 4 /* list registers, as on QEMU's CPUs */

#define ST_P 1u
#define ST_A 2u

/* GICD offsets */
#define D_CTLR 0x0000
#define D_TYPER 0x0004
#define D_IIDR 0x0008
#define D_TYPER2 0x000c
#define D_STATUSR 0x0010
#define D_IGROUPR 0x0080
#define D_ISENABLER 0x0100
#define D_ICENABLER 0x0180
#define D_ISPENDR 0x0200
#define D_ICPENDR 0x0280
#define D_ISACTIVER 0x0300
#define D_ICACTIVER 0x0380
#define D_IPRIORITYR 0x0400
#define D_ITARGETSR 0x0800
#define D_ICFGR 0x0c00
#define D_IGRPMODR 0x0d00
#define D_NSACR 0x0e00
#define D_SGIR 0x0f00
#define D_IROUTER 0x6000
#define ID_PIDR2 0xffe8

/* GICR offsets in a vCPU's frame pair */
#define R_CTLR 0x0000
#define R_IIDR 0x0004
#define R_TYPER 0x0008
#define R_STATUSR 0x0010
#define R_WAKER 0x0014
#define R_PROPBASER 0x0070
#define R_PENDBASER 0x0078
#define R_SGI 0x10000

static struct vgic vg;
static struct vgic_cpu cpus[CONFIG_MAX_VCPUS_PER_VM];
static uint64_t lrs[NV][NLR];

/* ---- fake arch hooks ---- */

static uint32_t kicked; /* mask of vCPUs kicked (atomic) */
static unsigned long kicks_total;

struct fake_phys {
	bool enabled, level;
	bool line_known, line; /* vgic_arch_hw_line: readable, and its level */
	unsigned route;
	unsigned enables, configs, routes, deactivations, line_reads;
	unsigned deact_vcpu, line_vcpu;
};
static struct fake_phys phys[1024];

void vgic_arch_kick(struct vgic *vgic, unsigned vcpu_id)
{
	assert_ptr_equal(vgic, &vg);
	__atomic_fetch_or(&kicked, 1u << vcpu_id, __ATOMIC_RELAXED);
	__atomic_fetch_add(&kicks_total, 1, __ATOMIC_RELAXED);
}

void vgic_arch_hw_enable(unsigned pintid, bool enable)
{
	phys[pintid].enabled = enable;
	phys[pintid].enables++;
}

void vgic_arch_hw_config(unsigned pintid, bool level)
{
	phys[pintid].level = level;
	phys[pintid].configs++;
}

void vgic_arch_hw_route(struct vgic *vgic, unsigned pintid, unsigned vcpu_id)
{
	assert_ptr_equal(vgic, &vg);
	phys[pintid].route = vcpu_id;
	phys[pintid].routes++;
}

void vgic_arch_hw_deactivate(struct vgic *vgic, unsigned vcpu_id,
			     unsigned pintid)
{
	assert_ptr_equal(vgic, &vg);
	phys[pintid].deactivations++;
	phys[pintid].deact_vcpu = vcpu_id;
}

bool vgic_arch_hw_line(struct vgic *vgic, unsigned vcpu_id, unsigned pintid,
		       bool *level)
{
	assert_ptr_equal(vgic, &vg);
	phys[pintid].line_reads++;
	phys[pintid].line_vcpu = vcpu_id;
	if (phys[pintid].line_known)
		*level = phys[pintid].line;
	return phys[pintid].line_known;
}

static uint32_t take_kicks(void)
{
	return __atomic_exchange_n(&kicked, 0, __ATOMIC_RELAXED);
}

static int setup(void **state)
{
	(void)state;
	assert_int_equal(vgic_init(&vg, NV, "vm0"), 0);
	for (unsigned v = 0; v < NV; v++)
		assert_int_equal(vgic_cpu_init(&vg, v, &cpus[v]), 0);
	memset(lrs, 0, sizeof(lrs));
	memset(phys, 0, sizeof(phys));
	kicked = 0;
	host_log_reset();
	return 0;
}

/* ---- MMIO helpers ---- */

static uint64_t dread(uint64_t off, unsigned size)
{
	uint64_t v = 0xdeadbeefdeadbeefull;

	assert_int_equal(vgic_dist_access(&vg, off, size, false, &v), 0);
	return v;
}

static void dwrite(uint64_t off, unsigned size, uint64_t v)
{
	assert_int_equal(vgic_dist_access(&vg, off, size, true, &v), 0);
}

static uint64_t rread(unsigned vcpu, uint64_t off, unsigned size)
{
	uint64_t v = 0xdeadbeefdeadbeefull;

	assert_int_equal(vgic_redist_access(&vg, vcpu * TESSERA_VGIC_GICR_FRAME_SIZE +
						  off, size, false, &v), 0);
	return v;
}

static void rwrite(unsigned vcpu, uint64_t off, unsigned size, uint64_t v)
{
	assert_int_equal(vgic_redist_access(&vg, vcpu * TESSERA_VGIC_GICR_FRAME_SIZE +
						  off, size, true, &v), 0);
}

static uint64_t bitreg(unsigned intid)
{
	return 1ull << (intid % 32);
}

static unsigned bitoff(unsigned base, unsigned intid)
{
	return base + intid / 32 * 4;
}

/* Enable intid (for vCPU v if private) through the guest's registers. */
static void enable(unsigned v, unsigned intid)
{
	if (intid < 32)
		rwrite(v, R_SGI + D_ISENABLER, 4, bitreg(intid));
	else
		dwrite(bitoff(D_ISENABLER, intid), 4, bitreg(intid));
}

static void disable(unsigned v, unsigned intid)
{
	if (intid < 32)
		rwrite(v, R_SGI + D_ICENABLER, 4, bitreg(intid));
	else
		dwrite(bitoff(D_ICENABLER, intid), 4, bitreg(intid));
}

static void set_prio(unsigned v, unsigned intid, uint8_t prio)
{
	if (intid < 32)
		rwrite(v, R_SGI + D_IPRIORITYR + intid, 1, prio);
	else
		dwrite(D_IPRIORITYR + intid, 1, prio);
}

/* Make intid edge-triggered (a read-modify-write of its ICFGR). */
static void set_edge(unsigned v, unsigned intid)
{
	unsigned off = D_ICFGR + intid / 16 * 4;
	uint32_t bit = 2u << (intid % 16 * 2);

	if (intid < 32)
		rwrite(v, R_SGI + off, 4, rread(v, R_SGI + off, 4) | bit);
	else
		dwrite(off, 4, dread(off, 4) | bit);
}

static void route(unsigned intid, uint64_t irouter)
{
	dwrite(D_IROUTER + intid * 8ull, 8, irouter);
}

static bool is_pending(unsigned v, unsigned intid)
{
	if (intid < 32)
		return rread(v, R_SGI + D_ISPENDR, 4) & bitreg(intid);
	return dread(bitoff(D_ISPENDR, intid), 4) & bitreg(intid);
}

static bool is_active(unsigned v, unsigned intid)
{
	if (intid < 32)
		return rread(v, R_SGI + D_ISACTIVER, 4) & bitreg(intid);
	return dread(bitoff(D_ISACTIVER, intid), 4) & bitreg(intid);
}

static void dist_on(void)
{
	dwrite(D_CTLR, 4, 0x13); /* what Linux writes: ARE, Grp1A, Grp1 */
}

/* ---- simulated guest on the shadow list registers ---- */

static unsigned st(uint64_t lr)
{
	return (unsigned)(lr >> VGIC_LR_STATE_SHIFT);
}

static unsigned lr_intid(uint64_t lr)
{
	return (unsigned)(lr & VGIC_LR_VINTID_MASK);
}

/* Every list register whose value changed is reported written (the arch
 * writes back only those). */
static bool flush(unsigned v)
{
	uint64_t old[NLR];
	uint32_t written;
	bool overflow;

	memcpy(old, lrs[v], sizeof(old));
	overflow = vgic_flush_lrs(&vg, v, lrs[v], NLR, &written);
	for (unsigned i = 0; i < NLR; i++)
		if (lrs[v][i] != old[i] && !(written & (1u << i)))
			fail_msg("vCPU %u LR%u changed, not reported written",
				 v, i);
	assert_int_equal(written >> NLR, 0);
	return overflow;
}

static void sync(unsigned v)
{
	vgic_sync_lrs(&vg, v, lrs[v], NLR);
}

/* Index of the valid list register of v holding intid, or -1. */
static int find_lr(unsigned v, unsigned intid)
{
	int found = -1;

	for (int i = 0; i < NLR; i++) {
		if (!st(lrs[v][i]) || lr_intid(lrs[v][i]) != intid)
			continue;
		assert_int_equal(found, -1); /* never twice */
		found = i;
	}
	return found;
}

static unsigned lr_count(unsigned v)
{
	unsigned n = 0;

	for (int i = 0; i < NLR; i++)
		n += st(lrs[v][i]) != 0;
	return n;
}

/* The guest acknowledges intid: its list register must be pending only. */
static void ack(unsigned v, unsigned intid)
{
	int i = find_lr(v, intid);

	assert_true(i >= 0);
	assert_int_equal(st(lrs[v][i]), ST_P);
	lrs[v][i] = (lrs[v][i] & ~VGIC_LR_STATE_MASK) | VGIC_LR_ACTIVE;
}

/* The guest deactivates intid (priority drop + deactivate). */
static void eoi(unsigned v, unsigned intid)
{
	int i = find_lr(v, intid);

	assert_true(i >= 0);
	assert_true(st(lrs[v][i]) & ST_A);
	lrs[v][i] &= ~VGIC_LR_ACTIVE;
}

/* One full guest run: flush, take the best pending one, complete it,
 * exit and sync. Returns its INTID or -1. */
static int run_one(unsigned v)
{
	int best = -1;

	flush(v);
	for (int i = 0; i < NLR; i++) {
		uint64_t l = lrs[v][i];

		if (st(l) != ST_P)
			continue;
		if (best < 0 || (l & VGIC_LR_PRIO_MASK) <
					(lrs[v][best] & VGIC_LR_PRIO_MASK) ||
		    ((l & VGIC_LR_PRIO_MASK) ==
			     (lrs[v][best] & VGIC_LR_PRIO_MASK) &&
		     lr_intid(l) < lr_intid(lrs[v][best])))
			best = i;
	}
	if (best >= 0) {
		unsigned intid = lr_intid(lrs[v][best]);

		ack(v, intid);
		eoi(v, intid);
		best = (int)intid;
	}
	sync(v);
	return best;
}

/* ---- set-up ---- */

static void test_init_validates(void **state)
{
	struct vgic g;
	struct vgic_cpu c;

	(void)state;
	assert_int_equal(vgic_init(&g, 0, "vm0"), -EINVAL);
	assert_int_equal(vgic_init(&g, CONFIG_MAX_VCPUS_PER_VM + 1, "vm0"), -EINVAL);
	assert_int_equal(vgic_init(&g, 2, "vm0"), 0);
	assert_int_equal(vgic_cpu_init(&g, 2, &c), -EINVAL);
	assert_int_equal(vgic_cpu_init(&g, 0, NULL), -EINVAL);
	assert_int_equal(vgic_inject_edge(&g, 0, 16), -EINVAL); /* unattached */
	assert_int_equal(vgic_cpu_init(&g, 0, &c), 0);
	assert_int_equal(vgic_inject_edge(&g, 0, 16), 0);
	assert_int_equal(vgic_inject_edge(&g, 1, 16), -EINVAL);
	assert_int_equal(vgic_inject_edge(&g, 0, VGIC_NR_IRQS), -EINVAL);
	assert_int_equal(vgic_inject_sgi(&g, 2, 1), -EINVAL);
}

/* ---- life cycles ---- */

static void test_edge_pending_active_completed(void **state)
{
	uint64_t l;
	int i;

	(void)state;
	dist_on();
	enable(0, 40);
	set_edge(0, 40);
	set_prio(0, 40, 0x80);
	assert_false(is_pending(0, 40));
	take_kicks();
	assert_int_equal(vgic_inject_edge(&vg, 3, 40), 0); /* vcpu ignored */
	assert_true(is_pending(0, 40));
	assert_int_equal(take_kicks(), 1u << 0); /* routed to vCPU 0 */

	assert_false(flush(0));
	i = find_lr(0, 40);
	assert_true(i >= 0);
	l = lrs[0][i];
	assert_int_equal(st(l), ST_P);
	assert_int_equal((l >> VGIC_LR_PRIO_SHIFT) & 0xff, 0x80);
	assert_true(l & VGIC_LR_GROUP1);
	assert_false(l & VGIC_LR_HW);
	assert_false(l & VGIC_LR_EOI); /* edge, nothing waiting */
	assert_int_equal(lr_count(0), 1);
	assert_true(is_pending(0, 40)); /* in flight, not yet taken */

	ack(0, 40);
	sync(0);
	assert_false(is_pending(0, 40));
	assert_true(is_active(0, 40));
	flush(0);
	assert_int_equal(st(lrs[0][find_lr(0, 40)]), ST_A); /* stays while active */

	eoi(0, 40);
	sync(0);
	assert_false(is_active(0, 40));
	assert_false(is_pending(0, 40));
	assert_false(flush(0));
	assert_int_equal(lr_count(0), 0);
	for (i = 0; i < NLR; i++)
		assert_int_equal(lrs[0][i], 0);
}

static void test_edge_again_while_active(void **state)
{
	(void)state;
	dist_on();
	enable(0, 33);
	vgic_inject_edge(&vg, 0, 33);
	flush(0);
	ack(0, 33);
	sync(0);
	vgic_inject_edge(&vg, 0, 33); /* a second edge while active */
	assert_true(is_pending(0, 33));
	assert_true(is_active(0, 33));
	flush(0);
	assert_int_equal(st(lrs[0][find_lr(0, 33)]), ST_P | ST_A);
	eoi(0, 33);
	sync(0);
	assert_int_equal(run_one(0), 33); /* delivered once more */
	assert_int_equal(run_one(0), -1); /* and only once */

	/* Two edges before the guest takes one: a single delivery. */
	vgic_inject_edge(&vg, 0, 33);
	flush(0);
	vgic_inject_edge(&vg, 0, 33);
	flush(0);
	assert_int_equal(lr_count(0), 1);
	assert_int_equal(run_one(0), 33);
	assert_int_equal(run_one(0), -1);
}

static void test_level_resampled_after_eoi(void **state)
{
	int i;

	(void)state;
	dist_on();
	enable(0, 50); /* SPIs reset level-sensitive */
	assert_int_equal(vgic_set_level(&vg, 0, 50, true), 0);
	assert_true(is_pending(0, 50));
	flush(0);
	i = find_lr(0, 50);
	assert_true(i >= 0);
	assert_true(lrs[0][i] & VGIC_LR_EOI); /* maintenance on deactivation */
	ack(0, 50);
	sync(0);
	flush(0);
	/* Line still high but the interrupt active: not re-pended yet. */
	assert_int_equal(st(lrs[0][find_lr(0, 50)]), ST_A);
	eoi(0, 50);
	sync(0);
	flush(0); /* resampled: still high, so pending again */
	assert_int_equal(st(lrs[0][find_lr(0, 50)]), ST_P);

	ack(0, 50);
	vgic_set_level(&vg, 0, 50, false); /* device handled */
	eoi(0, 50);
	sync(0);
	flush(0);
	assert_int_equal(find_lr(0, 50), -1);
	assert_false(is_pending(0, 50));

	/* The line drops before the guest takes it: withdrawn. */
	vgic_set_level(&vg, 0, 50, true);
	flush(0);
	assert_true(find_lr(0, 50) >= 0);
	take_kicks();
	vgic_set_level(&vg, 0, 50, false);
	assert_int_equal(take_kicks(), 1u << 0); /* the holder must look */
	sync(0);
	flush(0);
	assert_int_equal(find_lr(0, 50), -1);
	assert_int_equal(run_one(0), -1);

	/* ICPENDR cannot clear a level interrupt whose line is high. */
	vgic_set_level(&vg, 0, 50, true);
	dwrite(bitoff(D_ICPENDR, 50), 4, bitreg(50));
	assert_true(is_pending(0, 50));
	assert_int_equal(vgic_set_level(&vg, 0, 50, true), 0); /* no change */
}

static void test_edge_config_and_lines(void **state)
{
	(void)state;
	dist_on();
	enable(0, 60);
	set_edge(0, 60);
	vgic_set_level(&vg, 0, 60, true); /* rising: one edge */
	assert_int_equal(run_one(0), 60);
	assert_int_equal(run_one(0), -1); /* a high line is no new edge */
	vgic_set_level(&vg, 0, 60, false);
	assert_int_equal(run_one(0), -1);
	vgic_set_level(&vg, 0, 60, true);
	assert_int_equal(run_one(0), 60);
	assert_false(lrs[0][0] & VGIC_LR_EOI);
}

static void test_enable_gates_delivery(void **state)
{
	(void)state;
	dist_on();
	take_kicks();
	vgic_inject_edge(&vg, 0, 70);
	assert_int_equal(take_kicks(), 0); /* not deliverable: nobody kicked */
	assert_false(flush(0));
	assert_int_equal(lr_count(0), 0);
	assert_false(vgic_vcpu_has_pending(&vg, 0));

	enable(0, 70);
	assert_int_equal(take_kicks(), 1u << 0);
	assert_true(vgic_vcpu_has_pending(&vg, 0));
	flush(0);
	assert_true(find_lr(0, 70) >= 0);

	disable(0, 70); /* pending in a list register: withdrawn, kept */
	assert_int_equal(take_kicks(), 1u << 0);
	sync(0);
	flush(0);
	assert_int_equal(find_lr(0, 70), -1);
	assert_true(is_pending(0, 70));
	enable(0, 70);
	assert_int_equal(run_one(0), 70);

	/* Disabled while active: stays, so the guest can deactivate it. */
	vgic_inject_edge(&vg, 0, 70);
	flush(0);
	ack(0, 70);
	sync(0);
	disable(0, 70);
	flush(0);
	assert_int_equal(st(lrs[0][find_lr(0, 70)]), ST_A);
	eoi(0, 70);
	sync(0);
	flush(0);
	assert_int_equal(lr_count(0), 0);

	/* Pending and active, then disabled: the pending part waits. */
	enable(0, 70);
	vgic_inject_edge(&vg, 0, 70);
	flush(0);
	ack(0, 70);
	sync(0);
	vgic_inject_edge(&vg, 0, 70);
	flush(0);
	assert_int_equal(st(lrs[0][find_lr(0, 70)]), ST_P | ST_A);
	disable(0, 70);
	sync(0);
	flush(0);
	assert_int_equal(st(lrs[0][find_lr(0, 70)]), ST_A);
	eoi(0, 70);
	sync(0);
	flush(0);
	assert_int_equal(lr_count(0), 0);
	assert_true(is_pending(0, 70));
	enable(0, 70);
	assert_int_equal(run_one(0), 70);
	assert_int_equal(run_one(0), -1);
}

static void test_distributor_enable_gates_delivery(void **state)
{
	(void)state;
	enable(0, 40);
	enable(0, 20);
	vgic_inject_edge(&vg, 0, 40);
	vgic_inject_edge(&vg, 0, 20);
	assert_false(vgic_vcpu_has_pending(&vg, 0));
	assert_int_equal(run_one(0), -1);
	take_kicks();
	dist_on();
	assert_int_equal(take_kicks() & 1, 1);
	flush(0);
	assert_int_equal(lr_count(0), 2);
	dwrite(D_CTLR, 4, 0);
	sync(0);
	flush(0);
	assert_int_equal(lr_count(0), 0);
	assert_true(is_pending(0, 40));
	assert_true(is_pending(0, 20));
}

/* ---- selection ---- */

static void test_priority_order_and_ties(void **state)
{
	static const struct {
		unsigned intid;
		uint8_t prio;
	} in[] = {
		{45, 0xa0}, {33, 0xa0}, {90, 0x20}, {17, 0xa0},
		{34, 0x60}, {5, 0x60},  {120, 0xf0}, {32, 0xa0},
	};
	static const unsigned order[] = {90, 5, 34, 17, 32, 33, 45, 120};

	(void)state;
	dist_on();
	for (unsigned k = 0; k < ARRAY_SIZE(in); k++) {
		enable(0, in[k].intid);
		set_prio(0, in[k].intid, in[k].prio);
		vgic_inject_edge(&vg, 0, in[k].intid);
	}
	assert_true(flush(0)); /* 8 for 4 list registers */
	/* The four best are in, whatever their list register. */
	for (unsigned k = 0; k < NLR; k++)
		assert_true(find_lr(0, order[k]) >= 0);
	for (unsigned k = 0; k < ARRAY_SIZE(order); k++)
		assert_int_equal(run_one(0), (int)order[k]);
	assert_int_equal(run_one(0), -1);
}

static void test_overflow_none_lost(void **state)
{
	unsigned delivered[VGIC_NR_IRQS] = {0};
	unsigned exits = 0, total = 0;

	(void)state;
	dist_on();
	for (unsigned n = 32; n < 52; n++) {
		enable(0, n);
		vgic_inject_edge(&vg, 0, n);
	}
	for (unsigned n = 16; n < 20; n++) {
		enable(0, n);
		vgic_inject_edge(&vg, 0, n);
	}
	/* The guest takes everything in its list registers, then exits. */
	for (;;) {
		bool more = flush(0);

		assert_true(lr_count(0) <= NLR);
		for (int i = 0; i < NLR; i++) {
			if (st(lrs[0][i]) != ST_P)
				continue;
			delivered[lr_intid(lrs[0][i])]++;
			total++;
			ack(0, lr_intid(lrs[0][i]));
			eoi(0, lr_intid(lrs[0][i]));
		}
		sync(0);
		exits++;
		if (!more)
			break;
		assert_true(exits < 100);
	}
	assert_int_equal(total, 24);
	assert_int_equal(exits, 6); /* 24 / 4 */
	for (unsigned n = 32; n < 52; n++)
		assert_int_equal(delivered[n], 1);
	for (unsigned n = 16; n < 20; n++)
		assert_int_equal(delivered[n], 1);
	assert_false(flush(0));
	assert_int_equal(lr_count(0), 0);
}

static void test_overflow_with_active_ones(void **state)
{
	(void)state;
	dist_on();
	/* Four nested active interrupts fill the list registers. */
	for (unsigned n = 0; n < NLR; n++) {
		enable(0, 32 + n);
		set_prio(0, 32 + n, (uint8_t)(0x80 - 0x10 * n));
		vgic_inject_edge(&vg, 0, 32 + n);
		flush(0);
		ack(0, 32 + n);
		sync(0);
	}
	enable(0, 40);
	set_prio(0, 40, 0x00);
	vgic_inject_edge(&vg, 0, 40);
	assert_true(flush(0)); /* active ones are never evicted */
	assert_int_equal(find_lr(0, 40), -1);
	for (int i = 0; i < NLR; i++) /* exit on any deactivation */
		assert_true(lrs[0][i] & VGIC_LR_EOI);
	eoi(0, 35);
	sync(0);
	assert_false(flush(0));
	assert_true(find_lr(0, 40) >= 0);
}

static void test_higher_priority_evicts_pending(void **state)
{
	(void)state;
	dist_on();
	for (unsigned n = 32; n < 32 + NLR; n++) {
		enable(0, n);
		set_prio(0, n, 0x80);
		vgic_inject_edge(&vg, 0, n);
	}
	assert_false(flush(0));
	enable(0, 100);
	set_prio(0, 100, 0x10);
	vgic_inject_edge(&vg, 0, 100);
	assert_true(flush(0)); /* the evicted one waits */
	assert_true(find_lr(0, 100) >= 0);
	assert_int_equal(find_lr(0, 32 + NLR - 1), -1); /* lowest: last INTID */
	assert_true(is_pending(0, 32 + NLR - 1));

	/* Equal priority never evicts. */
	enable(0, 101);
	set_prio(0, 101, 0x80);
	vgic_inject_edge(&vg, 0, 101);
	assert_true(flush(0));
	assert_int_equal(find_lr(0, 101), -1);

	assert_int_equal(run_one(0), 100);
	for (unsigned n = 32; n < 32 + NLR; n++)
		assert_int_equal(run_one(0), (int)n);
	assert_int_equal(run_one(0), 101);
	assert_int_equal(run_one(0), -1);
}

/* ---- targeting ---- */

static uint64_t sgi1r(unsigned intid, unsigned targets, unsigned aff1,
		      unsigned rs, bool irm)
{
	return targets | (uint64_t)aff1 << 16 | (uint64_t)intid << 24 |
	       (uint64_t)rs << 44 | (irm ? BIT(40) : 0);
}

static uint32_t sgi_pending_mask(unsigned intid)
{
	uint32_t m = 0;

	for (unsigned v = 0; v < NV; v++)
		if (is_pending(v, intid))
			m |= 1u << v;
	return m;
}

static void clear_sgi(unsigned intid)
{
	for (unsigned v = 0; v < NV; v++)
		rwrite(v, R_SGI + D_ICPENDR, 4, bitreg(intid));
}

static void test_sgi_targeting(void **state)
{
	(void)state;
	dist_on();
	for (unsigned v = 0; v < NV; v++)
		enable(v, 3);
	take_kicks();
	assert_int_equal(vgic_inject_sgi(&vg, 0, sgi1r(3, 0x6, 0, 0, false)), 0);
	assert_int_equal(sgi_pending_mask(3), 0x6);
	assert_int_equal(take_kicks(), 0x6);
	clear_sgi(3);

	/* Aff1 != 0: no vCPU has that affinity. */
	vgic_inject_sgi(&vg, 0, sgi1r(3, 0x1, 1, 0, false));
	assert_int_equal(sgi_pending_mask(3), 0);
	/* RS = 1 is Aff0 16..31: not vCPU 0. */
	vgic_inject_sgi(&vg, 0, sgi1r(3, 0x1, 0, 1, false));
	assert_int_equal(sgi_pending_mask(3), 0);
	/* Targets beyond the vCPU count are ignored. */
	vgic_inject_sgi(&vg, 1, sgi1r(3, 0xfff8, 0, 0, false));
	assert_int_equal(sgi_pending_mask(3), 0x8);
	clear_sgi(3);
	/* Aff2 and Aff3 count too. */
	vgic_inject_sgi(&vg, 1, sgi1r(3, 1, 0, 0, false) | 1ull << 32);
	vgic_inject_sgi(&vg, 1, sgi1r(3, 1, 0, 0, false) | 1ull << 48);
	assert_int_equal(sgi_pending_mask(3), 0);

	/* IRM = 1: everyone but the sender, whatever the target list. */
	take_kicks();
	vgic_inject_sgi(&vg, 2, sgi1r(3, 0x1, 0, 0, true));
	assert_int_equal(sgi_pending_mask(3), 0xb);
	assert_int_equal(take_kicks(), 0xb);

	/* The INTID field picks the SGI; SGIs are per vCPU. */
	vgic_inject_sgi(&vg, 0, sgi1r(15, 0x2, 0, 0, false));
	assert_false(is_pending(0, 15));
	assert_true(is_pending(1, 15));
	assert_int_equal(run_one(1), 3);
	assert_int_equal(run_one(1), -1); /* SGI 15 is disabled */
	assert_int_equal(run_one(0), 3);
	assert_int_equal(run_one(2), -1); /* sender excluded */
}

static void test_spi_routing(void **state)
{
	(void)state;
	dist_on();
	enable(0, 44);
	route(44, 2);
	take_kicks();
	vgic_inject_edge(&vg, 0, 44);
	assert_int_equal(take_kicks(), 1u << 2);
	assert_int_equal(run_one(0), -1);
	assert_int_equal(run_one(1), -1);
	assert_int_equal(run_one(2), 44);

	/* No such vCPU, or a nonzero Aff1: nobody; pending is kept. */
	route(44, 7);
	vgic_inject_edge(&vg, 0, 44);
	assert_int_equal(take_kicks(), 0);
	for (unsigned v = 0; v < NV; v++)
		assert_int_equal(run_one(v), -1);
	assert_true(is_pending(0, 44));
	route(44, 0x100);
	assert_int_equal(run_one(0), -1);
	route(44, 3); /* becomes deliverable */
	assert_int_equal(take_kicks(), 1u << 3);
	assert_int_equal(run_one(3), 44);

	/* IRM = 1 (any): vCPU 0. */
	route(44, BIT(31) | 3);
	vgic_inject_edge(&vg, 0, 44);
	assert_int_equal(run_one(3), -1);
	assert_int_equal(run_one(0), 44);
}

static void test_retarget_while_in_lr(void **state)
{
	(void)state;
	dist_on();
	enable(0, 47);
	vgic_inject_edge(&vg, 0, 47);
	flush(0);
	assert_true(find_lr(0, 47) >= 0);
	take_kicks();
	route(47, 1); /* pending-only: withdrawn from vCPU 0, goes to 1 */
	assert_true(take_kicks() & 1);
	sync(0);
	flush(0);
	assert_int_equal(find_lr(0, 47), -1);
	assert_true(take_kicks() & 2);
	assert_int_equal(run_one(1), 47);

	/* Active on vCPU 1 when rerouted: vCPU 1 keeps it until it is done;
	 * a new edge meanwhile goes to vCPU 0 only after that. */
	vgic_inject_edge(&vg, 0, 47);
	flush(1);
	ack(1, 47);
	sync(1);
	route(47, 0);
	vgic_inject_edge(&vg, 0, 47);
	flush(0);
	assert_int_equal(find_lr(0, 47), -1); /* never in two list registers */
	flush(1);
	assert_int_equal(st(lrs[1][find_lr(1, 47)]), ST_A);
	assert_true(lrs[1][find_lr(1, 47)] & VGIC_LR_EOI); /* exit when done */
	take_kicks();
	eoi(1, 47);
	sync(1);
	assert_int_equal(take_kicks(), 1u << 0);
	assert_int_equal(run_one(0), 47);
	assert_int_equal(run_one(1), -1);
}

/* ---- HW-mapped interrupts ---- */

static void test_hw_spi(void **state)
{
	uint64_t l;

	(void)state;
	dist_on();
	assert_int_equal(vgic_map_hw(&vg, 0, 48, 78), 0);
	/* Mirrored at once: disabled, level, routed to vCPU 0. */
	assert_int_equal(phys[78].enables, 1);
	assert_false(phys[78].enabled);
	assert_true(phys[78].level);
	assert_int_equal(phys[78].routes, 1);

	enable(0, 48);
	assert_true(phys[78].enabled);
	assert_int_equal(phys[78].enables, 2);
	enable(0, 48); /* no change, no call */
	assert_int_equal(phys[78].enables, 2);
	set_edge(0, 48);
	assert_false(phys[78].level);
	route(48, 2);
	assert_int_equal(phys[78].route, 2);
	route(48, 9); /* no vCPU: the physical route is left alone */
	assert_int_equal(phys[78].route, 2);
	assert_int_equal(phys[78].routes, 2);
	route(48, 1);
	assert_int_equal(phys[78].route, 1);
	set_prio(0, 48, 0x30);

	assert_int_equal(vgic_set_level(&vg, 0, 48, true), -EINVAL);
	assert_int_equal(vgic_inject_hw(&vg, 0, 48), 0);
	flush(1);
	l = lrs[1][find_lr(1, 48)];
	assert_true(l & VGIC_LR_HW);
	assert_int_equal((l & VGIC_LR_PINTID_MASK) >> VGIC_LR_PINTID_SHIFT, 78);
	assert_false(l & VGIC_LR_EOI);
	assert_int_equal((l >> VGIC_LR_PRIO_SHIFT) & 0xff, 0x30);
	ack(1, 48);
	sync(1);
	flush(1);
	assert_true(lrs[1][find_lr(1, 48)] & VGIC_LR_HW);
	eoi(1, 48); /* the hardware deactivates the physical one */
	sync(1);
	flush(1);
	assert_int_equal(lr_count(1), 0);
	assert_int_equal(phys[78].deactivations, 0);

	disable(0, 48);
	assert_false(phys[78].enabled);
	assert_int_equal(vgic_map_hw(&vg, 0, 48, 78), 0); /* same: fine */
	assert_int_equal(vgic_map_hw(&vg, 0, 48, 79), -EBUSY);
	assert_int_equal(vgic_map_hw(&vg, 0, 49, 20), -EINVAL); /* SPI on PPI */
	assert_int_equal(vgic_map_hw(&vg, 0, 20, 49), -EINVAL);
	assert_int_equal(vgic_map_hw(&vg, 0, 3, 3), -EINVAL);   /* SGI */
	assert_int_equal(vgic_map_hw(&vg, 0, 49, 1020), -EINVAL);
	assert_int_equal(vgic_inject_hw(&vg, 0, 49), -EINVAL); /* not mapped */
}

static void test_hw_pending_cleared_deactivates(void **state)
{
	(void)state;
	dist_on();
	vgic_map_hw(&vg, 0, 52, 52);
	vgic_inject_hw(&vg, 0, 52); /* disabled: waits, physical active */
	assert_int_equal(run_one(0), -1);
	dwrite(bitoff(D_ICPENDR, 52), 4, bitreg(52));
	assert_int_equal(phys[52].deactivations, 1);
	assert_false(is_pending(0, 52));

	/* In a list register: ended when the holder updates it. */
	enable(0, 52);
	vgic_inject_hw(&vg, 0, 52);
	flush(0);
	assert_true(lrs[0][find_lr(0, 52)] & VGIC_LR_HW);
	dwrite(bitoff(D_ICPENDR, 52), 4, bitreg(52));
	assert_int_equal(phys[52].deactivations, 1);
	sync(0);
	flush(0);
	assert_int_equal(find_lr(0, 52), -1);
	assert_int_equal(phys[52].deactivations, 2);

	/* Active, then ICACTIVER: the same. */
	vgic_inject_hw(&vg, 0, 52);
	flush(0);
	ack(0, 52);
	sync(0);
	dwrite(bitoff(D_ICACTIVER, 52), 4, bitreg(52));
	flush(0);
	assert_int_equal(find_lr(0, 52), -1);
	assert_int_equal(phys[52].deactivations, 3);

	/* Disabled while pending in a HW list register: it waits, with the
	 * physical activation, and is delivered as HW once enabled. */
	vgic_inject_hw(&vg, 0, 52);
	flush(0);
	disable(0, 52);
	sync(0);
	flush(0);
	assert_int_equal(find_lr(0, 52), -1);
	assert_int_equal(phys[52].deactivations, 3);
	enable(0, 52);
	flush(0);
	assert_true(lrs[0][find_lr(0, 52)] & VGIC_LR_HW);

	/* A guest ISPENDR on a HW interrupt is virtual only: HW = 0. */
	assert_int_equal(run_one(0), 52);
	dwrite(bitoff(D_ISPENDR, 52), 4, bitreg(52));
	flush(0);
	assert_false(lrs[0][find_lr(0, 52)] & VGIC_LR_HW);
	assert_int_equal(run_one(0), 52);
	assert_int_equal(phys[52].deactivations, 3);
}

static void test_hw_vtimer_ppi(void **state)
{
	uint64_t l;

	(void)state;
	dist_on();
	for (unsigned v = 0; v < NV; v++)
		assert_int_equal(vgic_map_hw(&vg, v, 27, 27), 0);
	assert_int_equal(phys[27].enables + phys[27].routes, 0); /* SPIs only */
	enable(1, 27);
	set_prio(1, 27, 0xa0);
	assert_int_equal(vgic_inject_hw(&vg, 1, 27), 0);
	assert_int_equal(run_one(0), -1);
	flush(1);
	l = lrs[1][find_lr(1, 27)];
	assert_true(l & VGIC_LR_HW);
	assert_int_equal((l & VGIC_LR_PINTID_MASK) >> VGIC_LR_PINTID_SHIFT, 27);
	assert_false(l & VGIC_LR_EOI);
	ack(1, 27);
	sync(1);

	/* vCPU reset with the timer active in a list register. */
	vgic_vcpu_reset(&vg, 1);
	assert_int_equal(phys[27].deactivations, 1);
	assert_int_equal(phys[27].deact_vcpu, 1);
	assert_false(is_active(1, 27));
	flush(1);
	assert_int_equal(lr_count(1), 0);
	/* The mapping survives the reset. */
	enable(1, 27);
	vgic_inject_hw(&vg, 1, 27);
	flush(1);
	assert_true(lrs[1][find_lr(1, 27)] & VGIC_LR_HW);
	/* Reset with it pending (physical acknowledged by EL2): ended. */
	vgic_vcpu_reset(&vg, 1);
	assert_int_equal(phys[27].deactivations, 2);
	vgic_inject_hw(&vg, 1, 27); /* pending, disabled, not in a list reg */
	vgic_vcpu_reset(&vg, 1);
	assert_int_equal(phys[27].deactivations, 3);
}

/*
 * A level source behind a HW interrupt: what the guest sees follows the
 * line, not the edge the hypervisor took. The guest masks its timer at the
 * GIC, the timer fires (latched: the physical one stays active), the guest
 * stops the timer (the line drops), unmasks: nothing arrives, nothing
 * shows pending, and the physical activation is ended so the timer can
 * fire again. Likewise for a level SPI; an edge SPI keeps its latch, and so
 * does a line that cannot be read from here.
 */
static void test_hw_level_line_is_resampled(void **state)
{
	(void)state;
	dist_on();
	assert_int_equal(vgic_map_hw(&vg, 0, 27, 27), 0);
	phys[27].line_known = true;
	phys[27].line = true;
	assert_int_equal(vgic_inject_hw(&vg, 0, 27), 0); /* masked: latched */
	assert_true(is_pending(0, 27));  /* the line is still high */
	assert_int_equal(phys[27].deactivations, 0);
	phys[27].line = false;           /* the guest stopped its timer */
	assert_false(is_pending(0, 27));
	assert_int_equal(phys[27].deactivations, 1);
	assert_int_equal(phys[27].deact_vcpu, 0);
	assert_int_equal(phys[27].line_vcpu, 0);
	enable(0, 27);
	flush(0);
	assert_int_equal(lr_count(0), 0);
	assert_int_equal(phys[27].deactivations, 1); /* once */

	/* Unmasked with the line still high: delivered, HW. */
	disable(0, 27);
	phys[27].line = true;
	vgic_inject_hw(&vg, 0, 27);
	enable(0, 27);
	flush(0);
	assert_true(lrs[0][find_lr(0, 27)] & VGIC_LR_HW);
	ack(0, 27);
	eoi(0, 27);
	sync(0);

	/* The line dropped between the physical interrupt and the entry. */
	vgic_inject_hw(&vg, 0, 27);
	phys[27].line = false;
	flush(0);
	assert_int_equal(lr_count(0), 0);
	assert_int_equal(phys[27].deactivations, 2);

	/* Not readable from here (the vCPU runs elsewhere): the latch holds. */
	phys[27].line_known = false;
	vgic_inject_hw(&vg, 0, 27);
	flush(0);
	assert_true(lrs[0][find_lr(0, 27)] & VGIC_LR_HW);
	ack(0, 27);
	eoi(0, 27);
	sync(0);

	/* A level SPI: the same; an edge one is never resampled. */
	assert_int_equal(vgic_map_hw(&vg, 0, 48, 78), 0);
	phys[78].line_known = true;
	vgic_inject_hw(&vg, 0, 48); /* disabled: latched */
	assert_false(is_pending(0, 48));
	assert_int_equal(phys[78].deactivations, 1);
	set_edge(0, 48);
	phys[78].line_reads = 0;
	vgic_inject_hw(&vg, 0, 48);
	assert_true(is_pending(0, 48));
	enable(0, 48);
	flush(0);
	assert_true(lrs[0][find_lr(0, 48)] & VGIC_LR_HW);
	assert_int_equal(phys[78].line_reads, 0);
}

/* ---- reset ---- */

static void test_vcpu_reset(void **state)
{
	(void)state;
	dist_on();
	enable(1, 20);
	enable(1, 2);
	set_prio(1, 20, 0x40);
	rwrite(1, R_SGI + D_ICFGR + 4, 4, 0xffffffff); /* PPIs edge */
	rwrite(1, R_WAKER, 4, 0);
	vgic_inject_edge(&vg, 1, 20);
	vgic_inject_edge(&vg, 1, 2);
	enable(0, 41);
	enable(0, 42);
	route(41, 1);
	route(42, 1);
	vgic_inject_edge(&vg, 0, 41);
	vgic_inject_edge(&vg, 0, 42);
	flush(1);
	ack(1, 42);
	sync(1);
	assert_int_equal(lr_count(1), 4);

	vgic_vcpu_reset(&vg, 1);
	assert_int_equal(rread(1, R_SGI + D_ISENABLER, 4), 0);
	assert_int_equal(rread(1, R_SGI + D_ISPENDR, 4), 0);
	assert_int_equal(rread(1, R_SGI + D_ISACTIVER, 4), 0);
	for (unsigned n = 0; n < 32; n += 4)
		assert_int_equal(rread(1, R_SGI + D_IPRIORITYR + n, 4), 0);
	assert_int_equal(rread(1, R_SGI + D_ICFGR, 4), 0xaaaaaaaa);
	assert_int_equal(rread(1, R_SGI + D_ICFGR + 4, 4), 0);
	assert_int_equal(rread(1, R_WAKER, 4), 6);
	/* SPI 41 had not been taken: still pending; 42 was active: dropped. */
	assert_true(is_pending(0, 41));
	assert_false(is_active(0, 42));
	assert_false(is_pending(0, 42));
	/* Distributor state of SPIs is not the vCPU's. */
	assert_true(dread(bitoff(D_ISENABLER, 41), 4) & bitreg(41));
	flush(1);
	assert_int_equal(lr_count(1), 1);
	assert_true(find_lr(1, 41) >= 0);
	assert_int_equal(run_one(1), 41);
	/* Other vCPUs are untouched. */
	enable(0, 20);
	vgic_inject_edge(&vg, 0, 20);
	vgic_vcpu_reset(&vg, 1);
	assert_true(is_pending(0, 20));
}

static void test_vm_reset(void **state)
{
	(void)state;
	dist_on();
	vgic_map_hw(&vg, 0, 40, 40);
	enable(0, 40);
	enable(0, 41);
	set_prio(0, 41, 0x10);
	route(41, 3);
	dwrite(D_ICFGR + 8, 4, 0xaaaaaaaa);
	vgic_inject_hw(&vg, 0, 40);
	vgic_inject_edge(&vg, 0, 41);
	flush(0);
	assert_true(find_lr(0, 40) >= 0);

	vgic_reset(&vg);
	assert_int_equal(phys[40].deactivations, 1);
	assert_false(phys[40].enabled);
	assert_true(phys[40].level);
	assert_int_equal(dread(D_CTLR, 4), 0x50);
	for (unsigned n = 32; n < VGIC_NR_IRQS; n += 32) {
		assert_int_equal(dread(bitoff(D_ISENABLER, n), 4), 0);
		assert_int_equal(dread(bitoff(D_ISPENDR, n), 4), 0);
		assert_int_equal(dread(bitoff(D_ISACTIVER, n), 4), 0);
	}
	assert_int_equal(dread(D_IPRIORITYR + 40, 4), 0);
	assert_int_equal(dread(D_ICFGR + 8, 4), 0);
	assert_int_equal(dread(D_IROUTER + 41 * 8, 8), 0);
	flush(0);
	assert_int_equal(lr_count(0), 0);
	/* HW mapping kept. */
	dist_on();
	enable(0, 40);
	vgic_inject_hw(&vg, 0, 40);
	flush(0);
	assert_true(lrs[0][find_lr(0, 40)] & VGIC_LR_HW);
}

/* ---- misc behaviour ---- */

static void test_kicks_and_has_pending(void **state)
{
	(void)state;
	dist_on();
	enable(2, 18);
	take_kicks();
	vgic_inject_edge(&vg, 2, 18);
	assert_int_equal(take_kicks(), 1u << 2);
	assert_true(vgic_vcpu_has_pending(&vg, 2));
	assert_false(vgic_vcpu_has_pending(&vg, 1));
	vgic_inject_edge(&vg, 2, 18); /* already pending: no new kick */
	assert_int_equal(take_kicks(), 0);
	flush(2);
	assert_int_equal(take_kicks(), 0); /* a vCPU never kicks itself */
	assert_true(vgic_vcpu_has_pending(&vg, 2)); /* in flight */
	ack(2, 18);
	sync(2);
	assert_false(vgic_vcpu_has_pending(&vg, 2));
	vgic_inject_edge(&vg, 2, 18); /* while in vCPU 2's list register */
	assert_int_equal(take_kicks(), 1u << 2);
	assert_true(vgic_vcpu_has_pending(&vg, 2));
	assert_false(vgic_vcpu_has_pending(&vg, NV));
}

static void test_sync_ignores_foreign_lr(void **state)
{
	(void)state;
	dist_on();
	enable(0, 40);
	vgic_inject_edge(&vg, 0, 40);
	flush(0);
	host_log_reset();
	lrs[0][find_lr(0, 40)] = 41; /* the glue lost track: not INTID 40 */
	sync(0);
	assert_int_equal(host_log_lines[LOG_ERROR], 1);
	assert_true(is_pending(0, 40));
	flush(0); /* rewritten from the state */
	assert_int_equal(st(lrs[0][find_lr(0, 40)]), ST_P);
}

/* ---- distributor registers ---- */

static void test_gicd_ident_and_control(void **state)
{
	static const uint32_t ids[][2] = {
		{0xffd0, 0x44}, {0xffd4, 0}, {0xffd8, 0}, {0xffdc, 0},
		{0xffe0, 0x54}, {0xffe4, 0xb0}, {0xffe8, 0x3b}, {0xffec, 0},
		{0xfff0, 0x0d}, {0xfff4, 0xf0}, {0xfff8, 0x05}, {0xfffc, 0xb1},
	};

	(void)state;
	assert_int_equal(dread(D_CTLR, 4), 0x50); /* ARE, DS */
	dist_on();
	assert_int_equal(dread(D_CTLR, 4), 0x52);
	dwrite(D_CTLR, 4, 0xffffffff); /* RWP, E1NWF, Grp0: not writable */
	assert_int_equal(dread(D_CTLR, 4), 0x52);
	dwrite(D_CTLR, 4, 0);
	assert_int_equal(dread(D_CTLR, 4), 0x50);

	assert_int_equal(dread(D_TYPER, 4), 3 | 9u << 19 | 1u << 26);
	assert_int_equal(dread(D_TYPER, 4) & 0x1f, VGIC_NR_IRQS / 32 - 1);
	assert_int_equal(dread(D_TYPER, 4) & (BIT(16) | BIT(17) | BIT(10)), 0);
	assert_int_equal(dread(D_IIDR, 4), 0x5400043b);
	assert_int_equal(dread(D_TYPER2, 4), 0);
	assert_int_equal(dread(D_STATUSR, 4), 0);
	dwrite(D_STATUSR, 4, 0xf);
	assert_int_equal(dread(D_STATUSR, 4), 0);
	for (unsigned k = 0; k < ARRAY_SIZE(ids); k++) {
		assert_int_equal(dread(ids[k][0], 4), ids[k][1]);
		dwrite(ids[k][0], 4, 0x12);
		assert_int_equal(dread(ids[k][0], 4), ids[k][1]);
	}
	assert_int_equal((dread(ID_PIDR2, 4) >> 4) & 0xf, 3); /* GICv3 */
	dwrite(D_TYPER, 4, 0);
	assert_int_equal(dread(D_TYPER, 4) & 0x1f, 3);
	assert_int_equal(host_log_lines[LOG_WARN], 0);
}

static void test_gicd_bit_registers(void **state)
{
	(void)state;
	/* IGROUPR: Group 1 only (RAO/WI) for SPIs; register 0 belongs to the
	 * redistributor; INTIDs past the last SPI do not exist. */
	assert_int_equal(dread(D_IGROUPR, 4), 0);
	for (unsigned n = 1; n < 4; n++)
		assert_int_equal(dread(D_IGROUPR + n * 4, 4), 0xffffffff);
	dwrite(D_IGROUPR + 4, 4, 0);
	assert_int_equal(dread(D_IGROUPR + 4, 4), 0xffffffff);
	assert_int_equal(dread(D_IGROUPR + 16, 4), 0);

	/* Set/clear pairs: 1 bits act, 0 bits leave alone, both read state. */
	static const unsigned pairs[][2] = {
		{D_ISENABLER, D_ICENABLER},
		{D_ISPENDR, D_ICPENDR},
		{D_ISACTIVER, D_ICACTIVER},
	};
	for (unsigned k = 0; k < ARRAY_SIZE(pairs); k++) {
		unsigned set = pairs[k][0], clr = pairs[k][1];

		assert_int_equal(dread(set + 4, 4), 0);
		dwrite(set + 4, 4, 0x00ff00f0);
		dwrite(set + 4, 4, 0x0000000f);
		assert_int_equal(dread(set + 4, 4), 0x00ff00ff);
		assert_int_equal(dread(clr + 4, 4), 0x00ff00ff);
		dwrite(clr + 4, 4, 0x000f0001);
		assert_int_equal(dread(set + 4, 4), 0x00f000fe);
		dwrite(clr + 4, 4, 0);
		assert_int_equal(dread(clr + 4, 4), 0x00f000fe);
		dwrite(set + 12, 4, 0xffffffff); /* INTIDs 96..127 */
		assert_int_equal(dread(set + 12, 4), 0xffffffff);
		dwrite(clr + 12, 4, 0xffffffff);
		assert_int_equal(dread(set + 12, 4), 0);
		/* SGIs/PPIs are not the distributor's; nor INTIDs >= 128. */
		dwrite(set, 4, 0xffffffff);
		assert_int_equal(dread(set, 4), 0);
		assert_int_equal(rread(0, R_SGI + set, 4), 0);
		dwrite(set + 16, 4, 0xffffffff);
		assert_int_equal(dread(set + 16, 4), 0);
		dwrite(clr + 4, 4, 0xffffffff);
	}
	/* Linux at boot: clear everything, then enable one. */
	for (unsigned n = 32; n < 1024; n += 32) {
		dwrite(bitoff(D_ICACTIVER, n), 4, 0xffffffff);
		dwrite(bitoff(D_ICENABLER, n), 4, 0xffffffff);
	}
	enable(0, 79);
	assert_int_equal(dread(bitoff(D_ISENABLER, 79), 4), bitreg(79));
	assert_int_equal(host_log_lines[LOG_WARN], 0);
}

static void test_gicd_priority_bytes(void **state)
{
	(void)state;
	assert_int_equal(dread(D_IPRIORITYR + 32, 4), 0);
	dwrite(D_IPRIORITYR + 33, 1, 0xa0);
	dwrite(D_IPRIORITYR + 35, 1, 0x11);
	assert_int_equal(dread(D_IPRIORITYR + 32, 4), 0x1100a000);
	assert_int_equal(dread(D_IPRIORITYR + 33, 1), 0xa0);
	dwrite(D_IPRIORITYR + 124, 4, 0x04030201);
	assert_int_equal(dread(D_IPRIORITYR + 127, 1), 0x04);
	assert_int_equal(dread(D_IPRIORITYR + 124, 1), 0x01);
	assert_int_equal(dread(D_IPRIORITYR + 124, 4), 0x04030201);
	/* Private ones (IPRIORITYR0-7) and missing INTIDs: RAZ/WI. */
	dwrite(D_IPRIORITYR + 0, 4, 0xffffffff);
	dwrite(D_IPRIORITYR + 28, 1, 0xff);
	assert_int_equal(dread(D_IPRIORITYR + 0, 4), 0);
	assert_int_equal(dread(D_IPRIORITYR + 28, 1), 0);
	assert_int_equal(rread(0, R_SGI + D_IPRIORITYR + 28, 1), 0);
	dwrite(D_IPRIORITYR + 128, 4, 0xffffffff);
	assert_int_equal(dread(D_IPRIORITYR + 128, 4), 0);
	assert_int_equal(dread(D_IPRIORITYR + 0x3fc, 4), 0);
	assert_int_equal(host_log_lines[LOG_WARN], 0);
}

static void test_gicd_config(void **state)
{
	(void)state;
	for (unsigned n = 2; n < 8; n++)
		assert_int_equal(dread(D_ICFGR + n * 4, 4), 0); /* level */
	dwrite(D_ICFGR + 8, 4, 0xaaaaaaaa);
	assert_int_equal(dread(D_ICFGR + 8, 4), 0xaaaaaaaa);
	dwrite(D_ICFGR + 12, 4, 0xffffffff); /* odd bits are reserved */
	assert_int_equal(dread(D_ICFGR + 12, 4), 0xaaaaaaaa);
	dwrite(D_ICFGR + 12, 4, 0x8);
	assert_int_equal(dread(D_ICFGR + 12, 4), 0x8);
	/* SGIs/PPIs (ICFGR0-1) and INTIDs >= 128: RAZ/WI here. */
	dwrite(D_ICFGR + 4, 4, 0xaaaaaaaa);
	assert_int_equal(dread(D_ICFGR, 4), 0);
	assert_int_equal(dread(D_ICFGR + 4, 4), 0);
	assert_int_equal(rread(0, R_SGI + D_ICFGR + 4, 4), 0);
	dwrite(D_ICFGR + 32, 4, 0xaaaaaaaa);
	assert_int_equal(dread(D_ICFGR + 32, 4), 0);
}

static void test_gicd_raz_wi(void **state)
{
	static const unsigned regs[] = {
		D_TYPER2, D_STATUSR, 0x0040, 0x0048, D_ITARGETSR + 32,
		D_ITARGETSR + 0x3fc, D_IGRPMODR + 4, D_NSACR + 8, 0x0f10,
		0x0f20, 0x0f80, 0x1000, 0x2000, 0x8000, 0xc000, 0xffcc,
	};

	(void)state;
	dist_on();
	for (unsigned n = 32; n < 128; n++)
		enable(0, n);
	for (unsigned k = 0; k < ARRAY_SIZE(regs); k++) {
		dwrite(regs[k], 4, 0xffffffff);
		assert_int_equal(dread(regs[k], 4), 0);
	}
	dwrite(D_ITARGETSR + 40, 1, 0xff); /* byte-accessible, RAZ/WI */
	assert_int_equal(dread(D_ITARGETSR + 40, 1), 0);
	/* GICD_SGIR is ignored under affinity routing. */
	dwrite(D_SGIR, 4, (1u << 16) | 3);
	for (unsigned v = 0; v < NV; v++)
		assert_int_equal(rread(v, R_SGI + D_ISPENDR, 4), 0);
	/* None of this made anything pending. */
	for (unsigned v = 0; v < NV; v++)
		assert_int_equal(run_one(v), -1);
	assert_int_equal(host_log_lines[LOG_WARN], 0);
}

static void test_gicd_irouter(void **state)
{
	(void)state;
	for (unsigned n = 32; n < VGIC_NR_IRQS; n++)
		assert_int_equal(dread(D_IROUTER + n * 8, 8), 0);
	route(40, 0x0000000000000002ull);
	assert_int_equal(dread(D_IROUTER + 40 * 8, 8), 2);
	/* Aff3 (A3V = 0) and bits 24-30 are RES0. */
	route(41, 0xffffffffffffffffull);
	assert_int_equal(dread(D_IROUTER + 41 * 8, 8), 0x80ffffffull);
	/* 32-bit halves. */
	dwrite(D_IROUTER + 42 * 8, 4, 0x80000001);
	dwrite(D_IROUTER + 42 * 8 + 4, 4, 0xff);
	assert_int_equal(dread(D_IROUTER + 42 * 8, 8), 0x80000001);
	assert_int_equal(dread(D_IROUTER + 42 * 8, 4), 0x80000001);
	assert_int_equal(dread(D_IROUTER + 42 * 8 + 4, 4), 0);
	dwrite(D_IROUTER + 42 * 8, 4, 0x00000003);
	assert_int_equal(dread(D_IROUTER + 42 * 8, 8), 3);
	/* Boot: Linux routes every SPI to its boot CPU with 64-bit writes. */
	for (unsigned n = 32; n < VGIC_NR_IRQS; n++)
		route(n, 0);
	assert_int_equal(dread(D_IROUTER + 127 * 8, 8), 0);
	/* IROUTER<n> for n < 32 and past the last SPI: RAZ/WI. */
	route(31, 1);
	assert_int_equal(dread(D_IROUTER + 31 * 8, 8), 0);
	route(128, 1);
	assert_int_equal(dread(D_IROUTER + 128 * 8, 8), 0);
	assert_int_equal(host_log_lines[LOG_WARN], 0);
	/* A byte access to IROUTER is not allowed: RAZ/WI, logged. */
	route(40, 2);
	dwrite(D_IROUTER + 40 * 8, 1, 3);
	assert_int_equal(dread(D_IROUTER + 40 * 8, 1), 0);
	assert_int_equal(dread(D_IROUTER + 40 * 8, 8), 2);
	assert_int_equal(host_log_lines[LOG_WARN], 2);
}

static void test_gicd_bad_sizes_and_alignment(void **state)
{
	(void)state;
	dist_on();
	/* Misaligned, odd sizes, past the frame: RAZ/WI, never an error. */
	assert_int_equal(dread(D_CTLR + 1, 1), 0);
	assert_int_equal(dread(D_CTLR, 2), 0);
	assert_int_equal(dread(D_CTLR, 8), 0);
	dwrite(D_CTLR, 2, 0);
	assert_int_equal(dread(D_CTLR, 4), 0x52); /* not disabled */
	assert_int_equal(dread(D_TYPER + 2, 2), 0);
	assert_int_equal(dread(D_IIDR, 1), 0);
	assert_int_equal(dread(0xffe8, 1), 0);
	dwrite(D_ISENABLER + 4, 1, 0xff); /* bit registers: words only */
	dwrite(D_ISENABLER + 4, 8, 0xff);
	dwrite(D_ISENABLER + 6, 2, 0xff);
	assert_int_equal(dread(D_ISENABLER + 4, 4), 0);
	assert_int_equal(dread(D_ISENABLER + 4, 8), 0);
	dwrite(D_IPRIORITYR + 34, 2, 0xffff);
	assert_int_equal(dread(D_IPRIORITYR + 32, 4), 0);
	assert_int_equal(dread(D_IPRIORITYR + 32, 8), 0);
	assert_int_equal(dread(D_IPRIORITYR + 33, 4), 0); /* misaligned */
	assert_int_equal(dread(TESSERA_VGIC_GICD_SIZE, 4), 0);
	assert_int_equal(host_log_lines[LOG_WARN], LOG_RATELIMIT_BURST);
	assert_int_equal(host_log_count("vm vm0: vGIC: unsupported"),
			 LOG_RATELIMIT_BURST);
	vgic_log_summaries(&vg);
	assert_int_equal(host_log_count("vm vm0: 7 of 15 \"vGIC: unsupported "
					"access\" lines suppressed"), 1);
}

/* ---- redistributor registers ---- */

static void test_gicr_rd_frame(void **state)
{
	(void)state;
	for (unsigned v = 0; v < NV; v++) {
		uint64_t t = rread(v, R_TYPER, 8);

		assert_int_equal(t >> 32, v);            /* Affinity 0.0.0.v */
		assert_int_equal((t >> 8) & 0xffff, v);  /* Processor_Number */
		assert_int_equal(!!(t & BIT(4)), v == NV - 1); /* Last */
		assert_int_equal(t & BIT(0), 0);         /* no PLPIS */
		assert_int_equal(rread(v, R_TYPER, 4), t & 0xffffffff);
		assert_int_equal(rread(v, R_TYPER + 4, 4), t >> 32);
		rwrite(v, R_TYPER, 8, 0);
		assert_int_equal(rread(v, R_TYPER, 8), t);

		assert_int_equal(rread(v, R_CTLR, 4), 0);
		rwrite(v, R_CTLR, 4, 1); /* EnableLPIs: no LPIs */
		assert_int_equal(rread(v, R_CTLR, 4), 0);
		assert_int_equal(rread(v, R_IIDR, 4), 0x5400043b);
		assert_int_equal(rread(v, R_STATUSR, 4), 0);
		assert_int_equal(rread(v, 0xffe8, 4), 0x3b);
		rwrite(v, R_PROPBASER, 8, 0x12345000);
		rwrite(v, R_PENDBASER, 8, 0x12345000);
		assert_int_equal(rread(v, R_PROPBASER, 8), 0);
		assert_int_equal(rread(v, R_PENDBASER, 8), 0);
		assert_int_equal(rread(v, R_PENDBASER + 4, 4), 0);
	}
	/* WAKER: asleep at reset; ChildrenAsleep follows ProcessorSleep. */
	assert_int_equal(rread(2, R_WAKER, 4), 6);
	rwrite(2, R_WAKER, 4, 0);
	assert_int_equal(rread(2, R_WAKER, 4), 0);
	assert_int_equal(rread(1, R_WAKER, 4), 6); /* per vCPU */
	rwrite(2, R_WAKER, 4, 4);                  /* ChildrenAsleep is RO */
	assert_int_equal(rread(2, R_WAKER, 4), 0);
	rwrite(2, R_WAKER, 4, 2);
	assert_int_equal(rread(2, R_WAKER, 4), 6);

	/* Past the last vCPU: RAZ/WI, no Last bit there to find. */
	assert_int_equal(rread(NV, R_TYPER, 8), 0);
	assert_int_equal(rread(NV, 0xffe8, 4), 0);
	rwrite(NV, R_SGI + D_ISENABLER, 4, 0xffffffff);
	assert_int_equal(rread(NV, R_SGI + D_ISENABLER, 4), 0);
	assert_int_equal(host_log_lines[LOG_WARN], 0);
	/* Odd sizes and misalignment: RAZ/WI. */
	assert_int_equal(rread(0, R_TYPER + 2, 2), 0);
	assert_int_equal(rread(0, R_TYPER + 4, 8), 0);
	assert_int_equal(rread(0, R_WAKER, 1), 0);
	rwrite(1, R_WAKER, 2, 0);
	assert_int_equal(rread(1, R_WAKER, 4), 6);
	assert_int_equal(host_log_lines[LOG_WARN], 4);
}

static void test_gicr_sgi_frame(void **state)
{
	(void)state;
	assert_int_equal(rread(0, R_SGI + D_IGROUPR, 4), 0xffffffff);
	rwrite(0, R_SGI + D_IGROUPR, 4, 0);
	assert_int_equal(rread(0, R_SGI + D_IGROUPR, 4), 0xffffffff);
	/* What Linux does per CPU: clear active, enable SGIs, disable PPIs. */
	rwrite(1, R_SGI + D_ICACTIVER, 4, 0xffffffff);
	rwrite(1, R_SGI + D_ICENABLER, 4, 0xffff0000);
	rwrite(1, R_SGI + D_ISENABLER, 4, 0x0000ffff);
	assert_int_equal(rread(1, R_SGI + D_ISENABLER, 4), 0xffff);
	assert_int_equal(rread(0, R_SGI + D_ISENABLER, 4), 0); /* per vCPU */
	rwrite(1, R_SGI + D_ICENABLER, 4, 0x3);
	assert_int_equal(rread(1, R_SGI + D_ICENABLER, 4), 0xfffc);
	rwrite(1, R_SGI + D_ISPENDR, 4, 0x10010);
	assert_int_equal(rread(1, R_SGI + D_ISPENDR, 4), 0x10010);
	rwrite(1, R_SGI + D_ICPENDR, 4, 0x10);
	assert_int_equal(rread(1, R_SGI + D_ICPENDR, 4), 0x10000);
	rwrite(1, R_SGI + D_ISACTIVER, 4, 0x80000000);
	assert_int_equal(rread(1, R_SGI + D_ISACTIVER, 4), 0x80000000);
	rwrite(1, R_SGI + D_ICACTIVER, 4, 0x80000000);
	assert_int_equal(rread(1, R_SGI + D_ICACTIVER, 4), 0);

	for (unsigned n = 0; n < 32; n++)
		rwrite(2, R_SGI + D_IPRIORITYR + n, 1, (uint8_t)(0x80 + n));
	assert_int_equal(rread(2, R_SGI + D_IPRIORITYR, 4), 0x83828180);
	assert_int_equal(rread(2, R_SGI + D_IPRIORITYR + 28, 4), 0x9f9e9d9c);
	rwrite(2, R_SGI + D_IPRIORITYR + 4, 4, 0xa0a0a0a0);
	assert_int_equal(rread(2, R_SGI + D_IPRIORITYR + 5, 1), 0xa0);
	assert_int_equal(rread(3, R_SGI + D_IPRIORITYR + 5, 1), 0);

	/* SGIs: edge, read-only. PPIs: level by default, programmable. */
	assert_int_equal(rread(0, R_SGI + D_ICFGR, 4), 0xaaaaaaaa);
	rwrite(0, R_SGI + D_ICFGR, 4, 0);
	assert_int_equal(rread(0, R_SGI + D_ICFGR, 4), 0xaaaaaaaa);
	assert_int_equal(rread(0, R_SGI + D_ICFGR + 4, 4), 0);
	rwrite(0, R_SGI + D_ICFGR + 4, 4, 0x00000002);
	assert_int_equal(rread(0, R_SGI + D_ICFGR + 4, 4), 2);

	/* IGRPMODR0, NSACR, extended PPI registers: RAZ/WI. */
	rwrite(0, R_SGI + D_IGRPMODR, 4, 0xffffffff);
	rwrite(0, R_SGI + D_NSACR, 4, 0xffffffff);
	rwrite(0, R_SGI + D_ISENABLER + 4, 4, 0xffffffff);
	rwrite(0, R_SGI + D_IPRIORITYR + 32, 4, 0xffffffff);
	assert_int_equal(rread(0, R_SGI + D_IGRPMODR, 4), 0);
	assert_int_equal(rread(0, R_SGI + D_NSACR, 4), 0);
	assert_int_equal(rread(0, R_SGI + D_ISENABLER + 4, 4), 0);
	assert_int_equal(rread(0, R_SGI + D_IPRIORITYR + 32, 4), 0);
	assert_int_equal(rread(0, R_SGI + D_ISENABLER, 4), 0);
	assert_int_equal(host_log_lines[LOG_WARN], 0);
	rwrite(0, R_SGI + D_ISENABLER, 2, 0xffff); /* not a word */
	assert_int_equal(rread(0, R_SGI + D_ISENABLER, 4), 0);
	assert_int_equal(host_log_lines[LOG_WARN], 1);
}

/* ---- concurrency ---- */

#define RACE_SPIS 24   /* edge SPIs 32..55, thread A */
#define RACE_LEVEL 8   /* level SPIs 64..71, thread A */
#define RACE_SGIS 8    /* SGIs 0..7 from vCPU 1, thread B */
#define RACE_PPIS 8    /* edge PPIs 16..23, thread B */
#define RACE_ROUNDS 3000

static unsigned outstanding[VGIC_NR_IRQS]; /* injected, not yet taken */
static unsigned long injected[VGIC_NR_IRQS], taken[VGIC_NR_IRQS];
static unsigned long duplicates, lost;
static int injectors_left;

/* Hang detectors, not timing checks: a loaded host (or TSAN's slowness)
 * may take long, but never this long without any progress. */
#define RACE_STALL_S 60

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait until intid's last injection was taken; false on a timeout. */
static bool wait_taken(unsigned intid)
{
	double deadline = now_s() + RACE_STALL_S;

	while (__atomic_load_n(&outstanding[intid], __ATOMIC_ACQUIRE)) {
		if (now_s() > deadline)
			return false;
		sched_yield();
	}
	return true;
}

/* Injector A: edge SPIs 32.. and level SPIs 64..; B: SGIs 0.. from vCPU 1
 * and edge PPIs 16... Each waits for its previous injection to be taken. */
static unsigned race_intid(bool b, unsigned k)
{
	if (!b)
		return k < RACE_SPIS ? 32 + k : 64 + k - RACE_SPIS;
	return k < RACE_SGIS ? k : 16 + k - RACE_SGIS;
}

static void *injector(void *arg)
{
	bool b = arg != NULL;
	unsigned per_round = b ? RACE_SGIS + RACE_PPIS : RACE_SPIS + RACE_LEVEL;

	for (unsigned r = 0; r < RACE_ROUNDS; r++) {
		for (unsigned k = 0; k < per_round; k++) {
			unsigned intid = race_intid(b, k);

			if (!wait_taken(intid)) {
				__atomic_fetch_add(&lost, 1, __ATOMIC_RELAXED);
				goto out;
			}
			__atomic_store_n(&outstanding[intid], 1,
					 __ATOMIC_RELEASE);
			injected[intid]++;
			if (intid < 16)
				vgic_inject_sgi(&vg, 1, sgi1r(intid, 1, 0, 0,
							     false));
			else if (intid >= 64)
				vgic_set_level(&vg, 0, intid, true);
			else
				vgic_inject_edge(&vg, 0, intid);
		}
	}
out:
	__atomic_fetch_sub(&injectors_left, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* vCPU 0: take what is pending, complete some of the active ones. */
static void *vcpu_thread(void *arg)
{
	uint64_t rng = 0x9e3779b97f4a7c15ull;
	double deadline = now_s() + RACE_STALL_S;

	(void)arg;
	for (;;) {
		bool idle = true;

		flush(0);
		for (int i = 0; i < NLR; i++) {
			unsigned intid = lr_intid(lrs[0][i]);

			rng = rng * 6364136223846793005ull + 1442695040888963407ull;
			if (st(lrs[0][i]) == ST_P) {
				idle = false;
				lrs[0][i] ^= VGIC_LR_PENDING | VGIC_LR_ACTIVE;
				if (intid >= 64) /* the device drops its line */
					vgic_set_level(&vg, 0, intid, false);
				if (__atomic_exchange_n(&outstanding[intid], 0,
							__ATOMIC_ACQ_REL) != 1)
					duplicates++;
				taken[intid]++;
			}
			if ((st(lrs[0][i]) & ST_A) && (rng >> 40) % 4) {
				idle = false;
				lrs[0][i] &= ~VGIC_LR_ACTIVE;
			}
		}
		sync(0);
		if (!idle)
			deadline = now_s() + RACE_STALL_S;
		if (idle && !__atomic_load_n(&injectors_left, __ATOMIC_ACQUIRE) &&
		    !vgic_vcpu_has_pending(&vg, 0))
			break;
		if (now_s() > deadline) {
			__atomic_fetch_add(&lost, 1, __ATOMIC_RELAXED);
			break;
		}
	}
	return NULL;
}

static void test_concurrent_injection(void **state)
{
	pthread_t a, b, c;
	unsigned long total = 0;

	(void)state;
	setenv("TESSERA_TEST_QUIET", "1", 1);
	dist_on();
	for (unsigned n = 32; n < 32 + RACE_SPIS; n++) {
		enable(0, n);
		set_edge(0, n);
	}
	for (unsigned n = 64; n < 64 + RACE_LEVEL; n++)
		enable(0, n);
	for (unsigned n = 0; n < RACE_SGIS; n++)
		enable(0, n);
	for (unsigned n = 16; n < 16 + RACE_PPIS; n++) {
		enable(0, n);
		set_edge(0, n);
		set_prio(0, n, 0x40);
	}
	injectors_left = 2;
	assert_int_equal(pthread_create(&c, NULL, vcpu_thread, NULL), 0);
	assert_int_equal(pthread_create(&a, NULL, injector, NULL), 0);
	assert_int_equal(pthread_create(&b, NULL, injector, "B"), 0);
	pthread_join(a, NULL);
	pthread_join(b, NULL);
	pthread_join(c, NULL);
	unsetenv("TESSERA_TEST_QUIET");

	assert_int_equal(lost, 0);
	assert_int_equal(duplicates, 0);
	for (unsigned n = 0; n < VGIC_NR_IRQS; n++) {
		assert_int_equal(taken[n], injected[n]);
		assert_int_equal(outstanding[n], 0);
		total += taken[n];
	}
	assert_int_equal(total, (unsigned long)RACE_ROUNDS *
				       (RACE_SPIS + RACE_LEVEL + RACE_SGIS +
					RACE_PPIS));
	flush(0);
	for (int i = 0; i < NLR; i++)
		assert_false(st(lrs[0][i]) & ST_P);
}

#define T(f) cmocka_unit_test_setup(f, setup)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_init_validates),
		T(test_edge_pending_active_completed),
		T(test_edge_again_while_active),
		T(test_level_resampled_after_eoi),
		T(test_edge_config_and_lines),
		T(test_enable_gates_delivery),
		T(test_distributor_enable_gates_delivery),
		T(test_priority_order_and_ties),
		T(test_overflow_none_lost),
		T(test_overflow_with_active_ones),
		T(test_higher_priority_evicts_pending),
		T(test_sgi_targeting),
		T(test_spi_routing),
		T(test_retarget_while_in_lr),
		T(test_hw_spi),
		T(test_hw_pending_cleared_deactivates),
		T(test_hw_vtimer_ppi),
		T(test_hw_level_line_is_resampled),
		T(test_vcpu_reset),
		T(test_vm_reset),
		T(test_kicks_and_has_pending),
		T(test_sync_ignores_foreign_lr),
		T(test_gicd_ident_and_control),
		T(test_gicd_bit_registers),
		T(test_gicd_priority_bytes),
		T(test_gicd_config),
		T(test_gicd_raz_wi),
		T(test_gicd_irouter),
		T(test_gicd_bad_sizes_and_alignment),
		T(test_gicr_rd_frame),
		T(test_gicr_sgi_frame),
		T(test_concurrent_injection),
	};

#ifdef VGIC_RACE_ONLY /* the ThreadSanitizer build (vgic.mk) */
	cmocka_set_test_filter("test_concurrent_injection");
#endif
	return cmocka_run_group_tests(tests, NULL, NULL);
}
