#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""tessera-dm against the real HSM driver built with its mock hypervisor
(misc/hsm/hsm_mock.c), booted with Debian's kernel directly in QEMU, no
Tessera: a manual check of devicemodel/hsm.c and the serve loop through the
driver's ioctls, mmap, WAIT and NOTIFY. Not part of `make test`.

    make BUILD=B devicemodel hsm-mock
    /usr/bin/python3 devicemodel/tests/hsm_mock_smoke.py [--build B]
        [--guest build/guest]

The mock's initramfs gets a second archive with tessera-dm, a made-up
arm64 Image (the mock never runs it), an initrd, a disk and a script that
runs tessera-dm's error paths and a VM's life: requests published through
the mock's debugfs file (as a trapping vCPU would), a reset, a power-off, a
busy slot, SIGTERM, a polling-mode VM that crashes. Prints one line per
check and "N passed, N failed"; the console log is kept in
B/test-logs/dm/hsm-mock-smoke.log.
"""

import argparse
import gzip
import os
import re
import struct
import subprocess
import sys
import tempfile

MACHINE = ["-M", "virt,gic-version=3", "-cpu", "cortex-a72", "-smp", "3",
           "-m", "1024M", "-nic", "none", "-nographic", "-no-reboot"]
HSM_NODE = """
	hsm {
		compatible = "tessera,hsm";
		interrupts = <0 100 1>, <0 101 1>;
		interrupt-names = "io", "event";
	};
"""

# The mock's VM ids: uvm0 is 2 (notify), uvm1 is 3 (polling).
SCRIPT = r"""
D=/sys/kernel/debug/tessera_hsm_mock
mount -t debugfs none /sys/kernel/debug 2>/dev/null
cd /root
req() { echo "req $*" > $D; sleep 0.3; }
echo "== help"; tessera-dm --help >/dev/null; echo "rc=$?"
echo "== usage"; tessera-dm -k x; echo "rc=$?"
echo "== no slot"; tessera-dm --name nosuch -k Image; echo "rc=$?"
echo "== not post-launched"; tessera-dm --name rt0 -k Image; echo "rc=$?"
echo "== missing kernel"; tessera-dm --name uvm0 -k /nope; echo "rc=$?"
echo "== gzip"; gzip -c Image > Image.gz; tessera-dm --name uvm0 -k Image.gz; echo "rc=$?"
echo "== vcpus"; tessera-dm --name uvm0 -c 9 -k Image; echo "rc=$?"
echo "== memory"; tessera-dm --name uvm0 -m 512M -k Image; echo "rc=$?"
echo "== run"
tessera-dm --name uvm0 -c 2 -k Image -r initrd -s virtio-blk,disk.img \
	-s virtio-rng -s virtio-console --dump-dtb /tmp/uvm.dtb -v \
	</dev/null >/tmp/dm.out 2>/tmp/dm.err &
