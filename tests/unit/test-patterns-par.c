/* SPDX-License-Identifier: MIT */
/* Unit tests for miner_absorb (lib/logs/miner): merging the miners of
 * several worker threads gives what one miner fed all the lines finds. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logs/miner.h"

static uint32_t add(struct miner *m, const char *s, ts_time_t t, const char *src)
{
    uint32_t id = UINT32_MAX;
    assert_int_equal(miner_add(m, s, strlen(s), t, src, &id), 0);
    return id;
}

static int cmp_str(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* "count template" lines of the live templates, sorted, in one string. */
static char *summary(struct miner *m)
{
    size_t n = 0;
    char **rows = NULL;
    for (size_t i = 0;; i++) {
        struct miner_template t;
        int r = miner_template_at(m, i, &t);
        if (r == -ENOENT) break;
        if (r != 1) continue;
        rows = realloc(rows, (n + 1) * sizeof(*rows));
        assert_non_null(rows);
        assert_true(
            asprintf(&rows[n], "%llu %.*s", (unsigned long long)t.count, (int)t.len, t.text) > 0);
        n++;
    }
    qsort(rows, n, sizeof(*rows), cmp_str);
    size_t len = 1;
    for (size_t i = 0; i < n; i++) len += strlen(rows[i]) + 1;
    char *out = calloc(1, len);
    assert_non_null(out);
    for (size_t i = 0; i < n; i++) {
        strcat(out, rows[i]);
        strcat(out, "\n");
        free(rows[i]);
    }
    free(rows);
    return out;
}

static const char *const part_a[] = {
    "node state changed to RUNNING",
    "node state changed to PENDING",
    "Accepted password for alice from 10.0.0.1 port 22",
    "node state changed to FAILED",
    "cache sessions hit",
    "Accepted password for bob from 10.0.0.2 port 22",
    "disk sda 90% full",
};
static const char *const part_b[] = {
    "node state changed to STOPPED",
    "Accepted password for carol from 10.0.0.3 port 22",
    "node state changed to UNKNOWN",
    "cache tokens hit",
    "Accepted password for dave from 10.0.0.4 port 22",
    "only in b: 1 thing",
    "node state changed to DRAINING",
};
#define NA (sizeof(part_a) / sizeof(*part_a))
#define NB (sizeof(part_b) / sizeof(*part_b))

/* Values that only show as variables across the two parts: absorbing b's
 * miner into a's gives one miner's templates, and b's ids map to them. */
static void test_absorb_equals_one_miner(void **state)
{
    (void)state;
    struct miner *one = NULL, *a = NULL, *b = NULL;
    assert_int_equal(miner_new(NULL, &one), 0);
    assert_int_equal(miner_new(NULL, &a), 0);
    assert_int_equal(miner_new(NULL, &b), 0);
    uint32_t ids_one[NA + NB], ids_b[NB];
    for (size_t i = 0; i < NA; i++) {
        ids_one[i] = add(one, part_a[i], TS_TIME_NONE, NULL);
        add(a, part_a[i], TS_TIME_NONE, NULL);
    }
    for (size_t i = 0; i < NB; i++) {
        ids_one[NA + i] = add(one, part_b[i], TS_TIME_NONE, NULL);
        ids_b[i] = add(b, part_b[i], TS_TIME_NONE, NULL);
    }
    /* neither part alone sees the state or the user as a variable */
    char *sa = summary(a);
    assert_null(strstr(sa, "changed to <*>"));
    free(sa);

    uint32_t *map = malloc(miner_slots(b) * sizeof(uint32_t));
    assert_non_null(map);
    assert_int_equal(miner_absorb(a, b, map), 0);
    char *s1 = summary(one), *s2 = summary(a);
    assert_string_equal(s1, s2);
    assert_non_null(strstr(s2, "6 node state changed to <*>\n"));
    assert_non_null(strstr(s2, "4 Accepted password for <*> from <*> port <*>\n"));
    free(s1);
    free(s2);
    for (size_t i = 0; i < NB; i++) {
        assert_int_not_equal(map[ids_b[i]], UINT32_MAX);
        assert_string_equal(miner_text(a, map[ids_b[i]], NULL),
                            miner_text(one, ids_one[NA + i], NULL));
    }
    const struct miner_stats *st = miner_get_stats(a);
    assert_int_equal(st->lines, NA + NB);
    assert_int_equal(st->evictions, 0);
    assert_int_equal(miner_get_stats(one)->templates, st->templates);
    free(map);
    miner_free(one);
    miner_free(a);
    miner_free(b);
}

