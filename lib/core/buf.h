/* SPDX-License-Identifier: MIT */
/*
 * buf.h: a growable byte buffer with a hard size cap.
 *
 * Invariants: after buf_init() `data` is either NULL (nothing appended yet)
 * or NUL-terminated; `len` never exceeds `max`. An append that would pass
 * `max` fails with -E2BIG and leaves the buffer unchanged, so a caller can
 * decide to truncate and count instead of growing without bound (logs are
 * unbounded input: every buffer in tshoot has a cap).
 *
 *     struct buf b;
 *     buf_init(&b, 1 << 20);
 *     r = buf_printf(&b, "%d files", n);
 *     ...
 *     char *s = buf_take(&b);   // caller owns s; b is empty again
 *     buf_release(&b);          // or: free the storage
 */
#ifndef TSHOOT_BUF_H
#define TSHOOT_BUF_H

#include <stddef.h>
#include <stdarg.h>
#include "core/macro.h"

struct buf {
    char *data;
    size_t len;
    size_t cap;
    size_t max;
};

#define BUF_INIT(maxbytes)                                                                         \
    {                                                                                              \
        .data = NULL, .len = 0, .cap = 0, .max = (maxbytes)                                        \
    }

void buf_init(struct buf *b, size_t max);
/* Free the storage; the buffer is empty and reusable afterwards. */
void buf_release(struct buf *b);
/* Keep the storage, set len to 0. */
void buf_reset(struct buf *b);
/* Append n bytes. Returns 0, -E2BIG past the cap, -ENOMEM. */
_warn_unused_result_ int buf_append(struct buf *b, const void *p, size_t n);
_warn_unused_result_ int buf_putc(struct buf *b, char c);
_warn_unused_result_ int buf_puts(struct buf *b, const char *s);
_warn_unused_result_ _printf_(2, 3) int buf_printf(struct buf *b, const char *fmt, ...);
_warn_unused_result_ int buf_vprintf(struct buf *b, const char *fmt, va_list ap);
/* Hand the string over to the caller (never NULL on success: "" for an
 * empty buffer); the buffer is reset to empty. Returns NULL on ENOMEM. */
char *buf_take(struct buf *b);
/* Borrowed, NUL-terminated view ("" when empty). */
const char *buf_str(const struct buf *b);

#endif
