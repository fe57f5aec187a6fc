/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The physical distributor driver (gicv3_dist.c) against a fake
 * distributor behind the MMIO accessors (tests/unit/host/fake_mmio). The
 * driver's SPI functions run from any pCPU at once, for SPIs of different
 * VMs that share a register word; the race tests play two such pCPUs with
 * two threads on neighbouring SPIs of one word. The fake widens the window
 * of every read of a read-modify-written register (IGROUPR, ICFGR): the
 * read waits until another thread has read the same kind of register too
 * (or a bound passes), so without the driver's lock both read the same old
 * word and the second write loses the first one's bit, round after round.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>

#include <gicv3.h>
#include <gicv3_dist.h>
#include <gicv3_regs.h>
#include <mmio.h>

#define FAKE_GICD 0x08000000ull
#define FAKE_SIZE 0x10000u
#define NR_INTIDS 1024
#define ROUNDS 300
/* How long a read of a read-modify-written register waits for another
 * thread's read: long enough that an unlocked driver loses updates in
 * (nearly) every round, short enough that the locked one, where the other
 * thread cannot come, costs little. */
#define WINDOW_YIELDS 64

/* GICD_ICFGR: bit 1 of an INTID's 2-bit field set means edge. */
#define ICFGR_EDGE(intid) (1u << ((intid) % 16 * 2 + 1))

/* ---- the fake distributor ------------------------------------------- */

static struct {
	uint32_t words[FAKE_SIZE / 4]; /* plain registers: CTLR, IGROUPR, ICFGR */
	uint32_t enabled[NR_INTIDS / 32]; /* behind ISENABLER/ICENABLER */
	uint32_t pending[NR_INTIDS / 32]; /* ISPENDR (set by the test) */
	uint32_t active[NR_INTIDS / 32]; /* cleared through ICACTIVER */
	uint8_t priority[NR_INTIDS];
	uint64_t route[NR_INTIDS];
	unsigned rwp_reads; /* reads of CTLR that still see RWP */
	unsigned long accesses;
	unsigned long rmw_reads; /* reads of IGROUPR/ICFGR, for the window */
	unsigned long bad; /* accesses outside the registers modelled */
} gicd;

#define LOAD(x) __atomic_load_n(&(x), __ATOMIC_SEQ_CST)
#define STORE(x, v) __atomic_store_n(&(x), (v), __ATOMIC_SEQ_CST)

static uint32_t off_of(uint64_t addr, unsigned size)
{
	__atomic_fetch_add(&gicd.accesses, 1, __ATOMIC_SEQ_CST);
	if (addr < FAKE_GICD || addr + size > FAKE_GICD + FAKE_SIZE ||
	    addr % size) {
		__atomic_fetch_add(&gicd.bad, 1, __ATOMIC_SEQ_CST);
		return 0xfffc; /* a register nobody checks */
	}
	return (uint32_t)(addr - FAKE_GICD);
}

static bool in(uint32_t off, uint32_t base, uint32_t words)
{
	return off >= base && off < base + words * 4;
}

static void read_window(void)
{
	unsigned long mine =
		__atomic_add_fetch(&gicd.rmw_reads, 1, __ATOMIC_SEQ_CST);

	for (unsigned i = 0; i < WINDOW_YIELDS && LOAD(gicd.rmw_reads) == mine;
	     i++)
		sched_yield();
}

uint32_t mmio_read32(uint64_t addr)
{
	uint32_t off = off_of(addr, 4);
	uint32_t v;

	if (in(off, GICD_ISENABLER, 32) || in(off, GICD_ICENABLER, 32))
		return LOAD(gicd.enabled[off % 0x80 / 4]);
	if (in(off, GICD_ISPENDR, 32))
		return LOAD(gicd.pending[(off - GICD_ISPENDR) / 4]);
	if (off == GICD_CTLR && LOAD(gicd.rwp_reads)) {
		STORE(gicd.rwp_reads, gicd.rwp_reads - 1);
		return LOAD(gicd.words[0]) | GICD_CTLR_RWP;
	}
	v = LOAD(gicd.words[off / 4]);
	if (in(off, GICD_IGROUPR, 32) || in(off, GICD_ICFGR, 64))
		read_window();
	return v;
}

