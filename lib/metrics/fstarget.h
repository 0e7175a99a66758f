/* SPDX-License-Identifier: MIT */
/*
 * fstarget.h: the filesystems `watch` samples: the host's and those of every
 * container mount namespace (reached through /proc/PID/root).
 *
 * This is the small seam between the sampler and filesystem enumeration. It
 * is implemented here on /proc/PID/mountinfo; lib/host (collect) has the
 * richer enumeration and may replace fs_targets_list() without touching the
 * sampler: a target is just labels + the path to statvfs.
 *
 * Each filesystem instance (device number) is reported once: by a container
 * when a container mounts the whole filesystem (root "/") and the host only
 * shows it below a runtime directory (e.g. a pod's /dev/shm, which the host
 * sees as /run/containerd/.../shm), otherwise by the host. Pseudo
 * filesystems (proc, sysfs, cgroup, overlay...) are skipped like
 * node_exporter does.
 *
 * Label strings (mountpoint, device, pod...) are redacted copies: they leave
 * tshoot in metrics, alerts and the state file. access_path is the real
 * path, for measuring only.
 */
#ifndef TSHOOT_METRICS_FSTARGET_H
#define TSHOOT_METRICS_FSTARGET_H

#include <stddef.h>
#include <stdbool.h>
#include <sys/types.h>

#define FS_TARGETS_MAX 4096

struct fs_target {
    char *key;        /* stable identity: "host|MP" or "CONTAINERID|MP" */
    char *mountpoint; /* as seen inside its own mount namespace */
    char *fstype;
    char *device;
    char *access_path; /* what to statvfs/opendir from here */
    /* container labels: all NULL for the host */
    char *container_id; /* full id from the cgroup path, or "mntns:INODE" */
    char *pod;          /* kubernetes pod name (the pod's hostname), NULL if unknown */
    char *pod_namespace;
    char *container; /* container name if known, else the short id */
    dev_t dev;
    pid_t pid; /* a process in that namespace (0 for our own namespace) */
};

struct fs_list_opts {
    const char *proc;         /* "/proc" unless testing */
    const char *const *globs; /* only mountpoints matching one of these (fnmatch), NULL = all */
    size_t n_globs;
    bool no_containers;
};

/* List the targets. *ret is a caller-owned array (free with
 * fs_targets_free). Returns 0 or -errno (-ENOENT when /proc is missing);
 * unreadable namespaces are skipped and counted in *ret_skipped. */
int fs_targets_list(const struct fs_list_opts *o, struct fs_target **ret, size_t *ret_n,
                    size_t *ret_skipped);
void fs_targets_free(struct fs_target *t, size_t n);

/* True for fstypes worth watching (not proc, sysfs, cgroup, overlay...). */
bool fs_type_watched(const char *fstype);
/* Decode mountinfo's octal escapes (\040 for space...) in place. */
void mountinfo_unescape(char *s);

#endif
