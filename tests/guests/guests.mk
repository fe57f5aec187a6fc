# Bare-metal test guests, built once per pre-launched VM entry address of the
# scenario (they run with the MMU off, so they are linked where they run).
GUEST_PROGRAMS := hello beacon probe unsupported poweroff reset iocheck microbench \
	spinner sleeper steady idle slicer timermask powerstress chaos chaoslong \
	canary dmaattack s1ptw gicshare-rtc gicshare-gpio dtcheck seqlines flood
GUEST_SRC := tests/guests
GUEST_OUT := $(BUILD)/guests
GUEST_CFLAGS := -std=gnu11 -Wall -Wextra -Werror -O2 -ffreestanding -nostdlib \
	-fno-builtin -fno-stack-protector -fno-pic -fno-pie -mgeneral-regs-only \
	-mstrict-align -march=armv8-a -mno-outline-atomics
GUEST_RUNTIME_OBJS := $(GUEST_OUT)/obj/start.o $(GUEST_OUT)/obj/runtime.o

$(GUEST_OUT)/obj/%.o: $(GUEST_SRC)/%.c $(GUEST_SRC)/guest.h $(GUEST_SRC)/guest_layout.h
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CROSS_COMPILE)gcc $(GUEST_CFLAGS) -c $< -o $@

# The chaos guest's long run, for make fuzz (tests/guests/chaos.c).
$(GUEST_OUT)/obj/chaoslong.o: $(GUEST_SRC)/chaos.c $(GUEST_SRC)/guest.h
	@mkdir -p $(dir $@)
	@echo "  CC      $< (long)"
	$(Q)$(CROSS_COMPILE)gcc $(GUEST_CFLAGS) -DCHAOS_OPS=5000000ul -c $< -o $@

# The two partitions of tests/scenarios/gic-shared.toml: one source, the
# device it drives chosen at build time (tests/guests/gicshare.c).
define gicshare_obj
$(GUEST_OUT)/obj/gicshare-$(1).o: $(GUEST_SRC)/gicshare.c $(GUEST_SRC)/guest.h
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$< ($(1))"
	$(Q)$(CROSS_COMPILE)gcc $(GUEST_CFLAGS) -DGICSHARE_$(2) -c $$< -o $$@
endef
$(eval $(call gicshare_obj,rtc,RTC))
$(eval $(call gicshare_obj,gpio,GPIO))

$(GUEST_OUT)/obj/start.o: $(GUEST_SRC)/start.S $(GUEST_SRC)/guest_layout.h
	@mkdir -p $(dir $@)
	$(Q)$(CROSS_COMPILE)gcc $(GUEST_CFLAGS) -c $< -o $@

# The probe aims at everything that is not its own: the other VMs' memory
# and the hypervisor's image.
probe_targets = $(subst $(space),$(comma),$(strip \
	$(filter-out $(1),$(SCENARIO_GUEST_ENTRIES)) $(HV_LOAD_ADDR)))
space := $(subst ,, )
comma := ,

define guest_at
$(GUEST_OUT)/obj/probe-$(1).o: $(GUEST_SRC)/probe.c $(GUEST_SRC)/guest.h $(GEN)/scenario.mk
	@mkdir -p $$(dir $$@)
	@echo "  CC      $$< @ $(1)"
	$(Q)$(CROSS_COMPILE)gcc $(GUEST_CFLAGS) \
		-DPROBE_TARGETS='$(call probe_targets,$(1))' -c $$< -o $$@

$(GUEST_OUT)/%-$(1).elf: $(GUEST_OUT)/obj/%.o $(GUEST_RUNTIME_OBJS) $(GUEST_SRC)/guest.ld
	$(Q)$(CROSS_COMPILE)ld -nostdlib --no-warn-rwx-segments -T $(GUEST_SRC)/guest.ld \
		--defsym GUEST_BASE=$(1) -o $$@ $(GUEST_RUNTIME_OBJS) $$<

$(GUEST_OUT)/probe-$(1).elf: $(GUEST_OUT)/obj/probe-$(1).o $(GUEST_RUNTIME_OBJS) $(GUEST_SRC)/guest.ld
	$(Q)$(CROSS_COMPILE)ld -nostdlib --no-warn-rwx-segments -T $(GUEST_SRC)/guest.ld \
		--defsym GUEST_BASE=$(1) -o $$@ $(GUEST_RUNTIME_OBJS) $$<

GUEST_BINS += $(foreach p,$(GUEST_PROGRAMS),$(GUEST_OUT)/$(p)-$(1).bin)
endef

$(GUEST_OUT)/%.bin: $(GUEST_OUT)/%.elf
	@echo "  GUEST   $@"
	$(Q)$(CROSS_COMPILE)objcopy -O binary $< $@

$(foreach a,$(SCENARIO_GUEST_ENTRIES),$(eval $(call guest_at,$(a))))

# The micro-benchmark also runs without a hypervisor: QEMU's -kernel takes
# the ELF (tests/bench/bench_micro.py).
GUEST_BINS += $(foreach a,$(SCENARIO_GUEST_ENTRIES),$(GUEST_OUT)/microbench-$(a).elf)

# The micro-benchmark as a User VM, for the Service VM's filesystem
# (tests/bench/bench_uvm.py): tessera-dm --bare loads it where a kernel
# Image goes, RAM + 2 MiB (devicemodel/layout.h).
UVM_BENCH_BASE := 0x40200000
UVM_BENCH := $(GUEST_OUT)/microbench-uvm.bin
$(GUEST_OUT)/microbench-uvm.elf: $(GUEST_OUT)/obj/microbench.o $(GUEST_RUNTIME_OBJS) $(GUEST_SRC)/guest.ld
	$(Q)$(CROSS_COMPILE)ld -nostdlib --no-warn-rwx-segments -T $(GUEST_SRC)/guest.ld \
		--defsym GUEST_BASE=$(UVM_BENCH_BASE) -o $@ $(GUEST_RUNTIME_OBJS) $<
GUEST_BINS += $(UVM_BENCH)

# The lifecycle stress guest as a User VM (misc/hsm/tests/hsm_lifecycle.c
# loads it at the same address, tests/guests/lifecycle.h).
UVM_LIFECYCLE := $(GUEST_OUT)/lifecycle-uvm.bin
$(GUEST_OUT)/obj/lifecycle.o: $(GUEST_SRC)/lifecycle.h
$(GUEST_OUT)/lifecycle-uvm.elf: $(GUEST_OUT)/obj/lifecycle.o $(GUEST_RUNTIME_OBJS) $(GUEST_SRC)/guest.ld
	$(Q)$(CROSS_COMPILE)ld -nostdlib --no-warn-rwx-segments -T $(GUEST_SRC)/guest.ld \
		--defsym GUEST_BASE=$(UVM_BENCH_BASE) -o $@ $(GUEST_RUNTIME_OBJS) $<
GUEST_BINS += $(UVM_LIFECYCLE)

# The ELFs are kept (they are not intermediate files to delete); naming
# them keeps .SECONDARY from covering every target of the build.
.SECONDARY: $(patsubst %.bin,%.elf,$(filter %.bin,$(GUEST_BINS)))
guests: $(GUEST_BINS)
