/* SPDX-License-Identifier: MIT */
/* Placeholder: replaced by the real 'collect' command. */
#include "tshoot.h"

static const char usage[] = "usage: tshoot collect\n";

static int run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fail("collect", EXIT_UNAVAILABLE, "not implemented yet");
}

const struct command cmd_collect = { "collect", run, "(not yet available)", usage };
