#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Micro-benchmark: guest-visible costs of hvc, MMIO, IPI, timer and EOI.

    /usr/bin/python3 tests/bench/bench_micro.py [--build build] [--runs 1]

Runs the bare-metal guest tests/guests/microbench.c (2 vCPUs) twice over,
under QEMU -icount shift=0,sleep=off, where 1 ns of virtual time is one
instruction executed by the emulated machine and every figure is
deterministic:

* plain QEMU: the guest's ELF at EL1, no hypervisor (QEMU's own PSCI over
  HVC starts vCPU 1; SYSTEM_OFF ends QEMU);
* Tessera: the same image as the 2-vCPU VM rt1 of the partitioned scenario
  (rt0 runs beacon); after its SYSTEM_OFF the run is killed.

The guest prints one "microbench: OP N instructions (I iterations)" line per
operation; this script prints them as a table beside the figures Linux KVM
reaches on the same emulated board and Tessera's targets. Speed is reported,
never asserted: the exit status says whether both runs produced every line
(and, with --runs > 1, the same figures each time). Console logs are kept in
BUILD/test-logs/bench/micro-*.log. What each line measures:
doc/testing.rst, "Benchmarks and fuzzing".
"""

import argparse
import json
import os
import re
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
import tessera_qemu  # noqa: E402  (harness put misc/launch on the path)
from table import print_rows  # noqa: E402

SCENARIO = "partitioned"
VM = "rt1"
OTHER_VMS = {"rt0": "beacon"}
PROGRAM = "microbench"
ICOUNT = ["-icount", "shift=0,sleep=off"]
# The board of the Tessera run, without EL2: QEMU starts the ELF at EL1 and
# offers PSCI through HVC.
PLAIN_QEMU = ["qemu-system-aarch64", "-M", "virt,gic-version=3",
              "-cpu", "cortex-a72", "-smp", "2", "-m", "2G", "-nic", "none",
              "-nographic", *ICOUNT]
DEADLINE_S = 300  # for a loaded host: unloaded, both runs take ~10 s
POWER_OFF_WAIT_S = 30
SMCCC_NOT_SUPPORTED = -1

RESULT = re.compile(r"microbench: (\S+) (\d+) instructions \((\d+) iterations\)$")
INFO = re.compile(r"microbench: info (\S+) (\S+)$")
DONE = r"microbench: done$"
DONE_RE = re.compile(DONE)

# Measured by the Tessera project: guest instructions per operation on the
# same emulated board (QEMU 7.2, -M virt,virtualization=on,gic-version=3
# -cpu cortex-a72 -icount shift=0,sleep=off), Debian's 6.1 kernel at EL2
# running KVM with kvmtool, a 2-vCPU guest; the targets are Tessera's. That
# guest's loops cost more than microbench's own: in plain QEMU they measured
# hvc 12, MMIO emulated 15, MMIO forwarded 14, IPI 557, timer 154, EOI 21.
# (op key, label, KVM + kvmtool, Tessera's target)
ROWS = (
    ("hvc", "hvc round trip (unimplemented SMCCC call)", "1,497", "<= 250"),
    ("mmio-emulated", "MMIO read emulated in the hypervisor (GICD_IIDR)",
     "2,318", "<= 600"),
    ("mmio-unhandled", "MMIO read, no handler (all-ones under Tessera)",
     "-", "-"),
    ("mmio-forwarded", "MMIO read forwarded to the device model", "6,260",
     "<= 6,260 notify / <= 1,500 polling"),
    ("ipi", "IPI to the other vCPU, acked and EOIed", "5,669", "<= 1,500"),
    ("vtimer", "virtual timer expiry -> guest handler", "5,808", "<= 1,200"),
    ("eoi", "EOI (no trap)", "21", "21 (no trap)"),
)
TITLE = ("guest instructions per operation (QEMU -icount shift=0,sleep=off, "
         "cortex-a72, 2 vCPUs):")
NOT_MEASURED = {"mmio-forwarded": "in bench_uvm.py"}
MEASURED = [key for key, *_ in ROWS if key not in NOT_MEASURED]


class Run:
    """The figures and info values of one guest run."""

    def __init__(self, name):
        self.name = name
        self.results = {}     # op -> (instructions, iterations)
        self.info = {}        # key -> value string
        self.failures = []    # why the run's figures are missing or unsure
        self.notes = []       # what looks suspicious, reported only

    def parse(self, lines):
        for line in lines:
            m = RESULT.search(line)
            if m:
                self.results[m[1]] = (int(m[2]), int(m[3]))
                continue
            m = INFO.search(line)
            if m:
                self.info[m[1]] = m[2]
            elif "microbench:" in line and not DONE_RE.search(line):
                self.notes.append(line.strip())
        missing = [op for op in MEASURED if op not in self.results]
        if missing:
            self.failures.append(f"no figure for {', '.join(missing)}")

    def figures(self):
        return {op: self.results.get(op) for op in MEASURED}


def partitioned_build(build):
    for d in (os.path.join(build, f"scenario-{SCENARIO}"), build):
        try:
            with open(os.path.join(d, "generated", "scenario.json")) as f:
                scenario = json.load(f)
        except (OSError, ValueError):
            continue
        if scenario.get("scenario") == SCENARIO:
            return d, scenario
    return None, None


def tessera_command(build):
    cmd = tessera_qemu.qemu_command(build, images={VM: PROGRAM, **OTHER_VMS},
                                    extra=ICOUNT)
    # The launcher says -nic none itself (the machine has no ROM for the
    # default NIC); an older one did not.
    return cmd if "-nic" in cmd else cmd + ["-nic", "none"]


def run_guest(name, cmd, log_path, powered_off):
    """A Run from one bounded QEMU run; `powered_off(qemu_run, done_index)`
    waits for the guest's SYSTEM_OFF to take effect."""
    run = Run(name)
    try:
        with harness.QemuRun(cmd, log_path, DEADLINE_S) as qemu:
            done = qemu.wait_for(DONE)
            run.parse(qemu.line(i) for i in range(done + 1))
            if not powered_off(qemu, done):
                run.notes.append("SYSTEM_OFF did not take effect")
            hv_problems = [qemu.line(i) for i in qemu.matching(
                r"^\[hv\] (warning|error):")]
            run.notes += hv_problems
    except harness.TestFailure as e:
        run.failures.append(f"run failed: {e}")
    return run


