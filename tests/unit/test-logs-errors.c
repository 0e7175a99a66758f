/* SPDX-License-Identifier: MIT */
/* Unit tests for logs_errors_run(): spike and new-template detection on generated
 * logs, and count conservation when the miner has to evict templates. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "logs/errors.h"
#include "logs/logs.h"
#include "rca/kb.h"
#include "rca/logsig.h"
#include "rca/signatures.h"

static char path[64];

static FILE *open_tmp(void)
{
    snprintf(path, sizeof(path), "/tmp/tshoot-errors.XXXXXX");
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    FILE *f = fdopen(fd, "w");
    assert_non_null(f);
    return f;
}

static json_t *run(ts_time_t since)
{
    const char *paths[] = { path };
    struct logs_query q;
    logs_query_init(&q);
    q.paths = paths;
    q.n_paths = 1;
    q.since = since;
    q.max_items = 100000;
    json_t *doc = NULL;
    assert_int_equal(logs_errors_run(&q, &doc), 0);
    assert_non_null(doc);
    return doc;
}

static json_t *find_template(json_t *doc, const char *needle)
{
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(doc, "templates"), i, t)
    {
        const char *s = json_string_value(json_object_get(t, "template"));
        if (s && strstr(s, needle)) return t;
    }
    return NULL;
}

static void test_spike_and_new(void **state)
{
    (void)state;
    FILE *f = open_tmp();
    /* 3 hours: a steady 2 timeouts/min, a burst of 40/min at 02:00-02:04 and
     * a new error from 02:30 on */
    int lineno = 0, first_enospc = 0;
    for (int m = 0; m < 180; m++) {
        int h = m / 60, mi = m % 60;
        int n = (m >= 120 && m < 125) ? 40 : 2;
        for (int k = 0; k < n; k++)
            fprintf(f, "2026-04-18T%02d:%02d:%02dZ WARN request %d timed out after %dms\n", h, mi,
                    k % 60, m * 100 + k, 500 + k),
                lineno++;
        if (m >= 150) {
            fprintf(f,
                    "2026-04-18T%02d:%02d:30Z ERROR write /data/x%d.db: no space left on device\n",
                    h, mi, m);
            if (!first_enospc) first_enospc = lineno + 1;
            lineno++;
        }
        fprintf(f, "2026-04-18T%02d:%02d:31Z INFO heartbeat ok\n", h, mi), lineno++;
    }
    fclose(f);
    json_t *doc = run(TS_TIME_NONE);
    json_t *tot = json_object_get(doc, "totals");
    assert_int_equal(json_integer_value(json_object_get(tot, "lines")),
                     180 + 175 * 2 + 5 * 40 + 30);
    assert_int_equal(json_integer_value(json_object_get(tot, "errors")), 30);
    assert_int_equal(json_integer_value(json_object_get(tot, "warnings")), 175 * 2 + 5 * 40);

    json_t *to = find_template(doc, "timed out");
    assert_non_null(to);
    assert_int_equal(json_integer_value(json_object_get(to, "count")), 175 * 2 + 5 * 40);
    assert_false(json_is_true(json_object_get(to, "new")));
    json_t *sp = json_object_get(to, "spikes");
    assert_int_equal(json_array_size(sp), 1);
    json_t *s0 = json_array_get(sp, 0);
    assert_string_equal(json_string_value(json_object_get(s0, "start")), "2026-04-18T02:00:00Z");
    assert_string_equal(json_string_value(json_object_get(s0, "end")), "2026-04-18T02:04:59Z");
    assert_int_equal(json_integer_value(json_object_get(s0, "peak")), 40);
    assert_true(json_real_value(json_object_get(s0, "baseline_median")) == 2.0);

    json_t *ns = find_template(doc, "no space left");
    assert_non_null(ns);
    assert_true(json_is_true(json_object_get(ns, "new")));
    assert_int_equal(json_array_size(json_object_get(ns, "spikes")), 0); /* 1/min is no spike */
    assert_string_equal(json_string_value(json_object_get(json_object_get(ns, "first"), "time")),
                        "2026-04-18T02:30:30.000Z");
    assert_int_equal(json_integer_value(json_object_get(json_object_get(ns, "first"), "line")),
                     first_enospc);
    assert_null(find_template(doc, "heartbeat"));
    json_decref(doc);

    /* with --since 02:45 the ENOSPC template is no longer new (seen before),
     * and the 02:00 burst is outside the window: no spike */
    struct tm tm = { .tm_year = 126, .tm_mon = 3, .tm_mday = 18, .tm_hour = 2, .tm_min = 45 };
    doc = run((ts_time_t)timegm(&tm) * TS_NSEC_PER_SEC);
    ns = find_template(doc, "no space left");
    assert_false(json_is_true(json_object_get(ns, "new")));
    to = find_template(doc, "timed out");
    assert_int_equal(json_array_size(json_object_get(to, "spikes")), 0);
    json_decref(doc);
    unlink(path);
}

