/* SPDX-License-Identifier: MIT */
/* Unit tests for the log reader on real files: gzip and zstd made with the real
 * tools, truncated archives, rotated sets, binary files, a 10 MB line, invalid
 * UTF-8, symlinks out of the root, stdin, time filters and year hints. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "logs/logs.h"

static char dir[256];

static void write_file(const char *name, const void *data, size_t n)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "we");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, n, f), n);
    assert_int_equal(fclose(f), 0);
}

static void write_str(const char *name, const char *s)
{
    write_file(name, s, strlen(s));
}

static const char *path(const char *name)
{
    static char p[4][512];
    static int k;
    k = (k + 1) % 4;
    snprintf(p[k], sizeof(p[k]), "%s/%s", dir, name);
    return p[k];
}

static void sh(const char *fmt, ...)
{
    char cmd[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    if (system(cmd) != 0) fail_msg("command failed: %s", cmd);
}

static int have(const char *tool)
{
    char cmd[128];
    snprintf(cmd, sizeof(cmd), "command -v %s >/dev/null 2>&1", tool);
    return system(cmd) == 0;
}

static int setup(void **state)
{
    (void)state;
    snprintf(dir, sizeof(dir), "/tmp/tshoot-reader.XXXXXX");
    assert_non_null(mkdtemp(dir));
    return 0;
}

static int teardown(void **state)
{
    (void)state;
    char cmd[300];
    snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
    return system(cmd);
}

static struct log_reader *reader(size_t max_line)
{
    struct log_reader_opts o = { .max_line = max_line,
                                 .since = TS_TIME_NONE,
                                 .until = TS_TIME_NONE };
    struct log_reader *r = NULL;
    assert_int_equal(log_reader_new(&o, &r), 0);
    return r;
}

/* Read everything; returns the concatenated messages separated by '|'. */
static char *slurp(struct log_reader *r, size_t *ret_n)
{
    size_t cap = 1 << 16, len = 0, n = 0;
    char *out = malloc(cap);
    assert_non_null(out);
    out[0] = 0;
    struct log_record rec;
    int k;
    while ((k = log_reader_next(r, &rec)) > 0) {
        n++;
        size_t ml = rec.msg_len > 100 ? 100 : rec.msg_len;
        if (len + ml + 2 >= cap) continue; /* only the first 64 KiB are compared */
        memcpy(out + len, rec.msg, ml);
        len += ml;
        out[len++] = '|';
        out[len] = 0;
    }
    assert_int_equal(k, 0);
    if (ret_n) *ret_n = n;
    return out;
}

static void test_plain_and_crlf(void **state)
{
    (void)state;
    write_str("a.log", "one\r\ntwo\n\nlast without newline");
    struct log_reader *r = reader(0);
    assert_int_equal(log_reader_add_path(r, path("a.log")), 0);
    size_t n;
    char *s = slurp(r, &n);
    assert_string_equal(s, "one|two||last without newline|");
    assert_int_equal(n, 4);
    assert_int_equal(log_reader_stats(r)->lines, 4);
    assert_int_equal(log_reader_stats(r)->files, 1);
    free(s);
    log_reader_free(r);
    r = reader(0);
    assert_int_equal(log_reader_add_path(r, path("missing.log")), -ENOENT);
    log_reader_free(r);
}

static void make_numbered(const char *name, int n)
{
    char p[512];
    snprintf(p, sizeof(p), "%s/%s", dir, name);
    FILE *f = fopen(p, "we");
    assert_non_null(f);
    for (int i = 0; i < n; i++) fprintf(f, "2026-04-18T10:00:00Z INFO line %06d of the log\n", i);
    assert_int_equal(fclose(f), 0);
}

