/* SPDX-License-Identifier: MIT */
/*
 * tool-diagnose.c: the `diagnose` and `report` tools (lib/rca/diagnose.h,
 * lib/report/report.h), and the last diagnosis kept as a resource.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "serve/mcp/features.h"
#include "serve/mcp/tools.h"

#if MCP_HAVE_DIAGNOSE
#include "rca/diagnose.h"
#if MCP_HAVE_REPORT
#include "report/report.h"
#endif

const char mcp_desc_diagnose[] =
    "Rank root-cause hypotheses for an incident, with the evidence for and against each, the "
    "causal chain, arithmetic, blast radius, next checks, mitigation, fix and prevention. "
    "Input: an incident bundle (directory or .tar.gz with host/*.json snapshots, logs/**, "
    "k8s/*.json, metrics/*.prom, notes.md, deps.yaml), loose log files, or the live host. "
    "Start here. Use 'hypothesis' to see one hypothesis in full. The full result is also "
    "kept as the resource tshoot://diagnosis/last.";

const char mcp_schema_diagnose[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"bundle\":{\"type\":\"string\",\"minLength\":1,\"description\":\"Incident bundle "
    "(directory or .tar.gz) inside the server's roots; relative paths are taken against the "
    "first root\"},"
    "\"logs\":{\"type\":\"array\",\"maxItems\":64,\"items\":{\"type\":\"string\",\"minLength\":1},"
    "\"description\":\"Loose log files (plain, .gz, .zst) inside the roots\"},"
    "\"live\":{\"type\":\"boolean\",\"description\":\"Collect this host (disk, tmpfs in "
    "containers, memory, pressure) and diagnose it\"},"
    "\"since\":{\"type\":\"string\",\"description\":\"Ignore log lines older than "
    "this: " MCP_WHEN_DESC "\"},"
    "\"hypothesis\":{\"type\":\"string\",\"description\":\"Only this hypothesis id, with all of "
    "its "
    "evidence\"}," MCP_COMMON_PROPS "},\"additionalProperties\":false}";

int mcp_set_last_diagnosis(struct mcp_server *s, json_t *doc)
{
    bool first = !s->last_diagnosis;
    json_decref(s->last_diagnosis);
    s->last_diagnosis = json_incref(doc);
    if (!first) return 0;
    return mcp_send(s, jsonrpc_notification("notifications/resources/list_changed", NULL));
}

/* Run diagnose_run for the call's arguments. *ret: the full document,
 * redacted, caller-owned; or *ret_error. */
static int run_diagnosis(struct mcp_call *c, json_t *args, json_t **ret, char **ret_error)
{
    _cleanup_free_ char *bundle = NULL;
    char **logs = NULL;
    size_t n_logs = 0;
    int live = json_is_true(json_object_get(args, "live"));
    ts_time_t since;
    int r = mcp_arg_path(c, args, "bundle", &bundle, ret_error);
    if (r < 0 || *ret_error) return r;
    r = mcp_arg_paths(c, args, "logs", &logs, &n_logs, ret_error);
    if (r < 0 || *ret_error) return r;
    r = mcp_arg_when(args, "since", &since, ret_error);
    if (r < 0 || *ret_error) goto out;
    if (live && (r = mcp_need_live(c, "diagnosing the live host", ret_error)) != 0) {
        if (r > 0) r = 0;
        goto out;
    }
    if (!bundle && n_logs == 0 && !live) {
        *ret_error = strdup("nothing to diagnose: give 'bundle', 'logs' or 'live': true");
        r = *ret_error ? 0 : -ENOMEM;
        goto out;
    }
    struct diagnose_opts o = {
        .bundle = bundle,
        .logs = (const char **)logs,
        .n_logs = n_logs,
        .live = live,
        .rules_dir = c->s->rules_dir,
        .builtin_rules_dir = c->s->builtin_rules_dir,
        .since_ns = since == TS_TIME_NONE ? 0 : since,
    };
#if MCP_HAVE_KB
    /* Rules loaded and compiled once per server (the compile is most of a
     * diagnosis' time); on failure diagnose_run loads them itself. */
    if (mcp_rules_get(c->s, &o.kb, &o.sigdb) < 0) o.kb = NULL, o.sigdb = NULL;
#endif
    r = mcp_call_stage(c, 1, 3, "diagnosing");
    if (r < 0) goto out;
    json_t *doc = NULL;
    r = diagnose_run(&o, &doc);
    if (r == -ENOENT || r == -EINVAL || r == -ENOTDIR || r == -EACCES) {
        if (asprintf(ret_error, "cannot diagnose %s: %s",
                     bundle   ? bundle
                     : n_logs ? "the logs"
                              : "the live host",
                     r == -EINVAL ? "no rules could be loaded or no input was usable"
                                  : strerror(-r)) < 0)
            *ret_error = NULL;
        r = *ret_error ? 0 : -ENOMEM;
        goto out;
    }
    if (r < 0) goto out;
    if (mcp_redact_json(doc) < 0) {
        json_decref(doc);
        r = -ENOMEM;
        goto out;
    }
    *ret = doc;
out:
    mcp_strv_free(logs, n_logs);
    return r;
}

