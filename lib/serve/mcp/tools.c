/* SPDX-License-Identifier: MIT */
/*
 * tools.c: the MCP tool table. Each row is one tshoot capability called
 * in-process through its lib entry point; rows whose capability is not part
 * of the build are switched off in features.h (never listed, no stubs).
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

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
