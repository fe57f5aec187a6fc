/* SPDX-License-Identifier: BSD-3-Clause */
#include <arch.h>
#include <lib/fdt.h>
#include <lib/format.h>
#include <lib/string.h>
#include <linux_boot.h>
#include <log.h>
#include <platform.h>
#include <scenario.h>
#include <vm.h>
#include <vm_dt.h>
#include <vm_fdt.h>

/* arm64 Image header (Documentation/arch/arm64/booting.rst). */
#define IMAGE_TEXT_OFFSET 8
#define IMAGE_SIZE 16
#define IMAGE_MAGIC_OFFSET 56
#define IMAGE_MAGIC 0x644d5241u /* "ARM\x64" */

#define DTB_WINDOW SZ_2M

static struct {
	uint8_t *store;       /* the image store (hypervisor memory) */
	uint64_t store_size;
	uint64_t kernel_size; /* the header's image_size: text to end of BSS */
	uint64_t initrd_offset; /* in the store */
	uint64_t initrd_size;
	/* The platform's /chosen/rng-seed: entropy for one boot only, so a
	 * reboot or another VM never gets the same seed again. */
	uint8_t rng_seed[VM_FDT_MAX_RNG_SEED];
	uint32_t rng_seed_len;
	bool ready;
} stage;

static uint64_t le64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 7; i >= 0; i--)
		v = v << 8 | p[i];
	return v;
}

static int stage_kernel(void)
{
	const uint8_t *hdr = stage.store;
	uint64_t size;

	if (!stage.store_size) {
		log_err("linux boot: the scenario has no image store");
		return -1;
	}
	if ((uint32_t)le64(hdr + IMAGE_MAGIC_OFFSET) != IMAGE_MAGIC) {
		log_err("linux boot: no arm64 kernel Image at the image store "
			"%p (load it there with -device loader)", stage.store);
		return -1;
	}
	size = le64(hdr + IMAGE_SIZE);
	if (le64(hdr + IMAGE_TEXT_OFFSET) != 0 || !size ||
	    size > stage.store_size) {
		log_err("linux boot: kernel Image header: text_offset 0x%llx, "
			"image_size 0x%llx not supported",
			(unsigned long long)le64(hdr + IMAGE_TEXT_OFFSET),
			(unsigned long long)size);
		return -1;
	}
	stage.kernel_size = size;
	return 0;
}

/* The firmware's initrd (if any) moves into the store, behind the kernel. */
static int stage_initrd(const void *dtb)
{
	struct fdt fdt;
	int chosen;
	uint32_t len_s, len_e;
	const void *s, *e;
	uint64_t start, end, room;

	stage.initrd_offset = ALIGN_UP(stage.kernel_size, SZ_2M);
	if (fdt_open(&fdt, dtb, platform_fdt_size()) < 0 ||
	    (chosen = fdt_path(&fdt, "/chosen")) < 0)
		return 0;
	s = fdt_prop(&fdt, chosen, "linux,initrd-start", &len_s);
	e = fdt_prop(&fdt, chosen, "linux,initrd-end", &len_e);
	if (!s || !e)
		return 0;
	start = fdt_cells(s, len_s == 8 ? 2 : 1);
	end = fdt_cells(e, len_e == 8 ? 2 : 1);
	/* The kernel may fill the store up to a boundary past its end. */
	room = stage.initrd_offset < stage.store_size
		       ? stage.store_size - stage.initrd_offset
		       : 0;
	if (end <= start || end - start > room) {
		log_err("linux boot: initrd 0x%llx-0x%llx does not fit the image "
			"store (%llu KiB free)", (unsigned long long)start,
			(unsigned long long)end, (unsigned long long)(room >> 10));
		return -1;
	}
	stage.initrd_size = end - start;
	memmove(stage.store + stage.initrd_offset, (const void *)(uintptr_t)start,
		stage.initrd_size);
	return 0;
}

