/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "serve/mcp/jsonrpc.h"

bool mcp_id_valid(const json_t *v)
{
    return v && (json_is_string(v) || json_is_integer(v));
}

static void set_invalid(struct mcp_msg *m, int code, const char *text)
{
    m->kind = MCP_MSG_INVALID;
    m->error_code = code;
    snprintf(m->error_text, sizeof m->error_text, "%s", text);
    m->method = NULL;
    m->params = NULL;
}

/* Classify v (a reference is taken). Shared by mcp_msg_parse and batches. */
int mcp_msg_from_json(json_t *v, struct mcp_msg *m)
{
    *m = (struct mcp_msg){ 0 };
    m->root = json_incref(v);

    if (json_is_array(v)) {
        m->kind = MCP_MSG_BATCH;
        return 0;
    }
    if (!json_is_object(v)) {
        set_invalid(m, JSONRPC_INVALID_REQUEST, "invalid request: a message must be a JSON object");
        return 0;
    }

    /* The id is looked at first so that every later error can echo it. */
    json_t *id = json_object_get(v, "id");
    bool id_ok = mcp_id_valid(id);
    if (id_ok) m->id = id;

    json_t *ver = json_object_get(v, "jsonrpc");
    if (!json_is_string(ver) || !streq(json_string_value(ver), "2.0")) {
        set_invalid(m, JSONRPC_INVALID_REQUEST, "invalid request: 'jsonrpc' must be \"2.0\"");
        return 0;
    }
    if (id && !id_ok) {
        m->id = NULL;
        set_invalid(m, JSONRPC_INVALID_REQUEST,
                    json_is_null(id) ? "invalid request: 'id' must not be null"
                                     : "invalid request: 'id' must be a string or an integer");
        return 0;
    }

    json_t *method = json_object_get(v, "method");
    if (!method) {
        if (json_object_get(v, "result") || json_object_get(v, "error")) {
            m->kind = MCP_MSG_RESPONSE;
            return 0;
        }
        set_invalid(m, JSONRPC_INVALID_REQUEST, "invalid request: 'method' is missing");
        return 0;
    }
    if (!json_is_string(method)) {
        set_invalid(m, JSONRPC_INVALID_REQUEST, "invalid request: 'method' must be a string");
        return 0;
    }

    json_t *params = json_object_get(v, "params");
    if (params && !json_is_null(params) && !json_is_object(params)) {
        if (json_is_array(params))
            set_invalid(m, JSONRPC_INVALID_PARAMS,
                        "invalid params: MCP methods take named 'params' (an object)");
        else
            set_invalid(m, JSONRPC_INVALID_REQUEST,
                        "invalid request: 'params' must be an object or an array");
        if (!id) m->kind = MCP_MSG_NOTIFICATION; /* never answered, even when bad */
        return 0;
    }

    m->method = json_string_value(method);
    m->params = json_is_object(params) ? params : NULL;
    m->kind = id ? MCP_MSG_REQUEST : MCP_MSG_NOTIFICATION;
    return 0;
}

int mcp_msg_parse(const char *data, size_t len, struct mcp_msg *m)
{
    json_error_t err;
    *m = (struct mcp_msg){ 0 };
    json_t *v = json_loadb(data, len, JSON_DECODE_ANY, &err);
    if (!v) {
        /* Cannot tell a jansson ENOMEM from bad input: both are a parse
         * error for the peer, and the server keeps going. */
        char t[sizeof m->error_text];
        snprintf(t, sizeof t, "parse error: %.100s (at byte %d)", err.text, err.position);
        set_invalid(m, JSONRPC_PARSE_ERROR, t);
        return 0;
    }
    int r = mcp_msg_from_json(v, m);
    json_decref(v);
    return r;
}

void mcp_msg_done(struct mcp_msg *m)
{
    if (!m) return;
    json_decref(m->root);
    *m = (struct mcp_msg){ 0 };
}

static json_t *envelope(const json_t *id)
{
    json_t *o = json_object();
    if (!o) return NULL;
    json_t *idv = id ? json_deep_copy(id) : json_null();
    if (json_object_set_new(o, "jsonrpc", json_string("2.0")) < 0 ||
        json_object_set_new(o, "id", idv) < 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *jsonrpc_result(const json_t *id, json_t *result)
{
    json_t *o = envelope(id);
    if (!o || json_object_set_new(o, "result", result) < 0) {
        if (!o) json_decref(result);
        json_decref(o);
        return NULL;
    }
    return o;
}

json_t *jsonrpc_error(const json_t *id, int code, const char *message, json_t *data)
{
    json_t *o = envelope(id);
    json_t *e = json_pack("{s:i,s:s}", "code", code, "message", message ? message : "error");
    if (!o || !e) goto fail;
    if (data && json_object_set_new(e, "data", data) < 0) {
        data = NULL;
        goto fail;
    }
    data = NULL;
    if (json_object_set_new(o, "error", e) < 0) {
        e = NULL;
        goto fail;
    }
    return o;
fail:
    json_decref(data);
    json_decref(e);
    json_decref(o);
    return NULL;
}

json_t *jsonrpc_notification(const char *method, json_t *params)
{
    json_t *o = json_pack("{s:s,s:s}", "jsonrpc", "2.0", "method", method);
    if (!o) {
        json_decref(params);
        return NULL;
    }
    if (params && json_object_set_new(o, "params", params) < 0) {
        json_decref(o);
        return NULL;
    }
    return o;
}

char *jsonrpc_dump(const json_t *msg)
{
    return json_dumps(msg, JSON_COMPACT);
}
