/* SPDX-License-Identifier: MIT */
/*
 * server.c: the MCP method dispatcher: lifecycle (initialize, version
 * negotiation, ping), tools/list and tools/call (argument check, progress,
 * cancellation, redaction and budget of every result), and the error
 * responses of JSON-RPC 2.0.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/mcp/mcp-internal.h"
#include "serve/mcp/tools.h"

const char *const mcp_protocol_versions[] = { "2025-06-18", "2025-03-26", "2024-11-05" };
const size_t mcp_n_protocol_versions = ELEMENTSOF(mcp_protocol_versions);

static const char instructions[] =
    "tshoot is a read-only DevOps troubleshooter. Start with `diagnose` (an incident bundle, "
    "loose log files, or the live host) to get ranked root-cause hypotheses with evidence and "
    "next checks; use `collect` for the host/container snapshot (disk, inodes, memory, "
    "pressure: findings first), `logs_errors` and `logs_patterns` to condense logs, "
    "`explain_rule` for a failure mode, `alert_rules` and `report` to prevent and write up. "
    "Paths must lie inside the server's --root directories; results are redacted and cut to "
    "max_items/budget_tokens (say so in 'truncated').";

int mcp_send(struct mcp_server *s, json_t *msg)
{
    if (!msg) return -ENOMEM;
    _cleanup_free_ char *line = jsonrpc_dump(msg);
    json_decref(msg);
    if (!line) return -ENOMEM;
    return s->write(s->userdata, line, strlen(line));
}

static int send_error(struct mcp_server *s, const json_t *id, int code, const char *text)
{
    return mcp_send(s, jsonrpc_error(id, code, text, NULL));
}

const char *mcp_server_protocol_version(const struct mcp_server *s)
{
    return s->version[0] ? s->version : NULL;
}

/* ---- lifecycle ---------------------------------------------------------- */

static int m_initialize(struct mcp_server *s, json_t *params, json_t **ret, int *code, char **msg)
{
    json_t *pv = params ? json_object_get(params, "protocolVersion") : NULL;
    if (!json_is_string(pv)) {
        *code = JSONRPC_INVALID_PARAMS;
        *msg = strdup("invalid params: initialize needs 'protocolVersion' (a string)");
        return *msg ? 0 : -ENOMEM;
    }
    json_t *caps = json_object_get(params, "capabilities");
    if (caps && !json_is_object(caps)) {
        *code = JSONRPC_INVALID_PARAMS;
        *msg = strdup("invalid params: 'capabilities' must be an object");
        return *msg ? 0 : -ENOMEM;
    }
    /* Answer with the client's version when we speak it, else our newest:
     * the client then decides whether it can go on. */
    const char *want = json_string_value(pv);
    const char *v = mcp_protocol_versions[0];
    for (size_t i = 0; i < mcp_n_protocol_versions; i++)
        if (streq(want, mcp_protocol_versions[i])) v = mcp_protocol_versions[i];
    snprintf(s->version, sizeof s->version, "%s", v);

    *ret = json_pack("{s:s,s:{s:{s:b},s:{s:b,s:b},s:{s:b}},s:{s:s,s:s,s:s},s:s}", "protocolVersion",
                     v, "capabilities", "tools", "listChanged", 0, "resources", "listChanged", 1,
                     "subscribe", 0, "prompts", "listChanged", 0, "serverInfo", "name", "tshoot",
                     "title", "tshoot DevOps troubleshooter", "version", TSHOOT_VERSION,
                     "instructions", instructions);
    return *ret ? 0 : -ENOMEM;
}

static int m_ping(struct mcp_server *s, json_t *params, json_t **ret, int *code, char **msg)
{
    *ret = json_object();
    return *ret ? 0 : -ENOMEM;
}

/* ---- tools -------------------------------------------------------------- */

