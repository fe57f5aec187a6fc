/* SPDX-License-Identifier: BSD-3-Clause */
/* Boot-time scenario validation: a good partitioned layout, and each way to break it. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <config.h>
#include <scenario_check.h>
#include <scheduler.h>

#define RAM_BASE 0x40000000ull
#define RAM_SIZE 0x80000000ull /* 2 GiB */
#define HV_SIZE 0x4000000ull   /* 64 MiB at the start of RAM */
#define VUART 0x09000000ull

/* A scenario that can be edited: the tables scenario_check reads are const. */
struct fixture {
	struct board_config board;
	struct vm_config vms[CONFIG_MAX_VMS + 1];
	struct scenario_config sc;
	struct platform_info plat;
	char err[160];
};

/*
 * alpha: 1 vCPU on pCPU 0, 128 MiB right after the hypervisor.
 * bravo: 2 vCPUs on pCPUs 1-2, two regions, the first starting right where
 *        alpha's memory ends.
 * charlie: post-launched, on pCPU 3, no memory.
 */
static void fixture_good(struct fixture *f)
{
	memset(f, 0, sizeof(*f));
	f->board = (struct board_config){
		.name = "qemu-virt", .ram_base = RAM_BASE, .ram_size = RAM_SIZE,
		.pcpu_count = 4, .console_uart_base = VUART,
		.gicd_base = 0x08000000, .gicr_base = 0x080a0000,
		.gicr_size = 0xf60000};
	f->vms[0] = (struct vm_config){
		.name = "alpha", .kind = VM_KIND_PRE_LAUNCHED,
		.pcpu_mask = 0x1, .vcpu_count = 1, .mem_region_count = 1,
		.mem = {{.gpa = 0x40000000, .hpa = 0x44000000,
			 .size = 0x8000000}},
		.entry = 0x40080000, .vuart_gpa = VUART};
	f->vms[1] = (struct vm_config){
		.name = "bravo", .kind = VM_KIND_PRE_LAUNCHED,
		.pcpu_mask = 0x6, .vcpu_count = 2, .mem_region_count = 2,
		.mem = {{.gpa = 0x40000000, .hpa = 0x4c000000,
			 .size = 0x10000000},
			{.gpa = 0x80000000, .hpa = 0x5c000000,
			 .size = 0x4000000}},
		.entry = 0x40000000, .vuart_gpa = VUART};
	f->vms[2] = (struct vm_config){.name = "charlie",
				       .kind = VM_KIND_POST_LAUNCHED,
				       .pcpu_mask = 0x8, .vcpu_count = 1};
	f->sc = (struct scenario_config){
		.name = "partitioned", .board = &f->board, .hv_base = RAM_BASE,
		.hv_size = HV_SIZE, .vm_count = 3, .vms = f->vms};
	f->plat = (struct platform_info){.ram_base = RAM_BASE,
					 .ram_size = RAM_SIZE, .cpu_count = 4,
					 .cpu_mpidr = {0, 1, 2, 3}};
}

static int check(struct fixture *f)
{
	memset(f->err, 0x7f, sizeof(f->err));
	f->err[0] = '\0';
	return scenario_check(&f->sc, &f->plat, f->err, sizeof(f->err));
}

static void expect_ok(struct fixture *f)
{
	if (check(f) != 0)
		fail_msg("good scenario refused: %s", f->err);
}

/* Refused, with a one-line message that contains `want`. */
static void expect_refused(struct fixture *f, const char *want)
{
	if (check(f) != -1)
		fail_msg("bad scenario accepted (want \"%s\")", want);
	assert_non_null(memchr(f->err, '\0', sizeof(f->err)));
	assert_null(strchr(f->err, '\n'));
	if (!strstr(f->err, want))
		fail_msg("message \"%s\" does not contain \"%s\"", f->err, want);
}

static void test_good_layout(void **state)
{
	struct fixture f;

	(void)state;
	fixture_good(&f);
	expect_ok(&f);
	/* without the post-launched VM, and without vUARTs */
	f.sc.vm_count = 2;
	f.vms[0].vuart_gpa = f.vms[1].vuart_gpa = 0;
	expect_ok(&f);
}

