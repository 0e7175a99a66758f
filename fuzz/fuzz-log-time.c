/* SPDX-License-Identifier: MIT */
/* libFuzzer target: log_parse_time() must never read past n, never consume
 * more than n bytes, and only return times between 1970 and 2201. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logs/logs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1);
    if (!s) return 0;
    memcpy(s, data, size);
    ts_time_t t = TS_TIME_NONE;
    int fl = 0;
    size_t k = log_parse_time_ex(s, size, 2026, &t, &fl);
    if (k > size) abort();
    if (k && (t < -19 * 3600 * TS_NSEC_PER_SEC || t > 7300000000LL * TS_NSEC_PER_SEC)) abort();
    k = log_parse_epoch(s, size, &t);
    if (k > size) abort();
    free(s);
    return 0;
}
