/* SPDX-License-Identifier: MIT */
/*
 * cmd-report.c: `tshoot report`: the postmortem draft (Markdown, HTML or
 * both) from a bundle (diagnosed in-process) or from a saved
 * `tshoot diagnose --json`.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <jansson.h>

#include "core/fileio.h"
#include "report/report.h"
#include "tshoot.h"

#include "rca/diagnose.h"
#include "rules-dir.h"
/* The alert-rule generator (lib/metrics/alerts.h) attaches its rules file
 * when it is part of the build. */
#if __has_include("metrics/alerts.h")
#include "metrics/alerts.h"
#define HAVE_ALERT_RULES 1
#else
#define HAVE_ALERT_RULES 0
#endif

#define CMD                 "report"
#define MAX_DIAGNOSIS_BYTES (64u << 20)
#define MAX_RULES_BYTES     (4u << 20)

static const char usage[] =
    "usage: tshoot report BUNDLE [-o OUT] [--rules-file FILE]\n"
    "       tshoot report --from DIAGNOSIS.json [--bundle DIR] [-o OUT] [--rules-file FILE]\n"
    "\n"
    "Write a blameless postmortem draft from the evidence: summary, impact, timeline\n"
    "(every source on one UTC axis), root-cause chain, ranked hypotheses, detection\n"
    "gaps, contributing factors, action items P0-P3, alert rules and an evidence\n"
    "appendix. Secrets are redacted; log text is escaped.\n"
    "\n"
    "  BUNDLE                 a bundle directory or .tar.gz, diagnosed in-process\n"
    "      --from FILE        a saved 'tshoot diagnose --json' ('-' reads stdin)\n"
    "      --bundle DIR       with --from: the bundle, for its fs snapshots and metrics\n"
    "  -o, --output OUT       OUT.md: Markdown; OUT.html: HTML; a directory (existing,\n"
    "                         or ending in '/'): both, as postmortem.md and report.html;\n"
    "                         default: Markdown on stdout\n"
    "      --format FMT       md or html, for stdout or another file name\n"
    "      --rules-file FILE  attach this Prometheus rules file ('tshoot rules alerts')\n"
    "      --rules DIR        extra knowledge-base rules for the diagnosis\n"
    "  -h, --help             this text\n";

enum fmt { FMT_AUTO, FMT_MD, FMT_HTML, FMT_BOTH };