static void test_good_layout_at_the_edges(void **state)
{
	struct fixture f;

	(void)state;
	fixture_good(&f);
	/* bravo's second region ends exactly at the end of RAM */
	f.vms[1].mem[1].hpa = RAM_BASE + RAM_SIZE - f.vms[1].mem[1].size;
	/* alpha starts exactly where the hypervisor ends (already) and its
	 * entry is the last word of its memory */
	f.vms[0].entry = 0x40000000 + 0x8000000 - 4;
	/* bravo's regions touch in guest-physical space */
	f.vms[1].mem[1].gpa = 0x40000000 + 0x10000000;
	/* the vUART page right after alpha's memory, bravo's right before */
	f.vms[0].vuart_gpa = 0x48000000;
	f.vms[1].vuart_gpa = 0x40000000 - 0x1000;
	/* bravo on the last pCPUs of the machine, charlie on the one left */
	f.vms[1].pcpu_mask = 0xc;
	f.vms[2].pcpu_mask = 0x2;
	/* an image store filling the end of the hypervisor's memory */
	f.sc.image_store_base = RAM_BASE + HV_SIZE - 0x2000000;
	f.sc.image_store_size = 0x2000000;
	expect_ok(&f);
}

/* The pCPU masks are 64 bits: on a machine of exactly 64 pCPUs the last
 * one is usable, on one of 63 it is not (the mask of present pCPUs must not
 * be computed with a shift by 64). */
static void test_sixty_four_pcpus(void **state)
{
	struct fixture f;

	(void)state;
	fixture_good(&f);
	f.plat.cpu_count = 64;
	f.vms[0].pcpu_mask = 1ull << 63;
	expect_ok(&f);
	f.vms[0].pcpu_mask = 1ull << 62;
	f.vms[2].pcpu_mask = 1ull << 63;
	expect_ok(&f);
	f.plat.cpu_count = 63;
	expect_refused(&f, "vm charlie: pCPU mask 0x8000000000000000 does not "
			   "fit the 63 pCPUs");
	f.vms[2].pcpu_mask = 0x8;
	expect_ok(&f);
}

static void test_max_vms(void **state)
{
	struct fixture f;

	(void)state;
	fixture_good(&f);
	f.plat.cpu_count = CONFIG_MAX_VMS;
	/* CONFIG_MAX_VMS VMs, one pCPU and 16 MiB each */
	for (unsigned i = 0; i < CONFIG_MAX_VMS; i++) {
		static char names[CONFIG_MAX_VMS][8];

		snprintf(names[i], sizeof(names[i]), "vm%u", i);
		f.vms[i] = (struct vm_config){
			.name = names[i], .pcpu_mask = 1ull << i,
			.vcpu_count = 1, .mem_region_count = 1,
			.mem = {{.gpa = 0, .hpa = RAM_BASE + HV_SIZE + i * 0x1000000ull,
				 .size = 0x1000000}},
			.entry = 0};
	}
	f.sc.vm_count = CONFIG_MAX_VMS;
	expect_ok(&f);
	f.vms[CONFIG_MAX_VMS] = f.vms[0];
	f.sc.vm_count = CONFIG_MAX_VMS + 1;
	expect_refused(&f, "scenario partitioned: ");
	assert_non_null(strstr(f.err, " VMs (limit "));
}

/* A post-launched slot's memory comes at run time: nonsense there is not
 * checked at boot (its pCPUs are). */
static void test_post_launched_skipped(void **state)
{
	struct fixture f;

	(void)state;
	fixture_good(&f);
	f.vms[2] = f.vms[0];
	f.vms[2].name = "charlie";
	f.vms[2].kind = VM_KIND_POST_LAUNCHED;
	f.vms[2].pcpu_mask = 0x8;
	f.vms[2].mem[0].hpa = RAM_BASE; /* on the hypervisor */
	f.vms[2].entry = 0;
	expect_ok(&f);
	f.vms[2].mem_region_count = 0;
	expect_ok(&f);
	/* and a pre-launched VM after it may use the same memory, and its
	 * pCPUs where a scheduler shares them */
	f.vms[3] = f.vms[1];
	f.vms[3].name = "delta";
	f.vms[3].pcpu_mask = 0x8;
	f.vms[3].vcpu_count = 1;
	f.vms[3].mem_region_count = 1;
	f.vms[3].mem[0].hpa = 0x60000000;
	f.vms[2].mem[0].hpa = 0x60000000;
	f.sc.vm_count = 4;
	expect_refused(&f, "vm delta: pCPU mask 0x8 shares pCPU 3 with vm charlie");
	f.sc.pcpu_count = 4;
	f.sc.pcpu_policy = (const uint8_t[]){SCHED_NOOP, SCHED_NOOP,
					     SCHED_NOOP, SCHED_PRIO_RR};
	expect_ok(&f);
}

