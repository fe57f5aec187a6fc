# SPDX-License-Identifier: BSD-3-Clause
"""Debian's arm64 kernel and the guest initramfs booted directly by QEMU (no
hypervisor): the reference the Service VM tests compare against, and a check
that the initramfs, its modules and the test disk work (doc/guest-linux.rst).

Needs build/guest/{Image,rootfs.cpio.gz,test-disk.img,test-disk.token}.
No SCENARIO: runs in every build."""

import gzip
import json
import os
import re
import subprocess
import sys

from harness import QemuRun, TestFailure, expect

REPO = os.path.normpath(os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                     "..", ".."))
sys.path.insert(0, os.path.join(REPO, "misc", "rootfs"))
import build_rootfs  # noqa: E402

SMP = 3
MEM_MIB = 1024
DEADLINE_S = 30
INIT_DONE = r"tessera-guest: init done, (\d+) CPUs"


def guest_file(build, name):
    path = os.path.join(build, "guest", name)
    if not os.path.exists(path):
        raise TestFailure(f"{path} missing: run 'make {path}' "
                          f"(doc/guest-linux.rst)")
    return path


def direct_command(build, append, smp=SMP, mem_mib=MEM_MIB, disk=True,
                   extra=()):
    """QEMU argv booting the guest kernel and initramfs at EL1, no Tessera."""
    cmd = ["qemu-system-aarch64", "-M", "virt,gic-version=3", "-nic", "none",
           "-cpu", "cortex-a72", "-smp", str(smp), "-m", f"{mem_mib}M",
           "-nographic", "-no-reboot",
           "-kernel", guest_file(build, "Image"),
           "-initrd", guest_file(build, "rootfs.cpio.gz"),
           "-append", "console=ttyAMA0 " + append]
    if disk:
        cmd += ["-drive", f"if=none,file={guest_file(build, 'test-disk.img')},"
                "format=raw,id=d0,readonly=on",
                "-device", "virtio-blk-device,drive=d0"]
    return cmd + list(extra)


def check_lines(run, start=0, prefix=""):
    """The guest's 'check: KEY...' lines up to 'check: done', as a list of
    strings without 'check: '; fails if the script did not finish. `prefix`
    is what the console puts before each guest line (e.g. a VM tag)."""
    head = "^" + re.escape(prefix + "check: ")
    done = run.wait_for(head + "done$", start)
    return [run.line(i)[len(prefix + "check: "):]
            for i in run.matching(head, start) if i < done]


def verify_sos_check(checks, nproc, mem_mib, token):
    """What tests/guests/linux/sos-check.sh must report on a healthy guest
    with `nproc` CPUs and `mem_mib` MiB of RAM that reads the test disk."""
    values = dict(c.split("=", 1) for c in checks if "=" in c)
    expect(values.get("nproc") == str(nproc),
           f"nproc={values.get('nproc')}, expected {nproc}")
    mem = int(values.get("memtotal_kb", "0"))
    # MemTotal is RAM minus the kernel image and early reservations.
    expect(mem_mib * 1024 * 0.85 < mem <= mem_mib * 1024,
           f"memtotal_kb={mem} is not close to {mem_mib} MiB")
    expect(values.get("disk") == token,
           f"disk={values.get('disk')!r}, expected the token {token!r}")
    timers = {}
    for c in checks:
        m = re.fullmatch(r"timer cpu(\d+) (\d+)->(\d+)", c)
        if m:
            timers[int(m[1])] = (int(m[2]), int(m[3]))
    expect(sorted(timers) == list(range(nproc)),
           f"timer lines for CPUs {sorted(timers)}, expected 0..{nproc - 1}: {checks}")
    for cpu, (a, b) in sorted(timers.items()):
        expect(b > a, f"arch_timer interrupts on cpu{cpu} did not advance: {a}->{b}")
    errors = [c for c in checks if "ERROR" in c]
    expect(not errors, f"sos-check reported: {errors}")


