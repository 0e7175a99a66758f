/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdlib.h>

#include "metrics/predict.h"

const char *const win_names[_WIN_MAX] = { "15m", "1h", "6h" };
const double win_seconds[_WIN_MAX] = { 900, 3600, 21600 };

void ring_init(struct ring *r, uint32_t *t_storage, double *v_storage, uint16_t cap)
{
    r->t = t_storage;
    r->v = v_storage;
    r->cap = cap;
    r->len = 0;
    r->head = 0;
}

void ring_push(struct ring *r, uint32_t t_ms, double v)
{
    r->t[r->head] = t_ms;
    r->v[r->head] = v;
    r->head = (uint16_t)((r->head + 1) % r->cap);
    if (r->len < r->cap) r->len++;
}

size_t ring_index(const struct ring *r, size_t i)
{
    size_t start = (size_t)(r->head + r->cap - r->len) % r->cap;
    return (start + i) % r->cap;
}

size_t ring_last_index(const struct ring *r)
{
    return (size_t)(r->head + r->cap - 1) % r->cap;
}

/* Drop the k oldest points. */
static void ring_drop_oldest(struct ring *r, size_t k)
{
    r->len = (uint16_t)(k >= r->len ? 0 : r->len - k);
}

uint16_t series_raw_cap(double interval_s)
{
    if (!(interval_s > 0)) interval_s = 15;
    double n = ceil(SERIES_RAW_WINDOW_S / interval_s) + 2; /* +2: jitter of the sample times */
    if (n < SERIES_RAW_MIN) n = SERIES_RAW_MIN;
    if (n > SERIES_RAW_CAP) n = SERIES_RAW_CAP;
    return (uint16_t)n;
}

static size_t mem_size(uint16_t raw_cap, bool raw_only)
{
    size_t n = (size_t)raw_cap + (raw_only ? 0 : SERIES_MID_CAP + SERIES_LONG_CAP);
    return n * (sizeof(double) + sizeof(uint32_t));
}

/* Point the rings into mem (values first: doubles stay aligned). */
static void layout(struct series *s, void *mem, uint16_t raw_cap, bool raw_only)
{
    uint16_t mid = raw_only ? 0 : SERIES_MID_CAP, lng = raw_only ? 0 : SERIES_LONG_CAP;
    double *v = mem;
    uint32_t *t = (uint32_t *)(v + raw_cap + mid + lng);
    ring_init(&s->raw, t, v, raw_cap);
    ring_init(&s->mid, t + raw_cap, v + raw_cap, mid);
    ring_init(&s->lng, t + raw_cap + mid, v + raw_cap + mid, lng);
    s->mem = mem;
}

static int init(struct series *s, double interval_s, bool raw_only)
{
    uint16_t cap = series_raw_cap(interval_s);
    *s = (struct series){ 0 };
    void *mem = malloc(mem_size(cap, raw_only));
    if (!mem) return -ENOMEM;
    layout(s, mem, cap, raw_only);
    return 0;
}

int series_init(struct series *s, double interval_s)
{
    return init(s, interval_s, false);
}

int series_init_raw(struct series *s, double interval_s)
{
    return init(s, interval_s, true);
}

void series_free(struct series *s)
{
    free(s->mem);
    *s = (struct series){ 0 };
}

size_t series_mem_bytes(const struct series *s)
{
    return s->mem ? mem_size(s->raw.cap, s->mid.cap == 0) : 0;
}

