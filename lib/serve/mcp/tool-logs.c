/* SPDX-License-Identifier: MIT */
/*
 * tool-logs.c: the `logs_errors` and `logs_patterns` tools
 * (lib/logs/errors.h, lib/logs/patterns.h): a condensed view of any logs.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "serve/mcp/features.h"
#include "serve/mcp/tools.h"

#if MCP_HAVE_LOGS
#include "logs/errors.h"
#include "logs/patterns.h"
#include "logs/query.h"

#define LOGS_PROPS                                                                                 \
    "\"paths\":{\"type\":\"array\",\"maxItems\":64,\"items\":{\"type\":\"string\","                \
    "\"minLength\":1},\"description\":\"Log files or directories (recursive; .gz/.zst and "        \
    "rotated sets understood) inside the server's roots\"},"                                       \
    "\"journal\":{\"type\":\"boolean\",\"description\":\"Also read the systemd journal (live "     \
    "host)\"},"                                                                                    \
    "\"unit\":{\"type\":\"string\",\"minLength\":1,\"description\":\"Journal unit filter "         \
    "(implies "                                                                                    \
    "journal)\"},"                                                                                 \
    "\"since\":{\"type\":\"string\",\"description\":\"Window start: " MCP_WHEN_DESC "\"},"         \
    "\"until\":{\"type\":\"string\",\"description\":\"Window end: " MCP_WHEN_DESC "\"},"

const char mcp_desc_logs_errors[] =
    "Warnings and errors in logs, grouped by template: counts, the first occurrence of every "
    "error, spikes against a baseline, templates new in the window, spikes of different "
    "sources that start together. For files/directories inside the roots or the journal, "
    "within a time window. Much smaller than the raw lines.";
const char mcp_schema_logs_errors[] =
    "{\"type\":\"object\",\"properties\":{" LOGS_PROPS
    "\"timeline\":{\"type\":\"boolean\",\"description\":\"Include the per-interval line "
    "counts (overall and per template; long lists: raise max_items too)\"}," MCP_COMMON_PROPS
    "},\"additionalProperties\":false}";

const char mcp_desc_logs_patterns[] =
    "Every log line mined into templates (variable parts as <*>) with counts, first/last "
    "time and an example: what the logs say, in a few dozen lines. For files/directories "
    "inside the roots or the journal, within a time window.";
const char mcp_schema_logs_patterns[] =
    "{\"type\":\"object\",\"properties\":{" LOGS_PROPS MCP_COMMON_PROPS
    "},\"additionalProperties\":false}";

typedef int (*logs_fn)(const struct logs_query *, json_t **);

static int run_logs(struct mcp_call *c, json_t *args, logs_fn fn, json_t **ret, char **ret_error)
{
    char **paths = NULL;
    size_t n = 0;
    int r = mcp_arg_paths(c, args, "paths", &paths, &n, ret_error);
    if (r < 0 || *ret_error) return r;
    const char *unit = json_string_value(json_object_get(args, "unit"));
    int journal = json_is_true(json_object_get(args, "journal")) || unit;
    struct logs_query q;
    logs_query_init(&q);
    if (journal && (r = mcp_need_live(c, "reading the journal", ret_error)) != 0) {
        r = r > 0 ? 0 : r;
        goto out;
    }
    if (n == 0 && !journal) {
        *ret_error = strdup("no logs given: pass 'paths' (inside the roots) or 'journal': true");
        r = *ret_error ? 0 : -ENOMEM;
        goto out;
    }
    r = mcp_arg_when(args, "since", &q.since, ret_error);
    if (r >= 0 && !*ret_error) r = mcp_arg_when(args, "until", &q.until, ret_error);
    if (r < 0 || *ret_error) goto out;
    q.paths = (const char **)paths;
    q.n_paths = n;
    q.journal = journal;
    q.unit = unit;
    q.max_items = c->max_items;
    q.json = 1;
    q.threads = 1; /* the server answers one call at a time: no extra threads */
    r = mcp_call_stage(c, 1, 3, "reading logs");
    if (r < 0) goto out;
    r = fn(&q, ret);
    if (r == -ENOENT || r == -EACCES || r == -EISDIR || r == -ENOTDIR) {
        if (asprintf(ret_error, "cannot read the logs: %s", strerror(-r)) < 0) *ret_error = NULL;
        r = *ret_error ? 0 : -ENOMEM;
    }
out:
    mcp_strv_free(paths, n);
    return r;
}

int mcp_tool_logs_errors_call(struct mcp_call *c, json_t *args, json_t **ret, char **ret_error)
{
    int r = run_logs(c, args, logs_errors_run, ret, ret_error);
    if (r < 0 || *ret_error) return r;
    /* Per-interval counts are long number lists: only on request. */
    if (json_is_true(json_object_get(args, "timeline"))) return 0;
    json_object_del(*ret, "timeline");
    json_t *t;
    size_t i;
    json_array_foreach(json_object_get(*ret, "templates"), i, t) json_object_del(t, "per_minute");
    return 0;
}

int mcp_tool_logs_patterns_call(struct mcp_call *c, json_t *args, json_t **ret, char **ret_error)
{
    return run_logs(c, args, logs_patterns_run, ret, ret_error);
}

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

static long long jint(const json_t *o, const char *k)
{
    return (long long)json_integer_value(json_object_get(o, k));
}

char *mcp_tool_logs_errors_render(const json_t *v)
{
    struct buf b = BUF_INIT(1 << 20);
    json_t *t = json_object_get(v, "totals"), *e;
    size_t i;
    mcp_textf(&b, "logs_errors: %lld lines, %lld warnings, %lld errors, %lld templates\n",
              jint(t, "lines"), jint(t, "warnings"), jint(t, "errors"), jint(t, "templates"));
    json_array_foreach(json_object_get(v, "templates"), i, e)
    {
        if (i >= 5) break;
        mcp_textf(&b, "- %s x%lld: %s\n", jstr(e, "level"), jint(e, "count"), jstr(e, "template"));
    }
    json_array_foreach(json_object_get(v, "first_errors"), i, e)
    {
        if (i >= 3) break;
        mcp_textf(&b, "first error %s %s: %s\n", jstr(e, "time"), jstr(e, "source"),
                  jstr(e, "text"));
    }
    json_array_foreach(json_object_get(v, "spikes"), i, e)
    {
        if (i >= 3) break;
        mcp_textf(&b, "spike %s: %s\n", jstr(e, "start"), jstr(e, "text"));
    }
    char *s = buf_take(&b);
    buf_release(&b);
    return s;
}

char *mcp_tool_logs_patterns_render(const json_t *v)
{
    struct buf b = BUF_INIT(1 << 20);
    json_t *e;
    size_t i;
    mcp_textf(&b, "logs_patterns: %lld lines, %lld templates\n", jint(v, "lines"),
              jint(v, "templates_total"));
    json_array_foreach(json_object_get(v, "templates"), i, e)
    {
        if (i >= 8) break;
        mcp_textf(&b, "- x%lld: %s\n", jint(e, "count"), jstr(e, "template"));
    }
    char *s = buf_take(&b);
    buf_release(&b);
    return s;
}
#endif
