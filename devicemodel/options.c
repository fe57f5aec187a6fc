/* SPDX-License-Identifier: BSD-3-Clause */
/* Command line parsing (options.h). */
#include <getopt.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <uapi/tessera_hypercall.h>

#include "options.h"

enum {
	OPT_NAME = 0x100,
	OPT_POLLING,
	OPT_BARE,
	OPT_PLATFORM_DTB,
	OPT_DUMP_DTB,
	OPT_HSM,
	OPT_SPIN_US,
};

static const struct option long_opts[] = {
	{"mem", required_argument, NULL, 'm'},
	{"cpus", required_argument, NULL, 'c'},
	{"kernel", required_argument, NULL, 'k'},
	{"initrd", required_argument, NULL, 'r'},
	{"bootargs", required_argument, NULL, 'B'},
	{"device", required_argument, NULL, 's'},
	{"name", required_argument, NULL, OPT_NAME},
	{"polling", no_argument, NULL, OPT_POLLING},
	{"spin-us", required_argument, NULL, OPT_SPIN_US},
	{"bare", no_argument, NULL, OPT_BARE},
	{"platform-dtb", required_argument, NULL, OPT_PLATFORM_DTB},
	{"dump-dtb", required_argument, NULL, OPT_DUMP_DTB},
	{"hsm", required_argument, NULL, OPT_HSM},
	{"verbose", no_argument, NULL, 'v'},
	{"help", no_argument, NULL, 'h'},
	{NULL, 0, NULL, 0},
};

void options_usage(FILE *f)
{
	fprintf(f,
"usage: tessera-dm --name SLOT -k IMAGE [options]\n"
"Run a post-launched User VM of the Tessera scenario in slot SLOT.\n"
"\n"
"  --name SLOT        the scenario's post-launched VM slot (e.g. uvm0)\n"
"  -k, --kernel FILE  arm64 Linux Image (uncompressed)\n"
"  --bare             -k is a bare-metal image instead: loaded where an\n"
"                     Image goes (RAM + 2 MiB), entered at its first byte\n"
"                     with x0 = the device tree; no initrd\n"
"  -r, --initrd FILE  initrd / initramfs\n"
"  -B, --bootargs STR kernel command line\n"
"  -m, --mem SIZE     RAM: 256M (default), 1G, ...; no suffix: MiB\n"
"  -c, --cpus N       vCPUs (default 1)\n"
"  -s, --device DEV   a virtio-mmio device, repeatable (at most %u):\n"
"                       virtio-blk,FILE[,ro]\n"
"                       virtio-console[,stdio]\n"
"                       virtio-rng\n"
"  --polling          the vCPUs poll for completions (no notifications)\n"
"  --spin-us N        notify mode: after a request, watch the slots N us\n"
"                     before blocking (no upcall meanwhile); 0: block at\n"
"                     once (default %u, at most %u)\n"
"  --platform-dtb F   device tree the User VM's timer, CPU and clocks come\n"
"                     from (default " DM_DEFAULT_PLATFORM_DTB ")\n"
"  --dump-dtb FILE    also write the User VM's device tree to FILE\n"
"  --hsm DEV          the HSM device (default /dev/tessera_hsm)\n"
"  -v, --verbose      log every request and device event\n"
"  -h, --help         this text\n"
"\n"
"On a terminal the virtio-console is raw: Ctrl-] stops the VM.\n"
"Exit codes: 0 powered off, 1 failure, 2 usage, 3 bad file, 4 no such slot,\n"
"5 slot busy, 6 refused by the hypervisor, 7 no HSM driver, 8 the VM\n"
"crashed, 9 stopped (signal or Ctrl-]).\n",
		DM_MAX_DEVICES, DM_SPIN_US_DEFAULT, DM_SPIN_US_MAX);
}

uint64_t options_parse_size(const char *s)
{
	char *end;
	unsigned long long v;
	unsigned shift = 20; /* no suffix: MiB, as ACRN and QEMU */

	if (!s || *s < '0' || *s > '9')
		return 0;
	v = strtoull(s, &end, 10);
	switch (*end) {
	case 'k': case 'K': shift = 10; end++; break;
	case 'm': case 'M': shift = 20; end++; break;
	case 'g': case 'G': shift = 30; end++; break;
	case '\0': break;
	default: return 0;
	}
	if (*end == 'i' && end[1] == 'B')
		end += 2;
	else if (*end == 'B')
		end++;
	if (*end || v > (~0ull >> shift))
		return 0;
	return (uint64_t)v << shift;
}

static int fail(char *err, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
	return -1;
}