static int m_tools_list(struct mcp_server *s, json_t *params, json_t **ret, int *code, char **msg)
{
    json_t *tools = json_array();
    if (!tools) return -ENOMEM;
    for (size_t i = 0; i < mcp_n_tools + s->n_extra_tools; i++) {
        const struct mcp_tool *t =
            i < mcp_n_tools ? &mcp_tools[i] : &s->extra_tools[i - mcp_n_tools];
        json_error_t e;
        json_t *schema = json_loads(t->input_schema, 0, &e);
        json_t *o = schema
                        ? json_pack("{s:s,s:s,s:s,s:o,s:{s:s,s:b,s:b,s:b,s:b}}", "name", t->name,
                                    "title", t->title, "description", t->description, "inputSchema",
                                    schema, "annotations", "title", t->title, "readOnlyHint", 1,
                                    "destructiveHint", 0, "idempotentHint", 1, "openWorldHint", 0)
                        : NULL;
        if (!o || json_array_append_new(tools, o) < 0) {
            json_decref(tools);
            return -ENOMEM;
        }
    }
    *ret = json_pack("{s:o}", "tools", tools);
    return *ret ? 0 : -ENOMEM;
}

int mcp_call_stage(struct mcp_call *c, int stage, int total, const char *message)
{
    if (atomic_load(&c->s->cancelled)) return -ECANCELED;
    /* Progress must increase with every notification: a stage reported
     * twice (report runs a diagnosis, then writes) is only a cancel check. */
    if (!c->progress_token || stage <= c->last_stage) return 0;
    c->last_stage = stage;
    json_t *p = json_pack("{s:O,s:i,s:i,s:s}", "progressToken", c->progress_token, "progress",
                          stage, "total", total, "message", message ? message : "");
    return mcp_send(c->s, jsonrpc_notification("notifications/progress", p));
}

static size_t arg_size(json_t *args, const char *key, size_t def, size_t max)
{
    json_t *v = json_object_get(args, key);
    if (!json_is_integer(v)) return def;
    json_int_t n = json_integer_value(v);
    if (n < 1) return 1;
    if ((uint64_t)n > max) return max;
    return (size_t)n;
}

static json_t *text_result(const char *text, json_t *structured, bool is_error)
{
    json_t *r = json_pack("{s:[{s:s,s:s}]}", "content", "type", "text", "text", text);
    if (!r) goto fail;
    if (structured && json_object_set_new(r, "structuredContent", structured) < 0) {
        structured = NULL;
        goto fail;
    }
    structured = NULL;
    if (is_error && json_object_set_new(r, "isError", json_true()) < 0) goto fail;
    return r;
fail:
    json_decref(structured);
    json_decref(r);
    return NULL;
}

