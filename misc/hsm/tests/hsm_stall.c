// SPDX-License-Identifier: BSD-3-Clause
/*
 * hsm-stall: what a vCPU waiting for its device model costs the other
 * vCPUs of its pCPU (doc/testing.rst, test_sched_io.py).
 *
 *   hsm-stall [-p] [-n NAME] [-s SECONDS] [-H HOLD_MS]
 *
 * Runs a one-vCPU guest in the User VM NAME (default uvm0) that reads a
 * forwarded MMIO register in a loop, and serves those reads itself from CPU
 * 0, holding each one HOLD_MS (default 50) before completing it: in notify
 * mode through WAIT and NOTIFY, in polling mode (-p) by looking at the slot.
 * Meanwhile two threads count loop iterations for SECONDS (default 5): one
 * on CPU 1, whose pCPU the scenario shares with the User VM's vCPU, one on
 * CPU 2, which is the Service VM's alone (the baseline). The ratio of their
 * work is what the User VM's vCPU left to CPU 1: about 1 if it blocks while
 * its request is held (notify), about its share of the round-robin if it
 * spins on its slot until its turn ends (polling). Prints
 *
 *   hsm-stall: MODE mode: cpu1/cpu2 work R (median of N windows of W ms M,
 *              min A, max B); S requests served, X bad; forwarded F,
 *              completed C, failed E
 *   hsm-stall: windows: r1 r2 ...
 *   hsm-stall: destroy ok
 *   hsm-stall: done
 *
 * and exits 0 when every call worked; any failing call is reported by name
 * with its error, and ends the program with status 1 (closing the file
 * destroys the VM).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "tiny_uvm.h"

#define WINDOW_MS 250           /* one sample of both counters */
#define MAX_WINDOWS 240
#define POLL_NS 1000000l        /* polling: a look at the slot per ms */

/* A counter per thread, each on its own cache line. */
struct worker {
	_Alignas(64) uint64_t count;
	int cpu;
	pthread_t thread;
};

static struct worker workers[2] = {{.cpu = 1}, {.cpu = 2}};
static pthread_barrier_t go;
static int stop;
static unsigned secs = 5, hold_ms = 50, nwindows;
static double ratios[MAX_WINDOWS];
static uint64_t work[2];

static void die(const char *what, int err)
{
	printf("hsm-stall: error: %s: %s\n", what, strerror(err));
	exit(1);
}

static int xioctl(int fd, unsigned long cmd, void *arg)
{
	return ioctl(fd, cmd, arg) < 0 ? errno : 0;
}

static void check(int fd, unsigned long cmd, void *arg, const char *what)
{
	int err = xioctl(fd, cmd, arg);

	if (err)
		die(what, err);
}

static bool stopped(void)
{
	return __atomic_load_n(&stop, __ATOMIC_RELAXED);
}

static void pin(pthread_attr_t *attr, int cpu)
{
	cpu_set_t set;
	int err;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	err = attr ? pthread_attr_setaffinity_np(attr, sizeof(set), &set)
		   : (sched_setaffinity(0, sizeof(set), &set) ? errno : 0);
	if (err) {
		printf("hsm-stall: error: pinning to CPU %d: %s\n", cpu, strerror(err));
		exit(1);
	}
}

static void *count_loop(void *arg)
{
	struct worker *w = arg;
	uint64_t n = 0;

	pthread_barrier_wait(&go);
	while (!stopped())
		__atomic_store_n(&w->count, ++n, __ATOMIC_RELAXED);
	return NULL;
}

static uint64_t count_of(int i)
{
	return __atomic_load_n(&workers[i].count, __ATOMIC_RELAXED);
}

/* Samples both counters every WINDOW_MS for `secs`, then stops everyone.
 * Per-window ratios let the test take a median, which one host preemption
 * of one of QEMU's threads cannot move the way it moves a single total. */
