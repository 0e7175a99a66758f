/* SPDX-License-Identifier: MIT */
/* Placeholder: replaced by the real 'watch' command. */
#include "tshoot.h"

static const char usage[] = "usage: tshoot watch\n";

static int run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fail("watch", EXIT_UNAVAILABLE, "not implemented yet");
}

const struct command cmd_watch = { "watch", run, "(not yet available)", usage };
