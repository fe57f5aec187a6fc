/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The virtio-mmio register state machine (devicemodel/virtio_mmio.c) with a
 * test backend that records what the transport asks of it: identification,
 * feature negotiation, status rules, queue set-up and its checks, notify
 * before and after DRIVER_OK, reset, level interrupts, access widths and
 * the config space. The expectations are the virtio 1.2 spec's (4.2.2,
 * 2.1, 3.1), not the implementation's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "fake/fake_driver.h"
#include "fake/fake_vm.h"
#include "guarded.h"
#include "host/host_log.h"
#include "virtio.h"
#include "virtio_mmio.h"

#define RAM_GPA 0x40000000ull
#define RAM_SIZE 0x40000ull
#define INTID 50u
#define F_A 3u  /* device feature bits the test backend offers */
#define F_B 40u
#define BIT64(n) (1ull << (n))

static struct guarded g;
static struct guest_mem mem;
static struct fake_vm vm;
static struct virtio_mmio t;
static struct fake_driver d;
static unsigned notified[4], resets;

static void tb_notify(struct virtio_mmio *tt, unsigned q)
{
	(void)tt;
	notified[q]++;
}

static void tb_reset(struct virtio_mmio *tt)
{
	(void)tt;
	resets++;
}

static const struct virtio_backend test_backend = {
	.kind = "test-dev",
	.device_id = 42,
	.nr_queues = 2,
	.notify = tb_notify,
	.reset = tb_reset,
};

static int setup(void **state)
{
	static const uint8_t cfg[12] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12};

	(void)state;
	guarded_init(&g, RAM_SIZE);
	guest_mem_wrap(&mem, g.data, RAM_GPA, RAM_SIZE);
	fake_vm_init(&vm);
	vmmio_init(&t, &mem, &vm.vmm, 0x0a000000, INTID);
	vmmio_bind(&t, &test_backend, NULL, BIT64(F_A) | BIT64(F_B));
	vmmio_set_config(&t, cfg, sizeof(cfg));
	fd_init(&d, &mem, &t);
	memset(notified, 0, sizeof(notified));
	resets = 0;
	host_log_reset();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmmio_destroy(&t);
	fake_vm_fini(&vm);
	guarded_fini(&g);
	return 0;
}

static uint32_t status(void)
{
	return fd_read(&d, VIRTIO_MMIO_STATUS);
}

static void test_identification(void **state)
{
	(void)state;
	assert_int_equal(fd_read(&d, 0x000), 0x74726976); /* "virt" */
	assert_int_equal(fd_read(&d, 0x004), 2);          /* modern */
	assert_int_equal(fd_read(&d, 0x008), 42);
	assert_int_not_equal(fd_read(&d, 0x00c), 0);
	assert_int_equal(fd_device_features(&d),
			 BIT64(F_A) | BIT64(F_B) | BIT64(32));
	fd_write(&d, VIRTIO_MMIO_DEVICE_FEATURES_SEL, 2);
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_DEVICE_FEATURES), 0);
	/* no indirect descriptors, no event index */
	assert_int_equal(fd_device_features(&d) & (BIT64(28) | BIT64(29)), 0);
	assert_int_equal(status(), 0);
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	/* no shared memory regions: length and base read as -1 */
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_SHM_LEN_LOW), 0xffffffff);
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_SHM_LEN_HIGH), 0xffffffff);
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_SHM_BASE_LOW), 0xffffffff);
}

static void test_feature_negotiation(void **state)
{
	(void)state;
	/* a subset, with VERSION_1: accepted */
	assert_true(fd_negotiate(&d, BIT64(F_B) | BIT64(32)) &
		    VIRTIO_STATUS_FEATURES_OK);
	assert_int_equal(t.driver_features, BIT64(F_B) | BIT64(32));
	/* no changing them after FEATURES_OK */
	fd_write(&d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 0);
	fd_write(&d, VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffff);
	assert_int_equal(t.driver_features, BIT64(F_B) | BIT64(32));
	/* a legacy driver (no VERSION_1): refused */
	assert_false(fd_negotiate(&d, BIT64(F_A)) & VIRTIO_STATUS_FEATURES_OK);
	/* a feature that was not offered: refused */
	assert_false(fd_negotiate(&d, BIT64(32) | BIT64(0)) &
		     VIRTIO_STATUS_FEATURES_OK);
	assert_false(fd_negotiate(&d, BIT64(32) | BIT64(28)) &
		     VIRTIO_STATUS_FEATURES_OK); /* INDIRECT_DESC */
	/* refused, the driver may try again with less */
	assert_true(fd_negotiate(&d, BIT64(32)) & VIRTIO_STATUS_FEATURES_OK);
	/* a feature select past the 64 bits writes nothing */
	fd_write(&d, VIRTIO_MMIO_STATUS, 0);
	fd_write(&d, VIRTIO_MMIO_DRIVER_FEATURES_SEL, 2);
	fd_write(&d, VIRTIO_MMIO_DRIVER_FEATURES, 0xffffffff);
	assert_int_equal(t.driver_features, 0);
}

