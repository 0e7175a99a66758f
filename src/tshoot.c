/* SPDX-License-Identifier: MIT */
/*
 * tshoot.c: main() and the command table. Each subcommand lives in its own
 * src/cmd-NAME.c; this file only dispatches, answers --help/--version, and
 * checks that stdout was written completely before exiting.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "tshoot.h"

static const struct command *const commands[] = {
    &cmd_collect, &cmd_logs,  &cmd_diagnose, &cmd_rules, &cmd_bundle,
    &cmd_report,  &cmd_watch, &cmd_metrics,  &cmd_mcp,
};

static const struct command *find_command(const char *name)
{
    for (size_t i = 0; i < ELEMENTSOF(commands); i++)
        if (streq(commands[i]->name, name)) return commands[i];
    return NULL;
}

static void print_main_usage(FILE *f)
{
    fprintf(f, "usage: tshoot [--version] [--help] COMMAND [ARGS]\n\n"
               "Find what is broken, why, and how to stop it happening again.\n"
               "Read-only by default; secrets are redacted in everything it writes.\n\n"
               "Commands:\n");
    for (size_t i = 0; i < ELEMENTSOF(commands); i++)
        fprintf(f, "  %-10s %s\n", commands[i]->name, commands[i]->summary);
    fprintf(f, "\nSee 'tshoot help COMMAND' for the options of one command.\n");
}

static int check_stdout(void)
{
    if (fflush(stdout) != 0 || ferror(stdout)) {
        int e = errno ? errno : EIO;
        fprintf(stderr, "tshoot: error writing output: %s\n", strerror(e));
        return EXIT_IOERR;
    }
    return 0;
}

static int run(int argc, char **argv)
{
    if (argc < 2) {
        print_main_usage(stderr);
        return EXIT_USAGE;
    }
    const char *name = argv[1];
    if (streq(name, "--help") || streq(name, "-h")) {
        print_main_usage(stdout);
        return 0;
    }
    if (streq(name, "--version") || streq(name, "version")) {
        printf("tshoot %s\n", TSHOOT_VERSION);
        return 0;
    }
    if (streq(name, "help")) {
        if (argc < 3) {
            print_main_usage(stdout);
            return 0;
        }
        const struct command *c = find_command(argv[2]);
        if (!c) {
            fprintf(stderr, "tshoot: unknown command '%s' (see 'tshoot --help')\n", argv[2]);
            return EXIT_USAGE;
        }
        fputs(c->usage, stdout);
        return 0;
    }
    const struct command *c = find_command(name);
    if (!c) {
        fprintf(stderr, "tshoot: unknown command '%s' (see 'tshoot --help')\n", name);
        return EXIT_USAGE;
    }
    for (int i = 2; i < argc; i++) {
        if (streq(argv[i], "--")) break;
        if (streq(argv[i], "--help") || streq(argv[i], "-h")) {
            fputs(c->usage, stdout);
            return 0;
        }
    }
    return c->run(argc - 1, argv + 1);
}

int main(int argc, char **argv)
{
    int r = run(argc, argv);
    int w = check_stdout();
    return r ? r : w;
}
