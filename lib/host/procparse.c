/* SPDX-License-Identifier: MIT */
/* Pure /proc parsers (see procparse.h). No I/O, no allocation. */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "host/procparse.h"

static void copy_trunc(char *dst, size_t size, const char *src, size_t n)
{
    if (size == 0) return;
    if (n >= size) n = size - 1;
    memcpy(dst, src, n);
    dst[n] = '\0';
}

/* Parse an unsigned decimal at *p; advances *p. -EBADMSG when no digit or overflow. */
static int parse_dec(const char **p, uint64_t *ret)
{
    const char *s = *p;
    uint64_t v = 0;
    if (*s < '0' || *s > '9') return -EBADMSG;
    while (*s >= '0' && *s <= '9') {
        unsigned d = (unsigned)(*s - '0');
        if (v > (UINT64_MAX - d) / 10) return -EBADMSG;
        v = v * 10 + d;
        s++;
    }
    *p = s;
    *ret = v;
    return 0;
}

static const char *skip_ws(const char *s)
{
    while (*s == ' ' || *s == '\t') s++;
    return s;
}

/* ---- mountinfo ---- */

void unescape_octal(char *s)
{
    char *w = s;
    for (char *r = s; *r;) {
        if (r[0] == '\\' && r[1] >= '0' && r[1] <= '3' && r[2] >= '0' && r[2] <= '7' &&
            r[3] >= '0' && r[3] <= '7') {
            char c = (char)(((r[1] - '0') << 6) | ((r[2] - '0') << 3) | (r[3] - '0'));
            if (c != '\0') {
                *w++ = c;
                r += 4;
                continue;
            }
        }
        *w++ = *r++;
    }
    *w = '\0';
}

/* Split off the next space-separated field of *p (in place). */
static char *next_field(char **p)
{
    char *s = *p;
    while (*s == ' ') s++;
    if (!*s) return NULL;
    char *start = s;
    while (*s && *s != ' ') s++;
    if (*s) *s++ = '\0';
    *p = s;
    return start;
}

static int parse_int_field(const char *f, int *ret)
{
    uint64_t v;
    const char *p = f;
    if (parse_dec(&p, &v) < 0 || *p || v > INT32_MAX) return -EBADMSG;
    *ret = (int)v;
    return 0;
}

int mountinfo_parse_line(char *line, struct mountinfo_entry *e)
{
    char *p = line, *f;
    memset(e, 0, sizeof *e);
    /* 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue */
    if (!(f = next_field(&p)) || parse_int_field(f, &e->id) < 0) return -EBADMSG;
    if (!(f = next_field(&p)) || parse_int_field(f, &e->parent) < 0) return -EBADMSG;
    if (!(f = next_field(&p))) return -EBADMSG;
    {
        const char *q = f;
        uint64_t ma, mi;
        if (parse_dec(&q, &ma) < 0 || *q++ != ':' || parse_dec(&q, &mi) < 0 || *q ||
            ma > UINT32_MAX || mi > UINT32_MAX)
            return -EBADMSG;
        e->major = (unsigned)ma;
        e->minor = (unsigned)mi;
    }
    if (!(e->root = next_field(&p))) return -EBADMSG;
    if (!(e->mountpoint = next_field(&p))) return -EBADMSG;
    if (!(e->opts = next_field(&p))) return -EBADMSG;
    for (;;) { /* optional fields up to "-" */
        if (!(f = next_field(&p))) return -EBADMSG;
        if (streq(f, "-")) break;
    }
    if (!(e->fstype = next_field(&p))) return -EBADMSG;
    if (!(e->source = next_field(&p))) return -EBADMSG;
    e->super_opts = next_field(&p);
    if (!e->super_opts) e->super_opts = (char *)"";
    if (e->root[0] != '/' || e->mountpoint[0] != '/') return -EBADMSG;
    unescape_octal(e->root);
    unescape_octal(e->mountpoint);
    unescape_octal(e->source);
    unescape_octal(e->fstype);
    return 0;
}

bool fstype_is_pseudo(const char *t)
{
    static const char *const pseudo[] = {
        "proc",     "sysfs",           "cgroup",      "cgroup2",    "devpts",       "mqueue",
        "debugfs",  "tracefs",         "securityfs",  "bpf",        "configfs",     "fusectl",
        "pstore",   "autofs",          "binfmt_misc", "hugetlbfs",  "nsfs",         "rpc_pipefs",
        "efivarfs", "selinuxfs",       "sockfs",      "pipefs",     "anon_inodefs", "cpuset",
        "nfsd",     "fuse.gvfsd-fuse", "fuse.portal", "fuse.lxcfs", "ramfs",        "kernfs",
    };
    for (size_t i = 0; i < ELEMENTSOF(pseudo); i++)
        if (streq(t, pseudo[i])) return true;
    return false;
}

