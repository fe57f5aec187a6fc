# SPDX-License-Identifier: BSD-3-Clause
"""Bounded QEMU runs for integration tests.

Every run has a deadline and is killed when the test ends, passes or not;
its whole console output is kept in a log file under the build directory.
"""

import itertools
import os
import re
import shlex
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "..",
                                "misc", "launch"))
import tessera_qemu  # noqa: E402


class TestFailure(Exception):
    pass


# A hypervisor line that no test may leave unexplained: checked over the
# whole console log when a run ends, not only where a test looked.
HV_ERROR = re.compile(r"^\[hv\] (error|panic)")


def unexplained_errors(lines, allowed):
    """The hypervisor's error lines that match none of `allowed` (regular
    expressions)."""
    rx = [re.compile(a) for a in allowed]
    return [l for l in lines if HV_ERROR.search(l)
            and not any(r.search(l) for r in rx)]


class QemuRun:
    """One QEMU process whose console lines are collected as they arrive.
    When the test body is done, the whole log is checked for hypervisor
    errors it did not announce with allow_errors()."""

    def __init__(self, cmd, log_path, deadline_s):
        self.allowed_errors = []
        self.cmd = cmd
        self.log_path = log_path
        self.deadline = time.monotonic() + deadline_s
        self.lines = []
        self.cond = threading.Condition()
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        self.log = open(log_path, "w", buffering=1)
        self.log.write("# " + " ".join(cmd) + "\n")
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT)
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()

    def _read(self):
        for raw in self.proc.stdout:
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self.log.write(line + "\n")
            with self.cond:
                self.lines.append(line)
                self.cond.notify_all()
        with self.cond:
            self.cond.notify_all()

    def wait_for(self, pattern, start=0, timeout=None):
        """Index of the first line at or after `start` matching `pattern`."""
        rx = re.compile(pattern)
        end = self.deadline if timeout is None else min(
            self.deadline, time.monotonic() + timeout)
        pos = start
        with self.cond:
            while True:
                for i in range(pos, len(self.lines)):
                    if rx.search(self.lines[i]):
                        return i
                pos = max(pos, len(self.lines))
                left = end - time.monotonic()
                if left <= 0 or (self.proc.poll() is not None
                                 and not self.reader.is_alive()):
                    raise TestFailure(f"no line matching /{pattern}/ "
                                      f"(see {self.log_path})")
                self.cond.wait(min(left, 0.5))

    def send(self, text):
        """Type `text` on the console (what a user at the terminal would)."""
        self.log.write(f"# sent: {text!r}\n")
        try:
            self.proc.stdin.write(text.encode())
            self.proc.stdin.flush()
        except (BrokenPipeError, OSError) as e:
            raise TestFailure(f"QEMU's console is closed: {e}") from e

    def matching(self, pattern, start=0):
        rx = re.compile(pattern)
        with self.cond:
            return [i for i in range(start, len(self.lines))
                    if rx.search(self.lines[i])]

    def line(self, i):
        with self.cond:
            return self.lines[i]

    def allow_errors(self, *patterns):
        """Hypervisor error lines this test causes on purpose."""
        self.allowed_errors += patterns

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        self.stop()
        if exc_type is None:
            with self.cond:
                bad = unexplained_errors(self.lines, self.allowed_errors)
            if bad:
                raise TestFailure(f"hypervisor error in the log: {bad[0]}"
                                  f"{f' (and {len(bad) - 1} more)' if len(bad) > 1 else ''}"
                                  f" (see {self.log_path})")

    def stop(self):
        if self.proc.poll() is None:
            self.proc.kill()
        self.proc.wait()
        self.reader.join(timeout=5)
        if not self.log.closed:
            self.log.close()


