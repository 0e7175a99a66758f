/* SPDX-License-Identifier: MIT */
/* The postmortem as one self-contained HTML page (inline CSS and SVG): the
 * HTML document writer (doc.h), the page's head, style and figures;
 * render.c writes the sections. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report/doc.h"
#include "report/report.h"

/* No script may run and nothing may load: even if escaping failed, the
 * browser would refuse an injected <script> or a remote image. */
static const char csp[] =
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; "
    "form-action 'none'";

static const char css[] =
    ":root{--fg:#1d232b;--mut:#5b6570;--bg:#fff;--line:#d8dde3;--soft:#f4f6f8;"
    "--red:#c62828;--amber:#d98c00;--orange:#e65100;--blue:#1565c0;--green:#2e7d32;"
    "--purple:#6a1b9a}\n"
    "*{box-sizing:border-box}\n"
    "body{margin:0;font:15px/1.5 system-ui,-apple-system,'Segoe UI',Roboto,'DejaVu Sans',"
    "sans-serif;color:var(--fg);background:var(--bg)}\n"
    "main{max-width:1180px;margin:0 auto;padding:20px 24px 60px}\n"
    "h1{font-size:1.6em;line-height:1.25;margin:.2em 0 .3em}\n"
    "h2{font-size:1.25em;margin:1.8em 0 .6em;padding-bottom:.2em;border-bottom:1px solid "
    "var(--line)}\n"
    "h3{font-size:1.05em;margin:1.3em 0 .4em}\n"
    ".meta{color:var(--mut);margin:0 0 1em}\n"
    "nav{font-size:.9em;background:var(--soft);border-radius:6px;padding:8px 12px}\n"
    "nav "
    "a{display:inline-block;margin-right:12px;white-space:nowrap;color:var(--blue);text-decoration:"
    "none}\n"
    ".cards{display:flex;flex-wrap:wrap;gap:12px;margin:12px 0}\n"
    ".card{flex:1 1 160px;background:var(--soft);border-radius:8px;padding:10px 14px}\n"
    ".card b{display:block;font-size:1.3em}\n"
    ".card span{color:var(--mut);font-size:.85em}\n"
    ".scroll{overflow-x:auto;-webkit-overflow-scrolling:touch}\n"
    "table{border-collapse:collapse;width:100%;font-size:.9em;margin:.4em 0 1em}\n"
    "th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top}\n"
    "th{background:var(--soft)}\n"
    "td.n{text-align:right;font-variant-numeric:tabular-nums}\n"
    "td.t{white-space:nowrap;font-variant-numeric:tabular-nums}\n"
    "tr.derived td{background:#fff8e1}\n"
    "code{font:.88em/1.4 ui-monospace,'DejaVu Sans Mono',monospace;background:var(--soft);"
    "padding:1px 4px;border-radius:3px;overflow-wrap:anywhere}\n"
    "pre{background:var(--soft);padding:10px;border-radius:6px;overflow-x:auto;"
    "font-size:.85em}\n"
    ".pill{display:inline-block;padding:0 7px;border-radius:9px;font-size:.8em;"
    "background:var(--soft);border:1px solid var(--line)}\n"
    ".p0{background:#ffebee;border-color:var(--red)}.p1{background:#fff3e0;"
    "border-color:var(--orange)}\n"
    ".no{color:var(--red);font-weight:600}.yes{color:var(--green)}\n"
    "figure{margin:.5em 0 1em}\n"
    "figure .scroll svg.timeline{min-width:760px}\n"
    "figcaption{color:var(--mut);font-size:.85em}\n"
    "svg{display:block;width:100%;height:auto;font-family:inherit}\n"
    "svg.chain{max-width:520px}\n"
    "svg text{font-size:12px;fill:var(--fg)}\n"
    "svg .tick,svg .sub{font-size:11px;fill:var(--mut)}\n"
    "svg .panel{font-size:12px;font-weight:600}\n"
    "svg .grid{stroke:#eceff2}\n"
    "svg .base,svg .lane-line{stroke:var(--line)}\n"
    "svg .impact{fill:#fdecea}\n"
    "svg .impact-l{fill:var(--red);font-size:11px}\n"
    "svg .thr{stroke-dasharray:5 4;stroke-width:1.2}\n"
    "svg .t80{stroke:var(--amber);fill:var(--amber)}svg .t95{stroke:var(--orange);"
    "fill:var(--orange)}svg .t100{stroke:var(--red);fill:var(--red)}\n"
    "svg text.thr-l{stroke:none;font-size:11px}\n"
    "svg .fill{fill:none;stroke:var(--blue);stroke-width:2}\n"
    "svg .fill-pt{fill:var(--blue)}\n"
    "svg .rate{fill:#ef9a9a;stroke:var(--red);stroke-width:1}\n"
    "svg .rate.avg{fill:#f8d7da;stroke-dasharray:3 2}\n"
    "svg .ev{stroke:#fff;stroke-width:1}\n"
    "svg .k-first_error,svg .k-oom{fill:var(--red)}svg .k-spike{fill:var(--orange)}\n"
    "svg .k-restart{fill:var(--blue)}svg .k-deploy{fill:var(--green)}\n"
    "svg .k-fs_milestone{fill:var(--amber)}svg .k-alert{fill:var(--purple)}\n"
    "svg .k-note{fill:var(--mut)}\n"
    "svg .derived{fill:#fff;stroke:var(--purple);stroke-dasharray:2 1.5;stroke-width:1.4}\n"
    "svg .would{stroke:var(--purple);stroke-dasharray:4 3;stroke-width:1.2}\n"
    "svg .would-l{fill:var(--purple);font-size:10.5px}\n"
    "td.src code{white-space:nowrap}\n"
    "svg .node rect{fill:var(--soft);stroke:var(--mut)}\n"
    "svg .node.cause rect{fill:#fff3e0;stroke:var(--orange)}\n"
    "svg .node.effect rect{fill:#ffebee;stroke:var(--red)}\n"
    "svg .link{stroke:var(--mut);stroke-width:1.5}svg .arrow{fill:var(--mut)}\n"
    ".legend{font-size:.85em;color:var(--mut)}\n"
    ".legend i{display:inline-block;width:10px;height:10px;margin:0 4px 0 10px;"
    "border-radius:2px;vertical-align:-1px}\n"
    "@media (max-width:600px){main{padding:12px 12px 40px}body{font-size:14px}"
    "h1{font-size:1.3em}td,th{padding:3px 5px}}\n"
    "@media print{nav{display:none}main{max-width:none;padding:0}body{font-size:11pt}"
    ".scroll{overflow:visible}figure .scroll svg.timeline{min-width:0}"
    "h2{break-after:avoid}figure,tr,.card{break-inside:avoid}"
    "a{color:inherit;text-decoration:none}pre{white-space:pre-wrap}}\n";