static void *sampler(void *arg)
{
	struct timespec t;
	uint64_t first[2], last[2], now[2];

	(void)arg;
	pthread_barrier_wait(&go);
	clock_gettime(CLOCK_MONOTONIC, &t);
	first[0] = last[0] = count_of(0);
	first[1] = last[1] = count_of(1);
	for (unsigned i = 0; i < secs * 1000 / WINDOW_MS; i++) {
		t.tv_nsec += WINDOW_MS * 1000000l;
		if (t.tv_nsec >= 1000000000l) {
			t.tv_sec++;
			t.tv_nsec -= 1000000000l;
		}
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
			;
		now[0] = count_of(0);
		now[1] = count_of(1);
		/* A window in which the host gave CPU 2's thread no time at all
		 * has no ratio: left out, not counted as 0 or infinity. */
		if (now[1] > last[1])
			ratios[nwindows++] = (double)(now[0] - last[0]) /
					     (double)(now[1] - last[1]);
		last[0] = now[0];
		last[1] = now[1];
	}
	work[0] = last[0] - first[0];
	work[1] = last[1] - first[1];
	__atomic_store_n(&stop, 1, __ATOMIC_RELAXED);
	return NULL;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static void sleep_ms(unsigned ms)
{
	struct timespec t = {ms / 1000, (ms % 1000) * 1000000l};

	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &t, &t) == EINTR)
		;
}

static unsigned served, bad;

/* The request in a slot we own (PROCESSING): check it, hold it, reply. */
static void serve(volatile struct tessera_io_slot *s)
{
	if (s->req.type != TESSERA_IO_TYPE_MMIO || s->req.direction != TESSERA_IO_READ ||
	    s->req.addr != TINY_MMIO_GPA || s->req.size != 4)
		bad++;
	sleep_ms(hold_ms); /* the device is slow: the vCPU waits this long */
	s->req.value = ++served;
	__atomic_store_n(&s->state, TESSERA_IO_STATE_COMPLETE, __ATOMIC_RELEASE);
}

/* Notify mode: the driver hands us the request, we say when it is done. */
static void serve_notify(int fd, uint32_t client, volatile struct tessera_io_slot *s)
{
	struct tessera_hsm_notify n = {.vcpu_id = 0};
	struct tessera_hsm_wait w = {.client_id = client, .timeout_ms = 100};
	int err = xioctl(fd, TESSERA_HSM_WAIT, &w);

	if (err == ETIMEDOUT)
		return;
	if (err)
		die("WAIT", err);
	if (w.events)
		die("WAIT: the VM changed state (see the hypervisor's log)", EIO);
	if (!(w.vcpu_mask & 1))
		return;
	if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) != TESSERA_IO_STATE_PROCESSING) {
		bad++;
		return;
	}
	serve(s);
	check(fd, TESSERA_HSM_NOTIFY, &n, "NOTIFY");
}

/* Polling mode: no WAIT, no NOTIFY; the slot is looked at every POLL_NS
 * (a spin would take CPU 0's host time from the counting threads). */
static void serve_polling(volatile struct tessera_io_slot *s)
{
	uint32_t state = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
	struct timespec t = {0, POLL_NS};

	if (state == TESSERA_IO_STATE_PENDING &&
	    __atomic_compare_exchange_n(&s->state, &state, TESSERA_IO_STATE_PROCESSING,
					false, __ATOMIC_ACQUIRE, __ATOMIC_RELAXED)) {
		serve(s);
		return;
	}
	/* FREE, or our COMPLETE the vCPU has not taken yet: look again later. */
	if (state != TESSERA_IO_STATE_FREE && state != TESSERA_IO_STATE_COMPLETE)
		bad++;
	nanosleep(&t, NULL);
}

