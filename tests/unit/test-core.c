/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/core: capped buffers, redaction, time helpers, file reads. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "core/redact.h"
#include "core/timeutil.h"

static void test_buf_cap(void **state)
{
    (void)state;
    struct buf b = BUF_INIT(10);
    assert_int_equal(buf_puts(&b, "hello"), 0);
    assert_int_equal(buf_printf(&b, "%d", 1234), 0);
    assert_string_equal(buf_str(&b), "hello1234");
    /* 9 + 2 > 10: refused, buffer unchanged */
    assert_int_equal(buf_puts(&b, "xy"), -E2BIG);
    assert_int_equal(b.len, 9);
    assert_int_equal(buf_putc(&b, '!'), 0);
    assert_string_equal(buf_str(&b), "hello1234!");
    char *s = buf_take(&b);
    assert_string_equal(s, "hello1234!");
    assert_int_equal(b.len, 0);
    assert_string_equal(buf_str(&b), "");
    free(s);
    buf_release(&b);
}

static void check_redact(const char *in, const char *want, int count)
{
    int n = -1;
    char *out = redact_dup(in, &n);
    assert_non_null(out);
    assert_string_equal(out, want);
    assert_int_equal(n, count);
    free(out);
}

static void test_redact(void **state)
{
    (void)state;
    check_redact("password=hunter2 user=bob", "password=[REDACTED] user=bob", 1);
    check_redact("{\"db_password\": \"s3cr3t\", \"x\": 1}",
                 "{\"db_password\": \"[REDACTED]\", \"x\": 1}", 1);
    check_redact("Authorization: Bearer abcdefghijklmnop123", "Authorization: Bearer [REDACTED]",
                 1);
    check_redact("GET https://admin:pa55w0rd@db.example.com/x",
                 "GET https://admin:[REDACTED]@db.example.com/x", 1);
    check_redact("key AKIAIOSFODNN7EXAMPLE here", "key [REDACTED] here", 1);
    check_redact("jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJlX2hlcmU end",
                 "jwt [REDACTED] end", 1);
    check_redact("X-Api-Key: 0123456789abcdef", "X-Api-Key: [REDACTED]", 1);
    /* Evidence stays: file names, error words, numbers. */
    check_redact("open /dev/shm/session_abc: no space left on device",
                 "open /dev/shm/session_abc: no space left on device", 0);
    check_redact("Failed password for root from 10.0.0.1 port 22",
                 "Failed password for root from 10.0.0.1 port 22", 0);
    /* Idempotent: redacting redacted text changes nothing. */
    check_redact("password=[REDACTED] Authorization: Bearer [REDACTED]",
                 "password=[REDACTED] Authorization: Bearer [REDACTED]", 0);
    check_redact("-----BEGIN RSA PRIVATE KEY-----\nMIIEow\n-----END RSA PRIVATE KEY-----\nok",
                 "[REDACTED]\nok", 1);
    /* Key words count at the end of an identifier, as a whole component. */
    check_redact("PGPASSWORD=x1 AWS_SECRET_ACCESS_KEY=abc clientSecret: q MYSQL_PWD=p",
                 "PGPASSWORD=[REDACTED] AWS_SECRET_ACCESS_KEY=[REDACTED] clientSecret: "
                 "[REDACTED] MYSQL_PWD=[REDACTED]",
                 4);
    check_redact("db.password2=z refresh-token: t",
                 "db.password2=[REDACTED] refresh-token: [REDACTED]", 2);
    /* ... and not inside one: counts, paths and flags are evidence. */
    check_redact("max_tokens=5 password_file=/etc/pw PWD=/root signature_valid=false",
                 "max_tokens=5 password_file=/etc/pw PWD=/root signature_valid=false", 0);
    check_redact("cookies_enabled=true sass_version=1.2 tokenizer=bpe",
                 "cookies_enabled=true sass_version=1.2 tokenizer=bpe", 0);
    /* A Cookie header is one secret to the end of the line. */
    check_redact("Cookie: sid=abc; csrf=def\nnext", "Cookie: [REDACTED]\nnext", 1);
    /* printed objects are not secrets; a bracketed value without structure is */
    check_redact("token=Token{type=IDENT} at 3", "token=Token{type=IDENT} at 3", 0);
    check_redact("wtoken = AppWindowToken{5f3a2 token=android.os.BinderProxy@1}",
                 "wtoken = AppWindowToken{5f3a2 token=android.os.BinderProxy@1}", 0);
    check_redact("token: Token { kind: Ident }", "token: Token { kind: Ident }", 0);
    check_redact("password=Secret{123} x", "password=[REDACTED]} x", 1);
    check_redact("password=Hunter2{a b} x", "password=[REDACTED] b} x", 1);
    check_redact("password=Abc {x}", "password=[REDACTED] {x}", 1);
    check_redact("token=<*> wtoken=Token{<*>} token=<*>x",
                 "token=<*> wtoken=Token{<*>} token=[REDACTED]", 1);
    check_redact("token=a.b.C@1f0e token=ab.cd.e@zz", "token=a.b.C@1f0e token=[REDACTED]", 1);
}

static void test_time(void **state)
{
    (void)state;
    char b[64];
    assert_int_equal(ts_days_from_civil(1970, 1, 1), 0);
    assert_int_equal(ts_days_from_civil(2000, 3, 1), 11017);
    ts_time_t t = (ts_days_from_civil(2026, 4, 18) * 86400 + 36000) * TS_NSEC_PER_SEC + 123000000;
    assert_string_equal(ts_format(t, 1, b, sizeof b), "2026-04-18T10:00:00.123Z");
    assert_string_equal(ts_format(t, 0, b, sizeof b), "2026-04-18T10:00:00Z");
    int64_t d;
    assert_int_equal(ts_parse_duration("1h30m", &d), 0);
    assert_true(d == 5400 * TS_NSEC_PER_SEC);
    assert_int_equal(ts_parse_duration("2h", &d), 0);
    assert_true(d == 7200 * TS_NSEC_PER_SEC);
    assert_int_equal(ts_parse_duration("h", &d), -EINVAL);
    assert_int_equal(ts_parse_duration("", &d), -EINVAL);
    assert_string_equal(ts_format_duration(90061 * TS_NSEC_PER_SEC, b, sizeof b), "1d1h");
}

static void test_read_file_cap(void **state)
{
    (void)state;
    char path[] = "/tmp/tshoot-test-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write_all(fd, "0123456789", 10), 0);
    close(fd);
    char *s = NULL;
    size_t n = 0;
    assert_int_equal(read_file(path, 100, &s, &n), 0);
    assert_int_equal(n, 10);
    assert_string_equal(s, "0123456789");
    free(s);
    assert_int_equal(read_file(path, 4, &s, &n), -EFBIG);
    assert_int_equal(n, 4);
    assert_string_equal(s, "0123");
    free(s);
    unlink(path);
    assert_int_equal(read_file("/nonexistent/x", 10, &s, &n), -ENOENT);
    assert_null(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_buf_cap),
        cmocka_unit_test(test_redact),
        cmocka_unit_test(test_time),
        cmocka_unit_test(test_read_file_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
