/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Chaos guest: from a fixed seed, a long run of random operations on
 * everything a partition can reach, so that holes are found by us:
 *
 *   mmio      loads and stores of 1, 2, 4 and 8 bytes at any alignment to
 *             its vGIC distributor and redistributors, its vUART (never its
 *             data register: the console stays readable), unmapped space,
 *             other VMs' memory, the hypervisor's image;
 *   ram       the same to a scratch buffer in its own RAM;
 *   sysreg    writes of random values to the system registers Tessera traps
 *             (ICC_SGI1R_EL1, ICC_ASGI1R_EL1, ICC_SGI0R_EL1): SGIs to
 *             random targets;
 *   call      HVC and SMC with random function IDs and arguments: random
 *             SMCCC owners, PSCI (not CPU_OFF, CPU_SUSPEND, SYSTEM_OFF or
 *             SYSTEM_RESET, which end the run) and Tessera's hypercalls;
 *   wfi       WFI with its own virtual timer due (so that it returns).
 *
 * Every exception (an abort injected by the hypervisor, an alignment fault
 * of the guest's own) is taken and skipped. The hypervisor must survive it
 * all, log nothing but rate-limited warnings, and keep the other partition
 * running (tests/integration/test_partitioned.py). At the end:
 *
 *     chaos: N operations: mmio M, ram R, sysreg S, call C, wfi W; E exceptions
 *     chaos: done
 *
 * CHAOS_OPS sets the length (make test: short; make fuzz: long).
 */
#include "guest.h"

#ifndef CHAOS_OPS
#define CHAOS_OPS 200000ul
#endif
#define CHAOS_SEED 0x5eed1234abcdull
#define HV_IMAGE 0x40200000ul
#define UART_MMIO_SIZE 0x1000ul
#define GUEST_RAM_SIZE 0x4000000ul /* the partitioned scenario's VMs */

enum op { OP_MMIO, OP_RAM, OP_SYSREG, OP_CALL, OP_WFI, OP_COUNT };
static unsigned long ops[OP_COUNT];
static uint8_t scratch[0x10000] __attribute__((aligned(4096)));
static uint64_t rng = CHAOS_SEED;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static void access(uintptr_t addr, unsigned size, bool write, uint64_t v)
{
	expect_exception = true;
	switch (size | (write ? 16 : 0)) {
	case 1:
		(void)*(volatile uint8_t *)addr;
		break;
	case 2:
		(void)*(volatile uint16_t *)addr;
		break;
	case 4:
		(void)*(volatile uint32_t *)addr;
		break;
	case 8:
		(void)*(volatile uint64_t *)addr;
		break;
	case 17:
		*(volatile uint8_t *)addr = (uint8_t)v;
		break;
	case 18:
		*(volatile uint16_t *)addr = (uint16_t)v;
		break;
	case 20:
		*(volatile uint32_t *)addr = (uint32_t)v;
		break;
	default:
		*(volatile uint64_t *)addr = v;
		break;
	}
	__asm__ volatile("isb" ::: "memory");
	expect_exception = false;
}

/* Where an MMIO operation goes: a register window of its own, or memory
 * that is not its own. */
static uintptr_t mmio_target(uint64_t x, uintptr_t self)
{
	uintptr_t off = (uintptr_t)(x >> 8);

	switch (x % 6) {
	case 0:
		return GICD_BASE + off % 0x10000;
	case 1:
		return GICR_BASE + off % (4 * GICR_STRIDE);
	case 2: /* not its data register */
		return GUEST_UART + 4 + off % (UART_MMIO_SIZE - 4);
	case 3:
		return HV_IMAGE + off % 0x100000;
	case 4: /* below RAM: flash, unassigned, devices it was not given */
		return off % 0x40000000;
	default: { /* RAM, anyone's but its own (its code and stacks) */
		uintptr_t addr = 0x40000000 + off % 0x80000000;

		if (addr >= self && addr < self + GUEST_RAM_SIZE)
			addr = HV_IMAGE + off % 0x100000;
		return addr;
	}
	}
}

static long call(bool smc, uint64_t fn, uint64_t a1, uint64_t a2, uint64_t a3)
{
	register uint64_t x0 __asm__("x0") = fn;
	register uint64_t x1 __asm__("x1") = a1;
	register uint64_t x2 __asm__("x2") = a2;
	register uint64_t x3 __asm__("x3") = a3;

	expect_exception = true;
	if (smc)
		__asm__ volatile("smc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 : : "memory");
	else
		__asm__ volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3)
				 : : "memory");
	expect_exception = false;
	return (long)x0;
}

