# SPDX-License-Identifier: BSD-3-Clause
"""Post-launched User VMs end to end, in `hybrid`: from the Service VM's
shell the launch script starts the device model, which creates uvm0 through
the HSM driver and boots Debian's Linux in it on pCPUs 1-2 (shared with the
Service VM) with a virtio console, disk and RNG; every MMIO access of uvm0
to those goes through its request slots to the device model and back.
rt0 keeps its heartbeat through all of it."""

import hashlib
import os
import re
import secrets

from harness import expect
from test_hybrid import HEARTBEAT, SHELL, heartbeat_without_gaps, hv_errors
from test_linux_direct import check_lines

SCENARIO = "hybrid"
UVM_MEM_MIB = 256
DISK = "/usr/share/tessera/uvm/disk.img"


def uvm_disk_token(build):
    with open(os.path.join(build, "guest", "uvm-disk.token")) as f:
        return f.read().strip()


def boot(ctx, name, deadline_s=600):
    return ctx.boot(name, images={"rt0": "hello"}, deadline_s=deadline_s)


def shell(run, command, answer, start=0, timeout=60):
    run.send(command + "\n")
    return run.wait_for(answer, start, timeout=timeout)


def launch_check(run, start, vcpus=2, polling=False):
    """One User VM run of uvm-check.sh: its check lines, the device model's
    exit status, the line after it all. Returns (token, checks, end).
    polling: the device model's --polling (launch_uos.sh -p), the vCPUs
    watch their slots instead of waiting for notifications."""
    token = "tok-" + secrets.token_hex(8)
    mode = "polling" if polling else "notify"
    # launch_uos.sh runs the device model on CPU 0, which the Service VM
    # has alone (-P): a polling one never sleeps, a notified one watches
    # its slots for a while after each request, and on CPU 1 or 2 the
    # Service VM's vCPU there, outranking uvm0 (200 to 100), would keep
    # the pCPU from uvm0's vCPU (seen with polling on CPU 1: no line from
    # uvm0 in 150 s).
    cmd = (f'launch_uos.sh -c {vcpus}{" -p" if polling else ""} -B '
           f'"tessera.run=uvm-check.sh tessera.poweroff=1 tessera.token={token}"'
           '; echo dm-exit=$?')
    run.send(cmd + "\n")
    created = run.wait_for(rf"^\[hv\] vm uvm0: created with {vcpus} vCPU\(s\), "
                           rf"{mode} completion", start, timeout=120)
    init = run.wait_for(r"^\[uvm0\] tessera-guest: init done, (\d+) CPUs",
                        created, timeout=240)
    expect(re.search(r"init done, (\d+)", run.line(init))[1] == str(vcpus),
           f"uvm0 saw: {run.line(init)}")
    checks = check_lines(run, init, prefix="[uvm0] ")
    # The same token came out of the virtio console, through the DM.
    run.wait_for(rf"^\[sos\] uvm-check: hello on hvc0 {token}\r?$", init)
    run.wait_for(r"^\[hv\] vm uvm0: powered off \(PSCI SYSTEM_OFF\)", init,
                 timeout=120)
    destroyed = run.wait_for(r"^\[hv\] vm uvm0: destroyed", init, timeout=60)
    end = run.wait_for(r"^\[sos\] dm-exit=\d+", destroyed, timeout=60)
    expect(run.line(end).rstrip("\r").endswith("dm-exit=0"),
           f"the device model did not exit 0: {run.line(end)}")
    return token, checks, end


def verify_uvm_check(checks, vcpus, disk_token, token):
    values = dict(c.split("=", 1) for c in checks if "=" in c)
    expect(values.get("nproc") == str(vcpus),
           f"nproc={values.get('nproc')}, expected {vcpus}")
    mem = int(values.get("memtotal_kb", "0"))
    expect(UVM_MEM_MIB * 1024 * 0.8 < mem <= UVM_MEM_MIB * 1024,
           f"memtotal_kb={mem} is not close to {UVM_MEM_MIB} MiB")
    expect(values.get("disk") == disk_token,
           f"disk={values.get('disk')!r}, expected {disk_token!r}")
    want_md5 = hashlib.md5((disk_token + "\n").encode()).hexdigest()
    expect(values.get("disk_md5") == want_md5,
           f"disk_md5={values.get('disk_md5')}, expected {want_md5}")
    expect(values.get("wrote") == token, f"wrote={values.get('wrote')!r}")
    expect(values.get("rng_bytes") == "64",
           f"rng_bytes={values.get('rng_bytes')}, expected 64")
    expect(values.get("console") == "ok", f"console={values.get('console')}")


