/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device model's command line (options.c) and its whole life (run.c)
 * against the fake VM backend: set-up order, the errors of CREATE_VM as
 * exit codes, serving requests in notify and polling mode, power-off,
 * crash, reset (reload and restart) and stop.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <uapi/tessera_hsm.h>

#include "dm_exit.h"
#include "fake/fake_vm.h"
#include "options.h"
#include "run.h"
#include "virtio.h"

#ifndef FIXTURE_DIR
#define FIXTURE_DIR "tests/unit/fixtures"
#endif
#define PLATFORM FIXTURE_DIR "/qemu-virt-a72-smp4.dtb"
#define MiB (1ull << 20)

static char err[512];

/* ---- the command line ---- */

static int parse(struct dm_options *o, const char *const *args)
{
	char *argv[32];
	int argc = 0;

	argv[argc++] = "tessera-dm";
	while (*args)
		argv[argc++] = (char *)*args++;
	argv[argc] = NULL;
	err[0] = '\0';
	return options_parse(o, argc, argv, err, sizeof(err));
}

#define ARGS(...) ((const char *const[]){__VA_ARGS__, NULL})

static void expect_usage_error(const char *const *args, const char *want)
{
	struct dm_options o;

	assert_int_equal(parse(&o, args), -1);
	if (!strstr(err, want))
		fail_msg("\"%s\" does not say \"%s\"", err, want);
}

static void test_options(void **state)
{
	struct dm_options o;

	(void)state;
	assert_int_equal(parse(&o, ARGS("--name", "uvm0", "-k", "Image")), 0);
	assert_int_equal(o.mem_size, 256 * MiB);
	assert_int_equal(o.vcpus, 1);
	assert_string_equal(o.platform_dtb, "/sys/firmware/fdt");
	assert_false(o.polling);
	assert_int_equal(o.nr_devices, 0);
	assert_int_equal(parse(&o, ARGS("--name", "uvm0", "-k", "K", "-r", "R",
					"-B", "console=hvc0 rw", "-m", "1G",
					"-c", "4", "--polling",
					"-s", "virtio-blk,/tmp/d.img,ro",
					"-s", "virtio-console,stdio",
					"--device", "virtio-rng",
					"-s", "virtio-blk,disk2")), 0);
	assert_int_equal(o.mem_size, 1ull << 30);
	assert_int_equal(o.vcpus, 4);
	assert_string_equal(o.initrd, "R");
	assert_string_equal(o.bootargs, "console=hvc0 rw");
	assert_true(o.polling);
	assert_int_equal(o.spin_us, 50); /* the default */
	assert_int_equal(o.nr_devices, 4);
	assert_int_equal(o.devices[0].kind, DM_DEV_BLK);
	assert_string_equal(o.devices[0].path, "/tmp/d.img");
	assert_true(o.devices[0].ro);
	assert_int_equal(o.devices[1].kind, DM_DEV_CONSOLE);
	assert_int_equal(o.devices[2].kind, DM_DEV_RNG);
	assert_string_equal(o.devices[3].path, "disk2");
	assert_false(o.devices[3].ro);
	assert_int_equal(parse(&o, ARGS("--help")), 0);
	assert_true(o.help);
	/* a second parse starts afresh */
	assert_int_equal(parse(&o, ARGS("--name", "b", "-k", "K", "-s",
					"virtio-console")), 0);
	assert_int_equal(o.nr_devices, 1);
}

