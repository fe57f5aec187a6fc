# SPDX-License-Identifier: BSD-3-Clause
"""The `sched` test scenario (tests/scenarios/sched.toml): the priority
round-robin on one shared pCPU, and a real-time pCPU it must leave alone.

pCPU 1 (prio_rr): `a` and `b` (priority 100, slices 10 and 30 ms) run
`spinner`, which never waits and prints its work count with its own
timestamp; `c` (priority 150) runs `sleeper`, which sleeps 7 ms on its
virtual timer again and again and prints how late each wake-up was.
pCPU 3 (noop): `rt0`, alone, runs `sleeper` too (its heartbeat, with the
lateness of each beat) or `steady`.

Every figure comes from the guests' own counter (CNTVOFF is 0, so the VMs'
timestamps are comparable): work is counted, never timed against the wall
clock. Under TCG that counter follows real time, so host load shows as
noise, which the bounds below allow for.

A turn a higher priority cuts short is resumed, with the time it had left,
ahead of its equals (POSIX SCHED_RR): without that, a and b would alternate
at each of c's wake-ups and b/a would be 1.0, not 3."""

import re
import statistics

from harness import TestFailure, expect

SCENARIO = "sched"

SLICE_US = {"a": 10000, "b": 30000}
SLEEP_US = 7000  # sleeper.c's SLEEP_US
SPIN = r"^\[(a|b)\] spin (\d+) t=(\d+)$"
SLEEP = r"^\[(c|rt0)\] sleep (\d+) late=(\d+) ns t=(\d+)"
# Start-up (each VM's first lines, the first turns) is left out; then a
# window of 6 s: 150 rounds of the 40 ms a+b cycle, some 850 wake-ups of
# each sleeper.
START_UP_US = 500000
WINDOW_US = 6000000
DEADLINE_S = 90

# b's slice is 3 times a's, so over the window b must do 3 times a's work
# (both run the same loop at the same speed). Tolerance +-20%: the window
# starts and ends in the middle of a round (at most one 40 ms round of
# 6 s, <1%); every turn also runs on past its slice until the pCPU timer
# is taken and the next vCPU is in, the same few hundred us for both,
# which shortens the ratio ((30 + d) / (10 + d): 2.9 at d = 0.5 ms); and
# QEMU's vCPU thread shares 2 host cores with everything else, so host
# preemption takes random bites out of either spinner's turns. Measured
# over 6 s here: 2.78 to 3.04. A scheduler that ignored the slices gives
# 1.0, one that never ended a turn gives 0 or infinity.
SHARE_RATIO = SLICE_US["b"] / SLICE_US["a"]
SHARE_TOLERANCE = 0.20
# A spinner's work unit takes it ~50 ms, so at a quarter of the pCPU `a`
# prints about every 200 ms (measured: 240-320 ms at most; host
# preemption has stopped QEMU's thread for up to 345 ms). Two seconds
# without progress, a third of the window, is starvation.
MAX_SPIN_GAP_US = 2000000
# c outranks the spinners: its timer (the hypervisor watches it while c is
# descheduled) must get it the pCPU at once, not when a spinner's turn
# ends or the spinner happens to exit (every ~50 ms of its work). Waiting
# for that spreads lateness over up to 10 ms in a's turns and 30 ms in b's
# (as before commit 97186e1 armed the pCPU timer after the load: median
# 3 ms, 75th percentile 10-16 ms; with deadlines never armed: 23 ms).
# On time it is the pCPU timer's latency plus one switch: measured
# 0.1-0.25 ms median, 75th percentile 0.1-0.45 ms, on a host busy with
# other QEMUs. Asserted: median <= 1 ms and 75th percentile <= 2 ms, a
# tenth and a fifth of the shortest slice. The tail is not asserted on:
# host preemption of QEMU's thread makes single wake-ups late (seen up to
# 345 ms, and on rt0's own pCPU too), and a loaded host once took the 90th
# percentile to 3.4 ms.
MAX_MEDIAN_LATE_US = 1000
MAX_P75_LATE_US = 2000
# rt0's heartbeat, a 7 ms sleep on its own pCPU: no gap between two beats
# above 1 s (the same bound as test_sched_linux's heartbeats; a stall of
# rt0's pCPU behind pCPU 1's work, a lock or a cross-call waiting for a
# turn, would last as long as the load: here the whole run), and the median
# beat on time within 1 ms (measured: 0.1-0.2 ms). Host preemption of
# QEMU's thread for pCPU 3 alone was seen to leave gaps of up to 152 ms.
MAX_RT0_GAP_US = 1000000
MAX_RT0_MEDIAN_LATE_US = 1000


