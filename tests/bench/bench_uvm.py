#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""User VM benchmark: the micro-benchmark guest as a post-launched VM, and
a User VM's Linux boot.

    /usr/bin/python3 tests/bench/bench_uvm.py [--build build]

One boot of the hybrid scenario under QEMU -icount shift=0,sleep=off (one
virtual ns per instruction the machine executes; doc/testing.rst). At the
Service VM's shell it runs, one after the other:

1. tessera-dm --bare with tests/guests/microbench.c (built at RAM + 2 MiB,
   /usr/share/tessera/bench/microbench.bin) as uvm0, 2 vCPUs, one
   virtio-rng device, three times: notify mode as it comes, notify mode
   with --spin-us 0, and --polling. The guest's "MMIO read, no handler"
   loop reads 0x0a000000, which in a User VM is the virtio-rng transport's
   MagicValue: every read goes guest -> request slot -> (upcall -> HSM ->)
   tessera-dm -> completion -> notify -> post-work. As it comes, the DM
   watches the slots for 50 us after a request, so the loop's reads raise
   no upcall; with --spin-us 0 each one is an upcall, the HSM's handler, a
   wake-up and a wait. In polling mode there is no upcall, no wake-up and
   no system call on the path.
2. launch_uos.sh with Debian's kernel, to the User VM's "init done" line:
   its kernel's printk time there, beside the same kernel and initramfs
   booted by QEMU directly (bench_boot.py measures that one).

The table puts the User VM's figures beside plain QEMU and the partitioned
pre-launched VM (bench_micro.py), Linux KVM's and Tessera's targets.

