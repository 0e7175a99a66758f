/* SPDX-License-Identifier: MIT */
/*
 * level.c: level names, level words and keyword-based level inference.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "logs/logs.h"

static const char *const level_names[_LOG_LEVEL_MAX] = {
    [LOG_LEVEL_UNKNOWN] = "unknown", [LOG_LEVEL_TRACE] = "trace",   [LOG_LEVEL_DEBUG] = "debug",
    [LOG_LEVEL_INFO] = "info",       [LOG_LEVEL_NOTICE] = "notice", [LOG_LEVEL_WARN] = "warn",
    [LOG_LEVEL_ERROR] = "error",     [LOG_LEVEL_CRIT] = "crit",
};

const char *log_level_name(enum log_level l)
{
    if ((unsigned)l >= _LOG_LEVEL_MAX) return "unknown";
    return level_names[l];
}

static inline char lower(char c)
{
    return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

struct level_word {
    const char *w;
    enum log_level l;
};

/* Sorted by length only for readability; matched exactly (case-insensitive). */
static const struct level_word level_words[] = {
    { "trace", LOG_LEVEL_TRACE },      { "trc", LOG_LEVEL_TRACE },
    { "finest", LOG_LEVEL_TRACE },     { "finer", LOG_LEVEL_TRACE },
    { "verbose", LOG_LEVEL_TRACE },    { "debug", LOG_LEVEL_DEBUG },
    { "dbg", LOG_LEVEL_DEBUG },        { "fine", LOG_LEVEL_DEBUG },
    { "info", LOG_LEVEL_INFO },        { "inf", LOG_LEVEL_INFO },
    { "information", LOG_LEVEL_INFO }, { "informational", LOG_LEVEL_INFO },
    { "config", LOG_LEVEL_INFO },      { "notice", LOG_LEVEL_NOTICE },
    { "warn", LOG_LEVEL_WARN },        { "wrn", LOG_LEVEL_WARN },
    { "warning", LOG_LEVEL_WARN },     { "err", LOG_LEVEL_ERROR },
    { "eror", LOG_LEVEL_ERROR },       { "error", LOG_LEVEL_ERROR },
    { "severe", LOG_LEVEL_ERROR },     { "crit", LOG_LEVEL_CRIT },
    { "critical", LOG_LEVEL_CRIT },    { "alert", LOG_LEVEL_CRIT },
    { "emerg", LOG_LEVEL_CRIT },       { "emergency", LOG_LEVEL_CRIT },
    { "fatal", LOG_LEVEL_CRIT },       { "panic", LOG_LEVEL_CRIT },
    { "dpanic", LOG_LEVEL_CRIT },      { "ftl", LOG_LEVEL_CRIT },
};

enum log_level log_level_parse(const char *s, size_t n)
{
    if (!s || n == 0 || n > 13) return LOG_LEVEL_UNKNOWN;
    if (n == 1) {
        switch (s[0]) {
        /* syslog severities 0-7 */
        case '0':
        case '1':
        case '2': return LOG_LEVEL_CRIT;
        case '3': return LOG_LEVEL_ERROR;
        case '4': return LOG_LEVEL_WARN;
        case '5': return LOG_LEVEL_NOTICE;
        case '6': return LOG_LEVEL_INFO;
        case '7': return LOG_LEVEL_DEBUG;
        case 'T':
        case 't':
        case 'V':
        case 'v': return LOG_LEVEL_TRACE;
        case 'D':
        case 'd': return LOG_LEVEL_DEBUG;
        case 'I':
        case 'i': return LOG_LEVEL_INFO;
        case 'N':
        case 'n': return LOG_LEVEL_NOTICE;
        case 'W':
        case 'w': return LOG_LEVEL_WARN;
        case 'E':
        case 'e': return LOG_LEVEL_ERROR;
        case 'C':
        case 'c':
        case 'F':
        case 'f': return LOG_LEVEL_CRIT;
        default: return LOG_LEVEL_UNKNOWN;
        }
    }
    char w[16];
    for (size_t i = 0; i < n; i++) {
        char c = lower(s[i]);
        if (c < 'a' || c > 'z') return LOG_LEVEL_UNKNOWN;
        w[i] = c;
    }
    w[n] = 0;
    for (size_t i = 0; i < ELEMENTSOF(level_words); i++)
        if (level_words[i].w[0] == w[0] && strlen(level_words[i].w) == n &&
            memcmp(level_words[i].w, w, n) == 0)
            return level_words[i].l;
    return LOG_LEVEL_UNKNOWN;
}

enum log_level log_level_from_number(long v)
{
    if (v >= 0 && v <= 7) {
        char c = (char)('0' + v);
        return log_level_parse(&c, 1);
    }
    /* bunyan/pino: 10 trace, 20 debug, 30 info, 40 warn, 50 error, 60 fatal */
    switch (v) {
    case 10: return LOG_LEVEL_TRACE;
    case 20: return LOG_LEVEL_DEBUG;
    case 30: return LOG_LEVEL_INFO;
    case 40: return LOG_LEVEL_WARN;
    case 50: return LOG_LEVEL_ERROR;
    case 60: return LOG_LEVEL_CRIT;
    default: return LOG_LEVEL_UNKNOWN;
    }
}

