// SPDX-License-Identifier: BSD-3-Clause
/*
 * hsm-check: the HSM driver's ioctl ABI from user space (doc/hsm.rst).
 *
 *   hsm-check [-n NAME] [-v VCPUS] [-g GPA] [-a MMIO] [-c CYCLES] [-q]
 *
 * Runs in the Service VM's initramfs (/bin/hsm-check). Every bad call must
 * be refused with its documented errno and leave nothing behind (no VM, no
 * pinned page: VmLck, MemFree); the good ones must work. NAME (default
 * uvm0) is a post-launched slot of the scenario. Under Tessera a tiny guest
 * runs in it: it reads an MMIO register (the test answers), writes the value
 * back, and powers off (PSCI SYSTEM_OFF), which must come back as a state
 * event. With the driver's mock-hypervisor test build
 * (/sys/kernel/debug/tessera_hsm_mock) the test plays the vCPUs itself and
 * also checks routing, polling mode and failing hypercalls. Without /dev/tessera_hsm it checks
 * nothing and exits 2.
 *
 * Output: "hsm-check: ok: ..." / "hsm-check: FAIL: ..." lines, then
 * "hsm-check: N passed, N failed"; exit status 0 only if nothing failed.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tessera_hsm.h"

#define PAGE 4096ul
#define MOCK_CTL "/sys/kernel/debug/tessera_hsm_mock"
#define MIB (1ul << 20)
#define VALUE 0x1234abcdu

static int passed, failed;
static bool quiet;
static bool mock;

static const char *name = "uvm0";
static uint32_t vcpus = 1;
static uint64_t ram_gpa = 0x40000000;
static uint64_t mmio = 0x0e000000;
static unsigned long cycles = 1000;

/* ---- reporting -------------------------------------------------------------- */

static void report(bool ok, const char *fmt, ...)
{
	va_list ap;

	if (ok)
		passed++;
	else
		failed++;
	if (ok && quiet)
		return;
	printf("hsm-check: %s: ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static const char *ename(int rc)
{
	const char *n;

	if (rc >= 0)
		return "success";
	n = strerrorname_np(-rc);
	return n ? n : "unknown errno";
}

/* A call's result, 0 or -errno, against what it must be. */
static bool expect(int rc, int want, const char *what)
{
	report(rc == want, "%s -> %s%s%s", what, ename(want),
	       rc == want ? "" : ", got ", rc == want ? "" : ename(rc));
	return rc == want;
}

static int xioctl(int fd, unsigned long cmd, const void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? -errno : 0;
}

static int hsm_open(void)
{
	int fd = open(TESSERA_HSM_DEVICE, O_RDWR | O_CLOEXEC);

	if (fd < 0) {
		report(false, "open %s: %s", TESSERA_HSM_DEVICE, strerror(errno));
		exit(1);
	}
	return fd;
}

static long status_kb(const char *file, const char *key)
{
	char line[256];
	size_t n = strlen(key);
	long v = -1;
	FILE *f = fopen(file, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, n) && line[n] == ':')
			v = strtol(line + n + 1, NULL, 10);
	fclose(f);
	return v;
}

static long vm_lck(void)
{
	return status_kb("/proc/self/status", "VmLck");
}

static double now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

static int mock_cmd(const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int fd, n, rc = 0;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fd = open(MOCK_CTL, O_WRONLY);
	if (fd < 0)
		return -errno;
	if (write(fd, buf, n) != n)
		rc = -errno;
	close(fd);
	return rc;
}

/* The mock's line for vm/vcpu: "vm V vcpu C state S value X". */
static bool mock_vcpu(uint32_t vm, uint32_t vcpu, uint32_t *state, uint64_t *value)
{
	char line[512], want[64];
	bool found = false;
	FILE *f = fopen(MOCK_CTL, "r");

	if (!f)
		return false;
	snprintf(want, sizeof(want), "vm %u vcpu %u state ", vm, vcpu);
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, want, strlen(want)) &&
		    sscanf(line + strlen(want), "%u value %lx", state, value) == 2)
			found = true;
	fclose(f);
	return found;
}

/* ---- helpers ---------------------------------------------------------------- */

static int create(int fd, const char *vm_name, uint32_t n, uint32_t flags,
		  struct tessera_hsm_create_vm *out)
{
	struct tessera_hsm_create_vm c = { .vcpu_count = n, .flags = flags };
	size_t len = strlen(vm_name);
	int rc;

	/* Up to all 16 bytes, without a NUL if the name is that long. */
	memcpy(c.name, vm_name, len < sizeof(c.name) ? len : sizeof(c.name));
	rc = xioctl(fd, TESSERA_HSM_CREATE_VM, &c);

	if (out)
		*out = c;
	return rc;
}

static int set_memory(int fd, const void *user, uint64_t gpa, uint64_t size,
		      uint32_t flags)
{
	struct tessera_hsm_memory m = {
		.user_addr = (uintptr_t)user, .vm_gpa = gpa, .size = size,
		.flags = flags,
	};

	return xioctl(fd, TESSERA_HSM_SET_MEMORY, &m);
}

static int new_client(int fd, uint32_t flags, uint32_t *id)
{
	struct tessera_hsm_client c = { .flags = flags };
	int rc = xioctl(fd, TESSERA_HSM_CREATE_CLIENT, &c);

	if (id)
		*id = rc ? 0 : c.client_id;
	return rc;
}

static int add_range(int fd, uint32_t client, uint32_t type, uint64_t start,
		     uint64_t end)
{
	struct tessera_hsm_range r = {
		.client_id = client, .type = type, .start = start, .end = end,
	};

	return xioctl(fd, TESSERA_HSM_ADD_RANGE, &r);
}

static int wait_client(int fd, uint32_t client, uint32_t timeout_ms,
		       struct tessera_hsm_wait *out)
{
	struct tessera_hsm_wait w = { .client_id = client, .timeout_ms = timeout_ms };
	int rc = xioctl(fd, TESSERA_HSM_WAIT, &w);

	if (out)
		*out = w;
	return rc;
}

static int notify(int fd, uint32_t vcpu)
{
	struct tessera_hsm_notify n = { .vcpu_id = vcpu };

	return xioctl(fd, TESSERA_HSM_NOTIFY, &n);
}

static void *anon(size_t size, int prot)
{
	void *p = mmap(NULL, size, prot, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("hsm-check: mmap");
		exit(1);
	}
	return p;
}

static struct tessera_io_slot *map_slots(int fd, uint32_t pages)
{
	void *p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	return p == MAP_FAILED ? NULL : p;
}

static uint32_t slot_state(struct tessera_io_slot *s)
{
	return __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
}

/* The guest under Tessera: read MMIO, write it back at +4, SYSTEM_OFF. */
static const uint32_t guest_code[] = {
	0xb9400041, /* ldr  w1, [x2] */
	0xb9000441, /* str  w1, [x2, #4] */
	0xd2800100, /* movz x0, #0x0008 */
	0xf2b08000, /* movk x0, #0x8400, lsl #16: PSCI SYSTEM_OFF */
	0xd4000002, /* hvc  #0 */
	0x14000000, /* b    . */
};

