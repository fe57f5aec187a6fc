#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Service VM self-check, run by /init for tessera.run=sos-check.sh.
# Prints machine-checkable "check: ..." lines (doc/guest-linux.rst):
#   check: nproc=N
#   check: memtotal_kb=N
#   check: disk=TEXT            first line of hello.txt on /dev/vda (vfat)
#   check: timer cpuN A->B      arch_timer interrupts on CPU N, ~1 s apart
#   check: done

echo "check: nproc=$(nproc)"
echo "check: memtotal_kb=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)"

# virtio-blk probes asynchronously after insmod: give /dev/vda up to 10 s.
i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ ! -b /dev/vda ]; then
	echo "check: disk=ERROR no /dev/vda"
elif ! mount -t vfat -o ro /dev/vda /mnt; then
	echo "check: disk=ERROR cannot mount /dev/vda"
else
	echo "check: disk=$(head -n 1 /mnt/hello.txt)"
	umount /mnt
fi

# An idle CPU takes no ticks (NO_HZ), so keep every CPU busy while counting.
busy=
for cpu in $(seq 0 $(($(nproc) - 1))); do
	taskset -c "$cpu" sh -c 'while :; do :; done' &
	busy="$busy $!"
done
before=$(grep -m 1 arch_timer /proc/interrupts)
sleep 1
after=$(grep -m 1 arch_timer /proc/interrupts)
# shellcheck disable=SC2086 # a list of pids
kill $busy
wait 2>/dev/null
# Columns: "IRQ: count(cpu0) count(cpu1) ... controller ... arch_timer".
n=$(head -n 1 /proc/interrupts | wc -w)
echo "$before
$after" | awk -v n="$n" '
	NR == 1 { for (i = 0; i < n; i++) a[i] = $(i + 2) }
	NR == 2 { for (i = 0; i < n; i++) print "check: timer cpu" i " " a[i] "->" $(i + 2) }'
[ -n "$before" ] || echo "check: timer ERROR no arch_timer line in /proc/interrupts"

echo "check: done"
