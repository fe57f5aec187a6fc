# Host tests of the device model (devicemodel/, doc/devicemodel.rst) and
# its virtqueue fuzzer; included from unit.mk. The DM's core is built once
# for the host and linked with the fake VM backend (devicemodel/fake).
#
# These have their own rules rather than UNIT_TESTS: the DM is user-space
# code that needs the C library's <errno.h>, which UNIT_CFLAGS'
# -I hypervisor/include would replace with the hypervisor's. The DM's
# include order (DM_INCLUDES) puts the hypervisor's headers after libc's.
include devicemodel/devicemodel.mk

DM_HOST_OUT := $(UNIT_OUT)/dm-obj
DM_HOST_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -g -O1 $(DM_INCLUDES) \
	-I tests/unit
DM_HOST_SRCS := $(DM_CORE_SRCS) devicemodel/fake/fake_vm.c \
	devicemodel/fake/fake_driver.c tests/unit/host/host_log.c
DM_HOST_OBJS := $(patsubst %.c,$(DM_HOST_OUT)/%.o,$(DM_HOST_SRCS))
DM_HEADERS := $(wildcard devicemodel/*.h devicemodel/fake/*.h \
	devicemodel/hvshim/*.h) $(UNIT_HEADERS)

$(DM_HOST_OUT)/%.o: %.c $(DM_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $< (dm)"
	$(Q)$(HOSTCC) $(DM_HOST_CFLAGS) -c $< -o $@

# test_dm_x: tests/unit/test_dm_x.c against the core; test_dm_x_CFLAGS and
# test_dm_x_LIBS optional.
DM_UNIT_TESTS := test_dm_dispatch test_dm_virtio_mmio test_dm_virtqueue \
	test_dm_virtio_blk test_dm_virtio_rng test_dm_virtio_console \
	test_dm_boot test_dm_run

define dm_unit_test
$(UNIT_OUT)/$(1): tests/unit/$(1).c $(DM_HOST_OBJS) $(DM_HEADERS)
	@mkdir -p $$(dir $$@)
	@echo "  HOSTCC  $$@"
	$(Q)$(HOSTCC) $(DM_HOST_CFLAGS) $$($(1)_CFLAGS) -o $$@ \
		tests/unit/$(1).c $(DM_HOST_OBJS) -lcmocka $$($(1)_LIBS)
endef
$(foreach t,$(DM_UNIT_TESTS),$(eval $(call dm_unit_test,$(t))))

DM_TEST_FIXTURES := -DFIXTURE_DIR='"$(CURDIR)/tests/unit/fixtures"' \
	-DGUEST_IMAGE='"$(abspath $(GUEST_DIR))/Image"'
test_dm_boot_CFLAGS := $(DM_TEST_FIXTURES)
test_dm_boot_LIBS := -lfdt
test_dm_run_CFLAGS := $(DM_TEST_FIXTURES)

# libFuzzer: hostile guest memory and register writes against the
# virtqueues and the three backends (tests/fuzz/fuzz_virtqueue.c).
DM_FUZZ_SRCS := tests/fuzz/fuzz_virtqueue.c $(addprefix devicemodel/, \
	guest_mem.c virtqueue.c virtio_mmio.c virtio_blk.c virtio_console.c \
	virtio_rng.c fake/fake_vm.c fake/fake_driver.c) \
	hypervisor/common/log_ratelimit.c tests/unit/host/host_log.c

$(UNIT_OUT)/fuzz_virtqueue: $(DM_FUZZ_SRCS) $(DM_HEADERS)
	@mkdir -p $(dir $@)
	@echo "  CLANG   $@"
	$(Q)clang -std=gnu11 -Wall -Wextra -Werror -g -O1 \
		-fsanitize=fuzzer,address,undefined $(DM_INCLUDES) -o $@ \
		$(DM_FUZZ_SRCS)

unit-tests-build: $(addprefix $(UNIT_OUT)/,$(DM_UNIT_TESTS))
fuzzers-build: $(UNIT_OUT)/fuzz_virtqueue
