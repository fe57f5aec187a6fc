/* SPDX-License-Identifier: BSD-3-Clause */
#include <arch.h>
#include <console_input.h>
#include <log.h>
#include <vuart.h>

static struct vuart *target;
/* Input arrived with nobody to take it, and the user was told (atomic). */
static bool told_unconnected;

static void target_has_room(void *ctx)
{
	(void)ctx;
	arch_console_rx_resume();
}

void console_input_set_target(struct vuart *vu)
{
	if (vu)
		vuart_connect_rx_space(vu, target_has_room, NULL);
	__atomic_store_n(&target, vu, __ATOMIC_RELEASE);
	__atomic_store_n(&told_unconnected, false, __ATOMIC_RELAXED);
	/* Reading may have stopped for the previous target. */
	arch_console_rx_resume();
}

size_t console_input_room(void)
{
	struct vuart *vu = __atomic_load_n(&target, __ATOMIC_ACQUIRE);

	return vu ? vuart_rx_room(vu) : SIZE_MAX;
}

void console_input(const char *buf, size_t n)
{
	struct vuart *vu = __atomic_load_n(&target, __ATOMIC_ACQUIRE);

	if (vu) {
		vuart_receive(vu, buf, n);
		return;
	}
	if (!__atomic_exchange_n(&told_unconnected, true, __ATOMIC_RELAXED))
		log_info("console: input is not connected to any VM (none in "
			 "this scenario takes it, or it stopped); keys are "
			 "dropped. Under QEMU, Ctrl-A X quits.");
}
