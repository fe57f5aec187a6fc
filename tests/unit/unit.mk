# Host unit tests (cmocka), benchmarks and fuzzers. Each test lists its sources:
#   UNIT_TESTS += test_x
#   test_x_SRCS := tests/unit/test_x.c hypervisor/common/x.c
#   test_x_CFLAGS / test_x_LIBS (optional)
UNIT_OUT := $(BUILD)/unit
UNIT_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -g -O1 \
	-I tests/unit/host -I hypervisor/include -I tests/unit
UNIT_COMMON := tests/unit/host/host_log.c
ARM64_UNIT_CFLAGS := -I hypervisor/arch/arm64/include
# Every test is rebuilt when any header it could include changes: they are
# quick to build, and a stale struct layout fails in ways that mislead.
UNIT_HEADERS := $(wildcard hypervisor/include/*.h hypervisor/include/*/*.h \
	hypervisor/arch/*/include/*.h hypervisor/arch/*/include/*/*.h \
	tests/unit/*.h tests/unit/host/*.h tests/unit/host/*/*.h)

UNIT_TESTS += test_dabt
test_dabt_SRCS := tests/unit/test_dabt.c hypervisor/arch/arm64/dabt.c
test_dabt_CFLAGS := $(ARM64_UNIT_CFLAGS)

# The physical distributor driver against a fake distributor (its MMIO
# accessors are the test's), two threads racing on one register word: 1-5 s.
UNIT_TESTS += test_gicv3_dist
test_gicv3_dist_SRCS := tests/unit/test_gicv3_dist.c hypervisor/arch/arm64/gicv3_dist.c
test_gicv3_dist_CFLAGS := -I tests/unit/host/fake_mmio $(ARM64_UNIT_CFLAGS)
test_gicv3_dist_LIBS := -lpthread

UNIT_TESTS += test_s2_pgtable
test_s2_pgtable_SRCS := tests/unit/test_s2_pgtable.c hypervisor/arch/arm64/s2_pgtable.c
test_s2_pgtable_CFLAGS := $(ARM64_UNIT_CFLAGS)

UNIT_TESTS += test_smmuv3_desc
test_smmuv3_desc_SRCS := tests/unit/test_smmuv3_desc.c hypervisor/arch/arm64/smmuv3_desc.c
test_smmuv3_desc_CFLAGS := $(ARM64_UNIT_CFLAGS)

UNIT_TESTS += test_scenario_check
test_scenario_check_SRCS := tests/unit/test_scenario_check.c \
	hypervisor/common/scenario_check.c hypervisor/lib/format.c

UNIT_TESTS += test_platform_fdt
test_platform_fdt_SRCS := tests/unit/test_platform_fdt.c hypervisor/common/platform.c \
	hypervisor/lib/fdt.c hypervisor/lib/format.c
test_platform_fdt_LIBS := -lfdt

UNIT_TESTS += test_format
test_format_SRCS := tests/unit/test_format.c hypervisor/lib/format.c

# The console's output path, from the virtual UART to the physical one.
CONSOLE_OUT_SRCS := hypervisor/common/console_out.c hypervisor/common/console_ring.c \
	hypervisor/common/console.c

UNIT_TESTS += test_vuart
test_vuart_SRCS := tests/unit/test_vuart.c hypervisor/common/vuart.c \
	$(CONSOLE_OUT_SRCS) hypervisor/common/console_input.c \
	hypervisor/lib/format.c tests/unit/host/host_console.c \
	tests/unit/host/host_counter.c

# The buffers and their drain: budgets, order, losses counted and reported.
UNIT_TESTS += test_console_out
test_console_out_SRCS := tests/unit/test_console_out.c $(CONSOLE_OUT_SRCS) \
	hypervisor/lib/format.c tests/unit/host/host_console.c \
	tests/unit/host/host_counter.c
test_console_out_LIBS := -lpthread

-include tests/unit/io.mk
-include tests/unit/vgic.mk
-include tests/unit/fdt.mk
-include tests/unit/dm.mk
-include tests/unit/sched.mk

define unit_test
$(UNIT_OUT)/$(1): $$($(1)_SRCS) $(UNIT_COMMON) $(UNIT_HEADERS) | $(GEN)/config.h
	@mkdir -p $$(dir $$@)
	@echo "  HOSTCC  $$@"
	$(Q)$(HOSTCC) $(UNIT_CFLAGS) $$($(1)_CFLAGS) -o $$@ $(UNIT_COMMON) \
		$$($(1)_SRCS) -lcmocka $$($(1)_LIBS)
endef
$(foreach t,$(UNIT_TESTS),$(eval $(call unit_test,$(t))))

define bench_rule
$(UNIT_OUT)/$(1): $$($(1)_SRCS) $(UNIT_COMMON) $(UNIT_HEADERS)
	@mkdir -p $$(dir $$@)
	@echo "  HOSTCC  $$@"
	$(Q)$(HOSTCC) $(filter-out -O1,$(UNIT_CFLAGS)) -O2 $$($(1)_CFLAGS) -o $$@ \
		$(UNIT_COMMON) $$($(1)_SRCS) $$($(1)_LIBS)
endef
$(foreach b,$(BENCHES),$(eval $(call bench_rule,$(b))))

define fuzz_rule
$(UNIT_OUT)/$(1): $$($(1)_SRCS) $(UNIT_COMMON) $(UNIT_HEADERS)
	@mkdir -p $$(dir $$@)
	@echo "  CLANG   $$@"
	$(Q)clang $(filter-out -O1,$(UNIT_CFLAGS)) -O1 -fsanitize=fuzzer,address,undefined \
		$$($(1)_CFLAGS) -o $$@ $(UNIT_COMMON) $$($(1)_SRCS) $$($(1)_LIBS)
endef
$(foreach f,$(FUZZERS),$(eval $(call fuzz_rule,$(f))))

.PHONY: unit-tests-build benches-build fuzzers-build
unit-tests-build: $(addprefix $(UNIT_OUT)/,$(UNIT_TESTS))
benches-build: $(addprefix $(UNIT_OUT)/,$(BENCHES))
fuzzers-build: $(addprefix $(UNIT_OUT)/,$(FUZZERS))
all: unit-tests-build
