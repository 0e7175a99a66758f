/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/serve/mcp: JSON-RPC framing and errors, request ids,
 * version negotiation, batches, size cap, root confinement, result
 * redaction and budget, progress and cancellation. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "serve/mcp/features.h"
#include "serve/mcp/jsonrpc.h"
#include "serve/mcp/mcp-internal.h"
#include "serve/mcp/mcp.h"

/* ---- harness: a server whose output lands in a JSON array ---------------- */

struct sink {
    json_t *out; /* every message written, parsed */
    struct mcp_server *s;
    json_t *cancel_on_progress; /* id to cancel when a progress notification passes */
};

static int sink_write(void *ud, const char *msg, size_t len)
{
    struct sink *k = ud;
    assert_null(memchr(msg, '\n', len)); /* one line per message */
    json_error_t e;
    json_t *v = json_loadb(msg, len, 0, &e);
    assert_non_null(v);
    json_array_append_new(k->out, v);
    const char *m = json_string_value(json_object_get(v, "method"));
    if (k->cancel_on_progress && m && streq(m, "notifications/progress"))
        mcp_server_cancel(k->s, k->cancel_on_progress);
    return 0;
}

static char tmpl_root[] = "/tmp/tshoot-test-mcp.XXXXXX";
static char *root_dir;

static struct mcp_server *new_server(struct sink *k, size_t max_message)
{
    k->out = json_array();
    const char *roots[] = { root_dir };
    struct mcp_server_opts o = {
        .roots = roots,
        .n_roots = 1,
        .max_message = max_message,
        .write = sink_write,
        .userdata = k,
    };
    struct mcp_server *s = NULL;
    assert_int_equal(mcp_server_new(&o, &s, NULL), 0);
    k->s = s;
    return s;
}

static void sink_done(struct sink *k)
{
    mcp_server_free(k->s);
    json_decref(k->out);
    json_decref(k->cancel_on_progress);
}

/* Send a line, return the only message written in answer (borrowed), or
 * NULL when nothing was written. */
static json_t *send1(struct sink *k, const char *line)
{
    size_t before = json_array_size(k->out);
    assert_int_equal(mcp_server_handle(k->s, line, strlen(line)), 0);
    size_t after = json_array_size(k->out);
    if (after == before) return NULL;
    assert_int_equal(after, before + 1);
    return json_array_get(k->out, after - 1);
}

static int err_code(const json_t *resp)
{
    json_t *e = json_object_get(resp, "error");
    assert_non_null(e);
    assert_null(json_object_get(resp, "result"));
    return (int)json_integer_value(json_object_get(e, "code"));
}

static const char *err_msg(const json_t *resp)
{
    return json_string_value(json_object_get(json_object_get(resp, "error"), "message"));
}

static void init(struct sink *k, const char *version)
{
    char line[256];
    snprintf(line, sizeof line,
             "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{"
             "\"protocolVersion\":\"%s\",\"capabilities\":{},\"clientInfo\":{\"name\":\"t\","
             "\"version\":\"1\"}}}",
             version);
    json_t *r = send1(k, line);
    assert_non_null(json_object_get(r, "result"));
    assert_null(send1(k, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}"));
}

/* ---- parser ------------------------------------------------------------- */

static void test_parse_kinds(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        enum mcp_msg_kind kind;
        int code;
    } cases[] = {
        { "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}", MCP_MSG_REQUEST, 0 },
        { "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}", MCP_MSG_NOTIFICATION,
          0 },
        { "{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":{}}", MCP_MSG_RESPONSE, 0 },
        { "[1,2]", MCP_MSG_BATCH, 0 },
        { "", MCP_MSG_INVALID, JSONRPC_PARSE_ERROR },
        { "{\"jsonrpc\":\"2.0\",", MCP_MSG_INVALID, JSONRPC_PARSE_ERROR },
        { "{} {}", MCP_MSG_INVALID, JSONRPC_PARSE_ERROR },
        { "\"hello\"", MCP_MSG_INVALID, JSONRPC_INVALID_REQUEST },
        { "42", MCP_MSG_INVALID, JSONRPC_INVALID_REQUEST },
        { "{\"id\":1,\"method\":\"ping\"}", MCP_MSG_INVALID, JSONRPC_INVALID_REQUEST },
        { "{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"ping\"}", MCP_MSG_INVALID,
          JSONRPC_INVALID_REQUEST },
        { "{\"jsonrpc\":\"2.0\",\"id\":1}", MCP_MSG_INVALID, JSONRPC_INVALID_REQUEST },
        { "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":7}", MCP_MSG_INVALID, JSONRPC_INVALID_REQUEST },
        { "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":\"x\"}", MCP_MSG_INVALID,
          JSONRPC_INVALID_REQUEST },
        { "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":[1]}", MCP_MSG_INVALID,
          JSONRPC_INVALID_PARAMS },
        { "{\"jsonrpc\":\"2.0\",\"id\":null,\"method\":\"ping\"}", MCP_MSG_INVALID,
          JSONRPC_INVALID_REQUEST },
        { "{\"jsonrpc\":\"2.0\",\"id\":1.5,\"method\":\"ping\"}", MCP_MSG_INVALID,
          JSONRPC_INVALID_REQUEST },
        { "{\"jsonrpc\":\"2.0\",\"id\":true,\"method\":\"ping\"}", MCP_MSG_INVALID,
          JSONRPC_INVALID_REQUEST },
        { "{\"jsonrpc\":\"2.0\",\"id\":[1],\"method\":\"ping\"}", MCP_MSG_INVALID,
          JSONRPC_INVALID_REQUEST },
    };
    for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
        struct mcp_msg m;
        assert_int_equal(mcp_msg_parse(cases[i].in, strlen(cases[i].in), &m), 0);
        if (m.kind != cases[i].kind) fail_msg("case %zu '%s': kind %d", i, cases[i].in, m.kind);
        if (m.kind == MCP_MSG_INVALID) assert_int_equal(m.error_code, cases[i].code);
        mcp_msg_done(&m);
    }
    /* The length counts, not a NUL: a valid prefix followed by junk is refused. */
    const char *two = "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}garbage";
    struct mcp_msg m;
    assert_int_equal(mcp_msg_parse(two, strlen(two) - 7, &m), 0);
    assert_int_equal(m.kind, MCP_MSG_REQUEST);
    mcp_msg_done(&m);
    assert_int_equal(mcp_msg_parse(two, strlen(two), &m), 0);
    assert_int_equal(m.kind, MCP_MSG_INVALID);
    assert_int_equal(m.error_code, JSONRPC_PARSE_ERROR);
    mcp_msg_done(&m);
}

