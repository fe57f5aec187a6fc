#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Run Tessera's tests and print one closing 'N passed, N failed' line.

    tests/run_all.py --build build [--only unit|tools|integration|bench|fuzz]
                     [-k SUBSTRING]

unit:        every cmocka binary in build/unit (tests counted from cmocka)
tools:       the config tool's tests (tests/tools)
integration: tests/integration/test_*.py, each QEMU run bounded, logs kept
             under build/test-logs/integration
bench:       build/unit/bench_* and tests/bench/*.py (not in the default run)
fuzz:        build/unit/fuzz_* for FUZZ_SECONDS each (not part of the default run)
"""

import argparse
import glob
import importlib.util
import os
import re
import subprocess
import sys
import time
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
UNIT_TIMEOUT_S = 300
DEFAULT_SUITES = ("unit", "tools", "integration")


class Tally:
    def __init__(self):
        self.passed = 0
        self.failed = 0
        self.failures = []

    def record(self, name, ok, detail=""):
        if ok:
            self.passed += 1
        else:
            self.failed += 1
            self.failures.append(f"{name}: {detail}".rstrip(": "))


def progress(msg):
    print(msg, flush=True)


def run_unit(build, tally, pattern):
    log_dir = os.path.join(build, "test-logs", "unit")
    os.makedirs(log_dir, exist_ok=True)
    env = dict(os.environ, TESSERA_TEST_QUIET="1")
    for exe in sorted(glob.glob(os.path.join(build, "unit", "test_*"))):
        name = os.path.basename(exe)
        if pattern and pattern not in name:
            continue
        start = time.monotonic()
        try:
            p = subprocess.run([exe], capture_output=True, text=True, env=env,
                               timeout=UNIT_TIMEOUT_S)
            out, rc = p.stdout + p.stderr, p.returncode
        except subprocess.TimeoutExpired as e:
            out = (e.stdout or b"").decode() if isinstance(e.stdout, bytes) else (e.stdout or "")
            out, rc = out + f"\nTIMEOUT after {UNIT_TIMEOUT_S}s\n", -1
        with open(os.path.join(log_dir, name + ".log"), "w") as f:
            f.write(out)
        passed = sum(int(n) for n in re.findall(r"\[  PASSED  \] (\d+) test", out))
        failed = sum(int(n) for n in re.findall(r"\[  FAILED  \] (\d+) test", out))
        if rc != 0 and failed == 0:
            failed = 1  # crashed or timed out before cmocka could report
        for _ in range(passed):
            tally.record(name, True)
        for fail in re.findall(r"\[  FAILED  \] (\w+)\n", out)[:failed] or \
                [f"exit {rc}"] * failed:
            tally.record(name, False, fail)
        progress(f"  unit {name}: {passed} passed, {failed} failed "
                 f"({time.monotonic() - start:.1f}s)")


def run_tools(build, tally, pattern):
    log_dir = os.path.join(build, "test-logs", "tools")
    os.makedirs(log_dir, exist_ok=True)
    for script in sorted(glob.glob(os.path.join(HERE, "tools", "test_*.py"))):
        name = os.path.basename(script)
        if pattern and pattern not in name:
            continue
        p = subprocess.run(["/usr/bin/python3", script], capture_output=True,
                           text=True, timeout=UNIT_TIMEOUT_S)
        out = p.stdout + p.stderr
        with open(os.path.join(log_dir, name + ".log"), "w") as f:
            f.write(out)
        m = re.search(r"^(\d+) passed, (\d+) failed", out, re.M)
        passed, failed = (int(m[1]), int(m[2])) if m else (0, 1)
        if p.returncode and not failed:
            failed = 1
        for _ in range(passed):
            tally.record(name, True)
        for _ in range(failed):
            tally.record(name, False, f"see {log_dir}/{name}.log")
        progress(f"  tools {name}: {passed} passed, {failed} failed")


def scenario_build(build, scenario):
    """The build directory holding an image of `scenario`, or None."""
    nested = os.path.join(build, f"scenario-{scenario}")
    if _built_scenario(nested) == scenario:
        return nested
    return build if _built_scenario(build) == scenario else None


def run_integration(build, tally, pattern):
    sys.path.insert(0, os.path.join(HERE, "integration"))
    import harness
    for path in sorted(glob.glob(os.path.join(HERE, "integration", "test_*.py"))):
        spec = importlib.util.spec_from_file_location(
            os.path.basename(path)[:-3], path)
        mod = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(mod)
        scenario = getattr(mod, "SCENARIO", None)
        where = scenario_build(build, scenario) if scenario else build
        ctx = harness.Context(where) if where else None
        for name in sorted(n for n in dir(mod) if n.startswith("test_")):
            full = f"{mod.__name__}.{name}"
            if pattern and pattern not in full:
                continue
            if not ctx:
                progress(f"  SKIP {full}: no build of scenario {scenario} "
                         f"(make scenario-builds)")
                continue
            start = time.monotonic()
            try:
                getattr(mod, name)(ctx)
                ok, detail = True, ""
            except harness.TestFailure as e:
                ok, detail = False, str(e)
            except Exception:  # a harness bug is a failure too, not a crash
                ok, detail = False, traceback.format_exc(limit=3)
            tally.record(full, ok, detail)
            progress(f"  {'PASS' if ok else 'FAIL'} {full} "
                     f"({time.monotonic() - start:.1f}s){'' if ok else ': ' + detail}")


def _built_scenario(build):
    import json
    try:
        with open(os.path.join(build, "generated", "scenario.json")) as f:
            return json.load(f)["scenario"]
    except (OSError, ValueError, KeyError):
        return None


def run_programs(build, prefix, args, timeout):
    ok = True
    for exe in sorted(glob.glob(os.path.join(build, "unit", prefix + "*"))):
        progress(f"== {os.path.basename(exe)}")
        p = subprocess.run([exe, *args], timeout=timeout)
        ok &= p.returncode == 0
    return ok


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build")
    ap.add_argument("--only", choices=("unit", "tools", "integration", "bench", "fuzz"))
    ap.add_argument("-k", dest="pattern", default="")
    args = ap.parse_args()

    if args.only == "bench":
        ok = run_programs(args.build, "bench_", [], 1800)
        for script in sorted(glob.glob(os.path.join(HERE, "bench", "bench_*.py"))):
            progress(f"== {os.path.basename(script)}")
            ok &= subprocess.run(["/usr/bin/python3", script, "--build",
                                  args.build]).returncode == 0
        sys.exit(0 if ok else 1)
    if args.only == "fuzz":
        secs = os.environ.get("FUZZ_SECONDS", "60")
        sys.exit(0 if run_programs(args.build, "fuzz_",
                                   [f"-max_total_time={secs}"], int(secs) + 120) else 1)

    tally = Tally()
    started = time.monotonic()
    for suite in (args.only,) if args.only else DEFAULT_SUITES:
        progress(f"== {suite} tests")
        {"unit": run_unit, "tools": run_tools,
         "integration": run_integration}[suite](args.build, tally, args.pattern)
    if tally.failures:
        progress("failures:")
        for f in tally.failures:
            progress(f"  {f}")
    progress(f"(took {time.monotonic() - started:.0f}s)")
    print(f"{tally.passed} passed, {tally.failed} failed", flush=True)
    sys.exit(1 if tally.failed or not tally.passed else 0)


if __name__ == "__main__":
    main()
