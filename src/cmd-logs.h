/* SPDX-License-Identifier: MIT */
/* cmd-logs.h: the `tshoot logs` subcommands, dispatched by src/cmd-logs.c. */
#ifndef TSHOOT_CMD_LOGS_H
#define TSHOOT_CMD_LOGS_H

int cmd_logs_patterns(int argc, char **argv);

#endif
