/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Eight vCPU threads and a device-model thread running the real forwarding
 * code: a million requests completed exactly once with the right value, and a
 * hostile device model that scribbles on the slots without hanging or
 * crashing anything. Threads count problems; only main() asserts (cmocka).
 */
#define _GNU_SOURCE /* pthread_setaffinity_np */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sched.h>
#include <time.h>
#include <unistd.h>

#include <errno.h>

#include "test_io_support.h"

#define VCPUS 8
#define HANDLER_BASE 0x40000000ull

struct run {
	struct io_vm *io;
	unsigned long per_vcpu;
	bool hostile;
	int vcpus_left;    /* device model runs while > 0 */
	unsigned long bad; /* protocol violations seen by any thread */
	/* per vCPU, written by its own thread */
	unsigned long done[VCPUS], failed[VCPUS], cancelled[VCPUS];
	unsigned long emulated[VCPUS];
	/* written by the device-model thread */
	unsigned long dm_completed[VCPUS];
	uint32_t dm_last_seq[VCPUS];
	/* what vCPU v's hypervisor handler last saw (written on v's thread) */
	struct handler_seen {
		uint64_t offset, value;
		unsigned size, calls;
		bool write;
	} seen[VCPUS];
};

/* Forwarded request `seq` of vCPU v, every field derived from (v, seq) so
 * that the device model can check each one on the far side. */
struct req_spec {
	unsigned space, size;
	bool write;
	uint64_t addr, value;
};

static struct req_spec forwarded_request(unsigned v, uint32_t seq)
{
	uint64_t x = ((uint64_t)v << 32 | seq) * 0x9e3779b97f4a7c15ull;

	x ^= x >> 29;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 32;
	return (struct req_spec){
		.space = (unsigned)(x >> 3) % IO_SPACE_COUNT,
		.size = 1u << (x & 3),
		.write = (x >> 2) & 1,
		.addr = ((uint64_t)v << 24) | ((x >> 8) & 0xfffff8),
		.value = x * 31,
	};
}

static void count_bad(struct run *r)
{
	__atomic_fetch_add(&r->bad, 1, __ATOMIC_RELAXED);
}

/* The reply a well-behaved device model gives to request `seq` at `addr`. */
static uint64_t reply_for(uint64_t addr, uint32_t seq)
{
	return (addr * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)seq << 17) ^ seq;
}

/* A hypervisor device: reads answer ~offset; every call is recorded. */
static int fn_echo_offset(void *priv, uint64_t offset, unsigned size,
			  bool write, uint64_t *value)
{
	struct handler_seen *seen = priv;

	*seen = (struct handler_seen){offset, write ? *value : 0, size,
				      seen->calls + 1, write};
	if (!write)
		*value = ~offset;
	return 0;
}

struct vcpu_arg {
	struct run *r;
	unsigned v;
};

static void *vcpu_thread(void *arg)
{
	struct vcpu_arg *va = arg;
	struct run *r = va->r;
	unsigned v = va->v;
	uint32_t seq = 0;
	uint64_t rng = 0x9e3779b9 * (v + 1);

	for (unsigned long i = 0; i < r->per_vcpu; i++) {
		uint64_t x = tio_rand(&rng);
		struct req_spec q;
		struct io_access a;
		enum io_result res;

		if (!r->hostile && (x >> 40) % 16 == 0) {
			/* Now and then, a hypervisor device. */
			unsigned size = 1u << (x & 3);
			uint64_t off = (x >> 8) & 0xfffff8;
			uint64_t base = HANDLER_BASE + ((uint64_t)v << 24);
			struct handler_seen *seen = &r->seen[v];
			unsigned calls = seen->calls;

			a = (x >> 2) & 1 ? tio_write((unsigned)(x >> 3) %
							     IO_SPACE_COUNT,
						     base + off, size, x)
					 : tio_read((unsigned)(x >> 3) %
							    IO_SPACE_COUNT,
						    base + off, size);
			res = io_emulate(r->io, v, &a);
			if (res != IO_DONE || seen->calls != calls + 1 ||
			    seen->offset != off || seen->size != size ||
			    seen->write != a.write ||
			    (a.write && seen->value != (x & io_size_mask(size))) ||
			    (!a.write && a.value != (~off & io_size_mask(size))))
				count_bad(r);
			r->emulated[v]++;
			continue;
		}
		q = forwarded_request(v, seq + 1);
		a = q.write ? tio_write(q.space, q.addr, q.size, q.value)
			    : tio_read(q.space, q.addr, q.size);
		res = io_emulate(r->io, v, &a);
		if (res != IO_PENDING) {
			count_bad(r);
			continue;
		}
		seq++;
		res = tio_wait(r->io, v, &a);
		if (res == IO_DONE) {
			r->done[v]++;
			/* A write's data was checked by the device model. */
			if (!a.write && (r->hostile ? a.value & ~io_size_mask(q.size)
					 : a.value != (reply_for(q.addr, seq) &
						       io_size_mask(q.size))))
				count_bad(r);
		} else if (res == IO_ABORT) {
			r->failed[v]++;
		} else if (res == IO_CANCELLED) {
			r->cancelled[v]++;
			break;
		} else {
			count_bad(r);
		}
	}
	__atomic_fetch_sub(&r->vcpus_left, 1, __ATOMIC_RELEASE);
	return NULL;
}

