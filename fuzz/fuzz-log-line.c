/* SPDX-License-Identifier: MIT */
/* libFuzzer target: log_parse_line() on arbitrary bytes (no NUL terminator, any
 * length) must never crash, and every span it returns must lie inside the
 * input line or the scratch buffer. One input in eight is also fed through
 * the streaming reader (as a file) to exercise line splitting and the cap. */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "logs/logs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int inside(const char *p, size_t n, const char *base, size_t bn)
{
    return p >= base && p + n <= base + bn;
}

static void check(const struct log_record *r, const char *line, size_t len, const char *sc,
                  size_t scn)
{
    if (!inside(r->msg, r->msg_len, line, len) && !inside(r->msg, r->msg_len, sc, scn)) abort();
    if (!inside(r->line, r->line_len, line, len) && !inside(r->line, r->line_len, sc, scn)) abort();
    if (r->err && !inside(r->err, r->err_len, line, len) && !inside(r->err, r->err_len, sc, scn))
        abort();
    if ((unsigned)r->level >= _LOG_LEVEL_MAX) abort();
    (void)log_level_infer(r->msg, r->msg_len);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* exact-size heap copy so ASan catches any read past the end */
    char *line = malloc(size ? size : 1);
    if (!line) return 0;
    memcpy(line, data, size);
    size_t scn = size * 2 + 16;
    char *sc = malloc(scn);
    if (sc) {
        struct log_record r = { 0 };
        log_parse_line(line, size, 2026, sc, scn, &r);
        check(&r, line, size, sc, scn);
        /* a tiny scratch buffer must be handled too */
        log_parse_line(line, size, 0, sc, 3, &r);
        check(&r, line, size, sc, 3);
        free(sc);
    }
    free(line);

    /* the same bytes as a file through the reader with a small line cap; for
     * one input in eight (file creation is slow, the parser needs the runs) */
    if (size == 0 || (data[size - 1] & 7) != 0) return 0;
    char path[] = "/tmp/fuzz-log-line.XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return 0;
    if (write(fd, data, size) == (ssize_t)size) {
        struct log_reader_opts o = { .max_line = 64, .since = TS_TIME_NONE, .until = TS_TIME_NONE };
        struct log_reader *rd = NULL;
        if (log_reader_new(&o, &rd) == 0) {
            if (log_reader_add_path(rd, path) == 0) {
                struct log_record rec;
                while (log_reader_next(rd, &rec) > 0)
                    if (rec.line_len > 64) abort();
            }
            log_reader_free(rd);
        }
    }
    close(fd);
    unlink(path);
    return 0;
}