/* ---- ids ---------------------------------------------------------------- */

static void test_ids_echoed(void **state)
{
    (void)state;
    struct sink k = { 0 };
    new_server(&k, 0);
    static const char *const ids[] = {
        "0",
        "1",
        "-7",
        "9007199254740993",
        "9223372036854775807",
        "\"\"",
        "\"abc\"",
        "\"caf\\u00e9 \\\"quoted\\\" \\n\"",
        "\"0001\"",
    };
    for (size_t i = 0; i < ELEMENTSOF(ids); i++) {
        char line[256];
        snprintf(line, sizeof line, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"ping\"}", ids[i]);
        json_t *r = send1(&k, line);
        assert_non_null(r);
        json_error_t e;
        json_t *want = json_loads(ids[i], JSON_DECODE_ANY, &e);
        assert_non_null(want);
        if (!json_equal(json_object_get(r, "id"), want)) fail_msg("id %s not echoed", ids[i]);
        assert_true(json_is_object(json_object_get(r, "result")));
        json_decref(want);
        /* And on an error response too. */
        snprintf(line, sizeof line, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"nope/x\"}",
                 ids[i]);
        r = send1(&k, line);
        assert_int_equal(err_code(r), JSONRPC_METHOD_NOT_FOUND);
        want = json_loads(ids[i], JSON_DECODE_ANY, &e);
        assert_true(json_equal(json_object_get(r, "id"), want));
        json_decref(want);
    }
    /* Forbidden id types: invalid request, answered with a null id. */
    static const char *const bad[] = { "null", "true", "1.25", "{}", "[1]" };
    for (size_t i = 0; i < ELEMENTSOF(bad); i++) {
        char line[128];
        snprintf(line, sizeof line, "{\"jsonrpc\":\"2.0\",\"id\":%s,\"method\":\"ping\"}", bad[i]);
        json_t *r = send1(&k, line);
        assert_int_equal(err_code(r), JSONRPC_INVALID_REQUEST);
        assert_true(json_is_null(json_object_get(r, "id")));
    }
    sink_done(&k);
}

/* ---- errors ------------------------------------------------------------- */

