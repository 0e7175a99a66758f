/* SPDX-License-Identifier: MIT */
/*
 * snapshot.c: collect snapshots ("tshoot.collect/1") as evidence:
 * filesystems, file hotspots and findings become structured facts that
 * filesystem/finding signals test; full filesystems go on the timeline.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "logs/logs.h"
#include "rca/internal.h"

static double num(json_t *o, const char *k)
{
    json_t *v = json_object_get(o, k);
    return json_is_number(v) ? json_number_value(v) : -1;
}

static char *sdup(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? strdup(s) : NULL;
}

static char *container_subject(json_t *c)
{
    if (!json_is_object(c)) return NULL;
    const char *ns = json_string_value(json_object_get(c, "namespace"));
    const char *pod = json_string_value(json_object_get(c, "pod"));
    const char *name = json_string_value(json_object_get(c, "container_name"));
    const char *id = json_string_value(json_object_get(c, "id"));
    char *s = NULL;
    if (pod) {
        if (asprintf(&s, "pod %s%s%s%s%s", ns ? ns : "", ns ? "/" : "", pod,
                     name ? " container " : "", name ? name : "") < 0)
            s = NULL;
    } else if (name || id) {
        if (asprintf(&s, "container %s", name ? name : id) < 0) s = NULL;
    }
    return s;
}

static ts_time_t parse_rfc3339(const char *s)
{
    ts_time_t t = TS_TIME_NONE;
    if (s && log_parse_time(s, strlen(s), 0, &t) == 0) t = TS_TIME_NONE;
    return t;
}

int ev_add_snapshot(struct ev *e, json_t *snap, const char *ref)
{
    if (!json_is_object(snap))
        return ev_unreadable(e, ref, "not a collect snapshot (expected an object)");
    const char *schema = json_string_value(json_object_get(snap, "schema"));
    if (schema && !startswith(schema, "tshoot.collect/"))
        return ev_unreadable(e, ref, "unknown schema (expected tshoot.collect/1)");
    int src = ev_source_add(e, ref, "", EV_SNAPSHOT);
    if (src < 0) return src;
    json_t *host = json_object_get(snap, "host");
    ts_time_t at = parse_rfc3339(json_string_value(json_object_get(host, "time")));
    if (at != TS_TIME_NONE)
        e->src[src].first_time = e->src[src].last_time = at, e->src[src].timed = 1;
    size_t i;
    json_t *x;
    json_t *fss = json_object_get(snap, "filesystems");
    json_array_foreach(fss, i, x)
    {
        if (e->n_fs >= 4096) break;
        struct ev_fs *n = realloc(e->fs, (e->n_fs + 1) * sizeof *n);
        if (!n) return -ENOMEM;
        e->fs = n;
        struct ev_fs *f = &n[e->n_fs];
        memset(f, 0, sizeof *f);
        if (asprintf(&f->ref, "%s:filesystems[%zu]", ref, i) < 0) return -ENOMEM;
        f->mountpoint = sdup(x, "mountpoint");
        f->fstype = sdup(x, "fstype");
        f->device = sdup(x, "device");
        f->subject = container_subject(json_object_get(x, "container"));
        f->size = num(x, "size_bytes");
        f->used = num(x, "used_bytes");
        f->avail = num(x, "avail_bytes");
        f->used_pct = num(x, "used_pct");
        if (f->used_pct < 0 && f->size > 0 && f->used >= 0) f->used_pct = 100.0 * f->used / f->size;
        f->inodes_total = num(x, "inodes_total");
        f->inodes_used = num(x, "inodes_used");
        f->inodes_pct = num(x, "inodes_used_pct");
        if (f->inodes_pct < 0 && f->inodes_total > 0 && f->inodes_used >= 0)
            f->inodes_pct = 100.0 * f->inodes_used / f->inodes_total;
        json_t *ro = json_object_get(x, "readonly");
        f->readonly = json_is_true(ro);
        const char *opts = json_string_value(json_object_get(x, "options"));
        if (opts && (startswith(opts, "ro,") || streq(opts, "ro"))) f->readonly = 1;
        if (!f->mountpoint) {
            free(f->ref);
            free(f->fstype);
            free(f->device);
            free(f->subject);
            continue;
        }
        e->n_fs++;
        e->src[src].lines++;
        if (f->used_pct >= 95 || f->inodes_pct >= 95) {
            char t[512];
            snprintf(t, sizeof t, "%s (%s%s%s) %.0f%% full, inodes %.0f%%", f->mountpoint,
                     f->fstype ? f->fstype : "?", f->subject ? ") in (" : "",
                     f->subject ? f->subject : "", f->used_pct, f->inodes_pct);
            ev_timeline(e, at, ref, "fs_milestone", t);
        }
    }
    json_t *hots = json_object_get(snap, "hotspots");
    json_array_foreach(hots, i, x)
    {
        if (e->n_hot >= 4096) break;
        struct ev_hotspot *n = realloc(e->hot, (e->n_hot + 1) * sizeof *n);
        if (!n) return -ENOMEM;
        e->hot = n;
        struct ev_hotspot *h = &n[e->n_hot++];
        memset(h, 0, sizeof *h);
        if (asprintf(&h->ref, "%s:hotspots[%zu]", ref, i) < 0) h->ref = NULL;
        h->dir = sdup(x, "dir");
        h->prefix = sdup(x, "prefix");
        h->fs = sdup(x, "fs_mountpoint");
        if (!h->fs && h->dir) h->fs = strdup(h->dir);
        h->count = num(x, "count");
        h->bytes = num(x, "bytes");
        h->rate_per_min = num(x, "rate_per_min");
        h->subject = container_subject(json_object_get(x, "container"));
        json_t *om = json_object_get(x, "oldest_mtime");
        h->oldest = json_is_string(om) ? parse_rfc3339(json_string_value(om)) : TS_TIME_NONE;
        e->src[src].lines++;
    }
    json_t *finds = json_object_get(snap, "findings");
    json_array_foreach(finds, i, x)
    {
        if (e->n_find >= 4096) break;
        struct ev_finding *n = realloc(e->find, (e->n_find + 1) * sizeof *n);
        if (!n) return -ENOMEM;
        e->find = n;
        struct ev_finding *f = &n[e->n_find++];
        memset(f, 0, sizeof *f);
        if (asprintf(&f->ref, "%s:findings[%zu]", ref, i) < 0) f->ref = NULL;
        f->id = sdup(x, "id");
        f->severity = sdup(x, "severity");
        f->subject = sdup(x, "subject");
        f->message = sdup(x, "message");
        e->src[src].lines++;
    }
    json_t *mem = json_object_get(snap, "memory");
    if (num(mem, "oom_kills") > 0) {
        char t[128];
        snprintf(t, sizeof t, "%.0f OOM kills since boot", num(mem, "oom_kills"));
        ev_timeline(e, at, ref, "oom", t);
    }
    return 0;
}
