/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tessera-dm's command line (doc/devicemodel.rst): ACRN-like options, parsed
 * and checked here; files are opened later, by the modules that use them.
 */
#ifndef TESSERA_DM_OPTIONS_H
#define TESSERA_DM_OPTIONS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "layout.h"

#define DM_DEFAULT_PLATFORM_DTB "/sys/firmware/fdt"
#define DM_MAX_VCPUS 64u /* TESSERA_HSM_WAIT's vcpu_mask */
#define DM_SPIN_US_DEFAULT 50u
#define DM_SPIN_US_MAX 10000u

enum dm_device_kind {
	DM_DEV_BLK,
	DM_DEV_CONSOLE,
	DM_DEV_RNG,
};

struct dm_device_opt {
	enum dm_device_kind kind;
	const char *path; /* virtio-blk: the file */
	bool ro;          /* virtio-blk: read-only */
};

struct dm_options {
	uint64_t mem_size;      /* -m, bytes */
	uint32_t vcpus;         /* -c */
	const char *kernel;     /* -k */
	bool bare;              /* --bare: -k is a bare-metal image */
	const char *initrd;     /* -r, NULL: none */
	const char *bootargs;   /* -B, NULL: none */
	const char *name;       /* --name */
	bool polling;           /* --polling */
	uint32_t spin_us;       /* --spin-us: notify mode, look at the slots
				   this long after a request before blocking */
	bool verbose;           /* -v */
	bool help;              /* --help */
	const char *platform_dtb; /* --platform-dtb */
	const char *dump_dtb;   /* --dump-dtb, NULL: no dump */
	const char *hsm_device; /* --hsm */
	unsigned nr_devices;
	struct dm_device_opt devices[DM_MAX_DEVICES];
	char specs[DM_MAX_DEVICES][512]; /* -s arguments, split in place */
};

/*
 * Parse argv (getopt_long; argv itself is not changed). 0, or -1 with a
 * sentence in err. o->help set means: print the usage, exit 0.
 */
int options_parse(struct dm_options *o, int argc, char *const argv[],
		  char *err, size_t errlen);
void options_usage(FILE *f);

/* "256M", "1G", "512" (MiB), "65536K": bytes, or 0 if not a size. */
uint64_t options_parse_size(const char *s);

#endif
