/* SPDX-License-Identifier: BSD-3-Clause */
/* Data abort syndrome decoding: ESR_EL2 values built field by field. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <string.h>

#include <dabt.h>

/* ESR_EL2 for a data abort from a lower EL (EC 0x24, IL 1) with the given ISS fields. */
struct esr_fields {
	bool isv;
	unsigned sas; /* log2 of the access size */
	bool sse;
	unsigned srt;
	bool sf;
	bool cm;
	bool s1ptw;
	bool wnr;
	unsigned dfsc;
};

#define EC_DABT_LOW 0x24ull

static uint64_t esr_make(struct esr_fields f)
{
	return EC_DABT_LOW << 26 | 1ull << 25 | (uint64_t)f.isv << 24 |
	       (uint64_t)(f.sas & 3) << 22 | (uint64_t)f.sse << 21 |
	       (uint64_t)(f.srt & 31) << 16 | (uint64_t)f.sf << 15 |
	       (uint64_t)f.cm << 8 | (uint64_t)f.s1ptw << 7 |
	       (uint64_t)f.wnr << 6 | (f.dfsc & 0x3f);
}

static struct dabt_info decode(struct esr_fields f)
{
	struct dabt_info d;

	/* Poison the output: the decoder must set every field it reports. */
	memset(&d, 0xa5, sizeof(d));
	dabt_decode(esr_make(f), &d);
	return d;
}

#define DFSC_TRANSLATION_L3 0x07

static void test_every_size(void **state)
{
	(void)state;
	for (unsigned sas = 0; sas < 4; sas++) {
		struct dabt_info d = decode((struct esr_fields){
			.isv = true, .sas = sas, .srt = 3, .sf = true,
			.dfsc = DFSC_TRANSLATION_L3});

		assert_true(d.isv);
		assert_int_equal(d.size, 1u << sas);
		assert_false(d.sign_extend);
		assert_int_equal(d.reg, 3);
		assert_true(d.reg64);
		assert_false(d.write);
		assert_false(d.s1ptw);
		assert_false(d.cache_maint);
		assert_int_equal(d.dfsc, DFSC_TRANSLATION_L3);
	}
}

static void test_sign_extension(void **state)
{
	(void)state;
	for (int sse = 0; sse < 2; sse++)
		for (unsigned sas = 0; sas < 3; sas++) {
			struct dabt_info d = decode((struct esr_fields){
				.isv = true, .sas = sas, .sse = sse, .srt = 9});

			assert_int_equal(d.sign_extend, (bool)sse);
			assert_int_equal(d.size, 1u << sas);
			assert_int_equal(d.reg, 9);
		}
}

static void test_every_register(void **state)
{
	(void)state;
	for (unsigned srt = 0; srt < 32; srt++)
		for (int sf = 0; sf < 2; sf++) {
			struct dabt_info d = decode((struct esr_fields){
				.isv = true, .sas = 2, .srt = srt, .sf = sf,
				.wnr = true});

			/* 31 is the zero register: reported as 31, not masked. */
			assert_int_equal(d.reg, srt);
			assert_int_equal(d.reg64, (bool)sf);
			assert_true(d.write);
			assert_int_equal(d.size, 4);
		}
}

static void test_direction(void **state)
{
	(void)state;
	for (int wnr = 0; wnr < 2; wnr++) {
		struct dabt_info d = decode((struct esr_fields){
			.isv = true, .sas = 3, .srt = 1, .sf = true, .wnr = wnr});

		assert_int_equal(d.write, (bool)wnr);
	}
}

static void test_no_syndrome(void **state)
{
	(void)state;
	/* ISV=0: SAS/SSE/SRT/SF are RES0/UNKNOWN; they must not leak out. */
	for (int wnr = 0; wnr < 2; wnr++) {
		struct dabt_info d = decode((struct esr_fields){
			.isv = false, .sas = 3, .sse = true, .srt = 17,
			.sf = true, .wnr = wnr, .dfsc = 0x0e});

		assert_false(d.isv);
		assert_int_equal(d.write, (bool)wnr);
		assert_int_equal(d.dfsc, 0x0e);
		assert_false(d.s1ptw);
		assert_false(d.cache_maint);
		assert_false(d.sign_extend);
		assert_false(d.reg64);
		assert_int_equal(d.reg, 0);
		assert_int_equal(d.size, 0);
	}
}

static void test_cache_maintenance_and_walk_are_not_writes(void **state)
{
	(void)state;
	for (int isv = 0; isv < 2; isv++) {
		struct dabt_info cm = decode((struct esr_fields){
			.isv = isv, .cm = true, .wnr = true, .dfsc = 0x05});
		struct dabt_info walk = decode((struct esr_fields){
			.isv = isv, .s1ptw = true, .wnr = true, .dfsc = 0x06});
		struct dabt_info walk_cm = decode((struct esr_fields){
			.isv = isv, .s1ptw = true, .cm = true, .wnr = true});

		assert_true(cm.cache_maint);
		assert_false(cm.s1ptw);
		assert_false(cm.write);
		assert_int_equal(cm.dfsc, 0x05);
		assert_true(walk.s1ptw);
		assert_false(walk.cache_maint);
		assert_false(walk.write);
		assert_int_equal(walk.dfsc, 0x06);
		assert_true(walk_cm.s1ptw && walk_cm.cache_maint);
		assert_false(walk_cm.write);
	}
}

