/* SPDX-License-Identifier: MIT */
/* Placeholder: replaced by the real 'logs' command. */
#include "tshoot.h"

static const char usage[] = "usage: tshoot logs\n";

static int run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fail("logs", EXIT_UNAVAILABLE, "not implemented yet");
}

const struct command cmd_logs = { "logs", run, "(not yet available)", usage };
