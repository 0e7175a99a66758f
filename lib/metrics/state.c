/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "core/macro.h"
#include "metrics/state.h"

#define KEEP_SECONDS (7 * 86400)

struct state_db {
    sqlite3 *db;
    sqlite3_stmt *put;
};

static int sql_errno(int rc)
{
    switch (rc & 0xff) {
    case SQLITE_OK:
    case SQLITE_DONE:
    case SQLITE_ROW: return 0;
    case SQLITE_FULL: return -ENOSPC;
    case SQLITE_NOMEM: return -ENOMEM;
    case SQLITE_PERM:
    case SQLITE_READONLY:
    case SQLITE_AUTH: return -EACCES;
    case SQLITE_CANTOPEN: return -ENOENT;
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB: return -EBADMSG;
    case SQLITE_BUSY:
    case SQLITE_LOCKED: return -EBUSY;
    default: return -EIO;
    }
}

static int exec(sqlite3 *db, const char *sql)
{
    return sql_errno(sqlite3_exec(db, sql, NULL, NULL, NULL));
}

/* Open and validate; -EBADMSG for a corrupt or foreign file. */
static int try_open(const char *path, int64_t max_bytes, sqlite3 **ret)
{
    sqlite3 *db = NULL;
    int rc = sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL);
    if (rc != SQLITE_OK) {
        int r = sql_errno(rc);
        sqlite3_close(db);
        return r;
    }
    sqlite3_busy_timeout(db, 200);
    /* no lookaside slots (~120 KiB kept per connection for small statements)
       and a small page cache: the file is written once a minute, sequentially */
    (void)sqlite3_db_config(db, SQLITE_DBCONFIG_LOOKASIDE, NULL, 0, 0);
    int r = exec(db, "PRAGMA journal_mode=DELETE; PRAGMA synchronous=NORMAL; "
                     "PRAGMA cache_size=-64;");
    if (r == 0) {
        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v2(db, "PRAGMA quick_check", -1, &st, NULL);
        if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW) {
            const unsigned char *v = sqlite3_column_text(st, 0);
            if (!v || strcmp((const char *)v, "ok") != 0) r = -EBADMSG;
        } else
            r = sql_errno(rc) ? sql_errno(rc) : -EBADMSG;
        sqlite3_finalize(st);
    }
    if (r == 0)
        r = exec(db, "CREATE TABLE IF NOT EXISTS series (key TEXT PRIMARY KEY, updated INTEGER "
                     "NOT NULL, blob BLOB NOT NULL)");
    if (r == 0) {
        /* the table must have our shape */
        sqlite3_stmt *st = NULL;
        rc = sqlite3_prepare_v2(db, "SELECT key, updated, blob FROM series LIMIT 1", -1, &st, NULL);
        if (rc != SQLITE_OK) r = -EBADMSG;
        sqlite3_finalize(st);
    }
    if (r == 0) {
        char sql[128];
        long page = 4096;
        sqlite3_stmt *st = NULL;
        if (sqlite3_prepare_v2(db, "PRAGMA page_size", -1, &st, NULL) == SQLITE_OK &&
            sqlite3_step(st) == SQLITE_ROW)
            page = sqlite3_column_int(st, 0);
        sqlite3_finalize(st);
        snprintf(sql, sizeof sql, "PRAGMA max_page_count=%lld",
                 (long long)(max_bytes / (page > 0 ? page : 4096)));
        r = exec(db, sql);
    }
    if (r < 0) {
        sqlite3_close(db);
        return r;
    }
    *ret = db;
    return 0;
}

int state_open(const char *path, int64_t max_bytes, struct state_db **ret, int *ret_flags,
               char **ret_aside)
{
    sqlite3 *db = NULL;
    int flags = 0;
    if (max_bytes <= 0) max_bytes = STATE_MAX_BYTES_DEFAULT;
    int r = try_open(path, max_bytes, &db);
    if (r == -EBADMSG) {
        char *aside = NULL;
        if (asprintf(&aside, "%s.corrupt-%lld", path, (long long)time(NULL)) < 0) return -ENOMEM;
        if (rename(path, aside) < 0) {
            r = -errno;
            free(aside);
            return r;
        }
        /* a leftover journal belongs to the old file */
        char journal[4096];
        snprintf(journal, sizeof journal, "%s-journal", path);
        (void)unlink(journal);
        flags |= STATE_SET_ASIDE;
        if (ret_aside)
            *ret_aside = aside;
        else
            free(aside);
        r = try_open(path, max_bytes, &db);
    }
    if (r < 0) return r;
    struct state_db *s = calloc(1, sizeof *s);
    if (!s) {
        sqlite3_close(db);
        return -ENOMEM;
    }
    s->db = db;
    if (sqlite3_prepare_v2(db,
                           "INSERT INTO series(key, updated, blob) VALUES(?1, ?2, ?3) ON "
                           "CONFLICT(key) DO UPDATE SET updated=?2, blob=?3",
                           -1, &s->put, NULL) != SQLITE_OK) {
        state_close(s);
        return -EIO;
    }
    if (ret_flags) *ret_flags = flags;
    *ret = s;
    return 0;
}

struct state_db *state_close(struct state_db *s)
{
    if (!s) return NULL;
    sqlite3_finalize(s->put);
    sqlite3_close(s->db);
    free(s);
    return NULL;
}

int state_load(struct state_db *s, int (*fn)(void *, const char *, const void *, size_t),
               void *userdata)
{
    sqlite3_stmt *st = NULL;
    int rc = sqlite3_prepare_v2(s->db, "SELECT key, blob FROM series", -1, &st, NULL);
    if (rc != SQLITE_OK) return sql_errno(rc);
    int r = 0;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *key = (const char *)sqlite3_column_text(st, 0);
        const void *blob = sqlite3_column_blob(st, 1);
        size_t n = (size_t)sqlite3_column_bytes(st, 1);
        if (!key || !blob) continue;
        r = fn(userdata, key, blob, n);
        if (r < 0 && r != -EINVAL) break; /* a malformed row is skipped */
        r = 0;
    }
    if (rc != SQLITE_DONE && rc != SQLITE_ROW && r == 0) r = sql_errno(rc);
    sqlite3_finalize(st);
    return r;
}

int state_begin(struct state_db *s)
{
    return exec(s->db, "BEGIN IMMEDIATE");
}

int state_put(struct state_db *s, const char *key, const void *blob, size_t n, int64_t now_s)
{
    sqlite3_reset(s->put);
    sqlite3_bind_text(s->put, 1, key, -1, SQLITE_TRANSIENT);
    sqlite3_bind_int64(s->put, 2, now_s);
    sqlite3_bind_blob(s->put, 3, blob, (int)n, SQLITE_TRANSIENT);
    int rc = sqlite3_step(s->put);
    sqlite3_reset(s->put);
    return rc == SQLITE_DONE ? 0 : sql_errno(rc);
}

int state_commit(struct state_db *s, int64_t now_s)
{
    char sql[128];
    snprintf(sql, sizeof sql, "DELETE FROM series WHERE updated < %lld",
             (long long)(now_s - KEEP_SECONDS));
    int r = exec(s->db, sql);
    if (r == 0) r = exec(s->db, "COMMIT");
    if (r < 0) state_rollback(s);
    return r;
}

void state_rollback(struct state_db *s)
{
    (void)sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
}
