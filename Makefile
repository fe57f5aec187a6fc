# Tessera top-level build. Everything is built out of tree under $(BUILD).
#   make run | test | bench | fuzz | mutants | menuconfig | defconfig | savedefconfig | clean
# See README.rst.

BUILD ?= build
PY := /usr/bin/python3
CROSS_COMPILE ?= aarch64-linux-gnu-
HOSTCC ?= gcc
Q := $(if $(V),,@)

KCONFIG_CONFIG := $(BUILD)/.config
export KCONFIG_CONFIG
GEN := $(BUILD)/generated
DEFCONFIG ?= config/defconfig
# Guest kernel, initramfs and disk are shared by every build directory.
GUEST_DIR ?= build/guest

.DEFAULT_GOAL := all
.PHONY: all setup run test unit-test integration-test bench fuzz mutants menuconfig \
	defconfig savedefconfig clean distclean hypervisor guests guest-linux \
	scenario-builds

# Goals that set the machine up first (make run, test, bench, mutants)
# configure and build in a sub-make, after the set-up: on a fresh machine
# Kconfiglib only exists once misc/setup/setup.sh has run.
SETUP_FIRST_GOALS := setup run test bench mutants
SETUP_FIRST := $(filter $(SETUP_FIRST_GOALS),$(MAKECMDGOALS))

# ---- configuration (Kconfig via Kconfiglib) --------------------------------
KCONFIGLIB_CHECK = $(PY) -c 'import kconfiglib' 2>/dev/null || { \
	echo "error: $(PY) cannot import kconfiglib: run 'make setup' first" \
	     "(or 'make run' / 'make test', which set the machine up)" >&2; exit 1; }

$(KCONFIG_CONFIG):
	@mkdir -p $(BUILD)
	@$(KCONFIGLIB_CHECK)
	@echo "  DEFCONFIG $(DEFCONFIG)"
	$(Q)$(PY) -m defconfig --kconfig Kconfig $(DEFCONFIG) >/dev/null

defconfig:
	@mkdir -p $(BUILD)
	$(Q)$(PY) -m defconfig --kconfig Kconfig $(DEFCONFIG)

menuconfig: | $(KCONFIG_CONFIG)
	$(Q)MENUCONFIG_STYLE=aquatic $(PY) -m menuconfig Kconfig

savedefconfig: $(KCONFIG_CONFIG)
	$(Q)$(PY) -m savedefconfig --kconfig Kconfig --out $(BUILD)/defconfig
	@echo "  wrote $(BUILD)/defconfig (copy it to config/defconfig to keep it)"

$(GEN)/config.h: $(KCONFIG_CONFIG) Kconfig
	@mkdir -p $(GEN)
	@echo "  GENCONFIG $@"
	$(Q)$(PY) -m genconfig --header-path $@.tmp Kconfig && \
		sed -i 's/^#define CONFIG_\(.*\) y$$/#define CONFIG_\1 1/' $@.tmp && \
		mv $@.tmp $@

ifeq ($(SETUP_FIRST),)
-include $(KCONFIG_CONFIG)
endif
unquote = $(patsubst "%",%,$(1))
SCENARIO := $(call unquote,$(CONFIG_SCENARIO))
BOARD := $(call unquote,$(CONFIG_BOARD))

# ---- scenario tables (validated, generated) ---------------------------------
# config/scenarios/ holds the shipped scenarios; tests/scenarios/ those kept
# for the tests only (TEST_SCENARIOS). A shipped one wins a name clash.
SCENARIO_FILE := $(firstword $(wildcard config/scenarios/$(SCENARIO).toml \
	tests/scenarios/$(SCENARIO).toml) config/scenarios/$(SCENARIO).toml)
BOARD_FILE := config/boards/$(BOARD).toml
CONFIG_TOOL := misc/config_tools/tessera_config.py

