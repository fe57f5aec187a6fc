/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Micro-benchmark: what the operations a real-time guest does all the time
 * cost it, as virtual time. Under QEMU's -icount shift=0,sleep=off, 1 ns of
 * virtual time is one instruction executed by the machine (this vCPU, the
 * hypervisor on every pCPU, any other vCPU that runs meanwhile), and every
 * run gives the same figures. The same binary runs in plain QEMU at EL1 (the
 * baseline) and as a Tessera VM with 2 vCPUs; tests/bench/bench_micro.py
 * runs both and prints the table (doc/testing.rst). vCPU 0 measures, vCPU 1
 * waits in WFI and answers IPIs. One line per operation:
 *
 *     microbench: <operation> <N> instructions (<iterations> iterations)
 *
 * then "microbench: done" and PSCI SYSTEM_OFF.
 */
#include "guest.h"

/* A multiple of the timer's pad count (bench_vtimer). */
#define ITERATIONS 4096
/* Longer than the hypervisor's first burst of log lines for unhandled
 * accesses, so that the measured loop only sees their steady rate (one line
 * per 1,000 today). */
#define WARMUP 64
#define NSEC_PER_SEC 1000000000ul

/*
 * An SMCCC fast call in the SiP range that neither QEMU nor Tessera (PSCI,
 * Tessera's vendor-hypervisor range 0xc6000000-0xc600ffff) implements: both
 * answer NOT_SUPPORTED, so the loop compares bare trap round trips.
 */
#define SMCCC_SIP_UNIMPLEMENTED 0x82000100ul

#define MMIO_EMULATED (GICD_BASE + GICD_IIDR)
/* A virtio-mmio transport: a QEMU device register in plain QEMU; under
 * Tessera neither given to the VM nor handled (no device model): the read
 * returns all-ones. */
#define MMIO_UNHANDLED 0x0a000000ul

#define IPI_SGI 1u
#define IPI_TARGET_VCPU 1u
#define SECONDARY_READY_TIMEOUT_MS 1000

/* Far enough ahead that the timer expires while vCPU 0 waits, not while
 * a hypervisor is still handling its trapped WFI (under Tessera today,
 * 5 to 50 us all give the same figure). Longer only costs host time while
 * another VM spins. */
#define TIMER_DELAY_US 10
#define CNTV_CTL_ENABLE 1ul
/* The NOP sled before the handler's counter read (see counter_after_pad). */
#define TIMER_MAX_PAD 63
#define STRINGIFY(x) #x
#define EXPAND_STRINGIFY(x) STRINGIFY(x)

static uint64_t counter_freq;
static volatile bool secondary_ready;
static volatile unsigned ipi_acks;
static volatile unsigned unexpected_irqs;

static volatile unsigned timer_pad;
static volatile uint64_t timer_cval;
static volatile uint64_t timer_delay_ticks;
static volatile bool timer_fired;

/*
 * The counter, read `pad` (<= TIMER_MAX_PAD) NOPs later than with pad 0.
 * A timer expires exactly on a counter tick (16 ns at QEMU's 62.5 MHz), and
 * its handler reads the counter the same N instructions later every time,
 * so one tick's worth of error would be the same every time too. Spreading
 * the read over every pad 0 .. ns_per_tick - 1 makes the mean of the
 * truncated readings exactly N, the delay with pad 0 (Hermite's identity:
 * the sum over k < m of floor((N + k) / m) is N).
 */
static inline uint64_t counter_after_pad(unsigned pad)
{
	uint64_t ticks, target;

	__asm__ volatile("adr %1, 1f\n\t"
			 "sub %1, %1, %2, lsl #2\n\t"
			 "br %1\n\t"
			 ".rept " EXPAND_STRINGIFY(TIMER_MAX_PAD) "\n\tnop\n\t.endr\n"
			 "1:\tisb\n\t"
			 "mrs %0, cntvct_el0"
			 : "=r"(ticks), "=&r"(target)
			 : "r"((uint64_t)pad)
			 : "memory");
	return ticks;
}

