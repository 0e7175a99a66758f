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
 *
 * Several inputs: with 2+ paths (none "-", no journal) and threads > 1 the
 * paths are split, in order, into runs of about equal size, one per worker
 * thread; each worker has its own reader and miner. The miners are then
 * merged into the first with miner_absorb(), in input order. --per-line:
 * each worker keeps its lines' template ids (its share of max_buffered);
 * the ids are mapped to the merged miner and the lines written in input
 * order. --per-line over ONE plain (uncompressed, regular) file of at least
 * PATTERNS_SPLIT_MIN bytes splits it instead into byte ranges cut at line
 * starts (at most one per 16 MiB), one per worker, merged the same way.
 * When a worker's buffer fills, a miner evicts, or a worker fails,
 * the one-thread path runs instead (same output and errors as threads = 1).
 * Memory: one miner (about 15 MB at the default cap), a 4 MiB read buffer
 * and (--per-line) its ids per worker.
 */
#ifndef TSHOOT_LOGS_PATTERNS_H
#define TSHOOT_LOGS_PATTERNS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "logs/miner.h"
#include "logs/query.h"

#define PATTERNS_DEFAULT_MAX_BUFFERED (16u << 20)
#define PATTERNS_DEFAULT_MAX_THREADS  8           /* default: CPUs we may run on, at most this */
#define PATTERNS_MAX_THREADS          16          /* --threads cap */
#define PATTERNS_SPLIT_MIN            (32u << 20) /* --per-line: one file this big is split */

/* Write callback: write n bytes (a template followed by '\n'). Returns 0 or
 * a negative errno, which aborts the run. */
typedef int (*patterns_write_fn)(void *userdata, const char *s, size_t n);

struct patterns_opts {
    size_t max_templates;  /* miner cap; 0 = default */
    unsigned min_distinct; /* miner threshold; 0 = default */
    size_t max_buffered;   /* --per-line: lines buffered; 0 = default */
    /* Worker threads when there are several inputs (1 = the one-thread
     * path; 0 = patterns_default_threads(); capped at PATTERNS_MAX_THREADS
     * and at the number of inputs). See "Several inputs" below. */
    unsigned threads;
};

/* CPUs in this process's affinity mask, at least 1, at most
 * PATTERNS_DEFAULT_MAX_THREADS. */
unsigned patterns_default_threads(void);

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
