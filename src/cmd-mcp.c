/* SPDX-License-Identifier: MIT */
/*
 * cmd-mcp.c: `tshoot mcp`: serve tshoot's tools to an AI agent over the
 * Model Context Protocol (stdio transport). stdout carries protocol
 * messages only; diagnostics go to stderr.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "serve/mcp/mcp.h"
#include "rules-dir.h"
#include "tshoot.h"

static const char usage[] =
    "usage: tshoot mcp --root DIR [--root DIR ...] [OPTIONS]\n"
    "\n"
    "Serve tshoot's read-only tools (diagnose, collect, logs_errors, logs_patterns,\n"
    "explain_rule, alert_rules, report) to an AI agent over the Model Context\n"
    "Protocol on stdin/stdout (JSON-RPC 2.0, one message per line).\n"
    "\n"
    "  -r, --root DIR         allow reading below DIR (repeatable); every path argument\n"
    "                         must resolve inside a root, relative ones against the first\n"
    "      --no-live          refuse tools that read the live host (collect, live\n"
    "                         diagnose, the journal): only files under the roots\n"
    "      --rules DIR        extra knowledge-base rules on top of the built-in ones\n"
    "      --max-message N    largest accepted message in bytes (default 4194304)\n"
    "  -h, --help             this text\n"
    "\n"
    "Register it with an MCP client, e.g. .mcp.json:\n"
    "  "
    "{\"mcpServers\":{\"tshoot\":{\"command\":\"tshoot\",\"args\":[\"mcp\",\"--root\",\"/srv/"
    "incidents\"]}}}\n"
    "See docs/mcp.md.\n";

static int write_stdout(void *userdata, const char *msg, size_t len)
{
    (void)userdata;
    int r = write_all(STDOUT_FILENO, msg, len);
    if (r >= 0) r = write_all(STDOUT_FILENO, "\n", 1);
    return r;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "root", required_argument, NULL, 'r' },  { "no-live", no_argument, NULL, 'L' },
        { "rules", required_argument, NULL, 'R' }, { "max-message", required_argument, NULL, 'M' },
        { "help", no_argument, NULL, 'h' },        {},
    };
    const char *roots[64];
    size_t n_roots = 0;
    int allow_live = 1;
    const char *rules = NULL;
    unsigned long max_message = 0;
    int c;

    optind = 0;
    while ((c = getopt_long(argc, argv, "+r:h", opts, NULL)) != -1) {
        switch (c) {
        case 'r':
            if (n_roots >= ELEMENTSOF(roots)) return usage_error("mcp", "too many --root options");
            roots[n_roots++] = optarg;
            break;
        case 'L': allow_live = 0; break;
        case 'R': rules = optarg; break;
        case 'M':
            if (parse_uint_opt("mcp", "--max-message", optarg, 1ul << 30, &max_message))
                return EXIT_USAGE;
            if (max_message < 1024) return usage_error("mcp", "--max-message must be >= 1024");
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: return usage_error("mcp", "unknown option");
        }
    }
    if (optind < argc) return usage_error("mcp", "unexpected argument '%s'", argv[optind]);
    if (n_roots == 0) return usage_error("mcp", "at least one --root DIR is required");
    if (isatty(STDIN_FILENO))
        warn("mcp", "reading MCP messages from a terminal: this is meant for an MCP client");

    /* A client that goes away must not kill us with SIGPIPE mid-write. */
    signal(SIGPIPE, SIG_IGN);

    struct mcp_server_opts o = {
        .roots = roots,
        .n_roots = n_roots,
        .allow_live = allow_live,
        .rules_dir = rules,
        .builtin_rules_dir = builtin_rules_dir(),
        .max_message = max_message,
        .write = write_stdout,
    };
    _cleanup_(mcp_server_freep) struct mcp_server *s = NULL;
    size_t bad = 0;
    int r = mcp_server_new(&o, &s, &bad);
    if (r < 0) {
        if (r == -ENOMEM) return fail_errno("mcp", r, "cannot start");
        return fail_errno("mcp", r, "cannot use root '%s'", roots[bad]);
    }
    r = mcp_serve_fd(s, STDIN_FILENO);
    if (r == -EPIPE) return 0; /* the client closed its end: a normal way to stop */
    if (r < 0) return fail_errno("mcp", r, "transport failed");
    return 0;
}

const struct command cmd_mcp = { "mcp", run, "serve tshoot's tools to AI agents (MCP over stdio)",
                                 usage };
