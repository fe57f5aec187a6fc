#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""DMA isolation (doc/dma-isolation.rst), scenario tests/scenarios/dma.toml:
a partition's PCI device behind the SMMU (QEMU's edu DMA engine, driven by
tests/guests/dmaattack.c) reaches its own memory and nothing else; the
partition next door (tests/guests/canary.c) keeps its page and its
heartbeat. The same attack through an unconfined virtio-mmio transport is
refused at build time (tests/tools/fixtures/bad-scenario-dma.toml)."""

import re

from harness import expect

SCENARIO = "dma"
# A DMA engine with a 64-bit mask (edu's default, 28 bits, would clamp the
# addresses before they reach the SMMU).
EDU = ["-device", "edu,dma_mask=0xffffffffffffffff"]
FAULT = (r"^\[hv\] warning: smmu: vm dma0: stream 0x{sid:x}: F_TRANSLATION on a "
         r"DMA {rw} at 0x{addr:x} \(refused\)$")
CANARY = 0x50100000
HYPERVISOR = 0x40200000


def test_partition_dma_reaches_only_its_own_memory(ctx):
    with ctx.boot("dma", extra=EDU, deadline_s=120) as run:
        first = run.wait_for(r"^\[rt0\] canary: 4 KiB at 0x50100000, checksum "
                             r"(0x[0-9a-f]+)$", timeout=30)
        checksum = re.search(r"checksum (0x[0-9a-f]+)", run.line(first))[1]
        run.wait_for(r"^\[hv\] vm dma0: device pcie: DMA confined to its "
                     r"memory by the SMMU \(streams 0x0..0xfff\)$", 0)
        i = run.wait_for(r"^\[dma0\] dmaattack: edu at 00:(\w+)\.0 \(stream "
                         r"0x(\w+)\), ident 0x10000ed$")
        sid = int(re.search(r"stream 0x(\w+)", run.line(i))[1], 16)
        # The positive control: without it a dead device would pass.
        run.wait_for(r"^\[dma0\] dmaattack: own memory round trip: ok$", i)
        done = run.wait_for(r"^\[dma0\] dmaattack: done$", i)
        read = run.wait_for(r"^\[dma0\] dmaattack: read of 0x50100000: ", i)
        expect(run.line(read).endswith("refused"),
               f"the device read rt0's memory: {run.line(read)}")
        for rw, addr in (("read", CANARY), ("write", CANARY),
                         ("write", HYPERVISOR)):
            run.wait_for(FAULT.format(sid=sid, rw=rw, addr=addr), i)
        # rt0 goes on, its page as it was, for a while after the attack.
        end = run.wait_for(r"^\[rt0\] vcpu 0 tick \d+", done + 1, timeout=20)
        for _ in range(3):
            end = run.wait_for(r"^\[rt0\] vcpu 0 tick \d+", end + 1, timeout=20)
        ticks = [run.line(k) for k in run.matching(r"^\[rt0\] vcpu 0 tick ", first)
                 if k <= end]
        numbers = [int(re.search(r"tick (\d+)", t)[1]) for t in ticks]
        expect(numbers == list(range(1, len(numbers) + 1)),
               f"rt0's heartbeat skipped: {numbers}")
        expect(all(t.endswith("checksum " + checksum) for t in ticks),
               "rt0's page changed: " + next(
                   (t for t in ticks if not t.endswith(checksum)), ""))
        expect(not run.matching(r"^\[hv\] warning: vm rt0"), "rt0 was disturbed")