static void test_errors(void **state)
{
    (void)state;
    struct sink k = { 0 };
    new_server(&k, 0);
    json_t *r = send1(&k, "this is not json");
    assert_int_equal(err_code(r), JSONRPC_PARSE_ERROR);
    assert_true(json_is_null(json_object_get(r, "id")));
    r = send1(&k, "{\"jsonrpc\":\"2.0\",\"id\":\"x\",\"method\":\"tools/frobnicate\"}");
    assert_int_equal(err_code(r), JSONRPC_METHOD_NOT_FOUND);
    assert_non_null(strstr(err_msg(r), "tools/frobnicate"));
    /* wrong version: id still echoed */
    r = send1(&k, "{\"jsonrpc\":\"2.1\",\"id\":9,\"method\":\"ping\"}");
    assert_int_equal(err_code(r), JSONRPC_INVALID_REQUEST);
    assert_int_equal(json_integer_value(json_object_get(r, "id")), 9);
    /* invalid params of known methods */
    static const char *const badp[] = {
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{\"protocolVersion\":"
        "2025}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"nope\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":[\"diagnose\"]}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\",\"params\":{}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/get\",\"params\":{\"name\":\"x\"}}",
        "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/get\",\"params\":{\"name\":"
        "\"investigate-incident\"}}",
    };
    for (size_t i = 0; i < ELEMENTSOF(badp); i++) {
        r = send1(&k, badp[i]);
        if (err_code(r) != JSONRPC_INVALID_PARAMS) fail_msg("not -32602: %s", badp[i]);
        assert_int_equal(json_integer_value(json_object_get(r, "id")), 1);
    }
    r = send1(&k, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"resources/read\",\"params\":{"
                  "\"uri\":\"tshoot://nope\"}}");
    assert_int_equal(err_code(r), MCP_RESOURCE_NOT_FOUND);
    /* Notifications are never answered, not even bad or unknown ones. */
    assert_null(send1(&k, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/whatever\"}"));
    assert_null(send1(&k, "{\"jsonrpc\":\"2.0\",\"method\":\"ping\",\"params\":\"bad\"}"));
    assert_null(send1(&k, "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/cancelled\"}"));
    assert_null(send1(&k, "{\"jsonrpc\":\"2.0\",\"id\":5,\"result\":{}}")); /* a response */
    /* and after all that the server still answers */
    r = send1(&k, "{\"jsonrpc\":\"2.0\",\"id\":77,\"method\":\"ping\"}");
    assert_int_equal(json_integer_value(json_object_get(r, "id")), 77);
    sink_done(&k);
}

static void test_version_negotiation(void **state)
{
    (void)state;
    static const struct {
        const char *asked, *got;
    } cases[] = {
        { "2025-06-18", "2025-06-18" }, { "2025-03-26", "2025-03-26" },
        { "2024-11-05", "2024-11-05" }, { "2025-11-25", "2025-06-18" },
        { "1999-01-01", "2025-06-18" },
    };
    for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
        struct sink k = { 0 };
        new_server(&k, 0);
        char line[256];
        snprintf(line, sizeof line,
                 "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"initialize\",\"params\":{"
                 "\"protocolVersion\":\"%s\",\"capabilities\":{}}}",
                 cases[i].asked);
        json_t *r = send1(&k, line);
        json_t *res = json_object_get(r, "result");
        assert_string_equal(json_string_value(json_object_get(res, "protocolVersion")),
                            cases[i].got);
        assert_string_equal(mcp_server_protocol_version(k.s), cases[i].got);
        assert_string_equal(
            json_string_value(json_object_get(json_object_get(res, "serverInfo"), "name")),
            "tshoot");
        assert_true(json_is_object(json_object_get(json_object_get(res, "capabilities"), "tools")));
        sink_done(&k);
    }
}

static void test_batches(void **state)
{
    (void)state;
    const char *batch = "[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"},"
                        "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"},"
                        "{\"jsonrpc\":\"2.0\",\"id\":\"two\",\"method\":\"nope\"},"
                        "17]";
    /* 2025-06-18 removed batches: one invalid-request error. */
    struct sink k = { 0 };
    new_server(&k, 0);
    init(&k, "2025-06-18");
    json_t *r = send1(&k, batch);
    assert_int_equal(err_code(r), JSONRPC_INVALID_REQUEST);
    sink_done(&k);

    /* 2025-03-26 has them: one array of answers, none for the notification. */
    k = (struct sink){ 0 };
    new_server(&k, 0);
    init(&k, "2025-03-26");
    r = send1(&k, batch);
    assert_true(json_is_array(r));
    assert_int_equal(json_array_size(r), 3);
    assert_int_equal(json_integer_value(json_object_get(json_array_get(r, 0), "id")), 1);
    assert_int_equal(err_code(json_array_get(r, 1)), JSONRPC_METHOD_NOT_FOUND);
    assert_string_equal(json_string_value(json_object_get(json_array_get(r, 1), "id")), "two");
    assert_int_equal(err_code(json_array_get(r, 2)), JSONRPC_INVALID_REQUEST);
    r = send1(&k, "[]");
    assert_int_equal(err_code(r), JSONRPC_INVALID_REQUEST);
    assert_null(send1(&k, "[{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}]"));
    r = send1(&k, "[[{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}]]");
    assert_true(json_is_array(r));
    assert_int_equal(err_code(json_array_get(r, 0)), JSONRPC_INVALID_REQUEST);
    sink_done(&k);
}

