/* SPDX-License-Identifier: MIT */
/*
 * redact.h: remove secrets from text before tshoot writes it anywhere.
 *
 * Everything tshoot prints, stores or serves passes through here: values of
 * password/token/secret/api-key/credential style keys (key=value, key: value,
 * "key": "value", HTTP Authorization and Cookie headers), bearer and basic
 * credentials, passwords in URLs (scheme://user:pass@host), JWTs, PEM private
 * key blocks and well-known token shapes (AWS access keys, GitHub, GitLab,
 * Slack, Stripe/OpenAI-style sk- keys). A redacted value becomes
 * "[REDACTED]"; the key is kept so the evidence still reads. A key word
 * counts only where it ends the key (db_password, clientSecret), so counts,
 * paths and flags named after one (max_tokens, password_file) stay readable.
 */
#ifndef TSHOOT_REDACT_H
#define TSHOOT_REDACT_H

#include <stddef.h>
#include "core/buf.h"

#define REDACTED "[REDACTED]"

/* Append a redacted copy of in[0..n) to out. Returns the number of secrets
 * replaced (>= 0), or a negative errno from the buffer (-E2BIG, -ENOMEM). */
_warn_unused_result_ int redact_append(struct buf *out, const char *in, size_t n);

/* Redacted copy of a NUL-terminated string, owned by the caller. NULL on
 * ENOMEM. *ret_count (optional) gets the number of replacements. */
char *redact_dup(const char *s, int *ret_count);

#endif
