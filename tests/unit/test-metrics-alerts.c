/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/metrics/alerts: the alert state machine (for,
 * de-duplication, resend, resolve), notification failures, the rules file. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <string.h>
#include <stdlib.h>

#include "metrics/alerts.h"
#include "metrics/http.h"

#define S TS_NSEC_PER_SEC

static json_t *labels(const char *mp)
{
    return json_pack("{s:s,s:s}", "alertname", "TshootFilesystemNearlyFull", "mountpoint", mp);
}

/* one round: observe `active` for mountpoint mp (if non-NULL), return events */
static size_t round_(struct alert_engine *e, const char *mp, bool active, ts_time_t now,
                     struct alert_event **ev)
{
    size_t n;
    alerts_begin(e);
    if (mp) {
        json_t *l = labels(mp), *a = json_pack("{s:s}", "summary", "full");
        assert_int_equal(alerts_observe(e, l, a, active, -1, now), 0);
        json_decref(l);
        json_decref(a);
    }
    assert_int_equal(alerts_end(e, now, ev, &n), 0);
    return n;
}

static void test_for_and_dedup(void **state)
{
    (void)state;
    struct alert_engine *e;
    struct alert_engine_opts o = { .for_ns = 60 * S, .resend_ns = 120 * S };
    assert_int_equal(alert_engine_new(&o, &e), 0);
    struct alert_event *ev;
    ts_time_t t = 1000 * S;
    /* pending for 45 s: nothing */
    for (int i = 0; i < 4; i++) {
        assert_int_equal(round_(e, "/dev/shm", true, t + i * 15 * S, &ev), 0);
        alert_events_free(ev, 0);
    }
    size_t pend, fire;
    alerts_count(e, &pend, &fire);
    assert_int_equal(pend, 1);
    assert_int_equal(fire, 0);
    /* 60 s: fires once */
    assert_int_equal(round_(e, "/dev/shm", true, t + 60 * S, &ev), 1);
    assert_int_equal(ev[0].kind, ALERT_EV_FIRING);
    json_t *l = json_object_get(ev[0].alert, "labels");
    assert_string_equal(json_string_value(json_object_get(l, "mountpoint")), "/dev/shm");
    assert_non_null(json_object_get(ev[0].alert, "startsAt"));
    alert_events_free(ev, 1);
    /* still true: de-duplicated until the resend interval */
    assert_int_equal(round_(e, "/dev/shm", true, t + 75 * S, &ev), 0);
    alert_events_free(ev, 0);
    assert_int_equal(round_(e, "/dev/shm", true, t + 180 * S, &ev), 1);
    assert_int_equal(ev[0].kind, ALERT_EV_RESEND);
    alert_events_free(ev, 1);
    /* condition gone: resolved once, with endsAt */
    assert_int_equal(round_(e, "/dev/shm", false, t + 195 * S, &ev), 1);
    assert_int_equal(ev[0].kind, ALERT_EV_RESOLVED);
    assert_non_null(json_object_get(ev[0].alert, "endsAt"));
    alert_events_free(ev, 1);
    assert_int_equal(round_(e, "/dev/shm", false, t + 210 * S, &ev), 0);
    alert_events_free(ev, 0);
    /* a flapping condition shorter than `for` never fires */
    for (int i = 0; i < 10; i++) {
        assert_int_equal(round_(e, "/dev/shm", i % 2 == 0, t + (300 + i * 30) * S, &ev), 0);
        alert_events_free(ev, 0);
    }
    alert_engine_free(e);
}