static void h_begin(struct doc *d, const char *title)
{
    struct rp_out *o = &d->o;
    rp_printf(o,
              "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
              "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n"
              "<meta name=\"generator\" content=\"tshoot %s\">\n<title>Postmortem: ",
              csp, TSHOOT_VERSION);
    rp_html(o, title);
    rp_printf(o,
              " (draft)</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<header>\n"
              "<h1>Postmortem: ",
              css);
    rp_html(o, title);
    rp_puts(o, " (draft)</h1>\n");
}

static void h_header_end(struct doc *d)
{
    rp_puts(&d->o, "<nav><a href=\"#summary\">Summary</a><a href=\"#impact\">Impact</a>"
                   "<a href=\"#services\">Services</a><a href=\"#timeline\">Timeline</a>"
                   "<a href=\"#chain\">Root cause</a><a href=\"#hypotheses\">Hypotheses</a>"
                   "<a href=\"#gaps\">Detection gaps</a><a href=\"#factors\">Factors</a>"
                   "<a href=\"#actions\">Actions</a><a href=\"#rules\">Alert rules</a>"
                   "<a href=\"#appendix\">Evidence</a></nav>\n</header>\n");
}

static void h_end(struct doc *d)
{
    rp_puts(&d->o, "</section>\n</main>\n</body>\n</html>\n");
}