/* Each refusal case edits the good fixture and names what must be in the message. */
struct bad_case {
	const char *what;
	void (*edit)(struct fixture *f);
	const char *want;
};

static void zero_vms(struct fixture *f) { f->sc.vm_count = 0; }
static void too_many_vms(struct fixture *f) { f->sc.vm_count = CONFIG_MAX_VMS + 1; }
static void hv_below_ram(struct fixture *f) { f->sc.hv_base = RAM_BASE - 0x1000; }
static void hv_past_ram(struct fixture *f)
{
	f->sc.hv_base = RAM_BASE + RAM_SIZE - HV_SIZE + 0x1000;
}
static void hv_wraps(struct fixture *f)
{
	f->sc.hv_base = ~0ull - 0xfff;
	f->sc.hv_size = 0x2000;
}
static void no_name(struct fixture *f) { f->vms[1].name = ""; }
static void mask_beyond_cpus(struct fixture *f) { f->vms[1].pcpu_mask = 0x18; }
static void mask_bit63(struct fixture *f)
{
	f->vms[0].pcpu_mask = 1ull << 63;
}
static void fewer_cpus(struct fixture *f) { f->plat.cpu_count = 2; }
static void empty_mask(struct fixture *f)
{
	f->vms[1].pcpu_mask = 0;
	f->vms[1].vcpu_count = 0;
}
static void vcpus_too_few(struct fixture *f) { f->vms[1].vcpu_count = 1; }
static void vcpus_too_many(struct fixture *f) { f->vms[1].vcpu_count = 3; }
static void no_regions(struct fixture *f) { f->vms[0].mem_region_count = 0; }
static void too_many_regions(struct fixture *f)
{
	f->vms[0].mem_region_count = SCENARIO_MAX_MEM_REGIONS + 1;
}
static void hpa_unaligned(struct fixture *f) { f->vms[1].mem[1].hpa += 0x800; }
static void gpa_unaligned(struct fixture *f) { f->vms[1].mem[1].gpa += 0x10; }
static void size_unaligned(struct fixture *f) { f->vms[1].mem[1].size -= 1; }
static void size_zero(struct fixture *f) { f->vms[1].mem[1].size = 0; }
static void hpa_wraps(struct fixture *f)
{
	f->vms[1].mem[1].hpa = ~0ull - 0xfff;
	f->vms[1].mem[1].size = 0x2000;
}
static void gpa_wraps(struct fixture *f)
{
	f->vms[1].mem[1].gpa = ~0ull - 0xfff;
	f->vms[1].mem[1].size = 0x2000;
}
static void below_ram(struct fixture *f) { f->vms[1].mem[1].hpa = RAM_BASE - 0x1000; }
static void past_ram_end(struct fixture *f)
{
	f->vms[1].mem[1].hpa = RAM_BASE + RAM_SIZE - f->vms[1].mem[1].size + 0x1000;
}
static void far_outside_ram(struct fixture *f) { f->vms[1].mem[1].hpa = 0x100000000000ull; }
static void bigger_than_ram(struct fixture *f)
{
	f->vms[1].mem[1].hpa = RAM_BASE;
	f->vms[1].mem[1].size = RAM_SIZE + 0x1000;
}
static void on_hypervisor(struct fixture *f) { f->vms[0].mem[0].hpa -= 0x1000; }
static void inside_hypervisor(struct fixture *f)
{
	f->vms[1].mem[1].hpa = RAM_BASE + 0x1000;
	f->vms[1].mem[1].size = 0x1000;
}
static void vms_overlap(struct fixture *f) { f->vms[1].mem[0].hpa -= 0x1000; }
static void vms_overlap_second_region(struct fixture *f)
{
	f->vms[1].mem[1].hpa = 0x46000000; /* in the middle of alpha's */
}
static void vms_overlap_earlier_second_region(struct fixture *f)
{
	f->vms[0].mem_region_count = 2;
	f->vms[0].mem[1] = (struct mem_region_config){
		.gpa = 0x50000000, .hpa = 0x60000000, .size = 0x1000000};
	f->vms[1].mem[1].hpa = 0x60800000;
}
static void gpa_overlap(struct fixture *f)
{
	f->vms[1].mem[1].gpa = 0x40000000 + 0x10000000 - 0x1000;
}
static void gpa_overlap_contained(struct fixture *f)
{
	f->vms[1].mem[1].gpa = 0x40100000;
}
static void entry_after_memory(struct fixture *f) { f->vms[0].entry = 0x48000000; }
static void entry_before_memory(struct fixture *f) { f->vms[0].entry = 0x3ffffffc; }
static void entry_straddles_end(struct fixture *f) { f->vms[0].entry = 0x48000000 - 2; }
static void vuart_in_memory(struct fixture *f) { f->vms[0].vuart_gpa = 0x40001000; }
static void vuart_straddles_start(struct fixture *f)
{
	f->vms[1].vuart_gpa = 0x80000000 - 0x800;
}
static void vuart_last_page(struct fixture *f)
{
	f->vms[1].vuart_gpa = 0x80000000 + 0x4000000 - 0x1000;
}
static void shared_pcpu(struct fixture *f)
{
	f->vms[1].pcpu_mask = 0x3;
}
/* pCPU 1 is scheduled, pCPU 0 is not: the clash on pCPU 0 still counts */
static void shared_pcpu_other_scheduled(struct fixture *f)
{
	static const uint8_t policy[] = {SCHED_NOOP, SCHED_PRIO_RR,
					 SCHED_NOOP, SCHED_NOOP};

	f->vms[1].pcpu_mask = 0x3;
	f->sc.pcpu_count = 4;
	f->sc.pcpu_policy = policy;
}
static void slot_beyond_cpus(struct fixture *f) { f->vms[2].pcpu_mask = 0x10; }
static void slot_no_pcpus(struct fixture *f) { f->vms[2].pcpu_mask = 0; }
static void slot_vcpus_too_many(struct fixture *f) { f->vms[2].vcpu_count = 2; }
static void slot_on_partition(struct fixture *f) { f->vms[2].pcpu_mask = 0x1; }
static void store_not_2m(struct fixture *f)
{
	f->sc.image_store_base = RAM_BASE + 0x1000000;
	f->sc.image_store_size = 0x1100000;
}
static void store_base_not_2m(struct fixture *f)
{
	f->sc.image_store_base = RAM_BASE + 0x1001000;
	f->sc.image_store_size = 0x1000000;
}
static void store_outside_hv(struct fixture *f)
{
	f->sc.image_store_base = RAM_BASE + HV_SIZE - 0x200000;
	f->sc.image_store_size = 0x400000;
}

