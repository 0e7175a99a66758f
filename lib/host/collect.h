/* SPDX-License-Identifier: MIT */
/*
 * collect.h: the host and container snapshot behind `tshoot collect`.
 *
 * collect_run() reads /proc, /sys, the cgroup tree and statvfs() (all
 * read-only), scans tmpfs mounts and the requested paths for file-count hot
 * spots, derives findings, and returns the whole "tshoot.collect/1" JSON
 * document (see docs/collect.md). Anything unreadable or malformed becomes
 * an entry of "unavailable"; only allocation failure or bad options make
 * it fail.
 */
#ifndef TSHOOT_COLLECT_H
#define TSHOOT_COLLECT_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "core/macro.h"

#define COLLECT_SCHEMA "tshoot.collect/1"

struct collect_opts {
    const char *root;        /* "/" (or NULL) for this host, else a captured tree */
    const char **scan_paths; /* borrowed; extra directories for the hot-spot scan */
    size_t n_scan;
    int no_containers;         /* skip other mount namespaces */
    int no_hotspots;           /* skip the hot-spot scan entirely */
    int64_t budget_ms;         /* whole-run time budget, 0 = default (10 s) */
    uint64_t scan_max_entries; /* per scan root, 0 = default (200000) */
    uint64_t hot_min_count;    /* smallest prefix group reported, 0 = default (10) */
};

/* Build the snapshot. *ret (caller owns, json_decref) is set on success.
 * Returns 0, -EINVAL for bad options, -ENOMEM. */
_warn_unused_result_ int collect_run(const struct collect_opts *o, json_t **ret);

/* Worst severity among the document's findings: 0 none/info, 1 warning,
 * 2 critical (the --check exit code; 3 "unknown" is the caller's call). */
int collect_worst_severity(json_t *doc);

#endif
