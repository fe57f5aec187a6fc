/* SPDX-License-Identifier: BSD-3-Clause */
/* Guest RAM and the one checked gpa -> host translation (guest_mem.h). */
#include <errno.h>
#include <string.h>
#include <sys/mman.h>

#include "guest_mem.h"

#define ALIGN_2M (2ull << 20)
#define PAGE_MASK 0xfffull

int guest_mem_alloc(struct guest_mem *m, uint64_t gpa, uint64_t size)
{
	uint8_t *raw, *aligned;
	size_t len, head;

	if (!size || (gpa | size) & PAGE_MASK || size > SIZE_MAX - ALIGN_2M ||
	    gpa + size < gpa)
		return -EINVAL;
	/* Over-allocate by 2 MiB and trim, so that the kernel's 2 MiB block
	 * sits on a 2 MiB block of ours (transparent huge pages). */
	len = (size_t)size + ALIGN_2M;
	raw = mmap(NULL, len, PROT_READ | PROT_WRITE,
		   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (raw == MAP_FAILED)
		return -errno;
	aligned = (uint8_t *)(((uintptr_t)raw + ALIGN_2M - 1) & ~(ALIGN_2M - 1));
	head = (size_t)(aligned - raw);
	if (head)
		munmap(raw, head);
	if (len - head > size)
		munmap(aligned + size, len - head - (size_t)size);
	madvise(aligned, (size_t)size, MADV_HUGEPAGE); /* a hint; may fail */
	*m = (struct guest_mem){aligned, gpa, size, true};
	return 0;
}

void guest_mem_wrap(struct guest_mem *m, void *host, uint64_t gpa,
		    uint64_t size)
{
	*m = (struct guest_mem){host, gpa, size, false};
}

void guest_mem_free(struct guest_mem *m)
{
	if (m->mapped && m->host)
		munmap(m->host, (size_t)m->size);
	*m = (struct guest_mem){0};
}

void *gpa_to_host(const struct guest_mem *m, uint64_t gpa, uint64_t len)
{
	uint64_t off;

	if (!m->host || !len || gpa < m->gpa)
		return NULL;
	off = gpa - m->gpa;
	if (off >= m->size || len > m->size - off)
		return NULL;
	return m->host + off;
}

int guest_read(const struct guest_mem *m, uint64_t gpa, void *dst, size_t len)
{
	const void *p = len ? gpa_to_host(m, gpa, len) : dst;

	if (!p)
		return -1;
	if (len)
		memcpy(dst, p, len);
	return 0;
}

int guest_write(const struct guest_mem *m, uint64_t gpa, const void *src,
		size_t len)
{
	void *p = len ? gpa_to_host(m, gpa, len) : (void *)src;

	if (!p)
		return -1;
	if (len)
		memcpy(p, src, len);
	return 0;
}
