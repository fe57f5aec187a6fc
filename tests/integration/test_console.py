# SPDX-License-Identifier: BSD-3-Clause
"""What a person does at the Service VM's shell, on a real terminal (tmux
drives it and reads the screen back): Ctrl-C, a long paste, line editing.
rt0 runs `poweroff` so that nothing else writes to the terminal meanwhile."""

import hashlib
import random

from harness import expect

SCENARIO = "hybrid"
SHELL = r"^\[sos\] tessera-guest: starting shell"
PROMPT = r"^\[sos\] sos#$"


def paste_script(seed=7, size=4096):
    """A shell here-document of about `size` bytes of random text lines,
    and the text it writes."""
    rng = random.Random(seed)
    lines, total = [], 0
    while total < size:
        n = rng.randint(20, 120)
        lines.append("".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789 ")
                             for _ in range(n)).strip() or "x")
        total += len(lines[-1]) + 1
    text = "\n".join(lines) + "\n"
    script = ("cat > /tmp/paste.txt <<'EOF'\n" + text + "EOF\n"
              "md5sum /tmp/paste.txt; wc -c < /tmp/paste.txt\n")
    return script, text


def hv_errors(t):
    return [l for l in t.log_text().splitlines()
            if l.startswith("[hv] error") or l.startswith("[hv] panic")]


def test_ctrl_c_long_paste_and_line_editing(ctx):
    with ctx.terminal("console-terminal", images={"rt0": "poweroff"}) as t:
        t.wait_screen(SHELL)
        row = t.wait_screen(PROMPT)

        # Ctrl-C reaches the command the shell runs.
        t.type("grep SigIgn /proc/self/status; T0=$(date +%s); "
               "echo sleeping; sleep 100")
        t.keys("Enter")
        sig = t.wait_screen(r"^\[sos\] SigIgn:", row)
        expect(t.screen()[sig].split()[-1].strip("0") == "",
               f"the shell's children ignore signals: {t.screen()[sig]}")
        row = t.wait_screen(r"^\[sos\] sleeping$", sig)
        t.keys("C-c")
        t.type("echo after-$((6*7)) elapsed=$(($(date +%s) - T0))")
        t.keys("Enter")
        row = t.wait_screen(r"^\[sos\] after-42 elapsed=\d+$", row, timeout=60)
        elapsed = int(t.screen()[row].rsplit("=", 1)[1])
        expect(elapsed < 100, f"sleep 100 was not interrupted ({elapsed} s)")

        # A 4 KiB paste arrives whole, in order, with its final Enter.
        script, text = paste_script()
        t.paste(script)
        want = hashlib.md5(text.encode()).hexdigest()
        row = t.wait_screen(rf"^\[sos\] {want}  /tmp/paste\.txt$", row,
                            timeout=90)
        t.wait_screen(rf"^\[sos\] {len(text)}$", row, timeout=30)

        # Line editing redraws in place: Up-arrow recalls, Ctrl-U erases.
        t.type("echo abcd")
        t.keys("Enter")
        row = t.wait_screen(r"^\[sos\] abcd$", row)
        t.wait_screen(PROMPT, row)
        t.keys("Up")
        row = t.wait_screen(r"^\[sos\] sos# echo abcd$", row)
        t.keys("C-u")
        t.wait_screen(PROMPT, row)
        t.type("echo ok")
        t.keys("Enter")
        t.wait_screen(r"^\[sos\] sos# echo ok$", row)
        t.wait_screen(r"^\[sos\] ok$", row)
        garbled = [r for r in t.screen() if "sos# sos#" in r or "abcdsos#" in r]
        expect(not garbled, f"redraws garbled the line: {garbled}")
        expect(not hv_errors(t), f"hypervisor errors: {hv_errors(t)}")
