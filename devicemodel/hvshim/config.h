/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Build options for the hypervisor files the device model reuses
 * (common/io_handler_table.c, common/log_ratelimit.c, common/vm_fdt.c,
 * lib/fdt.c, lib/fdt_write.c, lib/format.c). The hypervisor image uses
 * build/generated/config.h instead.
 */
#ifndef TESSERA_CONFIG_H
#define TESSERA_CONFIG_H
#define CONFIG_LOG_LEVEL 4         /* all compiled in; log.c filters at run time */
#define CONFIG_MAX_VCPUS_PER_VM 64 /* sizes struct io_vm, which the DM never uses */
#define CONFIG_IO_MAX_HANDLERS 64  /* device ranges in the DM's table */
#endif
