/* SPDX-License-Identifier: MIT */
/* Placeholder: replaced by the real 'mcp' command. */
#include "tshoot.h"

static const char usage[] = "usage: tshoot mcp\n";

static int run(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fail("mcp", EXIT_UNAVAILABLE, "not implemented yet");
}

const struct command cmd_mcp = { "mcp", run, "(not yet available)", usage };