The Service VM runs Linux meanwhile, and the commands are typed at a wall
clock time, so the User VM's figures may move a little from run to run
(the partitioned ones are deterministic). The Service VM's crng is seeded
(/chosen/rng-seed), so nothing in it waits for entropy. Speed is reported,
never asserted; the exit status says whether every figure was produced.
Console log: BUILD/test-logs/bench/uvm.log.
"""

import argparse
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import bench_micro  # noqa: E402
import harness  # noqa: E402
import tessera_qemu  # noqa: E402
from table import print_rows  # noqa: E402

SCENARIO = "hybrid"
SHELL = r"^\[sos\] tessera-guest: starting shell"
BENCH_IMAGE = "/usr/share/tessera/bench/microbench.bin"
DM = (f"tessera-dm --name uvm0 --bare -k {BENCH_IMAGE} -c 2 -m 64M "
      f"-s virtio-rng")
VIRTIO_MAGIC = "0x74726976"  # "virt": the transport answered
UVM_INIT_DONE = r"^\[uvm0\] \[\s*(\d+\.\d+)\] tessera-guest: init done"
DEADLINE_S = 1500
STEP_S = 600

# bench_micro's rows, without the EOI; in a User VM the MMIO read with no
# hypervisor handler is the forwarded one, so it takes that row's label,
# KVM figure and target.
ROWS = tuple(("mmio-unhandled", *row[1:]) if row[0] == "mmio-forwarded"
             else row for row in bench_micro.ROWS
             if row[0] not in ("mmio-unhandled", "eoi"))


def hybrid_build(build):
    d = os.path.join(build, f"scenario-{SCENARIO}")
    return d if os.path.isdir(d) else build


# The device model's ways of serving (column, extra options): notify mode
# as it comes (it watches the slots for 50 us after a request, so a burst
# raises no upcall), notify mode blocking at once (every request an
# upcall, a wake-up and a wait), polling mode.
DM_MODES = (("notify", ""), ("notify, no watch", " --spin-us 0"),
            ("polling", " --polling"))


def run_dm(qemu, start, mode, options):
    """One tessera-dm run of the micro-benchmark; a bench_micro.Run."""
    polling = "--polling" in options
    run = bench_micro.Run("User VM, " + mode)
    # The device model runs on CPU 0, whose pCPU the User VM does not
    # share: a polling one never sleeps and would starve the User VM's vCPU
    # on a shared pCPU (doc/user-vms.rst, launch_uos.sh -P); a notified one
    # is woken where the upcall interrupt arrives.
    dm = f"taskset -c 0 {DM}{options}"
    qemu.send(f"{dm}; echo dm-exit=$?\n")
    try:
        done = qemu.wait_for(r"^\[uvm0\] microbench: done$", start,
                             timeout=STEP_S)
        lines = [qemu.line(i)[len("[uvm0] "):] for i in range(start, done + 1)
                 if qemu.line(i).startswith("[uvm0] ")]
        run.parse(lines)
        end = qemu.wait_for(r"^\[sos\] dm-exit=\d+", done, timeout=120)
        if not qemu.line(end).rstrip("\r").endswith("dm-exit=0"):
            run.failures.append(f"the device model said {qemu.line(end)}")
        completion = "polling" if polling else "notify"
        if not qemu.matching(rf"^\[hv\] vm uvm0: created .*{completion} "
                             rf"completion", start):
            run.failures.append(f"uvm0 was not created in {completion} "
                                f"mode")
        if run.info.get("unhandled-read") != VIRTIO_MAGIC:
            run.failures.append(
                f"the forwarded read returned {run.info.get('unhandled-read')},"
                f" not the virtio magic {VIRTIO_MAGIC}: not served by the DM")
        return run, end
    except harness.TestFailure as e:
        run.failures.append(f"run failed: {e}")
        return run, start


def uvm_boot(qemu, start):
    """Printk seconds at the User VM's init-done line; then its shell is
    told to power off. Returns (seconds, the device model's exit line)."""
    qemu.send("launch_uos.sh; echo dm-exit=$?\n")
    i = qemu.wait_for(UVM_INIT_DONE, start, timeout=STEP_S)
    shell = qemu.wait_for(r"^\[sos\] tessera-guest: starting shell "
                          r"\(tessera.prompt=uvm0\)", i,
                          timeout=STEP_S)
    qemu.send("poweroff\n")
    end = qemu.wait_for(r"^\[sos\] dm-exit=\d+", shell, timeout=STEP_S)
    return float(re.search(UVM_INIT_DONE, qemu.line(i))[1]), end


def cell(run, op):
    r = run.results.get(op) if run else None
    return "-" if r is None else f"{r[0]:,}"


def print_table(plain, pre, uvm_runs):
    head = ("operation", "plain QEMU", "pre-launched VM",
            *(f"User VM ({mode})" for mode, _ in DM_MODES),
            "Linux KVM + kvmtool", "Tessera's target")
    print_rows(bench_micro.TITLE, head, [
        (label, cell(plain, key),
         "-" if key == "mmio-unhandled" else cell(pre, key),
         *(cell(r, key) for r in uvm_runs), kvm, target)
        for key, label, kvm, target in ROWS])
    print("  The User VM shares pCPUs 1-2 with the Service VM (Linux, idle "
          "at its shell); plain QEMU's\n  MMIO row reads a QEMU device "
          "register. Every instruction the machine executes counts.")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    args = ap.parse_args()
    log_dir = os.path.join(args.build, "test-logs", "bench")
    build = hybrid_build(args.build)
    try:
        cmd = tessera_qemu.qemu_command(build, images={"rt0": "beacon"},
                                        extra=bench_micro.ICOUNT)
    except tessera_qemu.LaunchError as e:
        sys.exit(f"bench_uvm: {e}")
    pre_build, scenario = bench_micro.partitioned_build(args.build)
    plain = pre = None
    if pre_build:
        entry = next(vm["entry"] for vm in scenario["vms"]
                     if vm["name"] == bench_micro.VM)
        elf = os.path.join(pre_build, "guests",
                           f"{bench_micro.PROGRAM}-{entry:#x}.elf")
        plain = bench_micro.run_guest(
            "plain QEMU", bench_micro.PLAIN_QEMU + ["-kernel", elf],
            os.path.join(log_dir, "uvm-plain.log"),
            bench_micro.plain_powered_off)
        pre = bench_micro.run_guest(
            "pre-launched VM", bench_micro.tessera_command(pre_build),
            os.path.join(log_dir, "uvm-pre-launched.log"),
            bench_micro.tessera_powered_off)
    runs, boot_s = [], None
    try:
        with harness.QemuRun(cmd, os.path.join(log_dir, "uvm.log"),
                             DEADLINE_S) as qemu:
            at = qemu.wait_for(SHELL, timeout=STEP_S)
            for mode, options in DM_MODES:
                run, at = run_dm(qemu, at, mode, options)
                runs.append(run)
            boot_s, at = uvm_boot(qemu, at)
            errors = [qemu.line(i) for i in qemu.matching(
                r"^\[hv\] (error|panic)")]
    except harness.TestFailure as e:
        print(f"bench_uvm: {e}")
        errors = [str(e)]
    runs = (runs + [None] * len(DM_MODES))[:len(DM_MODES)]
    print_table(plain, pre, runs)
    if boot_s is not None:
        print(f"User VM (Debian's kernel, 1 vCPU, 256 MiB, launch_uos.sh): "
              f"'init done' at {boot_s:.3f} s of its kernel's time "
              f"(direct boot: bench_boot.py)")
    failed = bool(errors) or boot_s is None
    for run in [r for r in (plain, pre, *runs) if r]:
        for why in run.failures:
            print(f"  {run.name}: {why}")
            failed = True
    for e in errors:
        print(f"  {e}")
    print(f"  logs: {log_dir}/uvm*.log")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
