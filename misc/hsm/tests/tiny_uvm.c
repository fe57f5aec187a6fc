// SPDX-License-Identifier: GPL-2.0-only
/* A one-loop User VM through the HSM ioctls (tiny_uvm.h). */
#include <errno.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

#include "tiny_uvm.h"

#define VECTORS 0x800u /* VBAR_EL1, as an offset in RAM */

/* x2 = the MMIO address, x3 = the vectors (set as boot registers). */
static const uint32_t read_loop[] = {
	0xd518c003, /* msr  vbar_el1, x3 */
	0xd5033fdf, /* isb */
	0xb9400041, /* 1: ldr w1, [x2] */
	0x17ffffff, /* b    1b */
};

static const uint32_t read_write_loop[] = {
	0xd518c003, /* msr  vbar_el1, x3 */
	0xd5033fdf, /* isb */
	0xb9400041, /* 1: ldr w1, [x2] */
	0xb9000441, /* str  w1, [x2, #4] */
	0x17fffffe, /* b    1b */
};

/* Synchronous exception, current EL with SPx (VBAR + 0x200): a failed
 * access came back as a data abort; skip it. */
static const uint32_t abort_handler[] = {
	0xd5384029, /* mrs  x9, elr_el1 */
	0x91001129, /* add  x9, x9, #4 */
	0xd5184029, /* msr  elr_el1, x9 */
	0xd69f03e0, /* eret */
};

static int step(int fd, unsigned long cmd, void *arg, const char *name,
		const char **what)
{
	if (ioctl(fd, cmd, arg) == 0)
		return 0;
	*what = name;
	return -errno;
}

int tiny_uvm_create(int fd, struct tiny_uvm *t, const char *name,
		    uint32_t flags, enum tiny_loop loop, const char **what)
{
	struct tessera_hsm_vcpu_regs regs = {0};
	struct tessera_hsm_memory mem;
	int ret;

	memset(t, 0, sizeof(*t));
	t->vm.vcpu_count = 1;
	t->vm.flags = flags;
	strncpy(t->vm.name, name, sizeof(t->vm.name) - 1);
	ret = step(fd, TESSERA_HSM_CREATE_VM, &t->vm, "CREATE_VM", what);
	if (ret)
		return ret;
	t->ram = mmap(NULL, TINY_RAM_SIZE, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (t->ram == MAP_FAILED) {
		*what = "mmap RAM";
		return -errno;
	}
	if (loop == TINY_READ)
		memcpy(t->ram, read_loop, sizeof(read_loop));
	else
		memcpy(t->ram, read_write_loop, sizeof(read_write_loop));
	memcpy(t->ram + VECTORS + 0x200, abort_handler, sizeof(abort_handler));
	__builtin___clear_cache((char *)t->ram, (char *)t->ram + TINY_RAM_SIZE);
	mem = (struct tessera_hsm_memory){(uintptr_t)t->ram, TINY_RAM_GPA,
					  TINY_RAM_SIZE,
					  TESSERA_MEM_READ | TESSERA_MEM_WRITE |
						  TESSERA_MEM_EXEC, 0};
	ret = step(fd, TESSERA_HSM_SET_MEMORY, &mem, "SET_MEMORY", what);
	if (ret)
		return ret;
	regs.regs.pc = TINY_RAM_GPA;
	regs.regs.x[2] = TINY_MMIO_GPA;
	regs.regs.x[3] = TINY_RAM_GPA + VECTORS;
	ret = step(fd, TESSERA_HSM_SET_VCPU_REGS, &regs, "SET_VCPU_REGS", what);
	if (ret)
		return ret;
	t->slots = mmap(NULL, t->vm.nr_request_pages * TESSERA_IO_PAGE_SIZE,
			PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (t->slots == MAP_FAILED) {
		*what = "mmap the request pages";
		return -errno;
	}
	return 0;
}