int main(int argc, char **argv)
{
	struct tiny_uvm t;
	const char *what;
	struct tessera_hsm_client client = {.flags = TESSERA_HSM_CLIENT_DEFAULT};
	struct tessera_io_stats st;
	volatile struct tessera_io_slot *slot;
	const char *name = "uvm0";
	bool polling = false;
	pthread_attr_t attr;
	pthread_t sampler_thread;
	double sorted[MAX_WINDOWS];
	time_t first_by;
	int fd, opt, err;

	while ((opt = getopt(argc, argv, "pn:s:H:")) != -1) {
		switch (opt) {
		case 'p': polling = true; break;
		case 'n': name = optarg; break;
		case 's': secs = (unsigned)atoi(optarg); break;
		case 'H': hold_ms = (unsigned)atoi(optarg); break;
		default:
			fprintf(stderr, "usage: hsm-stall [-p] [-n NAME] [-s SECONDS] "
				"[-H HOLD_MS]\n");
			return 2;
		}
	}
	if (secs < 1 || secs > MAX_WINDOWS * WINDOW_MS / 1000) {
		fprintf(stderr, "hsm-stall: -s: 1..%u seconds\n", MAX_WINDOWS * WINDOW_MS / 1000);
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	pin(NULL, 0); /* the device model, and (inherited) the sampler */

	fd = open(TESSERA_HSM_DEVICE, O_RDWR | O_CLOEXEC);
	if (fd < 0)
		die("open " TESSERA_HSM_DEVICE, errno);
	err = -tiny_uvm_create(fd, &t, name, polling ? TESSERA_VM_CREATE_POLLING
						    : TESSERA_VM_CREATE_NOTIFY,
			       TINY_READ, &what);
	if (err)
		die(what, err);
	if (t.vm.completion_mode != (polling ? TESSERA_IO_COMPLETION_POLLING
					     : TESSERA_IO_COMPLETION_NOTIFY))
		die("CREATE_VM: the hypervisor chose the other completion mode", EINVAL);
	slot = t.slots;
	/* Polling-mode VMs are not dispatched: a client there would wait for
	 * nothing but state events, which WAIT is not called for. */
	if (!polling)
		check(fd, TESSERA_HSM_CREATE_CLIENT, &client, "CREATE_CLIENT");
	check(fd, TESSERA_HSM_START_VM, NULL, "START_VM");
	printf("hsm-stall: %s running, %s mode, holding each request %u ms, "
	       "counting for %u s\n", name, polling ? "polling" : "notify", hold_ms, secs);

	/* The first request served, the guest is in its loop: start counting. */
	first_by = time(NULL) + 10;
	while (!served) {
		if (time(NULL) > first_by)
			die("no request from the guest within 10 s", ETIMEDOUT);
		polling ? serve_polling(slot) : serve_notify(fd, client.client_id, slot);
	}
	if ((err = pthread_barrier_init(&go, NULL, 3)))
		die("pthread_barrier_init", err);
	for (int i = 0; i < 2; i++) {
		pthread_attr_init(&attr);
		pin(&attr, workers[i].cpu);
		if ((err = pthread_create(&workers[i].thread, &attr, count_loop, &workers[i])))
			die("pthread_create", err);
		pthread_attr_destroy(&attr);
	}
	if ((err = pthread_create(&sampler_thread, NULL, sampler, NULL)))
		die("pthread_create", err);
	while (!stopped())
		polling ? serve_polling(slot) : serve_notify(fd, client.client_id, slot);
	pthread_join(sampler_thread, NULL);
	for (int i = 0; i < 2; i++)
		pthread_join(workers[i].thread, NULL);

	check(fd, TESSERA_HSM_GET_IO_STATS, &st, "GET_IO_STATS");
	memcpy(sorted, ratios, nwindows * sizeof(sorted[0]));
	qsort(sorted, nwindows, sizeof(sorted[0]), cmp_double);
	printf("hsm-stall: %s mode: cpu1/cpu2 work %.3f (median of %u windows of %u ms "
	       "%.3f, min %.3f, max %.3f); %u requests served, %u bad; forwarded %llu, "
	       "completed %llu, failed %llu\n", polling ? "polling" : "notify",
	       work[1] ? (double)work[0] / (double)work[1] : 0.0, nwindows, WINDOW_MS,
	       nwindows ? (nwindows & 1 ? sorted[nwindows / 2]
				: (sorted[nwindows / 2 - 1] + sorted[nwindows / 2]) / 2) : 0.0,
	       nwindows ? sorted[0] : 0.0, nwindows ? sorted[nwindows - 1] : 0.0,
	       served, bad, (unsigned long long)st.forwarded,
	       (unsigned long long)st.completed, (unsigned long long)st.failed);
	printf("hsm-stall: windows:");
	for (unsigned i = 0; i < nwindows; i++)
		printf(" %.2f", ratios[i]);
	printf("\n");

	err = xioctl(fd, TESSERA_HSM_DESTROY_VM, NULL);
	printf("hsm-stall: destroy %s\n", err ? strerror(err) : "ok");
	close(fd);
	printf("hsm-stall: done\n");
	return err ? 1 : 0;
}
