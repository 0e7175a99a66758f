/* SPDX-License-Identifier: MIT */
/*
 * mask.h: turn one log message into a sequence of masked tokens.
 *
 * A message is split on whitespace; punctuation stays attached to its token
 * (the way log templates are usually written). Inside every token the parts
 * that look like values are replaced by the wildcard "<*>":
 *   - numbers of any kind: 42, -1, 3.14, 0x1f, 10ms, 126MB, 1.16ac, 2.6.5-1.358
 *   - hex ids (6+ hex chars with a digit), UUIDs, MAC and IPv6 style groups
 *     (3+ ':'-separated groups of 1-4 hex chars, e.g. 00:1a:2b:.. or 12:30:45)
 *   - IPv4 addresses, with or without a port, hosts with digits
 *   - identifiers glued to numbers: blk_-123, task_14_0020_m_00, R10-M1-N2
 *     (two or more pieces with digits, or a piece that starts with a digit,
 *      or a word ending in 3+ digits); "word-NUM" keeps its word: node-<*>
 *   - absolute paths (/var/lib/x, C:\x), URLs (scheme://...)
 *   - date/time runs: "Sat Jun 18 02:23:10 2005", "2017-05-16 05:00:00"
 *     become one <*>
 *   - digit-free host names with a port: www.example.com:443
 *   - true / false / null standing alone (ws=null, isOverlap:false,)
 *   - a quoted value after '=', spaces included: tag="View Lock" -> tag="<*>"
 *   - a number with a fraction and a size unit: "5.2 KB" is one <*>; a size
 *     restated in parentheses goes: "18846 bytes (18.4 KB)" -> "<*> bytes"
 *   - a bound with its time unit: "<1 sec", ">5 ms"
 * Words with a short digit suffix or inner digits stay constant (ssh2, eth0,
 * tty2, r24, utf8, log4j, jk2_init): the miner turns them into <*> later if
 * they vary. Wildcards joined only by connector characters (: / \ . - _ @ +)
 * merge into one, so 10.0.0.1:8080 is a single <*>.
 *
 * Nothing here allocates; the caller provides the output storage.
 */
#ifndef TSHOOT_LOGS_MASK_H
#define TSHOOT_LOGS_MASK_H

#include <stddef.h>
#include <stdint.h>

#define MASK_WILDCARD   "<*>"
#define MASK_MAX_TOKENS 128   /* tokens past this are folded into one final <*> */
#define MASK_MAX_LINE   65536 /* input bytes looked at; longer input is cut */

/* Bytes of output storage mask_line() needs for an input of n bytes (the
 * masked text is at most 3n bytes; the SSE2 scans read up to 3 bytes past
 * it, which the 8 spare bytes cover). */
#define MASK_OUT_SIZE(n) (3 * ((n) < MASK_MAX_LINE ? (n) : MASK_MAX_LINE) + 8)

struct mask_tokens {
    const char *text; /* masked tokens joined by single spaces, NUL-terminated
                       * (borrowed: points into the caller's out buffer) */
    size_t len;
    /* the token table: valid after mask_token_bounds() (or _hashes()) */
    uint32_t ntok;
    uint32_t off[MASK_MAX_TOKENS]; /* token i is text[off[i] .. off[i]+tlen[i]) */
    uint32_t tlen[MASK_MAX_TOKENS];
    int bounds_valid;
    uint64_t hash;                /* hash of the whole masked text */
    uint64_t th[MASK_MAX_TOKENS]; /* hash of each token, after mask_token_hashes() */
    int th_valid;
    uint64_t bm[2][MASK_MAX_LINE / 64 + 1]; /* scratch bitmaps of the line */
    int truncated;                          /* input was longer than MASK_MAX_LINE */
};

/* Mask s[0..n). `out` must hold MASK_OUT_SIZE(n) bytes. Never fails. */
void mask_line(const char *s, size_t n, char *out, struct mask_tokens *ret);

/* Fill mt->ntok, off[], tlen[] (mask_line() leaves them for when they are
 * needed: the text and its hash are enough to look a line up). */
void mask_token_bounds(struct mask_tokens *mt);

/* Fill the token table and mt->th[]. */
void mask_token_hashes(struct mask_tokens *mt);

/* Hash of a token's bytes (the same function mask_line() uses for th[]). */
uint64_t mask_hash(const char *s, size_t n);

/* True when the token is exactly the wildcard. */
static inline int mask_is_wild(const char *s, size_t n)
{
    return n == 3 && s[0] == '<' && s[1] == '*' && s[2] == '>';
}

#endif
