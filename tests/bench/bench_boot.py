#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Boot-time benchmark: QEMU start to the guest's 'tessera-guest: init done'.

    /usr/bin/python3 tests/bench/bench_boot.py [--build build] [--runs 3]

One row per way of booting Debian's kernel with the guest initramfs: the
direct boot (QEMU runs the kernel at EL1, no Tessera) and the same kernel as
Tessera's Service VM in the hybrid scenario (3 vCPUs either way), in one run.
Each row is measured twice over (doc/guest-linux.rst, "Boot-time
benchmark"):

* wall: host seconds from starting QEMU to reading the line, over --runs
  runs of plain TCG (multi-threaded); noisy, depends on the host's load;
* icount: one run with `-icount shift=0,sleep=off` (one virtual ns per guest
  instruction, idle time skipped): the kernel's printk timestamp on the
  init-done line, i.e. guest virtual time since the kernel started its
  clock. It does not depend on how fast or busy the host is.

To add a row, call measure_boot(name, qemu_argv, ...) with the command that
boots the same kernel and initramfs another way (e.g. under Tessera) and
pass the rows to print_table(). Speed is reported, never asserted.
"""

import argparse
import os
import re
import statistics
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402
import test_linux_direct  # noqa: E402
import tessera_qemu  # noqa: E402  (harness put misc/launch on the path)
from table import print_rows  # noqa: E402

READY = r"tessera-guest: init done"
# The /dev/kmsg copy of the line, with the kernel's timestamp.
STAMPED = r"\[\s*(\d+\.\d+)\] tessera-guest: init done"
ICOUNT = ["-icount", "shift=0,sleep=off"]
DEADLINE_S = 180


class Row:
    def __init__(self, name, walls, icount_wall, guest_s):
        self.name = name
        self.walls = walls              # host seconds, plain TCG runs
        self.icount_wall = icount_wall  # host seconds of the -icount run
        self.guest_s = guest_s          # printk time at init done, -icount run


def boot_once(cmd, log_path, ready=READY, deadline_s=DEADLINE_S):
    """(host seconds from QEMU start to the `ready` line, printk seconds on
    the stamped init-done line or None)."""
    start = time.monotonic()
    with harness.QemuRun(cmd, log_path, deadline_s) as run:
        i = run.wait_for(ready)
        wall = time.monotonic() - start
        stamped = run.matching(STAMPED)
        guest = (float(re.search(STAMPED, run.line(stamped[0]))[1])
                 if stamped and stamped[0] <= i else None)
    return wall, guest


def measure_boot(name, cmd, log_dir, runs=3, ready=READY):
    """A Row for `cmd` (a QEMU argv without -icount): `runs` plain runs and
    one -icount run, each log kept in log_dir."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    walls = [boot_once(cmd, os.path.join(log_dir, f"{slug}-{k}.log"), ready)[0]
             for k in range(runs)]
    icount_wall, guest = boot_once(cmd + ICOUNT, os.path.join(
        log_dir, f"{slug}-icount.log"), ready)
    return Row(name, walls, icount_wall, guest)


def print_table(rows, title):
    head = ("", "wall s median", "min", "max", "icount wall s",
            "icount guest s")
    print_rows(title, head, [
        (r.name, f"{statistics.median(r.walls):.2f}", f"{min(r.walls):.2f}",
         f"{max(r.walls):.2f}", f"{r.icount_wall:.2f}",
         "-" if r.guest_s is None else f"{r.guest_s:.3f}") for r in rows],
        rule=False)
    if any(len(r.walls) > 1 for r in rows):
        print(f"  (wall: {len(rows[0].walls)} runs per row; "
              "icount guest s: kernel printk time at init done)")


def hybrid_build(build):
    """A build directory with the hybrid scenario, or None."""
    import json
    for d in (os.path.join(build, "scenario-hybrid"), build):
        try:
            with open(os.path.join(d, "generated", "scenario.json")) as f:
                if json.load(f)["scenario"] == "hybrid":
                    return d
        except (OSError, ValueError, KeyError):
            pass
    return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--runs", type=int, default=3)
    args = ap.parse_args()
    log_dir = os.path.join(args.build, "test-logs", "bench")
    try:
        direct = test_linux_direct.direct_command(args.build, "")
        with open(os.path.join(args.build, "guest", "kernel-version")) as f:
            release = f.read().strip()
        rows = [measure_boot("direct (no Tessera)", direct, log_dir, args.runs)]
        hybrid = hybrid_build(args.build)
        if hybrid:
            disk = os.path.join(args.build, "guest", "test-disk.img")
            under = tessera_qemu.qemu_command(hybrid, {"rt0": "hello"},
                                              disk=disk)
            rows.append(measure_boot("Service VM under Tessera", under,
                                     log_dir, args.runs))
        else:
            print("bench_boot: no hybrid build (make scenario-builds): "
                  "only the direct boot is measured")
    except (harness.TestFailure, OSError, tessera_qemu.LaunchError) as e:
        sys.exit(f"bench_boot: {e}")
    print_table(rows, f"boot to '{READY}': Linux {release}, "
                      f"{test_linux_direct.SMP} vCPUs, "
                      f"{test_linux_direct.MEM_MIB} MiB, QEMU TCG cortex-a72")


if __name__ == "__main__":
    main()
