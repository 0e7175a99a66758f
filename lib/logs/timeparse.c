/* SPDX-License-Identifier: MIT */
/*
 * timeparse.c: recognise a timestamp at the start of a log line.
 *
 * Hand-written matchers (no sscanf/strptime, no locale): the first byte
 * selects the candidate forms, so a line without a timestamp costs a few
 * comparisons. A stamp without a zone is taken as UTC. Forms:
 *
 *   2026-04-18T10:00:00Z  2026-04-18T10:00:00.123456789+02:00  2026-04-18T10:00:00
 *   2026-04-18 10:00:00   2026-04-18 10:00:00,123 (log4j, Python)
 *   2026-04-18 10:00:00.123 UTC / +02:00 (PostgreSQL)   2026-04-18T10:00:00.123+0000 (Java)
 *   2026/04/18 10:00:00.000000 (Go)   2026.04.18 10:00:00   20260418T100000Z (compact)
 *   2005-06-03-15.42.50.675872 (DB2/BGL)
 *   Apr 18 10:00:00 / Apr  8 10:00:00.123 (BSD syslog, year from year_hint)
 *   <34>1 2026-04-18T10:00:00.003Z ... (RFC 5424)  <34>Apr 18 10:00:00 (RFC 3164 with PRI)
 *   [18/Apr/2026:10:00:00 +0000] and 18/Apr/2026:10:00:00 +0000 (Apache/nginx access)
 *   [Sat Apr 18 10:00:00.123456 2026] / Sun Dec 04 04:47:44 2005 (Apache error, ctime)
 *   Sat, 18 Apr 2026 10:00:00 +0000 (RFC 2822)
 *   I0418 10:00:00.123456 (klog, glog; year from year_hint)
 *   17/06/09 20:10:40 (yy/MM/dd, Spark)   081109 203615 (yyMMdd HHmmss, HDFS)
 *   120818  2:34:56 (MySQL 5.x)   Sat Apr 18 10:00:00 UTC 2026 (date(1))
 *   18 Apr 2026 10:00:00.123 (Redis)   18-Apr-2026 10:00:00.123 (Tomcat)
 *   Apr 18, 2026 1:05:09 PM (java.util.logging)
 *   1776506400.123 (squid: epoch with a fraction; bare integers at the start of a
 *   line are ids more often than times, see log_parse_epoch() for JSON fields)
 */
#include <string.h>

#include "logs/logs.h"

#define D(c) ((unsigned)((c) - '0') <= 9)

static inline int dig2(const char *s)
{
    return (s[0] - '0') * 10 + (s[1] - '0');
}

/* A day of month written with one or two digits: the digits used (0 when
 * s does not start with a digit) and *ret. */
static inline size_t day_digits(const char *s, int *ret)
{
    if (D(s[0]) && D(s[1])) {
        *ret = dig2(s);
        return 2;
    }
    if (D(s[0])) {
        *ret = s[0] - '0';
        return 1;
    }
    return 0;
}

static inline int alldig(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (!D(s[i])) return 0;
    return 1;
}

static int month_from(const char *s)
{
    /* case-insensitive three-letter English month */
    char a = (char)(s[0] | 0x20), b = (char)(s[1] | 0x20), c = (char)(s[2] | 0x20);
    switch (a) {
    case 'j':
        if (b == 'a' && c == 'n') return 1;
        if (b == 'u' && c == 'n') return 6;
        if (b == 'u' && c == 'l') return 7;
        return 0;
    case 'f': return (b == 'e' && c == 'b') ? 2 : 0;
    case 'm':
        if (b == 'a' && c == 'r') return 3;
        if (b == 'a' && c == 'y') return 5;
        return 0;
    case 'a':
        if (b == 'p' && c == 'r') return 4;
        if (b == 'u' && c == 'g') return 8;
        return 0;
    case 's': return (b == 'e' && c == 'p') ? 9 : 0;
    case 'o': return (b == 'c' && c == 't') ? 10 : 0;
    case 'n': return (b == 'o' && c == 'v') ? 11 : 0;
    case 'd': return (b == 'e' && c == 'c') ? 12 : 0;
    default: return 0;
    }
}

static int is_weekday(const char *s)
{
    static const char days[] = "sunmontuewedthufrisat";
    char a = (char)(s[0] | 0x20), b = (char)(s[1] | 0x20), c = (char)(s[2] | 0x20);
    for (int i = 0; i < 7; i++)
        if (days[3 * i] == a && days[3 * i + 1] == b && days[3 * i + 2] == c) return 1;
    return 0;
}

