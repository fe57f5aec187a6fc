/* SPDX-License-Identifier: BSD-3-Clause */
/* The request slot state machine: forwarding, completion, notify, lifecycle. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <errno.h>

#include "host_log.h"
#include "test_io_support.h"

#define POLLING TESSERA_IO_COMPLETION_POLLING
#define NOTIFY TESSERA_IO_COMPLETION_NOTIFY

static uint32_t slot_state(struct io_vm *io, unsigned v)
{
	return __atomic_load_n(&tio_slots(io)[v].state, __ATOMIC_ACQUIRE);
}

static void set_state(struct io_vm *io, unsigned v, uint32_t state)
{
	__atomic_store_n(&tio_slots(io)[v].state, state, __ATOMIC_RELEASE);
}

static void forward_read(struct io_vm *io, unsigned v, struct io_access *a)
{
	*a = tio_read(IO_SPACE_MMIO, 0x10000 + v * 8, 4);
	a->value = 0xdeadbeefcafe; /* stale register contents: must not leak */
	assert_int_equal(io_emulate(io, v, a), IO_PENDING);
	assert_int_equal(slot_state(io, v), TESSERA_IO_STATE_PENDING);
}

static void assert_all_slots_free_and_clean(struct io_vm *io)
{
	for (unsigned v = 0; v < io->vcpu_count; v++) {
		const struct tessera_io_slot *s = &tio_slots(io)[v];

		assert_int_equal(s->state, TESSERA_IO_STATE_FREE);
		assert_int_equal(s->req.value, 0);
		assert_int_equal(s->req.addr, 0);
		assert_int_equal(s->seq, 0);
		assert_int_equal(s->reserved[0], 0);
	}
}

static void test_forward_fills_and_publishes_slot(void **state)
{
	struct io_vm *io = tio_vm_new(3, POLLING, false, true);
	unsigned long upcalls = tio_upcalls;
	struct io_access a;
	const struct tessera_io_slot *s = &tio_slots(io)[2];

	(void)state;
	assert_all_slots_free_and_clean(io); /* attach cleared the 0xa5 fill */
	forward_read(io, 2, &a);
	/* polling: the device model looks by itself, no upcall */
	assert_int_equal(tio_upcalls, upcalls);
	assert_int_equal(s->req.type, TESSERA_IO_TYPE_MMIO);
	assert_int_equal(s->req.direction, TESSERA_IO_READ);
	assert_int_equal(s->req.addr, 0x10010);
	assert_int_equal(s->req.size, 4);
	assert_int_equal(s->req.value, 0);
	assert_int_equal(s->completion_mode, POLLING);
	assert_int_equal(s->seq, 1);
	assert_int_equal(slot_state(io, 0), TESSERA_IO_STATE_FREE);

	/* A second request while this one is out is a caller bug. */
	assert_int_equal(io_emulate(io, 2, &a), IO_ABORT);
	tio_dm_complete(io, 2, 5);
	assert_int_equal(tio_wait(io, 2, &a), IO_DONE);

	a = tio_write(IO_SPACE_PIO, 0x3f8, 2, 0x1122334455667788);
	assert_int_equal(io_emulate(io, 2, &a), IO_PENDING);
	assert_int_equal(s->req.type, TESSERA_IO_TYPE_PIO);
	assert_int_equal(s->req.direction, TESSERA_IO_WRITE);
	assert_int_equal(s->req.value, 0x7788);
	assert_int_equal(s->seq, 2);
	tio_dm_complete(io, 2, 0);
	assert_int_equal(tio_wait(io, 2, &a), IO_DONE);
	assert_int_equal(a.value, 0x1122334455667788); /* writes keep theirs */
	tio_vm_free(io);
}

