/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * PSCI power operations racing each other and the VM's reset, in a 3-vCPU
 * VM (tests/scenarios/power.toml, tests/integration/test_power.py).
 *
 * 1. Concurrent CPU_ON of one target: in each of ROUNDS rounds, vCPUs 0
 *    and 1 call CPU_ON for vCPU 2 at once. Tessera's CPU_ON is synchronous
 *    (as KVM's): exactly one caller gets SUCCESS, the other ALREADY_ON,
 *    never ON_PENDING; the target runs once, then calls CPU_OFF.
 * 2. CPU_ON racing SYSTEM_RESET: vCPU 1 calls CPU_ON for vCPU 2 in a loop
 *    (vCPU 2 turns itself off at once) while vCPU 0 resets the VM after a
 *    varying delay, RESETS times. After every reset each secondary vCPU
 *    must be OFF, and CPU_ON of vCPU 2 must succeed and start it.
 *
 * Counters live in .data/.bss, which a reset of a pre-launched VM keeps.
 * At the end one line per part, then "powerstress: done" and SYSTEM_OFF:
 *
 *     powerstress: concurrent CPU_ON: R rounds, S SUCCESS, A ALREADY_ON,
 *         P ON_PENDING, O other, B bad rounds, T target runs
 *     powerstress: CPU_ON vs SYSTEM_RESET: N resets, X not off after reset,
 *         Y CPU_ON failed after reset, Z stuck, P ON_PENDING during races
 */
#include "guest.h"

#define PSCI_CPU_OFF 0x84000002ul
#define PSCI_AFFINITY_INFO 0xc4000004ul
#define PSCI_SUCCESS 0l
#define PSCI_ALREADY_ON (-4l)
#define PSCI_ON_PENDING (-5l)
#define AFFINITY_ON 0l
#define AFFINITY_OFF 1l
#define ROUNDS 2000u
#define RESETS 100u
#define WAIT_LOOPS 100000000ul /* a wait that never ends is "stuck" */


enum phase { PHASE_CONCURRENT, PHASE_RESETS };

/* Part 1: written by one vCPU each. */
static volatile unsigned go, ready1, done1, target_round, off_round;
static volatile long result[2];
static volatile unsigned long n_success, n_already, n_pending, n_other,
	bad_rounds, target_runs;
/* Part 2 (kept across resets). */
static volatile enum phase phase;
static volatile unsigned boots, not_off, on_failed, stuck;
/* The first failed CPU_ON of part 2: boot, target, answer (diagnosis). */
static volatile unsigned fail_boot, fail_target;
static volatile long fail_answer;
static volatile unsigned long race_pending;

static long cpu_on(unsigned cpu)
{
	return psci_call(PSCI_CPU_ON, cpu, (unsigned long)secondary_start, 0);
}

static long affinity(unsigned cpu)
{
	return psci_call(PSCI_AFFINITY_INFO, cpu, 0, 0);
}

static bool wait_off(unsigned cpu)
{
	for (unsigned long i = 0; i < WAIT_LOOPS; i++)
		if (affinity(cpu) == AFFINITY_OFF)
			return true;
	return false;
}

static void count(long r)
{
	if (r == PSCI_SUCCESS)
		n_success++;
	else if (r == PSCI_ALREADY_ON)
		n_already++;
	else if (r == PSCI_ON_PENDING)
		n_pending++;
	else
		n_other++;
}

static void concurrent_cpu_on(void)
{
	if (cpu_on(1) != PSCI_SUCCESS) {
		guest_printf("powerstress: ERROR vCPU 1 did not start");
		return;
	}
	for (unsigned r = 1; r <= ROUNDS; r++) {
		while (ready1 != r)
			;
		go = r;
		result[0] = cpu_on(2);
		while (done1 != r)
			;
		count(result[0]);
		count(result[1]);
		if ((result[0] == PSCI_SUCCESS) + (result[1] == PSCI_SUCCESS) != 1 ||
		    (result[0] == PSCI_ALREADY_ON) + (result[1] == PSCI_ALREADY_ON) != 1)
			bad_rounds++;
		for (unsigned long i = 0; target_round != r; i++)
			if (i == WAIT_LOOPS) {
				stuck++;
				break;
			}
		off_round = r;
		if (!wait_off(2))
			stuck++;
	}
	guest_printf("powerstress: concurrent CPU_ON: %u rounds, %lu SUCCESS, "
		     "%lu ALREADY_ON, %lu ON_PENDING, %lu other, %lu bad rounds, "
		     "%lu target runs", ROUNDS, n_success, n_already, n_pending,
		     n_other, bad_rounds, target_runs);
}

static void caller1(void)
{
	if (phase == PHASE_RESETS) {
		for (;;)
			if (cpu_on(2) == PSCI_ON_PENDING)
				race_pending++;
	}
	for (unsigned r = 1; r <= ROUNDS; r++) {
		ready1 = r;
		while (go != r)
			;
		result[1] = cpu_on(2);
		done1 = r;
	}
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
}

static void target(void)
{
	if (phase == PHASE_CONCURRENT) {
		unsigned r = go;

		target_runs++;
		target_round = r;
		while (off_round != r)
			;
	}
	psci_call(PSCI_CPU_OFF, 0, 0, 0);
}

/* About `n` thousand instructions. */
static void spin(unsigned n)
{
	for (volatile unsigned i = 0; i < n * 300; i++)
		;
}

static void failed_on(unsigned target, long answer)
{
	if (!on_failed++) {
		fail_boot = boots;
		fail_target = target;
		fail_answer = answer;
	}
}

static void reset_race(void)
{
	if (boots > 1) {
		/* A reset starts every vCPU from a clean slate. */
		if (affinity(1) != AFFINITY_OFF || affinity(2) != AFFINITY_OFF)
			not_off++;
		long r = cpu_on(2);

		if (r != PSCI_SUCCESS)
			failed_on(2, r);
		else if (!wait_off(2))
			stuck++;
	}
	if (boots > RESETS) {
		guest_printf("powerstress: CPU_ON vs SYSTEM_RESET: %u resets, %u "
			     "not off after reset, %u CPU_ON failed after reset, %u "
			     "stuck, %lu ON_PENDING during races", RESETS, not_off,
			     on_failed, stuck, race_pending);
		if (on_failed)
			guest_printf("powerstress: first failed CPU_ON: boot %u, "
				     "vCPU %u, answer %ld", fail_boot, fail_target,
				     fail_answer);
		guest_printf("powerstress: done");
		psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
		return;
	}
	{
		long r = cpu_on(1);

		if (r != PSCI_SUCCESS)
			failed_on(1, r);
	}
	spin(boots * 37 % 200); /* the reset lands anywhere in vCPU 1's loop */
	psci_call(PSCI_SYSTEM_RESET, 0, 0, 0);
}

void guest_main(unsigned cpu)
{
	if (cpu == 1)
		caller1();
	else if (cpu == 2)
		target();
	if (cpu != 0)
		for (;;)
			__asm__ volatile("wfi");
	boots++;
	if (boots == 1) {
		guest_printf("powerstress: start");
		concurrent_cpu_on();
		phase = PHASE_RESETS;
	}
	reset_race();
	for (;;)
		__asm__ volatile("wfi");
}