pid=$!
sleep 2
cat $D
req 2 0 1 0 a000000 4 0
req 2 1 1 0 a000208 4 0
req 2 0 1 0 b000000 4 0
req 2 0 1 1 a000070 4 1
req 2 1 1 0 a000070 4 0
echo "status read back: $(grep 'vm 2 vcpu 1 ' $D)"
req 2 1 1 0 a000100 8 0
req 2 0 7 0 a000000 4 0
cat $D
echo "== reset"
echo "state 2 6" > $D; echo "event 2" > $D; sleep 1
req 2 0 1 0 a000070 4 0
echo "after reset: $(grep 'vm 2 vcpu 0 ' $D)"
echo "state 2 4" > $D; echo "event 2" > $D
wait $pid; echo "run rc=$?"
cat /tmp/dm.err
echo "dtb: $(wc -c < /tmp/uvm.dtb) bytes"
echo "== busy and SIGTERM"
tessera-dm --name uvm0 -k Image </dev/null 2>/tmp/b1.err & p1=$!; sleep 1
tessera-dm --name uvm0 -k Image; echo "second rc=$?"
kill -TERM $p1; wait $p1; echo "first rc=$?"; cat /tmp/b1.err
echo "== polling"
tessera-dm --name uvm1 -m 64M -k Image -s virtio-rng </dev/null 2>/tmp/p.err & p=$!
sleep 1
req 3 0 1 0 a000008 4 0
echo "polled: $(grep 'vm 3 vcpu 0 ' $D)"
echo "state 3 5" > $D; sleep 0.5
wait $p; echo "polling rc=$?"; cat /tmp/p.err
echo "== smoke done"
"""

# (what, regular expression the console log must match)
CHECKS = [
    ("--help", r"== help\nrc=0\n"),
    ("usage error", r"--name SLOT is required.*\n.*\nrc=2\n"),
    ("no such slot", r'no post-launched VM slot "nosuch".*\nrc=4\n'),
    ("not post-launched", r'does not let this Service VM create "rt0".*\nrc=6\n'),
    ("missing kernel", r"cannot open kernel /nope.*\nrc=3\n"),
    ("gzip'd kernel", r"gzip-compressed.*\nrc=3\n"),
    ("too many vCPUs", r"9 vCPUs is more than it allows.*\nrc=6\n"),
    ("too much RAM", r"-m 512 MiB is more than the slot allows.*\nrc=6\n"),
    ("set up and started", r"vm 2 uvm0 state 2 vcpus 2 mode 0 pages 1 mapped "
                           r"268435456 .*regs 0x1 completed 0"),
    ("status written, read back", r"status read back: vm 2 vcpu 1 state 0 value 0x1\n"),
    ("7 requests completed", r"vm 2 uvm0 state 2 .* completed 7 failed 0"),
    ("config read (capacity)", r"vm 2 vcpu 1 state 0 value 0x800\n"),
    ("unknown address logged", r"read from unknown mmio 0xb000000 \(4 bytes\): all-ones"),
    ("bad request logged", r"malformed request: type 7"),
    ("reset: devices reset", r"after reset: vm 2 vcpu 0 state 0 value 0x0\n"),
    ("reset: reloaded", r"uvm0: restarted: 2 vCPUs"),
    ("power-off exits 0", r"run rc=0\n(.*\n)*?.*uvm0: powered off\n"),
    ("device tree dumped", r"dtb: \d+ bytes"),
    ("busy slot", r'slot "uvm0" is busy.*\nsecond rc=5\n'),
    ("SIGTERM exits 9", r"first rc=9\n"),
    ("polling: completed", r"polled: vm 3 vcpu 0 state 3 "),
    ("polling: crash exits 8", r"polling rc=8\n.*polling completion"),
    ("script ran to its end", r"== smoke done"),
]
BAD = r"Oops|BUG:|WARNING:|Call trace:|Unable to handle|Kernel panic"


def newc(entries):
    """A newc cpio archive of (path, mode, data) entries."""
    out = bytearray()

    def pad(n):
        out.extend(b"\0" * ((4 - n % 4) % 4))

    for ino, (path, mode, data) in enumerate(entries + [("TRAILER!!!", 0, b"")], 1):
        name = path.encode() + b"\0"
        hdr = "070701" + "".join("%08x" % v for v in (
            ino, mode, 0, 0, 1, 0, len(data), 0, 0, 0, 0, len(name), 0))
        out.extend(hdr.encode() + name)
        pad(110 + len(name))
        out.extend(data)
        pad(len(data))
    return bytes(out)


def fake_image():
    img = bytearray(1 << 20)
    for i in range(64, len(img)):
        img[i] = (i * 13) & 0xff
    struct.pack_into("<QQQ", img, 8, 0, 4 << 20, 0xa)
    img[56:60] = b"ARM\x64"
    return bytes(img)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--guest", default="build/guest")
    args = ap.parse_args()
    dm = os.path.join(args.build, "devicemodel", "tessera-dm")
    rootfs = os.path.join(args.build, "hsm-mock", "rootfs.cpio.gz")
    for f in (dm, rootfs, os.path.join(args.guest, "Image")):
        if not os.path.exists(f):
            sys.exit(f"no {f}: make BUILD={args.build} devicemodel hsm-mock")
    with tempfile.TemporaryDirectory() as tmp:
        with open(dm, "rb") as f:
            overlay = newc([
                ("bin/tessera-dm", 0o100755, f.read()),
                ("root/Image", 0o100644, fake_image()),
                ("root/initrd", 0o100644, bytes(range(256)) * 64),
                ("root/disk.img", 0o100644, bytes(1 << 20)),
                ("tests/dm-smoke.sh", 0o100644, SCRIPT.encode()),
            ])
        initrd = os.path.join(tmp, "initrd.cpio.gz")
        with open(rootfs, "rb") as f, open(initrd, "wb") as out:
            out.write(f.read() + gzip.compress(overlay))
        base = os.path.join(tmp, "virt.dtb")
        subprocess.run(["qemu-system-aarch64"] + [
            a if a != "virt,gic-version=3" else a + ",dumpdtb=" + base
            for a in MACHINE], check=True, capture_output=True, timeout=60)
        dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", base],
                             check=True, capture_output=True, text=True).stdout
        end = dts.rstrip().rindex("};")
        dtb = os.path.join(tmp, "hsm.dtb")
        subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", dtb, "-"],
                       input=dts[:end] + HSM_NODE + "};\n", check=True, text=True)
        run = subprocess.run(
            ["qemu-system-aarch64"] + MACHINE + [
                "-kernel", os.path.join(args.guest, "Image"), "-initrd", initrd,
                "-dtb", dtb, "-append",
                "console=ttyAMA0 tessera.run=dm-smoke.sh tessera.poweroff=1"],
            capture_output=True, text=True, errors="replace", timeout=600)
    log = run.stdout.replace("\r\n", "\n")
    logdir = os.path.join(args.build, "test-logs", "dm")
    os.makedirs(logdir, exist_ok=True)
    with open(os.path.join(logdir, "hsm-mock-smoke.log"), "w") as f:
        f.write(log)
    passed = failed = 0
    for what, pattern in CHECKS + [("no kernel trouble", None)]:
        ok = (re.search(pattern, log) is not None if pattern
              else re.search(BAD, log) is None)
        print(("ok     " if ok else "FAILED ") + what)
        passed += ok
        failed += not ok
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