void mmio_write32(uint64_t addr, uint32_t v)
{
	uint32_t off = off_of(addr, 4);

	if (in(off, GICD_ISENABLER, 32))
		__atomic_fetch_or(&gicd.enabled[(off - GICD_ISENABLER) / 4], v,
				  __ATOMIC_SEQ_CST);
	else if (in(off, GICD_ICENABLER, 32))
		__atomic_fetch_and(&gicd.enabled[(off - GICD_ICENABLER) / 4], ~v,
				   __ATOMIC_SEQ_CST);
	else if (in(off, GICD_ICACTIVER, 32))
		__atomic_fetch_and(&gicd.active[(off - GICD_ICACTIVER) / 4], ~v,
				   __ATOMIC_SEQ_CST);
	else if (off == GICD_CTLR || in(off, GICD_IGROUPR, 32) ||
		 in(off, GICD_ICFGR, 64))
		STORE(gicd.words[off / 4], v);
	else
		__atomic_fetch_add(&gicd.bad, 1, __ATOMIC_SEQ_CST);
}

uint8_t mmio_read8(uint64_t addr)
{
	uint32_t off = off_of(addr, 1);

	return in(off, GICD_IPRIORITYR, 256)
		       ? LOAD(gicd.priority[off - GICD_IPRIORITYR])
		       : 0;
}

void mmio_write8(uint64_t addr, uint8_t v)
{
	uint32_t off = off_of(addr, 1);

	if (in(off, GICD_IPRIORITYR, 256))
		STORE(gicd.priority[off - GICD_IPRIORITYR], v);
	else
		__atomic_fetch_add(&gicd.bad, 1, __ATOMIC_SEQ_CST);
}

uint64_t mmio_read64(uint64_t addr)
{
	uint32_t off = off_of(addr, 8);

	return in(off, GICD_IROUTER, 2 * NR_INTIDS)
		       ? LOAD(gicd.route[(off - GICD_IROUTER) / 8])
		       : 0;
}

void mmio_write64(uint64_t addr, uint64_t v)
{
	uint32_t off = off_of(addr, 8);

	if (in(off, GICD_IROUTER, 2 * NR_INTIDS))
		STORE(gicd.route[(off - GICD_IROUTER) / 8], v);
	else
		__atomic_fetch_add(&gicd.bad, 1, __ATOMIC_SEQ_CST);
}

static int setup(void **state)
{
	(void)state;
	memset(&gicd, 0, sizeof(gicd));
	gicv3_dist_init(FAKE_GICD);
	gicd.accesses = 0;
	return 0;
}

/* ---- two pCPUs on neighbouring SPIs --------------------------------- */

struct pcpu_thread {
	pthread_t thread;
	unsigned parity; /* its SPIs: the even or the odd ones of the word */
	unsigned first, count; /* the word: SPIs first .. first + count - 1 */
	void (*round)(const struct pcpu_thread *t, unsigned round);
};

static pthread_barrier_t round_start, round_end;

static void *pcpu_main(void *arg)
{
	const struct pcpu_thread *t = arg;

	for (unsigned r = 0; r < ROUNDS; r++) {
		pthread_barrier_wait(&round_start);
		t->round(t, r);
		pthread_barrier_wait(&round_end);
	}
	return NULL;
}

#define FOR_OWN_SPIS(t, intid)                                                \
	for (unsigned intid = (t)->first + (t)->parity;                       \
	     intid < (t)->first + (t)->count; intid += 2)

/* Runs `round` on two threads, the even and the odd SPIs of
 * first .. first + count - 1, ROUNDS times; between rounds, with both
 * threads stopped, prepare(r) sets the fake up and check(r) looks: it
 * prints what is wrong and returns false. The test fails, once the threads
 * are gone, if any round was wrong. */
