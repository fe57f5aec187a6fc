# SPDX-License-Identifier: BSD-3-Clause
"""The `sched-io` test scenario (tests/scenarios/sched-io.toml): a vCPU
waiting for its device model, and the other vCPU of its pCPU.

The Service VM `sos` (3 vCPUs on pCPUs 0-2) shares pCPU 1 with the
post-launched `uvm0` (1 vCPU) at equal priority and equal 10 ms slices;
`rt0` has pCPU 3 alone and prints a heartbeat. In the Service VM,
`hsm-stall` (misc/hsm/tests/hsm_stall.c) creates uvm0 through the HSM driver
with a guest that loops on a forwarded MMIO read, serves the reads from CPU
0 holding each one 50 ms, and meanwhile counts loop iterations on CPU 1
(uvm0's pCPU) and on CPU 2 (the Service VM's alone, the baseline) for 5 s;
it prints CPU 1's work over CPU 2's, per 250 ms window and overall.

Notify mode: the vCPU blocks while its request is held, so CPU 1 keeps
almost all of its pCPU. Polling mode: the vCPU watches its slot and keeps
the pCPU until its turn ends, so the round-robin gives CPU 1 half of it.

Work is counted, not timed, and both counters run the same loop over the
same windows, so the ratio does not depend on how fast QEMU is. Host load
does: QEMU's 4 pCPU threads share 2 host cores with other engineers'
QEMUs, so the threads of pCPUs 1 and 2 are put on one host core (whatever
else runs there then takes from both alike), and single windows, still
noisy, are summed up by their median."""

import os
import re

from harness import TestFailure, expect
from test_hybrid import HEARTBEAT, SHELL, heartbeat_without_gaps, shell

SCENARIO = "sched-io"
MODES = ("notify", "polling")
SECONDS = 5
HOLD_MS = 50
DEADLINE_S = 240
RESULT = (r"^\[sos\] hsm-stall: (\w+) mode: cpu1/cpu2 work ([\d.]+) \(median of "
          r"(\d+) windows of \d+ ms ([\d.]+), min ([\d.]+), max ([\d.]+)\); "
          r"(\d+) requests served, (\d+) bad; forwarded (\d+), completed (\d+), "
          r"failed (\d+)")

# Figures below: 16 runs with the threads of pCPUs 1 and 2 on one host
# core, at host load averages of 3 to 10 (4 of them with 4 busy loops
# added, 3 on one core), and runs with the hypervisor mutated as said.
#
# Notify: uvm0's vCPU needs pCPU 1 only to take a reply and make the next
# request, a few traps per 50 ms hold, then it blocks again; CPU 1 gets the
# rest. Measured median window: 0.85-1.03 (single windows 0.17-1.81: host
# preemption). A vCPU that spun instead of blocking (a mutation) takes
# equal turns with the Service VM's as in polling mode: 0.43-0.57.
# Asserted: at least 0.75, above the midpoint of the two behaviours.
MIN_NOTIFY_RATIO = 0.75
# Polling: uvm0's vCPU always has a request out (the guest makes the next
# one as soon as the last completes), so it always wants pCPU 1 and the
# equal turns halve CPU 1's share. Measured median window: 0.38-0.52 (0.43
# to 0.55 without the pinning, at lower load). It leans below one half,
# more so with the pinning; presumably each switch's cost (context, vGIC,
# QEMU's TLB after a VMID change) comes out of the Service VM's turn, and
# QEMU's thread for pCPU 1, spinning through the hypervisor's loop (a WFE
# there is a yield to QEMU's main loop, which takes its global lock every
# time), leaves the shared host core to pCPU 2's thread more often. A vCPU
# that never goes back to the pCPU's loop while it waits (a mutation)
# leaves the Service VM one turn between two requests, 10 ms of every 60:
# 0.13 (or worse: it starved the Service VM into an RCU stall); one that
# gives the pCPU up at every look at its slot: 0.90-1.00. Asserted: 0.25
# to 0.70, about midway between these and what was measured.
POLLING_RATIO = (0.25, 0.70)
# At most one request per hold: 100 in 5 s. The guest waits for each reply
# 50 ms, plus the Service VM's own latency (the upcall, WAIT, scheduling;
# slower when the host is loaded) and in polling mode its next turn (up to
# 10 ms): measured 40-92 served in either mode. At least 20 is asserted: a
# lost notification, or a polling vCPU made to block (mutations), serves
# just the first request.
MIN_SERVED = 20
# rt0 has pCPU 3 alone: no heartbeat (every 300 ms) may come more than 1 s
# after the one before, as in test_sched_linux (measured: 304-369 ms).
MAX_RT0_GAP_MS = 1000

