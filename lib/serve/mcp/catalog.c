/* SPDX-License-Identifier: MIT */
/*
 * catalog.c: MCP prompts and resources. Resources are the knowledge base's
 * failure modes (tshoot://rules/ID) and the last diagnosis this server made
 * (tshoot://diagnosis/last); the prompt "investigate-incident" walks an agent
 * through assess, gather, hypothesise, test, fix, prevent with our tools.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "serve/mcp/features.h"
#include "serve/mcp/mcp-internal.h"
#include "serve/mcp/tools.h"

#define URI_RULES "tshoot://rules/"
#define URI_LAST  "tshoot://diagnosis/last"

static int invalid(int *code, char **msg, const char *text)
{
    *code = JSONRPC_INVALID_PARAMS;
    *msg = strdup(text);
    return *msg ? 0 : -ENOMEM;
}

/* ---- prompts ------------------------------------------------------------ */

static const char investigate_text[] =
    "You are investigating a production incident with tshoot's read-only MCP tools. "
    "Symptom: %s\n"
    "%s"
    "Work in these steps and use a tshoot tool for every one of them; quote the evidence "
    "(file:line, metric, finding id) behind every claim, never guess.\n"
    "1. Assess: what is broken, since when, for whom? Restate the symptom and the blast radius "
    "you expect.\n"
    "2. Gather: call `diagnose` on the bundle or the logs (or `live: true` on the host). If the "
    "host is reachable, call `collect` (findings first: full or nearly full file systems, tmpfs "
    "such as /dev/shm inside containers, inodes, memory, pressure). Condense logs with "
    "`logs_errors` (first occurrences, counts) and `logs_patterns` (templates and spikes) "
    "instead of reading raw lines.\n"
    "3. Hypothesise: take the ranked hypotheses from `diagnose`; for each of the top ones "
    "state the causal chain from root cause to symptom. Use `explain_rule` for a failure mode "
    "you need to understand.\n"
    "4. Test: run the hypothesis' next checks (tool calls first; commands for the operator "
    "only when no tool covers them) and look for evidence against it too. Discard what the "
    "evidence contradicts.\n"
    "5. Fix: give the mitigation that restores service now and the durable fix, with the risk "
    "of each. tshoot is read-only: you propose, the operator acts.\n"
    "6. Prevent: call `alert_rules` for alerts that would have fired before users noticed, and "
    "`report` for the postmortem (timeline, root cause, arithmetic, actions).\n"
    "If a tool result says 'truncated', ask again with a larger max_items or budget_tokens "
    "only for the part you need.";

static int m_prompt_list_impl(json_t **ret)
{
    *ret = json_pack(
        "{s:[{s:s,s:s,s:s,s:[{s:s,s:s,s:b},{s:s,s:s,s:b}]}]}", "prompts", "name",
        "investigate-incident", "title", "Investigate an incident", "description",
        "Walk an incident from symptom to root cause, fix and prevention with tshoot's tools "
        "(assess, gather, hypothesise, test, fix, prevent).",
        "arguments", "name", "symptom", "description",
        "What is observed, e.g. 'outpost answers HTTP 400 since 02:00'", "required", 1, "name",
        "bundle", "description",
        "Path of an incident bundle (directory or .tar.gz) inside the "
        "server's roots, if there is one",
        "required", 0);
    return *ret ? 0 : -ENOMEM;
}

int mcp_prompts_list(struct mcp_server *s, json_t *params, json_t **ret, int *code, char **msg)
{
    return m_prompt_list_impl(ret);
}

