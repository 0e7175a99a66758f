/* SPDX-License-Identifier: MIT */
/* tshoot metrics query / query-range: the Prometheus HTTP API from the shell. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/redact.h"
#include "core/timeutil.h"
#include "metrics/promql.h"
#include "tshoot.h"

#define CMD "metrics"

static const char usage[] =
    "usage: tshoot metrics query EXPR --prometheus URL [OPTIONS]\n"
    "       tshoot metrics query-range EXPR --prometheus URL --start T [--end T] --step DUR\n"
    "       tshoot metrics export --prometheus URL --since DUR [--expr EXPR]... [-o FILE]\n"
    "\n"
    "Run a PromQL query through the Prometheus HTTP API and print the result.\n"
    "export writes the series that diagnosis needs (filesystems, OOM kills, fds,\n"
    "memory, Uptime Kuma monitor_status, restarts, up, ALERTS; or each --expr)\n"
    "over the window as Prometheus text with timestamps: a bundle's metrics/ file.\n"
    "Times: now, now-2h or -2h, unix seconds, or RFC 3339.\n"
    "\n"
    "Options:\n"
    "  -p, --prometheus URL        Prometheus base URL (or $PROMETHEUS_URL)\n"
    "      --time T                evaluation time of an instant query (default now)\n"
    "      --start T / --end T     range of query-range (end defaults to now)\n"
    "      --step DUR              resolution of query-range (e.g. 15s, 1m); export\n"
    "                              picks one when not given\n"
    "      --since DUR             export: the window ends now and starts DUR ago\n"
    "      --expr EXPR             export: this expression instead of the built-in list\n"
    "                              (repeatable)\n"
    "      --bearer-token-file F   send 'Authorization: Bearer <first line of F>'\n"
    "      --user USER             basic auth user ...\n"
    "      --password-file F       ... and password (first line of F)\n"
    "      --ca-file F             trust the CA certificates in F (PEM) for https\n"
    "      --timeout DUR           give up after DUR (default 10s)\n"
    "      --json                  print the API's data object as JSON\n"
    "  -o, --output FILE           write to FILE\n";

enum {
    OPT_TIME = 0x100,
    OPT_START,
    OPT_END,
    OPT_STEP,
    OPT_TOKEN,
    OPT_USER,
    OPT_PASSFILE,
    OPT_CA,
    OPT_TIMEOUT,
    OPT_JSON,
    OPT_SINCE,
    OPT_EXPR,
};

static void print_labels(FILE *f, json_t *metric)
{
    const char *k;
    json_t *v;
    const char *name = json_string_value(json_object_get(metric, "__name__"));
    fputs(name ? name : "", f);
    fputc('{', f);
    bool first = true;
    json_object_foreach(metric, k, v)
    {
        if (streq(k, "__name__")) continue;
        char *val = redact_dup(json_string_value(v) ? json_string_value(v) : "", NULL);
        fprintf(f, "%s%s=\"%s\"", first ? "" : ", ", k, val ? val : "");
        free(val);
        first = false;
    }
    fputc('}', f);
}

static void print_point(FILE *f, json_t *p, bool with_time)
{
    char tb[64];
    double t = json_number_value(json_array_get(p, 0));
    const char *v = json_string_value(json_array_get(p, 1));
    if (with_time)
        fprintf(f, "  %s  %s\n", ts_format((ts_time_t)(t * 1e9), 1, tb, sizeof tb), v ? v : "?");
    else
        fprintf(f, " %s\n", v ? v : "?");
}

static void print_result(FILE *f, json_t *data)
{
    const char *type = json_string_value(json_object_get(data, "resultType"));
    json_t *res = json_object_get(data, "result");
    size_t i;
    json_t *s;
    if (!type) return;
    if (streq(type, "scalar") || streq(type, "string")) {
        print_point(f, res, false);
        return;
    }
    if (json_array_size(res) == 0) {
        fprintf(f, "(no data)\n");
        return;
    }
    json_array_foreach(res, i, s)
    {
        print_labels(f, json_object_get(s, "metric"));
        if (streq(type, "vector"))
            print_point(f, json_object_get(s, "value"), false);
        else {
            size_t j;
            json_t *p;
            fputc('\n', f);
            json_array_foreach(json_object_get(s, "values"), j, p) print_point(f, p, true);
        }
    }
}

static int run_export(const struct prom_client *c, const char *since_s, const char *step_s,
                      const char *const *exprs, size_t n_exprs, const char *output, int extra)
{
    int64_t ns;
    if (extra > 0) return usage_error(CMD, "export takes no expression argument (use --expr)");
    if (!c->url) return usage_error(CMD, "--prometheus URL is required");
    if (!since_s) return usage_error(CMD, "export needs --since DUR");
    if (ts_parse_duration(since_s, &ns) < 0 || ns <= 0)
        return usage_error(CMD, "--since '%s' is not a duration", since_s);
    ts_time_t until = ts_now(), since = until - ns;
    double step = 0;
    if (step_s) {
        int64_t sn;
        if (ts_parse_duration(step_s, &sn) < 0 || sn <= 0)
            return usage_error(CMD, "--step '%s' is not a duration", step_s);
        step = (double)sn / 1e9;
    }
    char *text = NULL, *err = NULL;
    size_t skipped = 0;
    int r = prom_window_exposition(c, exprs, n_exprs, since, until, step, &text, &skipped, &err);
    if (r < 0) {
        int code = r == -E2BIG ? usage_error(CMD, "too many points: raise --step")
                   : err       ? fail(CMD, EXIT_UNAVAILABLE, "%s", err)
                               : fail_errno(CMD, r, "export failed");
        free(err);
        return code;
    }
    FILE *f = output_open(output);
    if (!f) {
        free(text);
        return fail_errno(CMD, -errno, "cannot open '%s'", output);
    }
    char *red = redact_dup(text, NULL);
    fputs(red ? red : "", f);
    free(red);
    free(text);
    if (skipped) warn(CMD, "%zu expression(s) returned no data", skipped);
    return output_close(CMD, f, output);
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "prometheus", required_argument, NULL, 'p' },
        { "time", required_argument, NULL, OPT_TIME },
        { "start", required_argument, NULL, OPT_START },
        { "end", required_argument, NULL, OPT_END },
        { "step", required_argument, NULL, OPT_STEP },
        { "bearer-token-file", required_argument, NULL, OPT_TOKEN },
        { "user", required_argument, NULL, OPT_USER },
        { "password-file", required_argument, NULL, OPT_PASSFILE },
        { "ca-file", required_argument, NULL, OPT_CA },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "json", no_argument, NULL, OPT_JSON },
        { "since", required_argument, NULL, OPT_SINCE },
        { "expr", required_argument, NULL, OPT_EXPR },
        { "output", required_argument, NULL, 'o' },
        { "help", no_argument, NULL, 'h' },
        {},
    };
    struct prom_client c = { .url = getenv("PROMETHEUS_URL") };
    const char *at_s = NULL, *start_s = NULL, *end_s = NULL, *step_s = NULL, *output = NULL;
    const char *since_s = NULL, *exprs[64];
    size_t n_exprs = 0;
    bool json = false;
    int opt;
    int64_t ns;
    if (argc < 2) return usage_error(CMD, "missing subcommand: query or query-range");
    const char *sub = argv[1];
    bool range, export = false;
    if (streq(sub, "query"))
        range = false;
    else if (streq(sub, "query-range"))
        range = true;
    else if (streq(sub, "export"))
        range = false, export = true;
    else
        return usage_error(CMD, "unknown subcommand '%s'", sub);
    argc--;
    argv++;
    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":p:o:h", opts, NULL)) != -1) {
        switch (opt) {
        case 'p': c.url = optarg; break;
        case OPT_TIME: at_s = optarg; break;
        case OPT_START: start_s = optarg; break;
        case OPT_END: end_s = optarg; break;
        case OPT_STEP: step_s = optarg; break;
        case OPT_TOKEN: c.http.bearer_token_file = optarg; break;
        case OPT_USER: c.http.basic_user = optarg; break;
        case OPT_PASSFILE: c.http.basic_password_file = optarg; break;
        case OPT_CA: c.http.ca_file = optarg; break;
        case OPT_TIMEOUT:
            if (ts_parse_duration(optarg, &ns) < 0 || ns <= 0)
                return usage_error(CMD, "--timeout '%s' is not a duration", optarg);
            c.http.timeout_ms = ns / 1000000;
            if (c.http.timeout_ms == 0) c.http.timeout_ms = 1;
            break;
        case OPT_JSON: json = true; break;
        case OPT_SINCE: since_s = optarg; break;
        case OPT_EXPR:
            if (n_exprs == ELEMENTSOF(exprs)) return usage_error(CMD, "too many --expr");
            exprs[n_exprs++] = optarg;
            break;
        case 'o': output = optarg; break;
        case 'h': fputs(usage, stdout); return 0;
        case ':': return usage_error(CMD, "option '%s' needs a value", argv[optind - 1]);
        default: return usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (export) return run_export(&c, since_s, step_s, exprs, n_exprs, output, argc - optind);
    if (since_s || n_exprs) return usage_error(CMD, "--since/--expr belong to export");
    if (optind >= argc) return usage_error(CMD, "missing PromQL expression");
    if (optind + 1 < argc) return usage_error(CMD, "unexpected argument '%s'", argv[optind + 1]);
    const char *expr = argv[optind];
    if (!c.url) return usage_error(CMD, "--prometheus URL is required");
    if (c.http.basic_password_file && !c.http.basic_user)
        return usage_error(CMD, "--password-file needs --user");
    ts_time_t now = ts_now(), at = TS_TIME_NONE, start = 0, end = now;
    if (!range && (start_s || end_s || step_s))
        return usage_error(CMD, "--start/--end/--step belong to query-range");
    if (range && at_s) return usage_error(CMD, "--time belongs to query");
    if (at_s && prom_parse_time(at_s, now, &at) < 0)
        return usage_error(CMD, "--time '%s' is not a time", at_s);
    double step = 0;
    if (range) {
        if (!start_s || !step_s) return usage_error(CMD, "query-range needs --start and --step");
        if (prom_parse_time(start_s, now, &start) < 0)
            return usage_error(CMD, "--start '%s' is not a time", start_s);
        if (end_s && prom_parse_time(end_s, now, &end) < 0)
            return usage_error(CMD, "--end '%s' is not a time", end_s);
        if (ts_parse_duration(step_s, &ns) < 0 || ns <= 0)
            return usage_error(CMD, "--step '%s' is not a duration", step_s);
        step = (double)ns / 1e9;
        if (end < start) return usage_error(CMD, "--end is before --start");
    }
    json_t *data = NULL;
    char *err = NULL;
    int r = range ? prom_query_range(&c, expr, start, end, step, &data, &err)
                  : prom_query(&c, expr, at, &data, &err);
    if (r < 0) {
        int code;
        if (r == -E2BIG)
            code = usage_error(CMD, "too many points: raise --step");
        else if (r == -EPROTO)
            code = fail(CMD, EXIT_DATAERR, "prometheus refused the query: %s", err ? err : "?");
        else if (err)
            code = fail(CMD, r == -EINVAL ? EXIT_USAGE : EXIT_UNAVAILABLE, "%s", err);
        else
            code = fail_errno(CMD, r, "query failed");
        free(err);
        return code;
    }
    free(err);
    FILE *f = output_open(output);
    if (!f) {
        json_decref(data);
        return fail_errno(CMD, -errno, "cannot open '%s'", output);
    }
    if (json) {
        char *s = json_dumps(data, JSON_INDENT(2) | JSON_SORT_KEYS);
        char *red = s ? redact_dup(s, NULL) : NULL;
        fprintf(f, "%s\n", red ? red : "null");
        free(red);
        free(s);
    } else
        print_result(f, data);
    json_decref(data);
    return output_close(CMD, f, output);
}

const struct command cmd_metrics = { "metrics", run, "query Prometheus (instant and range queries)",
                                     usage };
