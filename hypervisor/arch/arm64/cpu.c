/* SPDX-License-Identifier: BSD-3-Clause */
/* pCPU bring-up, kicks, idling, the counter and the pCPU timer (arch.h). */
#include <arch.h>
#include <arch_cpu.h>
#include <arm64_console.h>
#include <arm64_cpu.h>
#include <arm64_irq.h>
#include <arm64_mmu.h>
#include <arm64_vm.h>
#include <config.h>
#include <gicv3.h>
#include <pcpu.h>
#include <scenario.h>
#include <smccc.h>
#include <smmuv3.h>
#include <sysreg.h>
#include <vgic_hw.h>

/* Every EL2 wait loop also wakes on this event stream (about every 16 µs
 * at 62.5 MHz), so a WFE can never sleep forever on a missed SEV. */
#define CNTHCTL_EL1PCTEN BIT(0)
#define CNTHCTL_EL1PCEN BIT(1)
#define CNTHCTL_EVNTEN BIT(2)
#define CNTHCTL_EVNTI(n) ((uint64_t)(n) << 4)
#define CNTHCTL_VALUE                                                          \
	(CNTHCTL_EL1PCTEN | CNTHCTL_EL1PCEN | CNTHCTL_EVNTEN | CNTHCTL_EVNTI(9))
#define CNTHP_CTL_ENABLE BIT(0)

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

/* Everything a pCPU sets up for itself, once TPIDR_EL2 names it. */
static void cpu_init(struct pcpu *p)
{
	write_sysreg(tpidr_el2, p);
	p->arch.mpidr = read_sysreg(mpidr_el1) & 0xff00ffffffull;
	write_sysreg(cnthctl_el2, CNTHCTL_VALUE);
	write_sysreg(cntvoff_el2, 0);
	write_sysreg(cnthp_ctl_el2, 0);
	arm64_stage2_cpu_init();
	gicv3_init_cpu(p);
	arm64_vgic_cpu_init();
}

/* head.S, on the boot pCPU with its stack: straight to common code, which
 * binds the pCPU (arch_init_boot_pcpu) before it logs anything. */
void arm64_boot_primary(const void *dtb)
{
	hv_main(dtb);
}

void arch_init_boot_pcpu(struct pcpu *p, const struct board_config *board)
{
	arm64_mmu_build(board);
	arm64_mmu_enable();
	arm64_console_init(board->console_uart_base);
	gicv3_init(board);
	cpu_init(p);
	arm64_console_rx_init(board);
	smmuv3_init(board); /* before any VM: its devices' DMA aborts till then */
}

void arm64_boot_secondary(unsigned id)
{
	struct pcpu *p = pcpu_get(id);

	cpu_init(p);
	pcpu_secondary_main(p);
}

int arch_pcpu_start(struct pcpu *p, uint64_t mpidr)
{
	struct smccc_result r;

	p->arch.mpidr = mpidr; /* for kicks before it is up */
	r = smccc_smc(PSCI_CPU_ON | SMCCC_64BIT, mpidr,
		      (uint64_t)(uintptr_t)secondary_entry, p->id);
	return (int64_t)r.a0 == PSCI_SUCCESS ? 0 : -1;
}

void arch_board_power_off(void)
{
	smccc_smc(PSCI_SYSTEM_OFF, 0, 0, 0);
	for (;;) /* a firmware without SYSTEM_OFF: stay quiet */
		__asm__ volatile("wfi" ::: "memory");
}

void arch_pcpu_kick(struct pcpu *p)
{
	gicv3_send_sgi(p->arch.mpidr, SGI_KICK);
}

void arch_pcpu_idle(struct pcpu *p)
{
	/* Interrupts stay masked at EL2: WFI still wakes on a pending one. */
	__asm__ volatile("dsb sy\n\twfi" ::: "memory");
	if (p)
		arm64_handle_irqs(p);
}

uint64_t arch_counter_now(void)
{
	isb();
	return read_sysreg(cntpct_el0);
}

uint64_t arch_counter_hz(void)
{
	return read_sysreg(cntfrq_el0);
}

void arch_pcpu_timer_set(uint64_t at)
{
	if (at == UINT64_MAX) {
		write_sysreg(cnthp_ctl_el2, 0);
		return;
	}
	write_sysreg(cnthp_cval_el2, at);
	write_sysreg(cnthp_ctl_el2, CNTHP_CTL_ENABLE);
	isb();
}