/* PENDING -> PROCESSING -> COMPLETE and PENDING -> COMPLETE, both modes. */
static void test_legal_transitions(void **state)
{
	static const uint32_t modes[] = {POLLING, NOTIFY};

	(void)state;
	for (unsigned m = 0; m < 2; m++) {
		struct io_vm *io = tio_vm_new(2, modes[m], false, true);
		struct io_access a;
		struct io_stats st;

		unsigned long upcalls = tio_upcalls;

		forward_read(io, 1, &a);
		/* an upcall for each request in notify mode, none when polling */
		assert_int_equal(tio_upcalls, upcalls + (modes[m] == NOTIFY));
		set_state(io, 1, TESSERA_IO_STATE_PROCESSING);
		tio_dm_complete(io, 1, 0xffffffff12345678); /* masked to 4 bytes */
		assert_int_equal(tio_wait(io, 1, &a), IO_DONE);
		assert_int_equal(a.value, 0x12345678);
		assert_int_equal(slot_state(io, 1), TESSERA_IO_STATE_FREE);

		forward_read(io, 1, &a);
		__atomic_store_n(&tio_slots(io)[1].req.value, 7, __ATOMIC_RELAXED);
		set_state(io, 1, TESSERA_IO_STATE_COMPLETE);
		if (modes[m] == NOTIFY)
			assert_int_equal(io_notify_finish(io, 1), 0);
		assert_int_equal(tio_wait(io, 1, &a), IO_DONE);
		assert_int_equal(a.value, 7);

		io_vm_get_stats(io, &st);
		assert_int_equal(st.forwarded, 2);
		assert_int_equal(st.completed, 2);
		assert_int_equal(st.failed, 0);
		tio_vm_free(io);
	}
}

/* Notify mode: a slot the device model says it watches gets no upcall, and
 * the count of upcalls says so; the request is served the same way. */
static void test_watched_slot_gets_no_upcall(void **state)
{
	struct io_vm *io = tio_vm_new(2, NOTIFY, false, true);
	struct tessera_io_slot *slots = tio_slots(io);
	unsigned long upcalls = tio_upcalls;
	struct io_access a;
	struct io_stats st;

	(void)state;
	__atomic_store_n(&slots[1].sos_watching, 1, __ATOMIC_SEQ_CST);
	forward_read(io, 1, &a);
	assert_int_equal(tio_upcalls, upcalls);
	assert_int_equal(slot_state(io, 1), TESSERA_IO_STATE_PENDING);
	tio_dm_complete(io, 1, 0x5a); /* and notifies */
	assert_int_equal(tio_wait(io, 1, &a), IO_DONE);
	assert_int_equal(a.value, 0x5a);
	/* The hint is per slot: vCPU 0's request still raises one. */
	forward_read(io, 0, &a);
	assert_int_equal(tio_upcalls, upcalls + 1);
	/* Any non-zero value counts as watching; 0 raises again. */
	__atomic_store_n(&slots[0].sos_watching, 0x80000000u, __ATOMIC_SEQ_CST);
	__atomic_store_n(&slots[1].sos_watching, 0, __ATOMIC_SEQ_CST);
	forward_read(io, 1, &a);
	assert_int_equal(tio_upcalls, upcalls + 2);
	io_vm_get_stats(io, &st);
	assert_int_equal(st.forwarded, 3);
	assert_int_equal(st.upcalls, 2);
	tio_vm_free(io);
}

/* Whatever else the Service VM leaves in the state word fails the request. */
static void test_illegal_states_fail_the_request(void **state)
{
	static const uint32_t bad[] = {TESSERA_IO_STATE_FREE, 4, 0x80000003,
				       0xffffffff};
	static const uint32_t modes[] = {POLLING, NOTIFY};

	(void)state;
	for (unsigned m = 0; m < 2; m++) {
		struct io_vm *io = tio_vm_new(1, modes[m], false, true);
		struct io_stats st;

		host_log_reset();
		for (unsigned i = 0; i < ARRAY_SIZE(bad); i++) {
			struct io_access a;

			forward_read(io, 0, &a);
			set_state(io, 0, bad[i]);
			if (modes[m] == NOTIFY)
				assert_int_equal(io_notify_finish(io, 0), 0);
			assert_int_equal(tio_wait(io, 0, &a), IO_ABORT);
			assert_int_equal(a.value, 0xdeadbeefcafe); /* untouched */
			/* The hypervisor took the slot back. */
			assert_int_equal(slot_state(io, 0), TESSERA_IO_STATE_FREE);
		}
		io_vm_get_stats(io, &st);
		assert_int_equal(st.failed, ARRAY_SIZE(bad));
		assert_int_equal(st.completed, 0);
		assert_int_equal(host_log_lines[LOG_WARN], ARRAY_SIZE(bad));
		tio_vm_free(io);
	}
}

