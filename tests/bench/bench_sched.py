#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Scheduler benchmark: a vCPU switch on a shared pCPU, and what load on the
shared pCPUs does to the real-time partition next door.

    /usr/bin/python3 tests/bench/bench_sched.py [--build build]

The test scenario `sched` (tests/scenarios/sched.toml: VMs a, b and c share
pCPU 1 under prio_rr, rt0 is alone on pCPU 3, noop), booted under QEMU
-icount shift=0,sleep=off (1 ns of virtual time = 1 instruction of the
machine; the figures repeat run after run):

* vCPU switch: a and b run tests/guests/slicer.c, which spins reading the
  counter with no exit of its own over one fixed window of counter time and
  sums the time it ran. Their slices (10 and 30 ms) make the pCPU switch
  between them; what neither ran is the hypervisor's: the slice timer's
  interrupt, pick, put, load and entry, per switch.
* rt0's pCPU: rt0 runs `steady` (a fixed workload, then SYSTEM_OFF) with the
  shared pCPU idle and with it loaded (two spinners and a sleeper); its
  power-off line gives the exits and physical interrupts of pCPU 3, which
  must not depend on the load. Then rt0 runs `sleeper` (7 ms sleeps on its
  virtual timer) both ways: how late each wake-up is. Under -icount the
  emulator runs the CPUs round-robin, so what the other CPUs execute moves
  guest time on pCPU 3 too; a difference between the two jitter figures is
  the emulator's as much as the hypervisor's (the exit and interrupt counts
  are the hypervisor's alone).

Speed is reported, never asserted; the exit status says whether every
figure was produced. Console logs: BUILD/test-logs/bench/sched-*.log.
"""

import argparse
import os
import re
import statistics
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
sys.path.insert(0, os.path.join(HERE, ".."))
import harness  # noqa: E402
import tessera_qemu  # noqa: E402  (harness put misc/launch on the path)
from run_all import scenario_build  # noqa: E402
from table import print_rows  # noqa: E402

SCENARIO = "sched"
ICOUNT = ["-icount", "shift=0,sleep=off"]
DEADLINE_S = 300
STARTED = r"^\[hv\] (error: panic|vm rt0: 1 vCPU\(s\))"
SLICER = r"^\[(a|b)\] slicer: window (\d+) ran (\d+) gaps (\d+)$"
COSTS = (r"^\[hv\] vm rt0 vcpu 0: (\d+) exits; pCPU (\d+): (\d+) exits, "
         r"(\d+) interrupts$")
SLEEP = r"^\[rt0\] sleep (\d+) late=(\d+) ns t=(\d+)"
SLEEP_US = 7000  # tests/guests/sleeper.c
NS_PER_TICK = 16  # QEMU virt's counter: 62.5 MHz
BEATS = 200      # the first few are left out: the other VMs still boot
SKIP_BEATS = 10

IDLE = {"a": "idle", "b": "idle", "c": "idle"}
LOADED = {"a": "spinner", "b": "spinner", "c": "sleeper"}


class Bench:
    def __init__(self, build, log_dir):
        self.build, self.log_dir = build, log_dir
        self.failures = []

    def boot(self, name, images, until):
        """Boot with `images`; `until(run)` waits for what is measured and
        returns it. None (and a failure noted) if the run did not get there."""
        cmd = tessera_qemu.qemu_command(self.build, images=images,
                                        extra=ICOUNT)
        log = os.path.join(self.log_dir, f"sched-{name}.log")
        try:
            with harness.QemuRun(cmd, log, DEADLINE_S) as run:
                i = run.wait_for(STARTED, timeout=60)
                if "panic" in run.line(i):
                    raise harness.TestFailure(run.line(i))
                return until(run)
        except harness.TestFailure as e:
            self.failures.append(f"{name}: {e} (log {log})")
            return None

    def switches(self):
        """Per slicer VM: (window, ran, gaps) in counter ticks."""
        def until(run):
            out = {}
            i = -1
            while len(out) < 2:
                i = run.wait_for(SLICER, i + 1)
                m = re.search(SLICER, run.line(i))
                out[m[1]] = tuple(int(x) for x in m.groups()[1:])
            return out
        return self.boot("switch", {"a": "slicer", "b": "slicer",
                                    "c": "idle", "rt0": "idle"}, until)

    def rt0_costs(self, name, others):
        def until(run):
            m = re.search(COSTS, run.line(run.wait_for(COSTS)))
            return tuple(int(x) for x in m.groups())
        return self.boot(name, dict(others, rt0="steady"), until)

    def rt0_lateness(self, name, others):
        def until(run):
            i = run.wait_for(rf"^\[rt0\] sleep {BEATS} ")
            with run.cond:
                lines = run.lines[:i + 1]
            beats = [re.search(SLEEP, l) for l in lines]
            beats = [(int(m[2]), int(m[3])) for m in beats if m]
            return beats[SKIP_BEATS:]
        return self.boot(name, dict(others, rt0="sleeper"), until)


def lateness_cells(beats):
    if not beats:
        return ["-"] * 4
    late = [b[0] for b in beats]
    gaps = [t1 - t0 for (_, t0), (_, t1) in zip(beats, beats[1:])]
    return [f"{min(late):,}", f"{int(statistics.median(late)):,}",
            f"{max(late):,}", f"{max(gaps) - min(gaps):,}" if gaps else "-"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    log_dir = os.path.join(args.build, "test-logs", "bench")
    build = scenario_build(args.build, SCENARIO)
    if not build:
        sys.exit(f"bench_sched: no build of scenario '{SCENARIO}' under "
                 f"{args.build} (make BUILD={args.build} scenario-builds)")
    bench = Bench(build, log_dir)

    sl = bench.switches()
    rows = [("ticks of the window (counter at 62.5 MHz: 16 instructions)",
             "-"), ("switches in it", "-"), ("one switch, guest instructions",
                                              "-")]
    if sl:
        (w, ra, ga), (_, rb, gb) = sl["a"], sl["b"]
        # Every gap ends in a switch back, inside the window but one: the
        # gap of the VM that was not running when the window closed.
        n = ga + gb - 1
        rows = [(rows[0][0], f"{w:,}"), (rows[1][0], f"{n:,}"),
                (rows[2][0], f"{(w - ra - rb) * NS_PER_TICK // max(n, 1):,}")]
    print_rows("vCPU switch at the end of a slice on a shared pCPU (QEMU "
                "-icount shift=0,sleep=off, cortex-a72;\n  the slice timer's "
                "interrupt, pick, put, load, entry):", ("", "Tessera"), rows)

    idle_costs = bench.rt0_costs("rt0-steady-idle", IDLE)
    load_costs = bench.rt0_costs("rt0-steady-loaded", LOADED)
    idle_beats = bench.rt0_lateness("rt0-sleeper-idle", IDLE)
    load_beats = bench.rt0_lateness("rt0-sleeper-loaded", LOADED)

    def cost_cells(c):
        return ["-"] * 3 if c is None else [f"{c[0]:,}", f"{c[2]:,}",
                                            f"{c[3]:,}"]
    print()
    print_rows("rt0 alone on pCPU 3 (noop) while pCPU 1 is idle or loaded "
                "(spinners a, b and sleeper c):",
                ("pCPU 1", "rt0 exits", "pCPU 3 exits", "pCPU 3 IRQs",
                 "late min ns", "median", "max", "period spread us"),
                [("idle", *cost_cells(idle_costs), *lateness_cells(idle_beats)),
                 ("loaded", *cost_cells(load_costs),
                  *lateness_cells(load_beats))])
    n = len(idle_beats or load_beats or [])
    print(f"  exits and IRQs: rt0 running `steady` to its SYSTEM_OFF; lateness: "
          f"{n} wake-ups of rt0's `sleeper`\n"
          f"  ({SLEEP_US} us sleeps; period spread = the longest less the "
          f"shortest time between two wake-ups).\n"
          f"  Under -icount the emulator's round-robin of CPUs moves guest "
          f"time on pCPU 3 with what\n"
          f"  pCPU 1 executes: the counts are the hypervisor's, the lateness "
          f"is also the emulator's.")
    if idle_costs and load_costs and idle_costs != load_costs:
        bench.failures.append(f"rt0's pCPU did different work: idle "
                              f"{idle_costs}, loaded {load_costs}")
    for f in bench.failures:
        print(f"  {f}")
    print(f"  logs: {log_dir}/sched-*.log")
    sys.exit(1 if bench.failures else 0)


if __name__ == "__main__":
    main()
