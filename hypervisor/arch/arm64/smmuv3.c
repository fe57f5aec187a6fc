/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SMMUv3 driver (smmuv3.h): a linear stream table, one stage-1 context
 * descriptor per VM, a command queue used under a lock with CMD_SYNC
 * completion polled, and an event queue drained from its interrupt.
 * Tables and queues are static and in write-back memory; the SMMU is told
 * so (CR1) and reads them coherently (an SMMU without SMMU_IDR0.COHACC
 * would need them cleaned to the point of coherency, which is not done).
 */
#include <config.h>
#include <errno.h>
#include <gicv3.h>
#include <gicv3_dist.h>
#include <lib/spinlock.h>
#include <lib/string.h>
#include <log.h>
#include <mmio.h>
#include <s2_pgtable.h>
#include <scenario.h>
#include <smmuv3.h>
#include <smmuv3_desc.h>
#include <sysreg.h>

/* Registers (page 0, and page 1 at +64 KiB for the event queue's). */
#define IDR0 0x00
#define IDR0_S1P BIT(1)
#define IDR0_TTF_AA64 BIT(3)
#define IDR1 0x04
#define IDR1_SIDSIZE(v) ((v) & 0x3f)
#define IDR1_EVENTQS(v) (((v) >> 16) & 0x1f)
#define IDR1_CMDQS(v) (((v) >> 21) & 0x1f)
#define IDR5 0x14
#define IDR5_OAS(v) ((v) & 7)
#define IDR5_GRAN4K BIT(4)
#define CR0 0x20
#define CR0_SMMUEN BIT(0)
#define CR0_EVENTQEN BIT(2)
#define CR0_CMDQEN BIT(3)
#define CR0ACK 0x24
#define CR1 0x28
/* Tables and queues: write-back cacheable (1), inner shareable (3). */
#define CR1_WB_INNER_SHAREABLE                                                 \
	(1u << 0 | 1u << 2 | 3u << 4 |   /* QUEUE_IC, QUEUE_OC, QUEUE_SH */   \
	 1u << 6 | 1u << 8 | 3u << 10)   /* TABLE_IC, TABLE_OC, TABLE_SH */
#define CR2 0x2c
#define CR2_RECINVSID BIT(1) /* record events for streams out of range */
#define CR2_PTM BIT(2)       /* ignore the PEs' broadcast TLB invalidation */
#define IRQ_CTRL 0x50
#define IRQ_CTRL_GERROR BIT(0)
#define IRQ_CTRL_EVENTQ BIT(2)
#define IRQ_CTRLACK 0x54
#define GERROR 0x60
#define GERRORN 0x64
#define GERROR_IRQ_CFG0 0x68
#define STRTAB_BASE 0x80
#define STRTAB_BASE_CFG 0x88
#define Q_BASE_RA BIT(62) /* read/write allocate hint for tables and queues */
#define CMDQ_BASE 0x90
#define CMDQ_PROD 0x98
#define CMDQ_CONS 0x9c
#define CMDQ_CONS_ERR(v) (((v) >> 24) & 0x7f)
#define EVENTQ_BASE 0xa0
#define EVENTQ_IRQ_CFG0 0xb0
#define EVENTQ_PROD 0x100a8
#define EVENTQ_CONS 0x100ac
#define Q_OVFLG BIT(31)

#define CMDQ_LOG2 5   /* 32 commands of 16 bytes */
#define EVENTQ_LOG2 7 /* 128 records of 32 bytes */
#define SPIN_LIMIT 1000000u /* register polls before giving up */
#define MAX_ATTACHED (CONFIG_MAX_VMS * SCENARIO_MAX_DEVICES)

#define STRTAB_ENTRIES (1u << SMMU_MAX_SID_BITS)

static uint64_t strtab[STRTAB_ENTRIES][SMMU_STE_DWORDS]
	__attribute__((aligned(STRTAB_ENTRIES * SMMU_STE_DWORDS * 8)));
static uint64_t cds[CONFIG_MAX_VMS][SMMU_CD_DWORDS] __attribute__((aligned(64)));
static uint64_t cmdq[1u << CMDQ_LOG2][SMMU_CMD_DWORDS]
	__attribute__((aligned((1u << CMDQ_LOG2) * SMMU_CMD_DWORDS * 8)));
