/* SPDX-License-Identifier: MIT */
/* libFuzzer target: /proc/PID/stat, /proc/PID/limits, /dev/kmsg records, file-name prefixes */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/procparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    struct pid_stat ps;
    if (pid_stat_parse(s, &ps) == 0 && strlen(ps.comm) >= sizeof ps.comm) abort();
    uint64_t soft, hard;
    (void)limits_parse_nofile(s, &soft, &hard);
    struct kmsg_record r;
    if (kmsg_parse_record(s, size, &r) == 0 && (r.text < s || r.text + r.text_len > s + size))
        abort();
    char pfx[PREFIX_MAX];
    if (name_prefix(s, pfx) >= PREFIX_MAX) abort();
    free(s);
    return 0;
}