static void test_option_errors(void **state)
{
	(void)state;
	expect_usage_error(ARGS("-k", "K"), "--name SLOT is required");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "--spin-us", "10001"),
			   "--spin-us 10001: 0 to 10000 microseconds");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "--spin-us", "-1"),
			   "--spin-us -1: 0 to 10000 microseconds");
	expect_usage_error(ARGS("--name", "uvm0"), "-k IMAGE is required");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "--bare", "-r", "R"),
			   "--bare: a bare-metal image takes no initrd (-r R)");
	expect_usage_error(ARGS("--name", "0123456789abcdef", "-k", "K"),
			   "1 to 15 characters");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-m", "3M"),
			   "multiple of 2M");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-m", "8M"),
			   "from 16M to 64G");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-m", "lots"),
			   "not a size");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-m", "256X"),
			   "not a size");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-c", "0"),
			   "1 to 64");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-c", "65"),
			   "1 to 64");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-c", "2x"),
			   "1 to 64");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-s", "virtio-net"),
			   "unknown device \"virtio-net\"");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-s", "virtio-blk"),
			   "needs a file");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-s", "virtio-blk,"),
			   "needs a file");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-s",
				"virtio-blk,f,rw"), "only \"ro\"");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-s",
				"virtio-blk,f,ro,x"), "too many options");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-s",
				"virtio-console,pty"), "only \"stdio\"");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-s",
				"virtio-console,stdio,x"), "too many options");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-s",
				"virtio-console", "-s", "virtio-console"),
			   "only one virtio-console");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-s", "virtio-rng,x"),
			   "too many options");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "-s", "virtio-rng",
				"-s", "virtio-rng", "-s", "virtio-rng", "-s",
				"virtio-rng", "-s", "virtio-rng", "-s",
				"virtio-rng", "-s", "virtio-rng", "-s",
				"virtio-rng", "-s", "virtio-rng"),
			   "at most 8 devices");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "extra"),
			   "unexpected argument \"extra\"");
	expect_usage_error(ARGS("--name", "a", "-k", "K", "--frobnicate"),
			   "unknown option --frobnicate");
	expect_usage_error(ARGS("--name", "a", "-k"), "-k needs an argument");
}

static void test_sizes(void **state)
{
	(void)state;
	assert_int_equal(options_parse_size("256M"), 256 * MiB);
	assert_int_equal(options_parse_size("256m"), 256 * MiB);
	assert_int_equal(options_parse_size("256MiB"), 256 * MiB);
	assert_int_equal(options_parse_size("512"), 512 * MiB);
	assert_int_equal(options_parse_size("2G"), 2ull << 30);
	assert_int_equal(options_parse_size("65536K"), 64 * MiB);
	assert_int_equal(options_parse_size(""), 0);
	assert_int_equal(options_parse_size("-1G"), 0);
	assert_int_equal(options_parse_size("1T"), 0);
	assert_int_equal(options_parse_size("99999999999999999999G"), 0);
	assert_int_equal(options_parse_size("17179869184G"), 0); /* 2^64 */
}

/* ---- the life of a VM ---- */

static char kpath[64], dpath[64];
static volatile sig_atomic_t stop;
static struct dm_host host = {-1, -1, &stop};
static struct fake_vm vm;
static unsigned waits;
static uint8_t kernel_bytes[8192];

static int setup(void **state)
{
	uint64_t v;
	uint32_t magic = htole32(0x644d5241);
	int fd;

	(void)state;
	for (unsigned i = 0; i < sizeof(kernel_bytes); i++)
		kernel_bytes[i] = (uint8_t)(i ^ 0x3c);
	memset(kernel_bytes, 0, 64);
	v = htole64(2 * MiB);
	memcpy(kernel_bytes + 16, &v, 8);
	memcpy(kernel_bytes + 56, &magic, 4);
	strcpy(kpath, "/tmp/tessera-dm-run-Image-XXXXXX");
	fd = mkstemp(kpath);
	assert_int_equal(write(fd, kernel_bytes, sizeof(kernel_bytes)),
			 sizeof(kernel_bytes));
	close(fd);
	strcpy(dpath, "/tmp/tessera-dm-run-disk-XXXXXX");
	fd = mkstemp(dpath);
	assert_int_equal(ftruncate(fd, 1 << 20), 0);
	close(fd);
	fake_vm_init(&vm);
	stop = 0;
	waits = 0;
	host.console_out = open("/dev/null", O_WRONLY);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unlink(kpath);
	unlink(dpath);
	fake_vm_fini(&vm);
	close(host.console_out);
	return 0;
}

static int run_args(const char *const *extra)
{
	const char *args[32] = {"--name", "uvm0", "-k", kpath, "--platform-dtb",
				PLATFORM};
	unsigned n = 6;
	struct dm_options o;
	char disk[80];

	snprintf(disk, sizeof(disk), "virtio-blk,%s", dpath);
	args[n++] = "-s";
	args[n++] = disk;
	args[n++] = "-s";
	args[n++] = "virtio-rng";
	while (extra && *extra)
		args[n++] = *extra++;
	args[n] = NULL;
	if (parse(&o, args))
		fail_msg("%s", err);
	return dm_run(&o, &vm.vmm, &host);
}

