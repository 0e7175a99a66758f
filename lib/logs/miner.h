/* SPDX-License-Identifier: MIT */
/*
 * miner.h: online log template mining with bounded memory.
 *
 * Every message is masked (mask.h) into a token sequence. Sequences are
 * looked up by hash (the fast path: one probe per line, no allocation).
 * A new sequence becomes a template of its own, then the miner checks each
 * position p > 0: when MIN_DISTINCT different tokens have been seen at p
 * among templates that are otherwise identical (same length, same tokens at
 * every other position), p is a variable: those templates merge into one
 * with <*> at p, and later sequences of that shape go straight to it.
 * The first token is never generalised (it usually names the event).
 *
 * Memory: at most `max_templates` templates (default 10,000) are kept.
 * Eviction rule: when a new template is needed and the table is full, the
 * least recently seen template among the 64 least recently seen ones that
 * was merged into another (an alias) or has count 1 is evicted; if there is
 * none, the least recently seen template is evicted. Evictions are counted.
 * (Recency is tracked to within 1024 lines: an entry moves to the front of
 * the recency list at most once per 1024 lines.)
 * The lookup caches are bounded too and are simply cleared when full.
 *
 * Ids: a template id stays valid until that template is evicted; use
 * miner_resolve() to get the template an id was merged into.
 */
#ifndef TSHOOT_LOGS_MINER_H
#define TSHOOT_LOGS_MINER_H

#include <stddef.h>
#include <stdint.h>
#include "core/macro.h"
#include "core/timeutil.h"

#define MINER_DEFAULT_MAX_TEMPLATES 10000
#define MINER_DEFAULT_MIN_DISTINCT  4
#define MINER_MAX_SOURCES           4 /* sources remembered per template */

struct miner_opts {
    size_t max_templates;  /* 0: MINER_DEFAULT_MAX_TEMPLATES (min 16) */
    unsigned min_distinct; /* 0: MINER_DEFAULT_MIN_DISTINCT (2..6) */
    /* Called before a template is evicted (ids given out earlier may then
     * become invalid). Optional. */
    void (*before_evict)(void *userdata);
    void *userdata;
};

struct miner_stats {
    uint64_t lines;
    uint64_t templates; /* live templates (roots), not counting aliases */
    uint64_t entries;   /* live table entries (templates and aliases) */
    uint64_t created;   /* templates ever created */
    uint64_t merges;    /* templates merged into a more general one */
    uint64_t evictions; /* templates evicted because the table was full */
    uint64_t truncated; /* messages cut at MASK_MAX_LINE */
};

struct miner_template {
    uint32_t id;
    const char *text; /* borrowed, the template with <*> wildcards */
    size_t len;
    uint64_t count;
    ts_time_t first, last;                  /* TS_TIME_NONE when no line had a time */
    const char *example;                    /* borrowed: the first message (NOT redacted) */
    const char *sources[MINER_MAX_SOURCES]; /* borrowed, n_sources used */
    size_t n_sources;
    int more_sources; /* more sources than MINER_MAX_SOURCES */
};

struct miner;

int miner_new(const struct miner_opts *opts, struct miner **ret);
struct miner *miner_free(struct miner *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct miner *, miner_free)

/* Add one message (no trailing newline). `t` may be TS_TIME_NONE, `source`
 * may be NULL (both borrowed, copied when kept). On success *ret_id (optional)
 * gets the id of the template the line went to. Returns 0 or -ENOMEM. */
int miner_add(struct miner *m, const char *msg, size_t n, ts_time_t t, const char *source,
              uint32_t *ret_id);

/* The template id was merged into (itself when it is a root). `id` must be
 * a live id (no eviction since it was returned). */
uint32_t miner_resolve(struct miner *m, uint32_t id);

/* Text of the (resolved) template of id; borrowed, valid until the next
 * miner_add(). */
const char *miner_text(struct miner *m, uint32_t id, size_t *ret_len);

/* Slot i: returns 1 and fills *ret when it holds a live root template with
 * a count, 0 when it does not, -ENOENT past the last slot. Iterate with
 * i = 0, 1, ... until -ENOENT. Borrowed pointers stay valid until the next
 * miner_add(). */
int miner_template_at(struct miner *m, size_t i, struct miner_template *ret);

const struct miner_stats *miner_get_stats(const struct miner *m);

/* Number of slots (ids are < this); the size of miner_absorb()'s map. */
size_t miner_slots(const struct miner *m);

/* Merge what src found into dst (src is left as it was, apart from its
 * internal path compression): each live root template of src, in slot
 * order, goes through dst's own lookup (known variable positions, exact
 * index, generalisation with dst's templates) as one miner_add() of its
 * token sequence would, then its count is added, first/last widened, its
 * sources added and its example kept when dst's template had none. Line,
 * truncation, eviction, merge and creation counters are summed. The
 * result is what one miner fed dst's lines then src's would find, up to
 * the order in which templates merged (an online miner is
 * order-dependent: it can differ when dst evicts, or when a variable was
 * only recognised across the two).
 * ret_map (optional, miner_slots(src) entries) gets for each src id the dst
 * id it went to (UINT32_MAX for an id that is not live or has no count);
 * resolve it in dst with miner_resolve(). Ids given out by dst earlier and
 * the map stay valid unless dst evicts (see opts.before_evict).
 * Returns 0, -EINVAL (dst == src) or -ENOMEM (dst is then partly merged). */
int miner_absorb(struct miner *dst, struct miner *src, uint32_t *ret_map);

#endif