/* Keep the firmware's rng-seed (QEMU's virt gives 32 bytes) for the first
 * Linux boot. */
static void stage_rng_seed(const void *platform_dtb)
{
	struct fdt fdt;
	const uint8_t *seed;
	uint32_t len = 0;
	int chosen;

	if (fdt_open(&fdt, platform_dtb, platform_fdt_size()) < 0 ||
	    (chosen = fdt_path(&fdt, "/chosen")) < 0)
		return;
	seed = fdt_prop(&fdt, chosen, "rng-seed", &len);
	if (!seed || !len)
		return;
	stage.rng_seed_len = len < VM_FDT_MAX_RNG_SEED ? len : VM_FDT_MAX_RNG_SEED;
	memcpy(stage.rng_seed, seed, stage.rng_seed_len);
}

int linux_boot_stage(const struct scenario_config *sc, const void *platform_dtb)
{
	stage.store = (uint8_t *)(uintptr_t)sc->image_store_base;
	stage.store_size = sc->image_store_size;
	if (stage_kernel() < 0 || stage_initrd(platform_dtb) < 0)
		return -1;
	stage_rng_seed(platform_dtb);
	stage.ready = true;
	log_info("linux boot: kernel %llu KiB, initrd %llu KiB staged",
		 (unsigned long long)(stage.kernel_size >> 10),
		 (unsigned long long)(stage.initrd_size >> 10));
	return 0;
}

/* The scenario's command line, then whatever the firmware was given. */
static void *place(struct vm *vm, const char *what, uint64_t gpa, uint64_t size)
{
	void *p = vm_gpa_to_hva(vm, gpa, size);

	if (!p)
		log_err("vm %s: linux boot: %s at 0x%llx+0x%llx is not in the "
			"VM's memory", vm_name(vm), what, (unsigned long long)gpa,
			(unsigned long long)size);
	return p;
}

int linux_boot_load(struct vm *vm, uint64_t *dtb_gpa)
{
	uint64_t entry = vm->cfg->entry;
	uint64_t initrd_gpa = entry + ALIGN_UP(stage.kernel_size, SZ_2M);
	struct vm_dt_chosen chosen = {
		.initrd_start = stage.initrd_size ? initrd_gpa : 0,
		.initrd_end = stage.initrd_size ? initrd_gpa + stage.initrd_size : 0,
		.rng_seed = stage.rng_seed_len ? stage.rng_seed : NULL,
		.rng_seed_len = stage.rng_seed_len,
	};
	void *kernel, *initrd = NULL;

	if (!stage.ready) {
		log_err("vm %s: no staged kernel to boot", vm_name(vm));
		return -1;
	}
	kernel = place(vm, "kernel", entry, stage.kernel_size);
	if (stage.initrd_size)
		initrd = place(vm, "initrd", initrd_gpa, stage.initrd_size);
	if (!kernel || (stage.initrd_size && !initrd))
		return -1;
	memcpy(kernel, stage.store, stage.kernel_size);
	if (initrd)
		memcpy(initrd, stage.store + stage.initrd_offset, stage.initrd_size);
	if (vm_dt_write(vm, entry - DTB_WINDOW, DTB_WINDOW, &chosen) < 0)
		return -1;
	if (stage.rng_seed_len) {
		log_info("vm %s: the platform's rng-seed (%u bytes) goes to this "
			 "boot only", vm_name(vm), stage.rng_seed_len);
		memset(stage.rng_seed, 0, sizeof(stage.rng_seed));
		stage.rng_seed_len = 0;
	}
	arch_clean_dcache(kernel, stage.kernel_size);
	if (initrd)
		arch_clean_dcache(initrd, stage.initrd_size);
	*dtb_gpa = entry - DTB_WINDOW;
	log_info("vm %s: linux at 0x%llx", vm_name(vm), (unsigned long long)entry);
	return 0;
}
