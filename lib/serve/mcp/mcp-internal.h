/* SPDX-License-Identifier: MIT */
/*
 * mcp-internal.h: pieces shared by the files of lib/serve/mcp/ (not a public
 * API): the server state, the tool table, path confinement, result shaping
 * (redaction + budget) and the small JSON Schema checker.
 */
#ifndef TSHOOT_MCP_INTERNAL_H
#define TSHOOT_MCP_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <jansson.h>

#include "core/buf.h"
#include "serve/mcp/jsonrpc.h"
#include "serve/mcp/mcp.h"

#define MCP_MAX_PENDING_CANCELS 64

struct mcp_server {
    char **roots; /* realpath'd, owned */
    size_t n_roots;
    int allow_live;
    char *rules_dir;         /* user rules (operator's --rules), or NULL */
    char *builtin_rules_dir; /* the shipped rules/, or NULL */
    size_t max_message;
    int (*write)(void *userdata, const char *msg, size_t len);
    void *userdata;

    char version[16]; /* negotiated protocol version, "" before initialize */
    int initialized;  /* notifications/initialized seen */

    pthread_mutex_t lock;    /* guards current_id and pending_cancels */
    json_t *current_id;      /* id of the request being answered, owned */
    atomic_int cancelled;    /* current request was cancelled */
    json_t *pending_cancels; /* array of ids cancelled before they started */

    json_t *last_diagnosis; /* redacted, unshaped diagnose document, owned */
    void *kb;               /* knowledge base (struct kb *), loaded on first use */
    int kb_error;           /* kb_load() failure, remembered (0: none yet) */
    void *sigdb;            /* compiled signatures of kb (struct sigdb *), on first diagnose */

    const struct mcp_tool *extra_tools; /* borrowed: tools added by the embedder (tests) */
    size_t n_extra_tools;
};

/* One running tools/call: progress and cancellation. */
struct mcp_call {
    struct mcp_server *s;
    const json_t *progress_token; /* borrowed, NULL when the client sent none */
    size_t max_items;
    size_t budget_tokens;
    int last_stage; /* last progress reported, -1 before the first */
};

/* Send a progress notification when the client asked for them (stage of
 * total, message) and check for cancellation. Returns 0, -ECANCELED when
 * the request was cancelled, or a write error. Call it between stages. */
int mcp_call_stage(struct mcp_call *c, int stage, int total, const char *message);

/* A tool. call() returns 0 with *ret_structured set (an object), or 0 with
 * *ret_error set (a tool failure the model should see: isError), or a
 * negative errno (-ECANCELED: no response; others: internal error). */
struct mcp_tool {
    const char *name;
    const char *title;
    const char *description;
    const char *input_schema; /* JSON text */
    int (*call)(struct mcp_call *c, json_t *args, json_t **ret_structured, char **ret_error);
    /* Short text rendering of the (already redacted and shaped) result,
     * caller-owned; NULL on ENOMEM. */
    char *(*render)(const json_t *structured);
    /* The text gets 1/text_share of the result budget (0: a quarter);
     * tools whose product is a document (report, alert_rules) give it half. */
    int text_share;
};

extern const struct mcp_tool mcp_tools[];
extern const size_t mcp_n_tools;
/* Built-in tool or one of the server's extra tools, NULL when unknown. */
const struct mcp_tool *mcp_tool_find(const struct mcp_server *s, const char *name);
/* Serve these tools too (after the built-in ones); the table is borrowed and
 * must outlive the server. Used by the unit tests to drive tools/call with
 * a tool of known behaviour. */
void mcp_server_set_extra_tools(struct mcp_server *s, const struct mcp_tool *tools, size_t n);

/* Resolve a path argument: relative paths are taken against the first
 * root; the result is realpath()'d and must lie inside a root. Returns 0 and
 * *ret (caller-owned), or a negative errno and *ret_error, a one-line
 * message naming the argument (caller-owned), e.g.
 * "path '/etc/shadow' is outside the allowed roots (/srv/incidents)". */
int mcp_resolve_path(const struct mcp_server *s, const char *arg, char **ret, char **ret_error);
/* True when the (already resolved, absolute) path lies in root. */
bool mcp_path_in_root(const char *path, const char *root);

/* Redact every string of v in place (values under secret-looking keys are
 * replaced whole). Returns the number of secrets replaced or -ENOMEM. */
int mcp_redact_json(json_t *v);
/* Redact a string; caller-owned, NULL on ENOMEM. */
char *mcp_redact_text(const char *s);

/* Cut v (an object) so that its compact JSON fits budget_chars: lists are
 * cut to max_items, then inner lists and long strings shrink step by step.
 * What was cut is recorded in v["truncated"]. Returns 0 or -ENOMEM. */
int mcp_shape(json_t *v, size_t max_items, size_t budget_chars);

/* Valid UTF-8 prefix length of s[0..n) not cutting a character. */
size_t mcp_utf8_cut(const char *s, size_t n);

/* Check args against a (small subset of) JSON Schema: type, properties,
 * required, additionalProperties:false, items, enum, minimum, maximum,
 * minLength. Returns 0 or -EINVAL with a one-line reason in err. */
int mcp_schema_check(const json_t *schema, const json_t *args, char *err, size_t err_size);

/* Prompts and resources (server-prompts.c). */
int mcp_prompts_list(struct mcp_server *s, json_t *params, json_t **ret, int *ret_code,
                     char **ret_msg);
int mcp_prompts_get(struct mcp_server *s, json_t *params, json_t **ret, int *ret_code,
                    char **ret_msg);
int mcp_resources_list(struct mcp_server *s, json_t *params, json_t **ret, int *ret_code,
                       char **ret_msg);
int mcp_resource_templates_list(struct mcp_server *s, json_t *params, json_t **ret, int *ret_code,
                                char **ret_msg);
int mcp_resources_read(struct mcp_server *s, json_t *params, json_t **ret, int *ret_code,
                       char **ret_msg);

/* Prepare what the first calls would otherwise pay for (the rules). Best
 * effort: failures are left for the call to report. */
void mcp_server_warm_up(struct mcp_server *s);

/* Write one message through the callback (s->write). 0 or -errno. */
int mcp_send(struct mcp_server *s, json_t *msg);

#endif
