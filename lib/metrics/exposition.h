/* SPDX-License-Identifier: MIT */
/*
 * exposition.h: Prometheus text exposition format (version 0.0.4) writer.
 *
 * Every family gets its # HELP and # TYPE lines before its first sample;
 * label values are escaped (backslash, double quote, newline), HELP text is
 * escaped (backslash, newline), values print NaN/+Inf/-Inf the Prometheus
 * way. Output goes into a capped struct buf, so a huge label set fails with
 * -E2BIG instead of growing without bound.
 *
 *     prom_family(b, "tshoot_fs_size_bytes", "gauge", "Filesystem size in bytes.");
 *     struct prom_label l[] = { { "mountpoint", "/dev/shm" }, { "fstype", "tmpfs" } };
 *     prom_sample(b, "tshoot_fs_size_bytes", l, 2, 67108864);
 */
#ifndef TSHOOT_METRICS_EXPOSITION_H
#define TSHOOT_METRICS_EXPOSITION_H

#include <stddef.h>
#include "core/buf.h"

#define PROM_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

struct prom_label {
    const char *name;  /* borrowed; must match [a-zA-Z_][a-zA-Z0-9_]* */
    const char *value; /* borrowed; any bytes, escaped on output; NULL = skip label */
};

/* True for a valid metric name ([a-zA-Z_:][a-zA-Z0-9_:]*). */
bool prom_valid_metric_name(const char *s);
/* True for a valid label name ([a-zA-Z_][a-zA-Z0-9_]*, not starting "__"). */
bool prom_valid_label_name(const char *s);

/* "# HELP name text\n# TYPE name type\n". type: counter|gauge|untyped|...
 * Returns 0, -EINVAL for a bad name, or a buf error. */
_warn_unused_result_ int prom_family(struct buf *b, const char *name, const char *type,
                                     const char *help);
/* One sample line. Labels with a NULL value are left out; an empty string
 * value is written (Prometheus treats it as absent). -EINVAL for bad names. */
_warn_unused_result_ int prom_sample(struct buf *b, const char *name,
                                     const struct prom_label *labels, size_t n_labels,
                                     double value);
/* Append the escaped form of a label value (no quotes). */
_warn_unused_result_ int prom_escape_label_value(struct buf *b, const char *s);
/* Format a sample value: "NaN", "+Inf", "-Inf", integers exactly, else %.17g
 * trimmed to the shortest that round-trips. buf needs 32 bytes. */
char *prom_format_value(double v, char *buf, size_t size);

#endif
