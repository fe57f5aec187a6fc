# The scheduler, the vCPU thread and the VM state machine on the fake arch
# layer (tests/unit/host/fake_arch.h, doc/testing.rst); included by unit.mk
# after io.mk (IO_CORE_SRCS).
#
# The fake's arch_cpu.h is forced in with -include: tests/unit/host comes
# first on the include path and its arch_cpu.h, used by every other host
# test, would win. Its arch_vm.h is found through -I tests/unit/host/fake,
# searched after the others, so it shadows nothing else; only arm64's
# include directory comes after it, for the stage-2 tables (s2_pgtable.h),
# whose code the fake runs.
FAKE_ARCH_HDRS := tests/unit/host/fake_arch.h $(wildcard tests/unit/host/fake/*.h)
FAKE_ARCH_CFLAGS := -include tests/unit/host/fake/arch_cpu.h -I tests/unit/host/fake \
	-I hypervisor/arch/arm64/include
# vm.c stops the VMs a Service VM made when it stops (vm_runtime.c).
FAKE_ARCH_SRCS := hypervisor/common/scheduler.c hypervisor/common/pcpu.c \
	hypervisor/common/vcpu.c hypervisor/common/vm.c \
	hypervisor/common/vm_runtime.c hypervisor/common/vm_mem.c \
	hypervisor/common/hypercall.c \
	hypervisor/common/vuart.c $(CONSOLE_OUT_SRCS) \
	hypervisor/common/console_input.c $(IO_CORE_SRCS) \
	hypervisor/arch/arm64/s2_pgtable.c \
	tests/unit/host/fake_arch.c tests/unit/host/host_console.c

# Run queue order, priorities, slices, block/wake, the pCPU timer, kicks.
UNIT_TESTS += test_sched
test_sched_SRCS := tests/unit/test_sched.c $(FAKE_ARCH_SRCS)
test_sched_CFLAGS := $(FAKE_ARCH_CFLAGS)
test_sched_LIBS := -lpthread
$(UNIT_OUT)/test_sched: $(FAKE_ARCH_HDRS)

# vCPU steps, requests, I/O waits, WFI, power; pcpu_call (two threads).
UNIT_TESTS += test_vcpu
test_vcpu_SRCS := tests/unit/test_vcpu.c $(FAKE_ARCH_SRCS)
test_vcpu_CFLAGS := $(FAKE_ARCH_CFLAGS)
test_vcpu_LIBS := -lpthread
$(UNIT_OUT)/test_vcpu: $(FAKE_ARCH_HDRS)

# VM slots at boot, stop, crash, reset (static and post-launched), events,
# capabilities.
UNIT_TESTS += test_vm
test_vm_SRCS := tests/unit/test_vm.c $(FAKE_ARCH_SRCS)
test_vm_CFLAGS := $(FAKE_ARCH_CFLAGS)
test_vm_LIBS := -lpthread
$(UNIT_OUT)/test_vm: $(FAKE_ARCH_HDRS)

# Post-launched VMs over their life (vm_runtime.c): 1,000 create/destroy
# cycles that leak nothing, every lifecycle call from every state, memory
# batches (checks, all or nothing), vCPU registers, request pages.
UNIT_TESTS += test_vm_runtime
test_vm_runtime_SRCS := tests/unit/test_vm_runtime.c $(FAKE_ARCH_SRCS)
test_vm_runtime_CFLAGS := $(FAKE_ARCH_CFLAGS)
test_vm_runtime_LIBS := -lpthread
$(UNIT_OUT)/test_vm_runtime: $(FAKE_ARCH_HDRS)

# The hypercall table (hypercall.c): function ids, capabilities, the checked
# copy of arguments, VM ids, from the Service VM, a partition, a User VM.
UNIT_TESTS += test_hypercall
test_hypercall_SRCS := tests/unit/test_hypercall.c $(FAKE_ARCH_SRCS)
test_hypercall_CFLAGS := $(FAKE_ARCH_CFLAGS)
test_hypercall_LIBS := -lpthread
$(UNIT_OUT)/test_hypercall: $(FAKE_ARCH_HDRS)