static int m_tools_call(struct mcp_server *s, json_t *params, json_t **ret, int *code, char **msg,
                        bool *ret_cancelled)
{
    json_t *name = params ? json_object_get(params, "name") : NULL;
    if (!json_is_string(name)) {
        *code = JSONRPC_INVALID_PARAMS;
        *msg = strdup("invalid params: tools/call needs 'name' (a string)");
        return *msg ? 0 : -ENOMEM;
    }
    const struct mcp_tool *t = mcp_tool_find(s, json_string_value(name));
    if (!t) {
        *code = JSONRPC_INVALID_PARAMS;
        if (asprintf(msg, "unknown tool '%s' (see tools/list)", json_string_value(name)) < 0)
            *msg = NULL;
        return *msg ? 0 : -ENOMEM;
    }
    json_t *args = json_object_get(params, "arguments");
    if (args && !json_is_object(args) && !json_is_null(args)) {
        *code = JSONRPC_INVALID_PARAMS;
        *msg = strdup("invalid params: 'arguments' must be an object");
        return *msg ? 0 : -ENOMEM;
    }
    json_t *empty = NULL;
    if (!json_is_object(args)) args = empty = json_object();
    if (!args) return -ENOMEM;

    int r;
    json_error_t je;
    json_t *schema = json_loads(t->input_schema, 0, &je);
    if (!schema) {
        json_decref(empty);
        return -ENOMEM;
    }
    char why[256];
    r = mcp_schema_check(schema, args, why, sizeof why);
    json_decref(schema);
    if (r < 0) {
        json_decref(empty);
        *code = JSONRPC_INVALID_PARAMS;
        if (asprintf(msg, "invalid arguments for tool '%s': %s", t->name, why) < 0) *msg = NULL;
        return *msg ? 0 : -ENOMEM;
    }

    json_t *meta = json_object_get(params, "_meta");
    json_t *tok = json_is_object(meta) ? json_object_get(meta, "progressToken") : NULL;
    struct mcp_call c = {
        .s = s,
        .progress_token = mcp_id_valid(tok) ? tok : NULL,
        .max_items = arg_size(args, "max_items", MCP_DEFAULT_MAX_ITEMS, 1000),
        .budget_tokens = arg_size(args, "budget_tokens", MCP_DEFAULT_BUDGET_TOKENS, 100000),
        .last_stage = -1,
    };

    json_t *structured = NULL;
    _cleanup_free_ char *err = NULL, *text = NULL, *rtext = NULL;
    r = mcp_call_stage(&c, 0, 3, "starting");
    if (r >= 0) r = t->call(&c, args, &structured, &err);
    json_decref(empty);
    if (r >= 0 && !err) r = mcp_call_stage(&c, 2, 3, "redacting and sizing the result");
    if (r == -ECANCELED) {
        json_decref(structured);
        *ret_cancelled = true;
        return 0;
    }
    if (r < 0) {
        json_decref(structured);
        *code = JSONRPC_INTERNAL_ERROR;
        if (asprintf(msg, "tool '%s' failed: %s", t->name, strerror(-r)) < 0) *msg = NULL;
        return *msg ? 0 : -ENOMEM;
    }
    if (!err && !json_is_object(structured)) r = -EPROTO; /* a tool broke its contract */
    if (r < 0) {
        json_decref(structured);
        *code = JSONRPC_INTERNAL_ERROR;
        if (asprintf(msg, "tool '%s' failed: %s", t->name, strerror(-r)) < 0) *msg = NULL;
        return *msg ? 0 : -ENOMEM;
    }
    if (err) {
        json_decref(structured);
        _cleanup_free_ char *red = mcp_redact_text(err);
        if (!red) return -ENOMEM;
        *ret = text_result(red, NULL, true);
        return *ret ? 0 : -ENOMEM;
    }

    /* Every result is redacted, then cut to the budget: the text rendering
     * gets up to a quarter of it, the structured content the rest. */
    if (mcp_redact_json(structured) < 0) goto nomem;
    size_t budget_chars = c.budget_tokens * 4;
    size_t cap = budget_chars / (size_t)(t->text_share > 1 ? t->text_share : 4);
    if (mcp_shape(structured, c.max_items, budget_chars - cap) < 0) goto nomem;
    text = t->render(structured);
    if (!text) goto nomem;
    size_t tl = strlen(text);
    if (tl > cap) {
        tl = mcp_utf8_cut(text, cap > 20 ? cap - 20 : cap);
        strcpy(text + tl, "\n[... cut]");
    }
    rtext = mcp_redact_text(text);
    if (!rtext) goto nomem;
    r = mcp_call_stage(&c, 3, 3, "done");
    if (r == -ECANCELED) {
        json_decref(structured);
        *ret_cancelled = true;
        return 0;
    }
    *ret = text_result(rtext, structured, false);
    return *ret ? 0 : -ENOMEM;
nomem:
    json_decref(structured);
    return -ENOMEM;
}

/* ---- dispatch ----------------------------------------------------------- */

typedef int (*method_fn)(struct mcp_server *, json_t *, json_t **, int *, char **);

static const struct {
    const char *name;
    method_fn fn;
} methods[] = {
    { "initialize", m_initialize },
    { "ping", m_ping },
    { "tools/list", m_tools_list },
    { "resources/list", mcp_resources_list },
    { "resources/templates/list", mcp_resource_templates_list },
    { "resources/read", mcp_resources_read },
    { "prompts/list", mcp_prompts_list },
    { "prompts/get", mcp_prompts_get },
};

static bool take_pending_cancel(struct mcp_server *s, const json_t *id)
{
    bool hit = false;
    pthread_mutex_lock(&s->lock);
    size_t i;
    json_t *v;
    json_array_foreach(s->pending_cancels, i, v)
    {
        if (json_equal(v, id)) {
            json_array_remove(s->pending_cancels, i);
            hit = true;
            break;
        }
    }
    pthread_mutex_unlock(&s->lock);
    return hit;
}

