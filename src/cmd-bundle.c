/* SPDX-License-Identifier: MIT */
/* Placeholder: replaced by the real 'bundle' command. */
#include "tshoot.h"

static const char usage[] = "usage: tshoot bundle\n";

static int run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fail("bundle", EXIT_UNAVAILABLE, "not implemented yet");
}

const struct command cmd_bundle = { "bundle", run, "(not yet available)", usage };
