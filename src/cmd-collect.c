/* SPDX-License-Identifier: MIT */
/* tshoot collect: host and container evidence (lib/host/collect.h). */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/timeutil.h"
#include "host/collect.h"
#include "tshoot.h"

#define MAX_SCAN 64

static const char usage[] =
    "usage: tshoot collect [OPTIONS]\n"
    "\n"
    "Snapshot this host and its containers, read-only: file systems (also the\n"
    "tmpfs mounts inside containers and pods, e.g. a pod's /dev/shm), file-count\n"
    "hot spots, memory and OOM kills, cgroup limits, CPU and pressure, file\n"
    "descriptors, TCP sockets, processes and clock state. Findings come first.\n"
    "\n"
    "Options:\n"
    "  --json             write the whole snapshot as JSON (schema tshoot.collect/1)\n"
    "  -o, --output FILE  write to FILE instead of stdout\n"
    "  --check            monitoring-plugin mode: one status line, exit 0 ok,\n"
    "                     1 warning, 2 critical, 3 unknown\n"
    "  --scan PATH        also scan PATH for file-count hot spots (repeatable)\n"
    "  --root DIR         read /proc and /sys below DIR (a captured tree); sizes\n"
    "                     come from DIR/statvfs.txt if present (see docs/collect.md)\n"
    "  --no-containers    do not look into other mount namespaces\n"
    "  --no-hotspots      do not scan for hot spots\n"
    "  --max-entries N    entry budget per scanned tree (default 200000)\n"
    "  --budget-ms N      time budget for the whole run (default 10000)\n"
    "  -h, --help         show this help\n";

#define MAX_FS_ROWS 40

static int cmp_desc(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? 1 : x > y ? -1 : 0;
}

static const char *sev_tag(const struct palette *p, const char *sev, const char **color)
{
    if (sev && streq(sev, "critical")) {
        *color = p->red;
        return "CRIT";
    }
    if (sev && streq(sev, "warning")) {
        *color = p->yellow;
        return "WARN";
    }
    *color = p->cyan;
    return "INFO";
}

static const char *jstr(json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "-";
}

static const char *bytes_str(json_t *v, char *buf, size_t size)
{
    static const char *const units[] = { "B", "K", "M", "G", "T", "P" };
    if (!json_is_integer(v)) return "-";
    double d = (double)json_integer_value(v);
    size_t u = 0;
    while (d >= 1024 && u + 1 < ELEMENTSOF(units)) {
        d /= 1024;
        u++;
    }
    if (u == 0)
        snprintf(buf, size, "%.0f%s", d, units[u]);
    else
        snprintf(buf, size, d < 10 ? "%.1f%s" : "%.0f%s", d, units[u]);
    return buf;
}

static const char *pct_str(json_t *v, char *buf, size_t size)
{
    if (!json_is_number(v)) return "-";
    snprintf(buf, size, "%.0f%%", json_number_value(v));
    return buf;
}

static const char *where_str(json_t *ct, char *buf, size_t size)
{
    if (!json_is_object(ct)) return "host";
    const char *id = json_string_value(json_object_get(ct, "id"));
    const char *pod = json_string_value(json_object_get(ct, "pod"));
    const char *uid = json_string_value(json_object_get(ct, "pod_uid"));
    const char *name = json_string_value(json_object_get(ct, "container_name"));
    const char *comm = json_string_value(json_object_get(ct, "comm"));
    long long pid = (long long)json_integer_value(json_object_get(ct, "pid"));
    if (pod || uid)
        snprintf(buf, size, "pod %s", pod ? pod : uid);
    else if (name)
        snprintf(buf, size, "ctr %s", name);
    else if (id)
        snprintf(buf, size, "ctr %.12s", id);
    else
        snprintf(buf, size, "pid %lld (%s)", pid, comm ? comm : "?");
    return buf;
}

