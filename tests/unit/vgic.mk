# Virtual GICv3: state, list registers, GICD/GICR emulation (included by unit.mk).
VGIC_SRCS := hypervisor/arch/arm64/vgic_state.c \
	hypervisor/arch/arm64/vgic_dist.c \
	hypervisor/arch/arm64/vgic_redist.c \
	hypervisor/common/log_ratelimit.c

# 31 tests, including a 3-thread injection race: ~1 s.
UNIT_TESTS += test_vgic
test_vgic_SRCS := tests/unit/test_vgic.c $(VGIC_SRCS)
test_vgic_CFLAGS := -I hypervisor/arch/arm64/include
test_vgic_LIBS := -lpthread

# The race alone under ThreadSanitizer: a state access outside the vGIC
# lock is reported (exit code 66) even when no interrupt is lost. ~2 s.
UNIT_TESTS += test_vgic_tsan
test_vgic_tsan_SRCS := $(test_vgic_SRCS)
test_vgic_tsan_CFLAGS := $(test_vgic_CFLAGS) -DVGIC_RACE_ONLY -fsanitize=thread
test_vgic_tsan_LIBS := -lpthread
