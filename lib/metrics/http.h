/* SPDX-License-Identifier: MIT */
/*
 * http.h: one bounded HTTP request through libcurl, for the Prometheus API,
 * Alertmanager and webhooks.
 *
 * Timeouts are mandatory (connect and total); the response body is capped;
 * credentials come from files (a bearer token file, a password file) so they
 * never appear in argv or in the environment listing of a process; error
 * lines never contain them (URLs are redacted).
 */
#ifndef TSHOOT_METRICS_HTTP_H
#define TSHOOT_METRICS_HTTP_H

#include <stddef.h>
#include <stdint.h>

struct http_opts {
    const char *bearer_token_file;   /* "Authorization: Bearer <first line>" */
    const char *basic_user;          /* basic auth user ... */
    const char *basic_password_file; /* ... and password (first line of the file) */
    const char *ca_file;             /* TLS trust anchors (PEM) */
    int64_t timeout_ms;              /* total; 0 = 10000; connect timeout is min(total, 3000) */
    size_t max_body;                 /* response cap; 0 = 16 MiB */
    volatile int *cancel;            /* optional: abort when it becomes non-zero */
};

/* method "GET" or "POST" (body/content_type for POST). *ret_status gets the
 * HTTP status; *ret_body (optional) the NUL-terminated body, caller owns.
 * Returns 0 for any HTTP answer (check the status), or -errno: -ECONNREFUSED,
 * -ETIMEDOUT, -EFBIG (body over the cap), -ECANCELED, -EINVAL (bad URL or
 * unreadable credential file), -EIO. *ret_err (optional, caller owns) gets a
 * one-line description of a failure. */
int http_request(const struct http_opts *o, const char *method, const char *url, const char *body,
                 const char *content_type, long *ret_status, char **ret_body, char **ret_err);

/* Percent-encode s for a query string (caller owns; NULL on ENOMEM). */
char *http_escape(const char *s);

#endif
