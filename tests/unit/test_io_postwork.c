/* SPDX-License-Identifier: BSD-3-Clause */
/* Post-work: every size x sign x direction x register width, XZR, merging. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <io_emul.h>

#define OLD_REG 0x0123456789abcdefull
/* Garbage above every size, and the top bit of every size set. */
#define REPLY 0xfedcba9880c0e0f0ull

/* The expected value written the way the instructions are specified. */
static uint64_t reference(unsigned size, bool sign, bool reg64)
{
	uint64_t v;

	switch (size) {
	case 1:
		v = sign ? (uint64_t)(int64_t)(int8_t)REPLY : (uint8_t)REPLY;
		break;
	case 2:
		v = sign ? (uint64_t)(int64_t)(int16_t)REPLY : (uint16_t)REPLY;
		break;
	case 4:
		v = sign ? (uint64_t)(int64_t)(int32_t)REPLY : (uint32_t)REPLY;
		break;
	default:
		v = REPLY;
	}
	return reg64 ? v : (uint32_t)v; /* LDRS* Wt, LDR Wt */
}

static void test_every_size_sign_direction_width(void **state)
{
	static const unsigned sizes[] = {1, 2, 4, 8};
	unsigned checked = 0;

	(void)state;
	for (unsigned s = 0; s < 4; s++)
		for (unsigned sign = 0; sign < 2; sign++)
			for (unsigned write = 0; write < 2; write++)
				for (unsigned reg64 = 0; reg64 < 2; reg64++) {
					struct io_access a = {
						.space = IO_SPACE_MMIO,
						.size = (uint8_t)sizes[s],
						.write = write,
						.reg = 5,
						.sign_extend = sign,
						.reg_is_64bit = reg64,
						.value = REPLY,
					};
					uint64_t reg = OLD_REG;
					bool wr = io_postwork_value(&a, OLD_REG, &reg);

					if (write) {
						assert_false(wr);
						assert_int_equal(reg, OLD_REG);
					} else {
						assert_true(wr);
						assert_int_equal(reg, reference(sizes[s], sign, reg64));
					}
					checked++;
				}
	assert_int_equal(checked, 32);
}

static void test_positive_values_are_not_sign_extended(void **state)
{
	struct io_access a = {.size = 2, .reg = 0, .sign_extend = true,
			      .reg_is_64bit = true, .value = 0x7fff};
	uint64_t reg = 0;

	(void)state;
	assert_true(io_postwork_value(&a, ~0ull, &reg));
	assert_int_equal(reg, 0x7fff);
}

static void test_zero_register_is_never_written(void **state)
{
	struct io_access a = {.size = 4, .reg = IO_REG_ZERO, .reg_is_64bit = true,
			      .value = 1};
	uint64_t reg = 77;

	(void)state;
	assert_false(io_postwork_value(&a, 0, &reg));
	assert_int_equal(reg, 77);
	a.reg = 30; /* the last real one */
	assert_true(io_postwork_value(&a, 0, &reg));
	assert_int_equal(reg, 1);
}

/* x86 `in al,dx` / `in ax,dx` keep the rest of RAX; `in eax,dx` clears it. */
static void test_pio_merge_low(void **state)
{
	static const struct {
		unsigned size;
		uint64_t want;
	} cases[] = {
		{1, 0x0123456789abcdf0ull},
		{2, 0x0123456789abe0f0ull},
		{4, 0x0000000080c0e0f0ull},
		{8, REPLY},
	};

	(void)state;
	for (unsigned i = 0; i < 4; i++) {
		struct io_access a = {.space = IO_SPACE_PIO,
				      .size = (uint8_t)cases[i].size,
				      .merge_low = true, .reg = 0,
				      .reg_is_64bit = true, .value = REPLY};
		uint64_t reg = 0;

		assert_true(io_postwork_value(&a, OLD_REG, &reg));
		assert_int_equal(reg, cases[i].want);
	}
}

/* arm64 reads from the PCI I/O window are PIO requests but zero-extend. */
static void test_pio_without_merge_zero_extends(void **state)
{
	struct io_access a = {.space = IO_SPACE_PIO, .size = 1, .reg = 3,
			      .value = REPLY};
	uint64_t reg = 0;

	(void)state;
	assert_true(io_postwork_value(&a, OLD_REG, &reg));
	assert_int_equal(reg, 0xf0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_size_sign_direction_width),
		cmocka_unit_test(test_positive_values_are_not_sign_extended),
		cmocka_unit_test(test_zero_register_is_never_written),
		cmocka_unit_test(test_pio_merge_low),
		cmocka_unit_test(test_pio_without_merge_zero_extends),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