/* In notify mode the notification must come after COMPLETE. */
static void test_notify_before_complete_fails(void **state)
{
	static const uint32_t early[] = {TESSERA_IO_STATE_PENDING,
					 TESSERA_IO_STATE_PROCESSING};
	struct io_vm *io = tio_vm_new(1, NOTIFY, false, true);

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(early); i++) {
		struct io_access a;

		forward_read(io, 0, &a);
		set_state(io, 0, early[i]);
		assert_int_equal(io_notify_finish(io, 0), 0);
		assert_int_equal(tio_wait(io, 0, &a), IO_ABORT);
	}
	tio_vm_free(io);
}

static void test_notify_validates_its_arguments(void **state)
{
	struct io_vm *io = tio_vm_new(2, NOTIFY, false, true);
	struct io_access a;

	(void)state;
	assert_int_equal(io_notify_finish(io, 2), -EINVAL);
	assert_int_equal(io_notify_finish(io, 0xffffffffu), -EINVAL);
	assert_int_equal(io_notify_finish(io, 0), -ENOENT); /* nothing out */
	forward_read(io, 0, &a);
	assert_int_equal(io_notify_finish(io, 1), -ENOENT); /* other vCPU */
	assert_int_equal(io_notify_finish(io, 2), -EINVAL);
	set_state(io, 0, TESSERA_IO_STATE_COMPLETE);
	assert_int_equal(io_notify_finish(io, 0), 0);
	assert_int_equal(io_notify_finish(io, 0), -ENOENT); /* twice */
	assert_int_equal(tio_wait(io, 0, &a), IO_DONE);
	assert_int_equal(io_notify_finish(io, 0), -ENOENT); /* after */
	/* Waiting with nothing forwarded is refused. */
	assert_int_equal(tio_wait(io, 0, &a), IO_ABORT);
	assert_int_equal(tio_wait(io, 5, &a), IO_ABORT);
	tio_vm_free(io);
}

/* Polling: the hypercall is optional and an early one is ignored. */
static void test_polling_ignores_notifications(void **state)
{
	struct io_vm *io = tio_vm_new(1, POLLING, false, true);
	struct io_access a;

	(void)state;
	forward_read(io, 0, &a);
	assert_int_equal(io_notify_finish(io, 0), 0); /* stale, early */
	tio_dm_complete(io, 0, 0x42);
	assert_int_equal(tio_wait(io, 0, &a), IO_DONE);
	assert_int_equal(a.value, 0x42);
	tio_vm_free(io);
}

static void test_init_and_attach_validate(void **state)
{
	struct io_vm *io = tio_vm_new(16, POLLING, false, false);
	struct io_vm_params p = {.vcpu_count = 0};
	static char page[2 * TESSERA_IO_PAGE_SIZE]
		__attribute__((aligned(TESSERA_IO_PAGE_SIZE)));

	(void)state;
	assert_int_equal(io_vm_init(io, &p), -EINVAL);
	p.vcpu_count = CONFIG_MAX_VCPUS_PER_VM + 1;
	assert_int_equal(io_vm_init(io, &p), -EINVAL);
	p.vcpu_count = 1;
	p.completion_mode = 2;
	assert_int_equal(io_vm_init(io, &p), -EINVAL);
	p.completion_mode = POLLING;
	p.vcpu_count = 16;
	assert_int_equal(io_vm_init(io, &p), 0);

	assert_int_equal(io_vm_detach_request_pages(io), -ENOENT);
	assert_int_equal(io_vm_attach_request_pages(io, NULL, 1), -EINVAL);
	assert_int_equal(io_vm_attach_request_pages(io, page + 64, 1), -EINVAL);
	assert_int_equal(io_vm_attach_request_pages(io, page, 0), -EINVAL);
	assert_int_equal(io_vm_attach_request_pages(io, page, 1), 0);
	assert_int_equal(io_vm_attach_request_pages(io, page, 1), -EBUSY);
	assert_int_equal(io_vm_detach_request_pages(io), 0);
	assert_int_equal(io_vm_detach_request_pages(io), -ENOENT);
	free(io);
}

/*
 * Reset and destroy with the request in every state: the waiter returns
 * CANCELLED whatever the slot says, forwarding stays refused until reset,
 * and after reset every slot is FREE and forwarding works again.
 */
