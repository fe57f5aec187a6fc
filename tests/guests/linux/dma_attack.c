/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * dma-attack: from the Service VM's user space, drive QEMU's `edu` PCI test
 * device (a DMA engine between its 4 KiB buffer and memory) through sysfs,
 * with no kernel driver, and aim its DMA wherever asked. The Service VM's
 * kernel believes there is no IOMMU; the hypervisor's SMMU must refuse
 * anything outside the Service VM's memory (doc/dma-isolation.rst).
 *
 *   dma-attack own              round trip through a page of our own
 *   dma-attack read  <phys>     64 bytes at <phys> into the buffer, then back
 *                               to our page: prints them in hex
 *   dma-attack write <phys>     64 bytes "PWNED-BY-DMA-FROM-sos" to <phys>
 *
 * Exit status: 0 when the transfer finished (whether or not the SMMU
 * refused it: the device cannot tell), 1 on a usage or setup error.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#define EDU_VENDOR 0x1234
#define EDU_DEVICE 0x11e8
#define EDU_DMA_SRC 0x80
#define EDU_DMA_DST 0x88
#define EDU_DMA_COUNT 0x90
#define EDU_DMA_CMD 0x98
#define EDU_DMA_START 1u
#define EDU_DMA_TO_RAM 2u
#define EDU_BUFFER 0x40000u
#define PCI_COMMAND 0x04
#define PCI_COMMAND_MASTER 0x4
#define LEN 64u

static volatile uint8_t *bar;

static int die(const char *what)
{
	fprintf(stderr, "dma-attack: %s: %s\n", what, strerror(errno));
	return 1;
}

static unsigned read_hex_file(const char *dir, const char *name)
{
	char path[600], buf[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "r");
	if (!f)
		return 0;
	if (!fgets(buf, sizeof(buf), f))
		buf[0] = '\0';
	fclose(f);
	return (unsigned)strtoul(buf, NULL, 16);
}

static int find_edu(char *dir, size_t len)
{
	DIR *d = opendir("/sys/bus/pci/devices");
	struct dirent *e;

	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(dir, len, "/sys/bus/pci/devices/%s", e->d_name);
		if (read_hex_file(dir, "vendor") == EDU_VENDOR &&
		    read_hex_file(dir, "device") == EDU_DEVICE) {
			closedir(d);
			return 0;
		}
	}
	closedir(d);
	return -1;
}

/* Memory decoding through sysfs "enable", bus mastering in its config. */
static int enable(const char *dir)
{
	char path[600];
	uint16_t cmd;
	int fd;

	snprintf(path, sizeof(path), "%s/enable", dir);
	fd = open(path, O_WRONLY);
	if (fd < 0 || write(fd, "1", 1) != 1)
		return die(path);
	close(fd);
	snprintf(path, sizeof(path), "%s/config", dir);
	fd = open(path, O_RDWR);
	if (fd < 0 || pread(fd, &cmd, 2, PCI_COMMAND) != 2)
		return die(path);
	cmd |= PCI_COMMAND_MASTER;
	if (pwrite(fd, &cmd, 2, PCI_COMMAND) != 2)
		return die(path);
	close(fd);
	snprintf(path, sizeof(path), "%s/resource0", dir);
	fd = open(path, O_RDWR | O_SYNC);
	if (fd < 0)
		return die(path);
	bar = mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (bar == MAP_FAILED)
		return die("mmap resource0");
	return 0;
}

static void reg_write(unsigned off, uint64_t v)
{
	*(volatile uint64_t *)(bar + off) = v;
}

static uint32_t reg_read(unsigned off)
{
	return *(volatile uint32_t *)(bar + off);
}

