/* SPDX-License-Identifier: MIT */
/*
 * procparse.h: pure parsers for /proc and cgroup files.
 *
 * None of these touch the file system: they take text (which may be
 * truncated, malformed or binary; every one of them is fuzzed under fuzz/)
 * and fill caller-provided structs. Strings written into structs are copied
 * into fixed-size arrays and truncated to fit. Functions that take a
 * `char *` modify the text in place; `const char *` input is left alone.
 * Return values: 0, -ENOENT (key not present), -EBADMSG (malformed).
 */
#ifndef TSHOOT_PROCPARSE_H
#define TSHOOT_PROCPARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "core/macro.h"

/* ---- /proc/PID/mountinfo ---- */
struct mountinfo_entry {
    int id, parent;
    unsigned major, minor;
    /* borrowed: point into the line passed to mountinfo_parse_line() */
    char *root, *mountpoint, *opts, *fstype, *source, *super_opts;
};

/* Parse one mountinfo line in place: fields are NUL-terminated and
 * unescaped (\040 -> ' ' etc.) inside `line`. 0 or -EBADMSG. */
int mountinfo_parse_line(char *line, struct mountinfo_entry *e);
/* Decode \NNN octal escapes in place (as the kernel writes them for space,
 * tab, newline and backslash). Invalid escapes are left as they are. */
void unescape_octal(char *s);
/* True for kernel pseudo file systems that hold no user data (proc, sysfs,
 * cgroup, devpts, ...). tmpfs, overlay and devtmpfs are real. */
bool fstype_is_pseudo(const char *fstype);
/* True when the comma-separated option list contains opt exactly. */
bool mount_opt_has(const char *opts, const char *opt);

/* ---- key/value files: /proc/meminfo, /proc/vmstat, cpu.stat, memory.stat ---- */
/* Find `key` at the start of a line followed by ':' or whitespace, and parse
 * the unsigned number after it; a trailing " kB" multiplies by 1024.
 * 0, -ENOENT (no such key), -EBADMSG (key present, value not a number). */
int kv_get_u64(const char *text, const char *key, uint64_t *ret);

struct meminfo {
    uint64_t total, free, available, buffers, cached, swap_total, swap_free, shmem;
    bool has_available;
};
/* Needs at least MemTotal and MemFree; -EBADMSG otherwise. */
int meminfo_parse(const char *text, struct meminfo *ret);

/* Parse a single unsigned number or the word "max" (-> UINT64_MAX), with
 * surrounding whitespace. 0 or -EBADMSG. */
int parse_u64_or_max(const char *text, uint64_t *ret);

/* ---- PSI: /proc/pressure/{cpu,memory,io}, cgroup v2 *.pressure ---- */
struct psi_line {
    bool present;
    double avg10, avg60, avg300;
    uint64_t total;
};
struct psi {
    struct psi_line some, full;
};
/* Needs a valid "some" line; "full" is optional (cpu on old kernels). */
int psi_parse(const char *text, struct psi *ret);

/* ---- /proc/loadavg ---- */
struct loadavg {
    double l1, l5, l15;
    unsigned running, total;
};
int loadavg_parse(const char *text, struct loadavg *ret);

/* ---- /proc/PID/cgroup -> container identity ---- */
struct cgroup_ident {
    char id[65];        /* container id (hex), "" when none */
    char pod_uid[37];   /* Kubernetes pod UID with dashes, "" when none */
    char name[64];      /* container name where the path names one (lxc), else "" */
    char runtime[24];   /* docker, containerd, cri-o, podman, lxc, kubernetes, "" */
    char path[256];     /* the cgroup path the identity came from (v2 line or memory) */
    char mem_path[256]; /* path in the memory hierarchy (v1 memory or v2 "0::") */
    char cpu_path[256]; /* path in the cpu hierarchy (v1 cpu,cpuacct or v2 "0::") */
    int version;        /* 2 when a "0::" line is present, else 1, 0 when empty */
};
/* Parse the whole /proc/PID/cgroup text. Lines that are not of the form
 * "N:controllers:/path" make it fail with -EBADMSG. */
int cgroup_ident_parse(const char *text, struct cgroup_ident *ret);

/* ---- /proc/net/tcp, /proc/net/tcp6 ---- */
enum { TCP_STATE_MAX = 12 };
struct tcp_listener {
    char addr[48];
    unsigned port;
};
#define TCP_MAX_LISTENERS 64
struct tcp_stats {
    uint64_t states[TCP_STATE_MAX + 1]; /* index = kernel state number (1..11) */
    uint64_t total, malformed;
    uint64_t ephemeral_in_use; /* distinct local ports in [lo, hi] of non-listening sockets */
    size_t n_listeners;
    uint64_t listeners_total;
    struct tcp_listener listeners[TCP_MAX_LISTENERS];
    uint8_t port_seen[65536 / 8];
};
const char *tcp_state_name(unsigned state);
/* Count one socket (state: kernel TCP state number; laddr: printable local
 * address; lport: local port) as tcp_parse() does for each line. */
void tcp_stats_add(struct tcp_stats *st, unsigned state, const char *laddr, unsigned lport,
                   unsigned port_lo, unsigned port_hi);
/* Add the sockets of one tcp or tcp6 file (header line first) to st, which
 * the caller zeroes before the first file. Bad lines are counted in
 * st->malformed; -EBADMSG only when there is no header line at all. */
int tcp_parse(const char *text, unsigned port_lo, unsigned port_hi, struct tcp_stats *st);
/* "32768\t60999" -> 32768, 60999 */
int port_range_parse(const char *text, unsigned *lo, unsigned *hi);

/* ---- /proc/PID/stat, /proc/PID/limits ---- */
struct pid_stat {
    int pid, ppid;
    char comm[64];
    char state;
    long long num_threads;
    uint64_t utime, stime, starttime, vsize, rss_pages;
};
int pid_stat_parse(const char *text, struct pid_stat *ret);
/* "Max open files  1024  524288  files" -> soft, hard (UINT64_MAX for unlimited) */
int limits_parse_nofile(const char *text, uint64_t *soft, uint64_t *hard);

/* ---- /dev/kmsg records: "pri,seq,usec,flags;text" ---- */
struct kmsg_record {
    unsigned prio;
    uint64_t seq, usec;
    const char *text; /* borrowed: points into the input, up to the end of line */
    size_t text_len;
};
int kmsg_parse_record(const char *line, size_t len, struct kmsg_record *ret);

/* ---- filename prefixes for hot spots ---- */
#define PREFIX_MAX 48
/* The prefix of a file name: the leading run of ASCII letters including a
 * following '_', '-' or '.', e.g. "session_abc" -> "session_",
 * "app.log.1" -> "app.", "core" -> "core". Names that do not start with a
 * letter get "" (reported as no prefix). Writes at most PREFIX_MAX-1 bytes.
 * Returns the prefix length. */
size_t name_prefix(const char *name, char out[PREFIX_MAX]);

#endif
