#!/bin/sh
# SPDX-License-Identifier: BSD-3-Clause
# CPU and I/O load in the Service VM for LOAD_SECONDS (default 4): one busy
# loop per CPU and repeated reads of the whole virtio-blk disk, bypassing the
# page cache. Prints "load: done N disk passes" at the end.
secs=${1:-4}
pids=
for _ in $(seq "$(nproc)"); do
	(while :; do :; done) &
	pids="$pids $!"
done
passes=0
end=$(($(date +%s) + secs))
while [ "$(date +%s)" -lt "$end" ]; do
	dd if=/dev/vda of=/dev/null bs=64k iflag=direct 2>/dev/null || break
	passes=$((passes + 1))
done
kill $pids
wait 2>/dev/null
echo "load: done $passes disk passes"
