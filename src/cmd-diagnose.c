/* SPDX-License-Identifier: MIT */
/* Placeholder: replaced by the real 'diagnose' command. */
#include "tshoot.h"

static const char usage[] = "usage: tshoot diagnose\n";

static int run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fail("diagnose", EXIT_UNAVAILABLE, "not implemented yet");
}

const struct command cmd_diagnose = { "diagnose", run, "(not yet available)", usage };