static void test_eviction_conserves_counts(void **state)
{
    (void)state;
    FILE *f = open_tmp();
    /* 14000 templates whose first word differs (never generalised) force the
     * miner past its 10000-template table */
    int lines = 0;
    for (int i = 0; i < 14000; i++) {
        char w[8];
        int x = i;
        for (int k = 0; k < 5; k++, x /= 26) w[k] = (char)('a' + x % 26);
        w[5] = 0;
        fprintf(f, "ERROR %s failed hard\n", w);
        lines++;
        if (i % 7 == 0) {
            fprintf(f, "ERROR %s failed hard\n", w);
            lines++;
        }
    }
    fclose(f);
    const char *paths[] = { path };
    struct logs_query q;
    logs_query_init(&q);
    q.paths = paths;
    q.n_paths = 1;
    q.max_items = 100000;
    json_t *doc = NULL;
    assert_int_equal(logs_errors_run(&q, &doc), 0);
    json_t *tot = json_object_get(doc, "totals");
    assert_int_equal(json_integer_value(json_object_get(tot, "errors")), lines);
    json_int_t sum = 0;
    size_t i;
    json_t *t;
    json_array_foreach(json_object_get(doc, "templates"), i, t) sum +=
        json_integer_value(json_object_get(t, "count"));
    /* every error line is in exactly one template or counted as dropped */
    assert_int_equal(sum + json_integer_value(json_object_get(tot, "dropped")), lines);
    assert_true(json_integer_value(json_object_get(tot, "templates")) <= LOGS_MAX_TEMPLATES);
    json_decref(doc);
    unlink(path);
}

static void test_sources_judged_separately(void **state)
{
    (void)state;
    /* two services logging on different days: each one's steady error is not
     * "new" just because the other file starts earlier */
    char a[64] = "/tmp/tshoot-errors-a.XXXXXX", b[64] = "/tmp/tshoot-errors-b.XXXXXX";
    int fa = mkstemp(a), fb = mkstemp(b);
    assert_true(fa >= 0 && fb >= 0);
    FILE *f = fdopen(fa, "w"), *g = fdopen(fb, "w");
    for (int m = 0; m < 120; m++) {
        fprintf(f, "2026-04-17T%02d:%02d:00Z ERROR cache miss storm on shard %d\n", m / 60, m % 60,
                m);
        fprintf(g, "2026-04-18T%02d:%02d:00Z ERROR token refresh failed for client %d\n", m / 60,
                m % 60, m);
        if (m >= 90)
            fprintf(g, "2026-04-18T%02d:%02d:30Z ERROR database connection refused\n", m / 60,
                    m % 60);
    }
    fclose(f);
    fclose(g);
    const char *paths[] = { a, b };
    struct logs_query q;
    logs_query_init(&q);
    q.paths = paths;
    q.n_paths = 2;
    q.max_items = 1000;
    json_t *doc = NULL;
    assert_int_equal(logs_errors_run(&q, &doc), 0);
    json_t *t1 = find_template(doc, "token refresh"), *t2 = find_template(doc, "cache miss"),
           *t3 = find_template(doc, "connection refused");
    assert_non_null(t1);
    assert_non_null(t2);
    assert_non_null(t3);
    assert_false(json_is_true(json_object_get(t1, "new")));
    assert_false(json_is_true(json_object_get(t2, "new")));
    assert_true(json_is_true(json_object_get(t3, "new"))); /* 90 minutes into its source */
    assert_non_null(strstr(json_string_value(json_object_get(t3, "new_text")),
                           "data from 2026-04-18T00:00:00Z"));
    json_decref(doc);
    unlink(a);
    unlink(b);
}

static json_t *find_sig(json_t *doc, const char *rule, const char *signal)
{
    size_t i;
    json_t *s;
    json_array_foreach(json_object_get(doc, "signatures"), i, s)
    {
        if (streq(json_string_value(json_object_get(s, "rule")), rule) &&
            streq(json_string_value(json_object_get(s, "signal")), signal))
            return s;
    }
    return NULL;
}