/* ---- size cap and the fd transport -------------------------------------- */

struct feeder {
    int fd;
    const char *data;
    size_t len;
};

static void *feed(void *p)
{
    struct feeder *f = p;
    assert_int_equal(write_all(f->fd, f->data, f->len), 0);
    close(f->fd);
    return NULL;
}

static void test_oversized_and_transport(void **state)
{
    (void)state;
    struct sink k = { 0 };
    new_server(&k, 1024);
    /* direct: an oversized message is refused and the server goes on */
    char big[3000];
    memset(big, ' ', sizeof big);
    memcpy(big, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"params\":{\"x\":\"", 55);
    memcpy(big + sizeof big - 4, "\"}}", 3);
    big[sizeof big - 1] = '\0';
    json_t *r = send1(&k, big);
    assert_int_equal(err_code(r), JSONRPC_INVALID_REQUEST);
    assert_non_null(strstr(err_msg(r), "limit"));

    /* through a pipe: lines split over reads, CRLF, blank lines, an
     * oversized line in the middle, a last line without newline */
    struct buf in = BUF_INIT(1 << 20);
    assert_int_equal(buf_puts(&in, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\"}\r\n\n"), 0);
    assert_int_equal(buf_puts(&in, big), 0);
    for (int i = 0; i < 100; i++) assert_int_equal(buf_puts(&in, big), 0); /* ~300 KB line */
    assert_int_equal(buf_puts(&in, "\n{bad json\n"), 0);
    assert_int_equal(buf_puts(&in, "{\"jsonrpc\":\"2.0\",\"id\":\"last\",\"method\":\"ping\"}"), 0);
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct feeder f = { .fd = p[1], .data = buf_str(&in), .len = in.len };
    pthread_t th;
    assert_int_equal(pthread_create(&th, NULL, feed, &f), 0);
    size_t before = json_array_size(k.out);
    assert_int_equal(mcp_serve_fd(k.s, p[0]), 0);
    pthread_join(th, NULL);
    close(p[0]);
    buf_release(&in);
    assert_int_equal(json_array_size(k.out) - before, 4);
    json_t *o = k.out;
    assert_int_equal(json_integer_value(json_object_get(json_array_get(o, before), "id")), 1);
    r = json_array_get(o, before + 1);
    assert_int_equal(err_code(r), JSONRPC_INVALID_REQUEST);
    assert_non_null(strstr(err_msg(r), "302899 bytes"));
    assert_int_equal(err_code(json_array_get(o, before + 2)), JSONRPC_PARSE_ERROR);
    assert_string_equal(json_string_value(json_object_get(json_array_get(o, before + 3), "id")),
                        "last");
    sink_done(&k);
}

/* ---- confinement -------------------------------------------------------- */

static void test_confinement(void **state)
{
    (void)state;
    struct sink k = { 0 };
    new_server(&k, 0);
    char p[512], outside[512];
    snprintf(p, sizeof p, "%s/logs", root_dir);
    assert_int_equal(mkdir(p, 0755), 0);
    snprintf(p, sizeof p, "%s/logs/app.log", root_dir);
    int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    assert_true(fd >= 0);
    close(fd);
    /* a sibling whose name extends the root's must not count as inside */
    snprintf(outside, sizeof outside, "%sx", root_dir);
    assert_int_equal(mkdir(outside, 0755), 0);
    snprintf(p, sizeof p, "%s/escape", root_dir);
    assert_int_equal(symlink("/etc", p), 0);

    char *res = NULL, *err = NULL;
    assert_int_equal(mcp_resolve_path(k.s, p, &res, &err), -EACCES); /* symlink out */
    assert_non_null(strstr(err, "outside the allowed roots"));
    assert_non_null(strstr(err, root_dir));
    free(err);
    assert_int_equal(mcp_resolve_path(k.s, "escape/passwd", &res, &err), -EACCES);
    free(err);
    assert_int_equal(mcp_resolve_path(k.s, "logs/app.log", &res, &err), 0);
    assert_null(err);
    assert_true(mcp_path_in_root(res, root_dir));
    assert_non_null(strstr(res, "/logs/app.log"));
    free(res);
    snprintf(p, sizeof p, "%s/logs/../logs/./app.log", root_dir);
    assert_int_equal(mcp_resolve_path(k.s, p, &res, &err), 0);
    free(res);
    assert_int_equal(mcp_resolve_path(k.s, "../../etc/passwd", &res, &err), -EACCES);
    free(err);
    assert_int_equal(mcp_resolve_path(k.s, "/etc/shadow", &res, &err), -EACCES);
    assert_non_null(strstr(err, "'/etc/shadow' is outside"));
    free(err);
    /* a missing file outside: refused as outside, existence not revealed */
    assert_int_equal(mcp_resolve_path(k.s, "/nonexistent/zz", &res, &err), -EACCES);
    free(err);
    assert_int_equal(mcp_resolve_path(k.s, outside, &res, &err), -EACCES);
    free(err);
    assert_int_equal(mcp_resolve_path(k.s, "logs/missing.log", &res, &err), -ENOENT);
    assert_non_null(strstr(err, "cannot open 'logs/missing.log'"));
    free(err);
    assert_int_equal(mcp_resolve_path(k.s, "", &res, &err), -EINVAL);
    free(err);
    assert_true(mcp_path_in_root("/a/b", "/"));
    assert_true(mcp_path_in_root("/a/b", "/a"));
    assert_false(mcp_path_in_root("/ab", "/a"));
    rmdir(outside);
    sink_done(&k);
}

