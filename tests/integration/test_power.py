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
    after each reset and starts again. rt0 ticks on; no hypervisor error."""
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
        expect((not_off, failed, stuck, race_pending) == (0, 0, 0, 0),
               f"CPU_ON vs SYSTEM_RESET: {run.line(j)}")
        done = run.wait_for(r"^\[p\] powerstress: done$", j)
        run.wait_for(r"^\[hv\] vm p: powered off", done)
        expect(len(run.matching(r"^\[hv\] vm p: resetting \(PSCI SYSTEM_RESET\)$"))
               == resets, "not every reset was the hypervisor's")
        heartbeat_goes_on(run, start, done)
