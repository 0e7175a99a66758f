/* SPDX-License-Identifier: MIT */
/*
 * schema.c: checks tool arguments against the tool's own input schema (the
 * subset of JSON Schema our schemas use), so a model gets a precise
 * -32602 "invalid arguments" instead of a confusing tool failure.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "serve/mcp/mcp-internal.h"

static bool type_ok(const char *type, const json_t *v)
{
    if (streq(type, "string")) return json_is_string(v);
    if (streq(type, "integer")) return json_is_integer(v);
    if (streq(type, "number")) return json_is_number(v);
    if (streq(type, "boolean")) return json_is_boolean(v);
    if (streq(type, "array")) return json_is_array(v);
    if (streq(type, "object")) return json_is_object(v);
    if (streq(type, "null")) return json_is_null(v);
    return true;
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "an integer";
    case JSON_REAL: return "a number";
    case JSON_TRUE:
    case JSON_FALSE: return "a boolean";
    case JSON_NULL: return "null";
    }
    return "a value";
}

static int check(const json_t *schema, const json_t *v, const char *where, char *err, size_t n,
                 int depth)
{
    if (depth > 16 || !json_is_object(schema)) return 0;
    const char *type = json_string_value(json_object_get(schema, "type"));
    if (type && !type_ok(type, v)) {
        snprintf(err, n, "'%s' must be %s%s, not %s", where,
                 streq(type, "integer") || streq(type, "array") || streq(type, "object") ? "an "
                                                                                         : "a ",
                 type, type_name(v));
        return -EINVAL;
    }
    json_t *en = json_object_get(schema, "enum");
    if (json_is_array(en)) {
        size_t i;
        json_t *e;
        bool found = false;
        json_array_foreach(en, i, e) if (json_equal(e, v)) found = true;
        if (!found) {
            char *alts = json_dumps(en, JSON_COMPACT);
            snprintf(err, n, "'%s' must be one of %s", where, alts ? alts : "the listed values");
            free(alts);
            return -EINVAL;
        }
    }
    if (json_is_number(v)) {
        json_t *mn = json_object_get(schema, "minimum"), *mx = json_object_get(schema, "maximum");
        double d = json_number_value(v);
        if (json_is_number(mn) && d < json_number_value(mn)) {
            snprintf(err, n, "'%s' must be at least %g", where, json_number_value(mn));
            return -EINVAL;
        }
        if (json_is_number(mx) && d > json_number_value(mx)) {
            snprintf(err, n, "'%s' must be at most %g", where, json_number_value(mx));
            return -EINVAL;
        }
    }
    if (json_is_string(v)) {
        json_t *ml = json_object_get(schema, "minLength");
        if (json_is_integer(ml) && (json_int_t)json_string_length(v) < json_integer_value(ml)) {
            snprintf(err, n, "'%s' must not be empty", where);
            return -EINVAL;
        }
    }
    if (json_is_array(v)) {
        json_t *items = json_object_get(schema, "items");
        json_t *mx = json_object_get(schema, "maxItems");
        if (json_is_integer(mx) && (json_int_t)json_array_size(v) > json_integer_value(mx)) {
            snprintf(err, n, "'%s' has more than %lld items", where,
                     (long long)json_integer_value(mx));
            return -EINVAL;
        }
        size_t i;
        json_t *e;
        json_array_foreach(v, i, e)
        {
            char sub[128];
            snprintf(sub, sizeof sub, "%s[%zu]", where, i);
            int r = check(items, e, sub, err, n, depth + 1);
            if (r < 0) return r;
        }
    }
    if (json_is_object(v)) {
        json_t *props = json_object_get(schema, "properties");
        json_t *req = json_object_get(schema, "required");
        size_t i;
        json_t *e;
        json_array_foreach(req, i, e)
        {
            if (json_is_string(e) && !json_object_get(v, json_string_value(e))) {
                snprintf(err, n, "'%s' is required", json_string_value(e));
                return -EINVAL;
            }
        }
        bool closed = json_is_false(json_object_get(schema, "additionalProperties"));
        const char *k;
        json_object_foreach((json_t *)v, k, e)
        {
            json_t *ps = json_object_get(props, k);
            if (!ps) {
                if (closed) {
                    snprintf(err, n, "unknown argument '%s'", k);
                    return -EINVAL;
                }
                continue;
            }
            int r = check(ps, e, k, err, n, depth + 1);
            if (r < 0) return r;
        }
    }
    return 0;
}

int mcp_schema_check(const json_t *schema, const json_t *args, char *err, size_t err_size)
{
    err[0] = '\0';
    return check(schema, args, "arguments", err, err_size, 0);
}
