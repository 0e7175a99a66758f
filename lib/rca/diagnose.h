/* SPDX-License-Identifier: MIT */
/*
 * diagnose.h: ranked root-cause hypotheses from a bundle, loose log files or
 * the live host, as one "tshoot.diagnose/1" JSON document.
 */
#ifndef TSHOOT_RCA_DIAGNOSE_H
#define TSHOOT_RCA_DIAGNOSE_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct kb;
struct sigdb;

struct diagnose_opts {
    const char *bundle; /* directory or .tar.gz, or NULL */
    const char **logs;  /* loose log files (borrowed) */
    size_t n_logs;
    int live; /* collect this host (needs lib/host/collect) */
    /* A copied journal to read instead of this host's (the live mode reads
     * this host's journal otherwise): a directory (journalctl -D) and/or
     * files, optionally one unit; all borrowed. Without --live these alone
     * are an input (no default time window: since_ns only). */
    const char *journal_dir;
    const char **journal_files;
    size_t n_journal_files;
    const char *journal_unit;
    const char *rules_dir;         /* extra user rules, or NULL */
    const char *builtin_rules_dir; /* replaces the embedded rules, or NULL (default) */
    /* Prometheus to ask for the series the rules' metric conditions read,
     * over [since_ns (or now - 1 h), now], or NULL. Failures to reach it are
     * listed under inputs.unreadable, never fatal. */
    const char *prometheus_url;
    const char *prometheus_bearer_token_file; /* or NULL */
    const char *prometheus_ca_file;           /* or NULL */
    int64_t prometheus_timeout_ms;            /* per request; 0: 5000 */
    int64_t since_ns;                         /* 0: no lower bound */
    json_t *snapshot;                         /* optional collect snapshot to add (borrowed) */
    size_t max_line;                          /* line cap, 64 KiB when 0 */
    uint64_t max_bytes;                       /* total log bytes read, 4 GiB when 0 */
    /* Optional, borrowed: rules already loaded (kb_load) and compiled
     * (sigdb_build of that kb). When both are set, rules_dir and
     * builtin_rules_dir are ignored and nothing is loaded or compiled: a
     * long-running caller (tshoot mcp) saves ~0.3 s of Hyperscan compile
     * per call. */
    const struct kb *kb;
    struct sigdb *sigdb;
};

/* Run the diagnosis. Returns 0 and *ret (caller owns, json_decref), or
 * -ENOENT (bundle/log missing), -EINVAL (no rules could be loaded, or no
 * input given), -ENOMEM. Unreadable parts of a bundle are not errors: they
 * are listed under inputs.unreadable. Rejected rule files are listed under
 * "rule_errors". */
int diagnose_run(const struct diagnose_opts *o, json_t **ret);

/* tmpfs arithmetic (exported for tests and for report):
 * capacity of a tmpfs of size_bytes for files of avg_file_bytes (each file
 * rounded up to whole 4 KiB pages, an empty file costs no page). */
uint64_t tmpfs_capacity_files(uint64_t size_bytes, double avg_file_bytes);
/* Files kept at steady state: rate_per_min x retention. */
uint64_t steady_state_files(double rate_per_min, int64_t retention_ns);

#endif