void mcp_server_cancel(struct mcp_server *s, const json_t *id)
{
    if (!mcp_id_valid(id)) return;
    pthread_mutex_lock(&s->lock);
    if (s->current_id && json_equal(s->current_id, id))
        atomic_store(&s->cancelled, 1);
    else {
        /* Not started yet (or already answered): remember a few, oldest
         * forgotten first. */
        if (json_array_size(s->pending_cancels) >= MCP_MAX_PENDING_CANCELS)
            json_array_remove(s->pending_cancels, 0);
        json_array_append_new(s->pending_cancels, json_deep_copy(id));
    }
    pthread_mutex_unlock(&s->lock);
}

static void set_current(struct mcp_server *s, const json_t *id)
{
    pthread_mutex_lock(&s->lock);
    json_decref(s->current_id);
    s->current_id = id ? json_deep_copy(id) : NULL;
    atomic_store(&s->cancelled, 0);
    pthread_mutex_unlock(&s->lock);
}

static int handle_notification(struct mcp_server *s, struct mcp_msg *m)
{
    if (!m->method) return 0; /* a malformed notification: nothing to answer */
    if (streq(m->method, "notifications/initialized"))
        s->initialized = 1;
    else if (streq(m->method, "notifications/cancelled") && m->params)
        mcp_server_cancel(s, json_object_get(m->params, "requestId"));
    /* Unknown notifications are ignored, as JSON-RPC wants. */
    return 0;
}

static int handle_request(struct mcp_server *s, struct mcp_msg *m)
{
    if (take_pending_cancel(s, m->id)) return 0; /* cancelled before it started */

    json_t *result = NULL;
    int code = 0, r = 0;
    _cleanup_free_ char *msg = NULL;
    bool cancelled = false;

    set_current(s, m->id);
    if (streq(m->method, "tools/call"))
        r = m_tools_call(s, m->params, &result, &code, &msg, &cancelled);
    else {
        method_fn fn = NULL;
        for (size_t i = 0; i < ELEMENTSOF(methods); i++)
            if (streq(m->method, methods[i].name)) fn = methods[i].fn;
        if (!fn) {
            code = JSONRPC_METHOD_NOT_FOUND;
            if (asprintf(&msg, "method not found: '%s'", m->method) < 0) msg = NULL;
            r = msg ? 0 : -ENOMEM;
        } else
            r = fn(s, m->params, &result, &code, &msg);
    }
    set_current(s, NULL);

    if (cancelled) return 0; /* the spec: no response for a cancelled request */
    if (r < 0) {
        json_decref(result);
        return send_error(s, m->id, JSONRPC_INTERNAL_ERROR,
                          r == -ENOMEM ? "internal error: out of memory" : "internal error");
    }
    if (code) {
        json_decref(result);
        return send_error(s, m->id, code, msg ? msg : "error");
    }
    return mcp_send(s, jsonrpc_result(m->id, result));
}

/* Answer one classified message; batches recurse once (no nesting). */
static int dispatch(struct mcp_server *s, struct mcp_msg *m, bool in_batch, json_t *batch_out);

static int batch_writer_stub(void *ud, const char *msg, size_t len)
{
    json_t *arr = ud;
    json_error_t e;
    json_t *v = json_loadb(msg, len, 0, &e);
    if (!v) return -ENOMEM;
    return json_array_append_new(arr, v) < 0 ? -ENOMEM : 0;
}

static int handle_batch(struct mcp_server *s, struct mcp_msg *m)
{
    /* JSON-RPC batches are part of MCP 2025-03-26 only; 2024-11-05 never
     * mentions them and 2025-06-18 removed them. */
    if (!streq(s->version, "2025-03-26"))
        return send_error(s, NULL, JSONRPC_INVALID_REQUEST,
                          "invalid request: JSON-RPC batches are not supported in this "
                          "protocol version (only 2025-03-26 has them)");
    if (json_array_size(m->root) == 0)
        return send_error(s, NULL, JSONRPC_INVALID_REQUEST, "invalid request: empty batch");

    json_t *out = json_array();
    if (!out) return -ENOMEM;
    /* Responses of the elements are collected into one array: swap the
     * writer while the batch runs. Progress notifications of a tool inside
     * a batch end up in the array too, which clients ignore. */
    int (*w)(void *, const char *, size_t) = s->write;
    void *ud = s->userdata;
    s->write = batch_writer_stub;
    s->userdata = out;
    int r = 0;
    size_t i;
    json_t *el;
    json_array_foreach(m->root, i, el)
    {
        struct mcp_msg sub;
        r = mcp_msg_from_json(el, &sub);
        if (r >= 0) r = dispatch(s, &sub, true, out);
        mcp_msg_done(&sub);
        if (r < 0) break;
    }
    s->write = w;
    s->userdata = ud;
    if (r < 0) {
        json_decref(out);
        return r;
    }
    if (json_array_size(out) == 0) { /* only notifications: nothing to send */
        json_decref(out);
        return 0;
    }
    return mcp_send(s, out);
}