/* ---- a tool of known behaviour: redaction, budget, errors ---------------- */

static int big_call(struct mcp_call *c, json_t *args, json_t **ret, char **ret_error)
{
    json_t *path = json_object_get(args, "path");
    if (path) {
        char *res = NULL;
        int r = mcp_resolve_path(c->s, json_string_value(path), &res, ret_error);
        free(res);
        if (r < 0 && *ret_error) return 0;
        if (r < 0) return r;
    }
    json_t *items = json_array();
    for (int i = 0; i < 500; i++) {
        char line[200];
        snprintf(line, sizeof line, "line %d: login ok user=bob password=hunter%d", i, i);
        json_array_append_new(items,
                              json_pack("{s:i,s:s,s:[i,i,i,i,i,i,i,i,i,i,i,i]}", "n", i, "text",
                                        line, "deep", 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12));
    }
    *ret =
        json_pack("{s:s,s:o,s:s}", "schema", "test/1", "items", items, "api_token", "plainvalue");
    int r = mcp_call_stage(c, 1, 3, "made items");
    if (r >= 0) r = mcp_call_stage(c, 1, 3, "made items again"); /* not re-reported */
    if (r < 0) json_decref(*ret), *ret = NULL;
    return r;
}

static char *big_render(const json_t *v)
{
    char *s = NULL;
    json_t *it = json_object_get(v, "items");
    if (asprintf(&s, "%zu items, first: %s", json_array_size(it),
                 json_string_value(json_object_get(json_array_get(it, 0), "text"))) < 0)
        return NULL;
    return s;
}

static const struct mcp_tool test_tools[] = {
    { "big", "Big", "Makes a big result with secrets",
      "{\"type\":\"object\",\"properties\":{\"path\":{\"type\":\"string\",\"minLength\":1},"
      "\"mode\":{\"type\":\"string\",\"enum\":[\"a\",\"b\"]},"
      "\"max_items\":{\"type\":\"integer\",\"minimum\":1},\"budget_tokens\":{\"type\":"
      "\"integer\",\"minimum\":200}},\"additionalProperties\":false}",
      big_call, big_render, 0 },
};

static json_t *call_big(struct sink *k, const char *args)
{
    char line[1024];
    snprintf(line, sizeof line,
             "{\"jsonrpc\":\"2.0\",\"id\":\"c\",\"method\":\"tools/call\",\"params\":{\"name\":"
             "\"big\",\"arguments\":%s}}",
             args);
    return send1(k, line);
}