static int dma(uint64_t src, uint64_t dst, int to_ram)
{
	struct timespec ten_ms = {0, 10 * 1000 * 1000};

	reg_write(EDU_DMA_SRC, src);
	reg_write(EDU_DMA_DST, dst);
	reg_write(EDU_DMA_COUNT, LEN);
	reg_write(EDU_DMA_CMD, EDU_DMA_START | (to_ram ? EDU_DMA_TO_RAM : 0));
	for (int i = 0; i < 300; i++) {
		if (!(reg_read(EDU_DMA_CMD) & EDU_DMA_START))
			return 0;
		nanosleep(&ten_ms, NULL);
	}
	fprintf(stderr, "dma-attack: DMA 0x%llx -> 0x%llx did not finish\n",
		(unsigned long long)src, (unsigned long long)dst);
	return -1;
}

/* A locked page of ours and its physical address (root reads PFNs). */
static volatile uint8_t *own_page(uint64_t *phys)
{
	long psz = sysconf(_SC_PAGESIZE);
	uint8_t *p = mmap(NULL, (size_t)psz, PROT_READ | PROT_WRITE,
			  MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	uint64_t entry = 0;
	int fd = open("/proc/self/pagemap", O_RDONLY);

	if (p == MAP_FAILED || fd < 0)
		return NULL;
	memset(p, 0, (size_t)psz);
	if (pread(fd, &entry, 8, (off_t)((uintptr_t)p / (uintptr_t)psz * 8)) != 8 ||
	    !(entry >> 63) || !(entry & ((1ull << 55) - 1)))
		return NULL;
	close(fd);
	*phys = (entry & ((1ull << 55) - 1)) * (uint64_t)psz;
	return p;
}

static void fill(volatile uint8_t *p, const char *text)
{
	size_t n = strlen(text);

	for (unsigned i = 0; i < LEN; i++)
		p[i] = (uint8_t)text[i % n];
}

static void print_hex(const char *what, const volatile uint8_t *p)
{
	printf("dma-attack: %s:", what);
	for (unsigned i = 0; i < 16; i++)
		printf(" %02x", p[i]);
	printf("\n");
}

int main(int argc, char **argv)
{
	char dir[512];
	uint64_t phys, target = 0;
	volatile uint8_t *page;

	if (argc < 2 || (strcmp(argv[1], "own") && argc != 3) ||
	    (strcmp(argv[1], "own") && strcmp(argv[1], "read") &&
	     strcmp(argv[1], "write"))) {
		fprintf(stderr, "usage: dma-attack own | read <phys> | write <phys>\n");
		return 1;
	}
	if (argc == 3)
		target = strtoull(argv[2], NULL, 0);
	if (find_edu(dir, sizeof(dir))) {
		fprintf(stderr, "dma-attack: no edu device (QEMU -device edu)\n");
		return 1;
	}
	if (enable(dir))
		return 1;
	page = own_page(&phys);
	if (!page)
		return die("our own page");
	printf("dma-attack: edu %s, our page at 0x%llx\n", strrchr(dir, '/') + 1,
	       (unsigned long long)phys);
	if (!strcmp(argv[1], "own")) {
		fill(page, "own-memory-round-trip-");
		if (dma(phys, EDU_BUFFER, 0) || dma(EDU_BUFFER, phys + 2048, 1))
			return 1;
		printf("dma-attack: own memory round trip: %s\n",
		       memcmp((const void *)page, (const void *)(page + 2048), LEN)
			       ? "FAILED" : "ok");
	} else if (!strcmp(argv[1], "read")) {
		fill(page, "buffer-before-the-read-");
		if (dma(phys, EDU_BUFFER, 0) || dma(target, EDU_BUFFER, 0) ||
		    dma(EDU_BUFFER, phys + 2048, 1))
			return 1;
		print_hex("read", page + 2048);
	} else {
		fill(page, "PWNED-BY-DMA-FROM-sos-");
		if (dma(phys, EDU_BUFFER, 0) || dma(EDU_BUFFER, target, 1))
			return 1;
		printf("dma-attack: wrote 0x%llx\n", (unsigned long long)target);
	}
	return 0;
}
