/* SPDX-License-Identifier: BSD-3-Clause */
/* Why arm64_enter_guest() returned: the kind of exception that left the
 * guest (vectors.S and the C exit handling share these). */
#ifndef TESSERA_ARM64_EXIT_H
#define TESSERA_ARM64_EXIT_H

#define ARM64_EXIT_SYNC 0
#define ARM64_EXIT_IRQ 1
#define ARM64_EXIT_FIQ 2
#define ARM64_EXIT_SERROR 3
#define ARM64_EXIT_AARCH32 4

#endif
