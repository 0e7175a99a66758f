/* SPDX-License-Identifier: MIT */
/*
 * cmd-rules.c: `tshoot rules list | show ID | check [DIR] | alerts`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd-rules.h"
#include "rca/kb.h"
#include "rca/signatures.h"
#include "rules-dir.h"
#include "tshoot.h"

static const char usage[] =
    "usage: tshoot rules list [--rules DIR] [--json]\n"
    "       tshoot rules show ID [--rules DIR] [--json]\n"
    "       tshoot rules check [DIR]\n"
    "       tshoot rules alerts [OPTIONS]\n"
    "\n"
    "The knowledge base of failure modes (one YAML file per rule, see docs/rules.md).\n"
    "\n"
    "  list           every rule: id, category, title, number of signals\n"
    "  show ID        one rule in full: signals, what contradicts it, checks, fix, alerts\n"
    "  check [DIR]    validate rule files (default: the built-in rules); errors are FILE:LINE:COL\n"
    "  alerts         Prometheus alert rules from the knowledge base\n"
    "\n"
    "  -r, --rules DIR   also load user rules from DIR (they override built-in ids)\n"
    "  -j, --json        JSON output\n"
    "  -h, --help        this help\n"
    "\n"
    "Exit status: 0 ok, 1 'check' found invalid rules, 64 usage, 66 unknown rule id.\n";

__attribute__((weak)) int cmd_rules_alerts(int argc, char **argv)
{
    (void)argc;
    (void)argv;
    return fail("rules", EXIT_UNAVAILABLE, "'rules alerts' is not built into this binary");
}

static int load(const char *user, struct kb **kb)
{
    const char *dirs[2] = { builtin_rules_dir(), user };
    /* no built-in directory: the rules embedded in the binary */
    int r = dirs[0] ? kb_load(dirs, 2, kb) : kb_load_builtin(dirs + 1, 1, kb);
    if (r < 0) return fail_errno("rules", r, "cannot load rules from '%s'", user ? user : dirs[0]);
    for (size_t i = 0; i < (*kb)->n_errors; i++)
        warn("rules", "rule rejected: %s", (*kb)->errors[i]);
    return 0;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = { { "rules", required_argument, NULL, 'r' },
                                          { "json", no_argument, NULL, 'j' },
                                          { "help", no_argument, NULL, 'h' },
                                          {} };
    if (argc >= 2 && streq(argv[1], "alerts")) return cmd_rules_alerts(argc - 1, argv + 1);
    const char *user = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "r:jh", opts, NULL)) >= 0) {
        switch (c) {
        case 'r': user = optarg; break;
        case 'j': json = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: return usage_error("rules", "unknown option");
        }
    }
    if (optind >= argc)
        return usage_error("rules", "missing subcommand (list, show, check, alerts)");
    const char *sub = argv[optind];
    _cleanup_(kb_freep) struct kb *kb = NULL;
    if (streq(sub, "list")) {
        int r = load(user, &kb);
        if (r) return r;
        if (json) {
            json_t *a = json_array();
            for (size_t i = 0; i < kb->n_rules; i++)
                json_array_append_new(
                    a, json_pack("{s:s,s:s,s:s,s:i,s:s}", "id", kb->rules[i].id, "category",
                                 kb->rules[i].category, "title", kb->rules[i].title, "signals",
                                 (int)kb->rules[i].n_signals, "file", kb->rules[i].file));
            json_dumpf(a, stdout, JSON_INDENT(2));
            putchar('\n');
            json_decref(a);
            return 0;
        }
        printf("%-24s %-24s %-7s %s\n", "ID", "CATEGORY", "SIGNALS", "TITLE");
        for (size_t i = 0; i < kb->n_rules; i++)
            printf("%-24s %-24s %-7zu %s\n", kb->rules[i].id, kb->rules[i].category,
                   kb->rules[i].n_signals, kb->rules[i].title);
        return 0;
    }
    if (streq(sub, "show")) {
        if (optind + 1 >= argc) return usage_error("rules", "show needs a rule ID");
        int r = load(user, &kb);
        if (r) return r;
        json_t *j = kb_rule_json(kb, argv[optind + 1]);
        if (!j)
            return fail("rules", EXIT_NOINPUT, "unknown rule '%s' (see 'tshoot rules list')",
                        argv[optind + 1]);
        if (json) {
            json_dumpf(j, stdout, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            putchar('\n');
            json_decref(j);
            return 0;
        }
        const struct kb_rule *rule = kb_find(kb, argv[optind + 1]);
        printf("%s  [%s%s]\n%s\nfile: %s\n", rule->title, rule->category,
               rule->symptom ? ", symptom" : "", rule->summary ? rule->summary : "", rule->file);
        printf("\nsignals:\n");
        for (size_t i = 0; i < rule->n_signals; i++) {
            const struct kb_signal *s = &rule->signals[i];
            printf("  %.2f  %-28s %s\n", s->weight, s->name,
                   s->pattern   ? s->pattern
                   : s->finding ? s->finding
                   : s->metric  ? s->metric
                                : "(filesystem condition)");
        }
        if (rule->n_against) printf("\nagainst:\n");
        for (size_t i = 0; i < rule->n_against; i++)
            printf("  %.2f  %-28s %s\n", rule->against[i].weight, rule->against[i].name,
                   rule->against[i].why ? rule->against[i].why : "");
        if (rule->n_explains) {
            printf("\nexplains:");
            for (size_t i = 0; i < rule->n_explains; i++) printf(" %s", rule->explains[i]);
            printf("\n");
        }
        if (rule->n_checks) printf("\nnext checks:\n");
        for (size_t i = 0; i < rule->n_checks; i++)
            printf("  $ %s\n      %s\n", rule->checks[i].cmd,
                   rule->checks[i].why ? rule->checks[i].why : "");
        if (rule->mitigation) printf("\nmitigation: %s\n", rule->mitigation);
        if (rule->fix) printf("fix: %s\n", rule->fix);
        for (size_t i = 0; i < rule->n_prevention; i++)
            printf("alert %s: %s (for %s)\n", rule->prevention[i].alert, rule->prevention[i].expr,
                   rule->prevention[i].for_ ? rule->prevention[i].for_ : "5m");
        json_decref(j);
        return 0;
    }
    if (streq(sub, "check")) {
        const char *dir = optind + 1 < argc ? argv[optind + 1] : user ? user : builtin_rules_dir();
        const char *dirs[1] = { dir };
        /* no directory: check the rules embedded in the binary */
        int r = dir ? kb_load(dirs, 1, &kb) : kb_load_builtin(NULL, 0, &kb);
        if (r < 0) return fail_errno("rules", r, "cannot read '%s'", dir);
        for (size_t i = 0; i < kb->n_errors; i++) fprintf(stderr, "%s\n", kb->errors[i]);
        /* the patterns must also compile together into one database */
        _cleanup_(sigdb_freep) struct sigdb *db = NULL;
        _cleanup_free_ char *dberr = NULL;
        int ok = kb->n_errors == 0;
        if (kb->n_rules) {
            r = sigdb_build(kb, &db, &dberr);
            if (dberr) {
                fputs(dberr, stderr);
                ok = 0;
            }
            if (r < 0 && r != -EINVAL) return fail_errno("rules", r, "cannot compile patterns");
        }
        printf("%zu file%s, %zu rule%s loaded, %zu rejected\n", kb->n_files,
               kb->n_files == 1 ? "" : "s", kb->n_rules, kb->n_rules == 1 ? "" : "s", kb->n_errors);
        return ok ? 0 : EXIT_FINDINGS;
    }
    return usage_error("rules", "unknown subcommand '%s'", sub);
}

const struct command cmd_rules = { "rules", run,
                                   "list, show and check the knowledge base of failure modes",
                                   usage };
