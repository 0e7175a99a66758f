/* SPDX-License-Identifier: MIT */
/*
 * shape.c: what leaves the server: every string redacted, every result cut
 * to a budget a model's context can afford, with the cut reported.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "core/redact.h"
#include "serve/mcp/mcp-internal.h"

size_t mcp_utf8_cut(const char *s, size_t n)
{
    /* Back off over continuation bytes so no character is split. */
    size_t len = strnlen(s, n);
    if (len < n) return len;
    while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80) n--;
    return n;
}

char *mcp_redact_text(const char *s)
{
    return redact_dup(s ? s : "", NULL);
}

/* Is key a name whose value is a secret (password, token, api_key ...)?
 * Asks the redactor itself so both agree on the list. */
static bool secret_key(const char *key)
{
    if (!*key || strlen(key) > 64) return false;
    char probe[96];
    snprintf(probe, sizeof probe, "%s=probevalue1234", key);
    _cleanup_free_ char *r = redact_dup(probe, NULL);
    return r && !streq(r, probe);
}

static int redact_string(json_t *holder, const char *key, size_t index, json_t *v)
{
    const char *s = json_string_value(v);
    int n = 0;
    _cleanup_free_ char *red = redact_dup(s, &n);
    if (!red) return -ENOMEM;
    if (n == 0) return 0;
    json_t *nv = json_string(red);
    if (!nv) nv = json_string(REDACTED); /* cannot happen for valid input */
    if (!nv) return -ENOMEM;
    int r = key ? json_object_set_new(holder, key, nv) : json_array_set_new(holder, index, nv);
    return r < 0 ? -ENOMEM : n;
}

static int walk(json_t *v, int depth)
{
    int total = 0, r;
    if (depth > 64) return 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        void *tmp;
        json_object_foreach_safe(v, tmp, k, c)
        {
            if (json_is_string(c)) {
                if (secret_key(k) && !streq(json_string_value(c), REDACTED) &&
                    json_string_length(c) > 0) {
                    if (json_object_set_new(v, k, json_string(REDACTED)) < 0) return -ENOMEM;
                    r = 1;
                } else
                    r = redact_string(v, k, 0, c);
            } else
                r = walk(c, depth + 1);
            if (r < 0) return r;
            total += r;
        }
    } else if (json_is_array(v)) {
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c)
        {
            r = json_is_string(c) ? redact_string(v, NULL, i, c) : walk(c, depth + 1);
            if (r < 0) return r;
            total += r;
        }
    }
    return total;
}

int mcp_redact_json(json_t *v)
{
    return v ? walk(v, 0) : 0;
}

/* ---- budget ------------------------------------------------------------- */

struct shaper {
    json_t *notes; /* object: path ("hypotheses[].evidence") -> {"kept","total"} */
    size_t strings_cut;
};

static int note(struct shaper *sh, const char *path, size_t kept, size_t total)
{
    json_t *n = json_object_get(sh->notes, path);
    if (n) {
        /* Same list in another element ("items[].deep"): the largest total
         * counts; kept is the current limit. */
        if ((json_int_t)total > json_integer_value(json_object_get(n, "total")) &&
            json_object_set_new(n, "total", json_integer((json_int_t)total)) < 0)
            return -ENOMEM;
        return json_object_set_new(n, "kept", json_integer((json_int_t)kept)) < 0 ? -ENOMEM : 0;
    }
    return json_object_set_new(
               sh->notes, path,
               json_pack("{s:I,s:I}", "kept", (json_int_t)kept, "total", (json_int_t)total)) < 0
               ? -ENOMEM
               : 0;
}

/* Was this string cut by an earlier pass (ends in our ellipsis)? */
static bool ends_cut(const char *s)
{
    size_t n = strlen(s);
    return n >= 3 && streq(s + n - 3, "\xe2\x80\xa6");
}

/* Cut arrays at depth 0 (members of the top object) to top_limit, deeper
 * ones to inner_limit, strings to str_limit bytes. */