# A misspelt CONFIG_SCENARIO or CONFIG_BOARD stops the build before anything
# is compiled (make would build all it can, then find no rule for the .toml).
# Checked once a .config exists, and not for the goals that fix it.
CONFIG_EDIT_GOALS := defconfig menuconfig savedefconfig clean distclean
CHECK_CONFIG := $(and $(if $(SETUP_FIRST),,y),$(wildcard $(KCONFIG_CONFIG)),\
	$(if $(MAKECMDGOALS),$(filter-out $(CONFIG_EDIT_GOALS),$(MAKECMDGOALS)),y))
comma_space := ,$() $()
toml_names = $(subst $() ,$(comma_space),$(strip \
	$(patsubst $(1)/%.toml,%,$(sort $(wildcard $(1)/*.toml)))))
ifeq ($(CHECK_CONFIG),)
else ifeq ($(wildcard $(SCENARIO_FILE)),)
$(shell echo 'error: CONFIG_SCENARIO="$(SCENARIO)": no $(SCENARIO_FILE) (scenarios: $(call toml_names,config/scenarios))' >&2)
$(error fix CONFIG_SCENARIO in $(KCONFIG_CONFIG), e.g. with 'make menuconfig')
else ifeq ($(wildcard $(BOARD_FILE)),)
$(shell echo 'error: CONFIG_BOARD="$(BOARD)": no $(BOARD_FILE) (boards: $(call toml_names,config/boards))' >&2)
$(error fix CONFIG_BOARD in $(KCONFIG_CONFIG), e.g. with 'make menuconfig')
endif

$(GEN)/scenario.c $(GEN)/scenario.json $(GEN)/scenario.mk &: $(SCENARIO_FILE) \
		$(BOARD_FILE) $(CONFIG_TOOL) $(KCONFIG_CONFIG)
	@mkdir -p $(GEN)
	@echo "  SCENARIO $(SCENARIO) on $(BOARD)"
	$(Q)$(PY) $(CONFIG_TOOL) --board $(BOARD_FILE) --scenario $(SCENARIO_FILE) \
		--max-vms $(CONFIG_MAX_VMS) --max-vcpus $(CONFIG_MAX_VCPUS_PER_VM) \
		--s2-pool-pages $(CONFIG_S2_POOL_PAGES) \
		--console $(call unquote,$(CONFIG_CONSOLE_UART)) \
		--out-c $(GEN)/scenario.c --out-json $(GEN)/scenario.json \
		--out-mk $(GEN)/scenario.mk
	$(Q)touch $(GEN)/scenario.c $(GEN)/scenario.json $(GEN)/scenario.mk

ifneq ($(SETUP_FIRST),)
else ifneq ($(filter-out defconfig menuconfig savedefconfig clean distclean,$(MAKECMDGOALS)),)
-include $(GEN)/scenario.mk
else ifeq ($(MAKECMDGOALS),)
-include $(GEN)/scenario.mk
endif

# ---- the hypervisor image ---------------------------------------------------
HV_LOAD_ADDR := 0x40200000
HV_ARCH := hypervisor/arch/arm64
HV_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -g -ffreestanding -nostdlib \
	-fno-builtin -fno-stack-protector -fno-pic -fno-pie -fno-common \
	-mgeneral-regs-only -mstrict-align -march=armv8-a -mno-outline-atomics \
	-I hypervisor/include -I $(HV_ARCH)/include -I $(GEN) \
	-include $(GEN)/config.h
HV_C_SRCS := $(wildcard hypervisor/common/*.c hypervisor/lib/*.c $(HV_ARCH)/*.c)
HV_S_SRCS := $(wildcard $(HV_ARCH)/*.S)
HV_OBJS := $(patsubst %.c,$(BUILD)/%.o,$(HV_C_SRCS)) \
	$(patsubst %.S,$(BUILD)/%.o,$(HV_S_SRCS)) $(BUILD)/generated/scenario.o
HV_ELF := $(BUILD)/hypervisor/tessera.elf
HV_BIN := $(BUILD)/hypervisor/tessera.bin

$(BUILD)/hypervisor/%.o: hypervisor/%.c $(GEN)/config.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CROSS_COMPILE)gcc $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/hypervisor/%.o: hypervisor/%.S $(GEN)/config.h
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CROSS_COMPILE)gcc $(HV_CFLAGS) -D__ASSEMBLER__ -MMD -MP -c $< -o $@

$(BUILD)/generated/scenario.o: $(GEN)/scenario.c $(GEN)/config.h
	@echo "  CC      $<"
	$(Q)$(CROSS_COMPILE)gcc $(HV_CFLAGS) -MMD -MP -c $< -o $@

$(HV_ELF): $(HV_OBJS) $(HV_ARCH)/linker.ld
	@echo "  LD      $@"
	$(Q)$(CROSS_COMPILE)ld -nostdlib --no-warn-rwx-segments -T $(HV_ARCH)/linker.ld \
		--defsym HV_LOAD_ADDR=$(HV_LOAD_ADDR) \
		--defsym HV_IMAGE_LIMIT=$(SCENARIO_HV_IMAGE_LIMIT) -o $@ $(HV_OBJS)

$(HV_BIN): $(HV_ELF)
	@echo "  OBJCOPY $@"
	$(Q)$(CROSS_COMPILE)objcopy -O binary $< $@

hypervisor: $(HV_BIN)

include tests/guests/guests.mk

# ---- Linux guests: initramfs images and disks (doc/guest-linux.rst) ---------
include devicemodel/devicemodel.mk

ROOTFS := $(GUEST_DIR)/rootfs.cpio.gz
UVM_ROOTFS := $(GUEST_DIR)/uvm-rootfs.cpio.gz
TEST_DISK := $(GUEST_DIR)/test-disk.img
UVM_DISK := $(GUEST_DIR)/uvm-disk.img
ROOTFS_INPUTS := misc/rootfs/build_rootfs.py misc/rootfs/init \
	misc/rootfs/tessera-shell $(wildcard tests/guests/linux/*.sh) \
	$(GUEST_DIR)/busybox $(GUEST_DIR)/kernel-version
# What the Service VM needs to launch User VMs (doc/user-vms.rst).
UVM_SHARE := usr/share/tessera/uvm
# A test program: QEMU's edu DMA engine driven from user space (test_hybrid).
DMA_ATTACK := $(BUILD)/tools/dma-attack
SOS_ADDS := bin/tessera-dm=$(DM_BIN) bin/launch_uos.sh=misc/launch/launch_uos.sh \
	bin/dma-attack=$(DMA_ATTACK) \
	usr/share/tessera/tests/lifecycle.bin=$(UVM_LIFECYCLE) \
	$(UVM_SHARE)/Image=$(GUEST_DIR)/Image \
	$(UVM_SHARE)/rootfs.cpio.gz=$(UVM_ROOTFS) $(UVM_SHARE)/disk.img=$(UVM_DISK) \
	usr/share/tessera/bench/microbench.bin=$(UVM_BENCH)

$(UVM_ROOTFS): $(ROOTFS_INPUTS) misc/rootfs/inittab-uvm
	@echo "  ROOTFS  $@"
	$(Q)$(PY) misc/rootfs/build_rootfs.py --guest $(GUEST_DIR) --variant uvm \
		--out $@

$(DMA_ATTACK): tests/guests/linux/dma_attack.c
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CROSS_COMPILE)gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -s -o $@ $<

$(ROOTFS): $(ROOTFS_INPUTS) misc/rootfs/inittab $(UVM_ROOTFS) $(UVM_DISK) \
		$(DM_BIN) misc/launch/launch_uos.sh $(UVM_BENCH) $(DMA_ATTACK) $(UVM_LIFECYCLE)
	@echo "  ROOTFS  $@"
	$(Q)$(PY) misc/rootfs/build_rootfs.py --guest $(GUEST_DIR) $(HSM_ROOTFS_ARGS) \
		$(addprefix --add ,$(SOS_ADDS))

$(TEST_DISK) $(GUEST_DIR)/test-disk.token &: misc/rootfs/make_disk.py
	@echo "  DISK    $@"
	$(Q)$(PY) misc/rootfs/make_disk.py --guest $(GUEST_DIR)

$(UVM_DISK) $(GUEST_DIR)/uvm-disk.token &: misc/rootfs/make_disk.py
	@echo "  DISK    $@"
	$(Q)$(PY) misc/rootfs/make_disk.py --guest $(GUEST_DIR) --name uvm-disk

guest-linux: $(ROOTFS) $(TEST_DISK)

include misc/hsm/hsm.mk

# ---- one build per shipped scenario, for the integration tests --------------
SHIPPED_SCENARIOS := partitioned hybrid
# ... and one per test-only scenario (tests/scenarios/).
TEST_SCENARIOS := sched sched-linux sched-io power dma gic-shared dt flood

scenario-builds:
	$(Q)for s in $(SHIPPED_SCENARIOS) $(TEST_SCENARIOS); do \
		d=$(BUILD)/scenario-$$s; mkdir -p $$d; \
		printf 'CONFIG_SCENARIO="%s"\n' $$s > $$d/defconfig.new; \
		cmp -s $$d/defconfig.new $$d/defconfig || mv $$d/defconfig.new $$d/defconfig; \
		ln -sfn $(abspath $(GUEST_DIR)) $$d/guest; \
		$(MAKE) --no-print-directory BUILD=$$d DEFCONFIG=$$d/defconfig \
			hypervisor guests || exit 1; \
	done
-include tests/unit/unit.mk

all: hypervisor guests

# Goals that only collect prerequisites get an empty recipe, so a warm run
# is quiet instead of "make[1]: Nothing to be done for 'hypervisor'"; what
# their prerequisites print is unchanged.
all hypervisor guests guest-linux unit-tests-build benches-build fuzzers-build:
	@:

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)

# ---- set-up, running, testing -----------------------------------------------
setup:
	$(Q)bash misc/setup/setup.sh

run: setup
	$(Q)$(MAKE) --no-print-directory hypervisor guests guest-linux
	$(Q)$(PY) misc/launch/tessera_qemu.py --build $(BUILD)

test: setup
	$(Q)$(MAKE) --no-print-directory all guest-linux scenario-builds
	$(Q)$(PY) tests/run_all.py --build $(BUILD)

unit-test: unit-tests-build
	$(Q)$(PY) tests/run_all.py --build $(BUILD) --only unit

integration-test: all guest-linux scenario-builds
	$(Q)$(PY) tests/run_all.py --build $(BUILD) --only integration

bench: setup
	$(Q)$(MAKE) --no-print-directory all benches-build guest-linux scenario-builds
	$(Q)$(PY) tests/run_all.py --build $(BUILD) --only bench

fuzz: fuzzers-build scenario-builds
	$(Q)$(PY) tests/run_all.py --build $(BUILD) --only fuzz
	$(Q)TESSERA_CHAOS_IMAGE=chaoslong $(PY) tests/run_all.py --build $(BUILD) \
		--only integration -k test_partitioned.test_chaos

# Small wrong changes the host tests must catch (tests/mutants): built in
# their own directory, every file put back.
mutants: setup
	$(Q)$(PY) tests/mutants/run_mutants.py --build $(BUILD)-mutants

# clean keeps the downloaded guest kernel and busybox ($(BUILD)/guest).
clean:
	$(Q)find $(BUILD) -mindepth 1 -maxdepth 1 ! -name guest -exec rm -rf {} + 2>/dev/null || true

distclean:
	rm -rf $(BUILD)
