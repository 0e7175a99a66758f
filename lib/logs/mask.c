/* SPDX-License-Identifier: MIT */
/*
 * mask.c: variable masking for template mining (see mask.h for the rules).
 *
 * One pass over the bytes of each whitespace-separated token, a 256-entry
 * class table, no allocation. The rules describe what a value looks like in
 * general (numbers, ids, addresses, paths, times); nothing is keyed to the
 * words of a particular log.
 */
#include <pthread.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

#include "logs/mask.h"

enum {
    C_SPACE = 1 << 0,
    C_DIGIT = 1 << 1,
    C_ALPHA = 1 << 2,
    C_HEX = 1 << 3,
    C_CONN = 1 << 4,    /* joins two wildcards into one: : / \ . - _ @ + */
    C_OPENER = 1 << 5,  /* a path may start right after these */
    C_PATHEND = 1 << 6, /* ends a path or URL inside a token */
    C_SLASH = 1 << 7,   /* / and \ (paths, URLs) */
    C_WORD = 1 << 8,    /* letters, digits, _ */
    C_NUM = 1 << 9,     /* digits and . : , - (a token made only of these is one value) */
    C_PSEP = 1 << 10,   /* . _ - separate the pieces of a word */
    C_BOOL0 = 1 << 11,  /* first letter of true false null (any case) */
    C_BPRE = 1 << 12,   /* may come right before such a word: space = : ( [ { ' " , */
    C_BPOST = 1 << 13   /* may come right after it: , ; : ) ] } ' " . */
};

static uint16_t cls[256];

static void cls_init(void)
{
    uint16_t t[256] = { 0 };
    for (int c = '0'; c <= '9'; c++) t[c] |= C_DIGIT | C_HEX;
    for (int c = 'a'; c <= 'z'; c++) t[c] |= C_ALPHA;
    for (int c = 'A'; c <= 'Z'; c++) t[c] |= C_ALPHA;
    for (int c = 'a'; c <= 'f'; c++) t[c] |= C_HEX;
    for (int c = 'A'; c <= 'F'; c++) t[c] |= C_HEX;
    /* whitespace and control bytes separate tokens */
    for (int c = 0; c <= ' '; c++) t[c] |= C_SPACE;
    const char *conn = ":/\\.-_@+,";
    for (const char *p = conn; *p; p++) t[(unsigned char)*p] |= C_CONN;
    const char *op = "([{<=:'\",@|";
    for (const char *p = op; *p; p++) t[(unsigned char)*p] |= C_OPENER;
    const char *pe = ")]}>\"',;:";
    for (const char *p = pe; *p; p++) t[(unsigned char)*p] |= C_PATHEND;
    /* bytes >= 0x80 (UTF-8) count as letters: part of words, never values */
    for (int c = 0x80; c < 256; c++) t[c] |= C_ALPHA;
    for (int c = 0; c < 256; c++)
        if (t[c] & (C_DIGIT | C_ALPHA)) t[c] |= C_WORD;
    t['_'] |= C_WORD;
    for (const char *p = "0123456789.:,-"; *p; p++) t[(unsigned char)*p] |= C_NUM;
    for (const char *p = "._-"; *p; p++) t[(unsigned char)*p] |= C_PSEP;
    t['/'] |= C_SLASH;
    t['\\'] |= C_SLASH;
    for (const char *p = "tfnTFN"; *p; p++) t[(unsigned char)*p] |= C_BOOL0;
    for (const char *p = " =:([{'\","; *p; p++) t[(unsigned char)*p] |= C_BPRE;
    for (const char *p = ",;:)]}'\"."; *p; p++) t[(unsigned char)*p] |= C_BPOST;
    memcpy(cls, t, sizeof(t));
}

#define IS(c, f)   (cls[(unsigned char)(c)] & (f))
#define ISWORD(c)  IS(c, C_WORD)
#define ISDIGIT(c) ((unsigned)((unsigned char)(c) - (unsigned)'0') < 10u)

uint64_t mask_hash(const char *s, size_t n)
{
    const size_t len = n;
    /* two independent lanes keep the multiplies from waiting on each other */
    uint64_t a = 0x243f6a8885a308d3ULL ^ (n * 0x9e3779b97f4a7c15ULL), b = 0x13198a2e03707344ULL;
    while (n >= 16) {
        uint64_t v, w;
        memcpy(&v, s, 8);
        memcpy(&w, s + 8, 8);
        a = (a ^ v) * 0xbf58476d1ce4e5b9ULL;
        b = (b ^ w) * 0x94d049bb133111ebULL;
        a ^= a >> 31;
        b ^= b >> 29;
        s += 16;
        n -= 16;
    }
    if (n >= 8) {
        uint64_t v;
        memcpy(&v, s, 8);
        a = (a ^ v) * 0xbf58476d1ce4e5b9ULL;
        a ^= a >> 31;
        s += 8;
        n -= 8;
    }
    uint64_t v = 0;
    if (n && len >= 8)
        memcpy(&v, s + n - 8, 8); /* the last 8 bytes, some hashed already */
    else
        for (size_t i = 0; i < n; i++) v |= (uint64_t)(unsigned char)s[i] << (8 * i);
    b = (b ^ v) * 0x94d049bb133111ebULL;
    uint64_t h = a ^ ((b << 23) | (b >> 41));
    h *= 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 32;
    return h;
}

/* A piece is a run of letters/digits between . _ - separators. */
static int piece_is_var(const char *p, size_t n, int is_key)
{
    if (ISDIGIT(p[0])) return 1; /* numbers, 0x.., 10ms, 126MB, 1001rts */
    size_t digits = 0, hex = 0, trans = 0, trailing = 0;
    int prev_digit = -1;
    for (size_t i = 0; i < n; i++) {
        int d = ISDIGIT(p[i]);
        digits += d;
        hex += IS(p[i], C_HEX) ? 1 : 0;
        if (prev_digit >= 0 && d != prev_digit) trans++;
        prev_digit = d;
        trailing = d ? trailing + 1 : 0;
    }
    if (!digits) return 0;
    if (hex == n && n >= 6) return 1; /* hex id starting with a letter */
    /* storage442, bglio46, U11: a name numbered with 2+ digits, unless it
     * is a key (r24=...) */
    if (trailing == digits && trailing >= 2 && !is_key) return 1;
    if (trans >= 4) return 1; /* a1b2c3: random-looking mix */
    return 0;
}

/* Decide how a word (letters, digits, _ and inner . -) is written.
 * Returns 0: keep it, 1: it is a value, 2: keep w[0..*keep) then a value. */
