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
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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
    uint32_t ts[4];
    double vs[4];
    struct ring r;
    ring_init(&r, ts, vs, 4);
    assert_int_equal(r.len, 0);
    for (int i = 0; i < 10; i++) ring_push(&r, (uint32_t)i, i * 10);
    assert_int_equal(r.len, 4);
    assert_true(r.t[ring_index(&r, 0)] == 6);
    assert_true(r.t[ring_index(&r, 3)] == 9);
    assert_true(r.v[ring_last_index(&r)] == 90);
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
    assert_int_equal(series_init(&s, 15), 0);
    for (int i = 0; i < 100; i++) {
        double v = 1e6 - 1000.0 * i * 15 + noise() * 200;
        if (i % 5 == 3) v += (i % 2 ? 4e5 : -3e5); /* spikes */
        series_add(&s, 1000 + i * 15.0, v);
    }
    double slope;
    assert_int_equal(series_slope(&s, WIN_15M, 5, &slope), 0);
    assert_true(fabs(slope + 1000) < 50);
    struct point pts[SERIES_RAW_CAP];
    for (size_t i = 0; i < s.raw.len; i++) pts[i] = series_point(&s, &s.raw, i);
    double ols, r2;
    assert_int_equal(ols_fit(pts, s.raw.len, &ols, &r2), 0);
    /* the 15m window of Theil-Sen is robust; OLS on the same points is
       pulled around by the spikes and its fit is poor */
    assert_true(r2 < 0.9);
    series_free(&s);
}

/* The founding incident's shape: 18 files/min of ~1.5 KiB into a 64 MiB
 * tmpfs at a 15 s interval, with jitter: time to full predicted within 10%. */
static void test_predict_full_incident(void **state)
{
    (void)state;
    struct series s;
    assert_int_equal(series_init(&s, 15), 0);
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
    series_free(&s);
}

static void test_predict_none(void **state)
{
    (void)state;
    struct series s;
    assert_int_equal(series_init(&s, 15), 0);
    double slope;
    assert_true(isinf(series_predict_full(&s, &slope)));
    for (int i = 0; i < 4; i++) series_add(&s, i, 100 - i);
    /* 4 points: not enough to predict */
    assert_true(isinf(series_predict_full(&s, &slope)));
    series_free(&s);
    assert_int_equal(series_init(&s, 15), 0);
    for (int i = 0; i < 50; i++) series_add(&s, i, 1000);
    assert_true(isinf(series_predict_full(&s, &slope)));
    assert_true(slope == 0);
    series_free(&s);
    assert_int_equal(series_init(&s, 15), 0);
    for (int i = 0; i < 50; i++) series_add(&s, i, 1000 + i); /* space being freed */
    assert_true(isinf(series_predict_full(&s, &slope)));
    assert_true(time_to_exhaustion(0, -1) == 0);
    assert_true(time_to_exhaustion(100, -2) == 50);
    /* clock steps backwards are ignored */
    series_free(&s);
    assert_int_equal(series_init(&s, 15), 0);
    series_add(&s, 10, 1);
    series_add(&s, 5, 2);
    assert_int_equal(series_len(&s), 1);
    series_add(&s, 11, NAN);
    assert_int_equal(series_len(&s), 1);
    series_add(&s, 10.0004, 3); /* the same millisecond */
    assert_int_equal(series_len(&s), 1);
    series_free(&s);
    /* an empty (failed) series ignores samples and has no data */
    series_add(&s, 12, 1);
    assert_int_equal(series_len(&s), 0);
    assert_true(isnan(series_last(&s)));
    assert_true(isinf(series_predict_full(&s, &slope)));
}

