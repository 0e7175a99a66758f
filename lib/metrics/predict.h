/* SPDX-License-Identifier: MIT */
/*
 * predict.h: bounded history and exhaustion prediction.
 *
 * A `struct series` keeps the history of one gauge (bytes available, free
 * inodes, a process's resident memory...) at three resolutions, each a ring
 * buffer whose capacity is fixed when the series is created, so memory per
 * series is constant whatever the uptime:
 *   - raw:  every sample, enough of them for the 15 min window at the
 *           sampling interval (900 s / interval + 2, between SERIES_RAW_MIN
 *           and SERIES_RAW_CAP: 62 at 15 s, 128 at 1 s);
 *   - mid:  one point per 1 min bucket, SERIES_MID_CAP buckets (1 h);
 *   - long: one point per 5 min bucket, SERIES_LONG_CAP buckets (6 h).
 *
 * Points are stored compactly, 12 bytes each: the time as a uint32 count of
 * milliseconds since the series' base (whole seconds; rebased when the
 * offset would overflow, after ~49 days), the value as a double (exact for
 * integers up to 2^53: byte and inode counts). Sample times are therefore
 * kept at 1 ms resolution. All three rings live in one allocation made by
 * series_init(); series_free() releases it. A series may be moved by value
 * (the storage does not move), never copied and used twice.
 *
 * Growth is estimated with the Theil-Sen estimator (median of the pairwise
 * slopes): a single outlier sample (a file briefly written and deleted, a
 * momentary spike) does not move it, unlike least squares. Leak detection
 * uses least squares on purpose, because its R^2 says how steady the growth
 * is.
 *
 * Nothing here allocates after series_init() (series_set_interval()
 * reallocates when the capacity changes); nothing prints.
 */
#ifndef TSHOOT_METRICS_PREDICT_H
#define TSHOOT_METRICS_PREDICT_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

#define SERIES_RAW_CAP       128 /* raw points at most (intervals under ~7 s) */
#define SERIES_RAW_MIN       8
#define SERIES_RAW_WINDOW_S  900 /* what the raw ring must cover: the 15m window */
#define SERIES_MID_CAP       60
#define SERIES_LONG_CAP      72
#define SERIES_MID_BUCKET_S  60
#define SERIES_LONG_BUCKET_S 300

/* A point as the estimators see it (times relative to any origin). */
struct point {
    double t; /* seconds */
    double v;
};

/* A ring of compact points with a fixed capacity; oldest overwritten first.
 * Times are ms offsets from a base the ring does not know (its series'). */
struct ring {
    uint32_t *t;             /* borrowed storage of `cap` ms offsets */
    double *v;               /* borrowed storage of `cap` values */
    uint16_t cap, len, head; /* head = index of the next write */
};

void ring_init(struct ring *r, uint32_t *t_storage, double *v_storage, uint16_t cap);
void ring_push(struct ring *r, uint32_t t_ms, double v);
/* Index into t[]/v[] of the i-th oldest point, 0 <= i < len. */
size_t ring_index(const struct ring *r, size_t i);
/* Index of the newest point; only when len > 0. */
size_t ring_last_index(const struct ring *r);

enum {
    WIN_15M,
    WIN_1H,
    WIN_6H,
    _WIN_MAX,
};
extern const char *const win_names[_WIN_MAX]; /* "15m", "1h", "6h" */
extern const double win_seconds[_WIN_MAX];

struct series {
    int64_t base_s; /* stored times are ms since base_s (unix seconds or any epoch) */
    void *mem;      /* the rings' storage, one allocation */
    struct ring raw, mid, lng;
};

/* Raw ring capacity for a sampling interval (seconds; <= 0 means 15 s). */
uint16_t series_raw_cap(double interval_s);
/* Allocate the rings for the interval. 0 or -ENOMEM (then *s is empty:
 * series_add() ignores samples, the other calls see no data). */
int series_init(struct series *s, double interval_s);
/* The same with the raw ring only (the 15m window; the 1h and 6h windows
 * have no data): for gauges only ever read over 15 minutes. */
int series_init_raw(struct series *s, double interval_s);
/* Free the storage; *s is empty afterwards (series_init() may follow). */
void series_free(struct series *s);
/* Resize the raw ring for a new interval (SIGHUP), keeping the newest
 * points. 0 or -ENOMEM (the series is unchanged). */
int series_set_interval(struct series *s, double interval_s);
/* Heap bytes held by a series' points (for tests and the docs). */
size_t series_mem_bytes(const struct series *s);
/* Add a sample (t in seconds). Samples at or before the last one (at 1 ms
 * resolution) are ignored (clock steps), as are non-finite ones. */
void series_add(struct series *s, double t, double v);
/* Restore one point of one ring (0 raw, 1 mid, 2 long) from saved state,
 * oldest first. -EINVAL for a point that is not finite, not after the ring's
 * last one, or too old to store; the series is unchanged then. */
int series_load_point(struct series *s, int ring, double t, double v);
/* Absolute time (seconds) and value of the i-th oldest point of a ring of s. */
struct point series_point(const struct series *s, const struct ring *r, size_t i);
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
