/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <string.h>
#include <strings.h>

#include "core/macro.h"
#include "core/redact.h"

/* Key words whose value is a secret. A key is recognised at the END of an
 * identifier (trailing digits allowed): db_password, X-Api-Key, clientSecret,
 * AWS_SECRET_ACCESS_KEY, PGPASSWORD; but not max_tokens, password_file,
 * signature_valid or cookies_enabled, whose values are counts, paths and
 * flags an investigation needs. Strong words may end any identifier
 * (PGPASSWORD); weak ones must be a whole component of it, after '_', '-',
 * '.', a lower-to-upper case step, or at its start. "pwd" never stands alone:
 * PWD is the shell's working directory, MYSQL_PWD a password. */
static const struct {
    const char *word;
    bool strong;
} secret_keys[] = {
    { "password", true },     { "passwd", true },       { "passphrase", true },
    { "secret", true },       { "token", true },        { "credentials", true },
    { "credential", true },   { "apikey", true },       { "api_key", false },
    { "api-key", false },     { "access_key", false },  { "accesskey", false },
    { "secret_key", false },  { "secretkey", false },   { "private_key", false },
    { "privatekey", false },  { "signing_key", false }, { "encryption_key", false },
    { "session_key", false }, { "pwd", false },         { "authorization", false },
    { "cookie", false },      { "signature", false },   { "sig", false },
    { "sas", false },
};

/* Prefixes of well-known token formats: prefix, minimum body length. */
static const struct {
    const char *prefix;
    size_t min_body;
} token_prefixes[] = {
    { "AKIA", 16 }, { "ASIA", 16 },     { "ghp_", 20 },     { "gho_", 20 },  { "ghs_", 20 },
    { "ghu_", 20 }, { "glpat-", 16 },   { "xoxb-", 10 },    { "xoxp-", 10 }, { "xoxa-", 10 },
    { "sk-", 20 },  { "sk_live_", 10 }, { "rk_live_", 10 }, { "AIza", 30 },
};

static int is_ident(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '-' || c == '.';
}

static int is_token_char(unsigned char c)
{
    return isalnum(c) || c == '_' || c == '-' || c == '.' || c == '+' || c == '/' || c == '=';
}

static size_t ci_match(const char *s, size_t n, const char *w)
{
    size_t wl = strlen(w);
    if (wl > n) return 0;
    return strncasecmp(s, w, wl) == 0 ? wl : 0;
}

/* End of a value starting at p: stops at whitespace, quotes, separators. */
static size_t value_len(const char *p, size_t n, char quote)
{
    size_t i = 0;
    if (quote) {
        while (i < n && p[i] != quote && p[i] != '\n') {
            if (p[i] == '\\' && i + 1 < n) i++;
            i++;
        }
        return i;
    }
    while (i < n && !isspace((unsigned char)p[i]) && p[i] != ',' && p[i] != ';' && p[i] != '&' &&
           p[i] != '}' && p[i] != ')' && p[i] != ']' && p[i] != '"' && p[i] != '\'')
        i++;
    return i;
}

static int component_start(const char *s, size_t p)
{
    if (p == 0) return 1;
    unsigned char prev = (unsigned char)s[p - 1], c = (unsigned char)s[p];
    return prev == '_' || prev == '-' || prev == '.' || (isupper(c) && islower(prev));
}

/* Does the identifier s[0..e) end with a secret key word? Sets *cookie when
 * the word is a cookie header, whose value runs to the end of the line. */
static int secret_ident(const char *s, size_t e, int *cookie)
{
    while (e > 0 && isdigit((unsigned char)s[e - 1])) e--;
    for (size_t k = 0; k < sizeof(secret_keys) / sizeof(secret_keys[0]); k++) {
        size_t kl = strlen(secret_keys[k].word);
        if (kl > e) continue;
        size_t p = e - kl;
        if (strncasecmp(s + p, secret_keys[k].word, kl) != 0) continue;
        if (!secret_keys[k].strong && !component_start(s, p)) continue;
        if (p == 0 && streq(secret_keys[k].word, "pwd")) continue;
        *cookie = streq(secret_keys[k].word, "cookie");
        return 1;
    }
    return 0;
}