/* A read request from vCPU v, handed to the DM (PROCESSING) or not. */
static void request(unsigned v, uint32_t state, uint64_t addr)
{
	vm.slots[v].req = (struct tessera_io_request){
		.type = TESSERA_IO_TYPE_MMIO, .direction = TESSERA_IO_READ,
		.addr = addr, .size = 4,
	};
	__atomic_store_n(&vm.slots[v].state, state, __ATOMIC_RELEASE);
}

static int wait_then(struct fake_vm *f, uint64_t *mask, uint32_t *events,
		     uint32_t final_state)
{
	switch (waits++) {
	case 0: /* vCPU 0 reads the first transport's magic, vCPU 1 the
		   second's device ID */
		request(0, TESSERA_IO_STATE_PROCESSING, 0x0a000000);
		request(1, TESSERA_IO_STATE_PROCESSING, 0x0a000208);
		*mask = 3;
		return 0;
	case 1:
		return -ETIMEDOUT; /* nothing happened */
	case 2:
		return -EINTR;
	default:
		f->info.state = final_state;
		*events = TESSERA_HSM_EVENT_STATE;
		return 0;
	}
}

static int wait_poweroff(struct fake_vm *f, uint64_t *mask, uint32_t *events)
{
	return wait_then(f, mask, events, TESSERA_VM_STATE_POWERED_OFF);
}

static int wait_crash(struct fake_vm *f, uint64_t *mask, uint32_t *events)
{
	return wait_then(f, mask, events, TESSERA_VM_STATE_CRASHED);
}

static unsigned count(enum fake_op op)
{
	return vm.calls[op];
}

static void test_boot_serve_poweroff(void **state)
{
	static const enum fake_op setup_order[] = {
		FAKE_CREATE, FAKE_INFO, FAKE_MEMORY, FAKE_REGS, FAKE_START,
	};

	(void)state;
	vm.on_wait = wait_poweroff;
	assert_int_equal(run_args(ARGS("-c", "2", "-B", "console=hvc0")),
			 DM_EXIT_POWEROFF);
	assert_memory_equal(vm.seq, setup_order, sizeof(setup_order));
	assert_string_equal(vm.name, "uvm0");
	assert_int_equal(vm.vcpus, 2);
	assert_int_equal(vm.flags, 0);
	assert_int_equal(vm.mem_gpa, 0x40000000);
	assert_int_equal(vm.mem_size, 256 * MiB);
	assert_int_equal(vm.mem_flags, TESSERA_MEM_READ | TESSERA_MEM_WRITE |
					       TESSERA_MEM_EXEC);
	assert_int_equal((uintptr_t)vm.mem_host % 4096, 0);
	assert_int_equal(vm.regs_vcpu, 0);
	assert_int_equal(vm.regs.pc, 0x40200000);
	assert_int_equal(vm.regs.x[0], 0x40000000);
	/* both requests answered, completed and notified */
	assert_int_equal(vm.slots[0].state, TESSERA_IO_STATE_COMPLETE);
	assert_int_equal(vm.slots[0].req.value, VIRTIO_MMIO_MAGIC);
	assert_int_equal(vm.slots[1].state, TESSERA_IO_STATE_COMPLETE);
	assert_int_equal(vm.slots[1].req.value, VIRTIO_ID_RNG);
	assert_int_equal(vm.nnotify, 2);
	assert_int_equal(vm.notified[0], 0);
	assert_int_equal(vm.notified[1], 1);
	assert_int_equal(count(FAKE_WAIT), 4);
	assert_int_equal(count(FAKE_DESTROY), 1);
	assert_int_equal(vm.seq[vm.nseq - 1], FAKE_DESTROY);
}

static void test_crash(void **state)
{
	(void)state;
	vm.on_wait = wait_crash;
	assert_int_equal(run_args(ARGS("-c", "2")), DM_EXIT_CRASHED);
	assert_int_equal(count(FAKE_DESTROY), 1);
}

