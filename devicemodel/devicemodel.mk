# tessera-dm, the device model of post-launched User VMs (devicemodel/,
# doc/devicemodel.rst): a static arm64 binary for the Service VM, built by
# `make` into $(BUILD)/devicemodel/tessera-dm. Included from the top-level
# Makefile (and from tests/unit/dm.mk, whichever comes first).
ifndef DM_MK_INCLUDED
DM_MK_INCLUDED := 1

DM_OUT := $(BUILD)/devicemodel
DM_BIN := $(DM_OUT)/tessera-dm
DM_CC := $(CROSS_COMPILE)gcc
# The hypervisor's headers come after the C library's (-idirafter), so the
# DM gets libc's <errno.h>, not hypervisor/include/errno.h; the DM's own
# config.h and arch_cpu.h (devicemodel/hvshim) come first. Headers found
# that way count as system headers: -MD (not -MMD) keeps them in the
# dependency files, so a changed ABI header rebuilds the DM.
DM_INCLUDES := -I devicemodel/hvshim -I devicemodel -idirafter hypervisor/include
DM_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g $(DM_INCLUDES)

# Shared with the hypervisor, unchanged: one FDT writer, one handler table.
DM_SHARED_SRCS := hypervisor/common/vm_fdt.c hypervisor/lib/fdt_write.c \
	hypervisor/lib/fdt.c hypervisor/lib/format.c \
	hypervisor/common/io_handler_table.c hypervisor/common/log_ratelimit.c
# The core, which the host tests run against the fake VM backend.
DM_CORE_SRCS := $(addprefix devicemodel/,guest_mem.c iobus.c ioreq.c \
	virtqueue.c virtio_mmio.c virtio_blk.c virtio_console.c virtio_rng.c \
	devices.c dt.c boot.c options.c run.c) $(DM_SHARED_SRCS)
# Only in tessera-dm: the driver, the terminal, the log, the caches.
DM_SRCS := $(DM_CORE_SRCS) $(addprefix devicemodel/,main.c hsm.c term.c \
	log.c cache.c)
DM_OBJS := $(patsubst %.c,$(DM_OUT)/obj/%.o,$(DM_SRCS))

$(DM_OUT)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (tessera-dm)"
	$(Q)$(DM_CC) $(DM_CFLAGS) -MD -MP -c $< -o $@

$(DM_BIN): $(DM_OBJS)
	@echo "  LD      $@"
	$(Q)$(DM_CC) -static -o $@ $(DM_OBJS)

.PHONY: devicemodel
devicemodel: $(DM_BIN)
	@:
all: devicemodel

endif
