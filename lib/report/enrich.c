/* SPDX-License-Identifier: MIT */
/*
 * enrich.c: what the report can draw from a bundle directory beyond the
 * diagnosis: filesystem fill samples (snapshots, metrics, and the fill
 * history that a hot prefix's file mtimes imply) and per-service error
 * series (from the log engine) for the sparklines.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/fileio.h"
#include "logs/errors.h"
#include "logs/query.h"
#include "report/model.h"
#include "report/report.h"

#define MAX_FILES         64
#define MAX_FILE_BYTES    (16u << 20)
#define MAX_RECON_SAMPLES 240
#define PAGE              4096.0
#define MAX_LOG_SERVICES  16

struct enrich {
    json_t *samples; /* borrowed: diagnosis.fs_samples */
    int added;
};

static void add_sample(struct enrich *e, ts_time_t t, const char *subject, double pct,
                       const char *source)
{
    if (t == TS_TIME_NONE || !subject || !isfinite(pct) || pct < 0 || pct > 100.5) return;
    if (json_array_size(e->samples) >= RP_MAX_FS_POINTS) return;
    char tb[40];
    ts_format(t, 0, tb, sizeof tb);
    json_t *s = json_pack("{s:s, s:s, s:f, s:s}", "time", tb, "subject", subject, "used_pct",
                          pct > 100 ? 100.0 : pct, "source", source);
    if (s && json_array_append_new(e->samples, s) == 0) e->added++;
}

static ts_time_t jtime(json_t *o, const char *key)
{
    struct rp_time t;
    json_t *v = json_object_get(o, key);
    if (!json_is_string(v) || rp_parse_time(json_string_value(v), &t) < 0) return TS_TIME_NONE;
    return t.t;
}

static double jnum(json_t *o, const char *key)
{
    json_t *v = json_object_get(o, key);
    return json_is_number(v) ? json_number_value(v) : NAN;
}

/* The fill history a hot prefix implies: its files were created at
 * rate_per_min from oldest_mtime, each charging whole pages (at least one,
 * rounded up from the average size); the rest of the used space is taken
 * as already there. The line rises from that baseline until the files
 * account for the used bytes, which is when a full filesystem got full. */
static void reconstruct(struct enrich *e, json_t *fs, json_t *hot, const char *source)
{
    ts_time_t t0 = jtime(hot, "oldest_mtime"), t1 = jtime(hot, "newest_mtime");
    double rate = jnum(hot, "rate_per_min"), count = jnum(hot, "count"), bytes = jnum(hot, "bytes"),
           size = jnum(fs, "size_bytes"), used = jnum(fs, "used_bytes");
    if (t0 == TS_TIME_NONE || t1 == TS_TIME_NONE || t1 <= t0 || !(rate > 0) || !(count >= 1) ||
        !(size > 0) || !(used >= 0))
        return;
    double avg = isfinite(bytes) ? bytes / count : 0;
    double charge = fmax(1, ceil(avg / PAGE)) * PAGE;
    double charged = fmin(count, floor(used / charge));
    double base = used - charged * charge;
    double fill_min = charged / rate;
    ts_time_t end = t0 + (int64_t)(fill_min * 60.0 * TS_NSEC_PER_SEC);
    if (end > t1) end = t1;
    const char *subject = json_string_value(json_object_get(fs, "mountpoint"));
    char src[1024];
    snprintf(src, sizeof src, "%s (fill reconstructed from %.0f %s files, %.0f/min)", source, count,
             json_string_value(json_object_get(hot, "prefix")), rate);
    int64_t span = end - t0, step = span / (MAX_RECON_SAMPLES - 1);
    if (step < 60 * TS_NSEC_PER_SEC) step = 60 * TS_NSEC_PER_SEC;
    for (ts_time_t t = t0; t < end; t += step) {
        double files = (double)(t - t0) / (60.0 * TS_NSEC_PER_SEC) * rate;
        add_sample(e, t, subject, (base + fmin(files, charged) * charge) / size * 100, src);
    }
    /* the exact crossings of the alert thresholds, not the nearest step */
    static const double thresholds[] = { 80, 95 };
    for (size_t i = 0; i < ELEMENTSOF(thresholds); i++) {
        double files = (thresholds[i] / 100 * size - base) / charge;
        if (files <= 0 || files > charged) continue;
        add_sample(e, t0 + (int64_t)(files / rate * 60.0 * TS_NSEC_PER_SEC), subject, thresholds[i],
                   src);
    }
    add_sample(e, end, subject, used / size * 100, src);
}

