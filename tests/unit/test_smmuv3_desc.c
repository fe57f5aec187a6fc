/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * SMMUv3 structure encodings against the bit positions of the SMMUv3
 * specification (Arm IHI 0070), written out here as literals independently
 * of hypervisor/arch/arm64/smmuv3_desc.c:
 *   STE  dword0: V [0], Config [3:1] (0b000 abort, 0b101 S1 translate),
 *        S1Fmt [5:4], S1ContextPtr [51:6], S1CDMax [63:59];
 *        dword1: S1CIR [3:2], S1COR [5:4], S1CSH [7:6] (1 = WB RA, 3 = ISH)
 *   CD   dword0: T0SZ [5:0], TG0 [7:6] (0 = 4 KiB), IR0 [9:8], OR0 [11:10],
 *        SH0 [13:12], EPD0 [14], EPD1 [30], V [31], IPS [34:32], AA64 [41],
 *        R [45], A [46], ASET [47], ASID [63:48]; dword1: TTB0 [51:4];
 *        dword3: MAIR
 *   CMD  dword0 opcode [7:0]: CFGI_STE 0x03 (SID [63:32], dword1 Leaf [0]),
 *        CFGI_ALL 0x04 (dword1 Range [4:0] = 31), TLBI_NH_ASID 0x11 (ASID
 *        [63:48]), TLBI_EL2_ALL 0x20, TLBI_NSNH_ALL 0x30, SYNC 0x46
 *   EVT  dword0: type [7:0], StreamID [63:32]; dword1: RnW [35];
 *        dword2: input address (translation, address size, access and
 *        permission faults: types 0x10..0x13)
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>
#include <smmuv3_desc.h>

static void test_abort_ste(void **state)
{
	uint64_t ste[SMMU_STE_DWORDS];

	(void)state;
	memset(ste, 0xa5, sizeof(ste));
	smmu_ste_encode(ste, &(struct smmu_ste_params){.translate = false});
	assert_int_equal(ste[0], 0x1);
	for (unsigned i = 1; i < SMMU_STE_DWORDS; i++)
		assert_int_equal(ste[i], 0);
}

static void test_translating_ste(void **state)
{
	uint64_t ste[SMMU_STE_DWORDS];

	(void)state;
	memset(ste, 0xa5, sizeof(ste));
	smmu_ste_encode(ste, &(struct smmu_ste_params){
				     .translate = true, .cd_pa = 0x4012345640ull});
	/* V, Config 0b101, the CD's address; S1Fmt and S1CDMax 0 */
	assert_int_equal(ste[0], 0x4012345640ull | 0xb);
	/* CD fetched write-back read-allocate, inner shareable */
	assert_int_equal(ste[1], 0xd4);
	for (unsigned i = 2; i < SMMU_STE_DWORDS; i++)
		assert_int_equal(ste[i], 0);
}

static void test_context_descriptor(void **state)
{
	uint64_t cd[SMMU_CD_DWORDS];
	struct smmu_cd_params p = {
		.ttb0 = 0x40fff000, .asid = 3, .input_bits = 39, .oas_bits = 40,
		.mair = SMMU_S1_MAIR,
	};

	(void)state;
	memset(cd, 0xa5, sizeof(cd));
	assert_int_equal(smmu_cd_encode(cd, &p), 0);
	/* ASID 3, ASET, A, R, AA64, IPS 0b010 (40 bits), V, EPD1, SH0 ISH,
	 * OR0/IR0 WBWA, TG0 4 KiB, T0SZ 25 */
	assert_int_equal(cd[0], 0x0003e202c0003519ull);
	assert_int_equal(cd[1], 0x40fff000);
	assert_int_equal(cd[2], 0);
	assert_int_equal(cd[3], 0x04ff);
	for (unsigned i = 4; i < SMMU_CD_DWORDS; i++)
		assert_int_equal(cd[i], 0);
	/* IPS by output size: 32 -> 0, 44 -> 4, 48 -> 5 */
	p.oas_bits = 32;
	p.ttb0 = 0x1000;
	assert_int_equal(smmu_cd_encode(cd, &p), 0);
	assert_int_equal((cd[0] >> 32) & 7, 0);
	p.oas_bits = 44;
	assert_int_equal(smmu_cd_encode(cd, &p), 0);
	assert_int_equal((cd[0] >> 32) & 7, 4);
	p.oas_bits = 48;
	p.input_bits = 48;
	assert_int_equal(smmu_cd_encode(cd, &p), 0);
	assert_int_equal((cd[0] >> 32) & 7, 5);
	assert_int_equal(cd[0] & 0x3f, 16);
}

