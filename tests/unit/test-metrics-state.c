/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/metrics/state: round trip, corrupt file set aside,
 * size cap -> -ENOSPC; watch histories through a state file (the compact
 * format, and a file written by an older tshoot); promql time parsing. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/fileio.h"
#include "metrics/promql.h"
#include "metrics/state.h"
#include "metrics/watch.h"

struct seen {
    int n;
    char last[64];
    size_t bytes;
};

static int count_cb(void *userdata, const char *key, const void *blob, size_t n)
{
    struct seen *s = userdata;
    s->n++;
    snprintf(s->last, sizeof s->last, "%s", key);
    s->bytes += n;
    (void)blob;
    return 0;
}

static char *tmpdir(void)
{
    char t[] = "/tmp/tshoot-state-XXXXXX";
    assert_non_null(mkdtemp(t));
    return strdup(t);
}

static void test_round_trip(void **state)
{
    (void)state;
    char *d = tmpdir(), path[256];
    snprintf(path, sizeof path, "%s/state.db", d);
    struct state_db *db;
    int flags = -1;
    assert_int_equal(state_open(path, 0, &db, &flags, NULL), 0);
    assert_int_equal(flags, 0);
    assert_int_equal(state_begin(db), 0);
    assert_int_equal(state_put(db, "fs:host|/dev/shm|avail", "abcd", 4, 1000000), 0);
    assert_int_equal(state_put(db, "fs:host|/|avail", "xy", 2, 1000000), 0);
    assert_int_equal(state_put(db, "fs:host|/|avail", "xyz", 3, 1000000), 0); /* replaces */
    assert_int_equal(state_commit(db, 1000000), 0);
    state_close(db);
    assert_int_equal(state_open(path, 0, &db, &flags, NULL), 0);
    struct seen s = { 0 };
    assert_int_equal(state_load(db, count_cb, &s), 0);
    assert_int_equal(s.n, 2);
    assert_int_equal(s.bytes, 7);
    /* rows older than 7 days go at the next commit */
    assert_int_equal(state_begin(db), 0);
    assert_int_equal(state_put(db, "new", "1", 1, 1000000 + 8 * 86400), 0);
    assert_int_equal(state_commit(db, 1000000 + 8 * 86400), 0);
    memset(&s, 0, sizeof s);
    assert_int_equal(state_load(db, count_cb, &s), 0);
    assert_int_equal(s.n, 1);
    assert_string_equal(s.last, "new");
    state_close(db);
    unlink(path);
    rmdir(d);
    free(d);
}

static void test_corrupt_set_aside(void **state)
{
    (void)state;
    char *d = tmpdir(), path[256];
    snprintf(path, sizeof path, "%s/state.db", d);
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    for (int i = 0; i < 200; i++) fputs("this is not an sqlite database at all\n", f);
    fclose(f);
    struct state_db *db;
    int flags = 0;
    char *aside = NULL;
    assert_int_equal(state_open(path, 0, &db, &flags, &aside), 0);
    assert_true(flags & STATE_SET_ASIDE);
    assert_non_null(aside);
    assert_int_equal(access(aside, F_OK), 0); /* the old file is kept for a human */
    struct seen s = { 0 };
    assert_int_equal(state_load(db, count_cb, &s), 0);
    assert_int_equal(s.n, 0);
    state_close(db);
    unlink(aside);
    unlink(path);
    free(aside);
    rmdir(d);
    free(d);
}

static void test_cap(void **state)
{
    (void)state;
    char *d = tmpdir(), path[256];
    snprintf(path, sizeof path, "%s/state.db", d);
    struct state_db *db;
    assert_int_equal(state_open(path, 64 << 10, &db, NULL, NULL), 0);
    static char blob[8192];
    memset(blob, 'x', sizeof blob);
    int r = 0;
    assert_int_equal(state_begin(db), 0);
    for (int i = 0; i < 100 && r == 0; i++) {
        char key[32];
        snprintf(key, sizeof key, "k%d", i);
        r = state_put(db, key, blob, sizeof blob, 1);
    }
    assert_int_equal(r, -ENOSPC);
    state_rollback(db);
    state_close(db);
    unlink(path);
    rmdir(d);
    free(d);
}

/* ---- watch histories through the state file ---- */

static int put_cb(void *userdata, const char *key, const void *blob, size_t n)
{
    return state_put(userdata, key, blob, n, 1796601600);
}

static int import_cb(void *userdata, const char *key, const void *blob, size_t n)
{
    return watch_import_series(userdata, key, blob, n);
}

