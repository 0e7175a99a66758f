/* SPDX-License-Identifier: MIT */
/*
 * cmd-logs.c: `tshoot logs errors|patterns ...`.
 *
 * `logs errors` prints the table (or --json) built by logs_errors_run();
 * `logs patterns` is handed to cmd_logs_patterns() (src/cmd-logs-patterns.c).
 */
#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cmd-logs.h"
#include "core/redact.h"
#include "logs/errors.h"
#include "logs/logs.h"
#include "rca/kb.h"
#include "dl/dl.h"
#include "rca/logsig.h"
#include "rca/signatures.h"
#include "rules-dir.h"
#include "tshoot.h"

static const char usage[] =
    "usage: tshoot logs errors [OPTIONS] [PATH...]\n"
    "       tshoot logs patterns [OPTIONS] [PATH...]\n"
    "\n"
    "Read logs (files, directories, '-' for stdin, .gz/.zst, rotated sets, the\n"
    "systemd journal) and show what matters.\n"
    "\n"
    "  errors     warnings and errors by template: counts per minute, the first\n"
    "             occurrence of every error, spikes against a baseline, templates\n"
    "             new in the window, spikes of different sources that start together,\n"
    "             known failure signatures of the knowledge base (rules/)\n"
    "  patterns   templates mined from every line\n"
    "\n"
    "Options of 'logs errors':\n"
    "  -s, --since WHEN   window start: RFC 3339 time or a duration back from now (2h);\n"
    "                     up to 24h before it is read as the baseline\n"
    "  -u, --until WHEN   window end (same forms)\n"
    "  -j, --journal      also read the systemd journal\n"
    "      --unit UNIT    journal unit filter (implies --journal; web = web.service)\n"
    "      --journal-dir DIR   read the journal files in DIR (journalctl -D: a copy\n"
    "                     of /var/log/journal) instead of this host's journal\n"
    "      --journal-file FILE read this journal file (repeatable, read together)\n"
    "  -n, --max N        items per list (default 50)\n"
    "      --max-line N   line cap in bytes (default 65536; longer lines are cut)\n"
    "      --json         print the tshoot.logs.errors/1 document (docs/logs.md)\n"
    "  -o, --output FILE  write to FILE instead of stdout\n"
    "      --threads N    worker threads for several inputs (default: one per core, max 4)\n"
    "  -r, --rules DIR    extra rules (*.yaml) on top of the built-in ones\n"
    "      --no-rules     do not match the knowledge base's failure signatures\n"
    "      --no-progress  never show progress on stderr\n"
    "\n"
    "Exit status of 'logs errors': 0 no errors found, 1 errors found, 64 usage,\n"
    "65 unreadable journal file, 66 missing input.\n"
    "\n"
    "Options of 'logs patterns':\n"
    "      --per-line           exactly one template per input line, in order\n"
    "      --json               the tshoot.patterns/1 document\n"
    "      --max N              templates to show (default 50, 0 = all)\n"
    "      --max-templates N    templates kept in memory (default 10000)\n"
    "      --journal, --unit U, --journal-dir DIR, --journal-file FILE,\n"
    "      --since T, --until T, -o FILE: as above\n"
    "\n"
    "See docs/logs.md for formats, timestamps and the JSON documents.\n";

int logs_parse_when(const char *s, ts_time_t now, ts_time_t *ret)
{
    if (!s || !*s) return -EINVAL;
    size_t n = strlen(s);
    ts_time_t t;
    if (log_parse_time(s, n, 0, &t) == n) {
        *ret = t;
        return 0;
    }
    if (streq(s, "now")) {
        *ret = now;
        return 0;
    }
    int64_t d;
    const char *p = s[0] == '-' ? s + 1 : s;
    if (ts_parse_duration(p, &d) == 0 && d >= 0) {
        *ret = now - d;
        return 0;
    }
    return -EINVAL;
}

int logs_journal_option(const char *cmd, struct logs_query *q, const char **files, int dir,
                        const char *arg)
{
    if (dir) {
        if (q->journal_dir) return usage_error(cmd, "--journal-dir given twice");
        q->journal_dir = arg;
    } else {
        files[q->n_journal_files++] = arg;
        q->journal_files = files;
    }
    q->journal = 1;
    return 0;
}

/* A journal that cannot be read is missing (66) or bad data (65), never an
 * internal error unless memory ran out. */
static int journal_exit_code(int r)
{
    int c = exit_for_errno(r);
    return c == EXIT_SOFTWARE && r != -ENOMEM ? EXIT_DATAERR : c;
}

