/* SPDX-License-Identifier: MIT */
/*
 * cmd-rules.h: `tshoot rules alerts` is implemented by the watch/metrics
 * side (Prometheus alert rules from the knowledge base). cmd-rules.c
 * dispatches to it; a weak fallback keeps builds without it linking.
 */
#ifndef TSHOOT_CMD_RULES_H
#define TSHOOT_CMD_RULES_H

/* argv[0] is "alerts". Returns an exit code. */
int cmd_rules_alerts(int argc, char **argv);

#endif