def plain_powered_off(qemu, done):
    try:
        qemu.proc.wait(timeout=POWER_OFF_WAIT_S)
        return True
    except subprocess.TimeoutExpired:
        return False


def tessera_powered_off(qemu, done):
    try:
        qemu.wait_for(rf"^\[hv\] vm {VM}: powered off", done,
                      timeout=POWER_OFF_WAIT_S)
        return True
    except harness.TestFailure:
        return False


def cell(run, op, not_measured="-"):
    if op in NOT_MEASURED:
        return not_measured
    r = run.results.get(op)
    return "-" if r is None else f"{r[0]:,}"


def print_table(plain, tessera):
    head = ("operation", "plain QEMU", "Tessera", "Linux KVM + kvmtool",
            "Tessera's target")
    print_rows(TITLE, head, [(label, cell(plain, key),
                              cell(tessera, key, NOT_MEASURED.get(key)), kvm,
                              target) for key, label, kvm, target in ROWS])
    iterations = sorted({r[1] for run in (plain, tessera)
                         for r in run.results.values()})
    print(f"  {'/'.join(map(str, iterations)) or '-'} iterations each, after "
          f"a warm-up. Every instruction the machine executes counts (all\n"
          f"  CPUs, hypervisor included), the loop's own too. KVM: measured by "
          f"the Tessera project with loops\n"
          f"  that cost more; in plain QEMU theirs took hvc 12, MMIO 15 and 14, "
          f"IPI 557, timer 154, EOI 21.")


def check_fairness(plain, tessera):
    """Notes when the runs did not do the same thing."""
    for run in (plain, tessera):
        ret = run.info.get("hvc-return")
        if ret is not None and ret != str(SMCCC_NOT_SUPPORTED):
            run.notes.append(f"the hvc returned {ret}, not NOT_SUPPORTED "
                             f"({SMCCC_NOT_SUPPORTED}): the hvc rows do not "
                             f"compare the same call")
        if run.info.get("exception-level", "1") != "1":
            run.notes.append(f"the guest ran at EL{run.info['exception-level']}, "
                             f"not EL1")
    freqs = {run.info.get("cntfrq") for run in (plain, tessera)}
    if len(freqs) > 1:
        tessera.notes.append(f"counter frequencies differ: {sorted(map(str, freqs))}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=1,
                    help="run each configuration this many times and check "
                         "that the figures repeat")
    args = ap.parse_args()
    log_dir = os.path.join(args.build, "test-logs", "bench")
    build, scenario = partitioned_build(args.build)
    if not build:
        sys.exit(f"bench_micro: no build of scenario '{SCENARIO}' under "
                 f"{args.build} (make BUILD={args.build} scenario-builds)")
    entry = next((vm["entry"] for vm in scenario["vms"] if vm["name"] == VM),
                 None)
    if entry is None:
        sys.exit(f"bench_micro: scenario '{SCENARIO}' has no VM {VM}")
    # The ELF of the very binary rt1 runs: linked at rt1's entry, which is
    # RAM in plain QEMU too.
    elf = os.path.join(build, "guests", f"{PROGRAM}-{entry:#x}.elf")
    if not os.path.exists(elf):
        sys.exit(f"bench_micro: {elf} missing (make BUILD={args.build} "
                 f"scenario-builds)")
    try:
        tessera_cmd = tessera_command(build)
    except tessera_qemu.LaunchError as e:
        sys.exit(f"bench_micro: {e}")

    plains, tesseras = [], []
    for k in range(max(1, args.runs)):
        suffix = f"-{k + 1}" if args.runs > 1 else ""
        plains.append(run_guest("plain QEMU", PLAIN_QEMU + ["-kernel", elf],
                                os.path.join(log_dir, f"micro-plain{suffix}.log"),
                                plain_powered_off))
        tesseras.append(run_guest("Tessera", tessera_cmd, os.path.join(
            log_dir, f"micro-tessera{suffix}.log"), tessera_powered_off))
    plain, tessera = plains[0], tesseras[0]
    check_fairness(plain, tessera)
    repeatable = True
    for runs in (plains, tesseras):
        if any(r.figures() != runs[0].figures() for r in runs[1:]):
            repeatable = False
            runs[0].failures.append("figures differ between runs: " + "; ".join(
                str(r.figures()) for r in runs))
    print_table(plain, tessera)
    if args.runs > 1 and repeatable:
        print(f"  (figures identical over {args.runs} runs of each)")
    failed = False
    for run in plains + tesseras:
        # A repeated run's notes are the first one's again.
        shown = run.failures + (run.notes if run in (plain, tessera) else [])
        for line in shown:
            print(f"  {run.name}: {line}")
        failed |= bool(run.failures)
    print(f"  logs: {log_dir}/micro-*.log")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
