/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/metrics/predict: rings, Theil-Sen, least squares,
 * exhaustion prediction on synthetic series with noise and outliers. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "metrics/predict.h"

/* deterministic noise in [-1, 1) */
static uint64_t rng = 88172645463325252ULL;
static double noise(void)
{
    rng ^= rng << 13;
    rng ^= rng >> 7;
    rng ^= rng << 17;
    return (double)(rng % 2000000) / 1000000.0 - 1.0;
}

static void test_ring_wraps(void **state)
{
    (void)state;
    struct point st[4];
    struct ring r;
    ring_init(&r, st, 4);
    assert_null(ring_last(&r));
    for (int i = 0; i < 10; i++) ring_push(&r, i, i * 10);
    assert_int_equal(r.len, 4);
    assert_true(ring_at(&r, 0)->t == 6);
    assert_true(ring_at(&r, 3)->t == 9);
    assert_true(ring_last(&r)->v == 90);
}

static int cmp_d(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

/* Theil-Sen equals the median of all pairwise slopes computed the slow way. */
static void test_theil_sen_matches_bruteforce(void **state)
{
    (void)state;
    static double scratch[128 * 127 / 2], all[128 * 127 / 2];
    for (int round = 0; round < 50; round++) {
        size_t n = 3 + (size_t)(rng % 60);
        struct point p[64];
        for (size_t i = 0; i < n; i++)
            p[i] = (struct point){ (double)i + noise() * 0.4, noise() * 100 };
        size_t m = 0;
        for (size_t i = 0; i < n; i++)
            for (size_t j = i + 1; j < n; j++)
                if (p[j].t != p[i].t) all[m++] = (p[j].v - p[i].v) / (p[j].t - p[i].t);
        qsort(all, m, sizeof *all, cmp_d);
        double want = m % 2 ? all[m / 2] : (all[m / 2 - 1] + all[m / 2]) / 2;
        double got;
        assert_int_equal(theil_sen(p, n, scratch, &got), 0);
        assert_true(fabs(got - want) < 1e-9);
    }
    struct point same[3] = { { 1, 1 }, { 1, 2 }, { 1, 3 } };
    double s;
    assert_int_equal(theil_sen(same, 3, scratch, &s), -ENODATA);
}

/* Outliers: a tmpfs filling at 1000 B/s with 20% wild samples. Theil-Sen
 * stays within 5%; least squares does not. */
static void test_outliers(void **state)
{
    (void)state;
    struct series s;
    series_init(&s);
    for (int i = 0; i < 100; i++) {
        double v = 1e6 - 1000.0 * i * 15 + noise() * 200;
        if (i % 5 == 3) v += (i % 2 ? 4e5 : -3e5); /* spikes */
        series_add(&s, 1000 + i * 15.0, v);
    }
    double slope;
    assert_int_equal(series_slope(&s, WIN_15M, 5, &slope), 0);
    assert_true(fabs(slope + 1000) < 50);
    struct point pts[SERIES_RAW_CAP];
    for (size_t i = 0; i < s.raw.len; i++) pts[i] = *ring_at(&s.raw, i);
    double ols, r2;
    assert_int_equal(ols_fit(pts, s.raw.len, &ols, &r2), 0);
    /* the 15m window of Theil-Sen is robust; OLS on the same points is
       pulled around by the spikes and its fit is poor */
    assert_true(r2 < 0.9);
}

/* The founding incident's shape: 18 files/min of ~1.5 KiB into a 64 MiB
 * tmpfs at a 15 s interval, with jitter: time to full predicted within 10%. */
static void test_predict_full_incident(void **state)
{
    (void)state;
    struct series s;
    series_init(&s);
    double size = 64.0 * 1024 * 1024, rate = 18.0 / 60 * 1536; /* B/s */
    double avail = size * 0.6;
    double t = 1.7e9;
    for (int i = 0; i < 500; i++) {
        t += 15 + noise();
        avail -= rate * 15 + noise() * 3000;
        series_add(&s, t, avail);
    }
    double slope;
    double tte = series_predict_full(&s, &slope);
    double truth = avail / rate;
    assert_true(isfinite(tte));
    assert_true(fabs(tte - truth) / truth < 0.10);
    assert_true(fabs(-slope - rate) / rate < 0.10);
}

static void test_predict_none(void **state)
{
    (void)state;
    struct series s;
    series_init(&s);
    double slope;
    assert_true(isinf(series_predict_full(&s, &slope)));
    for (int i = 0; i < 4; i++) series_add(&s, i, 100 - i);
    /* 4 points: not enough to predict */
    assert_true(isinf(series_predict_full(&s, &slope)));
    series_init(&s);
    for (int i = 0; i < 50; i++) series_add(&s, i, 1000);
    assert_true(isinf(series_predict_full(&s, &slope)));
    assert_true(slope == 0);
    series_init(&s);
    for (int i = 0; i < 50; i++) series_add(&s, i, 1000 + i); /* space being freed */
    assert_true(isinf(series_predict_full(&s, &slope)));
    assert_true(time_to_exhaustion(0, -1) == 0);
    assert_true(time_to_exhaustion(100, -2) == 50);
    /* clock steps backwards are ignored */
    series_init(&s);
    series_add(&s, 10, 1);
    series_add(&s, 5, 2);
    assert_int_equal(series_len(&s), 1);
    series_add(&s, 11, NAN);
    assert_int_equal(series_len(&s), 1);
}

/* Longer windows use their own buckets: 6 h of 15 s samples keep 72 points. */
static void test_windows(void **state)
{
    (void)state;
    struct series s;
    series_init(&s);
    for (int i = 0; i < 6 * 240; i++) series_add(&s, 1e9 + i * 15.0, 1e9 - i * 15.0 * 10);
    assert_int_equal(s.raw.len, SERIES_RAW_CAP);
    assert_int_equal(s.mid.len, SERIES_MID_CAP);
    assert_int_equal(s.lng.len, SERIES_LONG_CAP);
    for (int w = 0; w < _WIN_MAX; w++) {
        double slope;
        assert_int_equal(series_slope(&s, w, 5, &slope), 0);
        assert_true(fabs(slope + 10) < 1e-6);
    }
    /* copying a series keeps it working after series_fixup */
    struct series *c = malloc(sizeof *c);
    assert_non_null(c);
    *c = s;
    series_fixup(c);
    double slope;
    assert_int_equal(series_slope(c, WIN_1H, 5, &slope), 0);
    assert_true(fabs(slope + 10) < 1e-6);
    free(c);
}

static void test_leak(void **state)
{
    (void)state;
    struct series s;
    struct leak_verdict v;
    series_init(&s);
    /* steady growth 50 MB -> 80 MB with noise: a leak */
    for (int i = 0; i < 120; i++) series_add(&s, i * 15.0, 50e6 + i * 250e3 + noise() * 1e5);
    assert_int_equal(series_leak(&s, 0.9, 0.10, &v), 0);
    assert_true(v.suspected);
    assert_true(fabs(v.slope - 250e3 / 15) / (250e3 / 15) < 0.05);
    assert_true(v.r2 > 0.95);
    /* a GC sawtooth around a flat mean: no leak */
    series_init(&s);
    for (int i = 0; i < 120; i++) series_add(&s, i * 15.0, 50e6 + (i % 10) * 2e6);
    assert_int_equal(series_leak(&s, 0.9, 0.10, &v), 0);
    assert_false(v.suspected);
    /* pure noise: no leak */
    series_init(&s);
    for (int i = 0; i < 120; i++) series_add(&s, i * 15.0, 50e6 + noise() * 5e6);
    assert_int_equal(series_leak(&s, 0.9, 0.10, &v), 0);
    assert_false(v.suspected);
    /* steady but tiny growth (+1%) is not flagged */
    series_init(&s);
    for (int i = 0; i < 120; i++) series_add(&s, i * 15.0, 50e6 + i * 4e3);
    assert_int_equal(series_leak(&s, 0.9, 0.10, &v), 0);
    assert_false(v.suspected);
    series_init(&s);
    assert_int_equal(series_leak(&s, 0.9, 0.1, &v), -ENODATA);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_wraps),   cmocka_unit_test(test_theil_sen_matches_bruteforce),
        cmocka_unit_test(test_outliers),     cmocka_unit_test(test_predict_full_incident),
        cmocka_unit_test(test_predict_none), cmocka_unit_test(test_windows),
        cmocka_unit_test(test_leak),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
