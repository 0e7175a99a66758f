/* SPDX-License-Identifier: MIT */
/* The postmortem as Markdown (CommonMark + GFM tables + a Mermaid diagram):
 * the Markdown document writer (doc.h); render.c writes the sections. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report/doc.h"
#include "report/report.h"

static void md_begin(struct doc *d, const char *title)
{
    rp_puts(&d->o, "# Postmortem: ");
    rp_md(&d->o, title);
    rp_puts(&d->o, " (draft)\n\n");
}

static void md_header_end(struct doc *d)
{
    (void)d;
}

static void md_end(struct doc *d)
{
    struct rp_out *o = &d->o;
    /* one trailing newline, no blank line at the end (MD012/MD047) */
    while (!o->err && o->b.len >= 2 && o->b.data[o->b.len - 1] == '\n' &&
           o->b.data[o->b.len - 2] == '\n')
        o->b.data[--o->b.len] = '\0';
}

static void md_section(struct doc *d, const char *id, const char *title)
{
    (void)id;
    rp_printf(&d->o, "## %s\n\n", title);
}

static void md_h3_open(struct doc *d)
{
    rp_puts(&d->o, "### ");
}

static void md_blank(struct doc *d)
{
    rp_puts(&d->o, "\n\n");
}

static void md_p_open(struct doc *d, const char *cls)
{
    (void)d, (void)cls;
}

static void md_text(struct doc *d, const char *s)
{
    rp_md(&d->o, s);
}

/* Code spans in a table cell also escape '|'. */
static void md_code(struct doc *d, const char *s)
{
    rp_md_code(&d->o, s, d->cols != NULL);
}

static void md_strong(struct doc *d)
{
    rp_puts(&d->o, "**");
}

static void md_aside(struct doc *d, const char *s)
{
    rp_printf(&d->o, " (%s)", s);
}

static void md_tag(struct doc *d, const char *cls, const char *s)
{
    (void)cls;
    rp_puts(&d->o, s);
}

/* A nested list starts on the line after its item's text. */
static void md_list_open(struct doc *d)
{
    if (d->depth > 1) rp_puts(&d->o, "\n");
}

static void md_list_close(struct doc *d)
{
    if (d->depth == 1) rp_puts(&d->o, "\n");
}

static void md_item_open(struct doc *d)
{
    for (size_t i = 1; i < d->depth; i++) rp_puts(&d->o, "  ");
    rp_puts(&d->o, "- ");
}

/* An item that held a list has ended its line already. */
static void md_item_close(struct doc *d, bool nl)
{
    (void)nl;
    if (!d->nested[d->depth]) rp_puts(&d->o, "\n");
}

static void md_table_open(struct doc *d)
{
    for (size_t i = 0; i < d->n_cols; i++) rp_printf(&d->o, "| %s ", d->cols[i].title);
    rp_puts(&d->o, "|\n");
    for (size_t i = 0; i < d->n_cols; i++)
        rp_puts(&d->o, d->cols[i].cls && streq(d->cols[i].cls, "n") ? "| ---: " : "| --- ");
    rp_puts(&d->o, "|\n");
}

static void md_table_close(struct doc *d)
{
    rp_puts(&d->o, "\n");
}

static void md_row_open(struct doc *d, const char *cls)
{
    (void)d, (void)cls;
}

static void md_row_close(struct doc *d)
{
    rp_puts(&d->o, " |\n");
}

static void md_cell_open(struct doc *d)
{
    rp_puts(&d->o, d->col ? " | " : "| ");
}

static void md_nothing(struct doc *d)
{
    (void)d;
}

/* Fenced by a longer backtick run than the text holds (three at least), so
 * nothing inside can close it. */
static void md_code_block(struct doc *d, const char *lang, const char *text)
{
    struct rp_out *o = &d->o;
    size_t n = TS_MAX(doc_backtick_run(text) + 1, 3);
    for (size_t i = 0; i < n; i++) rp_puts(o, "`");
    rp_printf(o, "%s\n", lang);
    rp_puts(o, text);
    if (*text && text[strlen(text) - 1] != '\n') rp_puts(o, "\n");
    for (size_t i = 0; i < n; i++) rp_puts(o, "`");
    rp_puts(o, "\n\n");
}

static void md_no_figure(struct doc *d, const struct rp_model *m)
{
    (void)d, (void)m;
}

/* A Mermaid flowchart, then a numbered list for renderers without Mermaid. */
static void md_chain_figure(struct doc *d, const struct rp_hyp *h)
{
    struct rp_out *o = &d->o;
    rp_puts(o, "```mermaid\nflowchart TD\n");
    for (size_t i = 0; i < h->n_chain; i++) {
        rp_printf(o, "    c%zu[\"", i);
        rp_mermaid(o, h->chain[i]);
        rp_puts(o, "\"]\n");
    }
    for (size_t i = 0; i + 1 < h->n_chain; i++) rp_printf(o, "    c%zu --> c%zu\n", i, i + 1);
    rp_puts(o, "```\n\n");
    for (size_t i = 0; i < h->n_chain; i++) {
        rp_printf(o, "%zu. ", i + 1);
        rp_md(o, h->chain[i]);
        rp_puts(o, "\n");
    }
    rp_puts(o, "\n");
}

static const struct doc_ops md_ops = {
    .begin = md_begin,
    .header_end = md_header_end,
    .end = md_end,
    .section = md_section,
    .h3_open = md_h3_open,
    .h3_close = md_blank,
    .p_open = md_p_open,
    .p_close = md_blank,
    .text = md_text,
    .code = md_code,
    .strong_open = md_strong,
    .strong_close = md_strong,
    .aside = md_aside,
    .tag = md_tag,
    .list_open = md_list_open,
    .list_close = md_list_close,
    .item_open = md_item_open,
    .item_close = md_item_close,
    .table_open = md_table_open,
    .table_close = md_table_close,
    .row_open = md_row_open,
    .row_close = md_row_close,
    .cell_open = md_cell_open,
    .cell_close = md_nothing,
    .code_block = md_code_block,
    .cards = md_no_figure,
    .timeline_figure = md_no_figure,
    .chain_figure = md_chain_figure,
};

int report_markdown(json_t *diagnosis, char **ret)
{
    return rp_render(diagnosis, &md_ops, ret);
}
