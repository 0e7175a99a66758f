/* SPDX-License-Identifier: MIT */
/*
 * cmd-logs.h: pieces shared by the `tshoot logs` subcommands.
 *
 * src/cmd-logs.c dispatches `logs errors` (implemented there) and
 * `logs patterns` (src/cmd-logs-patterns.c, owned by the miner work).
 */
#ifndef TSHOOT_CMD_LOGS_H
#define TSHOOT_CMD_LOGS_H

#include <stdio.h>
#include "core/timeutil.h"
#include "logs/query.h"

/* `tshoot logs patterns ARGS`: argv[0] is "patterns". Returns an exit code. */
int cmd_logs_patterns(int argc, char **argv);

/* Parse a --since/--until value: an absolute time in any form
 * log_parse_time() knows (RFC 3339 etc.) or a duration ("2h", "30m") taken
 * back from now. Returns 0 and *ret, or -EINVAL. */
int logs_parse_when(const char *s, ts_time_t now, ts_time_t *ret);

/* Progress on stderr: install into a query when stderr is a terminal. The
 * line shows bytes read, the rate and an ETA, appears only after 1 s and is
 * erased by logs_progress_done(). */
void logs_progress_setup(struct logs_query *q);
void logs_progress_done(struct logs_query *q);

/* --journal-dir DIR (dir = 1, once) or --journal-file FILE (repeatable: files
 * is the caller's array of at least argc entries behind q->journal_files):
 * record arg in q and set q->journal. Returns 0 or EXIT_USAGE (printed). */
int logs_journal_option(const char *cmd, struct logs_query *q, const char **files, int dir,
                        const char *arg);

/* Check the journal files/directory q names before reading: when none of
 * them can be read, print one line naming the path and the reason and
 * return the exit code (65 corrupt/truncated/unsupported, 66 missing);
 * bad files next to good ones are warned about and skipped. 0 otherwise. */
int logs_journal_precheck(const char *cmd, const struct logs_query *q);

#endif
