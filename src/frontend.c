/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dl/dl.h"
#include "tshoot.h"

int usage_error(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "tshoot %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, " (see 'tshoot %s --help')\n", cmd);
    return EXIT_USAGE;
}

int exit_for_errno(int r)
{
    switch (-r) {
    case ENOENT:
    case EACCES:
    case EPERM:
    case ENOTDIR:
    case EISDIR: return EXIT_NOINPUT;
    case EINVAL:
    case EBADMSG:
    case EILSEQ:
    case EPROTO: return EXIT_DATAERR;
    case EIO:
    case ENOSPC:
    case EROFS:
    case EPIPE: return EXIT_IOERR;
    case ECONNREFUSED:
    case EHOSTUNREACH:
    case ETIMEDOUT: return EXIT_UNAVAILABLE;
    default: return EXIT_SOFTWARE;
    }
}

int fail_errno(const char *cmd, int r, const char *fmt, ...)
{
    /* A library loaded on first use (lib/dl) is missing: lib/ says so with
     * -ELIBACC (or a NULL handle from a shim reads as -ENOMEM), and dl_error()
     * names the library. An unrelated error keeps its own message. */
    if (r == -ELIBACC || (r == -ENOMEM && dl_error())) {
        const char *dl = dl_error();
        fprintf(stderr, "tshoot %s: %s\n", cmd, dl ? dl : "a shared library cannot be loaded");
        return EXIT_UNAVAILABLE;
    }
    va_list ap;
    fprintf(stderr, "tshoot %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, ": %s\n", strerror(r < 0 ? -r : r));
    return exit_for_errno(r < 0 ? r : -r);
}

int fail(const char *cmd, int code, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "tshoot %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
    return code;
}

void warn(const char *cmd, const char *fmt, ...)
{
    va_list ap;
    fprintf(stderr, "tshoot %s: warning: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

bool use_color(FILE *f)
{
    const char *nc = getenv("NO_COLOR");
    if (nc && *nc) return false;
    const char *term = getenv("TERM");
    if (term && streq(term, "dumb")) return false;
    return isatty(fileno(f));
}

void palette_init(struct palette *p, bool on)
{
    if (on) {
        *p = (struct palette){ "\033[1m",  "\033[2m",  "\033[31m", "\033[33m",
                               "\033[32m", "\033[36m", "\033[0m" };
    } else {
        *p = (struct palette){ "", "", "", "", "", "", "" };
    }
}

FILE *output_open(const char *path)
{
    if (!path || streq(path, "-")) return stdout;
    return fopen(path, "we");
}

int output_close(const char *cmd, FILE *f, const char *path)
{
    int err = 0;
    if (fflush(f) != 0 || ferror(f)) err = errno ? errno : EIO;
    if (f != stdout && fclose(f) != 0 && !err) err = errno ? errno : EIO;
    if (err)
        return fail_errno(cmd, -err, "cannot write '%s'", path && f != stdout ? path : "stdout");
    return 0;
}

int parse_uint_opt(const char *cmd, const char *opt, const char *val, unsigned long max,
                   unsigned long *ret)
{
    char *end;
    errno = 0;
    if (!val || !*val || *val == '-') return usage_error(cmd, "%s needs a number", opt);
    unsigned long v = strtoul(val, &end, 10);
    if (errno || *end || v > max)
        return usage_error(cmd, "%s '%s' is not a number in 0..%lu", opt, val, max);
    *ret = v;
    return 0;
}
