/* SPDX-License-Identifier: MIT */
/*
 * roots.c: confinement of path arguments to the --root directories.
 *
 * A path is first normalised lexically (so that "/srv/x/../../etc" is
 * refused without touching the file system outside the roots, and without
 * telling whether such a file exists), then realpath()'d (so that a symlink
 * inside a root that points outside is refused too).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "serve/mcp/mcp-internal.h"

bool mcp_path_in_root(const char *path, const char *root)
{
    if (streq(root, "/")) return path[0] == '/';
    size_t n = strlen(root);
    return strncmp(path, root, n) == 0 && (path[n] == '\0' || path[n] == '/');
}

/* Collapse "//", "/./" and "/../" of an absolute path, in place. */
static void normalise(char *p)
{
    char *out = p;
    const char *in = p;
    while (*in) {
        while (*in == '/') in++;
        if (!*in) break;
        const char *e = strchrnul(in, '/');
        size_t n = (size_t)(e - in);
        if (n == 1 && in[0] == '.') {
            /* skip */
        } else if (n == 2 && in[0] == '.' && in[1] == '.') {
            while (out > p && *--out != '/') {}
        } else {
            *out++ = '/';
            memmove(out, in, n);
            out += n;
        }
        in = e;
    }
    if (out == p) *out++ = '/';
    *out = '\0';
}

static bool in_any_root(const struct mcp_server *s, const char *p)
{
    for (size_t i = 0; i < s->n_roots; i++)
        if (mcp_path_in_root(p, s->roots[i])) return true;
    return false;
}

static char *roots_list(const struct mcp_server *s)
{
    struct buf b = BUF_INIT(4096);
    for (size_t i = 0; i < s->n_roots; i++)
        if (buf_printf(&b, "%s%s", i ? ", " : "", s->roots[i]) < 0) break;
    char *r = buf_take(&b);
    buf_release(&b);
    return r;
}

static int outside(const struct mcp_server *s, const char *arg, char **ret_error)
{
    _cleanup_free_ char *roots = roots_list(s);
    if (!roots) return -ENOMEM;
    int r;
    if (s->n_roots == 0)
        r = asprintf(ret_error,
                     "path '%s' is refused: no roots are allowed (start 'tshoot mcp --root DIR')",
                     arg);
    else
        r = asprintf(ret_error,
                     "path '%s' is outside the allowed roots (%s); only files under a --root "
                     "given to 'tshoot mcp' can be read",
                     arg, roots);
    if (r < 0) *ret_error = NULL;
    return -EACCES;
}

int mcp_resolve_path(const struct mcp_server *s, const char *arg, char **ret, char **ret_error)
{
    *ret = NULL;
    *ret_error = NULL;
    if (!arg || !*arg) {
        *ret_error = strdup("path must not be empty");
        return -EINVAL;
    }
    if (strlen(arg) >= 4096) {
        *ret_error = strdup("path is too long");
        return -ENAMETOOLONG;
    }
    if (s->n_roots == 0) return outside(s, arg, ret_error);

    _cleanup_free_ char *abs = NULL;
    if (arg[0] == '/')
        abs = strdup(arg);
    else if (asprintf(&abs, "%s/%s", s->roots[0], arg) < 0)
        abs = NULL;
    if (!abs) return -ENOMEM;
    normalise(abs);
    if (!in_any_root(s, abs)) return outside(s, arg, ret_error);

    char *real = realpath(abs, NULL);
    if (!real) {
        int e = errno;
        if (asprintf(ret_error, "cannot open '%s': %s", arg, strerror(e)) < 0) *ret_error = NULL;
        return -e;
    }
    if (!in_any_root(s, real)) {
        free(real);
        return outside(s, arg, ret_error);
    }
    *ret = real;
    return 0;
}
