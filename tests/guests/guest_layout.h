/* SPDX-License-Identifier: BSD-3-Clause */
/* What start.S and the C runtime of the test guests both size by. */
#ifndef TESSERA_GUEST_LAYOUT_H
#define TESSERA_GUEST_LAYOUT_H

#define GUEST_MAX_CPUS 8
#define GUEST_STACK_SIZE 0x1000

#endif
