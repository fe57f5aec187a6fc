# SPDX-License-Identifier: BSD-3-Clause
# The HSM driver (misc/hsm, doc/hsm.rst), included by the top-level Makefile
# after the Linux guest's rules.
#
#   $(BUILD)/hsm/tessera_hsm.ko   the module, against $(GUEST_DIR)/headers,
#                                 without debug information (the initramfs's)
#   $(BUILD)/hsm/kbuild/          kbuild's directory: tessera_hsm.ko with
#                                 debug information, for gdb and faddr2line
#   $(BUILD)/hsm/hsm-check        static arm64 test program (/bin/hsm-check)
#   $(BUILD)/hsm/hsm-hostile,     more of them (/bin/hsm-hostile,
#     hsm-stall                   /bin/hsm-stall), for the QEMU tests
#   make hsm                      both (part of 'make' when the headers exist)
#   make hsm-rootfs               $(BUILD)/hsm/rootfs.cpio.gz: the initramfs
#                                 with them, without touching $(GUEST_DIR)
#   make hsm-mock                 the test build against a mock hypervisor,
#                                 and its initramfs, in $(BUILD)/hsm-mock
#   make hsm-test                 direct QEMU boots of both (no Tessera)
#
# kbuild writes its objects next to the sources, so it runs in the build
# directory, which holds symlinks to them; the repository stays clean.

HSM_SRC_DIR := misc/hsm
HSM_OUT := $(BUILD)/hsm
HSM_MOCK_OUT := $(BUILD)/hsm-mock
HSM_KO := $(HSM_OUT)/tessera_hsm.ko
HSM_CHECK := $(HSM_OUT)/hsm-check
HSM_KDIR := $(GUEST_DIR)/headers
HSM_UAPI := hypervisor/include/uapi
HSM_SRCS := $(wildcard $(HSM_SRC_DIR)/*.c $(HSM_SRC_DIR)/*.h) $(HSM_SRC_DIR)/Kbuild \
	$(HSM_SRC_DIR)/tests/hvc_check.c
HSM_DEPS := $(HSM_SRCS) $(wildcard $(HSM_UAPI)/tessera_*.h) $(HSM_SRC_DIR)/hsm.mk \
	$(GUEST_DIR)/kernel-version
HSM_CHECK_SRC := $(HSM_SRC_DIR)/tests/hsm_check.c
HSM_HOSTILE := $(HSM_OUT)/hsm-hostile
HSM_STALL := $(HSM_OUT)/hsm-stall
HSM_LIFECYCLE := $(HSM_OUT)/hsm-lifecycle
# What build_rootfs.py puts into the initramfs (it copes with a missing
# module: plain builds without the guest headers).
HSM_ROOTFS_ARGS = --hsm-dir $(HSM_OUT)

.PHONY: hsm hsm-rootfs hsm-mock hsm-test

# hsm_kbuild OUT-DIR, EXTRA-KBUILD-VARIABLES: build tessera_hsm.ko in
# OUT-DIR/kbuild, check its vermagic against the guest kernel's release and
# put a copy without debug information into OUT-DIR.
define hsm_kbuild
	@mkdir -p $(1)/kbuild
	$(Q)for f in $(abspath $(HSM_SRCS)); do \
		ln -sfn $$f $(1)/kbuild/$${f##*/} || exit 1; done
	$(Q)$(MAKE) --no-print-directory -C $(HSM_KDIR) M=$(abspath $(1)/kbuild) \
		ARCH=arm64 CROSS_COMPILE=$(CROSS_COMPILE) \
		TESSERA_UAPI=$(abspath $(HSM_UAPI)) $(2) modules \
		>$(1)/kbuild.log 2>&1 || { cat $(1)/kbuild.log; exit 1; }
	$(Q)! grep -E 'warning:|error:' $(1)/kbuild.log
	$(Q)rel=$$(cat $(GUEST_DIR)/kernel-version); \
	vm=$$($(CROSS_COMPILE)objcopy -O binary --only-section=.modinfo \
		$(1)/kbuild/tessera_hsm.ko /dev/stdout | tr '\0' '\n' | sed -n 's/^vermagic=//p'); \
	case "$$vm" in "$$rel "*) ;; *) echo "error: tessera_hsm.ko:" \
		"vermagic '$$vm' is not for the guest kernel $$rel" >&2; exit 1;; esac
	$(Q)$(CROSS_COMPILE)strip --strip-debug -o $(1)/tessera_hsm.ko $(1)/kbuild/tessera_hsm.ko
	$(Q)$(CROSS_COMPILE)strip --strip-debug -o $(1)/tessera_hvc_check.ko \
		$(1)/kbuild/tessera_hvc_check.ko
endef

