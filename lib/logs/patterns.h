/* SPDX-License-Identifier: MIT */
/*
 * patterns.h: `tshoot logs patterns`, the template view of any set of logs.
 *
 * logs_patterns_run() reads q->paths (and the journal when q->journal),
 * strips each line's header (time, level, ...) with log_parse_line, mines
 * the messages (miner.h) and returns the whole --json document
 * (schema "tshoot.patterns/1", documented in docs/patterns.md). Every
 * template text and example in it has passed through redaction.
 *
 * logs_patterns_per_line() is the --per-line form: input lines are taken
 * as bare messages (no header stripping) and exactly one template per
 * input line is handed to `write`, in input order. To print final
 * templates (after later lines refined them) the template id of each line
 * is buffered (4 bytes a line) up to `max_buffered` lines (default
 * 16 Mi lines = 64 MiB); past that cap, or when the miner must evict, the
 * buffer is flushed and each later line is written as soon as it is read
 * (its template as known at that moment). Memory stays bounded either way.
 * Templates are redacted (core/redact.h) before they are written.
 */
#ifndef TSHOOT_LOGS_PATTERNS_H
#define TSHOOT_LOGS_PATTERNS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "logs/miner.h"
#include "logs/query.h"

#define PATTERNS_DEFAULT_MAX_BUFFERED (16u << 20)

/* Write callback: write n bytes (a template followed by '\n'). Returns 0 or
 * a negative errno, which aborts the run. */
typedef int (*patterns_write_fn)(void *userdata, const char *s, size_t n);

struct patterns_opts {
    size_t max_templates;  /* miner cap; 0 = default */
    unsigned min_distinct; /* miner threshold; 0 = default */
    size_t max_buffered;   /* --per-line: lines buffered; 0 = default */
};

/* Run the template mining over q (q->per_line is ignored: the per-line form
 * is logs_patterns_per_line()); *ret gets the JSON document (caller owns).
 * Returns 0, or -errno (-ENOENT/-EACCES for a missing input when it is the
 * only one, -ENOMEM). Per-file problems are reported inside the document. */
int logs_patterns_run(const struct logs_query *q, json_t **ret);
/* Same with explicit mining options (NULL = defaults). */
int logs_patterns_run_opts(const struct logs_query *q, const struct patterns_opts *o, json_t **ret);

/* --per-line over q->paths ("-" = stdin; none = stdin). *ret_stats
 * (optional) gets the miner's counters. Returns 0 or -errno. */
int logs_patterns_per_line(const struct logs_query *q, const struct patterns_opts *o,
                           patterns_write_fn write, void *userdata, struct miner_stats *ret_stats);

#endif