bool mount_opt_has(const char *opts, const char *opt)
{
    size_t n = strlen(opt);
    for (const char *p = opts; p && *p;) {
        const char *c = strchr(p, ',');
        size_t l = c ? (size_t)(c - p) : strlen(p);
        if (l == n && strncmp(p, opt, n) == 0) return true;
        p = c ? c + 1 : NULL;
    }
    return false;
}

/* ---- key/value ---- */

int kv_get_u64(const char *text, const char *key, uint64_t *ret)
{
    size_t n = strlen(key);
    if (n == 0) return -EINVAL;
    for (const char *l = text; l && *l;) {
        if (strncmp(l, key, n) == 0 && (l[n] == ':' || l[n] == ' ' || l[n] == '\t')) {
            const char *p = l + n;
            if (*p == ':') p++;
            p = skip_ws(p);
            uint64_t v;
            if (parse_dec(&p, &v) < 0) return -EBADMSG;
            p = skip_ws(p);
            if (strncmp(p, "kB", 2) == 0) {
                if (v > UINT64_MAX / 1024) return -EBADMSG;
                v *= 1024;
                p += 2;
            }
            if (*p && *p != '\n') return -EBADMSG;
            *ret = v;
            return 0;
        }
        l = strchr(l, '\n');
        if (l) l++;
    }
    return -ENOENT;
}

int meminfo_parse(const char *text, struct meminfo *m)
{
    memset(m, 0, sizeof *m);
    if (kv_get_u64(text, "MemTotal", &m->total) < 0) return -EBADMSG;
    if (kv_get_u64(text, "MemFree", &m->free) < 0) return -EBADMSG;
    m->has_available = kv_get_u64(text, "MemAvailable", &m->available) == 0;
    (void)kv_get_u64(text, "Buffers", &m->buffers);
    (void)kv_get_u64(text, "Cached", &m->cached);
    (void)kv_get_u64(text, "SwapTotal", &m->swap_total);
    (void)kv_get_u64(text, "SwapFree", &m->swap_free);
    (void)kv_get_u64(text, "Shmem", &m->shmem);
    if (!m->has_available) m->available = m->free + m->buffers + m->cached;
    if (m->total == 0) return -EBADMSG;
    return 0;
}

int parse_u64_or_max(const char *text, uint64_t *ret)
{
    const char *p = text;
    while (*p == ' ' || *p == '\t' || *p == '\n') p++;
    if (strncmp(p, "max", 3) == 0) {
        *ret = UINT64_MAX;
        p += 3;
    } else if (parse_dec(&p, ret) < 0) {
        return -EBADMSG;
    }
    while (*p == ' ' || *p == '\t' || *p == '\n') p++;
    return *p ? -EBADMSG : 0;
}

/* ---- PSI ---- */

static int parse_double(const char **p, double *ret)
{
    const char *s = *p;
    uint64_t ip = 0, fp = 0, scale = 1;
    if (parse_dec(&s, &ip) < 0) return -EBADMSG;
    if (*s == '.') {
        s++;
        if (*s < '0' || *s > '9') return -EBADMSG;
        while (*s >= '0' && *s <= '9') {
            if (scale < 1000000000ULL) {
                fp = fp * 10 + (uint64_t)(*s - '0');
                scale *= 10;
            }
            s++;
        }
    }
    *ret = (double)ip + (double)fp / (double)scale;
    *p = s;
    return 0;
}

static int psi_parse_line(const char *p, struct psi_line *l)
{
    static const char *const keys[] = { "avg10=", "avg60=", "avg300=", "total=" };
    double *vals[] = { &l->avg10, &l->avg60, &l->avg300 };
    for (size_t i = 0; i < ELEMENTSOF(keys); i++) {
        p = skip_ws(p);
        const char *v = startswith(p, keys[i]);
        if (!v) return -EBADMSG;
        if (i < 3) {
            if (parse_double(&v, vals[i]) < 0) return -EBADMSG;
        } else if (parse_dec(&v, &l->total) < 0) {
            return -EBADMSG;
        }
        if (*v != ' ' && *v != '\t' && *v != '\n' && *v) return -EBADMSG;
        p = v;
    }
    l->present = true;
    return 0;
}

