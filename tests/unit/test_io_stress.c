/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Eight vCPU threads and a device-model thread running the real forwarding
 * code: a million requests completed exactly once with the right value, and a
 * hostile device model that scribbles on the slots without hanging or
 * crashing anything. Threads count problems; only main() asserts (cmocka).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

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
};

static void count_bad(struct run *r)
{
	__atomic_fetch_add(&r->bad, 1, __ATOMIC_RELAXED);
}

/* The reply a well-behaved device model gives to request `seq` at `addr`. */
static uint64_t reply_for(uint64_t addr, uint32_t seq)
{
	return (addr * 0x9e3779b97f4a7c15ull) ^ ((uint64_t)seq << 17) ^ seq;
}

static int fn_echo_offset(void *priv, uint64_t offset, unsigned size,
			  bool write, uint64_t *value)
{
	(void)priv, (void)size;
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
		unsigned size = 1u << (x & 3);
		uint64_t addr = ((uint64_t)v << 24) | ((x >> 8) & 0xfffff8);
		struct io_access a;
		enum io_result res;

		if (!r->hostile && (x >> 40) % 16 == 0)
			addr += HANDLER_BASE; /* now and then, a hypervisor device */
		a = (x >> 2) & 1 ? tio_write((unsigned)(x >> 3) % IO_SPACE_COUNT,
					     addr, size, x)
				 : tio_read((unsigned)(x >> 3) % IO_SPACE_COUNT,
					    addr, size);
		res = io_emulate(r->io, v, &a);
		if (res == IO_DONE && addr >= HANDLER_BASE) {
			if (!a.write && a.value != (~(addr - HANDLER_BASE -
						   ((uint64_t)v << 24)) &
						  io_size_mask(size)))
				count_bad(r);
			r->emulated[v]++;
			continue;
		}
		if (res != IO_PENDING) {
			count_bad(r);
			continue;
		}
		seq++;
		res = tio_wait(r->io, v, &a);
		if (res == IO_DONE) {
			r->done[v]++;
			if (a.write ? a.value != x
				    : r->hostile ? a.value & ~io_size_mask(size)
						 : a.value != (reply_for(addr, seq) &
							       io_size_mask(size)))
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
			if (s->req.direction == TESSERA_IO_READ) {
				if (s->req.value != 0)
					count_bad(r); /* a read leaked data */
				s->req.value = reply_for(s->req.addr, seq);
			}
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
						     1 << 24, fn_echo_offset, NULL,
						     "echo"), 0);
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
		cmocka_unit_test(test_hostile_device_model_polling),
		cmocka_unit_test(test_hostile_device_model_notify),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
