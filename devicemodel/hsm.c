/* SPDX-License-Identifier: BSD-3-Clause */
/* struct vmm on the HSM driver's ioctls (hsm.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <uapi/tessera_hsm.h>

#include "dm_log.h"
#include "hsm.h"

static int io(struct hsm *h, unsigned long req, void *arg)
{
	int rc;

	do
		rc = ioctl(h->fd, req, arg);
	while (rc < 0 && errno == EINTR && req != TESSERA_HSM_WAIT);
	return rc < 0 ? -errno : 0;
}

static int create_vm(void *ctx, const char *name, uint32_t vcpus,
		     uint32_t flags, struct vmm_vm *out)
{
	struct hsm *h = ctx;
	struct tessera_hsm_create_vm c = {.vcpu_count = vcpus, .flags = flags};
	struct tessera_hsm_client cl = {.flags = TESSERA_HSM_CLIENT_DEFAULT};
	void *map;
	int rc;

	strncpy(c.name, name, sizeof(c.name) - 1);
	rc = io(h, TESSERA_HSM_CREATE_VM, &c);
	if (rc)
		return rc;
	/* The VM exists from here on: a failure below is the driver's, said
	 * here, and the VM goes again (-EIO for the caller). */
	h->slots_len = (size_t)c.nr_request_pages * TESSERA_IO_PAGE_SIZE;
	map = h->slots_len ? mmap(NULL, h->slots_len, PROT_READ | PROT_WRITE,
				  MAP_SHARED, h->fd, 0)
			   : MAP_FAILED;
	if (map == MAP_FAILED) {
		log_err("mmap of %u request pages: %s", c.nr_request_pages,
			h->slots_len ? strerror(errno) : "none to map");
		io(h, TESSERA_HSM_DESTROY_VM, NULL);
		return -EIO;
	}
	h->slots = map;
	rc = io(h, TESSERA_HSM_CREATE_CLIENT, &cl);
	if (rc) {
		log_err("TESSERA_HSM_CREATE_CLIENT: %s", strerror(-rc));
		io(h, TESSERA_HSM_DESTROY_VM, NULL);
		return -EIO;
	}
	h->client_id = cl.client_id;
	*out = (struct vmm_vm){
		.vm_id = c.vm_id,
		.completion_mode = c.completion_mode,
		.nr_request_pages = c.nr_request_pages,
		.slots = map,
	};
	return 0;
}

static int get_info(void *ctx, struct tessera_vm_info *info)
{
	return io(ctx, TESSERA_HSM_GET_INFO, info);
}

static int set_memory(void *ctx, void *host, uint64_t gpa, uint64_t size,
		      uint32_t flags)
{
	struct tessera_hsm_memory m = {
		.user_addr = (uint64_t)(uintptr_t)host,
		.vm_gpa = gpa,
		.size = size,
		.flags = flags,
	};

	return io(ctx, TESSERA_HSM_SET_MEMORY, &m);
}

static int set_vcpu_regs(void *ctx, uint32_t vcpu,
			 const struct tessera_vcpu_regs *regs)
{
	struct tessera_hsm_vcpu_regs r = {.vcpu_id = vcpu, .regs = *regs};

	return io(ctx, TESSERA_HSM_SET_VCPU_REGS, &r);
}

static int start(void *ctx)
{
	return io(ctx, TESSERA_HSM_START_VM, NULL);
}

static int reset(void *ctx)
{
	return io(ctx, TESSERA_HSM_RESET_VM, NULL);
}

static int destroy(void *ctx)
{
	return io(ctx, TESSERA_HSM_DESTROY_VM, NULL);
}

static int irq_line(void *ctx, uint32_t intid, uint32_t op)
{
	struct tessera_hsm_irq_line l = {.intid = intid, .op = op};

	return io(ctx, TESSERA_HSM_IRQ_LINE, &l);
}

static int wait_requests(void *ctx, uint32_t timeout_ms, uint64_t *vcpu_mask,
			 uint32_t *events)
{
	struct hsm *h = ctx;
	struct tessera_hsm_wait w = {.client_id = h->client_id,
				     .timeout_ms = timeout_ms};
	int rc = io(h, TESSERA_HSM_WAIT, &w);

	*vcpu_mask = rc ? 0 : w.vcpu_mask;
	*events = rc ? 0 : w.events;
	return rc;
}

static int notify(void *ctx, uint32_t vcpu)
{
	struct tessera_hsm_notify n = {.vcpu_id = vcpu};

	return io(ctx, TESSERA_HSM_NOTIFY, &n);
}

static const struct vmm_ops hsm_ops = {
	.create_vm = create_vm,
	.get_info = get_info,
	.set_memory = set_memory,
	.set_vcpu_regs = set_vcpu_regs,
	.start = start,
	.reset = reset,
	.destroy = destroy,
	.irq_line = irq_line,
	.wait = wait_requests,
	.notify = notify,
};

int hsm_open(struct hsm *h, const char *device, struct vmm *out)
{
	*h = (struct hsm){.fd = open(device, O_RDWR | O_CLOEXEC)};
	if (h->fd < 0)
		return -errno;
	*out = (struct vmm){&hsm_ops, h};
	return 0;
}

void hsm_close(struct hsm *h)
{
	if (h->slots)
		munmap(h->slots, h->slots_len);
	if (h->fd >= 0)
		close(h->fd);
	h->slots = NULL;
	h->fd = -1;
}
