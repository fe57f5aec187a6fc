/* SPDX-License-Identifier: BSD-3-Clause */
/* A VM's memory as the hypervisor sees it, and the checked guest copies. */
#include <arch.h>
#include <errno.h>
#include <lib/range.h>
#include <lib/string.h>
#include <vm.h>

/* Static VMs: their scenario regions (EL2 maps RAM 1:1, so the
 * host-physical address is the pointer). */
static void *static_gpa_to_hva(const struct vm *vm, uint64_t gpa,
			       uint64_t size)
{
	for (unsigned r = 0; r < vm->cfg->mem_region_count; r++) {
		const struct mem_region_config *m = &vm->cfg->mem[r];

		if (range_inside(gpa, size, m->gpa, m->size))
			return (void *)(uintptr_t)(m->hpa + (gpa - m->gpa));
	}
	return NULL;
}

/* Post-launched VMs: their stage 2, page by page; the range must be
 * contiguous in host-physical memory too. */
static void *runtime_gpa_to_hva(const struct vm *vm, uint64_t gpa,
				uint64_t size)
{
	uint64_t first, hpa;

	if (!size || gpa + size - 1 < gpa ||
	    !arch_vm_translate(vm, gpa, &first))
		return NULL;
	for (uint64_t page = ALIGN_DOWN(gpa, SZ_4K) + SZ_4K;
	     page < gpa + size; page += SZ_4K)
		if (!arch_vm_translate(vm, page, &hpa) ||
		    hpa != first + (page - gpa))
			return NULL;
	return (void *)(uintptr_t)first;
}

void *vm_gpa_to_hva(const struct vm *vm, uint64_t gpa, uint64_t size)
{
	if (vm->cfg->mem_region_count)
		return static_gpa_to_hva(vm, gpa, size);
	return runtime_gpa_to_hva(vm, gpa, size);
}

bool vm_owns_gpa(const struct vm *vm, uint64_t gpa, uint64_t size)
{
	return vm_gpa_to_hva(vm, gpa, size) != NULL;
}

bool vm_gpa_in_ram_window(const struct vm *vm, uint64_t gpa)
{
	return gpa >= vm->board->ram_base &&
	       gpa - vm->board->ram_base < vm->board->ram_size;
}

/* Copy page by page: the buffer may cross pages that are not contiguous
 * in host-physical memory. */
static int copy_guest(const struct vm *vm, uint64_t gpa, void *buf,
		      size_t size, bool to_guest)
{
	uint8_t *b = buf;

	if (size && gpa + size - 1 < gpa)
		return -EFAULT;
	while (size) {
		size_t chunk = SZ_4K - (gpa & (SZ_4K - 1));
		void *hva;

		if (chunk > size)
			chunk = size;
		hva = vm_gpa_to_hva(vm, gpa, chunk);
		if (!hva)
			return -EFAULT;
		if (to_guest)
			memcpy(hva, b, chunk);
		else
			memcpy(b, hva, chunk);
		b += chunk;
		gpa += chunk;
		size -= chunk;
	}
	return 0;
}

int vm_copy_from_guest(const struct vm *vm, void *dst, uint64_t gpa,
		       size_t size)
{
	return copy_guest(vm, gpa, dst, size, false);
}

int vm_copy_to_guest(const struct vm *vm, uint64_t gpa, const void *src,
		     size_t size)
{
	return copy_guest(vm, gpa, (void *)src, size, true);
}
