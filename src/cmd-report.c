/* SPDX-License-Identifier: MIT */
/* Placeholder: replaced by the real 'report' command. */
#include "tshoot.h"

static const char usage[] = "usage: tshoot report\n";

static int run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fail("report", EXIT_UNAVAILABLE, "not implemented yet");
}

const struct command cmd_report = { "report", run, "(not yet available)", usage };
