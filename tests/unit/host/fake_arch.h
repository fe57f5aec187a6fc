/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * A fake arch layer (after Hafnium's src/arch/fake): every hook of
 * hypervisor/include/arch.h that pcpu.c, scheduler.c, vcpu.c and vm.c call,
 * implemented on the host so that the real scheduler, vCPU thread and VM
 * state machine run in a unit test, with the "hardware" recorded and
 * controllable:
 *
 *  - a counter the test sets or advances (arch_counter_now/hz);
 *  - each pCPU's timer (arch_pcpu_timer_set) and kicks (arch_pcpu_kick)
 *    recorded in struct arch_pcpu; idles recorded;
 *  - each vCPU's context: init, reset (pc, x0..x3), load, put (which
 *    reports arch.guest_timer as sched.timer_deadline, as arm64 does), run,
 *    post-work (the read value into arch.x[reg], pc += 4) and aborts, in
 *    struct arch_vcpu;
 *  - arch_vcpu_run plays the guest: the counter advances by the entry's
 *    time (cut short by the pCPU timer's interrupt when it is due first),
 *    then it calls arch.guest (or the default guest), which makes the calls
 *    an exit handler would (WFI, a data access, PSCI requests...);
 *  - arch_vcpu_has_interrupt answers arch.irq_pending, or a hook;
 *  - each VM's stage 2, built from the real table code (s2_pgtable.c) when
 *    the scenario gives it table pages, and the board's RAM mapped at its
 *    physical addresses (fake_ram), so that the memory calls of
 *    vm_runtime.c, vm_mem.c and hypercall.c run for real;
 *  - every call in one trace, which tests compare as text.
 *
 * pCPUs are played by host threads: pcpu_this() is the calling thread's
 * "current pCPU". In single-threaded tests (the default) a kick is
 * delivered at once: the fake becomes the target pCPU, lets it finish what
 * it was doing (fake_on_kick), and runs the calls sent to it, as its loop
 * would between two guest entries; so pcpu_call and everything built on it
 * run deterministically in one thread. A pCPU whose code is already on this
 * thread's stack is not re-entered: a call to it that can never be handled
 * spins, and the fake fails the test instead of hanging. In threaded tests
 * (fake_set_threaded) kicks are only counted and each thread runs its own
 * pCPU's calls.
 *
 * The fake checks what the real hardware would not forgive: a context
 * loaded or put by another pCPU than its own, loaded twice or put when not
 * loaded, reset while loaded, a vCPU run that is not loaded, not runnable
 * or powered off, a VM's interrupt controller reset or its stage 2 torn
 * down while one of its vCPUs may run, a VM set up again before its last
 * run was torn down. Such a violation fails the test at once (on a test's
 * helper thread: at fake_check_clean).
 */
#ifndef TESSERA_FAKE_ARCH_H
#define TESSERA_FAKE_ARCH_H

#include <arch.h>
#include <pcpu.h>
#include <scheduler.h>
#include <vcpu.h>
#include <vm.h>

#define FAKE_HZ 100000000ull /* 100 MHz: 100 counter ticks per µs */

/* Everything back to a fresh machine with `pcpus` pCPUs and their
 * policies (NULL: all noop): pCPU structures zeroed, counter 0 at FAKE_HZ,
 * trace, hooks and knobs cleared, single-threaded, pcpu_this() = pCPU 0,
 * VM events and the console input target cleared. */
void fake_reset(unsigned pcpus, const uint8_t *policies);
/* Fails the test if the fake saw a violation (the first ones are named). */
void fake_check_clean(void);
unsigned fake_violations(void);

/* ---- pCPUs ---- */

/* The pCPU the test's own code runs as (pcpu_this()). */
void fake_set_current(struct pcpu *p);
/*
 * fn(ctx) as pCPU p. Called from a hook (inside a fake operation: a loop
 * turn, a delivered kick...), p is nested and the pCPU being played stays
 * busy: a kick to it is not delivered meanwhile (e.g. a waker on another
 * pCPU, racing in from a hook). fake_step, fake_run and fake_timer_expire
 * play their pCPU the same way.
 */
void fake_as(struct pcpu *p, void (*fn)(void *ctx), void *ctx);
/* The counters of struct arch_pcpu back to 0 (after a set-up that kicked). */
void fake_clear_pcpu_counts(void);
/* Threaded mode: kicks are counted only (nothing is traced), cpu_spin_wait()
 * yields. */
void fake_set_threaded(bool threaded);
/* One-shot: when a kick is next delivered to p, first call fn(ctx) as p
 * (what p was doing when the kick came: e.g. the rest of a guest exit),
 * then p handles its calls. */
void fake_on_kick(struct pcpu *p, void (*fn)(void *ctx), void *ctx);
unsigned fake_relaxes(void); /* cpu_spin_wait() calls, all threads */

/* Run p's loop (pcpu_run) as p on this thread, until it goes idle (the
 * idle hook, if any, returned false) or would enter a guest for the
 * (max_entries + 1)th time. Returns FAKE_STOP_IDLE or FAKE_STOP_BUDGET. */
#define FAKE_STOP_IDLE 1
#define FAKE_STOP_BUDGET 2
int fake_run(struct pcpu *p, unsigned max_entries);
/* One turn of v's pCPU loop as it goes when the loop picks v: the calls
 * sent to the pCPU, v's context loaded, one vcpu_step(). Without the pick
 * (v need not be the one the policy would choose); false, doing nothing
 * more, if v is not runnable after the calls. As v's pCPU. */
bool fake_step(struct vcpu *v);
/* Called when a pCPU run by fake_run idles: true to go on looping. */
void fake_set_idle_hook(bool (*fn)(struct pcpu *p));
/* An idle hook: sleep until the armed pCPU timer (the counter jumps to it)
 * and take its interrupt; false (stop) when no timer is armed. */
bool fake_idle_until_timer(struct pcpu *p);

/* ---- time ---- */

/* arch_counter_hz() (default FAKE_HZ, until fake_reset). */
void fake_set_counter_hz(uint64_t hz);
void fake_counter_set(uint64_t now);
void fake_counter_advance(uint64_t ticks);
uint64_t fake_counter(void);
unsigned fake_counter_reads(void); /* arch_counter_now() calls */
/* Each guest entry lasts this many ticks (default 0; a vCPU's own
 * arch.entry_ticks wins), and then the guest's exit (arch.guest) happens.
 * If the pCPU's timer is due before the entry would end, the entry ends
 * there instead and the exit is the timer's interrupt (fake_timer_expire);
 * the guest's exit comes at a later entry. */
void fake_set_entry_ticks(uint64_t ticks);
/* p's timer interrupt, as the arm64 handler takes it, if the timer is armed
 * at or before the counter: disarm, sched_timer_fired(p, now). As p. */
bool fake_timer_expire(struct pcpu *p);

/* ---- vCPUs ---- */

/* The guest for vCPUs whose arch.guest is NULL (default: exits at once). */
void fake_set_default_guest(fake_guest_fn fn);
/* arch_vcpu_has_interrupt(v) answers fn(v, n) (n: 0 for v's first call
 * since the hook was set) instead of v->arch.irq_pending. */
void fake_set_irq_hook(bool (*fn)(struct vcpu *v, unsigned n));
/* Ready-made guests. */
void fake_guest_nop(struct vcpu *v);  /* an exit that needs nothing */
void fake_guest_wfi(struct vcpu *v);  /* a trapped WFI */
void fake_guest_cpu_off(struct vcpu *v); /* PSCI CPU_OFF */

/* ---- VMs ---- */

/*
 * arch_vm_init of VM `id` returns err (until fake_reset), after building its
 * stage 2. The fake fails the test when a VM is set up again before its last
 * run was torn down (arch_vm_teardown), or its interrupt controller reset or
 * its stage 2 torn down while one of its vCPUs is loaded or runnable.
 */
void fake_vm_init_fails(unsigned id, int err);

/*
 * Stage 2 of a VM whose vm_config has pt_pages: the real tables
 * (s2_pgtable.c) on pages [pt_first, +pt_pages) of tessera_pt_pool, built by
 * arch_vm_init as arm64 builds them (the root, then the scenario's memory
 * regions), filled by arch_vm_map_ram, dropped by arch_vm_teardown;
 * vm->arch.s2_pool.used counts the table pages taken. Without pt_pages a
 * VM has none: maps are counted, nothing is ever mapped.
 */
#define FAKE_PT_POOL_PAGES 512
/* Called by arch_vm_map_ram before it maps (until fake_reset): what a
 * racing vCPU of the caller could do meanwhile. */
void fake_set_map_hook(void (*fn)(struct vm *vm, uint64_t gpa, uint64_t hpa));
/* The translation of gpa: true, *hpa and *flags (TESSERA_MEM_*). */
bool fake_s2_lookup(const struct vm *vm, uint64_t gpa, uint64_t *hpa,
		    uint32_t *flags);
/* Bytes of [gpa, gpa + size) that are mapped, page by page. */
uint64_t fake_s2_mapped(const struct vm *vm, uint64_t gpa, uint64_t size);
/* The VM's slice of the table pool, to compare before and after. */
const void *fake_s2_tables(const struct vm *vm, size_t *bytes);

/*
 * Everything a refused call must leave as it was, of one VM: its state,
 * vCPU count, memory and I/O (request pages, handlers, cancel, stats), and
 * per vCPU its set-up registers, power, blocking, requests and context;
 * what the fake holds of it (counters, its stage 2: pool use and a hash of
 * its table pages). fake_vm_assert_same fails the test naming the first
 * field that differs.
 */
struct fake_vcpu_snap {
	uint64_t boot_pc, boot_arg[4], pc;
	uint32_t power, blocked, requests;
	bool io_pending, loaded;
	unsigned inits, resets, loads, puts, runs;
};

struct fake_vm_snap {
	unsigned state, vcpu_count, completion_mode;
	uint64_t mapped_bytes;
	uint32_t regions;
	const void *slots;
	uint32_t handlers, cancelled;
	struct io_stats io_stats;
	unsigned inits, resets, teardowns, maps, edges, levels;
	bool live;
	const void *s2_root;
	unsigned s2_used;
	uint64_t tables_hash;
	struct fake_vcpu_snap vcpu[CONFIG_MAX_VCPUS_PER_VM];
};

void fake_vm_snap(struct fake_vm_snap *s, const struct vm *vm);
void fake_vm_assert_same(const struct fake_vm_snap *s, const struct vm *vm);

/*
 * The board's RAM at its host-physical addresses: EL2 maps RAM 1:1, so the
 * hypervisor dereferences host-physical addresses (a static VM's
 * vm_gpa_to_hva, request pages, the copy helper). Host memory mapped at
 * [base, base + size) once per test binary (fails the test if this host
 * cannot); each call zeroes it. Returns (void *)base.
 */
void *fake_ram(uint64_t base, uint64_t size);
/* linux_boot_load (stubbed here: vm.c links to it) returns this, and
 * counts its calls. */
extern int fake_linux_boot_result;
extern unsigned fake_linux_boot_calls;
/* arch_board_power_off: counted (traced as FT_LINUX "board off"), and it
 * returns, unlike the real one. */
extern unsigned fake_board_power_offs;

/* The device model's side of a VM's I/O: request pages attached (freed by
 * fake_reset); complete vCPU vcpu_id's request with `value` (a read's
 * result) and, in notify mode, notify (io_notify_finish) as pcpu_this(). */
void fake_dm_attach(struct vm *vm);
void fake_dm_complete(struct vm *vm, unsigned vcpu_id, uint64_t value);
/* The request slot of vCPU vcpu_id (its state, request). */
struct tessera_io_slot *fake_dm_slot(struct vm *vm, unsigned vcpu_id);

/* ---- the trace ---- */

#define FT_INIT BIT(0)     /* "init 1.0" (vm 1, vcpu 0) */
#define FT_RESET BIT(1)    /* "reset 1.0@0x50000000" */
#define FT_LOAD BIT(2)     /* "load 1.0" */
#define FT_PUT BIT(3)      /* "put 1.0" */
#define FT_RUN BIT(4)      /* "run 1.0" */
#define FT_IO BIT(5)       /* "io_done 1.0", "io_abort 1.0" */
#define FT_KICK BIT(6)     /* "kick p2" */
#define FT_TIMER BIT(7)    /* "timer p0=1500", "timer p0=off", "fire p0" */
#define FT_IDLE BIT(8)     /* "idle p0" */
#define FT_VM BIT(9)       /* "vm_init 1", "vm_reset 1", "vm_teardown 1",
			      "map 2:0x40000000+0x1000" */
#define FT_IRQ BIT(10)     /* "edge 0:41", "level 0:33=1" */
#define FT_LINUX BIT(11)   /* "linux 0" */
#define FT_ALL (BIT(12) - 1)
#define FT_CONTEXT (FT_RESET | FT_LOAD | FT_PUT | FT_RUN | FT_IO)

/* The events of these kinds since the last clear, space-separated (a
 * static buffer, valid until the next call). */
const char *fake_trace(unsigned kinds);
/* Only the events naming this vCPU ("1.0") or pCPU ("p2"). */
const char *fake_trace_of(unsigned kinds, const char *who);
void fake_trace_clear(void);

#endif