static const struct bad_case bad_cases[] = {
	{"zero VMs", zero_vms, "scenario partitioned: 0 VMs"},
	{"too many VMs", too_many_vms, "VMs (limit"},
	{"hypervisor below RAM", hv_below_ram, "scenario partitioned: hypervisor memory 0x3ffff000+0x4000000 is outside RAM 0x40000000+0x80000000"},
	{"hypervisor past RAM", hv_past_ram, "scenario partitioned: hypervisor memory 0xbc001000+0x4000000 is outside RAM"},
	{"hypervisor wraps", hv_wraps, "scenario partitioned: hypervisor memory 0xfffffffffffff000+0x2000 is outside RAM"},
	{"VM without name", no_name, "vm 1 has no name"},
	{"pCPU mask beyond the CPUs", mask_beyond_cpus, "vm bravo: pCPU mask 0x18"},
	{"pCPU 63", mask_bit63, "vm alpha: pCPU mask"},
	{"machine with fewer CPUs", fewer_cpus, "does not fit the 2 pCPUs of this machine"},
	{"empty pCPU mask", empty_mask, "vm bravo: pCPU mask 0x0"},
	{"vcpu_count below popcount", vcpus_too_few, "vm bravo: 1 vCPUs"},
	{"vcpu_count above popcount", vcpus_too_many, "vm bravo: 3 vCPUs"},
	{"no memory regions", no_regions, "vm alpha: 0 memory regions"},
	{"too many memory regions", too_many_regions, "vm alpha: 5 memory regions"},
	{"hpa unaligned", hpa_unaligned,
	 "vm bravo: memory[1] hpa 0x5c000800 size 0x4000000 is empty, unaligned or wraps"},
	{"gpa unaligned", gpa_unaligned,
	 "vm bravo: memory[1] hpa 0x5c000000 size 0x4000000 is empty, unaligned or wraps"},
	{"size unaligned", size_unaligned,
	 "vm bravo: memory[1] hpa 0x5c000000 size 0x3ffffff is empty, unaligned or wraps"},
	{"size zero", size_zero,
	 "vm bravo: memory[1] hpa 0x5c000000 size 0x0 is empty, unaligned or wraps"},
	{"hpa wraps", hpa_wraps,
	 "vm bravo: memory[1] hpa 0xfffffffffffff000 size 0x2000 is empty, unaligned or wraps"},
	{"gpa wraps", gpa_wraps,
	 "vm bravo: memory[1] hpa 0x5c000000 size 0x2000 is empty, unaligned or wraps"},
	{"memory below RAM", below_ram, "vm bravo: memory[1] 0x3ffff000+0x4000000 is outside RAM"},
	{"memory past RAM end", past_ram_end, "vm bravo: memory[1] 0xbc001000+0x4000000 is outside RAM"},
	{"memory far outside RAM", far_outside_ram, "vm bravo: memory[1] 0x100000000000+0x4000000 is outside RAM"},
	{"memory bigger than RAM", bigger_than_ram, "vm bravo: memory[1] 0x40000000+0x80001000 is outside RAM 0x40000000+0x80000000"},
	{"memory overlapping the hypervisor", on_hypervisor, "vm alpha: memory[0] at 0x43fff000 overlaps the hypervisor"},
	{"memory inside the hypervisor", inside_hypervisor, "vm bravo: memory[1] at 0x40001000 overlaps the hypervisor"},
	{"two VMs overlap by hpa", vms_overlap, "vm bravo: memory overlaps vm alpha"},
	{"two VMs overlap by a second region", vms_overlap_second_region, "vm bravo: memory overlaps vm alpha"},
	{"two VMs overlap by the earlier VM's second region", vms_overlap_earlier_second_region, "vm bravo: memory overlaps vm alpha"},
	{"regions overlap by gpa", gpa_overlap, "vm bravo: memory[0] and memory[1] overlap"},
	{"region inside another by gpa", gpa_overlap_contained, "vm bravo: memory[0] and memory[1] overlap"},
	{"entry after memory", entry_after_memory, "vm alpha: entry 0x48000000"},
	{"entry before memory", entry_before_memory, "vm alpha: entry"},
	{"entry straddles the end", entry_straddles_end, "vm alpha: entry"},
	{"vUART inside memory", vuart_in_memory, "vm alpha: vUART at 0x40001000"},
	{"vUART page straddles memory", vuart_straddles_start, "vm bravo: vUART"},
	{"vUART on the last page", vuart_last_page, "vm bravo: vUART"},
	{"two VMs share a pCPU", shared_pcpu, "vm bravo: pCPU mask 0x3 shares pCPU 0 with vm alpha, and no scheduler runs there"},
	{"two VMs share an unscheduled pCPU", shared_pcpu_other_scheduled, "vm bravo: pCPU mask 0x3 shares pCPU 0 with vm alpha"},
	{"slot pCPU beyond the CPUs", slot_beyond_cpus, "vm charlie: pCPU mask 0x10 does not fit the 4 pCPUs"},
	{"slot without pCPUs", slot_no_pcpus, "vm charlie: pCPU mask 0x0"},
	{"slot with more vCPUs than pCPUs", slot_vcpus_too_many, "vm charlie: 2 vCPUs for pCPU mask 0x8"},
	{"slot on an unscheduled pCPU", slot_on_partition, "pCPU mask 0x1 shares pCPU 0 with vm "},
	{"image store not a 2 MiB multiple", store_not_2m, "scenario partitioned: image store 0x41000000+0x1100000 is not 2 MiB aligned inside the hypervisor's memory"},
	{"image store base not 2 MiB aligned", store_base_not_2m, "image store 0x41001000+0x1000000"},
	{"image store past the hypervisor", store_outside_hv, "image store 0x43e00000+0x400000"},
};