/* The blob of one key, decoded (version 2: 24-byte header, ms offsets, values). */
struct decoded {
    const char *want;
    bool found;
    uint32_t magic;
    uint16_t n[3];
    double t[300], v[300];
};

static int decode_cb(void *userdata, const char *key, const void *blob, size_t n)
{
    struct decoded *d = userdata;
    if (strcmp(key, d->want) != 0) return 0;
    const unsigned char *b = blob;
    assert_true(n >= 24);
    memcpy(&d->magic, b, 4);
    memcpy(d->n, b + 4, 6);
    int64_t base;
    memcpy(&base, b + 16, 8);
    size_t np = (size_t)d->n[0] + d->n[1] + d->n[2];
    assert_true(np <= 300);
    assert_int_equal(n, 24 + np * 12);
    for (size_t i = 0; i < np; i++) {
        uint32_t off;
        memcpy(&off, b + 24 + i * 4, 4);
        memcpy(&d->v[i], b + 24 + np * 4 + i * 8, 8);
        d->t[i] = (double)base + off / 1000.0;
    }
    d->found = true;
    return 0;
}

static int first_avail_cb(void *userdata, const char *key, const void *blob, size_t n)
{
    char *k = userdata;
    (void)blob;
    (void)n;
    size_t l = strlen(key);
    if (!*k && l > 6 && strcmp(key + l - 6, "|avail") == 0) snprintf(k, 512, "%s", key);
    return 0;
}

static struct watch *new_watch(void)
{
    static const char *const globs[] = { "/" };
    struct watch_opts o = { .interval_ns = 15 * TS_NSEC_PER_SEC,
                            .globs = globs,
                            .n_globs = 1,
                            .no_containers = true,
                            .no_processes = true };
    struct watch *w;
    assert_int_equal(watch_new(&o, &w), 0);
    return w;
}

static const ts_time_t T0 = 1796601600LL * TS_NSEC_PER_SEC;

/* Histories saved by one watch are restored by the next through the file:
 * the points come back with their times (1 ms) and exact values. */
static void test_watch_round_trip(void **state)
{
    (void)state;
    char *d = tmpdir(), path[256];
    snprintf(path, sizeof path, "%s/state.db", d);
    struct watch *w = new_watch();
    for (int i = 0; i < 30; i++)
        assert_int_equal(watch_sample(w, T0 + i * 15 * TS_NSEC_PER_SEC, NULL), 0);
    char key[512] = "";
    assert_int_equal(watch_export_series(w, first_avail_cb, key), 0);
    if (!*key) {
        watch_free(w);
        rmdir(d);
        free(d);
        skip(); /* "/" is not a filesystem watch measures here */
    }
    struct decoded *before = calloc(1, sizeof *before), *after = calloc(1, sizeof *after);
    assert_non_null(before);
    assert_non_null(after);
    before->want = after->want = key;
    assert_int_equal(watch_export_series(w, decode_cb, before), 0);
    assert_true(before->found);
    assert_int_equal(before->magic, 0x74737332u);
    assert_int_equal(before->n[0], 30);
    struct state_db *db;
    assert_int_equal(state_open(path, 0, &db, NULL, NULL), 0);
    assert_int_equal(state_begin(db), 0);
    assert_int_equal(watch_export_series(w, put_cb, db), 0);
    assert_int_equal(state_commit(db, 1796601600), 0);
    state_close(db);
    watch_free(w);

    w = new_watch();
    assert_int_equal(state_open(path, 0, &db, NULL, NULL), 0);
    assert_int_equal(state_load(db, import_cb, w), 0);
    state_close(db);
    assert_int_equal(watch_sample(w, T0 + 30 * 15 * TS_NSEC_PER_SEC, NULL), 0);
    assert_int_equal(watch_export_series(w, decode_cb, after), 0);
    assert_true(after->found);
    assert_int_equal(after->n[0], 31);
    for (size_t i = 0; i < 30; i++) {
        assert_true(after->t[i] == before->t[i]);
        assert_true(after->v[i] == before->v[i]);
    }
    watch_free(w);
    free(before);
    free(after);
    unlink(path);
    rmdir(d);
    free(d);
}

/* A state file written by an older tshoot (16-byte {double t, v} points,
 * magic "tss1") is read: its history is restored, times at 1 ms. */
