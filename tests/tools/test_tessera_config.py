#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Tests for misc/config_tools/tessera_config.py (stdlib unittest only).

    /usr/bin/python3 tests/tools/test_tessera_config.py [-v]

Every validation rule has a fixture in tests/tools/fixtures/ (see its README)
whose "# expect:" lines are the exact error lines the tool must print; one
test is generated per fixture.  The other tests cover the shipped scenarios,
the generated C (compiled, and run on the host to cross-check it against the
JSON), the JSON and make outputs, atomic/unchanged writes, the field names
given for malformed numbers, the guest image names read from
tests/guests/guests.mk, the command line, and robustness against garbage and
randomly mutated input.

The last line printed is "N passed, N failed"; the exit status is non-zero
if anything failed.
"""

import contextlib
import importlib.util
import io
import json
import os
import random
import re
import shlex
import shutil
import subprocess
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # loading the tool in-process must not litter

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
TOOL = os.path.join(REPO, "misc", "config_tools", "tessera_config.py")
FIXTURES = os.path.join(HERE, "fixtures")
BOARD = "config/boards/qemu-virt.toml"
PARTITIONED = "config/scenarios/partitioned.toml"
HYBRID = "config/scenarios/hybrid.toml"
SCENARIO_H = os.path.join(REPO, "hypervisor", "include", "scenario.h")
CC = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
CFLAGS = ["-std=gnu11", "-Wall", "-Wextra", "-Werror"]

DEFAULT_ARGS = ["--max-vms", "8", "--max-vcpus", "8", "--console", "uart0", "--check"]


def run_tool(*args, cwd=REPO):
    p = subprocess.run([sys.executable, TOOL] + list(args), cwd=cwd,
                       capture_output=True, text=True, errors="replace")
    return p.returncode, p.stdout, p.stderr


def load_tool_module():
    spec = importlib.util.spec_from_file_location("tessera_config", TOOL)
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def make_include_dir(path, max_vms=8, max_vcpus=8):
    """config.h as the build generates it, and a types.h fallback used only
    if hypervisor/include/types.h does not exist (it is searched first)."""
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, "config.h"), "w") as f:
        f.write("#define CONFIG_MAX_VMS %d\n#define CONFIG_MAX_VCPUS_PER_VM %d\n"
                % (max_vms, max_vcpus))
    with open(os.path.join(path, "types.h"), "w") as f:
        f.write("#include <stdbool.h>\n#include <stddef.h>\n#include <stdint.h>\n")
    return path


class ToolTestCase(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.mkdtemp(prefix="tessera-config-test-")

    def tearDown(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def assertClean(self, rc, err, allowed=(0, 1)):
        self.assertNotIn("Traceback", err)
        self.assertNotIn("internal error", err)
        self.assertIn(rc, allowed, err)

    def generate(self, scenario=PARTITIONED, board=BOARD, extra=()):
        out = {k: os.path.join(self.tmp, "gen", "scenario." + k) for k in ("c", "json", "mk")}
        rc, _, err = run_tool("--board", board, "--scenario", scenario,
                              "--max-vms", "8", "--max-vcpus", "8", "--console", "uart0",
                              "--out-c", out["c"], "--out-json", out["json"],
                              "--out-mk", out["mk"], *extra)
        self.assertClean(rc, err, (0,))
        self.assertEqual(err, "")
        return out

    def write(self, name, text, mode="w"):
        path = os.path.join(self.tmp, name)
        with open(path, mode) as f:
            f.write(text)
        return path


# --------------------------------------------------------------------------
# One test per fixture

def parse_fixture(path):
    meta = {"board": None, "scenario": None, "args": [], "expect": []}
    with open(path, encoding="utf-8") as f:
        for line in f:
            m = re.match(r"#\s*(board|scenario|args|expect):\s?(.*?)\s*$", line)
            if not m:
                continue
            key, val = m.groups()
            if key == "args":
                meta["args"] += shlex.split(val)
            elif key == "expect":
                meta["expect"].append(val)
            else:
                meta[key] = val
    return meta


class FixtureTests(ToolTestCase):
    """Generated: test_<fixture name> for each bad-*.toml and good-*.toml."""

    def check_fixture(self, name):
        path = os.path.relpath(os.path.join(FIXTURES, name), REPO)
        meta = parse_fixture(os.path.join(FIXTURES, name))
        if name.startswith("bad-board-"):
            board, scenario = path, meta["scenario"] or PARTITIONED
        else:
            board, scenario = meta["board"] or BOARD, path
        rc, out, err = run_tool("--board", board, "--scenario", scenario,
                                *(DEFAULT_ARGS + meta["args"]))
        self.assertClean(rc, err)
        self.assertEqual(out, "")
        lines = err.splitlines()
        if name.startswith("good-"):
            self.assertEqual((rc, lines), (0, []))
            return
        self.assertTrue(meta["expect"], "fixture %s has no '# expect:' line" % name)
        self.assertEqual(rc, 1, err)
        unmatched = list(lines)
        for e in meta["expect"]:
            want = e.replace("{board}", board).replace("{scenario}", scenario)
            hit = next((line for line in unmatched if want in line), None)
            self.assertIsNotNone(hit, "expected a line containing\n  %s\ngot:\n  %s"
                                 % (want, "\n  ".join(lines)))
            unmatched.remove(hit)
        self.assertEqual(unmatched, [], "unexpected extra error lines")
        for line in lines:
            self.assertTrue(line.startswith(board + ": ") or line.startswith(scenario + ": "),
                            "line does not start with the file name: " + line)


def _add_fixture_tests():
    for name in sorted(os.listdir(FIXTURES)):
        if not name.endswith(".toml") or not name.startswith(("bad-", "good-")):
            continue
        test_name = "test_" + re.sub(r"\W", "_", name[:-5])

        def test(self, name=name):
            self.check_fixture(name)
        test.__name__ = test_name
        test.__doc__ = "fixture " + name
        setattr(FixtureTests, test_name, test)


_add_fixture_tests()


# --------------------------------------------------------------------------
# Shipped scenarios and generated outputs

class ShippedScenarioTests(ToolTestCase):
    def test_partitioned_checks(self):
        rc, out, err = run_tool("--board", BOARD, "--scenario", PARTITIONED, *DEFAULT_ARGS)
        self.assertEqual((rc, out, err), (0, "", ""))

    def test_hybrid_checks(self):
        rc, out, err = run_tool("--board", BOARD, "--scenario", HYBRID, *DEFAULT_ARGS)
        self.assertEqual((rc, out, err), (0, "", ""))

    def test_check_writes_nothing(self):
        c = os.path.join(self.tmp, "x.c")
        rc, _, err = run_tool("--board", BOARD, "--scenario", PARTITIONED, "--check",
                              "--out-c", c)
        self.assertEqual((rc, err), (0, ""))
        self.assertFalse(os.path.exists(c))

    def test_errors_write_nothing(self):
        c = os.path.join(self.tmp, "x.c")
        rc, _, err = run_tool("--board", BOARD, "--scenario", PARTITIONED,
                              "--max-vms", "1", "--out-c", c)
        self.assertEqual(rc, 1)
        self.assertFalse(os.path.exists(c))

    def test_partitioned_json(self):
        j = json.load(open(self.generate(PARTITIONED)["json"]))
        self.assertEqual(j["scenario"], "partitioned")
        self.assertEqual(j["sources"], {"board": BOARD, "scenario": PARTITIONED})
        self.assertEqual(j["hypervisor"], {"base": 0x40000000, "size": 0x04000000,
                                           "image_store": None, "keep_board_up": False})
        b = j["board"]
        self.assertEqual(b["name"], "qemu-virt")
        self.assertEqual(b["ram"], {"base": 0x40000000, "size": 0x80000000})
        self.assertEqual(b["pcpus"], 4)
        self.assertEqual(b["gic"], {"dist": 0x08000000, "dist_size": 0x10000,
                                    "redist": 0x080A0000, "redist_size": 0x00F60000})
        self.assertEqual(b["uarts"], {"uart0": {"base": 0x09000000, "size": 0x1000, "irq": 33}})
        self.assertEqual(b["console"]["name"], "uart0")
        self.assertEqual(b["console"]["base"], 0x09000000)
        self.assertEqual(b["reserved"], [{"base": 0x48000000, "size": 0x200000,
                                          "why": "QEMU DTB"}])
        self.assertEqual(b["devices"]["rtc"]["base"], 0x09010000)
        self.assertEqual(b["devices"]["rtc"]["irq"], 34)
        for n in range(32):
            d = b["devices"]["virtio_mmio%d" % n]
            self.assertEqual((d["base"], d["size"], d["irq"], d["dma"]),
                             (0x0A000000 + n * 0x200, 0x200, 48 + n, "unconfined"))
        self.assertEqual(b["devices"]["rtc"]["dma"], "none")
        self.assertEqual(b["devices"]["pcie"]["dma"], "smmu")
        self.assertEqual((b["devices"]["gpio"]["base"], b["devices"]["gpio"]["irq"],
                          b["devices"]["gpio"]["dma"]), (0x09030000, 39, "none"))
        self.assertEqual(len(b["devices"]), 35)
        self.assertEqual([vm["name"] for vm in j["vms"]], ["rt0", "rt1"])
        rt0, rt1 = j["vms"]
        self.assertEqual(rt0, {
            "id": 0, "name": "rt0", "kind": "pre-launched", "pcpus": [1], "pcpu_mask": 2,
            "vcpu_count": 1, "memory_auto": False,
            "memory": [{"gpa": 0x50000000, "hpa": 0x50000000, "size": 0x04000000}],
            "entry": 0x50000000, "vuart": 0x09000000, "abort_on_unhandled": False, "io_completion": "notify", "bootargs": "",
            "flags": 0, "devices": [], "image": "hello", "caps": [], "boot": "raw",
            "priority": 100, "slice_us": 10000, "max_memory": None,
            "stage2_table_pages": 64, "upcall_irq": None, "event_irq": None})
        self.assertEqual((rt1["pcpus"], rt1["pcpu_mask"], rt1["vcpu_count"]), ([2, 3], 0xC, 2))
        # One vCPU per pCPU: no scheduling anywhere.
        self.assertEqual(j["pcpus"], [
            {"id": 0, "policy": "noop", "vcpus": []},
            {"id": 1, "policy": "noop", "vcpus": ["rt0/0"]},
            {"id": 2, "policy": "noop", "vcpus": ["rt1/0"]},
            {"id": 3, "policy": "noop", "vcpus": ["rt1/1"]}])
        self.assertEqual(rt1["memory"], [{"gpa": 0x60000000, "hpa": 0x60000000,
                                          "size": 0x04000000}])
        self.assertEqual((rt1["entry"], rt1["image"]), (0x60000000, "hello"))

    def test_hybrid_json(self):
        j = json.load(open(self.generate(HYBRID)["json"]))
        rt0, sos, uvm0 = j["vms"]
        self.assertEqual((rt0["name"], rt0["kind"], rt0["pcpus"]), ("rt0", "pre-launched", [3]))
        self.assertEqual((sos["name"], sos["kind"], sos["pcpus"], sos["vcpu_count"]),
                         ("sos", "service", [0, 1, 2], 3))
        self.assertTrue(sos["memory_auto"])
        self.assertEqual(sos["memory"], [
            {"gpa": 0x48200000, "hpa": 0x48200000, "size": 0x07E00000},
            {"gpa": 0x54000000, "hpa": 0x54000000, "size": 0x6C000000}])
        self.assertEqual(sos["entry"], 0x60000000)
        self.assertEqual(j["hypervisor"]["image_store"],
                         {"base": 0x41000000, "size": 0x07000000})
        self.assertEqual([d["name"] for d in sos["devices"]], ["rtc", "pcie"])
        # Its disk is on PCIe behind the SMMU: no unconfined DMA in hybrid.
        self.assertEqual(sos["devices"][1], {
            "name": "pcie", "base": 0x10000000, "size": 0x30000000, "irq": 35,
            "irqs": [35, 36, 37, 38], "dma": "smmu",
            "streams": {"base": 0, "count": 0x1000},
            "compatible": "pci-host-ecam-generic"})
        self.assertEqual(sos["flags"], 0)
        self.assertEqual(j["board"]["smmu"], {"base": 0x09050000, "size": 0x20000,
                                              "event_irq": 106, "gerror_irq": 109})
        self.assertEqual((uvm0["name"], uvm0["kind"], uvm0["pcpus"], uvm0["memory"],
                          uvm0["entry"], uvm0["devices"]),
                         ("uvm0", "post-launched", [1, 2], [], 0, []))
        # Capabilities and boot protocols, by kind.
        self.assertEqual((rt0["caps"], rt0["boot"]), ([], "raw"))
        self.assertEqual((sos["caps"], sos["boot"]),
                         (["manage_vms", "console_input", "upcall"], "linux"))
        self.assertEqual((uvm0["caps"], uvm0["boot"]), (["runtime"], "by_dm"))
        self.assertEqual((sos["upcall_irq"], sos["event_irq"]), (120, 121))
        # The Service VM outranks the User VM on the pCPUs they share.
        self.assertEqual((sos["priority"], uvm0["priority"]), (200, 100))
        self.assertEqual(j["pcpus"], [
            {"id": 0, "policy": "noop", "vcpus": ["sos/0"]},
            {"id": 1, "policy": "prio_rr", "vcpus": ["sos/1", "uvm0/0"]},
            {"id": 2, "policy": "prio_rr", "vcpus": ["sos/2", "uvm0/1"]},
            {"id": 3, "policy": "noop", "vcpus": ["rt0/0"]}])
        # Table pages: 64 per static VM; uvm0 maps up to max_memory page by
        # page: root + 1 GiB tables + 2 MiB tables, one spare of each.
        self.assertEqual(uvm0["max_memory"], 256 << 20)
        self.assertEqual(uvm0["stage2_table_pages"], 1 + 1 + 1 + 128 + 1)
        # "auto" covers exactly the RAM nobody else owns.
        owned = [(0x40000000, 0x08000000), (0x48000000, 0x200000), (0x50000000, 0x04000000)]
        total = sum(r["size"] for r in sos["memory"])
        self.assertEqual(total, 0x80000000 - sum(s for _, s in owned))
        for r in sos["memory"]:
            self.assertEqual(r["gpa"], r["hpa"])
            for base, size in owned:
                self.assertFalse(r["hpa"] < base + size and base < r["hpa"] + r["size"])

    def test_auto_memory_rounds_reserved_ranges_out_to_pages(self):
        # A reserved range inside the Service VM's RAM, neither starting nor
        # ending on a page: "auto" leaves out the whole pages it touches,
        # and no more.
        board = open(os.path.join(REPO, BOARD)).read().replace(
            '    { base = 0x48000000, size = 0x200000, why = "QEMU DTB" },',
            '    { base = 0x48000000, size = 0x200000, why = "QEMU DTB" },\n'
            '    { base = 0x4F000800, size = 0x1000, why = "firmware log" },')
        self.assertIn("firmware log", board)
        b = self.write("board.toml", board)
        sos = json.load(open(self.generate(os.path.join(REPO, HYBRID), b)["json"]))["vms"][1]
        self.assertEqual(sos["memory"], [
            {"gpa": 0x48200000, "hpa": 0x48200000, "size": 0x4F000000 - 0x48200000},
            {"gpa": 0x4F002000, "hpa": 0x4F002000, "size": 0x50000000 - 0x4F002000},
            {"gpa": 0x54000000, "hpa": 0x54000000, "size": 0x6C000000}])

    def test_mk(self):
        def parse(path):
            d = {}
            for line in open(path):
                if ":=" in line:
                    k, v = line.split(":=", 1)
                    d[k.strip()] = v.strip()
            return d
        mk = parse(self.generate(PARTITIONED)["mk"])
        self.assertEqual(mk["SCENARIO_NAME"], "partitioned")
        self.assertEqual(mk["SCENARIO_VMS"], "rt0 rt1")
        self.assertEqual(mk["VM_rt0_ENTRY"], "0x50000000")
        self.assertEqual(mk["VM_rt1_ENTRY"], "0x60000000")
        self.assertEqual(mk["VM_rt0_IMAGE"], "hello")
        self.assertEqual(mk["VM_rt1_IMAGE"], "hello")
        self.assertEqual(mk["SCENARIO_GUEST_ENTRIES"], "0x50000000 0x60000000")
        mk = parse(self.generate(HYBRID)["mk"])
        self.assertEqual(mk["SCENARIO_VMS"], "rt0 sos uvm0")
        self.assertEqual(mk["SCENARIO_PRE_LAUNCHED_VMS"], "rt0")
        self.assertEqual(mk["SCENARIO_SERVICE_VM"], "sos")
        self.assertEqual(mk["SCENARIO_POST_LAUNCHED_VMS"], "uvm0")
        self.assertEqual(mk["SCENARIO_GUEST_ENTRIES"], "0x50000000")
        self.assertNotIn("VM_sos_ENTRY", mk)
        mk = parse(self.generate("tests/tools/fixtures/good-scenario-rich.toml")["mk"])
        self.assertEqual((mk["VM_rt0_ENTRY"], mk["VM_rt0_ENTRY_HPA"]), ("0x40080000", "0x50080000"))

    def test_c_text(self):
        text = open(self.generate(PARTITIONED)["c"]).read()
        self.assertIn("GENERATED FILE", text)
        self.assertIn("board:    " + BOARD, text)
        self.assertIn("scenario: " + PARTITIONED, text)
        self.assertIn("#include <scenario.h>", text)
        self.assertIn("#include <config.h>", text)
        self.assertIn("static const struct board_config board = {", text)
        self.assertIn("static const struct vm_config vms[] = {", text)
        self.assertIn("const struct scenario_config tessera_scenario = {", text)
        self.assertIn(".console_uart_base = 0x09000000", text)
        self.assertIn(".gicr_size = 0x00f60000", text)
        self.assertIn("{ .gpa = 0x60000000, .hpa = 0x60000000, .size = 0x04000000 }", text)
        self.assertIn("CONFIG_MAX_VMS", text)
        self.assertIn("CONFIG_MAX_VCPUS_PER_VM", text)
        self.assertNotRegex(text, r"[ \t]+\n")

    def _compile(self, c_file, inc, extra=()):
        cmd = [CC, "-fsyntax-only"] + CFLAGS + ["-I", os.path.join(REPO, "hypervisor", "include"),
                                                "-I", inc, c_file] + list(extra)
        return subprocess.run(cmd, capture_output=True, text=True)

    @unittest.skipUnless(CC, "no C compiler")
    def test_c_compiles(self):
        inc = make_include_dir(os.path.join(self.tmp, "inc"))
        for scen in (PARTITIONED, HYBRID, "tests/tools/fixtures/good-scenario-rich.toml"):
            c = self.generate(scen)["c"]
            p = self._compile(c, inc)
            self.assertEqual(p.returncode, 0, "%s:\n%s" % (scen, p.stderr))

    @unittest.skipUnless(CC, "no C compiler")
    def test_c_static_asserts(self):
        c = self.generate(HYBRID)["c"]  # 3 VMs, sos has 3 vCPUs
        p = self._compile(c, make_include_dir(os.path.join(self.tmp, "inc1"), 2, 8))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("more than CONFIG_MAX_VMS", p.stderr)
        p = self._compile(c, make_include_dir(os.path.join(self.tmp, "inc2"), 8, 2))
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("VM sos has 3 vCPUs", p.stderr)

    @unittest.skipUnless(CC, "no C compiler")
    def test_c_matches_json(self):
        """Build the tables for the host, dump them, compare with the JSON."""
        inc = make_include_dir(os.path.join(self.tmp, "inc"))
        main_c = self.write("dump.c", r'''
#include <inttypes.h>
#include <stdio.h>
#include <scenario.h>
#define X(v) ((unsigned long long)(v))
int main(void)
{
	const struct scenario_config *s = &tessera_scenario;
	const struct board_config *b = s->board;
	printf("scenario %s %llx %llx %u\n", s->name, X(s->hv_base), X(s->hv_size), s->vm_count);
	printf("board %s %llx %llx %u %llx %llx %llx %llx\n", b->name, X(b->ram_base),
	       X(b->ram_size), b->pcpu_count, X(b->console_uart_base), X(b->gicd_base),
	       X(b->gicr_base), X(b->gicr_size));
	for (uint32_t i = 0; i < s->vm_count; i++) {
		const struct vm_config *v = &s->vms[i];
		printf("vm %s %d %llx %u %llx %llx %u\n", v->name, (int)v->kind, X(v->pcpu_mask),
		       v->vcpu_count, X(v->entry), X(v->vuart_gpa), v->flags);
		for (uint32_t m = 0; m < v->mem_region_count; m++)
			printf("mem %llx %llx %llx\n", X(v->mem[m].gpa), X(v->mem[m].hpa),
			       X(v->mem[m].size));
		for (uint32_t d = 0; d < v->device_count; d++) {
			const struct device_config *dv = &v->devices[d];

			printf("dev %s %llx %llx %d %u %u", dv->name, X(dv->base), X(dv->size),
			       (int)dv->dma, dv->stream_base, dv->stream_count);
			for (uint32_t q = 0; q < dv->irq_count; q++)
				printf(" %u", dv->irqs[q]);
			printf("\n");
		}
	}
	return 0;
}
''')
        kinds = {"pre-launched": 0, "service": 1, "post-launched": 2}
        for scen in (PARTITIONED, HYBRID, "tests/tools/fixtures/good-scenario-rich.toml"):
            out = self.generate(scen)
            exe = os.path.join(self.tmp, "dump")
            p = subprocess.run([CC] + CFLAGS + ["-I", os.path.join(REPO, "hypervisor", "include"),
                                                "-I", inc, "-o", exe, out["c"], main_c],
                               capture_output=True, text=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            got = subprocess.run([exe], capture_output=True, text=True, check=True).stdout
            j = json.load(open(out["json"]))
            b = j["board"]
            want = ["scenario %s %x %x %d" % (j["scenario"], j["hypervisor"]["base"],
                                              j["hypervisor"]["size"], len(j["vms"])),
                    "board %s %x %x %d %x %x %x %x" % (
                        b["name"], b["ram"]["base"], b["ram"]["size"], b["pcpus"],
                        b["console"]["base"], b["gic"]["dist"], b["gic"]["redist"],
                        b["gic"]["redist_size"])]
            for vm in j["vms"]:
                want.append("vm %s %d %x %d %x %x %d" % (
                    vm["name"], kinds[vm["kind"]], vm["pcpu_mask"], vm["vcpu_count"],
                    vm["entry"], vm["vuart"], vm["flags"]))
                want += ["mem %x %x %x" % (r["gpa"], r["hpa"], r["size"]) for r in vm["memory"]]
                dma = {"none": 0, "unconfined": 1, "smmu": 2}
                want += ["dev %s %x %x %d %d %d%s" % (
                    d["name"], d["base"], d["size"], dma[d["dma"]],
                    d.get("streams", {}).get("base", 0), d.get("streams", {}).get("count", 0),
                    "".join(" %d" % i for i in d["irqs"])) for d in vm["devices"]]
            self.assertEqual(got.splitlines(), want, scen)

    def test_dma_opt_in(self):
        """The Service VM's opt-in to unconfined DMA: accepted, a warning naming
        the file, the field and the device, and the flag the hypervisor's
        boot check and boot line read."""
        scen = "tests/tools/fixtures/dma-unconfined-service.toml"
        out = os.path.join(self.tmp, "dma.c")
        rc, _, err = run_tool("--board", BOARD, "--scenario", scen, "--max-vms", "8",
                              "--max-vcpus", "8", "--console", "uart0", "--out-c", out)
        self.assertClean(rc, err, (0,))
        self.assertEqual(err.splitlines(), [
            scen + ': vm[0].devices[0]: warning: device "virtio_mmio31" is a DMA master '
            'that no IOMMU confines (board "qemu-virt": devices.virtio_mmio.dma = '
            '"unconfined"): with dma = "unconfined", VM \'sos\' can overwrite the memory '
            'of every other VM and of the hypervisor'])
        c = open(out).read()
        self.assertIn(".flags = VM_FLAG_DMA_UNCONFINED,", c)
        self.assertIn(".dma = DEVICE_DMA_UNCONFINED,", c)

    def test_rich_flags(self):
        j = json.load(open(self.generate("tests/tools/fixtures/good-scenario-rich.toml")["json"]))
        rt0 = j["vms"][0]
        self.assertEqual((rt0["flags"], rt0["abort_on_unhandled"], rt0["io_completion"],
                          rt0["vuart"]), (3, True, "polling", 0))
        self.assertIn("VM_FLAG_ABORT_ON_UNHANDLED | VM_FLAG_IO_POLLING", open(os.path.join(
            self.tmp, "gen", "scenario.c")).read())
        self.assertEqual(j["vms"][1]["io_completion"], "notify")

    def test_write_only_if_changed(self):
        out = self.generate(PARTITIONED)
        old = 1_000_000_000
        for path in out.values():
            os.utime(path, (old, old))
        self.generate(PARTITIONED)
        for path in out.values():
            self.assertEqual(int(os.stat(path).st_mtime), old, path)
        self.generate(HYBRID)
        for path in out.values():
            self.assertNotEqual(int(os.stat(path).st_mtime), old, path)
        self.assertEqual(sorted(os.listdir(os.path.dirname(out["c"]))),
                         ["scenario.c", "scenario.json", "scenario.mk"])

    def test_output_deterministic(self):
        a = {k: open(v).read() for k, v in self.generate(HYBRID).items()}
        shutil.rmtree(os.path.join(self.tmp, "gen"))
        b = {k: open(v).read() for k, v in self.generate(HYBRID).items()}
        self.assertEqual(a, b)

    def test_unwritable_output(self):
        blocker = self.write("file", "x")
        rc, _, err = run_tool("--board", BOARD, "--scenario", PARTITIONED,
                              "--out-c", os.path.join(blocker, "sub", "scenario.c"))
        self.assertClean(rc, err, (1,))
        self.assertEqual(len(err.splitlines()), 1)

    def test_console_default_single_uart(self):
        rc, _, err = run_tool("--board", BOARD, "--scenario", PARTITIONED, "--check")
        self.assertEqual((rc, err), (0, ""))

    def test_paths_given_absolute(self):
        rc, _, err = run_tool("--board", os.path.join(REPO, BOARD), "--scenario",
                              os.path.join(REPO, PARTITIONED), "--check", cwd=self.tmp)
        self.assertEqual((rc, err), (0, ""))


# --------------------------------------------------------------------------
# Contract with scenario.h

class ContractTests(unittest.TestCase):
    def test_constants_match_scenario_h(self):
        tool = load_tool_module()
        h = open(SCENARIO_H).read()

        def define(name):
            m = re.search(r"#define\s+%s\s+(.+?)\s*(/\*.*)?$" % name, h, re.M)
            self.assertIsNotNone(m, name)
            return m.group(1)
        self.assertEqual(int(define("SCENARIO_MAX_MEM_REGIONS")), tool.MAX_MEM_REGIONS)
        self.assertEqual(int(define("SCENARIO_MAX_DEVICES")), tool.MAX_DEVICES)
        m = re.fullmatch(r"\(1u << (\d+)\)", define("VM_FLAG_ABORT_ON_UNHANDLED"))
        self.assertEqual(1 << int(m.group(1)), tool.VM_FLAG_ABORT_ON_UNHANDLED)
        m = re.fullmatch(r"\(1u << (\d+)\)", define("VM_FLAG_IO_POLLING"))
        self.assertEqual(1 << int(m.group(1)), tool.VM_FLAG_IO_POLLING)
        for enum in tool.KINDS.values():
            self.assertRegex(h, r"\b%s\s*=" % enum)
        self.assertIn("uint64_t pcpu_mask", h)
        self.assertEqual(tool.MAX_PCPUS, 64)

    def test_every_bad_fixture_has_expectations(self):
        for name in os.listdir(FIXTURES):
            if name.startswith("bad-"):
                self.assertTrue(parse_fixture(os.path.join(FIXTURES, name))["expect"], name)


# --------------------------------------------------------------------------
# Syntax errors in numbers: the field is named (fixtures bad-scenario-number*)

class NumberErrorTests(ToolTestCase):
    def syntax_error(self, text):
        """The tool's one error line for text as a scenario file (without the file name)."""
        tool = load_tool_module()
        problems = tool.Problems()
        path = self.write("s.toml", text)
        self.assertIsNone(tool.read_toml(tool.Src(path, problems)))
        self.assertEqual(len(problems.lines), 1, problems.lines)
        return problems.lines[0][len(path) + 2:]

    def test_field_paths(self):
        """toml_path_at() at the position marked @ names the field being defined."""
        tool = load_tool_module()
        cases = [
            ("size = @", "size"),
            ("[hypervisor]\nsize = @", "hypervisor.size"),
            ("[ hypervisor ]  # the HV\nbase = 1\nsize = @", "hypervisor.size"),
            ("[[vm]]\nname = 'a'\n[[vm]]\nentry = @", "vm[1].entry"),
            ("x = { a = 1, b = @", "x.b"),
            ("x = { a = { b = 2 }, c = @", "x.c"),
            ("m = [{ gpa = 1 }, { size = @", "m[1].size"),
            ("p = [1, 2, @", "p[2]"),
            ("p = [[1], [2, @", "p[1][1]"),
            ('[a]\n"quoted key" = @', 'a."quoted key"'),
            ("a.b = @", "a.b"),
            ("s = 'x = [' \nt = @", "t"),
            ('s = "x = [ \\" {"\nt = @', "t"),
            ("# c = [\nt = @", "t"),
            ('s = """\n= [ {\n"""\nt = @', "t"),
            ("[[vm]]\nmemory = [\n  {gpa = 1}, # x, [\n  {size = @", "vm[0].memory[1].size"),
            ("vm = [\n  { name = 'a' },\n  { entry = @", "vm[1].entry"),
            ("@", None),
            ("[hypervisor]\n@", "hypervisor"),
        ]
        for text, want in cases:
            pos = text.index("@")
            self.assertEqual(tool.toml_path_at(text.replace("@", "0x5G"), pos), want, text)

    def test_number_messages(self):
        hint = "write an integer such as 0x5000_0000 or 1342177280 (TOML has no size suffixes)"
        for line, field, value in [
                ("size = 64M", "size", "64M"),
                ("size = 1.5G", "size", "1.5G"),
                ("size = 0x", "size", "0x"),
                ("size = -0x5", "size", "-0x5"),
                ("size = 64MiB # a comment", "size", "64MiB"),
                ("pcpus = [1, 2x]", "pcpus[1]", "2x"),
                ("r = { base = 0x1000, size = 4k }", "r.size", "4k")]:
            self.assertEqual(self.syntax_error("a = 1\n" + line + "\n"),
                             "%s: %s is not a number (line 2): %s" % (field, value, hint))

    def test_other_syntax_errors_unchanged(self):
        """Not a single number-like token: the parser's own message."""
        for line in ("size = 5 G", 'name = "unterminated', "pcpus = [1 2]",
                     "base = 0x40000000 size = 1", "x = y"):
            self.assertTrue(self.syntax_error(line + "\n").startswith("TOML syntax error: "),
                            line)


