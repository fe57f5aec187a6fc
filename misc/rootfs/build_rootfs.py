#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Build the guest initramfs, BUILD/guest/rootfs.cpio.gz (newc cpio, gzip).

    /usr/bin/python3 misc/rootfs/build_rootfs.py [--build build]
        [--guest BUILD/guest] [--force] [--list] [--hsm-dir BUILD/hsm]
        [--out GUEST/rootfs.cpio.gz]

Inputs, all produced by misc/setup/setup.sh or kept in the repository:
BUILD/guest/busybox (static aarch64), BUILD/guest/modules (the kernel
package's lib/modules/<release> tree), BUILD/guest/kernel-version,
misc/rootfs/init and tests/guests/linux/*.sh; the HSM driver
(tessera_hsm.ko) and hsm-check from --hsm-dir when they have been built
(doc/hsm.rst). Only the standard library is
used: the cpio archive, the ELF .modinfo reader and the dependency
resolution are all here. The archive is reproducible (fixed owners, times
and order); the output is rewritten only when its content changes, and
otherwise only touched. See doc/guest-linux.rst.
"""

import argparse
import gzip
import hashlib
import json
import lzma
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.normpath(os.path.join(HERE, "..", ".."))
INIT = os.path.join(HERE, "init")
# The console shell busybox init respawns (inittab, per variant).
SHELL = os.path.join(HERE, "tessera-shell")
GUEST_SCRIPTS = os.path.join(REPO, "tests", "guests", "linux")

# What the initramfs must be able to do, as module names (dependencies are
# added from each module's .modinfo). Anything the kernel has built in is
# skipped. The test disk is vfat: fat+vfat and two tiny code pages are about
# a tenth of ext4+jbd2+mbcache+crc16. nls_cp437 and nls_ascii are the
# codepage and iocharset that Debian's config makes the defaults
# (CONFIG_FAT_DEFAULT_CODEPAGE, CONFIG_FAT_DEFAULT_IOCHARSET); fat loads them
# by name at mount time.
WANTED_MODULES = (
    "virtio_mmio",      # virtio-mmio transport (QEMU virt, passthrough)
    "virtio_blk",       # /dev/vda
    "vfat",             # the test disk's filesystem
    "nls_cp437",
    "nls_ascii",
)

# The two initramfs images: the Service VM's (also used for Linux booted
# directly by QEMU), and a User VM's, whose devices are the device model's
# virtio-mmio transports and whose shell is on the virtio console (hvc0:
# the device model's terminal).
VARIANTS = {
    "sos": {"modules": WANTED_MODULES + ("virtio_pci",),  # its disk on PCIe
            "inittab": "inittab"},
    "uvm": {"modules": WANTED_MODULES + ("virtio_console", "virtio_rng"),
            "inittab": "inittab-uvm"},
}

# The list of modules /init loads in order, relative to /lib/modules/<release>.
MODULE_LIST = "tessera.modules"

# The HSM driver and its test program (misc/hsm, doc/hsm.rst), taken from
# the directory the Makefile names (--hsm-dir, default BUILD/hsm) when they
# have been built; /init loads the module in a step of its own.
HSM_MODULE = "tessera_hsm.ko"
HSM_MODULE_PATH = "extra/" + HSM_MODULE     # under /lib/modules/<release>
HSM_CHECK = "hsm-check"                     # installed as /bin/hsm-check
HVC_CHECK_MODULE = "tessera_hvc_check.ko"   # a test module, beside it
HSM_HOSTILE = "hsm-hostile"                 # a lying device model (tests)
HSM_STALL = "hsm-stall"                     # a slow device model (tests)
HSM_LIFECYCLE = "hsm-lifecycle"             # VM state changes (tests)

DIRS = ("bin", "dev", "etc", "lib", "lib/modules", "mnt", "proc", "root",
        "sys", "tests", "tmp", "usr")
# Everything is in /bin; the other usual places point there.
DIR_LINKS = (("sbin", "bin"), ("usr/bin", "../bin"), ("usr/sbin", "../bin"))
# Device nodes the kernel needs before /init mounts devtmpfs: without
# /dev/console, /init starts with no stdin/stdout.
NODES = (("dev/console", 0o600, 5, 1), ("dev/null", 0o666, 1, 3))
# Busybox applets /init and the guest scripts rely on: checked after the
# applet list is read from the binary.
REQUIRED_APPLETS = ("sh", "init", "mount", "insmod", "nproc", "setsid", "cttyhack",
                    "poweroff", "reboot", "taskset", "awk", "grep", "sleep")


class BuildError(Exception):
    pass


# ---- ELF .modinfo and module resolution ------------------------------------

def read_module(path):
    """The module's ELF bytes, decompressing .ko.xz / .ko.gz."""
    with open(path, "rb") as f:
        data = f.read()
    if path.endswith(".xz"):
        return lzma.decompress(data)
    if path.endswith(".gz"):
        return gzip.decompress(data)
    if path.endswith(".zst"):
        raise BuildError(f"{path}: zstd-compressed modules need a zstd "
                         "decoder, which Python's standard library lacks")
    return data


def modinfo(elf, what):
    """The .modinfo section of an ELF64 little-endian object, as a list of
    (key, value) pairs in file order."""
    if elf[:6] != b"\x7fELF\x02\x01":
        raise BuildError(f"{what}: not an ELF64 little-endian object")
    shoff, = struct.unpack_from("<Q", elf, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", elf, 0x3a)

    def section(i):
        name, _type, _flags, _addr, off, size = struct.unpack_from(
            "<IIQQQQ", elf, shoff + i * shentsize)
        return name, off, size

    _, stroff, _ = section(shstrndx)
    for i in range(shnum):
        name, off, size = section(i)
        end = elf.index(b"\0", stroff + name)
        if elf[stroff + name:end] == b".modinfo":
            pairs = []
            for entry in elf[off:off + size].split(b"\0"):
                if b"=" in entry:
                    k, v = entry.decode("utf-8", "replace").split("=", 1)
                    pairs.append((k, v))
            return pairs
    raise BuildError(f"{what}: no .modinfo section")


def norm(name):
    return name.replace("-", "_")


def module_name(relpath):
    base = os.path.basename(relpath)
    return norm(base[:base.index(".ko")])


class ModuleTree:
    """The kernel's lib/modules/<release> tree: .ko files and builtins."""

    def __init__(self, root, release):
        self.root = root
        self.release = release
        self.files = {}         # name -> path relative to root
        for d, _, names in os.walk(os.path.join(root, "kernel")):
            for n in names:
                if ".ko" in n:
                    rel = os.path.relpath(os.path.join(d, n), root)
                    self.files[module_name(rel)] = rel
        if not self.files:
            raise BuildError(f"{root}: no kernel modules (run misc/setup/setup.sh)")
        self.builtin = set()
        try:
            with open(os.path.join(root, "modules.builtin")) as f:
                self.builtin = {module_name(line.strip()) for line in f if line.strip()}
        except OSError as e:
            raise BuildError(f"{root}/modules.builtin: {e.strerror}") from e
        self.info = {}          # name -> (elf bytes, modinfo pairs)

    def load(self, name):
        if name not in self.info:
            rel = self.files[name]
            elf = read_module(os.path.join(self.root, rel))
            pairs = modinfo(elf, rel)
            vermagic = dict(pairs).get("vermagic", "").split(" ")[0]
            if vermagic != self.release:
                raise BuildError(f"{rel}: vermagic '{vermagic}' is not the "
                                 f"kernel release '{self.release}'")
            self.info[name] = (elf, pairs)
        return self.info[name]

    def deps(self, name):
        """Hard dependencies, then softdep 'pre:' modules that exist."""
        out = []
        for key, value in self.load(name)[1]:
            if key == "depends":
                out += [norm(d) for d in value.split(",") if d]
            elif key == "softdep":
                words = value.split()
                pre = False
                for w in words:
                    if w.endswith(":"):
                        pre = w == "pre:"
                    elif pre and norm(w) in self.files:
                        out.append(norm(w))
        return out

    def resolve(self, wanted):
        """Modules to load, dependencies first; built-in ones dropped."""
        order, state = [], {}

        def visit(name, chain):
            if name in self.builtin or state.get(name) == "done":
                return
            if state.get(name) == "busy":
                raise BuildError("module dependency cycle: " +
                                 " -> ".join(chain + [name]))
            if name not in self.files:
                raise BuildError(f"module {name} ({' <- '.join(reversed(chain)) or 'wanted'})"
                                 f" is neither built in nor under {self.root}")
            state[name] = "busy"
            for dep in self.deps(name):
                visit(dep, chain + [name])
            state[name] = "done"
            order.append(name)

        for name in wanted:
            visit(norm(name), [])
        return order


# ---- busybox applets ---------------------------------------------------------

def busybox_applets(data):
    """Applet names from busybox's packed, sorted name table ("[\\0[[\\0...")."""
    start = data.find(b"[\0[[\0")
    if start < 0:
        raise BuildError("busybox: applet name table not found")
    end = data.index(b"\0\0", start)
    names = [n.decode("ascii") for n in data[start:end].split(b"\0")]
    if names != sorted(names) or len(names) < 20:
        raise BuildError("busybox: applet name table looks wrong")
    missing = [a for a in REQUIRED_APPLETS if a not in names]
    if missing:
        raise BuildError(f"busybox lacks applets: {' '.join(missing)}")
    return names


# ---- newc cpio ---------------------------------------------------------------

class Cpio:
    """A newc ("070701") archive with fixed owner (root) and mtime (0)."""

    def __init__(self):
        self.out = bytearray()
        self.ino = 1

    def _entry(self, name, mode, data=b"", rdev=(0, 0), nlink=1):
        raw = name.encode() + b"\0"
        fields = (self.ino, mode, 0, 0, nlink, 0, len(data), 0, 0,
                  rdev[0], rdev[1], len(raw), 0)
        self.ino += 1
        self.out += b"070701" + b"".join(b"%08X" % v for v in fields) + raw
        self.out += b"\0" * (-len(self.out) % 4)
        self.out += data
        self.out += b"\0" * (-len(self.out) % 4)

    def dir(self, name, perm=0o755):
        self._entry(name, 0o040000 | perm, nlink=2)

    def file(self, name, data, perm=0o644):
        self._entry(name, 0o100000 | perm, data)

    def symlink(self, name, target):
        self._entry(name, 0o120777, target.encode())

    def chardev(self, name, perm, major, minor):
        self._entry(name, 0o020000 | perm, rdev=(major, minor))

    def finish(self):
        self._entry("TRAILER!!!", 0)
        return bytes(self.out)


# ---- the archive ---------------------------------------------------------------

def read(path):
    try:
        with open(path, "rb") as f:
            return f.read()
    except OSError as e:
        raise BuildError(f"{path}: {e.strerror}") from e


def default_hsm_dir(guest):
    """Where the Makefile builds the HSM driver for this guest directory:
    BUILD/hsm beside BUILD/guest."""
    return os.path.join(os.path.dirname(os.path.abspath(guest)), "hsm")


def hsm_inputs(hsm_dir, release):
    """{archive name: (bytes, mode)} of the HSM module and hsm-check found
    in hsm_dir; empty when they have not been built. A module built for
    another kernel release is an error, not something to boot with."""
    out = {}
    ko = os.path.join(hsm_dir, HSM_MODULE)
    if os.path.exists(ko):
        elf = read(ko)
        vermagic = dict(modinfo(elf, ko)).get("vermagic", "").split(" ")[0]
        if vermagic != release:
            raise BuildError(f"{ko}: vermagic '{vermagic}' is not the kernel "
                             f"release '{release}' (rebuild it: make hsm)")
        out[f"lib/modules/{release}/{HSM_MODULE_PATH}"] = (elf, 0o644)
    hvc = os.path.join(hsm_dir, HVC_CHECK_MODULE)
    if os.path.exists(hvc):
        out[f"lib/modules/{release}/extra/{HVC_CHECK_MODULE}"] = (read(hvc), 0o644)
    for tool in (HSM_CHECK, HSM_HOSTILE, HSM_STALL, HSM_LIFECYCLE):
        path = os.path.join(hsm_dir, tool)
        if os.path.exists(path):
            out[f"bin/{tool}"] = (read(path), 0o755)
    return out


def extra_files(adds):
    """{archive name: (bytes, mode)} from DEST=SRC strings (--add)."""
    out = {}
    for spec in adds:
        dest, sep, src = spec.partition("=")
        dest = dest.strip("/")
        if not sep or not dest or not src or ".." in dest.split("/"):
            raise BuildError(f"--add {spec!r}: expected DEST=SRC")
        data = read(src)
        executable = os.access(src, os.X_OK) or dest.startswith("bin/")
        out[dest] = (data, 0o755 if executable else 0o644)
    return out


def build_archive(guest, hsm_dir=None, variant="sos", adds=()):
    """(uncompressed cpio bytes, module names in load order). hsm_dir: where
    to take the HSM driver from (default: default_hsm_dir(guest)); adds:
    more files, as DEST=SRC strings."""
    if variant not in VARIANTS:
        raise BuildError(f"unknown variant {variant!r} ({', '.join(VARIANTS)})")
    release = read(os.path.join(guest, "kernel-version")).decode().strip()
    hsm = hsm_inputs(default_hsm_dir(guest) if hsm_dir is None else hsm_dir,
                     release) if variant == "sos" else {}
    extras = extra_files(adds)
    busybox = read(os.path.join(guest, "busybox"))
    tree = ModuleTree(os.path.join(guest, "modules"), release)
    order = tree.resolve(VARIANTS[variant]["modules"])

    a = Cpio()
    for d in DIRS:
        a.dir(d, 0o1777 if d == "tmp" else 0o755)
    for name, target in DIR_LINKS:
        a.symlink(name, target)
    for name, perm, major, minor in NODES:
        a.chardev(name, perm, major, minor)
    a.file("bin/busybox", busybox, 0o755)
    for applet in busybox_applets(busybox):
        if applet != "busybox":
            a.symlink(f"bin/{applet}", "busybox")
    a.file("init", read(INIT), 0o755)
    a.file("etc/inittab", read(os.path.join(HERE, VARIANTS[variant]["inittab"])))
    a.file("bin/tessera-shell", read(SHELL), 0o755)
    a.file("etc/tessera-release", f"kernel {release}\n".encode())

    moddir = f"lib/modules/{release}"
    a.dir(moddir)
    made = set()
    for name in order:
        rel = tree.files[name]
        rel = rel[:rel.index(".ko") + 3]        # stored decompressed
        parts = os.path.dirname(rel).split("/")
        for i in range(1, len(parts) + 1):
            sub = "/".join(parts[:i])
            if sub not in made:
                made.add(sub)
                a.dir(f"{moddir}/{sub}")
        a.file(f"{moddir}/{rel}", tree.load(name)[0])
    stored = {n: tree.files[n][:tree.files[n].index(".ko") + 3] for n in order}
    # /init's load list, and a modules.dep so busybox modprobe (and the
    # kernel's request_module) work for these modules too.
    a.file(f"{moddir}/{MODULE_LIST}",
           "".join(stored[n] + "\n" for n in order).encode())
    dep_lines = []
    for n in order:
        closure = [d for d in tree.resolve([n]) if d != n]
        dep_lines.append(f"{stored[n]}: {' '.join(stored[d] for d in reversed(closure))}".rstrip())
    if f"{moddir}/{HSM_MODULE_PATH}" in hsm:
        dep_lines.append(f"{HSM_MODULE_PATH}:")
        a.dir(f"{moddir}/{os.path.dirname(HSM_MODULE_PATH)}")
    a.file(f"{moddir}/modules.dep", "\n".join(dep_lines).encode() + b"\n")
    for name, (data, mode) in sorted(hsm.items()):
        a.file(name, data, mode)
    made_dirs = set(DIRS)
    for name, (data, mode) in sorted(extras.items()):
        parts = name.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            d = "/".join(parts[:i])
            if d not in made_dirs:
                made_dirs.add(d)
                a.dir(d)
        a.file(name, data, mode)

    try:
        scripts = sorted(f for f in os.listdir(GUEST_SCRIPTS) if f.endswith(".sh"))
    except OSError as e:
        raise BuildError(f"{GUEST_SCRIPTS}: {e.strerror}") from e
    for s in scripts:
        a.file(f"tests/{s}", read(os.path.join(GUEST_SCRIPTS, s)), 0o755)
    return a.finish(), order


def write_if_changed(out, archive):
    """Write OUT (gzip, mtime 0) unless it already holds this archive (then
    only touch it, so make sees it newer than its inputs); the stamp next to
    it records the archive's SHA-256."""
    digest = hashlib.sha256(archive).hexdigest()
    stamp = out + ".sha256"
    try:
        with open(stamp) as f:
            if f.read().strip() == digest and os.path.exists(out):
                os.utime(out)
                return False
    except OSError:
        pass
    tmp = out + ".tmp"
    with open(tmp, "wb") as f:
        with gzip.GzipFile(fileobj=f, mode="wb", compresslevel=9, mtime=0,
                           filename="") as gz:
            gz.write(archive)
    os.replace(tmp, out)
    with open(stamp + ".tmp", "w") as f:
        f.write(digest + "\n")
    os.replace(stamp + ".tmp", stamp)
    return True


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--guest", help="guest artifact directory (default BUILD/guest)")
    ap.add_argument("--force", action="store_true", help="rewrite even if unchanged")
    ap.add_argument("--list", action="store_true",
                    help="only print the modules that would be included")
    ap.add_argument("--hsm-dir", help="where tessera_hsm.ko and hsm-check "
                    "are built (default BUILD/hsm; missing files are left out)")
    ap.add_argument("--out", help="output file (default GUEST/rootfs.cpio.gz)")
    ap.add_argument("--variant", default="sos", choices=sorted(VARIANTS),
                    help="sos: the Service VM's (default); uvm: a User VM's")
    ap.add_argument("--add", action="append", default=[], metavar="DEST=SRC",
                    help="put file SRC into the archive as DEST")
    args = ap.parse_args()
    guest = args.guest or os.path.join(args.build, "guest")
    out = args.out or os.path.join(guest, "rootfs.cpio.gz")
    hsm_dir = args.hsm_dir or default_hsm_dir(guest)
    try:
        archive, order = build_archive(guest, hsm_dir, args.variant, args.add)
        release = read(os.path.join(guest, "kernel-version")).decode().strip()
        hsm = hsm_inputs(hsm_dir, release) if args.variant == "sos" else {}
    except BuildError as e:
        sys.exit(f"build_rootfs: {e}")
    if any(n.endswith("/" + HSM_MODULE) for n in hsm):
        hsm_note = f"hsm: {HSM_MODULE}" + (f", {HSM_CHECK}" if f"bin/{HSM_CHECK}" in hsm else "")
    elif args.variant == "sos":
        hsm_note = f"hsm: none, no {os.path.join(hsm_dir, HSM_MODULE)}"
    else:
        hsm_note = f"variant {args.variant}"
    if args.list:
        print("\n".join(order))
        return
    if args.force:
        try:
            os.unlink(out + ".sha256")
        except FileNotFoundError:
            pass
    # What it was built from, so a check can build it again the same way.
    with open(out + ".inputs.json.tmp", "w") as f:
        json.dump({"variant": args.variant, "hsm_dir": hsm_dir,
                   "adds": args.add}, f, indent=1)
    os.replace(out + ".inputs.json.tmp", out + ".inputs.json")
    if write_if_changed(out, archive):
        print(f"build_rootfs: wrote {out} ({os.path.getsize(out)} bytes; "
              f"modules: {' '.join(order)}; {hsm_note})")
    else:
        print(f"build_rootfs: {out} is up to date ({hsm_note})")


if __name__ == "__main__":
    main()