/* Every record is "line NNNNNN of the log" with consecutive numbers from 0. */
static size_t check_sequence(struct log_reader *r)
{
    struct log_record rec;
    size_t i = 0;
    int k;
    while ((k = log_reader_next(r, &rec)) > 0) {
        char want[64];
        snprintf(want, sizeof(want), "line %06zu of the log", i);
        if (rec.msg_len != strlen(want) || memcmp(rec.msg, want, rec.msg_len) != 0)
            fail_msg("record %zu: '%.*s'", i, (int)rec.msg_len, rec.msg);
        assert_int_equal(rec.lineno, i + 1);
        i++;
    }
    assert_int_equal(k, 0);
    return i;
}

static void test_gzip_zstd(void **state)
{
    (void)state;
    if (!have("gzip") || !have("zstd")) skip();
    make_numbered("g.log", 50000);
    sh("gzip -c '%s' > '%s'", path("g.log"), path("g.log.gz"));
    sh("zstd -q -c '%s' > '%s'", path("g.log"), path("g.log.zst"));
    /* multi-member gzip: two concatenated members read as one stream */
    make_numbered("m1", 3);
    sh("gzip -c '%s' > '%s' && gzip -c '%s' >> '%s'", path("m1"), path("m.gz"), path("m1"),
       path("m.gz"));
    const char *files[] = { "g.log.gz", "g.log.zst" };
    for (size_t f = 0; f < 2; f++) {
        struct log_reader *r = reader(0);
        assert_int_equal(log_reader_add_path(r, path(files[f])), 0);
        assert_int_equal(check_sequence(r), 50000);
        assert_null(log_reader_error(r, 0));
        assert_int_equal(log_reader_stats(r)->bytes, 50000 * 49);
        log_reader_free(r);
    }
    struct log_reader *r = reader(0);
    assert_int_equal(log_reader_add_path(r, path("m.gz")), 0);
    size_t n;
    free(slurp(r, &n));
    assert_int_equal(n, 6);
    assert_null(log_reader_error(r, 0));
    log_reader_free(r);
}

static void test_truncated_archives(void **state)
{
    (void)state;
    if (!have("gzip") || !have("zstd")) skip();
    make_numbered("t.log", 200000);
    sh("gzip -c '%s' > '%s'", path("t.log"), path("t.log.gz"));
    sh("zstd -q -c '%s' > '%s'", path("t.log"), path("t.log.zst"));
    const char *files[] = { "t.log.gz", "t.log.zst" };
    const char *kind[] = { "gzip", "zstd" };
    for (size_t f = 0; f < 2; f++) {
        struct stat st;
        assert_int_equal(stat(path(files[f]), &st), 0);
        off_t cut = st.st_size / 2;
        assert_int_equal(truncate(path(files[f]), cut), 0);
        struct log_reader *r = reader(0);
        assert_int_equal(log_reader_add_path(r, path(files[f])), 0);
        size_t n = check_sequence(r); /* every line read is intact and in order */
        assert_true(n > 1000);
        assert_true(n < 200000);
        const char *e = log_reader_error(r, 0);
        assert_non_null(e);
        char want[600];
        snprintf(want, sizeof(want), "%s: truncated %s stream at byte %lld", path(files[f]),
                 kind[f], (long long)cut);
        assert_string_equal(e, want);
        assert_int_equal(log_reader_stats(r)->errors, 1);
        log_reader_free(r);
    }
    /* garbage after a valid gzip header is a corrupt stream, not a crash */
    write_file("bad.gz", "\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03garbage-garbage-garbage", 31);
    struct log_reader *r = reader(0);
    assert_int_equal(log_reader_add_path(r, path("bad.gz")), 0);
    free(slurp(r, NULL));
    assert_non_null(strstr(log_reader_error(r, 0), "gzip stream at byte"));
    log_reader_free(r);
}