static void test_status_rules(void **state)
{
	uint32_t s;

	(void)state;
	s = fd_negotiate(&d, BIT64(32));
	assert_int_equal(s, VIRTIO_STATUS_ACKNOWLEDGE | VIRTIO_STATUS_DRIVER |
				    VIRTIO_STATUS_FEATURES_OK);
	/* clearing a bit (other than by writing 0) is ignored, and so is
	 * the rest of that write */
	fd_write(&d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE);
	assert_int_equal(status(), s);
	fd_write(&d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
					     VIRTIO_STATUS_FEATURES_OK |
					     VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(status(), s);
	/* the driver cannot set NEEDS_RESET */
	fd_write(&d, VIRTIO_MMIO_STATUS, s | VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(status(), s);
	/* bits above the 8-bit status are ignored */
	fd_write(&d, VIRTIO_MMIO_STATUS, s | 0x100);
	assert_int_equal(status(), s);
	/* DRIVER_OK needs FEATURES_OK */
	fd_write(&d, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(resets, 2); /* fd_negotiate's, and this one */
	fd_write(&d, VIRTIO_MMIO_STATUS, VIRTIO_STATUS_ACKNOWLEDGE |
					     VIRTIO_STATUS_DRIVER |
					     VIRTIO_STATUS_DRIVER_OK);
	assert_int_equal(status(), VIRTIO_STATUS_ACKNOWLEDGE |
					   VIRTIO_STATUS_DRIVER);
	/* FAILED is the driver's to set */
	fd_write(&d, VIRTIO_MMIO_STATUS, status() | VIRTIO_STATUS_FAILED);
	assert_true(status() & VIRTIO_STATUS_FAILED);
}

static void test_queue_setup(void **state)
{
	uint64_t desc;

	(void)state;
	fd_negotiate(&d, BIT64(32));
	for (unsigned q = 0; q < 2; q++) {
		fd_write(&d, VIRTIO_MMIO_QUEUE_SEL, q);
		assert_int_equal(fd_read(&d, VIRTIO_MMIO_QUEUE_NUM_MAX), 256);
		assert_int_equal(fd_read(&d, VIRTIO_MMIO_QUEUE_READY), 0);
	}
	fd_write(&d, VIRTIO_MMIO_QUEUE_SEL, 2); /* no such queue */
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_QUEUE_NUM_MAX), 0);
	fd_write(&d, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_QUEUE_READY), 0);
	fd_setup_queue(&d, 1, 64);
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_QUEUE_READY), 1);
	assert_true(t.vq[1].ready);
	assert_int_equal(t.vq[1].size, 64);
	/* a ready queue's registers cannot change */
	desc = d.q[1].desc;
	fd_write(&d, VIRTIO_MMIO_QUEUE_NUM, 8);
	fd_write(&d, VIRTIO_MMIO_QUEUE_DESC_LOW, 0x1000);
	assert_int_equal(t.qregs[1].num, 64);
	assert_int_equal(t.qregs[1].desc, desc);
	/* QueueReady 0 stops it, and then it can be moved */
	fd_write(&d, VIRTIO_MMIO_QUEUE_READY, 0);
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_QUEUE_READY), 0);
	fd_write(&d, VIRTIO_MMIO_QUEUE_NUM, 8);
	fd_write(&d, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(t.vq[1].size, 8);
	assert_false(status() & VIRTIO_STATUS_NEEDS_RESET);
	assert_int_equal(vm.nirq, 0);
}

/* Queue 0 with a bad size or ring: not ready, and the device needs a reset. */
static void expect_refused_queue(uint32_t num, uint64_t desc, uint64_t avail,
				 uint64_t used)
{
	fd_negotiate(&d, BIT64(32));
	fd_write(&d, VIRTIO_MMIO_QUEUE_SEL, 0);
	fd_write(&d, VIRTIO_MMIO_QUEUE_NUM, num);
	fd_write(&d, VIRTIO_MMIO_QUEUE_DESC_LOW, (uint32_t)desc);
	fd_write(&d, VIRTIO_MMIO_QUEUE_DESC_HIGH, (uint32_t)(desc >> 32));
	fd_write(&d, VIRTIO_MMIO_QUEUE_DRIVER_LOW, (uint32_t)avail);
	fd_write(&d, VIRTIO_MMIO_QUEUE_DRIVER_HIGH, (uint32_t)(avail >> 32));
	fd_write(&d, VIRTIO_MMIO_QUEUE_DEVICE_LOW, (uint32_t)used);
	fd_write(&d, VIRTIO_MMIO_QUEUE_DEVICE_HIGH, (uint32_t)(used >> 32));
	fd_write(&d, VIRTIO_MMIO_QUEUE_READY, 1);
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_QUEUE_READY), 0);
	assert_true(status() & VIRTIO_STATUS_NEEDS_RESET);
	/* DRIVER_OK now: the queue stays dead, kicks do nothing */
	fd_driver_ok(&d);
	fd_kick(&d, 0);
	assert_int_equal(notified[0], 0);
	/* a reset clears NEEDS_RESET */
	fd_write(&d, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(status(), 0);
}

