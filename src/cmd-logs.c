/* SPDX-License-Identifier: MIT */
/* Placeholder dispatcher (the logread branch owns the real one): only
 * `tshoot logs patterns` is wired here. */
#include "cmd-logs.h"
#include "tshoot.h"

static const char usage[] = "usage: tshoot logs patterns [OPTIONS] [FILE|DIR|-]...\n";

static int run(int argc, char **argv)
{
    if (argc >= 2 && streq(argv[1], "patterns")) return cmd_logs_patterns(argc - 1, argv + 1);
    if (argc >= 2 && (streq(argv[1], "--help") || streq(argv[1], "-h"))) {
        fputs(usage, stdout);
        return 0;
    }
    return fail("logs", EXIT_UNAVAILABLE, "not implemented yet");
}

const struct command cmd_logs = { "logs", run, "read logs, mine templates", usage };
