# SPDX-License-Identifier: BSD-3-Clause
"""The `partitioned` scenario: two pre-launched VMs, rt0 (1 vCPU, pCPU 1) and
rt1 (2 vCPUs, pCPUs 2-3), running the bare-metal guests of tests/guests."""

import os
import re
import subprocess

from harness import TestFailure, expect

HYPERCALL_H = os.path.join(os.path.dirname(__file__), "..", "..", "hypervisor",
                           "include", "uapi", "tessera_hypercall.h")


def hc_abi_version():
    """TESSERA_HC_ABI_VERSION as the ABI header defines it."""
    with open(HYPERCALL_H) as f:
        m = re.search(r"#define TESSERA_HC_ABI_VERSION (0x[0-9a-f]+)u", f.read())
    return int(m[1], 16)

SCENARIO = "partitioned"
HV_IMAGE = 0x40200000


def no_hypervisor_errors(run, allowed=()):
    run.allow_errors(*(re.escape(a) for a in allowed))
    for i in run.matching(r"^\[hv\] (error|panic)"):
        line = run.line(i)
        expect(any(a in line for a in allowed), f"unexpected: {line}")


def keeps_ticking(run, vm, vcpu, after, ticks=3):
    """The VM's vCPU prints `ticks` more heartbeats after line `after`."""
    for _ in range(ticks):
        after = run.wait_for(rf"^\[{vm}\] vcpu {vcpu} tick \d+", after + 1,
                             timeout=20)
    return after


def test_hello_from_every_vcpu(ctx):
    with ctx.boot("hello") as run:
        run.wait_for(r"^\[hv\] Tessera .* \(scenario partitioned")
        run.wait_for(r"^\[hv\] 4 pCPUs, 2048 MiB RAM at 0x40000000")
        for vm, vcpu in (("rt0", 0), ("rt1", 0), ("rt1", 1)):
            run.wait_for(rf"^\[{vm}\] hello from vcpu {vcpu}$")
            keeps_ticking(run, vm, vcpu, 0)
        expect(not run.matching(r"^\[rt0\] hello from vcpu 1"),
               "rt0 has one vCPU but a second one said hello")
        no_hypervisor_errors(run)


def test_boots_with_cpu_max(ctx):
    with ctx.boot("hello-cpu-max", cpu="max") as run:
        for vm, vcpu in (("rt0", 0), ("rt1", 0), ("rt1", 1)):
            run.wait_for(rf"^\[{vm}\] hello from vcpu {vcpu}$")
        no_hypervisor_errors(run)


def probe_from(ctx, prober, victim, victim_base):
    with ctx.boot(f"isolation-{prober}", images={prober: "probe",
                                                 victim: "hello"}) as run:
        for frame in (2, 3, 60):
            run.wait_for(rf"^\[{prober}\] probe: redistributor frame {frame} "
                         rf"reads 0x0$")
        done = run.wait_for(rf"^\[{prober}\] probe: \d+ of \d+ accesses refused")
        expect(not run.matching(r"^\[hv\] warning: .*(unhandled|GICR)"),
               "an access to a redistributor frame past the VM's vCPUs was "
               "logged")
        expect(f"[{prober}] probe: 4 of 4 accesses refused" == run.line(done),
               f"not every access was refused: {run.line(done)}")
        for target in (victim_base, HV_IMAGE):
            for what in ("read", "write"):
                # EC 0x25 (data abort, same EL), DFSC 0x10 (external abort)
                run.wait_for(rf"^\[{prober}\] probe: {what} {target:#x} refused: "
                             rf"ESR 0x96000010 FAR {target:#x}$")
                run.wait_for(rf"^\[hv\] warning: vm {prober} vcpu 0: {what} at "
                             rf"{target:#x} \(pc 0x[0-9a-f]+\) is outside")
        # The victim's first page is its code: had the 0xdeadbeef write
        # landed, it would have crashed instead of ticking on.
        keeps_ticking(run, victim, 0, done)
        keeps_ticking(run, prober, 0, done)
        no_hypervisor_errors(run)