static void print_human(FILE *f, json_t *doc, const struct palette *p)
{
    char b1[64], b2[64], b3[64], b4[64], b5[64], w[160];
    json_t *h = json_object_get(doc, "host");
    json_int_t up = json_integer_value(json_object_get(h, "uptime_s"));
    json_t *sync = json_object_get(json_object_get(h, "clock"), "synchronized");
    json_t *ncpu = json_object_get(h, "cpus");
    if (json_is_integer(ncpu)) snprintf(b2, sizeof b2, "%lld", (long long)json_integer_value(ncpu));
    fprintf(f, "%shost%s %s  kernel %s  up %s  %s CPU(s)  clock %s\n", p->bold, p->reset,
            jstr(h, "hostname"), jstr(h, "kernel"),
            json_is_integer(json_object_get(h, "uptime_s"))
                ? ts_format_duration(up * TS_NSEC_PER_SEC, b1, sizeof b1)
                : "-",
            json_is_integer(ncpu) ? b2 : "-",
            json_is_boolean(sync) ? (json_is_true(sync) ? "synchronised" : "NOT synchronised")
                                  : "unknown");

    json_t *fl = json_object_get(doc, "findings");
    size_t i;
    json_t *e;
    fprintf(f, "\n%sFINDINGS%s (%zu)\n", p->bold, p->reset, json_array_size(fl));
    if (json_array_size(fl) == 0)
        fprintf(f, "  %snone: nothing looks wrong%s\n", p->green, p->reset);
    json_array_foreach(fl, i, e)
    {
        const char *col;
        const char *tag = sev_tag(p, json_string_value(json_object_get(e, "severity")), &col);
        fprintf(f, "  %s%-4s%s  %-24s %s\n", col, tag, p->reset, jstr(e, "id"), jstr(e, "message"));
    }

    json_t *fss = json_object_get(doc, "filesystems");
    json_t *sum = json_object_get(doc, "filesystems_summary");
    fprintf(f, "\n%sFILESYSTEMS%s (%zu mounts; %lld pseudo skipped)\n", p->bold, p->reset,
            json_array_size(fss),
            (long long)json_integer_value(json_object_get(sum, "pseudo_skipped")));
    fprintf(f, "  %-28s %-9s %7s %7s %7s %5s %7s  %s\n", "MOUNTPOINT", "TYPE", "SIZE", "USED",
            "AVAIL", "USE%", "INODE%", "WHERE");
    /* Many mounts (a node with hundreds of pods): the fullest MAX_FS_ROWS, in
     * table order; the rest is in --json. */
    size_t nfs = json_array_size(fss), shown = 0;
    double cut = -1;
    size_t eq_left = 0; /* rows exactly at the cut that still fit */
    if (nfs > MAX_FS_ROWS) {
        double *v = calloc(nfs, sizeof *v);
        if (v) {
            json_array_foreach(fss, i, e)
            {
                double a = json_number_value(json_object_get(e, "used_pct"));
                double b = json_number_value(json_object_get(e, "inodes_used_pct"));
                v[i] = a > b ? a : b;
            }
            qsort(v, nfs, sizeof *v, cmp_desc);
            cut = v[MAX_FS_ROWS - 1];
            for (size_t k = 0; k < MAX_FS_ROWS; k++) eq_left += v[k] == cut;
            free(v);
        }
    }
    json_array_foreach(fss, i, e)
    {
        double pct = json_number_value(json_object_get(e, "used_pct"));
        double ipct = json_number_value(json_object_get(e, "inodes_used_pct"));
        double worst = pct > ipct ? pct : ipct;
        if (cut >= 0 && (worst < cut || (worst == cut && eq_left == 0))) continue;
        if (cut >= 0 && worst == cut) eq_left--;
        shown++;
        bool ro = json_is_true(json_object_get(e, "readonly"));
        const char *col = ro                          ? ""
                          : (pct >= 95 || ipct >= 95) ? p->red
                          : (pct >= 90 || ipct >= 90) ? p->yellow
                                                      : "";
        const char *mp = jstr(e, "mountpoint");
        char mpb[40];
        if (strlen(mp) > 28) {
            snprintf(mpb, sizeof mpb, "...%s", mp + strlen(mp) - 25);
            mp = mpb;
        }
        fprintf(f, "  %s%-28s %-9s %7s %7s %7s %5s %7s%s  %s\n", col, mp, jstr(e, "fstype"),
                bytes_str(json_object_get(e, "size_bytes"), b1, sizeof b1),
                bytes_str(json_object_get(e, "used_bytes"), b2, sizeof b2),
                bytes_str(json_object_get(e, "avail_bytes"), b3, sizeof b3),
                pct_str(json_object_get(e, "used_pct"), b4, sizeof b4),
                pct_str(json_object_get(e, "inodes_used_pct"), b5, sizeof b5), *col ? p->reset : "",
                where_str(json_object_get(e, "container"), w, sizeof w));
    }
    if (shown < nfs) fprintf(f, "  ... %zu more, less full (see --json)\n", nfs - shown);

    json_t *hot = json_object_get(doc, "hotspots");
    json_t *scans = json_object_get(doc, "scans");
    json_int_t scanned = 0;
    bool trunc = false;
    json_array_foreach(scans, i, e)
    {
        scanned += json_integer_value(json_object_get(e, "entries"));
        trunc = trunc || json_is_true(json_object_get(e, "truncated"));
    }
    fprintf(f, "\n%sHOT SPOTS%s (%zu trees, %lld entries scanned%s)\n", p->bold, p->reset,
            json_array_size(scans), (long long)scanned,
            trunc ? ", some truncated: see --json" : "");
    if (json_array_size(hot) == 0)
        fprintf(f, "  none\n");
    else
        fprintf(f, "  %8s  %-16s %7s %-9s %-8s %-20s  %s\n", "COUNT", "PREFIX", "BYTES", "RATE/MIN",
                "FILLS IN", "NEWEST", "DIR");
    json_array_foreach(hot, i, e)
    {
        if (i == 10) break;
        json_t *rate = json_object_get(e, "rate_per_min");
        snprintf(b3, sizeof b3, json_is_number(rate) ? "%.1f" : "-", json_number_value(rate));
        const char *pfx = json_string_value(json_object_get(e, "prefix"));
        snprintf(b4, sizeof b4, "%s*", pfx && *pfx ? pfx : "");
        json_t *fills = json_object_get(e, "fills_in_s");
        char fb[32] = "-";
        if (json_is_integer(fills))
            ts_format_duration(json_integer_value(fills) * TS_NSEC_PER_SEC, fb, sizeof fb);
        fprintf(f, "  %8lld  %-16s %7s %-9s %-8s %-20s  %s (%s)\n",
                (long long)json_integer_value(json_object_get(e, "count")), b4,
                bytes_str(json_object_get(e, "bytes"), b1, sizeof b1), b3, fb,
                jstr(e, "newest_mtime"), jstr(e, "dir"),
                where_str(json_object_get(e, "container"), w, sizeof w));
    }

    json_t *m = json_object_get(doc, "memory");
    fprintf(f, "\n%sMEMORY%s  total %s  available %s (%s)  swap %s of %s free  OOM kills %s\n",
            p->bold, p->reset, bytes_str(json_object_get(m, "total_bytes"), b1, sizeof b1),
            bytes_str(json_object_get(m, "available_bytes"), b2, sizeof b2),
            pct_str(json_object_get(m, "available_pct"), b3, sizeof b3),
            bytes_str(json_object_get(m, "swap_free_bytes"), b4, sizeof b4),
            bytes_str(json_object_get(m, "swap_total_bytes"), b5, sizeof b5),
            json_is_integer(json_object_get(m, "oom_kills"))
                ? (snprintf(w, sizeof w, "%lld",
                            (long long)json_integer_value(json_object_get(m, "oom_kills"))),
                   w)
                : "-");
    json_t *pr = json_object_get(doc, "processes");
    fprintf(f, "  top RSS:");
    json_array_foreach(json_object_get(pr, "top_rss"), i, e)
    {
        if (i == 5) break;
        fprintf(f, " %s[%lld] %s", jstr(e, "comm"),
                (long long)json_integer_value(json_object_get(e, "pid")),
                bytes_str(json_object_get(e, "rss_bytes"), b1, sizeof b1));
        if (i < 4) fputc(i + 1 < json_array_size(json_object_get(pr, "top_rss")) ? ',' : ' ', f);
    }
    fputc('\n', f);
    json_t *cgl = json_object_get(json_object_get(doc, "cgroups"), "list");
    if (json_array_size(cgl)) {
        fprintf(f, "\n%sCGROUPS%s (v%lld, with limits or events)\n", p->bold, p->reset,
                (long long)json_integer_value(
                    json_object_get(json_object_get(doc, "cgroups"), "version")));
        fprintf(f, "  %-48s %7s %7s %5s %4s %9s\n", "CGROUP", "MEM", "LIMIT", "USE%", "OOM",
                "THROTTLE%");
        json_array_foreach(cgl, i, e)
        {
            if (i == 10) break;
            json_t *cm = json_object_get(e, "memory"), *cc = json_object_get(e, "cpu");
            const char *path = jstr(e, "path");
            json_t *cct = json_object_get(e, "container");
            if (json_is_object(cct)) {
                const char *nm = json_string_value(json_object_get(cct, "container_name"));
                if (!json_is_string(json_object_get(cct, "pod")) &&
                    !json_is_string(json_object_get(cct, "pod_uid")))
                    nm = NULL; /* where_str() already names the container */
                char wb[160];
                snprintf(w, sizeof w, "%s%s%s", where_str(cct, wb, sizeof wb), nm ? " / " : "",
                         nm ? nm : "");
                path = w;
            }
            size_t pl = strlen(path);
            fprintf(f, "  %-48s %7s %7s %5s %4lld %9s\n", pl > 48 ? path + pl - 48 : path,
                    bytes_str(json_object_get(cm, "working_set_bytes"), b1, sizeof b1),
                    bytes_str(json_object_get(cm, "limit_bytes"), b2, sizeof b2),
                    pct_str(json_object_get(cm, "usage_pct"), b3, sizeof b3),
                    (long long)json_integer_value(json_object_get(cm, "oom_kills")),
                    pct_str(json_object_get(cc, "throttled_pct"), b4, sizeof b4));
        }
    }
    json_t *cpu = json_object_get(doc, "cpu"), *ps = json_object_get(doc, "pressure");
    fprintf(f, "\n%sCPU%s  load %.2f %.2f %.2f", p->bold, p->reset,
            json_number_value(json_object_get(cpu, "load1")),
            json_number_value(json_object_get(cpu, "load5")),
            json_number_value(json_object_get(cpu, "load15")));
    if (json_is_true(json_object_get(ps, "available"))) {
        fprintf(f, "  PSI avg60 some:");
        static const char *const res[] = { "cpu", "memory", "io" };
        for (size_t k = 0; k < ELEMENTSOF(res); k++) {
            json_t *s = json_object_get(json_object_get(ps, res[k]), "some");
            if (json_is_object(s))
                fprintf(f, " %s %.1f%%", res[k], json_number_value(json_object_get(s, "avg60")));
        }
    }
    fputc('\n', f);
    json_t *fd = json_object_get(doc, "fds");
    fprintf(f, "%sFDS%s  system %lld allocated, used %s of max", p->bold, p->reset,
            (long long)json_integer_value(json_object_get(fd, "system_allocated")),
            pct_str(json_object_get(fd, "system_used_pct"), b1, sizeof b1));
    json_t *top = json_array_get(json_object_get(fd, "closest_to_limit"), 0);
    if (top)
        fprintf(f, "  closest to limit: %s[%lld] %lld/%lld", jstr(top, "comm"),
                (long long)json_integer_value(json_object_get(top, "pid")),
                (long long)json_integer_value(json_object_get(top, "open")),
                (long long)json_integer_value(json_object_get(top, "limit")));
    fputc('\n', f);
    json_t *net = json_object_get(doc, "network"), *tcp = json_object_get(net, "tcp");
    fprintf(f, "%sNET%s  tcp %lld sockets (", p->bold, p->reset,
            (long long)json_integer_value(json_object_get(tcp, "total")));
    const char *k;
    json_t *v;
    bool first = true;
    json_object_foreach(json_object_get(tcp, "states"), k, v)
    {
        fprintf(f, "%s%s %lld", first ? "" : ", ", k, (long long)json_integer_value(v));
        first = false;
    }
    json_t *eph = json_object_get(net, "ephemeral_ports"), *ct = json_object_get(net, "conntrack");
    fprintf(f, ")  ephemeral %lld in use (%s)",
            (long long)json_integer_value(json_object_get(eph, "in_use")),
            pct_str(json_object_get(eph, "used_pct"), b1, sizeof b1));
    if (json_is_integer(json_object_get(ct, "count")))
        fprintf(f, "  conntrack %lld/%lld",
                (long long)json_integer_value(json_object_get(ct, "count")),
                (long long)json_integer_value(json_object_get(ct, "max")));
    fputc('\n', f);
    fprintf(
        f, "%sPROCS%s  %lld processes, %lld threads, %lld running, %lld in D state, %lld zombies\n",
        p->bold, p->reset, (long long)json_integer_value(json_object_get(pr, "total")),
        (long long)json_integer_value(json_object_get(pr, "threads")),
        (long long)json_integer_value(json_object_get(pr, "running")),
        (long long)json_integer_value(json_object_get(pr, "d_state")),
        (long long)json_integer_value(json_object_get(pr, "zombies")));
    json_t *cts = json_object_get(json_object_get(doc, "containers"), "list");
    if (json_array_size(cts)) {
        fprintf(f, "\n%sMOUNT NAMESPACES%s (%zu besides ours)\n", p->bold, p->reset,
                json_array_size(cts));
        json_array_foreach(cts, i, e)
        {
            if (i == 15) {
                fprintf(f, "  ... (see --json)\n");
                break;
            }
            fprintf(f, "  pid %-8lld %-16s %-20s %s\n",
                    (long long)json_integer_value(json_object_get(e, "pid")), jstr(e, "comm"),
                    where_str(e, w, sizeof w), jstr(e, "cgroup"));
        }
    }
    json_t *un = json_object_get(doc, "unavailable");
    if (json_array_size(un)) {
        fprintf(f, "\n%sUNAVAILABLE%s (%zu)\n", p->bold, p->reset, json_array_size(un));
        json_array_foreach(un, i, e)
        {
            if (i == 10) {
                fprintf(f, "  ... (see --json)\n");
                break;
            }
            fprintf(f, "  %s%s: %s%s\n", p->dim, jstr(e, "path"), jstr(e, "reason"), p->reset);
        }
    }
}

