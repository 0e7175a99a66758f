/* SPDX-License-Identifier: MIT */
/*
 * macro.h: small language helpers used across libtshoot and the front end.
 *
 * Ownership rule of the whole project: a pointer returned through a `ret_`
 * parameter or as a function result is owned by the caller unless the
 * header says "borrowed". Destructors accept NULL and return NULL, so
 * `p = foo_free(p);` is always safe. `_cleanup_free_` and TAKE_PTR() make
 * the hand-over explicit:
 *
 *     _cleanup_free_ char *s = strdup("x");
 *     if (!s) return -ENOMEM;
 *     *ret = TAKE_PTR(s);
 */
#ifndef TSHOOT_MACRO_H
#define TSHOOT_MACRO_H

#include <stdlib.h>
#include <string.h>
#include <stdbool.h>

#define _cleanup_(f)         __attribute__((cleanup(f)))
#define _warn_unused_result_ __attribute__((warn_unused_result))
#define _printf_(a, b)       __attribute__((format(printf, a, b)))
#define _unused_             __attribute__((unused))
#define _likely_(x)          __builtin_expect(!!(x), 1)
#define _unlikely_(x)        __builtin_expect(!!(x), 0)

#define ELEMENTSOF(x) (sizeof(x) / sizeof((x)[0]))

#define TS_MIN(a, b) ((a) < (b) ? (a) : (b))
#define TS_MAX(a, b) ((a) > (b) ? (a) : (b))

/* Take the value out of a pointer variable, leaving NULL behind. */
#define TAKE_PTR(p)                                                                                \
    ({                                                                                             \
        __typeof__(p) _tp_ = (p);                                                                  \
        (p) = NULL;                                                                                \
        _tp_;                                                                                      \
    })

static inline void freep(void *p)
{
    free(*(void **)p);
}
#define _cleanup_free_ _cleanup_(freep)

/* Define a scope-cleanup helper `name##p` for a type with a NULL-safe
 * destructor `func(type *)`. */
#define DEFINE_TRIVIAL_CLEANUP_FUNC(type, func)                                                    \
    static inline void func##p(type *p)                                                            \
    {                                                                                              \
        if (*p) func(*p);                                                                          \
    }

static inline bool streq(const char *a, const char *b)
{
    return strcmp(a, b) == 0;
}

static inline bool streq_ptr(const char *a, const char *b)
{
    if (!a || !b) return a == b;
    return strcmp(a, b) == 0;
}

static inline const char *startswith(const char *s, const char *prefix)
{
    size_t n = strlen(prefix);
    return strncmp(s, prefix, n) == 0 ? s + n : NULL;
}

#endif