def test_isolation_probe_rt0(ctx):
    probe_from(ctx, "rt0", "rt1", 0x60000000)


def test_isolation_probe_rt1(ctx):
    probe_from(ctx, "rt1", "rt0", 0x50000000)


def test_masked_timer_interrupt_follows_its_line(ctx):
    """rt1 masks each EL1 timer at its vGIC, lets it fire, then stops it
    or not, and unmasks (tests/guests/timermask.c): as on a GIC, a stopped
    timer is neither pending nor delivered, a running one is both, once."""
    with ctx.boot("timermask", images={"rt1": "timermask",
                                       "rt0": "hello"}) as run:
        done = run.wait_for(r"^\[rt1\] timermask: done$")
        for timer in ("vtimer", "ptimer"):
            for case, want in (("stopped", "pending 0, interrupts 0"),
                               ("running", "pending 1, interrupts 1")):
                i = run.wait_for(rf"^\[rt1\] timermask: {timer} {case}: ")
                expect(run.line(i).endswith(want),
                       f"{run.line(i)}: expected {want} (see {run.log_path})")
        run.wait_for(r"^\[hv\] vm rt1: powered off", done)
        keeps_ticking(run, "rt0", 0, done)
        no_hypervisor_errors(run)


# tests/guests/s1ptw.c: the IPAs its stage-1 walks read a table from (the
# vGIC distributor and first redistributor, the vUART, nobody's), and the
# VA each walk translates.
S1PTW_TARGETS = (0x08000000, 0x080a0000, 0x09000000, 0x0b000000)


def s1ptw_va(i):
    return (2 + i) << 30


def test_stage1_walk_outside_memory_refused(ctx):
    """rt1 turns its MMU on with level-2 tables at IPAs that are not its
    RAM, emulated devices among them (tests/guests/s1ptw.c): each load
    through them takes a stage-2 fault on the stage-1 walk (S1PTW). The
    hypervisor emulates none as an MMIO read: each is logged and refused
    with an abort at the VA, and the VM runs on, as does rt0."""
    with ctx.boot("s1ptw", images={"rt1": "s1ptw", "rt0": "hello"}) as run:
        start = run.wait_for(r"^\[rt1\] s1ptw: MMU on$")
        for i, target in enumerate(S1PTW_TARGETS):
            va = s1ptw_va(i)
            k = run.wait_for(rf"^\[rt1\] s1ptw: walk to {target:#x} for "
                             rf"{va:#x}: |^\[hv\] error: vm rt1", start)
            # EC 0x25 (data abort, same EL), DFSC 0x10 (external abort)
            want = f"refused: ESR 0x96000010 FAR {va:#x}"
            expect(run.line(k).endswith(want),
                   f"{run.line(k)}: expected {want} (see {run.log_path})")
            run.wait_for(rf"^\[hv\] warning: vm rt1 vcpu 0: its stage-1 table "
                         rf"walk for {va:#x} \(pc 0x[0-9a-f]+\) read a "
                         rf"descriptor in {target:#x}, which is not its "
                         rf"memory: abort injected$", start)
        done = run.wait_for(r"^\[rt1\] s1ptw: \d+ of \d+ walks refused", start)
        n = len(S1PTW_TARGETS)
        expect(run.line(done) == f"[rt1] s1ptw: {n} of {n} walks refused",
               f"not every walk was refused: {run.line(done)}")
        keeps_ticking(run, "rt1", 0, done)  # its MMU on, its UART mapped
        keeps_ticking(run, "rt0", 0, done)
        no_hypervisor_errors(run)


# make fuzz runs the long chaos guest (chaoslong: 5,000,000 operations).
CHAOS_IMAGE = os.environ.get("TESSERA_CHAOS_IMAGE", "chaos")
CHAOS_DONE = (r"^\[rt1\] chaos: (\d+) operations: mmio (\d+), ram (\d+), "
              r"sysreg (\d+), call (\d+), wfi (\d+); (\d+) exceptions$")
