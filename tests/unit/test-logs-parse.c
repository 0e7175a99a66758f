/* SPDX-License-Identifier: MIT */
/* Unit tests for log_parse_line(): JSON, docker json-file, CRI, logfmt, plain text
 * with levels, syslog headers; level words and inference. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "logs/logs.h"

static ts_time_t ref(int y, int mo, int d, int h, int mi, int s, long ns)
{
    struct tm tm = {
        .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h, .tm_min = mi, .tm_sec = s
    };
    return (ts_time_t)timegm(&tm) * TS_NSEC_PER_SEC + ns;
}

static char scratch[4096];

static struct log_record parse(const char *line)
{
    struct log_record r = { .source = "src.log", .lineno = 7 };
    log_parse_line(line, strlen(line), 2026, scratch, sizeof(scratch), &r);
    assert_string_equal(r.source, "src.log");
    assert_int_equal(r.lineno, 7);
    return r;
}

#define assert_msg(r, want)                                                                        \
    do {                                                                                           \
        if ((r).msg_len != strlen(want) || memcmp((r).msg, (want), (r).msg_len) != 0)              \
            fail_msg("msg '%.*s', want '%s'", (int)(r).msg_len, (r).msg, (want));                  \
    } while (0)
#define assert_err(r, want)                                                                        \
    do {                                                                                           \
        assert_non_null((r).err);                                                                  \
        if ((r).err_len != strlen(want) || memcmp((r).err, (want), (r).err_len) != 0)              \
            fail_msg("err '%.*s', want '%s'", (int)(r).err_len, (r).err, (want));                  \
    } while (0)

static void test_json(void **state)
{
    (void)state;
    struct log_record r = parse("{\"time\":\"2026-04-18T10:00:00Z\",\"level\":\"error\","
                                "\"msg\":\"disk \\\"full\\\"\\n\",\"err\":\"ENOSPC\"}");
    assert_int_equal(r.format, LOG_FORMAT_JSON);
    assert_int_equal(r.level, LOG_LEVEL_ERROR);
    assert_int_equal(r.time, ref(2026, 4, 18, 10, 0, 0, 0));
    assert_msg(r, "disk \"full\"\n");
    assert_err(r, "ENOSPC");

    /* message/severity/@timestamp, nested objects skipped, epoch millis */
    r = parse("{\"@timestamp\": 1776506400123, \"ctx\": {\"msg\": \"inner\", \"a\": [1, {\"b\": "
              "\"}\"}]}, \"severity\": \"WARNING\", \"message\": \"outer\"}");
    assert_int_equal(r.format, LOG_FORMAT_JSON);
    assert_int_equal(r.level, LOG_LEVEL_WARN);
    assert_int_equal(r.time, ref(2026, 4, 18, 10, 0, 0, 123000000));
    assert_msg(r, "outer");
    assert_null(r.err);

    /* bunyan numeric level, ts in float seconds, \u escapes incl. a surrogate pair */
    r = parse("{\"level\":50,\"ts\":1776506400.5,\"msg\":\"caf\\u00e9 \\ud83d\\ude00\"}");
    assert_int_equal(r.level, LOG_LEVEL_ERROR);
    assert_int_equal(r.time, ref(2026, 4, 18, 10, 0, 0, 500000000));
    assert_msg(r, "caf\xc3\xa9 \xf0\x9f\x98\x80");

    /* "event" is a message when nothing better exists; error as an object stays raw */
    r = parse("{\"event\":\"login failed\",\"lvl\":\"crit\",\"error\":{\"code\":28}}");
    assert_msg(r, "login failed");
    assert_int_equal(r.level, LOG_LEVEL_CRIT);
    assert_err(r, "{\"code\":28}");

    /* no message field: the whole line */
    r = parse("{\"a\":1}");
    assert_int_equal(r.format, LOG_FORMAT_JSON);
    assert_msg(r, "{\"a\":1}");

    /* broken JSON falls back to plain text, never fails */
    r = parse("{\"msg\":\"unterminated");
    assert_int_equal(r.format, LOG_FORMAT_PLAIN);
    assert_msg(r, "{\"msg\":\"unterminated");
    assert_int_equal(r.time, TS_TIME_NONE);

    /* tiny scratch: escaped text is returned raw instead of overflowing */
    struct log_record t = { 0 };
    char small[4];
    const char *l = "{\"msg\":\"a\\nbcdef\"}";
    log_parse_line(l, strlen(l), 2026, small, sizeof(small), &t);
    assert_msg(t, "a\\nbcdef");
}

