/* SPDX-License-Identifier: BSD-3-Clause */
/* fmt_snprintf against the host C library, plus truncation and its own rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/types.h>

#include <lib/format.h>

#define BUF 256

/* Both formatters on the same arguments: same text, same return value. */
#define SAME(...)                                                             \
	do {                                                                  \
		char got_[BUF], want_[BUF];                                   \
		int got_n_ = fmt_snprintf(got_, sizeof(got_), __VA_ARGS__);  \
		int want_n_ = snprintf(want_, sizeof(want_), __VA_ARGS__);    \
		if (strcmp(got_, want_) != 0 || got_n_ != want_n_)            \
			fail_msg("%s: got \"%s\" (%d), libc \"%s\" (%d)",     \
				 #__VA_ARGS__, got_, got_n_, want_, want_n_); \
	} while (0)

/* The formatter without the compiler's format checking, for odd formats. */
static int (*const raw)(char *, size_t, const char *, ...) = fmt_snprintf;

static void test_signed(void **state)
{
	(void)state;
	SAME("%d", 0);
	SAME("%d", 1);
	SAME("%d", -1);
	SAME("%d|%i", 42, -42);
	SAME("%d", INT_MAX);
	SAME("%d", INT_MIN);
	SAME("%i", INT_MIN + 1);
	SAME("%ld", LONG_MAX);
	SAME("%ld", LONG_MIN);
	SAME("%li", -1234567890123L);
	SAME("%lld", LLONG_MAX);
	SAME("%lld", LLONG_MIN);
	SAME("%lld", (long long)INT64_MIN);
	SAME("%lli", -9000000000000000000LL);
	SAME("%zd", (ssize_t)-5);
	SAME("%zd", (ssize_t)SSIZE_MAX);
	/* an int argument is an int: upper bits of the slot do not leak */
	SAME("%d %d", -7, 7);
}

static void test_unsigned(void **state)
{
	(void)state;
	SAME("%u", 0u);
	SAME("%u", 4000000000u);
	SAME("%u", UINT_MAX);
	SAME("%lu", ULONG_MAX);
	SAME("%llu", ULLONG_MAX);
	SAME("%llu", 10000000000000000000ull);
	SAME("%zu", (size_t)SIZE_MAX);
	SAME("%zu", sizeof(long));
	SAME("%u", (unsigned)-1);
}

static void test_hex(void **state)
{
	(void)state;
	SAME("%#x", 0x2au);
	SAME("%#llx", 0x9000000ull);
	SAME("%#x", 0u); /* no prefix for zero */
	SAME("%#10x|%#-10x|%#X", 0xabu, 0xabu, 0xabu);
	SAME("%x", 0u);
	SAME("%x", 0xdeadbeefu);
	SAME("%X", 0xdeadbeefu);
	SAME("%x", UINT_MAX);
	SAME("%lx", ULONG_MAX);
	SAME("%llx", 0x0123456789abcdefull);
	SAME("%llX", 0xfedcba9876543210ull);
	SAME("%zx", (size_t)0x1000);
	SAME("0x%08x", 0xabcu);
	SAME("%016llx", 0x40000000ull);
	SAME("%X", 0xa0b1c2d3u);
}

static void test_pointer(void **state)
{
	int local;
	char buf[BUF];

	(void)state;
	SAME("%p", (void *)0x1234);
	SAME("%p", (void *)&local);
	SAME("%p", (void *)UINTPTR_MAX);
	SAME("[%20p]", (void *)0xdead);
	SAME("[%-20p]", (void *)0xdead);
	SAME("[%3p]", (void *)0xdeadbeef);
	/* NULL: glibc says "(nil)"; here it is just an address */
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%p", NULL), 3);
	assert_string_equal(buf, "0x0");
}

static void test_string_and_char(void **state)
{
	const char *volatile null = NULL;
	char buf[BUF];

	(void)state;
	SAME("%s", "hello");
	SAME("%s", "");
	SAME("[%10s]", "right");
	SAME("[%-10s]", "left");
	SAME("[%2s]", "longer than width");
	SAME("[%-2s]", "longer");
	SAME("%s=%s", "key", "value");
	SAME("%c", 'A');
	SAME("%c%c%c", 'a', 'b', 'c');
	SAME("[%3c]", 'x');
	SAME("[%-3c]", 'x');
	SAME("%c", 0xe9); /* passed as int, printed as one byte */
	SAME("%%");
	SAME("100%% of %d%%", 5);
	SAME("no conversions at all");
	/* NULL %s prints "(null)", padded like any string */
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "%s", null), 6);
	assert_string_equal(buf, "(null)");
	assert_int_equal(fmt_snprintf(buf, sizeof(buf), "[%8s]", null), 10);
	assert_string_equal(buf, "[  (null)]");
}

