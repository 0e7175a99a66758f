/* SPDX-License-Identifier: MIT */
/* The document writer's calls (doc.h): the soft break, the list and table
 * state, then the writer's op. */
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/doc.h"

/* Write the pending paragraph break (keep) or drop it (a list or a code
 * block follows the paragraph directly). */
static void brk(struct doc *d, bool keep)
{
    if (!d->soft_break) return;
    d->soft_break = false;
    if (keep) rp_puts(&d->o, "\n");
}

void doc_header_end(struct doc *d)
{
    brk(d, true);
    d->ops->header_end(d);
}

void doc_end(struct doc *d)
{
    brk(d, true);
    d->ops->end(d);
}

void doc_section(struct doc *d, const char *id, const char *title)
{
    brk(d, true);
    d->ops->section(d, id, title);
    d->sections++;
}

void doc_h3_open(struct doc *d)
{
    brk(d, true);
    d->ops->h3_open(d);
}

void doc_h3_close(struct doc *d)
{
    d->ops->h3_close(d);
}

void doc_p_open(struct doc *d, const char *cls)
{
    brk(d, true);
    d->ops->p_open(d, cls);
}

void doc_p_close(struct doc *d)
{
    d->ops->p_close(d);
}

void doc_text(struct doc *d, const char *s)
{
    brk(d, true);
    d->ops->text(d, s);
}

void doc_code(struct doc *d, const char *s)
{
    brk(d, true);
    d->ops->code(d, s);
}

void doc_strong(struct doc *d, const char *s)
{
    brk(d, true);
    d->ops->strong_open(d);
    d->ops->text(d, s);
    d->ops->strong_close(d);
}

void doc_aside(struct doc *d, const char *s)
{
    brk(d, true);
    d->ops->aside(d, s);
}

void doc_tag(struct doc *d, const char *cls, const char *s)
{
    brk(d, true);
    d->ops->tag(d, cls, s);
}

void doc_list_open(struct doc *d)
{
    brk(d, false);
    if (d->depth >= DOC_MAX_DEPTH) {
        d->o.err = d->o.err ? d->o.err : -EINVAL; /* a renderer bug, not input */
        return;
    }
    if (d->depth) d->nested[d->depth] = true;
    d->depth++;
    d->ops->list_open(d);
}

void doc_list_close(struct doc *d)
{
    if (!d->depth) return;
    d->ops->list_close(d);
    d->depth--;
}

void doc_item_open(struct doc *d)
{
    brk(d, true);
    d->nested[d->depth] = false;
    d->ops->item_open(d);
}

void doc_item_close(struct doc *d, bool nl)
{
    d->ops->item_close(d, nl);
    d->nested[d->depth] = false;
}

void doc_table_open(struct doc *d, const struct doc_col *cols, size_t n)
{
    brk(d, true);
    d->cols = cols;
    d->n_cols = n;
    d->col = SIZE_MAX;
    d->ops->table_open(d);
}

void doc_table_close(struct doc *d)
{
    d->ops->table_close(d);
    d->cols = NULL;
    d->n_cols = 0;
}

void doc_row_open(struct doc *d, const char *cls)
{
    d->col = SIZE_MAX;
    d->ops->row_open(d, cls);
}

void doc_row_close(struct doc *d)
{
    if (d->col != SIZE_MAX) d->ops->cell_close(d);
    d->ops->row_close(d);
    d->col = SIZE_MAX;
}

void doc_cell(struct doc *d)
{
    if (d->col != SIZE_MAX) d->ops->cell_close(d);
    d->col = d->col == SIZE_MAX ? 0 : d->col + 1;
    d->ops->cell_open(d);
}

void doc_cards(struct doc *d, const struct rp_model *m)
{
    brk(d, true);
    d->ops->cards(d, m);
}

void doc_timeline_figure(struct doc *d, const struct rp_model *m)
{
    brk(d, true);
    d->ops->timeline_figure(d, m);
}

void doc_chain_figure(struct doc *d, const struct rp_hyp *h)
{
    brk(d, true);
    d->ops->chain_figure(d, h);
}

void doc_cell_text(struct doc *d, const char *s)
{
    doc_cell(d);
    doc_text(d, s);
}

void doc_cell_code(struct doc *d, const char *s)
{
    doc_cell(d);
    doc_code(d, s);
}

void doc_cell_puts(struct doc *d, const char *s)
{
    doc_cell(d);
    doc_puts(d, s);
}

void doc_code_block(struct doc *d, const char *lang, const char *text)
{
    brk(d, false);
    d->ops->code_block(d, lang, text);
}

void doc_puts(struct doc *d, const char *s)
{
    brk(d, true);
    rp_puts(&d->o, s);
}

void doc_printf(struct doc *d, const char *fmt, ...)
{
    brk(d, true);
    if (d->o.err) return;
    va_list ap;
    va_start(ap, fmt);
    int r = buf_vprintf(&d->o.b, fmt, ap);
    va_end(ap);
    if (r < 0) d->o.err = r;
}

void doc_para(struct doc *d, const char *s)
{
    doc_p_open(d, NULL);
    doc_puts(d, s);
    doc_p_close(d);
}

size_t doc_backtick_run(const char *s)
{
    size_t longest = 0, cur = 0;
    for (; s && *s; s++) {
        cur = *s == '`' ? cur + 1 : 0;
        if (cur > longest) longest = cur;
    }
    return longest;
}

void doc_lines(struct rp_out *o, const char *text, void (*esc)(struct rp_out *, const char *))
{
    const char *p = text;
    while (p && *p) {
        size_t n = strcspn(p, "\n");
        char *line = strndup(p, n);
        if (!line) {
            o->err = o->err ? o->err : -ENOMEM;
            return;
        }
        esc(o, line);
        rp_puts(o, "\n");
        free(line);
        p += n;
        if (*p) p++;
    }
}
