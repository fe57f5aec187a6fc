#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Checks that the documentation says what the programs do (stdlib only).

    /usr/bin/python3 tests/tools/test_docs.py [-v]

Only where it is cheap and the docs mark what is checked:

  * the guest's console lines quoted in doc/guest-linux.rst (``tessera-guest:
    ...``) are ones the scripts in misc/rootfs can print;
  * the memory tables of doc/memory-map.rst (each after a
    ".. checked-memory-table: <scenario>" comment) list exactly the ranges
    the config tool gives the hypervisor, the board's reserved ranges and
    the VMs of config/scenarios/<scenario>.toml;
  * the fixtures named in doc/scenario-format.rst's rule table exist, every
    :doc: reference resolves, and no page points at files outside the
    repository.

The last line printed is "N passed, N failed"; the exit status is non-zero
if anything failed.
"""

import functools
import glob
import json
import os
import re
import subprocess
import sys
import tempfile
import tomllib
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
DOC = os.path.join(REPO, "doc")
ROOTFS = os.path.join(REPO, "misc", "rootfs")
CONFIG_TOOL = os.path.join(REPO, "misc", "config_tools", "tessera_config.py")
SCENARIOS = os.path.join(REPO, "config", "scenarios")
FIXTURES = os.path.join(HERE, "fixtures")

GUEST_PREFIX = "tessera-guest: "
# In a pattern (a tuple of characters and wildcards): WORD stands for a value
# without spaces (a variable, a <placeholder>), ANY for any text (a command's
# output, "..."). If every wildcard could swallow spaces, two of them would
# let almost any quote match a message such as "$run exit $?".
WORD, ANY = "<word>", "<any>"
WILDCARDS = (WORD, ANY)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


def can_match(a, b):
    """Whether some text matches both patterns (wildcards on either side)."""
    def absorbs(star, other):
        # A wildcard may take up a character, or text both wildcards match.
        return star is ANY or other in WILDCARDS or not other.isspace()

    @functools.lru_cache(maxsize=None)
    def go(i, j):
        if i == len(a) and j == len(b):
            return True
        if i < len(a) and a[i] in WILDCARDS:
            return go(i + 1, j) or (j < len(b) and absorbs(a[i], b[j]) and go(i, j + 1))
        if j < len(b) and b[j] in WILDCARDS:
            return go(i, j + 1) or (i < len(a) and absorbs(b[j], a[i]) and go(i + 1, j))
        return i < len(a) and j < len(b) and a[i] == b[j] and go(i + 1, j + 1)
    return go(0, 0)


def show_pattern(p):
    return "".join({WORD: "*", ANY: "..."}.get(c, c) for c in p)


# --------------------------------------------------------------------------
# Guest console lines

# In the docs: <placeholder>, "..." and upper-case names (SCRIPT, NAME, N).
DOC_PLACEHOLDER_RE = re.compile(r"<[^<>]*>|\.\.\.|\b[A-Z][A-Z0-9_]*\b")


def doc_guest_lines(text):
    """Inline literals that contain a guest line, from its prefix on, as patterns."""
    lines = []
    for m in re.finditer(r"``(.+?)``", text, re.S):
        literal = " ".join(m.group(1).split())
        at = literal.find(GUEST_PREFIX)
        if at < 0:
            continue
        literal = literal[at:]
        pattern, pos = [], 0
        for p in DOC_PLACEHOLDER_RE.finditer(literal):
            pattern += list(literal[pos:p.start()]) + [ANY if p.group() == "..." else WORD]
            pos = p.end()
        lines.append((literal, tuple(pattern + list(literal[pos:]))))
    return lines


def shell_pattern(s, variables, depth=0):
    """A double-quoted shell string as a pattern: expansions are wildcards,
    except variables assigned exactly once from a double-quoted string."""
    # (Variables are taken to hold one word, command output anything.)
    out, i = [], 0
    while i < len(s):
        c = s[i]
        if c == "\\" and i + 1 < len(s):
            out.append(s[i + 1])
            i += 2
        elif s.startswith("$(", i):
            level, j = 0, i + 1
            while j < len(s):
                level += {"(": 1, ")": -1}.get(s[j], 0)
                if level == 0:
                    break
                j += 1
            out.append(ANY)
            i = j + 1
        elif c == "$":
            m = re.match(r"\$\{(\w+)\}|\$([A-Za-z_]\w*)|\$\{[^}]*\}|\$.?", s[i:])
            name = m.group(1) or m.group(2)
            values = variables.get(name, [])
            if len(values) == 1 and depth < 4:
                out += shell_pattern(values[0], variables, depth + 1)
            else:
                out.append(WORD)
            i += m.end()
        elif c == "`":
            end = s.find("`", i + 1)
            out.append(ANY)
            i = len(s) if end < 0 else end + 1
        else:
            out.append(c)
            i += 1
    return out


def script_guest_lines(path):
    """Patterns of the guest lines a shell script prints: say "..." (init's
    helper, which adds the prefix) and echo "tessera-guest: ..."."""
    text = read(path)
    variables = {}
    for name, value in re.findall(r'^\s*(\w+)="((?:[^"\\]|\\.)*)"\s*$', text, re.M):
        variables.setdefault(name, []).append(value)
    patterns = []
    for m in re.finditer(r'\bsay\s+"((?:[^"\\]|\\.)*)"|\bsay\s+\'([^\']*)\''
                         r'|\becho\s+"(tessera-guest: (?:[^"\\]|\\.)*)"', text):
        if m.group(1) is not None:
            p = list(GUEST_PREFIX) + shell_pattern(m.group(1), variables)
        elif m.group(2) is not None:
            p = list(GUEST_PREFIX + m.group(2))
        else:
            p = shell_pattern(m.group(3), variables)
        # "tessera-guest: $*" is the say helper itself, not a message.
        if any(c not in WILDCARDS for c in p[len(GUEST_PREFIX):]):
            patterns.append(tuple(p))
    return patterns


def rootfs_scripts():
    """The shell scripts that go into the initramfs (misc/rootfs/init and
    what it hands over to)."""
    scripts = []
    for path in sorted(glob.glob(os.path.join(ROOTFS, "*"))):
        if os.path.isfile(path) and read(path).startswith("#!/bin/sh"):
            scripts.append(path)
    return scripts


class GuestLinesTests(unittest.TestCase):
    def test_pattern_matching(self):
        def p(s):
            return tuple({"*": WORD, "~": ANY}.get(c, c) for c in s)
        for a, b, want in [("abc", "abc", True), ("a*c", "abc", True), ("a*", "*c", True),
                           ("a*b", "*c", False), ("ab", "a", False), ("*", "", True),
                           ("x*y*z", "x1*z", True), ("run *", "r*n *", True), ("run *", "run*", False),
                           ("a b", "*", False), ("a b", "~", True), ("a * c", "* b *", True),
                           ("init done, * CPUs", "init done, 3 CPUs", True),
                           ("* exit *", "shell, prompt '*# '", False),
                           ("* exit *", "* exited *", False),
                           ("tessera.run=~", "tessera.run=*: no /tests/*", True),
                           ("shell, prompt '*# '", "starting shell (tessera.prompt=*)", False)]:
            self.assertEqual(can_match(p(a), p(b)), want, (a, b))
            self.assertEqual(can_match(p(b), p(a)), want, (b, a))

    def test_shell_patterns(self):
        variables = {"msg": ["init done, $(nproc) CPUs"]}
        for s, want in [('init $(cat "/x" $(y)) z', "init ... z"), ("$msg", "init done, ... CPUs"),
                        ("${run}: no /tests/$run", "*: no /tests/*"), (r"a \"b\" \$c", 'a "b" $c'),
                        ("$? $1 ${x#*=} `date`", "* * * ...")]:
            self.assertEqual(show_pattern(shell_pattern(s, variables)), want, s)

    def test_quoted_lines_are_printed_by_the_guest(self):
        messages = [m for script in rootfs_scripts() for m in script_guest_lines(script)]
        self.assertGreaterEqual(len(messages), 5, "found too few messages in misc/rootfs "
                                "(has the way they are printed changed?)")
        quoted = doc_guest_lines(read(os.path.join(DOC, "guest-linux.rst")))
        self.assertGreaterEqual(len(quoted), 5)
        unknown = [text for text, pattern in quoted
                   if not any(can_match(pattern, m) for m in messages)]
        self.assertEqual(unknown, [], "doc/guest-linux.rst quotes guest lines that "
                         "misc/rootfs does not print; it prints:\n  " +
                         "\n  ".join(show_pattern(m) for m in messages))


# --------------------------------------------------------------------------
# Memory tables

MEMORY_TABLE_RE = re.compile(r"^\.\. checked-memory-table: (\S+)[ \t]*$", re.M)
BORDER_RE = re.compile(r"^=+( +=+)*[ \t]*$")
RANGE_RE = re.compile(r"``(0x[0-9a-fA-F_]+)-(0x[0-9a-fA-F_]+)``")
SIZE_RE = re.compile(r"(\d+) (KiB|MiB|GiB)\Z")
SIZE_UNITS = {"KiB": 1 << 10, "MiB": 1 << 20, "GiB": 1 << 30}


def simple_table_after(text, pos):
    """The body rows of the first RST simple table after pos, as lists of
    cells (continuation lines, with an empty first cell, joined)."""
    lines = text[pos:].splitlines()
    borders = [i for i, line in enumerate(lines) if BORDER_RE.match(line)][:3]
    if len(borders) < 3:
        raise ValueError("no simple table (three ==== lines) after the marker")
    spans = [m.span() for m in re.finditer(r"=+", lines[borders[0]])]
    rows = []
    for line in lines[borders[1] + 1:borders[2]]:
        cells = [line[a:b if k + 1 < len(spans) else None].strip()
                 for k, (a, b) in enumerate(spans)]
        if rows and not cells[0]:
            rows[-1] = [(old + " " + new).strip() for old, new in zip(rows[-1], cells)]
        else:
            rows.append(cells)
    return rows


def generated_scenario(scenario, tmp):
    path = os.path.join(SCENARIOS, scenario + ".toml")
    with open(path, "rb") as f:
        board = tomllib.load(f)["board"]
    out = os.path.join(tmp, scenario + ".json")
    p = subprocess.run([sys.executable, CONFIG_TOOL, "--board",
                        os.path.join(REPO, "config", "boards", board + ".toml"),
                        "--scenario", path, "--out-json", out],
                       capture_output=True, text=True)
    if p.returncode:
        raise AssertionError("config tool failed on %s:\n%s" % (path, p.stderr))
    with open(out) as f:
        return json.load(f)


def owned_ranges(j):
    """(base, size, owner word the row must contain), in address order."""
    owned = [(j["hypervisor"]["base"], j["hypervisor"]["size"], "hypervisor")]
    owned += [(r["base"], r["size"], "reserved") for r in j["board"]["reserved"]]
    owned += [(m["hpa"], m["size"], "``%s``" % vm["name"])
              for vm in j["vms"] for m in vm["memory"]]
    return sorted(owned)


def range_literal(base, size):
    return "``0x%08x-0x%08x``" % (base, base + size - 1)


class MemoryMapTests(unittest.TestCase):
    def setUp(self):
        self.text = read(os.path.join(DOC, "memory-map.rst"))
        self.tables = {m.group(1): m.end() for m in MEMORY_TABLE_RE.finditer(self.text)}

    def test_every_shipped_scenario_has_a_table(self):
        shipped = sorted(os.path.basename(p)[:-5]
                         for p in glob.glob(os.path.join(SCENARIOS, "*.toml")))
        self.assertIn("hybrid", shipped)
        self.assertEqual(sorted(self.tables), shipped)

    def test_tables_match_the_config_tool(self):
        with tempfile.TemporaryDirectory(prefix="tessera-docs-test-") as tmp:
            for scenario, pos in sorted(self.tables.items()):
                with self.subTest(scenario=scenario):
                    self.check_table(scenario, simple_table_after(self.text, pos),
                                     generated_scenario(scenario, tmp))

    def check_table(self, scenario, rows, j):
        doc = []
        for cells in rows:
            where = "memory-map.rst, %s table, row %r" % (scenario, cells[0])
            m = RANGE_RE.fullmatch(cells[0])
            self.assertIsNotNone(m, where + ": range is not ``0x...-0x...``")
            base, last = int(m.group(1), 16), int(m.group(2), 16)
            size = SIZE_RE.fullmatch(cells[1])
            self.assertIsNotNone(size, where + ": size is not 'N KiB/MiB/GiB'")
            self.assertEqual(int(size.group(1)) * SIZE_UNITS[size.group(2)], last + 1 - base,
                             where + ": size does not match the range")
            doc.append((base, last + 1 - base, cells[2]))
        want = owned_ranges(j)
        self.assertEqual([(b, s) for b, s, _ in doc], [(b, s) for b, s, _ in want],
                         "memory-map.rst, %s table: ranges differ from the config tool's; "
                         "it gives:\n  %s" % (scenario, "\n  ".join(
                             "%s %s" % (range_literal(b, s), o) for b, s, o in want)))
        for (base, size, owner_text), (_, _, owner) in zip(doc, want):
            self.assertIn(owner, owner_text, "memory-map.rst, %s table, %s: owner "
                          "should be %s" % (scenario, range_literal(base, size), owner))
        store = j["hypervisor"]["image_store"]
        if store:
            self.assertIn(range_literal(store["base"], store["size"]), doc[
                [o for _, _, o in want].index("hypervisor")][2],
                "memory-map.rst, %s table: the hypervisor's row should name its "
                "image store" % scenario)

    def test_table_parser(self):
        text = ("x\n\n.. checked-memory-table: t\n\n"
                "=====  ====  ====\nrange  size  who\n=====  ====  ====\n"
                "a      1     me,\n       2     you\nb      3     us all\n"
                "=====  ====  ====\n")
        pos = MEMORY_TABLE_RE.search(text).end()
        self.assertEqual(simple_table_after(text, pos),
                         [["a", "1 2", "me, you"], ["b", "3", "us all"]])


# --------------------------------------------------------------------------
# References

class ReferenceTests(unittest.TestCase):
    def pages(self):
        return sorted(glob.glob(os.path.join(DOC, "*.rst"))) + [os.path.join(REPO, "README.rst")]

    def test_rule_table_fixtures_exist(self):
        text = read(os.path.join(DOC, "scenario-format.rst"))
        rules = text[text.index("Validation rules\n"):text.index("Generated outputs\n")]
        names = re.findall(r"``((?:scenario|board)-[a-z0-9-]+)``", rules)
        self.assertGreater(len(names), 30)
        missing = [n for n in names
                   if not os.path.exists(os.path.join(FIXTURES, "bad-%s.toml" % n))]
        self.assertEqual(missing, [], "fixtures named in doc/scenario-format.rst")

    def test_doc_references_resolve(self):
        for page in self.pages():
            for name in re.findall(r":doc:`(?:[^`<]*<)?([^`>]+)>?`", read(page)):
                self.assertTrue(os.path.exists(os.path.join(DOC, name + ".rst")),
                                "%s: :doc:`%s` has no page" % (page, name))

    def test_no_design_file_outside_the_repository(self):
        """The docs stand on their own: no pointers to a design file that
        is not in the repository."""
        for page in self.pages():
            for n, line in enumerate(read(page).splitlines(), 1):
                self.assertNotRegex(line, r"\bshared/|DESIGN\.md",
                                    "%s:%d" % (os.path.relpath(page, REPO), n))


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
