#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A VM flooding the console beside a partition that prints within its
budget (scenario tests/scenarios/flood.toml: rt0 runs
tests/guests/seqlines.c on pCPU 1, flood runs tests/guests/flood.c on
pCPUs 2-3, pCPU 0 drains the console buffers). Under -icount
shift=0,sleep=off, so that a cycle of rt0's PMU is one instruction and the
figures are the same in every run."""

import collections
import re

from harness import expect

SCENARIO = "flood"
ICOUNT = ("-icount", "shift=0,sleep=off")
SEQ = re.compile(r"^\[rt0\] seqlines: seq (\d{5}) cost (\d{8})$")
RT0_DONE = r"^\[rt0\] seqlines: done (\d+) lines, (\d+) waits for TXFF$"
FLOOD_LINE = re.compile(r"^\[flood\] flood: vcpu (\d) line (\d+) \.{34}$")
FLOOD_DONE = re.compile(r"^\[flood\] flood: vcpu (\d) done (\d+) lines$")
LOSS = re.compile(r"^\[hv\] warning: vm flood: (\d+) lines \((\d+) bytes\) of "
                  r"console output dropped, over its budget$")
# At least this share of rt0's lines cost exactly the common figure. The
# rest are lines whose writes the emulator's round-robin of CPUs cut into,
# so other CPUs' instructions count too: 2 of 299 here, with or without
# the flooder.
AT_MODE = 0.9


def rt0_lines(run, done):
    """rt0's numbered lines: 1..N, each once, in order, whole; their costs
    (the cost of line k is printed on line k+1)."""
    lines = [run.line(i) for i in range(done) if run.line(i).startswith("[rt0] ")]
    seq = [m for m in map(SEQ.match, lines) if m]
    bad = [l for l in lines if not (SEQ.match(l) or "seqlines: start" in l
                                   or "seqlines: done" in l)]
    expect(not bad, f"rt0 lines broken or mixed with others: {bad[:3]}")
    numbers = [int(m[1]) for m in seq]
    total, waits = (int(x) for x in re.match(RT0_DONE, run.line(done)).groups())
    expect(waits == 0, f"rt0 waited {waits} times for its buffer (FR.TXFF): "
           f"within its budget it never should")
    expect(numbers == list(range(1, total + 1)),
           f"rt0's lines lost or out of order: {len(numbers)} of {total}, "
           f"first wrong at {next((i + 1 for i, n in enumerate(numbers) if n != i + 1), None)}")
    return [int(m[2]) for m in seq[1:]]


def cost_mode(costs, what):
    mode, n = collections.Counter(costs).most_common(1)[0]
    expect(n >= AT_MODE * len(costs),
           f"{what}: only {n} of {len(costs)} lines cost {mode} instructions: "
           f"{sorted(collections.Counter(costs).items())[:8]}")
    return mode, n


def test_partition_lines_cost_the_same_beside_a_flood(ctx):
    """rt0's console path costs it the same instructions per line with and
    without the flooder, and loses or reorders none of its lines; the
    flooder loses its excess, and the loss lines account for every line
    it printed and that did not come out."""
    with ctx.boot("console-flood-alone", images={"flood": "idle"},
                  deadline_s=300, extra=ICOUNT) as run:
        done = run.wait_for(RT0_DONE)
        alone = rt0_lines(run, done)
        expect(not run.matching(r"dropped"), "a loss with nobody flooding")
    with ctx.boot("console-flood", deadline_s=600, extra=ICOUNT) as run:
        done = run.wait_for(RT0_DONE)
        flooded = rt0_lines(run, done)
        ends = {}
        for _ in range(2):
            i = run.wait_for(FLOOD_DONE.pattern,
                             max(ends.values(), default=-1) + 1)
            m = FLOOD_DONE.match(run.line(i))
            ends[int(m[1])] = i
        last = max(ends.values())
        sent = {int(FLOOD_DONE.match(run.line(i))[1]): int(FLOOD_DONE.match(run.line(i))[2])
                for i in ends.values()}
        shown, lost, lost_bytes = collections.defaultdict(list), 0, 0
        for i in range(last + 1):
            line = run.line(i)
            if m := FLOOD_LINE.match(line):
                shown[int(m[1])].append(int(m[2]))
            elif m := LOSS.match(line):
                lost += int(m[1])
                lost_bytes += int(m[2])
            elif line.startswith("[flood] "):
                expect(FLOOD_DONE.match(line), f"a flood line broken: {line!r}")
    mode_alone, n_alone = cost_mode(alone, "alone")
    mode_flooded, n_flooded = cost_mode(flooded, "beside the flood")
    print(f"    rt0: {mode_alone} instructions per line alone ({n_alone} of "
          f"{len(alone)} lines), {mode_flooded} beside the flood ({n_flooded} "
          f"of {len(flooded)}); flood: {sum(sent.values())} lines printed, "
          f"{lost} lost ({lost_bytes} bytes)", flush=True)
    expect(mode_alone == mode_flooded,
           f"rt0's line costs {mode_alone} instructions alone, {mode_flooded} "
           f"beside the flood")
    for cpu, numbers in shown.items():
        expect(numbers == sorted(set(numbers)),
               f"flood vcpu {cpu}'s lines out of order")
    expect(lost > 0, "the flooder lost nothing: it was within its budget")
    expect(sum(map(len, shown.values())) + lost == sum(sent.values()),
           f"flood: {sum(map(len, shown.values()))} lines shown + {lost} "
           f"reported lost != {sum(sent.values())} printed")