static int word_class(const char *w, size_t n, int is_key, size_t *keep)
{
    /* fast path: numbers, addresses, ids that start with a digit */
    if (ISDIGIT(w[0]) || (w[0] == '-' && n > 1 && ISDIGIT(w[1]))) return 1;
    size_t i = 0, npieces = 0, npieces_digit = 0, dots = 0, first_end = 0, sep_len = 0;
    int any_var = 0, first_plain = 0, last_digit = 0;
    while (i < n) {
        size_t s0 = i;
        while (i < n && IS(w[i], C_PSEP)) dots += w[i] == '.', i++;
        size_t s = i;
        if (npieces >= 1 && s < n && ISDIGIT(w[s])) {
            /* a second or later piece starting with a digit is a value: the
             * word is one unless it may still be "word-N" */
            int node = npieces == 1 && first_plain && s - s0 == 1 &&
                       (w[first_end] == '-' || w[first_end] == '.');
            if (!node) return 1;
        }
        unsigned dc = 0, cc;
        while (i < n && !((cc = cls[(unsigned char)w[i]]) & C_PSEP)) dc |= cc, i++;
        int d = (dc & C_DIGIT) != 0;
        if (i == s) continue;
        if (npieces == 0) {
            first_end = i;
            first_plain = s == 0 && !d;
        } else if (npieces == 1)
            sep_len = s - s0;
        npieces++;
        npieces_digit += d;
        last_digit = d;
        if (d && !any_var && piece_is_var(w + s, i - s, is_key)) any_var = 1;
        /* decided early unless it may still be "word-N" */
        int node = npieces == 2 && first_plain && sep_len == 1 &&
                   (w[first_end] == '-' || w[first_end] == '.');
        if (npieces >= 2 && !node && (any_var || npieces_digit >= 2)) return 1;
    }
    /* "node-12", "worker-D3", "core.2275": a plain word, a dash or a dot,
     * then one alphanumeric piece with a digit */
    if (npieces == 2 && first_plain && sep_len == 1 && last_digit &&
        (w[first_end] == '-' || w[first_end] == '.')) {
        *keep = first_end + 1;
        return 2;
    }
    if (any_var || npieces_digit >= 2) return 1;
    /* host names: a.b.c with a digit somewhere and a lower-case last label */
    if (dots >= 2 && npieces_digit) {
        size_t k = n;
        while (k > 0 && w[k - 1] >= 'a' && w[k - 1] <= 'z') k--;
        if (k > 0 && w[k - 1] == '.' && n - k >= 2 && n - k <= 6) return 1;
    }
    return 0;
}

/* A digit-free host name: 2+ labels of lower-case letters, digits and '-'
 * joined by '.', the last one 2-6 letters (www.example.com, not file.c or
 * Class.method). */
static int is_host_name(const char *w, size_t n)
{
    size_t dots = 0, last = 0;
    for (size_t i = 0; i < n; i++) {
        char c = w[i];
        if (c == '.') {
            if (i == 0 || w[i - 1] == '.') return 0;
            dots++;
            last = i + 1;
        } else if (!((c >= 'a' && c <= 'z') || c == '-' || ISDIGIT(c)))
            return 0;
    }
    if (!dots || n - last < 2 || n - last > 6) return 0;
    for (size_t i = last; i < n; i++)
        if (w[i] < 'a' || w[i] > 'z') return 0;
    return 1;
}

/* Groups of 1-4 hex digits joined by ':' (MAC, IPv6, times): length or 0. */
static size_t hexcolon_len(const char *t, size_t n)
{
    size_t i = 0, groups = 0, last_ok = 0;
    int digit = 0;
    while (i < n) {
        size_t s = i;
        while (i < n && IS(t[i], C_HEX) && i - s < 5) digit |= ISDIGIT(t[i]), i++;
        if (i == s || i - s > 4) break;
        groups++;
        last_ok = i;
        if (i < n && t[i] == ':') {
            i++;
            if (i < n && t[i] == ':') i++; /* IPv6 "::" */
        } else
            break;
    }
    if (groups < 3 || !digit) return 0;
    if (last_ok < n && ISWORD(t[last_ok])) return 0;
    return last_ok;
}

struct emitter {
    char *o;
    size_t k;
    size_t after_var; /* output position right after the last <*>, or SIZE_MAX */
};

static void emit_var(struct emitter *e)
{
    if (e->after_var != (size_t)-1) {
        size_t j = e->after_var;
        while (j < e->k && IS(e->o[j], C_CONN)) j++;
        if (j == e->k) { /* only connectors since the last <*>: merge */
            e->k = e->after_var;
            return;
        }
    }
    memcpy(e->o + e->k, MASK_WILDCARD, 3);
    e->k += 3;
    e->after_var = e->k;
}

static void emit(struct emitter *e, const char *p, size_t n)
{
    memcpy(e->o + e->k, p, n);
    e->k += n;
}

/* First j in [j, n) where t[j] ends a path (C_PATHEND), or n. */
static size_t path_end(const char *t, size_t j, size_t n)
{
#ifdef __SSE2__
    while (j + 16 <= n) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(t + j));
        __m128i m = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8(')')),
                                 _mm_cmpeq_epi8(v, _mm_set1_epi8(']')));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('}')));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('>')));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('"')));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8('\'')));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(',')));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(';')));
        m = _mm_or_si128(m, _mm_cmpeq_epi8(v, _mm_set1_epi8(':')));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        if (bits) return j + (size_t)__builtin_ctz(bits);
        j += 16;
    }
#endif
    while (j < n && !IS(t[j], C_PATHEND)) j++;
    return j;
}

/* A token of digits and . : , - only (numbers, addresses, host:port, times):
 * every digit run is a value and the connectors between them merge, so it is
 * one <*> and whatever follows the last digit. Returns the output length, 0
 * when the token is not one of those. */
static inline size_t mask_numeric(const char *t, size_t n, char *o)
{
    if (!ISDIGIT(t[0])) return 0;
    size_t i = 1;
    while (i < n && IS(t[i], C_NUM)) i++;
    if (i < n) return 0;
    size_t e = n;
    while (!ISDIGIT(t[e - 1])) e--;
    memcpy(o, MASK_WILDCARD, 3);
    for (size_t q = e; q < n; q++) o[3 + q - e] = t[q];
    return 3 + n - e;
}