static uint64_t eventq[1u << EVENTQ_LOG2][SMMU_EVT_DWORDS]
	__attribute__((aligned((1u << EVENTQ_LOG2) * SMMU_EVT_DWORDS * 8)));

/*
 * A device reports a fault per transaction, and one DMA is many of them: a
 * fault like the last one logged for its streams (same stream, kind,
 * direction and 4 KiB page) is only counted, and the count is logged with
 * the next different fault.
 */
struct fault_run {
	struct smmu_event first;
	uint64_t more;
	bool open;
};

/* Who owns which streams, for fault logs: each owner its own limiter. */
struct attached {
	uint32_t sid, count;
	const char *owner;
	struct log_ratelimit log;
	struct fault_run run;
};

static struct {
	uint64_t base;
	unsigned sid_bits; /* stream table covers 2^sid_bits streams */
	unsigned oas_bits;
	unsigned event_irq, gerror_irq;
	uint32_t cmdq_prod; /* index and wrap bit, as CMDQ_PROD */
	uint32_t eventq_cons;  /* index and wrap bit */
	uint32_t eventq_ovack; /* the overflow flag last acknowledged */
	spinlock_t lock; /* command queue and stream table */
	struct attached attached[MAX_ATTACHED];
	bool up;
} smmu;

/* Faults of streams nobody owns (C_BAD_STREAMID and the like). */
static struct attached unowned = {
	.owner = "(none)",
	.log = LOG_RATELIMIT_INIT(LOG_WARN, NULL, "SMMU fault"),
};

static uint32_t rd(uint64_t off)
{
	return mmio_read32(smmu.base + off);
}

static void wr(uint64_t off, uint32_t v)
{
	mmio_write32(smmu.base + off, v);
}

static int wait_reg(uint64_t off, uint32_t mask, uint32_t want)
{
	for (unsigned i = 0; i < SPIN_LIMIT; i++)
		if ((rd(off) & mask) == want)
			return 0;
	return -ETIMEDOUT;
}

static int set_cr0(uint32_t v)
{
	wr(CR0, v);
	return wait_reg(CR0ACK, ~0u, v);
}

/* Queue pointers: an index below 2^log2 and a wrap bit above it. */
static uint32_t q_next(uint32_t p, unsigned log2)
{
	return (p + 1) & ((2u << log2) - 1);
}

static uint32_t q_index(uint32_t p, unsigned log2)
{
	return p & ((1u << log2) - 1);
}

static bool q_full(uint32_t prod, uint32_t cons, unsigned log2)
{
	return q_index(prod, log2) == q_index(cons, log2) &&
	       (prod ^ cons) & (1u << log2);
}

/* Queue commands then a CMD_SYNC, and wait until the SMMU consumed them
 * all. Under smmu.lock. */
static int issue(uint64_t (*cmds)[SMMU_CMD_DWORDS], unsigned n)
{
	uint64_t sync[SMMU_CMD_DWORDS];
	uint32_t cons = 0;

	smmu_cmd_sync(sync);
	for (unsigned i = 0; i <= n; i++) {
		const uint64_t *c = i < n ? cmds[i] : sync;
		unsigned spins = 0;

		while (q_full(smmu.cmdq_prod, cons = rd(CMDQ_CONS), CMDQ_LOG2))
			if (++spins == SPIN_LIMIT)
				return -ETIMEDOUT;
		memcpy(cmdq[q_index(smmu.cmdq_prod, CMDQ_LOG2)], c,
		       sizeof(cmdq[0]));
		smmu.cmdq_prod = q_next(smmu.cmdq_prod, CMDQ_LOG2);
	}
	dsb(ishst); /* commands (and the tables they name) before PROD */
	wr(CMDQ_PROD, smmu.cmdq_prod);
	for (unsigned i = 0; i < SPIN_LIMIT; i++) {
		cons = rd(CMDQ_CONS);
		if (CMDQ_CONS_ERR(cons) || rd(GERROR) != rd(GERRORN))
			break;
		if ((cons & ((2u << CMDQ_LOG2) - 1)) == smmu.cmdq_prod)
			return 0;
	}
	log_err("smmu: command queue stuck or in error (CONS 0x%x, GERROR 0x%x)",
		cons, rd(GERROR));
	return -EIO;
}

