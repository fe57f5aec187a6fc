/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where keyboard input on the physical console goes: the virtual UART of
 * one VM (the one whose capabilities say it takes console input), or
 * nowhere.
 *
 * Input is never dropped while a VM takes it. The console driver reads the
 * physical UART only as far as console_input_room() allows; when the VM's
 * receive FIFO is full it stops reading, so the UART's own FIFO and the line
 * behind it (a terminal, QEMU's character device) hold the rest, until the
 * guest has read some and arch_console_rx_resume() starts it again. With no
 * VM connected, input is discarded and the user is told so once.
 */
#ifndef TESSERA_CONSOLE_INPUT_H
#define TESSERA_CONSOLE_INPUT_H

#include <types.h>

struct vuart;

/* Connect input to vu (NULL: to nobody); any pCPU. */
void console_input_set_target(struct vuart *vu);
/* Bytes console_input() accepts now: 0 when the VM's FIFO is full, and
 * SIZE_MAX when nobody takes input (it is discarded). */
size_t console_input_room(void);
/* Bytes from the console UART, at most console_input_room() of them. */
void console_input(const char *buf, size_t n);

#endif