static void test_docker_cri(void **state)
{
    (void)state;
    struct log_record r = parse("{\"log\":\"2026-04-18 10:00:00,123 ERROR boom\\n\",\"stream\":"
                                "\"stderr\",\"time\":\"2026-04-18T10:00:01.5Z\"}");
    assert_int_equal(r.format, LOG_FORMAT_DOCKER);
    assert_int_equal(r.level, LOG_LEVEL_ERROR);
    assert_int_equal(r.time, ref(2026, 4, 18, 10, 0, 0, 123000000)); /* the app's own stamp */
    assert_msg(r, "boom");
    /* payload without a stamp takes docker's time; JSON payload is parsed */
    r = parse("{\"log\":\"{\\\"level\\\":\\\"warn\\\",\\\"msg\\\":\\\"slow\\\"}\\n\",\"stream\":"
              "\"stdout\",\"time\":\"2026-04-18T10:00:01.5Z\"}");
    assert_int_equal(r.format, LOG_FORMAT_DOCKER);
    assert_int_equal(r.level, LOG_LEVEL_WARN);
    assert_int_equal(r.time, ref(2026, 4, 18, 10, 0, 1, 500000000));
    assert_msg(r, "slow");

    r = parse("2026-04-18T10:00:00.123456789Z stdout F level=error msg=\"x y\" err=EIO");
    assert_int_equal(r.format, LOG_FORMAT_CRI);
    assert_int_equal(r.level, LOG_LEVEL_ERROR);
    assert_int_equal(r.time, ref(2026, 4, 18, 10, 0, 0, 123456789));
    assert_msg(r, "x y");
    assert_err(r, "EIO");
    r = parse("2026-04-18T10:00:00.123456789Z stderr P partial line here");
    assert_int_equal(r.format, LOG_FORMAT_CRI);
    assert_msg(r, "partial line here");
}

static void test_logfmt(void **state)
{
    (void)state;
    struct log_record r =
        parse("time=2026-04-18T10:00:00Z level=warn msg=\"retrying in \\\"5s\\\"\""
              " err=\"connection refused\" attempt=3");
    assert_int_equal(r.format, LOG_FORMAT_LOGFMT);
    assert_int_equal(r.level, LOG_LEVEL_WARN);
    assert_int_equal(r.time, ref(2026, 4, 18, 10, 0, 0, 0));
    assert_msg(r, "retrying in \"5s\"");
    assert_err(r, "connection refused");
    r = parse("ts=2026-04-18T10:00:00Z lvl=info component=db");
    assert_int_equal(r.format, LOG_FORMAT_LOGFMT);
    assert_int_equal(r.level, LOG_LEVEL_INFO);
    assert_msg(r, "ts=2026-04-18T10:00:00Z lvl=info component=db");
    /* one pair is not logfmt; a leading level= still gives the level */
    r = parse("level=error something broke");
    assert_int_equal(r.format, LOG_FORMAT_PLAIN);
    assert_int_equal(r.level, LOG_LEVEL_ERROR);
    assert_msg(r, "something broke");
}

static void test_plain(void **state)
{
    (void)state;
    struct log_record r = parse("2026-04-18 10:00:00,123 ERROR [main] Foo: bar");
    assert_int_equal(r.format, LOG_FORMAT_PLAIN);
    assert_int_equal(r.level, LOG_LEVEL_ERROR);
    assert_int_equal(r.time, ref(2026, 4, 18, 10, 0, 0, 123000000));
    assert_msg(r, "[main] Foo: bar");

    r = parse("[Sun Dec 04 04:47:44 2005] [error] mod_jk child workerEnv in error state 6");
    assert_int_equal(r.level, LOG_LEVEL_ERROR);
    assert_msg(r, "mod_jk child workerEnv in error state 6");

    r = parse("Apr 18 10:00:00 host sshd[123]: Failed password for root");
    assert_int_equal(r.time, ref(2026, 4, 18, 10, 0, 0, 0));
    assert_true(r.yearless);
    assert_int_equal(r.level, LOG_LEVEL_UNKNOWN);
    assert_msg(r, "Failed password for root");
    r = parse("Jun 14 15:16:01 combo sshd(pam_unix)[19939]: authentication failure; x");
    assert_msg(r, "authentication failure; x");

    r = parse("<34>1 2026-04-18T10:00:00.003Z host app 123 ID47 - disk full");
    assert_int_equal(r.level, LOG_LEVEL_CRIT); /* PRI 34: severity 2 */
    assert_msg(r, "disk full");
    r = parse("<11>1 2026-04-18T10:00:00Z host app - - [x@1 a=\"b\"] boom");
    assert_int_equal(r.level, LOG_LEVEL_ERROR);
    assert_msg(r, "boom");

    r = parse("E0418 10:00:00.123456    1234 main.go:42] boom happened");
    assert_int_equal(r.level, LOG_LEVEL_ERROR);
    assert_msg(r, "boom happened");

    r = parse("081109 203615 148 INFO dfs.DataNode$PacketResponder: PacketResponder 1");
    assert_int_equal(r.level, LOG_LEVEL_INFO);
    assert_msg(r, "dfs.DataNode$PacketResponder: PacketResponder 1");

    r = parse("2015-07-29 17:41:44,747 - WARN  [QuorumPeer[myid=1]:Learner@233] - Unexpected");
    assert_int_equal(r.level, LOG_LEVEL_WARN);
    assert_msg(r, "[QuorumPeer[myid=1]:Learner@233] - Unexpected");

    r = parse("17/06/09 20:10:40 INFO executor.Backend: Registered");
    assert_int_equal(r.level, LOG_LEVEL_INFO);
    assert_msg(r, "executor.Backend: Registered");

    r = parse("2026/04/18 10:00:00 [error] 12#12: *1 open() failed");
    assert_int_equal(r.level, LOG_LEVEL_ERROR);
    assert_msg(r, "12#12: *1 open() failed");

    /* one prefix token before the stamp (kubectl --prefix, concatenated files) */
    r = parse("[pod/web-1/app] 2026-04-18T10:00:00Z ERROR upstream down");
    assert_int_equal(r.time, ref(2026, 4, 18, 10, 0, 0, 0));
    assert_int_equal(r.level, LOG_LEVEL_ERROR);
    assert_msg(r, "upstream down");
    r = parse("api.log.1 2026-04-18 10:00:00.008 25746 INFO wsgi.server GET /v2");
    assert_int_equal(r.time, ref(2026, 4, 18, 10, 0, 0, 8000000));
    assert_int_equal(r.level, LOG_LEVEL_INFO);
    assert_msg(r, "wsgi.server GET /v2");
    r = parse("PacketResponder 1 for block blk_38865049064139660 terminating");
    assert_int_equal(r.time, TS_TIME_NONE);
    assert_msg(r, "PacketResponder 1 for block blk_38865049064139660 terminating");

    /* untimed lines: a level must come first */
    r = parse("ERROR: disk full");
    assert_int_equal(r.level, LOG_LEVEL_ERROR);
    assert_msg(r, "disk full");
    r = parse("warning: deprecated flag");
    assert_int_equal(r.level, LOG_LEVEL_WARN);
    assert_msg(r, "deprecated flag");
    r = parse("Error in module foo");
    assert_int_equal(r.level, LOG_LEVEL_UNKNOWN);
    r = parse("the ERROR word later does not count");
    assert_int_equal(r.level, LOG_LEVEL_UNKNOWN);
    assert_msg(r, "the ERROR word later does not count");

    /* invalid UTF-8 and control bytes pass through as bytes */
    r = parse("\xff\xfe\x01 ERROR x");
    assert_msg(r, "\xff\xfe\x01 ERROR x");
    r = parse("");
    assert_int_equal(r.msg_len, 0);
    assert_int_equal(r.time, TS_TIME_NONE);
    struct log_record z = { 0 };
    log_parse_line(NULL, 0, 0, NULL, 0, &z);
    assert_int_equal(z.msg_len, 0);
}

