/* SPDX-License-Identifier: MIT */
/*
 * bundle.c: walk a bundle (directory or .tar.gz) and hand every part to
 * its reader. The tar reader is ours (zlib stream + 512-byte headers,
 * GNU long names and pax paths), bounded in entries and bytes; anything
 * that cannot be read is listed in inputs.unreadable, never fatal.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/fileio.h"
#include "rca/internal.h"

#define PART_MAX    (64u * 1024 * 1024) /* json/prom/yaml parts */
#define MAX_ENTRIES 100000
#define MAX_DEPTH   12

enum part { P_IGNORE = 0, P_LOG, P_SNAPSHOT, P_K8S, P_METRICS, P_NOTES, P_DEPS };

static int ends(const char *s, const char *suf)
{
    size_t a = strlen(s), b = strlen(suf);
    return a >= b && streq(s + a - b, suf);
}

static enum part classify(const char *rel)
{
    const char *base = strrchr(rel, '/');
    base = base ? base + 1 : rel;
    if (base[0] == '.') return P_IGNORE;
    if (startswith(rel, "logs/")) return P_LOG;
    if (startswith(rel, "host/") && ends(rel, ".json")) return P_SNAPSHOT;
    if (startswith(rel, "k8s/") && ends(rel, ".json")) return P_K8S;
    if (startswith(rel, "metrics/") && (ends(rel, ".prom") || ends(rel, ".txt"))) return P_METRICS;
    if (streq(rel, "notes.md") || streq(rel, "notes.txt")) return P_NOTES;
    if (streq(rel, "deps.yaml") || streq(rel, "deps.yml")) return P_DEPS;
    return P_IGNORE;
}

/* A whole (capped) part in memory. */
static int process_part(struct ev *e, enum part p, const char *rel, const char *data, size_t len)
{
    switch (p) {
    case P_SNAPSHOT:
    case P_K8S: {
        json_error_t je;
        json_t *j = json_loadb(data, len, 0, &je);
        if (!j) {
            char reason[300];
            snprintf(reason, sizeof reason, "malformed JSON at line %d: %s", je.line, je.text);
            return ev_unreadable(e, rel, reason);
        }
        int r = p == P_SNAPSHOT ? ev_add_snapshot(e, j, rel) : ev_add_k8s(e, j, rel);
        json_decref(j);
        return r;
    }
    case P_METRICS: return ev_add_metrics_text(e, data, len, rel);
    case P_NOTES: return ev_add_notes(e, data, len, rel);
    case P_DEPS: return ev_add_deps_yaml(e, data, len, rel);
    default: return 0;
    }
}

/* ---- directory bundles ---- */

