/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The User VM's guest-physical layout as tessera-dm builds it
 * (doc/devicemodel.rst). The virtual GICv3 and PL011 are not here: the
 * hypervisor emulates them where TESSERA_HSM_GET_INFO says.
 *
 *   0x0a000000 + n * 0x200   virtio-mmio transport n (0 <= n < 8), SPI
 *                            INTID 48 + n, level-high; emulated by the DM
 *   0x40000000               RAM (-m, default 256 MiB, a multiple of 2 MiB):
 *     +0                       device tree blob (the 2 MiB window)
 *     +2 MiB + text_offset     kernel Image (image_size bytes)
 *     next 2 MiB boundary      initrd
 */
#ifndef TESSERA_DM_LAYOUT_H
#define TESSERA_DM_LAYOUT_H

#define DM_RAM_BASE 0x40000000ull
#define DM_RAM_DEFAULT (256ull << 20)
#define DM_RAM_MIN (16ull << 20)
#define DM_RAM_MAX (64ull << 30)
#define DM_RAM_ALIGN (2ull << 20)

#define DM_VIRTIO_BASE 0x0a000000ull
#define DM_VIRTIO_STRIDE 0x200ull
#define DM_VIRTIO_INTID0 48u
#define DM_MAX_DEVICES 8u /* VM_FDT_MAX_VIRTIO */

#define DM_DTB_WINDOW (2ull << 20) /* the boot protocol's limit */
#define DM_KERNEL_ALIGN (2ull << 20)

#endif
