/* SPDX-License-Identifier: MIT */
/*
 * timeutil.h: wall-clock helpers. All times inside tshoot are UTC, as
 * nanoseconds since the epoch (int64_t, TS_TIME_NONE when unknown).
 */
#ifndef TSHOOT_TIMEUTIL_H
#define TSHOOT_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

typedef int64_t ts_time_t; /* ns since 1970-01-01T00:00:00Z */
#define TS_TIME_NONE    INT64_MIN
#define TS_NSEC_PER_SEC 1000000000LL

ts_time_t ts_now(void);
/* Monotonic clock in ns, for deadlines and durations. */
int64_t ts_mono_ns(void);
/* Format as RFC 3339 UTC ("2026-04-18T10:00:00Z", or with .mmm when
 * millis is set). Writes "-" for TS_TIME_NONE. Returns buf. */
char *ts_format(ts_time_t t, int millis, char *buf, size_t size);
/* Days since epoch for a civil date (proleptic Gregorian). */
int64_t ts_days_from_civil(int64_t y, unsigned m, unsigned d);
/* Parse a duration such as "90s", "15m", "2h", "7d", "1h30m". Returns 0 and
 * *ret_ns, or -EINVAL. */
int ts_parse_duration(const char *s, int64_t *ret_ns);
/* Format a duration compactly ("3d4h", "12m", "45s"). */
char *ts_format_duration(int64_t ns, char *buf, size_t size);

#endif
