# SPDX-License-Identifier: BSD-3-Clause
"""The `hybrid` scenario: Debian's arm64 kernel as the Service VM `sos`
(3 vCPUs on pCPUs 0-2, all RAM the others do not own, passthrough RTC and
PCIe host bridge, its disk a virtio-blk-pci behind the SMMU) beside the
pre-launched `rt0` (pCPU 3) printing a heartbeat."""

import os
import re

from harness import expect
from test_linux_direct import check_lines, verify_sos_check

SCENARIO = "hybrid"
SHELL = r"^\[sos\] tessera-guest: starting shell"
INIT_DONE = r"^\[sos\] tessera-guest: init done, (\d+) CPUs"
HEARTBEAT = r"^\[rt0\] vcpu 0 tick (\d+) t=(\d+)$"
PERIOD_MS = 300
# rt0's own clock may not jump by more than this between two heartbeats.
# Generous: QEMU's vCPU threads share 2 host cores with everything else.
MAX_GAP_MS = 3000


def sos_memory_mib(build):
    import json
    with open(os.path.join(build, "generated", "scenario.json")) as f:
        sos = next(vm for vm in json.load(f)["vms"] if vm["name"] == "sos")
    return sum(r["size"] for r in sos["memory"]) >> 20


def disk_token(build):
    with open(os.path.join(build, "guest", "test-disk.token")) as f:
        return f.read().strip()


def boot(ctx, name, append="", deadline_s=120):
    return ctx.boot(name, images={"rt0": "hello"}, append=append,
                    deadline_s=deadline_s,
                    disk=os.path.join(ctx.build, "guest", "test-disk.img"))


def shell(run, command, answer, start=0, timeout=30):
    """Type a command at the Service VM's shell; wait for its answer line."""
    run.send(command + "\n")
    return run.wait_for(answer, start, timeout=timeout)


def heartbeat_without_gaps(run, until, vm="rt0", max_gap_ms=MAX_GAP_MS,
                           at_least=5):
    """Check a bare-metal VM's `hello` heartbeats up to line `until`: none
    missing, none later than max_gap_ms after the one before. The largest
    gap, in ms."""
    beat = rf"^\[{vm}\] vcpu 0 tick (\d+) t=(\d+)$"
    ticks = [tuple(int(x) for x in re.search(beat, run.line(i)).groups())
             for i in run.matching(beat) if i <= until]
    expect(len(ticks) >= at_least, f"only {len(ticks)} heartbeats from {vm}")
    for (n0, t0), (n1, t1) in zip(ticks, ticks[1:]):
        expect(n1 == n0 + 1, f"{vm} heartbeat {n0} followed by {n1}")
        expect(t1 - t0 <= max_gap_ms,
               f"{vm} stalled {t1 - t0} ms between heartbeats {n0} and {n1}")
    return max(t1 - t0 for (_, t0), (_, t1) in zip(ticks, ticks[1:]))


def hv_errors(run):
    return [run.line(i) for i in run.matching(r"^\[hv\] (error|panic)")]


def test_service_vm_boots_smp_with_memory_disk_and_timers(ctx):
    with boot(ctx, "sos-check", append="tessera.run=sos-check.sh") as run:
        i = run.wait_for(INIT_DONE)
        expect(re.search(INIT_DONE, run.line(i))[1] == "3",
               f"Service VM init saw: {run.line(i)}")
        verify_sos_check(check_lines(run, i, prefix="[sos] "), 3,
                         sos_memory_mib(ctx.build), disk_token(ctx.build))
        # The platform's rng-seed reached the kernel: its crng was ready
        # before anything ran (without the seed: some 15 s into the boot).
        crng = run.wait_for(r"^\[sos\] \[\s*(\d+)\.\d+\] random: crng init done",
                            0, timeout=1)
        expect(re.search(r"\[\s*(\d+)\.", run.line(crng))[1] == "0",
               f"the crng was ready late: {run.line(crng)}")
        start = run.wait_for(SHELL, i)
        # The console's input goes to the Service VM's shell.
        shell(run, "echo typed-$((6*7))", r"^\[sos\] typed-42\r?$", start)
        expect(not hv_errors(run), f"hypervisor errors: {hv_errors(run)}")


def test_rt0_keeps_running_through_sos_boot_load_and_reboot(ctx):
    with boot(ctx, "sos-reboot", deadline_s=180) as run:
        first = run.wait_for(SHELL)
        done = shell(run, "sh /tests/load.sh 4", r"^\[sos\] load: done \d+ disk passes",
                     first, timeout=60)
        passes = int(re.search(r"done (\d+)", run.line(done))[1])
        expect(passes > 0, "the load script read nothing from the disk")
        run.send("reboot\n")
        reset = run.wait_for(r"^\[hv\] vm sos: resetting \(PSCI SYSTEM_RESET\)",
                             done, timeout=60)
        again = run.wait_for(SHELL, reset, timeout=90)
        # The platform's one seed went to the first boot, not again.
        seeded = run.matching(r"^\[hv\] vm sos: the platform's rng-seed")
        expect(len(seeded) == 1 and seeded[0] < reset,
               f"rng-seed given at lines {seeded} (reset at {reset})")
        shell(run, "echo back-$((6*7))", r"^\[sos\] back-42\r?$", again)
        after = run.wait_for(HEARTBEAT, again + 1)
        gap = heartbeat_without_gaps(run, after)
        print(f"    rt0: largest gap between heartbeats {gap} ms "
              f"(period {PERIOD_MS} ms)")
        expect(not hv_errors(run), f"hypervisor errors: {hv_errors(run)}")


