/* SPDX-License-Identifier: MIT */
/* libFuzzer target: meminfo/vmstat/cpu.stat key-value files, loadavg, port range */
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
    struct meminfo m;
    if (meminfo_parse(s, &m) == 0 && m.total == 0) abort();
    uint64_t v;
    (void)kv_get_u64(s, "oom_kill", &v);
    (void)kv_get_u64(s, "nr_throttled", &v);
    (void)parse_u64_or_max(s, &v);
    struct loadavg l;
    (void)loadavg_parse(s, &l);
    unsigned lo, hi;
    if (port_range_parse(s, &lo, &hi) == 0 && (lo > hi || hi > 65535)) abort();
    free(s);
    return 0;
}
