/* SPDX-License-Identifier: MIT */
/* libFuzzer target for the metrics inputs that come from outside: persisted
 * series blobs (the state file can be corrupt), time arguments, mountinfo
 * escapes, exposition label values. The first byte picks the parser. */
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/buf.h"
#include "metrics/exposition.h"
#include "metrics/fstarget.h"
#include "metrics/promql.h"
#include "metrics/watch.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct watch *w;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1) return 0;
    uint8_t mode = data[0] % 4;
    data++;
    size--;
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    switch (mode) {
    case 0: {
        if (!w) {
            struct watch_opts o = { .proc = "/nonexistent", .no_processes = true };
            if (watch_new(&o, &w) < 0) abort();
        }
        int r = watch_import_series(w, "fs:k", data, size);
        if (r < 0 && r != -EINVAL && r != -E2BIG && r != -ENOMEM) abort();
        break;
    }
    case 1: {
        ts_time_t t;
        int r = prom_parse_time(s, 1700000000LL * TS_NSEC_PER_SEC, &t);
        if (r < 0 && r != -EINVAL) abort();
        break;
    }
    case 2: {
        size_t before = strlen(s);
        mountinfo_unescape(s);
        if (strlen(s) > before) abort(); /* unescaping never grows */
        (void)fs_type_watched(s);
        break;
    }
    default: {
        struct buf b = BUF_INIT(size * 2 + 256);
        struct prom_label l[1] = { { "mountpoint", s } };
        int r = prom_sample(&b, "tshoot_fs_size_bytes", l, 1, 1);
        if (r == 0) {
            /* one line, no raw newline inside the value */
            const char *nl = strchr(buf_str(&b), '\n');
            if (!nl || nl[1] != '\0') abort();
        }
        buf_release(&b);
    }
    }
    free(s);
    return 0;
}