static bool ends_the_run(uint32_t fn)
{
	switch (fn & ~0x40000000u) { /* SMC32 and SMC64 alike */
	case 0x84000001: /* CPU_SUSPEND */
	case 0x84000002: /* CPU_OFF */
	case 0x84000008: /* SYSTEM_OFF */
	case 0x84000009: /* SYSTEM_RESET */
	case 0x84000012: /* SYSTEM_RESET2 */
		return true;
	default:
		return false;
	}
}

static void random_call(uint64_t x)
{
	uint32_t fn;

	switch (x % 3) {
	case 0: /* any owner, fast or yielding, 32 or 64 bits */
		fn = (uint32_t)next();
		break;
	case 1: /* PSCI */
		fn = 0x84000000u | (x & 0x40000000u) | (uint32_t)(x >> 8) % 0x20;
		break;
	default: /* Tessera's */
		fn = 0xc6000000u | (uint32_t)(x >> 8) % 0x60;
		break;
	}
	if (ends_the_run(fn) || (fn & 0xbfffffffu) == 0x84000003u /* CPU_ON */)
		fn = 0x84000000u; /* PSCI_VERSION instead */
	call((x >> 40) & 1, fn, next(), next(), next());
}

static void random_sysreg(uint64_t x)
{
	uint64_t v = next();

	switch (x % 3) {
	case 0:
		__asm__ volatile("msr icc_sgi1r_el1, %0; isb" : : "r"(v) : "memory");
		break;
	case 1:
		__asm__ volatile("msr icc_asgi1r_el1, %0; isb" : : "r"(v) : "memory");
		break;
	default:
		__asm__ volatile("msr icc_sgi0r_el1, %0; isb" : : "r"(v) : "memory");
		break;
	}
}

/* WFI that returns: its virtual timer due now, the timer PPI enabled in a
 * vGIC the chaos may have reconfigured. IRQs stay masked: the pending
 * interrupt only ends the WFI. */
static void timed_wfi(unsigned cpu)
{
	uint64_t now;

	gic_init_distributor();
	gic_init_cpu(cpu, 1u << PPI_VTIMER);
	__asm__ volatile("isb; mrs %0, cntvct_el0" : "=r"(now));
	__asm__ volatile("msr cntv_cval_el0, %0; msr cntv_ctl_el0, %1; isb"
			 : : "r"(now), "r"(1ul));
	__asm__ volatile("wfi" ::: "memory");
	__asm__ volatile("msr cntv_ctl_el0, xzr; isb" ::: "memory");
}

void guest_main(unsigned cpu)
{
	/* Its own memory: the 64 MiB its image was linked in. */
	uintptr_t ram = (uintptr_t)scratch & ~(GUEST_RAM_SIZE - 1);
	uintptr_t self = (uintptr_t)scratch;
	unsigned long before = exception_count;

	if (cpu != 0)
		for (;;)
			__asm__ volatile("wfi");
	guest_printf("chaos: start, seed 0x%lx, %lu operations",
		     (unsigned long)CHAOS_SEED, (unsigned long)CHAOS_OPS);
	for (unsigned long i = 0; i < CHAOS_OPS; i++) {
		uint64_t x = next();
		unsigned size = 1u << ((x >> 4) & 3);
		bool write = (x >> 6) & 1;
		enum op op = (enum op)((x >> 56) % 16 < 8 ? OP_MMIO
				       : (x >> 56) % 16 < 10 ? OP_RAM
				       : (x >> 56) % 16 < 12 ? OP_SYSREG
				       : (x >> 56) % 16 < 15 ? OP_CALL
							     : OP_WFI);

		ops[op]++;
		switch (op) {
		case OP_MMIO:
			access(mmio_target(next(), ram), size, write, next());
			break;
		case OP_RAM:
			access(self + (x >> 8) % (sizeof(scratch) - 8), size,
			       write, next());
			break;
		case OP_SYSREG:
			random_sysreg(x >> 8);
			break;
		case OP_CALL:
			random_call(x >> 8);
			break;
		default:
			timed_wfi(cpu);
			break;
		}
	}
	guest_printf("chaos: %lu operations: mmio %lu, ram %lu, sysreg %lu, "
		     "call %lu, wfi %lu; %lu exceptions", (unsigned long)CHAOS_OPS,
		     ops[OP_MMIO], ops[OP_RAM], ops[OP_SYSREG], ops[OP_CALL],
		     ops[OP_WFI], exception_count - before);
	guest_printf("chaos: done");
	heartbeat(cpu, 300);
}