def started(run):
    """Wait until the hypervisor has started every VM (rt0 is the last);
    fail at once, with its words, if it panicked instead."""
    i = run.wait_for(r"^\[hv\] (error: panic|vm rt0: 1 vCPU\(s\))", timeout=30)
    expect("panic" not in run.line(i), f"the hypervisor did not start the "
           f"scenario: {run.line(i)} (see {run.log_path})")


def no_hypervisor_errors(lines):
    errors = [l for l in lines if re.match(r"^\[hv\] (error|panic)", l)]
    expect(not errors, f"hypervisor errors: {errors}")


def spins(lines):
    """vm -> [(t_us, work units)] of the spinners' lines."""
    out = {"a": [], "b": []}
    for l in lines:
        m = re.match(SPIN, l)
        if m:
            out[m[1]].append((int(m[3]), int(m[2])))
    return out


def sleeps(lines, vm):
    """[(n, late_us, t_us)] of a sleeper's lines; fails on a foreign IRQ."""
    out = []
    for l in lines:
        m = re.match(SLEEP, l)
        if m and m[1] == vm:
            expect("other=" not in l, f"{vm} took an unexpected interrupt: {l}")
            out.append((int(m[2]), int(m[3]) / 1000, int(m[4])))
    return out


class Measured:
    """What one boot of the scenario printed, until both spinners had run
    past the end of the window (or, without spinners, rt0's sleeper)."""

    def __init__(self, lines, log_path, t0, t1):
        self.lines, self.log_path, self.t0, self.t1 = lines, log_path, t0, t1

    def in_window(self, points, key=lambda p: p[0]):
        return [p for p in points if self.t0 <= key(p) <= self.t1]


def wait_past(run, pattern, t_end, start=0):
    """Line index of the first line matching `pattern` (whose last group is a
    timestamp) stamped t_end or later."""
    i = start - 1
    while True:
        i = run.wait_for(pattern, i + 1, timeout=20)
        if int(re.search(pattern, run.line(i)).groups()[-1]) >= t_end:
            return i


def measure(ctx, name, images):
    """Boot with `images` (every VM's), until both spinners and rt0 have
    printed past the end of the window."""
    timed = [vm for vm in ("a", "b", "rt0") if images[vm] in ("spinner", "sleeper")]
    with ctx.boot(name, images=images, deadline_s=DEADLINE_S) as run:
        started(run)
        firsts = []
        for vm in timed:
            try:
                i = run.wait_for(rf"^\[{vm}\] (spin|sleep) \d+ .*t=\d+",
                                 timeout=30)
            except TestFailure as e:
                raise TestFailure(f"{vm} never got to print its progress "
                                  f"(starved?): {e}") from e
            firsts.append(int(re.search(r"t=(\d+)", run.line(i))[1]))
        t0 = max(firsts) + START_UP_US
        t1 = t0 + WINDOW_US
        for vm in timed:
            wait_past(run, rf"^\[{vm}\] (?:spin|sleep) \d+ .*t=(\d+)", t1)
        with run.cond:
            lines = list(run.lines)
        return Measured(lines, run.log_path, t0, t1)


# One boot serves several tests (each reports its own finding).
_runs = {}


def cached(ctx, name, images):
    key = (ctx.build, name)
    if key not in _runs:
        try:
            _runs[key] = measure(ctx, name, images)
        except TestFailure as e:
            _runs[key] = e
    if isinstance(_runs[key], TestFailure):
        raise TestFailure(f"(run {name}) {_runs[key]}")
    return _runs[key]


def spinners_alone(ctx):
    """a and b spin, c waits for nothing (the pCPU's round-robin alone)."""
    return cached(ctx, "sched-spinners", {"a": "spinner", "b": "spinner",
                                          "c": "idle", "rt0": "sleeper"})


def spinners_and_sleeper(ctx):
    """The scenario as it is: c's sleeper preempts the spinners."""
    return cached(ctx, "sched-sleeper", {"a": "spinner", "b": "spinner",
                                         "c": "sleeper", "rt0": "sleeper"})


def rate(m, points, vm):
    """Work units per second over the window, from the first and the last
    line inside it (the work count is exact at each line)."""
    inside = m.in_window(points)
    expect(len(inside) >= 3, f"{vm} printed {len(inside)} progress lines in "
           f"the window (see {m.log_path})")
    (ta, na), (tb, nb) = inside[0], inside[-1]
    return (nb - na) * 1e6 / (tb - ta)