/* Longer windows use their own buckets: 6 h of 15 s samples keep 72 points. */
static void test_windows(void **state)
{
    (void)state;
    struct series s;
    assert_int_equal(series_init(&s, 15), 0);
    for (int i = 0; i < 6 * 240; i++) series_add(&s, 1e9 + i * 15.0, 1e9 - i * 15.0 * 10);
    assert_int_equal(s.raw.len, series_raw_cap(15));
    assert_int_equal(s.mid.len, SERIES_MID_CAP);
    assert_int_equal(s.lng.len, SERIES_LONG_CAP);
    for (int w = 0; w < _WIN_MAX; w++) {
        double slope;
        assert_int_equal(series_slope(&s, w, 5, &slope), 0);
        assert_true(fabs(slope + 10) < 1e-6);
    }
    /* moving a series by value keeps it working (the storage is separate) */
    struct series *c = malloc(sizeof *c);
    assert_non_null(c);
    *c = s;
    s = (struct series){ 0 };
    double slope;
    assert_int_equal(series_slope(c, WIN_1H, 5, &slope), 0);
    assert_true(fabs(slope + 10) < 1e-6);
    series_free(c);
    free(c);
}

static void test_leak(void **state)
{
    (void)state;
    struct series s;
    struct leak_verdict v;
    assert_int_equal(series_init(&s, 15), 0);
    /* steady growth 50 MB -> 80 MB with noise: a leak */
    for (int i = 0; i < 120; i++) series_add(&s, i * 15.0, 50e6 + i * 250e3 + noise() * 1e5);
    assert_int_equal(series_leak(&s, 0.9, 0.10, &v), 0);
    assert_true(v.suspected);
    assert_true(fabs(v.slope - 250e3 / 15) / (250e3 / 15) < 0.05);
    assert_true(v.r2 > 0.95);
    /* a GC sawtooth around a flat mean: no leak */
    series_free(&s);
    assert_int_equal(series_init(&s, 15), 0);
    for (int i = 0; i < 120; i++) series_add(&s, i * 15.0, 50e6 + (i % 10) * 2e6);
    assert_int_equal(series_leak(&s, 0.9, 0.10, &v), 0);
    assert_false(v.suspected);
    /* pure noise: no leak */
    series_free(&s);
    assert_int_equal(series_init(&s, 15), 0);
    for (int i = 0; i < 120; i++) series_add(&s, i * 15.0, 50e6 + noise() * 5e6);
    assert_int_equal(series_leak(&s, 0.9, 0.10, &v), 0);
    assert_false(v.suspected);
    /* steady but tiny growth (+1%) is not flagged */
    series_free(&s);
    assert_int_equal(series_init(&s, 15), 0);
    for (int i = 0; i < 120; i++) series_add(&s, i * 15.0, 50e6 + i * 4e3);
    assert_int_equal(series_leak(&s, 0.9, 0.10, &v), 0);
    assert_false(v.suspected);
    series_free(&s);
    assert_int_equal(series_init(&s, 15), 0);
    assert_int_equal(series_leak(&s, 0.9, 0.1, &v), -ENODATA);
    series_free(&s);
}

/* ---- the compact format against the previous double implementation ---- */

/* The previous implementation, kept as the reference: rings of {double t,
 * double v} of fixed capacities 128/60/72, absolute times. */
struct ref_ring {
    struct point p[128];
    size_t cap, len, head;
};
struct ref_series {
    struct ref_ring raw, mid, lng;
};

static void ref_init(struct ref_series *s)
{
    memset(s, 0, sizeof *s);
    s->raw.cap = 128;
    s->mid.cap = 60;
    s->lng.cap = 72;
}

static const struct point *ref_at(const struct ref_ring *r, size_t i)
{
    return &r->p[(r->head + r->cap - r->len + i) % r->cap];
}

static void ref_push(struct ref_ring *r, double t, double v)
{
    r->p[r->head] = (struct point){ t, v };
    r->head = (r->head + 1) % r->cap;
    if (r->len < r->cap) r->len++;
}

static void ref_bucket(struct ref_ring *r, double b, double t, double v)
{
    if (r->len) {
        struct point *l = (struct point *)ref_at(r, r->len - 1);
        if (floor(l->t / b) == floor(t / b)) {
            *l = (struct point){ t, v };
            return;
        }
    }
    ref_push(r, t, v);
}

static void ref_add(struct ref_series *s, double t, double v)
{
    if (s->raw.len && t <= ref_at(&s->raw, s->raw.len - 1)->t) return;
    ref_push(&s->raw, t, v);
    ref_bucket(&s->mid, 60, t, v);
    ref_bucket(&s->lng, 300, t, v);
}