class TerminalRun:
    """One QEMU process on a real terminal (a tmux pane), for what a person
    does at the console: typing, Ctrl-C, pasting, line editing. What the
    terminal shows is read back with capture-pane; the raw output also goes
    to the log. Bounded like QemuRun: the pane is killed at the deadline and
    when the test ends."""

    _ids = itertools.count()

    def __init__(self, cmd, log_path, deadline_s, width=160, height=50):
        self.log_path = log_path
        self.allowed_errors = []
        self.deadline = time.monotonic() + deadline_s
        self.session = f"tessera-test-{os.getpid()}-{next(self._ids)}"
        os.makedirs(os.path.dirname(log_path), exist_ok=True)
        with open(log_path, "w") as f:
            f.write("# " + " ".join(cmd) + "\n")
        # QEMU's output also goes through tee into the log; its input is the
        # pane's terminal, which QEMU puts into raw mode as on a desktop.
        shell = f"{shlex.join(cmd)} 2>&1 | tee -a {shlex.quote(log_path)}"
        subprocess.run(["tmux", "new-session", "-d", "-s", self.session,
                        "-x", str(width), "-y", str(height), shell],
                       check=True)
        self.timer = threading.Timer(deadline_s, self.stop)
        self.timer.daemon = True
        self.timer.start()

    def screen(self):
        """The pane as the user sees it: one string per terminal row,
        trailing blanks removed, scroll-back included."""
        p = subprocess.run(["tmux", "capture-pane", "-p", "-J", "-S", "-2000",
                            "-t", self.session], capture_output=True,
                           text=True)
        if p.returncode:
            raise TestFailure(f"the terminal is gone (see {self.log_path})")
        return [row.rstrip() for row in p.stdout.split("\n")]

    def wait_screen(self, pattern, after=0, timeout=None):
        """Index of the first screen row at or after `after` matching."""
        rx = re.compile(pattern)
        end = self.deadline if timeout is None else min(
            self.deadline, time.monotonic() + timeout)
        while True:
            rows = self.screen()
            for i in range(after, len(rows)):
                if rx.search(rows[i]):
                    return i
            if time.monotonic() >= end:
                raise TestFailure(f"no screen row matching /{pattern}/ "
                                  f"(see {self.log_path}); screen ends:\n"
                                  + "\n".join(r for r in rows if r)[-2000:])
            time.sleep(0.3)

    def keys(self, *keys):
        """tmux key names (e.g. "C-c", "Up", "Enter") pressed one by one."""
        subprocess.run(["tmux", "send-keys", "-t", self.session, *keys],
                       check=True)

    def type(self, text):
        """Literal text as typed."""
        subprocess.run(["tmux", "send-keys", "-l", "-t", self.session, text],
                       check=True)

    def paste(self, text):
        """Text arriving at once, as a terminal paste does."""
        subprocess.run(["tmux", "load-buffer", "-b", self.session, "-"],
                       input=text, text=True, check=True)
        subprocess.run(["tmux", "paste-buffer", "-d", "-b", self.session,
                        "-t", self.session], check=True)

    def log_text(self):
        with open(self.log_path, errors="replace") as f:
            return f.read()

    def allow_errors(self, *patterns):
        """Hypervisor error lines this test causes on purpose."""
        self.allowed_errors += patterns

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *exc):
        self.stop()
        if exc_type is None:
            lines = [l.rstrip("\r") for l in self.log_text().splitlines()]
            bad = unexplained_errors(lines, self.allowed_errors)
            if bad:
                raise TestFailure(f"hypervisor error in the log: {bad[0]} "
                                  f"(see {self.log_path})")

    def stop(self):
        self.timer.cancel()
        subprocess.run(["tmux", "kill-session", "-t", self.session],
                       capture_output=True)


class Context:
    def __init__(self, build):
        self.build = build
        self.log_dir = os.path.join(build, "test-logs", "integration")

    def boot(self, name, images=None, cpu="cortex-a72", deadline_s=60,
             extra=(), append="", disk=None):
        cmd = tessera_qemu.qemu_command(self.build, images, cpu, extra,
                                        append, disk)
        return QemuRun(cmd, os.path.join(self.log_dir, name + ".log"),
                       deadline_s)

    def terminal(self, name, images=None, deadline_s=120, extra=(),
                 append="", disk=None):
        """Like boot(), on a tmux terminal (TerminalRun)."""
        cmd = tessera_qemu.qemu_command(self.build, images, "cortex-a72",
                                        extra, append, disk)
        return TerminalRun(cmd, os.path.join(self.log_dir, name + ".log"),
                           deadline_s)


def expect(cond, message):
    if not cond:
        raise TestFailure(message)
