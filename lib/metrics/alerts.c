/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "core/macro.h"
#include "metrics/alerts.h"
#include "metrics/http.h"

struct alert_inst {
    char *key; /* compact JSON of the sorted labels */
    json_t *labels, *annotations;
    enum alert_state state;
    ts_time_t active_since, fired_at, last_sent;
    int64_t for_ns;
    bool seen, active;
};

struct alert_engine {
    struct alert_engine_opts o;
    struct alert_inst *v;
    size_t n, cap;
};

int alert_engine_new(const struct alert_engine_opts *o, struct alert_engine **ret)
{
    struct alert_engine *e = calloc(1, sizeof *e);
    if (!e) return -ENOMEM;
    alert_engine_set_opts(e, o);
    *ret = e;
    return 0;
}

void alert_engine_set_opts(struct alert_engine *e, const struct alert_engine_opts *o)
{
    e->o = o ? *o : (struct alert_engine_opts){ 0 };
    if (e->o.resend_ns <= 0) e->o.resend_ns = 60 * TS_NSEC_PER_SEC;
    if (e->o.for_ns < 0) e->o.for_ns = 0;
}

static void inst_done(struct alert_inst *a)
{
    free(a->key);
    json_decref(a->labels);
    json_decref(a->annotations);
}

struct alert_engine *alert_engine_free(struct alert_engine *e)
{
    if (!e) return NULL;
    for (size_t i = 0; i < e->n; i++) inst_done(&e->v[i]);
    free(e->v);
    free(e);
    return NULL;
}

void alerts_begin(struct alert_engine *e)
{
    for (size_t i = 0; i < e->n; i++) {
        e->v[i].seen = false;
        e->v[i].active = false;
    }
}

int alerts_observe(struct alert_engine *e, json_t *labels, json_t *annotations, bool active,
                   int64_t for_ns, ts_time_t now)
{
    if (!json_is_object(labels) || !json_is_string(json_object_get(labels, "alertname")))
        return -EINVAL;
    _cleanup_free_ char *key = json_dumps(labels, JSON_SORT_KEYS | JSON_COMPACT);
    if (!key) return -ENOMEM;
    struct alert_inst *a = NULL;
    for (size_t i = 0; i < e->n && !a; i++)
        if (streq(e->v[i].key, key)) a = &e->v[i];
    if (!a) {
        if (!active) return 0; /* nothing to track */
        if (e->n >= ALERTS_MAX) return -E2BIG;
        if (e->n == e->cap) {
            size_t nc = e->cap ? e->cap * 2 : 16;
            struct alert_inst *nv = realloc(e->v, nc * sizeof *nv);
            if (!nv) return -ENOMEM;
            e->v = nv;
            e->cap = nc;
        }
        a = &e->v[e->n++];
        *a = (struct alert_inst){ .key = TAKE_PTR(key),
                                  .labels = json_deep_copy(labels),
                                  .state = ALERT_INACTIVE };
        if (!a->labels) {
            inst_done(a);
            e->n--;
            return -ENOMEM;
        }
    }
    a->seen = true;
    a->active = a->active || active;
    a->for_ns = for_ns >= 0 ? for_ns : e->o.for_ns;
    if (active && annotations) {
        json_t *c = json_deep_copy(annotations);
        if (!c) return -ENOMEM;
        json_decref(a->annotations);
        a->annotations = c;
    }
    (void)now;
    return 0;
}

static json_t *alert_json(const struct alert_inst *a, ts_time_t starts, ts_time_t ends)
{
    char b1[64], b2[64];
    json_t *j = json_pack("{s:O,s:O,s:s}", "labels", a->labels, "annotations",
                          a->annotations ? a->annotations : json_object(), "startsAt",
                          ts_format(starts, 1, b1, sizeof b1));
    if (j && ends != TS_TIME_NONE)
        json_object_set_new(j, "endsAt", json_string(ts_format(ends, 1, b2, sizeof b2)));
    /* an annotations object created above for a NULL one is leaked by "O";
       avoid by always having annotations */
    return j;
}

static int push_event(struct alert_event **v, size_t *n, size_t *cap, enum alert_event_kind k,
                      json_t *alert)
{
    if (!alert) return -ENOMEM;
    if (*n == *cap) {
        size_t nc = *cap ? *cap * 2 : 8;
        struct alert_event *nv = realloc(*v, nc * sizeof *nv);
        if (!nv) {
            json_decref(alert);
            return -ENOMEM;
        }
        *v = nv;
        *cap = nc;
    }
    (*v)[(*n)++] = (struct alert_event){ k, alert };
    return 0;
}

void alert_events_free(struct alert_event *ev, size_t n)
{
    if (!ev) return;
    for (size_t i = 0; i < n; i++) json_decref(ev[i].alert);
    free(ev);
}