static int cmp_names(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(struct ev *e, const char *root, const char *rel, int depth, size_t *n, int all_logs)
{
    char path[8300];
    snprintf(path, sizeof path, "%s%s%s", root, rel[0] ? "/" : "", rel);
    DIR *d = opendir(path);
    if (!d) {
        char reason[256];
        snprintf(reason, sizeof reason, "cannot open directory: %s", strerror(errno));
        return ev_unreadable(e, rel[0] ? rel : root, reason);
    }
    /* sorted for a stable order */
    char **names = NULL;
    size_t nn = 0;
    struct dirent *de;
    int r = 0;
    while ((de = readdir(d))) {
        if (streq(de->d_name, ".") || streq(de->d_name, "..")) continue;
        if (nn >= 20000) break;
        char **x = realloc(names, (nn + 1) * sizeof(char *));
        if (!x) {
            r = -ENOMEM;
            break;
        }
        names = x;
        if (!(names[nn] = strdup(de->d_name))) {
            r = -ENOMEM;
            break;
        }
        nn++;
    }
    closedir(d);
    if (names) qsort(names, nn, sizeof(char *), cmp_names);
    for (size_t i = 0; r >= 0 && i < nn; i++) {
        if (++*n > MAX_ENTRIES) break;
        char crel[4096], full[8300];
        snprintf(crel, sizeof crel, "%s%s%s", rel, rel[0] ? "/" : "", names[i]);
        snprintf(full, sizeof full, "%s/%s", root, crel);
        struct stat st;
        if (lstat(full, &st) < 0) {
            r = ev_unreadable(e, crel, strerror(errno));
            continue;
        }
        if (S_ISLNK(st.st_mode)) {
            r = ev_unreadable(e, crel, "symlink not followed");
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            if (depth < MAX_DEPTH) r = walk(e, root, crel, depth + 1, n, all_logs);
            continue;
        }
        if (!S_ISREG(st.st_mode)) continue;
        enum part p = all_logs ? (names[i][0] == '.' ? P_IGNORE : P_LOG) : classify(crel);
        if (p == P_IGNORE) continue;
        if (p == P_LOG) {
            _cleanup_free_ char *svc = service_from_path(crel);
            int x = ev_read_log(e, full, all_logs ? full : crel, svc);
            if (x == -ENOMEM)
                r = x;
            else if (x < 0)
                r = ev_unreadable(e, crel, strerror(-x));
            continue;
        }
        _cleanup_free_ char *data = NULL;
        size_t len = 0;
        int x = read_file(full, PART_MAX, &data, &len);
        if (x < 0) {
            r = ev_unreadable(e, crel, x == -EFBIG ? "file too large" : strerror(-x));
            continue;
        }
        r = process_part(e, p, crel, data, len);
    }
    for (size_t i = 0; i < nn; i++) free(names[i]);
    free(names);
    return r;
}

/* ---- tar.gz bundles ---- */

struct tar_line_ctx {
    struct ev *e;
    int src;
};

static int tar_on_line(void *u, const char *line, size_t len, uint64_t lineno)
{
    struct tar_line_ctx *c = u;
    return ev_line(c->e, c->src, line, len, lineno);
}

static uint64_t octal(const char *p, size_t n)
{
    uint64_t v = 0;
    size_t i = 0;
    while (i < n && (p[i] == ' ' || p[i] == 0)) i++;
    for (; i < n && p[i] >= '0' && p[i] <= '7'; i++) v = v * 8 + (uint64_t)(p[i] - '0');
    return v;
}

static int gz_full(gzFile gz, void *buf, size_t n)
{
    size_t got = 0;
    while (got < n) {
        int r = gzread(gz, (char *)buf + got, (unsigned)(n - got));
        if (r <= 0) return r < 0 ? -EIO : (got ? -EPIPE : 0);
        got += (size_t)r;
    }
    return 1;
}

/* strip "./" and a single top-level directory when the archive wraps the bundle */
static const char *tar_rel(const char *name, const char *top)
{
    while (startswith(name, "./")) name += 2;
    if (top && *top) {
        const char *x = startswith(name, top);
        if (x && *x == '/') return x + 1;
    }
    return name;
}

static int load_tar(struct ev *e, const char *path)
{
    gzFile gz = gzopen(path, "rb");
    if (!gz) return errno ? -errno : -ENOMEM;
    gzbuffer(gz, 128 * 1024);
    char hdr[512];
    char longname[4096] = "";
    char top[256] = "";
    int r = 0, first = 1;
    size_t entries = 0;
    uint64_t offset = 0;
    enum { CHUNK = 64 * 1024 };
    _cleanup_free_ char *chunk = malloc(CHUNK);
    if (!chunk) {
        gzclose(gz);
        return -ENOMEM;
    }
    for (;;) {
        int x = gz_full(gz, hdr, 512);
        if (x == 0) break;
        if (x < 0) {
            char reason[128];
            snprintf(reason, sizeof reason, "truncated or corrupt archive at byte %llu",
                     (unsigned long long)offset);
            r = ev_unreadable(e, path, reason);
            break;
        }
        offset += 512;
        int zero = 1;
        for (int i = 0; i < 512 && zero; i++)
            if (hdr[i]) zero = 0;
        if (zero) break;
        if (++entries > MAX_ENTRIES) {
            r = ev_unreadable(e, path, "too many entries: rest not read");
            break;
        }
        uint64_t size = octal(hdr + 124, 12);
        char type = hdr[156];
        char name[4096];
        if (longname[0]) {
            snprintf(name, sizeof name, "%s", longname);
            longname[0] = 0;
        } else if (memcmp(hdr + 257, "ustar", 5) == 0 && hdr[345])
            snprintf(name, sizeof name, "%.155s/%.100s", hdr + 345, hdr);
        else
            snprintf(name, sizeof name, "%.100s", hdr);
        uint64_t padded = (size + 511) & ~(uint64_t)511;
        if (first) {
            first = 0;
            /* a bundle packed as DIR/... : remember DIR */
            const char *n0 = name;
            while (startswith(n0, "./")) n0 += 2;
            const char *sl = strchr(n0, '/');
            if (sl && classify(n0) == P_IGNORE && (size_t)(sl - n0) < sizeof top)
                snprintf(top, sizeof top, "%.*s", (int)(sl - n0), n0);
        }
        const char *rel = tar_rel(name, top);
        enum part p = (type == '0' || type == 0) ? classify(rel) : P_IGNORE;
        if (type == 'L' || type == 'x') {
            /* GNU long name / pax header: read the payload for the next name */
            if (size > 65536) {
                r = ev_unreadable(e, path, "oversized extended header");
                break;
            }
            _cleanup_free_ char *payload = malloc(padded + 1);
            if (!payload) {
                r = ev_unreadable(e, path, "oversized extended header");
                break;
            }
            if (gz_full(gz, payload, padded) <= 0) {
                r = ev_unreadable(e, path, "truncated extended header");
                break;
            }
            offset += padded;
            payload[size] = 0;
            if (type == 'L')
                snprintf(longname, sizeof longname, "%s", payload);
            else {
                const char *pp = strstr(payload, " path=");
                if (pp) {
                    pp += 6;
                    size_t l = strcspn(pp, "\n");
                    snprintf(longname, sizeof longname, "%.*s", (int)l, pp);
                }
            }
            continue;
        }
        uint64_t left = padded;
        int src = -1;
        struct linesplit ls = { 0 };
        struct tar_line_ctx lc = { e, -1 };
        char *part = NULL;
        size_t plen = 0;
        int too_big = 0;
        int compressed = p == P_LOG && (ends(rel, ".gz") || ends(rel, ".zst"));
        if (compressed) {
            r = ev_unreadable(e, rel,
                              "compressed file inside a tar archive: extract the bundle first");
            p = P_IGNORE;
        }
        if (p == P_LOG) {
            _cleanup_free_ char *svc = service_from_path(rel);
            src = ev_source_add(e, rel, svc, EV_LOG);
            if (src < 0 || linesplit_init(&ls, e->max_line) < 0) {
                r = -ENOMEM;
                break;
            }
            lc.src = src;
        } else if (p != P_IGNORE) {
            if (size > PART_MAX)
                too_big = 1;
            else if (!(part = malloc(size + 1))) {
                r = -ENOMEM;
                break;
            }
        }
        uint64_t data_left = size;
        int trunc = 0;
        while (left > 0) {
            size_t want = (size_t)TS_MIN(left, (uint64_t)CHUNK);
            int n = gzread(gz, chunk, (unsigned)want);
            if (n <= 0) {
                trunc = 1;
                break;
            }
            left -= (uint64_t)n;
            offset += (uint64_t)n;
            size_t useful = (size_t)TS_MIN((uint64_t)n, data_left);
            data_left -= useful;
            if (p == P_LOG && useful) {
                e->bytes += useful;
                int y = linesplit_feed(&ls, chunk, useful, tar_on_line, &lc);
                if (y < 0) {
                    r = y;
                    break;
                }
            } else if (part && useful) {
                memcpy(part + plen, chunk, useful);
                plen += useful;
            }
        }
        if (p == P_LOG) {
            if (r >= 0) r = linesplit_finish(&ls, tar_on_line, &lc);
            linesplit_done(&ls);
        }
        if (r >= 0 && part && !trunc) {
            part[plen] = 0;
            r = process_part(e, p, rel, part, plen);
        }
        free(part);
        if (too_big && r >= 0) r = ev_unreadable(e, rel, "part too large");
        if (trunc) {
            char reason[160];
            snprintf(reason, sizeof reason, "archive truncated inside this entry (at byte %llu)",
                     (unsigned long long)offset);
            if (r >= 0) r = ev_unreadable(e, rel, reason);
            break;
        }
        if (r < 0) break;
    }
    gzclose(gz);
    return r;
}

int bundle_load(struct ev *e, const char *path)
{
    struct stat st;
    if (stat(path, &st) < 0) return -errno;
    if (S_ISDIR(st.st_mode)) {
        size_t n = 0;
        return walk(e, path, "", 0, &n, 0);
    }
    if (ends(path, ".tar.gz") || ends(path, ".tgz") || ends(path, ".tar")) return load_tar(e, path);
    /* a single file: treat as a log */
    _cleanup_free_ char *svc = service_from_path(path);
    return ev_read_log(e, path, path, svc);
}

int logs_dir_load(struct ev *e, const char *path)
{
    size_t n = 0;
    return walk(e, path, "", 0, &n, 1);
}

/* ---- deps.yaml and notes.md ---- */

static void quiet_out(struct fy_diag *d, void *u, const char *b, size_t l)
{
    (void)d;
    (void)u;
    (void)b;
    (void)l;
}

int ev_add_deps_yaml(struct ev *e, const char *text, size_t len, const char *ref)
{
    int badline;
    if (kb_yaml_precheck(text, len, &badline) < 0) {
        char reason[128];
        snprintf(reason, sizeof reason, "line %d: YAML directives and NUL bytes are not allowed",
                 badline);
        return ev_unreadable(e, ref, reason);
    }
    struct fy_diag_cfg dc;
    fy_diag_cfg_default(&dc);
    dc.fp = NULL;
    dc.output_fn = quiet_out;
    struct fy_diag *diag = fy_diag_create(&dc);
    if (!diag) return -ENOMEM;
    struct fy_parse_cfg pc = { .flags = FYPCF_QUIET, .diag = diag };
    struct fy_document *doc = fy_document_build_from_string(&pc, text, len);
    int r = 0;
    struct fy_node *root = doc ? fy_document_root(doc) : NULL;
    if (!root || !fy_node_is_mapping(root)) {
        r = ev_unreadable(e, ref, "malformed YAML: expected a mapping service: [dependencies]");
    } else {
        int src = ev_source_add(e, ref, "", EV_DEPS);
        void *it = NULL;
        struct fy_node_pair *p;
        while (r >= 0 && (p = fy_node_mapping_iterate(root, &it))) {
            const char *from = fy_node_get_scalar0(fy_node_pair_key(p));
            struct fy_node *v = fy_node_pair_value(p);
            if (!from || !v || !fy_node_is_sequence(v)) continue;
            void *i2 = NULL;
            struct fy_node *d;
            while (r >= 0 && (d = fy_node_sequence_iterate(v, &i2))) {
                const char *to = fy_node_is_scalar(d) ? fy_node_get_scalar0(d) : NULL;
                if (to) r = ev_edge_add(e, from, to, "deps.yaml");
                if (src >= 0) e->src[src].lines++;
            }
        }
    }
    if (doc) fy_document_destroy(doc);
    fy_diag_destroy(diag);
    return r;
}

int ev_add_notes(struct ev *e, const char *text, size_t len, const char *ref)
{
    int src = ev_source_add(e, ref, "", EV_NOTE);
    if (src < 0) return src;
    for (size_t i = 0; i < len; i++)
        if (text[i] == '\n') e->src[src].lines++;
    free(e->notes_text);
    e->notes_text = strndup(text, TS_MIN(len, (size_t)(256 * 1024)));
    if (!e->notes_text) return -ENOMEM;
    /* retention stated by the reporter: "kept 7 days", "retention: 7d", "expire after 24h" */
    static const char *const keys[] = { "kept ",     "keeps ",        "retention",
                                        "retained ", "expire after ", "expires after ",
                                        "max age",   "max_age",       "maxage" };
    for (size_t k = 0; k < ELEMENTSOF(keys) && e->retention_ns == 0; k++) {
        const char *p = strcasestr(e->notes_text, keys[k]);
        if (!p) continue;
        p += strlen(keys[k]);
        for (int i = 0; i < 24 && *p && !(*p >= '0' && *p <= '9'); i++) p++;
        char *end;
        double v = strtod(p, &end);
        if (end == p || v <= 0) continue;
        while (*end == ' ') end++;
        double unit = 0;
        if (!strncasecmp(end, "day", 3) || *end == 'd')
            unit = 86400;
        else if (!strncasecmp(end, "hour", 4) || *end == 'h')
            unit = 3600;
        else if (!strncasecmp(end, "week", 4) || *end == 'w')
            unit = 7 * 86400;
        else if (!strncasecmp(end, "min", 3) || *end == 'm')
            unit = 60;
        if (unit > 0) e->retention_ns = (int64_t)(v * unit * 1e9);
    }
    return 0;
}