static void from_snapshot(struct enrich *e, json_t *snap, const char *source)
{
    ts_time_t t = jtime(json_object_get(snap, "host"), "time");
    json_t *fss = json_object_get(snap, "filesystems"), *fs, *hot;
    size_t i, k;
    json_array_foreach(fss, i, fs)
    {
        const char *mp = json_string_value(json_object_get(fs, "mountpoint"));
        double pct = jnum(fs, "used_pct");
        if (!mp) continue;
        if (!isfinite(pct)) {
            double size = jnum(fs, "size_bytes"), used = jnum(fs, "used_bytes");
            if (size > 0 && used >= 0) pct = used / size * 100;
        }
        add_sample(e, t, mp, pct, source);
        json_array_foreach(json_object_get(snap, "hotspots"), k, hot)
        {
            const char *hm = json_string_value(json_object_get(hot, "fs_mountpoint"));
            if (hm && streq(hm, mp)) reconstruct(e, fs, hot, source);
        }
    }
}

/* Prometheus text: the size and avail families of tshoot or node_exporter,
 * by mountpoint. Time: the sample's own timestamp, else "# tshoot-time:". */
struct prom_fs {
    char mp[256];
    double size, avail;
    ts_time_t t;
};

static void from_prom(struct enrich *e, const char *text, const char *source)
{
    struct prom_fs fs[64];
    size_t n = 0;
    ts_time_t file_t = TS_TIME_NONE;
    for (const char *line = text; *line;) {
        size_t len = strcspn(line, "\n");
        char buf[1024];
        size_t l = TS_MIN(len, sizeof buf - 1);
        memcpy(buf, line, l);
        buf[l] = '\0';
        line += len + (line[len] == '\n');
        const char *p;
        if ((p = startswith(buf, "# tshoot-time:"))) {
            struct rp_time rt;
            while (*p == ' ') p++;
            if (rp_parse_time(p, &rt) == 0) file_t = rt.t;
            continue;
        }
        bool is_size = startswith(buf, "tshoot_fs_size_bytes{") ||
                       startswith(buf, "node_filesystem_size_bytes{");
        bool is_avail = startswith(buf, "tshoot_fs_avail_bytes{") ||
                        startswith(buf, "node_filesystem_avail_bytes{");
        if (!is_size && !is_avail) continue;
        const char *m = strstr(buf, "mountpoint=\"");
        const char *close = strrchr(buf, '}');
        if (!m || !close || m > close) continue;
        m += strlen("mountpoint=\"");
        size_t ml = strcspn(m, "\"");
        if (ml == 0 || ml >= sizeof fs[0].mp) continue;
        char *end;
        double v = strtod(close + 1, &end);
        if (end == close + 1) continue;
        double ts = strtod(end, &end);
        ts_time_t t = ts > 0 ? (ts_time_t)(ts * 1e6) : file_t; /* ms since epoch */
        size_t i;
        for (i = 0; i < n; i++)
            if (strlen(fs[i].mp) == ml && strncmp(fs[i].mp, m, ml) == 0 && fs[i].t == t) break;
        if (i == n) {
            if (n == ELEMENTSOF(fs)) continue;
            memcpy(fs[n].mp, m, ml);
            fs[n].mp[ml] = '\0';
            fs[n].size = fs[n].avail = NAN;
            fs[n].t = t;
            n++;
        }
        if (is_size)
            fs[i].size = v;
        else
            fs[i].avail = v;
    }
    for (size_t i = 0; i < n; i++)
        if (fs[i].size > 0 && fs[i].avail >= 0)
            add_sample(e, fs[i].t, fs[i].mp, (1 - fs[i].avail / fs[i].size) * 100, source);
}

static int cmp_name(const void *a, const void *b)
{
    return strcmp(a, b);
}

/* Regular files of bundle/sub (no symlinks), sorted, at most MAX_FILES. */
static size_t list_dir(int bfd, const char *sub, const char *suffix, char names[][256])
{
    int dfd = openat(bfd, sub, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0) return 0;
    DIR *d = fdopendir(dfd);
    if (!d) {
        close(dfd);
        return 0;
    }
    size_t n = 0;
    struct dirent *de;
    while ((de = readdir(d)) && n < MAX_FILES) {
        size_t l = strlen(de->d_name), sl = suffix ? strlen(suffix) : 0;
        if (de->d_name[0] == '.' || l >= 256) continue;
        if (suffix && (l < sl || strcmp(de->d_name + l - sl, suffix) != 0)) continue;
        struct stat st;
        if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) continue;
        if (suffix ? !S_ISREG(st.st_mode) : !(S_ISREG(st.st_mode) || S_ISDIR(st.st_mode))) continue;
        memcpy(names[n++], de->d_name, l + 1);
    }
    closedir(d);
    qsort(names, n, sizeof names[0], cmp_name);
    return n;
}

