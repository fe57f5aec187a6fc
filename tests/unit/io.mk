# I/O emulation core: unit tests, benchmark and fuzzer (included by the top Makefile).

IO_CORE_SRCS := hypervisor/common/io_handler_table.c \
	hypervisor/common/io_dispatch.c \
	hypervisor/common/io_request_slot.c \
	hypervisor/common/io_postwork.c \
	hypervisor/common/io_vm.c \
	hypervisor/common/log_ratelimit.c \
	hypervisor/lib/format.c
IO_TEST_SRCS := $(IO_CORE_SRCS) tests/unit/test_io_support.c

UNIT_TESTS += test_io_table
test_io_table_SRCS := tests/unit/test_io_table.c $(IO_TEST_SRCS)
test_io_table_CFLAGS := -DCONFIG_IO_MAX_HANDLERS=1024 \
	'-DIO_TABLE_BEFORE_PIN()=io_table_test_hook()'
test_io_table_LIBS := -lpthread

UNIT_TESTS += test_io_dispatch
test_io_dispatch_SRCS := tests/unit/test_io_dispatch.c $(IO_TEST_SRCS)

UNIT_TESTS += test_io_slot
test_io_slot_SRCS := tests/unit/test_io_slot.c $(IO_TEST_SRCS)
test_io_slot_LIBS := -lpthread

UNIT_TESTS += test_io_postwork
test_io_postwork_SRCS := tests/unit/test_io_postwork.c hypervisor/common/io_postwork.c

# 2 x 1,000,000 requests through 9 threads, plus a hostile device model: ~3 s.
UNIT_TESTS += test_io_stress
test_io_stress_SRCS := tests/unit/test_io_stress.c $(IO_TEST_SRCS)
test_io_stress_LIBS := -lpthread

BENCHES += bench_io
bench_io_SRCS := tests/bench/bench_io.c $(IO_TEST_SRCS)
bench_io_CFLAGS := -DCONFIG_IO_MAX_HANDLERS=1024
bench_io_LIBS := -lpthread

FUZZERS += fuzz_io
fuzz_io_SRCS := tests/fuzz/fuzz_io.c $(IO_TEST_SRCS)