static int wait_reset(struct fake_vm *f, uint64_t *mask, uint32_t *events)
{
	(void)mask;
	switch (waits++) {
	case 0:
		/* the guest scribbled over its kernel and asked for a reset */
		memset(f->mem_host, 0xee, 4 * MiB);
		f->info.state = TESSERA_VM_STATE_RESET_REQUESTED;
		*events = TESSERA_HSM_EVENT_STATE;
		return 0;
	case 1:
		assert_int_equal(f->info.state, TESSERA_VM_STATE_RUNNING);
		f->info.state = TESSERA_VM_STATE_POWERED_OFF;
		*events = TESSERA_HSM_EVENT_STATE;
		return 0;
	default:
		fail_msg("waited after power-off");
	}
	return 0;
}

static void test_reset_reloads(void **state)
{
	static const enum fake_op restart[] = {
		FAKE_RESET, FAKE_REGS, FAKE_START, FAKE_WAIT, FAKE_INFO,
		FAKE_DESTROY,
	};
	unsigned n = sizeof(restart) / sizeof(restart[0]);

	(void)state;
	vm.on_wait = wait_reset;
	assert_int_equal(run_args(NULL), DM_EXIT_POWEROFF);
	assert_int_equal(count(FAKE_START), 2);
	assert_int_equal(count(FAKE_RESET), 1);
	assert_memory_equal(vm.seq + vm.nseq - n, restart, sizeof(restart));
	assert_int_equal(vm.regs.pc, 0x40200000);
	assert_int_equal(vm.regs.x[0], 0x40000000);
}

static int wait_reset_check_ram(struct fake_vm *f, uint64_t *mask,
				uint32_t *events)
{
	if (waits == 1) /* after the reload, before power-off */
		assert_memory_equal((uint8_t *)f->mem_host + 2 * MiB,
				    kernel_bytes, sizeof(kernel_bytes));
	return wait_reset(f, mask, events);
}

static void test_reset_restores_images(void **state)
{
	(void)state;
	vm.on_wait = wait_reset_check_ram;
	assert_int_equal(run_args(NULL), DM_EXIT_POWEROFF);
}

static void test_create_errors(void **state)
{
	static const struct {
		int rc;
		int code;
		const char *says;
	} cases[] = {
		{-ENOENT, DM_EXIT_NO_SLOT, "no post-launched VM slot \"uvm0\""},
		{-EBUSY, DM_EXIT_BUSY, "slot \"uvm0\" is busy"},
		{-EEXIST, DM_EXIT_FAILURE, "the HSM file already has a VM"},
		{-EINVAL, DM_EXIT_REFUSED, "2 vCPUs is more than it allows"},
		{-EPERM, DM_EXIT_REFUSED, "does not let"},
		{-ENOTTY, DM_EXIT_NO_HSM, "different versions"},
		{-EIO, DM_EXIT_FAILURE, "Input/output error"},
	};

	(void)state;
	for (unsigned i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		fake_vm_init(&vm);
		vm.rc[FAKE_CREATE] = cases[i].rc;
		assert_int_equal(run_args(ARGS("-c", "2")), cases[i].code);
		assert_int_equal(count(FAKE_DESTROY), 0); /* nothing to destroy */
		assert_int_equal(count(FAKE_MEMORY), 0);
		assert_int_equal(dm_create_error(cases[i].rc, "uvm0", 2, err,
						 sizeof(err)), cases[i].code);
		if (!strstr(err, cases[i].says))
			fail_msg("\"%s\" does not say \"%s\"", err,
				 cases[i].says);
	}
}

static void test_setup_errors(void **state)
{
	char missing[80];

	(void)state;
	/* files first: nothing is created for a bad one */
	unlink(dpath);
	assert_int_equal(run_args(NULL), DM_EXIT_FILE);
	assert_int_equal(count(FAKE_CREATE), 0);
	close(open(dpath, O_CREAT | O_WRONLY, 0600));
	assert_int_equal(truncate(dpath, 1 << 20), 0);
	snprintf(missing, sizeof(missing), "%s.none", kpath);
	assert_int_equal(run_args(ARGS("-k", missing)), DM_EXIT_FILE);
	assert_int_equal(run_args(ARGS("-r", "/nonexistent")), DM_EXIT_FILE);
	assert_int_equal(run_args(ARGS("--platform-dtb", "/nonexistent")),
			 DM_EXIT_FILE);
	assert_int_equal(count(FAKE_CREATE), 0);
	/* more RAM than the slot allows */
	vm.info.max_memory = 128 * MiB;
	assert_int_equal(run_args(NULL), DM_EXIT_REFUSED);
	assert_int_equal(count(FAKE_DESTROY), 1);
	assert_int_equal(count(FAKE_MEMORY), 0);
	vm.info.max_memory = 0;
	/* the hypervisor refuses the memory, the registers, the start */
	vm.rc[FAKE_MEMORY] = -ENOSPC;
	assert_int_equal(run_args(NULL), DM_EXIT_REFUSED);
	vm.rc[FAKE_MEMORY] = 0;
	vm.rc[FAKE_START] = -EIO;
	assert_int_equal(run_args(NULL), DM_EXIT_FAILURE);
	vm.rc[FAKE_START] = 0;
	/* not enough SPIs for the transports */
	vm.info.spi_count = 16;
	assert_int_equal(run_args(NULL), DM_EXIT_REFUSED);
	assert_int_equal(count(FAKE_DESTROY), 4);
}

