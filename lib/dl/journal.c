/* SPDX-License-Identifier: MIT */
/* libsystemd's sd-journal, loaded on first use (dl.h): lib/logs/reader.c reads
 * the journal through it. Without the library every call fails with -ELIBACC,
 * which is how sd-journal reports errors (negative errno). */
#include <errno.h>
#include <systemd/sd-journal.h>

#include "dl/shim.h"

#define SYMS(X)                                                                                    \
    X(sd_journal_open)                                                                             \
    X(sd_journal_open_directory)                                                                   \
    X(sd_journal_open_files)                                                                       \
    X(sd_journal_close)                                                                            \
    X(sd_journal_add_match)                                                                        \
    X(sd_journal_add_disjunction)                                                                  \
    X(sd_journal_seek_head)                                                                        \
    X(sd_journal_seek_realtime_usec)                                                               \
    X(sd_journal_next)                                                                             \
    X(sd_journal_previous)                                                                         \
    X(sd_journal_get_realtime_usec)                                                                \
    X(sd_journal_get_cursor)                                                                       \
    X(sd_journal_get_usage)                                                                        \
    X(sd_journal_set_data_threshold)                                                               \
    X(sd_journal_get_data)                                                                         \
    X(sd_journal_enumerate_data)                                                                   \
    X(sd_journal_enumerate_available_data)                                                         \
    X(sd_journal_restart_data)

SYMS(DL_SHIM_POINTER)
DL_SHIM_RESOLVER(DL_JOURNAL, SYMS)

SHIM int sd_journal_open(sd_journal **ret, int flags)
{
    if (!DL_REAL(sd_journal_open)) return -ELIBACC;
    return p_sd_journal_open(ret, flags);
}

SHIM int sd_journal_open_directory(sd_journal **ret, const char *path, int flags)
{
    if (!DL_REAL(sd_journal_open_directory)) return -ELIBACC;
    return p_sd_journal_open_directory(ret, path, flags);
}

SHIM int sd_journal_open_files(sd_journal **ret, const char **paths, int flags)
{
    if (!DL_REAL(sd_journal_open_files)) return -ELIBACC;
    return p_sd_journal_open_files(ret, paths, flags);
}

SHIM void sd_journal_close(sd_journal *j)
{
    /* a journal handle exists only if the library loaded */
    if (j && DL_REAL(sd_journal_close)) p_sd_journal_close(j);
}

SHIM int sd_journal_add_match(sd_journal *j, const void *data, size_t size)
{
    if (!DL_REAL(sd_journal_add_match)) return -ELIBACC;
    return p_sd_journal_add_match(j, data, size);
}

SHIM int sd_journal_add_disjunction(sd_journal *j)
{
    if (!DL_REAL(sd_journal_add_disjunction)) return -ELIBACC;
    return p_sd_journal_add_disjunction(j);
}

SHIM int sd_journal_seek_head(sd_journal *j)
{
    if (!DL_REAL(sd_journal_seek_head)) return -ELIBACC;
    return p_sd_journal_seek_head(j);
}

SHIM int sd_journal_seek_realtime_usec(sd_journal *j, uint64_t usec)
{
    if (!DL_REAL(sd_journal_seek_realtime_usec)) return -ELIBACC;
    return p_sd_journal_seek_realtime_usec(j, usec);
}

SHIM int sd_journal_next(sd_journal *j)
{
    if (!DL_REAL(sd_journal_next)) return -ELIBACC;
    return p_sd_journal_next(j);
}

SHIM int sd_journal_previous(sd_journal *j)
{
    if (!DL_REAL(sd_journal_previous)) return -ELIBACC;
    return p_sd_journal_previous(j);
}

SHIM int sd_journal_get_realtime_usec(sd_journal *j, uint64_t *ret)
{
    if (!DL_REAL(sd_journal_get_realtime_usec)) return -ELIBACC;
    return p_sd_journal_get_realtime_usec(j, ret);
}

SHIM int sd_journal_get_cursor(sd_journal *j, char **cursor)
{
    if (!DL_REAL(sd_journal_get_cursor)) return -ELIBACC;
    return p_sd_journal_get_cursor(j, cursor);
}

SHIM int sd_journal_get_usage(sd_journal *j, uint64_t *bytes)
{
    if (!DL_REAL(sd_journal_get_usage)) return -ELIBACC;
    return p_sd_journal_get_usage(j, bytes);
}

SHIM int sd_journal_set_data_threshold(sd_journal *j, size_t sz)
{
    if (!DL_REAL(sd_journal_set_data_threshold)) return -ELIBACC;
    return p_sd_journal_set_data_threshold(j, sz);
}

SHIM int sd_journal_get_data(sd_journal *j, const char *field, const void **data, size_t *l)
{
    if (!DL_REAL(sd_journal_get_data)) return -ELIBACC;
    return p_sd_journal_get_data(j, field, data, l);
}

SHIM int sd_journal_enumerate_data(sd_journal *j, const void **data, size_t *l)
{
    if (!DL_REAL(sd_journal_enumerate_data)) return -ELIBACC;
    return p_sd_journal_enumerate_data(j, data, l);
}

SHIM int sd_journal_enumerate_available_data(sd_journal *j, const void **data, size_t *l)
{
    if (!DL_REAL(sd_journal_enumerate_available_data)) return -ELIBACC;
    return p_sd_journal_enumerate_available_data(j, data, l);
}

SHIM void sd_journal_restart_data(sd_journal *j)
{
    if (j && DL_REAL(sd_journal_restart_data)) p_sd_journal_restart_data(j);
}
