/* SPDX-License-Identifier: MIT */
/*
 * jsonrpc.h: JSON-RPC 2.0 messages as the MCP stdio transport carries them
 * (one JSON document per line).
 *
 * mcp_msg_parse() never fails on bad input: a line that is not JSON, not a
 * JSON-RPC object, or carries an id of a forbidden type becomes an
 * MCP_MSG_INVALID message holding the error code and text to answer with.
 * Only -ENOMEM is returned as an error. The parsed document is owned by the
 * message (release with mcp_msg_done()); id, method and params are borrowed
 * views into it.
 *
 * Ids: MCP allows a string or an integer (JSON-RPC's null id is refused with
 * -32600, as are booleans, reals, arrays and objects). An id is echoed back
 * exactly as received.
 */
#ifndef TSHOOT_MCP_JSONRPC_H
#define TSHOOT_MCP_JSONRPC_H

#include <stddef.h>
#include <jansson.h>
#include "core/macro.h"

/* JSON-RPC 2.0 and MCP error codes. */
enum {
    JSONRPC_PARSE_ERROR = -32700,
    JSONRPC_INVALID_REQUEST = -32600,
    JSONRPC_METHOD_NOT_FOUND = -32601,
    JSONRPC_INVALID_PARAMS = -32602,
    JSONRPC_INTERNAL_ERROR = -32603,
    MCP_RESOURCE_NOT_FOUND = -32002,
};

enum mcp_msg_kind {
    MCP_MSG_INVALID = 0,  /* answer with error_code/error_text (and id when known) */
    MCP_MSG_REQUEST,      /* method + id: needs exactly one response */
    MCP_MSG_NOTIFICATION, /* method, no id: never answered */
    MCP_MSG_RESPONSE,     /* result/error from the client: ignored by the server */
    MCP_MSG_BATCH,        /* a JSON array: root holds the elements */
};

struct mcp_msg {
    enum mcp_msg_kind kind;
    json_t *root;       /* owned: the parsed document, NULL after a parse error */
    json_t *id;         /* borrowed: string or integer id, NULL when none/invalid */
    const char *method; /* borrowed, NULL unless REQUEST/NOTIFICATION */
    json_t *params;     /* borrowed, NULL when absent (always an object otherwise) */
    int error_code;     /* MCP_MSG_INVALID only */
    char error_text[160];
};

/* Parse one message of len bytes (need not be NUL-terminated). Returns 0
 * (whatever the input) or -ENOMEM. */
_warn_unused_result_ int mcp_msg_parse(const char *data, size_t len, struct mcp_msg *ret);
/* Classify an already parsed value; takes a new reference to v. Returns 0 or -ENOMEM. */
_warn_unused_result_ int mcp_msg_from_json(json_t *v, struct mcp_msg *ret);
void mcp_msg_done(struct mcp_msg *m);

/* Is v an id MCP allows (string or integer)? */
bool mcp_id_valid(const json_t *v);

/* {"jsonrpc":"2.0","id":id,"result":result}; steals result, copies id (NULL id
 * becomes null). Returns NULL on ENOMEM. */
json_t *jsonrpc_result(const json_t *id, json_t *result);
/* {"jsonrpc":"2.0","id":id|null,"error":{"code","message"[,"data"]}}; steals data. */
json_t *jsonrpc_error(const json_t *id, int code, const char *message, json_t *data);
/* {"jsonrpc":"2.0","method":method[,"params":params]}; steals params. */
json_t *jsonrpc_notification(const char *method, json_t *params);

/* One line of the transport: compact JSON, no embedded newline, no trailing
 * newline. Caller owns the string; NULL on ENOMEM. */
char *jsonrpc_dump(const json_t *msg);

#endif
