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
 * may be NULL on success). Returns 0, -EINVAL (nothing compiled), -ENOMEM,
 * -ELIBACC when Hyperscan (libhs.so.5, loaded on first use) cannot be loaded
 * (dl_error() says why). */
int sigdb_build(const struct kb *kb, struct sigdb **ret, char **ret_err);
struct sigdb *sigdb_free(struct sigdb *db);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct sigdb *, sigdb_free)

/* Like sigdb_build, for the build-time generator (tools/gen-sigdb.c): no
 * embedded database, no cache, compiled for a generic x86-64 (no
 * CPU-specific instructions) so the serialized database runs on any CPU
 * Hyperscan supports. */
int sigdb_build_generic(const struct kb *kb, struct sigdb **ret, char **ret_err);
/* Serialize the database (hs_serialize_database). *ret_bytes is
 * caller-owned. 0, -EINVAL (db built with extra databases), -ENOMEM. */
int sigdb_serialize(const struct sigdb *db, char **ret_bytes, size_t *ret_len);

/* The built-in rules' patterns compiled at build time (generated file
 * builtin-sigdb.c, written by tools/gen-sigdb.c; all zero in the generator
 * itself). sigdb_build uses it when the kb uses every one of its patterns
 * and the database fits this Hyperscan (version, platform); patterns not in
 * it (user rules) are compiled into a second, small database. Otherwise it
 * compiles everything as before. */
struct sigdb_blob {
    const unsigned char *bytes; /* hs_serialize_database output */
    size_t len;
    const char *const *exprs; /* pattern ids 0..n_exprs, builtin ones first */
    size_t n_exprs;
    unsigned flags; /* Hyperscan flags every expression was compiled with */
};
extern const struct sigdb_blob sigdb_builtin;

/* How many pattern ids were compiled at run time (the rest came from the
 * embedded database sigdb_builtin). */
size_t sigdb_n_compiled(const struct sigdb *db);

/* Number of pattern ids (builtin ones first). */
size_t sigdb_n_patterns(const struct sigdb *db);
/* Borrowed pattern entry. */
const struct sig_pattern *sigdb_pattern(const struct sigdb *db, size_t id);

/* Scan one line: writes the matched pattern ids (each at most once) to
 * ids[0..max) and returns how many matched (>= 0), or -EIO on a scanner
 * failure. */
int sigdb_scan(struct sigdb *db, const char *line, size_t len, uint32_t *ids, size_t max);

/* A scanner with its own Hyperscan scratch, for one thread: several
 * scanners of one database may scan at the same time (sigdb_scan and
 * sigdb_capture use the database's single scratch / match data and must not
 * run concurrently). The db is borrowed and must outlive the scanner.
 * 0, -EINVAL, -ENOMEM. */
struct sigdb_scanner;
int sigdb_scanner_new(const struct sigdb *db, struct sigdb_scanner **ret);
struct sigdb_scanner *sigdb_scanner_free(struct sigdb_scanner *s);
/* Like sigdb_scan, with the scanner's scratch. */
int sigdb_scanner_scan(struct sigdb_scanner *s, const char *line, size_t len, uint32_t *ids,
                       size_t max);

/* Run a signal's capture regex on a line and check its `require` minimums.
 * Returns 1 (captured, requirements met; *ret_text gets a short caller-owned
 * "group=value ..." summary when ret_text is non-NULL), 0 (no match or a
 * requirement not met), or -errno. */
int sigdb_capture(struct sigdb *db, uint32_t rule, uint32_t signal, const char *line, size_t len,
                  char **ret_text);

#endif