static int wait_fail(struct fake_vm *f, uint64_t *mask, uint32_t *events)
{
	(void)f;
	(void)events;
	if (waits++ == 0) {
		*mask = ~0ull; /* vCPUs the VM does not have, none PROCESSING */
		return 0;
	}
	return -EIO;
}

static void test_wait_failure(void **state)
{
	(void)state;
	vm.on_wait = wait_fail;
	assert_int_equal(run_args(NULL), DM_EXIT_FAILURE);
	assert_int_equal(vm.nnotify, 0);
	assert_int_equal(count(FAKE_DESTROY), 1);
}

static int wait_stop(struct fake_vm *f, uint64_t *mask, uint32_t *events)
{
	(void)f;
	(void)mask;
	(void)events;
	stop = 1; /* SIGTERM arrived */
	return -EINTR;
}

static void test_stop(void **state)
{
	(void)state;
	vm.on_wait = wait_stop;
	assert_int_equal(run_args(NULL), DM_EXIT_STOPPED);
	assert_int_equal(count(FAKE_WAIT), 1);
	assert_int_equal(count(FAKE_DESTROY), 1);
}

/*
 * Notify mode with --spin-us: after serving a request the DM watches the
 * slots (sos_watching, so no upcall) and takes the vCPU's next request,
 * PENDING, without a WAIT; one the driver claimed (PROCESSING) it leaves to
 * the next WAIT's mask. When it stops watching it says so before blocking.
 * With --spin-us 0 it blocks at once and the PENDING one waits.
 */
static unsigned watched_at_notify;

static void next_access_on_notify(struct fake_vm *f, uint32_t vcpu)
{
	if (f->nnotify != 1)
		return;
	assert_int_equal(vcpu, 0);
	watched_at_notify = f->slots[0].sos_watching + f->slots[1].sos_watching;
	request(0, TESSERA_IO_STATE_PENDING, 0x0a000208);
	request(1, TESSERA_IO_STATE_PROCESSING, 0x0a000000);
}

static int wait_spin(struct fake_vm *f, uint64_t *mask, uint32_t *events)
{
	bool spins = *(bool *)f->test;

	switch (waits++) {
	case 0:
		request(0, TESSERA_IO_STATE_PROCESSING, 0x0a000000);
		*mask = 1;
		return 0;
	case 1:
		/* Not watching while it waits. */
		assert_int_equal(f->slots[0].sos_watching, 0);
		assert_int_equal(f->slots[1].sos_watching, 0);
		assert_int_equal(f->slots[0].state, spins ? TESSERA_IO_STATE_COMPLETE
							  : TESSERA_IO_STATE_PENDING);
		assert_int_equal(f->slots[1].state, TESSERA_IO_STATE_PROCESSING);
		*mask = 2;
		return 0;
	default:
		f->info.state = TESSERA_VM_STATE_POWERED_OFF;
		*events = TESSERA_HSM_EVENT_STATE;
		return 0;
	}
}

