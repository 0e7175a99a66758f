/* SPDX-License-Identifier: MIT */
/* Unit tests for log_parse_time(): every supported form, zones, year hints, garbage. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "logs/logs.h"

/* Independent reference: seconds since epoch of a UTC civil time via timegm(3). */
#include <time.h>
static ts_time_t ref(int y, int mo, int d, int h, int mi, int s, long ns)
{
    struct tm tm = {
        .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s
    };
    return (ts_time_t)timegm(&tm) * TS_NSEC_PER_SEC + ns;
}

static void expect(const char *s, int year_hint, size_t consumed, ts_time_t want)
{
    ts_time_t t = 0;
    size_t k = log_parse_time(s, strlen(s), year_hint, &t);
    if (k != consumed || t != want)
        fail_msg("'%s': consumed %zu (want %zu), time %lld (want %lld)", s, k, consumed,
                 (long long)t, (long long)want);
}

static void expect_none(const char *s)
{
    ts_time_t t = 12345;
    size_t k = log_parse_time(s, strlen(s), 2026, &t);
    if (k != 0) fail_msg("'%s' should not parse, consumed %zu", s, k);
    assert_int_equal(t, 12345); /* untouched */
}

static void test_rfc3339(void **state)
{
    (void)state;
    ts_time_t base = ref(2026, 4, 18, 10, 0, 0, 0);
    expect("2026-04-18T10:00:00Z rest", 0, 20, base);
    expect("2026-04-18T10:00:00z", 0, 20, base);
    expect("2026-04-18T10:00:00.123Z x", 0, 24, base + 123000000);
    expect("2026-04-18T10:00:00.123456789Z", 0, 30, base + 123456789);
    expect("2026-04-18T10:00:00.1234567891Z", 0, 31, base + 123456789); /* >9 digits cut */
    expect("2026-04-18T12:00:00+02:00 x", 0, 25, base);
    expect("2026-04-18T05:30:00-04:30", 0, 25, base);
    expect("2026-04-18T10:00:00 msg", 0, 19, base);                    /* no zone: UTC */
    expect("2026-04-18T10:00 msg", 0, 16, base);                       /* no seconds */
    expect("2026-04-18T10:00:00.123+0000 x", 0, 28, base + 123000000); /* Java */
    expect("2026-04-18T11:00:00+01 x", 0, 22, base);
}

static void test_space_forms(void **state)
{
    (void)state;
    ts_time_t base = ref(2026, 4, 18, 10, 0, 0, 0);
    expect("2026-04-18 10:00:00 x", 0, 19, base);
    expect("2026-04-18 10:00:00,123 INFO x", 0, 23, base + 123000000);      /* log4j, python */
    expect("2026-04-18 10:00:00.123 UTC [1] LOG", 0, 27, base + 123000000); /* postgres */
    expect("2026-04-18 12:00:00.123 +02:00 x", 0, 30, base + 123000000);
    expect("2026-04-18 10:00:00 GMT x", 0, 23, base);
    expect("2026-04-18 12:00:00 +0200 x", 0, 25, base);
    /* " - INFO" after the stamp is not a zone */
    expect("2026-04-18 10:00:00,747 - INFO  [x]", 0, 23, base + 747000000);
    expect("2026/04/18 10:00:00 x", 0, 19, base);                 /* Go */
    expect("2026/04/18 10:00:00.000123 x", 0, 26, base + 123000); /* Go micro */
    expect("20260418T100000Z x", 0, 16, base);                    /* compact */
    expect("2005-06-03-15.42.50.675872 R02", 0, 26, ref(2005, 6, 3, 15, 42, 50, 675872000));
}

