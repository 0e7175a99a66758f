/* SPDX-License-Identifier: MIT */
/* libFuzzer target: masking and template mining must never crash, overrun
 * or break their invariants on any input (split into lines), including
 * under constant eviction (a tiny template cap). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logs/mask.h"
#include "logs/miner.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct mask_tokens mt;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    /* the masker alone: output within its documented bound */
    char *out = malloc(MASK_OUT_SIZE(size));
    if (!out) return 0;
    mask_line((const char *)data, size, out, &mt);
    mask_token_bounds(&mt);
    if (mt.len + 1 > MASK_OUT_SIZE(size) || mt.ntok > MASK_MAX_TOKENS) abort();
    for (uint32_t i = 0; i < mt.ntok; i++)
        if (mt.off[i] + mt.tlen[i] > mt.len) abort();
    free(out);

    /* the miner over the lines, cap 16 so evictions and merges interleave */
    struct miner_opts o = { .max_templates = 16, .min_distinct = size ? 2 + data[0] % 4 : 0 };
    struct miner *m = NULL;
    if (miner_new(&o, &m) < 0) return 0;
    const char *p = (const char *)data, *end = p + size;
    uint64_t lines = 0;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
        uint32_t id;
        if (miner_add(m, p, n, (ts_time_t)lines, (lines & 1) ? "a" : "b", &id) < 0) break;
        size_t tl;
        const char *t = miner_text(m, id, &tl);
        if (strlen(t) != tl) abort();
        lines++;
        p += n + 1;
    }
    const struct miner_stats *st = miner_get_stats(m);
    if (st->entries > 16 || st->lines != lines) abort();
    struct miner_template t;
    uint64_t total = 0;
    for (size_t i = 0;; i++) {
        int r = miner_template_at(m, i, &t);
        if (r < 0) break;
        if (r == 1) total += t.count;
    }
    if (total > lines) abort();
    miner_free(m);
    return 0;
}