static void write_ste(uint32_t sid, const struct smmu_ste_params *p)
{
	uint64_t ste[SMMU_STE_DWORDS];

	smmu_ste_encode(ste, p);
	/* dword 0 (with V) last, so the SMMU never sees half an entry */
	for (unsigned i = SMMU_STE_DWORDS; i-- > 0;)
		__atomic_store_n(&strtab[sid][i], ste[i], __ATOMIC_RELAXED);
}

static int check_idr(void)
{
	uint32_t idr0 = rd(IDR0), idr1 = rd(IDR1), idr5 = rd(IDR5);
	static const uint8_t oas[] = {32, 36, 40, 42, 44, 48, 52, 52};

	if (!(idr0 & IDR0_S1P) || !(idr0 & IDR0_TTF_AA64) ||
	    !(idr5 & IDR5_GRAN4K) || IDR1_CMDQS(idr1) < CMDQ_LOG2 ||
	    IDR1_EVENTQS(idr1) < EVENTQ_LOG2) {
		log_err("smmu: at 0x%llx lacks stage 1, AArch64 4 KiB tables or "
			"queue room (IDR0 0x%x IDR1 0x%x IDR5 0x%x)",
			(unsigned long long)smmu.base, idr0, idr1, idr5);
		return -ENODEV;
	}
	smmu.sid_bits = IDR1_SIDSIZE(idr1) < SMMU_MAX_SID_BITS
				? IDR1_SIDSIZE(idr1)
				: SMMU_MAX_SID_BITS;
	/* Output addresses: what the SMMU has, at most the 40 bits our
	 * tables can hold (S2_IPA_BITS in, physical addresses below 1 TiB). */
	smmu.oas_bits = oas[IDR5_OAS(idr5)] < 40 ? oas[IDR5_OAS(idr5)] : 40;
	return 0;
}

static void route_irq(unsigned intid)
{
	if (intid < 32 || intid >= INTID_SPURIOUS)
		return;
	gicv3_spi_set_level_triggered(intid, false);
	gicv3_spi_route(intid, read_sysreg(mpidr_el1));
	gicv3_spi_enable(intid, true);
}

static int bring_up(void)
{
	uint64_t init[3][SMMU_CMD_DWORDS];
	struct smmu_ste_params abort = {.translate = false};
	int ret;

	if ((ret = set_cr0(0)) < 0)
		return ret;
	for (uint32_t sid = 0; sid < STRTAB_ENTRIES; sid++)
		write_ste(sid, &abort);
	wr(CR1, CR1_WB_INNER_SHAREABLE);
	wr(CR2, CR2_RECINVSID | CR2_PTM);
	mmio_write64(smmu.base + STRTAB_BASE,
		     Q_BASE_RA | (uint64_t)(uintptr_t)strtab);
	wr(STRTAB_BASE_CFG, smmu.sid_bits); /* FMT 0: linear */
	mmio_write64(smmu.base + CMDQ_BASE,
		     Q_BASE_RA | (uint64_t)(uintptr_t)cmdq | CMDQ_LOG2);
	wr(CMDQ_PROD, 0);
	wr(CMDQ_CONS, 0);
	mmio_write64(smmu.base + EVENTQ_BASE,
		     Q_BASE_RA | (uint64_t)(uintptr_t)eventq | EVENTQ_LOG2);
	wr(EVENTQ_PROD, 0);
	wr(EVENTQ_CONS, 0);
	smmu.cmdq_prod = smmu.eventq_cons = smmu.eventq_ovack = 0;
	dsb(ishst);
	if ((ret = set_cr0(CR0_CMDQEN)) < 0)
		return ret;
	smmu_cmd_cfgi_all(init[0]);
	smmu_cmd_tlbi_nsnh_all(init[1]);
	smmu_cmd_tlbi_el2_all(init[2]);
	spin_lock(&smmu.lock);
	ret = issue(init, 3);
	spin_unlock(&smmu.lock);
	if (ret < 0)
		return ret;
	/* Wired interrupts: no MSI address. */
	mmio_write64(smmu.base + EVENTQ_IRQ_CFG0, 0);
	mmio_write64(smmu.base + GERROR_IRQ_CFG0, 0);
	wr(IRQ_CTRL, IRQ_CTRL_EVENTQ | IRQ_CTRL_GERROR);
	if ((ret = wait_reg(IRQ_CTRLACK, ~0u, IRQ_CTRL_EVENTQ | IRQ_CTRL_GERROR)))
		return ret;
	route_irq(smmu.event_irq);
	route_irq(smmu.gerror_irq);
	return set_cr0(CR0_CMDQEN | CR0_EVENTQEN | CR0_SMMUEN);
}

