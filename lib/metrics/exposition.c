/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>

#include "metrics/exposition.h"

static bool is_alpha_(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

bool prom_valid_metric_name(const char *s)
{
    if (!s || !*s || !(is_alpha_(*s) || *s == ':')) return false;
    for (s++; *s; s++)
        if (!(is_alpha_(*s) || is_digit(*s) || *s == ':')) return false;
    return true;
}

bool prom_valid_label_name(const char *s)
{
    if (!s || !*s || !is_alpha_(*s)) return false;
    if (s[0] == '_' && s[1] == '_') return false;
    for (s++; *s; s++)
        if (!(is_alpha_(*s) || is_digit(*s))) return false;
    return true;
}

static int escape(struct buf *b, const char *s, bool quote)
{
    int r = 0;
    for (; *s && r == 0; s++) {
        switch (*s) {
        case '\\': r = buf_puts(b, "\\\\"); break;
        case '\n': r = buf_puts(b, "\\n"); break;
        case '"': r = quote ? buf_puts(b, "\\\"") : buf_putc(b, '"'); break;
        default: r = buf_putc(b, *s);
        }
    }
    return r;
}

int prom_escape_label_value(struct buf *b, const char *s)
{
    return escape(b, s, true);
}

int prom_family(struct buf *b, const char *name, const char *type, const char *help)
{
    int r;
    if (!prom_valid_metric_name(name) || !type) return -EINVAL;
    if ((r = buf_printf(b, "# HELP %s ", name)) < 0) return r;
    if ((r = escape(b, help ? help : "", false)) < 0) return r;
    return buf_printf(b, "\n# TYPE %s %s\n", name, type);
}

char *prom_format_value(double v, char *buf, size_t size)
{
    if (isnan(v))
        snprintf(buf, size, "NaN");
    else if (isinf(v))
        snprintf(buf, size, v > 0 ? "+Inf" : "-Inf");
    else if (v == floor(v) && fabs(v) < 9007199254740992.0)
        snprintf(buf, size, "%.0f", v);
    else {
        for (int prec = 6; prec <= 17; prec++) {
            snprintf(buf, size, "%.*g", prec, v);
            if (strtod(buf, NULL) == v) break;
        }
    }
    return buf;
}

int prom_sample(struct buf *b, const char *name, const struct prom_label *labels, size_t n_labels,
                double value)
{
    size_t mark = b->len;
    int r;
    char vb[40];
    if (!prom_valid_metric_name(name)) return -EINVAL;
    for (size_t i = 0; i < n_labels; i++)
        if (labels[i].value && !prom_valid_label_name(labels[i].name)) return -EINVAL;
    if ((r = buf_puts(b, name)) < 0) goto fail;
    bool first = true;
    for (size_t i = 0; i < n_labels; i++) {
        if (!labels[i].value) continue;
        if ((r = buf_printf(b, "%s%s=\"", first ? "{" : ",", labels[i].name)) < 0) goto fail;
        if ((r = escape(b, labels[i].value, true)) < 0) goto fail;
        if ((r = buf_putc(b, '"')) < 0) goto fail;
        first = false;
    }
    if (!first && (r = buf_putc(b, '}')) < 0) goto fail;
    if ((r = buf_printf(b, " %s\n", prom_format_value(value, vb, sizeof vb))) < 0) goto fail;
    return 0;
fail:
    /* leave no half-written line behind */
    b->len = mark;
    if (b->data) b->data[mark] = '\0';
    return r;
}