static void test_rotation_order(void **state)
{
    (void)state;
    if (!have("gzip")) skip();
    sh("mkdir -p '%s/rot'", dir);
    write_str("rot/app.log", "c\n");
    write_str("rot/app.log.1", "b\n");
    write_str("rot/x.log", "x\n");
    write_str("rot/app.log.2", "a\n");
    sh("gzip '%s'", path("rot/app.log.2"));
    write_str("rot/app.log.10", "0\n");
    struct log_reader *r = reader(0);
    assert_int_equal(log_reader_add_path(r, path("rot")), 0);
    char *s = slurp(r, NULL);
    /* app.log set oldest first (.10, .2.gz, .1, live), x.log after it */
    assert_string_equal(s, "0|a|b|c|x|");
    free(s);
    log_reader_free(r);
    /* explicit paths in shell-glob order are reordered the same way */
    r = reader(0);
    assert_int_equal(log_reader_add_path(r, path("rot/app.log")), 0);
    assert_int_equal(log_reader_add_path(r, path("rot/app.log.1")), 0);
    assert_int_equal(log_reader_add_path(r, path("rot/app.log.2.gz")), 0);
    s = slurp(r, NULL);
    assert_string_equal(s, "a|b|c|");
    free(s);
    log_reader_free(r);
    /* dated rotation (logrotate dateext) */
    sh("mkdir -p '%s/dat'", dir);
    write_str("dat/s.log", "3\n");
    write_str("dat/s.log-20260417", "2\n");
    write_str("dat/s.log-20260401", "1\n");
    r = reader(0);
    assert_int_equal(log_reader_add_path(r, path("dat")), 0);
    s = slurp(r, NULL);
    assert_string_equal(s, "1|2|3|");
    free(s);
    log_reader_free(r);
}

static void test_binary_skipped(void **state)
{
    (void)state;
    sh("mkdir -p '%s/bin'", dir);
    char blob[8192];
    for (size_t i = 0; i < sizeof(blob); i++) blob[i] = (char)(i * 7 + 3);
    write_file("bin/core.dump", blob, sizeof(blob));
    write_str("bin/ok.log", "fine\n");
    /* no NUL but mostly control bytes */
    char ctl[2000];
    memset(ctl, 0x01, sizeof(ctl));
    write_file("bin/ctl.dat", ctl, sizeof(ctl));
    /* ANSI colours are text */
    write_str("bin/colour.log", "\033[31mERROR\033[0m red\n");
    struct log_reader *r = reader(0);
    assert_int_equal(log_reader_add_path(r, path("bin")), 0);
    size_t n;
    char *s = slurp(r, &n);
    assert_int_equal(n, 2);
    assert_non_null(strstr(s, "fine|"));
    assert_int_equal(log_reader_stats(r)->skipped_binary, 2);
    int found = 0;
    for (size_t i = 0; log_reader_error(r, i); i++)
        if (strstr(log_reader_error(r, i), "core.dump: binary file skipped")) found = 1;
    assert_true(found);
    free(s);
    log_reader_free(r);
}

static void test_long_line_and_utf8(void **state)
{
    (void)state;
    size_t big = 10u << 20;
    static const char head[] = "short\n", tail[] = "\nafter \xff\xfe\xc3 bad utf8\n";
    size_t n = sizeof(head) - 1 + big + sizeof(tail) - 1;
    char *data = malloc(n);
    if (!data) fail();
    memset(data, 'x', n);
    memcpy(data, head, sizeof(head) - 1);
    memcpy(data + n - (sizeof(tail) - 1), tail, sizeof(tail) - 1);
    write_file("long.log", data, n);
    free(data);
    struct log_reader *r = reader(0);
    assert_int_equal(log_reader_add_path(r, path("long.log")), 0);
    struct log_record rec;
    assert_int_equal(log_reader_next(r, &rec), 1);
    assert_int_equal(rec.msg_len, 5);
    assert_int_equal(log_reader_next(r, &rec), 1);
    assert_int_equal(rec.line_len, 65536);
    assert_true(rec.truncated);
    assert_int_equal(rec.lineno, 2);
    assert_int_equal(log_reader_next(r, &rec), 1);
    assert_false(rec.truncated);
    assert_int_equal(rec.lineno, 3);
    assert_int_equal(rec.msg_len, strlen("after \xff\xfe\xc3 bad utf8"));
    assert_memory_equal(rec.msg, "after \xff\xfe\xc3 bad utf8", rec.msg_len);
    assert_int_equal(log_reader_next(r, &rec), 0);
    assert_int_equal(log_reader_stats(r)->truncated, 1);
    assert_int_equal(log_reader_stats(r)->lines, 3);
    log_reader_free(r);
    /* a small cap cuts a line that arrives complete in the buffer too */
    write_str("mid.log",
              "0123456789abcdefghij0123456789abcdefghij0123456789abcdefghij0123456789XYZ\nok\n");
    r = reader(64);
    assert_int_equal(log_reader_add_path(r, path("mid.log")), 0);
    assert_int_equal(log_reader_next(r, &rec), 1);
    assert_int_equal(rec.line_len, 64);
    assert_true(rec.truncated);
    assert_int_equal(log_reader_next(r, &rec), 1);
    assert_memory_equal(rec.msg, "ok", 2);
    log_reader_free(r);
}

