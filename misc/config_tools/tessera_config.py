#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tessera board + scenario configuration tool.

Reads a board file and a scenario file (TOML), validates them, and generates

  * the C tables of hypervisor/include/scenario.h (--out-c),
  * a JSON description of the fully resolved scenario (--out-json),
  * a make fragment for the build and launch scripts (--out-mk).

With --check it only validates.  Every problem is reported as one line on
stderr, "<file>: <field>: <message>", and the exit status is 1; the tool never
shows a Python traceback for bad input.  Outputs are written atomically and
only when their content changes.

The formats and the rules are described in doc/scenario-format.rst.
Standard library only (Python >= 3.11 for tomllib): it runs under Debian's
/usr/bin/python3 without anything from PyPI.
"""

import argparse
import datetime
import difflib
import json
import os
import re
import sys
import tempfile

try:
    import tomllib
except ModuleNotFoundError:  # Python < 3.11
    sys.stderr.write("tessera_config.py: needs Python >= 3.11 (tomllib); "
                     "run it with /usr/bin/python3\n")
    sys.exit(1)

PROG = "tessera_config.py"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# Limits shared with hypervisor/include/scenario.h (the tests check they agree).
MAX_MEM_REGIONS = 4          # SCENARIO_MAX_MEM_REGIONS
MAX_DEVICES = 8              # SCENARIO_MAX_DEVICES
VM_FLAG_ABORT_ON_UNHANDLED = 1 << 0
VM_FLAG_IO_POLLING = 1 << 1
VM_FLAG_DMA_UNCONFINED = 1 << 2
MAX_DEVICE_IRQS = 4          # SCENARIO_MAX_DEVICE_IRQS
# What a board device's `dma` says (enum device_dma).
DMA_KINDS = {"none": "DEVICE_DMA_NONE", "unconfined": "DEVICE_DMA_UNCONFINED",
             "smmu": "DEVICE_DMA_SMMU"}
SMMU_SIZE = 0x20000          # SMMUv3 register pages 0 and 1
IO_COMPLETION_MODES = ("notify", "polling")
MAX_PCPUS = 64               # vm_config.pcpu_mask is a uint64_t

# Scheduling (doc/scheduling.rst): priorities on shared pCPUs, higher first.
PRIORITY_DEFAULT = {"pre-launched": 100, "service": 200, "post-launched": 100}
SLICE_US_DEFAULT = 10000
SLICE_US_RANGE = (100, 1000000)
MAX_VCPUS_PER_PCPU = 8       # CONFIG_MAX_VCPUS_PER_PCPU
SCHED_POLICIES = {"noop": "SCHED_NOOP", "prio_rr": "SCHED_PRIO_RR"}

# Capabilities and boot protocols (hypervisor/include/scenario.h).
CAPS = {"pre-launched": [], "service": ["VM_CAP_MANAGE_VMS", "VM_CAP_CONSOLE_INPUT",
                                        "VM_CAP_UPCALL"],
        "post-launched": ["VM_CAP_RUNTIME"]}
BOOT = {"pre-launched": "VM_BOOT_RAW", "service": "VM_BOOT_LINUX",
        "post-launched": "VM_BOOT_BY_DM"}

# The Service VM's upcall (I/O) and event interrupts: SPIs of its virtual
# GIC, which has INTIDs 32..127 (VGIC_NR_SPIS).
VGIC_LAST_INTID = 127
UPCALL_IRQ_DEFAULT = 120
EVENT_IRQ_DEFAULT = 121
VUART_INTID = 33

# Post-launched VMs: the memory its device model may map, and the stage-2
# table pages that takes in the worst case (every page mapped alone).
MAX_MEMORY_DEFAULT = 256 << 20
MAX_MEMORY_ALIGN = 2 << 20
S2_POOL_PAGES_DEFAULT = 64   # CONFIG_S2_POOL_PAGES, for static VMs

PAGE = 0x1000
U64_LIMIT = 1 << 64
U32_MAX = (1 << 32) - 1
MAX_VM_NAME = 15
PL011_SIZE = 0x1000
DEFAULT_VUART = 0x09000000
GIC_ALIGN = 0x10000
GICD_SIZE = 0x10000          # GICv3 distributor
GICR_FRAME_SIZE = 0x20000    # GICv3 redistributor: RD_base + SGI_base frames
SPI_MIN, SPI_MAX = 32, 1019  # INTIDs that can be passed through
MAX_DEVICE_COUNT = 1024      # instances of one expanded board device
IMAGE_STORE_ALIGN = 0x200000  # the initrd is staged at a 2 MiB boundary
# Its GUEST_PROGRAMS are the test guests a pre-launched VM's `image` may name.
GUESTS_MK = os.path.join("tests", "guests", "guests.mk")

KINDS = {
    "pre-launched": "VM_KIND_PRE_LAUNCHED",
    "service": "VM_KIND_SERVICE",
    "post-launched": "VM_KIND_POST_LAUNCHED",
}
PRE, SERVICE, POST = "pre-launched", "service", "post-launched"

NAME_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,62}\Z")   # board, scenario
IDENT_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")          # VMs, devices, UARTs
IMAGE_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.+-]{0,62}\Z")
BARE_KEY_RE = re.compile(r"[A-Za-z0-9_-]+\Z")


# --------------------------------------------------------------------------
# Formatting helpers

def hx(v):
    return "0x%08x" % v


def span(base, size):
    return "[%s, %s)" % (hx(base), hx(base + size))


def size_name(n):
    if n % (1 << 20) == 0:
        return "%d MiB" % (n >> 20)
    if n % (1 << 10) == 0:
        return "%d KiB" % (n >> 10)
    return "%d bytes" % n


def type_name(v):
    if isinstance(v, bool):
        return "boolean"
    if isinstance(v, int):
        return "integer"
    if isinstance(v, float):
        return "float"
    if isinstance(v, str):
        return "string"
    if isinstance(v, list):
        return "array"
    if isinstance(v, dict):
        return "table"
    if isinstance(v, datetime.datetime):
        return "date-time"
    if isinstance(v, datetime.date):
        return "date"
    if isinstance(v, datetime.time):
        return "time"
    return type(v).__name__


def show(v):
    """A short TOML-like rendering of a value for messages."""
    if isinstance(v, bool):
        s = "true" if v else "false"
    elif isinstance(v, int):
        s = str(v) if v < 4096 else hx(v)
    elif isinstance(v, str):
        s = json.dumps(v, ensure_ascii=False)
    elif isinstance(v, list):
        s = "[" + ", ".join(show(x) for x in v[:8]) + (", ...]" if len(v) > 8 else "]")
    elif isinstance(v, dict):
        s = "{" + ", ".join(key_path("", k) for k in list(v)[:8]) + (", ...}" if len(v) > 8 else "}")
    else:
        s = str(v)
    if len(s) > 72:
        s = s[:69] + "..."
    return s


def key_path(parent, key):
    k = key if BARE_KEY_RE.match(key) else json.dumps(key, ensure_ascii=False)
    return "%s.%s" % (parent, k) if parent else k


def overlaps(a_base, a_size, b_base, b_size):
    return a_base < b_base + b_size and b_base < a_base + a_size


def page_span(base, size):
    lo = base & ~(PAGE - 1)
    hi = (base + size + PAGE - 1) & ~(PAGE - 1)
    return lo, hi - lo


def display_path(path):
    """Path as written into generated files: relative to the repository if inside it."""
    a = os.path.abspath(path)
    r = os.path.relpath(a, REPO)
    return a if r == ".." or r.startswith(".." + os.sep) else r


# --------------------------------------------------------------------------
# Problem reporting and typed TOML access

class Problems:
    def __init__(self):
        self.lines = []
        self.warnings = []

    def warn(self, file, field, msg):
        self.warnings.append("%s: %s: warning: %s" % (file, field, msg))

    def add(self, file, field, msg):
        line = "%s: %s: %s" % (file, field, msg) if field else "%s: %s" % (file, msg)
        line = line.replace("\n", " ")
        if line not in self.lines:
            self.lines.append(line)


class Src:
    """One input file: its name as given on the command line and its error count."""

    def __init__(self, name, problems):
        self.name = name
        self.problems = problems
        self.errors = 0

    def err(self, field, msg):
        self.errors += 1
        self.problems.add(self.name, field, msg)

    def warn(self, field, msg):
        self.problems.warn(self.name, field, msg)


def read_toml(src):
    try:
        with open(src.name, "rb") as f:
            raw = f.read()
    except OSError as e:
        src.err(None, "cannot read file: %s" % (e.strerror or e))
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as e:
        src.err(None, "not a TOML file: byte %d is not UTF-8 text" % e.start)
        return None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        number = bad_number_at_error(text, e)
        if number:
            src.err(*number)
        else:
            src.err(None, "TOML syntax error: %s" % e)
    except (RecursionError, ValueError, OverflowError) as e:
        src.err(None, "TOML syntax error: %s" % (str(e) or type(e).__name__))
    return None


# tomllib (3.11) ends its messages with the position; 1-based, lines split at \n.
TOML_ERROR_AT_RE = re.compile(r"\(at line (\d+), column (\d+)\)$")
NUMBER_LIKE_RE = re.compile(r"[+-]?[0-9]\S*\Z")   # one token that starts like a number
NUMBER_HINT = ("write an integer such as 0x5000_0000 or 1342177280 "
               "(TOML has no size suffixes)")


def bad_number_at_error(text, error):
    """(field, message) for a syntax error inside a number, None otherwise.

    tomllib reports "size = 0x5G" as "Expected newline ..." or, inside an
    inline table, "Unclosed inline table": it reads 0x5 and trips over the
    G.  Users write such sizes, so the message names the field and says what
    a number looks like instead.
    """
    m = TOML_ERROR_AT_RE.search(str(error))
    if not m:
        return None
    lineno, column = int(m.group(1)), int(m.group(2))
    lines = text.split("\n")
    if not 1 <= lineno <= len(lines):
        return None
    line = lines[lineno - 1]
    at = min(column - 1, len(line))
    # The value being parsed: from the last '=', '[', '{' or ',' before the
    # error to the next delimiter after it.
    start = max(line.rfind(c, 0, at) for c in "=[{,") + 1
    ends = [i for i in (line.find(c, at) for c in ",]}#=") if i >= 0]
    value = line[start:min(ends) if ends else len(line)].strip()
    if not NUMBER_LIKE_RE.match(value) or is_toml_number(value):
        return None
    field = toml_path_at(text, sum(len(x) + 1 for x in lines[:lineno - 1]) + at)
    if len(value) > 40:
        value = value[:37] + "..."
    return field, "%s is not a number (line %d): %s" % (value, lineno, NUMBER_HINT)


def is_toml_number(value):
    try:
        v = tomllib.loads("v = " + value)["v"]
    except (tomllib.TOMLDecodeError, ValueError, RecursionError, OverflowError):
        return False
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def toml_path_at(text, pos):
    """The field being defined at offset pos of a TOML text, as the tool
    names fields (vm[1].memory[0].size), or None if there is no key.

    A light scan of the text before pos, good enough for error messages: it
    follows [table] and [[array]] headers, keys, inline tables and arrays,
    and skips strings and comments; it does not validate anything.
    """
    counts = {}            # [[name]] -> number seen so far
    # Frames: [kind, path, key-or-index, state]; kind "table" (state "key"
    # while reading a key, "value" after '=') or "array" (index).
    stack = [["table", "", "", "key"]]
    i = 0
    while i < pos:
        c = text[i]
        top = stack[-1]
        if c == "#":
            end = text.find("\n", i)
            i = pos if end < 0 else end
            continue
        if c in "\"'":
            quote = text[i:i + 3] if text[i:i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < pos and not text.startswith(quote, j):
                j += 2 if (quote[0] == '"' and text[j] == "\\") else 1
            if top[0] == "table" and top[3] == "key":
                top[2] += text[i:j + len(quote)]
            i = j + len(quote)
            continue
        if c == "\n":
            if len(stack) == 1:
                top[2], top[3] = "", "key"
        elif top[0] == "table" and top[3] == "key":
            if c == "[" and len(stack) == 1 and not top[2].strip():
                end = text.find("\n", i)
                header = text[i:pos if end < 0 or end > pos else end]
                h = re.match(r"\[\[\s*([^\]]*?)\s*\]\]|\[\s*([^\]]*?)\s*\]", header)
                if h and h.group(1) is not None:
                    counts[h.group(1)] = counts.get(h.group(1), 0) + 1
                    top[1] = "%s[%d]" % (dotted_path("", h.group(1)), counts[h.group(1)] - 1)
                elif h:
                    top[1] = dotted_path("", h.group(2))
                i += max(len(header), 1)
                continue
            if c == "=":
                top[3] = "value"
            elif c == "}" and len(stack) > 1:
                stack.pop()
            elif not c.isspace() or top[2]:
                top[2] += c
        elif c in "[{":
            if top[0] == "array":
                path = "%s[%d]" % (top[1], top[2])
            else:
                path = dotted_path(top[1], top[2])
            stack.append(["array", path, 0, None] if c == "[" else ["table", path, "", "key"])
        elif c in "]}":
            if len(stack) > 1:
                stack.pop()
        elif c == ",":
            if top[0] == "array":
                top[2] += 1
            elif len(stack) > 1:
                top[2], top[3] = "", "key"
        i += 1
    top = stack[-1]
    if top[0] == "array":
        return "%s[%d]" % (top[1], top[2])
    path = dotted_path(top[1], top[2])
    return path or None


def dotted_path(parent, key):
    """parent + a TOML key as written (bare, quoted or dotted)."""
    for part in re.findall(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'|[^.\s]+', key):
        if part[0] in "\"'":
            try:
                part = tomllib.loads("k = " + part)["k"]
            except tomllib.TOMLDecodeError:
                part = part[1:-1]
        parent = key_path(parent, part)
    return parent


class Table:
    """A TOML table being read: rejects unknown keys, checks types, reports by path."""

    def __init__(self, src, data, path, allowed):
        self.src = src
        self.data = data
        self.path = path
        for key in data:
            if key not in allowed:
                hint = difflib.get_close_matches(key, list(allowed), 1, 0.6)
                if hint:
                    more = " (did you mean '%s'?)" % hint[0]
                else:
                    more = " (known fields: %s)" % ", ".join(allowed)
                src.err(self.at(key), "unknown field%s" % more)

    def at(self, key):
        return key_path(self.path, key)

    def err(self, key, msg):
        self.src.err(self.at(key) if key is not None else self.path, msg)

    def has(self, key):
        return key in self.data

    def _get(self, key, required, what):
        if key not in self.data:
            if required:
                self.err(key, "missing required field (%s)" % what)
            return None, False
        return self.data[key], True

    def wrong(self, key, what, v):
        self.err(key, "expected %s, got %s %s" % (what, type_name(v), show(v)))

    def integer(self, key, required=True, default=None, lo=0, hi=U64_LIMIT - 1,
                what="an integer"):
        v, present = self._get(key, required, what)
        if not present:
            return default if not required else None
        if isinstance(v, bool) or not isinstance(v, int):
            self.wrong(key, what, v)
            return None
        if v < lo or v > hi:
            self.err(key, "%s is out of range (%s..%s)" % (
                show(v), show(lo), show(hi)))
            return None
        return v

    def string(self, key, required=True, default=None, pattern=None,
               pattern_what=None, what="a string"):
        v, present = self._get(key, required, what)
        if not present:
            return default if not required else None
        if not isinstance(v, str):
            self.wrong(key, what, v)
            return None
        if pattern is not None and not pattern.match(v):
            self.err(key, "%s is not %s" % (show(v), pattern_what))
            return None
        return v

    def boolean(self, key, default=False):
        v, present = self._get(key, False, "true or false")
        if not present:
            return default
        if not isinstance(v, bool):
            self.wrong(key, "true or false", v)
            return None
        return v

    def table(self, key, allowed, required=True, what="a table"):
        v = self.raw_table(key, required, what)
        return None if v is None else Table(self.src, v, self.at(key), allowed)

    def raw_table(self, key, required=True, what="a table"):
        """A table whose keys are names (not field names)."""
        v, present = self._get(key, required, what)
        if not present:
            return None
        if not isinstance(v, dict):
            self.wrong(key, what, v)
            return None
        return v

    def array(self, key, required=True, what="an array"):
        v, present = self._get(key, required, what)
        if not present:
            return None
        if not isinstance(v, list):
            self.wrong(key, what, v)
            return None
        return v


def check_range(t, base_key, base, size_key, size, align, base_name=None):
    """Alignment, non-zero size and no 64-bit overflow of one range."""
    if base is None or size is None:
        return False
    ok = True
    if align > 1 and base % align:
        t.err(base_key, "%s is not aligned to %s" % (hx(base), size_name(align)))
        ok = False
    if size == 0:
        t.err(size_key, "size is 0")
        ok = False
    elif align > 1 and size % align:
        t.err(size_key, "%s is not a multiple of %s" % (hx(size), size_name(align)))
        ok = False
    if base + size > U64_LIMIT:
        t.err(size_key, "%s%s + size %s overflows 64 bits" % (
            (base_name + " ") if base_name else "", hx(base), hx(size)))
        ok = False
    return ok


def check_irq(t, key, irq):
    if irq is None:
        return None
    if irq != 0 and not SPI_MIN <= irq <= SPI_MAX:
        t.err(key, "IRQ %d is not a GIC SPI INTID (%d..%d), or 0 for none" % (
            irq, SPI_MIN, SPI_MAX))
        return None
    return irq


# --------------------------------------------------------------------------
# Board file

class Dev:
    """A board UART or pass-through device (one instance)."""

    def __init__(self, name, path, base, size, irq, compatible=None, irqs=None,
                 dma="none", streams=None):
        self.name = name
        self.path = path          # TOML path of its definition
        self.base = base
        self.size = size
        self.irq = irq or (irqs[0] if irqs else 0)  # the first of irqs, 0: none
        self.irqs = irqs if irqs is not None else ([irq] if irq else [])
        self.compatible = compatible
        self.dma = dma            # a key of DMA_KINDS
        self.streams = streams    # dma "smmu": (first stream ID, count)

    def as_json(self, uart=False):
        if uart:
            return {"base": self.base, "size": self.size, "irq": self.irq}
        d = {"base": self.base, "size": self.size, "irq": self.irq,
             "irqs": self.irqs, "dma": self.dma}
        if self.compatible is not None:
            d["compatible"] = self.compatible
        if self.streams:
            d["streams"] = {"base": self.streams[0], "count": self.streams[1]}
        return d


class Board:
    def __init__(self, src):
        self.src = src
        self.name = None
        self.description = None
        self.pcpus = None
        self.ram = None           # (base, size)
        self.gic = None           # dict
        self.smmu = None          # dict: base, event_irq, gerror_irq
        self.uarts = {}           # name -> Dev
        self.devices = {}         # name -> Dev (expanded instances)
        self.groups = {}          # group name -> list of instance names
        self.reserved = []        # (base, size, why, path)


def parse_device_irqs(t, irq):
    """A device's interrupts: `irqs` (a PCI host bridge's INTx lines) or the
    one `irq`; None if wrong (reported)."""
    if not t.has("irqs"):
        return [irq] if irq else []
    if t.has("irq"):
        t.err("irqs", "give either 'irq' or 'irqs', not both")
        return None
    v = t.array("irqs", what="an array of SPI INTIDs")
    if v is None:
        return None
    if not 1 <= len(v) <= MAX_DEVICE_IRQS:
        t.err("irqs", "%d interrupts: 1..%d (SCENARIO_MAX_DEVICE_IRQS)"
              % (len(v), MAX_DEVICE_IRQS))
        return None
    for i, x in enumerate(v):
        if isinstance(x, bool) or not isinstance(x, int) or not SPI_MIN <= x <= SPI_MAX:
            t.err("irqs", "irqs[%d] = %s is not an SPI INTID (%d..%d)"
                  % (i, show(x), SPI_MIN, SPI_MAX))
            return None
    if len(set(v)) != len(v):
        t.err("irqs", "an INTID is listed twice")
        return None
    return list(v)


def parse_device_dma(t):
    """(`dma`, streams) of a board device; (None, None) if wrong (reported)."""
    dma = t.string("dma", required=False, default="none",
                   what='"none", "unconfined" or "smmu"')
    if dma not in DMA_KINDS:
        if dma is not None:
            t.err("dma", '%s is not "none" (no DMA), "unconfined" (a DMA master '
                  'no IOMMU confines) or "smmu" (its DMA goes through the '
                  "board's SMMU)" % show(dma))
        return None, None
    if dma != "smmu":
        if t.has("streams"):
            t.err("streams", 'only for dma = "smmu"')
            return None, None
        return dma, None
    st = t.table("streams", ("base", "count"),
                 what="a table {base, count} of SMMU stream IDs")
    if not st:
        return None, None
    sbase = st.integer("base", hi=U32_MAX)
    scount = st.integer("count", lo=1, hi=U32_MAX)
    if sbase is None or scount is None:
        return None, None
    if sbase + scount > U32_MAX + 1:
        st.err("count", "streams %s + %d go past 32 bits" % (hx(sbase), scount))
        return None, None
    return dma, (sbase, scount)


def load_board(path, problems):
    src = Src(path, problems)
    data = read_toml(src)
    if data is None:
        return None
    b = Board(src)
    top = Table(src, data, "", ("name", "description", "pcpus", "ram", "gic",
                                "smmu", "uarts", "devices", "reserved"))
    b.name = top.string("name", pattern=NAME_RE,
                        pattern_what="a name (letters, digits, '_', '.', '-')")
    b.description = top.string("description", required=False)
    b.pcpus = top.integer("pcpus", lo=1, hi=MAX_PCPUS,
                          what="the number of pCPUs (1..%d)" % MAX_PCPUS)

    ram = top.table("ram", ("base", "size"))
    if ram:
        base, size = ram.integer("base"), ram.integer("size")
        if check_range(ram, "base", base, "size", size, PAGE):
            b.ram = (base, size)

    gic = top.table("gic", ("dist", "dist_size", "redist", "redist_size"))
    if gic:
        dist = gic.integer("dist")
        dist_size = gic.integer("dist_size", required=False, default=GICD_SIZE)
        redist = gic.integer("redist")
        redist_size = gic.integer("redist_size")
        dist_ok = check_range(gic, "dist", dist, "dist_size", dist_size, GIC_ALIGN)
        ok = check_range(gic, "redist", redist, "redist_size", redist_size, GIC_ALIGN)
        if ok and redist_size % GICR_FRAME_SIZE:
            gic.err("redist_size", "%s is not a multiple of the %s GICv3 "
                    "redistributor frame" % (hx(redist_size), size_name(GICR_FRAME_SIZE)))
            ok = False
        if ok and b.pcpus and redist_size < b.pcpus * GICR_FRAME_SIZE:
            gic.err("redist_size", "%s holds %d redistributor frames, fewer than "
                    "the board's %d pCPUs" % (hx(redist_size),
                                              redist_size // GICR_FRAME_SIZE, b.pcpus))
            ok = False
        if ok and dist_ok:
            b.gic = {"dist": dist, "dist_size": dist_size,
                     "redist": redist, "redist_size": redist_size}

    smmu = top.table("smmu", ("base", "size", "event_irq", "gerror_irq"),
                     required=False)
    if smmu:
        base = smmu.integer("base")
        size = smmu.integer("size", required=False, default=SMMU_SIZE)
        irqs = [check_irq(smmu, k, smmu.integer(k, hi=U32_MAX))
                for k in ("event_irq", "gerror_irq")]
        if check_range(smmu, "base", base, "size", size, PAGE) and None not in irqs:
            if not all(irqs):
                smmu.err("event_irq", "the SMMU needs its event and global error "
                         "interrupts (SPIs)")
            else:
                b.smmu = {"base": base, "size": size, "event_irq": irqs[0],
                          "gerror_irq": irqs[1]}

    uarts = top.raw_table("uarts", what="a table of named UARTs")
    if uarts is not None:
        if not uarts:
            top.err("uarts", "no UARTs: the board needs at least one for the console")
        for name, v in uarts.items():
            upath = key_path("uarts", name)
            if not IDENT_RE.match(name):
                src.err(upath, "%s is not a valid UART name (letters, digits, '_')" % show(name))
                continue
            if not isinstance(v, dict):
                src.err(upath, "expected a table, got %s %s" % (type_name(v), show(v)))
                continue
            t = Table(src, v, upath, ("base", "size", "irq"))
            base = t.integer("base")
            size = t.integer("size", required=False, default=PL011_SIZE)
            irq = check_irq(t, "irq", t.integer("irq", required=False, default=0,
                                                hi=U32_MAX))
            if check_range(t, "base", base, "size", size, PAGE) and irq is not None:
                b.uarts[name] = Dev(name, upath, base, size, irq)

    devices = top.raw_table("devices", required=False,
                            what="a table of named devices")
    for name, v in (devices or {}).items():
        dpath = key_path("devices", name)
        if not IDENT_RE.match(name):
            src.err(dpath, "%s is not a valid device name (letters, digits, '_')" % show(name))
            continue
        if not isinstance(v, dict):
            src.err(dpath, "expected a table, got %s %s" % (type_name(v), show(v)))
            continue
        t = Table(src, v, dpath, ("base", "size", "irq", "irqs", "compatible", "count",
                                  "stride", "dma", "streams"))
        base = t.integer("base")
        size = t.integer("size")
        irq = check_irq(t, "irq", t.integer("irq", required=False, default=0, hi=U32_MAX))
        irqs = parse_device_irqs(t, irq)
        compatible = t.string("compatible", required=False)
        dma, streams = parse_device_dma(t)
        if irqs is None or dma is None:
            continue
        if t.has("irqs") and t.has("count"):
            t.err("irqs", "not together with 'count' (each instance has one irq)")
            continue
        count = t.integer("count", required=False, lo=1, hi=MAX_DEVICE_COUNT)
        stride = t.integer("stride", required=False, default=size)
        if not check_range(t, "base", base, "size", size, 1) or irq is None:
            continue
        if t.has("count"):
            if count is None or stride is None:
                continue
            if stride < size:
                t.err("stride", "%s is smaller than the size %s: instances would overlap"
                      % (hx(stride), hx(size)))
                continue
            if base + (count - 1) * stride + size > U64_LIMIT:
                t.err("count", "%d instances from %s overflow 64 bits" % (count, hx(base)))
                continue
            if irq and irq + count - 1 > SPI_MAX:
                t.err("count", "%d instances from IRQ %d go past the last SPI %d"
                      % (count, irq, SPI_MAX))
                continue
            instances = [("%s%d" % (name, i), base + i * stride, irq + i if irq else 0)
                         for i in range(count)]
            b.groups[name] = [n for n, _, _ in instances]
        else:
            if t.has("stride"):
                t.err("stride", "only meaningful together with 'count'")
            instances = [(name, base, irq)]
        for iname, ibase, iirq in instances:
            if iname in b.devices:
                src.err(dpath, "device name %s is already defined by %s"
                        % (show(iname), b.devices[iname].path))
                continue
            b.devices[iname] = Dev(iname, dpath, ibase, size, iirq, compatible,
                                   irqs if t.has("irqs") else None, dma, streams)

    reserved = top.array("reserved", required=False,
                         what="an array of {base, size, why} tables")
    for i, v in enumerate(reserved or []):
        rpath = "reserved[%d]" % i
        if not isinstance(v, dict):
            src.err(rpath, "expected a table, got %s %s" % (type_name(v), show(v)))
            continue
        t = Table(src, v, rpath, ("base", "size", "why"))
        base, size = t.integer("base"), t.integer("size")
        why = t.string("why", required=False, default="")
        if check_range(t, "base", base, "size", size, 1) and why is not None:
            b.reserved.append((base, size, why, rpath))

    # Board-wide: physical ranges must not collide.
    ranges = []
    if b.ram:
        ranges.append(("RAM", "ram", b.ram[0], b.ram[1]))
    if b.gic:
        ranges.append(("the GIC distributor", "gic.dist", b.gic["dist"], b.gic["dist_size"]))
        ranges.append(("the GIC redistributors", "gic.redist", b.gic["redist"],
                       b.gic["redist_size"]))
    for u in b.uarts.values():
        ranges.append(("UART %s" % show(u.name), u.path, u.base, u.size))
    for d in b.devices.values():
        ranges.append(("device %s" % show(d.name), d.path, d.base, d.size))
    if b.smmu:
        ranges.append(("the SMMU", "smmu.base", b.smmu["base"], b.smmu["size"]))
    check_board_dma(b)
    reported = set()
    for i, (label, p, base, size) in enumerate(ranges):
        for olabel, op, obase, osize in ranges[:i]:
            if overlaps(base, size, obase, osize) and (p, op) not in reported:
                reported.add((p, op))
                src.err(p, "%s %s overlaps %s %s" % (label, span(base, size),
                                                     olabel, span(obase, osize)))
    return b


def check_board_dma(b):
    """DMA through an SMMU needs the board's SMMU; no two devices share a
    stream ID; the SMMU's interrupts are the hypervisor's alone."""
    streams = []
    for d in b.devices.values():
        if d.dma == "smmu" and not b.smmu:
            b.src.err(d.path + ".dma", '"smmu", but the board has no [smmu] table')
        if not d.streams:
            continue
        for od, (obase, ocount) in streams:
            if overlaps(d.streams[0], d.streams[1], obase, ocount):
                b.src.err(d.path + ".streams", "stream IDs %s overlap those of device %s"
                          % (span(*d.streams), show(od.name)))
                break
        streams.append((d, d.streams))
    if not b.smmu:
        return
    for key in ("event_irq", "gerror_irq"):
        irq = b.smmu[key]
        for d in list(b.devices.values()) + list(b.uarts.values()):
            if irq in d.irqs:
                b.src.err("smmu." + key, "INTID %d is also device %s's"
                          % (irq, show(d.name)))


# --------------------------------------------------------------------------
# Scenario file

class Region:
    def __init__(self, gpa, hpa, size, path):
        self.gpa, self.hpa, self.size, self.path = gpa, hpa, size, path


class VM:
    def __init__(self, index):
        self.index = index
        self.path = "vm[%d]" % index
        self.name = None
        self.kind = None
        self.pcpus = None         # list of ints, or None if invalid
        self.memory = None        # list of Region (valid ones), None if invalid
        self.memory_ok = False    # every region valid
        self.auto = False
        self.entry = None
        self.vuart = None
        self.flags = 0
        self.abort_on_unhandled = False
        self.devices = []         # (name, path)
        self.image = None
        self.priority = None
        self.slice_us = None
        self.max_memory = 0
        self.upcall_irq = None
        self.event_irq = None
        self.pt_first = 0
        self.pt_pages = 0

    def label(self):
        return "VM '%s'" % self.name if self.name else self.path


class Scenario:
    def __init__(self, src):
        self.src = src
        self.name = None
        self.description = None
        self.board_name = None
        self.hv = None
        self.image_store = None  # (base, size): Service VM boot images
        self.keep_board_up = False  # every VM stopped: the board stays on
        self.vms = []
        self.slice_us = SLICE_US_DEFAULT
        self.shared_pcpus = []   # pCPUs that pre-launched VMs may share
        self.pcpu_policy = []    # per board pCPU: "noop" or "prio_rr"
        self.pt_pool_pages = 0


VM_FIELDS = ("name", "kind", "pcpus", "memory", "entry", "vuart", "dma",
             "abort_on_unhandled", "io_completion", "devices", "image", "bootargs",
             "priority", "slice_us", "max_memory", "upcall_irq", "event_irq")


def parse_vm(src, raw, index):
    vm = VM(index)
    t = Table(src, raw, vm.path, VM_FIELDS)
    name = t.string("name")
    if name is not None:
        if not IDENT_RE.match(name):
            t.err("name", "%s is not an identifier (letters, digits, '_'; "
                  "not starting with a digit)" % show(name))
        elif len(name) > MAX_VM_NAME:
            t.err("name", "%s is longer than %d characters" % (show(name), MAX_VM_NAME))
        else:
            vm.name = name
    kind = t.string("kind", what='"pre-launched", "service" or "post-launched"')
    if kind is not None:
        if kind in KINDS:
            vm.kind = kind
        else:
            t.err("kind", 'unknown kind %s (expected "pre-launched", "service" or '
                  '"post-launched")' % show(kind))

    pcpus = t.array("pcpus", what="an array of pCPU ids")
    if pcpus is not None:
        vm.pcpus = []
        ok = True
        for j, p in enumerate(pcpus):
            ppath = "%s.pcpus[%d]" % (vm.path, j)
            if isinstance(p, bool) or not isinstance(p, int):
                src.err(ppath, "expected a pCPU id (integer), got %s %s" % (type_name(p), show(p)))
                ok = False
            elif not 0 <= p < MAX_PCPUS:
                src.err(ppath, "pCPU %s is out of range (0..%d)" % (show(p), MAX_PCPUS - 1))
                ok = False
            elif p in vm.pcpus:
                src.err("%s.pcpus" % vm.path, "pCPU %d is listed twice" % p)
                ok = False
            else:
                vm.pcpus.append(p)
        if not pcpus:
            t.err("pcpus", "no pCPUs: a VM needs at least one")
            ok = False
        if not ok:
            vm.pcpus = None

    if vm.kind == POST:
        for key, why in (("memory", "the device model allocates its memory at run time"),
                         ("entry", "the device model loads and starts it"),
                         ("devices", "pass-through to post-launched VMs is not supported")):
            if t.has(key):
                t.err(key, "not allowed for a post-launched VM: %s" % why)
        vm.memory, vm.memory_ok = [], True
        vm.entry = 0
        vm.max_memory = t.integer("max_memory", required=False,
                                  default=MAX_MEMORY_DEFAULT, lo=MAX_MEMORY_ALIGN,
                                  what="the bytes its device model may map")
        if vm.max_memory is not None and vm.max_memory % MAX_MEMORY_ALIGN:
            t.err("max_memory", "%s is not a multiple of %s"
                  % (hx(vm.max_memory), size_name(MAX_MEMORY_ALIGN)))
            vm.max_memory = None
    else:
        if t.has("max_memory"):
            t.err("max_memory", "only for a post-launched VM (the others' memory "
                  "is listed in `memory`)")
        parse_vm_memory(src, t, vm)
        if vm.kind == PRE:
            vm.entry = t.integer("entry", what="the guest-physical entry address "
                                 "(required for pre-launched VMs)")
        else:
            vm.entry = t.integer("entry", required=False, default=0)
        devices = t.array("devices", required=False, what="an array of board device names")
        if devices is not None:
            if len(devices) > MAX_DEVICES:
                t.err("devices", "%d devices, more than %d (SCENARIO_MAX_DEVICES)"
                      % (len(devices), MAX_DEVICES))
            for j, d in enumerate(devices[:MAX_DEVICES]):
                dpath = "%s.devices[%d]" % (vm.path, j)
                if not isinstance(d, str):
                    src.err(dpath, "expected a board device name (string), got %s %s"
                            % (type_name(d), show(d)))
                else:
                    vm.devices.append((d, dpath))

    vm.vuart = t.integer("vuart", required=False, default=DEFAULT_VUART,
                         what="the guest-physical address of the virtual PL011 (0 for none)")
    if vm.vuart is not None:
        if vm.vuart % PAGE:
            t.err("vuart", "%s is not aligned to 4 KiB" % hx(vm.vuart))
            vm.vuart = None
        elif vm.vuart + PL011_SIZE > U64_LIMIT:
            t.err("vuart", "%s + %s overflows 64 bits" % (hx(vm.vuart), hx(PL011_SIZE)))
            vm.vuart = None
    abort = t.boolean("abort_on_unhandled")
    vm.abort_on_unhandled = bool(abort)
    vm.flags = VM_FLAG_ABORT_ON_UNHANDLED if abort else 0
    vm.io_completion = t.string("io_completion", required=False, default="notify",
                                what='"notify" or "polling"')
    if vm.io_completion is not None and vm.io_completion not in IO_COMPLETION_MODES:
        t.err("io_completion", '%s is not "notify" or "polling"' % show(vm.io_completion))
        vm.io_completion = None
    if vm.io_completion == "polling":
        vm.flags |= VM_FLAG_IO_POLLING
    dma = t.string("dma", required=False, default="confined",
                   what='"confined" or "unconfined"')
    if dma == "unconfined" and vm.kind != SERVICE:
        t.err("dma", "only the Service VM may accept DMA masters no IOMMU confines: "
              "a %s VM's isolation must hold" % vm.kind)
    elif dma == "unconfined":
        vm.flags |= VM_FLAG_DMA_UNCONFINED
    elif dma is not None and dma != "confined":
        t.err("dma", '%s is not "confined" (the default) or "unconfined"' % show(dma))
    vm.bootargs = t.string("bootargs", required=False, default="",
                           what="a kernel command line")
    if vm.bootargs and vm.kind == POST:
        t.err("bootargs", "a post-launched VM's command line is its device "
              "model's (--append); %s is post-launched" % show(vm.name))
    elif vm.bootargs and (len(vm.bootargs) > 255 or not vm.bootargs.isprintable()):
        t.err("bootargs", "%s is not printable text of at most 255 characters"
              % show(vm.bootargs[:40]))
    if vm.kind in PRIORITY_DEFAULT:
        vm.priority = t.integer("priority", required=False,
                                default=PRIORITY_DEFAULT[vm.kind], lo=0, hi=255,
                                what="a priority 0..255 (higher runs first)")
    vm.slice_us = t.integer("slice_us", required=False, default=None,
                            lo=SLICE_US_RANGE[0], hi=SLICE_US_RANGE[1],
                            what="a time slice in microseconds")
    for key, default in (("upcall_irq", UPCALL_IRQ_DEFAULT),
                         ("event_irq", EVENT_IRQ_DEFAULT)):
        if vm.kind != SERVICE:
            if t.has(key):
                t.err(key, "only the Service VM takes the upcall")
            continue
        v = t.integer(key, required=False, default=default, lo=SPI_MIN,
                      hi=VGIC_LAST_INTID, what="a GIC INTID of the Service VM's "
                      "virtual GIC (32..%d)" % VGIC_LAST_INTID)
        setattr(vm, key, v)
    vm.image = t.string("image", required=False, pattern=IMAGE_RE,
                        pattern_what="an image name (letters, digits, '_', '.', '+', '-')")
    return vm


def parse_vm_memory(src, t, vm):
    what = 'an array of {gpa, hpa, size} tables'
    if vm.kind == SERVICE:
        what += ' or "auto"'
    v, present = t._get("memory", True, what)
    if not present:
        return
    if isinstance(v, str):
        if v != "auto":
            t.wrong("memory", what, v)
        elif vm.kind in (PRE, None):
            if vm.kind == PRE:
                t.err("memory", '"auto" is only allowed for the Service VM')
        else:
            vm.auto = True
        return
    if not isinstance(v, list):
        t.wrong("memory", what, v)
        return
    if not v:
        t.err("memory", "no memory regions: a %s VM needs at least one"
              % (vm.kind or "pre-launched"))
        return
    if len(v) > MAX_MEM_REGIONS:
        t.err("memory", "%d regions, more than %d (SCENARIO_MAX_MEM_REGIONS)"
              % (len(v), MAX_MEM_REGIONS))
        return
    regions, ok = [], True
    for j, r in enumerate(v):
        rpath = "%s.memory[%d]" % (vm.path, j)
        if not isinstance(r, dict):
            src.err(rpath, "expected a {gpa, hpa, size} table, got %s %s"
                    % (type_name(r), show(r)))
            ok = False
            continue
        rt = Table(src, r, rpath, ("gpa", "hpa", "size"))
        gpa, hpa, size = rt.integer("gpa"), rt.integer("hpa"), rt.integer("size")
        good = check_range(rt, "gpa", gpa, "size", size, PAGE, "gpa")
        if hpa is not None and good:
            if hpa % PAGE:
                rt.err("hpa", "%s is not aligned to 4 KiB" % hx(hpa))
                good = False
            if hpa + size > U64_LIMIT:
                rt.err("size", "hpa %s + size %s overflows 64 bits" % (hx(hpa), hx(size)))
                good = False
        if good and hpa is not None:
            regions.append(Region(gpa, hpa, size, rpath))
        else:
            ok = False
    vm.memory = regions
    vm.memory_ok = ok


def load_scenario(path, problems):
    src = Src(path, problems)
    data = read_toml(src)
    if data is None:
        return None
    s = Scenario(src)
    top = Table(src, data, "", ("name", "description", "board", "hypervisor",
                                "scheduler", "vm"))
    s.name = top.string("name", pattern=NAME_RE,
                        pattern_what="a name (letters, digits, '_', '.', '-')")
    s.description = top.string("description", required=False)
    s.board_name = top.string("board", what="the board's name")
    hv = top.table("hypervisor", ("base", "size", "image_store", "keep_board_up"))
    if hv:
        s.keep_board_up = bool(hv.boolean("keep_board_up"))
        base, size = hv.integer("base"), hv.integer("size")
        if check_range(hv, "base", base, "size", size, PAGE):
            s.hv = (base, size)
        store = hv.table("image_store", ("base", "size"), required=False,
                         what="a table { base, size }")
        if store:
            sbase, ssize = store.integer("base"), store.integer("size")
            if check_range(store, "base", sbase, "size", ssize, PAGE):
                # The hypervisor stages the initrd at the first 2 MiB boundary
                # behind the kernel and counts the room left from there.
                if ssize % IMAGE_STORE_ALIGN:
                    store.err("size", "%s is not a multiple of %s (the initrd goes "
                              "at the next 2 MiB boundary behind the kernel)"
                              % (hx(ssize), size_name(IMAGE_STORE_ALIGN)))
                else:
                    s.image_store = (sbase, ssize)
    sched = top.table("scheduler", ("slice_us", "shared_pcpus"), required=False,
                      what="a table { slice_us, shared_pcpus }")
    if sched:
        v = sched.integer("slice_us", required=False, default=SLICE_US_DEFAULT,
                          lo=SLICE_US_RANGE[0], hi=SLICE_US_RANGE[1],
                          what="a time slice in microseconds")
        if v is not None:
            s.slice_us = v
        shared = sched.array("shared_pcpus", required=False,
                             what="an array of pCPU ids")
        for j, p in enumerate(shared or []):
            if isinstance(p, bool) or not isinstance(p, int) or not 0 <= p < MAX_PCPUS:
                src.err("scheduler.shared_pcpus[%d]" % j, "expected a pCPU id "
                        "(0..%d), got %s" % (MAX_PCPUS - 1, show(p)))
            elif p not in s.shared_pcpus:
                s.shared_pcpus.append(p)
    vms = top.array("vm", what="an array of [[vm]] tables")
    if vms is not None and not vms:
        top.err("vm", "no VMs: a scenario needs at least one [[vm]]")
    for i, raw in enumerate(vms or []):
        if not isinstance(raw, dict):
            src.err("vm[%d]" % i, "expected a [[vm]] table, got %s %s" % (type_name(raw), show(raw)))
            continue
        s.vms.append(parse_vm(src, raw, i))
    return s


# --------------------------------------------------------------------------
# Cross checks

def check_scenario(s, b, console, args):
    """Rules that involve several fields, several VMs, or the board.

    b is None if the board file had errors: board-dependent checks are skipped.
    """
    err = s.src.err
    vms = s.vms

    if b is not None and s.board_name is not None and s.board_name != b.name:
        err("board", "%s does not match the board file's name %s (%s)"
            % (show(s.board_name), show(b.name), b.src.name))

    names = {}
    for vm in vms:
        if vm.name is None:
            continue
        if vm.name in names:
            err(vm.path + ".name", "%s is already the name of %s"
                % (show(vm.name), names[vm.name].path))
        else:
            names[vm.name] = vm

    services = [vm for vm in vms if vm.kind == SERVICE]
    for vm in services[1:]:
        err(vm.path + ".kind", 'a second Service VM: %s is already the Service VM '
            '(at most one per scenario)' % services[0].label())
    if s.image_store and s.hv and not (
            s.hv[0] <= s.image_store[0] and
            s.image_store[0] + s.image_store[1] <= s.hv[0] + s.hv[1]):
        err("hypervisor.image_store", "%s is not inside the hypervisor's memory %s"
            % (span(*s.image_store), span(*s.hv)))
    if not services:
        for vm in vms:
            if vm.kind == POST:
                err(vm.path + ".kind", "post-launched %s needs a Service VM to run its "
                    "device model, and the scenario has none (a device model VM "
                    "without a Service VM)" % vm.label())

    if args.max_vms is not None and len(vms) > args.max_vms:
        err("vm", "%d VMs, more than --max-vms %d" % (len(vms), args.max_vms))

    # pCPUs
    owners = {}
    for vm in vms:
        if vm.pcpus is None:
            continue
        if args.max_vcpus is not None and len(vm.pcpus) > args.max_vcpus:
            err(vm.path + ".pcpus", "%d vCPUs, more than --max-vcpus %d"
                % (len(vm.pcpus), args.max_vcpus))
        for p in vm.pcpus:
            if b is not None and b.pcpus is not None and p >= b.pcpus:
                err(vm.path + ".pcpus", "pCPU %d does not exist: board %s has pCPUs 0..%d"
                    % (p, show(b.name), b.pcpus - 1))
                continue
            for other in owners.get(p, []):
                if {other.kind, vm.kind} == {SERVICE, POST} or p in s.shared_pcpus:
                    continue
                hint = ""
                if vm.kind == POST and other.kind == POST:
                    hint = " (post-launched VMs may share pCPUs only with the Service VM)"
                else:
                    hint = " (list it in [scheduler] shared_pcpus to let VMs share it)"
                err(vm.path + ".pcpus", "pCPU %d is already given to %s%s"
                    % (p, other.label(), hint))
                break
            owners.setdefault(p, []).append(vm)
    for p, vms_on in sorted(owners.items()):
        if len(vms_on) > MAX_VCPUS_PER_PCPU:
            err("vm", "pCPU %d runs %d vCPUs, more than %d (CONFIG_MAX_VCPUS_PER_PCPU)"
                % (p, len(vms_on), MAX_VCPUS_PER_PCPU))
    for p in s.shared_pcpus:
        if b is not None and b.pcpus is not None and p >= b.pcpus:
            err("scheduler.shared_pcpus", "pCPU %d does not exist: board %s has pCPUs 0..%d"
                % (p, show(b.name), b.pcpus - 1))
    if b is not None and b.pcpus is not None:
        # One vCPU on a pCPU: noop (no tick, no switch); more: priority round-robin.
        s.pcpu_policy = ["prio_rr" if len(owners.get(p, [])) > 1 else "noop"
                         for p in range(b.pcpus)]

    # The Service VM's upcall and event interrupts.
    for vm in services:
        taken = {VUART_INTID: "its virtual UART"} if vm.vuart else {}
        for name, dpath in vm.devices:
            dev = b.devices.get(name) if b is not None else None
            for irq in dev.irqs if dev is not None else []:
                taken[irq] = "device %s" % show(name)
        for key in ("upcall_irq", "event_irq"):
            irq = getattr(vm, key)
            if irq is None:
                continue
            if irq in taken:
                err(vm.path + "." + key, "INTID %d is already %s's" % (irq, taken[irq]))
            taken[irq] = key
    for vm in vms:
        vm.slice_us = vm.slice_us or s.slice_us

    # Memory
    board_ok = b is not None and b.ram is not None
    if board_ok and s.hv:
        check_in_ram(s, b, "hypervisor", "the hypervisor's memory", s.hv[0], s.hv[1])
        for rbase, rsize, why, _ in b.reserved:
            if overlaps(s.hv[0], s.hv[1], rbase, rsize):
                err("hypervisor", "%s overlaps board reserved range %s%s"
                    % (span(*s.hv), span(rbase, rsize), " (%s)" % why if why else ""))

    explicit = [vm for vm in vms if vm.memory and not vm.auto]
    for vm in explicit:
        for j, r in enumerate(vm.memory):
            if board_ok:
                check_in_ram(s, b, r.path, "hpa range", r.hpa, r.size)
                for rbase, rsize, why, _ in b.reserved:
                    if overlaps(r.hpa, r.size, rbase, rsize):
                        err(r.path, "hpa range %s overlaps board reserved range %s%s"
                            % (span(r.hpa, r.size), span(rbase, rsize),
                               " (%s)" % why if why else ""))
            if s.hv and overlaps(r.hpa, r.size, *s.hv):
                err(r.path, "hpa range %s overlaps the hypervisor's memory %s"
                    % (span(r.hpa, r.size), span(*s.hv)))
            if b is not None and b.gic:
                check_gic(s, b, r.path, "gpa range", r.gpa, r.size)
            for o in vm.memory[:j]:
                if overlaps(r.gpa, r.size, o.gpa, o.size):
                    err(r.path, "gpa range %s overlaps %s gpa range %s"
                        % (span(r.gpa, r.size), o.path.split(".")[-1], span(o.gpa, o.size)))
                if overlaps(r.hpa, r.size, o.hpa, o.size):
                    err(r.path, "hpa range %s overlaps %s hpa range %s"
                        % (span(r.hpa, r.size), o.path.split(".")[-1], span(o.hpa, o.size)))
    for i, vm in enumerate(explicit):
        for other in explicit[:i]:
            for r in vm.memory:
                for o in other.memory:
                    if overlaps(r.hpa, r.size, o.hpa, o.size):
                        err(r.path, "hpa range %s overlaps %s %s %s"
                            % (span(r.hpa, r.size), other.label(),
                               o.path.split(".")[-1], span(o.hpa, o.size)))

    for vm in vms:
        if vm.auto and board_ok:
            resolve_auto_memory(s, b, vm, explicit)

    # Entry
    for vm in vms:
        if vm.entry is None or vm.memory is None or not vm.memory_ok:
            continue
        if vm.kind == PRE or (vm.kind == SERVICE and vm.entry != 0):
            if not any(r.gpa <= vm.entry < r.gpa + r.size for r in vm.memory):
                err(vm.path + ".entry", "%s is not inside the VM's memory (gpa %s)"
                    % (hx(vm.entry), ", ".join(span(r.gpa, r.size) for r in vm.memory)))

    # Devices and IRQs
    dev_owner = {}   # device name -> vm
    irq_owner = {}   # irq -> (vm, device)
    given = []       # (vm, dev, path)
    for vm in vms:
        if b is None:
            break
        seen = set()
        for name, dpath in vm.devices:
            dev = b.devices.get(name)
            if dev is None:
                err(dpath, "unknown device %s%s" % (show(name), device_hint(b, name)))
                continue
            if name in seen:
                err(dpath, "device %s is listed twice" % show(name))
                continue
            seen.add(name)
            if name in dev_owner:
                err(dpath, "device %s is already passed through to %s"
                    % (show(name), dev_owner[name].label()))
                continue
            dev_owner[name] = vm
            check_device_dma(s, b, vm, dev, dpath)
            for irq in dev.irqs:
                if console is not None and irq == console.irq:
                    err(dpath, "IRQ %d of device %s belongs to the hypervisor's console "
                        "UART %s" % (irq, show(name), show(console.name)))
                elif irq in irq_owner and irq_owner[irq][0] is not vm:
                    ovm, odev = irq_owner[irq]
                    err(dpath, "IRQ %d of device %s is already passed through to %s "
                        "(with device %s)" % (irq, show(name), ovm.label(), show(odev.name)))
                else:
                    irq_owner.setdefault(irq, (vm, dev))
            pbase, psize = page_span(dev.base, dev.size)
            for ovm, odev, _ in given:
                if ovm is not vm and overlaps(pbase, psize, *page_span(odev.base, odev.size)):
                    err(dpath, "device %s shares a 4 KiB page with device %s of %s "
                        "(pass-through maps whole pages)"
                        % (show(name), show(odev.name), ovm.label()))
                    break
            # (Board checks keep devices out of UART and GIC pages: those are
            # page aligned and whole pages, and devices may not overlap them.)
            for r in vm.memory or []:
                if overlaps(pbase, psize, r.gpa, r.size):
                    err(dpath, "device %s %s overlaps %s gpa range %s"
                        % (show(name), span(dev.base, dev.size), r.path.split(".")[-1],
                           span(r.gpa, r.size)))
            given.append((vm, dev, dpath))

    # Virtual UART
    for vm in vms:
        if not vm.vuart:
            continue
        for r in vm.memory or []:
            if overlaps(vm.vuart, PL011_SIZE, r.gpa, r.size):
                err(vm.path + ".vuart", "%s overlaps %s gpa range %s"
                    % (span(vm.vuart, PL011_SIZE), r.path.split(".")[-1], span(r.gpa, r.size)))
        for ovm, dev, _ in given:
            if ovm is vm and overlaps(vm.vuart, PL011_SIZE, *page_span(dev.base, dev.size)):
                err(vm.path + ".vuart", "%s overlaps passed-through device %s %s"
                    % (span(vm.vuart, PL011_SIZE), show(dev.name), span(dev.base, dev.size)))
        if b is not None and b.gic:
            check_gic(s, b, vm.path + ".vuart", "virtual UART", vm.vuart, PL011_SIZE)

    # A pre-launched VM's image is a test guest, built for its entry address:
    # a name nobody builds would only fail at launch. (The Service VM boots
    # Linux; a post-launched VM's image is for the device model to load.)
    named = [vm for vm in vms if vm.image is not None and vm.kind == PRE]
    guests = read_guest_programs(s.src.problems) if named else []
    for vm in named:
        if guests and vm.image not in guests:
            hint = difflib.get_close_matches(vm.image, guests, 1, 0.6)
            err(vm.path + ".image", "%s is not a test guest%s: the guests are %s "
                "(GUEST_PROGRAMS in %s)" % (show(vm.image),
                                           " (did you mean %s?)" % show(hint[0]) if hint else "",
                                           ", ".join(guests), GUESTS_MK))

    check_table_pool(s, args)


def check_device_dma(s, b, vm, dev, dpath):
    """A DMA master no IOMMU confines can overwrite any VM and the
    hypervisor: refused, except for a Service VM that says dma = "unconfined"
    (then a warning here and a line at boot)."""
    if dev.dma != "unconfined":
        return
    what = ("device %s is a DMA master that no IOMMU confines (board %s: %s.dma = "
            '"unconfined")' % (show(dev.name), show(b.name), dev.path))
    if vm.kind != SERVICE:
        s.src.err(dpath, "%s: it could write any memory, so a %s VM may not have it"
                  % (what, vm.kind))
    elif not vm.flags & VM_FLAG_DMA_UNCONFINED:
        s.src.err(dpath, '%s: it could write other VMs\' and the hypervisor\'s memory; '
                  'give the VM a confined device (behind the SMMU) or accept this '
                  'with dma = "unconfined" in %s (doc/dma-isolation.rst)'
                  % (what, vm.path))
    else:
        s.src.warn(dpath, "%s: with dma = \"unconfined\", %s can overwrite the "
                   "memory of every other VM and of the hypervisor" % (what, vm.label()))


def image_limit(s):
    """Where the hypervisor image (code, data, .bss with the stage-2 table
    pool and the stacks) must end: the image store, else the end of the
    hypervisor's memory. The linker checks the exact image against it."""
    return s.image_store[0] if s.image_store else s.hv[0] + s.hv[1]


