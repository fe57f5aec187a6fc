#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tests for misc/launch/tessera_qemu.py (stdlib unittest only).

    /usr/bin/python3 tests/tools/test_launcher.py [-v]

Each test makes a build directory of its own: the scenario JSON from the
config tool, and empty stand-ins for the hypervisor image, the test guests
and the Service VM's kernel and initramfs (the launcher only checks that
they exist), so nothing needs to be built. The launcher runs with --print
and never starts a VM; one test starts QEMU (if installed) with the
launcher's machine arguments and quits it from the monitor.

The last line printed is "N passed, N failed"; the exit status is non-zero
if anything failed.
"""

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # loading the modules in-process must not litter

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
LAUNCHER = os.path.join(REPO, "misc", "launch", "tessera_qemu.py")
CONFIG_TOOL = os.path.join(REPO, "misc", "config_tools", "tessera_config.py")
BOARD = os.path.join(REPO, "config", "boards", "qemu-virt.toml")
SCENARIOS = os.path.join(REPO, "config", "scenarios")


def load_module(name, path):
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


tessera_qemu = load_module("tessera_qemu", LAUNCHER)
tessera_config = load_module("tessera_config", CONFIG_TOOL)
GUEST_PROGRAMS = tessera_config.read_guest_programs(tessera_config.Problems())


def touch(path):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    open(path, "wb").close()
    return path


def make_build(root, scenario):
    """A build directory for config/scenarios/<scenario>.toml with stand-in files."""
    build = os.path.join(root, "build-" + scenario)
    scenario_json = os.path.join(build, "generated", "scenario.json")
    p = subprocess.run([sys.executable, CONFIG_TOOL, "--board", BOARD, "--scenario",
                        os.path.join(SCENARIOS, scenario + ".toml"),
                        "--out-json", scenario_json], capture_output=True, text=True)
    assert p.returncode == 0, p.stderr
    touch(os.path.join(build, "hypervisor", "tessera.bin"))
    for vm in tessera_qemu.load_scenario(build)["vms"]:
        if vm["kind"] == "pre-launched":
            for program in GUEST_PROGRAMS:
                touch(os.path.join(build, "guests", "%s-0x%08x.bin" % (program, vm["entry"])))
    touch(os.path.join(build, "guest", "Image"))
    touch(os.path.join(build, "guest", "rootfs.cpio.gz"))
    return build


def launch(*args):
    p = subprocess.run([sys.executable, LAUNCHER, *args], capture_output=True, text=True)
    return p.returncode, p.stdout, p.stderr


class LauncherTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tessera-launcher-test-")
        self.hybrid = make_build(self.tmp, "hybrid")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def assertRefused(self, args, message):
        """Exit status 1, no command printed, exactly this one line on stderr."""
        rc, out, err = launch("--build", self.hybrid, "--print", *args)
        self.assertEqual((rc, out, err), (1, "", "tessera_qemu.py: " + message + "\n"))


class RefusalTests(LauncherTestCase):
    def test_image_for_the_service_vm(self):
        self.assertRefused(["--image", "sos=hello"],
                           "--image sos=hello: sos is the Service VM; it boots Linux "
                           "from %s/guest/Image (use --append for its command line)"
                           % self.hybrid)

    def test_image_for_a_post_launched_vm(self):
        self.assertRefused(["--image", "uvm0=/some/kernel"],
                           "--image uvm0=/some/kernel: uvm0 is a post-launched VM; the "
                           "device model in the Service VM starts it at run time, so it "
                           "has no image at boot")

    def test_image_for_an_unknown_vm(self):
        self.assertRefused(["--image", "rt9=hello"],
                           "--image rt9=hello: the scenario 'hybrid' has no VM 'rt9' "
                           "(VMs: rt0, sos, uvm0)")

    def test_image_without_a_program(self):
        for item in ("rt0", "rt0=", "=hello"):
            self.assertRefused(["--image", item],
                               "--image %s: expected VM=IMAGE, e.g. --image rt0=probe" % item)

    def test_unknown_guest_program(self):
        self.assertRefused(["--image", "rt0=helo"],
                           "no guest image 'helo' built for entry 0x50000000 under "
                           "%s/guests (built: %s)" % (self.hybrid, ", ".join(sorted(GUEST_PROGRAMS))))

    def test_image_file_missing(self):
        self.assertRefused(["--image", "rt0=/nonexistent.bin"],
                           "image /nonexistent.bin: no such file")

    def test_missing_disk(self):
        self.assertRefused(["--disk", "/nonexistent.img"], "--disk /nonexistent.img: no such file")

    def test_disk_is_a_directory(self):
        self.assertRefused(["--disk", self.tmp], "--disk %s: not a file" % self.tmp)

    def test_disk_without_a_service_vm(self):
        disk = touch(os.path.join(self.tmp, "disk.img"))
        rc, out, err = launch("--build", make_build(self.tmp, "partitioned"), "--print",
                              "--disk", disk)
        self.assertEqual((rc, out, err), (1, "", "tessera_qemu.py: --disk and --append "
                                          "need a scenario with a Service VM\n"))

    def test_qemu_arguments_without_dashdash(self):
        rc, out, err = launch("--build", self.hybrid, "--print", "-s", "-S")
        self.assertEqual((rc, out), (2, ""))
        self.assertIn("unrecognized arguments: -s -S (QEMU arguments go after --)", err)


class CommandTests(LauncherTestCase):
    def test_print(self):
        disk = touch(os.path.join(self.tmp, "disk.img"))
        rc, out, err = launch("--build", self.hybrid, "--print", "--image", "rt0=probe",
                              "--disk", disk, "--append", "quiet", "--", "-s", "-S")
        self.assertEqual((rc, err), (0, ""))
        self.assertEqual(out.count("\n"), 1, out)
        argv = out.split()
        self.assertEqual(argv[0], "qemu-system-aarch64")
        self.assertEqual(argv[-2:], ["-s", "-S"])
        self.assertIn("loader,file=%s/guests/probe-0x50000000.bin,addr=0x50000000,"
                      "force-raw=on" % self.hybrid, argv)
        self.assertIn("loader,file=%s/guest/Image,addr=0x41000000,force-raw=on"
                      % self.hybrid, argv)
        self.assertIn("if=none,file=%s,format=raw,id=disk0,readonly=on" % disk, argv)

    def test_shared_guest_dir(self):
        """Without BUILD/guest the Service VM's files come from build/guest,
        the Makefile's GUEST_DIR, which every build directory shares."""
        build = os.path.join(self.tmp, "no-guest")
        shutil.copytree(self.hybrid, build)
        shutil.rmtree(os.path.join(build, "guest"))
        shared = os.path.join(self.tmp, "shared-guest")
        touch(os.path.join(shared, "Image"))
        touch(os.path.join(shared, "rootfs.cpio.gz"))
        saved = tessera_qemu.SHARED_GUEST_DIR
        tessera_qemu.SHARED_GUEST_DIR = shared
        try:
            cmd = tessera_qemu.qemu_command(build)
        finally:
            tessera_qemu.SHARED_GUEST_DIR = saved
        self.assertIn("loader,file=%s/Image,addr=0x41000000,force-raw=on" % shared, cmd)
        self.assertEqual(cmd[cmd.index("-initrd") + 1], os.path.join(shared, "rootfs.cpio.gz"))

    def test_every_command_has_no_nic(self):
        """QEMU's virt machine adds a network card unless told not to, and
        that card needs efi-virtio.rom, which a machine without recommended
        packages (ipxe-qemu) lacks: every command line says -nic none."""
        disk = touch(os.path.join(self.tmp, "disk.img"))
        commands = []
        for name in sorted(os.listdir(SCENARIOS)):
            if not name.endswith(".toml"):
                continue
            scenario = name[:-5]
            build = self.hybrid if scenario == "hybrid" else make_build(self.tmp, scenario)
            j = tessera_qemu.load_scenario(build)
            has_service = any(vm["kind"] == "service" for vm in j["vms"])
            pre = [vm["name"] for vm in j["vms"] if vm["kind"] == "pre-launched"]
            variants = [{}, {"cpu": "max", "extra": ["-s", "-S"]}]
            variants += [{"images": {vm: program}} for vm in pre for program in GUEST_PROGRAMS]
            if has_service:
                variants += [{"disk": disk, "append": "quiet"}]
            for kwargs in variants:
                commands.append(tessera_qemu.qemu_command(build, **kwargs))
        self.assertGreater(len(commands), 10)
        for cmd in commands:
            nics = [i for i, arg in enumerate(cmd) if arg in ("-nic", "-net", "-netdev")]
            self.assertEqual([cmd[i:i + 2] for i in nics], [["-nic", "none"]], cmd)
            self.assertFalse([a for a in cmd if "-net-" in a or "e1000" in a], cmd)

    @unittest.skipUnless(shutil.which(tessera_qemu.QEMU), "no " + tessera_qemu.QEMU)
    def test_machine_starts(self):
        """The machine arguments start QEMU here (without ipxe-qemu installed,
        a default NIC makes QEMU exit at once: failed to find romfile)."""
        p = subprocess.run([tessera_qemu.QEMU, *tessera_qemu.MACHINE, "-cpu", "cortex-a72",
                            "-S", "-display", "none", "-serial", "none", "-monitor", "stdio"],
                           input="quit\n", capture_output=True, text=True, timeout=60)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertNotIn("romfile", p.stderr)


class HelpTests(unittest.TestCase):
    def test_help(self):
        rc, out, err = launch("--help")
        self.assertEqual((rc, err), (0, ""))
        lines = out.splitlines()
        for option in ("--build DIR", "--image VM=IMAGE", "--cpu MODEL", "--append ARGS",
                       "--disk FILE", "--print"):
            line = next((x for x in lines if x.strip().startswith(option)), None)
            self.assertIsNotNone(line, option)
            # Help text on the option's line or, for long options, the next one.
            text = line.strip()[len(option):].strip() or lines[lines.index(line) + 1].strip()
            self.assertTrue(text and not text.startswith("-"), "%s has no help text" % option)
        self.assertIn("[-- QEMU_ARG ...]", lines[0])
        self.assertIn("Arguments after -- go to QEMU", out)


def main():
    verbosity = 2 if "-v" in sys.argv[1:] else 1
    suite = unittest.defaultTestLoader.loadTestsFromModule(sys.modules[__name__])
    result = unittest.TextTestRunner(stream=sys.stderr, verbosity=verbosity).run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    passed = result.testsRun - failed - len(result.skipped)
    sys.stderr.flush()
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