def written_to_disk(run, token, start):
    """The Service VM finds the User VM's write in the disk image file."""
    line = shell(run, f"grep -q {token} {DISK} && echo found-{token} || "
                 f"echo missing-{token}", rf"^\[sos\] (found|missing)-{token}",
                 start)
    expect(f"found-{token}" in run.line(line),
           f"the User VM's write is not in {DISK}")
    return line


def test_user_vm_boots_runs_its_devices_and_powers_off(ctx):
    with boot(ctx, "uvm-launch") as run:
        start = run.wait_for(SHELL)
        shell(run, "echo ready-$((6*7))", r"^\[sos\] ready-42\r?$", start)
        token, checks, end = launch_check(run, start)
        verify_uvm_check(checks, 2, uvm_disk_token(ctx.build), token)
        # Both vCPUs ran on the pCPUs the scenario shares with the Service VM.
        for vcpu, pcpu in ((0, 1), (1, 2)):
            run.wait_for(rf"^\[hv\] vm uvm0 vcpu {vcpu}: \d+ exits; pCPU "
                         rf"{pcpu}: ", start)
        end = written_to_disk(run, token, end)
        end = shell(run, "echo alive-$((6*7))", r"^\[sos\] alive-42\r?$", end)
        heartbeat_without_gaps(run, run.wait_for(HEARTBEAT, end + 1))
        expect(not hv_errors(run), f"hypervisor errors: {hv_errors(run)}")


def test_user_vm_in_polling_mode(ctx):
    """The same User VM with the device model's --polling: its vCPU watches
    its slot (no notification), the device model spins on it (on CPU 0, see
    launch_check), every device works, it powers off and the device model
    exits 0. One launch, one vCPU."""
    with boot(ctx, "uvm-polling") as run:
        start = run.wait_for(SHELL)
        shell(run, "echo ready-$((6*7))", r"^\[sos\] ready-42\r?$", start)
        token, checks, end = launch_check(run, start, vcpus=1, polling=True)
        verify_uvm_check(checks, 1, uvm_disk_token(ctx.build), token)
        end = shell(run, "echo alive-$((6*7))", r"^\[sos\] alive-42\r?$", end)
        heartbeat_without_gaps(run, run.wait_for(HEARTBEAT, end + 1))
        expect(not hv_errors(run), f"hypervisor errors: {hv_errors(run)}")


def test_relaunch_three_times(ctx):
    with boot(ctx, "uvm-relaunch", deadline_s=900) as run:
        end = run.wait_for(SHELL)
        for n in range(3):
            token, checks, end = launch_check(run, end, vcpus=1 + n % 2)
            verify_uvm_check(checks, 1 + n % 2, uvm_disk_token(ctx.build),
                             token)
            end = written_to_disk(run, token, end)
        heartbeat_without_gaps(run, run.wait_for(HEARTBEAT, end + 1))
        expect(not hv_errors(run), f"hypervisor errors: {hv_errors(run)}")