static void test_notify_spins_before_it_blocks(void **state)
{
	bool spins[] = {true, false};

	(void)state;
	for (unsigned k = 0; k < 2; k++) {
		if (k) {
			teardown(NULL);
			setup(NULL);
		}
		vm.on_wait = wait_spin;
		vm.on_notify = next_access_on_notify;
		vm.test = &spins[k];
		watched_at_notify = 0;
		assert_int_equal(run_args(spins[k] ? ARGS("-c", "2")
					  : ARGS("-c", "2", "--spin-us", "0")),
				 DM_EXIT_POWEROFF);
		assert_int_equal(watched_at_notify, spins[k] ? 2 : 0);
		assert_int_equal(count(FAKE_WAIT), 3);
		/* vCPU 0 twice when spinning (the second one taken in the
		 * spin), then vCPU 1 from the mask. */
		assert_int_equal(vm.nnotify, spins[k] ? 3 : 2);
		assert_int_equal(vm.notified[vm.nnotify - 1], 1);
		assert_int_equal(vm.slots[1].req.value, VIRTIO_MMIO_MAGIC);
		if (spins[k])
			assert_int_equal(vm.slots[0].req.value, VIRTIO_ID_RNG);
	}
}

/* Polling: no WAIT, no NOTIFY; the DM claims PENDING slots itself and
 * looks at the VM's state every 10 ms. */
static void poll_script(struct fake_vm *f)
{
	if (f->calls[FAKE_INFO] == 2) {
		request(0, TESSERA_IO_STATE_PENDING, 0x0a000200 + 0x008);
	} else if (f->calls[FAKE_INFO] == 3) {
		assert_int_equal(f->slots[0].state, TESSERA_IO_STATE_COMPLETE);
		assert_int_equal(f->slots[0].req.value, VIRTIO_ID_RNG);
		f->info.state = TESSERA_VM_STATE_POWERED_OFF;
	}
}

static void test_polling(void **state)
{
	(void)state;
	vm.on_info = poll_script;
	assert_int_equal(run_args(ARGS("--polling")), DM_EXIT_POWEROFF);
	assert_int_equal(vm.flags, TESSERA_VM_CREATE_POLLING);
	assert_int_equal(count(FAKE_WAIT), 0);
	assert_int_equal(count(FAKE_NOTIFY), 0);
	assert_int_equal(count(FAKE_INFO), 3);
}

/* The rng-seed line of a dumped device tree (dtc's text), or "". */
static void seed_line(const char *dtb, char *line, size_t size)
{
	char cmd[160];
	FILE *f;

	snprintf(cmd, sizeof(cmd),
		 "dtc -I dtb -O dts %s 2>/dev/null | grep rng-seed", dtb);
	f = popen(cmd, "r");
	assert_non_null(f);
	if (!fgets(line, (int)size, f))
		line[0] = '\0';
	pclose(f);
}

static void test_dump_dtb(void **state)
{
	char dtb[] = "/tmp/tessera-dm-dump-XXXXXX", cmd[128];
	char seed[2][256];

	(void)state;
	close(mkstemp(dtb));
	vm.on_wait = wait_poweroff;
	assert_int_equal(run_args(ARGS("--dump-dtb", dtb)), DM_EXIT_POWEROFF);
	snprintf(cmd, sizeof(cmd),
		 "dtc -I dtb -O dts %s 2>/dev/null | grep -q virtio_mmio@a000200",
		 dtb);
	assert_int_equal(system(cmd), 0);
	/* 32 bytes of fresh entropy in /chosen, different every boot */
	seed_line(dtb, seed[0], sizeof(seed[0]));
	teardown(state);
	setup(state);
	vm.on_wait = wait_poweroff;
	assert_int_equal(run_args(ARGS("--dump-dtb", dtb)), DM_EXIT_POWEROFF);
	seed_line(dtb, seed[1], sizeof(seed[1]));
	for (unsigned i = 0; i < 2; i++)
		if (!strstr(seed[i], "rng-seed = <0x") ||
		    strlen(strchr(seed[i], '<')) < 8 * 3)
			fail_msg("no 32-byte rng-seed: \"%s\"", seed[i]);
	assert_string_not_equal(seed[0], seed[1]);
	unlink(dtb);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_option_errors),
		cmocka_unit_test(test_sizes),
		T(test_boot_serve_poweroff),
		T(test_crash),
		T(test_reset_reloads),
		T(test_reset_restores_images),
		T(test_create_errors),
		T(test_setup_errors),
		T(test_wait_failure),
		T(test_stop),
		T(test_notify_spins_before_it_blocks),
		T(test_polling),
		T(test_dump_dtb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
