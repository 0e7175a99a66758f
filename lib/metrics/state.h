/* SPDX-License-Identifier: MIT */
/*
 * state.h: the SQLite state file of `tshoot watch` (ring histories, so a
 * restart keeps its trends).
 *
 * One table: series(key TEXT PRIMARY KEY, updated INTEGER, blob BLOB). The
 * file size is capped with PRAGMA max_page_count; series not updated for 7
 * days are dropped. A file that is not a database or fails the integrity
 * check is renamed to FILE.corrupt-UNIXTIME and a fresh one is created
 * (STATE_SET_ASIDE is reported so the caller can warn). A full disk or the
 * size cap makes saves fail with -ENOSPC; the caller goes memory-only.
 */
#ifndef TSHOOT_METRICS_STATE_H
#define TSHOOT_METRICS_STATE_H

#include <stddef.h>
#include <stdint.h>

#define STATE_MAX_BYTES_DEFAULT (16 << 20)

struct state_db;

enum {
    STATE_SET_ASIDE = 1 << 0, /* a corrupt file was renamed */
};

/* Open or create. *ret_flags gets STATE_SET_ASIDE; *ret_aside (optional,
 * caller owns) the new name of the corrupt file. 0 or -errno (-EACCES,
 * -ENOSPC when even a fresh file cannot be created...). */
int state_open(const char *path, int64_t max_bytes, struct state_db **ret, int *ret_flags,
               char **ret_aside);
struct state_db *state_close(struct state_db *db);

/* Load every series: fn(userdata, key, blob, n) for each row. */
int state_load(struct state_db *db, int (*fn)(void *, const char *, const void *, size_t),
               void *userdata);

/* Save: begin, put each series, commit (or rollback on error). -ENOSPC when
 * the disk or the cap is full, -EIO otherwise. */
int state_begin(struct state_db *db);
int state_put(struct state_db *db, const char *key, const void *blob, size_t n, int64_t now_s);
int state_commit(struct state_db *db, int64_t now_s);
void state_rollback(struct state_db *db);

#endif