static unsigned ns_per_tick(void)
{
	unsigned long ns = NSEC_PER_SEC / counter_freq;

	return ns < 1 ? 1 : ns > TIMER_MAX_PAD + 1 ? TIMER_MAX_PAD + 1 : (unsigned)ns;
}

/* Mean virtual ns (= instructions) per iteration, rounded. */
static void report(const char *operation, uint64_t ticks, unsigned iterations)
{
	uint64_t ns = ticks * NSEC_PER_SEC / counter_freq;

	guest_printf("microbench: %s %lu instructions (%u iterations)", operation,
		     (unsigned long)((ns + iterations / 2) / iterations),
		     iterations);
}

/*
 * Timer: stamp first (what is measured is the time to get here), then
 * disable it so its level line drops before the EOI. IPI: EOI, then tell
 * vCPU 0, which waits for the count to change.
 */
void guest_irq(void)
{
	uint64_t entry = counter_after_pad(timer_pad);
	uint32_t intid = gic_ack();

	if (intid == PPI_VTIMER) {
		__asm__ volatile("msr cntv_ctl_el0, xzr; isb");
		gic_eoi(intid);
		timer_delay_ticks += entry - timer_cval;
		timer_fired = true;
	} else if (intid == IPI_SGI) {
		gic_eoi(intid);
		__atomic_store_n(&ipi_acks, ipi_acks + 1, __ATOMIC_RELEASE);
		__asm__ volatile("sev");
	} else if (intid < GIC_INTID_SPURIOUS - 3) { /* 1020-1023 are special */
		unexpected_irqs++;
		gic_eoi(intid);
	}
}

static void bench_hvc(void)
{
	uint64_t start;

	guest_printf("microbench: info hvc-return %ld",
		     psci_call(SMCCC_SIP_UNIMPLEMENTED, 0, 0, 0));
	for (unsigned i = 0; i < WARMUP; i++)
		psci_call(SMCCC_SIP_UNIMPLEMENTED, 0, 0, 0);
	start = counter();
	for (unsigned i = 0; i < ITERATIONS; i++)
		psci_call(SMCCC_SIP_UNIMPLEMENTED, 0, 0, 0);
	report("hvc", counter() - start, ITERATIONS);
}

static void bench_mmio_read(const char *operation, const char *info,
			    uintptr_t addr)
{
	uint64_t start;

	guest_printf("microbench: info %s 0x%x", info, mmio_read32(addr));
	for (unsigned i = 0; i < WARMUP; i++)
		(void)mmio_read32(addr);
	start = counter();
	for (unsigned i = 0; i < ITERATIONS; i++)
		(void)mmio_read32(addr);
	report(operation, counter() - start, ITERATIONS);
}

/* Waits with WFE: under QEMU's round-robin vCPU scheduling (-icount) a WFE
 * hands the thread to the next vCPU at once, where a spin would keep it
 * for a whole time slice. */
static void wait_for_ack(unsigned seen)
{
	while (__atomic_load_n(&ipi_acks, __ATOMIC_ACQUIRE) == seen)
		__asm__ volatile("wfe");
}

static void bench_ipi(void)
{
	uint64_t start;

	for (unsigned i = 0; i < WARMUP; i++) {
		unsigned seen = ipi_acks;

		gic_send_sgi(IPI_TARGET_VCPU, IPI_SGI);
		wait_for_ack(seen);
	}
	start = counter();
	for (unsigned i = 0; i < ITERATIONS; i++) {
		unsigned seen = ipi_acks;

		gic_send_sgi(IPI_TARGET_VCPU, IPI_SGI);
		wait_for_ack(seen);
	}
	report("ipi", counter() - start, ITERATIONS);
}