static void test_symlinks(void **state)
{
    (void)state;
    sh("mkdir -p '%s/root/sub' '%s/outside'", dir, dir);
    write_str("outside/secret.log", "SECRET\n");
    write_str("root/sub/in.log", "inside\n");
    sh("ln -s '%s' '%s'", path("outside/secret.log"), path("root/out-link.log"));
    sh("ln -s '%s' '%s'", path("outside"), path("root/out-dir"));
    sh("ln -s sub/in.log '%s'", path("root/in-link.log"));
    struct log_reader *r = reader(0);
    assert_int_equal(log_reader_add_path(r, path("root")), 0);
    size_t n;
    char *s = slurp(r, &n);
    assert_null(strstr(s, "SECRET"));
    assert_int_equal(n, 2); /* in.log and its in-root link */
    assert_int_equal(log_reader_stats(r)->skipped_symlink, 2);
    free(s);
    log_reader_free(r);
}

static void test_stdin(void **state)
{
    (void)state;
    write_str("stdin.txt", "from stdin 1\nfrom stdin 2\n");
    int saved = dup(0);
    int fd = open(path("stdin.txt"), O_RDONLY);
    assert_true(fd >= 0 && saved >= 0);
    assert_int_equal(dup2(fd, 0), 0);
    close(fd);
    struct log_reader *r = reader(0);
    assert_int_equal(log_reader_add_path(r, "-"), 0);
    struct log_record rec;
    assert_int_equal(log_reader_next(r, &rec), 1);
    assert_string_equal(rec.source, "-");
    assert_memory_equal(rec.msg, "from stdin 1", 12);
    size_t n;
    free(slurp(r, &n));
    assert_int_equal(n, 1);
    log_reader_free(r);
    assert_int_equal(dup2(saved, 0), 0);
    close(saved);
}

