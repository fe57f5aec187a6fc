/* SPDX-License-Identifier: BSD-3-Clause */
/* arm64 Linux loading (boot.h). */
#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "boot.h"
#include "cache.h"
#include "layout.h"

#define HDR_TEXT_OFFSET 8
#define HDR_IMAGE_SIZE 16
#define HDR_FLAGS 24
#define HDR_MAGIC 56
#define FLAG_BE 1ull
#define PAGE 4096ull

static uint64_t le64_at(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return le64toh(v);
}

static uint64_t align_up(uint64_t v, uint64_t a)
{
	return (v + a - 1) & ~(a - 1);
}

int boot_parse_image(const uint8_t *hdr, size_t len, uint64_t file_size,
		     const char *path, struct arm64_image *img, char *err,
		     size_t errlen)
{
	uint32_t magic;

	if (len >= 2 && hdr[0] == 0x1f && hdr[1] == 0x8b) {
		snprintf(err, errlen, "kernel %s is gzip-compressed (like "
			 "Debian's /boot/vmlinuz-*): unpack it first, e.g. "
			 "zcat %s > Image", path, path);
		return -1;
	}
	if (len >= 8 && !memcmp(hdr + 4, "zimg", 4)) {
		snprintf(err, errlen, "kernel %s is an EFI zboot image: boot "
			 "the Image inside it (vmlinuz.efi is not supported)",
			 path);
		return -1;
	}
	if (len < ARM64_IMAGE_HEADER || file_size < ARM64_IMAGE_HEADER) {
		snprintf(err, errlen, "kernel %s is too small (%llu bytes) to be "
			 "an arm64 Image", path, (unsigned long long)file_size);
		return -1;
	}
	memcpy(&magic, hdr + HDR_MAGIC, 4);
	if (le32toh(magic) != ARM64_IMAGE_MAGIC) {
		snprintf(err, errlen, "kernel %s is not an arm64 Linux Image (no "
			 "\"ARM\\x64\" magic at offset 56)", path);
		return -1;
	}
	img->text_offset = le64_at(hdr + HDR_TEXT_OFFSET);
	img->image_size = le64_at(hdr + HDR_IMAGE_SIZE);
	img->file_size = file_size;
	if (le64_at(hdr + HDR_FLAGS) & FLAG_BE) {
		snprintf(err, errlen, "kernel %s is big-endian: not supported",
			 path);
		return -1;
	}
	if (!img->image_size) {
		snprintf(err, errlen, "kernel %s has image_size 0 (older than "
			 "Linux 3.17): not supported", path);
		return -1;
	}
	if (img->text_offset % PAGE || img->text_offset >= DM_KERNEL_ALIGN) {
		snprintf(err, errlen, "kernel %s: text_offset 0x%llx is not a "
			 "4 KiB multiple below 2 MiB", path,
			 (unsigned long long)img->text_offset);
		return -1;
	}
	if (img->image_size < file_size) {
		snprintf(err, errlen, "kernel %s: image_size 0x%llx is smaller "
			 "than the file (%llu bytes): a damaged header?", path,
			 (unsigned long long)img->image_size,
			 (unsigned long long)file_size);
		return -1;
	}
	return 0;
}

static int open_sized(const char *what, const char *path, uint64_t *size,
		      char *err, size_t errlen)
{
	struct stat st;
	int fd = open(path, O_RDONLY | O_CLOEXEC);

	if (fd < 0 || fstat(fd, &st) < 0) {
		snprintf(err, errlen, "cannot open %s %s: %s", what, path,
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "%s %s is not a regular file", what, path);
		close(fd);
		return -1;
	}
	*size = (uint64_t)st.st_size;
	return fd;
}

/* A bare-metal image is laid out as an Image with text_offset 0 that
 * uses no memory beyond its file. */
static int bare_image(uint64_t file_size, const char *path,
		      struct arm64_image *img, char *err, size_t errlen)
{
	if (!file_size) {
		snprintf(err, errlen, "bare-metal image %s is empty", path);
		return -1;
	}
	*img = (struct arm64_image){
		.text_offset = 0,
		.image_size = (file_size + 0xfffu) & ~0xfffull,
		.file_size = file_size,
	};
	return 0;
}

/* The layout facts of the kernel file open at fd, of size bytes. */
static int read_image(int fd, uint64_t size, bool bare, const char *path,
		      struct arm64_image *img, char *err, size_t errlen)
{
	uint8_t hdr[ARM64_IMAGE_HEADER];
	ssize_t n;

	if (bare)
		return bare_image(size, path, img, err, errlen);
	n = pread(fd, hdr, sizeof(hdr), 0);
	if (n < 0) {
		snprintf(err, errlen, "cannot read kernel %s: %s", path,
			 strerror(errno));
		return -1;
	}
	return boot_parse_image(hdr, (size_t)n, size, path, img, err, errlen);
}

int boot_check_kernel(const char *path, bool bare, struct arm64_image *img,
		      char *err, size_t errlen)
{
	uint64_t size;
	int fd = open_sized(bare ? "bare-metal image" : "kernel", path, &size,
			    err, errlen);
	int rc;

	if (fd < 0)
		return -1;
	rc = read_image(fd, size, bare, path, img, err, errlen);
	close(fd);
	return rc;
}