def test_direct_boot_sos_check(ctx):
    with open(guest_file(ctx.build, "test-disk.token")) as f:
        token = f.read().strip()
    cmd = direct_command(ctx.build, "tessera.run=sos-check.sh tessera.poweroff=1")
    with QemuRun(cmd, os.path.join(ctx.log_dir, "linux-direct.log"),
                 DEADLINE_S) as run:
        i = run.wait_for(INIT_DONE)
        cpus = int(re.search(INIT_DONE, run.line(i))[1])
        expect(cpus == SMP, f"init saw {cpus} CPUs, expected {SMP}")
        expect(not run.matching(r"tessera-guest: insmod .* failed"),
               "a module failed to load: " +
               "; ".join(run.line(j) for j in run.matching("insmod .* failed")))
        verify_sos_check(check_lines(run, i), SMP, MEM_MIB, token)
        run.wait_for(r"^tessera-guest: sos-check\.sh exit 0$", i)
        run.wait_for(r"reboot: Power down", i)
        try:
            run.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            raise TestFailure("QEMU did not exit after the guest powered off")


def test_direct_boot_bad_script_gives_shell(ctx):
    """An unknown tessera.run script is reported and /init still ends in the
    shell with the tessera.prompt prompt (and no poweroff without
    tessera.poweroff=1)."""
    cmd = direct_command(ctx.build, "tessera.run=no-such.sh tessera.prompt=uvm",
                         disk=False)
    with QemuRun(cmd, os.path.join(ctx.log_dir, "linux-direct-shell.log"),
                 DEADLINE_S) as run:
        i = run.wait_for(INIT_DONE)
        run.wait_for(r"^tessera-guest: tessera\.run=no-such\.sh: no /tests/no-such\.sh$", i)
        # The prompt itself ends no line, and the harness reads lines.
        run.wait_for(r"^tessera-guest: starting shell \(tessera\.prompt=uvm\)$", i)
        run.wait_for(r"^BusyBox v.* built-in shell", i)
        expect(not run.matching(r"reboot: Power down"), "the guest powered off")


def test_rootfs_is_current(ctx):
    """build/guest/rootfs.cpio.gz is what build_rootfs.py makes now from the
    current inputs (a stale image would test old code), and it holds /init,
    the shell, the module list in dependency order and the guest scripts."""
    guest = os.path.join(ctx.build, "guest")
    with open(guest_file(ctx.build, "rootfs.cpio.gz"), "rb") as f:
        on_disk = gzip.decompress(f.read())
    try:
        with open(guest_file(ctx.build, "rootfs.cpio.gz.inputs.json")) as f:
            inputs = json.load(f)
    except (OSError, ValueError) as e:
        raise TestFailure(f"rootfs.cpio.gz.inputs.json: {e}") from e
    try:
        archive, order = build_rootfs.build_archive(
            guest, inputs["hsm_dir"], inputs["variant"], inputs["adds"])
    except build_rootfs.BuildError as e:
        raise TestFailure(f"build_rootfs: {e}") from e
    expect(archive == on_disk, "rootfs.cpio.gz is stale: rebuild it with "
           "misc/rootfs/build_rootfs.py")
    entries = read_newc(archive)
    with open(os.path.join(guest, "kernel-version")) as f:
        moddir = f"lib/modules/{f.read().strip()}"
    for name in ("init", "bin/busybox", "dev/console", "tests/sos-check.sh",
                 f"{moddir}/tessera.modules"):
        expect(name in entries, f"the initramfs has no /{name}")
    expect(entries.get("bin/sh") == b"busybox", "/bin/sh is not busybox")
    listed = entries[f"{moddir}/tessera.modules"].decode().split()
    expect([build_rootfs.module_name(m) for m in listed] == order,
           f"tessera.modules {listed} is not the resolved order {order}")
    for m in listed:
        expect(f"{moddir}/{m}" in entries, f"listed module {m} is not in the archive")
    # Every dependency comes before its user.
    tree = build_rootfs.ModuleTree(os.path.join(guest, "modules"),
                                   moddir.split("/")[-1])
    for pos, name in enumerate(order):
        for dep in tree.deps(name):
            expect(dep in tree.builtin or dep in order[:pos],
                   f"{name} needs {dep}, which is not loaded before it")


def read_newc(data):
    """name -> file data (symlink target for links) of a newc archive."""
    out, pos = {}, 0
    while True:
        expect(data[pos:pos + 6] == b"070701", f"bad cpio header at {pos}")
        fields = [int(data[pos + 6 + 8 * k:pos + 14 + 8 * k], 16) for k in range(13)]
        namesize, filesize = fields[11], fields[6]
        name_end = pos + 110 + namesize
        name = data[pos + 110:name_end - 1].decode()
        start = name_end + (-name_end % 4)
        if name == "TRAILER!!!":
            return out
        out[name] = data[start:start + filesize]
        pos = start + filesize + (-(start + filesize) % 4)
