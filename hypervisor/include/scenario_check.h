/* SPDX-License-Identifier: BSD-3-Clause */
/*
 * Boot-time check of the compiled-in scenario against the machine it runs on.
 * The config tool validates the data files at build time; this catches a
 * scenario built for another board, a stale generated file or a smaller
 * machine (fewer CPUs, less RAM) than the scenario needs.
 */
#ifndef TESSERA_SCENARIO_CHECK_H
#define TESSERA_SCENARIO_CHECK_H

#include <platform.h>
#include <scenario.h>

/* 0 if the scenario is usable, else -1 with one line describing the problem. */
int scenario_check(const struct scenario_config *sc,
		   const struct platform_info *plat, char *err, size_t errlen);

#endif