static void test_cancel_and_reset_in_every_state(void **state)
{
	static const uint32_t states[] = {TESSERA_IO_STATE_PENDING,
					  TESSERA_IO_STATE_PROCESSING,
					  TESSERA_IO_STATE_COMPLETE, 9};
	static const uint32_t modes[] = {POLLING, NOTIFY};

	(void)state;
	for (unsigned m = 0; m < 2; m++) {
		for (unsigned i = 0; i < ARRAY_SIZE(states); i++) {
			struct io_vm *io = tio_vm_new(4, modes[m], false, true);
			struct io_access a, b;
			struct io_stats st;

			forward_read(io, 1, &a);
			forward_read(io, 3, &b);
			set_state(io, 1, states[i]);
			if (modes[m] == NOTIFY)
				io_notify_finish(io, 1);
			io_vm_cancel_all(io);
			assert_int_equal(tio_wait(io, 1, &a), IO_CANCELLED);
			assert_int_equal(a.value, 0xdeadbeefcafe);
			assert_int_equal(tio_wait(io, 3, &b), IO_CANCELLED);
			/* Cancelled until reset, without touching the slot. */
			set_state(io, 0, TESSERA_IO_STATE_FREE);
			a = tio_read(IO_SPACE_MMIO, 0x10000, 4);
			assert_int_equal(io_emulate(io, 0, &a), IO_CANCELLED);
			assert_int_equal(slot_state(io, 0), TESSERA_IO_STATE_FREE);

			assert_int_equal(io_vm_reset(io), 0);
			assert_all_slots_free_and_clean(io);
			io_vm_get_stats(io, &st); /* kept across reset */
			assert_int_equal(st.forwarded, 2);
			assert_int_equal(st.cancelled, 2);
			forward_read(io, 1, &a);
			tio_dm_complete(io, 1, 3);
			assert_int_equal(tio_wait(io, 1, &a), IO_DONE);
			assert_int_equal(a.value, 3);
			tio_vm_free(io);
		}
	}
}

/* Reset with no request out, and from a slot the Service VM scribbled on. */
static void test_reset_idle_and_scribbled(void **state)
{
	struct io_vm *io = tio_vm_new(16, POLLING, false, true);

	(void)state;
	assert_int_equal(io_vm_reset(io), 0);
	for (unsigned v = 0; v < 16; v++) {
		set_state(io, v, v % 5);
		tio_slots(io)[v].req.addr = 0x77;
		tio_slots(io)[v].reserved[0] = 1;
	}
	assert_int_equal(io_vm_reset(io), 0);
	assert_all_slots_free_and_clean(io);
	tio_vm_free(io);
}

/* ---- with a waiting vCPU thread ---- */

struct waiter {
	struct io_vm *io;
	unsigned v;
	struct io_access a;
	enum io_result r;
};

static void *wait_thread(void *arg)
{
	struct waiter *w = arg;

	w->r = tio_wait(w->io, w->v, &w->a);
	return NULL;
}

static void start_waiter(struct waiter *w, pthread_t *th, struct io_vm *io,
			 unsigned v)
{
	w->io = io;
	w->v = v;
	forward_read(io, v, &w->a);
	pthread_create(th, NULL, wait_thread, w);
}

/* The device model completes; the waiter must get exactly that reply. */
static void complete_and_join(struct waiter *w, pthread_t th, uint64_t reply)
{
	tio_dm_complete(w->io, w->v, reply);
	pthread_join(th, NULL);
	assert_int_equal(w->r, IO_DONE);
	assert_int_equal(w->a.value, reply);
	tio_vm_free(w->io);
}

static void test_waiting_thread_completed_both_modes(void **state)
{
	static const uint32_t modes[] = {POLLING, NOTIFY};

	(void)state;
	for (unsigned m = 0; m < 2; m++) {
		struct io_vm *io = tio_vm_new(2, modes[m], false, true);
		struct waiter w;
		pthread_t th;

		start_waiter(&w, &th, io, 1);
		sched_yield();
		complete_and_join(&w, th, 0xabcd);
	}
}

