/* SPDX-License-Identifier: MIT */
/*
 * cmd-diagnose.c: `tshoot diagnose BUNDLE | --logs FILE... | --live`.
 * All reasoning is in lib/rca/diagnose.c; this file parses options and
 * prints the hypotheses for people (or the JSON document with --json).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "rca/diagnose.h"
#include "cmd-logs.h"
#include "rules-dir.h"
#include "tshoot.h"

static const char usage[] =
    "usage: tshoot diagnose [OPTIONS] BUNDLE\n"
    "       tshoot diagnose [OPTIONS] --logs FILE [--logs FILE]... [FILE...]\n"
    "       tshoot diagnose [OPTIONS] --live\n"
    "       tshoot diagnose [OPTIONS] --journal-dir DIR | --journal-file FILE...\n"
    "\n"
    "Rank root-cause hypotheses with their evidence, from a bundle (directory or\n"
    ".tar.gz: host/*.json, logs/**, k8s/*.json, metrics/*.prom, notes.md,\n"
    "deps.yaml), loose log files, or this host.\n"
    "\n"
    "  -l, --logs FILE       diagnose this log file (repeatable; plain or .gz)\n"
    "      --live            collect this host and diagnose it (with its journal)\n"
    "      --journal-dir DIR     read the journal files in DIR (a copy of a node's\n"
    "                        /var/log/journal; replaces this host's journal)\n"
    "      --journal-file FILE   read this journal file (repeatable)\n"
    "      --unit UNIT       only this unit of the journal (web = web.service)\n"
    "  -r, --rules DIR       extra rules (*.yaml) on top of the built-in ones\n"
    "      --since DUR       ignore log lines older than DUR (e.g. 2h)\n"
    "      --prometheus URL  also read the series the rules' metric conditions use\n"
    "                        from this Prometheus over --since (default 1h) to now\n"
    "      --bearer-token-file F  Prometheus: send the first line of F as Bearer token\n"
    "      --ca-file F       Prometheus: trust the CA certificates in F (PEM)\n"
    "      --timeout DUR     Prometheus: per-request timeout (default 5s)\n"
    "  -n, --top N           hypotheses to print (default 5)\n"
    "  -j, --json            print the tshoot.diagnose/1 JSON document\n"
    "  -o, --output FILE     write to FILE instead of stdout\n"
    "  -h, --help            this help\n"
    "\n"
    "Exit status: 0 no hypothesis, 1 hypotheses found, 64 usage, 65 unreadable journal\n"
    "file, 66 missing input.\n";

static void print_wrapped(FILE *f, const char *indent, const char *text)
{
    fprintf(f, "%s%s\n", indent, text);
}

static void print_human(FILE *f, json_t *doc, unsigned long top, const struct palette *p)
{
    json_t *hyps = json_object_get(doc, "hypotheses");
    json_t *inputs = json_object_get(doc, "inputs");
    size_t nsrc = json_array_size(json_object_get(inputs, "sources"));
    json_t *unr = json_object_get(inputs, "unreadable");
    fprintf(f, "%stshoot diagnose%s: %zu source%s read", p->bold, p->reset, nsrc,
            nsrc == 1 ? "" : "s");
    if (json_array_size(unr))
        fprintf(f, ", %s%zu unreadable%s", p->yellow, json_array_size(unr), p->reset);
    fprintf(f, "\n");
    if (json_array_size(hyps) == 0) {
        fprintf(f, "\nNo failure mode of the knowledge base matches the evidence.\n");
    }
    size_t i;
    json_t *h;
    json_array_foreach(hyps, i, h)
    {
        if (i >= top) break;
        double score = json_real_value(json_object_get(h, "score"));
        const char *conf = json_string_value(json_object_get(h, "confidence"));
        const char *col = streq(conf, "high") ? p->red : streq(conf, "medium") ? p->yellow : p->dim;
        fprintf(f, "\n%s%zu. %s%s  %s[%s %.2f]%s  %s%s%s\n", p->bold, i + 1,
                json_string_value(json_object_get(h, "title")), p->reset, col, conf, score,
                p->reset, p->dim, json_string_value(json_object_get(h, "category")), p->reset);
        const char *subj = json_string_value(json_object_get(h, "subject"));
        if (subj && *subj) fprintf(f, "   %-10s %s\n", "where", subj);
        size_t k;
        json_t *x;
        json_t *ev = json_object_get(h, "evidence");
        if (json_array_size(ev)) fprintf(f, "   %sevidence%s\n", p->cyan, p->reset);
        json_array_foreach(ev, k, x)
        {
            if (k >= 6) break;
            json_int_t cnt = json_integer_value(json_object_get(x, "count"));
            fprintf(f, "     + %s%s%s", p->dim, json_string_value(json_object_get(x, "ref")),
                    p->reset);
            if (cnt > 1) fprintf(f, " (x%lld)", (long long)cnt);
            fprintf(f, "\n       %s\n", json_string_value(json_object_get(x, "text")));
        }
        json_t *ag = json_object_get(h, "against");
        json_array_foreach(ag, k, x)
        {
            if (k >= 3) break;
            fprintf(f, "     - %s%s%s %s\n", p->dim, json_string_value(json_object_get(x, "ref")),
                    p->reset, json_string_value(json_object_get(x, "text")));
        }
        json_t *ar = json_object_get(h, "arithmetic");
        if (json_array_size(ar)) fprintf(f, "   %sarithmetic%s\n", p->cyan, p->reset);
        json_array_foreach(ar, k, x) print_wrapped(f, "     ", json_string_value(x));
        json_t *ch = json_object_get(h, "chain");
        if (json_array_size(ch)) {
            fprintf(f, "   %schain%s\n", p->cyan, p->reset);
            json_array_foreach(ch, k, x)
                fprintf(f, "     %s %s\n", k ? "->" : "  ", json_string_value(x));
        }
        json_t *br = json_object_get(h, "blast_radius");
        if (json_array_size(br)) {
            fprintf(f, "   %-10s ", "affects");
            json_array_foreach(br, k, x) fprintf(f, "%s%s", k ? ", " : "", json_string_value(x));
            fprintf(f, "\n");
        }
        if (i >= 3) continue; /* advice for the top 3 */
        json_t *nc = json_object_get(h, "next_checks");
        if (json_array_size(nc)) fprintf(f, "   %snext checks%s\n", p->cyan, p->reset);
        json_array_foreach(nc, k, x)
        {
            if (k >= 4) break;
            fprintf(f, "     $ %s\n", json_string_value(json_object_get(x, "cmd")));
            const char *why = json_string_value(json_object_get(x, "why"));
            if (why && *why) fprintf(f, "       %s%s%s\n", p->dim, why, p->reset);
        }
        const char *mit = json_string_value(json_object_get(h, "mitigation"));
        const char *fix = json_string_value(json_object_get(h, "fix"));
        if (mit && *mit) fprintf(f, "   %s%-10s%s %s\n", p->green, "mitigate", p->reset, mit);
        if (fix && *fix) fprintf(f, "   %s%-10s%s %s\n", p->green, "fix", p->reset, fix);
        json_t *pv = json_object_get(h, "prevention");
        json_array_foreach(pv, k, x)
        {
            if (k >= 2) break;
            fprintf(f, "   %s%-10s%s alert %s: %s (for %s)\n", p->green, k ? "" : "prevent",
                    p->reset, json_string_value(json_object_get(x, "alert")),
                    json_string_value(json_object_get(x, "expr")),
                    json_string_value(json_object_get(x, "for")));
        }
    }
    json_t *tl = json_object_get(doc, "timeline");
    if (json_array_size(tl)) {
        fprintf(f, "\n%stimeline%s (first anomaly per source)\n", p->bold, p->reset);
        size_t k;
        json_t *x;
        json_array_foreach(tl, k, x)
        {
            if (k >= 12) break;
            const char *t = json_string_value(json_object_get(x, "time"));
            fprintf(f, "  %-20s %-12s %s: %.160s\n", t ? t : "(untimed)",
                    json_string_value(json_object_get(x, "kind")),
                    json_string_value(json_object_get(x, "source")),
                    json_string_value(json_object_get(x, "text")));
        }
    }
    size_t k;
    json_t *x;
    json_array_foreach(unr, k, x) fprintf(f, "%sunreadable%s %s: %s\n", p->yellow, p->reset,
                                          json_string_value(json_object_get(x, "path")),
                                          json_string_value(json_object_get(x, "reason")));
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = { { "logs", required_argument, NULL, 'l' },
                                          { "live", no_argument, NULL, 'L' },
                                          { "rules", required_argument, NULL, 'r' },
                                          { "since", required_argument, NULL, 's' },
                                          { "prometheus", required_argument, NULL, 'P' },
                                          { "bearer-token-file", required_argument, NULL, 'B' },
                                          { "ca-file", required_argument, NULL, 'C' },
                                          { "timeout", required_argument, NULL, 'T' },
                                          { "top", required_argument, NULL, 'n' },
                                          { "json", no_argument, NULL, 'j' },
                                          { "output", required_argument, NULL, 'o' },
                                          { "help", no_argument, NULL, 'h' },
                                          { "journal-dir", required_argument, NULL, 'D' },
                                          { "journal-file", required_argument, NULL, 'F' },
                                          { "unit", required_argument, NULL, 'U' },
                                          {} };
    struct diagnose_opts o = { 0 };
    const char *out = NULL;
    int json = 0;
    unsigned long top = 5;
    _cleanup_free_ const char **logs = calloc((size_t)argc + 1, sizeof(char *));
    _cleanup_free_ const char **jfiles = calloc((size_t)argc + 1, sizeof(char *));
    if (!logs || !jfiles) return fail_errno("diagnose", -ENOMEM, "out of memory");
    struct logs_query jq;
    logs_query_init(&jq);
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "l:r:n:jo:h", opts, NULL)) >= 0) {
        switch (c) {
        case 'l': logs[o.n_logs++] = optarg; break;
        case 'L': o.live = 1; break;
        case 'r': o.rules_dir = optarg; break;
        case 's': {
            int64_t d;
            if (ts_parse_duration(optarg, &d) < 0)
                return usage_error("diagnose", "bad --since '%s'", optarg);
            o.since_ns = ts_now() - d;
            break;
        }
        case 'P': o.prometheus_url = optarg; break;
        case 'B': o.prometheus_bearer_token_file = optarg; break;
        case 'C': o.prometheus_ca_file = optarg; break;
        case 'T': {
            int64_t d;
            if (ts_parse_duration(optarg, &d) < 0 || d <= 0)
                return usage_error("diagnose", "bad --timeout '%s'", optarg);
            o.prometheus_timeout_ms = d / 1000000 > 0 ? d / 1000000 : 1;
            break;
        }
        case 'n':
            if (parse_uint_opt("diagnose", "--top", optarg, 100, &top)) return EXIT_USAGE;
            break;
        case 'j': json = 1; break;
        case 'o': out = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        case 'D':
        case 'F':
            if (logs_journal_option("diagnose", &jq, jfiles, c == 'D', optarg)) return EXIT_USAGE;
            break;
        case 'U': jq.unit = optarg; break;
        default: return usage_error("diagnose", "unknown option");
        }
    }
    for (int i = optind; i < argc; i++) {
        if (o.n_logs == 0 && !o.bundle)
            o.bundle = argv[i];
        else
            logs[o.n_logs++] = argv[i];
    }
    if (o.bundle && o.n_logs) {
        /* "diagnose --logs a.log b.log": the first positional is a log too */
        memmove(logs + 1, logs, o.n_logs * sizeof(char *));
        logs[0] = o.bundle;
        o.n_logs++;
        o.bundle = NULL;
    }
    if (jq.unit && !jq.journal && !o.live)
        return usage_error("diagnose", "--unit needs --live, --journal-dir or --journal-file");
    if (!o.bundle && o.n_logs == 0 && !o.live && !jq.journal)
        return usage_error("diagnose", "give a BUNDLE, --logs FILE, --journal-dir DIR or --live");
    int jr = logs_journal_precheck("diagnose", &jq);
    if (jr) return jr;
    o.journal_dir = jq.journal_dir;
    o.journal_files = jq.journal_files;
    o.n_journal_files = jq.n_journal_files;
    o.journal_unit = jq.unit;
    o.logs = logs;
    o.builtin_rules_dir = builtin_rules_dir();
    json_t *doc = NULL;
    int r = diagnose_run(&o, &doc);
    if (r == -EOPNOTSUPP)
        return fail("diagnose", EXIT_UNAVAILABLE, "--live needs collect support, not built in");
    if (r < 0)
        return fail_errno("diagnose", r, "cannot diagnose '%s'",
                          o.bundle            ? o.bundle
                          : o.n_logs          ? o.logs[0]
                          : o.journal_dir     ? o.journal_dir
                          : o.n_journal_files ? o.journal_files[0]
                                              : "live host");
    json_t *rerr = json_object_get(doc, "rule_errors");
    size_t i;
    json_t *x;
    json_array_foreach(rerr, i, x) warn("diagnose", "rule rejected: %s", json_string_value(x));
    FILE *f = output_open(out);
    if (!f) {
        json_decref(doc);
        return fail_errno("diagnose", -errno, "cannot open '%s'", out);
    }
    if (json) {
        json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(4));
        fputc('\n', f);
    } else {
        struct palette p;
        palette_init(&p, use_color(f));
        print_human(f, doc, top, &p);
    }
    int found = json_array_size(json_object_get(doc, "hypotheses")) > 0;
    json_decref(doc);
    int w = output_close("diagnose", f, out);
    return w ? w : found ? EXIT_FINDINGS : 0;
}

const struct command cmd_diagnose = { "diagnose", run,
                                      "rank root-cause hypotheses with their evidence", usage };