static void race(unsigned first, unsigned count,
		 void (*round)(const struct pcpu_thread *, unsigned),
		 void (*prepare)(unsigned), bool (*check)(unsigned))
{
	struct pcpu_thread t[2];
	unsigned wrong = 0;

	pthread_barrier_init(&round_start, NULL, 3);
	pthread_barrier_init(&round_end, NULL, 3);
	for (unsigned i = 0; i < 2; i++) {
		t[i] = (struct pcpu_thread){
			.parity = i, .first = first, .count = count,
			.round = round,
		};
		assert_int_equal(pthread_create(&t[i].thread, NULL, pcpu_main,
						&t[i]), 0);
	}
	for (unsigned r = 0; r < ROUNDS; r++) {
		prepare(r);
		pthread_barrier_wait(&round_start);
		pthread_barrier_wait(&round_end);
		wrong += !check(r);
	}
	for (unsigned i = 0; i < 2; i++)
		pthread_join(t[i].thread, NULL);
	pthread_barrier_destroy(&round_start);
	pthread_barrier_destroy(&round_end);
	if (wrong)
		fail_msg("%u of %u rounds lost an update", wrong, ROUNDS);
	assert_int_equal(gicd.bad, 0);
}

/* Enable: group, priority, enable bit. SPIs 32-63 are one word of
 * IGROUPR and of ISENABLER; every fourth SPI is disabled again. */
#define GROUP_WORD (GICD_IGROUPR / 4 + 1)

static bool stays_enabled(unsigned intid)
{
	return intid % 4 != 3;
}

static void enable_round(const struct pcpu_thread *t, unsigned r)
{
	(void)r;
	FOR_OWN_SPIS(t, intid)
		gicv3_spi_enable(intid, true);
	FOR_OWN_SPIS(t, intid)
		if (!stays_enabled(intid))
			gicv3_spi_enable(intid, false);
}

static void enable_prepare(unsigned r)
{
	(void)r;
	/* As out of reset: every SPI in Group 0, disabled, priority 0. */
	gicd.words[GROUP_WORD] = 0;
	gicd.enabled[1] = 0;
	memset(&gicd.priority[32], 0, 32);
}

/* Prints the first few wrong rounds only. */
static bool report(unsigned r, const char *what, uint32_t got, uint32_t want)
{
	if (got != want && r < 3)
		print_message("round %u: %s 0x%08x, want 0x%08x\n", r, what, got,
			      want);
	return got == want;
}

static bool enable_check(unsigned r)
{
	uint32_t want_enabled = 0;
	bool ok = true;

	for (unsigned intid = 32; intid < 64; intid++) {
		if (stays_enabled(intid))
			want_enabled |= 1u << (intid % 32);
		ok &= report(r, "an SPI's priority", gicd.priority[intid],
			     GIC_PRIO_HYP);
	}
	/* An SPI whose bit is 0 stays in Group 0: never delivered. */
	ok &= report(r, "IGROUPR1", gicd.words[GROUP_WORD], 0xffffffffu);
	return report(r, "ISENABLER1", gicd.enabled[1], want_enabled) && ok;
}

static void test_neighbours_enabled_in_one_word(void **state)
{
	(void)state;
	race(32, 32, enable_round, enable_prepare, enable_check);
}

/* Trigger mode: SPIs 32-47 are one ICFGR word. Each round every SPI gets
 * a mode from the round number, after toggling through the other one. */
#define CFG_WORD (GICD_ICFGR / 4 + 2)
/* Bit 0 of every field is the hardware's: it must come through as is. */
#define CFG_OTHER_BITS 0x55555555u

static bool level_in_round(unsigned intid, unsigned r)
{
	return ((intid * 7 + r * 13) >> 2) & 1;
}

static void config_round(const struct pcpu_thread *t, unsigned r)
{
	for (unsigned toggle = 0; toggle < 3; toggle++)
		FOR_OWN_SPIS(t, intid)
			gicv3_spi_set_level_triggered(
				intid, level_in_round(intid, r) ^ (toggle & 1));
}

