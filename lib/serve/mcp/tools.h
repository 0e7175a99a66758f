/* SPDX-License-Identifier: MIT */
/*
 * tools.h: rows of the tool table (tools.c), one per capability; each row's
 * functions live in tool-NAME.c and exist only when features.h enables it.
 * The common arguments every tool takes are in MCP_COMMON_PROPS.
 */
#ifndef TSHOOT_MCP_TOOLS_H
#define TSHOOT_MCP_TOOLS_H

#include "serve/mcp/features.h"
#include "serve/mcp/mcp-internal.h"

#define MCP_COMMON_PROPS                                                                           \
    "\"max_items\":{\"type\":\"integer\",\"minimum\":1,\"maximum\":1000,"                          \
    "\"description\":\"Longest list in the result (default 10); cut lists are named in "           \
    "'truncated'\"},"                                                                              \
    "\"budget_tokens\":{\"type\":\"integer\",\"minimum\":200,\"maximum\":100000,"                  \
    "\"description\":\"Size cap of the whole result in tokens (~4 characters each; default "       \
    "4000)\"}"

#endif
