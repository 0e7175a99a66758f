/* SPDX-License-Identifier: MIT */
/*
 * signatures.h: every log pattern of the knowledge base compiled into one
 * Hyperscan database, scanned once per line. PCRE2 (JIT) only runs on the
 * few lines Hyperscan already matched, for signals that capture values.
 *
 * Identical pattern texts share one Hyperscan id; each id maps back to the
 * (rule, signal) pairs that use it. A few built-in ids classify lines for
 * the timeline (error words, HTTP error statuses).
 */
#ifndef TSHOOT_RCA_SIGNATURES_H
#define TSHOOT_RCA_SIGNATURES_H

#include <stddef.h>
#include <stdint.h>
#include "rca/kb.h"

struct sig_use {
    uint32_t rule;   /* index into kb->rules */
    uint32_t signal; /* index into rule->signals, or ->against when against */
    int against;
};

struct sig_pattern {
    char *expr; /* the regex as compiled */
    struct sig_use *uses;
    size_t n_uses;
};

enum {
    SIG_BUILTIN_ERROR = 0, /* error words: error, fatal, panic, exception, failed ... */
    SIG_BUILTIN_HTTP,      /* an HTTP access-log line with a 4xx/5xx status */
    _SIG_BUILTIN_MAX,
};

struct sigdb;

/* Compile the log patterns of kb. Rules whose pattern Hyperscan refuses are
 * dropped from the database and reported through *ret_err (caller-owned,
 * may be NULL on success). Returns 0, -EINVAL (nothing compiled), -ENOMEM. */
int sigdb_build(const struct kb *kb, struct sigdb **ret, char **ret_err);
struct sigdb *sigdb_free(struct sigdb *db);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct sigdb *, sigdb_free)

/* Number of pattern ids (builtin ones first). */
size_t sigdb_n_patterns(const struct sigdb *db);
/* Borrowed pattern entry. */
const struct sig_pattern *sigdb_pattern(const struct sigdb *db, size_t id);

/* Scan one line: writes the matched pattern ids (each at most once) to
 * ids[0..max) and returns how many matched (>= 0), or -EIO on a scanner
 * failure. */
int sigdb_scan(struct sigdb *db, const char *line, size_t len, uint32_t *ids, size_t max);

/* Run a signal's capture regex on a line and check its `require` minimums.
 * Returns 1 (captured, requirements met; *ret_text gets a short caller-owned
 * "group=value ..." summary when ret_text is non-NULL), 0 (no match or a
 * requirement not met), or -errno. */
int sigdb_capture(struct sigdb *db, uint32_t rule, uint32_t signal, const char *line, size_t len,
                  char **ret_text);

#endif
