/* SPDX-License-Identifier: MIT */
/*
 * cmd-logs-patterns.c: `tshoot logs patterns`: the templates of a set of logs
 * (human table, --json, or --per-line for benchmarks and pipelines).
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "cmd-logs.h"
#include "core/redact.h"
#include "logs/logs.h"
#include "logs/patterns.h"
#include "tshoot.h"

static const char usage[] =
    "usage: tshoot logs patterns [OPTIONS] [FILE|DIR|-]...\n"
    "\n"
    "Mine log templates online: variables (numbers, ids, addresses, paths, times)\n"
    "become <*>; each template shows its count, first/last time, an example line\n"
    "(redacted) and its sources. Reads stdin when no path is given.\n"
    "\n"
    "  --per-line           print exactly one template per input line, in order;\n"
    "                       lines are taken as bare messages (no header parsing)\n"
    "  --json               print the JSON document (schema tshoot.patterns/1)\n"
    "  --max N              templates to show (default 50, 0 = all)\n"
    "  --max-templates N    templates kept in memory (default 10000)\n"
    "  --threads N          worker threads for several inputs (default: the CPUs\n"
    "                       available, at most 8; max 16; 1 = one thread)\n"
    "  --journal            also read the systemd journal (--unit U to filter)\n"
    "  --journal-dir DIR    read the journal files in DIR instead (journalctl -D)\n"
    "  --journal-file FILE  read this journal file instead (repeatable)\n"
    "  --since T, --until T absolute time or duration ago (2h)\n"
    "  --no-progress        never show progress on stderr\n"
    "  -o FILE              write the output to FILE\n"
    "  -h, --help           this text\n";

struct file_writer {
    FILE *f;
};

static int write_file(void *ud, const char *s, size_t n)
{
    struct file_writer *w = ud;
    if (fwrite(s, 1, n, w->f) != n) return errno ? -errno : -EIO;
    return 0;
}

static void print_table(FILE *f, json_t *doc, const struct palette *pal)
{
    json_t *ts = json_object_get(doc, "templates");
    fprintf(f, "%s%lld lines, %lld templates", pal->bold,
            (long long)json_integer_value(json_object_get(doc, "lines")),
            (long long)json_integer_value(json_object_get(doc, "templates_total")));
    long long ev = json_integer_value(json_object_get(doc, "evictions"));
    if (ev) fprintf(f, " (%lld evicted)", ev);
    fprintf(f, "%s\n", pal->reset);
    size_t i;
    json_t *t;
    json_array_foreach(ts, i, t)
    {
        const char *first = json_string_value(json_object_get(t, "first"));
        const char *last = json_string_value(json_object_get(t, "last"));
        fprintf(f, "\n%s%8lld%s  %s%s%s\n", pal->cyan,
                (long long)json_integer_value(json_object_get(t, "count")), pal->reset, pal->bold,
                json_string_value(json_object_get(t, "template")), pal->reset);
        if (first)
            fprintf(f, "          %sfirst %s  last %s%s\n", pal->dim, first, last, pal->reset);
        fprintf(f, "          %se.g. %s%s\n", pal->dim,
                json_string_value(json_object_get(t, "example")), pal->reset);
        json_t *src = json_object_get(t, "sources");
        if (json_array_size(src)) {
            fprintf(f, "          %sfrom", pal->dim);
            size_t k;
            json_t *s;
            json_array_foreach(src, k, s) fprintf(f, " %s", json_string_value(s));
            if (json_is_true(json_object_get(t, "more_sources"))) fprintf(f, " ...");
            fprintf(f, "%s\n", pal->reset);
        }
    }
    json_t *errs = json_object_get(doc, "errors");
    json_array_foreach(errs, i, t) fprintf(stderr, "tshoot logs: %s\n", json_string_value(t));
}

int cmd_logs_patterns(int argc, char **argv)
{
    enum {
        OPT_PER_LINE = 256,
        OPT_JSON,
        OPT_MAX,
        OPT_MAXT,
        OPT_JOURNAL,
        OPT_UNIT,
        OPT_SINCE,
        OPT_UNTIL,
        OPT_NOPROG,
        OPT_JDIR,
        OPT_JFILE,
        OPT_THREADS
    };
    static const struct option opts[] = {
        { "per-line", no_argument, NULL, OPT_PER_LINE },
        { "json", no_argument, NULL, OPT_JSON },
        { "max", required_argument, NULL, OPT_MAX },
        { "max-templates", required_argument, NULL, OPT_MAXT },
        { "journal", no_argument, NULL, OPT_JOURNAL },
        { "unit", required_argument, NULL, OPT_UNIT },
        { "since", required_argument, NULL, OPT_SINCE },
        { "until", required_argument, NULL, OPT_UNTIL },
        { "no-progress", no_argument, NULL, OPT_NOPROG },
        { "journal-dir", required_argument, NULL, OPT_JDIR },
        { "journal-file", required_argument, NULL, OPT_JFILE },
        { "threads", required_argument, NULL, OPT_THREADS },
        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    struct logs_query q;
    logs_query_init(&q);
    struct patterns_opts po = { 0 };
    const char *out_path = NULL;
    int json = 0, noprog = 0, c, r;
    unsigned long v;
    q.max_items = 50;
    _cleanup_free_ const char **jfiles = calloc((size_t)argc + 1, sizeof(char *));
    if (!jfiles) return fail_errno("logs", -ENOMEM, "out of memory");
    optind = 1;
    while ((c = getopt_long(argc, argv, "ho:", opts, NULL)) != -1) {
        switch (c) {
        case 'h': fputs(usage, stdout); return 0;
        case 'o': out_path = optarg; break;
        case OPT_PER_LINE: q.per_line = 1; break;
        case OPT_JSON: json = 1; break;
        case OPT_MAX:
            if ((r = parse_uint_opt("logs", "--max", optarg, 1000000000, &v))) return r;
            q.max_items = v ? v : SIZE_MAX;
            break;
        case OPT_MAXT:
            if ((r = parse_uint_opt("logs", "--max-templates", optarg, 16000000, &v))) return r;
            if (v < 16) return usage_error("logs", "--max-templates must be at least 16");
            po.max_templates = v;
            break;
        case OPT_JOURNAL: q.journal = 1; break;
        case OPT_UNIT:
            q.journal = 1;
            q.unit = optarg;
            break;
        case OPT_SINCE:
            if (logs_parse_when(optarg, ts_now(), &q.since) < 0)
                return usage_error("logs", "--since '%s' is neither a time nor a duration", optarg);
            break;
        case OPT_UNTIL:
            if (logs_parse_when(optarg, ts_now(), &q.until) < 0)
                return usage_error("logs", "--until '%s' is neither a time nor a duration", optarg);
            break;
        case OPT_NOPROG: noprog = 1; break;
        case OPT_JDIR:
        case OPT_JFILE:
            if (logs_journal_option("logs", &q, jfiles, c == OPT_JDIR, optarg)) return EXIT_USAGE;
            break;
        case OPT_THREADS:
            if ((r = parse_uint_opt("logs", "--threads", optarg, PATTERNS_MAX_THREADS, &v)))
                return r;
            if (v < 1) return usage_error("logs", "--threads must be at least 1");
            po.threads = (unsigned)v;
            break;
        default: return usage_error("logs", "unknown option in 'logs patterns'");
        }
    }
    q.paths = (const char **)argv + optind;
    q.n_paths = (size_t)(argc - optind);
    q.json = json;
    if (q.per_line && json) return usage_error("logs", "--per-line and --json exclude each other");
    /* logs_patterns_per_line() reads paths and stdin only */
    if (q.per_line && q.journal)
        return usage_error("logs", "--per-line reads files and stdin, not the journal");

    for (size_t i = 0; i < q.n_paths; i++)
        if (!streq(q.paths[i], "-") && access(q.paths[i], R_OK) < 0)
            return fail_errno("logs", -errno, "cannot open '%s'", q.paths[i]);
    if ((r = logs_journal_precheck("logs", &q))) return r;

    FILE *f = output_open(out_path);
    if (!f) return fail_errno("logs", -errno, "cannot open '%s'", out_path);
    if (q.per_line) {
        struct file_writer w = { f };
        static char obuf[1 << 16];
        if (f == stdout) setvbuf(stdout, obuf, _IOFBF, sizeof(obuf));
        r = logs_patterns_per_line(&q, &po, write_file, &w, NULL);
        if (r < 0) {
            output_close("logs", f, out_path);
            if (r == -EPIPE) return EXIT_IOERR;
            return fail_errno("logs", r, "patterns");
        }
        return output_close("logs", f, out_path);
    }
    json_t *doc = NULL;
    if (!noprog) logs_progress_setup(&q);
    r = logs_patterns_run_opts(&q, &po, &doc);
    logs_progress_done(&q);
    if (r < 0) {
        if (f != stdout) fclose(f);
        if (r == -ENOENT || r == -EACCES)
            return fail_errno("logs", r, "cannot open '%s'", q.n_paths ? q.paths[0] : "-");
        return fail_errno("logs", r, "patterns");
    }
    if (json) {
        json_dumpf(doc, f, JSON_INDENT(2) | JSON_SORT_KEYS);
        fputc('\n', f);
    } else {
        struct palette pal;
        palette_init(&pal, use_color(f));
        print_table(f, doc, &pal);
    }
    json_decref(doc);
    return output_close("logs", f, out_path);
}
