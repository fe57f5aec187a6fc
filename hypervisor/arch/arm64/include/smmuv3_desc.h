/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The in-memory structures of an Arm SMMUv3 (IHI 0070): stream table
 * entries, context descriptors, commands and event records. Plain C with no
 * register access, so the encodings are unit-tested on the host against the
 * specification's bit positions.
 */
#ifndef TESSERA_ARM64_SMMUV3_DESC_H
#define TESSERA_ARM64_SMMUV3_DESC_H

#include <types.h>

#define SMMU_STE_DWORDS 8 /* 64 bytes */
#define SMMU_CD_DWORDS 8  /* 64 bytes */
#define SMMU_CMD_DWORDS 2 /* 16 bytes */
#define SMMU_EVT_DWORDS 4 /* 32 bytes */

/* What a stream table entry does with a stream's transactions. */
struct smmu_ste_params {
	bool translate;  /* false: abort every transaction */
	uint64_t cd_pa;  /* translate: its (single) context descriptor */
};

/*
 * A stage-1 context: input addresses of s1_input_bits (the VM's
 * guest-physical addresses, used as I/O virtual addresses) through the
 * 4 KiB-granule tables at ttb0, output limited to oas_bits.
 */
struct smmu_cd_params {
	uint64_t ttb0;
	uint16_t asid;
	unsigned input_bits;
	unsigned oas_bits;
	uint64_t mair;
};

/* MAIR the tables' AttrIndx values refer to (smmu_cd_params.mair). */
#define SMMU_S1_MAIR 0x04ffull /* attr0 Normal WB RWA, attr1 Device-nGnRE */

void smmu_ste_encode(uint64_t ste[SMMU_STE_DWORDS],
		     const struct smmu_ste_params *p);
/* 0, or -EINVAL for parameters no SMMU accepts (the SMMU would raise
 * C_BAD_CD). */
int smmu_cd_encode(uint64_t cd[SMMU_CD_DWORDS], const struct smmu_cd_params *p);

/* Commands the hypervisor issues. */
void smmu_cmd_cfgi_ste(uint64_t cmd[SMMU_CMD_DWORDS], uint32_t sid);
void smmu_cmd_cfgi_all(uint64_t cmd[SMMU_CMD_DWORDS]);
void smmu_cmd_tlbi_nh_asid(uint64_t cmd[SMMU_CMD_DWORDS], uint16_t asid);
void smmu_cmd_tlbi_nsnh_all(uint64_t cmd[SMMU_CMD_DWORDS]);
void smmu_cmd_tlbi_el2_all(uint64_t cmd[SMMU_CMD_DWORDS]);
void smmu_cmd_sync(uint64_t cmd[SMMU_CMD_DWORDS]);

/* An event record, decoded. */
struct smmu_event {
	uint8_t type;      /* SMMU_EVT_* */
	uint32_t sid;
	bool read;         /* the faulting access was a read (RnW) */
	uint64_t addr;     /* input address, for translation-class faults */
};

#define SMMU_EVT_C_BAD_STREAMID 0x02
#define SMMU_EVT_C_BAD_STE 0x04
#define SMMU_EVT_F_TRANSLATION 0x10
#define SMMU_EVT_F_ADDR_SIZE 0x11
#define SMMU_EVT_F_ACCESS 0x12
#define SMMU_EVT_F_PERMISSION 0x13

void smmu_event_decode(const uint64_t rec[SMMU_EVT_DWORDS],
		       struct smmu_event *e);
/* The event's name in the specification ("F_TRANSLATION"), or "event". */
const char *smmu_event_name(uint8_t type);
/* Whether the event carries an input address (smmu_event.addr). */
bool smmu_event_has_addr(uint8_t type);

#endif