/* Unknown when the core evidence (the mount table) could not be read. */
static bool core_unknown(json_t *doc)
{
    size_t i;
    json_t *e;
    json_array_foreach(json_object_get(doc, "unavailable"), i, e)
    {
        const char *pth = json_string_value(json_object_get(e, "path"));
        if (pth && streq(pth, "/proc/self/mountinfo") &&
            json_array_size(json_object_get(doc, "filesystems")) == 0)
            return true;
    }
    return false;
}

static int run(int argc, char **argv)
{
    enum {
        OPT_JSON = 256,
        OPT_CHECK,
        OPT_SCAN,
        OPT_ROOT,
        OPT_NOCT,
        OPT_NOHOT,
        OPT_MAXENT,
        OPT_BUDGET
    };
    static const struct option opts[] = {
        { "json", no_argument, NULL, OPT_JSON },
        { "output", required_argument, NULL, 'o' },
        { "check", no_argument, NULL, OPT_CHECK },
        { "scan", required_argument, NULL, OPT_SCAN },
        { "root", required_argument, NULL, OPT_ROOT },
        { "no-containers", no_argument, NULL, OPT_NOCT },
        { "no-hotspots", no_argument, NULL, OPT_NOHOT },
        { "max-entries", required_argument, NULL, OPT_MAXENT },
        { "budget-ms", required_argument, NULL, OPT_BUDGET },
        { "help", no_argument, NULL, 'h' },
        { 0 },
    };
    const char *scan[MAX_SCAN];
    struct collect_opts o = { .root = "/", .scan_paths = scan };
    bool json = false, check = false;
    const char *out = NULL;
    unsigned long v;
    int c;
    opterr = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
        switch (c) {
        case OPT_JSON: json = true; break;
        case 'o': out = optarg; break;
        case OPT_CHECK: check = true; break;
        case OPT_SCAN:
            if (o.n_scan == MAX_SCAN)
                return usage_error("collect", "at most %d --scan paths", MAX_SCAN);
            if (!*optarg) return usage_error("collect", "--scan needs a path");
            scan[o.n_scan++] = optarg;
            break;
        case OPT_ROOT:
            if (!*optarg) return usage_error("collect", "--root needs a directory");
            o.root = optarg;
            break;
        case OPT_NOCT: o.no_containers = 1; break;
        case OPT_NOHOT: o.no_hotspots = 1; break;
        case OPT_MAXENT:
            if (parse_uint_opt("collect", "--max-entries", optarg, 100000000UL, &v))
                return EXIT_USAGE;
            if (v == 0) return usage_error("collect", "--max-entries must be at least 1");
            o.scan_max_entries = v;
            break;
        case OPT_BUDGET:
            if (parse_uint_opt("collect", "--budget-ms", optarg, 3600000UL, &v)) return EXIT_USAGE;
            if (v == 0) return usage_error("collect", "--budget-ms must be at least 1");
            o.budget_ms = (int64_t)v;
            break;
        case 'h': fputs(usage, stdout); return 0;
        case ':': return usage_error("collect", "option '%s' needs a value", argv[optind - 1]);
        default: return usage_error("collect", "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return usage_error("collect", "unexpected argument '%s'", argv[optind]);

    json_t *doc = NULL;
    int r = collect_run(&o, &doc);
    if (r < 0) {
        if (check) {
            printf("COLLECT UNKNOWN - %s\n", strerror(-r));
            return 3;
        }
        return fail_errno("collect", r, "cannot collect from '%s'", o.root);
    }
    FILE *f = output_open(out);
    if (!f) {
        r = -errno;
        json_decref(doc);
        return fail_errno("collect", r, "cannot open '%s'", out);
    }
    int worst = collect_worst_severity(doc);
    bool unknown = core_unknown(doc);
    if (json) {
        if (json_dumpf(doc, f, JSON_INDENT(2) | JSON_PRESERVE_ORDER) == 0) fputc('\n', f);
    } else if (check) {
        static const char *const st[] = { "OK", "WARNING", "CRITICAL", "UNKNOWN" };
        int code = unknown && worst < 2 ? 3 : worst;
        json_t *fl = json_object_get(doc, "findings");
        size_t nw = 0, nc = 0, i;
        json_t *e;
        json_array_foreach(fl, i, e)
        {
            const char *s = json_string_value(json_object_get(e, "severity"));
            nc += s && streq(s, "critical");
            nw += s && streq(s, "warning");
        }
        fprintf(f, "COLLECT %s - %zu critical, %zu warning", st[code], nc, nw);
        json_t *top = json_array_get(fl, 0);
        if (top && code > 0 && code < 3)
            fprintf(f, ": %s", json_string_value(json_object_get(top, "message")));
        fputc('\n', f);
        json_array_foreach(fl, i, e)
        {
            const char *s = json_string_value(json_object_get(e, "severity"));
            if (s && !streq(s, "info"))
                fprintf(f, "%s %s: %s\n", s, jstr(e, "id"), jstr(e, "message"));
        }
    } else {
        struct palette p;
        palette_init(&p, use_color(f));
        print_human(f, doc, &p);
    }
    json_decref(doc);
    r = output_close("collect", f, out);
    if (r) return r;
    if (check) return unknown && worst < 2 ? 3 : worst;
    return 0;
}

const struct command cmd_collect = { "collect", run,
                                     "snapshot host and container state, with findings", usage };
