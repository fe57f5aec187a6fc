#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Mutation check: small wrong changes the test suite must catch.

    /usr/bin/python3 tests/mutants/run_mutants.py [--build build-mutants] [-k TEXT]

Each mutant below is one textual edit of one source file (the text must
occur exactly once) and the host test that must fail with it. For each
one: the edit is made, that test is rebuilt in its own build directory
(BUILD, default build-mutants: the main build is not touched) and run,
and the file is put back byte for byte, whatever happens. A mutant the
test does not catch SURVIVES: the suite is blind there. One line per
mutant, then "N killed, N survived"; the exit status is non-zero if one
survived or a mutant no longer applies (the code moved: update the list).

Only host tests run here (cmocka programs and the Python tools tests),
so the check takes a minute or two. `make mutants` runs it.
"""

import argparse
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

# (file, text, replacement, test, what the test must notice).
# test: "unit:<program>" (tests/unit, built with make) or
#       "tools:<script>" (tests/tools/<script>.py).
MUTANTS = (
    ("hypervisor/arch/arm64/s2_pgtable.c",
     "#define DESC_S2AP_R BIT(6)\n#define DESC_S2AP_W BIT(7)",
     "#define DESC_S2AP_R BIT(7)\n#define DESC_S2AP_W BIT(6)",
     "unit:test_s2_pgtable", "stage-2 read and write permissions swapped"),
    ("hypervisor/arch/arm64/s2_pgtable.c",
     "#define DESC_SH_INNER (3ull << 8)", "#define DESC_SH_INNER (0ull << 8)",
     "unit:test_s2_pgtable", "stage-2 Normal memory not inner shareable"),
    ("hypervisor/arch/arm64/s2_pgtable.c",
     "#define DESC_MEMATTR_DEVICE_NGNRE (0x1ull << 2)",
     "#define DESC_MEMATTR_DEVICE_NGNRE (0x0ull << 2)",
     "unit:test_s2_pgtable", "Device-nGnRnE instead of Device-nGnRE"),
    ("hypervisor/common/io_request_slot.c",
     "a->write ? a->value & io_size_mask(a->size) : 0",
     "a->write ? a->value : 0",
     "unit:test_io_stress", "a forwarded write's data not masked to its size"),
    ("hypervisor/common/io_request_slot.c",
     "SLOT_STORE(s->req.type, (uint32_t)a->space);",
     "SLOT_STORE(s->req.type, TESSERA_IO_TYPE_MMIO);",
     "unit:test_io_stress", "every request published as MMIO"),
    ("hypervisor/common/io_request_slot.c",
     "if (expected != TESSERA_IO_STATE_COMPLETE) {", "if (0) {",
     "unit:test_io_stress", "a state change after COMPLETE taken as done"),
    ("hypervisor/common/io_request_slot.c",
     "if (!__atomic_load_n(&s->sos_watching, __ATOMIC_SEQ_CST)) {", "if (1) {",
     "unit:test_io_slot", "an upcall although the device model watches"),
    ("hypervisor/common/io_dispatch.c",
     "\tcase IO_LOOKUP_HIT:\n\t\treturn emulate(io, vcpu_id, a, h);",
     "\tcase IO_LOOKUP_HIT:\n\t\tbreak;",
     "unit:test_io_stress", "hypervisor handlers skipped, all forwarded"),
    ("hypervisor/common/scenario_check.c",
     "plat->cpu_count >= 64 ? ~0ull", "plat->cpu_count > 64 ? ~0ull",
     "unit:test_scenario_check", "the 64-pCPU mask computed with a shift by 64"),
    ("hypervisor/common/scheduler.c",
     "return v->sched.last_ran < best->sched.last_ran;",
     "return v->sched.last_ran > best->sched.last_ran;",
     "unit:test_sched", "round-robin picks the most recently run"),
    ("hypervisor/arch/arm64/vgic_state.c",
     "\tif (!irq->hw_active || !irq->latch || (is_spi(irq) && !irq->level) ||",
     "\tif (1 || !irq->hw_active || !irq->latch || (is_spi(irq) && !irq->level) ||",
     "unit:test_vgic", "a level HW interrupt latched like an edge"),
    ("hypervisor/arch/arm64/include/dabt.h",
     "\tif (d->s1ptw)\n\t\treturn DABT_REFUSE_WALK;\n", "",
     "unit:test_dabt", "a fault on the guest's stage-1 table walk taken "
     "for an MMIO access"),
    ("hypervisor/arch/arm64/gicv3_dist.c",
     "\tspin_lock(&dist_lock);\n\tmmio_write32(reg, (mmio_read32(reg) & ~clear) | set);\n"
     "\tspin_unlock(&dist_lock);",
     "\t(void)dist_lock;\n\tmmio_write32(reg, (mmio_read32(reg) & ~clear) | set);",
     "unit:test_gicv3_dist", "a distributor word shared by SPIs of two VMs "
     "read-modify-written without the lock"),
    ("hypervisor/arch/arm64/smmuv3_desc.c",
     "#define CD0_EPD1 BIT(30)", "#define CD0_EPD1 0",
     "unit:test_smmuv3_desc", "the SMMU context's TTB1 half left enabled"),
    ("hypervisor/arch/arm64/smmuv3_desc.c",
     "#define CD0_R BIT(45)", "#define CD0_R 0",
     "unit:test_smmuv3_desc", "the SMMU records no translation faults"),
    ("hypervisor/arch/arm64/s2_pgtable.c",
     "\tif (!(flags & S2_WRITE))\n\t\td |= S1_AP_RDONLY;", "",
     "unit:test_s2_pgtable", "a read-only DMA mapping written as read-write"),
    ("hypervisor/common/scenario_check.c",
     "\t\tif (dev->dma == DEVICE_DMA_UNCONFINED &&\n\t\t    !(vm->flags & VM_FLAG_DMA_UNCONFINED)) {",
     "\t\tif (0) {",
     "unit:test_scenario_check", "an unconfined DMA master accepted without "
     "the opt-in"),
    ("misc/config_tools/tessera_config.py",
     "    if vm.kind != SERVICE:\n        s.src.err(dpath, \"%s: it could write any memory",
     "    if False:\n        s.src.err(dpath, \"%s: it could write any memory",
     "tools:test_tessera_config", "a partition given an unconfined DMA master"),
    ("hypervisor/common/vm_fdt.c",
     "\t\tfdtw_prop_append_u32(&b->w, b->gic);\n\t\tfdtw_prop_append_u64(&b->w, 0);",
     "\t\tfdtw_prop_append_u32(&b->w, b->pgic);\n\t\tfdtw_prop_append_u64(&b->w, 0);",
     "unit:test_vm_fdt", "a PCI bridge's interrupt-map left pointing at the "
     "platform's GIC"),
    ("devicemodel/run.c",
     "\tioreq_watch(&dm->ioreq, true);\n\tnotify_done(dm, done);",
     "\tnotify_done(dm, done);\n\tioreq_watch(&dm->ioreq, true);",
     "unit:test_dm_run", "the watch starts after the notify (the next "
     "request raises an upcall)"),
    ("devicemodel/ioreq.c",
     "\treturn look(q, false);", "\treturn look(q, true);",
     "unit:test_dm_run", "the watching DM takes slots the driver claimed"),
    ("misc/config_tools/tessera_config.py",
     "        lo = base & ~(PAGE - 1)\n        hi = (base + size + PAGE - 1) & ~(PAGE - 1)",
     "        lo = base\n        hi = base + size",
     "tools:test_tessera_config", "reserved ranges not rounded out to pages"),
    ("tests/integration/harness.py",
     "        self.stop()\n        if exc_type is None:\n            with self.cond:",
     "        self.stop()\n        if False:\n            with self.cond:",
     "tools:test_harness", "a late hypervisor error in the log goes unseen"),
    ("hypervisor/common/console_ring.c",
     "\tif (loss_unstamped(r)) {\n\t\tuint64_t totals",
     "\tif (0) {\n\t\tuint64_t totals",
     "unit:test_console_out", "a console loss reported only once the "
     "buffer is empty, not where it happened"),
    ("hypervisor/common/console_out.c",
     "(o->name && spent[i] < vm_budget)", "o->name",
     "unit:test_console_out", "no per-VM budget: a flood drained whole"),
    ("hypervisor/common/console_out.c",
     "drains - o->reported_at >= CONSOLE_LOSS_REPORT_DRAINS",
     "drains - o->reported_at >= 1",
     "unit:test_console_out", "a flood's loss reported at every drain"),
    ("hypervisor/common/vuart.c",
     "FR_TXFE | (tx_room_left(vu) ? 0 : FR_TXFF)", "FR_TXFE",
     "unit:test_vuart", "a full console buffer not shown as FR.TXFF"),
)


def run_test(test, build):
    """True if the test passed (the mutant survived it)."""
    kind, name = test.split(":", 1)
    if kind == "unit":
        exe = os.path.join(build, "unit", name)
        made = subprocess.run(["make", "-s", f"BUILD={build}", exe], cwd=REPO,
                              capture_output=True, text=True)
        if made.returncode:
            return False  # a mutant that does not build is caught too
        cmd = [exe]
    else:
        cmd = ["/usr/bin/python3", os.path.join(REPO, "tests", "tools",
                                                name + ".py")]
    try:
        p = subprocess.run(cmd, cwd=REPO, capture_output=True, timeout=600,
                           env=dict(os.environ, TESSERA_TEST_QUIET="1"))
    except subprocess.TimeoutExpired:
        return False
    return p.returncode == 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build-mutants")
    ap.add_argument("-k", dest="pattern", default="")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    killed = survived = stale = 0
    for path, text, repl, test, what in MUTANTS:
        if args.pattern and args.pattern not in path + test + what:
            continue
        full = os.path.join(REPO, path)
        with open(full, "rb") as f:
            original = f.read()
        if original.count(text.encode()) != 1:
            print(f"  STALE    {path}: the text to mutate is not there once "
                  f"({what})", flush=True)
            stale += 1
            continue
        try:
            with open(full, "wb") as f:
                f.write(original.replace(text.encode(), repl.encode(), 1))
            passed = run_test(test, build)
        finally:
            with open(full, "wb") as f:
                f.write(original)
        # The next build of this file must see the original again.
        os.utime(full)
        if passed:
            survived += 1
        else:
            killed += 1
        print(f"  {'SURVIVED' if passed else 'killed  '} {path}: {what} "
              f"({test})", flush=True)
    print(f"{killed} killed, {survived} survived"
          + (f", {stale} stale" if stale else ""))
    sys.exit(1 if survived or stale else 0)


if __name__ == "__main__":
    main()