/* ---- without a VM ------------------------------------------------------------- */

static void check_no_vm(void)
{
	int fd = hsm_open();
	struct tessera_hsm_memory m = { .user_addr = 0x10000, .vm_gpa = 0, .size = PAGE,
					.flags = TESSERA_MEM_READ };
	struct tessera_hsm_vcpu_regs regs = { 0 };
	struct tessera_hsm_irq_line irq = { .intid = 32, .op = TESSERA_IRQ_PULSE };
	struct tessera_hsm_client cl = { 0 };
	struct tessera_hsm_range r = { .client_id = 1, .type = TESSERA_IO_TYPE_MMIO,
				       .start = 0, .end = 1 };
	struct tessera_hsm_wait w = { .client_id = 1, .timeout_ms = 1 };
	struct tessera_hsm_notify n = { 0 };
	struct tessera_vm_info info;
	struct tessera_io_stats stats;
	uint32_t id = 1;
	char wrong[40] = { 0 };
	void *p;

	expect(xioctl(fd, _IO(TESSERA_HSM_IOCTL, 0x7f), NULL), -ENOTTY, "unknown ioctl");
	expect(xioctl(fd, _IOWR(TESSERA_HSM_IOCTL, 0x00, char[40]), wrong), -ENOTTY,
	       "CREATE_VM with a 40-byte argument size");
	expect(xioctl(fd, _IOW(TESSERA_HSM_IOCTL, 0x10, char[24]), wrong), -ENOTTY,
	       "SET_MEMORY with a 24-byte argument size");
	expect(xioctl(fd, _IOWR(TESSERA_HSM_IOCTL, 0x23, char[16]), wrong), -ENOTTY,
	       "WAIT with a 16-byte argument size");
	expect(xioctl(fd, TESSERA_HSM_START_VM, NULL), -ENXIO, "START before CREATE");
	expect(xioctl(fd, TESSERA_HSM_PAUSE_VM, NULL), -ENXIO, "PAUSE before CREATE");
	expect(xioctl(fd, TESSERA_HSM_RESUME_VM, NULL), -ENXIO, "RESUME before CREATE");
	expect(xioctl(fd, TESSERA_HSM_RESET_VM, NULL), -ENXIO, "RESET before CREATE");
	expect(xioctl(fd, TESSERA_HSM_DESTROY_VM, NULL), -ENXIO, "DESTROY before CREATE");
	expect(xioctl(fd, TESSERA_HSM_START_VM, (void *)1), -EINVAL,
	       "START with a non-zero argument");
	expect(xioctl(fd, TESSERA_HSM_SET_MEMORY, &m), -ENXIO, "SET_MEMORY before CREATE");
	expect(xioctl(fd, TESSERA_HSM_SET_VCPU_REGS, &regs), -ENXIO,
	       "SET_VCPU_REGS before CREATE");
	expect(xioctl(fd, TESSERA_HSM_IRQ_LINE, &irq), -ENXIO, "IRQ_LINE before CREATE");
	expect(xioctl(fd, TESSERA_HSM_CREATE_CLIENT, &cl), -ENXIO,
	       "CREATE_CLIENT before CREATE");
	expect(xioctl(fd, TESSERA_HSM_DESTROY_CLIENT, &id), -ENXIO,
	       "DESTROY_CLIENT before CREATE");
	expect(xioctl(fd, TESSERA_HSM_ADD_RANGE, &r), -ENXIO, "ADD_RANGE before CREATE");
	expect(xioctl(fd, TESSERA_HSM_WAIT, &w), -ENXIO, "WAIT before CREATE");
	expect(xioctl(fd, TESSERA_HSM_NOTIFY, &n), -ENXIO, "NOTIFY before CREATE");
	expect(xioctl(fd, TESSERA_HSM_GET_INFO, &info), -ENXIO, "GET_INFO before CREATE");
	expect(xioctl(fd, TESSERA_HSM_GET_IO_STATS, &stats), -ENXIO,
	       "GET_IO_STATS before CREATE");
	p = mmap(NULL, PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	expect(p == MAP_FAILED ? -errno : 0, -ENXIO, "mmap before CREATE");
	if (p != MAP_FAILED)
		munmap(p, PAGE);
	close(fd);
}

static void check_create_args(void)
{
	int fd = hsm_open();
	struct tessera_hsm_create_vm c;

	expect(xioctl(fd, TESSERA_HSM_CREATE_VM, (void *)8), -EFAULT,
	       "CREATE_VM with a bad pointer");
	memset(&c, 0, sizeof(c));
	strcpy(c.name, name);
	c.vcpu_count = vcpus;
	c.reserved[2] = 1;
	expect(xioctl(fd, TESSERA_HSM_CREATE_VM, &c), -EINVAL, "CREATE_VM with reserved[2] = 1");
	expect(create(fd, "", vcpus, 0, NULL), -EINVAL, "CREATE_VM with an empty name");
	memset(&c, 0, sizeof(c));
	memset(c.name, 'a', sizeof(c.name));
	c.vcpu_count = vcpus;
	expect(xioctl(fd, TESSERA_HSM_CREATE_VM, &c), -EINVAL,
	       "CREATE_VM with a name of 16 characters (no NUL)");
	expect(create(fd, "uvm 0", vcpus, 0, NULL), -EINVAL, "CREATE_VM with a space in the name");
	expect(create(fd, "uvm\n", vcpus, 0, NULL), -EINVAL,
	       "CREATE_VM with a newline in the name");
	expect(create(fd, name, 0, 0, NULL), -EINVAL, "CREATE_VM with 0 vCPUs");
	expect(create(fd, name, 65, 0, NULL), -EINVAL, "CREATE_VM with 65 vCPUs");
	expect(create(fd, name, vcpus, TESSERA_VM_CREATE_NOTIFY | TESSERA_VM_CREATE_POLLING,
		      NULL), -EINVAL, "CREATE_VM with both NOTIFY and POLLING");
	expect(create(fd, name, vcpus, 1u << 7, NULL), -EINVAL, "CREATE_VM with flag bit 7");
	expect(create(fd, "no-such-vm", vcpus, 0, NULL), -ENOENT,
	       "CREATE_VM of an unknown name (hypervisor)");
	expect(create(fd, name, 64, 0, NULL), -EINVAL,
	       "CREATE_VM with more vCPUs than the slot has (hypervisor)");
	/* None of that left a VM behind on this file. */
	expect(xioctl(fd, TESSERA_HSM_START_VM, NULL), -ENXIO,
	       "START after the refused CREATE_VMs");
	close(fd);
}

/* ---- a created VM ------------------------------------------------------------- */

static void check_mmap(int fd, uint32_t pages)
{
	struct tessera_io_slot *s;
	uint32_t i, state = ~0u;
	void *p;
	int mem;

	p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, PAGE);
	expect(p == MAP_FAILED ? -errno : 0, -EINVAL, "mmap at offset 4096");
	p = mmap(NULL, (pages + 1) * PAGE, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	expect(p == MAP_FAILED ? -errno : 0, -EINVAL, "mmap of one page too many");
	p = mmap(NULL, pages * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	expect(p == MAP_FAILED ? -errno : 0, -EINVAL, "mmap MAP_PRIVATE");
	p = mmap(NULL, pages * PAGE, PROT_READ | PROT_EXEC, MAP_SHARED, fd, 0);
	expect(p == MAP_FAILED ? -errno : 0, -EINVAL, "mmap PROT_EXEC");
	s = map_slots(fd, pages);
	if (!expect(s ? 0 : -errno, 0, "mmap of the request pages"))
		return;
	for (i = 0; i < vcpus && slot_state(&s[i]) == TESSERA_IO_STATE_FREE; i++)
		;
	report(i == vcpus, "every slot FREE after CREATE_VM");
	mem = open("/proc/self/mem", O_RDWR);
	report(mem >= 0 && pread(mem, &state, 4, (off_t)(uintptr_t)&s[0].completion_mode) == 4 &&
	       state == s[0].completion_mode && state <= TESSERA_IO_COMPLETION_POLLING,
	       "a debugger reads the slots (/proc/self/mem)");
	if (mem >= 0)
		close(mem);
	p = mremap(s, pages * PAGE, (pages + 1) * PAGE, MREMAP_MAYMOVE);
	expect(p == MAP_FAILED ? -errno : 0, -EFAULT, "mremap to grow the mapping");
	expect(mprotect(s, PAGE, PROT_READ | PROT_EXEC) ? -errno : 0, -EACCES,
	       "mprotect PROT_EXEC");
	munmap(p == MAP_FAILED ? (void *)s : p, pages * PAGE);
}

static void check_memory_args(int fd, const struct tessera_vm_info *info)
{
	long lck = vm_lck();
	char *buf = anon(2 * MIB, PROT_READ | PROT_WRITE);
	char *ro = anon(PAGE, PROT_READ);
	char *gone = anon(PAGE, PROT_READ | PROT_WRITE);
	struct tessera_hsm_memory m;
	struct tessera_io_slot *s;

	munmap(gone, PAGE);
	expect(set_memory(fd, buf + 1, ram_gpa, PAGE, TESSERA_MEM_READ), -EINVAL,
	       "SET_MEMORY with a misaligned user address");
	expect(set_memory(fd, buf, ram_gpa + 8, PAGE, TESSERA_MEM_READ), -EINVAL,
	       "SET_MEMORY with a misaligned guest address");
	expect(set_memory(fd, buf, ram_gpa, 0, TESSERA_MEM_READ), -EINVAL,
	       "SET_MEMORY of 0 bytes");
	expect(set_memory(fd, buf, ram_gpa, PAGE + 512, TESSERA_MEM_READ), -EINVAL,
	       "SET_MEMORY of a size not a multiple of 4 KiB");
	expect(set_memory(fd, buf, ram_gpa, PAGE, 0), -EINVAL, "SET_MEMORY without READ");
	expect(set_memory(fd, buf, ram_gpa, PAGE, TESSERA_MEM_READ | (1u << 5)), -EINVAL,
	       "SET_MEMORY with flag bit 5");
	expect(set_memory(fd, buf, ~0ull & ~(PAGE - 1), 2 * PAGE, TESSERA_MEM_READ), -EINVAL,
	       "SET_MEMORY with a guest range wrapping past 2^64");
	memset(&m, 0, sizeof(m));
	m.user_addr = (uintptr_t)buf;
	m.vm_gpa = ram_gpa;
	m.size = PAGE;
	m.flags = TESSERA_MEM_READ;
	m.reserved = 1;
	expect(xioctl(fd, TESSERA_HSM_SET_MEMORY, &m), -EINVAL, "SET_MEMORY with reserved = 1");
	expect(set_memory(fd, gone, ram_gpa, PAGE, TESSERA_MEM_READ), -EFAULT,
	       "SET_MEMORY of unmapped user memory");
	expect(set_memory(fd, buf, ram_gpa, 4 * MIB, TESSERA_MEM_READ), -EFAULT,
	       "SET_MEMORY running past the end of a mapping");
	expect(set_memory(fd, (void *)0xffff000000000000ul, ram_gpa, PAGE, TESSERA_MEM_READ),
	       -EFAULT, "SET_MEMORY of a kernel address");
	expect(set_memory(fd, ro, ram_gpa, PAGE, TESSERA_MEM_READ), -EFAULT,
	       "SET_MEMORY of read-only user memory");
	s = map_slots(fd, TESSERA_IO_PAGES_FOR(vcpus));
	if (s) {
		expect(set_memory(fd, s, ram_gpa, PAGE, TESSERA_MEM_READ), -EFAULT,
		       "SET_MEMORY of the request pages' own mapping");
		munmap(s, TESSERA_IO_PAGES_FOR(vcpus) * PAGE);
	}
	if (info->max_memory)
		expect(set_memory(fd, buf, ram_gpa, info->max_memory + PAGE, TESSERA_MEM_READ),
		       -ENOSPC, "SET_MEMORY beyond the VM's max_memory");
	report(vm_lck() == lck, "nothing pinned by the refused SET_MEMORYs (VmLck %ld kB, was %ld kB)",
	       vm_lck(), lck);
	munmap(buf, 2 * MIB);
	munmap(ro, PAGE);
}

static void check_regs_irq_notify(int fd, const struct tessera_vm_info *info)
{
	struct tessera_hsm_vcpu_regs r;
	struct tessera_hsm_irq_line l;
	struct tessera_hsm_notify n;

	memset(&r, 0, sizeof(r));
	r.vcpu_id = vcpus;
	expect(xioctl(fd, TESSERA_HSM_SET_VCPU_REGS, &r), -EINVAL,
	       "SET_VCPU_REGS of vCPU vcpu_count");
	r.vcpu_id = 0;
	r.reserved = 1;
	expect(xioctl(fd, TESSERA_HSM_SET_VCPU_REGS, &r), -EINVAL,
	       "SET_VCPU_REGS with reserved = 1");
	r.reserved = 0;
	r.regs.reserved[1] = 1;
	expect(xioctl(fd, TESSERA_HSM_SET_VCPU_REGS, &r), -EINVAL,
	       "SET_VCPU_REGS with regs.reserved[1] = 1");
	r.regs.reserved[1] = 0;
	r.regs.pc = ram_gpa;
	expect(xioctl(fd, TESSERA_HSM_SET_VCPU_REGS, &r), 0, "SET_VCPU_REGS of vCPU 0");

	l = (struct tessera_hsm_irq_line){ .intid = 32, .op = 3 };
	expect(xioctl(fd, TESSERA_HSM_IRQ_LINE, &l), -EINVAL, "IRQ_LINE with op 3");
	l = (struct tessera_hsm_irq_line){ .intid = 31, .op = TESSERA_IRQ_PULSE };
	expect(xioctl(fd, TESSERA_HSM_IRQ_LINE, &l), -EINVAL, "IRQ_LINE of INTID 31 (a PPI)");
	l = (struct tessera_hsm_irq_line){ .intid = 32 + info->spi_count, .op = TESSERA_IRQ_PULSE };
	expect(xioctl(fd, TESSERA_HSM_IRQ_LINE, &l), -EINVAL, "IRQ_LINE past the last SPI");
	if (info->spi_count) {
		l = (struct tessera_hsm_irq_line){ .intid = 32 + info->spi_count - 1,
						    .op = TESSERA_IRQ_LOWER };
		expect(xioctl(fd, TESSERA_HSM_IRQ_LINE, &l), 0, "IRQ_LINE LOWER of the last SPI");
	}

	expect(notify(fd, vcpus), -EINVAL, "NOTIFY of vCPU vcpu_count");
	expect(notify(fd, 0xffffffffu), -EINVAL, "NOTIFY of vCPU 0xffffffff");
	n = (struct tessera_hsm_notify){ .vcpu_id = 0, .reserved = 1 };
	expect(xioctl(fd, TESSERA_HSM_NOTIFY, &n), -EINVAL, "NOTIFY with reserved = 1");
	expect(notify(fd, 0), -ENOENT, "NOTIFY of a vCPU without a request (hypervisor)");
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

/* A waiter in a child, sharing the file: what ends its WAIT. */
static pid_t fork_waiter(int fd, uint32_t client, int want)
{
	pid_t pid = fork();

	if (pid == 0)
		_exit(wait_client(fd, client, 5000, NULL) == want ? 0 : 1);
	return pid;
}

static bool reap(pid_t pid)
{
	int st;

	return waitpid(pid, &st, 0) == pid && WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void check_clients(int fd)
{
	struct tessera_hsm_client c = { .flags = 2 };
	struct tessera_hsm_wait w;
	struct sigaction sa = { .sa_handler = on_alarm };
	struct itimerval it = { .it_value = { .tv_usec = 100000 } };
	uint32_t def, ids[TESSERA_HSM_MAX_CLIENTS], id, gone = 12345, i;
	double t;
	pid_t pid;

	expect(xioctl(fd, TESSERA_HSM_CREATE_CLIENT, &c), -EINVAL, "CREATE_CLIENT with flag bit 1");
	expect(new_client(fd, TESSERA_HSM_CLIENT_DEFAULT, &def), 0, "CREATE_CLIENT default");
	expect(new_client(fd, TESSERA_HSM_CLIENT_DEFAULT, NULL), -EEXIST,
	       "CREATE_CLIENT of a second default client");
	for (i = 1; i < TESSERA_HSM_MAX_CLIENTS; i++)
		if (new_client(fd, 0, &ids[i]))
			break;
	report(i == TESSERA_HSM_MAX_CLIENTS, "CREATE_CLIENT up to %u clients",
	       TESSERA_HSM_MAX_CLIENTS);
	expect(new_client(fd, 0, NULL), -ENOSPC, "CREATE_CLIENT of one client too many");
	expect(xioctl(fd, TESSERA_HSM_DESTROY_CLIENT, &gone), -ENOENT,
	       "DESTROY_CLIENT of an unknown id");
	id = ids[7];
	expect(xioctl(fd, TESSERA_HSM_DESTROY_CLIENT, &id), 0, "DESTROY_CLIENT");
	expect(xioctl(fd, TESSERA_HSM_DESTROY_CLIENT, &id), -ENOENT, "DESTROY_CLIENT twice");
	expect(xioctl(fd, TESSERA_HSM_DESTROY_CLIENT, NULL), -EFAULT,
	       "DESTROY_CLIENT with a bad pointer");

	id = ids[1];
	expect(add_range(fd, id, TESSERA_IO_TYPE_MMIO, 0x2000, 0x1fff), -EINVAL,
	       "ADD_RANGE with start > end");
	expect(add_range(fd, id, TESSERA_IO_TYPE_COUNT, 0, 1), -EINVAL, "ADD_RANGE of type 3");
	expect(add_range(fd, gone, TESSERA_IO_TYPE_MMIO, 0, 1), -ENOENT,
	       "ADD_RANGE to an unknown client");
	expect(add_range(fd, ids[7], TESSERA_IO_TYPE_MMIO, 0, 1), -ENOENT,
	       "ADD_RANGE to a destroyed client");
	expect(add_range(fd, id, TESSERA_IO_TYPE_MMIO, 0x10000, 0x10fff), 0, "ADD_RANGE");
	expect(add_range(fd, id, TESSERA_IO_TYPE_MMIO, 0x10000, 0x10000), -EEXIST,
	       "ADD_RANGE of a byte inside it");
	expect(add_range(fd, ids[2], TESSERA_IO_TYPE_MMIO, 0xff00, 0x10000), -EEXIST,
	       "ADD_RANGE overlapping another client's range");
	expect(add_range(fd, ids[2], TESSERA_IO_TYPE_PIO, 0x10000, 0x10fff), 0,
	       "ADD_RANGE of the same addresses as PIO");
	expect(add_range(fd, ids[3], TESSERA_IO_TYPE_MMIO, 0, ~0ull), -EEXIST,
	       "ADD_RANGE of all addresses over an existing one");
	for (i = 1; i < TESSERA_HSM_MAX_RANGES; i++)
		if (add_range(fd, ids[4], TESSERA_IO_TYPE_PCI_CFG, i * 16, i * 16 + 15))
			break;
	for (; i <= TESSERA_HSM_MAX_RANGES; i++)
		if (add_range(fd, ids[4], TESSERA_IO_TYPE_PCI_CFG, i * 16, i * 16 + 15))
			break;
	report(i == TESSERA_HSM_MAX_RANGES + 1, "ADD_RANGE up to %u ranges per client",
	       TESSERA_HSM_MAX_RANGES);
	expect(add_range(fd, ids[4], TESSERA_IO_TYPE_PCI_CFG, 0x100000, 0x100fff), -ENOSPC,
	       "ADD_RANGE of one range too many");

	w = (struct tessera_hsm_wait){ .client_id = def, .reserved = 1 };
	expect(xioctl(fd, TESSERA_HSM_WAIT, &w), -EINVAL, "WAIT with reserved = 1");
	expect(wait_client(fd, gone, 10, NULL), -ENOENT, "WAIT on an unknown client");
	t = now();
	expect(wait_client(fd, def, 50, NULL), -ETIMEDOUT, "WAIT with a 50 ms timeout");
	t = now() - t;
	report(t >= 0.045 && t < 2, "the 50 ms WAIT took %.3f s", t);

	sigaction(SIGALRM, &sa, NULL);	/* no SA_RESTART */
	setitimer(ITIMER_REAL, &it, NULL);
	t = now();
	expect(wait_client(fd, def, 3000, NULL), -EINTR, "WAIT interrupted by a signal");
	report(alarms == 1 && now() - t < 2.5, "the signal ended the WAIT (after %.3f s)",
	       now() - t);

	pid = fork_waiter(fd, ids[5], -ENOENT);
	usleep(200000);
	t = now();
	id = ids[5];
	expect(xioctl(fd, TESSERA_HSM_DESTROY_CLIENT, &id), 0,
	       "DESTROY_CLIENT while another process waits on it");
	report(reap(pid) && now() - t < 2, "that WAIT ended with ENOENT");
}

/* Run the VM: requests (from the guest, or from the mock), then an event. */
static void check_run(int fd, const struct tessera_hsm_create_vm *vm,
		      struct tessera_io_slot *s, char *ram)
{
	struct tessera_hsm_vcpu_regs r = { 0 };
	struct tessera_hsm_wait w;
	struct tessera_vm_info info;
	struct tessera_io_stats st;
	struct tessera_io_request q;
	uint32_t def, dev, state;
	uint64_t value;
	bool notify_mode = vm->completion_mode == TESSERA_IO_COMPLETION_NOTIFY;

	memcpy(ram, guest_code, sizeof(guest_code));
	expect(new_client(fd, TESSERA_HSM_CLIENT_DEFAULT, &def), 0, "CREATE_CLIENT default");
	expect(new_client(fd, 0, &dev), 0, "CREATE_CLIENT for the MMIO device");
	expect(add_range(fd, dev, TESSERA_IO_TYPE_MMIO, mmio, mmio + 0xfff), 0,
	       "ADD_RANGE of the MMIO device");
	r.regs.pc = ram_gpa;
	r.regs.x[2] = mmio;
	expect(xioctl(fd, TESSERA_HSM_SET_VCPU_REGS, &r), 0, "SET_VCPU_REGS pc, x2");
	if (!expect(xioctl(fd, TESSERA_HSM_START_VM, NULL), 0, "START"))
		return;
	expect(xioctl(fd, TESSERA_HSM_START_VM, NULL), -EBUSY, "START twice");
	expect(set_memory(fd, ram, ram_gpa + 4 * MIB, PAGE, TESSERA_MEM_READ), -EBUSY,
	       "SET_MEMORY after START");
	expect(xioctl(fd, TESSERA_HSM_SET_VCPU_REGS, &r), -EBUSY, "SET_VCPU_REGS after START");
	expect(xioctl(fd, TESSERA_HSM_PAUSE_VM, NULL), 0, "PAUSE");
	expect(xioctl(fd, TESSERA_HSM_RESUME_VM, NULL), 0, "RESUME");
	if (!notify_mode) {
		report(true, "polling-mode VM: request dispatch not checked here");
		return;
	}

	/* The read: routed to the device's client, answered with VALUE. */
	if (mock)
		expect(mock_cmd("req %u 0 %u %u %lx 4 0", vm->vm_id, TESSERA_IO_TYPE_MMIO,
				TESSERA_IO_READ, mmio), 0, "mock: vCPU 0 reads MMIO");
	if (!expect(wait_client(fd, dev, 10000, &w), 0, "WAIT for the MMIO read"))
		return;
	report(w.vcpu_mask == 1 && !w.events, "it is vCPU 0's (mask %#lx, events %#x)",
	       (unsigned long)w.vcpu_mask, w.events);
	q = s[0].req;
	report(slot_state(&s[0]) == TESSERA_IO_STATE_PROCESSING, "slot 0 is PROCESSING (%u)",
	       slot_state(&s[0]));
	report(q.type == TESSERA_IO_TYPE_MMIO && q.direction == TESSERA_IO_READ &&
	       q.addr == mmio && q.size == 4,
	       "slot 0: MMIO read of 4 bytes at %#lx (type %u dir %u addr %#lx size %u)",
	       (unsigned long)mmio, q.type, q.direction, (unsigned long)q.addr, q.size);
	expect(wait_client(fd, def, 20, NULL), -ETIMEDOUT, "nothing for the default client");
	s[0].req.value = VALUE;
	__atomic_store_n(&s[0].state, TESSERA_IO_STATE_COMPLETE, __ATOMIC_RELEASE);
	expect(notify(fd, 0), 0, "NOTIFY vCPU 0");
	if (mock)
		report(mock_vcpu(vm->vm_id, 0, &state, &value) && state == 0 && value == VALUE,
		       "mock: the reply %#x arrived, the slot is FREE", VALUE);

	/* The write of the value read: it reached the guest's register. */
	if (mock)
		expect(mock_cmd("req %u 0 %u %u %lx 4 %x", vm->vm_id, TESSERA_IO_TYPE_MMIO,
				TESSERA_IO_WRITE, mmio + 4, VALUE), 0,
		       "mock: vCPU 0 writes MMIO");
	if (expect(wait_client(fd, dev, 10000, &w), 0, "WAIT for the MMIO write")) {
		q = s[0].req;
		report(w.vcpu_mask == 1 && q.direction == TESSERA_IO_WRITE &&
		       q.addr == mmio + 4 && q.size == 4 && q.value == VALUE,
		       "slot 0: write of %#x at %#lx (dir %u addr %#lx value %#lx)", VALUE,
		       (unsigned long)mmio + 4, q.direction, (unsigned long)q.addr,
		       (unsigned long)q.value);
		__atomic_store_n(&s[0].state, TESSERA_IO_STATE_COMPLETE, __ATOMIC_RELEASE);
		expect(notify(fd, 0), 0, "NOTIFY vCPU 0");
	}

	/* SYSTEM_OFF: a state event for every client. */
	if (mock) {
		mock_cmd("state %u %u", vm->vm_id, TESSERA_VM_STATE_POWERED_OFF);
		expect(mock_cmd("event %u", vm->vm_id), 0, "mock: the VM powers off");
	}
	if (expect(wait_client(fd, def, 10000, &w), 0, "WAIT for the power-off event"))
		report(w.events == TESSERA_HSM_EVENT_STATE && !w.vcpu_mask,
		       "it is TESSERA_HSM_EVENT_STATE (events %#x mask %#lx)", w.events,
		       (unsigned long)w.vcpu_mask);
	if (expect(wait_client(fd, dev, 1000, &w), 0, "WAIT of the other client for it"))
		report(w.events == TESSERA_HSM_EVENT_STATE, "it has it too (%#x)", w.events);
	if (expect(xioctl(fd, TESSERA_HSM_GET_INFO, &info), 0, "GET_INFO"))
		report(info.state == TESSERA_VM_STATE_POWERED_OFF, "state POWERED_OFF (%u)",
		       info.state);
	if (expect(xioctl(fd, TESSERA_HSM_GET_IO_STATS, &st), 0, "GET_IO_STATS"))
		report(st.forwarded >= 2 && st.completed >= 2,
		       "forwarded %lu, completed %lu", (unsigned long)st.forwarded,
		       (unsigned long)st.completed);
	expect(xioctl(fd, TESSERA_HSM_RESET_VM, NULL), 0, "RESET");
	expect(xioctl(fd, TESSERA_HSM_SET_VCPU_REGS, &r), 0, "SET_VCPU_REGS after RESET");
}

/* Mock only: who gets what. */
static void check_routing(void)
{
	int fd = hsm_open();
	struct tessera_hsm_create_vm vm;
	struct tessera_hsm_wait w;
	struct tessera_io_slot *s;
	uint32_t a, d, d2;
	char *ram = anon(MIB, PROT_READ | PROT_WRITE);

	if (!expect(create(fd, name, 3, TESSERA_VM_CREATE_NOTIFY, &vm), 0,
		    "routing: CREATE_VM with 3 vCPUs, notify mode"))
		goto out;
	s = map_slots(fd, vm.nr_request_pages);
	set_memory(fd, ram, ram_gpa, MIB, TESSERA_MEM_READ | TESSERA_MEM_WRITE);
	xioctl(fd, TESSERA_HSM_START_VM, NULL);
	expect(mock_cmd("req %u 2 %u %u 1000 4 0", vm.vm_id, TESSERA_IO_TYPE_PIO,
			TESSERA_IO_READ), 0, "routing: vCPU 2 reads port 0x1000, no client yet");
	report(slot_state(&s[2]) == TESSERA_IO_STATE_PROCESSING,
	       "routing: claimed all the same (PROCESSING)");
	new_client(fd, 0, &a);
	add_range(fd, a, TESSERA_IO_TYPE_PIO, 0x1000, 0x1003);
	if (expect(wait_client(fd, a, 1000, &w), 0,
		   "routing: a range added later gets the waiting request"))
		report(w.vcpu_mask == 4, "routing: vCPU 2's (%#lx)", (unsigned long)w.vcpu_mask);
	s[2].req.value = 1;
	__atomic_store_n(&s[2].state, TESSERA_IO_STATE_COMPLETE, __ATOMIC_RELEASE);
	notify(fd, 2);

	expect(mock_cmd("req %u 1 %u %u 1002 4 0", vm.vm_id, TESSERA_IO_TYPE_PIO,
			TESSERA_IO_READ), 0, "routing: vCPU 1 reads 4 bytes at port 0x1002");
	new_client(fd, TESSERA_HSM_CLIENT_DEFAULT, &d);
	if (expect(wait_client(fd, d, 1000, &w), 0,
		   "routing: a straddling access goes to the default client"))
		report(w.vcpu_mask == 2, "routing: vCPU 1's (%#lx)", (unsigned long)w.vcpu_mask);
	expect(wait_client(fd, a, 20, NULL), -ETIMEDOUT, "routing: nothing for the range's client");
	__atomic_store_n(&s[1].state, TESSERA_IO_STATE_COMPLETE, __ATOMIC_RELEASE);
	notify(fd, 1);

	expect(mock_cmd("req %u 0 %u %u 20000000 8 0", vm.vm_id, TESSERA_IO_TYPE_MMIO,
			TESSERA_IO_READ), 0, "routing: vCPU 0 reads MMIO, not collected");
	expect(xioctl(fd, TESSERA_HSM_DESTROY_CLIENT, &d), 0,
	       "routing: DESTROY_CLIENT of the default client holding it");
	new_client(fd, TESSERA_HSM_CLIENT_DEFAULT, &d2);
	if (expect(wait_client(fd, d2, 1000, &w), 0, "routing: the next default client gets it"))
		report(w.vcpu_mask == 1, "routing: vCPU 0's (%#lx)", (unsigned long)w.vcpu_mask);
	__atomic_store_n(&s[0].state, TESSERA_IO_STATE_COMPLETE, __ATOMIC_RELEASE);
	notify(fd, 0);

	expect(mock_cmd("req %u 1 %u %u 20000000 8 0", vm.vm_id, TESSERA_IO_TYPE_MMIO,
			TESSERA_IO_READ), 0, "routing: vCPU 1 reads MMIO again");
	__atomic_store_n(&s[1].state, TESSERA_IO_STATE_COMPLETE, __ATOMIC_RELEASE);
	expect(notify(fd, 1), 0, "routing: completed without a WAIT");
	expect(wait_client(fd, d2, 20, NULL), -ETIMEDOUT, "routing: and not reported after NOTIFY");

	expect(mock_cmd("req %u 1 %u %u 20000000 8 0", vm.vm_id, TESSERA_IO_TYPE_MMIO,
			TESSERA_IO_READ), 0, "routing: vCPU 1 reads MMIO, then RESET");
	expect(xioctl(fd, TESSERA_HSM_RESET_VM, NULL), 0, "routing: RESET");
	expect(wait_client(fd, d2, 20, NULL), -ETIMEDOUT,
	       "routing: the request RESET cancelled is not reported");
	munmap(s, vm.nr_request_pages * PAGE);
out:
	close(fd);
	munmap(ram, MIB);
}

/* Mock only: a polling-mode VM's slots are the device model's. */
static void check_polling(void)
{
	int fd = hsm_open();
	struct tessera_hsm_create_vm vm;
	struct tessera_io_slot *s;
	uint32_t d;

	if (!expect(create(fd, name, 1, TESSERA_VM_CREATE_POLLING, &vm), 0,
		    "polling: CREATE_VM in polling mode"))
		goto out;
	report(vm.completion_mode == TESSERA_IO_COMPLETION_POLLING, "polling: mode %u",
	       vm.completion_mode);
	s = map_slots(fd, vm.nr_request_pages);
	new_client(fd, TESSERA_HSM_CLIENT_DEFAULT, &d);
	report(s && s[0].completion_mode == TESSERA_IO_COMPLETION_POLLING,
	       "polling: the slot says so");
	expect(mock_cmd("req %u 0 %u %u 1000 1 0", vm.vm_id, TESSERA_IO_TYPE_PIO,
			TESSERA_IO_READ), 0, "polling: vCPU 0 reads a port");
	expect(wait_client(fd, d, 50, NULL), -ETIMEDOUT, "polling: not dispatched");
	report(s && slot_state(&s[0]) == TESSERA_IO_STATE_PENDING, "polling: the slot stays PENDING");
	if (s)
		munmap(s, vm.nr_request_pages * PAGE);
out:
	close(fd);
}

/*
 * Mock only: hypercalls that fail where the driver cannot simply undo. A
 * range of 512 pages in shuffled physical order makes about 512 regions,
 * four SET_MEMORY_REGIONS calls.
 */
static void check_faults(void)
{
	const size_t n = 512;
	int fd = hsm_open(), other;
	struct tessera_vm_info info;
	char *src, *area, *two;
	long lck = vm_lck();
	size_t i, perm[512];
	unsigned int seed = 1;
	double t;

	if (!expect(create(fd, name, 1, 0, NULL), 0, "faults: CREATE_VM"))
		goto out;
	src = anon(n * PAGE, PROT_READ | PROT_WRITE);
	area = mmap(NULL, n * PAGE, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	for (i = 0; i < n; i++) {
		src[i * PAGE] = 1;
		perm[i] = i;
	}
	for (i = n - 1; i > 0; i--) {
		size_t j = rand_r(&seed) % (i + 1), k = perm[i];

		perm[i] = perm[j];
		perm[j] = k;
	}
	for (i = 0; i < n; i++)
		if (mremap(src + perm[i] * PAGE, PAGE, PAGE, MREMAP_MAYMOVE | MREMAP_FIXED,
			   area + i * PAGE) == MAP_FAILED)
			break;
	report(i == n, "faults: %zu pages in shuffled order", n);

	mock_cmd("fail %x 1 1 5", TESSERA_HC_SET_MEMORY_REGIONS);
	expect(set_memory(fd, area, ram_gpa, n * PAGE, TESSERA_MEM_READ | TESSERA_MEM_WRITE),
	       -EIO, "faults: SET_MEMORY whose second SET_MEMORY_REGIONS call fails");
	report(vm_lck() == lck + (long)(n * PAGE / 1024),
	       "faults: the partly mapped range stays pinned (VmLck %ld kB, was %ld)",
	       vm_lck(), lck);
	if (!xioctl(fd, TESSERA_HSM_GET_INFO, &info))
		report(info.mapped_bytes >= 128 * PAGE && info.mapped_bytes < n * PAGE,
		       "faults: %lu of %zu bytes mapped", (unsigned long)info.mapped_bytes,
		       n * PAGE);
	two = anon(2 * PAGE, PROT_READ | PROT_WRITE);
	mock_cmd("fail %x 0 1 5", TESSERA_HC_SET_MEMORY_REGIONS);
	expect(set_memory(fd, two, ram_gpa + 8 * MIB, 2 * PAGE, TESSERA_MEM_READ), -EIO,
	       "faults: SET_MEMORY whose first SET_MEMORY_REGIONS call fails");
	report(vm_lck() == lck + (long)(n * PAGE / 1024),
	       "faults: nothing more pinned (VmLck %ld kB)", vm_lck());

	mock_cmd("fail %x 0 3 %d", TESSERA_HC_VM_DESTROY, EBUSY);
	t = now();
	expect(xioctl(fd, TESSERA_HSM_DESTROY_VM, NULL), 0,
	       "faults: DESTROY_VM while the hypervisor says EBUSY three times");
	t = now() - t;
	report(t >= 0.025 && vm_lck() == lck, "faults: retried for %.3f s, VmLck back to %ld kB",
	       t, vm_lck());

	/* The hypervisor refuses to destroy: the memory must stay pinned. */
	if (expect(create(fd, "uvm1", 1, 0, NULL), 0, "faults: CREATE_VM uvm1") &&
	    expect(set_memory(fd, two, ram_gpa, 2 * PAGE, TESSERA_MEM_READ), 0,
		   "faults: SET_MEMORY")) {
		mock_cmd("fail %x 0 1 %d", TESSERA_HC_VM_DESTROY, EINVAL);
		expect(xioctl(fd, TESSERA_HSM_DESTROY_VM, NULL), -EINVAL,
		       "faults: DESTROY_VM that the hypervisor refuses");
		expect(xioctl(fd, TESSERA_HSM_START_VM, NULL), -ENXIO,
		       "faults: the file forgot the VM all the same");
		other = hsm_open();
		expect(create(other, "uvm1", 1, 0, NULL), -EBUSY,
		       "faults: the hypervisor still has it");
		close(other);
	}
	munmap(two, 2 * PAGE);
	munmap(area, n * PAGE);
	munmap(src, n * PAGE);
out:
	close(fd);
}

/* The device model dies holding a request: closing must clean up. */
static void check_kill(void)
{
	int pipefd[2], fd;
	struct pollfd p;
	char c = 0;
	pid_t pid;

	if (pipe(pipefd))
		return;
	pid = fork();
	if (pid == 0) {
		struct tessera_hsm_create_vm vm;
		struct tessera_hsm_vcpu_regs r = { 0 };
		uint32_t d;
		char *ram = anon(2 * MIB, PROT_READ | PROT_WRITE);

		fd = hsm_open();
		if (create(fd, name, vcpus, 0, &vm))
			_exit(1);
		map_slots(fd, vm.nr_request_pages);
		memcpy(ram, guest_code, sizeof(guest_code));
		set_memory(fd, ram, ram_gpa, 2 * MIB, TESSERA_MEM_READ | TESSERA_MEM_WRITE |
			   TESSERA_MEM_EXEC);
		r.regs.pc = ram_gpa;
		r.regs.x[2] = mmio;
		xioctl(fd, TESSERA_HSM_SET_VCPU_REGS, &r);
		new_client(fd, TESSERA_HSM_CLIENT_DEFAULT, &d);
		if (xioctl(fd, TESSERA_HSM_START_VM, NULL))
			_exit(2);
		if (mock)
			mock_cmd("req %u 0 %u %u %lx 4 0", vm.vm_id, TESSERA_IO_TYPE_MMIO,
				 TESSERA_IO_READ, mmio);
		if (vm.completion_mode == TESSERA_IO_COMPLETION_NOTIFY &&
		    wait_client(fd, d, 10000, NULL))
			_exit(3);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(4);
		pause();
		_exit(0);
	}
	close(pipefd[1]);
	p = (struct pollfd){ .fd = pipefd[0], .events = POLLIN };
	report(poll(&p, 1, 15000) == 1 && read(pipefd[0], &c, 1) == 1,
	       "kill: a device model holds a request");
	kill(pid, SIGKILL);
	waitpid(pid, NULL, 0);
	close(pipefd[0]);
	fd = hsm_open();
	expect(create(fd, name, vcpus, 0, NULL), 0,
	       "kill: after SIGKILL the slot can be created again");
	close(fd);
}

static long mem_free(void)
{
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	sync();
	if (fd >= 0) {
		if (write(fd, "3\n", 2) != 2)
			perror("hsm-check: drop_caches");
		close(fd);
	}
	return status_kb("/proc/meminfo", "MemFree");
}

/* 1,000 create/destroy cycles must not leave memory behind. */
static void check_cycles(void)
{
	long before, after, lck = vm_lck();
	unsigned long i, bad = 0;
	double t = now();
	int fd;

	if (!cycles)
		return;
	before = mem_free();
	for (i = 0; i < cycles; i++) {
		struct tessera_hsm_create_vm vm;
		struct tessera_io_slot *s = NULL;
		char *ram = anon(MIB, PROT_READ | PROT_WRITE);
		uint32_t d;

		memset(ram, 0x5a, MIB);
		fd = hsm_open();
		if (create(fd, name, vcpus, 0, &vm) ||
		    set_memory(fd, ram, ram_gpa, MIB, TESSERA_MEM_READ | TESSERA_MEM_WRITE) ||
		    new_client(fd, TESSERA_HSM_CLIENT_DEFAULT, &d) ||
		    !(s = map_slots(fd, vm.nr_request_pages)))
			bad++;
		/* Half of them are destroyed while still mapped, half on close. */
		if (i & 1 && xioctl(fd, TESSERA_HSM_DESTROY_VM, NULL))
			bad++;
		if (s) {
			if (i & 1 && slot_state(&s[0]) != TESSERA_IO_STATE_FREE)
				bad++;
			munmap(s, vm.nr_request_pages * PAGE);
		}
		close(fd);
		munmap(ram, MIB);
	}
	after = mem_free();
	t = now() - t;
	report(!bad, "cycles: %lu create/memory/mmap/destroy cycles in %.1f s, %lu failed",
	       cycles, t, bad);
	report(before - after < 2048, "cycles: MemFree %ld kB before, %ld kB after (%+ld kB)",
	       before, after, after - before);
	report(vm_lck() == lck, "cycles: VmLck back to %ld kB (%ld kB)", lck, vm_lck());
}

static void check_vm(void)
{
	int fd = hsm_open(), other;
	struct tessera_hsm_create_vm vm;
	struct tessera_vm_info info;
	struct tessera_io_stats st;
	struct tessera_io_slot *s;
	long lck;
	char *ram;

	if (!expect(create(fd, name, vcpus, 0, &vm), 0, "CREATE_VM")) {
		close(fd);
		return;
	}
	report(vm.nr_request_pages == TESSERA_IO_PAGES_FOR(vcpus) &&
	       vm.completion_mode <= TESSERA_IO_COMPLETION_POLLING,
	       "CREATE_VM: vm_id %u, mode %u, %u request pages", vm.vm_id,
	       vm.completion_mode, vm.nr_request_pages);
	expect(create(fd, name, vcpus, 0, NULL), -EEXIST, "CREATE_VM twice on one file");
	other = hsm_open();
	expect(create(other, name, vcpus, 0, NULL), -EBUSY,
	       "CREATE_VM of a slot in use, on another file (hypervisor)");
	close(other);
	memset(&info, 0, sizeof(info));
	if (expect(xioctl(fd, TESSERA_HSM_GET_INFO, &info), 0, "GET_INFO"))
		report(!strcmp(info.name, name) && info.vm_id == vm.vm_id &&
		       info.state == TESSERA_VM_STATE_CREATED && info.vcpu_count == vcpus &&
		       info.kind == TESSERA_VM_KIND_POST_LAUNCHED,
		       "GET_INFO: '%s' id %u kind %u state %u, %u vCPUs, max memory %lu MiB, %u SPIs",
		       info.name, info.vm_id, info.kind, info.state, info.vcpu_count,
		       (unsigned long)(info.max_memory >> 20), info.spi_count);
	expect(xioctl(fd, TESSERA_HSM_GET_INFO, (void *)8), -EFAULT, "GET_INFO to a bad pointer");
	expect(xioctl(fd, TESSERA_HSM_GET_IO_STATS, &st), 0, "GET_IO_STATS");
	check_mmap(fd, vm.nr_request_pages);
	expect(xioctl(fd, TESSERA_HSM_START_VM, NULL), -EINVAL, "START before SET_MEMORY");
	check_memory_args(fd, &info);
	check_regs_irq_notify(fd, &info);
	check_clients(fd);

	/* A destroyed VM leaves no trace; its mapping stays readable. */
	s = map_slots(fd, vm.nr_request_pages);
	expect(xioctl(fd, TESSERA_HSM_DESTROY_VM, NULL), 0, "DESTROY_VM");
	report(s && slot_state(&s[0]) == TESSERA_IO_STATE_FREE,
	       "the request pages stay mapped (and unused) after DESTROY_VM");
	if (s)
		munmap(s, vm.nr_request_pages * PAGE);
	expect(xioctl(fd, TESSERA_HSM_START_VM, NULL), -ENXIO, "START after DESTROY_VM");
	expect(xioctl(fd, TESSERA_HSM_DESTROY_VM, NULL), -ENXIO, "DESTROY_VM twice");

	if (!expect(create(fd, name, vcpus, TESSERA_VM_CREATE_NOTIFY, &vm), 0,
		    "CREATE_VM again on the same file, notify mode"))
		goto out;
	s = map_slots(fd, vm.nr_request_pages);
	ram = anon(2 * MIB, PROT_READ | PROT_WRITE);
	lck = vm_lck();
	if (expect(set_memory(fd, ram, ram_gpa, 2 * MIB,
			      TESSERA_MEM_READ | TESSERA_MEM_WRITE | TESSERA_MEM_EXEC), 0,
		   "SET_MEMORY of 2 MiB"))
		report(vm_lck() == lck + 2048, "VmLck +2048 kB (%ld -> %ld)", lck, vm_lck());
	report(set_memory(fd, ram, ram_gpa + MIB, PAGE, TESSERA_MEM_READ) < 0 &&
	       vm_lck() == lck + 2048, "SET_MEMORY overlapping it refused, nothing more pinned");
	if (expect(xioctl(fd, TESSERA_HSM_GET_INFO, &info), 0, "GET_INFO"))
		report(info.mapped_bytes == 2 * MIB, "mapped_bytes %lu",
		       (unsigned long)info.mapped_bytes);
	if (s)
		check_run(fd, &vm, s, ram);
	expect(xioctl(fd, TESSERA_HSM_DESTROY_VM, NULL), 0, "DESTROY_VM");
	report(vm_lck() == lck, "VmLck back to %ld kB after DESTROY_VM (%ld)", lck, vm_lck());
	if (s)
		munmap(s, vm.nr_request_pages * PAGE);
	munmap(ram, 2 * MIB);
out:
	close(fd);
}

static void usage(void)
{
	fprintf(stderr, "usage: hsm-check [-n NAME] [-v VCPUS] [-g RAM_GPA] [-a MMIO_GPA] "
		"[-c CYCLES] [-q]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	int opt;

	while ((opt = getopt(argc, argv, "n:v:g:a:c:q")) != -1) {
		switch (opt) {
		case 'n': name = optarg; break;
		case 'v': vcpus = strtoul(optarg, NULL, 0); break;
		case 'g': ram_gpa = strtoull(optarg, NULL, 0); break;
		case 'a': mmio = strtoull(optarg, NULL, 0); break;
		case 'c': cycles = strtoul(optarg, NULL, 0); break;
		case 'q': quiet = true; break;
		default: usage();
		}
	}
	if (optind != argc || vcpus == 0 || vcpus > 64)
		usage();
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (access(TESSERA_HSM_DEVICE, F_OK)) {
		printf("hsm-check: no %s (is tessera_hsm loaded and bound? see dmesg): nothing checked\n",
		       TESSERA_HSM_DEVICE);
		printf("hsm-check: 0 passed, 0 failed\n");
		return 2;
	}
	if (access(MOCK_CTL, F_OK))
		mount("debugfs", "/sys/kernel/debug", "debugfs", 0, NULL);
	mock = !access(MOCK_CTL, F_OK);
	printf("hsm-check: %s, VM '%s' with %u vCPU(s), RAM at %#lx, MMIO at %#lx\n",
	       mock ? "mock hypervisor (test build of the driver)" : "hypervisor", name,
	       vcpus, (unsigned long)ram_gpa, (unsigned long)mmio);

	check_no_vm();
	check_create_args();
	check_vm();
	if (mock) {
		check_routing();
		check_polling();
	}
	check_kill();
	check_cycles();
	if (mock)
		check_faults();	/* last: it leaves uvm1 created in the mock */

	printf("hsm-check: %d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
