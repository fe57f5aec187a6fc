# SPDX-License-Identifier: BSD-3-Clause
"""Two partitions whose passthrough SPIs share words of the physical
distributor (scenario tests/scenarios/gic-shared.toml, guest
tests/guests/gicshare.c): each reconfigures its SPI thousands of times at
its vGIC, which the hypervisor mirrors into the shared IGROUPR and ICFGR
words from two pCPUs at once, and checks after every round that its
interrupt still arrives and is still level-triggered; rt0's heartbeat on
the third pCPU goes on without a gap."""

import re

from harness import expect
from test_hybrid import heartbeat_without_gaps

SCENARIO = "gic-shared"
ENDS = (("rtc", "pl031", 34), ("gpio", "pl061", 39))
DONE = (r"^\[{vm}\] gicshare: {dev} INTID {intid}: (\d+) rounds of (\d+) "
        r"reconfigurations: delivered (\d+), re-fired while high (\d+), "
        r"stray (\d+), t=(\d+)$")
START = r"^\[{vm}\] gicshare: {dev} INTID {intid}: start t=(\d+)$"
MIN_ROUNDS = 3000


def test_neighbouring_spis_of_two_vms_keep_their_configuration(ctx):
    with ctx.boot("gic-shared", deadline_s=420) as run:
        windows = {}
        for vm, dev, intid in ENDS:
            i = run.wait_for(START.format(vm=vm, dev=dev, intid=intid),
                             timeout=60)
            windows[vm] = [int(re.search(r"t=(\d+)", run.line(i))[1])]
        last, results = 0, []
        for vm, dev, intid in ENDS:
            pattern = DONE.format(vm=vm, dev=dev, intid=intid)
            i = run.wait_for(rf"{pattern}|^\[{vm}\] unexpected exception|"
                             rf"^\[hv\] error: vm {vm}", timeout=360)
            m = re.search(pattern, run.line(i))
            expect(m, f"{vm} did not finish: {run.line(i)} (see {run.log_path})")
            results.append((vm, *map(int, m.groups())))
            last = max(last, i)
        for vm, rounds, toggles, delivered, refired, stray, t in results:
            print(f"    {vm}: {rounds} rounds x {toggles}, delivered "
                  f"{delivered}, re-fired {refired}, stray {stray}")
        for vm, rounds, toggles, delivered, refired, stray, t in results:
            expect(delivered == rounds,
                   f"{vm}: its interrupt was lost in {rounds - delivered} "
                   f"of {rounds} rounds: in Group 0, or edge-triggered, in "
                   f"the GIC (see {run.log_path})")
            expect(refired == rounds,
                   f"{vm}: its level interrupt did not fire again in "
                   f"{rounds - refired} rounds while its line was high "
                   f"(see {run.log_path})")
            expect(stray == 0, f"{vm}: {stray} interrupts it does not own")
            expect(rounds >= MIN_ROUNDS and toggles > 0,
                   f"{vm}: too few rounds ({rounds})")
            windows[vm].append(t)
        # The two hammered the distributor at the same time, for most of
        # the shorter run: otherwise the test shows nothing.
        (s0, e0), (s1, e1) = windows.values()
        overlap = min(e0, e1) - max(s0, s1)
        print(f"    overlap {overlap} ms of {e0 - s0} and {e1 - s1} ms")
        expect(overlap >= min(e0 - s0, e1 - s1) // 2,
               f"the two VMs' runs hardly overlapped: {windows}")
        expect(not run.matching(r"^\[(rtc|gpio)\] gicshare: round "),
               "a round failed (see the log)")
        gap = heartbeat_without_gaps(
            run, run.wait_for(r"^\[rt0\] vcpu 0 tick \d+", last + 1,
                              timeout=20))
        print(f"    rt0: largest heartbeat gap {gap} ms")
        for vm, _, _ in ENDS:  # both still run
            run.wait_for(rf"^\[{vm}\] vcpu 0 tick \d+", last + 1, timeout=20)
        errors = run.matching(r"^\[hv\] (error|panic)")
        expect(not errors, f"hypervisor error: {run.line(errors[0])}"
               if errors else "")
        warnings = run.matching(r"^\[hv\] warning")
        expect(not warnings, f"hypervisor warning: {run.line(warnings[0])}"
               if warnings else "")