static void test_syslog(void **state)
{
    (void)state;
    expect("Apr 18 10:00:00 host app[1]: x", 2026, 15, ref(2026, 4, 18, 10, 0, 0, 0));
    expect("Apr 18 10:00:00 host", 2019, 15, ref(2019, 4, 18, 10, 0, 0, 0));
    expect("Apr  8 10:00:00 host", 2026, 15, ref(2026, 4, 8, 10, 0, 0, 0));
    expect("Dec 10 06:55:46 LabSZ sshd[24200]: x", 2015, 15, ref(2015, 12, 10, 6, 55, 46, 0));
    expect("Apr 18 10:00:00.123 host", 2026, 19, ref(2026, 4, 18, 10, 0, 0, 123000000));
    /* RFC 5424 and 3164 with priority */
    expect("<34>1 2026-04-18T10:00:00.003Z host app - - - msg", 0, 30,
           ref(2026, 4, 18, 10, 0, 0, 3000000));
    expect("<13>Apr 18 10:00:00 host x", 2026, 19, ref(2026, 4, 18, 10, 0, 0, 0));
    /* year-less flag */
    ts_time_t t;
    int fl = 0;
    assert_int_equal(log_parse_time_ex("Apr 18 10:00:00 h", 17, 2026, &t, &fl), 15);
    assert_true(fl & LOG_TIME_YEARLESS);
    assert_int_equal(log_parse_time_ex("2026-04-18T10:00:00Z", 20, 2026, &t, &fl), 20);
    assert_false(fl & LOG_TIME_YEARLESS);
    /* Feb 29 only in leap years */
    expect("Feb 29 10:00:00 h", 2024, 15, ref(2024, 2, 29, 10, 0, 0, 0));
    expect_none("Feb 29 10:00:00 h"); /* hint 2026 is not a leap year */
}

static void test_web(void **state)
{
    (void)state;
    ts_time_t base = ref(2026, 4, 18, 10, 0, 0, 0);
    expect("[18/Apr/2026:10:00:00 +0000] \"GET /", 0, 28, base);
    expect("18/Apr/2026:12:00:00 +0200 x", 0, 26, base);
    expect("[Sat Apr 18 10:00:00.123456 2026] [error] x", 0, 33, base + 123456000);
    expect("[Sun Dec 04 04:47:44 2005] [notice] x", 0, 26, ref(2005, 12, 4, 4, 47, 44, 0));
    expect("Sun Dec 04 04:47:44 2005 x", 0, 24, ref(2005, 12, 4, 4, 47, 44, 0));
    expect("Sat, 18 Apr 2026 10:00:00 +0000 x", 0, 31, base);
    expect("[2026-04-18T10:00:00Z] x", 0, 22, base);
    expect("[2026-04-18 10:00:00,5] x", 0, 23, base + 500000000);
}

static void test_app_forms(void **state)
{
    (void)state;
    expect("I0418 10:00:00.123456    1 main.go:1] x", 2026, 21,
           ref(2026, 4, 18, 10, 0, 0, 123456000));
    expect("E0102 03:04:05.000001 x", 2020, 21, ref(2020, 1, 2, 3, 4, 5, 1000));
    expect("17/06/09 20:10:40 INFO x", 0, 17, ref(2017, 6, 9, 20, 10, 40, 0));
    expect("081109 203615 148 INFO x", 0, 13, ref(2008, 11, 9, 20, 36, 15, 0));
    expect("120818 12:34:56 [Note] x", 0, 15, ref(2012, 8, 18, 12, 34, 56, 0)); /* MySQL */
    expect("120818  2:34:56 [Note] x", 0, 15, ref(2012, 8, 18, 2, 34, 56, 0));
    expect("18 Apr 2026 10:00:00.123 * Ready", 0, 24, ref(2026, 4, 18, 10, 0, 0, 123000000));
    expect("8 Apr 2026 10:00:00 +0200 x", 0, 25, ref(2026, 4, 8, 8, 0, 0, 0));
    expect("18-Apr-2026 10:00:00.123 INFO [main] x", 0, 24, ref(2026, 4, 18, 10, 0, 0, 123000000));
    expect("Apr 18, 2026 1:05:09 PM org.Foo main", 0, 23, ref(2026, 4, 18, 13, 5, 9, 0));
    expect("Apr 8, 2026 12:05:09 AM x", 0, 23, ref(2026, 4, 8, 0, 5, 9, 0));
    expect("Sat Apr 18 10:00:00 UTC 2026 x", 0, 28, ref(2026, 4, 18, 10, 0, 0, 0)); /* date(1) */
    expect_none("Apr 18, 2026 13:05:09 PM x");
    expect_none("1 for block blk_1 of size 67108864");
}