$(HSM_KO): $(HSM_DEPS)
	@echo "  KMOD    $@"
	$(call hsm_kbuild,$(HSM_OUT),)

$(HSM_MOCK_OUT)/tessera_hsm.ko: $(HSM_DEPS)
	@echo "  KMOD    $@ (mock hypervisor)"
	$(call hsm_kbuild,$(HSM_MOCK_OUT),TESSERA_HSM_MOCK=1)

# hsm-NAME from tests/hsm_NAME.c (hsm-stall runs threads).
# Both run the one-loop User VM of tests/tiny_uvm.c.
$(HSM_HOSTILE) $(HSM_STALL): $(HSM_OUT)/hsm-%: $(HSM_SRC_DIR)/tests/hsm_%.c \
		$(HSM_SRC_DIR)/tests/tiny_uvm.c $(HSM_SRC_DIR)/tests/tiny_uvm.h \
		$(HSM_SRC_DIR)/tests/xorshift.h \
		$(wildcard $(HSM_UAPI)/tessera_*.h) $(HSM_SRC_DIR)/hsm.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CROSS_COMPILE)gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -s -pthread \
		-I $(HSM_UAPI) -o $@ $< $(HSM_SRC_DIR)/tests/tiny_uvm.c

# It shares its User VM's layout with tests/guests/lifecycle.c.
$(HSM_LIFECYCLE): $(HSM_SRC_DIR)/tests/hsm_lifecycle.c tests/guests/lifecycle.h \
		$(HSM_SRC_DIR)/tests/xorshift.h \
		$(wildcard $(HSM_UAPI)/tessera_*.h) $(HSM_SRC_DIR)/hsm.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CROSS_COMPILE)gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -s \
		-I $(HSM_UAPI) -I tests/guests -o $@ $<

$(HSM_OUT)/hsm-check $(HSM_MOCK_OUT)/hsm-check: $(HSM_CHECK_SRC) \
		$(wildcard $(HSM_UAPI)/tessera_*.h) $(HSM_SRC_DIR)/hsm.mk
	@mkdir -p $(dir $@)
	@echo "  CC      $@"
	$(Q)$(CROSS_COMPILE)gcc -std=gnu11 -O2 -Wall -Wextra -Werror -static -s \
		-I $(HSM_UAPI) -o $@ $<

# In 'make' only when setup.sh has unpacked the guest headers.
ifneq ($(wildcard $(HSM_KDIR)/Makefile),)
HSM_TARGETS := $(HSM_KO) $(HSM_CHECK) $(HSM_HOSTILE) $(HSM_STALL) $(HSM_LIFECYCLE)
endif

hsm: $(HSM_TARGETS)
	$(if $(HSM_TARGETS),,@echo "  SKIP    tessera_hsm.ko: no guest headers in" \
		"$(HSM_KDIR) (run 'make setup')")

all: hsm
$(ROOTFS): $(HSM_TARGETS)

# Initramfs images for testing the driver, beside the module (the shared
# $(GUEST_DIR)/rootfs.cpio.gz is not touched).
HSM_ROOTFS_DEPS := misc/rootfs/build_rootfs.py misc/rootfs/init \
	$(wildcard misc/rootfs/inittab misc/rootfs/tessera-shell) \
	$(wildcard tests/guests/linux/*.sh) $(GUEST_DIR)/busybox $(GUEST_DIR)/kernel-version

$(HSM_OUT)/rootfs.cpio.gz: $(HSM_KO) $(HSM_CHECK) $(HSM_ROOTFS_DEPS)
	@echo "  ROOTFS  $@"
	$(Q)$(PY) misc/rootfs/build_rootfs.py --guest $(GUEST_DIR) \
		--hsm-dir $(HSM_OUT) --out $@

$(HSM_MOCK_OUT)/rootfs.cpio.gz: $(HSM_MOCK_OUT)/tessera_hsm.ko \
		$(HSM_MOCK_OUT)/hsm-check $(HSM_ROOTFS_DEPS)
	@echo "  ROOTFS  $@ (mock hypervisor)"
	$(Q)$(PY) misc/rootfs/build_rootfs.py --guest $(GUEST_DIR) \
		--hsm-dir $(HSM_MOCK_OUT) --out $@

hsm-rootfs: $(HSM_OUT)/rootfs.cpio.gz
hsm-mock: $(HSM_MOCK_OUT)/rootfs.cpio.gz

hsm-test: $(HSM_OUT)/rootfs.cpio.gz $(HSM_MOCK_OUT)/rootfs.cpio.gz
	$(Q)$(PY) $(HSM_SRC_DIR)/tests/test_hsm_direct.py --build $(BUILD) \
		--guest $(GUEST_DIR)