static void test_refused(void **state)
{
	const struct bad_case *c = *state;
	struct fixture f;

	fixture_good(&f);
	c->edit(&f);
	expect_refused(&f, c->want);
	/* the same with the post-launched VM moved first: checks go on past it */
	if (f.sc.vm_count == 3) {
		struct vm_config post = f.vms[2];
		bool nameless = strcmp(c->want, "vm 1 has no name") == 0;

		memmove(&f.vms[1], &f.vms[0], 2 * sizeof(f.vms[0]));
		f.vms[0] = post;
		expect_refused(&f, nameless ? "vm 2 has no name" : c->want);
	}
}

/* VMs may share the pCPUs a scheduler runs on. */
static void test_shared_scheduled_pcpu(void **state)
{
	static const uint8_t policy[] = {SCHED_PRIO_RR, SCHED_NOOP,
					 SCHED_NOOP, SCHED_NOOP};
	struct fixture f;

	(void)state;
	fixture_good(&f);
	f.vms[1].pcpu_mask = 0x3;
	f.sc.pcpu_count = 4;
	f.sc.pcpu_policy = policy;
	expect_ok(&f);
	/* a table shorter than the pCPU number covers only what it lists */
	f.sc.pcpu_count = 0;
	expect_refused(&f, "shares pCPU 0");
}