static void bench_vtimer(void)
{
	uint64_t delay = counter_freq * TIMER_DELAY_US / 1000000;
	unsigned pads = ns_per_tick();

	for (unsigned i = 0; i < WARMUP + ITERATIONS; i++) {
		if (i == WARMUP)
			timer_delay_ticks = 0;
		timer_pad = i % pads;
		timer_fired = false;
		timer_cval = counter() + delay;
		__asm__ volatile("msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; isb"
				 : : "r"(timer_cval), "r"(CNTV_CTL_ENABLE));
		/* The flag is tested with IRQs masked, or the handler could run
		 * between the test and the WFI and leave it nothing to wake for.
		 * WFI wakes on a masked interrupt too; unmasking takes it. */
		while (!timer_fired)
			__asm__ volatile("wfi; msr daifclr, #2; msr daifset, #2");
	}
	timer_pad = 0;
	report("vtimer", timer_delay_ticks, ITERATIONS);
}

/* Nothing is active: the GIC ignores the write of a special INTID. */
static void bench_eoi(void)
{
	uint64_t start;

	for (unsigned i = 0; i < WARMUP; i++)
		gic_eoi(GIC_INTID_SPURIOUS);
	start = counter();
	for (unsigned i = 0; i < ITERATIONS; i++)
		gic_eoi(GIC_INTID_SPURIOUS);
	report("eoi", counter() - start, ITERATIONS);
}

static bool start_secondary(void)
{
	long r = psci_call(PSCI_CPU_ON, IPI_TARGET_VCPU,
			   (unsigned long)secondary_start, 0);
	uint64_t start = counter();

	if (r) {
		guest_printf("microbench: CPU_ON of vcpu %u failed: %ld",
			     IPI_TARGET_VCPU, r);
		return false;
	}
	while (!secondary_ready) {
		if (counter() - start >
		    counter_freq / 1000 * SECONDARY_READY_TIMEOUT_MS) {
			guest_printf("microbench: vcpu %u did not come up",
				     IPI_TARGET_VCPU);
			return false;
		}
		__asm__ volatile("wfe");
	}
	return true;
}

/* vCPU 1: takes IPIs, otherwise waits in WFI, executing nothing. */
__attribute__((noreturn)) static void secondary_main(unsigned cpu)
{
	gic_init_cpu(cpu, 1u << IPI_SGI);
	__asm__ volatile("msr daifclr, #2");
	secondary_ready = true;
	__asm__ volatile("sev");
	for (;;)
		__asm__ volatile("wfi");
}

void guest_main(unsigned cpu)
{
	uint64_t el;

	if (cpu != 0)
		secondary_main(cpu);

	/* Off until bench_vtimer: its reset state need not be. */
	__asm__ volatile("msr cntv_ctl_el0, xzr; isb");
	__asm__ volatile("mrs %0, cntfrq_el0" : "=r"(counter_freq));
	__asm__ volatile("mrs %0, currentel" : "=r"(el));
	guest_printf("microbench: info exception-level %lu", (unsigned long)(el >> 2));
	guest_printf("microbench: info cntfrq %lu", (unsigned long)counter_freq);
	gic_init_distributor();
	gic_init_cpu(cpu, 1u << PPI_VTIMER);

	bench_hvc();
	bench_mmio_read("mmio-emulated", "gicd-iidr", MMIO_EMULATED);
	bench_mmio_read("mmio-unhandled", "unhandled-read", MMIO_UNHANDLED);
	if (start_secondary())
		bench_ipi();
	bench_vtimer();
	bench_eoi();
	if (unexpected_irqs)
		guest_printf("microbench: %u unexpected interrupts", unexpected_irqs);
	guest_printf("microbench: done");
	psci_call(PSCI_SYSTEM_OFF, 0, 0, 0);
	guest_printf("microbench: ERROR SYSTEM_OFF returned");
	for (;;)
		__asm__ volatile("wfe");
}