static int ref_slope(const struct ref_series *s, int win, size_t min_points, double *ret)
{
    static double scratch[128 * 127 / 2];
    const struct ref_ring *r = win == WIN_15M ? &s->raw : win == WIN_1H ? &s->mid : &s->lng;
    struct point pts[128];
    size_t n = 0;
    if (!r->len) return -ENODATA;
    double from = ref_at(r, r->len - 1)->t - win_seconds[win];
    for (size_t i = 0; i < r->len; i++)
        if (ref_at(r, i)->t >= from) pts[n++] = *ref_at(r, i);
    if (n < min_points) return -ENODATA;
    bool constant = true;
    for (size_t i = 1; i < n; i++) constant = constant && pts[i].v == pts[0].v;
    if (constant) {
        *ret = 0;
        return 0;
    }
    return theil_sen(pts, n, scratch, ret);
}

static bool close_rel(double a, double b, double rel)
{
    if (a == b) return true;
    return fabs(a - b) <= rel * fmax(fabs(a), fabs(b));
}

/* Compare every window of s against the reference. */
static void assert_same_slopes(const struct series *s, const struct ref_series *ref, double rel)
{
    static const size_t min_pts[_WIN_MAX] = { 5, 5, 6 };
    for (int w = 0; w < _WIN_MAX; w++) {
        double a = NAN, b = NAN;
        int ra = series_slope(s, w, min_pts[w], &a), rb = ref_slope(ref, w, min_pts[w], &b);
        assert_int_equal(ra, rb);
        if (ra == 0 && !close_rel(a, b, rel)) fail_msg("window %d: %.17g vs %.17g", w, a, b);
    }
}

/* A realistic filesystem: 15 s interval with millisecond jitter of the
 * sample times (watch measures at 1 ms resolution), byte counts that shrink
 * by whole files with deletions now and then, over 7 hours: every window's
 * Theil-Sen slope equals the double version's within 1e-9 relative, with
 * the raw ring sized from the interval (62 points instead of 128).
 * The reference gets the same instants as seconds since an epoch near them:
 * given absolute unix times (1.8e9 s, a double's step there is 2.4e-7 s) the
 * double version itself is only within ~2e-8 of the exact slope, which the
 * compact version computes from exact millisecond differences. */
static void test_slope_matches_double_version(void **state)
{
    (void)state;
    struct series s;
    struct ref_series *ref = malloc(sizeof *ref);
    assert_non_null(ref);
    ref_init(ref);
    assert_int_equal(series_init(&s, 15), 0);
    assert_int_equal(s.raw.cap, 62);
    const int64_t epoch_ms = 1796601600000LL; /* a multiple of 5 min */
    int64_t t_ms = epoch_ms + 123;            /* 2026-12-07, not on a second */
    struct ref_series *abs_ref = malloc(sizeof *abs_ref);
    assert_non_null(abs_ref);
    ref_init(abs_ref);
    double avail = 40e9;
    int compared = 0;
    for (int i = 0; i < 7 * 240; i++) {
        t_ms += 15000 + (int64_t)(noise() * 400); /* +-400 ms of jitter */
        avail -= 1536.0 * (double)(rng % 12);     /* whole files */
        if (i % 97 == 50) avail += 3e6;           /* a cleanup */
        double t = (double)t_ms / 1000;
        series_add(&s, t, avail);
        ref_add(ref, (double)(t_ms - epoch_ms) / 1000, avail);
        ref_add(abs_ref, t, avail);
        if (i % 7 == 0) {
            assert_same_slopes(&s, ref, 1e-9);
            assert_same_slopes(&s, abs_ref, 1e-7);
            compared++;
        }
    }
    assert_true(compared > 200);
    double a, b;
    assert_int_equal(series_slope(&s, WIN_6H, 6, &a), 0);
    assert_int_equal(ref_slope(ref, WIN_6H, 6, &b), 0);
    assert_true(close_rel(a, b, 1e-9));
    assert_true(series_last(&s) == avail);
    /* times finer than 1 ms are rounded: the slope moves by at most about
       0.5 ms / interval, far below the sampling jitter itself */
    struct series f;
    ref_init(ref);
    assert_int_equal(series_init(&f, 15), 0);
    double t = 1796601600.0;
    for (int i = 0; i < 300; i++) {
        t += 15 + noise() * 0.3; /* ns resolution */
        double v = 1e9 - 4096.0 * i - (double)(rng % 5) * 4096;
        series_add(&f, t, v);
        ref_add(ref, t, v);
    }
    assert_same_slopes(&f, ref, 1e-4);
    series_free(&f);
    series_free(&s);
    free(abs_ref);
    free(ref);
}

