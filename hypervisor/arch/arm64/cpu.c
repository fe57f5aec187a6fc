/* SPDX-License-Identifier: BSD-3-Clause */
/* pCPU bring-up and the pCPU hooks of arch.h. */
#include <arch.h>
#include <arch_cpu.h>
#include <arm64_console.h>
#include <arm64_cpu.h>
#include <arm64_irq.h>
#include <config.h>
#include <gicv3.h>
#include <scenario.h>
#include <smccc.h>
#include <sysreg.h>

/* Every EL2 wait loop also wakes on this event stream (about every 16 µs
 * at 62.5 MHz), so a WFE can never sleep forever on a missed SEV. */
#define CNTHCTL_EL1PCTEN BIT(0)
#define CNTHCTL_EL1PCEN BIT(1)
#define CNTHCTL_EVNTEN BIT(2)
#define CNTHCTL_EVNTI(n) ((uint64_t)(n) << 4)
#define CNTHCTL_VALUE                                                          \
	(CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN | CNTHCTL_EVNTEN | CNTHCTL_EVNTI(9))

extern char cpu_stacks[];
void arm64_mmu_build(void);
void arm64_stage2_cpu_init(void);
void arm64_enter_guest(struct arch_regs *regs);

static uint64_t pcpu_mpidr[CONFIG_MAX_PCPUS];

struct arch_regs *arm64_guest_regs(unsigned cpu)
{
	return (struct arch_regs *)(cpu_stacks + (cpu + 1) * CPU_STACK_SIZE -
				    ARCH_REGS_SIZE);
}

uint64_t arm64_pcpu_mpidr(unsigned cpu)
{
	return cpu < CONFIG_MAX_PCPUS ? pcpu_mpidr[cpu] : 0;
}

struct smccc_result smccc_smc(uint64_t fn, uint64_t a1, uint64_t a2,
			      uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	__asm__ volatile("smc #0"
			 : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
			 :
			 : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
			   "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	return (struct smccc_result){x0, x1, x2, x3};
}

static void cpu_common_init(unsigned cpu)
{
	pcpu_mpidr[cpu] = read_sysreg(mpidr_el1) & 0xff00ffffffull;
	write_sysreg(cnthctl_el2, CNTHCTL_VALUE);
	write_sysreg(cntvoff_el2, 0);
	arm64_stage2_cpu_init();
	gicv3_init_cpu(pcpu_mpidr[cpu]);
	arm64_vgic_cpu_init();
}

void arm64_boot_primary(const void *dtb)
{
	arm64_console_init(tessera_scenario.board->console_uart_base);
	gicv3_init_distributor();
	cpu_common_init(0);
	arm64_console_rx_init();
	hv_main(dtb);
}

void arm64_boot_secondary(unsigned cpu)
{
	cpu_common_init(cpu);
	pcpu_secondary_main(cpu);
}

int arch_pcpu_start(unsigned cpu, uint64_t mpidr)
{
	struct smccc_result r;

	if (cpu >= CONFIG_MAX_PCPUS)
		return -1;
	pcpu_mpidr[cpu] = mpidr;
	r = smccc_smc(PSCI_CPU_ON | SMCCC_64BIT, mpidr,
		      (uint64_t)(uintptr_t)secondary_entry, cpu);
	return (int64_t)r.a0 == PSCI_SUCCESS ? 0 : -1;
}

void arch_pcpu_kick(unsigned cpu)
{
	if (cpu < CONFIG_MAX_PCPUS)
		gicv3_send_sgi(pcpu_mpidr[cpu], SGI_KICK);
}

void arch_pcpu_wait(void)
{
	cpu_wait_for_interrupt();
	arm64_handle_irqs();
}
