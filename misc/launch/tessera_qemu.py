#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Boot the built Tessera image and its VMs' guest images in QEMU.

The VM layout comes from build/generated/scenario.json (written by the config
tool): each pre-launched VM's image is placed at its entry address with
`-device loader`, the hypervisor is booted with `-kernel` at EL2. With a
Service VM, its kernel (build/guest/Image) goes into the hypervisor's image
store, its initramfs is the -initrd, and --append adds to its command line.

    /usr/bin/python3 misc/launch/tessera_qemu.py [--build build]
        [--image VM=PROGRAM|PATH ...] [--cpu cortex-a72] [--append ARGS]
        [--disk FILE] [--print] [-- QEMU ARGS]

On the terminal, Ctrl-A X quits QEMU. Tests import qemu_command() instead.
"""

import argparse
import glob
import json
import os
import shlex
import sys

QEMU = "qemu-system-aarch64"
MACHINE = ["-M", "virt,virtualization=on,gic-version=3", "-smp", "4", "-m", "2G"]


class LaunchError(Exception):
    pass


def load_scenario(build):
    path = os.path.join(build, "generated", "scenario.json")
    try:
        with open(path) as f:
            return json.load(f)
    except OSError as e:
        raise LaunchError(f"{path}: {e.strerror}; run 'make' first") from e


def entry_hpa(vm):
    """Host-physical address of the VM's entry point (where its image goes)."""
    for region in vm["memory"]:
        if region["gpa"] <= vm["entry"] < region["gpa"] + region["size"]:
            return region["hpa"] + vm["entry"] - region["gpa"]
    raise LaunchError(f"vm {vm['name']}: entry {vm['entry']:#x} not in its memory")


def guest_image(build, program, entry):
    """The test-guest binary built for this entry address, or a given path."""
    if os.sep in program:
        if not os.path.exists(program):
            raise LaunchError(f"image {program}: no such file")
        return program
    for path in glob.glob(os.path.join(build, "guests", f"{program}-0x*.bin")):
        if int(path.rsplit("-", 1)[1][:-4], 16) == entry:
            return path
    raise LaunchError(f"no guest image '{program}' built for entry {entry:#x} "
                      f"under {build}/guests (known: hello beacon probe unsupported "
                      f"poweroff reset iocheck)")


def service_vm_args(build, scenario, append, disk):
    """Kernel into the image store, initramfs as -initrd, extra bootargs."""
    store = scenario["hypervisor"].get("image_store")
    if not store:
        raise LaunchError(f"scenario '{scenario['scenario']}' has a Service VM "
                          f"but no [hypervisor] image_store")
    kernel = os.path.join(build, "guest", "Image")
    initrd = os.path.join(build, "guest", "rootfs.cpio.gz")
    for path in (kernel, initrd):
        if not os.path.exists(path):
            raise LaunchError(f"{path}: missing; run 'make' (and the set-up)")
    args = ["-device", f"loader,file={kernel},addr={store['base']:#x},force-raw=on",
            "-initrd", initrd]
    if append:
        args += ["-append", append]
    if disk:
        args += ["-drive", f"if=none,file={disk},format=raw,id=disk0,readonly=on",
                 "-device", "virtio-blk-device,drive=disk0"]
    return args


def qemu_command(build, images=None, cpu="cortex-a72", extra=(), append="",
                 disk=None):
    """The QEMU argv for this build; images maps VM name -> program or path."""
    images = dict(images or {})
    scenario = load_scenario(build)
    cmd = [QEMU, *MACHINE, "-cpu", cpu, "-nographic",
           "-kernel", os.path.join(build, "hypervisor", "tessera.bin")]
    if any(vm["kind"] == "service" for vm in scenario["vms"]):
        cmd += service_vm_args(build, scenario, append, disk)
    elif disk or append:
        raise LaunchError("--disk and --append need a scenario with a Service VM")
    names = {vm["name"] for vm in scenario["vms"]}
    for name in images:
        if name not in names:
            raise LaunchError(f"--image {name}=...: the scenario "
                              f"'{scenario['scenario']}' has no VM '{name}'")
    for vm in scenario["vms"]:
        if vm["kind"] != "pre-launched":
            continue
        program = images.get(vm["name"], vm.get("image"))
        if not program:
            raise LaunchError(f"vm {vm['name']}: no image given and none in "
                              f"the scenario")
        path = guest_image(build, program, vm["entry"])
        cmd += ["-device", f"loader,file={path},addr={entry_hpa(vm):#x},force-raw=on"]
    return cmd + list(extra)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--image", action="append", default=[], metavar="VM=IMAGE")
    ap.add_argument("--cpu", default="cortex-a72")
    ap.add_argument("--append", default="", help="more Service VM bootargs")
    ap.add_argument("--disk", help="raw disk image for the Service VM (virtio-blk)")
    ap.add_argument("--print", action="store_true", help="only print the command")
    ap.add_argument("qemu_args", nargs="*")
    args = ap.parse_args()
    try:
        images = dict(i.split("=", 1) for i in args.image)
    except ValueError:
        sys.exit("tessera_qemu.py: --image takes VM=IMAGE")
    try:
        cmd = qemu_command(args.build, images, args.cpu, args.qemu_args,
                           args.append, args.disk)
    except LaunchError as e:
        sys.exit(f"tessera_qemu.py: {e}")
    print(" ".join(shlex.quote(c) for c in cmd), flush=True)
    if args.print:
        return
    print("tessera: Ctrl-A X quits QEMU", flush=True)
    os.execvp(cmd[0], cmd)


if __name__ == "__main__":
    main()