int alerts_end(struct alert_engine *e, ts_time_t now, struct alert_event **ret, size_t *ret_n)
{
    struct alert_event *ev = NULL;
    size_t n = 0, cap = 0;
    int r = 0;
    /* firing alerts tell Alertmanager to expire them after 4 resends when we
       vanish (what Prometheus does) */
    ts_time_t valid_until = now + 4 * e->o.resend_ns;
    for (size_t i = 0; i < e->n && r == 0; i++) {
        struct alert_inst *a = &e->v[i];
        if (!a->annotations) a->annotations = json_object();
        if (a->active) {
            if (a->state == ALERT_INACTIVE) {
                a->state = ALERT_PENDING;
                a->active_since = now;
            }
            if (a->state == ALERT_PENDING && now - a->active_since >= a->for_ns) {
                a->state = ALERT_FIRING;
                a->fired_at = now;
                a->last_sent = now;
                r = push_event(&ev, &n, &cap, ALERT_EV_FIRING,
                               alert_json(a, a->active_since, valid_until));
            } else if (a->state == ALERT_FIRING && now - a->last_sent >= e->o.resend_ns) {
                a->last_sent = now;
                r = push_event(&ev, &n, &cap, ALERT_EV_RESEND,
                               alert_json(a, a->active_since, valid_until));
            }
        } else {
            if (a->state == ALERT_FIRING)
                r = push_event(&ev, &n, &cap, ALERT_EV_RESOLVED,
                               alert_json(a, a->active_since, now));
            a->state = ALERT_INACTIVE;
        }
    }
    /* drop inactive instances */
    size_t w = 0;
    for (size_t i = 0; i < e->n; i++) {
        if (e->v[i].state == ALERT_INACTIVE)
            inst_done(&e->v[i]);
        else
            e->v[w++] = e->v[i];
    }
    e->n = w;
    if (r < 0) {
        alert_events_free(ev, n);
        return r;
    }
    *ret = ev;
    *ret_n = n;
    return 0;
}

void alerts_count(const struct alert_engine *e, size_t *ret_pending, size_t *ret_firing)
{
    size_t p = 0, f = 0;
    for (size_t i = 0; i < e->n; i++) {
        if (e->v[i].state == ALERT_PENDING) p++;
        if (e->v[i].state == ALERT_FIRING) f++;
    }
    if (ret_pending) *ret_pending = p;
    if (ret_firing) *ret_firing = f;
}

json_t *alerts_firing_json(const struct alert_engine *e)
{
    json_t *a = json_array();
    if (!a) return NULL;
    for (size_t i = 0; i < e->n; i++)
        if (e->v[i].state == ALERT_FIRING)
            json_array_append_new(a, alert_json(&e->v[i], e->v[i].active_since, TS_TIME_NONE));
    return a;
}

static int post_json(const struct notify_opts *o, const char *url, json_t *doc, char **ret_err)
{
    struct http_opts h = { .bearer_token_file = o->bearer_token_file,
                           .timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 5000,
                           .max_body = 64 << 10,
                           .cancel = o->cancel };
    _cleanup_free_ char *body = json_dumps(doc, JSON_COMPACT);
    _cleanup_free_ char *resp = NULL;
    if (!body) return -ENOMEM;
    long status = 0;
    int r = http_request(&h, "POST", url, body, "application/json", &status, &resp, ret_err);
    if (r < 0) return r;
    if (status < 200 || status > 299) {
        if (ret_err) {
            resp[strcspn(resp, "\r\n")] = '\0';
            if (strlen(resp) > 200) resp[200] = '\0';
            if (asprintf(ret_err, "'%s': HTTP %ld %s", url, status, resp) < 0) *ret_err = NULL;
        }
        return -EPROTO;
    }
    return 0;
}

int alerts_notify(const struct notify_opts *o, const struct alert_event *ev, size_t n,
                  char **ret_err)
{
    int r = 0;
    if (n == 0) return 0;
    if (o->alertmanager_url) {
        json_t *arr = json_array();
        if (!arr) return -ENOMEM;
        for (size_t i = 0; i < n; i++) json_array_append(arr, ev[i].alert);
        _cleanup_free_ char *url = NULL;
        const char *base = o->alertmanager_url;
        size_t l = strlen(base);
        if (asprintf(&url, "%.*s/api/v2/alerts", (int)(l && base[l - 1] == '/' ? l - 1 : l), base) <
            0) {
            json_decref(arr);
            return -ENOMEM;
        }
        r = post_json(o, url, arr, ret_err);
        json_decref(arr);
    }
    if (o->webhook_url) {
        static const char *const status[] = { "firing", "resolved" };
        for (int s = 0; s < 2; s++) {
            json_t *arr = json_array();
            if (!arr) return -ENOMEM;
            for (size_t i = 0; i < n; i++)
                if ((s == 0 && ev[i].kind == ALERT_EV_FIRING) ||
                    (s == 1 && ev[i].kind == ALERT_EV_RESOLVED))
                    json_array_append(arr, ev[i].alert);
            if (json_array_size(arr) == 0) {
                json_decref(arr);
                continue;
            }
            json_t *doc = json_pack("{s:s,s:s,s:s,s:o}", "version", "1", "source", "tshoot",
                                    "status", status[s], "alerts", arr);
            if (!doc) return -ENOMEM;
            char *err = NULL;
            int q = post_json(o, o->webhook_url, doc, r < 0 ? NULL : &err);
            json_decref(doc);
            if (q < 0 && r == 0) {
                r = q;
                if (ret_err) *ret_err = err;
                err = NULL;
            }
            free(err);
        }
    }
    return r;
}
