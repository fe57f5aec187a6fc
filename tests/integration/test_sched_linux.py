# SPDX-License-Identifier: BSD-3-Clause
"""The `sched-linux` test scenario (tests/scenarios/sched-linux.toml): the
Service VM `sos` (Debian's kernel, 3 vCPUs on pCPUs 0-2) shares pCPU 2 with
the bare-metal VM `bm` at the same priority (prio_rr: each gets turns of
10 ms while the other wants the pCPU); `rt0` has pCPU 3 alone (noop). Both
bare-metal VMs run `hello`, a heartbeat every 300 ms stamped with their
own clock."""

import re

from harness import expect
from test_hybrid import INIT_DONE, SHELL, disk_token, heartbeat_without_gaps, \
    hv_errors, shell, sos_memory_mib
from test_linux_direct import check_lines, verify_sos_check

SCENARIO = "sched-linux"
NPROC = 3
SHARED_CPU = 2  # the Service VM's vCPU on bm's pCPU
PERIOD_MS = 300
# No heartbeat of either bare-metal VM may come later than this after the
# one before (its own clock). bm waits at most one 10 ms turn of the Service
# VM's vCPU for its pCPU, rt0 for nothing; the rest is room for QEMU, whose
# four pCPU threads share 2 host cores while Linux boots (measured: 370 ms
# at most, as rt0's in test_hybrid). A neighbour that kept the pCPU through
# one of Linux's busy stretches (sos-check keeps every CPU busy for 1 s)
# would show.
MAX_GAP_MS = 1000
IPI_ROUNDS = 30


def ipi_counts(run, start, end):
    """CPU -> IPIs taken (all kinds) from the /proc/interrupts lines the
    shell printed between lines start and end."""
    counts = {}
    for i in run.matching(r"^\[sos\] +IPI\d+:", start):
        if i >= end:
            break
        fields = run.line(i).split()[2:2 + NPROC]
        for cpu, n in enumerate(fields):
            counts[cpu] = counts.get(cpu, 0) + int(n)
    return counts


def test_service_vm_shares_a_pcpu_with_a_bare_metal_vm(ctx):
    with ctx.boot("sched-linux", images={"rt0": "hello", "bm": "hello"},
                  append="tessera.run=sos-check.sh", deadline_s=240,
                  disk=f"{ctx.build}/guest/test-disk.img") as run:
        i = run.wait_for(r"^\[hv\] (error: panic|vm sos: 3 vCPU\(s\))",
                         timeout=30)
        expect("panic" not in run.line(i), f"the hypervisor did not start "
               f"the scenario: {run.line(i)} (see {run.log_path})")
        # Linux boots on all 3 vCPUs, one of them sharing its pCPU, and its
        # self-check passes: memory, disk, timer interrupts on every CPU.
        i = run.wait_for(INIT_DONE)
        expect(re.search(INIT_DONE, run.line(i))[1] == str(NPROC),
               f"Service VM init saw: {run.line(i)}")
        verify_sos_check(check_lines(run, i, prefix="[sos] "), NPROC,
                         sos_memory_mib(ctx.build), disk_token(ctx.build))
        start = run.wait_for(SHELL, i)

        # A sleep on the shared CPU ends, and takes its second.
        done = shell(run, f"taskset -c {SHARED_CPU} sh -c 'date +%s; sleep 1; "
                     "date +%s'; echo slept-$((6*7))", r"^\[sos\] slept-42\r?$",
                     start, timeout=60)
        stamps = [int(run.line(j).split()[1]) for j in
                  run.matching(r"^\[sos\] \d{9,}\r?$", start) if j < done]
        expect(len(stamps) == 2, f"date printed {stamps}")
        expect(1 <= stamps[1] - stamps[0] <= 5,
               f"sleep 1 took {stamps[1] - stamps[0]} s by the guest's clock")

        # IPIs: processes started on every CPU in turn, each waking its
        # parent on another CPU; every CPU must take IPIs and the loop end.
        cmd = ("grep IPI /proc/interrupts; for i in $(seq %d); do for c in %s; "
               "do taskset -c $c true; done; done; grep IPI /proc/interrupts; "
               "echo ipis-$((6*7))" % (IPI_ROUNDS,
                                        " ".join(str(c) for c in range(NPROC))))
        ipis = shell(run, cmd, r"^\[sos\] ipis-42\r?$", done, timeout=120)
        firsts = run.matching(r"^\[sos\] +IPI0:", done)
        expect(len(firsts) >= 2, "no IPI lines in /proc/interrupts")
        before = ipi_counts(run, firsts[0], firsts[1])
        after = ipi_counts(run, firsts[1], ipis)
        taken = {cpu: after[cpu] - before[cpu] for cpu in before}
        print(f"    IPIs taken per CPU during {IPI_ROUNDS} rounds of taskset: "
              f"{taken}")
        expect(sorted(taken) == list(range(NPROC)) and min(taken.values()) > 0,
               f"not every CPU took IPIs: {taken}")

        # Still responsive, and both bare-metal VMs ticked all along.
        end = shell(run, "echo alive-$((6*7))", r"^\[sos\] alive-42\r?$", ipis)
        end = run.wait_for(r"^\[bm\] vcpu 0 tick", end + 1)
        end = run.wait_for(r"^\[rt0\] vcpu 0 tick", end + 1)
        for vm in ("bm", "rt0"):
            gap = heartbeat_without_gaps(run, end, vm, MAX_GAP_MS, 10)
            print(f"    {vm}: largest heartbeat gap {gap} ms "
                  f"(period {PERIOD_MS} ms)")
        # The whole log, at the end: nothing went wrong at any point.
        expect(not hv_errors(run), f"hypervisor errors: {hv_errors(run)}")
