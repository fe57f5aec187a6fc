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

#include "tessera_hsm.h"

#define RAM_GPA 0x40000000ull
#define RAM_SIZE (2u << 20)
#define MMIO_GPA 0x0a000000ull /* nobody's: forwarded to us */
#define VECTORS 0x800u          /* VBAR_EL1 offset in RAM */

/* x2 = the MMIO address, x3 = the vectors (set as boot registers). */
static const uint32_t guest_code[] = {
	0xd518c003, /* msr  vbar_el1, x3 */
	0xd5033fdf, /* isb */
	0xb9400041, /* 1: ldr w1, [x2] */
	0xb9000441, /* str  w1, [x2, #4] */
	0x17fffffe, /* b    1b */
};

/* Synchronous exception, current EL with SPx (VBAR + 0x200): an injected
 * data abort; skip the access and go on. */
static const uint32_t abort_handler[] = {
	0xd5384029, /* mrs  x9, elr_el1 */
	0x91001129, /* add  x9, x9, #4 */
	0xd5184029, /* msr  elr_el1, x9 */
	0xd69f03e0, /* eret */
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next_random(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
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
	struct tessera_hsm_create_vm vm = {.vcpu_count = 1};
	struct tessera_hsm_vcpu_regs regs = {0};
	struct tessera_hsm_memory mem = {0};
	struct tessera_vm_info info;
	struct tessera_io_stats st;
	const char *name = "uvm0";
	unsigned secs = 4, writes = 0, notifies = 0;
	volatile struct tessera_io_slot *slot;
	uint8_t *ram;
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
	strncpy(vm.name, name, sizeof(vm.name) - 1);
	ret = xioctl(fd, TESSERA_HSM_CREATE_VM, &vm);
	if (ret)
		die("CREATE_VM", ret);
	ram = mmap(NULL, RAM_SIZE, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (ram == MAP_FAILED)
		die("mmap RAM", -errno);
	memcpy(ram, guest_code, sizeof(guest_code));
	memcpy(ram + VECTORS + 0x200, abort_handler, sizeof(abort_handler));
	__builtin___clear_cache((char *)ram, (char *)ram + RAM_SIZE);
	mem = (struct tessera_hsm_memory){(uintptr_t)ram, RAM_GPA, RAM_SIZE,
					  TESSERA_MEM_READ | TESSERA_MEM_WRITE |
						  TESSERA_MEM_EXEC, 0};
	ret = xioctl(fd, TESSERA_HSM_SET_MEMORY, &mem);
	if (ret)
		die("SET_MEMORY", ret);
	regs.regs.pc = RAM_GPA;
	regs.regs.x[2] = MMIO_GPA;
	regs.regs.x[3] = RAM_GPA + VECTORS;
	ret = xioctl(fd, TESSERA_HSM_SET_VCPU_REGS, &regs);
	if (ret)
		die("SET_VCPU_REGS", ret);
	slot = mmap(NULL, vm.nr_request_pages * TESSERA_IO_PAGE_SIZE,
		    PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (slot == MAP_FAILED)
		die("mmap the request page", -errno);
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
