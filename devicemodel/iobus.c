/* SPDX-License-Identifier: BSD-3-Clause */
/* The DM's address map on the hypervisor's handler table (iobus.h). */
#include "../hypervisor/common/io_internal.h"

#include "iobus.h"

static const char *const space_name[] = {"pio", "mmio", "pci-cfg"};

void iobus_init(struct iobus *b)
{
	io_table_init(&b->table);
	b->miss_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(
		LOG_WARN, NULL, "access no device takes");
	b->error_rl = (struct log_ratelimit)LOG_RATELIMIT_INIT(
		LOG_WARN, NULL, "device access failed");
	b->stats = (struct iobus_stats){0};
}

int iobus_add(struct iobus *b, unsigned space, uint64_t base, uint64_t size,
	      io_handler_fn fn, void *priv, const char *name)
{
	return io_table_add(&b->table, space, base, size, fn, priv, name);
}

static const char *spc(unsigned space)
{
	return space < IO_SPACE_COUNT ? space_name[space] : "?";
}

uint64_t iobus_access(struct iobus *b, unsigned space, uint64_t addr,
		      unsigned size, bool write, uint64_t value)
{
	uint64_t mask = io_size_mask(size), v = write ? value & mask : 0;
	struct io_handler *h;
	int rc;

	switch (io_table_get(&b->table, NULL, space, addr, size, &h)) {
	case IO_LOOKUP_HIT:
		rc = h->fn(h->priv, addr - h->base, size, write, &v);
		io_table_put(h);
		if (rc == 0) {
			b->stats.handled++;
			return write ? 0 : v & mask;
		}
		b->stats.failed++;
		if (log_ratelimit_allow(&b->error_rl))
			log_warn("%s %s %s 0x%llx (%u bytes) failed: %d",
				 h->name ? h->name : "device",
				 write ? "write to" : "read from", spc(space),
				 (unsigned long long)addr, size, rc);
		break;
	case IO_LOOKUP_STRADDLE:
		b->stats.straddled++;
		if (log_ratelimit_allow(&b->miss_rl))
			log_warn("%s %s 0x%llx (%u bytes) straddles a device's "
				 "edge: %s", write ? "write to" : "read from",
				 spc(space), (unsigned long long)addr, size,
				 write ? "dropped" : "all-ones");
		break;
	case IO_LOOKUP_MISS:
		b->stats.unknown++;
		if (log_ratelimit_allow(&b->miss_rl))
			log_warn("%s unknown %s 0x%llx (%u bytes): %s",
				 write ? "write to" : "read from", spc(space),
				 (unsigned long long)addr, size,
				 write ? "dropped" : "all-ones");
		break;
	}
	return write ? 0 : mask;
}
