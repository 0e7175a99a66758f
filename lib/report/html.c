/* SPDX-License-Identifier: MIT */
/* The postmortem as one self-contained HTML page (inline CSS and SVG). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report/model.h"
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

static void h_time(struct rp_out *o, ts_time_t t)
{
    char b[48];
    rp_puts(o, rp_fmt_time(t, b, sizeof b));
}

static void h_time_z(struct rp_out *o, const struct rp_time *t)
{
    h_time(o, t->t);
    if (t->t == TS_TIME_NONE) return;
    if (!t->has_zone) {
        rp_puts(o, " <span class=\"pill\">no zone in the source: UTC assumed</span>");
    } else if (t->off_min) {
        char b[48], z[16];
        ts_format(t->t + (int64_t)t->off_min * 60 * TS_NSEC_PER_SEC, 0, b, sizeof b);
        b[19] = '\0';
        rp_printf(o, " <span class=\"pill\">%s%s in the source</span>", b + 11,
                  rp_fmt_zone(t->off_min, z, sizeof z));
    }
}

static void h_code(struct rp_out *o, const char *s)
{
    rp_puts(o, "<code>");
    rp_html(o, s);
    rp_puts(o, "</code>");
}

static void section(struct rp_out *o, const char *id, const char *title)
{
    rp_printf(o, "</section>\n<section id=\"%s\">\n<h2>%s</h2>\n", id, title);
}

static void h_summary(struct rp_out *o, const struct rp_model *m)
{
    char d[32];
    rp_puts(o, "<section id=\"summary\">\n<h2>Summary</h2>\n<p>");
    if (!m->n_hyps) {
        rp_puts(o, "The diagnosis ranked no hypothesis: the evidence below is all there is. ");
    }
    if (m->start != TS_TIME_NONE) {
        rp_puts(o, "From ");
        h_time(o, m->start);
        rp_puts(o, " to ");
        h_time(o, m->end);
        rp_printf(o, " (%s), ", rp_fmt_dur(m->end - m->start, d, sizeof d));
        size_t shown = 0;
        for (size_t i = 0; i < m->n_services; i++) {
            if (m->services[i].first.t == TS_TIME_NONE) continue;
            rp_puts(o, shown ? ", " : "");
            rp_html(o, m->services[i].name);
            shown++;
        }
        rp_puts(o, shown ? " showed errors." : "the evidence shows anomalies.");
    } else {
        rp_puts(o, "The evidence carries no timestamps, so the incident window is unknown.");
    }
    rp_puts(o, "</p>\n");
    if (m->n_hyps) {
        const struct rp_hyp *h = &m->hyps[0];
        rp_puts(o, "<p>The most likely cause (");
        rp_html(o, h->confidence);
        rp_printf(o, " confidence, score %.2f) is <strong>", h->score);
        rp_html(o, h->category);
        rp_puts(o, "</strong>: ");
        rp_html(o, h->title);
        rp_puts(o, ", on ");
        rp_html(o, h->subject);
        rp_puts(o, ".");
        if (h->n_chain) {
            rp_puts(o, " In short: ");
            for (size_t i = 0; i < h->n_chain; i++) {
                if (i) rp_puts(o, " → ");
                rp_html(o, h->chain[i]);
            }
            rp_puts(o, ".");
        }
        rp_puts(o, "</p>\n");
    }
    rp_puts(o, "<div class=\"cards\">");
    if (m->start != TS_TIME_NONE)
        rp_printf(o, "<div class=\"card\"><b>%s</b><span>duration</span></div>",
                  rp_fmt_dur(m->end - m->start, d, sizeof d));
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
                      rp_fmt_dur(m->start - m->gaps[g].fires, d, sizeof d), m->gaps[g].name);
            break;
        }
    rp_puts(o, "</div>\n");
}

static void h_impact(struct rp_out *o, const struct rp_model *m)
{
    char d[32];
    section(o, "impact", "Impact and duration");
    rp_puts(o, "<ul><li>Start (first anomaly): ");
    h_time(o, m->start);
    rp_puts(o, "</li><li>End (last event in the evidence): ");
    h_time(o, m->end);
    rp_puts(o, "</li>");
    if (m->start != TS_TIME_NONE)
        rp_printf(o, "<li>Duration: %s</li>", rp_fmt_dur(m->end - m->start, d, sizeof d));
    if (m->n_hyps && m->hyps[0].n_blast) {
        rp_puts(o, "<li>Blast radius: ");
        for (size_t i = 0; i < m->hyps[0].n_blast; i++) {
            if (i) rp_puts(o, ", ");
            rp_html(o, m->hyps[0].blast[i]);
        }
        rp_puts(o, "</li>");
    }
    rp_puts(o, "</ul>\n");
    if (!m->n_spans) return;
    rp_puts(o, "<p>Per source, first to last event:</p>\n"
               "<div class=\"scroll\"><table><thead><tr><th>Source</th><th>First (UTC)</th>"
               "<th>Last (UTC)</th><th>Span</th><th>Events</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < m->n_spans; i++) {
        const struct rp_source_span *s = &m->spans[i];
        rp_puts(o, "<tr><td class=\"src\">");
        h_code(o, s->source);
        rp_puts(o, "</td><td class=\"t\">");
        h_time(o, s->first);
        rp_puts(o, "</td><td class=\"t\">");
        h_time(o, s->last);
        rp_printf(o, "</td><td class=\"t\">%s</td><td class=\"n\">%zu</td></tr>\n",
                  rp_fmt_dur(s->last - s->first, d, sizeof d), s->events);
    }
    rp_puts(o, "</tbody></table></div>\n");
}

static void h_services(struct rp_out *o, const struct rp_model *m)
{
    section(o, "services", "Affected services");
    if (!m->n_services) {
        rp_puts(o, "<p>The diagnosis names no service.</p>\n");
        return;
    }
    rp_puts(o, "<div class=\"scroll\"><table><thead><tr><th>Service</th><th>First anomaly "
               "(UTC)</th><th>Errors</th><th>In the blast radius</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < m->n_services; i++) {
        const struct rp_service *s = &m->services[i];
        bool blast = false;
        for (size_t k = 0; m->n_hyps && k < m->hyps[0].n_blast; k++)
            if (streq(m->hyps[0].blast[k], s->name)) blast = true;
        rp_puts(o, "<tr><td>");
        rp_html(o, s->name);
        rp_puts(o, "</td><td class=\"t\">");
        if (s->first.t == TS_TIME_NONE)
            rp_puts(o, "none seen");
        else
            h_time_z(o, &s->first);
        rp_printf(o, "</td><td class=\"n\">%lld</td><td>%s</td></tr>\n", s->errors,
                  blast ? "yes" : "no");
    }
    rp_puts(o, "</tbody></table></div>\n");
}

static void h_timeline(struct rp_out *o, const struct rp_model *m)
{
    section(o, "timeline", "Timeline");
    rp_puts(o, "<p>All times are UTC.");
    if (m->n_zones) {
        char z[16];
        rp_puts(o, " Converted from the zones the sources used:");
        for (size_t i = 0; i < m->n_zones; i++)
            rp_printf(o, "%s UTC%s", i ? "," : "", rp_fmt_zone(m->zones[i], z, sizeof z));
        rp_puts(o, " (the original local time is shown next to each converted entry).");
    }
    if (m->assumed_utc) rp_puts(o, " Some times carried no zone and were taken as UTC.");
    rp_puts(o, "</p>\n");
    if (m->n_events || m->n_fs) {
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
                if (streq(ek, legend[k].kind) || (!known && streq(legend[k].kind, "note")))
                    seen = true;
                if (m->events[i].derived) derived = true;
            }
            if (seen)
                rp_printf(o, "<i style=\"background:%s\"></i>%s", legend[k].colour,
                          legend[k].label);
        }
        if (derived)
            rp_puts(o, ". Hollow marks: added by tshoot (dashed lines: alerts that would have "
                       "fired but did not exist; milestones read from the fill samples).");
        rp_puts(o, "</figcaption></figure>\n");
    }
    if (m->n_events) {
        rp_puts(o, "<div class=\"scroll\"><table><thead><tr><th>Time (UTC)</th><th>Source</th>"
                   "<th>Kind</th><th>Event</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < m->n_events; i++) {
            const struct rp_event *e = &m->events[i];
            rp_puts(o,
                    e->derived ? "<tr class=\"derived\"><td class=\"t\">" : "<tr><td class=\"t\">");
            h_time_z(o, &e->when);
            rp_puts(o, "</td><td class=\"src\">");
            h_code(o, e->source);
            rp_puts(o, "</td><td>");
            rp_html(o, e->kind);
            rp_puts(o, "</td><td>");
            rp_html(o, e->text);
            rp_puts(o, "</td></tr>\n");
        }
        rp_puts(o, "</tbody></table></div>\n");
        if (m->n_events_total > RP_MAX_EVENTS)
            rp_printf(o, "<p>%zu more timeline entries are not shown.</p>\n",
                      m->n_events_total - RP_MAX_EVENTS);
    } else {
        rp_puts(o, "<p>No event in the evidence carries a timestamp.</p>\n");
    }
    if (m->n_untimed) {
        rp_puts(o, "<p>Untimed sources (no timestamps, not on the timeline):</p><ul>");
        for (size_t i = 0; i < m->n_untimed; i++) {
            rp_puts(o, "<li>");
            h_code(o, m->untimed[i]);
            rp_puts(o, "</li>");
        }
        rp_puts(o, "</ul>\n");
    }
}

static void h_chain(struct rp_out *o, const struct rp_model *m)
{
    section(o, "chain", "Root-cause chain");
    if (!m->n_hyps || !m->hyps[0].n_chain) {
        rp_puts(o, "<p>The diagnosis gives no causal chain.</p>\n");
        return;
    }
    rp_puts(o, "<figure>");
    rp_svg_chain(o, &m->hyps[0]);
    rp_puts(o, "</figure>\n");
}

static void h_evidence_item(struct rp_out *o, const struct rp_evidence *e)
{
    rp_puts(o, "<li>");
    h_code(o, e->ref);
    rp_puts(o, " (");
    rp_html(o, e->kind);
    if (e->when.t != TS_TIME_NONE) {
        rp_puts(o, ", ");
        h_time(o, e->when.t);
    }
    if (e->count > 1) rp_printf(o, ", %lld times", e->count);
    rp_puts(o, "): ");
    h_code(o, e->text);
    rp_puts(o, "</li>\n");
}

static void h_hypotheses(struct rp_out *o, const struct rp_model *m)
{
    section(o, "hypotheses", "Ranked hypotheses");
    if (!m->n_hyps) {
        rp_puts(o, "<p>No hypothesis was ranked.</p>\n");
        return;
    }
    rp_puts(o, "<div class=\"scroll\"><table><thead><tr><th>Rank</th><th>Hypothesis</th>"
               "<th>Category</th><th>Score</th><th>Confidence</th><th>Subject</th></tr></thead>"
               "<tbody>\n");
    for (size_t i = 0; i < m->n_hyps; i++) {
        const struct rp_hyp *h = &m->hyps[i];
        rp_printf(o, "<tr><td class=\"n\">%zu</td><td>", i + 1);
        rp_html(o, h->title);
        rp_puts(o, "</td><td>");
        rp_html(o, h->category);
        rp_printf(o, "</td><td class=\"n\">%.2f</td><td>", h->score);
        rp_html(o, h->confidence);
        rp_puts(o, "</td><td>");
        rp_html(o, h->subject);
        rp_puts(o, "</td></tr>\n");
    }
    rp_puts(o, "</tbody></table></div>\n");
    if (m->n_hyps_total > m->n_hyps)
        rp_printf(o, "<p>%zu lower-ranked hypotheses are not shown.</p>\n",
                  m->n_hyps_total - m->n_hyps);
    const struct rp_hyp *w = &m->hyps[0];
    rp_puts(o, "<h3>What confirmed the leading hypothesis</h3>\n<ul>");
    for (size_t i = 0; i < w->n_ev; i++) h_evidence_item(o, &w->ev[i]);
    if (!w->n_ev) rp_puts(o, "<li>No evidence item was attached.</li>");
    if (w->n_ev_total > w->n_ev) rp_printf(o, "<li>and %zu more</li>", w->n_ev_total - w->n_ev);
    rp_puts(o, "</ul>\n");
    if (w->n_arithmetic) {
        rp_puts(o, "<p>The arithmetic:</p><ul>");
        for (size_t i = 0; i < w->n_arithmetic; i++) {
            rp_puts(o, "<li>");
            rp_html(o, w->arithmetic[i]);
            rp_puts(o, "</li>");
        }
        rp_puts(o, "</ul>\n");
    }
    if (w->n_against) {
        rp_puts(o, "<p>Evidence against it, weighed and outweighed:</p><ul>");
        for (size_t i = 0; i < w->n_against; i++) h_evidence_item(o, &w->against[i]);
        rp_puts(o, "</ul>\n");
    }
    if (m->n_hyps < 2) return;
    rp_puts(o, "<h3>What ruled the others out</h3>\n<ul>");
    for (size_t k = 1; k < m->n_hyps; k++) {
        const struct rp_hyp *h = &m->hyps[k];
        rp_printf(o, "<li>Rank %zu, <strong>", k + 1);
        rp_html(o, h->title);
        rp_printf(o, "</strong> (score %.2f against %.2f)", h->score, w->score);
        if (!h->n_against) {
            rp_puts(o, ": nothing contradicts it directly; its supporting evidence is "
                       "weaker.</li>\n");
            continue;
        }
        rp_puts(o, ":<ul>");
        for (size_t i = 0; i < h->n_against; i++) h_evidence_item(o, &h->against[i]);
        rp_puts(o, "</ul></li>\n");
    }
    rp_puts(o, "</ul>\n");
}

static void h_gaps(struct rp_out *o, const struct rp_model *m)
{
    char d[32];
    section(o, "gaps", "Detection gaps");
    if (m->first_alert != TS_TIME_NONE) {
        rp_puts(o, "<p>The first alert in the evidence: ");
        rp_html(o, m->first_alert_text);
        rp_puts(o, " at ");
        h_time(o, m->first_alert);
        if (m->start != TS_TIME_NONE && m->first_alert >= m->start)
            rp_printf(o, ", %s after the first error",
                      rp_fmt_dur(m->first_alert - m->start, d, sizeof d));
        rp_puts(o, ".</p>\n");
    } else {
        rp_puts(o, "<p>No alert firing was found in the evidence.</p>\n");
    }
    if (!m->n_gaps || !m->gaps[0].subject) {
        rp_puts(o, "<p>No filesystem fill data (milestones, snapshots or metrics) was in the "
                   "evidence, so the built-in alert conditions could not be evaluated.</p>\n");
        return;
    }
    rp_puts(o, "<p>The built-in alert conditions, evaluated over the filesystem milestones, "
               "snapshots and metrics of ");
    h_code(o, m->gaps[0].subject);
    rp_puts(o, ":</p>\n<div class=\"scroll\"><table><thead><tr><th>Alert</th><th>Condition</th>"
               "<th>Would have fired (UTC)</th><th>Lead time before the first error</th>"
               "<th>Basis</th><th>Existed</th></tr></thead><tbody>\n");
    for (size_t g = 0; g < m->n_gaps; g++) {
        const struct rp_gap *gap = &m->gaps[g];
        rp_printf(o, "<tr><td>%s</td><td>", gap->name);
        rp_html(o, gap->cond);
        rp_puts(o, "</td><td class=\"t\">");
        if (gap->fires == TS_TIME_NONE)
            rp_puts(o, "would not have fired");
        else
            h_time(o, gap->fires);
        rp_puts(o, "</td><td>");
        if (gap->fires != TS_TIME_NONE && m->start != TS_TIME_NONE && gap->fires <= m->start)
            rp_puts(o, rp_fmt_dur(m->start - gap->fires, d, sizeof d));
        else if (gap->fires != TS_TIME_NONE)
            rp_puts(o, "none (after the first error)");
        else
            rp_puts(o, "-");
        rp_puts(o, "</td><td>");
        rp_html(o, gap->basis ? gap->basis : "-");
        rp_printf(o, "</td><td>%s</td></tr>\n",
                  gap->existed ? "<span class=\"yes\">yes (fired in the evidence)</span>"
                               : "<span class=\"no\">no</span>");
    }
    rp_puts(o, "</tbody></table></div>\n");
}

static void h_factors(struct rp_out *o, const struct rp_model *m)
{
    section(o, "factors", "Contributing factors");
    if (!m->n_factors) {
        rp_puts(o, "<p>No contributing factor could be derived from the evidence.</p>\n");
        return;
    }
    rp_puts(o, "<ul>");
    for (size_t i = 0; i < m->n_factors; i++) {
        rp_puts(o, "<li>");
        rp_html(o, m->factors[i]);
        rp_puts(o, "</li>");
    }
    rp_puts(o, "</ul>\n");
}

static void h_actions(struct rp_out *o, const struct rp_model *m)
{
    section(o, "actions", "Action items");
    if (!m->n_actions) {
        rp_puts(o, "<p>The knowledge base proposed no action for these hypotheses.</p>\n");
        return;
    }
    rp_puts(o, "<p>P0 stops the impact, P1 removes the cause, P2 shortens the next diagnosis, "
               "P3 hardens the rest.</p>\n<div class=\"scroll\"><table><thead><tr><th>Priority"
               "</th><th>Action</th><th>From</th><th>Owner</th></tr></thead><tbody>\n");
    for (size_t i = 0; i < m->n_actions; i++) {
        const char *p = rp_prio_name(m->actions[i].prio);
        rp_printf(o, "<tr><td><span class=\"pill p%d\">%s</span></td><td>", m->actions[i].prio, p);
        rp_html(o, m->actions[i].what);
        rp_puts(o, "</td><td>");
        rp_html(o, m->actions[i].from);
        rp_puts(o, "</td><td>to assign</td></tr>\n");
    }
    rp_puts(o, "</tbody></table></div>\n");
}

static void h_rules(struct rp_out *o, const struct rp_model *m)
{
    section(o, "rules", "Alert rules");
    if (m->rules_yaml) {
        rp_puts(o, "<p>The generated rules file (<code>tshoot rules alerts</code>), attached:</p>"
                   "<pre>");
        /* keep newlines: escape line by line */
        const char *p = m->rules_yaml;
        while (*p) {
            size_t n = strcspn(p, "\n");
            char *line = strndup(p, n);
            if (!line) {
                o->err = -ENOMEM;
                return;
            }
            rp_html(o, line);
            rp_puts(o, "\n");
            free(line);
            p += n;
            if (*p) p++;
        }
        rp_puts(o, "</pre>\n");
    }
    if (!m->n_rules) {
        if (!m->rules_yaml) rp_puts(o, "<p>The hypotheses carry no prevention rule.</p>\n");
        return;
    }
    rp_puts(o, "<p>From the hypotheses' prevention entries (Prometheus rules file):</p><pre>"
               "groups:\n  - name: tshoot-postmortem\n    rules:\n");
    for (size_t i = 0; i < m->n_rules; i++) {
        const struct rp_rule *r = &m->rules[i];
        struct rp_out y = { .b = BUF_INIT(1 << 16) };
        rp_puts(&y, "      - alert: ");
        rp_yaml_str(&y, r->alert);
        rp_puts(&y, "\n        expr: ");
        rp_yaml_str(&y, r->expr);
        if (*r->for_) {
            rp_puts(&y, "\n        for: ");
            rp_yaml_str(&y, r->for_);
        }
        rp_puts(&y, "\n        labels:\n          severity: warning\n        annotations:\n"
                    "          summary: ");
        rp_yaml_str(&y, r->why);
        if (y.err) {
            o->err = o->err ? o->err : y.err;
            buf_release(&y.b);
            return;
        }
        /* escape the YAML for HTML, keeping its line breaks */
        const char *p = buf_str(&y.b);
        while (*p) {
            size_t n = strcspn(p, "\n");
            char *line = strndup(p, n);
            if (!line) {
                buf_release(&y.b);
                o->err = -ENOMEM;
                return;
            }
            rp_html(o, line);
            rp_puts(o, "\n");
            free(line);
            p += n;
            if (*p) p++;
        }
        buf_release(&y.b);
    }
    rp_puts(o, "</pre>\n");
}

