/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Loading Linux into the User VM (arm64 booting protocol,
 * Documentation/arch/arm64/booting.rst), at the places layout.h gives:
 * the device tree at the start of RAM, the kernel Image at the next 2 MiB
 * boundary plus its text_offset, the initrd at the 2 MiB boundary after the
 * kernel's image_size. What was written is cleaned to the point of
 * coherency; vCPU 0 starts at the kernel with x0 = the device tree.
 *
 * The Image is checked first: "ARM\x64" at offset 56, little-endian, a
 * 4 KiB aligned text_offset below 2 MiB, an image_size no smaller than the
 * file. A gzip'd Image (Debian's vmlinuz) or an EFI zboot image is refused
 * with how to unpack it.
 *
 * A bare-metal image (tessera-dm --bare) has no header: it goes where an
 * Image with text_offset 0 goes and is entered at its first byte, with the
 * same x0; it takes no initrd.
 */
#ifndef TESSERA_DM_BOOT_H
#define TESSERA_DM_BOOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <uapi/tessera_hypercall.h>
#include <vm_fdt.h>

#include "guest_mem.h"

#define ARM64_IMAGE_HEADER 64u
#define ARM64_IMAGE_MAGIC 0x644d5241u /* "ARM\x64", little-endian */

struct arm64_image {
	uint64_t text_offset;
	uint64_t image_size; /* bytes from the load address the kernel uses */
	uint64_t file_size;
};

/* Where the pieces go (guest-physical). */
struct boot_layout {
	uint64_t dtb, dtb_size;       /* dtb_size: what vm_fdt_build() wrote */
	uint64_t kernel, kernel_size; /* kernel_size: image_size */
	uint64_t initrd, initrd_size; /* 0, 0: none */
};

enum boot_result {
	BOOT_OK = 0,
	BOOT_EFILE = -1, /* a file cannot be read, is not an Image, or does
			    not fit in RAM */
	BOOT_EDT = -2,   /* the device tree cannot be built */
};

/* The header of a file of file_size bytes, hdr holding its first len. */
int boot_parse_image(const uint8_t *hdr, size_t len, uint64_t file_size,
		     const char *path, struct arm64_image *img, char *err,
		     size_t errlen);
/* Open and check the kernel file (before anything is created); bare: a
 * bare-metal image, whose only check is that it is not empty. */
int boot_check_kernel(const char *path, bool bare, struct arm64_image *img,
		      char *err, size_t errlen);
/* Where an Image and an initrd of initrd_size bytes go in m, if they fit. */
int boot_plan(const struct arm64_image *img, uint64_t initrd_size,
	      const struct guest_mem *m, struct boot_layout *l, char *err,
	      size_t errlen);

/*
 * Load the kernel and the initrd (NULL: none) into m, then the device tree
 * built from p (p's initrd fields are set here) and the platform tree,
 * clean the caches, and fill vCPU 0's registers. Reads the files afresh
 * (also on a VM reset). BOOT_OK, or an error with a sentence in err.
 */
enum boot_result boot_load(const char *kernel, bool bare, const char *initrd,
			   const struct guest_mem *m, struct vm_fdt_params *p,
			   const void *platform, size_t platform_size,
			   struct boot_layout *l, struct tessera_vcpu_regs *regs,
			   char *err, size_t errlen);

#endif