static void test_kb_signatures(void **state)
{
    (void)state;
    /* the founding incident in two files read by two threads: ENOSPC logged at
     * INFO in one (not a warning: no template) and at ERROR in the other,
     * which starts earlier; lines before --since are baseline, not counted */
    char a[64] = "/tmp/tshoot-errors-a.XXXXXX", b[64] = "/tmp/tshoot-errors-b.XXXXXX";
    int fa = mkstemp(a), fb = mkstemp(b);
    assert_true(fa >= 0 && fb >= 0);
    FILE *f = fdopen(fa, "w"), *g = fdopen(fb, "w");
    for (int m = 0; m < 30; m++) {
        fprintf(f, "2026-04-18T10:%02d:00Z INFO request served in %d ms\n", m, m + 3);
        if (m >= 10)
            fprintf(f,
                    "2026-04-18T10:%02d:10Z INFO session save: write /dev/shm/s%d: no space left "
                    "on device\n",
                    m, m);
        if (m >= 5)
            fprintf(g, "2026-04-18T10:%02d:20Z ERROR open /dev/shm/x%d: no space left on device\n",
                    m, m);
    }
    fclose(f);
    fclose(g);
    _cleanup_(kb_freep) struct kb *kb = NULL;
    _cleanup_(sigdb_freep) struct sigdb *db = NULL;
    _cleanup_(rca_logsigs_freep) struct rca_logsigs *ls = NULL;
    _cleanup_free_ char *err = NULL;
    assert_int_equal(kb_load_builtin(NULL, 0, &kb), 0);
    assert_int_equal(sigdb_build(kb, &db, &err), 0);
    assert_int_equal(rca_logsigs_new(kb, db, &ls), 0);
    const char *paths[] = { a, b };
    struct logs_query q;
    logs_query_init(&q);
    q.paths = paths;
    q.n_paths = 2;
    q.threads = 2;
    q.sigs = rca_logsigs_get(ls);
    json_t *doc = NULL;
    assert_int_equal(logs_errors_run(&q, &doc), 0);
    json_t *s = find_sig(doc, "disk_full", "enospc");
    assert_non_null(s);
    assert_int_equal(json_integer_value(json_object_get(s, "count")), 20 + 25);
    assert_string_equal(json_string_value(json_object_get(s, "category")), "disk_full");
    assert_string_equal(json_string_value(json_object_get(s, "first")), "2026-04-18T10:05:20.000Z");
    assert_string_equal(json_string_value(json_object_get(s, "last")), "2026-04-18T10:29:20.000Z");
    char ref[80];
    snprintf(ref, sizeof(ref), "%s:1", b);
    assert_string_equal(json_string_value(json_object_get(s, "first_ref")), ref);
    assert_non_null(strstr(json_string_value(json_object_get(s, "example")), "ERROR open"));
    /* the ERROR template carries the rule; the INFO lines make no template */
    json_t *t = find_template(doc, "no space left");
    assert_non_null(t);
    assert_int_equal(json_integer_value(json_object_get(t, "count")), 25);
    int has = 0;
    size_t i;
    json_t *v;
    json_array_foreach(json_object_get(t, "rules"), i, v) has |=
        streq(json_string_value(v), "disk_full");
    assert_true(has);
    assert_null(find_sig(doc, "oom_killed", "killed for memory")); /* nothing invented */
    json_decref(doc);

    /* a window: lines before --since are not counted */
    q.since = (ts_days_from_civil(2026, 4, 18) * 86400 + 10 * 3600 + 20 * 60) * TS_NSEC_PER_SEC;
    assert_int_equal(logs_errors_run(&q, &doc), 0);
    s = find_sig(doc, "disk_full", "enospc");
    assert_non_null(s);
    assert_int_equal(json_integer_value(json_object_get(s, "count")), 10 + 10);
    assert_string_equal(json_string_value(json_object_get(s, "first")), "2026-04-18T10:20:10.000Z");
    json_decref(doc);

    /* without a matcher: an empty list, the templates still there */
    q.sigs = NULL;
    q.since = TS_TIME_NONE;
    assert_int_equal(logs_errors_run(&q, &doc), 0);
    assert_int_equal(json_array_size(json_object_get(doc, "signatures")), 0);
    assert_non_null(find_template(doc, "no space left"));
    json_decref(doc);
    unlink(a);
    unlink(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_spike_and_new),
        cmocka_unit_test(test_eviction_conserves_counts),
        cmocka_unit_test(test_sources_judged_separately),
        cmocka_unit_test(test_kb_signatures),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
