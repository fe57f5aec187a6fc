# Host unit tests of the FDT writer and the VM device tree builder; included
# from unit.mk. The VM tests read QEMU-dumped platform trees from
# tests/unit/fixtures (and dump fresh ones when qemu-system-aarch64 is there).
UNIT_TESTS += test_fdt_write
test_fdt_write_SRCS := tests/unit/test_fdt_write.c hypervisor/lib/fdt_write.c \
	hypervisor/lib/fdt.c
test_fdt_write_LIBS := -lfdt

UNIT_TESTS += test_vm_fdt
test_vm_fdt_SRCS := tests/unit/test_vm_fdt.c hypervisor/common/vm_fdt.c \
	hypervisor/lib/fdt_write.c hypervisor/lib/fdt.c hypervisor/lib/format.c
test_vm_fdt_CFLAGS := -DFIXTURE_DIR='"$(CURDIR)/tests/unit/fixtures"'
test_vm_fdt_LIBS := -lfdt

# The FDT reader (platform trees, hostile) and writer, for make fuzz
# (tests/fuzz/fuzz_fdt.c).
FUZZERS += fuzz_fdt
fuzz_fdt_SRCS := tests/fuzz/fuzz_fdt.c hypervisor/common/platform.c \
	hypervisor/lib/fdt.c hypervisor/lib/fdt_write.c hypervisor/lib/format.c
fuzz_fdt_LIBS := -lfdt
