/* SPDX-License-Identifier: BSD-3-Clause */
/* Boot: the platform, the scenario check, the VMs, then every pCPU's loop. */
#include <arch.h>
#include <stdarg.h>
#include <config.h>
#include <console_out.h>
#include <lib/format.h>
#include <linux_boot.h>
#include <log.h>
#include <pcpu.h>
#include <platform.h>
#include <scenario_check.h>
#include <version.h>
#include <vm.h>

/* QEMU and firmware hand over blobs far below this; bounds the header check. */
#define DTB_MAX_SIZE (2u << 20)

static struct platform_info platform;

static bool scenario_boots_linux(const struct scenario_config *sc)
{
	for (unsigned i = 0; i < sc->vm_count; i++)
		if (sc->vms[i].boot == VM_BOOT_LINUX)
			return true;
	return false;
}

void pcpu_secondary_main(struct pcpu *p)
{
	log_debug("pCPU %u up", p->id);
	p->online = true;
	pcpu_run(p);
}

/* Every pCPU a VM of the scenario runs on, post-launched slots included. */
static uint64_t scenario_pcpus(const struct scenario_config *sc)
{
	uint64_t mask = 0;

	for (unsigned i = 0; i < sc->vm_count; i++)
		mask |= sc->vms[i].pcpu_mask;
	return mask;
}

/*
 * The pCPU that drains the console buffers (console_out.h) takes a tick for
 * it: one no VM runs on, if there is one, where it disturbs nobody; else
 * the first of the VM the user types into, which has no real-time promise
 * and whose output most wants to be seen soon; else pCPU 0. Never a
 * partition's pCPU while there is another choice.
 */
static unsigned console_pcpu(const struct scenario_config *sc)
{
	uint64_t used = scenario_pcpus(sc);

	for (unsigned cpu = 0; cpu < pcpu_count(); cpu++)
		if (!(used & BIT(cpu)))
			return cpu;
	for (unsigned i = 0; i < sc->vm_count; i++)
		if ((sc->vms[i].caps & VM_CAP_CONSOLE_INPUT) && sc->vms[i].pcpu_mask)
			return (unsigned)__builtin_ctzll(sc->vms[i].pcpu_mask);
	return 0;
}

static void start_console_drain(unsigned cpu)
{
	pcpu_set_periodic(pcpu_get(cpu), console_out_drain,
			  arch_counter_hz() * CONSOLE_DRAIN_PERIOD_US / 1000000);
}

void hv_main(const void *dtb)
{
	const struct scenario_config *sc = &tessera_scenario;
	unsigned drain_cpu;
	char err[160];

	pcpu_init_all(sc->pcpu_count, sc->pcpu_policy);
	arch_init_boot_pcpu(pcpu_get(0), sc->board);
	pcpu_get(0)->online = true;
	log_info("Tessera %s (scenario %s, board %s)", TESSERA_VERSION,
		 sc->name, sc->board->name);
	if (platform_from_fdt(&platform, dtb, DTB_MAX_SIZE, err, sizeof(err)))
		hv_panic("%s", err);
	log_info("%u pCPUs, %llu MiB RAM at 0x%llx", platform.cpu_count,
		 (unsigned long long)(platform.ram_size >> 20),
		 (unsigned long long)platform.ram_base);
	if (platform_keep_fdt(dtb, DTB_MAX_SIZE) < 0)
		hv_panic("device tree at %p is too large to keep", dtb);
	if (scenario_check(sc, &platform, err, sizeof(err)))
		hv_panic("scenario does not fit this machine: %s", err);
	if (scenario_boots_linux(sc))
		linux_boot_stage(sc, platform_fdt()); /* failure: logged */
	if (vm_init_all(sc) < 0)
		hv_panic("no VM could be started");
	drain_cpu = console_pcpu(sc);
	if (drain_cpu >= platform.cpu_count)
		drain_cpu = 0;
	start_console_drain(drain_cpu);
	/* VMs start running with the secondaries: the log's lines and theirs
	 * go through the buffers, in order, from here on. */
	console_out_start();
	for (unsigned cpu = 1; cpu < platform.cpu_count && cpu < pcpu_count();
	     cpu++) {
		if (arch_pcpu_start(pcpu_get(cpu), platform.cpu_mpidr[cpu]) == 0)
			continue;
		/* Its buffers would never be written out: pCPU 0 drains. */
		if (cpu == drain_cpu) {
			pcpu_set_periodic(pcpu_get(cpu), NULL, 0);
			start_console_drain(0);
		}
		/* A VM's vCPU there would never run, and whoever waits for
		 * that pCPU (a stop, a pause) would wait for ever. */
		if (scenario_pcpus(sc) & BIT(cpu))
			hv_panic("pCPU %u (MPIDR 0x%llx) did not start, and "
				 "the scenario runs VMs there", cpu,
				 (unsigned long long)platform.cpu_mpidr[cpu]);
		log_warn("pCPU %u (MPIDR 0x%llx) did not start", cpu,
			 (unsigned long long)platform.cpu_mpidr[cpu]);
	}
	pcpu_run(pcpu_get(0));
}

void hv_panic(const char *fmt, ...)
{
	struct pcpu *p = pcpu_this();
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_err("panic on pCPU %u: %s", p ? p->id : 0, why);
	/* The drainer may be the pCPU that stops here. */
	console_out_flush();
	for (;;)
		arch_pcpu_idle(p);
}
