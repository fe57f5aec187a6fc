/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Tessera hypercalls: the ABI between the hypervisor and the Service VM's
 * HSM driver (and, for the few calls any VM may make, every guest).
 *
 * arm64: `hvc #0` under the SMC Calling Convention, in the SMCCC
 * vendor-specific hypervisor service range (owner 6): fast calls, SMC64.
 * Function ID in x0 (w0), arguments in x1..x4, result in x0: >= 0 on
 * success, a negated Linux errno value on failure. doc/hypercalls.rst lists
 * every call, who may make it and every error it returns.
 */
#ifndef TESSERA_UAPI_HYPERCALL_H
#define TESSERA_UAPI_HYPERCALL_H

#define TESSERA_HC_OWNER 6u
#define TESSERA_HC_ID(n) (0xc6000000u | (n)) /* fast, SMC64, owner 6 */

/* Any VM: () -> TESSERA_HC_ABI_VERSION */
#define TESSERA_HC_VERSION TESSERA_HC_ID(0x00)
/* Service VM only: (vm_id, vcpu_id) -> 0 */
#define TESSERA_HC_NOTIFY_REQUEST_FINISH TESSERA_HC_ID(0x10)

#define TESSERA_HC_ABI_VERSION 0x00010000u /* major << 16 | minor */

#endif