static int dispatch(struct mcp_server *s, struct mcp_msg *m, bool in_batch, json_t *batch_out)
{
    switch (m->kind) {
    case MCP_MSG_INVALID: return send_error(s, m->id, m->error_code, m->error_text);
    case MCP_MSG_BATCH:
        if (in_batch)
            return send_error(s, NULL, JSONRPC_INVALID_REQUEST,
                              "invalid request: a batch must not hold a batch");
        return handle_batch(s, m);
    case MCP_MSG_NOTIFICATION: return handle_notification(s, m);
    case MCP_MSG_RESPONSE: return 0; /* we send no requests: nothing to match */
    case MCP_MSG_REQUEST: return handle_request(s, m);
    }
    return 0;
}

int mcp_server_handle(struct mcp_server *s, const char *line, size_t len)
{
    if (len > s->max_message) {
        char t[160];
        snprintf(t, sizeof t, "invalid request: message of %zu bytes is over the %zu byte limit",
                 len, s->max_message);
        return send_error(s, NULL, JSONRPC_INVALID_REQUEST, t);
    }
    struct mcp_msg m;
    int r = mcp_msg_parse(line, len, &m);
    if (r < 0) return r;
    r = dispatch(s, &m, false, NULL);
    mcp_msg_done(&m);
    return r;
}

/* Used by io.c: answer an already parsed message. */
int mcp_server_dispatch(struct mcp_server *s, struct mcp_msg *m);
int mcp_server_dispatch(struct mcp_server *s, struct mcp_msg *m)
{
    return dispatch(s, m, false, NULL);
}

/* ---- life --------------------------------------------------------------- */

int mcp_server_new(const struct mcp_server_opts *o, struct mcp_server **ret, size_t *ret_bad_root)
{
    if (!o->write) return -EINVAL;
    struct mcp_server *s = calloc(1, sizeof *s);
    if (!s) return -ENOMEM;
    pthread_mutex_init(&s->lock, NULL);
    s->write = o->write;
    s->userdata = o->userdata;
    s->allow_live = o->allow_live;
    s->max_message = o->max_message ? o->max_message : MCP_DEFAULT_MAX_MESSAGE;
    s->pending_cancels = json_array();
    s->roots = calloc(o->n_roots + 1, sizeof(char *));
    if (!s->pending_cancels || !s->roots) goto nomem;
    if (o->rules_dir && !(s->rules_dir = strdup(o->rules_dir))) goto nomem;
    if (o->builtin_rules_dir && !(s->builtin_rules_dir = strdup(o->builtin_rules_dir))) goto nomem;
    for (size_t i = 0; i < o->n_roots; i++) {
        char *p = realpath(o->roots[i], NULL);
        if (!p) {
            int e = errno;
            if (ret_bad_root) *ret_bad_root = i;
            mcp_server_free(s);
            return -e;
        }
        s->roots[s->n_roots++] = p;
    }
    *ret = s;
    return 0;
nomem:
    mcp_server_free(s);
    return -ENOMEM;
}

struct mcp_server *mcp_server_free(struct mcp_server *s)
{
    if (!s) return NULL;
    for (size_t i = 0; i < s->n_roots; i++) free(s->roots[i]);
    free(s->roots);
    free(s->rules_dir);
    free(s->builtin_rules_dir);
    mcp_kb_free(s);
    json_decref(s->current_id);
    json_decref(s->pending_cancels);
    json_decref(s->last_diagnosis);
    pthread_mutex_destroy(&s->lock);
    free(s);
    return NULL;
}