static size_t series_total(const struct series *s)
{
    return (size_t)s->raw.len + s->mid.len + s->lng.len;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

/* Absolute time of a stored point in ms. */
static int64_t abs_ms(const struct series *s, const struct ring *r, size_t idx)
{
    return s->base_s * 1000 + (int64_t)r->t[idx];
}

int series_set_interval(struct series *s, double interval_s)
{
    uint16_t cap = series_raw_cap(interval_s);
    if (!s->mem || cap == s->raw.cap) return 0;
    bool raw_only = s->mid.cap == 0;
    void *mem = malloc(mem_size(cap, raw_only));
    if (!mem) return -ENOMEM;
    struct series n = { .base_s = s->base_s };
    layout(&n, mem, cap, raw_only);
    struct ring *from[] = { &s->raw, &s->mid, &s->lng }, *to[] = { &n.raw, &n.mid, &n.lng };
    for (size_t k = 0; k < 3; k++) {
        size_t skip = from[k]->len > to[k]->cap ? from[k]->len - to[k]->cap : 0;
        for (size_t i = skip; i < from[k]->len; i++) {
            size_t x = ring_index(from[k], i);
            ring_push(to[k], from[k]->t[x], from[k]->v[x]);
        }
    }
    free(s->mem);
    *s = n;
    return 0;
}

#define OFFSET_MAX ((int64_t)UINT32_MAX - 999) /* span storable whatever the base's ms */

/* Make a point at absolute time ms storable: set the base of an empty
 * series, or rebase (exact: whole seconds) when ms is past the range of the
 * offsets or before the base, dropping stored points more than ~49 days
 * older than the newest (no window looks back that far). false when ms
 * itself is that much older than the stored points. */
static bool make_room(struct series *s, int64_t ms)
{
    struct ring *rings[] = { &s->raw, &s->mid, &s->lng };
    if (series_total(s) == 0) {
        s->base_s = floor_div(ms, 1000);
        return true;
    }
    int64_t off = ms - s->base_s * 1000;
    if (off >= 0 && off <= (int64_t)UINT32_MAX) return true;
    int64_t newest = ms, oldest = ms;
    for (size_t k = 0; k < 3; k++)
        if (rings[k]->len) {
            int64_t last = abs_ms(s, rings[k], ring_last_index(rings[k]));
            if (last > newest) newest = last;
        }
    int64_t cut = newest - OFFSET_MAX;
    if (ms < cut) return false;
    for (size_t k = 0; k < 3; k++) {
        size_t drop = 0;
        while (drop < rings[k]->len && abs_ms(s, rings[k], ring_index(rings[k], drop)) < cut)
            drop++;
        ring_drop_oldest(rings[k], drop);
        if (rings[k]->len) {
            int64_t first = abs_ms(s, rings[k], ring_index(rings[k], 0));
            if (first < oldest) oldest = first;
        }
    }
    int64_t nb = floor_div(oldest, 1000), shift = (s->base_s - nb) * 1000;
    for (size_t k = 0; k < 3; k++)
        for (size_t i = 0; i < rings[k]->len; i++) {
            size_t x = ring_index(rings[k], i);
            rings[k]->t[x] = (uint32_t)((int64_t)rings[k]->t[x] + shift);
        }
    s->base_s = nb;
    return true;
}

static int64_t to_ms(double t)
{
    return (int64_t)llround(t * 1000);
}

/* Bucketed ring: the newest point of a bucket replaces the previous one of
 * the same bucket, so each bucket holds its latest sample. */
static void bucket_push(struct series *s, struct ring *r, int64_t bucket_ms, int64_t ms, double v)
{
    if (!r->cap) return; /* a raw-only series */
    if (r->len) {
        size_t x = ring_last_index(r);
        if (floor_div(abs_ms(s, r, x), bucket_ms) == floor_div(ms, bucket_ms)) {
            r->t[x] = (uint32_t)(ms - s->base_s * 1000);
            r->v[x] = v;
            return;
        }
    }
    ring_push(r, (uint32_t)(ms - s->base_s * 1000), v);
}

void series_add(struct series *s, double t, double v)
{
    if (!s->mem || !isfinite(t) || !isfinite(v) || fabs(t) > 9e15) return;
    int64_t ms = to_ms(t);
    if (s->raw.len && ms <= abs_ms(s, &s->raw, ring_last_index(&s->raw))) return;
    if (!make_room(s, ms)) return;
    ring_push(&s->raw, (uint32_t)(ms - s->base_s * 1000), v);
    bucket_push(s, &s->mid, SERIES_MID_BUCKET_S * 1000, ms, v);
    bucket_push(s, &s->lng, SERIES_LONG_BUCKET_S * 1000, ms, v);
}

int series_load_point(struct series *s, int ring, double t, double v)
{
    struct ring *r = ring == 0 ? &s->raw : ring == 1 ? &s->mid : &s->lng;
    if (!s->mem || ring < 0 || ring > 2 || !r->cap || !isfinite(t) || !isfinite(v) ||
        fabs(t) > 9e15)
        return -EINVAL;
    int64_t ms = to_ms(t);
    if (r->len && ms <= abs_ms(s, r, ring_last_index(r))) return -EINVAL;
    if (!make_room(s, ms)) return -EINVAL;
    ring_push(r, (uint32_t)(ms - s->base_s * 1000), v);
    return 0;
}

struct point series_point(const struct series *s, const struct ring *r, size_t i)
{
    size_t x = ring_index(r, i);
    return (struct point){ (double)s->base_s + (double)r->t[x] / 1000, r->v[x] };
}

double series_last(const struct series *s)
{
    return s->raw.len ? s->raw.v[ring_last_index(&s->raw)] : NAN;
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

/* Copy the points of the window into out (cap SERIES_RAW_CAP), times in
 * seconds relative to the series' base (the estimators only use differences,
 * which stay exact in ms). */
static size_t window_points(const struct series *s, int win, struct point *out)
{
    const struct ring *r = win_ring(s, win);
    if (!r->len) return 0;
    int64_t from = (int64_t)r->t[ring_last_index(r)] - (int64_t)(win_seconds[win] * 1000);
    size_t n = 0;
    for (size_t i = 0; i < r->len && n < SERIES_RAW_CAP; i++) {
        size_t x = ring_index(r, i);
        if ((int64_t)r->t[x] >= from) out[n++] = (struct point){ (double)r->t[x] / 1000, r->v[x] };
    }
    return n;
}

int series_slope(const struct series *s, int win, size_t min_points, double *ret_slope)
{
    /* on the stack rather than thread-local: a 64 KiB _Thread_local block is
       cleared in every thread the process starts (probe workers, HTTP) */
    double scratch[SERIES_RAW_CAP * (SERIES_RAW_CAP - 1) / 2];
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
    return theil_sen(pts, n, scratch, ret_slope);
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