static void test_tool_results(void **state)
{
    (void)state;
    struct sink k = { 0 };
    new_server(&k, 0);
    mcp_server_set_extra_tools(k.s, test_tools, ELEMENTSOF(test_tools));
    init(&k, "2025-06-18");
    json_t *r = send1(&k, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}");
    json_t *tools = json_object_get(json_object_get(r, "result"), "tools");
    json_t *last = json_array_get(tools, json_array_size(tools) - 1);
    assert_string_equal(json_string_value(json_object_get(last, "name")), "big");
    assert_true(json_is_object(json_object_get(last, "inputSchema")));

    /* defaults: 10 items, redacted, under 4000 tokens, cut reported */
    r = call_big(&k, "{}");
    json_t *res = json_object_get(r, "result");
    assert_non_null(res);
    assert_null(json_object_get(res, "isError"));
    json_t *sc = json_object_get(res, "structuredContent");
    assert_int_equal(json_array_size(json_object_get(sc, "items")), 10);
    assert_string_equal(json_string_value(json_object_get(sc, "api_token")), "[REDACTED]");
    char *dump = json_dumps(res, JSON_COMPACT);
    assert_null(strstr(dump, "hunter"));
    assert_non_null(strstr(dump, "password=[REDACTED]"));
    assert_true(strlen(dump) / 4 < 4000);
    free(dump);
    json_t *tr = json_object_get(sc, "truncated");
    assert_non_null(tr);
    json_t *l0 = json_array_get(json_object_get(tr, "lists"), 0);
    assert_string_equal(json_string_value(json_object_get(l0, "path")), "items");
    assert_int_equal(json_integer_value(json_object_get(l0, "total")), 500);
    const char *text = json_string_value(
        json_object_get(json_array_get(json_object_get(res, "content"), 0), "text"));
    assert_non_null(strstr(text, "10 items"));
    assert_null(strstr(text, "hunter"));

    /* a small budget shrinks inner lists first, then top lists */
    r = call_big(&k, "{\"max_items\":1000,\"budget_tokens\":500}");
    sc = json_object_get(json_object_get(r, "result"), "structuredContent");
    dump = json_dumps(sc, JSON_COMPACT);
    assert_true(strlen(dump) <= 500 * 4);
    free(dump);
    assert_true(json_array_size(json_object_get(sc, "items")) >= 1);
    assert_true(json_array_size(json_object_get(sc, "items")) < 500);
    assert_true(json_array_size(
                    json_object_get(json_array_get(json_object_get(sc, "items"), 0), "deep")) < 12);

    /* argument errors are protocol errors naming the argument */
    r = call_big(&k, "{\"mode\":\"c\"}");
    assert_int_equal(err_code(r), JSONRPC_INVALID_PARAMS);
    assert_non_null(strstr(err_msg(r), "'mode' must be one of"));
    r = call_big(&k, "{\"max_items\":\"ten\"}");
    assert_int_equal(err_code(r), JSONRPC_INVALID_PARAMS);
    assert_non_null(strstr(err_msg(r), "'max_items' must be an integer"));
    r = call_big(&k, "{\"frob\":1}");
    assert_int_equal(err_code(r), JSONRPC_INVALID_PARAMS);
    assert_non_null(strstr(err_msg(r), "unknown argument 'frob'"));
    r = call_big(&k, "{\"budget_tokens\":10}");
    assert_int_equal(err_code(r), JSONRPC_INVALID_PARAMS);

    /* a path outside the roots is a tool error the model can read */
    r = call_big(&k, "{\"path\":\"/etc/passwd\"}");
    res = json_object_get(r, "result");
    assert_true(json_is_true(json_object_get(res, "isError")));
    text = json_string_value(
        json_object_get(json_array_get(json_object_get(res, "content"), 0), "text"));
    assert_non_null(strstr(text, "outside the allowed roots"));
    sink_done(&k);
}

static void test_progress_and_cancel(void **state)
{
    (void)state;
    struct sink k = { 0 };
    new_server(&k, 0);
    mcp_server_set_extra_tools(k.s, test_tools, ELEMENTSOF(test_tools));
    init(&k, "2025-06-18");
    /* progress token: notifications with increasing progress, then the result */
    size_t before = json_array_size(k.out);
    assert_int_equal(
        mcp_server_handle(k.s,
                          "{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"tools/call\",\"params\":{"
                          "\"name\":\"big\",\"_meta\":{\"progressToken\":\"tok\"}}}",
                          SIZE_MAX > 0 ? strlen("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":"
                                                "\"tools/call\",\"params\":{\"name\":\"big\","
                                                "\"_meta\":{\"progressToken\":\"tok\"}}}")
                                       : 0),
        0);
    size_t n = json_array_size(k.out) - before;
    assert_true(n >= 3);
    double prev = -1;
    for (size_t i = 0; i < n - 1; i++) {
        json_t *m = json_array_get(k.out, before + i);
        assert_string_equal(json_string_value(json_object_get(m, "method")),
                            "notifications/progress");
        json_t *p = json_object_get(m, "params");
        assert_string_equal(json_string_value(json_object_get(p, "progressToken")), "tok");
        double pr = json_number_value(json_object_get(p, "progress"));
        assert_true(pr > prev);
        prev = pr;
    }
    assert_int_equal(
        json_integer_value(json_object_get(json_array_get(k.out, before + n - 1), "id")), 5);

    /* cancelled while running (the cancel arrives with the first progress
     * notification): no response at all, and the server goes on */
    k.cancel_on_progress = json_integer(6);
    before = json_array_size(k.out);
    const char *c6 = "{\"jsonrpc\":\"2.0\",\"id\":6,\"method\":\"tools/call\",\"params\":{"
                     "\"name\":\"big\",\"_meta\":{\"progressToken\":7}}}";
    assert_int_equal(mcp_server_handle(k.s, c6, strlen(c6)), 0);
    for (size_t i = before; i < json_array_size(k.out); i++)
        assert_null(json_object_get(json_array_get(k.out, i), "id"));
    /* cancelled before it started: dropped */
    json_t *id8 = json_string("eight");
    mcp_server_cancel(k.s, id8);
    json_decref(id8);
    assert_null(send1(&k, "{\"jsonrpc\":\"2.0\",\"id\":\"eight\",\"method\":\"ping\"}"));
    json_t *r = send1(&k, "{\"jsonrpc\":\"2.0\",\"id\":9,\"method\":\"ping\"}");
    assert_int_equal(json_integer_value(json_object_get(r, "id")), 9);
    sink_done(&k);
}