_runs = {}


class Result:
    def __init__(self, run, mode, m, begin, end):
        self.run, self.mode, self.begin, self.end = run, mode, begin, end
        self.ratio = float(m[2])
        self.windows, self.median = int(m[3]), float(m[4])
        self.low, self.high = float(m[5]), float(m[6])
        self.served, self.bad = int(m[7]), int(m[8])
        self.forwarded, self.completed, self.failed = (int(m[9]), int(m[10]),
                                                       int(m[11]))

    def show(self):
        print(f"    {self.mode}: cpu1/cpu2 median of {self.windows} windows "
              f"{self.median:.3f} (overall {self.ratio:.3f}, windows "
              f"{self.low:.2f}-{self.high:.2f}); {self.served} requests "
              f"served, forwarded {self.forwarded}, failed {self.failed}")


def stall(run, mode, start):
    """hsm-stall in `mode`; its Result, after checking that it ran and
    destroyed its VM."""
    flag = " -p" if mode == "polling" else ""
    end = shell(run, f"hsm-stall{flag} -s {SECONDS} -H {HOLD_MS}; "
                "echo stall-exit=$?", r"^\[sos\] stall-exit=\d+", start,
                timeout=120)
    lines = range(start, end)
    said = [run.line(i) for i in lines if "hsm-stall: error" in run.line(i)]
    expect(run.line(end).rstrip("\r").endswith("=0") and not said,
           f"hsm-stall{flag}: {run.line(end)} {said} (see {run.log_path})")
    created = [i for i in run.matching(r"^\[hv\] vm uvm0: created with 1 "
                                       rf"vCPU\(s\), {mode} completion", start)
               if i < end]
    expect(created, f"hsm-stall{flag} did not create uvm0 in {mode} mode")
    # The program destroys the VM before it exits, and says so.
    destroyed = [i for i in run.matching(r"^\[hv\] vm uvm0: destroyed",
                                         created[0]) if i < end]
    expect(destroyed, f"hsm-stall{flag} exited, uvm0 was not destroyed")
    expect([i for i in run.matching(r"^\[sos\] hsm-stall: done", start)
            if i < end], f"hsm-stall{flag} did not finish")
    got = [i for i in run.matching(RESULT, start) if i < end]
    expect(got, f"hsm-stall{flag} printed no result (see {run.log_path})")
    m = re.search(RESULT, run.line(got[0]))
    expect(m[1] == mode, f"hsm-stall{flag} ran in {m[1]} mode")
    return Result(run, mode, m, start, end)


def share_one_host_core(run, pcpus=(1, 2)):
    """Put QEMU's threads for `pcpus` (MTTCG names them "CPU n/TCG") on one
    host core. Host load is shared out by per-core run queues, and over a
    run of a few seconds one core can be busier than the other: two
    threads on different cores then get systematically different host time,
    which moved the median ratio by up to 40% under a load average of 7.
    On one core, whatever else runs there takes from both alike. The pCPU
    0 and 3 threads (the device model, rt0) stay free. The host cores it
    picked, or None if QEMU's threads were not found."""
    task = f"/proc/{run.proc.pid}/task"
    want = {f"CPU {p}/TCG": p for p in pcpus}
    tids = {}
    for tid in os.listdir(task):
        try:
            with open(f"{task}/{tid}/comm") as f:
                comm = f.read().strip()
        except OSError:
            continue
        if comm in want:
            tids[want[comm]] = int(tid)
    if sorted(tids) != sorted(pcpus):
        print(f"    (QEMU's threads for pCPUs {pcpus} not found: not pinned)")
        return None
    core = max(os.sched_getaffinity(0))
    for tid in tids.values():
        os.sched_setaffinity(tid, {core})
    return core