/* Raw ring capacity follows the interval: the 15 min window and 2 spare. */
static void test_ring_sizing(void **state)
{
    (void)state;
    assert_int_equal(series_raw_cap(15), 62);
    assert_int_equal(series_raw_cap(0), 62);
    assert_int_equal(series_raw_cap(14.5), 65);
    assert_int_equal(series_raw_cap(1), SERIES_RAW_CAP);
    assert_int_equal(series_raw_cap(0.5), SERIES_RAW_CAP);
    assert_int_equal(series_raw_cap(60), 17);
    assert_int_equal(series_raw_cap(300), SERIES_RAW_MIN);
    assert_int_equal(series_raw_cap(86400), SERIES_RAW_MIN);
    struct series s;
    assert_int_equal(series_init(&s, 15), 0);
    /* 12 bytes a point, one allocation: 62 + 60 + 72 points */
    assert_int_equal(series_mem_bytes(&s), (62 + 60 + 72) * 12);
    for (int i = 0; i < 100; i++) series_add(&s, 1000 + i, i);
    assert_int_equal(series_len(&s), 62);
    /* a new interval (SIGHUP) resizes the raw ring, keeping the newest */
    assert_int_equal(series_set_interval(&s, 1), 0);
    assert_int_equal(s.raw.cap, SERIES_RAW_CAP);
    assert_int_equal(series_len(&s), 62);
    assert_true(series_point(&s, &s.raw, 0).v == 38);
    for (int i = 100; i < 300; i++) series_add(&s, 1000 + i, i);
    assert_int_equal(series_len(&s), SERIES_RAW_CAP);
    assert_int_equal(series_set_interval(&s, 60), 0);
    assert_int_equal(series_len(&s), 17);
    assert_true(series_point(&s, &s.raw, 0).v == 283);
    assert_true(series_last(&s) == 299);
    assert_int_equal(s.mid.len, 6); /* 1000..1299 s: minutes 16..21 */
    series_free(&s);
    assert_int_equal(series_mem_bytes(&s), 0);
    /* a raw-only series (hot prefixes: only their 15 min rate is read) */
    assert_int_equal(series_init_raw(&s, 15), 0);
    assert_int_equal(series_mem_bytes(&s), 62 * 12);
    for (int i = 0; i < 1000; i++) series_add(&s, 1e9 + i * 15.0, 3.0 * i);
    assert_int_equal(series_len(&s), 62);
    assert_int_equal(s.mid.len + s.lng.len, 0);
    double slope;
    assert_int_equal(series_slope(&s, WIN_15M, 5, &slope), 0);
    assert_true(slope == 0.2);
    assert_int_equal(series_slope(&s, WIN_1H, 5, &slope), -ENODATA);
    assert_int_equal(series_load_point(&s, 1, 2e9, 1), -EINVAL);
    assert_int_equal(series_set_interval(&s, 1), 0);
    assert_int_equal(series_mem_bytes(&s), SERIES_RAW_CAP * 12);
    series_free(&s);
}

/* Offsets are uint32 ms: a series living past ~49.7 days is rebased exactly
 * (5 min samples over 60 days), and a gap longer than that drops the old
 * points instead of wrapping. */