def check_shares(m, what):
    s = spins(m.lines)
    ra, rb = rate(m, s["a"], "a"), rate(m, s["b"], "b")
    ratio = rb / ra
    print(f"    {what}: a {ra:.1f}, b {rb:.1f} work units/s, b/a = "
          f"{ratio:.2f} (slices 1:{SHARE_RATIO:g}, +-{SHARE_TOLERANCE:.0%})")
    expect(abs(ratio / SHARE_RATIO - 1) <= SHARE_TOLERANCE,
           f"{what}: b did {ratio:.2f} times a's work, expected "
           f"{SHARE_RATIO:g} +-{SHARE_TOLERANCE:.0%} (a {ra:.1f}, b {rb:.1f} "
           f"units/s; see {m.log_path})")


def check_no_starvation(m, what):
    s = spins(m.lines)
    for vm in ("a", "b"):
        times = [t for t, _ in s[vm] if m.t0 - START_UP_US <= t <= m.t1]
        expect(len(times) >= 2, f"{what}: {vm} made no progress "
               f"(see {m.log_path})")
        gap = max(y - x for x, y in zip(times, times[1:]))
        print(f"    {what}: {vm}'s longest time without progress {gap / 1000:.0f} ms")
        expect(gap <= MAX_SPIN_GAP_US,
               f"{what}: {vm} made no progress for {gap / 1000:.0f} ms "
               f"(see {m.log_path})")


def check_rt0_heartbeat(m, what):
    beats = [b for b in sleeps(m.lines, "rt0") if m.t0 - START_UP_US <= b[2] <= m.t1]
    expect(len(beats) >= WINDOW_US / SLEEP_US / 2,
           f"{what}: only {len(beats)} heartbeats from rt0 (see {m.log_path})")
    for (n0, _, t0), (n1, _, t1) in zip(beats, beats[1:]):
        expect(n1 == n0 + 1, f"{what}: rt0 heartbeat {n0} followed by {n1}")
        expect(t1 - t0 <= MAX_RT0_GAP_US,
               f"{what}: rt0 stalled {(t1 - t0) / 1000:.1f} ms between "
               f"heartbeats {n0} and {n1} (see {m.log_path})")
    gap = max(t1 - t0 for (_, _, t0), (_, _, t1) in zip(beats, beats[1:]))
    late = statistics.median(b[1] for b in beats)
    print(f"    {what}: rt0 {len(beats)} beats, longest gap {gap / 1000:.1f} ms "
          f"(period {SLEEP_US / 1000:g} ms), median lateness {late:.0f} us")
    expect(late <= MAX_RT0_MEDIAN_LATE_US,
           f"{what}: rt0's heartbeat is {late:.0f} us late in the median")


def test_spinners_share_the_pcpu_as_their_slices_say(ctx):
    m = spinners_alone(ctx)
    check_shares(m, "spinners alone")
    check_no_starvation(m, "spinners alone")
    check_rt0_heartbeat(m, "spinners alone")
    no_hypervisor_errors(m.lines)


def test_sleeper_outranks_the_spinners_and_wakes_on_time(ctx):
    """c's timer gets it the pCPU on time, although a and b never wait."""
    m = spinners_and_sleeper(ctx)
    late = sorted(b[1] for b in m.in_window(sleeps(m.lines, "c"),
                                            key=lambda b: b[2]))
    expect(len(late) >= 10, f"only {len(late)} wake-ups of c's sleeper "
           f"(see {m.log_path})")
    median = statistics.median(late)
    p75, p90 = late[int(len(late) * 0.75)], late[int(len(late) * 0.9)]
    print(f"    c: {len(late)} wake-ups, lateness median {median:.0f} us, "
          f"75th percentile {p75:.0f} us, 90th {p90:.0f} us, max "
          f"{late[-1]:.0f} us")
    expect(median <= MAX_MEDIAN_LATE_US and p75 <= MAX_P75_LATE_US,
           f"c's wake-ups are late: median {median:.0f} us (at most "
           f"{MAX_MEDIAN_LATE_US}), 75th percentile {p75:.0f} us (at most "
           f"{MAX_P75_LATE_US}) (see {m.log_path})")
    expect(len(late) >= WINDOW_US / SLEEP_US / 2,
           f"only {len(late)} wake-ups of c's sleeper in {WINDOW_US / 1e6:g} s "
           f"of {SLEEP_US / 1000:g} ms sleeps (see {m.log_path})")
    check_no_starvation(m, "with the sleeper")
    check_rt0_heartbeat(m, "with the sleeper")
    no_hypervisor_errors(m.lines)