/* Is the unquoted value at p a printed object rather than a secret? A type
 * name (capitalised, letters only, Java's '.' and '$' allowed, 3+ chars)
 * directly followed by a bracketed body with structure in it (a space, '='
 * or ':'), as toString() prints it: `token=Token{type=IDENT}`, `wtoken =
 * AppWindowToken{5f3a token=...}`; or followed by " {" as Rust's Debug does:
 * `token: Token { kind: Ident }`; or Java's class@hash. A mined wildcard
 * counts as structure (token=Token{<*>}). A body without
 * structure stays a secret (`password=Secret{123}`). */
static int printed_object(const char *p, size_t n)
{
    size_t i = 0, dots = 0;
    /* Java's default toString(), class@hash: android.os.BinderProxy@1f0e7c8 */
    while (i < n && (isalnum((unsigned char)p[i]) || p[i] == '_' || p[i] == '$' || p[i] == '.'))
        dots += p[i++] == '.';
    if (dots >= 2 && i < n && p[i] == '@' && isalpha((unsigned char)p[0])) {
        size_t h = ++i;
        while (i < n && isxdigit((unsigned char)p[i])) i++;
        if (i > h && (i == n || !is_ident((unsigned char)p[i]))) return 1;
    }
    i = 0;
    if (n == 0 || !isupper((unsigned char)p[0])) return 0;
    while (i < n && (isalpha((unsigned char)p[i]) || p[i] == '.' || p[i] == '$')) i++;
    if (i < 3 || i >= n) return 0;
    if (p[i] == ' ') {
        size_t j = i;
        while (j < n && p[j] == ' ') j++;
        return j < n && p[j] == '{' && j + 1 < n && p[j + 1] == ' ';
    }
    char open = p[i], close = open == '{' ? '}' : open == '(' ? ')' : open == '[' ? ']' : 0;
    if (!close) return 0;
    for (size_t j = i + 1; j < n && j < i + 256 && p[j] != close && p[j] != '\n'; j++)
        if (p[j] == ' ' || p[j] == '=' || p[j] == ':' ||
            (p[j] == '<' && n - j >= 3 && !memcmp(p + j, "<*>", 3)))
            return 1;
    return 0;
}

/* Try to match "KEY<quote?><ws>[=:]<ws><quote?>VALUE" at s, where KEY is an
 * identifier that secret_ident() accepts. On success sets *vstart and *vlen
 * (offsets from s) and returns 1. */
static int match_key_value(const char *s, size_t n, size_t *vstart, size_t *vlen)
{
    size_t i = 0;
    int cookie = 0;
    while (i < n && is_ident((unsigned char)s[i])) i++;
    if (i > 64 || !secret_ident(s, i, &cookie)) return 0;
    if (i < n && (s[i] == '"' || s[i] == '\'')) i++;
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    if (i >= n || (s[i] != '=' && s[i] != ':')) return 0;
    cookie = cookie && s[i] == ':';
    i++;
    if (i < n && s[i] == '=') i++; /* := */
    while (i < n && (s[i] == ' ' || s[i] == '\t')) i++;
    char quote = 0;
    if (i < n && (s[i] == '"' || s[i] == '\'')) quote = s[i++];
    if (!quote && !cookie && printed_object(s + i, n - i)) return 0;
    /* A mined template's wildcard holds no secret: token=<*> stays. */
    if (n - i >= 3 && !memcmp(s + i, "<*>", 3) &&
        (n - i == 3 || !is_token_char((unsigned char)s[i + 3])))
        return 0;
    /* Authorization: Bearer xxx / Basic xxx: keep the scheme word. */
    size_t w = 0;
    while (i + w < n && isalpha((unsigned char)s[i + w])) w++;
    if (w > 0 && i + w < n && s[i + w] == ' ' &&
        (ci_match(s + i, w, "bearer") == 6 || ci_match(s + i, w, "basic") == 5 ||
         ci_match(s + i, w, "token") == 5 || ci_match(s + i, w, "digest") == 6)) {
        i += w + 1;
    }
    /* Already redacted: leave it, so redaction is idempotent. */
    if (n - i >= sizeof(REDACTED) - 1 && strncmp(s + i, REDACTED, sizeof(REDACTED) - 1) == 0)
        return 0;
    size_t v = value_len(s + i, n - i, quote);
    if (cookie && !quote) /* Cookie: a=1; b=2 is one secret, to the end of the line */
        while (i + v < n && s[i + v] != '\n' && s[i + v] != '\r' && s[i + v] != '"') v++;
    if (v == 0) return 0;
    *vstart = i;
    *vlen = v;
    return 1;
}

