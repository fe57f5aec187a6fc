/* SPDX-License-Identifier: BSD-3-Clause */
/* The device model's lifecycle and serve loop (run.h). */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include <arch_cpu.h>
#include <uapi/tessera_hsm.h>

#include "boot.h"
#include "devices.h"
#include "dm_exit.h"
#include "dt.h"
#include "guest_mem.h"
#include "iobus.h"
#include "ioreq.h"
#include "layout.h"
#include "run.h"
#include "virtio_console.h"

#define WAIT_MS_CONSOLE 20u /* console input latency while waiting */
#define WAIT_MS_IDLE 500u   /* a stop request is seen at least this often */
#define POLL_HOUSEKEEPING_NS 10000000ll /* polling: state and input, 10 ms */
#define CONTINUE (-1)       /* not an exit code: keep serving */

struct dm {
	const struct dm_options *o;
	const struct dm_host *h;
	struct vmm *vmm;
	int in_fd;
	bool created, polling;
	struct guest_mem mem;
	void *platform;
	size_t platform_size;
	struct iobus bus;
	struct dm_devices devs;
	struct vmm_vm vm;
	struct tessera_vm_info info;
	struct ioreq ioreq;
	struct vm_fdt_params fdt;
	uint8_t rng_seed[32]; /* /chosen/rng-seed of the current boot */
	struct boot_layout layout;
	struct log_ratelimit rl;
	/* notify mode: requests served from the driver's hand-over, and while
	 * watching the slots (--spin-us); watches that ended */
	uint64_t handed, watched, watches;
	char err[512];
};

static const char *strerr(int rc)
{
	return strerror(rc < 0 ? -rc : rc);
}

int dm_create_error(int rc, const char *name, uint32_t vcpus, char *err,
		    size_t len)
{
	switch (-rc) {
	case ENOENT:
	case ENODEV:
	case ESRCH:
		snprintf(err, len, "there is no post-launched VM slot \"%s\" in "
			 "the scenario", name);
		return DM_EXIT_NO_SLOT;
	case EBUSY:
		snprintf(err, len, "slot \"%s\" is busy: a User VM already runs "
			 "in it (another tessera-dm?)", name);
		return DM_EXIT_BUSY;
	case EEXIST: /* one VM per open file, and the DM creates one */
		snprintf(err, len, "cannot create VM \"%s\": the HSM file "
			 "already has a VM", name);
		return DM_EXIT_FAILURE;
	case EPERM:
	case EACCES:
		snprintf(err, len, "the hypervisor does not let this Service VM "
			 "create \"%s\" (not a post-launched slot?)", name);
		return DM_EXIT_REFUSED;
	case EINVAL:
	case E2BIG:
		snprintf(err, len, "slot \"%s\" refused the VM: %u vCPUs is more "
			 "than it allows, or the completion mode is not "
			 "allowed", name, vcpus);
		return DM_EXIT_REFUSED;
	case ENOTTY:
		snprintf(err, len, "the HSM driver does not know "
			 "TESSERA_HSM_CREATE_VM: driver and tessera-dm are of "
			 "different versions");
		return DM_EXIT_NO_HSM;
	default:
		snprintf(err, len, "cannot create VM \"%s\": %s", name,
			 strerr(rc));
		return DM_EXIT_FAILURE;
	}
}

static const char *state_name(uint32_t s)
{
	static const char *const names[] = {
		"empty", "created", "running", "paused", "powered off",
		"crashed", "reset requested",
	};

	return s < sizeof(names) / sizeof(names[0]) ? names[s] : "unknown";
}

/* ---- set-up ---- */

