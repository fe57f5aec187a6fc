#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Boot the built Tessera image and its VMs' guest images in QEMU.

The VM layout comes from build/generated/scenario.json (written by the config
tool): each pre-launched VM's image is placed at its entry address with
`-device loader`, the hypervisor is booted with `-kernel` at EL2. With a
Service VM, its kernel (build/guest/Image) goes into the hypervisor's image
store, its initramfs is the -initrd, and --append adds to its command line.
Post-launched VMs get nothing here: the device model starts them at run time.

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
# -nic none: no VM uses a network, and virt's default NIC needs
# efi-virtio.rom (Debian's ipxe-qemu, only a recommended package).
# iommu=smmuv3, highmem=off: the board file's SMMU and PCIe windows.
MACHINE = ["-M", "virt,virtualization=on,gic-version=3,iommu=smmuv3,highmem=off",
           "-smp", "4", "-m", "2G", "-nic", "none"]
PCI_HOST_COMPATIBLE = "pci-host-ecam-generic"
REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
# The Makefile's GUEST_DIR: one guest kernel and initramfs for every build dir.
SHARED_GUEST_DIR = os.path.join(REPO, "build", "guest")


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


def built_guests(build, entry):
    """Test-guest program -> binary, for the ones built for this entry address."""
    found = {}
    for path in glob.glob(os.path.join(build, "guests", "*-0x*.bin")):
        program, _, address = os.path.basename(path)[:-4].rpartition("-")
        try:
            if int(address, 16) == entry:
                found[program] = path
        except ValueError:
            pass
    return found


def guest_image(build, program, entry):
    """The test-guest binary built for this entry address, or a given path."""
    if os.sep in program:
        if not os.path.isfile(program):
            raise LaunchError(f"image {program}: no such file")
        return program
    built = built_guests(build, entry)
    if program in built:
        return built[program]
    known = ", ".join(sorted(built)) or "none; run 'make'"
    raise LaunchError(f"no guest image '{program}' built for entry {entry:#x} "
                      f"under {build}/guests (built: {known})")


def guest_dir(build):
    """BUILD/guest if there is one (scenario builds link it), else the shared one."""
    own = os.path.join(build, "guest")
    return own if os.path.isdir(own) else SHARED_GUEST_DIR


def refuse_image_for(vm, image, build):
    """--image for a VM the launcher does not load: say what boots it instead."""
    if vm["kind"] == "service":
        return (f"--image {vm['name']}={image}: {vm['name']} is the Service VM; it "
                f"boots Linux from {os.path.join(guest_dir(build), 'Image')} "
                f"(use --append for its command line)")
    return (f"--image {vm['name']}={image}: {vm['name']} is a post-launched VM; the "
            f"device model in the Service VM starts it at run time, so it has no "
            f"image at boot")


def service_vm_args(build, scenario, append, disk):
    """Kernel into the image store, initramfs as -initrd, extra bootargs."""
    store = scenario["hypervisor"].get("image_store")
    if not store:
        raise LaunchError(f"scenario '{scenario['scenario']}' has a Service VM "
                          f"but no [hypervisor] image_store")
    kernel = os.path.join(guest_dir(build), "Image")
    initrd = os.path.join(guest_dir(build), "rootfs.cpio.gz")
    for path in (kernel, initrd):
        if not os.path.exists(path):
            raise LaunchError(f"{path}: missing; run 'make' (and the set-up)")
    if disk and not os.path.isfile(disk):
        raise LaunchError(f"--disk {disk}: "
                          f"{'not a file' if os.path.exists(disk) else 'no such file'}")
    args = ["-device", f"loader,file={kernel},addr={store['base']:#x},force-raw=on",
            "-initrd", initrd]
    if append:
        args += ["-append", append]
    if disk:
        # On the Service VM's PCIe host bridge (behind the SMMU) if it has
        # one, else on its highest virtio-mmio transport.
        sos = next(vm for vm in scenario["vms"] if vm["kind"] == "service")
        on_pci = any(d.get("compatible") == PCI_HOST_COMPATIBLE
                     for d in sos.get("devices", []))
        args += ["-drive", f"if=none,file={disk},format=raw,id=disk0,readonly=on",
                 "-device", ("virtio-blk-pci" if on_pci else "virtio-blk-device")
                 + ",drive=disk0"]
    return args


def qemu_command(build, images=None, cpu="cortex-a72", extra=(), append="",
                 disk=None):
    """The QEMU argv for this build; images maps VM name -> program or path."""
    images = dict(images or {})
    scenario = load_scenario(build)
    vms = {vm["name"]: vm for vm in scenario["vms"]}
    for name, image in images.items():
        if name not in vms:
            raise LaunchError(f"--image {name}={image}: the scenario "
                              f"'{scenario['scenario']}' has no VM '{name}' "
                              f"(VMs: {', '.join(vms)})")
        if vms[name]["kind"] != "pre-launched":
            raise LaunchError(refuse_image_for(vms[name], image, build))
    cmd = [QEMU, *MACHINE, "-cpu", cpu, "-nographic",
           "-kernel", os.path.join(build, "hypervisor", "tessera.bin")]
    if any(vm["kind"] == "service" for vm in scenario["vms"]):
        cmd += service_vm_args(build, scenario, append, disk)
    elif disk or append:
        raise LaunchError("--disk and --append need a scenario with a Service VM")
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


def parse_args(argv=None):
    ap = argparse.ArgumentParser(
        description=__doc__.split("\n")[0],
        usage="%(prog)s [options] [-- QEMU_ARG ...]",
        epilog="Arguments after -- go to QEMU unchanged, e.g. '-- -s -S' to wait "
               "for gdb (doc/debugging.rst). On the terminal, Ctrl-A X quits QEMU.")
    ap.add_argument("--build", default="build", metavar="DIR",
                    help="build directory to boot: its generated/scenario.json, "
                         "hypervisor/tessera.bin and guests/; the Service VM's "
                         "kernel and initramfs come from DIR/guest, else "
                         "build/guest (default: build)")
    ap.add_argument("--image", action="append", default=[], metavar="VM=IMAGE",
                    help="what the pre-launched VM named VM boots: a test guest "
                         "(hello, beacon, probe, ...; built under DIR/guests) or, "
                         "with a / in IMAGE, that file. Default: the scenario's "
                         "image. Repeatable. Not for the Service VM (it boots "
                         "Linux) nor post-launched VMs (the device model starts "
                         "them)")
    ap.add_argument("--cpu", default="cortex-a72", metavar="MODEL",
                    help="QEMU CPU model (-cpu), e.g. max (default: cortex-a72)")
    ap.add_argument("--append", default="", metavar="ARGS",
                    help="more Service VM kernel command line")
    ap.add_argument("--disk", metavar="FILE",
                    help="raw disk image for the Service VM (virtio-blk, read-only)")
    ap.add_argument("--print", action="store_true", help="only print the command")
    ap.add_argument("qemu_args", nargs="*", metavar="QEMU_ARG", help=argparse.SUPPRESS)
    args, unknown = ap.parse_known_args(argv)
    if unknown:
        ap.error(f"unrecognized arguments: {' '.join(unknown)} "
                 f"(QEMU arguments go after --)")
    return args


def main():
    args = parse_args()
    images = {}
    for item in args.image:
        name, sep, image = item.partition("=")
        if not sep or not name or not image:
            sys.exit(f"tessera_qemu.py: --image {item}: expected VM=IMAGE, "
                     f"e.g. --image rt0=probe")
        images[name] = image
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