def test_sos_cannot_touch_rt0_or_hypervisor_memory(ctx):
    with boot(ctx, "sos-isolation") as run:
        start = run.wait_for(SHELL)
        for addr in (0x50000000, 0x40200000):
            line = shell(run, f"devmem {addr:#x} 32; echo devmem-rc=$?",
                         r"^\[sos\] devmem-rc=\d+", start)
            expect(run.line(line).rstrip("\r").endswith("devmem-rc=135"),
                   f"devmem {addr:#x} was not killed by SIGBUS: {run.line(line)}")
            run.wait_for(rf"^\[hv\] warning: vm sos vcpu \d: read at {addr:#x} "
                         rf"\(pc 0x[0-9a-f]+\) is outside its memory", start)
            start = line
        # Both survive: the Service VM answers, rt0 ticks on.
        end = shell(run, "echo alive-$((6*7))", r"^\[sos\] alive-42\r?$", start)
        run.wait_for(HEARTBEAT, end + 1)
        expect(not hv_errors(run), f"hypervisor errors: {hv_errors(run)}")


# QEMU's edu DMA engine on the Service VM's PCIe bus, with a 64-bit mask
# (its default, 28 bits, would clamp the addresses before the SMMU sees them).
EDU = ["-device", "edu,dma_mask=0xffffffffffffffff"]
CANARY = r"^\[rt0\] vcpu 0 tick (\d+) checksum (0x[0-9a-f]+)(.*)$"


def test_sos_dma_cannot_reach_rt0_or_hypervisor(ctx):
    """A PCI device the Service VM drives from user space (tests/guests/
    linux/dma_attack.c, no kernel driver) DMAs within the Service VM's
    memory, but its reads of rt0's page and writes to it and to the
    hypervisor fault in the SMMU (doc/dma-isolation.rst). rt0 (the canary
    guest) keeps its page's checksum and its heartbeat."""
    with ctx.boot("sos-dma", images={"rt0": "canary"}, extra=EDU,
                  deadline_s=150,
                  disk=os.path.join(ctx.build, "guest", "test-disk.img")) as run:
        first = run.wait_for(r"^\[rt0\] canary: 4 KiB at 0x50100000, checksum "
                             r"(0x[0-9a-f]+)$", timeout=30)
        checksum = re.search(r"checksum (0x[0-9a-f]+)", run.line(first))[1]
        start = run.wait_for(SHELL)
        # The positive control: the device works, through the SMMU.
        own = shell(run, "dma-attack own", r"^\[sos\] dma-attack: own memory "
                    r"round trip: \w+", start)
        expect(run.line(own).rstrip("\r").endswith(": ok"),
               f"DMA within the Service VM failed: {run.line(own)}")
        sid = int(re.search(r"edu 0000:00:(\w+)\.0", run.line(
            run.wait_for(r"^\[sos\] dma-attack: edu ", start)))[1], 16) << 3
        read = shell(run, "dma-attack read 0x50100000",
                     r"^\[sos\] dma-attack: read:", own)
        leaked = " ".join("%02x" % ((i * 37 + 11) & 0xff) for i in range(16))
        expect(leaked not in run.line(read), f"rt0's page leaked: {run.line(read)}")
        last = read
        for addr in (0x50100000, 0x40200000):
            last = shell(run, f"dma-attack write {addr:#x}",
                         rf"^\[sos\] dma-attack: wrote {addr:#x}", last)
        for rw, addr in (("read", 0x50100000), ("write", 0x50100000),
                         ("write", 0x40200000)):
            run.wait_for(rf"^\[hv\] warning: smmu: vm sos: stream {sid:#x}: "
                         rf"F_TRANSLATION on a DMA {rw} at {addr:#x} \(refused\)$",
                         own)
        end = shell(run, "echo alive-$((6*7))", r"^\[sos\] alive-42\r?$", last)
        for _ in range(2):
            end = run.wait_for(CANARY, end + 1, timeout=20)
        ticks = [re.search(CANARY, run.line(i)).groups()
                 for i in run.matching(CANARY, first) if i <= end]
        expect([int(n) for n, _, _ in ticks] == list(range(1, len(ticks) + 1)),
               f"rt0's heartbeat skipped: {[n for n, _, _ in ticks]}")
        expect(all(c == checksum and not rest for _, c, rest in ticks),
               f"rt0's page changed: {ticks}")
        expect(not hv_errors(run), f"hypervisor errors: {hv_errors(run)}")


def test_rt0_survives_sos_panic_and_poweroff(ctx):
    with boot(ctx, "sos-panic") as run:
        start = run.wait_for(SHELL)
        run.send("echo c > /proc/sysrq-trigger\n")
        panic = run.wait_for(r"^\[sos\] .*Kernel panic", start)
        heartbeat_without_gaps(run, run.wait_for(HEARTBEAT, panic + 1))
        for _ in range(5):
            panic = run.wait_for(HEARTBEAT, panic + 1)
    with boot(ctx, "sos-poweroff") as run:
        start = run.wait_for(SHELL)
        run.send("poweroff\n")
        off = run.wait_for(r"^\[hv\] vm sos: powered off \(PSCI SYSTEM_OFF\)",
                           start)
        for _ in range(5):
            off = run.wait_for(HEARTBEAT, off + 1)
        expect(not hv_errors(run), f"hypervisor errors: {hv_errors(run)}")