static unsigned long long mib(uint64_t v)
{
	return (unsigned long long)((v + (1u << 20) - 1) >> 20);
}

int boot_plan(const struct arm64_image *img, uint64_t initrd_size,
	      const struct guest_mem *m, struct boot_layout *l, char *err,
	      size_t errlen)
{
	uint64_t end = m->gpa + m->size, base, need;

	*l = (struct boot_layout){.dtb = m->gpa};
	base = align_up(m->gpa + DM_DTB_WINDOW, DM_KERNEL_ALIGN);
	l->kernel = base + img->text_offset;
	l->kernel_size = img->image_size;
	need = l->kernel_size;
	if (initrd_size) {
		l->initrd = align_up(l->kernel + l->kernel_size, DM_KERNEL_ALIGN);
		l->initrd_size = initrd_size;
		need = l->initrd + initrd_size - l->kernel;
	}
	/* every sum below 2^64: image_size and initrd_size come from files
	 * or headers, so compare without adding first */
	if (m->size < DM_DTB_WINDOW || img->image_size > m->size ||
	    initrd_size > m->size || l->kernel > end ||
	    need > end - l->kernel) {
		if (initrd_size)
			snprintf(err, errlen, "the kernel (%llu MiB) and the "
				 "initrd (%llu MiB) do not fit in %llu MiB of RAM "
				 "(the first 2 MiB hold the device tree): use a "
				 "larger -m", mib(img->image_size),
				 mib(initrd_size), mib(m->size));
		else
			snprintf(err, errlen, "the kernel (%llu MiB) does not fit "
				 "in %llu MiB of RAM (the first 2 MiB hold the "
				 "device tree): use a larger -m",
				 mib(img->image_size), mib(m->size));
		return -1;
	}
	return 0;
}

/* Exactly size bytes of fd into host. */
static int read_all(int fd, uint8_t *host, uint64_t size)
{
	uint64_t done = 0;

	while (done < size) {
		ssize_t n = pread(fd, host + done, size - done, (off_t)done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return -1;
		done += (uint64_t)n;
	}
	return 0;
}

static int load_file(const char *what, const char *path, int fd,
		     const struct guest_mem *m, uint64_t gpa, uint64_t size,
		     char *err, size_t errlen)
{
	uint8_t *host = gpa_to_host(m, gpa, size);

	if (!host || read_all(fd, host, size)) {
		snprintf(err, errlen, "cannot load %s %s: %s", what, path,
			 host ? "short read (changed on disk?)"
			      : "not inside RAM");
		return -1;
	}
	return 0;
}

enum boot_result boot_load(const char *kernel, bool bare, const char *initrd,
			   const struct guest_mem *m, struct vm_fdt_params *p,
			   const void *platform, size_t platform_size,
			   struct boot_layout *l, struct tessera_vcpu_regs *regs,
			   char *err, size_t errlen)
{
	struct arm64_image img;
	uint64_t isize = 0, ksize;
	uint8_t *dtb;
	int kfd, ifd = -1, size;

	kfd = open_sized(bare ? "bare-metal image" : "kernel", kernel, &ksize,
			 err, errlen);
	if (kfd < 0)
		return BOOT_EFILE;
	if (read_image(kfd, ksize, bare, kernel, &img, err, errlen))
		goto file_error;
	if (initrd) {
		ifd = open_sized("initrd", initrd, &isize, err, errlen);
		if (ifd < 0)
			goto file_error;
		if (!isize) {
			snprintf(err, errlen, "initrd %s is empty", initrd);
			goto file_error;
		}
	}
	if (boot_plan(&img, isize, m, l, err, errlen) ||
	    load_file("kernel", kernel, kfd, m, l->kernel, ksize, err, errlen) ||
	    (ifd >= 0 && load_file("initrd", initrd, ifd, m, l->initrd, isize,
				   err, errlen)))
		goto file_error;
	close(kfd);
	if (ifd >= 0)
		close(ifd);
	p->initrd_start = l->initrd_size ? l->initrd : 0;
	p->initrd_end = l->initrd_size ? l->initrd + l->initrd_size : 0;
	dtb = gpa_to_host(m, l->dtb, DM_DTB_WINDOW);
	size = dtb ? vm_fdt_build(dtb, DM_DTB_WINDOW, platform, platform_size,
				  p, err, errlen)
		   : -1;
	if (size < 0)
		return BOOT_EDT;
	l->dtb_size = (uint64_t)size;
	cache_clean_poc(gpa_to_host(m, l->kernel, l->kernel_size),
			l->kernel_size);
	if (l->initrd_size)
		cache_clean_poc(gpa_to_host(m, l->initrd, l->initrd_size),
				l->initrd_size);
	cache_clean_poc(dtb, l->dtb_size);
	*regs = (struct tessera_vcpu_regs){.pc = l->kernel, .x = {l->dtb}};
	return BOOT_OK;
file_error:
	close(kfd);
	if (ifd >= 0)
		close(ifd);
	return BOOT_EFILE;
}