/* The view a model gets: hypotheses first, inputs summarised. */
static json_t *diagnose_view(json_t *doc, const char *only)
{
    json_t *v = json_object();
    if (!v) return NULL;
    static const char *const keep[] = { "schema",   "generated_at", "hypotheses",
                                        "timeline", "services",     "untimed_sources" };
    for (size_t i = 0; i < ELEMENTSOF(keep); i++) {
        json_t *x = json_object_get(doc, keep[i]);
        if (x && json_object_set_new(v, keep[i], json_deep_copy(x)) < 0) goto fail;
    }
    json_t *in = json_object_get(doc, "inputs");
    json_t *unread = json_object_get(in, "unreadable");
    json_t *is = json_pack("{s:O?,s:I,s:O?}", "bundle", json_object_get(in, "bundle"), "sources",
                           (json_int_t)json_array_size(json_object_get(in, "sources")),
                           "unreadable", json_array_size(unread) ? unread : NULL);
    if (!is || json_object_set_new(v, "inputs", is) < 0) goto fail;
    json_t *re = json_object_get(doc, "rule_errors");
    if (json_array_size(re) && json_object_set(v, "rule_errors", re) < 0) goto fail;
    if (only) {
        json_t *hs = json_object_get(v, "hypotheses"), *h;
        size_t i;
        json_t *sel = json_array();
        if (!sel) goto fail;
        json_array_foreach(hs, i, h) if (streq_ptr(json_string_value(json_object_get(h, "id")),
                                                   only)) json_array_append(sel, h);
        json_object_set_new(v, "hypotheses", sel);
        json_object_del(v, "timeline");
        json_object_del(v, "services");
    }
    return v;
fail:
    json_decref(v);
    return NULL;
}

int mcp_tool_diagnose_call(struct mcp_call *c, json_t *args, json_t **ret, char **ret_error)
{
    json_t *doc = NULL;
    int r = run_diagnosis(c, args, &doc, ret_error);
    if (r < 0 || *ret_error) return r;
    r = mcp_set_last_diagnosis(c->s, doc);
    if (r < 0) {
        json_decref(doc);
        return r;
    }
    const char *only = json_string_value(json_object_get(args, "hypothesis"));
    json_t *v = diagnose_view(doc, only);
    json_decref(doc);
    if (!v) return -ENOMEM;
    if (only && json_array_size(json_object_get(v, "hypotheses")) == 0) {
        json_decref(v);
        if (asprintf(ret_error, "no hypothesis '%s' in this diagnosis", only) < 0)
            *ret_error = NULL;
        return *ret_error ? 0 : -ENOMEM;
    }
    /* One hypothesis in full: its lists are not cut by the default max_items. */
    if (only && !json_object_get(args, "max_items")) c->max_items = 100;
    *ret = v;
    return 0;
}

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