static void test_filters_and_year(void **state)
{
    (void)state;
    write_str("f.log", "2026-04-18T10:00:00Z a\n"
                       "  continuation of a\n"
                       "2026-04-18T11:00:00Z b\n"
                       "  continuation of b\n"
                       "2026-04-18T12:00:00Z c\n");
    struct log_reader_opts o = { .since = 0, .until = TS_TIME_NONE };
    struct tm tm = { .tm_year = 126, .tm_mon = 3, .tm_mday = 18, .tm_hour = 10, .tm_min = 30 };
    o.since = (ts_time_t)timegm(&tm) * TS_NSEC_PER_SEC;
    tm.tm_hour = 11;
    tm.tm_min = 0;
    o.until = (ts_time_t)timegm(&tm) * TS_NSEC_PER_SEC + 45 * 60 * TS_NSEC_PER_SEC;
    struct log_reader *r = NULL;
    assert_int_equal(log_reader_new(&o, &r), 0);
    assert_int_equal(log_reader_add_path(r, path("f.log")), 0);
    char *s = slurp(r, NULL);
    /* untimed continuation lines follow their timed line */
    assert_string_equal(s, "b|continuation of b|");
    assert_int_equal(log_reader_stats(r)->filtered, 3);
    free(s);
    log_reader_free(r);

    /* year-less syslog stamps take the year of the file's mtime, and roll back
     * a year when they would land after it (a December line in a January file) */
    write_str("sys.log", "Dec 31 23:59:00 h app: old year\nJan  1 00:01:00 h app: new year\n");
    struct tm mt = { .tm_year = 120, .tm_mon = 0, .tm_mday = 1, .tm_hour = 1 }; /* 2020-01-01 */
    struct timespec ts[2] = { { timegm(&mt), 0 }, { timegm(&mt), 0 } };
    assert_int_equal(utimensat(AT_FDCWD, path("sys.log"), ts, 0), 0);
    r = reader(0);
    assert_int_equal(log_reader_add_path(r, path("sys.log")), 0);
    struct log_record rec;
    assert_int_equal(log_reader_next(r, &rec), 1);
    struct tm want = { .tm_year = 119, .tm_mon = 11, .tm_mday = 31, .tm_hour = 23, .tm_min = 59 };
    assert_int_equal(rec.time, (ts_time_t)timegm(&want) * TS_NSEC_PER_SEC);
    assert_int_equal(log_reader_next(r, &rec), 1);
    struct tm want2 = { .tm_year = 120, .tm_mon = 0, .tm_mday = 1, .tm_hour = 0, .tm_min = 1 };
    assert_int_equal(rec.time, (ts_time_t)timegm(&want2) * TS_NSEC_PER_SEC);
    log_reader_free(r);
}

static void test_shards(void **state)
{
    (void)state;
    sh("mkdir -p '%s/sh'", dir);
    /* a rotated set (3 files) and 4 single files of different sizes */
    const char *names[] = { "sh/a.log", "sh/a.log.1", "sh/a.log.2", "sh/b.log",
                            "sh/c.log", "sh/d.log",   "sh/e.log" };
    const int lines[] = { 50, 40, 30, 100, 10, 10, 5 };
    int total = 0;
    for (size_t f = 0; f < ELEMENTSOF(names); f++) {
        char p[512];
        snprintf(p, sizeof(p), "%s/%s", dir, names[f]);
        FILE *fp = fopen(p, "we");
        assert_non_null(fp);
        for (int i = 0; i < lines[f]; i++) fprintf(fp, "%s %d\n", names[f] + 3, i);
        fclose(fp);
        total += lines[f];
    }
    for (unsigned n = 1; n <= 3; n++) {
        int seen = 0, a_shard = -1;
        for (unsigned k = 0; k < n; k++) {
            struct log_reader_opts o = {
                .since = TS_TIME_NONE, .until = TS_TIME_NONE, .shard = k, .n_shards = n
            };
            struct log_reader *r = NULL;
            assert_int_equal(log_reader_new(&o, &r), 0);
            assert_int_equal(log_reader_add_path(r, path("sh")), 0);
            struct log_record rec;
            const char *last_a = NULL;
            int rot_step = 0;
            while (log_reader_next(r, &rec) > 0) {
                seen++;
                if (strstr(rec.source, "/a.log")) {
                    /* the whole set in one shard, oldest first */
                    if (a_shard < 0) a_shard = (int)k;
                    assert_int_equal(a_shard, (int)k);
                    if (!last_a || !streq(last_a, rec.source)) {
                        const char *want[] = { "a.log.2", "a.log.1", "a.log" };
                        assert_true(rot_step < 3);
                        assert_non_null(strstr(rec.source, want[rot_step]));
                        size_t sl = strlen(rec.source), wl = strlen(want[rot_step]);
                        assert_string_equal(rec.source + sl - wl, want[rot_step]);
                        rot_step++;
                        last_a = rec.source;
                    }
                }
            }
            if (n == 1) assert_int_equal(log_reader_stats(r)->files, 7);
            log_reader_free(r);
        }
        /* every line read exactly once across the shards */
        assert_int_equal(seen, total);
    }
}

