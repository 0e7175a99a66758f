/* SPDX-License-Identifier: MIT */
/*
 * tshoot.h: the front end's shared pieces (command table entry, exit codes,
 * error printing, output files, colour). Everything here may print; nothing
 * in lib/ may.
 *
 * How to add a subcommand: write src/cmd-NAME.c defining
 * `const struct command cmd_NAME = { "NAME", run_fn, "summary", usage }`,
 * declare it below, and add it to commands[] in src/tshoot.c.
 */
#ifndef TSHOOT_FRONTEND_H
#define TSHOOT_FRONTEND_H

#include <stdbool.h>
#include <stdio.h>
#include "core/macro.h"

/* Exit codes (sysexits.h where one fits). */
enum {
    EXIT_OK = 0,
    EXIT_FINDINGS = 1, /* ran fine, found something (or --check warning) */
    EXIT_USAGE = 64,   /* bad command line */
    EXIT_DATAERR = 65, /* input malformed */
    EXIT_NOINPUT = 66, /* input missing or unreadable */
    EXIT_UNAVAILABLE = 69,
    EXIT_SOFTWARE = 70,
    EXIT_IOERR = 74,
};

struct command {
    const char *name;
    int (*run)(int argc, char **argv); /* argv[0] is the command name */
    const char *summary;               /* one line for `tshoot --help` */
    const char *usage;                 /* full text for `tshoot help NAME` */
};

extern const struct command cmd_collect;
extern const struct command cmd_logs;
extern const struct command cmd_diagnose;
extern const struct command cmd_rules;
extern const struct command cmd_bundle;
extern const struct command cmd_report;
extern const struct command cmd_watch;
extern const struct command cmd_metrics;
extern const struct command cmd_mcp;

/* "tshoot CMD: MESSAGE (see 'tshoot CMD --help')" on stderr; returns EXIT_USAGE. */
_printf_(2, 3) int usage_error(const char *cmd, const char *fmt, ...);
/* "tshoot CMD: MESSAGE: strerror(-r)" on stderr; returns an exit code that
 * fits the errno (66 for ENOENT/EACCES, 65 for EINVAL/EBADMSG, 74 for IO...).
 * When r is -ELIBACC (a library loaded on first use is missing, lib/dl/dl.h),
 * prints "tshoot CMD: " and dl_error() instead and returns 69. */
/* The exit code for a -errno: 66 missing input, 65 bad data, 74 I/O, 69 unavailable, else 70. */
int exit_for_errno(int r);
_printf_(3, 4) int fail_errno(const char *cmd, int r, const char *fmt, ...);
/* "tshoot CMD: MESSAGE" on stderr; returns code. */
_printf_(3, 4) int fail(const char *cmd, int code, const char *fmt, ...);
/* "tshoot CMD: warning: MESSAGE" on stderr. */
_printf_(2, 3) void warn(const char *cmd, const char *fmt, ...);

/* True when f is a terminal, NO_COLOR is unset or empty and TERM is not "dumb". */
bool use_color(FILE *f);

/* ANSI sequences, or "" when colour is off. */
struct palette {
    const char *bold, *dim, *red, *yellow, *green, *cyan, *reset;
};
void palette_init(struct palette *p, bool on);

/* Open -o FILE (NULL or "-" means stdout). */
FILE *output_open(const char *path);
/* Flush and close (stdout is flushed, not closed); reports write errors such
 * as ENOSPC. Returns 0 or an exit code. */
int output_close(const char *cmd, FILE *f, const char *path);

/* Parse a non-negative integer option; returns 0 or EXIT_USAGE (message printed). */
int parse_uint_opt(const char *cmd, const char *opt, const char *val, unsigned long max,
                   unsigned long *ret);

#endif