static void h_section(struct doc *d, const char *id, const char *title)
{
    rp_printf(&d->o, "%s<section id=\"%s\">\n<h2>%s</h2>\n", d->sections ? "</section>\n" : "", id,
              title);
}

static void h_h3_open(struct doc *d)
{
    rp_puts(&d->o, "<h3>");
}

static void h_h3_close(struct doc *d)
{
    rp_puts(&d->o, "</h3>\n");
}

static void h_p_open(struct doc *d, const char *cls)
{
    if (cls)
        rp_printf(&d->o, "<p class=\"%s\">", cls);
    else
        rp_puts(&d->o, "<p>");
}

/* The line break is left to what follows: "</p><ul>", "</p>\n<table>". */
static void h_p_close(struct doc *d)
{
    rp_puts(&d->o, "</p>");
    d->soft_break = true;
}

static void h_text(struct doc *d, const char *s)
{
    rp_html(&d->o, s);
}

static void h_code(struct doc *d, const char *s)
{
    rp_puts(&d->o, "<code>");
    rp_html(&d->o, s);
    rp_puts(&d->o, "</code>");
}

static void h_strong_open(struct doc *d)
{
    rp_puts(&d->o, "<strong>");
}

static void h_strong_close(struct doc *d)
{
    rp_puts(&d->o, "</strong>");
}

static void h_aside(struct doc *d, const char *s)
{
    rp_printf(&d->o, " <span class=\"pill\">%s</span>", s);
}

static void h_tag(struct doc *d, const char *cls, const char *s)
{
    rp_printf(&d->o, "<span class=\"%s\">%s</span>", cls, s);
}

static void h_list_open(struct doc *d)
{
    rp_puts(&d->o, "<ul>");
}

static void h_list_close(struct doc *d)
{
    rp_puts(&d->o, d->depth > 1 ? "</ul>" : "</ul>\n");
}

static void h_item_open(struct doc *d)
{
    rp_puts(&d->o, "<li>");
}

static void h_item_close(struct doc *d, bool nl)
{
    rp_puts(&d->o, nl ? "</li>\n" : "</li>");
}

static void h_table_open(struct doc *d)
{
    rp_puts(&d->o, "<div class=\"scroll\"><table><thead><tr>");
    for (size_t i = 0; i < d->n_cols; i++) rp_printf(&d->o, "<th>%s</th>", d->cols[i].title);
    rp_puts(&d->o, "</tr></thead><tbody>\n");
}

static void h_table_close(struct doc *d)
{
    rp_puts(&d->o, "</tbody></table></div>\n");
}

static void h_row_open(struct doc *d, const char *cls)
{
    if (cls)
        rp_printf(&d->o, "<tr class=\"%s\">", cls);
    else
        rp_puts(&d->o, "<tr>");
}

static void h_row_close(struct doc *d)
{
    rp_puts(&d->o, "</tr>\n");
}

static void h_cell_open(struct doc *d)
{
    const char *cls = d->col < d->n_cols ? d->cols[d->col].cls : NULL;
    if (cls)
        rp_printf(&d->o, "<td class=\"%s\">", cls);
    else
        rp_puts(&d->o, "<td>");
}

static void h_cell_close(struct doc *d)
{
    rp_puts(&d->o, "</td>");
}

/* Escaped line by line, so the line breaks stay. */
static void h_code_block(struct doc *d, const char *lang, const char *text)
{
    (void)lang;
    rp_puts(&d->o, "<pre>");
    doc_lines(&d->o, text, rp_html);
    rp_puts(&d->o, "</pre>\n");
}

/* Cards: the duration, the services with errors, the leader's score and the
 * warning a missing alert would have given. */