# Each reason is rate-limited to a burst of 8 lines, then one summary per
# 65,536 suppressed: far fewer lines than operations.
MAX_CHAOS_WARNINGS = 200


def test_chaos_partition_harms_nobody(ctx):
    """rt1 runs the chaos guest (tests/guests/chaos.c): random MMIO of
    every size and alignment to its vGIC, vUART, unmapped space, other
    memory and its own; trapped system registers (SGIs to random targets);
    HVC and SMC with random function IDs and arguments; timed WFIs. The
    hypervisor survives, logs no error and only rate-limited warnings, and
    rt0's heartbeat goes on without a gap."""
    long = CHAOS_IMAGE != "chaos"
    with ctx.boot("chaos", images={"rt1": CHAOS_IMAGE, "rt0": "hello"},
                  deadline_s=3600 if long else 180) as run:
        start = run.wait_for(r"^\[rt1\] chaos: start")
        i = run.wait_for(rf"{CHAOS_DONE}|^\[hv\] error: vm rt1", start)
        expect(re.search(CHAOS_DONE, run.line(i)),
               f"the chaos run ended early: {run.line(i)} (see {run.log_path})")
        counts = [int(x) for x in re.search(CHAOS_DONE, run.line(i)).groups()]
        expect(all(counts) and sum(counts[1:6]) == counts[0],
               f"not every class of operation ran: {run.line(i)}")
        expect(not run.matching(r"^\[rt1\] unexpected exception"),
               "the chaos guest took an exception it did not expect")
        ticks = [int(re.search(r"tick (\d+)", run.line(k))[1])
                 for k in run.matching(r"^\[rt0\] vcpu 0 tick \d+", start)
                 if k <= i]
        expect(ticks == list(range(ticks[0], ticks[0] + len(ticks))),
               f"rt0's heartbeat skipped during the chaos: {ticks}")
        keeps_ticking(run, "rt0", 0, i)
        keeps_ticking(run, "rt1", 0, i)  # the chaos guest's own heartbeat
        warnings = run.matching(r"^\[hv\] warning: vm rt1")
        expect(len(warnings) <= MAX_CHAOS_WARNINGS,
               f"{len(warnings)} warnings for {counts[0]} operations: not "
               f"rate-limited (see {run.log_path})")
        expect(not run.matching(r"^\[hv\] warning: vm rt0"),
               "rt0 was disturbed")


def test_unsupported_instruction_stops_only_that_vm(ctx):
    with ctx.boot("unsupported", images={"rt1": "unsupported",
                                         "rt0": "hello"}) as run:
        run.wait_for(r"^\[rt1\] vcpu 1 tick 2 ")
        stop = run.wait_for(r"^\[hv\] error: vm rt1: stopped: vcpu 0: device "
                            r"access at 0x9000000 .* without a valid syndrome")
        end = keeps_ticking(run, "rt0", 0, stop, ticks=5)
        expect(not run.matching(r"ERROR still running"),
               "rt1 ran past the unsupported instruction")
        # At most one line of vCPU 1's can race with the stop (flushed by it).
        late = run.matching(r"^\[rt1\]", stop + 1)
        expect(len(late) <= 1, f"rt1 kept running after the stop: "
               f"{[run.line(i) for i in late[:3]]} (until line {end})")
        no_hypervisor_errors(run, allowed=("vm rt1: stopped",))


def test_system_off_stops_only_that_vm(ctx):
    with ctx.boot("poweroff", images={"rt0": "poweroff",
                                      "rt1": "hello"}) as run:
        off = run.wait_for(r"^\[hv\] vm rt0: powered off \(PSCI SYSTEM_OFF\)$")
        keeps_ticking(run, "rt1", 0, off, ticks=4)
        keeps_ticking(run, "rt1", 1, off, ticks=1)
        expect(not run.matching(r"^\[rt0\]", off + 1),
               "rt0 printed after SYSTEM_OFF")
        no_hypervisor_errors(run)