static void test_bad_queues(void **state)
{
	const uint64_t r = RAM_GPA + 0x1000;

	(void)state;
	expect_refused_queue(0, r, r + 0x1000, r + 0x2000);
	expect_refused_queue(3, r, r + 0x1000, r + 0x2000);
	expect_refused_queue(512, r, r + 0x1000, r + 0x2000);
	expect_refused_queue(16, RAM_GPA - 0x100, r + 0x1000, r + 0x2000);
	expect_refused_queue(16, r, RAM_GPA + RAM_SIZE - 4, r + 0x2000);
	expect_refused_queue(16, r, r + 0x1000, 0xfffffffffffffff0ull);
	expect_refused_queue(16, r + 8, r + 0x1000, r + 0x2000);
	expect_refused_queue(16, r, r + 0x1001, r + 0x2000);
	expect_refused_queue(16, r, r + 0x1000, r + 0x2002);
	assert_int_equal(vm.nirq, 0); /* never DRIVER_OK when it broke */
}

static void test_notify(void **state)
{
	(void)state;
	fd_negotiate(&d, BIT64(32));
	fd_setup_queue(&d, 0, 16);
	fd_setup_queue(&d, 1, 16);
	/* before DRIVER_OK the device must not use the buffers */
	fd_kick(&d, 0);
	assert_int_equal(notified[0], 0);
	/* DRIVER_OK takes what was made available before it */
	fd_driver_ok(&d);
	assert_int_equal(notified[0], 1);
	assert_int_equal(notified[1], 1);
	fd_kick(&d, 1);
	fd_kick(&d, 1);
	assert_int_equal(notified[1], 3);
	fd_kick(&d, 2); /* no such queue */
	fd_kick(&d, 0xffffffff);
	assert_int_equal(notified[0] + notified[1], 4);
	/* a queue stopped with QueueReady 0 is not kicked */
	fd_write(&d, VIRTIO_MMIO_QUEUE_SEL, 0);
	fd_write(&d, VIRTIO_MMIO_QUEUE_READY, 0);
	fd_kick(&d, 0);
	assert_int_equal(notified[0], 1);
	/* nor after FAILED */
	fd_write(&d, VIRTIO_MMIO_STATUS, status() | VIRTIO_STATUS_FAILED);
	fd_kick(&d, 1);
	assert_int_equal(notified[1], 3);
}

static void test_reset(void **state)
{
	(void)state;
	fd_bring_up(&d, BIT64(F_A));
	fd_write(&d, VIRTIO_MMIO_QUEUE_SEL, 1);
	vmmio_signal_used(&t, 0);
	assert_true(vm.line[INTID]);
	fd_write(&d, VIRTIO_MMIO_STATUS, 0);
	assert_int_equal(resets, 2); /* fd_negotiate's, and this one */
	assert_int_equal(status(), 0);
	assert_int_equal(t.driver_features, 0);
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_false(vm.line[INTID]);
	assert_int_equal(t.queue_sel, 0);
	for (unsigned q = 0; q < 2; q++) {
		fd_write(&d, VIRTIO_MMIO_QUEUE_SEL, q);
		assert_int_equal(fd_read(&d, VIRTIO_MMIO_QUEUE_READY), 0);
		assert_false(t.vq[q].ready);
		assert_int_equal(t.qregs[q].num, 0);
	}
	/* and it comes up again */
	fd_bring_up(&d, 0);
	assert_true(vmmio_queue_live(&t, 0) && vmmio_queue_live(&t, 1));
}