static void test_watch_old_format(void **state)
{
    (void)state;
    char *d = tmpdir(), path[256];
    snprintf(path, sizeof path, "%s/state.db", d);
    struct watch *w = new_watch();
    assert_int_equal(watch_sample(w, T0, NULL), 0);
    char key[512] = "";
    assert_int_equal(watch_export_series(w, first_avail_cb, key), 0);
    watch_free(w);
    if (!*key) {
        rmdir(d);
        free(d);
        skip();
    }
    /* 20 raw points, 5 mid, 2 long, in the old layout, ending before T0 */
    struct {
        uint32_t magic;
        uint16_t n_raw, n_mid, n_lng, pad;
        uint32_t pad2;
        double p[27][2];
    } old = { 0x74737331u, 20, 5, 2, 0, 0, { { 0 } } };
    double t0 = 1796601600.0 - 20 * 15;
    for (int i = 0; i < 20; i++) {
        old.p[i][0] = t0 + i * 15 + 0.0015 * i; /* sub-ms parts: rounded to 1 ms */
        old.p[i][1] = 9007199254740000.0 - i * 4096;
    }
    for (int i = 0; i < 5; i++) {
        old.p[20 + i][0] = t0 - 3600 + i * 60;
        old.p[20 + i][1] = 5e9 + i;
    }
    old.p[25][0] = t0 - 7200;
    old.p[25][1] = 1;
    old.p[26][0] = t0 - 6000;
    old.p[26][1] = 2;
    struct state_db *db;
    assert_int_equal(state_open(path, 0, &db, NULL, NULL), 0);
    assert_int_equal(state_begin(db), 0);
    assert_int_equal(state_put(db, key, &old, sizeof old, 1796601600), 0);
    assert_int_equal(state_commit(db, 1796601600), 0);
    state_close(db);

    w = new_watch();
    assert_int_equal(state_open(path, 0, &db, NULL, NULL), 0);
    assert_int_equal(state_load(db, import_cb, w), 0);
    state_close(db);
    assert_int_equal(watch_sample(w, T0, NULL), 0);
    struct decoded *got = calloc(1, sizeof *got);
    assert_non_null(got);
    got->want = key;
    assert_int_equal(watch_export_series(w, decode_cb, got), 0);
    assert_true(got->found);
    assert_int_equal(got->magic, 0x74737332u);
    assert_int_equal(got->n[0], 21); /* + the new sample */
    for (int i = 0; i < 20; i++) {
        assert_true(fabs(got->t[i] - old.p[i][0]) <=
                    0.0005 + 1e-6);            /* 1e-6: a double's step at 1.8e9 s */
        assert_true(got->v[i] == old.p[i][1]); /* exact near 2^53 */
    }
    /* the mid ring: the 5 old buckets and the new sample's */
    assert_int_equal(got->n[1], 6);
    assert_true(got->t[21] == old.p[20][0] && got->v[21] == 5e9);
    /* a malformed row is skipped, not fatal */
    assert_int_equal(watch_import_series(w, "x", &old, sizeof old - 8), -EINVAL);
    watch_free(w);
    free(got);
    unlink(path);
    rmdir(d);
    free(d);
}

static void test_parse_time(void **state)
{
    (void)state;
    ts_time_t now = 1700000000LL * TS_NSEC_PER_SEC, t;
    assert_int_equal(prom_parse_time("now", now, &t), 0);
    assert_true(t == now);
    assert_int_equal(prom_parse_time("-2h", now, &t), 0);
    assert_true(t == now - 7200 * TS_NSEC_PER_SEC);
    assert_int_equal(prom_parse_time("now-90s", now, &t), 0);
    assert_true(t == now - 90 * TS_NSEC_PER_SEC);
    assert_int_equal(prom_parse_time("1700000000.5", now, &t), 0);
    assert_true(t == now + TS_NSEC_PER_SEC / 2);
    assert_int_equal(prom_parse_time("2023-11-14T22:13:20Z", now, &t), 0);
    assert_true(t == now);
    assert_int_equal(prom_parse_time("2023-11-15T00:13:20.250+02:00", now, &t), 0);
    assert_true(t == now + TS_NSEC_PER_SEC / 4);
    /* a cut-off zone is refused, not read past (found by fuzz-metrics-input) */
    assert_int_equal(prom_parse_time("2023-11-15T00:13:20.5+02:0", now, &t), -EINVAL);
    assert_int_equal(prom_parse_time("2023-11-15T00:13:20+02", now, &t), -EINVAL);
    assert_int_equal(prom_parse_time("yesterday", now, &t), -EINVAL);
    assert_int_equal(prom_parse_time("2023-13-01T00:00:00Z", now, &t), -EINVAL);
    assert_int_equal(prom_parse_time("", now, &t), -EINVAL);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip),
        cmocka_unit_test(test_corrupt_set_aside),
        cmocka_unit_test(test_cap),
        cmocka_unit_test(test_watch_round_trip),
        cmocka_unit_test(test_watch_old_format),
        cmocka_unit_test(test_parse_time),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
