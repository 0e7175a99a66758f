/* SPDX-License-Identifier: MIT */
/*
 * probe.h: filesystem probes (statvfs + hot-prefix scan) with a deadline.
 *
 * statvfs() on a hung NFS/FUSE mount blocks in the kernel and cannot be
 * interrupted, so probes run on a small pool of worker threads. The sampler
 * submits, then waits until a deadline; a probe still running is "late": it
 * is not submitted again while it hangs (a hung mount costs one thread, not
 * one per sample), and its result is used whenever it finally arrives.
 * The pool starts with PROBE_WORKERS_MIN threads and grows (up to
 * PROBE_WORKERS_MAX) only while every worker stays busy, i.e. some are stuck
 * on hung mounts, so that those do not starve the healthy ones.
 */
#ifndef TSHOOT_METRICS_PROBE_H
#define TSHOOT_METRICS_PROBE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PROBE_WORKERS_MIN  2
#define PROBE_WORKERS_MAX  8
#define PROBE_HOT_MAX      8      /* prefixes reported per directory */
#define PROBE_PREFIX_MAX   64     /* bytes of a prefix */
#define PROBE_SCAN_ENTRIES 200000 /* directory entries read per scan */

struct hot_prefix {
    char prefix[PROBE_PREFIX_MAX];
    uint64_t count;
};

struct probe_result {
    int err; /* 0 or -errno of statvfs */
    double size_bytes, avail_bytes, free_bytes, files, files_free;
    bool readonly;
    /* hot prefixes (scan requested and the directory readable) */
    int scan_err;
    struct hot_prefix hot[PROBE_HOT_MAX];
    size_t n_hot;
    uint64_t entries;    /* entries seen */
    bool truncated;      /* stopped at PROBE_SCAN_ENTRIES */
    int64_t started_ns;  /* monotonic */
    int64_t finished_ns; /* monotonic */
};

struct probe_job; /* refcounted; owned by the submitter until probe_job_unref */
struct probe_pool;

int probe_pool_new(struct probe_pool **ret);
/* Stop the workers that are idle; threads stuck in a hung syscall are
 * detached and die with the process. Returns NULL. */
struct probe_pool *probe_pool_free(struct probe_pool *p);

/* Queue a probe of path (copied). scan_min > 0 also counts the directory's
 * entries by prefix and keeps prefixes with at least scan_min entries.
 * Returns 0 and a job reference, or -ENOMEM. */
int probe_submit(struct probe_pool *p, const char *path, unsigned scan_min, struct probe_job **ret);
/* Wait until every job in jobs[] is done or the monotonic deadline passes.
 * Returns the number still running. */
size_t probe_wait(struct probe_pool *p, struct probe_job *const *jobs, size_t n,
                  int64_t deadline_mono_ns);
/* True and a copy of the result when the job has finished. */
bool probe_job_result(struct probe_job *j, struct probe_result *ret);
/* Monotonic start time of a job (for "late by" reporting). */
int64_t probe_job_started(struct probe_job *j);
struct probe_job *probe_job_unref(struct probe_job *j);

/* The hot-prefix key of a file name ("session_abc" -> "session_"): the
 * leading non-digit run up to and including the first '_', '-' or '.',
 * when something follows it. false when the name has none. */
bool probe_name_prefix(const char *name, char *ret, size_t size);

/* Do one probe synchronously (used by the workers and by tests). */
void probe_run(const char *path, unsigned scan_min, struct probe_result *ret);

#endif