static void test_prompts_resources(void **state)
{
    (void)state;
    struct sink k = { 0 };
    new_server(&k, 0);
    json_t *r = send1(&k, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"prompts/list\"}");
    json_t *p0 = json_array_get(json_object_get(json_object_get(r, "result"), "prompts"), 0);
    assert_string_equal(json_string_value(json_object_get(p0, "name")), "investigate-incident");
    r = send1(&k, "{\"jsonrpc\":\"2.0\",\"id\":2,\"method\":\"prompts/get\",\"params\":{\"name\":"
                  "\"investigate-incident\",\"arguments\":{\"symptom\":\"HTTP 400 on every "
                  "login, token=abcdef123456\",\"bundle\":\"incidents/x\"}}}");
    json_t *m0 = json_array_get(json_object_get(json_object_get(r, "result"), "messages"), 0);
    const char *t = json_string_value(json_object_get(json_object_get(m0, "content"), "text"));
    assert_non_null(strstr(t, "HTTP 400 on every login"));
    assert_non_null(strstr(t, "incidents/x"));
    assert_null(strstr(t, "abcdef123456"));
    static const char *const steps[] = { "Assess",  "Gather",   "Hypothesise", "Test",       "Fix",
                                         "Prevent", "diagnose", "collect",     "alert_rules" };
    for (size_t i = 0; i < ELEMENTSOF(steps); i++) assert_non_null(strstr(t, steps[i]));
    r = send1(&k, "{\"jsonrpc\":\"2.0\",\"id\":3,\"method\":\"resources/list\"}");
    assert_true(json_is_array(json_object_get(json_object_get(r, "result"), "resources")));
    r = send1(&k, "{\"jsonrpc\":\"2.0\",\"id\":4,\"method\":\"resources/templates/list\"}");
    assert_true(json_is_array(json_object_get(json_object_get(r, "result"), "resourceTemplates")));
    sink_done(&k);
}

static void test_redact_json(void **state)
{
    (void)state;
    json_error_t e;
    json_t *v = json_loads("{\"a\":[\"Authorization: Bearer abcdefghijklmnop123\",1],"
                           "\"db_password\":\"x\",\"n\":{\"url\":\"https://u:pw123@h/\"},"
                           "\"text\":\"no space left on device\"}",
                           0, &e);
    assert_non_null(v);
    assert_int_equal(mcp_redact_json(v), 3);
    char *s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS);
    assert_string_equal(s, "{\"a\":[\"Authorization: Bearer [REDACTED]\",1],"
                           "\"db_password\":\"[REDACTED]\",\"n\":{\"url\":"
                           "\"https://u:[REDACTED]@h/\"},\"text\":\"no space left on device\"}");
    free(s);
    json_decref(v);
    /* a UTF-8 cut never splits a character */
    assert_int_equal(mcp_utf8_cut("ab\xc3\xa9", 3), 2);
    assert_int_equal(mcp_utf8_cut("abc", 10), 3);
}

/* ---- the real tools, in-process (leaks and UB show under ASan) ------------ */

static json_t *call_tool(struct sink *k, const char *name, const char *args)
{
    static int id = 1000;
    char *line = NULL;
    assert_true(asprintf(&line,
                         "{\"jsonrpc\":\"2.0\",\"id\":%d,\"method\":\"tools/call\",\"params\":{"
                         "\"name\":\"%s\",\"arguments\":%s}}",
                         ++id, name, args) > 0);
    assert_int_equal(mcp_server_handle(k->s, line, strlen(line)), 0);
    /* the first diagnose also announces the new resource: skip notifications */
    json_t *r = NULL;
    size_t n = json_array_size(k->out);
    for (size_t i = n; i-- > 0;) {
        json_t *m = json_array_get(k->out, i);
        if (json_integer_value(json_object_get(m, "id")) == id) r = m;
    }
    free(line);
    json_t *res = json_object_get(r, "result");
    if (!res) fail_msg("%s: %s", name, json_dumps(r, 0));
    char *dump = json_dumps(res, JSON_COMPACT);
    assert_true(strlen(dump) / 4 < 4000); /* default budget */
    free(dump);
    return res;
}