def check_table_pool(s, args):
    """The table pool alone must fit below image_limit(): a max_memory of
    many GiB would need more table pages than the hypervisor's memory has.
    (The linker then checks the whole image, code and stacks included.)"""
    if not s.hv:
        return
    plan_table_pool(s, args.s2_pool_pages)
    room = image_limit(s) - s.hv[0]
    need = s.pt_pool_pages * PAGE
    if need <= room:
        return
    big = max((vm for vm in s.vms if vm.kind == POST),
              key=lambda vm: vm.pt_pages, default=None)
    hint = ""
    if big is not None:
        hint = ": lower %s.max_memory (%s) or give the hypervisor more memory" % (
            big.path, size_name(big.max_memory or MAX_MEMORY_DEFAULT))
    s.src.err("hypervisor.size", "the stage-2 table pool takes %d pages (%s), "
              "more than the hypervisor's %s up to %s%s"
              % (s.pt_pool_pages, size_name(need), size_name(room),
                 hx(image_limit(s)), hint))


def read_guest_programs(problems):
    """GUEST_PROGRAMS of tests/guests/guests.mk, or [] (reported) if unreadable."""
    src = Src(GUESTS_MK, problems)
    try:
        with open(os.path.join(REPO, GUESTS_MK), encoding="utf-8") as f:
            text = f.read().replace("\\\n", " ")
    except (OSError, UnicodeDecodeError) as e:
        src.err(None, "cannot read file (needed to check image names): %s"
                % (getattr(e, "strerror", None) or e))
        return []
    names, defined = [], False
    for m in re.finditer(r"^GUEST_PROGRAMS\s*(\+=|\?=|:{0,3}=)(.*)$", text, re.M):
        if m.group(1) == "?=" and defined:
            continue
        if m.group(1) != "+=":
            names = []
        names += [w for w in m.group(2).split("#")[0].split() if "$" not in w]
        defined = True
    if not names:
        src.err("GUEST_PROGRAMS", "%s (needed to check image names)"
                % ("lists no programs" if defined else "not defined"))
    return names


