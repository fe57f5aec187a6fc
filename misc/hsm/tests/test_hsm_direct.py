#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""The HSM driver booted with Debian's kernel directly in QEMU (no Tessera),
with and without a "tessera,hsm" device-tree node (doc/hsm.rst).

    /usr/bin/python3 misc/hsm/tests/test_hsm_direct.py [--build build]
        [--guest build/guest] [--cycles 1000] [--only NAME]

Needs `make hsm-rootfs hsm-mock` (make hsm-test builds them and runs this).
The QEMU virt machine's own device tree is dumped, the nodes are added with
dtc and the result given to QEMU with -dtb.

  no-node        the module loads, says there is nothing to bind, stays
                 idle; hsm-check has nothing to check; rmmod and insmod work
  node-no-hv     a tessera,hsm node but no hypervisor: TESSERA_HC_VERSION
                 gets SMCCC NOT_SUPPORTED, probe fails with a message
  mock-bad-irqs  the mock build and nodes without (all) interrupts: probe
                 fails with a message for each
  mock           the mock build, bound: hsm-check passes everything, 1,000
                 create/destroy cycles included; no unload while a file is
                 open, unload and reload when none is

Each boot must show no oops, BUG, WARNING or lockup. Logs: BUILD/test-logs/
hsm/*.log. Prints one line per case and "N passed, N failed".
"""

import argparse
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", "..", ".."))
sys.path.insert(0, os.path.join(REPO, "tests", "integration"))
from harness import QemuRun, TestFailure, expect  # noqa: E402

MACHINE = ["-M", "virt,gic-version=3", "-cpu", "cortex-a72", "-smp", "3",
           "-m", "1024M", "-nic", "none", "-nographic", "-no-reboot"]
BAD = r"Oops|BUG:|WARNING:|Call trace:|Unable to handle|soft lockup|hung_task|Kernel panic"
PROMPT_WAIT = r"^tessera-guest: starting shell"

HSM_NODE = """
	hsm {
		compatible = "tessera,hsm";
		interrupts = <0 100 1>, <0 101 1>;
		interrupt-names = "io", "event";
	};
"""
BAD_IRQ_NODES = """
	hsm-no-irqs {
		compatible = "tessera,hsm";
	};
	hsm-no-event {
		compatible = "tessera,hsm";
		interrupts = <0 102 1>;
		interrupt-names = "io";
	};
"""


def make_dtb(out_dir, nodes):
    """QEMU virt's device tree for MACHINE plus `nodes` in the root."""
    base = os.path.join(out_dir, "virt.dtb")
    subprocess.run(["qemu-system-aarch64"] + [a if a != "virt,gic-version=3" else
                   "virt,gic-version=3,dumpdtb=" + base for a in MACHINE],
                   check=True, capture_output=True, timeout=30)
    dts = subprocess.run(["dtc", "-q", "-I", "dtb", "-O", "dts", base],
                         check=True, capture_output=True, text=True).stdout
    end = dts.rstrip().rindex("};")
    path = os.path.join(out_dir, "hsm.dtb")
    subprocess.run(["dtc", "-q", "-I", "dts", "-O", "dtb", "-o", path, "-"],
                   input=dts[:end] + nodes + "};\n", check=True, text=True)
    return path


class Boot:
    def __init__(self, args, name, rootfs, dtb=None, deadline=240):
        cmd = ["qemu-system-aarch64"] + MACHINE + [
            "-kernel", os.path.join(args.guest, "Image"), "-initrd", rootfs,
            "-append", "console=ttyAMA0 tessera.prompt=hsm"]
        if dtb:
            cmd += ["-dtb", dtb]
        self.run = QemuRun(cmd, os.path.join(args.build, "test-logs", "hsm",
                                             name + ".log"), deadline)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.run.stop()

    def shell(self, start=0):
        i = self.run.wait_for(PROMPT_WAIT, start)
        self.run.wait_for(r"built-in shell", i)
        return i

    def sh(self, command, done, start=0, timeout=None):
        """Type `command` and wait for a line matching `done`."""
        self.run.send(command + "\n")
        return self.run.wait_for(done, start, timeout)

    def no_oops(self):
        bad = self.run.matching(BAD)
        expect(not bad, "kernel trouble: " + "; ".join(self.run.line(i) for i in bad[:3]))


def case_no_node(args):
    with Boot(args, "no-node", os.path.join(args.build, "hsm", "rootfs.cpio.gz")) as b:
        r = b.run
        r.wait_for(r'tessera_hsm: no "tessera,hsm" device-tree node: not a Tessera '
                   r'Service VM, nothing to bind')
        r.wait_for(r"^tessera-guest: hsm: loaded, not bound")
        i = r.wait_for(r"^tessera-guest: init done")
        b.shell(i)
        j = b.sh("hsm-check; echo check-rc=$?", r"^check-rc=", i)
        expect(r.line(j) == "check-rc=2", r.line(j))
        r.wait_for(r"^hsm-check: 0 passed, 0 failed", i)
        b.sh("rmmod tessera_hsm && echo rmmod-ok", r"^rmmod-ok", j)
        b.sh("insmod /lib/modules/$(uname -r)/extra/tessera_hsm.ko && echo insmod-ok",
             r"^insmod-ok", j)
        k = b.sh("ls /dev/tessera_hsm; echo ls-rc=$?", r"^ls-rc=", j)
        expect(r.line(k) == "ls-rc=1", "a /dev/tessera_hsm without a device")
        b.sh("echo done", r"^done$", k)
        b.no_oops()


def case_node_no_hv(args, dtb):
    with Boot(args, "node-no-hv", os.path.join(args.build, "hsm", "rootfs.cpio.gz"),
              dtb) as b:
        r = b.run
        r.wait_for(r"tessera-hsm hsm: TESSERA_HC_VERSION failed \(-1, SMCCC NOT_SUPPORTED\): "
                   r"not running under the Tessera hypervisor, not binding")
        r.wait_for(r"tessera_hsm: /hsm: not bound \(see above\)")
        r.wait_for(r"^tessera-guest: hsm: loaded, not bound")
        i = r.wait_for(r"^tessera-guest: init done")
        b.shell(i)
        j = b.sh("hsm-check; echo check-rc=$?", r"^check-rc=", i)
        expect(r.line(j) == "check-rc=2", r.line(j))
        b.sh("rmmod tessera_hsm && echo rmmod-ok", r"^rmmod-ok", j)
        b.no_oops()


def case_mock_bad_irqs(args, dtb):
    with Boot(args, "mock-bad-irqs", os.path.join(args.build, "hsm-mock",
                                                  "rootfs.cpio.gz"), dtb) as b:
        r = b.run
        r.wait_for(r"TEST BUILD: hypercalls go to a mock hypervisor")
        r.wait_for(r"tessera-hsm hsm-no-irqs: error -ENXIO: no \"io\" interrupt")
        r.wait_for(r"tessera-hsm hsm-no-event: error -ENXIO: no \"event\" interrupt")
        r.wait_for(r"^tessera-guest: hsm: loaded, not bound")
        r.wait_for(r"^tessera-guest: init done")
        b.no_oops()


def case_mock(args, dtb):
    with Boot(args, "mock", os.path.join(args.build, "hsm-mock", "rootfs.cpio.gz"),
              dtb, deadline=120 + args.cycles) as b:
        r = b.run
        r.wait_for(r"tessera-hsm hsm: bound: hypervisor ABI 2\.0, io irq \d+, event irq \d+, "
                   r"/dev/tessera_hsm")
        r.wait_for(r"^tessera-guest: hsm: loaded, bound: /dev/tessera_hsm")
        i = r.wait_for(r"^tessera-guest: init done")
        b.shell(i)
        j = b.sh(f"hsm-check -v 2 -c {args.cycles}; echo check-rc=$?", r"^check-rc=", i)
        fails = [r.line(k) for k in r.matching(r"^hsm-check: FAIL", i)]
        summary = r.line(r.wait_for(r"^hsm-check: \d+ passed, \d+ failed", i))
        print(f"  {summary}")
        expect(r.line(j) == "check-rc=0" and not fails,
               f"{summary}: " + "; ".join(fails[:5]))
        for msg in (r"VM 2: TESSERA_HC_SET_MEMORY_REGIONS failed \(-5\) after mapping part",
                    r"VM 3 'uvm1': TESSERA_HC_VM_DESTROY failed \(-22\): leaving its "
                    r"request pages and 8192 bytes of memory pinned"):
            expect(r.matching(msg, i), f"no kernel message /{msg}/")
        k = b.sh("cat /sys/kernel/debug/tessera_hsm/status; echo status-done",
                 r"^status-done", j)
        expect(not r.matching(r"^vm \d+ ", j), "a VM is left after hsm-check")
        k = b.sh("sleep 30 </dev/tessera_hsm & p=$!; sleep 1; rmmod tessera_hsm; "
                 "echo rmmod-rc=$?", r"^rmmod-rc=", k)
        expect(r.line(k) != "rmmod-rc=0", "rmmod succeeded with a file open")
        k = b.sh("kill $p; wait $p; rmmod tessera_hsm; echo rmmod-rc=$?", r"^rmmod-rc=", k + 1)
        expect(r.line(k) == "rmmod-rc=0", "rmmod failed with no file open")
        k = b.sh("insmod /lib/modules/$(uname -r)/extra/tessera_hsm.ko; "
                 "ls /dev/tessera_hsm && echo reloaded", r"^reloaded", k)
        b.sh("hsm-check -v 2 -c 10 -q | tail -n 3; echo again-done", r"^again-done", k)
        expect(r.matching(r"^hsm-check: \d+ passed, 0 failed", k),
               "hsm-check failed after reloading the module")
        b.no_oops()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--guest", help="guest artifacts (default BUILD/guest)")
    ap.add_argument("--cycles", type=int, default=1000)
    ap.add_argument("--only", help="run only this case")
    args = ap.parse_args()
    args.guest = args.guest or os.path.join(args.build, "guest")
    tmp = os.path.join(args.build, "hsm", "dt")
    shutil.rmtree(tmp, ignore_errors=True)
    os.makedirs(os.path.join(tmp, "bad"))
    node_dtb = make_dtb(tmp, HSM_NODE)
    bad_dtb = make_dtb(os.path.join(tmp, "bad"), BAD_IRQ_NODES)
    cases = [("no-node", lambda: case_no_node(args)),
             ("node-no-hv", lambda: case_node_no_hv(args, node_dtb)),
             ("mock-bad-irqs", lambda: case_mock_bad_irqs(args, bad_dtb)),
             ("mock", lambda: case_mock(args, node_dtb))]
    passed = failed = 0
    for name, fn in cases:
        if args.only and name != args.only:
            continue
        try:
            fn()
            print(f"ok   {name}")
            passed += 1
        except TestFailure as e:
            print(f"FAIL {name}: {e}")
            failed += 1
    print(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
