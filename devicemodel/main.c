/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * tessera-dm: the device model of Tessera's post-launched User VMs
 * (doc/devicemodel.rst). This file only glues the pieces together: the
 * command line, the HSM device, signals and the terminal; the rest runs in
 * dm_run() (run.c) on a struct vmm.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "dm_exit.h"
#include "dm_log.h"
#include "hsm.h"
#include "options.h"
#include "run.h"
#include "term.h"

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void handle_signals(void)
{
	struct sigaction sa = {.sa_handler = on_signal}; /* no SA_RESTART:
		a blocking WAIT returns with EINTR */

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN); /* a closed stdout is a write error */
}

static bool has_console(const struct dm_options *o)
{
	for (unsigned i = 0; i < o->nr_devices; i++)
		if (o->devices[i].kind == DM_DEV_CONSOLE)
			return true;
	return false;
}

int main(int argc, char **argv)
{
	struct dm_options o;
	struct dm_host host = {-1, STDOUT_FILENO, &stop};
	struct hsm hsm;
	struct vmm vmm;
	char err[256];
	int rc;

	if (options_parse(&o, argc, argv, err, sizeof(err))) {
		fprintf(stderr, "tessera-dm: %s\n(tessera-dm --help lists the "
			"options)\n", err);
		return DM_EXIT_USAGE;
	}
	if (o.help) {
		options_usage(stdout);
		return DM_EXIT_POWEROFF;
	}
	dm_log_set_level(o.verbose ? LOG_DEBUG : LOG_INFO);
	rc = hsm_open(&hsm, o.hsm_device, &vmm);
	if (rc) {
		log_err("cannot open %s: %s%s", o.hsm_device, strerror(-rc),
			rc == -ENOENT ? " (is the Tessera HSM driver loaded? "
					"This must run in the Service VM)"
			: rc == -EACCES || rc == -EPERM ? " (run as root)" : "");
		return DM_EXIT_NO_HSM;
	}
	handle_signals();
	/* Input only from a terminal: with stdin a file or /dev/null (tests,
	 * scripts) the guest's console never gets input. */
	if (has_console(&o) && term_raw(STDIN_FILENO))
		host.console_in = STDIN_FILENO;
	rc = dm_run(&o, &vmm, &host);
	term_restore();
	hsm_close(&hsm);
	return rc;
}