/* mask_token() of a token mask_numeric() did not take. */
static size_t mask_token_other(const char *t, size_t n, char *o)
{
    struct emitter e = { o, 0, (size_t)-1 };
    size_t i = 0;
    while (i < n) {
        unsigned char c = (unsigned char)t[i];
        int at_open = i == 0 || IS(t[i - 1], C_OPENER);
        /* absolute path: /x/y starting the token or after ( [ = : ' " , */
        size_t rel = 0; /* ./x ../x ~/x */
        if (at_open && (c == '.' || c == '~')) {
            if (i + 2 < n && c == '.' && t[i + 1] == '.' && t[i + 2] == '/')
                rel = 2;
            else if (i + 1 < n && t[i + 1] == '/')
                rel = 1;
        }
        if ((c == '/' || rel) && at_open && i + rel + 1 < n && !IS(t[i + rel + 1], C_PATHEND) &&
            t[i + rel + 1] != '/') {
            size_t j = path_end(t, i + rel + 1, n);
            while (j > i + 1 && t[j - 1] == ',') j--;
            emit_var(&e);
            /* "/10.0.0.1:80" (a socket address as Java prints it) keeps the
             * port apart: <*>:<*> */
            if (c == '/' && j < n && t[j] == ':') {
                size_t k = i + 1;
                while (k < j && (ISDIGIT(t[k]) || t[k] == '.')) k++;
                if (k == j) e.after_var = (size_t)-1;
            }
            i = j;
            continue;
        }
        if (ISWORD(c) ||
            (c == '-' && i + 1 < n && ISDIGIT(t[i + 1]) && (i == 0 || !ISWORD(t[i - 1])))) {
            size_t j = i + 1;
            unsigned acc = cls[c];
            while (j < n) {
                unsigned cc = cls[(unsigned char)t[j]];
                if (cc & C_WORD) {
                    acc |= cc;
                    j++;
                } else if ((t[j] == '.' || t[j] == '-') && j + 1 < n && ISWORD(t[j + 1]))
                    j++;
                else
                    break;
            }
            int digit = (acc & C_DIGIT) != 0;
            /* 00:1a:2b:.. fe80::1 12:30:45 */
            if (j < n && t[j] == ':' && j - i <= 4) {
                size_t hc = hexcolon_len(t + i, n - i);
                if (hc) {
                    emit_var(&e);
                    i += hc;
                    continue;
                }
            }
            /* scheme://rest is a URL: a value up to the end of the token */
            if (j + 2 < n && t[j] == ':' && t[j + 1] == '/' && t[j + 2] == '/') {
                size_t k = j + 3;
                while (k < n && !(IS(t[k], C_PATHEND) && t[k] != ':')) k++;
                while (k > j + 3 && (t[k - 1] == '.' || t[k - 1] == ',')) k--;
                emit_var(&e);
                i = k;
                continue;
            }
            /* host.example.com:443: a dotted lower-case host name and a
             * port is one address (names with digits are values anyway) */
            if (!digit && j + 1 < n && t[j] == ':' && ISDIGIT(t[j + 1])) {
                size_t k = j + 1;
                while (k < n && ISDIGIT(t[k])) k++;
                if (k - j - 1 <= 5 && (k == n || (!ISWORD(t[k]) && t[k] != '.')) &&
                    is_host_name(t + i, j - i)) {
                    emit_var(&e);
                    i = k;
                    continue;
                }
            }
            /* C:\dir\file */
            if (j == i + 1 && IS(c, C_ALPHA) && j + 1 < n && t[j] == ':' && t[j + 1] == '\\') {
                size_t k = j + 2;
                while (k < n && !IS(t[k], C_PATHEND)) k++;
                emit_var(&e);
                i = k;
                continue;
            }
            size_t keep = 0;
            int is_key = j < n && t[j] == '=';
            int wc = digit ? word_class(t + i, j - i, is_key, &keep) : 0;
            if (wc == 0)
                emit(&e, t + i, j - i);
            else {
                if (wc == 2) {
                    emit(&e, t + i, keep);
                    e.after_var = (size_t)-1;
                }
                emit_var(&e);
            }
            i = j;
            continue;
        }
        o[e.k++] = (char)c;
        i++;
    }
    return e.k;
}

/* Mask one token t[0..n) into o; returns the output length (<= 3n). */
static size_t mask_token(const char *t, size_t n, char *o)
{
    size_t r = mask_numeric(t, n, o);
    return r ? r : mask_token_other(t, n, o);
}

/* --- date/time runs ----------------------------------------------------- */

static int strip_punct(const char *t, size_t *n)
{
    size_t m = *n;
    while (m > 0 && (t[m - 1] == '.' || t[m - 1] == ',' || t[m - 1] == ';' || t[m - 1] == ')' ||
                     t[m - 1] == ']'))
        m--;
    *n = m;
    return m > 0;
}

/* A token ending in . ; ) ] closes a clause: a date run does not cross it. */
static int ends_sentence(const char *t, size_t n)
{
    char c = t[n - 1];
    return c == '.' || c == ';' || c == ')' || c == ']';
}

static int is_time_tok(const char *t, size_t n)
{
    if (!strip_punct(t, &n)) return 0;
    /* h:mm or hh:mm:ss[.frac] */
    size_t i = 0;
    while (i < n && ISDIGIT(t[i]) && i < 2) i++;
    if (i == 0 || i >= n || t[i] != ':') return 0;
    i++;
    if (i + 2 > n || !ISDIGIT(t[i]) || !ISDIGIT(t[i + 1])) return 0;
    i += 2;
    if (i < n && t[i] == ':') {
        i++;
        if (i + 2 > n || !ISDIGIT(t[i]) || !ISDIGIT(t[i + 1])) return 0;
        i += 2;
        if (i < n && (t[i] == '.' || t[i] == ',')) {
            i++;
            while (i < n && ISDIGIT(t[i])) i++;
        }
    }
    return i == n;
}

static int is_isodate_tok(const char *t, size_t n)
{
    /* yyyy-mm-dd or yyyy/mm/dd, optionally followed by T... */
    if (n < 10) return 0;
    for (int k = 0; k < 10; k++) {
        if (k == 4 || k == 7) {
            if (t[k] != '-' && t[k] != '/') return 0;
        } else if (!ISDIGIT(t[k]))
            return 0;
    }
    return n == 10 || t[10] == 'T' || t[10] == ',' || t[10] == '.';
}

static int is_date_name(const char *t, size_t n)
{
    static const char names3[] = "MonTueWedThuFriSatSunJanFebMarAprMayJunJulAugSepOctNovDecUTCGMT";
    if (n == 1) return t[0] == 'Z';
    if (n == 2) return (t[0] == 'A' || t[0] == 'P') && t[1] == 'M';
    if (n != 3 || t[0] < 'A' || t[0] > 'Z') return 0;
    for (size_t i = 0; i + 3 <= sizeof(names3) - 1; i += 3)
        if (names3[i] == t[0] && names3[i + 1] == t[1] && names3[i + 2] == t[2]) return 1;
    return 0;
}

static int is_dateish_tok(const char *t, size_t n)
{
    if (!strip_punct(t, &n)) return 0;
    if (is_time_tok(t, n) || is_isodate_tok(t, n)) return 1;
    if (is_date_name(t, n)) return 1;
    size_t i = 0;
    if (t[0] == '+' || t[0] == '-') i = 1;
    size_t d = 0;
    while (i + d < n && ISDIGIT(t[i + d])) d++;
    if (i + d == n && d > 0) {
        if (i == 1) return d == 4; /* +0200 */
        return d <= 2 || d == 4;   /* day of month, year */
    }
    /* time zone abbreviations: 3-4 capitals ending in T (PDT, CEST) */
    if ((n == 3 || n == 4) && t[n - 1] == 'T') {
        for (size_t k = 0; k < n; k++)
            if (t[k] < 'A' || t[k] > 'Z') return 0;
        return 1;
    }
    return 0;
}

/* --- units and word values ---------------------------------------------- */

/* Length of the word part of u[0..n) when it is a unit of size (B, KB,
 * MiB, bytes, ...) followed only by punctuation; 0 otherwise. */
static size_t size_unit_len(const char *u, size_t n)
{
    size_t m = n;
    while (m > 0 && (u[m - 1] == ',' || u[m - 1] == ';' || u[m - 1] == ')' || u[m - 1] == ']' ||
                     u[m - 1] == '.'))
        m--;
    if (m == 5) return memcmp(u, "bytes", 5) == 0 ? 5 : 0;
    if (m < 1 || m > 3 || u[m - 1] != 'B') return 0;
    if (m == 1) return 1;
    if (!strchr("KMGTPkmgtp", u[0])) return 0;
    return m == 2 || u[1] == 'i' ? m : 0;
}