/* A short error buffer is truncated and terminated, never overrun. */
static void test_short_error_buffer(void **state)
{
	struct fixture f;
	char err[12];

	(void)state;
	fixture_good(&f);
	shared_pcpu(&f);
	memset(err, 'x', sizeof(err));
	assert_int_equal(scenario_check(&f.sc, &f.plat, err, 8), -1);
	assert_string_equal(err, "vm brav");
	assert_memory_equal(err + 8, "xxxx", 4);
}

/* DMA masters: unconfined only with the opt-in; behind an SMMU only with an
 * SMMU and stream IDs. (err is 160 bytes: the messages are checked by their
 * start.) */
static void test_dma_masters(void **state)
{
	struct fixture f;
	struct device_config *d;

	(void)state;
	fixture_good(&f);
	f.vms[0].device_count = 1;
	d = &f.vms[0].devices[0];
	*d = (struct device_config){.name = "virtio_mmio31", .base = 0x0a003e00,
				    .size = 0x200, .irq_count = 1, .irqs = {79},
				    .dma = DEVICE_DMA_UNCONFINED};
	expect_refused(&f, "vm alpha: device virtio_mmio31 is a DMA master no "
			   "IOMMU confines");
	f.vms[0].flags = VM_FLAG_DMA_UNCONFINED;
	expect_ok(&f);
	*d = (struct device_config){.name = "pcie", .base = 0x10000000,
				    .size = 0x30000000, .irq_count = 4,
				    .irqs = {35, 36, 37, 38},
				    .dma = DEVICE_DMA_SMMU, .stream_count = 0x1000};
	f.vms[0].flags = 0;
	expect_refused(&f, "vm alpha: device pcie: DMA through an SMMU, but");
	f.board.smmu_base = 0x09050000;
	expect_ok(&f);
	d->stream_count = 0;
	expect_refused(&f, "vm alpha: device pcie: DMA through an SMMU, but");
	d->stream_count = 2;
	d->stream_base = 0xffffffffu;
	expect_refused(&f, "vm alpha: device pcie: DMA through an SMMU, but");
	d->stream_base = 0;
	d->irq_count = SCENARIO_MAX_DEVICE_IRQS + 1;
	expect_refused(&f, "vm alpha: device pcie has 5 interrupts (limit 4)");
}

int main(void)
{
	static const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_good_layout),
		cmocka_unit_test(test_dma_masters),
		cmocka_unit_test(test_good_layout_at_the_edges),
		cmocka_unit_test(test_sixty_four_pcpus),
		cmocka_unit_test(test_max_vms),
		cmocka_unit_test(test_post_launched_skipped),
		cmocka_unit_test(test_shared_scheduled_pcpu),
		cmocka_unit_test(test_short_error_buffer),
	};
	struct CMUnitTest tests[ARRAY_SIZE(fixed) + ARRAY_SIZE(bad_cases)];
	unsigned n = 0;

	for (unsigned i = 0; i < ARRAY_SIZE(fixed); i++)
		tests[n++] = fixed[i];
	for (unsigned i = 0; i < ARRAY_SIZE(bad_cases); i++)
		tests[n++] = (struct CMUnitTest){
			.name = bad_cases[i].what, .test_func = test_refused,
			.initial_state = (void *)&bad_cases[i]};
	return _cmocka_run_group_tests("test_scenario_check", tests, n, NULL,
				       NULL);
}
