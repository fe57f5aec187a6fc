/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * The device model's life: set the User VM up, boot it, serve its requests
 * and events until it powers off, crashes or the DM is told to stop; then
 * destroy it. Everything goes through a struct vmm, so the host tests run
 * all of it against the fake VM backend.
 *
 *  1. guest RAM, the kernel's header, the platform device tree and the
 *     devices (disks opened) -- before the VM exists, so that a bad file
 *     costs nothing;
 *  2. CREATE_VM (its errors translated into sentences and exit codes),
 *     GET_INFO, SET_MEMORY;
 *  3. kernel, initrd, device tree into RAM, vCPU 0's registers, START_VM;
 *  4. serve: notify mode waits in TESSERA_HSM_WAIT and notifies each
 *     completed vCPU; polling mode spins over the slots with YIELD between
 *     looks and asks GET_INFO for the VM's state every 10 ms. Console input
 *     is polled between waits (WAIT times out after 20 ms while a console
 *     reads a terminal);
 *  5. a state event: POWERED_OFF ends with 0, CRASHED with
 *     DM_EXIT_CRASHED, RESET_REQUESTED resets the devices, reloads the
 *     images and the device tree, RESET_VM, sets the registers, START_VM.
 */
#ifndef TESSERA_DM_RUN_H
#define TESSERA_DM_RUN_H

#include <signal.h>

#include "options.h"
#include "vmm.h"

#define DM_CONSOLE_ESCAPE 0x1d /* Ctrl-] */

struct dm_host {
	int console_in;  /* bytes for the virtio-console; -1: none, ever */
	int console_out; /* where its output goes */
	volatile sig_atomic_t *stop; /* set (by a signal handler): stop */
};

/* Run the VM o describes; returns a DM_EXIT_* code (dm_exit.h). */
int dm_run(const struct dm_options *o, struct vmm *vmm,
	   const struct dm_host *h);

/* CREATE_VM's error as a sentence and an exit code (exposed for tests). */
int dm_create_error(int rc, const char *name, uint32_t vcpus, char *err,
		    size_t errlen);

#endif