/* Length of the word part when u[0..n) is a unit of time (ms, sec, minutes,
 * ...) followed only by punctuation; 0 otherwise. */
static size_t time_unit_len(const char *u, size_t n)
{
    static const char *const units[] = { "ns",     "us",      "ms",      "s",   "sec",
                                         "secs",   "second",  "seconds", "min", "mins",
                                         "minute", "minutes", "h",       "hr",  "hrs",
                                         "hour",   "hours",   "d",       "day", "days" };
    size_t m = n;
    while (m > 0 && (u[m - 1] == ',' || u[m - 1] == ';' || u[m - 1] == ')' || u[m - 1] == ']' ||
                     u[m - 1] == '.'))
        m--;
    for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
        if (strlen(units[i]) == m && memcmp(u, units[i], m) == 0) return m;
    return 0;
}

/* Can u start a unit of size (B, KB, MiB, bytes...)? A cheap test made
 * before ends_fraction() scans a token's digits. */
static inline int size_unit_start(char u)
{
    switch (u | 0x20) {
    case 'b':
    case 'k':
    case 'm':
    case 'g':
    case 't':
    case 'p': return 1;
    default: return 0;
    }
}

/* t[0..n) ends in a number with a fraction ("5.2", "(18.4"). */
static int ends_fraction(const char *t, size_t n)
{
    size_t e = n;
    while (e > 0 && ISDIGIT(t[e - 1])) e--;
    return e < n && e >= 2 && t[e - 1] == '.' && ISDIGIT(t[e - 2]);
}

/* true / false / null in any of their usual cases. */
static int is_bool_word(const char *p, size_t n)
{
    if (n == 4)
        return !memcmp(p, "true", 4) || !memcmp(p, "True", 4) || !memcmp(p, "TRUE", 4) ||
               !memcmp(p, "null", 4) || !memcmp(p, "Null", 4) || !memcmp(p, "NULL", 4);
    if (n == 5) return !memcmp(p, "false", 5) || !memcmp(p, "False", 5) || !memcmp(p, "FALSE", 5);
    return 0;
}

/* Copy token p[0..m) to o, each true/false/null in it written <*> when it
 * stands alone (start or after = : ( [ { ' " , and end or before , ; : ) ] } '
 * " .). `end` is the end of the text p is in (to look at the next token).
 * Returns the output length (<= m). */
static size_t put_bools(char *o, const char *p, size_t m, const char *end)
{
    size_t k = 0, i = 0;
    while (i < m) {
        char c = p[i];
        if (IS(c, C_BOOL0) && (i == 0 || IS(p[i - 1], C_BPRE))) {
            size_t j = i;
            while (j < m && IS(p[j], C_ALPHA)) j++;
            /* "NULL pointer dereference": a null before another word (the
             * token ends here, a letter follows the space) names a thing */
            int noun = j == m && i == 0 && (p[0] | 0x20) == 'n' && p + m < end && p[m] == ' ' &&
                       IS(p[m + 1], C_ALPHA);
            if (is_bool_word(p + i, j - i) && (j == m || IS(p[j], C_BPOST)) && !noun) {
                memcpy(o + k, MASK_WILDCARD, 3);
                k += 3;
                i = j;
                continue;
            }
            memmove(o + k, p + i, j - i);
            k += j - i;
            i = j;
            continue;
        }
        o[k++] = c;
        i++;
    }
    return k;
}

/* Whether word_values() may change the masked text: a t f n T F N starting a
 * word, a quote after '=', a '<' after '<' '>' '('. Read-only and cheap: most
 * lines have none. */
static int word_values_needed(const char *out, size_t len)
{
    size_t i = 0;
#ifdef __SSE2__
    /* 16 bytes at a time: a t f n (either case) after a byte that is not a
     * letter, a quote after '=', a '<' after '<' '>' '(' are candidates;
     * only those are looked at one by one */
    const __m128i c20 = _mm_set1_epi8(0x20), c40 = _mm_set1_epi8(0x40);
    /* lines of 16+ bytes: whole blocks, the last one overlapping the one
     * before (its bits already looked at are dropped); shorter: one by one */
    while (len >= 16 && i < len) {
        size_t at = i + 16 <= len ? i : len - 16;
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)(out + at)), vp;
        if (at)
            vp = _mm_loadu_si128((const __m128i *)(const void *)(out + at - 1));
        else /* the byte before the line counts as a space */
            vp = _mm_or_si128(_mm_slli_si128(v, 1), _mm_cvtsi32_si128(' '));
        __m128i lo = _mm_or_si128(v, c20);
        __m128i b0 = _mm_or_si128(_mm_cmpeq_epi8(lo, _mm_set1_epi8('t')),
                                  _mm_cmpeq_epi8(lo, _mm_set1_epi8('f')));
        b0 = _mm_or_si128(b0, _mm_cmpeq_epi8(lo, _mm_set1_epi8('n')));
        /* tRue fAlse nUll, truE falSe nulL: the 2nd and 4th letters (the
         * bytes read past len are in out[] and only ever add candidates) */
        __m128i l1 =
            _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(out + at + 1)), c20);
        __m128i l3 =
            _mm_or_si128(_mm_loadu_si128((const __m128i *)(const void *)(out + at + 3)), c20);
        __m128i k1 = _mm_or_si128(_mm_cmpeq_epi8(l1, _mm_set1_epi8('r')),
                                  _mm_cmpeq_epi8(l1, _mm_set1_epi8('a')));
        k1 = _mm_or_si128(k1, _mm_cmpeq_epi8(l1, _mm_set1_epi8('u')));
        __m128i k3 = _mm_or_si128(_mm_cmpeq_epi8(l3, _mm_set1_epi8('e')),
                                  _mm_cmpeq_epi8(l3, _mm_set1_epi8('s')));
        k3 = _mm_or_si128(k3, _mm_cmpeq_epi8(l3, _mm_set1_epi8('l')));
        b0 = _mm_and_si128(b0, _mm_and_si128(k1, k3));
        __m128i pre = _mm_cmpeq_epi8(_mm_min_epu8(vp, c40), vp);
        pre = _mm_or_si128(pre, _mm_cmpeq_epi8(vp, _mm_set1_epi8('[')));
        pre = _mm_or_si128(pre, _mm_cmpeq_epi8(vp, _mm_set1_epi8('{')));
        __m128i m = _mm_and_si128(b0, pre);
        __m128i q = _mm_or_si128(_mm_cmpeq_epi8(v, _mm_set1_epi8('"')),
                                 _mm_cmpeq_epi8(v, _mm_set1_epi8('\'')));
        m = _mm_or_si128(m, _mm_and_si128(q, _mm_cmpeq_epi8(vp, _mm_set1_epi8('='))));
        __m128i lt = _mm_cmpeq_epi8(v, _mm_set1_epi8('<'));
        __m128i ltp = _mm_or_si128(_mm_cmpeq_epi8(vp, _mm_set1_epi8('<')),
                                   _mm_cmpeq_epi8(vp, _mm_set1_epi8('>')));
        ltp = _mm_or_si128(ltp, _mm_cmpeq_epi8(vp, _mm_set1_epi8('(')));
        m = _mm_or_si128(m, _mm_and_si128(lt, ltp));
        unsigned bits = (unsigned)_mm_movemask_epi8(m);
        bits &= ~0u << (i - at);
        while (bits) {
            size_t p = at + (size_t)__builtin_ctz(bits);
            bits &= bits - 1;
            char c = out[p];
            if (c == '"' || c == '\'') return 1;
            if (c == '<') {
                if (out[p - 1] != '(') return 1;
                /* "(<*>" counts only after "<*> UNIT " */
                size_t u = p - 1;
                if (u < 6 || out[u - 1] != ' ') continue;
                size_t us = u - 1;
                while (us > 0 && out[us - 1] != ' ') us--;
                if (us >= 4 && size_unit_len(out + us, u - 1 - us) == u - 1 - us &&
                    mask_is_wild(out + us - 4, 3) && (us == 4 || out[us - 5] == ' '))
                    return 1;
                continue;
            }
            if (p && !IS(out[p - 1], C_BPRE)) continue;
            size_t j = p + 1;
            while (j < len && IS(out[j], C_ALPHA)) j++;
            if (is_bool_word(out + p, j - p)) return 1;
        }
        i += 16;
    }
    if (len >= 16) return 0;