static int prepare(struct dm *dm)
{
	const struct dm_options *o = dm->o;
	struct arm64_image img;
	int rc;

	rc = guest_mem_alloc(&dm->mem, DM_RAM_BASE, o->mem_size);
	if (rc) {
		log_err("cannot allocate %llu MiB for the User VM's RAM: %s",
			(unsigned long long)(o->mem_size >> 20), strerr(rc));
		return DM_EXIT_FAILURE;
	}
	if (boot_check_kernel(o->kernel, o->bare, &img, dm->err,
			      sizeof(dm->err))) {
		log_err("%s", dm->err);
		return DM_EXIT_FILE;
	}
	if (o->initrd && access(o->initrd, R_OK)) {
		log_err("cannot read initrd %s: %s", o->initrd, strerror(errno));
		return DM_EXIT_FILE;
	}
	if (dt_read_platform(o->platform_dtb, &dm->platform, &dm->platform_size,
			     dm->err, sizeof(dm->err))) {
		log_err("%s", dm->err);
		return DM_EXIT_FILE;
	}
	iobus_init(&dm->bus);
	if (devices_create(&dm->devs, o, &dm->mem, dm->vmm, &dm->bus,
			   dm->h->console_out, dm->err, sizeof(dm->err))) {
		log_err("%s", dm->err);
		return DM_EXIT_FILE;
	}
	return CONTINUE;
}

static int create(struct dm *dm)
{
	const struct dm_options *o = dm->o;
	const struct vmm_ops *ops = dm->vmm->ops;
	void *ctx = dm->vmm->ctx;
	uint32_t flags = o->polling ? TESSERA_VM_CREATE_POLLING : 0;
	int rc;

	rc = ops->create_vm(ctx, o->name, o->vcpus, flags, &dm->vm);
	if (rc) {
		int code = dm_create_error(rc, o->name, o->vcpus, dm->err,
					   sizeof(dm->err));

		log_err("%s", dm->err);
		return code;
	}
	dm->created = true;
	dm->polling = dm->vm.completion_mode == TESSERA_IO_COMPLETION_POLLING;
	if (o->polling && !dm->polling)
		log_warn("%s: asked for polling, the hypervisor chose notify",
			 o->name);
	if (dm->vm.nr_request_pages < TESSERA_IO_PAGES_FOR(o->vcpus) ||
	    ioreq_init(&dm->ioreq, dm->vm.slots, o->vcpus, &dm->bus)) {
		log_err("%s: %u request pages for %u vCPUs", o->name,
			dm->vm.nr_request_pages, o->vcpus);
		return DM_EXIT_FAILURE;
	}
	rc = ops->get_info(ctx, &dm->info);
	if (rc) {
		log_err("%s: cannot get the VM's information: %s", o->name,
			strerr(rc));
		return DM_EXIT_FAILURE;
	}
	if (dm->info.max_memory && o->mem_size > dm->info.max_memory) {
		log_err("%s: -m %llu MiB is more than the slot allows (%llu MiB)",
			o->name, (unsigned long long)(o->mem_size >> 20),
			(unsigned long long)(dm->info.max_memory >> 20));
		return DM_EXIT_REFUSED;
	}
	rc = ops->set_memory(ctx, dm->mem.host, dm->mem.gpa, dm->mem.size,
			     TESSERA_MEM_READ | TESSERA_MEM_WRITE |
				     TESSERA_MEM_EXEC);
	if (rc) {
		log_err("%s: %llu MiB of RAM at 0x%llx refused: %s%s", o->name,
			(unsigned long long)(dm->mem.size >> 20),
			(unsigned long long)dm->mem.gpa, strerr(rc),
			rc == -ENOMEM ? " (the pinned RAM counts against "
					"RLIMIT_MEMLOCK: ulimit -l, or root)"
			: rc == -ENOSPC ? " (more than the slot allows)" : "");
		return rc == -EINVAL || rc == -ENOSPC || rc == -E2BIG ||
				       rc == -EPERM
			       ? DM_EXIT_REFUSED
			       : DM_EXIT_FAILURE;
	}
	if (dt_params(&dm->fdt, &dm->info, o->vcpus, &dm->mem, &dm->devs,
		      o->bootargs, dm->err, sizeof(dm->err))) {
		log_err("%s: %s", o->name, dm->err);
		return DM_EXIT_REFUSED;
	}
	return CONTINUE;
}

