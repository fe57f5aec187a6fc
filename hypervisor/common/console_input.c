/* SPDX-License-Identifier: BSD-3-Clause */
#include <console_input.h>
#include <vuart.h>

static struct vuart *target; /* set once at boot */

void console_input_set_target(struct vuart *vu)
{
	__atomic_store_n(&target, vu, __ATOMIC_RELEASE);
}

void console_input(const char *buf, size_t n)
{
	struct vuart *vu = __atomic_load_n(&target, __ATOMIC_ACQUIRE);

	/* A full FIFO drops the rest, as a real UART overruns. */
	if (vu)
		vuart_receive(vu, buf, n);
}
