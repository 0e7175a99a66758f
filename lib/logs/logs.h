/* SPDX-License-Identifier: MIT */
/*
 * logs.h: the log engine's public API: reading records from any log source,
 * understanding one line, and the shared record type.
 *
 * A reader yields one `struct log_record` per line, in file order (rotated
 * sets oldest first). Every pointer inside a record is borrowed and valid
 * only until the next log_reader_next() call: copy what you keep.
 * Lines longer than the reader's cap are truncated (and counted); invalid
 * UTF-8 is passed through as bytes; binary files are skipped and counted;
 * a truncated .gz/.zst yields every valid line and an error entry naming the
 * file and the byte offset. Memory use is bounded by the line cap, never by
 * the file size.
 */
#ifndef TSHOOT_LOGS_H
#define TSHOOT_LOGS_H

#include <stddef.h>
#include <stdint.h>
#include "core/macro.h"
#include "core/timeutil.h"

enum log_level {
    LOG_LEVEL_UNKNOWN = 0,
    LOG_LEVEL_TRACE,
    LOG_LEVEL_DEBUG,
    LOG_LEVEL_INFO,
    LOG_LEVEL_NOTICE,
    LOG_LEVEL_WARN,
    LOG_LEVEL_ERROR,
    LOG_LEVEL_CRIT, /* critical, alert, emergency, fatal, panic */
    _LOG_LEVEL_MAX,
};

const char *log_level_name(enum log_level l); /* "info", "warn", ... "unknown" */
/* Parse a level word (case-insensitive: "E", "ERR", "error", "warning", "FATAL",
 * syslog numbers 0-7 ...). Returns LOG_LEVEL_UNKNOWN when not a level. */
enum log_level log_level_parse(const char *s, size_t n);
/* Numeric levels: syslog 0-7, bunyan/pino 10..60. LOG_LEVEL_UNKNOWN otherwise. */
enum log_level log_level_from_number(long v);
/* Guess a level from the words of an unlevelled message ("failed", "no space
 * left", "panic", "timeout", ...): LOG_LEVEL_WARN and above, or
 * LOG_LEVEL_UNKNOWN when nothing suggests a problem. Case-insensitive, word
 * starts only; O(n). log_parse_line() does NOT call this (rec->level is what
 * the line says); analyses call it for records whose level is unknown. */
enum log_level log_level_infer(const char *s, size_t n);

enum log_format {
    LOG_FORMAT_PLAIN = 0,
    LOG_FORMAT_JSON,   /* JSON lines */
    LOG_FORMAT_LOGFMT, /* key=value pairs */
    LOG_FORMAT_DOCKER, /* docker json-file {"log":..,"stream":..,"time":..} */
    LOG_FORMAT_CRI,    /* "2026-04-18T10:00:00.123456789Z stdout F msg" */
    LOG_FORMAT_JOURNAL,
};

struct log_record {
    ts_time_t time; /* UTC ns, TS_TIME_NONE when the line carries none */
    enum log_level level;
    enum log_format format;
    const char *source; /* file path, journal unit, container: borrowed */
    const char *msg;    /* the message, header (time, level, ...) stripped */
    size_t msg_len;
    const char *err; /* JSON/logfmt error/err field, or NULL */
    size_t err_len;
    const char *line; /* the raw line (after container-log unwrapping) */
    size_t line_len;
    uint64_t lineno; /* 1-based line number in its source */
    int truncated;   /* line was cut at the reader's cap */
    int yearless;    /* time came from a year-less stamp (year guessed from the hint) */
};

/* Parse one line (no trailing newline) into rec: detects the format, the
 * timestamp (15+ common forms), the level and the message. `year_hint` is
 * used for year-less stamps (BSD syslog); 0 means the current year.
 * Pointers in rec point into `line` (or into `scratch`, a caller buffer of
 * `scratch_size` bytes used for unescaped JSON strings). Never fails: an
 * unparsable line is a LOG_FORMAT_PLAIN record with time TS_TIME_NONE and
 * the whole line as message. */
void log_parse_line(const char *line, size_t len, int year_hint, char *scratch, size_t scratch_size,
                    struct log_record *rec);

/* Parse a timestamp at the start of s. Returns the number of bytes consumed
 * (0 when none is recognised) and sets *ret (UTC ns). */
size_t log_parse_time(const char *s, size_t n, int year_hint, ts_time_t *ret);
#define LOG_TIME_YEARLESS 1 /* flag: the stamp had no year (year_hint was used) */
/* Same, and *ret_flags (optional) gets LOG_TIME_* flags. */
size_t log_parse_time_ex(const char *s, size_t n, int year_hint, ts_time_t *ret, int *ret_flags);
/* Epoch seconds (10 digits, optional fraction), ms (13), us (16) or ns (19)
 * between 2001 and 2100. Returns bytes consumed or 0. */