static void test_every_dfsc(void **state)
{
	(void)state;
	for (unsigned dfsc = 0; dfsc < 64; dfsc++) {
		struct dabt_info d = decode((struct esr_fields){.dfsc = dfsc});

		assert_int_equal(d.dfsc, dfsc);
	}
}

static void test_upper_esr_bits_ignored(void **state)
{
	struct dabt_info a, b;
	uint64_t esr = esr_make((struct esr_fields){
		.isv = true, .sas = 1, .sse = true, .srt = 30, .wnr = true,
		.dfsc = 0x0f});

	(void)state;
	dabt_decode(esr, &a);
	/* ISS2 (bits 32+), EC and IL, FnV/EA/SET (bits 9-13) change nothing decoded. */
	dabt_decode(esr | 0xffffffff00000000ull | 0x3e00ull, &b);
	assert_memory_equal(&a, &b, sizeof(a));
	assert_int_equal(b.size, 2);
	assert_true(b.sign_extend);
	assert_int_equal(b.reg, 30);
	assert_true(b.write);
}

static void test_fault_ipa(void **state)
{
	static const struct {
		uint64_t hpfar, far, ipa;
	} cases[] = {
		{0, 0, 0},
		{0, ~0ull, 0xfff}, /* only FAR[11:0] is taken from FAR */
		{0x2ull << 4, 0xfffffffffffff123ull, 0x2123},
		/* IPA 0x4000_1234: FIPA = IPA >> 12 in HPFAR[43:4] */
		{0x40001ull << 4, 0xffff000012345234ull, 0x40001234ull},
		{0x1ull << 4, 0xfff, 0x1fff},
		/* FAR bits above 11 are the guest VA: ignored */
		{0x9000ull << 4, 0xffffffffffff0008ull, 0x9000008ull},
		/* high IPA bits: IPA[51:12] all ones */
		{0xffffffffffull << 4, 0x123, 0x000ffffffffff123ull},
		{0x8000000000ull << 4, 0, 1ull << 51},
		{0x40ull << 4, 0, 1ull << 18},
		/* HPFAR bits outside FIPA (NS at 63, RES0 [3:0], [62:44]) */
		{(0x7fffull << 4) | 0xfull | 0xfff0000000000000ull, 0x10,
		 0x7fff010ull},
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		assert_int_equal(dabt_fault_ipa(cases[i].hpfar, cases[i].far),
				 cases[i].ipa);
}

static void test_dfsc_classes(void **state)
{
	(void)state;
	for (unsigned level = 0; level < 4; level++) {
		assert_true(dfsc_is_translation_fault(0x04 + level));
		assert_false(dfsc_is_permission_fault(0x04 + level));
		assert_true(dfsc_is_permission_fault(0x0c + level));
		assert_false(dfsc_is_translation_fault(0x0c + level));
		/* address size (0x00+) and access flag (0x08+) faults are neither */
		assert_false(dfsc_is_translation_fault(0x00 + level));
		assert_false(dfsc_is_permission_fault(0x00 + level));
		assert_false(dfsc_is_translation_fault(0x08 + level));
		assert_false(dfsc_is_permission_fault(0x08 + level));
	}
	/*
	 * Nothing else in the 6-bit code space is a translation or permission
	 * fault (0x2b, level -1 with FEAT_LPA2, cannot occur with a 39-bit IPA).
	 */
	for (unsigned dfsc = 0x10; dfsc < 64; dfsc++) {
		if (dfsc == 0x2b)
			continue;
		assert_false(dfsc_is_translation_fault(dfsc));
		assert_false(dfsc_is_permission_fault(dfsc));
	}
}

/*
 * The decision on every combination that matters: a fault on the guest's
 * stage-1 walk is refused whatever else the syndrome says (even with a
 * valid syndrome, which the Arm ARM does not give a walk: the walk is
 * never emulated as a load), also at an address a device or nobody has.
 */
static void test_decision(void **state)
{
	(void)state;
	for (int isv = 0; isv < 2; isv++) {
		for (int in_ram = 0; in_ram < 2; in_ram++) {
			for (int cm = 0; cm < 2; cm++) {
				struct dabt_info walk = decode((struct esr_fields){
					.isv = isv, .s1ptw = true, .cm = cm,
					.wnr = true, .dfsc = DFSC_TRANSLATION_L3});
				struct dabt_info access = decode((struct esr_fields){
					.isv = isv, .cm = cm, .wnr = true,
					.dfsc = DFSC_TRANSLATION_L3});
				enum dabt_action want =
					in_ram ? DABT_REFUSE_RAM
					       : isv ? DABT_IO : DABT_UNSUPPORTED;

				assert_int_equal(dabt_decide(&walk, in_ram),
						 DABT_REFUSE_WALK);
				assert_int_equal(dabt_decide(&access, in_ram),
						 want);
			}
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_size),
		cmocka_unit_test(test_sign_extension),
		cmocka_unit_test(test_every_register),
		cmocka_unit_test(test_direction),
		cmocka_unit_test(test_no_syndrome),
		cmocka_unit_test(test_cache_maintenance_and_walk_are_not_writes),
		cmocka_unit_test(test_every_dfsc),
		cmocka_unit_test(test_upper_esr_bits_ignored),
		cmocka_unit_test(test_fault_ipa),
		cmocka_unit_test(test_dfsc_classes),
		cmocka_unit_test(test_decision),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
