#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# Disk I/O in a User VM until it is stopped: writes and reads its
# virtio-blk disk in turns, forever (tests kill its device model meanwhile).
# Prints "uvm-load: pass N" now and then.
n=0
while :; do
	dd if=/dev/zero of=/dev/vda bs=64k count=16 seek=64 oflag=direct 2>/dev/null
	dd if=/dev/vda of=/dev/null bs=64k count=64 iflag=direct 2>/dev/null
	n=$((n + 1))
	[ $((n % 4)) -ne 0 ] || echo "uvm-load: pass $n"
done
