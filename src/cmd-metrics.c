/* SPDX-License-Identifier: MIT */
/* Placeholder: replaced by the real 'metrics' command. */
#include "tshoot.h"

static const char usage[] = "usage: tshoot metrics\n";

static int run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fail("metrics", EXIT_UNAVAILABLE, "not implemented yet");
}

const struct command cmd_metrics = { "metrics", run, "(not yet available)", usage };