# --------------------------------------------------------------------------
# Guest image names come from tests/guests/guests.mk

class GuestProgramTests(unittest.TestCase):
    @unittest.skipUnless(shutil.which("make"), "no make")
    def test_guest_programs_as_make_sees_them(self):
        with tempfile.NamedTemporaryFile("w", suffix=".mk") as mk:
            mk.write("print-guest-programs:\n\t@echo $(GUEST_PROGRAMS)\n")
            mk.flush()
            p = subprocess.run(["make", "--no-print-directory", "-s", "-f",
                                "tests/guests/guests.mk", "-f", mk.name,
                                "print-guest-programs"],
                               cwd=REPO, capture_output=True, text=True)
        self.assertEqual(p.returncode, 0, p.stderr)
        tool = load_tool_module()
        problems = tool.Problems()
        self.assertEqual(tool.read_guest_programs(problems), p.stdout.split())
        self.assertEqual(problems.lines, [])

    def test_shipped_images_are_guests(self):
        tool = load_tool_module()
        guests = tool.read_guest_programs(tool.Problems())
        for scen in (PARTITIONED, HYBRID):
            for vm in tool.tomllib.load(open(os.path.join(REPO, scen), "rb"))["vm"]:
                if "image" in vm:
                    self.assertIn(vm["image"], guests, scen)


