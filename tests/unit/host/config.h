/* SPDX-License-Identifier: BSD-3-Clause */
/* Build options for host unit tests (the real image uses build/generated/config.h). */
#ifndef TESSERA_CONFIG_H
#define TESSERA_CONFIG_H
#define CONFIG_LOG_LEVEL 4
#define CONFIG_MAX_VMS 8
#define CONFIG_MAX_VCPUS_PER_VM 16
#define CONFIG_MAX_PCPUS 8
#endif