static void config_prepare(unsigned r)
{
	(void)r;
	gicd.words[CFG_WORD] = CFG_OTHER_BITS;
}

static bool config_check(unsigned r)
{
	uint32_t want = CFG_OTHER_BITS;

	for (unsigned intid = 32; intid < 48; intid++)
		if (!level_in_round(intid, r))
			want |= ICFGR_EDGE(intid);
	return report(r, "ICFGR2", gicd.words[CFG_WORD], want);
}

static void test_neighbours_configured_in_one_word(void **state)
{
	(void)state;
	race(32, 16, config_round, config_prepare, config_check);
}

/* ---- one SPI at a time ----------------------------------------------- */

static void test_init_waits_for_rwp(void **state)
{
	(void)state;
	memset(&gicd, 0, sizeof(gicd));
	gicd.rwp_reads = 3;
	gicv3_dist_init(FAKE_GICD);
	assert_int_equal(gicd.rwp_reads, 0);
	assert_int_equal(gicd.words[GICD_CTLR / 4],
			 GICD_CTLR_ARE | GICD_CTLR_ENABLE_G1);
}

static void test_trigger_mode_touches_its_field_only(void **state)
{
	(void)state;
	for (unsigned intid = 32; intid < 64; intid++) {
		uint32_t *w = &gicd.words[GICD_ICFGR / 4 + intid / 16];
		uint32_t before = *w;

		gicv3_spi_set_level_triggered(intid, false);
		assert_int_equal(*w, before | ICFGR_EDGE(intid));
		gicv3_spi_set_level_triggered(intid, true);
		assert_int_equal(*w, before);
	}
}

static void test_route_keeps_affinity_only(void **state)
{
	(void)state;
	/* MPIDR: Aff3 0x12, U and MT (bits 30, 24) set, Aff2-0 3.2.1. */
	gicv3_spi_route(40, 0x12c1030201ull);
	assert_int_equal(gicd.route[40], 0x1200030201ull);
	assert_int_equal(gicd.route[39], 0);
	assert_int_equal(gicd.route[41], 0);
}

static void test_pending_and_deactivate(void **state)
{
	(void)state;
	gicd.pending[1] = 1u << (34 % 32);
	gicd.active[1] = 0xffffffffu;
	assert_true(gicv3_spi_pending(34));
	assert_false(gicv3_spi_pending(35));
	gicv3_spi_deactivate(39);
	assert_int_equal(gicd.active[1], ~(1u << (39 % 32)));
}

static void test_not_spis_are_left_alone(void **state)
{
	static const unsigned not_spi[] = {0, 15, 16, 31, 1020, 1023, 1024,
					   ~0u};

	(void)state;
	gicd.pending[0] = 0xffffffffu;
	for (unsigned i = 0; i < sizeof(not_spi) / sizeof(not_spi[0]); i++) {
		gicv3_spi_enable(not_spi[i], true);
		gicv3_spi_enable(not_spi[i], false);
		gicv3_spi_set_level_triggered(not_spi[i], true);
		gicv3_spi_set_level_triggered(not_spi[i], false);
		gicv3_spi_route(not_spi[i], 0);
		gicv3_spi_deactivate(not_spi[i]);
		assert_false(gicv3_spi_pending(not_spi[i]));
	}
	assert_int_equal(gicd.accesses, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_neighbours_enabled_in_one_word, setup),
		cmocka_unit_test_setup(test_neighbours_configured_in_one_word,
				       setup),
		cmocka_unit_test(test_init_waits_for_rwp),
		cmocka_unit_test_setup(test_trigger_mode_touches_its_field_only,
				       setup),
		cmocka_unit_test_setup(test_route_keeps_affinity_only, setup),
		cmocka_unit_test_setup(test_pending_and_deactivate, setup),
		cmocka_unit_test_setup(test_not_spis_are_left_alone, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
