/* SPDX-License-Identifier: MIT */
/*
 * tool-kb.c: the knowledge base behind `explain_rule` and the
 * tshoot://rules/ID resources (lib/rca/kb.h), loaded once per server.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "serve/mcp/features.h"
#include "serve/mcp/tools.h"

#if MCP_HAVE_KB
#include "rca/kb.h"
#include "rca/signatures.h"

int mcp_kb_get(struct mcp_server *s, const struct kb **ret)
{
    if (s->kb) {
        *ret = s->kb;
        return 0;
    }
    if (s->kb_error) return s->kb_error;
    const char *dirs[2];
    size_t n = 0;
    if (s->builtin_rules_dir) dirs[n++] = s->builtin_rules_dir;
    if (s->rules_dir) dirs[n++] = s->rules_dir;
    struct kb *kb = NULL;
    /* no built-in directory: the rules embedded in the binary, plus --rules */
    int r = s->builtin_rules_dir ? kb_load(dirs, n, &kb) : kb_load_builtin(dirs, n, &kb);
    if (r < 0) {
        if (r != -ENOMEM) s->kb_error = r;
        return r;
    }
    s->kb = kb;
    *ret = kb;
    return 0;
}

void mcp_kb_free(struct mcp_server *s)
{
    sigdb_free(s->sigdb);
    s->sigdb = NULL;
    kb_free(s->kb);
    s->kb = NULL;
}

int mcp_rules_get(struct mcp_server *s, const struct kb **ret_kb, struct sigdb **ret_db)
{
    const struct kb *kb;
    int r = mcp_kb_get(s, &kb);
    if (r < 0) return r;
    if (!s->sigdb) {
        if (kb->n_rules == 0) return -EINVAL;
        struct sigdb *db = NULL;
        _cleanup_free_ char *err = NULL;
        r = sigdb_build(kb, &db, &err);
        if (r < 0) return r;
        /* Patterns Hyperscan refused are dropped, as diagnose_run does; the
         * operator sees them with `tshoot rules check`. */
        s->sigdb = db;
    }
    *ret_kb = kb;
    *ret_db = s->sigdb;
    return 0;
}

int mcp_kb_list_resources(struct mcp_server *s, json_t *list)
{
    const struct kb *kb;
    int r = mcp_kb_get(s, &kb);
    if (r == -ENOMEM) return r;
    if (r < 0) return 0; /* no knowledge base: no rule resources */
    for (size_t i = 0; i < kb->n_rules; i++) {
        const struct kb_rule *k = &kb->rules[i];
        char uri[300];
        snprintf(uri, sizeof uri, "tshoot://rules/%s", k->id);
        json_t *o = json_pack("{s:s,s:s,s:s,s:s,s:s}", "uri", uri, "name", k->id, "title",
                              k->title ? k->title : k->id, "description",
                              k->summary ? k->summary : "", "mimeType", "application/json");
        if (!o || json_array_append_new(list, o) < 0) return -ENOMEM;
    }
    return 0;
}

int mcp_kb_rule(struct mcp_server *s, const char *id, json_t **ret)
{
    const struct kb *kb;
    *ret = NULL;
    int r = mcp_kb_get(s, &kb);
    if (r == -ENOMEM) return r;
    if (r < 0) return 0;
    *ret = kb_rule_json(kb, id);
    return 0;
}

const char mcp_desc_explain_rule[] =
    "Explain one failure mode of tshoot's knowledge base: what it is, the signals that point "
    "to it (log patterns, findings, metrics) and against it, the causes it explains, next "
    "checks, mitigation, fix and the alerts that prevent it. Rule ids appear in diagnose "
    "results and as resources tshoot://rules/ID.";

const char mcp_schema_explain_rule[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"id\":{\"type\":\"string\",\"minLength\":1,\"description\":\"Rule id, e.g. "
    "disk_full\"}," MCP_COMMON_PROPS "},\"required\":[\"id\"],\"additionalProperties\":false}";

int mcp_tool_explain_rule_call(struct mcp_call *c, json_t *args, json_t **ret, char **ret_error)
{
    const char *id = json_string_value(json_object_get(args, "id"));
    const struct kb *kb;
    int r = mcp_kb_get(c->s, &kb);
    if (r == -ENOMEM) return r;
    if (r < 0) {
        if (asprintf(ret_error, "the knowledge base is not available: %s", strerror(-r)) < 0)
            *ret_error = NULL;
        return *ret_error ? 0 : -ENOMEM;
    }
    json_t *j = kb_rule_json(kb, id);
    if (!j) {
        struct buf b = BUF_INIT(4096);
        mcp_textf(&b, "unknown rule '%s'; known rules:", id);
        for (size_t i = 0; i < kb->n_rules; i++)
            mcp_textf(&b, "%s %s", i ? "," : "", kb->rules[i].id);
        *ret_error = buf_take(&b);
        buf_release(&b);
        return *ret_error ? 0 : -ENOMEM;
    }
    /* A rule is ours and small: its lists are not cut by the default max_items. */
    if (!json_object_get(args, "max_items")) c->max_items = 100;
    *ret = j;
    return 0;
}

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

char *mcp_tool_explain_rule_render(const json_t *v)
{
    struct buf b = BUF_INIT(1 << 20);
    mcp_textf(&b, "%s [%s]: %s\n", jstr(v, "id"), jstr(v, "category"), jstr(v, "title"));
    if (*jstr(v, "summary")) mcp_textf(&b, "%s\n", jstr(v, "summary"));
    json_t *e;
    size_t i;
    json_array_foreach(json_object_get(v, "next_checks"), i, e)
    {
        if (i >= 3) break;
        mcp_textf(&b, "check: %s\n", jstr(e, "cmd"));
    }
    if (*jstr(v, "mitigation")) mcp_textf(&b, "mitigation: %s\n", jstr(v, "mitigation"));
    if (*jstr(v, "fix")) mcp_textf(&b, "fix: %s\n", jstr(v, "fix"));
    char *s = buf_take(&b);
    buf_release(&b);
    return s;
}
#else
void mcp_kb_free(struct mcp_server *s)
{
    (void)s;
}
#endif
