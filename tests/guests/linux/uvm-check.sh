#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# User VM self-check, run by /init for tessera.run=uvm-check.sh, on the
# device model's virtio devices. Prints "check: ..." lines (doc/guest-linux.rst):
#   check: nproc=N
#   check: memtotal_kb=N
#   check: disk=TEXT            first line of hello.txt on /dev/vda (vfat)
#   check: disk_md5=HEX         md5 of hello.txt
#   check: wrote=TOKEN          TOKEN (tessera.token=) written to written.txt
#   check: rng_bytes=N          bytes read from the virtio-rng
#   check: console=ok           a line went out on hvc0 (the DM's terminal)
#   check: done
token=none
# shellcheck disable=SC2013 # words, not lines
for arg in $(cat /proc/cmdline); do
	case $arg in tessera.token=*) token=${arg#*=} ;; esac
done

echo "check: nproc=$(nproc)"
echo "check: memtotal_kb=$(awk '$1 == "MemTotal:" { print $2 }' /proc/meminfo)"

i=0
while [ ! -b /dev/vda ] && [ $i -lt 100 ]; do
	sleep 0.1
	i=$((i + 1))
done
if [ ! -b /dev/vda ]; then
	echo "check: disk=ERROR no /dev/vda"
elif ! mount -t vfat /dev/vda /mnt; then
	echo "check: disk=ERROR cannot mount /dev/vda"
else
	echo "check: disk=$(head -n 1 /mnt/hello.txt)"
	echo "check: disk_md5=$(md5sum /mnt/hello.txt | cut -d' ' -f1)"
	echo "$token" >/mnt/written.txt && sync && echo "check: wrote=$token"
	umount /mnt
fi

i=0
while [ ! -c /dev/hwrng ] && [ $i -lt 50 ]; do
	sleep 0.1
	i=$((i + 1))
done
echo "check: rng_bytes=$(dd if=/dev/hwrng bs=64 count=1 2>/dev/null | wc -c)"

if [ -c /dev/hvc0 ] && echo "uvm-check: hello on hvc0 $token" >/dev/hvc0; then
	echo "check: console=ok"
else
	echo "check: console=ERROR no /dev/hvc0"
fi
echo "check: done"