char *mcp_tool_diagnose_render(const json_t *v)
{
    struct buf b = BUF_INIT(1 << 20);
    json_t *hs = json_object_get(v, "hypotheses");
    json_t *in = json_object_get(v, "inputs");
    mcp_textf(&b, "diagnose: %zu hypothes%s from %s (%lld sources)\n", json_array_size(hs),
              json_array_size(hs) == 1 ? "is" : "es",
              json_is_string(json_object_get(in, "bundle")) ? jstr(in, "bundle") : "the inputs",
              (long long)json_integer_value(json_object_get(in, "sources")));
    size_t i;
    json_t *h;
    json_array_foreach(hs, i, h)
    {
        if (i >= 3) {
            mcp_textf(&b, "(+%zu more in structuredContent)\n", json_array_size(hs) - 3);
            break;
        }
        mcp_textf(&b, "%zu. %s [%s] score %.2f (%s): %s\n", i + 1, jstr(h, "id"),
                  jstr(h, "category"), json_number_value(json_object_get(h, "score")),
                  jstr(h, "confidence"), jstr(h, "title"));
        if (*jstr(h, "subject")) mcp_textf(&b, "   where: %s\n", jstr(h, "subject"));
        json_t *chain = json_object_get(h, "chain"), *e;
        size_t j;
        if (json_array_size(chain)) {
            mcp_textf(&b, "   chain:");
            json_array_foreach(chain, j, e)
                mcp_textf(&b, "%s %s", j ? " ->" : "", json_string_value(e));
            mcp_textf(&b, "\n");
        }
        json_array_foreach(json_object_get(h, "evidence"), j, e)
        {
            if (j >= 2) break;
            mcp_textf(&b, "   evidence: %s: %s", jstr(e, "ref"), jstr(e, "text"));
            json_int_t n = json_integer_value(json_object_get(e, "count"));
            mcp_textf(&b, n > 1 ? " (x%lld)\n" : "\n", (long long)n);
        }
        json_t *nc = json_array_get(json_object_get(h, "next_checks"), 0);
        if (nc) mcp_textf(&b, "   next check: %s\n", jstr(nc, "cmd"));
        if (i == 0 && *jstr(h, "mitigation"))
            mcp_textf(&b, "   mitigation: %s\n", jstr(h, "mitigation"));
    }
    if (json_array_size(hs) == 0) mcp_textf(&b, "no failure mode matched the evidence\n");
    char *s = buf_take(&b);
    buf_release(&b);
    return s;
}

#if MCP_HAVE_REPORT
const char mcp_desc_report[] =
    "Write the blameless postmortem draft as Markdown (summary, impact, timeline, root-cause "
    "chain, hypotheses, detection gaps, action items, alert rules, evidence) from a bundle, "
    "or from the last diagnosis when no bundle is given.";

const char mcp_schema_report[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"bundle\":{\"type\":\"string\",\"minLength\":1,\"description\":\"Incident bundle inside "
    "the roots; omit to use the last diagnosis of this session\"}," MCP_COMMON_PROPS
    "},\"additionalProperties\":false}";

int mcp_tool_report_call(struct mcp_call *c, json_t *args, json_t **ret, char **ret_error)
{
    json_t *doc = NULL;
    _cleanup_free_ char *md = NULL;
    int r;
    if (json_object_get(args, "bundle")) {
        r = run_diagnosis(c, args, &doc, ret_error);
        if (r < 0 || *ret_error) return r;
        r = mcp_set_last_diagnosis(c->s, doc);
        if (r < 0) goto out;
        /* Fill samples from the bundle's snapshots and metrics (directory only). */
        _cleanup_free_ char *bundle = NULL, *err = NULL;
        struct stat st;
        if (mcp_arg_path(c, args, "bundle", &bundle, &err) == 0 && bundle &&
            stat(bundle, &st) == 0 && S_ISDIR(st.st_mode)) {
            json_t *copy = json_deep_copy(doc);
            if (!copy) {
                r = -ENOMEM;
                goto out;
            }
            json_decref(doc);
            doc = copy;
            /* Best effort: without samples the report has no fill curve. */
            r = report_enrich_bundle(doc, bundle);
            if (r == -ENOMEM) goto out;
            r = 0;
        }
    } else if (c->s->last_diagnosis) {
        doc = json_deep_copy(c->s->last_diagnosis);
        if (!doc) return -ENOMEM;
    } else {
        *ret_error = strdup("no diagnosis yet: give 'bundle', or call diagnose first");
        return *ret_error ? 0 : -ENOMEM;
    }
    r = mcp_call_stage(c, 1, 3, "writing the report");
    if (r < 0) goto out;
    r = report_markdown(doc, &md);
    if (r == -EINVAL || r == -E2BIG) {
        *ret_error = strdup(r == -EINVAL ? "cannot write a report: the diagnosis is malformed"
                                         : "cannot write a report: it is too large");
        r = *ret_error ? 0 : -ENOMEM;
        goto out;
    }
    if (r < 0) goto out;
    json_t *top = json_array_get(json_object_get(doc, "hypotheses"), 0);
    *ret = json_pack("{s:s,s:s?,s:I,s:s}", "format", "markdown", "root_cause",
                     top ? json_string_value(json_object_get(top, "id")) : NULL, "bytes",
                     (json_int_t)strlen(md), "markdown", md);
    r = *ret ? 0 : -ENOMEM;
out:
    json_decref(doc);
    return r;
}

char *mcp_tool_report_render(const json_t *v)
{
    return strdup(jstr(v, "markdown"));
}
#endif /* MCP_HAVE_REPORT */
#endif /* MCP_HAVE_DIAGNOSE */