static char *read_rel(int bfd, const char *path)
{
    char *text = NULL;
    int r = read_file_at(bfd, path, MAX_FILE_BYTES, &text, NULL);
    if (r < 0) {
        free(text);
        return NULL;
    }
    return text;
}

/* The diagnosis service a logs/ entry belongs to (exact name, or a
 * service whose name ends in "-ENTRY"). */
static json_t *service_for(json_t *services, const char *entry)
{
    json_t *s;
    size_t i;
    char name[256];
    snprintf(name, sizeof name, "%s", entry);
    char *dot = strchr(name, '.');
    if (dot && dot != name) *dot = '\0';
    json_array_foreach(services, i, s)
    {
        const char *sn = json_string_value(json_object_get(s, "name"));
        if (!sn) continue;
        size_t a = strlen(sn), b = strlen(name);
        if (streq(sn, name) || (b >= 3 && a > b && sn[a - b - 1] == '-' && streq(sn + a - b, name)))
            return s;
    }
    return NULL;
}

/* Warnings + errors per interval from the log engine, per service. */
static void series_from_logs(json_t *diag, const char *bundle)
{
    json_t *services = json_object_get(diag, "services");
    if (!json_is_array(services)) return;
    int bfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (bfd < 0) return;
    char names[MAX_FILES][256];
    size_t n = list_dir(bfd, "logs", NULL, names);
    close(bfd);
    for (size_t i = 0; i < n && i < MAX_LOG_SERVICES; i++) {
        json_t *svc = service_for(services, names[i]);
        if (!svc || json_object_get(svc, "series")) continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/logs/%s", bundle, names[i]);
        const char *paths[] = { path };
        struct logs_query q;
        logs_query_init(&q);
        q.paths = paths;
        q.n_paths = 1;
        q.threads = 1;
        json_t *doc = NULL;
        if (logs_errors_run(&q, &doc) < 0 || !doc) continue;
        json_t *tl = json_object_get(doc, "timeline");
        json_t *er = json_object_get(tl, "errors"), *wa = json_object_get(tl, "warnings");
        json_t *ec = json_object_get(er, "counts"), *wc = json_object_get(wa, "counts");
        if (json_is_array(ec) && json_is_array(wc) && json_array_size(ec) == json_array_size(wc) &&
            json_equal(json_object_get(er, "start"), json_object_get(wa, "start"))) {
            json_t *sum = json_array();
            double total = 0;
            for (size_t k = 0; sum && k < json_array_size(ec); k++) {
                double v = json_number_value(json_array_get(ec, k)) +
                           json_number_value(json_array_get(wc, k));
                total += v;
                json_array_append_new(sum, json_real(v));
            }
            if (sum && total > 0)
                json_object_set_new(svc, "series",
                                    json_pack("{s:O, s:O, s:o}", "start",
                                              json_object_get(er, "start"), "step_s",
                                              json_object_get(er, "step_s"), "counts", sum));
            else
                json_decref(sum);
        }
        json_decref(doc);
    }
}

int report_enrich_bundle(json_t *diag, const char *bundle)
{
    struct stat st;
    if (!json_is_object(diag)) return -EINVAL;
    if (stat(bundle, &st) < 0) return -errno;
    if (!S_ISDIR(st.st_mode)) return -ENOTDIR;
    json_t *samples = json_object_get(diag, "fs_samples");
    if (!json_is_array(samples)) {
        samples = json_array();
        if (!samples || json_object_set_new(diag, "fs_samples", samples) < 0) return -ENOMEM;
    }
    struct enrich e = { .samples = samples };
    int bfd = open(bundle, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (bfd < 0) return -errno;
    char names[MAX_FILES][256];
    char rel[600];
    size_t n = list_dir(bfd, "host", ".json", names);
    for (size_t i = 0; i < n; i++) {
        snprintf(rel, sizeof rel, "host/%s", names[i]);
        _cleanup_free_ char *text = read_rel(bfd, rel);
        json_t *snap = text ? json_loads(text, 0, NULL) : NULL;
        if (snap) from_snapshot(&e, snap, rel);
        json_decref(snap);
    }
    n = list_dir(bfd, "metrics", ".prom", names);
    for (size_t i = 0; i < n; i++) {
        snprintf(rel, sizeof rel, "metrics/%s", names[i]);
        _cleanup_free_ char *text = read_rel(bfd, rel);
        if (text) from_prom(&e, text, rel);
    }
    close(bfd);
    series_from_logs(diag, bundle);
    return e.added;
}
