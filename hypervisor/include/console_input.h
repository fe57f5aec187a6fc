/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Where keyboard input on the physical console goes: the virtual UART of
 * one VM (the Service VM by default), or nowhere.
 */
#ifndef TESSERA_CONSOLE_INPUT_H
#define TESSERA_CONSOLE_INPUT_H

#include <types.h>

struct vuart;

void console_input_set_target(struct vuart *vu);
/* Bytes received by the console UART; dropped if no one takes input. */
void console_input(const char *buf, size_t n);

#endif
