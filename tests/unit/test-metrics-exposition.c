/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/metrics/exposition: names, escaping, values, caps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <string.h>

#include "metrics/exposition.h"

static void test_names(void **state)
{
    (void)state;
    assert_true(prom_valid_metric_name("tshoot_fs_size_bytes"));
    assert_true(prom_valid_metric_name("job:rate5m"));
    assert_false(prom_valid_metric_name("9lives"));
    assert_false(prom_valid_metric_name("a-b"));
    assert_false(prom_valid_metric_name(""));
    assert_true(prom_valid_label_name("mountpoint"));
    assert_false(prom_valid_label_name("__name__"));
    assert_false(prom_valid_label_name("a:b"));
}

static void test_escaping(void **state)
{
    (void)state;
    struct buf b = BUF_INIT(4096);
    assert_int_equal(prom_family(&b, "x_total", "counter", "Line one\nback\\slash \"q\""), 0);
    struct prom_label l[] = {
        { "mountpoint", "/mnt/we\"ird\\path\nx" },
        { "pod", NULL }, /* skipped */
        { "fstype", "" },
    };
    assert_int_equal(prom_sample(&b, "x_total", l, 3, 42), 0);
    assert_string_equal(buf_str(&b),
                        "# HELP x_total Line one\\nback\\\\slash \"q\"\n"
                        "# TYPE x_total counter\n"
                        "x_total{mountpoint=\"/mnt/we\\\"ird\\\\path\\nx\",fstype=\"\"} 42\n");
    buf_reset(&b);
    /* no labels at all: no braces */
    assert_int_equal(prom_sample(&b, "up", l + 1, 1, 1), 0);
    assert_string_equal(buf_str(&b), "up 1\n");
    /* bad names are refused and nothing is written */
    buf_reset(&b);
    struct prom_label bad[] = { { "bad-label", "v" } };
    assert_int_equal(prom_sample(&b, "ok_name", bad, 1, 1), -EINVAL);
    assert_int_equal(prom_sample(&b, "bad name", NULL, 0, 1), -EINVAL);
    assert_int_equal(prom_family(&b, "bad name", "gauge", "x"), -EINVAL);
    assert_int_equal(b.len, 0);
    buf_release(&b);
}

static void test_values(void **state)
{
    (void)state;
    char v[40];
    assert_string_equal(prom_format_value(NAN, v, sizeof v), "NaN");
    assert_string_equal(prom_format_value(INFINITY, v, sizeof v), "+Inf");
    assert_string_equal(prom_format_value(-INFINITY, v, sizeof v), "-Inf");
    assert_string_equal(prom_format_value(67108864, v, sizeof v), "67108864");
    assert_string_equal(prom_format_value(-3, v, sizeof v), "-3");
    assert_string_equal(prom_format_value(0.1, v, sizeof v), "0.1");
    assert_string_equal(prom_format_value(1.0 / 3, v, sizeof v), "0.3333333333333333");
    assert_true(strtod(prom_format_value(1e300, v, sizeof v), NULL) == 1e300);
}

/* A line that does not fit leaves the buffer as it was (no half line). */
static void test_cap(void **state)
{
    (void)state;
    struct buf b = BUF_INIT(64);
    struct prom_label l[] = { { "a", "0123456789012345678901234567890123456789" } };
    assert_int_equal(prom_sample(&b, "m", l, 1, 1), 0);
    size_t len = b.len;
    assert_int_equal(prom_sample(&b, "m", l, 1, 2), -E2BIG);
    assert_int_equal(b.len, len);
    assert_int_equal(strlen(buf_str(&b)), len);
    buf_release(&b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_values),
        cmocka_unit_test(test_cap),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