int logs_journal_precheck(const char *cmd, const struct logs_query *q)
{
    char why[512];
    int r;
    if (q->journal_dir && (r = log_journal_check(q->journal_dir, 1, why, sizeof why)) < 0)
        return fail(cmd, journal_exit_code(r), "cannot read the journal directory '%s': %s",
                    q->journal_dir, why);
    size_t bad = 0;
    for (size_t i = 0; i < q->n_journal_files; i++)
        if (log_journal_check(q->journal_files[i], 0, NULL, 0) < 0) bad++;
    for (size_t i = 0; bad && i < q->n_journal_files; i++) {
        r = log_journal_check(q->journal_files[i], 0, why, sizeof why);
        if (r == 0) continue;
        if (bad < q->n_journal_files || q->journal_dir)
            warn(cmd, "journal file '%s': %s, skipped", q->journal_files[i], why);
        else if (bad == 1)
            return fail(cmd, journal_exit_code(r), "cannot read the journal file '%s': %s",
                        q->journal_files[i], why);
        else
            return fail(cmd, journal_exit_code(r),
                        "no readable journal file: '%s': %s (and %zu more)", q->journal_files[i],
                        why, bad - 1);
    }
    return 0;
}

struct progress {
    int64_t t0;
    int shown;
};
static struct progress prog;

static void progress_cb(void *userdata, uint64_t bytes, uint64_t disk_done, uint64_t disk_total)
{
    struct progress *p = userdata;
    int64_t el = ts_mono_ns() - p->t0;
    if (el < TS_NSEC_PER_SEC) return;
    double secs = (double)el / 1e9, rate = (double)bytes / secs / 1e6;
    char eta[64] = "";
    if (disk_total > 0 && disk_done > 0 && disk_done <= disk_total) {
        double left = (double)(disk_total - disk_done) / ((double)disk_done / secs);
        snprintf(eta, sizeof(eta), ", %.0f%%, ETA %.0fs", 100.0 * disk_done / disk_total, left);
    }
    fprintf(stderr, "\r\033[Ktshoot logs: %.1f MB read, %.0f MB/s%s", (double)bytes / 1e6, rate,
            eta);
    fflush(stderr);
    p->shown = 1;
}

void logs_progress_setup(struct logs_query *q)
{
    if (!isatty(STDERR_FILENO)) return;
    prog = (struct progress){ .t0 = ts_mono_ns() };
    q->progress = progress_cb;
    q->progress_userdata = &prog;
}

void logs_progress_done(struct logs_query *q)
{
    if (q->progress && prog.shown) {
        fprintf(stderr, "\r\033[K");
        fflush(stderr);
    }
    prog.shown = 0;
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "-";
}

static json_int_t jint(json_t *o, const char *k)
{
    return json_integer_value(json_object_get(o, k));
}

/* "2026-04-18T10:00:00.123Z" -> "2026-04-18 10:00:00" */
static const char *short_time(const char *s, char *b, size_t n)
{
    if (!s || strlen(s) < 19) return "-";
    snprintf(b, n, "%.10s %.8s", s, s + 11);
    return b;
}

static void print_clipped(FILE *f, const char *s, size_t width)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n && i < width; i++) {
        unsigned char c = (unsigned char)s[i];
        fputc(c < 0x20 || c == 0x7f ? '?' : c, f);
    }
    if (n > width) fputs("...", f);
}