int mcp_prompts_get(struct mcp_server *s, json_t *params, json_t **ret, int *code, char **msg)
{
    json_t *name = params ? json_object_get(params, "name") : NULL;
    if (!json_is_string(name))
        return invalid(code, msg, "invalid params: prompts/get needs 'name' (a string)");
    if (!streq(json_string_value(name), "investigate-incident")) {
        *code = JSONRPC_INVALID_PARAMS;
        if (asprintf(msg, "unknown prompt '%s' (see prompts/list)", json_string_value(name)) < 0)
            *msg = NULL;
        return *msg ? 0 : -ENOMEM;
    }
    json_t *args = json_object_get(params, "arguments");
    if (args && !json_is_object(args))
        return invalid(code, msg, "invalid params: 'arguments' must be an object");
    json_t *symptom = args ? json_object_get(args, "symptom") : NULL;
    json_t *bundle = args ? json_object_get(args, "bundle") : NULL;
    if (!json_is_string(symptom) || json_string_length(symptom) == 0)
        return invalid(code, msg,
                       "invalid params: prompt 'investigate-incident' needs argument 'symptom'");
    if (bundle && !json_is_string(bundle))
        return invalid(code, msg, "invalid params: argument 'bundle' must be a string");

    _cleanup_free_ char *bl = NULL, *text = NULL;
    if (json_is_string(bundle) && json_string_length(bundle) > 0) {
        if (asprintf(&bl, "Incident bundle: %s (pass it as `bundle` to diagnose and report).\n",
                     json_string_value(bundle)) < 0)
            return -ENOMEM;
    }
    if (asprintf(&text, investigate_text, json_string_value(symptom), bl ? bl : "") < 0)
        return -ENOMEM;
    _cleanup_free_ char *red = mcp_redact_text(text);
    if (!red) return -ENOMEM;
    *ret = json_pack("{s:s,s:[{s:s,s:{s:s,s:s}}]}", "description",
                     "Investigate an incident with tshoot", "messages", "role", "user", "content",
                     "type", "text", "text", red);
    return *ret ? 0 : -ENOMEM;
}

/* ---- resources ---------------------------------------------------------- */

int mcp_resources_list(struct mcp_server *s, json_t *params, json_t **ret, int *code, char **msg)
{
    json_t *list = json_array();
    if (!list) return -ENOMEM;
    if (s->last_diagnosis) {
        json_t *r = json_pack("{s:s,s:s,s:s,s:s,s:s}", "uri", URI_LAST, "name", "diagnosis-last",
                              "title", "Last diagnosis", "description",
                              "The last diagnose result of this server (redacted, full)",
                              "mimeType", "application/json");
        if (!r || json_array_append_new(list, r) < 0) goto nomem;
    }
#if MCP_HAVE_KB
    if (mcp_kb_list_resources(s, list) < 0) goto nomem;
#endif
    *ret = json_pack("{s:o}", "resources", list);
    return *ret ? 0 : -ENOMEM;
nomem:
    json_decref(list);
    return -ENOMEM;
}

int mcp_resource_templates_list(struct mcp_server *s, json_t *params, json_t **ret, int *code,
                                char **msg)
{
#if MCP_HAVE_KB
    *ret = json_pack("{s:[{s:s,s:s,s:s,s:s,s:s}]}", "resourceTemplates", "uriTemplate",
                     URI_RULES "{id}", "name", "rule", "title", "Failure mode", "description",
                     "A failure mode of tshoot's knowledge base by rule id", "mimeType",
                     "application/json");
#else
    *ret = json_pack("{s:[]}", "resourceTemplates");
#endif
    return *ret ? 0 : -ENOMEM;
}

static int not_found(const char *uri, int *code, char **msg)
{
    *code = MCP_RESOURCE_NOT_FOUND;
    if (asprintf(msg, "resource not found: '%s'", uri) < 0) *msg = NULL;
    return *msg ? 0 : -ENOMEM;
}

int mcp_resources_read(struct mcp_server *s, json_t *params, json_t **ret, int *code, char **msg)
{
    json_t *uri = params ? json_object_get(params, "uri") : NULL;
    if (!json_is_string(uri))
        return invalid(code, msg, "invalid params: resources/read needs 'uri' (a string)");
    const char *u = json_string_value(uri);
    json_t *doc = NULL;
    if (streq(u, URI_LAST)) {
        if (!s->last_diagnosis) return not_found(u, code, msg);
        doc = json_incref(s->last_diagnosis);
#if MCP_HAVE_KB
    } else if (startswith(u, URI_RULES)) {
        int r = mcp_kb_rule(s, u + strlen(URI_RULES), &doc);
        if (r < 0) return r;
        if (!doc) return not_found(u, code, msg);
#endif
    } else
        return not_found(u, code, msg);

    /* Resources are redacted like tool results (the stored diagnosis was
     * redacted when it was made; rules are ours, but cheap to check). */
    int r = mcp_redact_json(doc);
    _cleanup_free_ char *text = r < 0 ? NULL : json_dumps(doc, JSON_INDENT(1));
    json_decref(doc);
    if (!text) return -ENOMEM;
    *ret = json_pack("{s:[{s:s,s:s,s:s}]}", "contents", "uri", u, "mimeType", "application/json",
                     "text", text);
    return *ret ? 0 : -ENOMEM;
}