static void test_levels(void **state)
{
    (void)state;
    assert_int_equal(log_level_parse("E", 1), LOG_LEVEL_ERROR);
    assert_int_equal(log_level_parse("ERR", 3), LOG_LEVEL_ERROR);
    assert_int_equal(log_level_parse("Warning", 7), LOG_LEVEL_WARN);
    assert_int_equal(log_level_parse("FATAL", 5), LOG_LEVEL_CRIT);
    assert_int_equal(log_level_parse("3", 1), LOG_LEVEL_ERROR);
    assert_int_equal(log_level_parse("notice", 6), LOG_LEVEL_NOTICE);
    assert_int_equal(log_level_parse("errors", 6), LOG_LEVEL_UNKNOWN);
    assert_int_equal(log_level_parse("in", 2), LOG_LEVEL_UNKNOWN);
    assert_int_equal(log_level_parse("informational", 13), LOG_LEVEL_INFO);
    assert_int_equal(log_level_parse("informationalx", 14), LOG_LEVEL_UNKNOWN);
    assert_int_equal(log_level_from_number(60), LOG_LEVEL_CRIT);
    assert_int_equal(log_level_from_number(6), LOG_LEVEL_INFO);
    assert_int_equal(log_level_from_number(99), LOG_LEVEL_UNKNOWN);
    assert_string_equal(log_level_name(LOG_LEVEL_WARN), "warn");
    assert_string_equal(log_level_name((enum log_level)99), "unknown");

    const char *m = "open /dev/shm/session_x: no space left on device";
    assert_int_equal(log_level_infer(m, strlen(m)), LOG_LEVEL_ERROR);
    m = "Connection timed out";
    assert_int_equal(log_level_infer(m, strlen(m)), LOG_LEVEL_ERROR);
    m = "kernel: Out of memory: Killed process 123";
    assert_int_equal(log_level_infer(m, strlen(m)), LOG_LEVEL_CRIT);
    m = "request served in 3ms";
    assert_int_equal(log_level_infer(m, strlen(m)), LOG_LEVEL_UNKNOWN);
    m = "terror room bloom"; /* words must start there */
    assert_int_equal(log_level_infer(m, strlen(m)), LOG_LEVEL_UNKNOWN);
    m = "retrying";
    assert_int_equal(log_level_infer(m, strlen(m)), LOG_LEVEL_WARN);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_json),   cmocka_unit_test(test_docker_cri),
        cmocka_unit_test(test_logfmt), cmocka_unit_test(test_plain),
        cmocka_unit_test(test_levels),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
