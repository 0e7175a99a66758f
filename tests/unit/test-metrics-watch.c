/* SPDX-License-Identifier: MIT */
/* Unit tests for the watch engine pieces: file-name prefixes, probes (in
 * process and through the pool's helper processes), persisted series. */
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

#include "core/timeutil.h"
#include "metrics/probe.h"
#include "metrics/watch.h"

static void test_prefix(void **state)
{
    (void)state;
    char p[PROBE_PREFIX_MAX];
    assert_true(probe_name_prefix("session_4f2a9c", p, sizeof p));
    assert_string_equal(p, "session_");
    assert_true(probe_name_prefix("cache-abc.tmp", p, sizeof p));
    assert_string_equal(p, "cache-");
    assert_true(probe_name_prefix("upload.part", p, sizeof p));
    assert_string_equal(p, "upload.");
    assert_false(probe_name_prefix("2024-01-01.log", p, sizeof p)); /* dates are not prefixes */
    assert_false(probe_name_prefix("_x", p, sizeof p));
    assert_false(probe_name_prefix("session_", p, sizeof p)); /* nothing after it */
    assert_false(probe_name_prefix("README", p, sizeof p));
    /* longer than the buffer: no prefix rather than a truncated one */
    char longname[200];
    memset(longname, 'a', sizeof longname - 3);
    strcpy(longname + sizeof longname - 3, "_x");
    assert_false(probe_name_prefix(longname, p, sizeof p));
}

static char *make_dir(unsigned sessions, unsigned others)
{
    char t[] = "/tmp/tshoot-probe-XXXXXX";
    assert_non_null(mkdtemp(t));
    char path[256];
    for (unsigned i = 0; i < sessions; i++) {
        snprintf(path, sizeof path, "%s/session_%u", t, i);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fclose(f);
    }
    for (unsigned i = 0; i < others; i++) {
        snprintf(path, sizeof path, "%s/tmp-%u", t, i);
        FILE *f = fopen(path, "w");
        assert_non_null(f);
        fclose(f);
    }
    return strdup(t);
}

static void rm_dir(char *d)
{
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", d);
    assert_int_equal(system(cmd), 0);
    free(d);
}

static void test_probe_run(void **state)
{
    (void)state;
    char *d = make_dir(40, 20);
    struct probe_result r;
    probe_run(d, 16, &r);
    assert_int_equal(r.err, 0);
    assert_true(r.size_bytes > 0);
    assert_int_equal(r.entries, 60);
    assert_int_equal(r.n_hot, 2);
    assert_string_equal(r.hot[0].prefix, "session_");
    assert_int_equal(r.hot[0].count, 40);
    assert_string_equal(r.hot[1].prefix, "tmp-");
    assert_int_equal(r.hot[1].count, 20);
    probe_run(d, 30, &r); /* tmp- below the threshold */
    assert_int_equal(r.n_hot, 1);
    probe_run("/nonexistent/dir", 0, &r);
    assert_int_equal(r.err, -ENOENT);
    rm_dir(d);
}

/* Through the pool: the helper process answers, the result is the same. */
static void test_pool(void **state)
{
    (void)state;
    char *d = make_dir(20, 0);
    struct probe_pool *p;
    assert_int_equal(probe_pool_new(&p), 0);
    struct probe_job *jobs[3];
    assert_int_equal(probe_submit(p, d, 16, &jobs[0]), 0);
    assert_int_equal(probe_submit(p, "/", 0, &jobs[1]), 0);
    assert_int_equal(probe_submit(p, "/nonexistent", 0, &jobs[2]), 0);
    assert_int_equal(probe_wait(p, jobs, 3, ts_mono_ns() + 5 * TS_NSEC_PER_SEC), 0);
    struct probe_result r;
    assert_true(probe_job_result(jobs[0], &r));
    assert_int_equal(r.err, 0);
    assert_int_equal(r.n_hot, 1);
    assert_int_equal(r.hot[0].count, 20);
    assert_true(probe_job_result(jobs[1], &r));
    assert_int_equal(r.err, 0);
    assert_true(probe_job_result(jobs[2], &r));
    assert_int_equal(r.err, -ENOENT);
    for (int i = 0; i < 3; i++) probe_job_unref(jobs[i]);
    probe_pool_free(p);
    rm_dir(d);
}

struct collected {
    int n;
    char key[64];
    unsigned char blob[4096];
    size_t len;
};

static int collect_cb(void *userdata, const char *key, const void *blob, size_t n)
{
    struct collected *c = userdata;
    c->n++;
    snprintf(c->key, sizeof c->key, "%s", key);
    if (n <= sizeof c->blob) {
        memcpy(c->blob, blob, n);
        c->len = n;
    }
    return 0;
}

/* A persisted series not yet claimed is kept and exported again unchanged;
 * malformed blobs are refused. */
static void test_series_blobs(void **state)
{
    (void)state;
    struct watch *w;
    struct watch_opts o = { .proc = "/nonexistent", .no_processes = true };
    assert_int_equal(watch_new(&o, &w), 0);
    struct {
        uint32_t magic;
        uint16_t n_raw, n_mid, n_lng, pad;
        uint32_t pad2;
        double pts[6];
    } blob = { 0x74737331u, 2, 1, 0, 0, 0, { 1, 100, 2, 90, 2, 90 } };
    assert_int_equal(watch_import_series(w, "fs:host//|/x|avail", &blob, sizeof blob), 0);
    struct collected c = { 0 };
    assert_int_equal(watch_export_series(w, collect_cb, &c), 0);
    assert_int_equal(c.n, 1);
    assert_string_equal(c.key, "fs:host//|/x|avail");
    assert_int_equal(c.len, sizeof blob);
    assert_memory_equal(c.blob, &blob, sizeof blob);
    /* bad magic, counts past the caps, truncated */
    blob.magic = 0x12345678;
    assert_int_equal(watch_import_series(w, "k", &blob, sizeof blob), -EINVAL);
    blob.magic = 0x74737331u;
    blob.n_raw = 60000;
    assert_int_equal(watch_import_series(w, "k", &blob, sizeof blob), -EINVAL);
    blob.n_raw = 2;
    assert_int_equal(watch_import_series(w, "k", &blob, sizeof blob - 1), -EINVAL);
    assert_int_equal(watch_import_series(w, "k", &blob, 3), -EINVAL);
    watch_free(w);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_prefix),
        cmocka_unit_test(test_probe_run),
        cmocka_unit_test(test_pool),
        cmocka_unit_test(test_series_blobs),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
