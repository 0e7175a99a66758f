/* SPDX-License-Identifier: MIT */
/*
 * tools.h: rows of the tool table (tools.c), one per capability; each row's
 * functions live in tool-NAME.c and exist only when features.h enables it.
 * Shared argument helpers (paths, times, the live-host switch) are here too.
 */
#ifndef TSHOOT_MCP_TOOLS_H
#define TSHOOT_MCP_TOOLS_H

#include "core/timeutil.h"
#include "serve/mcp/features.h"
#include "serve/mcp/mcp-internal.h"

/* Arguments every tool takes (JSON Schema "properties" members). */
#define MCP_COMMON_PROPS                                                                           \
    "\"max_items\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000,"                          \
    "\"description\":\"Longest list in the result (default 10); cut lists are named in "           \
    "'truncated'\"},"                                                                              \
    "\"budget_tokens\":{\"type\":\"integer\",\"minimum\":200,\"maximum\":100000,"                  \
    "\"description\":\"Size cap of the whole result in tokens (~4 characters each; default "       \
    "4000)\"}"

#define MCP_WHEN_DESC                                                                              \
    "RFC 3339 time (2026-04-18T10:00:00Z) or a duration back from now (90m, 2h, 7d)"

/* Resolve args[key] (an array of path strings) inside the roots. On success
 * *ret is a caller-owned array of n caller-owned strings (free with
 * mcp_strv_free). A refused path sets *ret_error (tool error). */
int mcp_arg_paths(struct mcp_call *c, json_t *args, const char *key, char ***ret, size_t *ret_n,
                  char **ret_error);
/* Resolve args[key] (one path string) when present: *ret stays NULL when
 * absent. Same errors as mcp_arg_paths. */
int mcp_arg_path(struct mcp_call *c, json_t *args, const char *key, char **ret, char **ret_error);
void mcp_strv_free(char **v, size_t n);
/* args[key] as a time (see MCP_WHEN_DESC): TS_TIME_NONE when absent. */
int mcp_arg_when(json_t *args, const char *key, ts_time_t *ret, char **ret_error);
/* A tool error when the server was started with --no-live: what names the
 * refused action ("reading the live host"). Returns 0 when allowed. */
int mcp_need_live(struct mcp_call *c, const char *what, char **ret_error);
/* Append printf output to a capped text buffer, ignoring the cap (the text
 * is cut to the budget later anyway). */
_printf_(2, 3) void mcp_textf(struct buf *b, const char *fmt, ...);

/* The knowledge base (loaded once per server). Returns 0 and a borrowed
 * *ret, or -errno. */
struct kb;
int mcp_kb_get(struct mcp_server *s, const struct kb **ret);
void mcp_kb_free(struct mcp_server *s);
/* The knowledge base and its compiled signatures, kept for the server's
 * life so a diagnose call does not recompile them. Returns 0 (both borrowed)
 * or -errno (the caller then lets diagnose_run load the rules itself). */
struct sigdb;
int mcp_rules_get(struct mcp_server *s, const struct kb **ret_kb, struct sigdb **ret_db);
/* Append a resource per rule to list. */
int mcp_kb_list_resources(struct mcp_server *s, json_t *list);
/* *ret: the rule's JSON (caller-owned) or NULL when unknown. */
int mcp_kb_rule(struct mcp_server *s, const char *id, json_t **ret);

/* Remember a diagnosis (redacted) as tshoot://diagnosis/last and tell the
 * client the resource list changed the first time. Takes a reference. */
int mcp_set_last_diagnosis(struct mcp_server *s, json_t *doc);

/* ---- rows --------------------------------------------------------------- */

#define MCP_TOOL_ROW(id, title, desc, schema, text_share)                                          \
    {                                                                                              \
#id, title, desc, schema, mcp_tool_##id##_call, mcp_tool_##id##_render, text_share         \
    }
#define MCP_TOOL_DECL(id)                                                                          \
    int mcp_tool_##id##_call(struct mcp_call *c, json_t *args, json_t **ret, char **ret_error);    \
    char *mcp_tool_##id##_render(const json_t *v);

MCP_TOOL_DECL(diagnose)
MCP_TOOL_DECL(report)
MCP_TOOL_DECL(collect)
MCP_TOOL_DECL(logs_errors)
MCP_TOOL_DECL(logs_patterns)
MCP_TOOL_DECL(explain_rule)
MCP_TOOL_DECL(alert_rules)

extern const char mcp_schema_diagnose[], mcp_schema_report[], mcp_schema_collect[],
    mcp_schema_logs_errors[], mcp_schema_logs_patterns[], mcp_schema_explain_rule[],
    mcp_schema_alert_rules[];
extern const char mcp_desc_diagnose[], mcp_desc_report[], mcp_desc_collect[],
    mcp_desc_logs_errors[], mcp_desc_logs_patterns[], mcp_desc_explain_rule[],
    mcp_desc_alert_rules[];

#define MCP_TOOL_DIAGNOSE                                                                          \
    MCP_TOOL_ROW(diagnose, "Diagnose an incident", mcp_desc_diagnose, mcp_schema_diagnose, 0)
#define MCP_TOOL_REPORT                                                                            \
    MCP_TOOL_ROW(report, "Write the postmortem", mcp_desc_report, mcp_schema_report, 2)
#define MCP_TOOL_COLLECT                                                                           \
    MCP_TOOL_ROW(collect, "Host and container snapshot", mcp_desc_collect, mcp_schema_collect, 0)
#define MCP_TOOL_LOGS_ERRORS                                                                       \
    MCP_TOOL_ROW(logs_errors, "Errors in logs", mcp_desc_logs_errors, mcp_schema_logs_errors, 0)
#define MCP_TOOL_LOGS_PATTERNS                                                                     \
    MCP_TOOL_ROW(logs_patterns, "Log templates", mcp_desc_logs_patterns, mcp_schema_logs_patterns, \
                 0)
#define MCP_TOOL_EXPLAIN_RULE                                                                      \
    MCP_TOOL_ROW(explain_rule, "Explain a failure mode", mcp_desc_explain_rule,                    \
                 mcp_schema_explain_rule, 0)
#define MCP_TOOL_ALERT_RULES                                                                       \
    MCP_TOOL_ROW(alert_rules, "Prometheus alert rules", mcp_desc_alert_rules,                      \
                 mcp_schema_alert_rules, 2)

#endif