static void h_appendix(struct rp_out *o, const struct rp_model *m)
{
    section(o, "appendix", "Evidence appendix");
    rp_puts(o, "<p>Every string below comes from the evidence, with secrets redacted.</p>\n");
    for (size_t k = 0; k < m->n_hyps; k++) {
        const struct rp_hyp *h = &m->hyps[k];
        if (!h->n_ev && !h->n_against) continue;
        rp_printf(o, "<h3>H%zu ", k + 1);
        rp_html(o, h->id);
        rp_puts(o, "</h3>\n<ul>");
        for (size_t i = 0; i < h->n_ev; i++) {
            rp_printf(o, "<li>E%zu.%zu for: ", k + 1, i + 1);
            h_code(o, h->ev[i].ref);
            rp_printf(o, " weight %.2f: ", h->ev[i].weight);
            h_code(o, h->ev[i].text);
            rp_puts(o, "</li>\n");
        }
        for (size_t i = 0; i < h->n_against; i++) {
            rp_printf(o, "<li>A%zu.%zu against: ", k + 1, i + 1);
            h_code(o, h->against[i].ref);
            rp_printf(o, " weight %.2f: ", h->against[i].weight);
            h_code(o, h->against[i].text);
            rp_puts(o, "</li>\n");
        }
        if (h->n_checks) {
            rp_puts(o, "<li>next checks:<ul>");
            for (size_t i = 0; i < h->n_checks; i++) {
                rp_puts(o, "<li>");
                h_code(o, h->checks[i].cmd);
                rp_puts(o, ": ");
                rp_html(o, h->checks[i].why);
                rp_puts(o, "</li>");
            }
            rp_puts(o, "</ul></li>");
        }
        rp_puts(o, "</ul>\n");
    }
    rp_puts(o, "<h3>Inputs</h3>\n");
    if (m->bundle) {
        rp_puts(o, "<p>Bundle: ");
        h_code(o, m->bundle);
        rp_puts(o, "</p>\n");
    }
    if (m->n_sources) {
        rp_puts(o, "<div class=\"scroll\"><table><thead><tr><th>Source</th><th>Kind</th>"
                   "<th>Lines</th><th>Timed</th></tr></thead><tbody>\n");
        for (size_t i = 0; i < m->n_sources; i++) {
            rp_puts(o, "<tr><td>");
            h_code(o, m->sources[i].path);
            rp_puts(o, "</td><td>");
            rp_html(o, m->sources[i].kind);
            rp_printf(o, "</td><td class=\"n\">%lld</td><td>%s</td></tr>\n", m->sources[i].lines,
                      m->sources[i].timed ? "yes" : "no");
        }
        rp_puts(o, "</tbody></table></div>\n");
    }
    if (m->n_unreadable) {
        rp_puts(o, "<p>Could not be read:</p><ul>");
        for (size_t i = 0; i < m->n_unreadable; i++) {
            rp_puts(o, "<li>");
            h_code(o, m->unreadable[i]);
            rp_puts(o, "</li>");
        }
        rp_puts(o, "</ul>\n");
    }
}