/* Every field of the slot is what the vCPU asked for: type, direction,
 * address, size; a write's data masked to its size, a read's value 0 (no
 * register contents leak to the Service VM). */
static bool slot_matches(const struct tessera_io_slot *s, struct req_spec q)
{
	uint64_t mask = q.size == 8 ? ~0ull : (1ull << (8 * q.size)) - 1;

	return s->req.type == q.space &&
	       s->req.direction == (q.write ? TESSERA_IO_WRITE
					    : TESSERA_IO_READ) &&
	       s->req.addr == q.addr && s->req.size == q.size &&
	       s->req.reserved0 == 0 &&
	       s->req.value == (q.write ? q.value & mask : 0);
}

static bool dm_running(struct run *r)
{
	return __atomic_load_n(&r->vcpus_left, __ATOMIC_ACQUIRE) > 0;
}

/* A well-behaved device model: each request taken exactly once, in order. */
static void *dm_thread(void *arg)
{
	struct run *r = arg;
	struct tessera_io_slot *slots = tio_slots(r->io);
	bool notify = r->io->completion_mode == TESSERA_IO_COMPLETION_NOTIFY;

	while (dm_running(r)) {
		bool found = false;

		for (unsigned v = 0; v < VCPUS; v++) {
			struct tessera_io_slot *s = &slots[v];
			uint32_t seq;

			if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) !=
			    TESSERA_IO_STATE_PENDING)
				continue;
			found = true;
			__atomic_store_n(&s->state, TESSERA_IO_STATE_PROCESSING,
					 __ATOMIC_RELAXED);
			seq = s->seq;
			if (seq != r->dm_last_seq[v] + 1)
				count_bad(r);
			r->dm_last_seq[v] = seq;
			if (!slot_matches(s, forwarded_request(v, seq)))
				count_bad(r);
			if (s->req.direction == TESSERA_IO_READ)
				s->req.value = reply_for(s->req.addr, seq);
			r->dm_completed[v]++;
			__atomic_store_n(&s->state, TESSERA_IO_STATE_COMPLETE,
					 __ATOMIC_RELEASE);
			if (notify && io_notify_finish(r->io, v) != 0)
				count_bad(r);
		}
		if (!found)
			sched_yield();
	}
	return NULL;
}

