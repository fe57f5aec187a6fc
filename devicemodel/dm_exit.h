/* SPDX-License-Identifier: BSD-3-Clause */
/* tessera-dm's exit codes, for scripts (doc/devicemodel.rst). */
#ifndef TESSERA_DM_EXIT_H
#define TESSERA_DM_EXIT_H

enum dm_exit {
	DM_EXIT_POWEROFF = 0, /* the User VM powered off (or --help) */
	DM_EXIT_FAILURE = 1,  /* the DM failed while setting up or running */
	DM_EXIT_USAGE = 2,    /* bad command line */
	DM_EXIT_FILE = 3,     /* a file on the command line cannot be used */
	DM_EXIT_NO_SLOT = 4,  /* no post-launched slot of that name */
	DM_EXIT_BUSY = 5,     /* the slot already runs a VM */
	DM_EXIT_REFUSED = 6,  /* the hypervisor refused the VM's set-up */
	DM_EXIT_NO_HSM = 7,   /* no usable /dev/tessera_hsm */
	DM_EXIT_CRASHED = 8,  /* the User VM crashed */
	DM_EXIT_STOPPED = 9,  /* SIGINT, SIGTERM or the console escape */
};

#endif
