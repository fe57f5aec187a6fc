// SPDX-License-Identifier: GPL-2.0-only
/*
 * hsm-lifecycle: every User VM state change against vCPU power operations,
 * thousands of times (doc/testing.rst). It creates a 2-vCPU User VM through
 * the HSM ioctls running tests/guests/lifecycle.c, whose vCPUs power each
 * other on and off without pause, and then, in a seeded random order:
 *
 *   pause + resume      paused: no vCPU runs (the counters stand still), a
 *                       second PAUSE is refused; resumed: both run again
 *   reset by the DM     the VM is CREATED again; reloaded and restarted
 *   guest SYSTEM_RESET  the VM reports RESET_REQUESTED; reset, restarted
 *   guest crash         an access the hypervisor cannot emulate: CRASHED
 *   guest SYSTEM_OFF    POWERED_OFF
 *   ... and a pause     SYSTEM_RESET or SYSTEM_OFF racing a PAUSE: the VM
 *                       ends reset or off all the same (after the resume,
 *                       if the pause came first); neither call returns
 *   destroy             the slot is empty; created again
 *
 * Every step must end in the state it names within a bound, the restarted
 * VM must run both vCPUs from a clean slate, and CPU_ON must never answer
 * anything but SUCCESS or ALREADY_ON. One line per failure, a summary line,
 * exit status 0 only without failures.
 *
 *   hsm-lifecycle [-n ROUNDS] [-S SEED] IMAGE
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tessera_hsm.h"
#include "lifecycle.h"
#include "xorshift.h"

#define WAIT_MS 3000 /* for a state or for progress */
#define STILL_MS 5   /* a paused VM's counters must not move for this long */

enum op { OP_PAUSE, OP_DM_RESET, OP_GUEST_RESET, OP_CRASH, OP_OFF,
	  OP_RESET_PAUSE, OP_OFF_PAUSE, OP_DESTROY, NR_OPS };
static const char *const op_names[NR_OPS] = {
	"pause", "dm-reset", "guest-reset", "crash", "power-off",
	"reset-vs-pause", "off-vs-pause", "destroy",
};

static int fd = -1;
static uint8_t *ram;
static volatile struct lifecycle_ctl *ctl;
static uint8_t image[LIFECYCLE_RAM_SIZE / 2];
static size_t image_size;
static unsigned failures;
static uint64_t rng = XORSHIFT_SEED;

static uint64_t next_random(void)
{
	return xorshift64(&rng);
}