#endif
    unsigned prev = C_BPRE; /* class of the byte before i (the start counts as a space) */
    for (; i < len; i++) {
        unsigned char c = (unsigned char)out[i];
        unsigned cc = cls[c];
        if ((cc & C_BOOL0) && (prev & C_BPRE)) {
            size_t j = i + 1;
            while (j < len && IS(out[j], C_ALPHA)) j++;
            if (is_bool_word(out + i, j - i)) return 1;
            i = j - 1;
            prev = C_ALPHA;
            continue;
        }
        if (c == '<') {
            if (i && (out[i - 1] == '<' || out[i - 1] == '>' || out[i - 1] == '(')) return 1;
        } else if (c == '=') {
            if (i + 1 < len && (out[i + 1] == '"' || out[i + 1] == '\'')) return 1;
        }
        prev = cc;
    }
    return 0;
}

/* Rules that look at words rather than digits, applied to the masked text in
 * place (it only shrinks):
 *  - true, false, null standing alone are values: isOverlap:<*>, ws=<*>,
 *  - a quoted value after '=' is one value, spaces and all: tag="<*>",
 *  - a bound "<1 sec" / ">5" is one value with its time unit,
 *  - "<*> bytes (<*> KB)": the parenthesis only restates the size, dropped.
 * Returns the new length. */
static size_t word_values(char *out, size_t len)
{
    size_t r = 0, w = 0;
    size_t prev1 = (size_t)-1, prev2 = (size_t)-1; /* output offsets of the last tokens */
    while (r < len) {
        const char *sp = memchr(out + r, ' ', len - r);
        size_t e = sp ? (size_t)(sp - out) : len;
        const char *p = out + r;
        size_t m = e - r;
        /* "<*> bytes (<*> KB)" / "(<*>)": drop the restatement */
        if (prev2 != (size_t)-1 && m >= 4 && p[0] == '(' && mask_is_wild(p + 1, 3) &&
            mask_is_wild(out + prev2, 3) && out[prev2 + 3] == ' ' &&
            size_unit_len(out + prev1, w - prev1) == w - prev1) {
            size_t tail_s = 0, tail_e = 0, next = e;
            if (m >= 5 && p[4] == ')') {
                tail_s = r + 5;
                tail_e = e;
            } else if (m == 4 && e < len) {
                const char *sp2 = memchr(out + e + 1, ' ', len - e - 1);
                size_t e2 = sp2 ? (size_t)(sp2 - out) : len;
                size_t ul = size_unit_len(out + e + 1, e2 - e - 1);
                if (ul && e + 1 + ul < e2 && out[e + 1 + ul] == ')') {
                    tail_s = e + 2 + ul;
                    tail_e = e2;
                    next = e2;
                }
            }
            if (tail_s) {
                memmove(out + w, out + tail_s, tail_e - tail_s);
                w += tail_e - tail_s;
                r = next < len ? next + 1 : len;
                continue;
            }
        }
        if (w) out[w++] = ' ';
        size_t start = w;
        /* key="value with spaces" */
        const char *q = m >= 3 ? memchr(p, '=', m - 1) : NULL;
        if (q && (q[1] == '"' || q[1] == '\'') && q + 2 <= p + m) {
            char qc = q[1];
            size_t vs = (size_t)(q + 2 - out);
            const char *c = memchr(out + vs, qc, len - vs);
            if (c && (size_t)(c - out) - vs >= 3 &&
                !((size_t)(c - out) - vs == 3 && mask_is_wild(out + vs, 3))) {
                size_t ce = (size_t)(c - out);
                size_t head = vs - r;
                w += put_bools(out + w, p, head, out + len);
                memcpy(out + w, MASK_WILDCARD, 3);
                w += 3;
                /* the rest of the token holding the closing quote */
                const char *sp2 = memchr(out + ce, ' ', len - ce);
                size_t e2 = sp2 ? (size_t)(sp2 - out) : len;
                memmove(out + w, out + ce, e2 - ce);
                w += e2 - ce;
                prev2 = prev1;
                prev1 = start;
                r = e2 < len ? e2 + 1 : len;
                continue;
            }
        }
        /* "<1 sec", ">5": a bound is a value, with its time unit */
        if (m >= 4 && (p[0] == '<' || p[0] == '>') && mask_is_wild(p + 1, 3) &&
            (m == 4 || strchr(",;)].", p[4]))) {
            memmove(out + w, p + 1, m - 1);
            w += m - 1;
            if (m == 4 && e < len) {
                const char *sp2 = memchr(out + e + 1, ' ', len - e - 1);
                size_t e2 = sp2 ? (size_t)(sp2 - out) : len;
                size_t ul = time_unit_len(out + e + 1, e2 - e - 1);
                if (ul) {
                    memmove(out + w, out + e + 1 + ul, e2 - e - 1 - ul);
                    w += e2 - e - 1 - ul;
                    e = e2;
                }
            }
        } else
            w += put_bools(out + w, p, m, out + len);
        prev2 = prev1;
        prev1 = start;
        r = e < len ? e + 1 : len;
    }
    return w;
}

/* ------------------------------------------------------------------------ */

/* "HTTP/1.1" or "SSH-2.0" style protocol version: length of that part, 0 if not */
static size_t proto_version_len(const char *t, size_t n)
{
    size_t i = 0;
    while (i < n && t[i] >= 'A' && t[i] <= 'Z') i++;
    if (i < 2 || i > 10 || i >= n || t[i] != '/') return 0;
    size_t j = ++i;
    if (i + 3 <= n && mask_is_wild(t + i, 3)) return i + 3; /* already masked */
    while (i < n && (ISDIGIT(t[i]) || t[i] == '.')) i++;
    if (i == j || !ISDIGIT(t[j])) return 0;
    return i;
}

