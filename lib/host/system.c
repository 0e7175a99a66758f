/* SPDX-License-Identifier: MIT */
/* System: hostname, kernel, uptime, CPU count, clock synchronisation. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/timex.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "host/hostctx.h"
#include "host/procparse.h"

static void chomp(char *s)
{
    size_t n = strlen(s);
    while (n > 0 && (s[n - 1] == '\n' || s[n - 1] == ' ')) s[--n] = '\0';
}

static json_t *read_line(struct hctx *c, const char *path, const char *fallback)
{
    _cleanup_free_ char *t = NULL;
    if (hctx_read(c, path, c->live, &t, NULL) < 0 || !t)
        return fallback ? json_string(fallback) : json_null();
    chomp(t);
    if (!*t) {
        hctx_unavail(c, path, "empty");
        return fallback ? json_string(fallback) : json_null();
    }
    return json_redacted(t);
}

int collect_system(struct hctx *c)
{
    json_t *h = json_object();
    if (!h) return -ENOMEM;
    json_object_set_new(c->doc, "host", h);
    struct utsname u;
    bool have_uts = c->live && uname(&u) == 0;
    json_object_set_new(h, "hostname",
                        read_line(c, "/proc/sys/kernel/hostname", have_uts ? u.nodename : NULL));
    json_object_set_new(h, "kernel",
                        read_line(c, "/proc/sys/kernel/osrelease", have_uts ? u.release : NULL));
    if (have_uts) json_object_set_new(h, "machine", json_string(u.machine));

    char tb[64];
    ts_time_t now = ts_now();
    c->now_s = now / TS_NSEC_PER_SEC;
    json_object_set_new(h, "time", json_string(ts_format(now, 0, tb, sizeof tb)));

    _cleanup_free_ char *up = NULL;
    double uptime = -1;
    if (hctx_read(c, "/proc/uptime", false, &up, NULL) == 0) {
        if (sscanf(up, "%lf", &uptime) != 1 || uptime < 0 || uptime > 1e10) {
            hctx_unavail(c, "/proc/uptime", "malformed: no uptime number");
            uptime = -1;
        }
    }
    if (uptime >= 0) {
        json_object_set_new(h, "uptime_s", json_integer((json_int_t)uptime));
        c->boot_s = c->now_s - (int64_t)uptime;
        json_object_set_new(h, "boot_time",
                            json_string(ts_format(c->boot_s * TS_NSEC_PER_SEC, 0, tb, sizeof tb)));
    } else {
        json_object_set_new(h, "uptime_s", json_null());
    }

    /* CPUs: "cpuN" lines of /proc/stat */
    _cleanup_free_ char *st = NULL;
    int ncpu = 0;
    if (hctx_read(c, "/proc/stat", false, &st, NULL) == 0) {
        for (const char *l = st; l && *l;) {
            if (l[0] == 'c' && l[1] == 'p' && l[2] == 'u' && l[3] >= '0' && l[3] <= '9') ncpu++;
            l = strchr(l, '\n');
            if (l) l++;
        }
        if (ncpu == 0) hctx_unavail(c, "/proc/stat", "malformed: no cpuN lines");
    }
    if (ncpu == 0 && c->live) ncpu = (int)sysconf(_SC_NPROCESSORS_ONLN);
    c->ncpu = ncpu > 0 ? ncpu : 1;
    json_object_set_new(h, "cpus", ncpu > 0 ? json_integer(ncpu) : json_null());

    /* clock: only meaningful on the live host */
    json_t *clk = json_object();
    json_object_set_new(h, "clock", clk);
    if (c->live) {
        struct timex tx = { 0 };
        int state = adjtimex(&tx);
        if (state < 0) {
            json_object_set_new(clk, "synchronized", json_null());
            hctx_unavail(c, "adjtimex()", "%s", strerror(errno));
        } else {
            bool synced = !(tx.status & STA_UNSYNC) && state != TIME_ERROR;
            json_object_set_new(clk, "synchronized", json_boolean(synced));
            json_object_set_new(clk, "max_error_us", json_integer(tx.maxerror));
            json_object_set_new(clk, "est_error_us", json_integer(tx.esterror));
            if (!synced)
                hctx_finding(c, "time.unsynced", "warning", "system clock", 0, 1,
                             "the kernel clock is not synchronised (STA_UNSYNC): no NTP/PTP "
                             "daemon disciplines it; log times and TLS checks may drift");
        }
    } else {
        json_object_set_new(clk, "synchronized", json_null());
    }
    return 0;
}
