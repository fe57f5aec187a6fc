// SPDX-License-Identifier: GPL-2.0-only
/*
 * hsm-hostile: a device model that lies (doc/hsm.rst, "Testing"). It runs a
 * small guest in a User VM that reads and writes a forwarded MMIO address
 * in a loop, and instead of completing its requests it writes random states
 * and values into the request slots and sends random notifications, for a
 * few seconds. The hypervisor must fail those requests (the guest gets
 * data aborts, which it skips) or stop the VM, and log why; it, rt0 and
 * the Service VM must carry on. Prints what happened, then
 * "hsm-hostile: done", and exits 0 if the hypervisor still answers.
 *
 *   hsm-hostile [-n NAME] [-s SECONDS] [-S SEED]
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tiny_uvm.h"
#include "xorshift.h"

static uint64_t rng = XORSHIFT_SEED;

static uint64_t next_random(void)
{
	return xorshift64(&rng);
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static void die(const char *what, int err)
{
	printf("hsm-hostile: %s: %s\n", what, strerror(-err));
	exit(1);
}

int main(int argc, char **argv)
{
	struct tiny_uvm t;
	const char *what;
	struct tessera_vm_info info;
	struct tessera_io_stats st;
	const char *name = "uvm0";
	unsigned secs = 4, writes = 0, notifies = 0;
	volatile struct tessera_io_slot *slot;
	time_t end;
	int fd, opt, ret;

	while ((opt = getopt(argc, argv, "n:s:S:")) != -1) {
		switch (opt) {
		case 'n': name = optarg; break;
		case 's': secs = (unsigned)atoi(optarg); break;
		case 'S': rng = strtoull(optarg, NULL, 0) | 1; break;
		default:
			fprintf(stderr, "usage: hsm-hostile [-n NAME] [-s SECONDS] [-S SEED]\n");
			return 2;
		}
	}
	fd = open(TESSERA_HSM_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open " TESSERA_HSM_DEVICE, -errno);
	ret = tiny_uvm_create(fd, &t, name, 0, TINY_READ_WRITE, &what);
	if (ret)
		die(what, ret);
	slot = t.slots;
	ret = xioctl(fd, TESSERA_HSM_START_VM, NULL);
	if (ret)
		die("START_VM", ret);
	printf("hsm-hostile: %s running, scribbling for %u s\n", name, secs);
	fflush(stdout);

	end = time(NULL) + secs;
	while (time(NULL) < end) {
		uint64_t r = next_random();
		struct tessera_hsm_notify n = {.vcpu_id = 0};

		/* Any state at all, and sometimes a plausible one. */
		switch (r % 4) {
		case 0: slot->state = (uint32_t)(r >> 8); break;
		case 1: slot->state = (uint32_t)(r >> 8) % 6; break;
		case 2: slot->req.value = r; slot->state = TESSERA_IO_STATE_COMPLETE; break;
		default: slot->req.type = (uint32_t)(r >> 16); break;
		}
		writes++;
		if (r & 0x100) {
			xioctl(fd, TESSERA_HSM_NOTIFY, &n);
			notifies++;
		}
		if ((writes & 0xff) == 0)
			usleep(1000);
	}

	/* The hypervisor still answers, and says what it made of it. */
	ret = xioctl(fd, TESSERA_HSM_GET_INFO, &info);
	if (ret)
		die("GET_INFO after the scribbling", ret);
	ret = xioctl(fd, TESSERA_HSM_GET_IO_STATS, &st);
	if (ret)
		die("GET_IO_STATS after the scribbling", ret);
	printf("hsm-hostile: %u writes, %u notifies; VM state %u; forwarded %llu, "
	       "completed %llu, failed %llu\n", writes, notifies, info.state,
	       (unsigned long long)st.forwarded, (unsigned long long)st.completed,
	       (unsigned long long)st.failed);
	ret = xioctl(fd, TESSERA_HSM_DESTROY_VM, NULL);
	printf("hsm-hostile: destroy %s\n", ret ? strerror(-ret) : "ok");
	close(fd);
	printf("hsm-hostile: done\n");
	return ret ? 1 : 0;
}