static void test_width_and_flags(void **state)
{
	(void)state;
	SAME("[%5d]", 42);
	SAME("[%-5d]", 42);
	SAME("[%05d]", 42);
	SAME("[%5d]", -42);
	SAME("[%-5d]", -42);
	SAME("[%05d]", -42);
	SAME("[%06d]", -1);
	SAME("[%02d]", -1);  /* width smaller than the number with its sign */
	SAME("[%01d]", -123);
	SAME("[%0d]", -5);   /* zero flag, no width */
	SAME("[%1d]", 12345);
	SAME("[%05u]", 7u);
	SAME("[%-8x]", 0xbeefu);
	SAME("[%08X]", 0xbeefu);
	SAME("[%020lld]", LLONG_MIN);
	SAME("[%25lld]", LLONG_MIN);
	SAME("[%-25lld]", LLONG_MIN);
	SAME("[%020llu]", ULLONG_MAX);
	SAME("[%020llx]", 0x1ull);
	SAME("[%10zu]", (size_t)123);
	SAME("[%010zd]", (ssize_t)-123);
	SAME("[%40d]", 1); /* wide */
	SAME("%3d|%-3d|%03d|%s|%5s|%c", 1, 2, 3, "x", "y", 'z');
}

static void test_mixed(void **state)
{
	(void)state;
	SAME("vm %s: memory[%u] hpa 0x%llx size 0x%llx", "alpha", 2u,
	     0x48000000ull, 0x8000000ull);
	SAME("%d %i %u %x %X %s %c %%", -1, 2, 3u, 0xau, 0xbu, "six", '7');
	SAME("%lu-%ld-%llu-%lld-%zu", 1ul, -2l, 3ull, -4ll, (size_t)5);
	SAME("%s%s%s", "a", "", "c");
	SAME("%d%d%d%d%d%d%d%d%d%d", 0, 1, 2, 3, 4, 5, 6, 7, 8, 9);
	SAME("%llx %x %llx", 0x1111111122222222ull, 0x33333333u,
	     0x4444444455555555ull);
}

/* Every buffer size, from 0 to more than needed: same as libc. */
static void test_truncation_against_libc(void **state)
{
	(void)state;
	for (size_t size = 0; size < 48; size++) {
		char got[64], want[64];
		int got_n, want_n;

		memset(got, '#', sizeof(got));
		memset(want, '#', sizeof(want));
		got_n = fmt_snprintf(got, size, "[%-6s|%05d|%x|%c] %lld", "ab",
				     -12, 0xbeefu, 'q', LLONG_MIN);
		want_n = snprintf(want, size, "[%-6s|%05d|%x|%c] %lld", "ab",
				  -12, 0xbeefu, 'q', LLONG_MIN);
		assert_int_equal(got_n, want_n);
		assert_memory_equal(got, want, sizeof(got));
	}
}

static void test_truncation(void **state)
{
	char buf[16];

	(void)state;
	/* return value is the full length; the buffer always terminated */
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 5, "hello world"), 11);
	assert_string_equal(buf, "hell");
	assert_memory_equal(buf + 5, "XXXXXXXXXXX", 11); /* nothing past size */

	memset(buf, 'X', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 1, "%d", 12345), 5);
	assert_int_equal(buf[0], '\0');
	assert_int_equal(buf[1], 'X');

	/* size 0 writes nothing at all, not even a NUL; buf may be NULL */
	memset(buf, 'X', sizeof(buf));
	assert_int_equal(fmt_snprintf(buf, 0, "%s", "abc"), 3);
	assert_int_equal(buf[0], 'X');
	assert_int_equal(fmt_snprintf(NULL, 0, "%020d", 1), 20);

	/* exactly fitting, and one short */
	assert_int_equal(fmt_snprintf(buf, 6, "%05d", 42), 5);
	assert_string_equal(buf, "00042");
	assert_int_equal(fmt_snprintf(buf, 5, "%05d", 42), 5);
	assert_string_equal(buf, "0004");
	/* cut inside padding, a sign, a prefix */
	assert_int_equal(fmt_snprintf(buf, 3, "%-8s|", "ab"), 9);
	assert_string_equal(buf, "ab");
	assert_int_equal(fmt_snprintf(buf, 2, "%05d", -3), 5);
	assert_string_equal(buf, "-");
	assert_int_equal(fmt_snprintf(buf, 2, "%p", (void *)0x10), 4);
	assert_string_equal(buf, "0");
}

/* Behaviour beyond C's: unknown conversions and a trailing '%'. */
static void test_odd_formats(void **state)
{
	char buf[BUF];

	(void)state;
	assert_int_equal(raw(buf, sizeof(buf), ""), 0);
	assert_string_equal(buf, "");
	/* '-' wins over '0' (C says so; the compiler warns of it) */
	assert_int_equal(raw(buf, sizeof(buf), "[%-05d]", -42), 7);
	assert_string_equal(buf, "[-42  ]");
	assert_int_equal(raw(buf, sizeof(buf), "[%0-5d]", 42), 7);
	assert_string_equal(buf, "[42   ]");
	assert_int_equal(raw(buf, sizeof(buf), "abc%"), 3);
	assert_string_equal(buf, "abc");
	assert_int_equal(raw(buf, sizeof(buf), "%05"), 0);
	assert_string_equal(buf, "");
	/* an unknown conversion is printed as is and consumes no argument */
	assert_int_equal(raw(buf, sizeof(buf), "%q%d", 9), 3);
	assert_string_equal(buf, "%q9");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_signed),
		cmocka_unit_test(test_unsigned),
		cmocka_unit_test(test_hex),
		cmocka_unit_test(test_pointer),
		cmocka_unit_test(test_string_and_char),
		cmocka_unit_test(test_width_and_flags),
		cmocka_unit_test(test_mixed),
		cmocka_unit_test(test_truncation_against_libc),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_odd_formats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