static void test_journal(void **state)
{
    (void)state;
    /* the journal may be empty or absent here: the reader must cope either way */
    struct log_reader *r = reader(0);
    assert_int_equal(log_reader_add_journal(r, "no-such-unit-tshoot-test"), 0);
    size_t n;
    free(slurp(r, &n));
    assert_int_equal(n, 0);
    log_reader_free(r);
}

/* Journal files that libsystemd is never asked to map: foreign and truncated
 * files are refused with a reason naming the problem; the reader lists them
 * and yields nothing, without failing. */
static void test_journal_bad_files(void **state)
{
    (void)state;
    char why[256];
    write_str("foreign.journal", "2026-04-18T10:00:00Z ERROR this is a text file, not a journal\n");
    assert_int_equal(log_journal_check(path("foreign.journal"), 0, why, sizeof why), -EBADMSG);
    assert_string_equal(why, "not a journal file");
    /* a header that announces 256 + 100000 bytes in a 4096-byte file */
    unsigned char h[4096] = { 0 };
    memcpy(h, "LPKSHHRH", 8);
    h[88] = 0x00, h[89] = 0x01;               /* header_size 256 */
    h[96] = 0xa0, h[97] = 0x86, h[98] = 0x01; /* arena_size 100000 */
    write_file("cut.journal", h, sizeof h);
    assert_int_equal(log_journal_check(path("cut.journal"), 0, why, sizeof why), -EBADMSG);
    assert_string_equal(why, "truncated journal file (4096 of 100256 bytes)");
    assert_int_equal(log_journal_check(path("missing.journal"), 0, why, sizeof why), -ENOENT);
    assert_int_equal(log_journal_check(dir, 0, why, sizeof why), -EISDIR);
    /* a directory with only bad journal files: the first one's reason */
    sh("mkdir -p '%s/jd' && cp '%s' '%s/jd/'", dir, path("cut.journal"), dir);
    assert_int_equal(log_journal_check(path("jd"), 1, why, sizeof why), -EBADMSG);
    assert_non_null(strstr(why, "cut.journal: truncated journal file"));
    sh("mkdir -p '%s/empty'", dir);
    assert_int_equal(log_journal_check(path("empty"), 1, why, sizeof why), -ENOENT);
    assert_int_equal(log_journal_check(path("foreign.journal"), 1, why, sizeof why), -ENOTDIR);

    struct log_reader *r = reader(0);
    const char *files[] = { path("foreign.journal"), path("cut.journal") };
    assert_int_equal(log_reader_add_journal_files(r, files, 2, "web"), 0);
    assert_int_equal(log_reader_add_journal_dir(r, path("jd"), NULL), 0);
    assert_int_equal(log_reader_add_journal_files(r, files, 0, NULL), -EINVAL);
    assert_int_equal(log_reader_add_journal_dir(r, path("jd"), ""), -EINVAL);
    size_t n;
    free(slurp(r, &n));
    assert_int_equal(n, 0);
    assert_int_equal(log_reader_stats(r)->errors, 3);
    assert_non_null(strstr(log_reader_error(r, 0), "foreign.journal: not a journal file, skipped"));
    assert_non_null(strstr(log_reader_error(r, 1), "cut.journal: truncated journal file"));
    assert_non_null(strstr(log_reader_error(r, 2), "jd/cut.journal: truncated journal file"));
    assert_null(log_reader_error(r, 3));
    log_reader_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_plain_and_crlf),
        cmocka_unit_test(test_gzip_zstd),
        cmocka_unit_test(test_truncated_archives),
        cmocka_unit_test(test_rotation_order),
        cmocka_unit_test(test_binary_skipped),
        cmocka_unit_test(test_long_line_and_utf8),
        cmocka_unit_test(test_symlinks),
        cmocka_unit_test(test_stdin),
        cmocka_unit_test(test_filters_and_year),
        cmocka_unit_test(test_shards),
        cmocka_unit_test(test_journal),
        cmocka_unit_test(test_journal_bad_files),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