int psi_parse(const char *text, struct psi *ret)
{
    memset(ret, 0, sizeof *ret);
    for (const char *l = text; l && *l;) {
        const char *v;
        if ((v = startswith(l, "some "))) {
            if (psi_parse_line(v, &ret->some) < 0) return -EBADMSG;
        } else if ((v = startswith(l, "full "))) {
            if (psi_parse_line(v, &ret->full) < 0) return -EBADMSG;
        } else if (*l != '\n') {
            return -EBADMSG;
        }
        l = strchr(l, '\n');
        if (l) l++;
    }
    return ret->some.present ? 0 : -EBADMSG;
}

int loadavg_parse(const char *text, struct loadavg *ret)
{
    const char *p = text;
    uint64_t a, b;
    memset(ret, 0, sizeof *ret);
    if (parse_double(&p, &ret->l1) < 0 || *p++ != ' ') return -EBADMSG;
    if (parse_double(&p, &ret->l5) < 0 || *p++ != ' ') return -EBADMSG;
    if (parse_double(&p, &ret->l15) < 0 || *p++ != ' ') return -EBADMSG;
    if (parse_dec(&p, &a) < 0 || *p++ != '/' || parse_dec(&p, &b) < 0) return -EBADMSG;
    if (a > UINT32_MAX || b > UINT32_MAX) return -EBADMSG;
    ret->running = (unsigned)a;
    ret->total = (unsigned)b;
    return 0;
}

/* ---- cgroup identity ---- */

static bool is_hex_run(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i])) return false;
    return true;
}

/* A pod UID: 8-4-4-4-12 hex with '-' or '_' separators at s. */
static bool is_uid_at(const char *s, size_t avail)
{
    static const int groups[] = { 8, 4, 4, 4, 12 };
    size_t off = 0;
    if (avail < 36) return false;
    for (size_t g = 0; g < ELEMENTSOF(groups); g++) {
        if (!is_hex_run(s + off, (size_t)groups[g])) return false;
        off += (size_t)groups[g];
        if (g < 4) {
            if (s[off] != '-' && s[off] != '_') return false;
            off++;
        }
    }
    return avail == 36 || !isxdigit((unsigned char)s[36]);
}

/* Inspect one path component (not NUL-terminated). */
static void ident_component(const char *c, size_t n, struct cgroup_ident *id)
{
    static const struct {
        const char *prefix, *runtime;
    } rt[] = {
        { "docker-", "docker" },         { "cri-containerd-", "containerd" },
        { "crio-conmon-", NULL },        { "crio-", "cri-o" },
        { "containerd-", "containerd" }, { "libpod-conmon-", NULL },
        { "libpod-", "podman" },         { "", NULL },
    };
    char buf[256];
    copy_trunc(buf, sizeof buf, c, n);
    size_t len = strlen(buf);
    if (len > 6 && streq(buf + len - 6, ".scope"))
        buf[len -= 6] = '\0';
    else if (len > 6 && streq(buf + len - 6, ".slice"))
        buf[len -= 6] = '\0';

    /* pod UID: "pod<uid>" or "kubepods-burstable-pod<uid_with_underscores>" */
    const char *pod = strstr(buf, "pod");
    while (pod) {
        if ((pod == buf || pod[-1] == '-') &&
            is_uid_at(pod + 3, strlen(pod + 3) >= 36 ? strlen(pod + 3) : 0)) {
            copy_trunc(id->pod_uid, sizeof id->pod_uid, pod + 3, 36);
            for (char *q = id->pod_uid; *q; q++)
                if (*q == '_') *q = '-';
            if (!id->runtime[0]) copy_trunc(id->runtime, sizeof id->runtime, "kubernetes", 10);
            break;
        }
        pod = strstr(pod + 3, "pod");
    }
    if (startswith(buf, "lxc.payload.") || startswith(buf, "lxc.monitor.")) {
        copy_trunc(id->name, sizeof id->name, buf + 12, strlen(buf + 12));
        copy_trunc(id->runtime, sizeof id->runtime, "lxc", 3);
        return;
    }
    for (size_t i = 0; i < ELEMENTSOF(rt); i++) {
        const char *rest = startswith(buf, rt[i].prefix);
        if (!rest) continue;
        size_t rl = strlen(rest);
        if (rl == 64 && is_hex_run(rest, 64)) {
            if (!rt[i].runtime && rt[i].prefix[0]) return; /* conmon: not the container */
            copy_trunc(id->id, sizeof id->id, rest, 64);
            if (rt[i].runtime)
                copy_trunc(id->runtime, sizeof id->runtime, rt[i].runtime, strlen(rt[i].runtime));
            return;
        }
    }
}

