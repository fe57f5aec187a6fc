#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""A pre-launched VM's device tree (doc/device-tree.rst), scenario
tests/scenarios/dt.toml: the hypervisor writes it into the last 64 KiB of
the memory region holding the VM's entry and passes it in x0 at every
start; tests/guests/dtcheck.c walks it and prints what it says."""

import re

from harness import expect

SCENARIO = "dt"
DT_GPA = 0x50000000 + 0x02000000 - 0x10000


def boot_lines(run, boot, start):
    """The dtcheck lines of one boot, up to its 'done'."""
    first = run.wait_for(rf"^\[dt0\] dtcheck: boot {boot}: device tree at "
                         rf"{DT_GPA:#x}, \d+ bytes$", start, timeout=30)
    done = run.wait_for(rf"^\[dt0\] dtcheck: boot {boot}: done$", first)
    return [run.line(i)[len("[dt0] dtcheck: "):]
            for i in run.matching(r"^\[dt0\] dtcheck: ", first) if i <= done], done


def test_partition_gets_its_device_tree_at_every_start(ctx):
    with ctx.boot("dt", deadline_s=60) as run:
        lines, done = boot_lines(run, 1, 0)
        expect("2 cpus" in lines, f"not 2 CPUs: {lines}")
        expect("memory 0x50000000+0x2000000" in lines and
               "memory 0x70000000+0x400000" in lines,
               f"memory nodes: {lines}")
        expect('bootargs "tessera.test=dt quiet"' in lines, f"bootargs: {lines}")
        expect("node pl031@9010000 compatible arm,pl031" in lines,
               f"no passthrough RTC: {lines}")
        expect("node pl011@9000000 compatible arm,pl011" in lines,
               f"no vUART: {lines}")
        expect(not any(re.search(r"virtio|pcie|smmu", l) for l in lines),
               f"a node that is not the VM's: {lines}")
        # after its reset: a tree at the same place, the same contents
        again, done2 = boot_lines(run, 2, done)
        expect([l.replace("boot 2", "boot 1") for l in again] == lines,
               f"boot 2 saw another tree:\n{again}\nafter\n{lines}")
        run.wait_for(r"^\[rt0\] vcpu 0 tick \d+", done2)
