/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "core/timeutil.h"

ts_time_t ts_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (ts_time_t)ts.tv_sec * TS_NSEC_PER_SEC + ts.tv_nsec;
}

int64_t ts_mono_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * TS_NSEC_PER_SEC + ts.tv_nsec;
}

int64_t ts_days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    unsigned yoe = (unsigned)(y - era * 400);
    unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

char *ts_format(ts_time_t t, int millis, char *buf, size_t size)
{
    if (t == TS_TIME_NONE) {
        snprintf(buf, size, "-");
        return buf;
    }
    time_t secs = (time_t)(t / TS_NSEC_PER_SEC);
    int64_t ns = t % TS_NSEC_PER_SEC;
    if (ns < 0) {
        ns += TS_NSEC_PER_SEC;
        secs--;
    }
    struct tm tm;
    gmtime_r(&secs, &tm);
    if (millis)
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(ns / 1000000));
    else
        snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
    return buf;
}

int ts_parse_duration(const char *s, int64_t *ret_ns)
{
    int64_t total = 0;
    int any = 0;
    while (*s) {
        if (!isdigit((unsigned char)*s)) return -EINVAL;
        int64_t v = 0;
        while (isdigit((unsigned char)*s)) {
            v = v * 10 + (*s - '0');
            if (v > 1000000000LL) return -ERANGE;
            s++;
        }
        int64_t unit;
        if (s[0] == 'm' && s[1] == 's') {
            unit = 1000000LL;
            s += 2;
        } else {
            switch (*s) {
            case 's': unit = TS_NSEC_PER_SEC; break;
            case 'm': unit = 60 * TS_NSEC_PER_SEC; break;
            case 'h': unit = 3600 * TS_NSEC_PER_SEC; break;
            case 'd': unit = 86400 * TS_NSEC_PER_SEC; break;
            case 'w': unit = 7 * 86400 * TS_NSEC_PER_SEC; break;
            case '\0': unit = TS_NSEC_PER_SEC; break;
            default: return -EINVAL;
            }
            if (*s) s++;
        }
        total += v * unit;
        any = 1;
    }
    if (!any) return -EINVAL;
    *ret_ns = total;
    return 0;
}

char *ts_format_duration(int64_t ns, char *buf, size_t size)
{
    int64_t s = ns / TS_NSEC_PER_SEC;
    const char *sign = "";
    if (s < 0) {
        sign = "-";
        s = -s;
    }
    if (s >= 86400)
        snprintf(buf, size, "%s%lldd%lldh", sign, (long long)(s / 86400),
                 (long long)(s % 86400 / 3600));
    else if (s >= 3600)
        snprintf(buf, size, "%s%lldh%lldm", sign, (long long)(s / 3600),
                 (long long)(s % 3600 / 60));
    else if (s >= 60)
        snprintf(buf, size, "%s%lldm%llds", sign, (long long)(s / 60), (long long)(s % 60));
    else
        snprintf(buf, size, "%s%llds", sign, (long long)s);
    return buf;
}