/* Polling: a notification before COMPLETE does not fail the request. */
static void test_polling_waiter_survives_early_notify(void **state)
{
	struct io_vm *io = tio_vm_new(1, POLLING, false, true);
	struct timespec ms = {0, 10 * 1000 * 1000};
	struct waiter w;
	pthread_t th;

	(void)state;
	start_waiter(&w, &th, io, 0);
	assert_int_equal(io_notify_finish(io, 0), 0);
	nanosleep(&ms, NULL);
	complete_and_join(&w, th, 0x99);
}

/* Destroy: the device model goes away while a vCPU waits. */
/*
 * Detach of a stopped VM (a destroyed device model) with a request out in
 * every state: nothing refers to the pages afterwards, forwarding is
 * refused until reset, then the unhandled policy applies, and a new device
 * model finds every slot FREE.
 */
static void test_detach_of_a_stopped_vm(void **state)
{
	static const uint32_t states[] = {TESSERA_IO_STATE_PENDING,
					  TESSERA_IO_STATE_PROCESSING,
					  TESSERA_IO_STATE_COMPLETE};

	(void)state;
	for (unsigned i = 0; i < ARRAY_SIZE(states); i++) {
		struct io_vm *io = tio_vm_new(2, NOTIFY, false, true);
		void *pages = tio_slots(io);
		struct io_access a;

		forward_read(io, 0, &a);
		set_state(io, 0, states[i]);
		assert_int_equal(io_vm_detach_request_pages(io), 0);
		assert_null(tio_slots(io));
		/* the scribbled pages are not ours any more: nothing reads them */
		memset(pages, 0x5a, TESSERA_IO_PAGE_SIZE);
		a = tio_read(IO_SPACE_MMIO, 0, 2);
		assert_int_equal(io_emulate(io, 1, &a), IO_CANCELLED);
		/* Relaunch without a device model: unhandled policy. */
		assert_int_equal(io_vm_reset(io), 0);
		assert_int_equal(io_emulate(io, 1, &a), IO_DONE);
		assert_int_equal(a.value, 0xffff);
		/* And with a new one: every slot FREE. */
		assert_int_equal(io_vm_attach_request_pages(io, pages, 1), 0);
		assert_all_slots_free_and_clean(io);
		tio_vm_free(io);
	}
}

/* A notification wakes exactly the vCPU it names, once; a refused one
 * wakes nobody. The vCPU thread then completes with one look. */
static void test_notify_wakes_the_vcpu(void **state)
{
	struct io_vm *io = tio_vm_new(4, NOTIFY, false, true);
	struct io_access a;
	unsigned long before = tio_wakes;

	(void)state;
	forward_read(io, 2, &a);
	assert_int_equal(io_complete(io, 2, &a), IO_PENDING);
	set_state(io, 2, TESSERA_IO_STATE_COMPLETE);
	/* complete but not notified: a notify-mode vCPU does not look */
	assert_int_equal(io_complete(io, 2, &a), IO_PENDING);
	assert_int_equal(io_notify_finish(io, 1), -ENOENT);
	assert_int_equal(tio_wakes, before);
	assert_int_equal(io_notify_finish(io, 2), 0);
	assert_int_equal(tio_wakes, before + 1);
	assert_int_equal(io_notify_finish(io, 2), -ENOENT);
	assert_int_equal(tio_wakes, before + 1);
	assert_int_equal(io_complete(io, 2, &a), IO_DONE);
	assert_true(io_completes_by_notify(io));
	tio_vm_free(io);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_forward_fills_and_publishes_slot),
		cmocka_unit_test(test_legal_transitions),
		cmocka_unit_test(test_watched_slot_gets_no_upcall),
		cmocka_unit_test(test_illegal_states_fail_the_request),
		cmocka_unit_test(test_notify_before_complete_fails),
		cmocka_unit_test(test_notify_validates_its_arguments),
		cmocka_unit_test(test_polling_ignores_notifications),
		cmocka_unit_test(test_init_and_attach_validate),
		cmocka_unit_test(test_cancel_and_reset_in_every_state),
		cmocka_unit_test(test_reset_idle_and_scribbled),
		cmocka_unit_test(test_waiting_thread_completed_both_modes),
		cmocka_unit_test(test_polling_waiter_survives_early_notify),
		cmocka_unit_test(test_detach_of_a_stopped_vm),
		cmocka_unit_test(test_notify_wakes_the_vcpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
