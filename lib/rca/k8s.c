/* SPDX-License-Identifier: MIT */
/*
 * k8s.c: Kubernetes objects (kubectl get -o json: Lists or single objects)
 * as evidence. Pod states, last terminations and events become evidence
 * lines scanned by the same signatures as logs ("pod ns/x container c last
 * terminated: reason=OOMKilled exitCode=137"); ingresses give dependency
 * edges; pods without a /dev/shm volume are remembered for the tmpfs rule.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "logs/logs.h"
#include "rca/internal.h"

static const char *str(json_t *o, const char *path)
{
    /* dotted path lookup */
    char key[64];
    const char *p = path;
    while (o && *p) {
        size_t n = strcspn(p, ".");
        if (n >= sizeof key) return NULL;
        memcpy(key, p, n);
        key[n] = 0;
        o = json_object_get(o, key);
        p += n;
        if (*p == '.') p++;
    }
    return json_string_value(o);
}

static ts_time_t tparse(const char *s)
{
    ts_time_t t = TS_TIME_NONE;
    if (s && log_parse_time(s, strlen(s), 0, &t) == 0) t = TS_TIME_NONE;
    return t;
}

static int fact(struct ev *e, int src, ts_time_t t, const char *ref, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static int fact(struct ev *e, int src, ts_time_t t, const char *ref, const char *fmt, ...)
{
    char buf[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return ev_fact(e, src, buf, t, ref);
}

static int pod(struct ev *e, int src, json_t *o, const char *ref)
{
    const char *ns = str(o, "metadata.namespace"), *name = str(o, "metadata.name");
    char id[300];
    snprintf(id, sizeof id, "%s/%s", ns ? ns : "default", name ? name : "?");
    char r[600];
    snprintf(r, sizeof r, "%s:pod/%s", ref, id);
    json_t *st = json_object_get(o, "status");
    const char *phase = json_string_value(json_object_get(st, "phase"));
    int x = 0;
    size_t i;
    json_t *c;
    json_t *lists[2] = { json_object_get(st, "initContainerStatuses"),
                         json_object_get(st, "containerStatuses") };
    for (int l = 0; l < 2; l++) json_array_foreach(lists[l], i, c)
        {
            const char *cn = json_string_value(json_object_get(c, "name"));
            json_t *w = json_object_get(json_object_get(c, "state"), "waiting");
            if (w) {
                x = fact(e, src, TS_TIME_NONE, r, "pod %s container %s waiting: %s: %s", id,
                         cn ? cn : "?", str(w, "reason") ? str(w, "reason") : "",
                         str(w, "message") ? str(w, "message") : "");
                if (x < 0) return x;
            }
            json_t *lt = json_object_get(json_object_get(c, "lastState"), "terminated");
            json_t *ct = json_object_get(json_object_get(c, "state"), "terminated");
            json_t *terms[2] = { lt, ct };
            for (int k = 0; k < 2; k++) {
                json_t *t = terms[k];
                if (!t) continue;
                json_int_t code = json_integer_value(json_object_get(t, "exitCode"));
                const char *reason = str(t, "reason");
                ts_time_t ft = tparse(str(t, "finishedAt"));
                x = fact(e, src, ft, r,
                         "pod %s container %s %s terminated: reason=%s exitCode=%lld %s", id,
                         cn ? cn : "?", k == 0 ? "last" : "now", reason ? reason : "?",
                         (long long)code, str(t, "message") ? str(t, "message") : "");
                if (x < 0) return x;
                char tl[512];
                snprintf(tl, sizeof tl,
                         "pod %s container %s terminated: %s (exit %lld), restarts %lld", id,
                         cn ? cn : "?", reason ? reason : "?", (long long)code,
                         (long long)json_integer_value(json_object_get(c, "restartCount")));
                ev_timeline(e, ft, r, reason && streq(reason, "OOMKilled") ? "oom" : "restart", tl);
            }
        }
    json_t *conds = json_object_get(st, "conditions");
    json_array_foreach(conds, i, c)
    {
        const char *type = str(c, "type"), *status = str(c, "status");
        if (type && status && streq(status, "False") && (str(c, "reason") || str(c, "message"))) {
            x = fact(e, src, tparse(str(c, "lastTransitionTime")), r,
                     "pod %s %s condition %s=False: %s: %s", id, phase ? phase : "", type,
                     str(c, "reason") ? str(c, "reason") : "",
                     str(c, "message") ? str(c, "message") : "");
            if (x < 0) return x;
        }
    }
    /* /dev/shm: without an emptyDir (medium Memory) mounted there the
     * container runtime gives every container a 64 MiB tmpfs */
    json_t *spec = json_object_get(o, "spec");
    int shm = 0;
    json_t *cs = json_object_get(spec, "containers");
    json_array_foreach(cs, i, c)
    {
        size_t j;
        json_t *vm;
        json_array_foreach(json_object_get(c, "volumeMounts"), j, vm)
        {
            const char *mp = str(vm, "mountPath");
            if (mp && streq(mp, "/dev/shm")) shm = 1;
        }
    }
    if (!shm && json_array_size(cs)) {
        char t[512];
        snprintf(t, sizeof t,
                 "pod %s has no /dev/shm volume: its containers get the runtime default 64 MiB "
                 "/dev/shm tmpfs",
                 id);
        json_array_append_new(e->notes, json_pack("{s:s,s:s}", "text", t, "ref", r));
    }
    return 0;
}

static int event(struct ev *e, int src, json_t *o, const char *ref)
{
    const char *reason = str(o, "reason"), *msg = str(o, "message"), *type = str(o, "type");
    const char *kind = str(o, "involvedObject.kind"), *name = str(o, "involvedObject.name"),
               *ns = str(o, "involvedObject.namespace");
    const char *ts = str(o, "lastTimestamp");
    if (!ts) ts = str(o, "eventTime");
    if (!ts) ts = str(o, "firstTimestamp");
    ts_time_t t = tparse(ts);
    json_int_t count = json_integer_value(json_object_get(o, "count"));
    char r[600];
    snprintf(r, sizeof r, "%s:event/%s/%s/%s", ref, ns ? ns : "", name ? name : "?",
             reason ? reason : "?");
    int x = fact(e, src, t, r, "event %s %s %s/%s/%s: %s%s", type ? type : "", reason ? reason : "",
                 kind ? kind : "", ns ? ns : "", name ? name : "", msg ? msg : "",
                 count > 1 ? " (repeated)" : "");
    if (x >= 0 && type && streq(type, "Warning")) {
        char tl[600];
        snprintf(tl, sizeof tl, "%s %s/%s: %.400s", reason ? reason : "", kind ? kind : "",
                 name ? name : "", msg ? msg : "");
        ev_timeline(e, t, ref, "alert", tl);
    }
    return x;
}

static int ingress(struct ev *e, json_t *o)
{
    const char *name = str(o, "metadata.name");
    size_t i, j;
    json_t *rule, *path;
    json_array_foreach(json_object_get(json_object_get(o, "spec"), "rules"), i, rule)
    {
        const char *host = str(rule, "host");
        json_array_foreach(json_object_get(json_object_get(rule, "http"), "paths"), j, path)
        {
            const char *svc = str(path, "backend.service.name");
            if (!svc) svc = str(path, "backend.serviceName");
            if (svc) {
                int x = ev_edge_add(e, host ? host : name, svc, "ingress");
                if (x < 0) return x;
                x = ev_edge_add(e, "ingress", svc, "ingress");
                if (x < 0) return x;
            }
        }
    }
    return 0;
}

static int node(struct ev *e, int src, json_t *o, const char *ref)
{
    const char *name = str(o, "metadata.name");
    char r[600];
    snprintf(r, sizeof r, "%s:node/%s", ref, name ? name : "?");
    size_t i;
    json_t *c;
    json_array_foreach(json_object_get(json_object_get(o, "status"), "conditions"), i, c)
    {
        const char *type = str(c, "type"), *status = str(c, "status");
        if (!type || !status) continue;
        int bad = streq(type, "Ready") ? !streq(status, "True") : streq(status, "True");
        if (!bad) continue;
        int x =
            fact(e, src, tparse(str(c, "lastTransitionTime")), r, "node %s condition %s=%s: %s: %s",
                 name ? name : "?", type, status, str(c, "reason") ? str(c, "reason") : "",
                 str(c, "message") ? str(c, "message") : "");
        if (x < 0) return x;
    }
    return 0;
}

static int one(struct ev *e, int src, json_t *o, const char *ref, int depth)
{
    const char *kind = str(o, "kind");
    if (!kind) return 0;
    if (json_is_array(json_object_get(o, "items")) && depth < 2) {
        size_t i;
        json_t *it;
        json_array_foreach(json_object_get(o, "items"), i, it)
        {
            int x = one(e, src, it, ref, depth + 1);
            if (x < 0) return x;
        }
        return 0;
    }
    e->src[src].lines++;
    if (streq(kind, "Pod")) return pod(e, src, o, ref);
    if (streq(kind, "Event")) return event(e, src, o, ref);
    if (streq(kind, "Ingress")) return ingress(e, o);
    if (streq(kind, "Node")) return node(e, src, o, ref);
    if (streq(kind, "Deployment")) {
        const char *name = str(o, "metadata.name");
        size_t i;
        json_t *c;
        json_array_foreach(json_object_get(json_object_get(o, "status"), "conditions"), i,
                           c) if (str(c, "type") && streq(str(c, "type"), "Progressing") &&
                                  str(c, "lastUpdateTime"))
        {
            char t[300];
            snprintf(t, sizeof t, "deployment %s: %s", name ? name : "?",
                     str(c, "message") ? str(c, "message") : "");
            ev_timeline(e, tparse(str(c, "lastUpdateTime")), ref, "deploy", t);
        }
    }
    return 0;
}

int ev_add_k8s(struct ev *e, json_t *doc, const char *ref)
{
    if (!json_is_object(doc) || !json_object_get(doc, "kind"))
        return ev_unreadable(e, ref, "not a Kubernetes object or List (no \"kind\")");
    int src = ev_source_add(e, ref, "", EV_K8S);
    if (src < 0) return src;
    return one(e, src, doc, ref, 0);
}