def measure(ctx):
    """One boot: hsm-stall in notify mode, then in polling mode (which also
    shows the first left the slot free). mode -> its Result, or the
    TestFailure that stopped it (a mode that hangs the Service VM leaves
    the other's result standing, and the modes after it untried)."""
    # debug-threads: QEMU names its vCPU threads (share_one_host_core).
    with ctx.boot("sched-io", images={"rt0": "hello"}, deadline_s=DEADLINE_S,
                  extra=("-name", "sched-io,debug-threads=on")) as run:
        i = run.wait_for(r"^\[hv\] (error: panic|vm sos: 3 vCPU\(s\))",
                         timeout=30)
        expect("panic" not in run.line(i), f"the hypervisor did not start "
               f"the scenario: {run.line(i)} (see {run.log_path})")
        start = run.wait_for(SHELL)
        core = share_one_host_core(run)
        if core is not None:
            print(f"    QEMU's pCPU 1 and 2 threads on host CPU {core}")
        results = {}
        for mode in MODES:
            try:
                r = stall(run, mode, start)
                # rt0's heartbeat is checked up to its first beat after.
                r.beat = run.wait_for(HEARTBEAT, r.end + 1, timeout=10)
            except TestFailure as e:
                results[mode] = TestFailure(f"(hsm-stall in {mode} mode) {e}")
                break
            results[mode] = r
            start = r.end + 1
    for mode in MODES:
        results.setdefault(mode, TestFailure(f"{mode} mode not run: an "
                                             "earlier mode failed"))
    return results


def result(ctx, mode):
    """`mode`'s result from the one boot the tests share."""
    if ctx.build not in _runs:
        try:
            _runs[ctx.build] = measure(ctx)
        except TestFailure as e:
            _runs[ctx.build] = {mode: e for mode in MODES}
    r = _runs[ctx.build][mode]
    if isinstance(r, TestFailure):
        raise r
    return r


def check_common(r):
    """The guest made progress, every request was good; up to the end of
    the run, rt0's heartbeat had no gap and the hypervisor logged no
    error."""
    r.show()
    # 4 windows a second; one in which CPU 2 got no host time is left out.
    expect(r.windows >= SECONDS * 2, f"{r.mode}: only {r.windows} windows")
    expect(r.served >= MIN_SERVED,
           f"{r.mode}: only {r.served} requests served in {SECONDS} s with a "
           f"{HOLD_MS} ms hold (at least {MIN_SERVED}; see {r.run.log_path})")
    expect(r.bad == 0 and r.failed == 0,
           f"{r.mode}: {r.bad} bad requests, {r.failed} failed")
    # Every request forwarded was served, but the one out at the end,
    # cancelled by the destroy.
    expect(r.served <= r.forwarded <= r.served + 1 and
           r.completed >= r.served - 1,
           f"{r.mode}: {r.served} served, {r.forwarded} forwarded, "
           f"{r.completed} completed")
    gap = heartbeat_without_gaps(r.run, r.beat, "rt0", MAX_RT0_GAP_MS, 10)
    print(f"    rt0: largest heartbeat gap {gap} ms up to here (period 300 ms)")
    errors = [e for e in r.run.matching(r"^\[hv\] (error|panic)") if e <= r.beat]
    expect(not errors, "hypervisor errors: "
           + "; ".join(r.run.line(e) for e in errors))


def test_notify_mode_blocked_vcpu_leaves_its_pcpu_to_the_other(ctx):
    r = result(ctx, "notify")
    check_common(r)
    expect(r.median >= MIN_NOTIFY_RATIO,
           f"notify mode: CPU 1 did {r.median:.2f} of CPU 2's work in the "
           f"median window, expected at least {MIN_NOTIFY_RATIO} (uvm0's vCPU "
           f"did not block while its request was held?; see {r.run.log_path})")


def test_polling_mode_vcpu_spins_until_its_turn_ends(ctx):
    r = result(ctx, "polling")
    check_common(r)
    lo, hi = POLLING_RATIO
    expect(lo <= r.median <= hi,
           f"polling mode: CPU 1 did {r.median:.2f} of CPU 2's work in the "
           f"median window, expected {lo}-{hi}: equal turns with uvm0's "
           f"spinning vCPU (see {r.run.log_path})")