static void test_rebase(void **state)
{
    (void)state;
    struct series s;
    struct ref_series *ref = malloc(sizeof *ref);
    assert_non_null(ref);
    ref_init(ref);
    assert_int_equal(series_init(&s, 300), 0);
    int64_t base0 = -1;
    bool rebased = false;
    double v = 8e9;
    for (int i = 0; i < 60 * 288; i++) {
        double t = 1796601600.5 + i * 300.0;
        v -= (double)(1 + rng % 1000) * 512;
        series_add(&s, t, v);
        ref_add(ref, t, v);
        if (base0 < 0) base0 = s.base_s;
        if (s.base_s != base0) rebased = true;
        if (i % 500 == 0 || (i > 14300 && i < 14340)) assert_same_slopes(&s, ref, 1e-9);
    }
    assert_true(rebased);
    assert_int_equal(s.lng.len, SERIES_LONG_CAP);
    assert_true(series_point(&s, &s.lng, SERIES_LONG_CAP - 1).t == 1796601600.5 + 17279 * 300.0);
    assert_same_slopes(&s, ref, 1e-9);
    series_free(&s);

    /* a 60-day gap (a restored state file, a suspended VM) */
    assert_int_equal(series_init(&s, 15), 0);
    for (int i = 0; i < 20; i++) series_add(&s, 1e9 + i * 15.0, 1000.0 - i);
    double later = 1e9 + 60 * 86400.0;
    series_add(&s, later, 5);
    assert_int_equal(series_len(&s), 1);
    assert_int_equal(s.mid.len, 1);
    assert_int_equal(s.lng.len, 1);
    assert_true(series_point(&s, &s.raw, 0).t == later);
    for (int i = 1; i < 20; i++) series_add(&s, later + i * 15.0, 5.0 - i);
    double slope;
    assert_int_equal(series_slope(&s, WIN_15M, 5, &slope), 0);
    assert_true(fabs(slope + 1.0 / 15) < 1e-12);
    /* restoring a point older than the base moves the base down */
    struct series r;
    assert_int_equal(series_init(&r, 15), 0);
    assert_int_equal(series_load_point(&r, 0, 1e9 + 3000.25, 1), 0);
    assert_int_equal(series_load_point(&r, 1, 1e9 + 60.5, 2), 0);
    assert_int_equal(series_load_point(&r, 1, 1e9 + 30, 2), -EINVAL);           /* out of order */
    assert_int_equal(series_load_point(&r, 2, 1e9 - 50 * 86400.0, 3), -EINVAL); /* too old */
    assert_int_equal(series_load_point(&r, 2, 1e9 + 0.001, 3), 0);
    assert_true(series_point(&r, &r.raw, 0).t == 1e9 + 3000.25);
    assert_true(series_point(&r, &r.mid, 0).t == 1e9 + 60.5);
    assert_true(series_point(&r, &r.lng, 0).t == 1e9 + 0.001);
    series_free(&r);
    series_free(&s);
    free(ref);
}

/* Values are byte counts: integers stay exact up to 2^53. */
static void test_exact_values(void **state)
{
    (void)state;
    struct series s;
    assert_int_equal(series_init(&s, 15), 0);
    const double top = 9007199254740992.0; /* 2^53 */
    for (int i = 0; i < 40; i++) series_add(&s, 1796601600 + i * 15.0, top - 40 + i);
    assert_true(series_last(&s) == top - 1);
    for (size_t i = 0; i < series_len(&s); i++)
        assert_true(series_point(&s, &s.raw, i).v == top - 40 + (double)i);
    double slope;
    assert_int_equal(series_slope(&s, WIN_15M, 5, &slope), 0);
    assert_true(slope == 1.0 / 15);
    series_add(&s, 1796601600 + 40 * 15.0, top);
    assert_true(series_last(&s) == top);
    series_free(&s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_ring_wraps),   cmocka_unit_test(test_theil_sen_matches_bruteforce),
        cmocka_unit_test(test_outliers),     cmocka_unit_test(test_predict_full_incident),
        cmocka_unit_test(test_predict_none), cmocka_unit_test(test_windows),
        cmocka_unit_test(test_leak),         cmocka_unit_test(test_slope_matches_double_version),
        cmocka_unit_test(test_ring_sizing),  cmocka_unit_test(test_rebase),
        cmocka_unit_test(test_exact_values),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