static void h_cards(struct doc *d, const struct rp_model *m)
{
    struct rp_out *o = &d->o;
    char dur[32];
    rp_puts(o, "<div class=\"cards\">");
    if (m->start != TS_TIME_NONE)
        rp_printf(o, "<div class=\"card\"><b>%s</b><span>duration</span></div>",
                  rp_fmt_dur(m->end - m->start, dur, sizeof dur));
    size_t affected = 0;
    for (size_t i = 0; i < m->n_services; i++)
        if (m->services[i].first.t != TS_TIME_NONE) affected++;
    rp_printf(o, "<div class=\"card\"><b>%zu</b><span>services with errors</span></div>", affected);
    if (m->n_hyps)
        rp_printf(o,
                  "<div class=\"card\"><b>%.2f</b><span>score of the leading hypothesis"
                  "</span></div>",
                  m->hyps[0].score);
    for (size_t g = 0; g < m->n_gaps; g++)
        if (m->gaps[g].fires != TS_TIME_NONE && !m->gaps[g].existed && m->start != TS_TIME_NONE &&
            m->gaps[g].fires <= m->start) {
            rp_printf(o,
                      "<div class=\"card\"><b>%s</b><span>warning a %s alert would have "
                      "given</span></div>",
                      rp_fmt_dur(m->start - m->gaps[g].fires, dur, sizeof dur), m->gaps[g].name);
            break;
        }
    rp_puts(o, "</div>\n");
}

/* The timeline figure (svg.c) and its legend: the kinds that occur. */
static void h_timeline_figure(struct doc *d, const struct rp_model *m)
{
    struct rp_out *o = &d->o;
    if (!m->n_events && !m->n_fs) return;
    rp_puts(o, "<figure><div class=\"scroll\">");
    rp_svg_timeline(o, m);
    static const struct {
        const char *kind, *colour, *label;
    } legend[] = {
        { "first_error", "#c62828", "first error" },
        { "spike", "#e65100", "spike" },
        { "oom", "#c62828", "OOM kill" },
        { "restart", "#1565c0", "restart" },
        { "deploy", "#2e7d32", "deploy" },
        { "fs_milestone", "#d98c00", "filesystem milestone" },
        { "alert", "#6a1b9a", "alert" },
        { "note", "#5b6570", "note" },
    };
    rp_puts(o, "</div><figcaption class=\"legend\">Shaded: the impact window.");
    bool derived = false;
    for (size_t k = 0; k < ELEMENTSOF(legend); k++) {
        bool seen = false;
        for (size_t i = 0; i < m->n_events; i++) {
            const char *ek = m->events[i].kind;
            bool known = false;
            for (size_t j = 0; j < ELEMENTSOF(legend); j++)
                if (streq(ek, legend[j].kind)) known = true;
            if (streq(ek, legend[k].kind) || (!known && streq(legend[k].kind, "note"))) seen = true;
            if (m->events[i].derived) derived = true;
        }
        if (seen)
            rp_printf(o, "<i style=\"background:%s\"></i>%s", legend[k].colour, legend[k].label);
    }
    if (derived)
        rp_puts(o, ". Hollow marks: added by tshoot (dashed lines: alerts that would have "
                   "fired but did not exist; milestones read from the fill samples).");
    rp_puts(o, "</figcaption></figure>\n");
}

static void h_chain_figure(struct doc *d, const struct rp_hyp *h)
{
    rp_puts(&d->o, "<figure>");
    rp_svg_chain(&d->o, h);
    rp_puts(&d->o, "</figure>\n");
}

static const struct doc_ops html_ops = {
    .begin = h_begin,
    .header_end = h_header_end,
    .end = h_end,
    .section = h_section,
    .h3_open = h_h3_open,
    .h3_close = h_h3_close,
    .p_open = h_p_open,
    .p_close = h_p_close,
    .text = h_text,
    .code = h_code,
    .strong_open = h_strong_open,
    .strong_close = h_strong_close,
    .aside = h_aside,
    .tag = h_tag,
    .list_open = h_list_open,
    .list_close = h_list_close,
    .item_open = h_item_open,
    .item_close = h_item_close,
    .table_open = h_table_open,
    .table_close = h_table_close,
    .row_open = h_row_open,
    .row_close = h_row_close,
    .cell_open = h_cell_open,
    .cell_close = h_cell_close,
    .code_block = h_code_block,
    .cards = h_cards,
    .timeline_figure = h_timeline_figure,
    .chain_figure = h_chain_figure,
};

int report_html(json_t *diagnosis, char **ret)
{
    return rp_render(diagnosis, &html_ops, ret);
}
