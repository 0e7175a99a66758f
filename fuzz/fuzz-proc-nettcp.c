/* SPDX-License-Identifier: MIT */
/* libFuzzer target: /proc/net/tcp and tcp6 socket tables */
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
    struct tcp_stats *st = calloc(1, sizeof *st);
    if (!st) {
        free(s);
        return 0;
    }
    if (tcp_parse(s, 32768, 60999, st) == 0) {
        if (st->n_listeners > TCP_MAX_LISTENERS) abort();
        if (st->ephemeral_in_use > 60999 - 32768 + 1) abort();
        uint64_t sum = 0;
        for (size_t i = 0; i <= TCP_STATE_MAX; i++) sum += st->states[i];
        if (sum != st->total) abort();
    }
    free(st);
    free(s);
    return 0;
}