static void test_context_descriptor_refusals(void **state)
{
	static const struct smmu_cd_params bad[] = {
		{.ttb0 = 0x1000, .input_bits = 39, .oas_bits = 41},  /* no IPS */
		{.ttb0 = 0x1000, .input_bits = 24, .oas_bits = 40},  /* T0SZ 40 */
		{.ttb0 = 0x1000, .input_bits = 49, .oas_bits = 40},  /* T0SZ 15 */
		{.ttb0 = 0x1008, .input_bits = 39, .oas_bits = 40},  /* unaligned */
		{.ttb0 = 1ull << 40, .input_bits = 39, .oas_bits = 40}, /* > OAS */
	};
	uint64_t cd[SMMU_CD_DWORDS];

	(void)state;
	for (unsigned i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(cd, 0xa5, sizeof(cd));
		assert_int_equal(smmu_cd_encode(cd, &bad[i]), -EINVAL);
		/* nothing half-written that could look valid (V is bit 31) */
		assert_int_equal(cd[0] & (1ull << 31), 0);
	}
}

static void test_commands(void **state)
{
	uint64_t c[SMMU_CMD_DWORDS];

	(void)state;
	smmu_cmd_cfgi_ste(c, 0x1234);
	assert_int_equal(c[0], 0x0000123400000003ull);
	assert_int_equal(c[1], 1);
	smmu_cmd_cfgi_all(c);
	assert_int_equal(c[0], 0x04);
	assert_int_equal(c[1], 31);
	smmu_cmd_tlbi_nh_asid(c, 0xbeef);
	assert_int_equal(c[0], 0xbeef000000000011ull);
	assert_int_equal(c[1], 0);
	smmu_cmd_tlbi_el2_all(c);
	assert_int_equal(c[0], 0x20);
	smmu_cmd_tlbi_nsnh_all(c);
	assert_int_equal(c[0], 0x30);
	smmu_cmd_sync(c);
	assert_int_equal(c[0], 0x46); /* CS = SIG_NONE */
	assert_int_equal(c[1], 0);
}

static void test_event_decode(void **state)
{
	/* F_TRANSLATION, stream 0x28, a write at 0x50100000 */
	const uint64_t write[SMMU_EVT_DWORDS] = {0x0000002800000010ull, 0,
						 0x50100000, 0};
	/* F_PERMISSION, a read (RnW) */
	const uint64_t read[SMMU_EVT_DWORDS] = {0x0000000700000013ull,
						1ull << 35, 0x1000, 0};
	/* C_BAD_STREAMID: dword 2 is not an address */
	const uint64_t bad_sid[SMMU_EVT_DWORDS] = {0x0001000000000002ull, 0,
						   0xdead, 0};
	struct smmu_event e;

	(void)state;
	smmu_event_decode(write, &e);
	assert_int_equal(e.type, SMMU_EVT_F_TRANSLATION);
	assert_int_equal(e.sid, 0x28);
	assert_false(e.read);
	assert_int_equal(e.addr, 0x50100000);
	assert_string_equal(smmu_event_name(e.type), "F_TRANSLATION");
	smmu_event_decode(read, &e);
	assert_int_equal(e.type, 0x13);
	assert_int_equal(e.sid, 7);
	assert_true(e.read);
	assert_int_equal(e.addr, 0x1000);
	smmu_event_decode(bad_sid, &e);
	assert_int_equal(e.sid, 0x10000);
	assert_false(smmu_event_has_addr(e.type));
	assert_int_equal(e.addr, 0);
	assert_string_equal(smmu_event_name(e.type), "C_BAD_STREAMID");
	assert_string_equal(smmu_event_name(0x7f), "event");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_abort_ste),
		cmocka_unit_test(test_translating_ste),
		cmocka_unit_test(test_context_descriptor),
		cmocka_unit_test(test_context_descriptor_refusals),
		cmocka_unit_test(test_commands),
		cmocka_unit_test(test_event_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