static void test_level_interrupts(void **state)
{
	(void)state;
	fd_bring_up(&d, 0);
	vmmio_signal_used(&t, 0);
	vmmio_signal_used(&t, 1);
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_INTERRUPT_STATUS),
			 VIRTIO_MMIO_INT_VRING);
	/* raised once, however many times signalled */
	assert_int_equal(vm.nirq, 1);
	assert_int_equal(vm.irq[0].intid, INTID);
	assert_int_equal(vm.irq[0].op, TESSERA_IRQ_RAISE);
	/* acknowledging another bit changes nothing */
	fd_write(&d, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	assert_int_equal(vm.nirq, 1);
	assert_true(vm.line[INTID]);
	fd_write(&d, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_VRING);
	assert_int_equal(vm.nirq, 2);
	assert_int_equal(vm.irq[1].op, TESSERA_IRQ_LOWER);
	assert_false(vm.line[INTID]);
	/* a broken device signals a configuration change */
	vmmio_needs_reset(&t, "test");
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_INTERRUPT_STATUS),
			 VIRTIO_MMIO_INT_CONFIG);
	assert_true(status() & VIRTIO_STATUS_NEEDS_RESET);
	assert_true(vm.line[INTID]);
	/* both bits pending, one acknowledged: still high */
	vmmio_signal_used(&t, 0);
	fd_write(&d, VIRTIO_MMIO_INTERRUPT_ACK, VIRTIO_MMIO_INT_CONFIG);
	assert_true(vm.line[INTID]);
	fd_write(&d, VIRTIO_MMIO_INTERRUPT_ACK, 0xffffffff);
	assert_false(vm.line[INTID]);
	/* the driver suppressed interrupts: none */
	fd_set_avail_flags(&d, 0, VIRTQ_AVAIL_F_NO_INTERRUPT);
	vmmio_signal_used(&t, 0);
	assert_false(vm.line[INTID]);
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
}

static void test_failed_irq_line_is_retried(void **state)
{
	(void)state;
	fd_bring_up(&d, 0);
	vm.rc[FAKE_IRQ] = -EIO;
	vmmio_signal_used(&t, 0);
	assert_false(vm.line[INTID]);
	vm.rc[FAKE_IRQ] = 0;
	vmmio_signal_used(&t, 0);
	assert_true(vm.line[INTID]);
}

static void test_access_widths(void **state)
{
	(void)state;
	/* registers are 32-bit: other widths read all-ones, writes drop */
	assert_int_equal(fd_access(&d, 0x000, 1, false, 0), ~0ull);
	assert_int_equal(fd_access(&d, 0x000, 2, false, 0), ~0ull);
	assert_int_equal(fd_access(&d, 0x000, 8, false, 0), ~0ull);
	assert_int_equal(fd_access(&d, 0x002, 4, false, 0), ~0ull);
	fd_access(&d, VIRTIO_MMIO_STATUS, 1, true, VIRTIO_STATUS_ACKNOWLEDGE);
	fd_access(&d, VIRTIO_MMIO_STATUS, 8, true, VIRTIO_STATUS_ACKNOWLEDGE);
	fd_access(&d, VIRTIO_MMIO_STATUS + 1, 4, true, 1);
	assert_int_equal(status(), 0);
	/* unknown registers read 0, writes to read-only ones are dropped */
	assert_int_equal(fd_read(&d, 0x0f0), 0);
	fd_write(&d, VIRTIO_MMIO_MAGIC_VALUE, 0);
	fd_write(&d, VIRTIO_MMIO_INTERRUPT_STATUS, 1);
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_MAGIC_VALUE), 0x74726976);
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_INTERRUPT_STATUS), 0);
	assert_true(t.stats.bad_access >= 9);
}

static void test_config_space(void **state)
{
	(void)state;
	assert_int_equal(fd_access(&d, 0x100, 1, false, 0), 1);
	assert_int_equal(fd_access(&d, 0x101, 1, false, 0), 2);
	assert_int_equal(fd_access(&d, 0x102, 2, false, 0), 0x0403);
	assert_int_equal(fd_access(&d, 0x104, 4, false, 0), 0x08070605);
	assert_int_equal(fd_access(&d, 0x104, 8, false, 0),
			 0x0c0b0a0908070605ull);
	/* past the device's 12 bytes: 0 */
	assert_int_equal(fd_access(&d, 0x10a, 4, false, 0), 0);
	assert_int_equal(fd_access(&d, 0x1fc, 4, false, 0), 0);
	/* read-only */
	fd_access(&d, 0x100, 4, true, 0xffffffff);
	assert_int_equal(fd_access(&d, 0x100, 4, false, 0), 0x04030201);
	assert_int_equal(fd_read(&d, VIRTIO_MMIO_CONFIG_GENERATION), 0);
}

int main(void)
{
#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_identification),
		T(test_feature_negotiation),
		T(test_status_rules),
		T(test_queue_setup),
		T(test_bad_queues),
		T(test_notify),
		T(test_reset),
		T(test_level_interrupts),
		T(test_failed_irq_line_is_retried),
		T(test_access_widths),
		T(test_config_space),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
