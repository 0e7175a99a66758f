/* SPDX-License-Identifier: MIT */
/* cmd-rules.h: subcommands of `tshoot rules` implemented in their own files. */
#ifndef TSHOOT_CMD_RULES_H
#define TSHOOT_CMD_RULES_H

/* `tshoot rules alerts [OPTIONS]`: argv[0] is "alerts". Returns an exit code. */
int cmd_rules_alerts(int argc, char **argv);

#endif
