/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * I/O emulation speed on the host: handler lookup with 8, 64 and 1,000
 * ranges, a dispatch to a hypervisor handler, and a full forward -> complete
 * -> post-work round trip with a polling device-model thread.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "../../hypervisor/common/io_internal.h"
#include "../unit/test_io_support.h"

#define LOOKUPS 2000000u
#define ROUND_TRIPS 200000u

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e9 + (double)ts.tv_nsec;
}

static void row(const char *what, unsigned n, double ns)
{
	char label[64];

	snprintf(label, sizeof(label), what, n);
	printf("| %-36s | %8.1f |\n", label, ns);
}

static int fn_nop(void *priv, uint64_t offset, unsigned size, bool write,
		  uint64_t *value)
{
	(void)priv, (void)size;
	if (!write)
		*value = offset;
	return 0;
}

/* n ranges of 0x100 bytes, 0x1000 apart; addresses that hit them at random. */
static struct io_vm *vm_with_ranges(unsigned n, uint64_t *addrs, unsigned count)
{
	struct io_vm *io = tio_vm_new(1, TESSERA_IO_COMPLETION_POLLING, false, false);
	uint64_t rng = 42;

	for (unsigned i = 0; i < n; i++)
		if (io_register(io, IO_SPACE_MMIO, 0x10000000 + i * 0x1000ull, 0x100,
				fn_nop, NULL, "bench"))
			abort();
	for (unsigned i = 0; i < count; i++)
		addrs[i] = 0x10000000 + (tio_rand(&rng) % n) * 0x1000 +
			   (tio_rand(&rng) % 0x40) * 4;
	return io;
}

static void bench_lookup(unsigned n, uint64_t *addrs)
{
	struct io_vm *io = vm_with_ranges(n, addrs, LOOKUPS);
	struct io_handler *h;
	unsigned hits = 0;
	double t0, lookup_ns, dispatch_ns;

	t0 = now_ns();
	for (unsigned i = 0; i < LOOKUPS; i++) {
		if (io_table_get(&io->table, NULL, IO_SPACE_MMIO, addrs[i], 4, &h) ==
		    IO_LOOKUP_HIT) {
			hits++;
			io_table_put(h);
		}
	}
	lookup_ns = (now_ns() - t0) / LOOKUPS;
	t0 = now_ns();
	for (unsigned i = 0; i < LOOKUPS; i++) {
		struct io_access a = tio_read(IO_SPACE_MMIO, addrs[i], 4);

		hits += io_emulate(io, 0, &a) == IO_DONE;
	}
	dispatch_ns = (now_ns() - t0) / LOOKUPS;
	if (hits != 2 * LOOKUPS)
		abort();
	row("lookup, %u ranges", n, lookup_ns);
	row("dispatch to a handler, %u ranges", n, dispatch_ns);
	tio_vm_free(io);
}

static int dm_stop;

/* Spins on the slot like a polling device model would. */
static void *polling_dm(void *arg)
{
	struct io_vm *io = arg;
	struct tessera_io_slot *s = &tio_slots(io)[0];

	while (!__atomic_load_n(&dm_stop, __ATOMIC_RELAXED)) {
		if (__atomic_load_n(&s->state, __ATOMIC_ACQUIRE) !=
		    TESSERA_IO_STATE_PENDING)
			continue;
		s->req.value = s->req.addr ^ 0x5a5a;
		__atomic_store_n(&s->state, TESSERA_IO_STATE_COMPLETE,
				 __ATOMIC_RELEASE);
	}
	return NULL;
}

static void bench_round_trip(void)
{
	struct io_vm *io = tio_vm_new(1, TESSERA_IO_COMPLETION_POLLING, false, true);
	pthread_t th;
	uint64_t reg = 0, sum = 0;
	double t0, ns;

	pthread_create(&th, NULL, polling_dm, io);
	t0 = now_ns();
	for (unsigned i = 0; i < ROUND_TRIPS; i++) {
		struct io_access a = tio_read(IO_SPACE_MMIO, 0x20000000 + i * 8, 4);

		if (io_emulate(io, 0, &a) != IO_PENDING ||
		    tio_wait(io, 0, &a) != IO_DONE ||
		    !io_postwork_value(&a, reg, &reg))
			abort();
		sum += reg;
	}
	ns = (now_ns() - t0) / ROUND_TRIPS;
	__atomic_store_n(&dm_stop, 1, __ATOMIC_RELAXED);
	pthread_join(th, NULL);
	row("forward -> complete -> post-work", 0, ns);
	if (sum == 0)
		abort();
	tio_vm_free(io);
}

int main(void)
{
	static const unsigned counts[] = {8, 64, 1000};
	uint64_t *addrs = malloc(LOOKUPS * sizeof(*addrs));

	if (!addrs)
		abort();
	printf("| %-36s | %8s |\n", "I/O emulation, host", "ns/op");
	printf("|--------------------------------------|----------|\n");
	for (unsigned i = 0; i < 3; i++)
		bench_lookup(counts[i], addrs);
	bench_round_trip();
	free(addrs);
	return 0;
}