static void ident_path(const char *path, size_t n, struct cgroup_ident *id)
{
    const char *end = path + n;
    bool docker_parent = false;
    for (const char *c = path; c < end;) {
        while (c < end && *c == '/') c++;
        const char *e = c;
        while (e < end && *e != '/') e++;
        if (e > c) {
            bool had = id->id[0] != '\0';
            ident_component(c, (size_t)(e - c), id);
            if (!had && id->id[0] && !id->runtime[0]) {
                if (docker_parent) copy_trunc(id->runtime, sizeof id->runtime, "docker", 6);
            }
            docker_parent = (size_t)(e - c) == 6 && strncmp(c, "docker", 6) == 0;
        }
        c = e;
    }
}

int cgroup_ident_parse(const char *text, struct cgroup_ident *id)
{
    memset(id, 0, sizeof *id);
    int lines = 0, best_score = -1;
    for (const char *l = text; l && *l;) {
        const char *nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        if (len == 0) {
            l = nl ? nl + 1 : NULL;
            continue;
        }
        /* N:controllers:/path */
        const char *p = l, *le = l + len;
        uint64_t h;
        if (parse_dec(&p, &h) < 0 || p >= le || *p != ':') return -EBADMSG;
        const char *ctl = ++p;
        const char *c2 = memchr(ctl, ':', (size_t)(le - ctl));
        if (!c2 || c2 + 1 >= le || c2[1] != '/') return -EBADMSG;
        const char *path = c2 + 1;
        size_t plen = (size_t)(le - path);
        lines++;
        bool v2 = h == 0 && c2 == ctl;
        if (v2) id->version = 2;
        bool mem = v2, cpu = v2;
        for (const char *t = ctl; t < c2;) {
            const char *comma = memchr(t, ',', (size_t)(c2 - t));
            size_t tl = comma ? (size_t)(comma - t) : (size_t)(c2 - t);
            if (tl == 6 && strncmp(t, "memory", 6) == 0) mem = true;
            if (tl == 3 && strncmp(t, "cpu", 3) == 0) cpu = true;
            t = comma ? comma + 1 : c2;
        }
        /* a v1 hierarchy line wins over the (often empty) v2 line of a hybrid host */
        if (mem && (!id->mem_path[0] || !v2))
            copy_trunc(id->mem_path, sizeof id->mem_path, path, plen);
        if (cpu && (!id->cpu_path[0] || !v2))
            copy_trunc(id->cpu_path, sizeof id->cpu_path, path, plen);
        /* identity: the line that names most (id > pod > nothing), memory/v2 first */
        struct cgroup_ident t;
        memset(&t, 0, sizeof t);
        ident_path(path, plen, &t);
        int score = (t.id[0] || t.name[0] ? 4 : 0) + (t.pod_uid[0] ? 2 : 0) + (mem ? 1 : 0);
        if (score > best_score) {
            best_score = score;
            memcpy(id->id, t.id, sizeof id->id);
            memcpy(id->pod_uid, t.pod_uid, sizeof id->pod_uid);
            memcpy(id->name, t.name, sizeof id->name);
            memcpy(id->runtime, t.runtime, sizeof id->runtime);
            copy_trunc(id->path, sizeof id->path, path, plen);
        }
        l = nl ? nl + 1 : NULL;
    }
    if (lines == 0) return -EBADMSG;
    if (id->version == 0) id->version = 1;
    return 0;
}

/* ---- /proc/net/tcp ---- */

