/* SPDX-License-Identifier: MIT */
/* Findings: one object per check that looks wrong (ids are a stable contract,
 * see docs/collect.md and /work/contracts.md). */
#include <stdarg.h>
#include <stdio.h>

#include "host/hostctx.h"

void hctx_finding(struct hctx *c, const char *id, const char *severity, const char *subject,
                  double value, double threshold, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    json_t *o = json_object();
    if (!o) return;
    json_object_set_new(o, "id", json_string(id));
    json_object_set_new(o, "severity", json_string(severity));
    json_object_set_new(o, "subject", json_redacted(subject));
    json_object_set_new(o, "message", json_redacted(msg));
    json_object_set_new(o, "value", json_real(value));
    json_object_set_new(o, "threshold", json_real(threshold));
    json_array_append_new(c->findings, o);
}