/* Counts add up, first/last widen, sources are merged, the example is
 * dst's (the earlier input's) when it had one. */
static void test_absorb_fields(void **state)
{
    (void)state;
    struct miner *a = NULL, *b = NULL;
    assert_int_equal(miner_new(NULL, &a), 0);
    assert_int_equal(miner_new(NULL, &b), 0);
    add(a, "disk 1 full", 2000, "a.log");
    add(a, "disk 2 full", 1500, "a.log");
    add(b, "disk 3 full", 1000, "b.log");
    add(b, "disk 4 full", 3000, "c.log");
    add(b, "new in b 5", 2500, "b.log");
    assert_int_equal(miner_absorb(a, b, NULL), 0);
    int seen = 0;
    for (size_t i = 0;; i++) {
        struct miner_template t;
        int r = miner_template_at(a, i, &t);
        if (r == -ENOENT) break;
        if (r != 1) continue;
        if (strcmp(t.text, "disk <*> full") == 0) {
            seen |= 1;
            assert_int_equal(t.count, 4);
            assert_true(t.first == 1000);
            assert_true(t.last == 3000);
            assert_string_equal(t.example, "disk 1 full");
            assert_int_equal(t.n_sources, 3);
            assert_string_equal(t.sources[0], "a.log");
            assert_string_equal(t.sources[1], "b.log");
            assert_string_equal(t.sources[2], "c.log");
        } else if (strcmp(t.text, "new in b <*>") == 0) {
            seen |= 2;
            assert_int_equal(t.count, 1);
            assert_string_equal(t.example, "new in b 5");
            assert_int_equal(t.n_sources, 1);
            assert_string_equal(t.sources[0], "b.log");
        }
    }
    assert_int_equal(seen, 3);
    assert_int_equal(miner_absorb(a, a, NULL), -EINVAL);
    miner_free(a);
    miner_free(b);
}

/* A src template generalised on its own (<*>) takes dst's literal
 * templates of that shape with it. */
static void test_absorb_general_into_literal(void **state)
{
    (void)state;
    struct miner *a = NULL, *b = NULL;
    assert_int_equal(miner_new(NULL, &a), 0);
    assert_int_equal(miner_new(NULL, &b), 0);
    add(a, "user alpha logged out", TS_TIME_NONE, NULL);
    const char *const users[] = { "bravo", "charlie", "delta", "echo", "foxtrot" };
    uint32_t id = 0;
    for (size_t i = 0; i < 5; i++) {
        char line[64];
        snprintf(line, sizeof(line), "user %s logged out", users[i]);
        id = add(b, line, TS_TIME_NONE, NULL);
    }
    assert_string_equal(miner_text(b, id, NULL), "user <*> logged out");
    uint32_t *map = malloc(miner_slots(b) * sizeof(uint32_t));
    assert_non_null(map);
    assert_int_equal(miner_absorb(a, b, map), 0);
    char *s = summary(a);
    assert_string_equal(s, "6 user <*> logged out\n");
    free(s);
    assert_string_equal(miner_text(a, map[id], NULL), "user <*> logged out");
    free(map);
    miner_free(a);
    miner_free(b);
}

/* A small dst cap: absorbing more templates than fit evicts (counted), and
 * what is kept stays within the cap. */
static void test_absorb_bounded(void **state)
{
    (void)state;
    struct miner_opts o = { .max_templates = 16 };
    struct miner *a = NULL, *b = NULL;
    assert_int_equal(miner_new(&o, &a), 0);
    assert_int_equal(miner_new(&o, &b), 0);
    char line[64];
    for (int i = 0; i < 12; i++) {
        snprintf(line, sizeof(line), "%c%c event in a", 'a' + i, 'a' + i);
        add(a, line, TS_TIME_NONE, NULL);
        snprintf(line, sizeof(line), "%c%c event in b", 'a' + i, 'a' + i);
        add(b, line, TS_TIME_NONE, NULL);
    }
    assert_int_equal(miner_absorb(a, b, NULL), 0);
    const struct miner_stats *st = miner_get_stats(a);
    assert_true(st->entries <= 16);
    assert_true(st->evictions >= 8);
    assert_int_equal(st->lines, 24);
    miner_free(a);
    miner_free(b);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_absorb_equals_one_miner),
        cmocka_unit_test(test_absorb_fields),
        cmocka_unit_test(test_absorb_general_into_literal),
        cmocka_unit_test(test_absorb_bounded),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