static void print_human(FILE *f, json_t *doc, const struct palette *pal)
{
    json_t *tot = json_object_get(doc, "totals"), *in = json_object_get(doc, "inputs"),
           *win = json_object_get(doc, "window");
    char b1[32], b2[32];
    fprintf(f, "%s%lld lines%s in %lld files, %s%lld errors%s, %s%lld warnings%s, %lld templates",
            pal->bold, (long long)jint(tot, "lines"), pal->reset, (long long)jint(in, "files"),
            pal->red, (long long)jint(tot, "errors"), pal->reset, pal->yellow,
            (long long)jint(tot, "warnings"), pal->reset, (long long)jint(tot, "templates"));
    fprintf(f, " (%s .. %s)\n", short_time(jstr(win, "first"), b1, sizeof(b1)),
            short_time(jstr(win, "last"), b2, sizeof(b2)));
    if (jint(in, "untimed") || jint(in, "truncated") || jint(in, "skipped_binary") ||
        jint(in, "skipped_symlink"))
        fprintf(f,
                "%s%lld untimed, %lld truncated, %lld binary files skipped, %lld symlinks "
                "not followed%s\n",
                pal->dim, (long long)jint(in, "untimed"), (long long)jint(in, "truncated"),
                (long long)jint(in, "skipped_binary"), (long long)jint(in, "skipped_symlink"),
                pal->reset);
    size_t i;
    json_t *v;
    json_t *probs = json_object_get(in, "problems");
    json_array_foreach(probs, i, v)
    {
        if (i == 10) {
            fprintf(f, "%s... and %zu more problems (see --json)%s\n", pal->dim,
                    json_array_size(probs) - 10, pal->reset);
            break;
        }
        fprintf(f, "%sproblem:%s ", pal->yellow, pal->reset);
        print_clipped(f, json_string_value(v) ? json_string_value(v) : "", 200);
        fputc('\n', f);
    }
    json_t *sg = json_object_get(doc, "signatures");
    if (json_array_size(sg)) {
        fprintf(f, "\n%sKnown failure signatures%s\n", pal->bold, pal->reset);
        json_array_foreach(sg, i, v)
        {
            fprintf(f, "  %s%-24s%s %-20s %8lld  %-19s  ", pal->red, jstr(v, "rule"), pal->reset,
                    jstr(v, "category"), (long long)jint(v, "count"),
                    short_time(jstr(v, "first"), b1, sizeof(b1)));
            print_clipped(f, jstr(v, "signal"), 40);
            fprintf(f, "  %s%s%s\n    ", pal->dim, jstr(v, "first_ref"), pal->reset);
            print_clipped(f, jstr(v, "example"), 120);
            fputc('\n', f);
        }
    }
    json_t *tm = json_object_get(doc, "templates");
    if (json_array_size(tm) == 0) {
        fprintf(f, "%sno warnings or errors found%s\n", pal->green, pal->reset);
        return;
    }
    fprintf(f, "\n%s%-5s %-5s %8s  %-19s  %-24s %s%s\n", pal->bold, "ID", "LEVEL", "COUNT", "FIRST",
            "SOURCE", "TEMPLATE", pal->reset);
    json_array_foreach(tm, i, v)
    {
        const char *lv = jstr(v, "level");
        const char *col = (streq(lv, "error") || streq(lv, "crit")) ? pal->red : pal->yellow;
        const char *src = jstr(v, "source");
        size_t sl = strlen(src);
        const char *ssrc = sl > 24 ? src + sl - 24 : src;
        fprintf(f, "%-5s %s%-5s%s %8lld  %-19s  %-24s ", jstr(v, "id"), col, lv, pal->reset,
                (long long)jint(v, "count"),
                short_time(jstr(json_object_get(v, "first"), "time"), b1, sizeof(b1)), ssrc);
        if (json_is_true(json_object_get(v, "new"))) fprintf(f, "%sNEW%s ", pal->cyan, pal->reset);
        if (json_array_size(json_object_get(v, "spikes")))
            fprintf(f, "%sSPIKE%s ", pal->red, pal->reset);
        print_clipped(f, jstr(v, "template"), 100);
        fputc('\n', f);
    }
    json_t *fe = json_object_get(doc, "first_errors");
    if (json_array_size(fe)) {
        fprintf(f, "\n%sFirst occurrence of each error%s\n", pal->bold, pal->reset);
        json_array_foreach(fe, i, v)
        {
            fprintf(f, "  %-19s  %s%s:%lld%s  %-5s ", short_time(jstr(v, "time"), b1, sizeof(b1)),
                    pal->dim, jstr(v, "source"), (long long)jint(v, "line"), pal->reset,
                    jstr(v, "template_id"));
            print_clipped(f, jstr(v, "example"), 120);
            fputc('\n', f);
        }
    }
    json_t *nw = json_object_get(doc, "new_templates");
    if (json_array_size(nw)) {
        fprintf(f, "\n%sNew in the window%s\n", pal->bold, pal->reset);
        json_array_foreach(nw, i, v)
        {
            fprintf(f, "  %-5s %s%s%s: ", jstr(v, "template_id"), pal->cyan, jstr(v, "text"),
                    pal->reset);
            print_clipped(f, jstr(v, "template"), 100);
            fputc('\n', f);
        }
    }
    json_t *sp = json_object_get(doc, "spikes");
    if (json_array_size(sp)) {
        fprintf(f, "\n%sSpikes%s\n", pal->bold, pal->reset);
        json_array_foreach(sp, i, v)
        {
            fprintf(f, "  %-19s  %-5s peak %lld/min (baseline %.1f, z %.1f) %s  ",
                    short_time(jstr(v, "start"), b1, sizeof(b1)), jstr(v, "template_id"),
                    (long long)jint(v, "peak"),
                    json_real_value(json_object_get(v, "baseline_median")),
                    json_real_value(json_object_get(v, "z")), jstr(v, "source"));
            print_clipped(f, jstr(v, "template"), 80);
            fputc('\n', f);
        }
    }
    json_t *co = json_object_get(doc, "correlated");
    if (json_array_size(co)) {
        fprintf(f, "\n%sSpikes that start together%s\n", pal->bold, pal->reset);
        json_array_foreach(co, i, v)
        {
            fprintf(f, "  %s:", short_time(jstr(v, "start"), b1, sizeof(b1)));
            size_t k;
            json_t *m;
            json_array_foreach(json_object_get(v, "spikes"), k, m)
                fprintf(f, " %s(%s)", jstr(m, "template_id"), jstr(m, "source"));
            fputc('\n', f);
        }
    }
}