static void expect_epoch(const char *s, size_t consumed, ts_time_t want)
{
    ts_time_t t = 0;
    size_t k = log_parse_epoch(s, strlen(s), &t);
    if (k != consumed || (k && t != want))
        fail_msg("epoch '%s': consumed %zu (want %zu), time %lld (want %lld)", s, k, consumed,
                 (long long)t, (long long)want);
}

static void test_epoch(void **state)
{
    (void)state;
    ts_time_t base = ref(2026, 4, 18, 10, 0, 0, 0);
    char s[64];
    /* JSON-field epochs: seconds, fraction, millis, micros, nanos */
    snprintf(s, sizeof(s), "%lld", (long long)(base / TS_NSEC_PER_SEC));
    expect_epoch(s, 10, base);
    snprintf(s, sizeof(s), "%lld.25", (long long)(base / TS_NSEC_PER_SEC));
    expect_epoch(s, 13, base + 250000000);
    snprintf(s, sizeof(s), "%lld", (long long)(base / 1000000));
    expect_epoch(s, 13, base);
    snprintf(s, sizeof(s), "%lld", (long long)(base / 1000));
    expect_epoch(s, 16, base);
    snprintf(s, sizeof(s), "%lld", (long long)base);
    expect_epoch(s, 19, base);
    /* ids are not times: wrong digit count, out of range, glued letters */
    expect_epoch("123456789", 0, 0);
    expect_epoch("12345678901", 0, 0);
    expect_epoch("9999999999", 0, 0); /* year 2286 */
    expect_epoch("99999999999999999999", 0, 0);
    expect_epoch("1776506400abc", 0, 0);
    /* at the start of a plain line only the squid form (with a fraction) is a time */
    snprintf(s, sizeof(s), "%lld.123 x", (long long)(base / TS_NSEC_PER_SEC));
    expect(s, 0, 14, base + 123000000);
    snprintf(s, sizeof(s), "%lld x", (long long)(base / TS_NSEC_PER_SEC));
    expect_none(s);
    expect_none("134681 node-246 unix.hw");
}

static void test_garbage(void **state)
{
    (void)state;
    expect_none("");
    expect_none("hello world this is text");
    expect_none("2026-13-18T10:00:00Z");
    expect_none("2026-02-30T10:00:00Z");
    expect_none("2026-04-18T25:00:00Z");
    expect_none("2026-04-18T10:61:00Z");
    expect_none("2026-04-18");
    expect_none("Foo 18 10:00:00 host");
    expect_none("Apr 32 10:00:00 host");
    expect_none("[notice] x y z w v u");
    expect_none("<34>garbage here okay");
    expect_none("[18/Xyz/2026:10:00:00 +0000]");
    expect_none("99/99/99 99:99:99 xx");
    /* truncated prefixes of valid stamps never read past n */
    const char *full = "2026-04-18T10:00:00.123+02:00";
    for (size_t n = 0; n < strlen(full); n++) {
        ts_time_t t;
        size_t k = log_parse_time(full, n, 0, &t);
        assert_true(k <= n);
    }
    const char *full2 = "[Sat Apr 18 10:00:00.123456 2026]";
    for (size_t n = 0; n < strlen(full2); n++) {
        ts_time_t t;
        assert_true(log_parse_time(full2, n, 0, &t) <= n);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc3339),   cmocka_unit_test(test_space_forms),
        cmocka_unit_test(test_syslog),    cmocka_unit_test(test_web),
        cmocka_unit_test(test_app_forms), cmocka_unit_test(test_epoch),
        cmocka_unit_test(test_garbage),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
