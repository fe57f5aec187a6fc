#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""vCPU power operations racing each other and VM resets (scenario
tests/scenarios/power.toml, guest tests/guests/powerstress.c), beside an RT
VM whose heartbeat must go on."""

import re

from harness import expect

SCENARIO = "power"
CONCURRENT = (r"^\[p\] powerstress: concurrent CPU_ON: (\d+) rounds, (\d+) SUCCESS, "
              r"(\d+) ALREADY_ON, (\d+) ON_PENDING, (\d+) other, (\d+) bad rounds, "
              r"(\d+) target runs$")
RESETS = (r"^\[p\] powerstress: CPU_ON vs SYSTEM_RESET: (\d+) resets, (\d+) not off "
          r"after reset, (\d+) CPU_ON failed after reset, (\d+) stuck, (\d+) "
          r"ON_PENDING during races$")
RESETTING = r"^\[hv\] vm p: resetting \(PSCI SYSTEM_RESET\)$"
RESET_SUMMARY = r'^\[hv\] vm p: (\d+) of (\d+) "resetting" lines suppressed$'


def heartbeat_goes_on(run, start, end):
    beats = [int(re.search(r"tick (\d+)", run.line(i))[1])
             for i in run.matching(r"^\[rt0\] vcpu 0 tick \d+", start)
             if i <= end]
    expect(len(beats) >= 2, f"rt0 printed {len(beats)} heartbeats during the "
           f"stress (see {run.log_path})")
    expect(beats == list(range(beats[0], beats[0] + len(beats))),
           f"rt0's heartbeat skipped: {beats}")


def test_power_operations_race_resets_and_each_other(ctx):
    """Concurrent CPU_ON of one target: one SUCCESS, one ALREADY_ON per
    round, never ON_PENDING (CPU_ON is synchronous, doc/scheduling.rst).
    CPU_ON racing SYSTEM_RESET, 100 resets: every secondary vCPU is off
    after each reset and starts again; the hypervisor's line for each
    reset is rate-limited, shown or counted. rt0 ticks on; no hypervisor
    error."""
    with ctx.boot("power", deadline_s=300) as run:
        start = run.wait_for(r"^\[p\] powerstress: start$", timeout=30)
        i = run.wait_for(CONCURRENT, start)
        rounds, ok, already, pending, other, bad, runs = (
            int(x) for x in re.search(CONCURRENT, run.line(i)).groups())
        expect((ok, already, pending, other, bad, runs) ==
               (rounds, rounds, 0, 0, 0, rounds),
               f"concurrent CPU_ON: {run.line(i)}")
        j = run.wait_for(RESETS, i)
        resets, not_off, failed, stuck, race_pending = (
            int(x) for x in re.search(RESETS, run.line(j)).groups())
        first = run.matching(r"^\[p\] powerstress: first failed CPU_ON", j)
        expect((not_off, failed, stuck, race_pending) == (0, 0, 0, 0),
               f"CPU_ON vs SYSTEM_RESET: {run.line(j)}"
               f"{'; ' + run.line(first[0]) if first else ''}")
        done = run.wait_for(r"^\[p\] powerstress: done$", j)
        off = run.wait_for(r"^\[hv\] vm p: powered off", done)
        # The guest resets at will, so the hypervisor's line for it is
        # rate-limited: the first few are shown, the rest counted in a
        # summary when the VM stops. Together they are the guest's resets.
        shown = len(run.matching(RESETTING))
        summary = [m for m in (re.search(RESET_SUMMARY, run.line(i))
                               for i in range(done, off)) if m]
        expect(len(summary) == 1, f"{len(summary)} summaries of the resetting "
               f"lines before the power-off (see {run.log_path})")
        suppressed, events = int(summary[0][1]), int(summary[0][2])
        expect(0 < shown < resets and shown + suppressed == events == resets,
               f"{shown} resetting lines shown, {suppressed} of {events} "
               f"suppressed, for {resets} resets")
        heartbeat_goes_on(run, start, done)