/* Token-level clean-ups after masking, in place:
 *  - a protocol version right after a wildcard joins it ("<*> HTTP/1.1" is
 *    one request target),
 *  - a run of 8+ bare wildcards (a list of values) becomes one. */
static size_t compact(char *out, size_t *len, uint32_t *off, uint32_t *tlen, size_t nt)
{
    size_t w = 0, k = 0;
    for (size_t r = 0; r < nt; r++) {
        const char *t = out + off[r];
        size_t tl = tlen[r];
        if (w > 0 && tlen[w - 1] >= 3 &&
            memcmp(out + off[w - 1] + tlen[w - 1] - 3, MASK_WILDCARD, 3) == 0) {
            size_t pv = proto_version_len(t, tl);
            if (pv) {
                /* append what follows the version (a quote...) to the previous token */
                memmove(out + k, t + pv, tl - pv);
                k += tl - pv;
                tlen[w - 1] += (uint32_t)(tl - pv);
                continue;
            }
        }
        if (mask_is_wild(t, tl)) {
            size_t e = r;
            while (e + 1 < nt && mask_is_wild(out + off[e + 1], tlen[e + 1])) e++;
            if (e - r + 1 >= 8) r = e;
        }
        if (w) out[k++] = ' ';
        if (out + k != t) memmove(out + k, t, tl);
        off[w] = (uint32_t)k;
        tlen[w] = (uint32_t)tl;
        k += tl;
        w++;
    }
    *len = k;
    return w;
}

/* Any bit set in bm over positions [a, b)? */
static inline int range_any(const uint64_t *bm, size_t a, size_t b)
{
    size_t wa = a / 64, wb = (b - 1) / 64;
    uint64_t lo = ~0ULL << (a % 64), hi = ~0ULL >> (63 - (b - 1) % 64);
    if (wa == wb) return (bm[wa] & lo & hi) != 0;
    if (bm[wa] & lo) return 1;
    for (size_t w = wa + 1; w < wb; w++)
        if (bm[w]) return 1;
    return (bm[wb] & hi) != 0;
}

/* Bit i of sp: s[i] is whitespace or a control byte (<= 0x20), or i >= n;
 * of dg: a digit, '/' or '\\' (something mask_token() may change).
 * Returns nonzero when some byte is below ' ' (a tab, a control byte). */
static int build_bitmaps(const char *s, size_t n, uint64_t *sp, uint64_t *dg)
{
    size_t nw = (n + 63) / 64;
    int ctl = 0;
#ifdef __SSE2__
    const __m128i c20 = _mm_set1_epi8(0x20), c2f = _mm_set1_epi8(0x2f);
    const __m128i c10 = _mm_set1_epi8(10), cb = _mm_set1_epi8('\\');
    __m128i lo = c20;
    /* 16 bytes at a time; the last 16 overlap the ones before (or, for a
     * line shorter than 16 bytes, come from a padded copy): no read past n */
    size_t i = 0;
    for (size_t w = 0; w < nw; w++) {
        uint64_t a = 0, d = 0;
        for (unsigned q = 0; q < 64 && i < n; q += 16, i += 16) {
            __m128i v;
            unsigned shift = 0;
            if (i + 16 <= n)
                v = _mm_loadu_si128((const __m128i *)(const void *)(s + i));
            else if (n >= 16) {
                v = _mm_loadu_si128((const __m128i *)(const void *)(s + n - 16));
                shift = (unsigned)(i + 16 - n);
            } else {
                char pad[16];
                memset(pad, ' ', sizeof(pad));
                memcpy(pad, s, n);
                v = _mm_loadu_si128((const __m128i *)(const void *)pad);
            }
            __m128i le = _mm_cmpeq_epi8(_mm_min_epu8(v, c20), v);
            /* '/' (0x2f) and the digits are the 11 bytes from 0x2f */
            __m128i dv = _mm_sub_epi8(v, c2f);
            __m128i dm = _mm_cmpeq_epi8(_mm_min_epu8(dv, c10), dv);
            dm = _mm_or_si128(dm, _mm_cmpeq_epi8(v, cb));
            lo = _mm_min_epu8(lo, v);
            a |= (uint64_t)((unsigned)_mm_movemask_epi8(le) >> shift) << q;
            d |= (uint64_t)((unsigned)_mm_movemask_epi8(dm) >> shift) << q;
        }
        sp[w] = a;
        dg[w] = d;
    }
    /* bytes below 0x20 left a minimum below 0x20 somewhere */
    ctl = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_min_epu8(lo, _mm_set1_epi8(0x1f)), lo)) != 0;
#else
    for (size_t w = 0; w < nw; w++) sp[w] = dg[w] = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned c = cls[(unsigned char)s[i]];
        if (c & C_SPACE) sp[i / 64] |= 1ULL << (i % 64);
        if (c & (C_DIGIT | C_SLASH)) dg[i / 64] |= 1ULL << (i % 64);
        ctl |= (unsigned char)s[i] < 0x20;
    }
#endif
    if (n % 64) sp[nw - 1] |= ~0ULL << (n % 64); /* past the end counts as space */
    return ctl;
}

/* memcpy(o, s, len) for the short copies of mask_line_plain(): 16 bytes at a
 * time when s may be read and o written up to 15 bytes past the end
 * (`room`: how many bytes may be read from s). */
static inline void copy_short(char *o, const char *s, size_t len, size_t room)
{
#ifdef __SSE2__
    if (len + 15 <= room) {
        for (size_t i = 0; i < len; i += 16)
            _mm_storeu_si128((__m128i *)(void *)(o + i),
                             _mm_loadu_si128((const __m128i *)(const void *)(s + i)));
        return;
    }
#else
    (void)room;
#endif
    memcpy(o, s, len);
}

