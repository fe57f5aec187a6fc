/* SPDX-License-Identifier: BSD-3-Clause */
/* A VM's device tree in its memory (vm_dt.h). */
#include <arch.h>
#include <lib/fdt.h>
#include <lib/format.h>
#include <lib/string.h>
#include <log.h>
#include <platform.h>
#include <scenario.h>
#include <vm.h>
#include <vm_dt.h>
#include <vm_fdt.h>

#define BOOTARGS_MAX 512

/* The scenario's bootargs, then the firmware's (QEMU -append). */
static void make_bootargs(const struct vm *vm, char *out, size_t size)
{
	const char *extra = NULL;
	struct fdt fdt;
	int chosen;

	if (fdt_open(&fdt, platform_fdt(), platform_fdt_size()) == 0 &&
	    (chosen = fdt_path(&fdt, "/chosen")) >= 0) {
		uint32_t len;
		const char *p = fdt_prop(&fdt, chosen, "bootargs", &len);

		if (p && len && strnlen(p, len) < len)
			extra = p;
	}
	fmt_snprintf(out, size, "%s%s%s", vm->cfg->bootargs ? vm->cfg->bootargs : "",
		     extra && vm->cfg->bootargs ? " " : "", extra ? extra : "");
}

static void fill_params(const struct vm *vm, struct vm_fdt_params *p,
			const char *bootargs, const struct vm_dt_chosen *chosen)
{
	const struct vm_config *cfg = vm->cfg;
	const struct board_config *b = vm->board;

	*p = (struct vm_fdt_params){
		.vcpu_count = vm->vcpu_count,
		.mem_count = cfg->mem_region_count,
		.gicd = {b->gicd_base, TESSERA_VGIC_GICD_SIZE},
		.gicr_base = b->gicr_base,
		.uart_base = cfg->vuart_gpa,
		.uart_intid = cfg->vuart_gpa ? VUART_INTID : 0,
		.device_count = cfg->device_count,
		.bootargs = bootargs[0] ? bootargs : NULL,
		.hsm_io_intid = cfg->caps & VM_CAP_UPCALL ? cfg->upcall_intid : 0,
		.hsm_event_intid = cfg->caps & VM_CAP_UPCALL ? cfg->event_intid : 0,
		.initrd_start = chosen->initrd_start,
		.initrd_end = chosen->initrd_end,
		.rng_seed = chosen->rng_seed,
		.rng_seed_len = chosen->rng_seed_len,
	};
	for (unsigned i = 0; i < cfg->mem_region_count; i++) {
		p->mem[i].base = cfg->mem[i].gpa;
		p->mem[i].size = cfg->mem[i].size;
	}
	for (unsigned i = 0; i < cfg->device_count; i++) {
		p->devices[i].base = cfg->devices[i].base;
		p->devices[i].size = cfg->devices[i].size;
	}
}

int vm_dt_write(struct vm *vm, uint64_t gpa, uint64_t window,
		const struct vm_dt_chosen *chosen)
{
	struct vm_fdt_params params;
	char bootargs[BOOTARGS_MAX], err[120];
	void *dtb = vm_gpa_to_hva(vm, gpa, window);
	int size;

	if (!dtb) {
		log_err("vm %s: device tree at 0x%llx+0x%llx is not in the VM's "
			"memory", vm_name(vm), (unsigned long long)gpa,
			(unsigned long long)window);
		return -1;
	}
	make_bootargs(vm, bootargs, sizeof(bootargs));
	fill_params(vm, &params, bootargs, chosen);
	size = vm_fdt_build(dtb, window, platform_fdt(), platform_fdt_size(),
			    &params, err, sizeof(err));
	if (size < 0) {
		log_err("vm %s: %s", vm_name(vm), err);
		return -1;
	}
	arch_clean_dcache(dtb, (size_t)size);
	/* Debug only: it comes with every reset, which a guest does at will. */
	log_debug("vm %s: device tree %d bytes at 0x%llx, bootargs \"%s\"",
		  vm_name(vm), size, (unsigned long long)gpa, bootargs);
	return size;
}

int vm_dt_write_raw(struct vm *vm, uint64_t *gpa)
{
	const struct vm_config *cfg = vm->cfg;
	struct vm_dt_chosen none = {0};

	for (unsigned i = 0; i < cfg->mem_region_count; i++) {
		const struct mem_region_config *m = &cfg->mem[i];

		if (cfg->entry < m->gpa || cfg->entry - m->gpa >= m->size)
			continue;
		if (m->size < 2 * VM_DT_RAW_WINDOW) {
			log_err("vm %s: memory region at 0x%llx is too small for "
				"its image and device tree", vm_name(vm),
				(unsigned long long)m->gpa);
			return -1;
		}
		*gpa = m->gpa + m->size - VM_DT_RAW_WINDOW;
		return vm_dt_write(vm, *gpa, VM_DT_RAW_WINDOW, &none) < 0 ? -1 : 0;
	}
	log_err("vm %s: entry 0x%llx is in none of its memory", vm_name(vm),
		(unsigned long long)cfg->entry);
	return -1;
}