def test_board_powers_off_when_every_vm_has(ctx):
    """Both VMs power themselves off: the hypervisor powers the board off
    and QEMU ends by itself, every line written out first."""
    with ctx.boot("alloff", images={"rt0": "poweroff",
                                    "rt1": "poweroff"}) as run:
        for vm in ("rt0", "rt1"):
            run.wait_for(rf"^\[hv\] vm {vm}: powered off \(PSCI SYSTEM_OFF\)$")
        last = run.wait_for(r"^\[hv\] every VM has stopped: powering the "
                            r"board off$")
        try:
            code = run.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            raise TestFailure("QEMU still runs after the board's power-off "
                              f"(see {run.log_path})") from None
        expect(code == 0, f"QEMU exited with {code}")
        expect(not run.matching(r"^\[(rt0|rt1)\]", last),
               "a VM printed after the power-off")
        no_hypervisor_errors(run)


def test_system_reset_restarts_the_vm(ctx):
    with ctx.boot("reset", images={"rt0": "reset", "rt1": "hello"}) as run:
        first = run.wait_for(r"^\[rt0\] reset: boot 1$")
        reset = run.wait_for(r"^\[hv\] vm rt0: resetting \(PSCI SYSTEM_RESET\)$",
                             first)
        second = run.wait_for(r"^\[rt0\] reset: boot 2$", reset)
        off = run.wait_for(r"^\[hv\] vm rt0: powered off", second)
        keeps_ticking(run, "rt1", 0, off)
        expect(not run.matching(r"ERROR SYSTEM_RESET returned"),
               "SYSTEM_RESET returned to the guest")
        no_hypervisor_errors(run)


def test_io_path_postwork_unhandled_policy_and_hypercalls(ctx):
    with ctx.boot("iocheck", images={"rt0": "iocheck", "rt1": "hello"}) as run:
        done = run.wait_for(r"^\[rt0\] iocheck: done$")
        for want in (
                # post-work on the vUART's handler: CellID3 reads 0xb1
                "ldrb 0xb1", "ldrsb w 0xffffffb1", "ldrsb x 0xffffffffffffffb1",
                "ldr wzr kept x 0x1234",
                # no handler, no device model: all-ones, writes dropped
                "unhandled ldr x 0xffffffffffffffff", "unhandled ldrb 0xff",
                "unhandled write dropped",
                # any VM may ask the version; notify is Service-VM-only
                f"hc version {hc_abi_version():#x}", "hc notify -1",
                "hc notify hostile -1",
                "hc unknown -38",
                # enabled, condition met (ISTATUS): the timer did fire
                "ptimer ctl 0x5"):
            run.wait_for(rf"^\[rt0\] iocheck: {re.escape(want)}$", 0, timeout=1)
        logged = run.matching(r"^\[hv\] vm rt0 vcpu 0: io: unhandled mmio")
        expect(run.matching(r"unhandled mmio read 8 bytes at 0xa000000$"),
               "the unhandled access was not logged with its address")
        # 203 unhandled accesses, rate-limited to a handful of lines
        expect(3 <= len(logged) <= 20, f"{len(logged)} unhandled-access lines")
        keeps_ticking(run, "rt0", 0, done)
        expect(not run.matching(r"unexpected interrupt"),
               "the guest's physical timer interrupt reached the hypervisor "
               "instead of the guest")
        keeps_ticking(run, "rt1", 1, done)
        no_hypervisor_errors(run)


def test_keys_with_no_vm_taking_input_are_explained_once(ctx):
    """No VM of `partitioned` takes console input: the first key typed gets
    one line saying so and how to quit, later keys nothing more."""
    with ctx.boot("console-unconnected") as run:
        start = run.wait_for(r"^\[rt0\] hello from vcpu 0$")
        run.send("ls\n")
        told = run.wait_for(r"^\[hv\] console: input is not connected to any "
                            r"VM .* Ctrl-A X quits\.$", start)
        run.send("more keys\n")
        keeps_ticking(run, "rt1", 0, told)
        lines = run.matching(r"input is not connected")
        expect(len(lines) == 1, f"told {len(lines)} times")
        no_hypervisor_errors(run)