static int days_in_month(int y, int m)
{
    static const int dm[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return 29;
    return dm[m - 1];
}

static int mk(int y, int mo, int d, int h, int mi, int s, int64_t ns, int64_t off_s, ts_time_t *ret)
{
    if (y < 1970 || y > 2200 || mo < 1 || mo > 12 || d < 1 || d > days_in_month(y, mo) || h > 24 ||
        mi > 59 || s > 60 || h < 0 || mi < 0 || s < 0)
        return 0;
    if (h == 24 && (mi || s || ns)) return 0;
    int64_t days = ts_days_from_civil(y, (unsigned)mo, (unsigned)d);
    int64_t secs = days * 86400 + h * 3600 + mi * 60 + s - off_s;
    *ret = secs * TS_NSEC_PER_SEC + ns;
    return 1;
}

/* HH:MM[:SS] at s (n bytes available). Returns bytes or 0. */
static size_t parse_hms(const char *s, size_t n, int *h, int *mi, int *sec, char sep)
{
    if (n < 5 || !D(s[0]) || !D(s[1]) || s[2] != sep || !D(s[3]) || !D(s[4])) return 0;
    *h = dig2(s);
    *mi = dig2(s + 3);
    *sec = 0;
    if (n >= 8 && s[5] == sep && D(s[6]) && D(s[7])) {
        *sec = dig2(s + 6);
        return 8;
    }
    return 5;
}

/* Optional fraction: [.,]digits (up to 9 significant). */
static size_t parse_frac(const char *s, size_t n, int64_t *ns)
{
    *ns = 0;
    if (n < 2 || (s[0] != '.' && s[0] != ',') || !D(s[1])) return 0;
    size_t i = 1;
    int64_t v = 0;
    int digits = 0;
    while (i < n && D(s[i])) {
        if (digits < 9) {
            v = v * 10 + (s[i] - '0');
            digits++;
        }
        i++;
    }
    while (digits < 9) {
        v *= 10;
        digits++;
    }
    *ns = v;
    return i;
}

/* Zone right after the time: Z, +hh:mm, +hhmm, +hh, or (after one space)
 * UTC/GMT/Z/+hh:mm/+hhmm. Returns bytes consumed, sets *off (seconds). */
static size_t parse_zone(const char *s, size_t n, int64_t *off, int allow_space)
{
    *off = 0;
    size_t i = 0;
    if (n == 0) return 0;
    if (allow_space && s[0] == ' ') {
        size_t k = parse_zone(s + 1, n - 1, off, 0);
        if (k) return k + 1;
        /* named zones after a space */
        if (n >= 4 && ((memcmp(s + 1, "UTC", 3) == 0) || memcmp(s + 1, "GMT", 3) == 0)) {
            i = 4;
            if (n > 4 && (s[4] == '+' || s[4] == '-')) {
                int64_t o2;
                size_t k2 = parse_zone(s + 4, n - 4, &o2, 0);
                if (k2) {
                    *off = o2;
                    return 4 + k2;
                }
            }
            if (n == 4 || !((s[4] | 0x20) >= 'a' && (s[4] | 0x20) <= 'z')) return i;
        }
        return 0;
    }
    if (s[0] == 'Z' || s[0] == 'z') {
        if (n > 1 && ((s[1] | 0x20) >= 'a' && (s[1] | 0x20) <= 'z')) return 0;
        return 1;
    }
    if (s[0] != '+' && s[0] != '-') return 0;
    int sign = s[0] == '-' ? -1 : 1;
    if (n < 3 || !D(s[1]) || !D(s[2])) return 0;
    int hh = dig2(s + 1), mm = 0;
    i = 3;
    if (n >= 6 && s[3] == ':' && D(s[4]) && D(s[5])) {
        mm = dig2(s + 4);
        i = 6;
    } else if (n >= 5 && D(s[3]) && D(s[4])) {
        mm = dig2(s + 3);
        i = 5;
    }
    if (i < n && D(s[i])) return 0;
    if (hh > 18 || mm > 59) return 0;
    *off = sign * (hh * 3600 + mm * 60);
    return i;
}

/* ISO-like: YYYY[-/.]MM[-/.]DD[T or space or -]HH[:.]MM[:.]SS[frac][zone] */
static size_t parse_iso(const char *s, size_t n, ts_time_t *ret)
{
    if (n < 10 || !alldig(s, 4)) return 0;
    char sep = s[4];
    int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + dig2(s + 2), mo, d;
    size_t i;
    if (sep == '-' || sep == '/' || sep == '.') {
        if (!D(s[5]) || !D(s[6]) || s[7] != sep || !D(s[8]) || !D(s[9])) return 0;
        mo = dig2(s + 5);
        d = dig2(s + 8);
        i = 10;
    } else if (D(sep) && alldig(s + 4, 4) && n >= 15 && s[8] == 'T') {
        /* compact 20260418T100000[Z] */
        mo = dig2(s + 4);
        d = dig2(s + 6);
        if (!alldig(s + 9, 6)) return 0;
        int h = dig2(s + 9), mi = dig2(s + 11), sec = dig2(s + 13);
        i = 15;
        int64_t ns = 0, off = 0;
        i += parse_frac(s + i, n - i, &ns);
        i += parse_zone(s + i, n - i, &off, 0);
        return mk(y, mo, d, h, mi, sec, ns, off, ret) ? i : 0;
    } else
        return 0;
    if (i + 6 > n) return 0;
    char ts = s[i];
    if (ts != 'T' && ts != ' ' && ts != '-' && ts != '_' && ts != 't') return 0;
    i++;
    int h, mi, sec;
    char tsep = ':';
    if (ts == '-' && n > i + 2 && s[i + 2] == '.') tsep = '.'; /* 2005-06-03-15.42.50 */
    size_t k = parse_hms(s + i, n - i, &h, &mi, &sec, tsep);
    if (!k) return 0;
    i += k;
    int64_t ns = 0, off = 0;
    i += parse_frac(s + i, n - i, &ns);
    i += parse_zone(s + i, n - i, &off, ts != '-');
    return mk(y, mo, d, h, mi, sec, ns, off, ret) ? i : 0;
}

static int year_or_now(int year_hint)
{
    if (year_hint > 0) return year_hint;
    ts_time_t now = ts_now();
    int64_t days = now / TS_NSEC_PER_SEC / 86400;
    /* civil_from_days (Howard Hinnant) for the year only */
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    unsigned doe = (unsigned)(days - era * 146097);
    unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t y = (int64_t)yoe + era * 400;
    unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    unsigned mp = (5 * doy + 2) / 153;
    unsigned m = mp < 10 ? mp + 3 : mp - 9;
    return (int)(y + (m <= 2));
}

/* Mon DD HH:MM:SS[.frac] [YYYY] (BSD syslog; DD may be space padded). */
static size_t parse_bsd(const char *s, size_t n, int year_hint, ts_time_t *ret, int *yearless)
{
    if (n < 15 || s[3] != ' ') return 0;
    int mo = month_from(s);
    if (!mo) return 0;
    int d;
    if (s[4] == ' ' && D(s[5]))
        d = s[5] - '0';
    else if (D(s[4]) && D(s[5]))
        d = dig2(s + 4);
    else
        return 0;
    if (s[6] != ' ') return 0;
    int h, mi, sec;
    size_t k = parse_hms(s + 7, n - 7, &h, &mi, &sec, ':');
    if (k != 8) return 0;
    size_t i = 15;
    int64_t ns = 0;
    i += parse_frac(s + i, n - i, &ns);
    int y;
    /* date(1): "Sat Apr 18 10:00:00 UTC 2026" */
    if (i + 9 <= n && s[i] == ' ' &&
        (memcmp(s + i + 1, "UTC ", 4) == 0 || memcmp(s + i + 1, "GMT ", 4) == 0) &&
        alldig(s + i + 5, 4))
        i += 4;
    if (i + 5 <= n && s[i] == ' ' && alldig(s + i + 1, 4) && (i + 5 == n || !D(s[i + 5]))) {
        y = (s[i + 1] - '0') * 1000 + (s[i + 2] - '0') * 100 + dig2(s + i + 3);
        i += 5;
        *yearless = 0;
    } else {
        y = year_or_now(year_hint);
        *yearless = 1;
    }
    int64_t off = 0;
    i += parse_zone(s + i, n - i, &off, 1);
    return mk(y, mo, d, h, mi, sec, ns, off, ret) ? i : 0;
}

/* Www Mmm DD HH:MM:SS[.frac] YYYY (ctime, Apache error log) */
static size_t parse_ctime(const char *s, size_t n, ts_time_t *ret)
{
    if (n < 24 || !is_weekday(s) || s[3] != ' ') return 0;
    int yl = 0;
    ts_time_t t;
    /* reuse the syslog matcher for "Mmm DD HH:MM:SS[.frac] YYYY" */
    size_t k = parse_bsd(s + 4, n - 4, 1970, &t, &yl);
    if (!k || yl) return 0;
    *ret = t;
    return 4 + k;
}

/* Www, DD Mmm YYYY HH:MM:SS zone (RFC 2822) */
static size_t parse_rfc2822(const char *s, size_t n, ts_time_t *ret)
{
    if (n < 25 || !is_weekday(s) || s[3] != ',' || s[4] != ' ') return 0;
    size_t i = 5;
    int d;
    size_t dl = day_digits(s + i, &d);
    if (!dl) return 0;
    i += dl;
    if (s[i] != ' ' || i + 18 > n) return 0;
    int mo = month_from(s + i + 1);
    if (!mo || s[i + 4] != ' ' || !alldig(s + i + 5, 4) || s[i + 9] != ' ') return 0;
    int y = (s[i + 5] - '0') * 1000 + (s[i + 6] - '0') * 100 + dig2(s + i + 7);
    i += 10;
    int h, mi, sec;
    size_t k = parse_hms(s + i, n - i, &h, &mi, &sec, ':');
    if (!k) return 0;
    i += k;
    int64_t off = 0;
    i += parse_zone(s + i, n - i, &off, 1);
    return mk(y, mo, d, h, mi, sec, 0, off, ret) ? i : 0;
}

/* DD/Mmm/YYYY:HH:MM:SS[ zone] (Apache/nginx access log) */
static size_t parse_clf(const char *s, size_t n, ts_time_t *ret)
{
    if (n < 20 || !D(s[0]) || !D(s[1]) || s[2] != '/' || s[6] != '/' || !alldig(s + 7, 4) ||
        s[11] != ':')
        return 0;
    int mo = month_from(s + 3);
    if (!mo) return 0;
    int d = dig2(s), y = (s[7] - '0') * 1000 + (s[8] - '0') * 100 + dig2(s + 9);
    int h, mi, sec;
    size_t k = parse_hms(s + 12, n - 12, &h, &mi, &sec, ':');
    if (k != 8) return 0;
    size_t i = 20;
    int64_t ns = 0, off = 0;
    i += parse_frac(s + i, n - i, &ns);
    i += parse_zone(s + i, n - i, &off, 1);
    return mk(y, mo, d, h, mi, sec, ns, off, ret) ? i : 0;
}

/* yy/MM/dd HH:mm:ss (Spark) and yyMMdd HHmmss (HDFS) */
static size_t parse_short(const char *s, size_t n, ts_time_t *ret)
{
    int y, mo, d, h, mi, sec;
    size_t i;
    if (n >= 17 && s[2] == '/' && s[5] == '/' && D(s[0]) && D(s[1]) && D(s[3]) && D(s[4]) &&
        D(s[6]) && D(s[7]) && s[8] == ' ') {
        y = 2000 + dig2(s);
        mo = dig2(s + 3);
        d = dig2(s + 6);
        if (parse_hms(s + 9, n - 9, &h, &mi, &sec, ':') != 8) return 0;
        i = 17;
    } else if (n >= 13 && alldig(s, 6) && s[6] == ' ' && alldig(s + 7, 6) &&
               (n == 13 || !D(s[13]))) {
        y = 2000 + dig2(s);
        mo = dig2(s + 2);
        d = dig2(s + 4);
        h = dig2(s + 7);
        mi = dig2(s + 9);
        sec = dig2(s + 11);
        i = 13;
    } else if (n >= 15 && alldig(s, 6) && s[6] == ' ' &&
               ((D(s[7]) && D(s[8]) && s[9] == ':') || (s[7] == ' ' && D(s[8]) && s[9] == ':'))) {
        /* MySQL 5.x: "120818 12:34:56" / "120818  2:34:56" */
        y = 2000 + dig2(s);
        mo = dig2(s + 2);
        d = dig2(s + 4);
        h = s[7] == ' ' ? s[8] - '0' : dig2(s + 7);
        if (!D(s[10]) || !D(s[11]) || s[12] != ':' || !D(s[13]) || !D(s[14])) return 0;
        mi = dig2(s + 10);
        sec = dig2(s + 13);
        i = 15;
    } else
        return 0;
    int64_t ns = 0;
    i += parse_frac(s + i, n - i, &ns);
    return mk(y, mo, d, h, mi, sec, ns, 0, ret) ? i : 0;
}

/* DD Mmm YYYY HH:MM:SS[.frac][ zone] (Redis, RFC 2822 without weekday) and
 * DD-Mmm-YYYY HH:MM:SS[.frac] (Tomcat) */
static size_t parse_dmy_text(const char *s, size_t n, ts_time_t *ret)
{
    size_t i = 0;
    int d;
    if (n < 20 || !D(s[0])) return 0;
    if (D(s[1])) {
        d = dig2(s);
        i = 2;
    } else {
        d = s[0] - '0';
        i = 1;
    }
    char sep = s[i];
    if ((sep != ' ' && sep != '-') || i + 18 > n) return 0;
    int mo = month_from(s + i + 1);
    if (!mo || s[i + 4] != sep || !alldig(s + i + 5, 4) || s[i + 9] != ' ') return 0;
    int y = (s[i + 5] - '0') * 1000 + (s[i + 6] - '0') * 100 + dig2(s + i + 7);
    i += 10;
    int h, mi, sec;
    if (parse_hms(s + i, n - i, &h, &mi, &sec, ':') != 8) return 0;
    i += 8;
    int64_t ns = 0, off = 0;
    i += parse_frac(s + i, n - i, &ns);
    i += parse_zone(s + i, n - i, &off, 1);
    return mk(y, mo, d, h, mi, sec, ns, off, ret) ? i : 0;
}

/* Mmm DD, YYYY H:MM:SS AM|PM (java.util.logging SimpleFormatter) */
static size_t parse_jul(const char *s, size_t n, ts_time_t *ret)
{
    if (n < 22 || s[3] != ' ') return 0;
    int mo = month_from(s);
    if (!mo) return 0;
    size_t i = 4;
    int d;
    size_t dl = day_digits(s + i, &d);
    if (!dl) return 0;
    i += dl;
    if (s[i] != ',' || s[i + 1] != ' ' || i + 16 > n || !alldig(s + i + 2, 4) || s[i + 6] != ' ')
        return 0;
    int y = (s[i + 2] - '0') * 1000 + (s[i + 3] - '0') * 100 + dig2(s + i + 4);
    i += 7;
    int h;
    if (D(s[i]) && D(s[i + 1]) && s[i + 2] == ':') {
        h = dig2(s + i);
        i += 3;
    } else if (D(s[i]) && s[i + 1] == ':') {
        h = s[i] - '0';
        i += 2;
    } else
        return 0;
    if (i + 8 > n || !D(s[i]) || !D(s[i + 1]) || s[i + 2] != ':' || !D(s[i + 3]) || !D(s[i + 4]) ||
        s[i + 5] != ' ')
        return 0;
    int mi = dig2(s + i), sec = dig2(s + i + 3);
    i += 6;
    char a = (char)(s[i] | 0x20), m = (char)(s[i + 1] | 0x20);
    if ((a != 'a' && a != 'p') || m != 'm' || h < 1 || h > 12) return 0;
    if (h == 12) h = 0;
    if (a == 'p') h += 12;
    i += 2;
    return mk(y, mo, d, h, mi, sec, 0, 0, ret) ? i : 0;
}

/* klog/glog: Lmmdd hh:mm:ss.uuuuuu */
static size_t parse_klog(const char *s, size_t n, int year_hint, ts_time_t *ret)
{
    if (n < 14 || !alldig(s + 1, 4) || s[5] != ' ') return 0;
    int mo = dig2(s + 1), d = dig2(s + 3), h, mi, sec;
    if (parse_hms(s + 6, n - 6, &h, &mi, &sec, ':') != 8) return 0;
    size_t i = 14;
    int64_t ns = 0;
    i += parse_frac(s + i, n - i, &ns);
    return mk(year_or_now(year_hint), mo, d, h, mi, sec, ns, 0, ret) ? i : 0;
}

/* Epoch seconds (10 digits, optional fraction), millis (13), micros (16),
 * nanos (19); only within 2001..2100 so that ids are not taken for times. */
size_t log_parse_epoch(const char *s, size_t n, ts_time_t *ret)
{
    size_t i = 0;
    while (i < n && D(s[i]) && i < 19) i++;
    if (i < n) {
        char c = s[i];
        if (D(c) || c == '_' || c == '-' || c == ':' || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'))
            return 0;
        if ((c == '.' || c == ',') && i != 10) return 0;
    }
    uint64_t v = 0; /* at most 19 digits: fits */
    for (size_t k = 0; k < i; k++) v = v * 10 + (uint64_t)(s[k] - '0');
    const uint64_t hi_s = 4102444800ULL; /* 2100-01-01 */
    int64_t ns;
    size_t used = i;
    switch (i) {
    case 10: {
        int64_t frac = 0;
        used += parse_frac(s + i, n - i, &frac);
        if (used < n && D(s[used])) return 0;
        if (v >= hi_s) return 0;
        ns = (int64_t)v * TS_NSEC_PER_SEC + frac;
        break;
    }
    case 13:
        if (v >= hi_s * 1000) return 0;
        ns = (int64_t)v * 1000000;
        break;
    case 16:
        if (v >= hi_s * 1000000) return 0;
        ns = (int64_t)v * 1000;
        break;
    case 19:
        if (v >= hi_s * 1000000000) return 0;
        ns = (int64_t)v;
        break;
    default: return 0;
    }
    const int64_t lo = 978307200LL * TS_NSEC_PER_SEC, hi = 4102444800LL * TS_NSEC_PER_SEC;
    if (ns < lo || ns >= hi) return 0;
    *ret = ns;
    return used;
}

size_t log_parse_time_ex(const char *s, size_t n, int year_hint, ts_time_t *ret, int *ret_flags)
{
    int yl = 0;
    size_t k = 0;
    ts_time_t t = TS_TIME_NONE;
    if (ret_flags) *ret_flags = 0;
    if (!s || n < 8) return 0;
    unsigned char c = (unsigned char)s[0];
    if (D(c)) {
        if (D(s[1]) && D(s[2]) && D(s[3]) && (s[4] == '-' || s[4] == '/' || s[4] == '.' || D(s[4])))
            k = parse_iso(s, n, &t);
        if (!k) k = parse_clf(s, n, &t);
        if (!k) k = parse_short(s, n, &t);
        if (!k) k = parse_dmy_text(s, n, &t);
        /* a bare number at the start of a plain line is an epoch stamp only
         * with a fraction (squid "1776506400.123"): ids are not times */
        if (!k && n > 11 && s[10] == '.' && D(s[11])) k = log_parse_epoch(s, n, &t);
    } else if (c == '[') {
        /* bracketed forms: [ISO], [CLF], [ctime], [syslog] */
        const char *p = s + 1;
        size_t m = n - 1;
        k = D(p[0]) ? parse_iso(p, m, &t) : 0;
        if (!k && D(p[0])) k = parse_clf(p, m, &t);
        if (!k && D(p[0])) k = log_parse_epoch(p, m, &t);
        if (!k && !D(p[0])) k = parse_ctime(p, m, &t);
        if (!k && !D(p[0])) k = parse_bsd(p, m, year_hint, &t, &yl);
        if (!k) return 0;
        k++;
        if (k < n && s[k] == ']') k++;
    } else if (c == '<') {
        /* <PRI>1 ISO (RFC 5424) or <PRI>Mmm DD ... (RFC 3164) */
        size_t i = 1;
        while (i < n && i < 5 && D(s[i])) i++;
        if (i == 1 || i >= n || s[i] != '>') return 0;
        i++;
        if (i + 2 < n && D(s[i]) && s[i + 1] == ' ') {
            k = parse_iso(s + i + 2, n - i - 2, &t);
            if (k) k += i + 2;
        } else if (i < n) {
            k = parse_bsd(s + i, n - i, year_hint, &t, &yl);
            if (k) k += i;
        }
    } else if (c >= 'A' && c <= 'Z') {
        if ((c == 'I' || c == 'W' || c == 'E' || c == 'F' || c == 'D') && D(s[1]))
            k = parse_klog(s, n, year_hint, &t), yl = k ? 1 : 0;
        else if (s[3] == ' ')
            k = parse_bsd(s, n, year_hint, &t, &yl);
        if (!k && s[3] == ' ') k = parse_ctime(s, n, &t);
        if (!k && s[3] == ' ') k = parse_jul(s, n, &t);
        if (!k && s[3] == ',') k = parse_rfc2822(s, n, &t);
    }
    if (!k) return 0;
    *ret = t;
    if (ret_flags && yl) *ret_flags |= LOG_TIME_YEARLESS;
    return k;
}

size_t log_parse_time(const char *s, size_t n, int year_hint, ts_time_t *ret)
{
    return log_parse_time_ex(s, n, year_hint, ret, NULL);
}