static void dump_dtb(struct dm *dm)
{
	const void *blob = gpa_to_host(&dm->mem, dm->layout.dtb,
				       dm->layout.dtb_size);
	FILE *f = fopen(dm->o->dump_dtb, "wb");

	if (!f || !blob ||
	    fwrite(blob, 1, dm->layout.dtb_size, f) != dm->layout.dtb_size)
		log_warn("cannot write the device tree to %s", dm->o->dump_dtb);
	if (f)
		fclose(f);
}

/* A fresh seed for every boot, so that the User VM's crng is ready before
 * its init runs instead of waiting for virtio-rng or for jitter. */
static void seed_rng(struct dm *dm)
{
	ssize_t got = getrandom(dm->rng_seed, sizeof(dm->rng_seed),
				GRND_NONBLOCK);

	dm->fdt.rng_seed = dm->rng_seed;
	dm->fdt.rng_seed_len = got == (ssize_t)sizeof(dm->rng_seed)
				       ? sizeof(dm->rng_seed) : 0;
	if (!dm->fdt.rng_seed_len)
		log_warn("%s: no rng-seed for the User VM: %s", dm->o->name,
			 got < 0 ? strerror(errno) : "short read");
}

/* Images, device tree, registers; reset (a reboot) between load and regs. */
static int boot(struct dm *dm, bool reboot)
{
	const struct vmm_ops *ops = dm->vmm->ops;
	struct tessera_vcpu_regs regs;
	const char *name = dm->o->name;
	enum boot_result br;
	int rc;

	seed_rng(dm);
	br = boot_load(dm->o->kernel, dm->o->bare, dm->o->initrd, &dm->mem,
		       &dm->fdt, dm->platform, dm->platform_size, &dm->layout,
		       &regs, dm->err, sizeof(dm->err));
	if (br != BOOT_OK) {
		log_err("%s: %s", name, dm->err);
		return br == BOOT_EFILE ? DM_EXIT_FILE : DM_EXIT_REFUSED;
	}
	if (dm->o->dump_dtb)
		dump_dtb(dm);
	if (reboot && (rc = ops->reset(dm->vmm->ctx))) {
		log_err("%s: cannot reset the VM: %s", name, strerr(rc));
		return DM_EXIT_FAILURE;
	}
	rc = ops->set_vcpu_regs(dm->vmm->ctx, 0, &regs);
	if (rc) {
		log_err("%s: cannot set vCPU 0's registers: %s", name, strerr(rc));
		return DM_EXIT_FAILURE;
	}
	rc = ops->start(dm->vmm->ctx);
	if (rc) {
		log_err("%s: cannot start the VM: %s", name, strerr(rc));
		return DM_EXIT_FAILURE;
	}
	log_info("%s: %s: %u vCPU%s, %llu MiB at 0x%llx, kernel at 0x%llx, "
		 "device tree %llu bytes at 0x%llx, %u device%s, %s completion",
		 name, reboot ? "restarted" : "started", dm->o->vcpus,
		 dm->o->vcpus == 1 ? "" : "s",
		 (unsigned long long)(dm->mem.size >> 20),
		 (unsigned long long)dm->mem.gpa,
		 (unsigned long long)dm->layout.kernel,
		 (unsigned long long)dm->layout.dtb_size,
		 (unsigned long long)dm->layout.dtb, dm->devs.count,
		 dm->devs.count == 1 ? "" : "s",
		 dm->polling ? "polling" : "notify");
	return CONTINUE;
}

/* ---- serving ---- */