def test_slices_hold_while_the_sleeper_preempts(ctx):
    """A vCPU preempted by a higher priority one gets the rest of its turn
    back, so c's wake-ups every 7 ms do not change the 1:3 between a and b.
    (Fails today: see the module's docstring.)"""
    check_shares(spinners_and_sleeper(ctx), "with the sleeper")


# rt0's line with what its pCPU did, when it powers off (vm.c's log_costs).
COSTS = (r"^\[hv\] vm rt0 vcpu 0: (\d+) exits; pCPU (\d+): (\d+) exits, "
         r"(\d+) interrupts$")


def steady_run(ctx, name, images):
    """rt0 runs `steady`: its output, and (vCPU exits, pCPU, pCPU exits,
    pCPU interrupts) from its power-off line."""
    with ctx.boot(name, images=dict(images, rt0="steady"), deadline_s=60) as run:
        started(run)
        start = run.wait_for(r"^\[rt0\] steady: start$")
        done = run.wait_for(r"^\[rt0\] steady: done$", start)
        run.wait_for(r"^\[hv\] vm rt0: powered off \(PSCI SYSTEM_OFF\)$", done)
        costs = run.wait_for(COSTS, done)
        counts = tuple(int(x) for x in re.search(COSTS, run.line(costs)).groups())
        with run.cond:
            lines = list(run.lines)
    output = [l for l in lines if l.startswith("[rt0] ")]
    during = lines[start:done]
    return counts, output, during, lines, run.log_path


def test_rt0_pcpu_costs_do_not_depend_on_the_other_pcpus(ctx):
    """rt0's pCPU does the same work whatever the others do.

    rt0 runs `steady` twice: once with a, b and c idle (blocked in WFI for
    good: pCPU 1 idles too) and once with the spinners and c's sleeper
    loading pCPU 1 (its timer interrupts, the pCPU timer, a switch every few
    ms, console output from three VMs). The counts of rt0's power-off line
    must be identical: rt0 is alone on a noop pCPU, so every exit there is
    one of rt0's own traps (one per character it writes to its vUART, and
    its PSCI SYSTEM_OFF: steady's output is fixed text, and its delays wait
    in WFE, which does not trap), and no interrupt has any business there
    (rt0 enables none and no pCPU timer is armed on a noop pCPU). A kick,
    a cross-call, a tick or an interrupt routed to the wrong pCPU because
    of the load elsewhere would change them. Counts, not time: they do not
    depend on the host."""
    idle = steady_run(ctx, "sched-steady-idle",
                      {"a": "idle", "b": "idle", "c": "idle"})
    loaded = steady_run(ctx, "sched-steady-loaded",
                        {"a": "spinner", "b": "spinner", "c": "sleeper"})
    (vexits, pcpu, pexits, irqs), output = idle[0], idle[1]
    print(f"    rt0: idle neighbours: {vexits} vCPU exits, pCPU {pcpu}: "
          f"{pexits} exits, {irqs} interrupts; loaded neighbours: "
          f"{loaded[0][0]} vCPU exits, pCPU {loaded[0][1]}: {loaded[0][2]} "
          f"exits, {loaded[0][3]} interrupts")
    # The load was there while rt0 ran, and not in the idle run.
    for vm, what in (("a", "spin"), ("b", "spin"), ("c", "sleep")):
        expect(any(l.startswith(f"[{vm}] {what} ") for l in loaded[2]),
               f"{vm} printed nothing while rt0 ran (see {loaded[4]})")
        expect(not any(l.startswith(f"[{vm}] {what} ") for l in idle[3]),
               f"{vm} was not idle in the idle run (see {idle[4]})")
    expect(idle[1] == loaded[1], "rt0's output differs between the runs: "
           f"{sorted(set(idle[1]) ^ set(loaded[1]))[:4]}")
    expect(idle[0] == loaded[0],
           f"rt0's pCPU did different work: idle neighbours {idle[0]}, loaded "
           f"{loaded[0]} (vCPU exits, pCPU, pCPU exits, interrupts; see "
           f"{idle[4]} and {loaded[4]})")
    # And that work is exactly rt0's own traps: each character it wrote up
    # to SYSTEM_OFF (the hypervisor adds the "[rt0] " prefix), and the call.
    written = sum(len(l) - len("[rt0] ") + 1 for l in output)
    expect(pexits == vexits, f"pCPU {pcpu} handled {pexits} exits, rt0 "
           f"{vexits}: something else ran there")
    expect(vexits == written + 1, f"rt0 exited {vexits} times for {written} "
           f"characters and one SYSTEM_OFF")
    expect(irqs == 0, f"{irqs} interrupts on rt0's pCPU {pcpu}")
    for run in (idle, loaded):
        no_hypervisor_errors(run[3])