static void test_real_tools(void **state)
{
    (void)state;
    char *src = realpath(getenv("SRCDIR") ? getenv("SRCDIR") : ".", NULL);
    assert_non_null(src);
    char bundle[512], rules[512], proc[512];
    snprintf(bundle, sizeof bundle, "%s/examples/incidents/authentik-shm", src);
    snprintf(rules, sizeof rules, "%s/rules", src);
    snprintf(proc, sizeof proc, "%s/tests/data/proc-v2", src);
    free(src);
    if (access(bundle, F_OK) < 0 || mcp_n_tools == 0) skip();

    struct sink k = { .out = json_array() };
    const char *roots[] = { bundle, proc };
    struct mcp_server_opts o = {
        .roots = roots,
        .n_roots = 2,
        .builtin_rules_dir = rules,
        .write = sink_write,
        .userdata = &k,
    };
    assert_int_equal(mcp_server_new(&o, &k.s, NULL), 0);
    init(&k, "2025-06-18");
    json_t *res;
#if MCP_HAVE_DIAGNOSE
    res = call_tool(&k, "diagnose", "{\"bundle\":\".\"}");
    json_t *h0 =
        json_array_get(json_object_get(json_object_get(res, "structuredContent"), "hypotheses"), 0);
    assert_string_equal(json_string_value(json_object_get(h0, "category")), "disk_full");
    assert_true(json_array_size(json_object_get(h0, "evidence")) > 0);
    res = call_tool(&k, "diagnose", "{\"bundle\":\".\",\"hypothesis\":\"disk_full\"}");
    assert_int_equal(
        json_array_size(json_object_get(json_object_get(res, "structuredContent"), "hypotheses")),
        1);
    res = call_tool(&k, "diagnose", "{\"bundle\":\"/etc\"}");
    assert_true(json_is_true(json_object_get(res, "isError")));
    res = call_tool(&k, "diagnose", "{\"live\":true}");
    assert_true(json_is_true(json_object_get(res, "isError"))); /* allow_live is 0 */
#endif
#if MCP_HAVE_REPORT && MCP_HAVE_DIAGNOSE
    res = call_tool(&k, "report", "{}");
    assert_null(json_object_get(res, "isError"));
    assert_non_null(strstr(
        json_string_value(json_object_get(json_object_get(res, "structuredContent"), "markdown")),
        "# "));
#endif
#if MCP_HAVE_LOGS
    res = call_tool(&k, "logs_errors", "{\"paths\":[\"logs\"]}");
    assert_null(json_object_get(res, "isError"));
    res = call_tool(&k, "logs_patterns", "{\"paths\":[\"logs\"],\"max_items\":3}");
    assert_true(json_array_size(
                    json_object_get(json_object_get(res, "structuredContent"), "templates")) <= 3);
#endif
#if MCP_HAVE_KB
    res = call_tool(&k, "explain_rule", "{\"id\":\"disk_full\"}");
    assert_null(json_object_get(res, "isError"));
    res = call_tool(&k, "explain_rule", "{\"id\":\"nope\"}");
    assert_true(json_is_true(json_object_get(res, "isError")));
    json_t *r = send1(&k, "{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"resources/read\","
                          "\"params\":{\"uri\":\"tshoot://rules/disk_full\"}}");
    assert_non_null(json_object_get(r, "result"));
#endif
#if MCP_HAVE_ALERTS
    res = call_tool(&k, "alert_rules", "{\"threshold_pct\":90}");
    assert_null(json_object_get(res, "isError"));
#endif
#if MCP_HAVE_COLLECT
    char args[600];
    snprintf(args, sizeof args, "{\"root\":\"%s\",\"sections\":[\"findings\",\"memory\"]}", proc);
    res = call_tool(&k, "collect", args);
    json_t *sc = json_object_get(res, "structuredContent");
    assert_true(json_array_size(json_object_get(sc, "findings")) > 0);
    assert_null(json_object_get(sc, "filesystems")); /* not asked for */
#endif
    sink_done(&k);
}

static int setup(void **state)
{
    (void)state;
    root_dir = mkdtemp(tmpl_root);
    return root_dir ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", root_dir);
    return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_kinds),
        cmocka_unit_test(test_ids_echoed),
        cmocka_unit_test(test_errors),
        cmocka_unit_test(test_version_negotiation),
        cmocka_unit_test(test_batches),
        cmocka_unit_test(test_oversized_and_transport),
        cmocka_unit_test(test_confinement),
        cmocka_unit_test(test_tool_results),
        cmocka_unit_test(test_progress_and_cancel),
        cmocka_unit_test(test_prompts_resources),
        cmocka_unit_test(test_redact_json),
        cmocka_unit_test(test_real_tools),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
