#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks the integration tests' harness itself (stdlib only).

    /usr/bin/python3 tests/tools/test_harness.py [-v]

A run's whole console log is checked for hypervisor errors when the test
body ends, not only where the test looked: a stand-in for QEMU (a shell
printing lines) shows an error after the line a test waits for, and the
run must fail at its end unless the test allowed that error.

The last line printed is "N passed, N failed".
"""

import os
import sys
import tempfile
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "integration"))
import harness  # noqa: E402


def fake_qemu(*lines):
    script = "".join(f"echo '{l}'; " for l in lines) + "echo done; exec sleep 30"
    return ["/bin/sh", "-c", script]


class WholeLogTests(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.log = os.path.join(self.dir.name, "run.log")

    def tearDown(self):
        self.dir.cleanup()

    def run_to_done(self, lines, allowed=()):
        with harness.QemuRun(fake_qemu(*lines), self.log, 20) as run:
            run.allow_errors(*allowed)
            run.wait_for(r"^ready$")
            run.wait_for(r"^done$")  # the error came after what we checked

    def test_late_error_fails_the_run(self):
        with self.assertRaises(harness.TestFailure) as e:
            self.run_to_done(["ready", "[hv] error: vm rt0: late trouble"])
        self.assertIn("late trouble", str(e.exception))
        self.assertIn(self.log, str(e.exception))

    def test_panic_fails_the_run(self):
        with self.assertRaises(harness.TestFailure):
            self.run_to_done(["ready", "[hv] panic: no memory"])

    def test_allowed_error_passes(self):
        self.run_to_done(["ready", "[hv] error: vm rt1: stopped: on purpose"],
                         allowed=[r"vm rt1: stopped"])

    def test_only_the_allowed_one_passes(self):
        with self.assertRaises(harness.TestFailure) as e:
            self.run_to_done(["[hv] error: vm rt1: stopped: on purpose",
                              "ready", "[hv] error: vm rt0: other"],
                             allowed=[r"vm rt1: stopped"])
        self.assertIn("vm rt0: other", str(e.exception))

    def test_warnings_and_guest_lines_pass(self):
        self.run_to_done(["ready", "[hv] warning: vm rt0: something",
                          "[rt0] error: the guest speaks"])

    def test_a_failing_body_keeps_its_own_failure(self):
        with self.assertRaises(ValueError):
            with harness.QemuRun(fake_qemu("[hv] error: x"), self.log, 20) as run:
                run.wait_for(r"^done$")
                raise ValueError("the test's own failure")


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
