/* SPDX-License-Identifier: MIT */
/* libFuzzer target: the MCP message parser and dispatcher. Any byte string
 * is one incoming line: it must be classified (mcp_msg_parse) and answered
 * (mcp_server_handle) without crashing, leaking or writing anything that is
 * not a single line of JSON. */
#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <jansson.h>

#include "serve/mcp/jsonrpc.h"
#include "serve/mcp/mcp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int check_write(void *ud, const char *msg, size_t len)
{
    (void)ud;
    assert(memchr(msg, '\n', len) == NULL);
    json_error_t e;
    json_t *v = json_loadb(msg, len, 0, &e);
    assert(v);
    json_decref(v);
    return 0;
}

static char root[] = "/tmp/tshoot-fuzz-mcp.XXXXXX";

static void remove_root(void)
{
    rmdir(root);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct mcp_msg m;
    if (mcp_msg_parse((const char *)data, size, &m) == 0) {
        if (m.kind == MCP_MSG_INVALID) assert(m.error_code < 0);
        if (m.kind == MCP_MSG_REQUEST) assert(m.id && m.method);
        mcp_msg_done(&m);
    }
    /* An empty root and no live host: a fuzzed tools/call reaches the
     * tools' argument and path checks without reading the machine. */
    static int made;
    if (!made) {
        made = mkdtemp(root) ? 1 : -1;
        if (made > 0) atexit(remove_root);
    }
    if (made < 0) return 0;
    const char *roots[] = { root };
    struct mcp_server_opts o = {
        .roots = roots, .n_roots = 1, .max_message = 65536, .write = check_write
    };
    struct mcp_server *s = NULL;
    if (mcp_server_new(&o, &s, NULL) < 0) return 0;
    /* Twice: once fresh, once after initialize under 2025-03-26 (batches on). */
    (void)mcp_server_handle(s, (const char *)data, size);
    static const char init[] = "{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\","
                               "\"params\":{\"protocolVersion\":\"2025-03-26\"}}";
    (void)mcp_server_handle(s, init, strlen(init));
    (void)mcp_server_handle(s, (const char *)data, size);
    mcp_server_free(s);
    return 0;
}
