/* SPDX-License-Identifier: MIT */
/* CPU load and pressure stall information (/proc/loadavg, /proc/pressure/). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "host/hostctx.h"
#include "host/procparse.h"

static json_t *psi_line_json(const struct psi_line *l)
{
    if (!l->present) return json_null();
    json_t *o = json_object();
    if (!o) return NULL;
    json_object_set_new(o, "avg10", json_real(l->avg10));
    json_object_set_new(o, "avg60", json_real(l->avg60));
    json_object_set_new(o, "avg300", json_real(l->avg300));
    json_object_set_new(o, "total_us",
                        json_integer((json_int_t)(l->total > INT64_MAX ? INT64_MAX : l->total)));
    return o;
}

int collect_pressure(struct hctx *c)
{
    json_t *p = json_object(), *cpu = json_object();
    if (!p || !cpu) {
        json_decref(p);
        json_decref(cpu);
        return -ENOMEM;
    }
    json_object_set_new(c->doc, "pressure", p);
    json_object_set_new(c->doc, "cpu", cpu);

    _cleanup_free_ char *la = NULL;
    struct loadavg l;
    if (hctx_read(c, "/proc/loadavg", false, &la, NULL) == 0) {
        if (loadavg_parse(la, &l) < 0) {
            hctx_unavail(c, "/proc/loadavg", "malformed: not 'L1 L5 L15 R/T PID'");
        } else {
            json_object_set_new(cpu, "load1", json_real(l.l1));
            json_object_set_new(cpu, "load5", json_real(l.l5));
            json_object_set_new(cpu, "load15", json_real(l.l15));
            json_object_set_new(cpu, "runnable", json_integer(l.running));
            json_object_set_new(cpu, "threads", json_integer(l.total));
            json_object_set_new(cpu, "cpus", json_integer(c->ncpu));
            double per = l.l5 / c->ncpu;
            json_object_set_new(cpu, "load5_per_cpu",
                                json_real((double)(int64_t)(per * 100) / 100.0));
            if (per >= 2)
                hctx_finding(c, "cpu.load_high", per >= 4 ? "critical" : "warning", "cpu load", per,
                             2, "5-minute load is %.2f on %d CPU(s) (%.1f per CPU): work queues up",
                             l.l5, c->ncpu, per);
        }
    }

    static const struct {
        const char *name, *path, *id;
        double some_warn, full_warn;
    } res[] = {
        { "cpu", "/proc/pressure/cpu", "psi.cpu", 50, 0 },
        { "memory", "/proc/pressure/memory", "psi.memory", 10, 5 },
        { "io", "/proc/pressure/io", "psi.io", 20, 10 },
    };
    bool any = false;
    size_t missing = 0;
    for (size_t i = 0; i < ELEMENTSOF(res); i++) {
        _cleanup_free_ char *t = NULL;
        struct psi ps;
        int r = hctx_read(c, res[i].path, true, &t, NULL);
        if (r < 0) {
            missing += r == -ENOENT;
            continue;
        }
        if (psi_parse(t, &ps) < 0) {
            hctx_unavail(c, res[i].path, "malformed: not PSI 'some avg10=... total=...' lines");
            continue;
        }
        any = true;
        json_t *o = json_object();
        if (!o) return -ENOMEM;
        json_object_set_new(o, "some", psi_line_json(&ps.some));
        json_object_set_new(o, "full", psi_line_json(&ps.full));
        json_object_set_new(p, res[i].name, o);
        const char *sev = NULL;
        double v = ps.some.avg60, thr = res[i].some_warn;
        if (res[i].full_warn > 0 && ps.full.present && ps.full.avg60 >= res[i].full_warn) {
            sev = ps.full.avg60 >= 2 * res[i].full_warn ? "critical" : "warning";
            v = ps.full.avg60;
            thr = res[i].full_warn;
        } else if (ps.some.avg60 >= res[i].some_warn) {
            sev = "warning";
        }
        if (sev) {
            char subj[64];
            snprintf(subj, sizeof subj, "%s pressure", res[i].name);
            hctx_finding(c, res[i].id, sev, subj, v, thr,
                         "%s pressure: tasks stalled %.1f%% of the last minute (%s avg60, "
                         "threshold %.0f%%)",
                         res[i].name, v, v == ps.some.avg60 ? "some" : "full", thr);
        }
    }
    json_object_set_new(p, "available", json_boolean(any));
    if (missing == ELEMENTSOF(res))
        hctx_unavail(c, "/proc/pressure", "PSI not available (kernel without CONFIG_PSI or psi=0)");
    return 0;
}
