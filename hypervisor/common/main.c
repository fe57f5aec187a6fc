/* SPDX-License-Identifier: BSD-3-Clause */
#include <arch.h>
#include <arch_cpu.h>
#include <stdarg.h>
#include <config.h>
#include <lib/format.h>
#include <linux_boot.h>
#include <log.h>
#include <platform.h>
#include <scenario_check.h>
#include <version.h>
#include <vm.h>

/* QEMU and firmware hand over blobs far below this; bounds the header check. */
#define DTB_MAX_SIZE (2u << 20)

static struct platform_info platform;

static bool scenario_has_service_vm(const struct scenario_config *sc)
{
	for (unsigned i = 0; i < sc->vm_count; i++)
		if (sc->vms[i].kind == VM_KIND_SERVICE)
			return true;
	return false;
}

static NORETURN void pcpu_main(unsigned cpu)
{
	struct vcpu *vcpu = vcpu_on_pcpu(cpu);

	if (vcpu)
		vcpu_run_loop(vcpu);
	for (;;)
		arch_pcpu_wait(); /* no vCPU here: idle in WFI */
}

void pcpu_secondary_main(unsigned cpu)
{
	log_debug("pCPU %u up", cpu);
	pcpu_main(cpu);
}

void hv_main(const void *dtb)
{
	char err[160];

	log_info("Tessera %s (scenario %s, board %s)", TESSERA_VERSION,
		 tessera_scenario.name, tessera_scenario.board->name);
	if (platform_from_fdt(&platform, dtb, DTB_MAX_SIZE, err, sizeof(err)))
		hv_panic("%s", err);
	log_info("%u pCPUs, %llu MiB RAM at 0x%llx", platform.cpu_count,
		 (unsigned long long)(platform.ram_size >> 20),
		 (unsigned long long)platform.ram_base);
	if (platform_keep_fdt(dtb, DTB_MAX_SIZE) < 0)
		hv_panic("device tree at %p is too large to keep", dtb);
	if (scenario_check(&tessera_scenario, &platform, err, sizeof(err)))
		hv_panic("scenario does not fit this machine: %s", err);
	if (scenario_has_service_vm(&tessera_scenario))
		linux_boot_stage(platform_fdt()); /* failure: logged, SOS not started */
	if (vm_create_all(&tessera_scenario) < 0)
		hv_panic("no VM could be started");
	for (unsigned cpu = 1; cpu < platform.cpu_count; cpu++)
		if (arch_pcpu_start(cpu, platform.cpu_mpidr[cpu]) < 0)
			log_warn("pCPU %u (MPIDR 0x%llx) did not start", cpu,
				 (unsigned long long)platform.cpu_mpidr[cpu]);
	pcpu_main(0);
}

void hv_panic(const char *fmt, ...)
{
	char why[160];
	va_list ap;

	va_start(ap, fmt);
	fmt_vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	log_err("panic on pCPU %u: %s", cpu_id(), why);
	for (;;)
		arch_pcpu_wait();
}
