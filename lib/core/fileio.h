/* SPDX-License-Identifier: MIT */
/*
 * fileio.h: bounded, read-only file access.
 *
 * Every read has a byte cap: a /proc file or a log that grows while being
 * read cannot make tshoot allocate without limit.
 */
#ifndef TSHOOT_FILEIO_H
#define TSHOOT_FILEIO_H

#include <stddef.h>
#include "core/macro.h"

/* Read at most max bytes of path (relative paths resolve against dirfd, use
 * AT_FDCWD for the cwd). The result is NUL-terminated and owned by the
 * caller. Returns 0, or -errno (open/read errors), -EFBIG when the file holds
 * more than max bytes (*ret still gets the first max bytes: callers that
 * accept a truncated read may use it; it must be freed either way). */
_warn_unused_result_ int read_file_at(int dirfd, const char *path, size_t max, char **ret,
                                      size_t *ret_len);
_warn_unused_result_ int read_file(const char *path, size_t max, char **ret, size_t *ret_len);

/* The same for an open descriptor (read from its current offset; the
 * descriptor stays open). */
_warn_unused_result_ int read_fd(int fd, size_t max, char **ret, size_t *ret_len);

/* Write all of buf to fd, retrying on EINTR and short writes. 0 or -errno. */
_warn_unused_result_ int write_all(int fd, const void *buf, size_t n);

#endif
