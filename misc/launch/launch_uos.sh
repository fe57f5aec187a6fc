#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
#
# launch_uos.sh - boot a post-launched User VM from the Service VM's shell,
# with sensible defaults, through the device model (doc/user-vms.rst).
#
#   launch_uos.sh [options] [SLOT]        SLOT: the scenario's post-launched
#                                         VM (default uvm0)
#     -m MEM       RAM, e.g. 256M (default 256M)
#     -c N         vCPUs (default 1; at most the slot's pCPUs)
#     -d DISK      virtio-blk disk image (default the shipped one; - for none)
#     -k KERNEL    kernel Image (default the Service VM's own kernel)
#     -r INITRD    initramfs (default the User VM initramfs)
#     -B ARGS      more kernel command-line arguments (appended)
#     -p           polling completion instead of notifications
#     -P CPUS      the Service VM CPUs the device model runs on (taskset
#                  list, default 0): none may share a pCPU with the User
#                  VM. The device model spins (always with -p, for 50 us
#                  after each request without), and there a Service VM
#                  vCPU would hold the pCPU from the User VM's.
#     -h           this text
#
# The User VM's console is the device model's terminal (virtio-console on
# hvc0): its shell appears right here. Ctrl-] stops the VM; poweroff in
# the VM ends it too. The exit status is tessera-dm's (0: powered off).
set -eu

share=/usr/share/tessera/uvm
mem=256M
cpus=1
disk=$share/disk.img
kernel=$share/Image
initrd=$share/rootfs.cpio.gz
more=
polling=
dm_cpus=0

usage() {
	sed -n '4,25s/^# \{0,1\}//p' "$0"
}

while getopts m:c:d:k:r:B:pP:h opt; do
	case $opt in
	m) mem=$OPTARG ;;
	c) cpus=$OPTARG ;;
	d) disk=$OPTARG ;;
	k) kernel=$OPTARG ;;
	r) initrd=$OPTARG ;;
	B) more=$OPTARG ;;
	p) polling=--polling ;;
	P) dm_cpus=$OPTARG ;;
	h) usage; exit 0 ;;
	*) usage >&2; exit 2 ;;
	esac
done
shift $((OPTIND - 1))
slot=${1:-uvm0}
[ $# -le 1 ] || { echo "launch_uos.sh: one slot at most (got: $*)" >&2; exit 2; }

for f in "$kernel" "$initrd"; do
	[ -r "$f" ] || { echo "launch_uos.sh: $f: no such file" >&2; exit 3; }
done
if [ "$disk" != - ] && [ ! -e "$disk" ]; then
	echo "launch_uos.sh: disk $disk: no such file (-d - for none)" >&2
	exit 3
fi

# The kernel and init log on the hypervisor's virtual UART; the shell and
# the tests' console checks use hvc0 (doc/guest-linux.rst).
bootargs="console=ttyAMA0 tessera.prompt=$slot${more:+ $more}"
set -- --name "$slot" -m "$mem" -c "$cpus" -k "$kernel" -r "$initrd" \
	-B "$bootargs" -s virtio-console,stdio -s virtio-rng
[ "$disk" = - ] || set -- "$@" -s "virtio-blk,$disk"
[ -z "$polling" ] || set -- "$@" "$polling"
exec taskset -c "$dm_cpus" tessera-dm "$@"