def test_device_model_killed_mid_io(ctx):
    """kill -9 of the device model while the User VM does disk I/O: the
    driver's release destroys the VM, the Service VM and rt0 carry on, and a
    relaunch works (every slot free again)."""
    with boot(ctx, "uvm-kill", deadline_s=900) as run:
        start = run.wait_for(SHELL)
        run.send('launch_uos.sh -c 2 -B "tessera.run=uvm-load.sh" '
                 '</dev/null >/tmp/dm.log 2>&1 & echo dm-pid=$!\n')
        pid_line = run.wait_for(r"^\[sos\] dm-pid=\d+", start)
        pid = re.search(r"dm-pid=(\d+)", run.line(pid_line))[1]
        busy = run.wait_for(r"^\[uvm0\] uvm-load: pass 8\b", pid_line,
                            timeout=300)
        run.send(f"kill -9 {pid}; echo killed-{pid}\n")
        killed = run.wait_for(rf"^\[sos\] killed-{pid}", busy)
        run.wait_for(r"^\[hv\] vm uvm0: destroyed", busy, timeout=60)
        end = shell(run, "echo alive-$((6*7))", r"^\[sos\] alive-42\r?$",
                    killed)
        token, checks, end = launch_check(run, end)
        verify_uvm_check(checks, 2, uvm_disk_token(ctx.build), token)
        heartbeat_without_gaps(run, run.wait_for(HEARTBEAT, end + 1))
        expect(not hv_errors(run), f"hypervisor errors: {hv_errors(run)}")


def test_hsm_driver_refuses_bad_ioctls(ctx):
    """hsm-check in the Service VM, against the real hypervisor: every
    refusal with its errno and nothing left behind."""
    with boot(ctx, "uvm-hsm-check") as run:
        start = run.wait_for(SHELL)
        done = shell(run, "hsm-check; echo hsm-check-exit=$?",
                     r"^\[sos\] hsm-check-exit=\d+", start, timeout=300)
        summary = run.matching(r"^\[sos\] hsm-check: \d+ passed, \d+ failed")
        expect(summary, "hsm-check printed no summary")
        expect(re.search(r"\b0 failed", run.line(summary[-1])),
               f"hsm-check: {run.line(summary[-1])}; failures: "
               + "; ".join(run.line(i) for i in run.matching(r"FAIL", start)))
        expect(run.line(done).rstrip("\r").endswith("=0"), run.line(done))
        expect(not hv_errors(run), f"hypervisor errors: {hv_errors(run)}")


def test_hypercalls_refuse_hostile_arguments(ctx):
    """tessera_hvc_check in the Service VM: every Service-VM hypercall made
    straight at the hypervisor (no driver filtering) with bad VM ids,
    foreign, unaligned and overlapping memory, the hypervisor's and rt0's
    addresses, bad vCPU ids and wrong states: each refused with its errno,
    and nothing changed. rt0 and the Service VM carry on."""
    with boot(ctx, "uvm-hvc-check") as run:
        start = run.wait_for(SHELL)
        run.send("insmod /lib/modules/$(uname -r)/extra/tessera_hvc_check.ko; "
                 "echo insmod-rc=$?\n")
        summary = run.wait_for(r"hvc-check: \d+ passed, \d+ failed", start,
                               timeout=120)
        fails = [run.line(i) for i in run.matching(r"hvc-check: FAIL", start)]
        expect(re.search(r" 0 failed", run.line(summary)) and not fails,
               f"{run.line(summary)}; {fails}")
        passed = int(re.search(r"(\d+) passed", run.line(summary))[1])
        expect(passed >= 60, f"only {passed} checks ran")
        end = shell(run, "echo alive-$((6*7))", r"^\[sos\] alive-42\r?$",
                    summary)
        # And the slot is as good as new: a User VM runs in it.
        token, checks, end = launch_check(run, end, vcpus=1)
        verify_uvm_check(checks, 1, uvm_disk_token(ctx.build), token)
        heartbeat_without_gaps(run, run.wait_for(HEARTBEAT, end + 1))
        expect(not hv_errors(run), f"hypervisor errors: {hv_errors(run)}")