int smmuv3_init(const struct board_config *board)
{
	int ret;

	if (!board->smmu_base)
		return 0;
	smmu.base = board->smmu_base;
	smmu.event_irq = board->smmu_event_irq;
	smmu.gerror_irq = board->smmu_gerror_irq;
	ret = check_idr();
	if (!ret)
		ret = bring_up();
	if (ret < 0) {
		log_err("smmu: at 0x%llx: cannot set up (error %d): devices "
			"behind it get no DMA", (unsigned long long)smmu.base,
			ret);
		set_cr0(0);
		return ret;
	}
	smmu.up = true;
	log_info("smmu: SMMUv3 at 0x%llx, %u stream IDs, stage 1, every stream "
		 "aborts until attached", (unsigned long long)smmu.base,
		 1u << smmu.sid_bits);
	return 0;
}

bool smmuv3_present(void)
{
	return smmu.up;
}

static bool same_run(const struct smmu_event *a, const struct smmu_event *b)
{
	return a->sid == b->sid && a->type == b->type && a->read == b->read &&
	       a->addr >> 12 == b->addr >> 12;
}

static void close_run(struct attached *a)
{
	const struct smmu_event *e = &a->run.first;

	if (a->run.open && a->run.more && log_ratelimit_allow(&a->log))
		log_warn("smmu: vm %s: stream 0x%x: %llu more %s like the last "
			 "in page 0x%llx", a->owner, e->sid,
			 (unsigned long long)a->run.more, smmu_event_name(e->type),
			 (unsigned long long)(e->addr & ~0xfffull));
	a->run.open = false;
}

static struct attached *find_attached(uint32_t sid)
{
	for (unsigned i = 0; i < MAX_ATTACHED; i++) {
		struct attached *a = &smmu.attached[i];

		if (a->owner && sid >= a->sid && sid - a->sid < a->count)
			return a;
	}
	return NULL;
}

static bool streams_covered(uint32_t sid, uint32_t count)
{
	return count && sid < (1u << smmu.sid_bits) &&
	       count <= (1u << smmu.sid_bits) - sid;
}

int smmuv3_attach(uint32_t sid, uint32_t count, unsigned ctx,
		  const struct s2_pgtable *pt, const char *owner)
{
	struct smmu_cd_params cdp = {
		.ttb0 = s2_root_pa(pt),
		.asid = (uint16_t)(ctx + 1),
		.input_bits = S2_IPA_BITS,
		.oas_bits = smmu.oas_bits,
		.mair = SMMU_S1_MAIR,
	};
	struct smmu_ste_params stp = {.translate = true,
				      .cd_pa = (uint64_t)(uintptr_t)cds[ctx]};
	uint64_t cmd[1][SMMU_CMD_DWORDS];
	struct attached *slot = NULL;
	int ret = 0;

	if (!smmu.up)
		return -ENODEV;
	if (ctx >= CONFIG_MAX_VMS || !streams_covered(sid, count) ||
	    pt->format != PGTABLE_SMMU_STAGE1 || smmu_cd_encode(cds[ctx], &cdp))
		return -EINVAL;
	spin_lock(&smmu.lock);
	for (uint32_t s = sid; s < sid + count && !ret; s++)
		if (find_attached(s))
			ret = -EBUSY;
	for (unsigned i = 0; i < MAX_ATTACHED && !slot; i++)
		if (!smmu.attached[i].owner)
			slot = &smmu.attached[i];
	if (!ret && !slot)
		ret = -ENOSPC;
	if (!ret) {
		*slot = (struct attached){
			.sid = sid, .count = count, .owner = owner,
			.log = LOG_RATELIMIT_INIT(LOG_WARN, owner, "SMMU fault"),
		};
		for (uint32_t s = sid; s < sid + count; s++)
			write_ste(s, &stp);
		smmu_cmd_cfgi_all(cmd[0]); /* one command for the whole range */
		ret = issue(cmd, 1);
	}
	spin_unlock(&smmu.lock);
	return ret;
}