/* One -s argument, split at commas in o->specs[n]. */
static int parse_device(struct dm_options *o, const char *arg, char *err,
			size_t len)
{
	unsigned n = o->nr_devices, nf = 0, max;
	struct dm_device_opt *d = &o->devices[n];
	char *s, *f[4];

	if (n == DM_MAX_DEVICES)
		return fail(err, len, "-s %s: at most %u devices", arg,
			    DM_MAX_DEVICES);
	if (strlen(arg) >= sizeof(o->specs[n]))
		return fail(err, len, "-s: argument too long");
	s = strcpy(o->specs[n], arg);
	while (s && nf < 4)
		f[nf++] = strsep(&s, ",");
	*d = (struct dm_device_opt){0};
	if (!strcmp(f[0], "virtio-blk")) {
		d->kind = DM_DEV_BLK;
		max = 3;
		if (nf < 2 || !*f[1])
			return fail(err, len, "-s %s: virtio-blk needs a file: "
				    "virtio-blk,FILE[,ro]", arg);
		d->path = f[1];
		if (nf == 3 && strcmp(f[2], "ro"))
			return fail(err, len, "-s %s: unknown virtio-blk option "
				    "\"%s\" (only \"ro\")", arg, f[2]);
		d->ro = nf == 3;
	} else if (!strcmp(f[0], "virtio-console")) {
		d->kind = DM_DEV_CONSOLE;
		max = 2;
		if (nf == 2 && strcmp(f[1], "stdio"))
			return fail(err, len, "-s %s: unknown virtio-console "
				    "backend \"%s\" (only \"stdio\")", arg,
				    f[1]);
		for (unsigned i = 0; i < n; i++)
			if (o->devices[i].kind == DM_DEV_CONSOLE)
				return fail(err, len, "-s %s: only one "
					    "virtio-console (stdio)", arg);
	} else if (!strcmp(f[0], "virtio-rng")) {
		d->kind = DM_DEV_RNG;
		max = 1;
	} else {
		return fail(err, len, "-s %s: unknown device \"%s\" (virtio-blk, "
			    "virtio-console, virtio-rng)", arg, f[0]);
	}
	if (nf > max || s)
		return fail(err, len, "-s %s: too many options", arg);
	o->nr_devices++;
	return 0;
}

static int parse_uint(const char *s, uint32_t *out)
{
	char *end;
	unsigned long v;

	if (!s || *s < '0' || *s > '9')
		return -1;
	v = strtoul(s, &end, 10);
	if (*end || v > 0xffffffffu)
		return -1;
	*out = (uint32_t)v;
	return 0;
}

int options_parse(struct dm_options *o, int argc, char *const argv[],
		  char *err, size_t len)
{
	int c;

	*o = (struct dm_options){
		.mem_size = DM_RAM_DEFAULT,
		.vcpus = 1,
		.platform_dtb = DM_DEFAULT_PLATFORM_DTB,
		.hsm_device = "/dev/tessera_hsm",
		.spin_us = DM_SPIN_US_DEFAULT,
	};
	optind = 0; /* a fresh scan, also on a second call */
	opterr = 0;
	while ((c = getopt_long(argc, argv, "+:m:c:k:r:B:s:vh", long_opts,
				NULL)) != -1) {
		switch (c) {
		case 'm':
			o->mem_size = options_parse_size(optarg);
			if (!o->mem_size)
				return fail(err, len, "-m %s: not a size (256M, "
					    "1G, ...)", optarg);
			if (o->mem_size % DM_RAM_ALIGN ||
			    o->mem_size < DM_RAM_MIN || o->mem_size > DM_RAM_MAX)
				return fail(err, len, "-m %s: must be a multiple "
					    "of 2M from 16M to 64G", optarg);
			break;
		case 'c':
			if (parse_uint(optarg, &o->vcpus) || !o->vcpus ||
			    o->vcpus > DM_MAX_VCPUS)
				return fail(err, len, "-c %s: vCPUs must be 1 to "
					    "%u", optarg, DM_MAX_VCPUS);
			break;
		case 'k':
			o->kernel = optarg;
			break;
		case 'r':
			o->initrd = optarg;
			break;
		case 'B':
			o->bootargs = optarg;
			break;
		case 's':
			if (parse_device(o, optarg, err, len))
				return -1;
			break;
		case OPT_NAME:
			if (!*optarg || strlen(optarg) >= TESSERA_VM_NAME_MAX)
				return fail(err, len, "--name %s: 1 to %u "
					    "characters", optarg,
					    TESSERA_VM_NAME_MAX - 1);
			o->name = optarg;
			break;
		case OPT_POLLING:
			o->polling = true;
			break;
		case OPT_BARE:
			o->bare = true;
			break;
		case OPT_SPIN_US:
			if (parse_uint(optarg, &o->spin_us) ||
			    o->spin_us > DM_SPIN_US_MAX)
				return fail(err, len, "--spin-us %s: 0 to %u "
					    "microseconds", optarg,
					    DM_SPIN_US_MAX);
			break;
		case OPT_PLATFORM_DTB:
			o->platform_dtb = optarg;
			break;
		case OPT_DUMP_DTB:
			o->dump_dtb = optarg;
			break;
		case OPT_HSM:
			o->hsm_device = optarg;
			break;
		case 'v':
			o->verbose = true;
			break;
		case 'h':
			o->help = true;
			return 0;
		case ':':
			return fail(err, len, "%s needs an argument",
				    argv[optind - 1]);
		default:
			return fail(err, len, "unknown option %s",
				    argv[optind - 1]);
		}
	}
	if (optind < argc)
		return fail(err, len, "unexpected argument \"%s\"", argv[optind]);
	if (!o->name)
		return fail(err, len, "--name SLOT is required (the scenario's "
			    "post-launched VM, e.g. uvm0)");
	if (!o->kernel)
		return fail(err, len, "-k IMAGE is required");
	if (o->bare && o->initrd)
		return fail(err, len, "--bare: a bare-metal image takes no "
			    "initrd (-r %s)", o->initrd);
	return 0;
}
