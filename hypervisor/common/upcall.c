/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The upcall to the Service VM after a request slot went PENDING. Until the
 * Service VM and its virtual GIC exist there is nobody to raise it in:
 * forwarding only happens once a device model has attached request pages,
 * which needs the Service VM, so reaching this is a bug worth a log line.
 */
#include <io_emul.h>
#include <log.h>

void io_arch_raise_upcall(struct io_vm *io)
{
	(void)io;
	log_warn("I/O request forwarded but no Service VM can take the upcall");
}