/* The VM's state changed, or may have (polling). */
static int check_state(struct dm *dm)
{
	const char *name = dm->o->name;
	int rc = dm->vmm->ops->get_info(dm->vmm->ctx, &dm->info);

	if (rc) {
		log_err("%s: cannot get the VM's state: %s", name, strerr(rc));
		return DM_EXIT_FAILURE;
	}
	switch (dm->info.state) {
	case TESSERA_VM_STATE_POWERED_OFF:
		log_info("%s: powered off", name);
		return DM_EXIT_POWEROFF;
	case TESSERA_VM_STATE_CRASHED:
		log_err("%s: the User VM crashed (stopped by the hypervisor; its "
			"log says why)", name);
		return DM_EXIT_CRASHED;
	case TESSERA_VM_STATE_RESET_REQUESTED:
		log_info("%s: reset requested: reloading", name);
		devices_reset(&dm->devs);
		return boot(dm, true);
	case TESSERA_VM_STATE_EMPTY:
		log_err("%s: the VM was destroyed under the device model", name);
		return DM_EXIT_FAILURE;
	default:
		log_debug("%s: state %s", name, state_name(dm->info.state));
		return CONTINUE;
	}
}

/* Console input, if a terminal has some and the console has room. */
static int pump_input(struct dm *dm)
{
	struct virtio_mmio *con = dm->devs.console;
	struct pollfd pfd = {.fd = dm->in_fd, .events = POLLIN};
	uint8_t buf[512], *esc;
	size_t room;
	ssize_t n;

	if (dm->in_fd < 0 || !con)
		return CONTINUE;
	room = virtio_console_input_room(con);
	if (!room || poll(&pfd, 1, 0) <= 0)
		return CONTINUE;
	n = read(dm->in_fd, buf, room < sizeof(buf) ? room : sizeof(buf));
	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return CONTINUE;
	if (n <= 0) {
		log_info("console input closed");
		dm->in_fd = -1;
		return CONTINUE;
	}
	esc = memchr(buf, DM_CONSOLE_ESCAPE, (size_t)n);
	virtio_console_input(con, buf, esc ? (size_t)(esc - buf) : (size_t)n);
	if (esc) {
		log_info("%s: Ctrl-] on the console: stopping", dm->o->name);
		return DM_EXIT_STOPPED;
	}
	return CONTINUE;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000ll + ts.tv_nsec;
}

/* Notify mode: tell each vCPU in `done` that its request is complete. */
static void notify_done(struct dm *dm, uint64_t done)
{
	for (unsigned v = 0; done; v++, done >>= 1) {
		int rc;

		if (!(done & 1))
			continue;
		rc = dm->vmm->ops->notify(dm->vmm->ctx, v);
		if (rc && log_ratelimit_allow(&dm->rl))
			log_warn("%s: notify vCPU %u: %s", dm->o->name, v,
				 strerr(rc));
	}
}

/*
 * Notify mode, after a request: a guest's next access often follows within
 * microseconds (a driver's register sequence), so watch the slots for
 * --spin-us after the last request before blocking, as KVM's halt polling
 * does for a vCPU. Meanwhile the hypervisor raises no upcall, and a request
 * costs no interrupt, wake-up or wait. Bounded by the polling loop's
 * housekeeping period, so that a busy VM's console and state events wait no
 * longer than there. The watch starts before the vCPUs in `done` are
 * notified: their next requests follow at once.
 */
static void notify_and_spin(struct dm *dm, uint64_t done)
{
	long long start = now_ns(), last = start, now;
	long long spin = dm->o->spin_us * 1000ll;
	unsigned looks = 0;

	ioreq_watch(&dm->ioreq, true);
	notify_done(dm, done);
	for (;;) {
		done = ioreq_take_pending(&dm->ioreq);
		if (done) {
			dm->watched += (uint64_t)__builtin_popcountll(done);
			notify_done(dm, done);
			last = now_ns();
		} else {
			cpu_spin_wait(); /* YIELD: a spin without it distorts -icount */
			if (++looks % 64)
				continue;
		}
		now = now_ns();
		if (now - last >= spin || now - start >= POLL_HOUSEKEEPING_NS ||
		    *dm->h->stop)
			break;
	}
	ioreq_watch(&dm->ioreq, false);
	dm->watches++;
	/* Published while we watched: no upcall came for it. */
	done = ioreq_take_pending(&dm->ioreq);
	dm->watched += (uint64_t)__builtin_popcountll(done);
	notify_done(dm, done);
}