static int xioctl(unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static void sleep_ms(unsigned ms)
{
	struct timespec t = {ms / 1000, (long)(ms % 1000) * 1000000};

	nanosleep(&t, NULL);
}

static int fail(unsigned round, const char *op, const char *fmt, int a, int b)
{
	printf("hsm-lifecycle: FAIL round %u %s: ", round, op);
	printf(fmt, a, b);
	printf("\n");
	fflush(stdout);
	failures++;
	return -1;
}

static int state(void)
{
	struct tessera_vm_info info;

	return xioctl(TESSERA_HSM_GET_INFO, &info) ? -1 : (int)info.state;
}

static bool wait_state(unsigned want)
{
	for (unsigned ms = 0; ms < WAIT_MS; ms++) {
		if (state() == (int)want)
			return true;
		sleep_ms(1);
	}
	return false;
}

/* Both vCPUs ran since the counters were these. */
static bool wait_progress(uint64_t r0, uint64_t r1)
{
	for (unsigned ms = 0; ms < WAIT_MS; ms++) {
		if (ctl->runs0 > r0 + 2 && ctl->runs1 > r1 + 2)
			return true;
		sleep_ms(1);
	}
	return false;
}

static int create(void)
{
	struct tessera_hsm_create_vm vm = {.vcpu_count = 2};
	struct tessera_hsm_memory mem = {
		(uintptr_t)ram, LIFECYCLE_RAM_GPA, LIFECYCLE_RAM_SIZE,
		TESSERA_MEM_READ | TESSERA_MEM_WRITE | TESSERA_MEM_EXEC, 0};
	int ret;

	strncpy(vm.name, "uvm0", sizeof(vm.name) - 1);
	ret = xioctl(TESSERA_HSM_CREATE_VM, &vm);
	if (!ret)
		ret = xioctl(TESSERA_HSM_SET_MEMORY, &mem);
	return ret;
}

/* A pristine image and control block, vCPU 0 at the entry, started. */
static int load_and_start(void)
{
	struct tessera_hsm_vcpu_regs regs = {.vcpu_id = 0};
	int ret;

	memset(ram, 0, LIFECYCLE_RAM_SIZE);
	memcpy(ram + (LIFECYCLE_IMAGE_GPA - LIFECYCLE_RAM_GPA), image, image_size);
	__builtin___clear_cache((char *)ram, (char *)ram + LIFECYCLE_RAM_SIZE);
	regs.regs.pc = LIFECYCLE_IMAGE_GPA;
	ret = xioctl(TESSERA_HSM_SET_VCPU_REGS, &regs);
	if (!ret)
		ret = xioctl(TESSERA_HSM_START_VM, NULL);
	return ret;
}

static int restart(unsigned round, const char *op)
{
	int ret = xioctl(TESSERA_HSM_RESET_VM, NULL);

	if (ret)
		return fail(round, op, "RESET_VM: %d%.0d", ret, 0);
	if (state() != TESSERA_VM_STATE_CREATED)
		return fail(round, op, "state %d after RESET_VM, not CREATED%.0d",
			    state(), 0);
	ret = load_and_start();
	if (ret)
		return fail(round, op, "restart: %d%.0d", ret, 0);
	return 0;
}

/* The guest stopped itself: the VM says `want`, the call did not return. */
static int stopped_then_restart(unsigned round, const char *op, unsigned want)
{
	if (!wait_state(want))
		return fail(round, op, "state %d, not %d", state(), (int)want);
	if (ctl->returned)
		return fail(round, op, "SYSTEM_RESET or SYSTEM_OFF returned %d "
			    "times%.0d", (int)ctl->returned, 0);
	return restart(round, op);
}

/*
 * The guest resets or powers off (cmd) while a pause comes in: whichever
 * wins, the VM must end in `want`, after the resume if the pause won.
 */
static int stops_during_pause(unsigned round, const char *op, uint64_t cmd,
			      unsigned want)
{
	int ret;

	ctl->cmd = cmd;
	ret = xioctl(TESSERA_HSM_PAUSE_VM, NULL);
	if (ret == 0) {
		ret = xioctl(TESSERA_HSM_RESUME_VM, NULL);
		if (ret && ret != -EINVAL)
			return fail(round, op, "RESUME_VM: %d%.0d", ret, 0);
	} else if (ret != -EINVAL) {
		return fail(round, op, "PAUSE_VM: %d%.0d", ret, 0);
	}
	return stopped_then_restart(round, op, want);
}

/* The guest stops itself (cmd) and the VM must say `want`. */
static int guest_stops(unsigned round, const char *op, uint64_t cmd,
		       unsigned want)
{
	ctl->cmd = cmd;
	return stopped_then_restart(round, op, want);
}

static int pause_resume(unsigned round, const char *op)
{
	uint64_t r0, r1;
	int ret = xioctl(TESSERA_HSM_PAUSE_VM, NULL);

	if (ret)
		return fail(round, op, "PAUSE_VM: %d%.0d", ret, 0);
	if (state() != TESSERA_VM_STATE_PAUSED)
		return fail(round, op, "state %d after PAUSE_VM%.0d", state(), 0);
	r0 = ctl->runs0;
	r1 = ctl->runs1;
	sleep_ms(STILL_MS);
	if (ctl->runs0 != r0 || ctl->runs1 != r1)
		return fail(round, op, "a paused vCPU ran (%d, %d more rounds)",
			    (int)(ctl->runs0 - r0), (int)(ctl->runs1 - r1));
	ret = xioctl(TESSERA_HSM_PAUSE_VM, NULL);
	if (ret != -EINVAL)
		return fail(round, op, "a second PAUSE_VM answered %d%.0d", ret, 0);
	ret = xioctl(TESSERA_HSM_RESUME_VM, NULL);
	if (ret || state() != TESSERA_VM_STATE_RUNNING)
		return fail(round, op, "RESUME_VM: %d, state %d", ret, state());
	return 0;
}

static int destroy_create(unsigned round, const char *op)
{
	int ret = xioctl(TESSERA_HSM_DESTROY_VM, NULL);

	if (ret)
		return fail(round, op, "DESTROY_VM: %d%.0d", ret, 0);
	ret = create();
	if (ret)
		return fail(round, op, "create again: %d%.0d", ret, 0);
	ret = load_and_start();
	if (ret)
		return fail(round, op, "start again: %d%.0d", ret, 0);
	return 0;
}

static int read_image(const char *path)
{
	FILE *f = fopen(path, "rb");

	if (!f)
		return -errno;
	image_size = fread(image, 1, sizeof(image), f);
	fclose(f);
	return image_size ? 0 : -EINVAL;
}

int main(int argc, char **argv)
{
	unsigned rounds = 1000, done[NR_OPS] = {0};
	int opt, ret;

	while ((opt = getopt(argc, argv, "n:S:")) != -1) {
		switch (opt) {
		case 'n': rounds = (unsigned)atoi(optarg); break;
		case 'S': rng = strtoull(optarg, NULL, 0) | 1; break;
		default: goto usage;
		}
	}
	if (optind != argc - 1)
		goto usage;
	if ((ret = read_image(argv[optind]))) {
		fprintf(stderr, "hsm-lifecycle: %s: %s\n", argv[optind], strerror(-ret));
		return 1;
	}
	ram = mmap(NULL, LIFECYCLE_RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	fd = open(TESSERA_HSM_DEVICE, O_RDWR | O_CLOEXEC);
	if (ram == MAP_FAILED || fd < 0) {
		perror("hsm-lifecycle: RAM or " TESSERA_HSM_DEVICE);
		return 1;
	}
	ctl = (volatile struct lifecycle_ctl *)(ram + (LIFECYCLE_CTL_GPA - LIFECYCLE_RAM_GPA));
	if ((ret = create()) || (ret = load_and_start())) {
		fprintf(stderr, "hsm-lifecycle: first start: %s\n", strerror(-ret));
		return 1;
	}
	printf("hsm-lifecycle: start, %u rounds\n", rounds);
	fflush(stdout);
	for (unsigned round = 1; round <= rounds; round++) {
		/* a destroy in about one round of 16 */
		enum op op = (enum op)(next_random() % (NR_OPS + 10));
		uint64_t r0, r1;

		if (op >= NR_OPS)
			op = op < NR_OPS + 8 ? (enum op)(op - NR_OPS) % OP_DESTROY
					     : OP_PAUSE;
		if (!wait_progress(0, 0)) {
			fail(round, op_names[op], "not running before it: %d, %d",
			     (int)ctl->runs0, (int)ctl->runs1);
			break;
		}
		switch (op) {
		case OP_PAUSE: ret = pause_resume(round, op_names[op]); break;
		case OP_DM_RESET: ret = restart(round, op_names[op]); break;
		case OP_GUEST_RESET:
			ret = guest_stops(round, op_names[op], LIFECYCLE_SYSTEM_RESET,
					  TESSERA_VM_STATE_RESET_REQUESTED);
			break;
		case OP_CRASH:
			ret = guest_stops(round, op_names[op], LIFECYCLE_CRASH,
					  TESSERA_VM_STATE_CRASHED);
			break;
		case OP_OFF:
			ret = guest_stops(round, op_names[op], LIFECYCLE_SYSTEM_OFF,
					  TESSERA_VM_STATE_POWERED_OFF);
			break;
		case OP_RESET_PAUSE:
			ret = stops_during_pause(round, op_names[op],
						 LIFECYCLE_SYSTEM_RESET,
						 TESSERA_VM_STATE_RESET_REQUESTED);
			break;
		case OP_OFF_PAUSE:
			ret = stops_during_pause(round, op_names[op],
						 LIFECYCLE_SYSTEM_OFF,
						 TESSERA_VM_STATE_POWERED_OFF);
			break;
		default: ret = destroy_create(round, op_names[op]); break;
		}
		if (ret)
			break;
		r0 = op == OP_PAUSE ? ctl->runs0 : 0;
		r1 = op == OP_PAUSE ? ctl->runs1 : 0;
		if (!wait_progress(r0, r1)) {
			fail(round, op_names[op], "vCPUs did not run after it: %d, %d",
			     (int)ctl->runs0, (int)ctl->runs1);
			break;
		}
		if (ctl->bad) {
			fail(round, op_names[op], "CPU_ON answered %d (%d times)",
			     (int)ctl->last_bad, (int)ctl->bad);
			break;
		}
		done[op]++;
		if (round % 250 == 0) {
			printf("hsm-lifecycle: %u rounds\n", round);
			fflush(stdout);
		}
	}
	xioctl(TESSERA_HSM_DESTROY_VM, NULL);
	printf("hsm-lifecycle: %u pause, %u dm-reset, %u guest-reset, %u crash, "
	       "%u power-off, %u reset-vs-pause, %u off-vs-pause, %u destroy; "
	       "%u failures\n", done[OP_PAUSE], done[OP_DM_RESET],
	       done[OP_GUEST_RESET], done[OP_CRASH], done[OP_OFF],
	       done[OP_RESET_PAUSE], done[OP_OFF_PAUSE], done[OP_DESTROY], failures);
	return failures ? 1 : 0;
usage:
	fprintf(stderr, "usage: hsm-lifecycle [-n ROUNDS] [-S SEED] IMAGE\n");
	return 2;
}
