/* SPDX-License-Identifier: MIT */
/* Placeholder: replaced by the real 'rules' command (branch diagnose). Only
 * `tshoot rules alerts` is dispatched here so the watch tests can run. */
#include "cmd-rules.h"
#include "tshoot.h"

static const char usage[] = "usage: tshoot rules alerts [OPTIONS]\n";

static int run(int argc, char **argv)
{
    if (argc >= 2 && streq(argv[1], "alerts")) return cmd_rules_alerts(argc - 1, argv + 1);
    return fail("rules", EXIT_UNAVAILABLE, "not implemented yet");
}

const struct command cmd_rules = { "rules", run, "(not yet available)", usage };