static int serve_notify(struct dm *dm)
{
	const struct vmm_ops *ops = dm->vmm->ops;
	void *ctx = dm->vmm->ctx;
	int r;

	while (!*dm->h->stop) {
		uint64_t mask = 0, done;
		uint32_t events = 0;
		int rc = ops->wait(ctx, dm->in_fd >= 0 ? WAIT_MS_CONSOLE
						       : WAIT_MS_IDLE,
				   &mask, &events);

		if (rc && rc != -EINTR && rc != -ETIMEDOUT && rc != -EAGAIN) {
			log_err("%s: waiting for requests failed: %s",
				dm->o->name, strerr(rc));
			return DM_EXIT_FAILURE;
		}
		done = ioreq_serve_mask(&dm->ioreq, mask);
		dm->handed += (uint64_t)__builtin_popcountll(done);
		if (done && dm->o->spin_us)
			notify_and_spin(dm, done);
		else
			notify_done(dm, done);
		if ((events & TESSERA_HSM_EVENT_STATE) &&
		    (r = check_state(dm)) != CONTINUE)
			return r;
		if ((r = pump_input(dm)) != CONTINUE)
			return r;
	}
	return DM_EXIT_STOPPED;
}

static int serve_polling(struct dm *dm)
{
	long long last = now_ns();
	unsigned looks = 0;
	int r;

	while (!*dm->h->stop) {
		if (!ioreq_poll(&dm->ioreq))
			cpu_spin_wait(); /* YIELD: a spin without it distorts -icount */
		/* the clock every 256 looks, busy or not, so that a VM that
		 * keeps the DM busy still gets its console and its events */
		if (++looks % 256 || now_ns() - last < POLL_HOUSEKEEPING_NS)
			continue;
		last = now_ns();
		if ((r = check_state(dm)) != CONTINUE ||
		    (r = pump_input(dm)) != CONTINUE)
			return r;
	}
	return DM_EXIT_STOPPED;
}

static void teardown(struct dm *dm)
{
	if (!dm->polling && dm->handed + dm->watched)
		log_info("%s: %llu requests served: %llu handed over by the "
			 "driver, %llu seen while watching the slots (%llu "
			 "watches)", dm->o->name,
			 (unsigned long long)(dm->handed + dm->watched),
			 (unsigned long long)dm->handed,
			 (unsigned long long)dm->watched,
			 (unsigned long long)dm->watches);
	if (dm->created) {
		int rc = dm->vmm->ops->destroy(dm->vmm->ctx);

		if (rc)
			log_warn("%s: destroying the VM: %s", dm->o->name,
				 strerr(rc));
	}
	devices_destroy(&dm->devs);
	free(dm->platform);
	guest_mem_free(&dm->mem);
}

int dm_run(const struct dm_options *o, struct vmm *vmm,
	   const struct dm_host *h)
{
	struct dm *dm = calloc(1, sizeof(*dm));
	int r;

	if (!dm) {
		log_err("out of memory");
		return DM_EXIT_FAILURE;
	}
	dm->o = o;
	dm->h = h;
	dm->vmm = vmm;
	dm->in_fd = h->console_in;
	dm->rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(LOG_WARN, NULL,
							  "notify failed");
	r = prepare(dm);
	if (r == CONTINUE)
		r = create(dm);
	if (r == CONTINUE)
		r = boot(dm, false);
	if (r == CONTINUE)
		r = dm->polling ? serve_polling(dm) : serve_notify(dm);
	if (r == DM_EXIT_STOPPED)
		log_info("%s: stopping: destroying the VM", o->name);
	teardown(dm);
	free(dm);
	return r;
}