# --------------------------------------------------------------------------
# Command line and garbage input: one-line errors, exit 1, never a traceback

class RobustnessTests(ToolTestCase):
    def expect_one_error(self, *args, contains=None, cwd=REPO):
        rc, out, err = run_tool(*args, cwd=cwd)
        self.assertClean(rc, err, (1,))
        self.assertEqual(len(err.splitlines()), 1, err)
        if contains:
            self.assertIn(contains, err)
        return err

    def test_missing_file(self):
        self.expect_one_error("--board", BOARD, "--scenario", "no/such.toml",
                              contains="no/such.toml: cannot read file: No such file")

    def test_directory(self):
        self.expect_one_error("--board", "config/boards", "--scenario", PARTITIONED,
                              contains="config/boards: cannot read file")

    def test_binary_garbage(self):
        bad = self.write("garbage.toml", bytes(range(256)) * 4, "wb")
        self.expect_one_error("--board", BOARD, "--scenario", bad, contains="not a TOML file")

    def test_text_garbage(self):
        bad = self.write("garbage.toml", "{{{ this is not toml ]]]\n\x01\n")
        self.expect_one_error("--board", BOARD, "--scenario", bad, contains="TOML syntax error")

    def test_nul_bytes(self):
        bad = self.write("nul.toml", 'name = "a\x00b"\n')
        self.expect_one_error("--board", BOARD, "--scenario", bad, contains="TOML syntax error")

    def test_deep_nesting(self):
        bad = self.write("deep.toml", "a = " + "[" * 100000 + "]" * 100000 + "\n")
        self.expect_one_error("--board", BOARD, "--scenario", bad, contains="deep.toml: ")

    def test_huge_integer(self):
        bad = self.write("big.toml", open(os.path.join(REPO, PARTITIONED)).read().replace(
            "size = 0x04000000              # 64 MiB", "size = 0x" + "f" * 40))
        self.expect_one_error("--board", BOARD, "--scenario", bad,
                              contains="hypervisor.size: 0x" + "f" * 40 + " is out of range")

    def test_bad_board_skips_board_checks(self):
        # A broken board is reported once; the scenario is still parsed.
        bad = self.write("board.toml", "name = 1\n")
        rc, _, err = run_tool("--board", bad, "--scenario", PARTITIONED, "--check")
        self.assertClean(rc, err, (1,))
        self.assertTrue(all(line.startswith(bad + ": ") for line in err.splitlines()), err)

    def test_cli_missing_arguments(self):
        self.expect_one_error(contains="required: --board, --scenario")

    def test_cli_bad_numbers(self):
        for v in ("x", "0", "-3", "1.5"):
            self.expect_one_error("--board", BOARD, "--scenario", PARTITIONED,
                                  "--max-vms", v, contains="--max-vms")
        self.expect_one_error("--board", BOARD, "--scenario", PARTITIONED,
                              "--max-vcpus", "", contains="--max-vcpus")

    def test_cli_unknown_option(self):
        self.expect_one_error("--board", BOARD, "--scenario", PARTITIONED, "--frobnicate",
                              contains="unrecognized arguments")

    def test_cli_unknown_console(self):
        self.expect_one_error("--board", BOARD, "--scenario", PARTITIONED, "--console", "com1",
                              contains=BOARD + ': uarts: no UART named "com1"')

    def test_help(self):
        rc, out, err = run_tool("--help")
        self.assertEqual((rc, err), (0, ""))
        self.assertIn("--max-vcpus", out)

    def test_mutation_fuzz(self):
        """Randomly mutated boards and scenarios: exit 0 or 1, only one-line
        errors naming a file, never an exception (run in-process with
        TESSERA_CONFIG_DEBUG=1, so a bug raises instead of being reported)."""
        tool = load_tool_module()
        rng = random.Random(20240601)
        sources = {
            "board": open(os.path.join(REPO, BOARD)).read(),
            "scenario": open(os.path.join(REPO, HYBRID)).read(),
            "scenario2": open(os.path.join(FIXTURES, "good-scenario-rich.toml")).read(),
        }
        tokens = ['0', '-1', '0x1001', '18446744073709551615', '18446744073709551616', '"x"',
                  'true', '1.5', '[]', '{}', '"auto"', '"service"', '"post-launched"',
                  '[0, 0]', '[63]', '2024-01-01', '"rtc"', '["rtc", "rtc"]', '0x48000000']
        os.environ["TESSERA_CONFIG_DEBUG"] = "1"
        try:
            for i in range(600):
                which = rng.choice(list(sources))
                lines = sources[which].splitlines()
                for _ in range(rng.randint(1, 3)):
                    if not lines:  # an earlier op deleted the last line
                        lines = [""]
                    op = rng.randrange(6)
                    k = rng.randrange(len(lines))
                    if op == 0:
                        del lines[k]
                    elif op == 1:
                        lines.insert(k, lines[rng.randrange(len(lines))])
                    elif op == 2 and "=" in lines[k]:
                        lines[k] = lines[k].split("=", 1)[0] + "= " + rng.choice(tokens)
                    elif op == 3:
                        lines[k] = re.sub(r"0x[0-9A-Fa-f]+|\b\d+\b",
                                          lambda m: rng.choice(tokens[:5] + ["0x50000000"]),
                                          lines[k], count=1)
                    elif op == 4:
                        pos = rng.randrange(len(lines[k]) + 1)
                        lines[k] = lines[k][:pos] + rng.choice('[]{}="#,.\x7f\\') + lines[k][pos:]
                    else:
                        lines = lines[:k]
                        if not lines:
                            lines = [""]
                text = "\n".join(lines) + "\n"
                path = self.write("fuzz-%s.toml" % which, text)
                board = path if which == "board" else os.path.join(REPO, BOARD)
                scenario = path if which != "board" else os.path.join(REPO, HYBRID)
                outdir = os.path.join(self.tmp, "out")
                err = io.StringIO()
                with contextlib.redirect_stderr(err):
                    rc = tool.main(["--board", board, "--scenario", scenario,
                                    "--max-vms", "8", "--max-vcpus", "8",
                                    "--out-c", os.path.join(outdir, "s.c"),
                                    "--out-json", os.path.join(outdir, "s.json"),
                                    "--out-mk", os.path.join(outdir, "s.mk")])
                msg = "iteration %d, input:\n%s\nstderr:\n%s" % (i, text, err.getvalue())
                self.assertIn(rc, (0, 1), msg)
                if rc == 1:
                    self.assertTrue(err.getvalue(), msg)
                    for line in err.getvalue().splitlines():
                        self.assertTrue(line.startswith((board + ": ", scenario + ": ")), msg)
                else:
                    self.assertEqual(err.getvalue(), "", msg)
        finally:
            del os.environ["TESSERA_CONFIG_DEBUG"]


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
