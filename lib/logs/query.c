/* SPDX-License-Identifier: MIT */
/*
 * query.c: turning a logs_query into reader inputs (see query.h).
 */
#include <errno.h>

#include "logs/logs.h"
#include "logs/query.h"

int logs_query_add_journal(struct log_reader *rd, const struct logs_query *q)
{
    if (!rd || !q) return -EINVAL;
    if (!q->journal) return 0;
    int r = 0;
    if (q->journal_dir) {
        r = log_reader_add_journal_dir(rd, q->journal_dir, q->unit);
        if (r < 0) return r;
    }
    if (q->n_journal_files) {
        r = log_reader_add_journal_files(rd, q->journal_files, q->n_journal_files, q->unit);
        if (r < 0) return r;
    }
    if (!q->journal_dir && !q->n_journal_files) r = log_reader_add_journal(rd, q->unit);
    return r < 0 ? r : 0;
}
