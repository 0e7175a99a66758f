/* SPDX-License-Identifier: MIT */
/*
 * mcp.h: the Model Context Protocol server behind `tshoot mcp`.
 *
 * The server answers JSON-RPC 2.0 messages (MCP stdio transport: one JSON
 * document per line) with tshoot's read-only capabilities as tools
 * (collect, logs_patterns, logs_errors, diagnose, explain_rule, alert_rules,
 * report), the knowledge base and the last diagnosis as resources, and an
 * "investigate-incident" prompt.
 *
 * Safety: every path argument is realpath()'d and must lie inside one of
 * the roots given at creation; every result passes through lib/core/redact;
 * every result is cut to a budget (max_items per list, budget_tokens for
 * the whole result), and the cut is reported in the result.
 *
 * Output goes through the caller's write callback, one complete message per
 * call (no trailing newline; the transport adds it). The library never
 * touches stdin/stdout itself except in mcp_serve_fd(), which reads the fd
 * it is given.
 */
#ifndef TSHOOT_MCP_H
#define TSHOOT_MCP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "core/macro.h"

#define MCP_DEFAULT_MAX_MESSAGE   (4u << 20) /* bytes per incoming message */
#define MCP_DEFAULT_BUDGET_TOKENS 4000       /* per tool result, ~4 chars a token */
#define MCP_DEFAULT_MAX_ITEMS     10         /* per list in a tool result */

/* Newest first; the first is what we answer with when the client's version
 * is unknown to us. */
extern const char *const mcp_protocol_versions[];
extern const size_t mcp_n_protocol_versions;

struct mcp_server_opts {
    const char *const *roots; /* directories paths must lie in (realpath'd at creation) */
    size_t n_roots;
    int allow_live;                /* tools may read the live host (/proc, journal) */
    const char *rules_dir;         /* extra user rules for the knowledge base, or NULL */
    const char *builtin_rules_dir; /* the shipped rules directory, or NULL */
    size_t max_message;            /* 0: MCP_DEFAULT_MAX_MESSAGE */
    /* Called with one complete message (compact JSON, no newline); returns
     * 0 or -errno (a failure stops mcp_serve_fd). Must be set. */
    int (*write)(void *userdata, const char *msg, size_t len);
    void *userdata;
};

struct mcp_server;

/* Create a server (caller owns it). Returns 0, -ENOMEM, or the errno of
 * realpath() for a root that cannot be resolved; *ret_bad_root (optional)
 * then gets that root's index. */
int mcp_server_new(const struct mcp_server_opts *o, struct mcp_server **ret, size_t *ret_bad_root);
struct mcp_server *mcp_server_free(struct mcp_server *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct mcp_server *, mcp_server_free)

/* Parse one incoming message (a line without its newline) and answer it
 * through the write callback. Oversized messages (> max_message) get an
 * error response. Returns 0, or a negative errno from the write callback /
 * -ENOMEM; protocol errors are answered, never returned. */
int mcp_server_handle(struct mcp_server *s, const char *line, size_t len);

/* Mark the in-flight (or queued) request with this id as cancelled: the
 * running tool stops at its next stage and no response is sent. Thread-safe. */
void mcp_server_cancel(struct mcp_server *s, const json_t *request_id);

/* Serve until EOF on in_fd: a reader thread splits lines (capped at
 * max_message; a longer line is skipped to its newline and answered with an
 * error) and applies notifications/cancelled at once; this thread answers
 * everything else in order. Returns 0 at EOF or -errno (read error, write
 * callback error). */
int mcp_serve_fd(struct mcp_server *s, int in_fd);

/* The protocol version negotiated by initialize (borrowed), or NULL. */
const char *mcp_server_protocol_version(const struct mcp_server *s);

#endif
