#!/usr/bin/python3
# SPDX-License-Identifier: BSD-3-Clause
"""Build a test disk: BUILD/guest/NAME.img and NAME.token (NAME: test-disk).

    /usr/bin/python3 misc/rootfs/make_disk.py [--build build]
        [--guest BUILD/guest] [--size-mib 8] [--name test-disk]

The image is an unpartitioned FAT16 filesystem (what the guest initramfs's
vfat module reads) holding one file, hello.txt, whose only line is a token
made fresh on every build ("tessera-disk-<32 hex digits>"). The token also
goes, alone, into test-disk.token, so a test can check that the guest read
this very disk. Written directly with the standard library: no root, no
mount, no mkfs. See doc/guest-linux.rst.
"""

import argparse
import os
import secrets
import struct
import sys

SECTOR = 512
ROOT_ENTRIES = 512
RESERVED = 1
FATS = 2
MEDIA = 0xF8
DATE = ((2024 - 1980) << 9) | (1 << 5) | 1      # 2024-01-01, 00:00:00


def layout(total):
    """(sectors per FAT, first data sector, cluster count) for FAT16 with one
    sector per cluster."""
    root = ROOT_ENTRIES * 32 // SECTOR
    fat = 1
    while True:
        data = total - RESERVED - FATS * fat - root
        clusters = data
        need = (clusters + 2) * 2
        if fat * SECTOR >= need:
            break
        fat += 1
    if not 4085 <= clusters < 65525:
        raise ValueError(f"{total} sectors make {clusters} clusters: not FAT16")
    return fat, RESERVED + FATS * fat + root, clusters


def boot_sector(total, fat, serial):
    b = bytearray(SECTOR)
    b[0:3] = b"\xEB\x3C\x90"
    b[3:11] = b"TESSERA "
    struct.pack_into("<HBHBHHBHHHII", b, 11,
                     SECTOR, 1, RESERVED, FATS, ROOT_ENTRIES,
                     total if total < 0x10000 else 0, MEDIA, fat,
                     32, 64, 0, total if total >= 0x10000 else 0)
    struct.pack_into("<BBBI", b, 36, 0x80, 0, 0x29, serial)
    b[43:54] = b"TESSERADISK"
    b[54:62] = b"FAT16   "
    b[510:512] = b"\x55\xAA"
    return bytes(b)


def dir_entry(name83, attr, cluster, size, lower=0x18):
    """A short directory entry; `lower` 0x18 shows name and extension in
    lower case (the NT case bits Linux honours)."""
    return struct.pack("<11sBBBHHHHHHHI", name83, attr, lower, 0, 0, DATE,
                       DATE, 0, 0, DATE, cluster, size)


def fat_image(size_mib, files):
    """The filesystem image with `files` ((8.3 name, bytes), ...) in its root."""
    total = size_mib * 1024 * 1024 // SECTOR
    fat_sectors, data_start, clusters = layout(total)
    img = bytearray(total * SECTOR)
    img[0:SECTOR] = boot_sector(total, fat_sectors, secrets.randbits(32))
    fat = [0xFFF8, 0xFFFF]
    root = bytearray()
    for name83, data in files:
        n = max(1, -(-len(data) // SECTOR))
        first = len(fat)
        if first + n > clusters + 2:
            raise ValueError("files do not fit")
        fat += list(range(first + 1, first + n)) + [0xFFFF]
        off = (data_start + first - 2) * SECTOR
        img[off:off + len(data)] = data
        root += dir_entry(name83, 0x20, first, len(data))
    fat_bytes = struct.pack(f"<{len(fat)}H", *fat)
    for i in range(FATS):
        off = (RESERVED + i * fat_sectors) * SECTOR
        img[off:off + len(fat_bytes)] = fat_bytes
    off = (RESERVED + FATS * fat_sectors) * SECTOR
    img[off:off + len(root)] = root
    return bytes(img)


def write(path, data):
    with open(path + ".tmp", "wb") as f:
        f.write(data)
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--build", default="build")
    ap.add_argument("--guest", help="guest artifact directory (default BUILD/guest)")
    ap.add_argument("--size-mib", type=int, default=8)
    ap.add_argument("--name", default="test-disk",
                    help="write GUEST/NAME.img and GUEST/NAME.token")
    args = ap.parse_args()
    guest = args.guest or os.path.join(args.build, "guest")
    os.makedirs(guest, exist_ok=True)
    token = "tessera-disk-" + secrets.token_hex(16)
    try:
        img = fat_image(args.size_mib, [(b"HELLO   TXT", token.encode() + b"\n")])
    except ValueError as e:
        sys.exit(f"make_disk: {e}")
    # Image first: a token file never names a disk that was not written.
    write(os.path.join(guest, args.name + ".img"), img)
    write(os.path.join(guest, args.name + ".token"), (token + "\n").encode())
    print(f"make_disk: wrote {guest}/{args.name}.img ({args.size_mib} MiB vfat, "
          f"hello.txt = {token})")


if __name__ == "__main__":
    main()
