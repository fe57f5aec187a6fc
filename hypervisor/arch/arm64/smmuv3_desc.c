/* SPDX-License-Identifier: BSD-3-Clause */
/* SMMUv3 structure encodings (smmuv3_desc.h); bit positions from IHI 0070. */
#include <errno.h>
#include <lib/string.h>
#include <smmuv3_desc.h>

#define FIELD(v, lo) ((uint64_t)(v) << (lo))
#define ADDR_BITS(pa, hi, lo) ((pa) & (((1ull << ((hi) + 1)) - 1) & ~((1ull << (lo)) - 1)))

/* STE dword 0 */
#define STE0_V BIT(0)
#define STE0_CONFIG_ABORT FIELD(0, 1)
#define STE0_CONFIG_S1_TRANS FIELD(5, 1) /* 0b101: stage 1, stage 2 bypass */
/* STE dword 1: how the SMMU reads the context descriptor */
#define STE1_S1CIR_WBRA FIELD(1, 2)
#define STE1_S1COR_WBRA FIELD(1, 4)
#define STE1_S1CSH_INNER FIELD(3, 6)

/* CD dword 0 */
#define CD0_T0SZ(v) FIELD(v, 0)
#define CD0_TG0_4K FIELD(0, 6)
#define CD0_IR0_WBWA FIELD(1, 8)
#define CD0_OR0_WBWA FIELD(1, 10)
#define CD0_SH0_INNER FIELD(3, 12)
#define CD0_EPD1 BIT(30)
#define CD0_V BIT(31)
#define CD0_IPS(v) FIELD(v, 32)
#define CD0_AA64 BIT(41)
#define CD0_R BIT(45)  /* record faults in the event queue */
#define CD0_A BIT(46)  /* abort faulting transactions (no stall) */
#define CD0_ASET BIT(47) /* ASID not shared with PE TLB maintenance */
#define CD0_ASID(v) FIELD(v, 48)

/* Commands: opcode in dword 0 bits [7:0] */
#define CMD_CFGI_STE 0x03
#define CMD_CFGI_ALL 0x04
#define CMD_TLBI_NH_ASID 0x11
#define CMD_TLBI_EL2_ALL 0x20
#define CMD_TLBI_NSNH_ALL 0x30
#define CMD_SYNC 0x46
#define CMD_SID(v) FIELD(v, 32)
#define CMD_ASID(v) FIELD(v, 48)
#define CMD1_LEAF BIT(0)
#define CMD1_RANGE_ALL FIELD(31, 0)

/* Event records */
#define EVT1_RNW BIT(35)

void smmu_ste_encode(uint64_t ste[SMMU_STE_DWORDS],
		     const struct smmu_ste_params *p)
{
	memset(ste, 0, SMMU_STE_DWORDS * sizeof(uint64_t));
	if (!p->translate) {
		ste[0] = STE0_V | STE0_CONFIG_ABORT;
		return;
	}
	ste[1] = STE1_S1CIR_WBRA | STE1_S1COR_WBRA | STE1_S1CSH_INNER;
	/* S1Fmt 0 and S1CDMax 0: one context descriptor, no substreams. */
	ste[0] = STE0_V | STE0_CONFIG_S1_TRANS | ADDR_BITS(p->cd_pa, 51, 6);
}

/* The CD.IPS encoding of an output size, or -1. */
static int ips_of(unsigned bits)
{
	static const uint8_t sizes[] = {32, 36, 40, 42, 44, 48, 52};

	for (unsigned i = 0; i < ARRAY_SIZE(sizes); i++)
		if (sizes[i] == bits)
			return (int)i;
	return -1;
}

int smmu_cd_encode(uint64_t cd[SMMU_CD_DWORDS], const struct smmu_cd_params *p)
{
	int ips = ips_of(p->oas_bits);

	memset(cd, 0, SMMU_CD_DWORDS * sizeof(uint64_t));
	/* Stage-1 4 KiB tables take 16..39 input bits from level 0 or 1 on. */
	if (ips < 0 || p->input_bits < 25 || p->input_bits > 48 ||
	    !IS_ALIGNED(p->ttb0, 4096) || p->ttb0 >> p->oas_bits)
		return -EINVAL;
	cd[0] = CD0_T0SZ(64 - p->input_bits) | CD0_TG0_4K | CD0_IR0_WBWA |
		CD0_OR0_WBWA | CD0_SH0_INNER | CD0_EPD1 | CD0_V |
		CD0_IPS((unsigned)ips) | CD0_AA64 | CD0_R | CD0_A | CD0_ASET |
		CD0_ASID(p->asid);
	cd[1] = ADDR_BITS(p->ttb0, 51, 4);
	cd[3] = p->mair;
	return 0;
}

static void cmd(uint64_t c[SMMU_CMD_DWORDS], uint64_t d0, uint64_t d1)
{
	c[0] = d0;
	c[1] = d1;
}

void smmu_cmd_cfgi_ste(uint64_t c[SMMU_CMD_DWORDS], uint32_t sid)
{
	cmd(c, CMD_CFGI_STE | CMD_SID(sid), CMD1_LEAF);
}

void smmu_cmd_cfgi_all(uint64_t c[SMMU_CMD_DWORDS])
{
	cmd(c, CMD_CFGI_ALL, CMD1_RANGE_ALL);
}

void smmu_cmd_tlbi_nh_asid(uint64_t c[SMMU_CMD_DWORDS], uint16_t asid)
{
	cmd(c, CMD_TLBI_NH_ASID | CMD_ASID(asid), 0);
}

void smmu_cmd_tlbi_nsnh_all(uint64_t c[SMMU_CMD_DWORDS])
{
	cmd(c, CMD_TLBI_NSNH_ALL, 0);
}

void smmu_cmd_tlbi_el2_all(uint64_t c[SMMU_CMD_DWORDS])
{
	cmd(c, CMD_TLBI_EL2_ALL, 0);
}

void smmu_cmd_sync(uint64_t c[SMMU_CMD_DWORDS])
{
	cmd(c, CMD_SYNC, 0); /* CS = SIG_NONE: completion seen in CMDQ_CONS */
}

void smmu_event_decode(const uint64_t rec[SMMU_EVT_DWORDS],
		       struct smmu_event *e)
{
	e->type = (uint8_t)rec[0];
	e->sid = (uint32_t)(rec[0] >> 32);
	e->read = rec[1] & EVT1_RNW;
	e->addr = smmu_event_has_addr(e->type) ? rec[2] : 0;
}

bool smmu_event_has_addr(uint8_t type)
{
	return type >= SMMU_EVT_F_TRANSLATION && type <= SMMU_EVT_F_PERMISSION;
}

const char *smmu_event_name(uint8_t type)
{
	switch (type) {
	case SMMU_EVT_C_BAD_STREAMID:
		return "C_BAD_STREAMID";
	case SMMU_EVT_C_BAD_STE:
		return "C_BAD_STE";
	case SMMU_EVT_F_TRANSLATION:
		return "F_TRANSLATION";
	case SMMU_EVT_F_ADDR_SIZE:
		return "F_ADDR_SIZE";
	case SMMU_EVT_F_ACCESS:
		return "F_ACCESS";
	case SMMU_EVT_F_PERMISSION:
		return "F_PERMISSION";
	default:
		return "event";
	}
}
