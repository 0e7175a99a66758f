/* SPDX-License-Identifier: MIT */
/*
 * query.h: what a `tshoot logs` run reads, shared by every log analysis
 * (logs_errors_run, logs_patterns_run, diagnose).
 *
 * All pointers are borrowed from the caller and must stay valid for the
 * whole run. A zero-initialised struct plus paths is a valid query:
 *
 *     struct logs_query q = { .paths = paths, .n_paths = n,
 *                             .since = TS_TIME_NONE, .until = TS_TIME_NONE };
 *
 * Use logs_query_init() to get these defaults.
 */
#ifndef TSHOOT_LOGS_QUERY_H
#define TSHOOT_LOGS_QUERY_H

#include <stddef.h>
#include <stdint.h>
#include "core/timeutil.h"

struct log_reader;

/* Progress report: called at most a few times per second from inside a run
 * with the decompressed bytes read so far, the total input bytes when known
 * (compressed files count their on-disk size; 0 when unknown, e.g. stdin or
 * the journal) and the bytes of input consumed on disk so far (comparable
 * with total). Never called when the callback pointer is NULL. */
typedef void (*logs_progress_fn)(void *userdata, uint64_t bytes_read, uint64_t disk_done,
                                 uint64_t disk_total);

/* An optional matcher of known failure signatures (the knowledge base:
 * lib/rca/logsig.h builds one), so that lib/logs needs no rule code.
 * Signatures are numbered 0..n. Every callback is required; `match` runs on
 * every input line from the worker threads, each with its own state from
 * `state_new`. All strings from `describe` are borrowed from ctx. */
struct logs_sigs {
    size_t n;
    void *ctx;
    /* one per worker thread: 0 or -errno; *ret_state freed by state_free */
    int (*state_new)(void *ctx, void **ret_state);
    void (*state_free)(void *state);
    /* Write the signatures line matches (each at most once) to ids[0..max);
     * returns how many (>= 0) or -errno. */
    int (*match)(void *state, const char *line, size_t len, uint32_t *ids, size_t max);
    /* The rule id, category and signal name of signature i. */
    void (*describe)(void *ctx, size_t i, const char **rule, const char **category,
                     const char **signal);
};

struct logs_query {
    const char **paths; /* files, directories (recursive) or "-" for stdin; borrowed */
    size_t n_paths;
    int journal;                /* also read a systemd journal: journal_dir/journal_files
                                   when set, else this host's journal */
    const char *unit;           /* journal unit filter (NULL: all units); borrowed */
    const char *journal_dir;    /* a journal directory (journalctl -D); borrowed */
    const char **journal_files; /* journal files read together (journalctl --file); borrowed */
    size_t n_journal_files;
    ts_time_t since;           /* TS_TIME_NONE: no lower bound */
    ts_time_t until;           /* TS_TIME_NONE: no upper bound */
    size_t max_items;          /* cap on items per output list; 0 = default (50) */
    int per_line;              /* patterns: one template per input line */
    int json;                  /* the caller wants JSON (libs always build json_t) */
    size_t max_line;           /* reader line cap; 0 = default (64 KiB) */
    int threads;               /* worker threads for several inputs; 0 = auto, 1 = single */
    logs_progress_fn progress; /* optional */
    void *progress_userdata;
    const struct logs_sigs *sigs; /* optional known-signature matcher; borrowed */
};

/* Queue the journal(s) q asks for on rd (nothing when !q->journal): the
 * directory q->journal_dir and/or the files q->journal_files, or this host's
 * journal when neither is set, each filtered by q->unit. The one place that
 * turns a query into journal inputs (errors, patterns, diagnose). Returns 0
 * or -errno (-ENOMEM, -EINVAL). Unreadable journal files are not errors
 * here: the reader lists them (log_reader_error) when it reaches them. */
int logs_query_add_journal(struct log_reader *rd, const struct logs_query *q);

static inline void logs_query_init(struct logs_query *q)
{
    *q = (struct logs_query){ .since = TS_TIME_NONE, .until = TS_TIME_NONE };
}

#endif