def test_hostile_service_vm_scribbling_request_slots(ctx):
    """A device model that writes random states and values into the
    request slot and sends random notifications while its User VM loops on
    a forwarded MMIO access: the hypervisor fails those requests (the guest
    skips the aborts) or stops the VM, with rate-limited log lines, and
    carries on; so do rt0 and the Service VM; a User VM runs afterwards."""
    with boot(ctx, "uvm-hostile") as run:
        start = run.wait_for(SHELL)
        done = shell(run, "hsm-hostile -s 4; echo hostile-exit=$?",
                     r"^\[sos\] hostile-exit=\d+", start, timeout=120)
        expect(run.line(done).rstrip("\r").endswith("=0"), run.line(done))
        stats = run.matching(r"^\[sos\] hsm-hostile: \d+ writes", start)
        expect(stats, "hsm-hostile printed no statistics")
        m = re.search(r"failed (\d+)", run.line(stats[-1]))
        expect(m and int(m[1]) > 0, f"no request failed: {run.line(stats[-1])}")
        warned = run.matching(r"^\[hv\] warning: vm uvm0 vcpu 0: io: ", start)
        expect(warned, "the hypervisor logged none of the bad slots")
        expect(len(warned) < 200, f"{len(warned)} lines: not rate-limited")
        end = shell(run, "echo alive-$((6*7))", r"^\[sos\] alive-42\r?$", done)
        token, checks, end = launch_check(run, end, vcpus=1)
        verify_uvm_check(checks, 1, uvm_disk_token(ctx.build), token)
        heartbeat_without_gaps(run, run.wait_for(HEARTBEAT, end + 1))
        expect(not hv_errors(run), f"hypervisor errors: {hv_errors(run)}")


LIFECYCLE = (r"^\[sos\] hsm-lifecycle: (\d+) pause, (\d+) dm-reset, (\d+) "
             r"guest-reset, (\d+) crash, (\d+) power-off, (\d+) reset-vs-pause, "
             r"(\d+) off-vs-pause, (\d+) destroy; (\d+) failures")
LIFECYCLE_ROUNDS = 2000


def test_every_state_change_against_power_operations(ctx):
    """hsm-lifecycle (misc/hsm/tests/hsm_lifecycle.c): a 2-vCPU User VM
    whose vCPUs power each other on and off without pause (tests/guests/
    lifecycle.c) is paused and resumed, reset by its device model, resets
    itself, crashes, powers itself off and is destroyed, 2,000 times in a
    seeded order. Every step ends in the state it names, a paused VM runs
    nothing, a restarted one runs both vCPUs, CPU_ON never answers but
    SUCCESS or ALREADY_ON; rt0 ticks on, the hypervisor logs no error."""
    crash = (r"^\[hv\] error: vm uvm0: stopped: vcpu 0: device access at "
             r"0x9000000 \(pc 0x[0-9a-f]+\) by an instruction without a valid "
             r"syndrome")
    with boot(ctx, "uvm-lifecycle") as run:
        run.allow_errors(crash)  # the crashes it asks for
        start = run.wait_for(SHELL)
        done = shell(run, f"hsm-lifecycle -n {LIFECYCLE_ROUNDS} -S 7 "
                     f"/usr/share/tessera/tests/lifecycle.bin; "
                     f"echo lifecycle-exit=$?", r"^\[sos\] lifecycle-exit=\d+",
                     start, timeout=500)
        fails = [run.line(i) for i in run.matching(r"^\[sos\] hsm-lifecycle: FAIL",
                                                   start)]
        expect(not fails, f"{len(fails)} failed steps, the first: "
               f"{fails[0] if fails else ''}")
        summary = run.matching(LIFECYCLE, start)
        expect(summary, "hsm-lifecycle printed no summary")
        counts = [int(x) for x in re.search(LIFECYCLE, run.line(summary[-1])).groups()]
        expect(sum(counts[:8]) == LIFECYCLE_ROUNDS and all(counts[:8]),
               f"not every kind of step ran: {run.line(summary[-1])}")
        expect(run.line(done).rstrip("\r").endswith("=0"), run.line(done))
        expect(len(run.matching(crash, start)) == counts[3],
               f"{len(run.matching(crash, start))} crash lines for {counts[3]} "
               f"crashes")
        end = shell(run, "echo alive-$((6*7))", r"^\[sos\] alive-42\r?$", done)
        heartbeat_without_gaps(run, run.wait_for(HEARTBEAT, end + 1))
        others = [e for e in hv_errors(run) if not re.search(crash, e)]
        expect(not others, f"{len(others)} hypervisor errors, the first: "
               f"{others[0] if others else ''}")
