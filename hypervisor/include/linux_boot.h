/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Booting Linux in a VM (boot protocol VM_BOOT_LINUX) under the arm64 Linux boot
 * protocol, from the hypervisor's image store.
 *
 * The loader places the kernel Image at the store's base; at hypervisor boot
 * the initrd the firmware handed over (/chosen linux,initrd-*) is copied in
 * behind it. Every start of the VM copies both into the VM's memory afresh,
 * writes a device tree generated for the VM, and enters the kernel with x0
 * pointing at it: Linux rewrites its own image while it runs, so a reboot
 * must not reuse what the last run left behind.
 *
 * VM layout: kernel at the scenario's entry, initrd at the next 2 MiB
 * boundary after the kernel's image_size, device tree in the 2 MiB below the
 * entry. All three must lie in the VM's memory.
 */
#ifndef TESSERA_LINUX_BOOT_H
#define TESSERA_LINUX_BOOT_H

#include <scenario.h>
#include <types.h>

struct vm;

/* Once, at boot, before any VM runs: the scenario's image store and the
 * boot device tree (for the initrd). 0, or -1 with the reason logged. */
int linux_boot_stage(const struct scenario_config *sc, const void *platform_dtb);
/* At every start of `vm`: copy the images, build its device tree.
 * Sets *dtb_gpa for x0. 0, or -1 with the reason logged. */
int linux_boot_load(struct vm *vm, uint64_t *dtb_gpa);

#endif