/* The general case: any whitespace, any number of tokens (bitmaps built). */
static void mask_line_general(const char *s, size_t n, char *out, struct mask_tokens *ret)
{
    uint64_t *bsp = ret->bm[0], *bdg = ret->bm[1];
    size_t nw = (n + 63) / 64;
    uint32_t rs[MASK_MAX_TOKENS], rl[MASK_MAX_TOKENS];
    unsigned char rf[MASK_MAX_TOKENS];
    size_t nraw = 0, i = 0;
    int folded = 0;
    while (i < n) {
        /* next token start: first clear bit of bsp at or after i */
        size_t w = i / 64;
        uint64_t x = ~bsp[w] & (~0ULL << (i % 64));
        while (!x && ++w < nw) x = ~bsp[w];
        if (!x) break;
        size_t st = w * 64 + (size_t)__builtin_ctzll(x);
        if (st >= n) break;
        /* its end: first set bit after st (bits past n are set) */
        x = bsp[w] & (~0ULL << (st % 64));
        while (!x && ++w < nw) x = bsp[w];
        i = x ? w * 64 + (size_t)__builtin_ctzll(x) : n;
        if (i > n) i = n;
        unsigned char f = 0;
        if (range_any(bdg, st, i)) f |= C_DIGIT;
        if (nraw == MASK_MAX_TOKENS - 1) {
            folded = 1;
            break;
        }
        rs[nraw] = (uint32_t)st;
        rl[nraw] = (uint32_t)(i - st);
        rf[nraw] = f;
        nraw++;
    }

    size_t k = 0, nt = 0, min_a = 0, run = 0;
    int need_compact = 0;
    /* value-free tokens are copied verbatim, a run of them separated by
     * single spaces with one memcpy (pend_* is the copy not done yet) */
    size_t pend_src = 0, pend_dst = 0, pend_len = 0;
    for (size_t r = 0; r < nraw; r++) {
        const char *t = s + rs[r];
        size_t tl = rl[r];
        if (!(rf[r] & C_DIGIT)) {
            /* nothing in it can be a value (the common case) */
            if (pend_len && nt && rs[r] == pend_src + pend_len + 1 && s[rs[r] - 1] == ' ') {
                pend_len += 1 + tl;
                k++;
            } else {
                if (pend_len) memcpy(out + pend_dst, s + pend_src, pend_len);
                if (nt) out[k++] = ' ';
                pend_src = rs[r];
                pend_dst = k;
                pend_len = tl;
            }
            ret->off[nt] = (uint32_t)k;
            ret->tlen[nt] = (uint32_t)tl;
            k += tl;
            run = 0;
            nt++;
            continue;
        }
        if (pend_len) {
            memcpy(out + pend_dst, s + pend_src, pend_len);
            pend_len = 0;
        }
        if (nt) out[k++] = ' ';
        size_t start = k;
        /* a run of 2+ date/time tokens holding a time or a date: one <*> */
        size_t run_end = r;
        int merged = 0;
        if (tl >= 4 && ISDIGIT(t[0]) &&
            (t[1] == ':' || t[2] == ':' || (tl > 4 && (t[4] == '-' || t[4] == '/'))) &&
            (is_time_tok(t, tl) || is_isodate_tok(t, tl))) {
            /* extend left over tokens emitted one-to-one since the last run */
            size_t a = r;
            while (a > min_a && is_dateish_tok(s + rs[a - 1], rl[a - 1]) &&
                   !ends_sentence(s + rs[a - 1], rl[a - 1]))
                a--;
            size_t b = r;
            while (b + 1 < nraw && !ends_sentence(s + rs[b], rl[b]) &&
                   is_dateish_tok(s + rs[b + 1], rl[b + 1]))
                b++;
            if (b > a) {
                /* drop the already emitted tokens a..r-1 */
                size_t drop = r - a;
                if (drop) {
                    nt -= drop;
                    k = nt ? ret->off[nt - 1] + ret->tlen[nt - 1] + 1 : 0;
                    start = k;
                }
                memcpy(out + k, MASK_WILDCARD, 3);
                k += 3;
                /* keep trailing punctuation of the last token */
                const char *lt = s + rs[b];
                size_t ll = rl[b], m = ll;
                strip_punct(lt, &m);
                memcpy(out + k, lt + m, ll - m);
                k += ll - m;
                run_end = b;
                min_a = b + 1;
                merged = 1;
            }
        }
        if (!merged) {
            k += mask_token(t, tl, out + k);
            /* "5.2 KB": a scaled size is one value with its unit */
            if (r + 1 < nraw && size_unit_start(s[rs[r + 1]]) && ends_fraction(t, tl)) {
                size_t ul = size_unit_len(s + rs[r + 1], rl[r + 1]);
                if (ul) {
                    memcpy(out + k, s + rs[r + 1] + ul, rl[r + 1] - ul);
                    k += rl[r + 1] - ul;
                    run_end = r + 1;
                }
            }
        }
        if (k - start == 3 && mask_is_wild(out + start, 3)) {
            if (++run >= 8) need_compact = 1;
        } else
            run = 0;
        if (t[0] >= 'A' && t[0] <= 'Z' && memchr(t, '/', tl)) need_compact = 1;
        ret->off[nt] = (uint32_t)start;
        ret->tlen[nt] = (uint32_t)(k - start);
        nt++;
        r = run_end;
    }
    if (pend_len) memcpy(out + pend_dst, s + pend_src, pend_len);
    if (folded) {
        if (nt) out[k++] = ' ';
        ret->off[nt] = (uint32_t)k;
        ret->tlen[nt] = 3;
        memcpy(out + k, MASK_WILDCARD, 3);
        k += 3;
        nt++;
    }
    if (need_compact) nt = compact(out, &k, ret->off, ret->tlen, nt);
    out[k] = '\0';
    ret->len = k;
    ret->ntok = (uint32_t)nt;
    ret->bounds_valid = 1;
}

/* First set bit of bm at or after `from` (bm has nw words); nw * 64 if none. */
static inline size_t next_set(const uint64_t *bm, size_t from, size_t nw)
{
    size_t w = from / 64;
    if (w >= nw) return nw * 64;
    uint64_t x = bm[w] & (~0ULL << (from % 64));
    while (!x) {
        if (++w >= nw) return nw * 64;
        x = bm[w];
    }
    return w * 64 + (size_t)__builtin_ctzll(x);
}

/* Start of the token that holds position i (the byte after the last set bit
 * of sp before i, or 0). */
static inline size_t tok_start(const uint64_t *sp, size_t i)
{
    if (!i) return 0;
    size_t w = i / 64;
    uint64_t x = sp[w] & ~(~0ULL << (i % 64));
    while (!x) {
        if (!w) return 0;
        x = sp[--w];
    }
    return w * 64 + 64 - (size_t)__builtin_clzll(x);
}

/* Token count when the line is "plain": no whitespace at either end, every
 * separator exactly one ' ' (bytes below ' ' already excluded), fewer than
 * MASK_MAX_TOKENS tokens; 0 otherwise. */
static size_t plain_tokens(const uint64_t *sp, size_t n)
{
    size_t nw = (n + 63) / 64, spaces = 0;
    if (sp[0] & 1) return 0;
    for (size_t w = 0; w < nw; w++) {
        uint64_t x = sp[w], next = w + 1 < nw ? sp[w + 1] : ~0ULL;
        uint64_t pair = x & ((x >> 1) | (next << 63)); /* bit p: p and p+1 are spaces */
        if (w == nw - 1 && n % 64) {
            uint64_t in = ~(~0ULL << (n % 64));
            pair &= in;
            x &= in;
        }
        if (pair) return 0; /* two spaces in a row, or one at the end */
        /* fewer than 254 bytes cannot hold 128 single-spaced tokens */
        if (n >= 2 * MASK_MAX_TOKENS - 2) spaces += (size_t)__builtin_popcountll(x);
    }
    return spaces + 1 < MASK_MAX_TOKENS ? spaces + 1 : 0;
}

/* A source span [s0, s1) and where its masked form went in the output. */
struct span {
    uint32_t s0, s1, o0, o1;
};

/* The plain line (see plain_tokens()): only tokens that hold a digit or a
 * slash are looked at; the text between them is copied as it is. Writes
 * exactly what mask_line_general() would. */