static bool has_suffix(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

/* mkdir -p: every missing component of path, 0755. 0 or -1 (errno). */
static int mkdir_p(const char *path)
{
    _cleanup_free_ char *p = strdup(path);
    if (!p) return -1;
    for (char *s = p + 1; *s; s++) {
        if (*s != '/') continue;
        *s = '\0';
        if (mkdir(p, 0755) < 0 && errno != EEXIST) return -1;
        *s = '/';
    }
    if (mkdir(p, 0755) < 0 && errno != EEXIST) return -1;
    return 0;
}

static int write_doc(const char *path, const char *doc)
{
    FILE *f = output_open(path);
    if (!f) return fail_errno(CMD, -errno, "cannot open '%s'", path);
    fputs(doc, f);
    return output_close(CMD, f, path);
}

static int render(json_t *diag, enum fmt fmt, const char *path)
{
    _cleanup_free_ char *doc = NULL;
    int r = fmt == FMT_HTML ? report_html(diag, &doc) : report_markdown(diag, &doc);
    if (r == -EINVAL) return fail(CMD, EXIT_DATAERR, "input is not a tshoot.diagnose/1 document");
    if (r < 0) return fail_errno(CMD, r, "cannot write the report");
    return write_doc(path, doc);
}

static int load_diagnosis(const char *path, json_t **ret)
{
    _cleanup_free_ char *text = NULL;
    size_t n = 0;
    int r = read_file(streq(path, "-") ? "/dev/stdin" : path, MAX_DIAGNOSIS_BYTES, &text, &n);
    if (r == -EFBIG) return fail(CMD, EXIT_DATAERR, "'%s' is larger than 64 MiB", path);
    if (r < 0) return fail_errno(CMD, r, "cannot read '%s'", path);
    json_error_t err;
    json_t *d = json_loadb(text, n, 0, &err);
    if (!d)
        return fail(CMD, EXIT_DATAERR, "'%s' is not valid JSON: line %d: %s", path, err.line,
                    err.text);
    *ret = d;
    return 0;
}

static int diagnose_bundle(const char *bundle, const char *rules_dir, json_t **ret)
{
    struct diagnose_opts o = { .bundle = bundle, .rules_dir = rules_dir };
    o.builtin_rules_dir = builtin_rules_dir();
    int r = diagnose_run(&o, ret);
    if (r < 0) return fail_errno(CMD, r, "cannot diagnose '%s'", bundle);
    json_t *rerr = json_object_get(*ret, "rule_errors"), *x;
    size_t i;
    json_array_foreach(rerr, i, x) warn(CMD, "rule rejected: %s", json_string_value(x));
    return 0;
}

static int attach_rules(json_t *diag, const char *path)
{
    _cleanup_free_ char *text = NULL;
    int r = read_file(path, MAX_RULES_BYTES, &text, NULL);
    if (r < 0) return fail_errno(CMD, r, "cannot read '%s'", path);
    if (json_object_set_new(diag, "alert_rules_yaml", json_string(text)) < 0)
        return fail(CMD, EXIT_DATAERR, "'%s' is not UTF-8 text", path);
    return 0;
}

/* Attach the rules `tshoot rules alerts` generates, unless a rules file
 * was given. A failure only costs the attachment (warned). */
static void attach_generated_rules(json_t *diag)
{
#if HAVE_ALERT_RULES
    struct alert_opts ao = { 0 };
    _cleanup_free_ char *yaml = NULL;
    alert_opts_defaults(&ao);
    int r = alert_rules_yaml(&ao, &yaml);
    if (r < 0 || !yaml) {
        warn(CMD, "cannot generate the alert rules: %s", strerror(r < 0 ? -r : ENOMEM));
        return;
    }
    json_object_set_new(diag, "alert_rules_yaml", json_string(yaml));
#else
    (void)diag;
#endif
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "from", required_argument, NULL, 'f' },
        { "bundle", required_argument, NULL, 'b' },
        { "format", required_argument, NULL, 'F' },
        { "rules-file", required_argument, NULL, 'R' },
        { "rules", required_argument, NULL, 'r' },
        { "help", no_argument, NULL, 'h' },
        {},
    };
    const char *out = NULL, *from = NULL, *bundle = NULL, *rules_file = NULL, *rules_dir = NULL;
    enum fmt fmt = FMT_AUTO;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:h", opts, NULL)) >= 0) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'f': from = optarg; break;
        case 'b': bundle = optarg; break;
        case 'R': rules_file = optarg; break;
        case 'r': rules_dir = optarg; break;
        case 'F':
            if (streq(optarg, "md") || streq(optarg, "markdown"))
                fmt = FMT_MD;
            else if (streq(optarg, "html"))
                fmt = FMT_HTML;
            else
                return usage_error(CMD, "unknown format '%s'", optarg);
            break;
        case 'h': fputs(usage, stdout); return 0;
        default: return usage_error(CMD, "unknown option");
        }
    }
    if (optind < argc) {
        if (from) return usage_error(CMD, "give a BUNDLE or --from FILE, not both");
        if (optind + 1 < argc)
            return usage_error(CMD, "unexpected argument '%s'", argv[optind + 1]);
        bundle = argv[optind];
    } else if (!from) {
        return usage_error(CMD, "missing BUNDLE or --from FILE");
    }
    struct stat st;
    bool dir = out && (has_suffix(out, "/") || (stat(out, &st) == 0 && S_ISDIR(st.st_mode)));
    if (dir) {
        if (fmt != FMT_AUTO) return usage_error(CMD, "--format with a directory output");
        fmt = FMT_BOTH;
    } else if (fmt == FMT_AUTO) {
        fmt = out && (has_suffix(out, ".html") || has_suffix(out, ".htm")) ? FMT_HTML : FMT_MD;
    }

    json_t *diag = NULL;
    int r = from ? load_diagnosis(from, &diag) : diagnose_bundle(bundle, rules_dir, &diag);
    if (r) return r;
    if (bundle && stat(bundle, &st) == 0 && S_ISDIR(st.st_mode)) {
        int k = report_enrich_bundle(diag, bundle);
        if (k < 0) warn(CMD, "cannot read fill samples from '%s': %s", bundle, strerror(-k));
    }
    if (rules_file) {
        if ((r = attach_rules(diag, rules_file))) goto out;
    } else {
        attach_generated_rules(diag);
    }
    if (fmt == FMT_BOTH) {
        if (mkdir_p(out) < 0) {
            r = fail_errno(CMD, -errno, "cannot create '%s'", out);
            goto out;
        }
        _cleanup_free_ char *md = NULL, *html = NULL;
        int n = (int)strlen(out);
        while (n > 1 && out[n - 1] == '/') n--;
        if (asprintf(&md, "%.*s/postmortem.md", n, out) < 0 ||
            asprintf(&html, "%.*s/report.html", n, out) < 0) {
            r = fail_errno(CMD, -ENOMEM, "out of memory");
            goto out;
        }
        r = render(diag, FMT_MD, md);
        if (!r) r = render(diag, FMT_HTML, html);
    } else {
        r = render(diag, fmt, out);
    }
out:
    json_decref(diag);
    return r;
}

const struct command cmd_report = { "report", run, "write a blameless postmortem (Markdown/HTML)",
                                    usage };