void smmuv3_detach(uint32_t sid, uint32_t count, unsigned ctx)
{
	struct smmu_ste_params abort = {.translate = false};
	uint64_t cmd[2][SMMU_CMD_DWORDS];

	if (!smmu.up || !streams_covered(sid, count) || ctx >= CONFIG_MAX_VMS)
		return;
	spin_lock(&smmu.lock);
	for (uint32_t s = sid; s < sid + count; s++) {
		struct attached *a = find_attached(s);

		if (a) {
			close_run(a);
			log_ratelimit_flush(&a->log);
			a->owner = NULL;
		}
		write_ste(s, &abort);
	}
	smmu_cmd_cfgi_all(cmd[0]);
	smmu_cmd_tlbi_nh_asid(cmd[1], (uint16_t)(ctx + 1));
	issue(cmd, 2);
	spin_unlock(&smmu.lock);
}

static void log_event(const uint64_t rec[SMMU_EVT_DWORDS])
{
	struct smmu_event e;
	struct attached *a;

	smmu_event_decode(rec, &e);
	a = find_attached(e.sid);
	if (!a)
		a = &unowned;
	if (a->run.open && same_run(&a->run.first, &e)) {
		a->run.more++;
		return;
	}
	close_run(a);
	a->run = (struct fault_run){.first = e, .open = true};
	if (!log_ratelimit_allow(&a->log))
		return;
	if (smmu_event_has_addr(e.type))
		log_warn("smmu: vm %s: stream 0x%x: %s on a DMA %s at 0x%llx "
			 "(refused)", a->owner, e.sid, smmu_event_name(e.type),
			 e.read ? "read" : "write", (unsigned long long)e.addr);
	else
		log_warn("smmu: vm %s: stream 0x%x: %s (0x%x), transaction "
			 "refused", a->owner, e.sid, smmu_event_name(e.type),
			 e.type);
}

static void drain_events(void)
{
	uint32_t prod = rd(EVENTQ_PROD);

	while (q_index(smmu.eventq_cons, EVENTQ_LOG2) !=
		       q_index(prod, EVENTQ_LOG2) ||
	       (smmu.eventq_cons ^ prod) & (1u << EVENTQ_LOG2)) {
		uint64_t rec[SMMU_EVT_DWORDS];

		memcpy(rec, eventq[q_index(smmu.eventq_cons, EVENTQ_LOG2)],
		       sizeof(rec));
		smmu.eventq_cons = q_next(smmu.eventq_cons, EVENTQ_LOG2);
		log_event(rec);
	}
	/* An overflow toggles PROD's flag; CONS copies it back to say seen. */
	if ((prod & Q_OVFLG) != smmu.eventq_ovack) {
		log_warn("smmu: event queue overflowed: faults were lost");
		smmu.eventq_ovack = prod & Q_OVFLG;
	}
	wr(EVENTQ_CONS, smmu.eventq_cons | smmu.eventq_ovack);
}

bool smmuv3_handle_irq(unsigned intid)
{
	uint32_t active;

	if (!smmu.up || !intid)
		return false;
	if (intid == smmu.event_irq) {
		drain_events();
		return true;
	}
	if (intid != smmu.gerror_irq)
		return false;
	active = rd(GERROR) ^ rd(GERRORN);
	if (active)
		log_err("smmu: global error 0x%x", active);
	wr(GERRORN, rd(GERROR));
	return true;
}
