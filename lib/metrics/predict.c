/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>

#include "metrics/predict.h"

const char *const win_names[_WIN_MAX] = { "15m", "1h", "6h" };
const double win_seconds[_WIN_MAX] = { 900, 3600, 21600 };

void ring_init(struct ring *r, struct point *storage, uint16_t cap)
{
    r->p = storage;
    r->cap = cap;
    r->len = 0;
    r->head = 0;
}

void ring_push(struct ring *r, double t, double v)
{
    r->p[r->head] = (struct point){ t, v };
    r->head = (uint16_t)((r->head + 1) % r->cap);
    if (r->len < r->cap) r->len++;
}

const struct point *ring_at(const struct ring *r, size_t i)
{
    size_t start = (r->head + r->cap - r->len) % r->cap;
    return &r->p[(start + i) % r->cap];
}

const struct point *ring_last(const struct ring *r)
{
    if (r->len == 0) return NULL;
    return &r->p[(r->head + r->cap - 1) % r->cap];
}

void series_init(struct series *s)
{
    ring_init(&s->raw, s->raw_s, SERIES_RAW_CAP);
    ring_init(&s->mid, s->mid_s, SERIES_MID_CAP);
    ring_init(&s->lng, s->lng_s, SERIES_LONG_CAP);
}

void series_fixup(struct series *s)
{
    s->raw.p = s->raw_s;
    s->mid.p = s->mid_s;
    s->lng.p = s->lng_s;
}

/* Bucketed ring: the newest point of a bucket replaces the previous one of
 * the same bucket, so each bucket holds its latest sample. */
static void bucket_push(struct ring *r, double bucket_s, double t, double v)
{
    const struct point *last = ring_last(r);
    if (last && floor(last->t / bucket_s) == floor(t / bucket_s)) {
        struct point *p = (struct point *)last;
        p->t = t;
        p->v = v;
        return;
    }
    ring_push(r, t, v);
}

void series_add(struct series *s, double t, double v)
{
    const struct point *last = ring_last(&s->raw);
    if (!isfinite(t) || !isfinite(v)) return;
    if (last && t <= last->t) return;
    ring_push(&s->raw, t, v);
    bucket_push(&s->mid, SERIES_MID_BUCKET_S, t, v);
    bucket_push(&s->lng, SERIES_LONG_BUCKET_S, t, v);
}

double series_last(const struct series *s)
{
    const struct point *p = ring_last(&s->raw);
    return p ? p->v : NAN;
}

size_t series_len(const struct series *s)
{
    return s->raw.len;
}

/* k-th smallest of a[0..n) (0-based); reorders a. */
static double select_kth(double *a, size_t n, size_t k)
{
    size_t lo = 0, hi = n - 1;
    while (lo < hi) {
        double pivot = a[lo + (hi - lo) / 2];
        size_t i = lo, j = hi;
        while (i <= j) {
            while (a[i] < pivot) i++;
            while (a[j] > pivot) j--;
            if (i <= j) {
                double tmp = a[i];
                a[i] = a[j];
                a[j] = tmp;
                i++;
                if (j == 0) break;
                j--;
            }
        }
        if (k <= j)
            hi = j;
        else if (k >= i)
            lo = i;
        else
            return a[k];
    }
    return a[k];
}

static double median_inplace(double *a, size_t n)
{
    double hi = select_kth(a, n, n / 2);
    if (n % 2) return hi;
    /* after selection, a[0..n/2) are <= hi: the lower middle is their max */
    double lo = a[0];
    for (size_t i = 1; i < n / 2; i++)
        if (a[i] > lo) lo = a[i];
    return (lo + hi) / 2;
}

int theil_sen(const struct point *pts, size_t n, double *scratch, double *ret_slope)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
        for (size_t j = i + 1; j < n; j++) {
            double dt = pts[j].t - pts[i].t;
            if (dt == 0) continue;
            scratch[m++] = (pts[j].v - pts[i].v) / dt;
        }
    if (m == 0) return -ENODATA;
    *ret_slope = median_inplace(scratch, m);
    return 0;
}