static int cut(struct shaper *sh, json_t *v, const char *path, int depth, size_t top_limit,
               size_t inner_limit, size_t str_limit)
{
    char sub[512];
    if (depth > 64) return 0;
    if (json_is_object(v)) {
        const char *k;
        json_t *c;
        void *tmp;
        json_object_foreach_safe(v, tmp, k, c)
        {
            if (depth == 0 && streq(k, "truncated")) continue;
            snprintf(sub, sizeof sub, "%s%s%s", path, *path ? "." : "", k);
            if (json_is_string(c) && json_string_length(c) > str_limit) {
                const char *s = json_string_value(c);
                size_t n = mcp_utf8_cut(s, str_limit);
                char *t = malloc(n + 4);
                if (!t) return -ENOMEM;
                memcpy(t, s, n);
                memcpy(t + n, "\xe2\x80\xa6", 4); /* … */
                if (!ends_cut(s)) sh->strings_cut++;
                int r = json_object_set_new(v, k, json_string(t));
                free(t);
                if (r < 0) return -ENOMEM;
            } else {
                int r = cut(sh, c, sub, depth + 1, top_limit, inner_limit, str_limit);
                if (r < 0) return r;
            }
        }
    } else if (json_is_array(v)) {
        size_t limit = depth <= 1 ? top_limit : inner_limit;
        size_t total = json_array_size(v);
        if (total > limit) {
            /* The note keeps the first total seen: later passes only lower "kept". */
            if (note(sh, path, limit, total) < 0) return -ENOMEM;
            while (json_array_size(v) > limit) json_array_remove(v, json_array_size(v) - 1);
        }
        size_t i;
        json_t *c;
        json_array_foreach(v, i, c)
        {
            snprintf(sub, sizeof sub, "%s[]", path); /* one note for all elements */
            if (json_is_string(c) && json_string_length(c) > str_limit) {
                const char *s = json_string_value(c);
                size_t n = mcp_utf8_cut(s, str_limit);
                char *t = malloc(n + 4);
                if (!t) return -ENOMEM;
                memcpy(t, s, n);
                memcpy(t + n, "\xe2\x80\xa6", 4);
                if (!ends_cut(s)) sh->strings_cut++;
                int r = json_array_set_new(v, i, json_string(t));
                free(t);
                if (r < 0) return -ENOMEM;
            } else {
                int r = cut(sh, c, sub, depth + 1, top_limit, inner_limit, str_limit);
                if (r < 0) return r;
            }
        }
    }
    return 0;
}

static size_t size_of(const json_t *v)
{
    return json_dumpb(v, NULL, 0, JSON_COMPACT);
}

int mcp_shape(json_t *v, size_t max_items, size_t budget_chars)
{
    if (!json_is_object(v)) return -EINVAL;
    struct shaper sh = { .notes = json_object() };
    if (!sh.notes) return -ENOMEM;
    size_t top = max_items ? max_items : 1, inner = top,
           str = budget_chars > 160 ? budget_chars : 160;
    int r = cut(&sh, v, "", 0, top, inner, str);
    /* Then shrink until the result fits: inner lists first, then long
     * strings, then the top lists (the ranked part a model needs most). */
    while (r >= 0 && size_of(v) + 400 > budget_chars) {
        if (inner > 1)
            inner = inner / 2;
        else if (str > 160)
            str = str / 2;
        else if (top > 1)
            top = top / 2;
        else
            break; /* cannot get smaller without dropping fields */
        r = cut(&sh, v, "", 0, top, inner, str);
    }
    if (r < 0) goto out;
    size_t fin = size_of(v);
    if (json_object_size(sh.notes) > 0 || sh.strings_cut > 0 || fin + 400 > budget_chars) {
        json_t *lists = json_array();
        const char *k;
        json_t *n;
        json_object_foreach(sh.notes, k, n)
        {
            json_t *e = json_pack("{s:s,s:O,s:O}", "path", k, "kept", json_object_get(n, "kept"),
                                  "total", json_object_get(n, "total"));
            if (!e || json_array_append_new(lists, e) < 0) {
                r = -ENOMEM;
                break;
            }
        }
        json_t *t = json_pack("{s:o,s:I,s:b,s:s}", "lists", lists, "strings_cut",
                              (json_int_t)sh.strings_cut, "over_budget", fin + 400 > budget_chars,
                              "hint", "raise max_items or budget_tokens to see more");
        if (!t || json_object_set_new(v, "truncated", t) < 0) r = -ENOMEM;
    }
out:
    json_decref(sh.notes);
    return r < 0 ? r : 0;
}
