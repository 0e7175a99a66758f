/* SPDX-License-Identifier: MIT */
/*
 * hostctx.h: internal state shared by the collect sections (the lib/host sections).
 * Not a public API: collect.h is.
 *
 * Each section function `int collect_X(struct hctx *c)` adds its part to
 * c->doc, records unreadable inputs with hctx_unavail() and findings with
 * hctx_finding(). Sections return 0 or -ENOMEM; any other problem is data.
 */
#ifndef TSHOOT_HOSTCTX_H
#define TSHOOT_HOSTCTX_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/statvfs.h>
#include <jansson.h>

#include "core/macro.h"
#include "host/collect.h"

#define HCTX_MAX_UNAVAIL 200
#define HCTX_READ_MAX    (1u << 20)  /* cap for one /proc file */
#define HCTX_READ_BIG    (16u << 20) /* mountinfo, net/tcp: large on busy nodes */
#define HCTX_PATH_MAX    4096

struct scan_target {
    char *path;  /* what to open (live path) */
    char *label; /* the directory as the user sees it (mountpoint in container) */
    char *fs_mountpoint;
    json_t *container; /* borrowed reference (json_incref'd), or NULL */
};

struct hctx {
    const struct collect_opts *o;
    char rootpfx[HCTX_PATH_MAX]; /* "" for the live host, else the root without trailing '/' */
    bool live;
    int64_t deadline;      /* monotonic ns */
    int64_t now_s, boot_s; /* wall clock; boot time (0 unknown) */
    long page_size;
    int ncpu;
    json_t *doc, *unavailable, *findings;
    size_t n_unavail_dropped;
    char *statvfs_fixture; /* <root>/statvfs.txt under --root, or NULL */
    /* devices (major<<32|minor) mounted in our own namespace */
    uint64_t *host_devs;
    size_t n_host_devs;
    /* tmpfs (and --scan) directories for the hot-spot pass */
    struct scan_target *targets;
    size_t n_targets;
    /* mount namespaces other than ours: representative pids + identity */
    json_t *containers; /* array of container objects (see containers.c) */
};

/* Build root-relative path: rootpfx + path (path starts with '/'). */
int hctx_path(const struct hctx *c, const char *path, char *out, size_t size);

/* Read a root-relative file. On failure records it as unavailable (unless
 * quiet_enoent and the error is ENOENT/ESRCH) and returns -errno; binary
 * content (NUL bytes) is -EBADMSG. *ret is caller-owned. */
int hctx_read(struct hctx *c, const char *path, bool quiet_enoent, char **ret, size_t *ret_len);

/* The same with another byte cap. */
int hctx_read_max(struct hctx *c, const char *path, size_t max, bool quiet_enoent, char **ret,
                  size_t *ret_len);

/* Record an unavailable input: {"path", "reason"}. */
_printf_(3, 4) void hctx_unavail(struct hctx *c, const char *path, const char *fmt, ...);

/* Add a finding {"id","severity","subject","message","value","threshold"}. */
_printf_(7, 8) void hctx_finding(struct hctx *c, const char *id, const char *severity,
                                 const char *subject, double value, double threshold,
                                 const char *fmt, ...);

/* statvfs of a live path, or its line in the --root fixture file. -ENOENT
 * when the fixture has no such line (sizes are then null). */
int hctx_statvfs(struct hctx *c, const char *path, struct statvfs *ret);

bool hctx_over_budget(const struct hctx *c);

/* A JSON string of a value from the system (comm, file names, kernel log
 * text), passed through redaction. Never NULL unless out of memory. */
json_t *json_redacted(const char *s);
/* json_integer, or null for UINT64_MAX (unlimited). */
json_t *json_u64(uint64_t v);
/* percentage with one decimal */
json_t *json_pct(double v);

/* Section collectors (one file each). */
int collect_system(struct hctx *c);
int collect_mounts(struct hctx *c);
int collect_containers(struct hctx *c); /* fills c->containers before collect_mounts */
int collect_hotspots(struct hctx *c);
int collect_memory(struct hctx *c);
int collect_cgroups(struct hctx *c);
int collect_pressure(struct hctx *c);
int collect_processes(struct hctx *c); /* processes + per-process fds */
int collect_fds(struct hctx *c);
int collect_network(struct hctx *c);

/* "pod NS/POD (container NAME, ID12)", "container NAME (ID12)",
 * "container ID12" or "mount namespace of pid N (COMM)" for a container object. */
void container_label(json_t *container, char *buf, size_t size);

/* Format bytes as "64.0 MiB" into buf. */
const char *fmt_bytes(uint64_t v, char *buf, size_t size);

#endif