/* Keywords that make an unlevelled line an error or a warning. Matched
 * case-insensitively at a word start. */
static const struct level_word infer_words[] = {
    { "error", LOG_LEVEL_ERROR },        { "errno", LOG_LEVEL_ERROR },
    { "fail", LOG_LEVEL_ERROR }, /* fail, failed, failure */
    { "fatal", LOG_LEVEL_CRIT },         { "panic", LOG_LEVEL_CRIT },
    { "exception", LOG_LEVEL_ERROR },    { "traceback", LOG_LEVEL_ERROR },
    { "segfault", LOG_LEVEL_CRIT },      { "oom", LOG_LEVEL_ERROR },
    { "out of memory", LOG_LEVEL_CRIT }, { "no space left", LOG_LEVEL_ERROR },
    { "denied", LOG_LEVEL_ERROR },       { "refused", LOG_LEVEL_ERROR },
    { "unreachable", LOG_LEVEL_ERROR },  { "timed out", LOG_LEVEL_ERROR },
    { "timeout", LOG_LEVEL_WARN },       { "cannot", LOG_LEVEL_ERROR },
    { "can't", LOG_LEVEL_ERROR },        { "unable", LOG_LEVEL_ERROR },
    { "invalid", LOG_LEVEL_WARN },       { "warn", LOG_LEVEL_WARN },
    { "deprecated", LOG_LEVEL_WARN },    { "retry", LOG_LEVEL_WARN },
    { "retrying", LOG_LEVEL_WARN },      { "killed", LOG_LEVEL_ERROR },
    { "abort", LOG_LEVEL_ERROR },        { "corrupt", LOG_LEVEL_ERROR },
};

/* Words grouped by lower-case first letter: bucket[c] lists word indices + 1;
 * pair[] has a bit for every (first, second) letter pair a word starts with. */
#define INFER_BUCKET 8
static unsigned char infer_bucket[26][INFER_BUCKET];
static unsigned char infer_len[ELEMENTSOF(infer_words)];
static unsigned char infer_first[256]; /* 1 + letter index, 0: no word starts so */
static unsigned char alnum_tab[256];
static uint8_t infer_pair[26 * 256 / 8];
static pthread_once_t infer_once = PTHREAD_ONCE_INIT;

static void infer_init(void)
{
    for (int c = 0; c < 256; c++)
        alnum_tab[c] = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    for (size_t k = 0; k < ELEMENTSOF(infer_words); k++) {
        unsigned char c = (unsigned char)infer_words[k].w[0];
        int li = c - 'a';
        infer_first[c] = (unsigned char)(li + 1);
        infer_first[c - 32] = (unsigned char)(li + 1);
        infer_len[k] = (unsigned char)strlen(infer_words[k].w);
        unsigned char c1 = (unsigned char)infer_words[k].w[1];
        unsigned pl = (unsigned)li * 256 + c1;
        infer_pair[pl / 8] |= (uint8_t)(1u << (pl % 8));
        if (c1 >= 'a' && c1 <= 'z') {
            unsigned pu = (unsigned)li * 256 + (c1 - 32u);
            infer_pair[pu / 8] |= (uint8_t)(1u << (pu % 8));
        }
        for (int b = 0; b < INFER_BUCKET; b++)
            if (!infer_bucket[li][b]) {
                infer_bucket[li][b] = (unsigned char)(k + 1);
                break;
            }
    }
}

enum log_level log_level_infer(const char *s, size_t n)
{
    pthread_once(&infer_once, infer_init);
    enum log_level best = LOG_LEVEL_UNKNOWN;
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0;
    while (i + 3 <= n) {
        if (!alnum_tab[u[i]]) {
            i++;
            continue;
        }
        /* u[i] starts a word */
        unsigned f = infer_first[u[i]];
        if (f) {
            unsigned pl = (f - 1) * 256 + u[i + 1];
            if (infer_pair[pl / 8] & (1u << (pl % 8))) {
                const unsigned char *bk = infer_bucket[f - 1];
                char c1 = lower(s[i + 1]);
                for (int b = 0; b < INFER_BUCKET && bk[b]; b++) {
                    size_t k = bk[b] - 1u;
                    const char *w = infer_words[k].w;
                    size_t wl = infer_len[k], j;
                    if (w[1] != c1 || wl > n - i) continue;
                    for (j = 2; j < wl; j++)
                        if (lower(s[i + j]) != w[j]) break;
                    if (j < wl) continue;
                    if (infer_words[k].l > best) best = infer_words[k].l;
                    if (best == LOG_LEVEL_CRIT) return best;
                }
            }
        }
        /* skip the rest of the word */
        i++;
        while (i < n && alnum_tab[u[i]]) i++;
    }
    return best;
}