/* The knowledge base (built-in rules plus --rules DIR) as a signature
 * matcher. Returns 0 (*ret_ls NULL when no rule has a log signal) or an exit
 * status after printing one error line. */
static int load_signatures(const char *user, struct kb **ret_kb, struct sigdb **ret_db,
                           struct rca_logsigs **ret_ls)
{
    const char *dirs[2] = { builtin_rules_dir(), user };
    /* no built-in directory: the rules embedded in the binary */
    int r = dirs[0] ? kb_load(dirs, 2, ret_kb) : kb_load_builtin(dirs + 1, 1, ret_kb);
    if (r < 0) return fail_errno("logs", r, "cannot load rules from '%s'", user ? user : dirs[0]);
    for (size_t i = 0; i < (*ret_kb)->n_errors; i++)
        warn("logs", "rule rejected: %s", (*ret_kb)->errors[i]);
    if ((*ret_kb)->n_rules == 0) return 0;
    _cleanup_free_ char *dberr = NULL;
    r = sigdb_build(*ret_kb, ret_db, &dberr);
    if (dberr) warn("logs", "%s", dberr);
    if (r == -EINVAL) return 0; /* no log pattern at all */
    if (r < 0) return fail_errno("logs", r, "cannot compile the rules' log patterns");
    r = rca_logsigs_new(*ret_kb, *ret_db, ret_ls);
    if (r < 0) return fail_errno("logs", r, "cannot prepare the rules' log patterns");
    return 0;
}