/* Scribbles on the slots; completes properly only now and then. */
static void *hostile_dm_thread(void *arg)
{
	struct run *r = arg;
	struct tessera_io_slot *slots = tio_slots(r->io);
	uint64_t rng = 0xbadc0ffee;

	while (dm_running(r)) {
		uint64_t x = tio_rand(&rng);
		unsigned v = (unsigned)(x % VCPUS);
		struct tessera_io_slot *s = &slots[v];
		uint32_t st = __atomic_load_n(&s->state, __ATOMIC_ACQUIRE);
		unsigned target;
		int rc;

		switch ((x >> 8) % 16) {
		case 0 ... 6: /* a proper completion, if there is a request */
			if (st != TESSERA_IO_STATE_PENDING &&
			    st != TESSERA_IO_STATE_PROCESSING)
				break;
			__atomic_store_n(&s->req.value, x >> 3, __ATOMIC_RELAXED);
			__atomic_store_n(&s->state, TESSERA_IO_STATE_COMPLETE,
					 __ATOMIC_RELEASE);
			io_notify_finish(r->io, v);
			break;
		case 7: /* any state at all */
			__atomic_store_n(&s->state, (uint32_t)(x >> 32), __ATOMIC_RELEASE);
			break;
		case 8:
			__atomic_store_n(&s->state, TESSERA_IO_STATE_FREE, __ATOMIC_RELEASE);
			break;
		case 9:
			__atomic_store_n(&s->state, TESSERA_IO_STATE_PENDING,
					 __ATOMIC_RELEASE);
			break;
		case 10:
			__atomic_store_n(&s->req.value, x, __ATOMIC_RELAXED);
			break;
		case 11: /* notify anyone, including vCPUs that do not exist */
			target = (unsigned)(x >> 20) % (VCPUS + 4);
			rc = io_notify_finish(r->io, target);
			if (target >= VCPUS ? rc != -EINVAL : rc != 0 && rc != -ENOENT)
				count_bad(r);
			break;
		case 12: /* COMPLETE with no notification */
			__atomic_store_n(&s->state, TESSERA_IO_STATE_COMPLETE,
					 __ATOMIC_RELEASE);
			break;
		case 13: /* flip-flop while the vCPU tries to free the slot */
			for (int i = 0; i < 50; i++)
				__atomic_store_n(&s->state, TESSERA_IO_STATE_COMPLETE +
							    (unsigned)(i & 1),
						 __ATOMIC_RELEASE);
			break;
		case 14:
			__atomic_store_n(&s->req.addr, x, __ATOMIC_RELAXED);
			__atomic_store_n(&s->req.size, (uint32_t)x, __ATOMIC_RELAXED);
			__atomic_store_n(&s->reserved[x % 160], (uint8_t)x, __ATOMIC_RELAXED);
			break;
		default:
			sched_yield();
		}
	}
	return NULL;
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static unsigned long sum(const unsigned long *a)
{
	unsigned long s = 0;

	for (unsigned i = 0; i < VCPUS; i++)
		s += a[i];
	return s;
}

/* Runs the threads; returns false if the limit passed (then cancels). */
static bool run_threads(struct run *r, double limit_s)
{
	pthread_t vth[VCPUS], dth;
	struct vcpu_arg args[VCPUS];
	double deadline = now() + limit_s;
	struct timespec tick = {0, 10 * 1000 * 1000};
	bool in_time = true;

	r->vcpus_left = VCPUS;
	pthread_create(&dth, NULL, r->hostile ? hostile_dm_thread : dm_thread, r);
	for (unsigned v = 0; v < VCPUS; v++) {
		args[v] = (struct vcpu_arg){r, v};
		pthread_create(&vth[v], NULL, vcpu_thread, &args[v]);
	}
	while (__atomic_load_n(&r->vcpus_left, __ATOMIC_ACQUIRE) > 0) {
		if (in_time && now() > deadline) {
			in_time = false;
			io_vm_cancel_all(r->io); /* unsticks any waiter */
		}
		nanosleep(&tick, NULL);
	}
	for (unsigned v = 0; v < VCPUS; v++)
		pthread_join(vth[v], NULL);
	pthread_join(dth, NULL);
	return in_time;
}

static void million_requests(uint32_t mode, unsigned long total)
{
	static struct run r;
	struct io_stats st;
	unsigned long forwarded;

	r = (struct run){.per_vcpu = total / VCPUS};
	r.io = tio_vm_new(VCPUS, mode, false, true);
	for (unsigned v = 0; v < VCPUS; v++)
		for (unsigned space = 0; space < IO_SPACE_COUNT; space++)
			assert_int_equal(io_register(r.io, space,
						     HANDLER_BASE + ((uint64_t)v << 24),
						     1 << 24, fn_echo_offset,
						     &r.seen[v], "echo"), 0);
	assert_true(run_threads(&r, 60));
	io_vm_get_stats(r.io, &st);
	forwarded = sum(r.done);
	assert_int_equal(r.bad, 0);
	assert_int_equal(sum(r.failed) + sum(r.cancelled), 0);
	assert_int_equal(forwarded + sum(r.emulated), total);
	assert_int_equal(sum(r.dm_completed), forwarded);
	for (unsigned v = 0; v < VCPUS; v++)
		assert_int_equal(r.dm_last_seq[v], r.dm_completed[v]);
	assert_int_equal(st.forwarded, forwarded);
	assert_int_equal(st.completed, forwarded);
	/* Both paths were taken by every vCPU, about 1 in 16 to a handler. */
	for (unsigned v = 0; v < VCPUS; v++) {
		assert_true(r.emulated[v] > r.per_vcpu / 32);
		assert_true(r.done[v] > r.per_vcpu / 2);
		assert_int_equal(r.seen[v].calls, r.emulated[v]);
	}
	assert_int_equal(st.emulated, sum(r.emulated));
	assert_int_equal(st.failed, 0);
	tio_vm_free(r.io);
}

static void test_million_requests_polling(void **state)
{
	(void)state;
	million_requests(TESSERA_IO_COMPLETION_POLLING, 1000000);
}

static void test_million_requests_notify(void **state)
{
	(void)state;
	million_requests(TESSERA_IO_COMPLETION_NOTIFY, 1000000);
}

/*
 * Per request, never only in totals: a device model that takes COMPLETE
 * back (COMPLETE, then at once PROCESSING) must never get its request
 * reported as done unless the hypervisor had freed the slot first. Then the
 * late PROCESSING lands on a FREE slot and stays; if it came first the
 * request fails and the hypervisor frees the slot. So DONE with the slot
 * found FREE afterwards means a state change after COMPLETE was taken for a
 * completion. The race is the vCPU's look at COMPLETE against its
 * compare-and-swap to FREE; many trials hit it now and then (notify mode:
 * COMPLETE, the notification, then PROCESSING).
 */
#define FLIP_TRIALS 20000

static struct {
	struct io_vm *io;
	int phase; /* 0 idle, 1 published, 2 the device model has written */
	unsigned long done, failed, bad;
} flip;

static void wait_phase(int want)
{
	while (__atomic_load_n(&flip.phase, __ATOMIC_ACQUIRE) != want)
		sched_yield();
}

/* The two sides on two CPUs, busy: the race needs them both running. */
static void pin_to(unsigned cpu)
{
	cpu_set_t set;

	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void pin_to_all(void)
{
	cpu_set_t set;
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	CPU_ZERO(&set);
	for (long i = 0; i < n && i < CPU_SETSIZE; i++)
		CPU_SET(i, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

static void *flip_vcpu_thread(void *arg)
{
	struct tessera_io_slot *s = &tio_slots(flip.io)[0];

	(void)arg;
	pin_to(1);
	for (unsigned t = 0; t < FLIP_TRIALS; t++) {
		struct io_access a = tio_read(IO_SPACE_MMIO, 0x1000, 4);
		enum io_result res;

		if (io_emulate(flip.io, 0, &a) != IO_PENDING) {
			flip.bad++;
			break;
		}
		__atomic_store_n(&flip.phase, 1, __ATOMIC_RELEASE);
		while ((res = io_complete(flip.io, 0, &a)) == IO_PENDING)
			;
		wait_phase(2);
		if (res == IO_DONE) {
			flip.done++;
			if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) !=
			    TESSERA_IO_STATE_PROCESSING)
				flip.bad++;
		} else if (res == IO_ABORT) {
			flip.failed++;
		} else {
			flip.bad++;
		}
		/* The next request reclaims the slot whatever it holds. */
		__atomic_store_n(&s->state, TESSERA_IO_STATE_FREE, __ATOMIC_RELEASE);
		__atomic_store_n(&flip.phase, 0, __ATOMIC_RELEASE);
	}
	__atomic_store_n(&flip.phase, -1, __ATOMIC_RELEASE);
	return NULL;
}

static void test_state_change_after_complete_is_never_done(void **state)
{
	struct tessera_io_slot *s;
	struct io_stats st;
	unsigned trial = 0;
	pthread_t th;

	(void)state;
	flip = (typeof(flip)){0};
	/* Notify mode: the vCPU looks once notified, and whatever it finds
	 * then ends the request (PROCESSING: notified too early, failed). */
	flip.io = tio_vm_new(1, TESSERA_IO_COMPLETION_NOTIFY, false, true);
	s = &tio_slots(flip.io)[0];
	pin_to(0);
	pthread_create(&th, NULL, flip_vcpu_thread, NULL);
	for (;;) {
		int p;

		while ((p = __atomic_load_n(&flip.phase, __ATOMIC_ACQUIRE)) == 0)
			;
		if (p < 0)
			break;
		__atomic_store_n(&s->req.value, 7, __ATOMIC_RELAXED);
		__atomic_store_n(&s->state, TESSERA_IO_STATE_COMPLETE,
				 __ATOMIC_RELEASE);
		assert_int_equal(io_notify_finish(flip.io, 0), 0);
		/* A little later each trial: somewhere among them, the
		 * vCPU's look and its compare-and-swap. */
		for (volatile unsigned i = 0; i < trial++ % 64; i++)
			;
		__atomic_store_n(&s->state, TESSERA_IO_STATE_PROCESSING,
				 __ATOMIC_RELEASE);
		__atomic_store_n(&flip.phase, 2, __ATOMIC_RELEASE);
		while (__atomic_load_n(&flip.phase, __ATOMIC_ACQUIRE) == 2)
			;
	}
	pthread_join(th, NULL);
	pin_to_all();
	io_vm_get_stats(flip.io, &st);
	if (getenv("TESSERA_TEST_VERBOSE"))
		printf("flip: %lu done, %lu failed\n", flip.done, flip.failed);
	assert_int_equal(flip.bad, 0);
	assert_int_equal(flip.done + flip.failed, FLIP_TRIALS);
	assert_int_equal(st.completed, flip.done);
	assert_int_equal(st.failed, flip.failed);
	tio_vm_free(flip.io);
}

static void hostile(uint32_t mode)
{
	static struct run r;
	struct io_stats st;
	struct io_access a;

	r = (struct run){.per_vcpu = 20000, .hostile = true};
	r.io = tio_vm_new(VCPUS, mode, false, true);
	assert_true(run_threads(&r, 30)); /* no waiter is stuck for good */
	io_vm_get_stats(r.io, &st);
	assert_int_equal(r.bad, 0);
	assert_int_equal(sum(r.cancelled), 0);
	assert_int_equal(sum(r.done) + sum(r.failed), VCPUS * r.per_vcpu);
	assert_int_equal(st.forwarded, VCPUS * r.per_vcpu);
	assert_int_equal(st.completed, sum(r.done));
	assert_int_equal(st.failed, sum(r.failed));
	assert_true(st.failed > 0);
	assert_true(st.completed > 0);

	/* And the VM recovers: reset, then a clean request. */
	assert_int_equal(io_vm_reset(r.io), 0);
	for (unsigned v = 0; v < VCPUS; v++)
		assert_int_equal(tio_slots(r.io)[v].state, TESSERA_IO_STATE_FREE);
	a = tio_read(IO_SPACE_MMIO, 0x1000, 4);
	assert_int_equal(io_emulate(r.io, 3, &a), IO_PENDING);
	tio_dm_complete(r.io, 3, 0x5a);
	assert_int_equal(tio_wait(r.io, 3, &a), IO_DONE);
	assert_int_equal(a.value, 0x5a);
	tio_vm_free(r.io);
}

static void test_hostile_device_model_polling(void **state)
{
	(void)state;
	hostile(TESSERA_IO_COMPLETION_POLLING);
}

static void test_hostile_device_model_notify(void **state)
{
	(void)state;
	hostile(TESSERA_IO_COMPLETION_NOTIFY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_million_requests_polling),
		cmocka_unit_test(test_million_requests_notify),
		cmocka_unit_test(test_state_change_after_complete_is_never_done),
		cmocka_unit_test(test_hostile_device_model_polling),
		cmocka_unit_test(test_hostile_device_model_notify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
