/* SPDX-License-Identifier: MIT */
/* Placeholder: replaced by the real 'rules' command. */
#include "tshoot.h"

static const char usage[] = "usage: tshoot rules\n";

static int run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fail("rules", EXIT_UNAVAILABLE, "not implemented yet");
}

const struct command cmd_rules = { "rules", run, "(not yet available)", usage };