def plan_table_pool(s, static_pages):
    """Each VM's slice of the stage-2 table pool: static VMs get
    static_pages (CONFIG_S2_POOL_PAGES); a post-launched VM what mapping
    max_memory page by page takes at most (every 2 MiB one level-3 table,
    every 1 GiB one level-2 table, one more of each for a layout that
    straddles their boundaries, and the root)."""
    first = 0
    for vm in s.vms:
        if vm.kind == POST:
            m = vm.max_memory or MAX_MEMORY_DEFAULT
            pages = 1 + -(-m // (1 << 30)) + 1 + -(-m // (2 << 20)) + 1
        else:
            pages = static_pages
        vm.pt_first, vm.pt_pages = first, pages
        first += pages
    s.pt_pool_pages = first


def check_in_ram(s, b, path, what, base, size):
    rbase, rsize = b.ram
    if not (rbase <= base and base + size <= rbase + rsize):
        s.src.err(path, "%s %s is outside board RAM %s"
                  % (what, span(base, size), span(rbase, rsize)))


def check_gic(s, b, path, what, base, size):
    """The vGIC is presented to every VM at the board's GIC addresses."""
    for label, gbase, gsize in (("distributor", b.gic["dist"], b.gic["dist_size"]),
                                ("redistributors", b.gic["redist"], b.gic["redist_size"])):
        if overlaps(base, size, gbase, gsize):
            s.src.err(path, "%s %s overlaps the virtual GIC %s %s"
                      % (what, span(base, size), label, span(gbase, gsize)))


def device_hint(b, name):
    if name in b.uarts:
        return " (it is a board UART, not a pass-through device)"
    if name in b.groups:
        g = b.groups[name]
        return " (name one instance: %s .. %s)" % (g[0], g[-1])
    hint = difflib.get_close_matches(name, list(b.devices), 1, 0.6)
    if hint:
        return " (did you mean %s?)" % show(hint[0])
    if not b.devices:
        return " (board %s has no pass-through devices)" % show(b.name)
    return " (board %s has: %s)" % (show(b.name), ", ".join(
        list(b.devices)[:12] + (["..."] if len(b.devices) > 12 else [])))


def resolve_auto_memory(s, b, vm, explicit):
    """memory = "auto": all board RAM not owned by the hypervisor, a board
    reserved range or another VM, as identity-mapped regions."""
    owned = []
    if s.hv:
        owned.append(s.hv)
    owned += [(base, size) for base, size, _, _ in b.reserved]
    for other in explicit:
        owned += [(r.hpa, r.size) for r in other.memory]
    free = []
    cur, end = b.ram[0], b.ram[0] + b.ram[1]
    for base, size in sorted(owned):
        # Reserved ranges need not be page aligned: round outwards.
        lo = base & ~(PAGE - 1)
        hi = (base + size + PAGE - 1) & ~(PAGE - 1)
        if lo > cur:
            free.append((cur, min(lo, end) - cur))
        cur = max(cur, hi)
        if cur >= end:
            break
    if cur < end:
        free.append((cur, end - cur))
    free = [(base, size) for base, size in free if size > 0]
    if not free:
        s.src.err(vm.path + ".memory", '"auto" leaves no RAM for the Service VM')
        vm.memory, vm.memory_ok = None, False
        return
    if len(free) > MAX_MEM_REGIONS:
        s.src.err(vm.path + ".memory", '"auto" finds %d free RAM ranges (%s), more than '
                  '%d (SCENARIO_MAX_MEM_REGIONS): list the memory explicitly'
                  % (len(free), ", ".join(span(*f) for f in free), MAX_MEM_REGIONS))
        vm.memory, vm.memory_ok = None, False
        return
    vm.memory = [Region(base, base, size, "%s.memory[%d]" % (vm.path, j))
                 for j, (base, size) in enumerate(free)]
    vm.memory_ok = True


# --------------------------------------------------------------------------
# Outputs

def c_str(v):
    out = []
    for ch in v:
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= ord(ch) < 127:
            out.append(ch)
        else:
            out.extend("\\%03o" % byte for byte in ch.encode("utf-8"))
    return '"%s"' % "".join(out)


def c_comment(v):
    return v.replace("*/", "* /")


def gen_c(s, b, console, sources):
    L = []
    L.append("/* SPDX-License-Identifier: BSD-3-Clause */")
    L.append("/*")
    L.append(" * GENERATED FILE - DO NOT EDIT.")
    L.append(" *")
    L.append(" * Generated by misc/config_tools/tessera_config.py from")
    L.append(" *   board:    %s" % c_comment(sources["board"]))
    L.append(" *   scenario: %s" % c_comment(sources["scenario"]))
    L.append(" *   console:  %s" % c_comment(console.name))
    L.append(" * Edit those files instead; see doc/scenario-format.rst.")
    L.append(" */")
    L.append("")
    L.append("#include <config.h>")
    L.append("#include <scenario.h>")
    L.append("#include <scheduler.h>")
    L.append("")
    L.append("static const struct board_config board = {")
    L.append("\t.name = %s," % c_str(b.name))
    L.append("\t.ram_base = %s," % hx(b.ram[0]))
    L.append("\t.ram_size = %s," % hx(b.ram[1]))
    L.append("\t.pcpu_count = %d," % b.pcpus)
    L.append("\t.console_uart_base = %s, /* %s */" % (hx(console.base), c_comment(console.name)))
    L.append("\t.console_uart_irq = %d," % (console.irq or 0))
    L.append("\t.gicd_base = %s," % hx(b.gic["dist"]))
    L.append("\t.gicr_base = %s," % hx(b.gic["redist"]))
    L.append("\t.gicr_size = %s," % hx(b.gic["redist_size"]))
    if b.smmu:
        L.append("\t.smmu_base = %s," % hx(b.smmu["base"]))
        L.append("\t.smmu_event_irq = %d," % b.smmu["event_irq"])
        L.append("\t.smmu_gerror_irq = %d," % b.smmu["gerror_irq"])
    L.append("};")
    L.append("")
    L.append("/* Scheduling policy of each pCPU: noop where one vCPU runs. */")
    L.append("static const uint8_t pcpu_policy[] = {")
    for p, pol in enumerate(s.pcpu_policy):
        L.append("\t%s, /* pCPU %d */" % (SCHED_POLICIES[pol], p))
    L.append("};")
    L.append("")
    L.append("static const struct vm_config vms[] = {")
    for vm in s.vms:
        mask = sum(1 << p for p in vm.pcpus)
        L.append("\t{")
        L.append("\t\t/* %s */" % vm.path)
        L.append("\t\t.name = %s," % c_str(vm.name))
        L.append("\t\t.kind = %s," % KINDS[vm.kind])
        L.append("\t\t.caps = %s," % (" | ".join(CAPS[vm.kind]) or "0"))
        L.append("\t\t.boot = %s," % BOOT[vm.kind])
        L.append("\t\t.pcpu_mask = 0x%x, /* pCPUs %s */"
                 % (mask, " ".join(str(p) for p in sorted(vm.pcpus))))
        L.append("\t\t.vcpu_count = %d," % len(vm.pcpus))
        L.append("\t\t.priority = %d," % vm.priority)
        L.append("\t\t.slice_us = %d," % vm.slice_us)
        if vm.kind == POST:
            L.append("\t\t.max_memory = %s," % hx(vm.max_memory))
        L.append("\t\t.pt_first = %d," % vm.pt_first)
        L.append("\t\t.pt_pages = %d," % vm.pt_pages)
        if vm.kind == SERVICE:
            L.append("\t\t.upcall_intid = %d," % vm.upcall_irq)
            L.append("\t\t.event_intid = %d," % vm.event_irq)
        L.append("\t\t.mem_region_count = %d," % len(vm.memory))
        if vm.memory:
            L.append("\t\t.mem = {")
            for r in vm.memory:
                L.append("\t\t\t{ .gpa = %s, .hpa = %s, .size = %s },"
                         % (hx(r.gpa), hx(r.hpa), hx(r.size)))
            L.append("\t\t},")
        L.append("\t\t.entry = %s," % hx(vm.entry))
        if vm.bootargs:
            L.append("\t\t.bootargs = %s," % c_str(vm.bootargs))
        L.append("\t\t.vuart_gpa = %s," % hx(vm.vuart))
        flags = [name for bit, name in ((VM_FLAG_ABORT_ON_UNHANDLED, "VM_FLAG_ABORT_ON_UNHANDLED"),
                                        (VM_FLAG_IO_POLLING, "VM_FLAG_IO_POLLING"),
                                        (VM_FLAG_DMA_UNCONFINED, "VM_FLAG_DMA_UNCONFINED"))
                 if vm.flags & bit]
        L.append("\t\t.flags = %s," % (" | ".join(flags) or "0"))
        L.append("\t\t.device_count = %d," % len(vm.devices))
        if vm.devices:
            L.append("\t\t.devices = {")
            for name, _ in vm.devices:
                d = b.devices[name]
                L.append("\t\t\t{ .name = %s, .base = %s, .size = %s,"
                         % (c_str(d.name), hx(d.base), hx(d.size)))
                L.append("\t\t\t  .irq_count = %d, .irqs = { %s }, .dma = %s,"
                         % (len(d.irqs), ", ".join(str(i) for i in d.irqs) or "0",
                            DMA_KINDS[d.dma]))
                if d.streams:
                    L.append("\t\t\t  .stream_base = %s, .stream_count = %d,"
                             % (hx(d.streams[0]), d.streams[1]))
                L.append("\t\t\t},")
            L.append("\t\t},")
        L.append("\t},")
    L.append("};")
    L.append("")
    L.append("const struct scenario_config tessera_scenario = {")
    L.append("\t.name = %s," % c_str(s.name))
    L.append("\t.board = &board,")
    L.append("\t.hv_base = %s," % hx(s.hv[0]))
    L.append("\t.hv_size = %s," % hx(s.hv[1]))
    if s.image_store:
        L.append("\t.image_store_base = %s," % hx(s.image_store[0]))
        L.append("\t.image_store_size = %s," % hx(s.image_store[1]))
    L.append("\t.vm_count = %d," % len(s.vms))
    L.append("\t.vms = vms,")
    L.append("\t.pcpu_count = %d," % len(s.pcpu_policy))
    L.append("\t.pcpu_policy = pcpu_policy,")
    L.append("\t.pt_pool_pages = %d," % s.pt_pool_pages)
    if s.keep_board_up:
        L.append("\t.keep_board_up = true,")
    L.append("};")
    L.append("")
    L.append("/* Stage-2 table pages of every VM (vm_config.pt_first/pt_pages). */")
    L.append("uint8_t tessera_pt_pool[%d * 4096] __attribute__((aligned(4096)));"
             % s.pt_pool_pages)
    L.append("")
    L.append("_Static_assert(sizeof(vms) / sizeof(vms[0]) == %d, \"vm_count\");" % len(s.vms))
    L.append("_Static_assert(%d <= CONFIG_MAX_VMS,"
             % len(s.vms))
    L.append("\t       \"scenario %s has %d VMs, more than CONFIG_MAX_VMS\");"
             % (c_str(s.name)[1:-1], len(s.vms)))
    for vm in s.vms:
        L.append("_Static_assert(%d <= CONFIG_MAX_VCPUS_PER_VM," % len(vm.pcpus))
        L.append("\t       \"VM %s has %d vCPUs, more than CONFIG_MAX_VCPUS_PER_VM\");"
                 % (vm.name, len(vm.pcpus)))
    return "\n".join(L) + "\n"


def resolved(s, b, console, sources, args):
    def dev(name):
        d = b.devices[name]
        j = {"name": name}
        j.update(d.as_json())
        return j
    return {
        "generated_by": "misc/config_tools/tessera_config.py",
        "sources": sources,
        "scenario": s.name,
        "description": s.description,
        "limits": {"max_vms": args.max_vms, "max_vcpus": args.max_vcpus},
        "board": {
            "name": b.name,
            "description": b.description,
            "ram": {"base": b.ram[0], "size": b.ram[1]},
            "pcpus": b.pcpus,
            "gic": dict(b.gic),
            "smmu": dict(b.smmu) if b.smmu else None,
            "console": dict({"name": console.name}, **console.as_json(uart=True)),
            "uarts": {u.name: u.as_json(uart=True) for u in b.uarts.values()},
            "devices": {d.name: d.as_json() for d in b.devices.values()},
            "reserved": [{"base": base, "size": size, "why": why}
                         for base, size, why, _ in b.reserved],
        },
        "hypervisor": {"base": s.hv[0], "size": s.hv[1],
                       "image_store": ({"base": s.image_store[0], "size": s.image_store[1]}
                                       if s.image_store else None),
                       "keep_board_up": s.keep_board_up},
        "vms": [{
            "id": vm.index,
            "name": vm.name,
            "kind": vm.kind,
            "pcpus": sorted(vm.pcpus),
            "pcpu_mask": sum(1 << p for p in vm.pcpus),
            "vcpu_count": len(vm.pcpus),
            "memory_auto": vm.auto,
            "memory": [{"gpa": r.gpa, "hpa": r.hpa, "size": r.size} for r in vm.memory],
            "entry": vm.entry,
            "vuart": vm.vuart,
            "abort_on_unhandled": vm.abort_on_unhandled,
            "io_completion": vm.io_completion,
            "bootargs": vm.bootargs,
            "flags": vm.flags,
            "devices": [dev(name) for name, _ in vm.devices],
            "image": vm.image,
            "caps": [c[len("VM_CAP_"):].lower() for c in CAPS[vm.kind]],
            "boot": BOOT[vm.kind][len("VM_BOOT_"):].lower(),
            "priority": vm.priority,
            "slice_us": vm.slice_us,
            "max_memory": vm.max_memory if vm.kind == POST else None,
            "stage2_table_pages": vm.pt_pages,
            "upcall_irq": vm.upcall_irq,
            "event_irq": vm.event_irq,
        } for vm in s.vms],
        "scheduler": {"slice_us": s.slice_us, "shared_pcpus": s.shared_pcpus},
        "pcpus": [{"id": p, "policy": pol,
                   "vcpus": ["%s/%d" % (vm.name, sorted(vm.pcpus).index(p))
                             for vm in s.vms if vm.pcpus and p in vm.pcpus]}
                  for p, pol in enumerate(s.pcpu_policy)],
    }


def entry_hpa(vm):
    for r in vm.memory:
        if r.gpa <= vm.entry < r.gpa + r.size:
            return r.hpa + (vm.entry - r.gpa)
    return vm.entry


def gen_mk(s, b, sources):
    def names(kind):
        return " ".join(vm.name for vm in s.vms if vm.kind == kind)
    L = ["# Generated by misc/config_tools/tessera_config.py - DO NOT EDIT.",
         "# board: %s  scenario: %s" % (sources["board"], sources["scenario"]),
         "SCENARIO_NAME := %s" % s.name,
         "SCENARIO_BOARD := %s" % b.name,
         "SCENARIO_VMS := %s" % " ".join(vm.name for vm in s.vms),
         "SCENARIO_PRE_LAUNCHED_VMS := %s" % names(PRE),
         "SCENARIO_SERVICE_VM := %s" % names(SERVICE),
         "SCENARIO_POST_LAUNCHED_VMS := %s" % names(POST),
         "SCENARIO_HV_BASE := %s" % hx(s.hv[0]),
         "SCENARIO_HV_SIZE := %s" % hx(s.hv[1]),
         "SCENARIO_HV_IMAGE_LIMIT := %s" % hx(image_limit(s))]
    entries = []
    for vm in s.vms:
        L.append("VM_%s_KIND := %s" % (vm.name, vm.kind))
        L.append("VM_%s_VCPUS := %d" % (vm.name, len(vm.pcpus)))
        if vm.kind == PRE:
            L.append("VM_%s_ENTRY := %s" % (vm.name, hx(vm.entry)))
            L.append("VM_%s_ENTRY_HPA := %s" % (vm.name, hx(entry_hpa(vm))))
            if vm.entry not in entries:
                entries.append(vm.entry)
        if vm.image is not None:
            L.append("VM_%s_IMAGE := %s" % (vm.name, vm.image))
    L.append("SCENARIO_GUEST_ENTRIES := %s" % " ".join(hx(e) for e in sorted(entries)))
    return "\n".join(line.rstrip() for line in L) + "\n"


def write_if_changed(path, text):
    """Atomically replace path with text, unless it already holds exactly that."""
    data = text.encode("utf-8")
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    except OSError:
        pass
    d = os.path.dirname(os.path.abspath(path))
    os.makedirs(d, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=d, prefix="." + os.path.basename(path) + ".", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    return True


# --------------------------------------------------------------------------
# Command line

class Parser(argparse.ArgumentParser):
    def error(self, message):
        sys.stderr.write("%s: error: %s (try --help)\n" % (PROG, message))
        sys.exit(1)


def positive_int(v):
    try:
        n = int(v, 0)
    except ValueError:
        raise argparse.ArgumentTypeError("%s is not an integer" % show(v))
    if n < 1:
        raise argparse.ArgumentTypeError("%d must be at least 1" % n)
    return n


def parse_args(argv):
    p = Parser(prog=PROG, description="Validate a Tessera board + scenario and generate "
               "the C tables, a JSON description and a make fragment. "
               "See doc/scenario-format.rst.")
    p.add_argument("--board", required=True, metavar="FILE", help="board TOML file")
    p.add_argument("--scenario", required=True, metavar="FILE", help="scenario TOML file")
    p.add_argument("--max-vms", type=positive_int, metavar="N",
                   help="CONFIG_MAX_VMS: reject scenarios with more VMs")
    p.add_argument("--max-vcpus", type=positive_int, metavar="N",
                   help="CONFIG_MAX_VCPUS_PER_VM: reject VMs with more vCPUs")
    p.add_argument("--s2-pool-pages", type=positive_int, metavar="N",
                   default=S2_POOL_PAGES_DEFAULT,
                   help="CONFIG_S2_POOL_PAGES: stage-2 table pages of each static VM")
    p.add_argument("--console", metavar="UART",
                   help="board UART used by the hypervisor (default: the board's only UART)")
    p.add_argument("--out-c", metavar="FILE", help="write the C tables here")
    p.add_argument("--out-json", metavar="FILE", help="write the resolved scenario (JSON) here")
    p.add_argument("--out-mk", metavar="FILE", help="write the make fragment here")
    p.add_argument("--check", action="store_true", help="validate only, write nothing")
    return p.parse_args(argv)


def run(argv):
    args = parse_args(argv)
    problems = Problems()
    b = load_board(args.board, problems)
    board_ok = b is not None and b.src.errors == 0

    console = None
    if board_ok:
        if args.console is None:
            if len(b.uarts) == 1:
                console = next(iter(b.uarts.values()))
            else:
                b.src.err("uarts", "the board has %d UARTs: choose the console with "
                          "--console (one of %s)" % (len(b.uarts), ", ".join(b.uarts)))
        elif args.console in b.uarts:
            console = b.uarts[args.console]
        else:
            b.src.err("uarts", "no UART named %s (given by --console); the board has: %s"
                      % (show(args.console), ", ".join(b.uarts)))

    s = load_scenario(args.scenario, problems)
    if s is not None:
        check_scenario(s, b if board_ok else None, console, args)

    for line in problems.warnings:
        sys.stderr.write(line + "\n")
    if problems.lines:
        for line in problems.lines:
            sys.stderr.write(line + "\n")
        return 1
    if args.check:
        return 0

    plan_table_pool(s, args.s2_pool_pages)
    sources = {"board": display_path(args.board), "scenario": display_path(args.scenario)}
    outputs = []
    if args.out_c:
        outputs.append((args.out_c, gen_c(s, b, console, sources)))
    if args.out_json:
        outputs.append((args.out_json, json.dumps(resolved(s, b, console, sources, args),
                                                  indent=2) + "\n"))
    if args.out_mk:
        outputs.append((args.out_mk, gen_mk(s, b, sources)))
    status = 0
    for path, text in outputs:
        try:
            write_if_changed(path, text)
        except OSError as e:
            sys.stderr.write("%s: cannot write: %s\n" % (path, e.strerror or e))
            status = 1
    return status


def main(argv=None):
    try:
        return run(sys.argv[1:] if argv is None else argv)
    except KeyboardInterrupt:
        return 130
    except Exception as e:  # a bug in this tool, never the input's fault
        if os.environ.get("TESSERA_CONFIG_DEBUG"):
            raise
        sys.stderr.write("%s: internal error: %s: %s (set TESSERA_CONFIG_DEBUG=1 for "
                         "a traceback)\n" % (PROG, type(e).__name__, e))
        return 1


if __name__ == "__main__":
    sys.exit(main())
