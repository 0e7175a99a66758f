/* SPDX-License-Identifier: MIT */
/*
 * features.h: which tshoot capabilities the MCP server exposes. A tool is
 * listed only when its lib entry point is part of the build: set the switch
 * to 1 once the capability's branch is merged (see docs/mcp.md, "Enabling
 * a tool"). A switched-off tool is not compiled and never listed: no stubs.
 */
#ifndef TSHOOT_MCP_FEATURES_H
#define TSHOOT_MCP_FEATURES_H

#define MCP_HAVE_COLLECT  1 /* lib/host/collect.h: collect_run() */
#define MCP_HAVE_LOGS     1 /* lib/logs/{query,errors,patterns}.h */
#define MCP_HAVE_DIAGNOSE 1 /* lib/rca/diagnose.h: diagnose_run() */
#define MCP_HAVE_KB       1 /* lib/rca/kb.h: kb_load(), kb_rule_json() */
#define MCP_HAVE_ALERTS   1 /* lib/metrics/alerts.h: alert_rules_yaml() */
#define MCP_HAVE_REPORT   1 /* lib/report/report.h: report_markdown() (needs DIAGNOSE) */

#endif