static int run_errors(int argc, char **argv)
{
    enum {
        OPT_JSON = 256,
        OPT_UNIT,
        OPT_MAXLINE,
        OPT_NOPROG,
        OPT_THREADS,
        OPT_NORULES,
        OPT_JDIR,
        OPT_JFILE
    };
    static const struct option opts[] = {
        { "since", required_argument, NULL, 's' },
        { "until", required_argument, NULL, 'u' },
        { "journal", no_argument, NULL, 'j' },
        { "unit", required_argument, NULL, OPT_UNIT },
        { "max", required_argument, NULL, 'n' },
        { "max-line", required_argument, NULL, OPT_MAXLINE },
        { "json", no_argument, NULL, OPT_JSON },
        { "output", required_argument, NULL, 'o' },
        { "no-progress", no_argument, NULL, OPT_NOPROG },
        { "threads", required_argument, NULL, OPT_THREADS },
        { "rules", required_argument, NULL, 'r' },
        { "no-rules", no_argument, NULL, OPT_NORULES },
        { "journal-dir", required_argument, NULL, OPT_JDIR },
        { "journal-file", required_argument, NULL, OPT_JFILE },
        {},
    };
    struct logs_query q;
    logs_query_init(&q);
    _cleanup_free_ const char **jfiles = calloc((size_t)argc + 1, sizeof(char *));
    if (!jfiles) return fail_errno("logs", -ENOMEM, "out of memory");
    const char *out = NULL, *rules = NULL;
    int noprog = 0, norules = 0, c;
    ts_time_t now = ts_now();
    unsigned long v;
    optind = 1;
    while ((c = getopt_long(argc, argv, "s:u:jn:o:r:", opts, NULL)) >= 0) {
        switch (c) {
        case 's':
            if (logs_parse_when(optarg, now, &q.since) < 0)
                return usage_error("logs", "invalid --since '%s'", optarg);
            break;
        case 'u':
            if (logs_parse_when(optarg, now, &q.until) < 0)
                return usage_error("logs", "invalid --until '%s'", optarg);
            break;
        case 'j': q.journal = 1; break;
        case OPT_UNIT:
            q.journal = 1;
            q.unit = optarg;
            break;
        case 'n':
            if (parse_uint_opt("logs", "--max", optarg, 100000, &v)) return EXIT_USAGE;
            q.max_items = v;
            break;
        case OPT_MAXLINE:
            if (parse_uint_opt("logs", "--max-line", optarg, 256ul << 20, &v)) return EXIT_USAGE;
            if (v < 64) return usage_error("logs", "--max-line must be at least 64");
            q.max_line = v;
            break;
        case OPT_JSON: q.json = 1; break;
        case 'o': out = optarg; break;
        case OPT_NOPROG: noprog = 1; break;
        case 'r': rules = optarg; break;
        case OPT_NORULES: norules = 1; break;
        case OPT_JDIR:
        case OPT_JFILE:
            if (logs_journal_option("logs", &q, jfiles, c == OPT_JDIR, optarg)) return EXIT_USAGE;
            break;
        case OPT_THREADS:
            if (parse_uint_opt("logs", "--threads", optarg, 16, &v)) return EXIT_USAGE;
            q.threads = (int)v;
            break;
        default: return usage_error("logs", "invalid option");
        }
    }
    if (q.since != TS_TIME_NONE && q.until != TS_TIME_NONE && q.until < q.since)
        return usage_error("logs", "--until is before --since");
    if (rules && norules) return usage_error("logs", "--rules and --no-rules exclude each other");
    q.paths = (const char **)argv + optind;
    q.n_paths = (size_t)(argc - optind);
    if (q.n_paths == 0 && !q.journal) {
        if (isatty(STDIN_FILENO))
            return usage_error("logs", "no input: give files, directories, '-' or --journal");
        static const char *stdin_path[] = { "-" };
        q.paths = stdin_path;
        q.n_paths = 1;
    }
    for (size_t i = 0; i < q.n_paths; i++)
        if (!streq(q.paths[i], "-") && access(q.paths[i], F_OK) < 0)
            return fail_errno("logs", -errno, "cannot open '%s'", q.paths[i]);
    int jr = logs_journal_precheck("logs", &q);
    if (jr) return jr;
    _cleanup_(kb_freep) struct kb *kb = NULL;
    _cleanup_(sigdb_freep) struct sigdb *db = NULL;
    _cleanup_(rca_logsigs_freep) struct rca_logsigs *ls = NULL;
    if (!norules) {
        int rr = load_signatures(rules, &kb, &db, &ls);
        if (rr) return rr;
        if (ls) q.sigs = rca_logsigs_get(ls);
    }
    if (!noprog) logs_progress_setup(&q);
    json_t *doc = NULL;
    int r = logs_errors_run(&q, &doc);
    logs_progress_done(&q);
    if (r < 0) return fail_errno("logs", r, "cannot read logs");
    /* an input that needs a missing library (the journal) is a listed problem */
    if (dl_error()) warn("logs", "%s", dl_error());
    FILE *f = output_open(out);
    if (!f) {
        json_decref(doc);
        return fail_errno("logs", -errno, "cannot open '%s'", out);
    }
    if (q.json) {
        json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
        fputc('\n', f);
    } else {
        struct palette pal;
        palette_init(&pal, use_color(f));
        print_human(f, doc, &pal);
    }
    json_t *in = json_object_get(doc, "inputs");
    json_t *pr = json_object_get(in, "problems");
    if (!q.json && f != stdout) {
        size_t i;
        json_t *p;
        json_array_foreach(pr, i, p)
        {
            if (i == 10) {
                warn("logs", "%zu more input problems in the report", json_array_size(pr) - 10);
                break;
            }
            warn("logs", "%s", json_string_value(p));
        }
    }
    int found = jint(json_object_get(doc, "totals"), "errors") > 0;
    json_decref(doc);
    int w = output_close("logs", f, out);
    if (w) return w;
    return found ? EXIT_FINDINGS : EXIT_OK;
}

static int run(int argc, char **argv)
{
    if (argc < 2) return usage_error("logs", "missing subcommand (errors or patterns)");
    if (streq(argv[1], "errors")) return run_errors(argc - 1, argv + 1);
    if (streq(argv[1], "patterns")) return cmd_logs_patterns(argc - 1, argv + 1);
    return usage_error("logs", "unknown subcommand '%s'", argv[1]);
}

const struct command cmd_logs = { "logs", run,
                                  "warnings and errors by template, spikes, new templates; "
                                  "template mining",
                                  usage };