int report_html(json_t *diagnosis, char **ret)
{
    _cleanup_(rp_model_freep) struct rp_model *m = NULL;
    int r = rp_model_build(diagnosis, &m);
    if (r < 0) return r;
    struct rp_out o = { .b = BUF_INIT(REPORT_MAX_BYTES) };
    rp_printf(&o,
              "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
              "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
              "<meta http-equiv=\"Content-Security-Policy\" content=\"%s\">\n"
              "<meta name=\"generator\" content=\"tshoot %s\">\n<title>Postmortem: ",
              csp, TSHOOT_VERSION);
    rp_html(&o, m->n_hyps ? m->hyps[0].title : "incident");
    rp_printf(&o,
              " (draft)</title>\n<style>\n%s</style>\n</head>\n<body>\n<main>\n<header>\n"
              "<h1>Postmortem: ",
              css);
    rp_html(&o, m->n_hyps ? m->hyps[0].title : "incident");
    rp_puts(&o, " (draft)</h1>\n<p class=\"meta\">Draft written by tshoot from the evidence");
    if (m->generated_at) {
        rp_puts(&o, " (diagnosis of ");
        rp_html(&o, m->generated_at);
        rp_puts(&o, ")");
    }
    rp_puts(&o, ". Blameless by design: it describes systems, signals and safeguards; review the "
                "judgement calls before sharing.</p>\n"
                "<nav><a href=\"#summary\">Summary</a><a href=\"#impact\">Impact</a>"
                "<a href=\"#services\">Services</a><a href=\"#timeline\">Timeline</a>"
                "<a href=\"#chain\">Root cause</a><a href=\"#hypotheses\">Hypotheses</a>"
                "<a href=\"#gaps\">Detection gaps</a><a href=\"#factors\">Factors</a>"
                "<a href=\"#actions\">Actions</a><a href=\"#rules\">Alert rules</a>"
                "<a href=\"#appendix\">Evidence</a></nav>\n</header>\n");
    h_summary(&o, m);
    h_impact(&o, m);
    h_services(&o, m);
    h_timeline(&o, m);
    h_chain(&o, m);
    h_hypotheses(&o, m);
    h_gaps(&o, m);
    h_factors(&o, m);
    h_actions(&o, m);
    h_rules(&o, m);
    h_appendix(&o, m);
    rp_puts(&o, "</section>\n</main>\n</body>\n</html>\n");
    return rp_finish(&o, ret);
}
