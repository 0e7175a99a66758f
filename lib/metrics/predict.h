/* SPDX-License-Identifier: MIT */
/*
 * predict.h: bounded history and exhaustion prediction.
 *
 * A `struct series` keeps the history of one gauge (bytes available, free
 * inodes, a process's resident memory...) at three resolutions, each a ring
 * buffer of fixed capacity, so memory per series is constant whatever the
 * interval or the uptime:
 *   - raw:  every sample, the last SERIES_RAW_CAP of them (the 15 min window,
 *           or less when the interval is short);
 *   - mid:  one point per 1 min bucket, SERIES_MID_CAP buckets (1 h);
 *   - long: one point per 5 min bucket, SERIES_LONG_CAP buckets (6 h).
 *
 * Growth is estimated with the Theil-Sen estimator (median of the pairwise
 * slopes): a single outlier sample (a file briefly written and deleted, a
 * momentary spike) does not move it, unlike least squares. Leak detection
 * uses least squares on purpose, because its R^2 says how steady the growth
 * is.
 *
 * Nothing here allocates after series_init(); nothing prints.
 */
#ifndef TSHOOT_METRICS_PREDICT_H
#define TSHOOT_METRICS_PREDICT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define SERIES_RAW_CAP       128
#define SERIES_MID_CAP       60
#define SERIES_LONG_CAP      72
#define SERIES_MID_BUCKET_S  60
#define SERIES_LONG_BUCKET_S 300

struct point {
    double t; /* seconds (any epoch, consistent within a series) */
    double v;
};

/* A ring of points with a fixed capacity; oldest overwritten first. */
struct ring {
    struct point *p;         /* borrowed storage of `cap` points */
    uint16_t cap, len, head; /* head = index of the next write */
};

void ring_init(struct ring *r, struct point *storage, uint16_t cap);
void ring_push(struct ring *r, double t, double v);
/* i-th oldest point, 0 <= i < len. */
const struct point *ring_at(const struct ring *r, size_t i);
const struct point *ring_last(const struct ring *r);

enum {
    WIN_15M,
    WIN_1H,
    WIN_6H,
    _WIN_MAX,
};
extern const char *const win_names[_WIN_MAX]; /* "15m", "1h", "6h" */
extern const double win_seconds[_WIN_MAX];

struct series {
    struct ring raw, mid, lng;
    struct point raw_s[SERIES_RAW_CAP];
    struct point mid_s[SERIES_MID_CAP];
    struct point lng_s[SERIES_LONG_CAP];
};

void series_init(struct series *s);
/* After copying a struct series by value, point its rings at its own storage
 * again (the rings hold pointers into the struct). */
void series_fixup(struct series *s);
/* Add a sample. Samples older than the last one are ignored (clock steps). */
void series_add(struct series *s, double t, double v);
/* The last value, or NAN when empty. */
double series_last(const struct series *s);
/* Number of points in the raw ring. */
size_t series_len(const struct series *s);

/* Robust slope (value units per second) over the given window ending at the
 * newest point. Returns 0 and *ret_slope, -ENODATA when fewer than
 * `min_points` points (at least 3) span the window, -EINVAL on bad args. */
int series_slope(const struct series *s, int win, size_t min_points, double *ret_slope);

/* Theil-Sen slope of n points (any order of t). Uses `scratch` with room for
 * n*(n-1)/2 doubles. Points with equal t are skipped. Returns 0 or -ENODATA
 * when no pair has distinct t. */
int theil_sen(const struct point *pts, size_t n, double *scratch, double *ret_slope);

/* Ordinary least squares fit: slope and R^2 (1 for a perfect line; 0 when the
 * values are constant). -ENODATA with fewer than 3 points. */
int ols_fit(const struct point *pts, size_t n, double *ret_slope, double *ret_r2);

/* Seconds until `avail` reaches zero when it shrinks at `slope` per second
 * (slope < 0 for consumption). INFINITY when not shrinking; 0 when already
 * exhausted. */
double time_to_exhaustion(double avail, double slope);

/* Combined prediction for an "available" series (bytes or inodes): the
 * earliest exhaustion among the windows that have enough data (the
 * pessimistic choice; alerts add a `for` duration against bursts).
 * *ret_slope gets the slope used (0 when none). INFINITY when no window
 * predicts exhaustion. */
double series_predict_full(const struct series *s, double *ret_slope);

/* Leak pattern of a growing gauge (process memory, fds): least squares over
 * the longest window with >= 8 points. Suspected when slope > 0, R^2 >=
 * r2_min and the window gained at least min_rel_growth of its first value. */
struct leak_verdict {
    double slope; /* units per second */
    double r2;
    double window_s;
    bool suspected;
};
int series_leak(const struct series *s, double r2_min, double min_rel_growth,
                struct leak_verdict *ret);

#endif