const char *tcp_state_name(unsigned s)
{
    static const char *const names[] = { "unknown",     "established", "syn_sent",  "syn_recv",
                                         "fin_wait1",   "fin_wait2",   "time_wait", "close",
                                         "close_wait",  "last_ack",    "listen",    "closing",
                                         "new_syn_recv" };
    return s < ELEMENTSOF(names) ? names[s] : "unknown";
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* "0100007F:0035" (v4, 8 hex) or 32 hex (v6) : port. */
static int tcp_addr(const char *s, size_t n, char *addr, size_t asz, unsigned *port)
{
    const char *colon = memchr(s, ':', n);
    if (!colon) return -EBADMSG;
    size_t hl = (size_t)(colon - s), pl = n - hl - 1;
    if ((hl != 8 && hl != 32) || pl != 4) return -EBADMSG;
    uint8_t b[16];
    for (size_t i = 0; i < hl / 2; i++) {
        int hi = hexval(s[2 * i]), lo = hexval(s[2 * i + 1]);
        if (hi < 0 || lo < 0) return -EBADMSG;
        b[i] = (uint8_t)(hi << 4 | lo);
    }
    unsigned p = 0;
    for (size_t i = 0; i < 4; i++) {
        int v = hexval(colon[1 + i]);
        if (v < 0) return -EBADMSG;
        p = p << 4 | (unsigned)v;
    }
    *port = p;
    if (hl == 8) { /* kernel writes the u32 in host (little-endian) order */
        snprintf(addr, asz, "%u.%u.%u.%u", b[3], b[2], b[1], b[0]);
    } else {
        /* four u32 words, each in host order */
        uint8_t a[16];
        for (int w = 0; w < 4; w++)
            for (int k = 0; k < 4; k++) a[w * 4 + k] = b[w * 4 + 3 - k];
        bool v4mapped = true;
        for (int i = 0; i < 10; i++) v4mapped = v4mapped && a[i] == 0;
        v4mapped = v4mapped && a[10] == 0xff && a[11] == 0xff;
        if (v4mapped) {
            snprintf(addr, asz, "%u.%u.%u.%u", a[12], a[13], a[14], a[15]);
        } else {
            char a6[INET6_ADDRSTRLEN];
            if (!inet_ntop(AF_INET6, a, a6, sizeof a6)) return -EBADMSG;
            snprintf(addr, asz, "[%s]", a6);
        }
    }
    return 0;
}

int port_range_parse(const char *text, unsigned *lo, unsigned *hi)
{
    const char *p = skip_ws(text);
    uint64_t a, b;
    if (parse_dec(&p, &a) < 0) return -EBADMSG;
    p = skip_ws(p);
    if (parse_dec(&p, &b) < 0) return -EBADMSG;
    while (*p == ' ' || *p == '\t' || *p == '\n') p++;
    if (*p || a > 65535 || b > 65535 || a > b) return -EBADMSG;
    *lo = (unsigned)a;
    *hi = (unsigned)b;
    return 0;
}

int tcp_parse(const char *text, unsigned lo, unsigned hi, struct tcp_stats *st)
{
    const char *l = text;
    /* header: "  sl  local_address rem_address   st ..." */
    const char *nl = strchr(l, '\n');
    if (!strstr(l, "local_address") || (nl && strstr(l, "local_address") > nl)) return -EBADMSG;
    l = nl ? nl + 1 : NULL;
    for (; l && *l; l = nl ? nl + 1 : NULL) {
        nl = strchr(l, '\n');
        size_t len = nl ? (size_t)(nl - l) : strlen(l);
        /* fields: sl local rem st ... */
        const char *f[4];
        size_t fl[4];
        const char *p = l, *e = l + len;
        int nf = 0;
        while (nf < 4) {
            while (p < e && *p == ' ') p++;
            if (p >= e) break;
            f[nf] = p;
            while (p < e && *p != ' ') p++;
            fl[nf] = (size_t)(p - f[nf]);
            nf++;
        }
        if (nf < 4) {
            if (len > 0) st->malformed++;
            continue;
        }
        char laddr[48], raddr[48];
        unsigned lport, rport;
        if (tcp_addr(f[1], fl[1], laddr, sizeof laddr, &lport) < 0 ||
            tcp_addr(f[2], fl[2], raddr, sizeof raddr, &rport) < 0 || fl[3] != 2 ||
            hexval(f[3][0]) < 0 || hexval(f[3][1]) < 0) {
            st->malformed++;
            continue;
        }
        unsigned state = (unsigned)(hexval(f[3][0]) << 4 | hexval(f[3][1]));
        tcp_stats_add(st, state, laddr, lport, lo, hi);
    }
    return 0;
}

void tcp_stats_add(struct tcp_stats *st, unsigned state, const char *laddr, unsigned lport,
                   unsigned lo, unsigned hi)
{
    if (state > TCP_STATE_MAX) state = 0;
    st->states[state]++;
    st->total++;
    if (state == 10) { /* LISTEN */
        st->listeners_total++;
        bool dup = false;
        for (size_t i = 0; i < st->n_listeners; i++)
            dup = dup || (st->listeners[i].port == lport && streq(st->listeners[i].addr, laddr));
        if (!dup && st->n_listeners < TCP_MAX_LISTENERS) {
            copy_trunc(st->listeners[st->n_listeners].addr, sizeof st->listeners[0].addr, laddr,
                       strlen(laddr));
            st->listeners[st->n_listeners++].port = lport;
        }
    } else if (lport >= lo && lport <= hi && lport < 65536) {
        uint8_t bit = (uint8_t)(1u << (lport & 7));
        if (!(st->port_seen[lport >> 3] & bit)) {
            st->port_seen[lport >> 3] |= bit;
            st->ephemeral_in_use++;
        }
    }
}

/* ---- /proc/PID/stat ---- */

int pid_stat_parse(const char *text, struct pid_stat *ret)
{
    memset(ret, 0, sizeof *ret);
    const char *p = text;
    uint64_t v;
    if (parse_dec(&p, &v) < 0 || v > INT32_MAX || *p != ' ' || p[1] != '(') return -EBADMSG;
    ret->pid = (int)v;
    const char *cs = p + 2;
    const char *ce = strrchr(cs, ')');
    if (!ce) return -EBADMSG;
    copy_trunc(ret->comm, sizeof ret->comm, cs, (size_t)(ce - cs));
    p = ce + 1;
    if (*p++ != ' ' || !*p || !isalpha((unsigned char)*p)) return -EBADMSG;
    ret->state = *p++;
    /* fields from 4 (ppid) on; we want 4, 14, 15, 20, 22, 23, 24 */
    uint64_t f[25] = { 0 };
    for (int i = 4; i <= 24; i++) {
        if (*p++ != ' ') return -EBADMSG;
        bool neg = *p == '-';
        if (neg) p++;
        if (parse_dec(&p, &v) < 0) return -EBADMSG;
        f[i] = neg ? 0 : v;
    }
    if (f[4] > INT32_MAX) return -EBADMSG;
    ret->ppid = (int)f[4];
    ret->utime = f[14];
    ret->stime = f[15];
    ret->num_threads = (long long)(f[20] > INT32_MAX ? INT32_MAX : f[20]);
    ret->starttime = f[22];
    ret->vsize = f[23];
    ret->rss_pages = f[24];
    return 0;
}

int limits_parse_nofile(const char *text, uint64_t *soft, uint64_t *hard)
{
    const char *l = strstr(text, "Max open files");
    if (!l) return -ENOENT;
    const char *p = skip_ws(l + 14);
    uint64_t *out[] = { soft, hard };
    for (int i = 0; i < 2; i++) {
        if (startswith(p, "unlimited")) {
            *out[i] = UINT64_MAX;
            p += 9;
        } else if (parse_dec(&p, out[i]) < 0) {
            return -EBADMSG;
        }
        if (*p != ' ' && *p != '\t') return -EBADMSG;
        p = skip_ws(p);
    }
    return 0;
}

/* ---- kmsg ---- */

int kmsg_parse_record(const char *line, size_t len, struct kmsg_record *r)
{
    const char *p = line, *e = line + len;
    const char *semi = memchr(line, ';', len);
    uint64_t v;
    memset(r, 0, sizeof *r);
    if (!semi) return -EBADMSG;
    char head[96];
    size_t hl = (size_t)(semi - line);
    if (hl >= sizeof head) return -EBADMSG;
    memcpy(head, line, hl);
    head[hl] = '\0';
    p = head;
    if (parse_dec(&p, &v) < 0 || *p++ != ',' || v > 0xffff) return -EBADMSG;
    r->prio = (unsigned)v;
    if (parse_dec(&p, &r->seq) < 0 || *p++ != ',') return -EBADMSG;
    if (parse_dec(&p, &r->usec) < 0) return -EBADMSG;
    if (*p && *p != ',') return -EBADMSG;
    r->text = semi + 1;
    const char *nl = memchr(r->text, '\n', (size_t)(e - r->text));
    r->text_len = (size_t)((nl ? nl : e) - r->text);
    return 0;
}

/* ---- prefixes ---- */

size_t name_prefix(const char *name, char out[PREFIX_MAX])
{
    size_t n = 0;
    while (n < PREFIX_MAX - 2 && isalpha((unsigned char)name[n]) && (unsigned char)name[n] < 128)
        n++;
    if (n > 0 && (name[n] == '_' || name[n] == '-' || name[n] == '.')) n++;
    memcpy(out, name, n);
    out[n] = '\0';
    return n;
}
