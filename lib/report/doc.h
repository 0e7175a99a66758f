/* SPDX-License-Identifier: MIT */
/*
 * doc.h (internal to lib/report): the document writer the postmortem is
 * written through. render.c walks the model once and says what to write
 * (a section, a paragraph, a list item, a table cell, some text); a writer
 * says how, once for Markdown (markdown.c) and once for HTML (html.c).
 *
 * Safety: doc_text() and doc_code() escape for the output language; every
 * string taken from the model goes through one of them. doc_puts() and
 * doc_printf() write the renderer's own words and numbers verbatim: never
 * pass them a string from the model. The figures (summary cards, timeline,
 * chain) are per format and escape their own strings.
 *
 * Errors are sticky in the rp_out (see model.h): writes after a failure are
 * no-ops, rp_finish() reports it.
 */
#ifndef TSHOOT_REPORT_DOC_H
#define TSHOOT_REPORT_DOC_H

#include <stdbool.h>
#include <stddef.h>

#include "report/model.h"

/* A table column: its header and its kind: NULL, "n" (a number: right
 * aligned), "t" (a time) or "src" (a source path, kept on one line). */
struct doc_col {
    const char *title, *cls;
};

#define DOC_MAX_DEPTH 4 /* list nesting */

struct doc;

/* One output language. Every member is set. */
struct doc_ops {
    /* The document: its start (title: escaped by the writer), the end of
     * its header (after the meta paragraph) and its end. */
    void (*begin)(struct doc *d, const char *title);
    void (*header_end)(struct doc *d);
    void (*end)(struct doc *d);
    void (*section)(struct doc *d, const char *id, const char *title); /* static strings */
    void (*h3_open)(struct doc *d);
    void (*h3_close)(struct doc *d);
    void (*p_open)(struct doc *d, const char *cls); /* cls: NULL or a static class */
    void (*p_close)(struct doc *d);
    void (*text)(struct doc *d, const char *s); /* escaped text */
    void (*code)(struct doc *d, const char *s); /* escaped inline code */
    void (*strong_open)(struct doc *d);
    void (*strong_close)(struct doc *d);
    /* A remark on what precedes it, static text: " (s)" / a pill. */
    void (*aside)(struct doc *d, const char *s);
    /* Static text with a class (styled in HTML, plain in Markdown). */
    void (*tag)(struct doc *d, const char *cls, const char *s);
    void (*list_open)(struct doc *d);
    void (*list_close)(struct doc *d);
    void (*item_open)(struct doc *d);
    void (*item_close)(struct doc *d, bool nl); /* nl: a line break after it in HTML */
    void (*table_open)(struct doc *d);          /* d->cols, d->n_cols are set */
    void (*table_close)(struct doc *d);
    void (*row_open)(struct doc *d, const char *cls); /* cls: NULL or a static class */
    void (*row_close)(struct doc *d);
    void (*cell_open)(struct doc *d); /* d->col is the cell's column */
    void (*cell_close)(struct doc *d);
    /* A block of preformatted text (lines kept), escaped by the writer. */
    void (*code_block)(struct doc *d, const char *lang, const char *text);
    /* Figures: per format, may write nothing. */
    void (*cards)(struct doc *d, const struct rp_model *m);
    void (*timeline_figure)(struct doc *d, const struct rp_model *m);
    void (*chain_figure)(struct doc *d, const struct rp_hyp *h); /* h->n_chain > 0 */
};

struct doc {
    const struct doc_ops *ops;
    struct rp_out o;
    /* A paragraph's end wants a line break unless a list or a code block
     * follows it directly (HTML writes "</p><ul>"); the writer sets it, the
     * next doc_* call writes it or drops it. */
    bool soft_break;
    size_t sections;                /* sections opened so far */
    size_t depth;                   /* list nesting, 0: outside lists */
    bool nested[DOC_MAX_DEPTH + 1]; /* the open item at depth k holds a list */
    const struct doc_col *cols;     /* the open table, NULL outside */
    size_t n_cols, col;
};

/* Build the model from the diagnosis (borrowed) and write the postmortem
 * with ops. On success *ret is the document, owned by the caller. 0,
 * -EINVAL (not a diagnose document), -E2BIG (past REPORT_MAX_BYTES),
 * -ENOMEM. */
int rp_render(json_t *diagnosis, const struct doc_ops *ops, char **ret);

/* What render.c calls: the ops above, with the soft break handled. */
void doc_header_end(struct doc *d);
void doc_end(struct doc *d);
void doc_section(struct doc *d, const char *id, const char *title);
void doc_h3_open(struct doc *d);
void doc_h3_close(struct doc *d);
void doc_p_open(struct doc *d, const char *cls);
void doc_p_close(struct doc *d);
void doc_text(struct doc *d, const char *s);
void doc_code(struct doc *d, const char *s);
void doc_strong(struct doc *d, const char *s); /* escaped text in strong emphasis */
void doc_aside(struct doc *d, const char *s);
void doc_tag(struct doc *d, const char *cls, const char *s);
void doc_list_open(struct doc *d);
void doc_list_close(struct doc *d);
void doc_item_open(struct doc *d);
void doc_item_close(struct doc *d, bool nl);
void doc_table_open(struct doc *d, const struct doc_col *cols, size_t n);
void doc_table_close(struct doc *d);
void doc_row_open(struct doc *d, const char *cls);
void doc_row_close(struct doc *d);
void doc_cell(struct doc *d); /* closes the previous cell of the row, opens the next */
/* A cell holding escaped text, inline code, or the renderer's own words. */
void doc_cell_text(struct doc *d, const char *s);
void doc_cell_code(struct doc *d, const char *s);
void doc_cell_puts(struct doc *d, const char *s);
void doc_code_block(struct doc *d, const char *lang, const char *text);
void doc_cards(struct doc *d, const struct rp_model *m);
void doc_timeline_figure(struct doc *d, const struct rp_model *m);
void doc_chain_figure(struct doc *d, const struct rp_hyp *h);
/* The renderer's own words, verbatim (never a string from the model). */
void doc_puts(struct doc *d, const char *s);
_printf_(2, 3) void doc_printf(struct doc *d, const char *fmt, ...);
/* A paragraph of the renderer's own words. */
void doc_para(struct doc *d, const char *s);

/* Helpers shared by the writers. */
/* The longest run of backticks in s (0 for NULL). */
size_t doc_backtick_run(const char *s);
/* Write text escaped by esc line by line, a '\n' after each line. */
void doc_lines(struct rp_out *o, const char *text, void (*esc)(struct rp_out *, const char *));

#endif
