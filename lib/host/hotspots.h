/* SPDX-License-Identifier: MIT */
/*
 * hotspots.h: bounded file-count scan of one directory tree.
 *
 * The walk opens every directory with openat(O_NOFOLLOW|O_DIRECTORY), stats
 * entries with fstatat(AT_SYMLINK_NOFOLLOW), never follows a symlink, never
 * crosses into another file system, and stops at an entry budget, a depth
 * limit or a deadline, reporting what it left unscanned. Per directory it
 * groups file names by prefix (name_prefix()) in a fixed-size hash table
 * (no allocation per file) and keeps the largest groups and the directories
 * with most entries. Huge directories are sampled for sizes and mtimes
 * (see stat_full); entry and prefix counts are always exact.
 */
#ifndef TSHOOT_HOTSPOTS_H
#define TSHOOT_HOTSPOTS_H

#include <stdint.h>
#include <jansson.h>

#include "core/macro.h"

struct hot_opts {
    uint64_t max_entries; /* entry budget for this tree */
    int64_t deadline;     /* monotonic ns (ts_mono_ns), 0 = none */
    uint64_t min_count;   /* smallest prefix group reported */
    int max_depth;        /* directories deeper than this are counted, not entered */
    uint64_t stat_full;   /* files per directory stat()ed before sampling starts (>= 1) */
};

/* Open a directory for reading. Paths of the form /proc/PID/root/REST are
 * resolved inside that process's root (openat2 RESOLVE_IN_ROOT): a symlink
 * planted in a container cannot point the scan at the host. Returns an fd
 * or -errno. */
int hot_open_dir(const char *path);
/* The same for any open(2) flags (O_CLOEXEC is added). */
int hot_open_in_root(const char *path, int flags);

/* Scan `path` (label: how to name it in the output, e.g. the mountpoint as
 * a container sees it). Returns 0 and *ret = {"path", "entries", "files",
 * "dirs", "bytes", "truncated", "unscanned", "top_dirs", "hotspots":[...]}
 * (caller owns), or -errno when the root cannot be opened, or -ENOMEM. */
_warn_unused_result_ int hot_scan(const char *path, const char *label, const struct hot_opts *o,
                                  json_t **ret);

#endif