static void test_for_zero_and_vanish(void **state)
{
    (void)state;
    struct alert_engine *e;
    struct alert_engine_opts o = { .for_ns = 0 };
    assert_int_equal(alert_engine_new(&o, &e), 0);
    struct alert_event *ev;
    assert_int_equal(round_(e, "/a", true, 10 * S, &ev), 1);
    assert_int_equal(ev[0].kind, ALERT_EV_FIRING);
    alert_events_free(ev, 1);
    /* two label sets are two alerts */
    alerts_begin(e);
    json_t *la = labels("/a"), *lb = labels("/b");
    assert_int_equal(alerts_observe(e, la, NULL, true, -1, 20 * S), 0);
    assert_int_equal(alerts_observe(e, lb, NULL, true, -1, 20 * S), 0);
    size_t n;
    assert_int_equal(alerts_end(e, 20 * S, &ev, &n), 0);
    assert_int_equal(n, 1); /* only /b is new */
    alert_events_free(ev, n);
    json_t *firing = alerts_firing_json(e);
    assert_int_equal(json_array_size(firing), 2);
    json_decref(firing);
    /* the subject disappears (not observed): both resolve */
    assert_int_equal(round_(e, NULL, false, 30 * S, &ev), 2);
    assert_int_equal(ev[0].kind, ALERT_EV_RESOLVED);
    assert_int_equal(ev[1].kind, ALERT_EV_RESOLVED);
    alert_events_free(ev, 2);
    /* no alertname: refused */
    json_t *bad = json_pack("{s:s}", "mountpoint", "/x");
    assert_int_equal(alerts_observe(e, bad, NULL, true, -1, 40 * S), -EINVAL);
    json_decref(bad);
    json_decref(la);
    json_decref(lb);
    alert_engine_free(e);
}

/* Delivery to a port where nobody listens fails fast with an error, never
 * hangs. */
static void test_notify_refused(void **state)
{
    (void)state;
    struct alert_engine *e;
    struct alert_engine_opts o = { .for_ns = 0 };
    assert_int_equal(alert_engine_new(&o, &e), 0);
    struct alert_event *ev;
    size_t n = round_(e, "/a", true, 10 * S, &ev);
    assert_int_equal(n, 1);
    struct notify_opts no = { .alertmanager_url = "http://127.0.0.1:1", .timeout_ms = 2000 };
    char *err = NULL;
    int r = alerts_notify(&no, ev, n, &err);
    assert_int_equal(r, -ECONNREFUSED);
    assert_non_null(err);
    assert_non_null(strstr(err, "127.0.0.1:1"));
    free(err);
    err = NULL;
    struct notify_opts bad = { .webhook_url = "ftp://example/", .timeout_ms = 100 };
    assert_int_equal(alerts_notify(&bad, ev, n, &err), -EINVAL);
    free(err);
    alert_events_free(ev, n);
    alert_engine_free(e);
}

static void test_rules_yaml(void **state)
{
    (void)state;
    char *y = NULL;
    struct alert_opts o = { .threshold_pct = 85, .horizon_s = 7200, .for_short = "1m" };
    assert_int_equal(alert_rules_yaml(&o, &y), 0);
    static const char *const want[] = {
        "TshootFilesystemNearlyFull",
        "TshootFilesystemPredictedFull",
        "TshootContainerTmpfsNearlyFull",
        "TshootContainerTmpfsPredictedFull",
        "TshootFilesystemInodesNearlyFull",
        "NodeFilesystemPredictedFull",
        "NodeOOMKills",
        "NodeFileDescriptorsNearLimit",
        "ManyMonitorsDownTogether",
        "predict_linear(",
        "monitor_status == 0",
        "> 85",
        "< 7200",
        "for: 1m",
        "for: 15m",
    };
    for (size_t i = 0; i < sizeof want / sizeof *want; i++)
        if (!strstr(y, want[i])) fail_msg("rules lack '%s'", want[i]);
    assert_null(strstr(y, "{THRESHOLD}"));
    assert_null(strstr(y, "{HORIZON"));
    assert_null(strstr(y, "{KUMA_MIN}"));
    free(y);
    struct alert_opts badfor = { .for_short = "soon" };
    assert_int_equal(alert_rules_yaml(&badfor, &y), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_for_and_dedup),
        cmocka_unit_test(test_for_zero_and_vanish),
        cmocka_unit_test(test_notify_refused),
        cmocka_unit_test(test_rules_yaml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