static void mask_line_plain(const char *s, size_t n, char *out, struct mask_tokens *ret)
{
    const uint64_t *bsp = ret->bm[0], *bdg = ret->bm[1];
    size_t nw = (n + 63) / 64;
    struct span sp[MASK_MAX_TOKENS];
    size_t nsp = 0;
    size_t pos = 0, k = 0, min_pos = 0, run = 0, prev_end = (size_t)-2;
    int need_compact = 0, maybe_compact = 0;
    for (;;) {
        size_t d = next_set(bdg, pos, nw);
        if (d >= n) break;
        size_t st = tok_start(bsp, d), en = next_set(bsp, d, nw);
        if (en > n) en = n;
        /* the value-free tokens before it, with their single spaces */
        /* out holds 3n + 8 bytes and k <= 3 pos: writing 15 bytes past the
         * copy stays inside whenever reading them stays inside s[0..n) */
        copy_short(out + k, s + pos, st - pos, n - pos);
        k += st - pos;
        size_t start = k, first = st, last_end = en;
        const char *t = s + st;
        size_t tl = en - st;
        int merged = 0;
        /* a run of 2+ date/time tokens holding a time or a date: one <*> */
        if (tl >= 4 && ISDIGIT(t[0]) &&
            (t[1] == ':' || t[2] == ':' || (tl > 4 && (t[4] == '-' || t[4] == '/'))) &&
            (is_time_tok(t, tl) || is_isodate_tok(t, tl))) {
            /* extend left over tokens written one-to-one since the last run */
            size_t a = st;
            while (a > min_pos) {
                size_t pe = a - 1, ps = tok_start(bsp, pe);
                if (!is_dateish_tok(s + ps, pe - ps) || ends_sentence(s + ps, pe - ps)) break;
                a = ps;
            }
            size_t bs = st, be = en;
            while (be < n && !ends_sentence(s + bs, be - bs)) {
                size_t ns = be + 1, ne = next_set(bsp, ns, nw);
                if (ne > n) ne = n;
                if (!is_dateish_tok(s + ns, ne - ns)) break;
                bs = ns;
                be = ne;
            }
            if (a < st || be > en) {
                if (a < st) {
                    /* drop what was written for the tokens a .. st */
                    while (nsp && sp[nsp - 1].s0 >= a) nsp--;
                    k = nsp ? sp[nsp - 1].o1 + (a - sp[nsp - 1].s1) : a;
                    start = k;
                }
                memcpy(out + k, MASK_WILDCARD, 3);
                k += 3;
                /* keep trailing punctuation of the last token */
                size_t ll = be - bs, m = ll;
                strip_punct(s + bs, &m);
                memcpy(out + k, s + bs + m, ll - m);
                k += ll - m;
                first = a;
                last_end = be;
                min_pos = be + 1;
                merged = 1;
            }
        }
        if (!merged) {
            size_t r = mask_numeric(t, tl, out + k);
            k += r ? r : mask_token_other(t, tl, out + k);
            /* "5.2 KB": a scaled size is one value with its unit */
            if (en + 1 < n && size_unit_start(s[en + 1]) && ends_fraction(t, tl)) {
                size_t ns = en + 1, ne = next_set(bsp, ns, nw);
                if (ne > n) ne = n;
                size_t ul = size_unit_len(s + ns, ne - ns);
                if (ul) {
                    memcpy(out + k, s + ns + ul, ne - ns - ul);
                    k += ne - ns - ul;
                    last_end = ne;
                }
            }
        }
        if (st != prev_end + 1) run = 0; /* a value-free token came between */
        if (k - start == 3 && mask_is_wild(out + start, 3)) {
            if (++run >= 8) need_compact = 1;
        } else
            run = 0;
        /* "<*> HTTP/1.1": compact() joins a version to a wildcard before it */
        if (t[0] >= 'A' && t[0] <= 'Z' && memchr(t, '/', tl)) maybe_compact = 1;
        sp[nsp++] =
            (struct span){ (uint32_t)first, (uint32_t)last_end, (uint32_t)start, (uint32_t)k };
        prev_end = last_end;
        pos = last_end;
    }
    memcpy(out + k, s + pos, n - pos);
    k += n - pos;
    /* compact() changes nothing in a text without a wildcard */
    if (maybe_compact && !need_compact && memchr(out, '*', k)) need_compact = 1;
    out[k] = '\0';
    ret->text = out;
    ret->len = k;
    ret->bounds_valid = 0;
    if (need_compact) {
        mask_token_bounds(ret);
        size_t nt = compact(out, &k, ret->off, ret->tlen, ret->ntok);
        out[k] = '\0';
        ret->len = k;
        ret->ntok = (uint32_t)nt;
    }
}

/* Slots of mask_line()'s per-thread cache of shapes without word values
 * (16 KiB a thread). */
#define WORDS_CACHE 2048

void mask_line(const char *s, size_t n, char *out, struct mask_tokens *ret)
{
    static pthread_once_t cls_once = PTHREAD_ONCE_INIT;
    pthread_once(&cls_once, cls_init); /* --threads workers mask at once */
    ret->truncated = 0;
    if (n > MASK_MAX_LINE) {
        n = MASK_MAX_LINE;
        ret->truncated = 1;
    }
    /* bitmaps of the line: whitespace/control bytes, digits, slashes (16
     * bytes at a time with SSE2) */
    int ctl = build_bitmaps(s, n, ret->bm[0], ret->bm[1]);
    if (n && !ctl && plain_tokens(ret->bm[0], n))
        mask_line_plain(s, n, out, ret);
    else
        mask_line_general(s, n, out, ret);
    /* The word rules are looked for once per masked shape: a text whose
     * hash is remembered here needed none (a direct-mapped cache per thread;
     * 0 marks an empty slot) */
    static _Thread_local uint64_t no_words[WORDS_CACHE];
    uint64_t h = mask_hash(out, ret->len);
    uint64_t *slot = &no_words[h % WORDS_CACHE];
    if (!h || *slot != h) {
        /* word_values_needed() reads up to 3 bytes past the text (inside
         * MASK_OUT_SIZE): make them defined */
        out[ret->len + 1] = out[ret->len + 2] = '\0';
        if (word_values_needed(out, ret->len)) {
            /* a rewrite may keep the length (tag="abc" -> tag="<*>"): the
             * text is new either way */
            ret->len = word_values(out, ret->len);
            out[ret->len] = '\0';
            ret->bounds_valid = 0;
            h = mask_hash(out, ret->len);
        } else
            *slot = h;
    }
    ret->text = out;
    ret->hash = h;
    ret->th_valid = 0;
}

void mask_token_bounds(struct mask_tokens *mt)
{
    if (mt->bounds_valid) return;
    /* tokens never hold a space and are joined by exactly one */
    size_t nt = 0, st = 0;
    const char *t = mt->text;
    for (;;) {
        const char *sp = memchr(t + st, ' ', mt->len - st);
        size_t en = sp ? (size_t)(sp - t) : mt->len;
        if (en > st || sp) {
            mt->off[nt] = (uint32_t)st;
            mt->tlen[nt] = (uint32_t)(en - st);
            nt++;
        }
        if (!sp) break;
        st = en + 1;
    }
    mt->ntok = (uint32_t)nt;
    mt->bounds_valid = 1;
}

void mask_token_hashes(struct mask_tokens *mt)
{
    if (mt->th_valid) return;
    mask_token_bounds(mt);
    for (size_t j = 0; j < mt->ntok; j++) mt->th[j] = mask_hash(mt->text + mt->off[j], mt->tlen[j]);
    mt->th_valid = 1;
}