size_t log_parse_epoch(const char *s, size_t n, ts_time_t *ret);

struct log_reader_opts {
    size_t max_line;     /* line cap in bytes, default 64 KiB when 0 */
    int follow_symlinks; /* 0: never leave a directory scan through a symlink */
    ts_time_t since;     /* TS_TIME_NONE: no lower bound */
    ts_time_t until;     /* TS_TIME_NONE: no upper bound */
    int raw;             /* 1: do not parse lines: msg = line, time NONE, level UNKNOWN (fastest) */
    /* Parallel reading: with n_shards > 1 this reader reads only shard
     * `shard` (0-based) of the queued inputs. Rotated sets stay whole; sets
     * are spread by size (largest first, to the least loaded shard), stdin
     * and the journal go to shard 0. Readers given the same paths and
     * n_shards split the inputs exactly, each input read by one of them. */
    unsigned shard, n_shards;
};

struct log_reader_stats {
    uint64_t bytes; /* decompressed bytes read */
    uint64_t lines;
    uint64_t untimed;         /* lines with no recognised timestamp */
    uint64_t truncated;       /* lines cut at max_line */
    uint64_t files;           /* files opened */
    uint64_t skipped_binary;  /* files skipped as binary */
    uint64_t skipped_symlink; /* entries not followed */
    uint64_t errors;          /* files with read/decompression errors */
    uint64_t filtered;        /* records dropped by since/until */
    uint64_t disk_total;      /* on-disk bytes of all queued regular files */
    uint64_t disk_done;       /* on-disk bytes consumed so far (for progress/ETA) */
};

struct log_reader;

int log_reader_new(const struct log_reader_opts *opts, struct log_reader **ret);
struct log_reader *log_reader_free(struct log_reader *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct log_reader *, log_reader_free)

/* Queue a file, a directory (recursive; rotated sets ordered oldest first)
 * or "-" for stdin. Returns 0 or -errno (-ENOENT when the path is missing). */
int log_reader_add_path(struct log_reader *r, const char *path);
/* Queue this host's systemd journal (unit NULL = all units). A unit name
 * without a type suffix gets ".service"; the filter matches _SYSTEMD_UNIT=U
 * or systemd's own messages about U (UNIT=U with _PID=1).
 * Each entry is one record: MESSAGE (by length: NUL, CR, LF become spaces;
 * longer than max_line is cut and counted), time = the entry's realtime
 * stamp (since/until filter on it), level = the higher of the message's own
 * and PRIORITY (PRIORITY=6 of a captured stdout stream says nothing),
 * source = _SYSTEMD_UNIT, else SYSLOG_IDENTIFIER, else _COMM, else
 * "journal". Entries without MESSAGE are skipped. Returns 0 or -errno. */
int log_reader_add_journal(struct log_reader *r, const char *unit);
/* Queue a journal directory as `journalctl -D DIR` reads it (DIR's
 * *.journal / *.journal~ files and its machine-id subdirectories). Files
 * that are not journals, truncated or of an unsupported format are listed as
 * errors and skipped. Returns 0 or -errno. */
int log_reader_add_journal_dir(struct log_reader *r, const char *dir, const char *unit);
/* Queue journal files read together, interleaved by time (journalctl
 * --file). Bad files are listed as errors and skipped. Returns 0 or -errno. */
int log_reader_add_journal_files(struct log_reader *r, const char *const *files, size_t n,
                                 const char *unit);
/* Check that path is a journal file (dir = 0) or a directory holding at
 * least one (dir = 1) that this libsystemd can open. Returns 0, or -errno
 * with a one-line reason in why[why_size] ("truncated journal file (4000 of
 * 8388608 bytes)", "not a journal file", ...): -ENOENT/-EACCES/-ENOTDIR for
 * a missing or unreadable path, -EBADMSG for a corrupt or foreign file,
 * -EPROTONOSUPPORT for a journal format this libsystemd cannot read. */
int log_journal_check(const char *path, int dir, char *why, size_t why_size);

/* Next record: 1 and *rec filled, 0 at the end of all inputs, or -errno for
 * a hard failure (per-file problems are not returned: they are counted in
 * the stats and listed by log_reader_error()). */
int log_reader_next(struct log_reader *r, struct log_record *rec);

const struct log_reader_stats *log_reader_stats(const struct log_reader *r);
/* i-th per-file problem as "PATH: what (at byte N)", borrowed; NULL past the end. */
const char *log_reader_error(const struct log_reader *r, size_t i);

#endif