int ols_fit(const struct point *pts, size_t n, double *ret_slope, double *ret_r2)
{
    if (n < 3) return -ENODATA;
    /* centre on the first point for numerical stability */
    double t0 = pts[0].t, v0 = pts[0].v;
    double st = 0, sv = 0;
    for (size_t i = 0; i < n; i++) {
        st += pts[i].t - t0;
        sv += pts[i].v - v0;
    }
    double mt = st / (double)n, mv = sv / (double)n;
    double stt = 0, stv = 0, svv = 0;
    for (size_t i = 0; i < n; i++) {
        double dt = pts[i].t - t0 - mt, dv = pts[i].v - v0 - mv;
        stt += dt * dt;
        stv += dt * dv;
        svv += dv * dv;
    }
    if (stt == 0) return -ENODATA;
    *ret_slope = stv / stt;
    *ret_r2 = svv == 0 ? 0 : (stv * stv) / (stt * svv);
    return 0;
}

double time_to_exhaustion(double avail, double slope)
{
    if (!(avail > 0)) return 0;
    if (!(slope < 0)) return INFINITY;
    return avail / -slope;
}

static const struct ring *win_ring(const struct series *s, int win)
{
    switch (win) {
    case WIN_15M: return &s->raw;
    case WIN_1H: return &s->mid;
    default: return &s->lng;
    }
}

/* Copy the points of the window into out (cap SERIES_RAW_CAP). */
static size_t window_points(const struct series *s, int win, struct point *out)
{
    const struct ring *r = win_ring(s, win);
    const struct point *last = ring_last(r);
    if (!last) return 0;
    double from = last->t - win_seconds[win];
    size_t n = 0;
    for (size_t i = 0; i < r->len && n < SERIES_RAW_CAP; i++) {
        const struct point *p = ring_at(r, i);
        if (p->t >= from) out[n++] = *p;
    }
    return n;
}

static _Thread_local double ts_scratch[SERIES_RAW_CAP * (SERIES_RAW_CAP - 1) / 2];

int series_slope(const struct series *s, int win, size_t min_points, double *ret_slope)
{
    struct point pts[SERIES_RAW_CAP];
    if (win < 0 || win >= _WIN_MAX || !ret_slope) return -EINVAL;
    if (min_points < 3) min_points = 3;
    size_t n = window_points(s, win, pts);
    if (n < min_points) return -ENODATA;
    bool constant = true;
    for (size_t i = 1; i < n && constant; i++) constant = pts[i].v == pts[0].v;
    if (constant) {
        *ret_slope = 0;
        return 0;
    }
    return theil_sen(pts, n, ts_scratch, ret_slope);
}

double series_predict_full(const struct series *s, double *ret_slope)
{
    static const size_t min_pts[_WIN_MAX] = { 5, 5, 6 };
    double best = INFINITY, best_slope = 0, avail = series_last(s);
    bool any = false;
    for (int w = 0; w < _WIN_MAX; w++) {
        double slope;
        if (series_slope(s, w, min_pts[w], &slope) < 0) continue;
        double tte = time_to_exhaustion(avail, slope);
        if (!any || tte < best) {
            best = tte;
            best_slope = slope;
            any = true;
        }
    }
    if (ret_slope) *ret_slope = best_slope;
    if (!any) return INFINITY;
    return best;
}

int series_leak(const struct series *s, double r2_min, double min_rel_growth,
                struct leak_verdict *ret)
{
    struct point pts[SERIES_RAW_CAP];
    for (int w = _WIN_MAX - 1; w >= 0; w--) {
        size_t n = window_points(s, w, pts);
        if (n < 8) continue;
        double slope, r2;
        if (ols_fit(pts, n, &slope, &r2) < 0) continue;
        double span = pts[n - 1].t - pts[0].t;
        double gained = slope * span;
        double base = fabs(pts[0].v) > 0 ? fabs(pts[0].v) : 1;
        *ret = (struct leak_verdict){
            .slope = slope,
            .r2 = r2,
            .window_s = span,
            .suspected = slope > 0 && r2 >= r2_min && gained / base >= min_rel_growth,
        };
        return 0;
    }
    return -ENODATA;
}
