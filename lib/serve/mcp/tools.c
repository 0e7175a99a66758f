/* SPDX-License-Identifier: MIT */
/*
 * tools.c: the MCP tool table and the argument helpers every tool shares.
 * Each row is one tshoot capability called in-process through its lib
 * entry point; rows whose capability is not part of the build are switched
 * off in features.h (never listed, no stubs).
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "logs/logs.h"
#include "serve/mcp/features.h"
#include "serve/mcp/mcp-internal.h"
#include "serve/mcp/tools.h"

const struct mcp_tool mcp_tools[] = {
#if MCP_HAVE_DIAGNOSE
    MCP_TOOL_DIAGNOSE,
#endif
#if MCP_HAVE_COLLECT
    MCP_TOOL_COLLECT,
#endif
#if MCP_HAVE_LOGS
    MCP_TOOL_LOGS_ERRORS,  MCP_TOOL_LOGS_PATTERNS,
#endif
#if MCP_HAVE_KB
    MCP_TOOL_EXPLAIN_RULE,
#endif
#if MCP_HAVE_ALERTS
    MCP_TOOL_ALERT_RULES,
#endif
#if MCP_HAVE_REPORT && MCP_HAVE_DIAGNOSE
    MCP_TOOL_REPORT,
#endif
    { .name = NULL }, /* sentinel (keeps the array non-empty) */
};
const size_t mcp_n_tools = ELEMENTSOF(mcp_tools) - 1;

const struct mcp_tool *mcp_tool_find(const struct mcp_server *s, const char *name)
{
    for (size_t i = 0; i < mcp_n_tools; i++)
        if (streq(mcp_tools[i].name, name)) return &mcp_tools[i];
    for (size_t i = 0; s && i < s->n_extra_tools; i++)
        if (streq(s->extra_tools[i].name, name)) return &s->extra_tools[i];
    return NULL;
}

void mcp_server_set_extra_tools(struct mcp_server *s, const struct mcp_tool *tools, size_t n)
{
    s->extra_tools = tools;
    s->n_extra_tools = n;
}

/* ---- argument helpers --------------------------------------------------- */

void mcp_strv_free(char **v, size_t n)
{
    if (!v) return;
    for (size_t i = 0; i < n; i++) free(v[i]);
    free(v);
}

int mcp_arg_paths(struct mcp_call *c, json_t *args, const char *key, char ***ret, size_t *ret_n,
                  char **ret_error)
{
    *ret = NULL;
    *ret_n = 0;
    json_t *a = json_object_get(args, key);
    if (!json_is_array(a) || json_array_size(a) == 0) return 0;
    size_t n = json_array_size(a);
    char **v = calloc(n + 1, sizeof(char *));
    if (!v) return -ENOMEM;
    for (size_t i = 0; i < n; i++) {
        int r = mcp_resolve_path(c->s, json_string_value(json_array_get(a, i)), &v[i], ret_error);
        if (r < 0) {
            mcp_strv_free(v, i);
            return *ret_error ? 0 : r;
        }
    }
    *ret = v;
    *ret_n = n;
    return 0;
}

int mcp_arg_path(struct mcp_call *c, json_t *args, const char *key, char **ret, char **ret_error)
{
    *ret = NULL;
    json_t *v = json_object_get(args, key);
    if (!json_is_string(v)) return 0;
    int r = mcp_resolve_path(c->s, json_string_value(v), ret, ret_error);
    return r < 0 && *ret_error ? 0 : r;
}

int mcp_arg_when(json_t *args, const char *key, ts_time_t *ret, char **ret_error)
{
    *ret = TS_TIME_NONE;
    const char *s = json_string_value(json_object_get(args, key));
    if (!s) return 0;
    size_t n = strlen(s);
    ts_time_t t;
    if (n > 0 && log_parse_time(s, n, 0, &t) == n) {
        *ret = t;
        return 0;
    }
    int64_t d;
    if (ts_parse_duration(s[0] == '-' ? s + 1 : s, &d) == 0 && d >= 0) {
        *ret = ts_now() - d;
        return 0;
    }
    if (asprintf(ret_error, "'%s' is not a time: give " MCP_WHEN_DESC, key) < 0) *ret_error = NULL;
    return *ret_error ? 0 : -ENOMEM;
}

int mcp_need_live(struct mcp_call *c, const char *what, char **ret_error)
{
    if (c->s->allow_live) return 0;
    if (asprintf(ret_error,
                 "%s is not allowed: this server was started with --no-live (only files "
                 "under its roots can be read)",
                 what) < 0)
        *ret_error = NULL;
    return *ret_error ? 1 : -ENOMEM;
}

void mcp_textf(struct buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    (void)!buf_vprintf(b, fmt, ap);
    va_end(ap);
}

void mcp_server_warm_up(struct mcp_server *s)
{
#if MCP_HAVE_KB && MCP_HAVE_DIAGNOSE
    const struct kb *kb;
    struct sigdb *db;
    (void)mcp_rules_get(s, &kb, &db);
#else
    (void)s;
#endif
}