static int match_bearer(const char *s, size_t n, size_t *vstart, size_t *vlen)
{
    size_t kl = ci_match(s, n, "bearer ");
    if (!kl) kl = ci_match(s, n, "basic ");
    if (!kl) return 0;
    size_t v = 0;
    while (kl + v < n && is_token_char((unsigned char)s[kl + v])) v++;
    if (v < 8) return 0;
    *vstart = kl;
    *vlen = v;
    return 1;
}

static int match_url_password(const char *s, size_t n, size_t *vstart, size_t *vlen)
{
    /* s points at "://" */
    if (n < 4 || strncmp(s, "://", 3) != 0) return 0;
    size_t i = 3, colon = 0;
    while (i < n && s[i] != '@' && s[i] != '/' && !isspace((unsigned char)s[i]) && s[i] != '"') {
        if (s[i] == ':' && !colon) colon = i;
        i++;
    }
    if (i >= n || s[i] != '@' || !colon || colon + 1 == i) return 0;
    *vstart = colon + 1;
    *vlen = i - colon - 1;
    return 1;
}

static int match_jwt(const char *s, size_t n, size_t *vlen)
{
    if (n < 20 || strncmp(s, "eyJ", 3) != 0) return 0;
    size_t i = 0;
    int dots = 0;
    while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-' || s[i] == '.')) {
        if (s[i] == '.') dots++;
        i++;
    }
    if (dots != 2 || i < 20) return 0;
    *vlen = i;
    return 1;
}

static int match_token_prefix(const char *s, size_t n, size_t *vlen)
{
    for (size_t k = 0; k < sizeof(token_prefixes) / sizeof(token_prefixes[0]); k++) {
        size_t pl = strlen(token_prefixes[k].prefix);
        if (pl > n || strncmp(s, token_prefixes[k].prefix, pl) != 0) continue;
        size_t i = pl;
        while (i < n && (isalnum((unsigned char)s[i]) || s[i] == '_' || s[i] == '-')) i++;
        if (i - pl >= token_prefixes[k].min_body) {
            *vlen = i;
            return 1;
        }
    }
    return 0;
}

static int match_pem(const char *s, size_t n, size_t *vlen)
{
    static const char begin[] = "-----BEGIN ";
    if (n < sizeof(begin) - 1 || strncmp(s, begin, sizeof(begin) - 1) != 0) return 0;
    const char *hdr_end = memchr(s + 11, '-', n - 11);
    if (!hdr_end) return 0;
    size_t hl = (size_t)(hdr_end - s);
    if (!memmem(s, hl, "PRIVATE KEY", 11)) return 0;
    const char *end = memmem(s, n, "-----END ", 9);
    if (!end) {
        *vlen = n;
        return 1;
    }
    const char *close = memmem(end + 9, n - (size_t)(end + 9 - s), "-----", 5);
    *vlen = close ? (size_t)(close + 5 - s) : n;
    return 1;
}

int redact_append(struct buf *out, const char *in, size_t n)
{
    int count = 0, r;
    size_t i = 0, lit = 0; /* [lit, i) is pending literal text */
    while (i < n) {
        unsigned char c = (unsigned char)in[i];
        size_t vs = 0, vl = 0; /* the secret is in[i + vs, i + vs + vl) */
        int boundary = i == 0 || !isalnum((unsigned char)in[i - 1]);
        int hit =
            (boundary && isalpha(c) && match_key_value(in + i, n - i, &vs, &vl)) ||
            (boundary && (c == 'B' || c == 'b') && match_bearer(in + i, n - i, &vs, &vl)) ||
            (c == ':' && match_url_password(in + i, n - i, &vs, &vl)) ||
            (boundary && (match_jwt(in + i, n - i, &vl) || match_token_prefix(in + i, n - i, &vl) ||
                          match_pem(in + i, n - i, &vl)));
        if (!hit) {
            i++;
            continue;
        }
        r = buf_append(out, in + lit, i + vs - lit);
        if (r < 0) return r;
        r = buf_puts(out, REDACTED);
        if (r < 0) return r;
        i += vs + vl;
        lit = i;
        count++;
    }
    r = buf_append(out, in + lit, n - lit);
    if (r < 0) return r;
    return count;
}

char *redact_dup(const char *s, int *ret_count)
{
    size_t n = strlen(s);
    struct buf b = BUF_INIT(n * 4 + 64); /* a redaction adds at most 9 bytes per 3 */
    int r = redact_append(&b, s, n);
    if (r < 0) {
        buf_release(&b);
        return NULL;
    }
    if (ret_count) *ret_count = r;
    return buf_take(&b);
}
