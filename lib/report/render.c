/* SPDX-License-Identifier: MIT */
/* The postmortem's sections, written once: the model is walked here and
 * written through a document writer (doc.h), Markdown or HTML. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report/doc.h"
#include "report/report.h"

static void r_time(struct doc *d, ts_time_t t)
{
    char b[48];
    doc_puts(d, rp_fmt_time(t, b, sizeof b));
}

/* "2026-04-15 07:05:00 UTC (09:05:00+02:00 in the source)" */
static void r_time_z(struct doc *d, const struct rp_time *t)
{
    r_time(d, t->t);
    if (t->t == TS_TIME_NONE) return;
    if (!t->has_zone) {
        doc_aside(d, "no zone in the source: UTC assumed");
    } else if (t->off_min) {
        char b[48], z[16], a[80];
        ts_format(t->t + (int64_t)t->off_min * 60 * TS_NSEC_PER_SEC, 0, b, sizeof b);
        b[19] = '\0';
        snprintf(a, sizeof a, "%s%s in the source", b + 11, rp_fmt_zone(t->off_min, z, sizeof z));
        doc_aside(d, a);
    }
}

/* A list of model strings (escaped as text, or as code), after an intro
 * paragraph of the renderer's own words (intro may be NULL). */
static void r_list(struct doc *d, const char *intro, char *const *items, size_t n, bool code)
{
    if (intro) doc_para(d, intro);
    doc_list_open(d);
    for (size_t i = 0; i < n; i++) {
        doc_item_open(d);
        if (code)
            doc_code(d, items[i]);
        else
            doc_text(d, items[i]);
        doc_item_close(d, false);
    }
    doc_list_close(d);
}

static void r_summary(struct doc *d, const struct rp_model *m)
{
    char dur[32];
    doc_section(d, "summary", "Summary");
    doc_p_open(d, NULL);
    if (!m->n_hyps)
        doc_puts(d, "The diagnosis ranked no hypothesis: the evidence below is all there is. ");
    if (m->start != TS_TIME_NONE) {
        doc_puts(d, "From ");
        r_time(d, m->start);
        doc_puts(d, " to ");
        r_time(d, m->end);
        doc_printf(d, " (%s), ", rp_fmt_dur(m->end - m->start, dur, sizeof dur));
        size_t shown = 0;
        for (size_t i = 0; i < m->n_services; i++) {
            if (m->services[i].first.t == TS_TIME_NONE) continue;
            doc_puts(d, shown ? ", " : "");
            doc_text(d, m->services[i].name);
            shown++;
        }
        doc_puts(d, shown ? " showed errors." : "the evidence shows anomalies.");
    } else {
        doc_puts(d, "The evidence carries no timestamps, so the incident window is unknown.");
    }
    doc_p_close(d);
    if (m->n_hyps) {
        const struct rp_hyp *h = &m->hyps[0];
        doc_p_open(d, NULL);
        doc_puts(d, "The most likely cause (");
        doc_text(d, h->confidence);
        doc_printf(d, " confidence, score %.2f) is ", h->score);
        doc_strong(d, h->category);
        doc_puts(d, ": ");
        doc_text(d, h->title);
        doc_puts(d, ", on ");
        doc_text(d, h->subject);
        doc_puts(d, ".");
        if (h->n_chain) {
            doc_puts(d, " In short: ");
            for (size_t i = 0; i < h->n_chain; i++) {
                if (i) doc_puts(d, " → ");
                doc_text(d, h->chain[i]);
            }
            doc_puts(d, ".");
        }
        doc_p_close(d);
    }
    doc_cards(d, m);
}

static void r_impact(struct doc *d, const struct rp_model *m)
{
    static const struct doc_col cols[] = {
        { "Source", "src" }, { "First (UTC)", "t" }, { "Last (UTC)", "t" },
        { "Span", "t" },     { "Events", "n" },
    };
    char dur[32];
    doc_section(d, "impact", "Impact and duration");
    doc_list_open(d);
    doc_item_open(d);
    doc_puts(d, "Start (first anomaly): ");
    r_time(d, m->start);
    doc_item_close(d, false);
    doc_item_open(d);
    doc_puts(d, "End (last event in the evidence): ");
    r_time(d, m->end);
    doc_item_close(d, false);
    if (m->start != TS_TIME_NONE) {
        doc_item_open(d);
        doc_printf(d, "Duration: %s", rp_fmt_dur(m->end - m->start, dur, sizeof dur));
        doc_item_close(d, false);
    }
    if (m->n_hyps && m->hyps[0].n_blast) {
        doc_item_open(d);
        doc_puts(d, "Blast radius: ");
        for (size_t i = 0; i < m->hyps[0].n_blast; i++) {
            if (i) doc_puts(d, ", ");
            doc_text(d, m->hyps[0].blast[i]);
        }
        doc_item_close(d, false);
    }
    doc_list_close(d);
    if (!m->n_spans) return;
    doc_para(d, "Per source, first to last event:");
    doc_table_open(d, cols, ELEMENTSOF(cols));
    for (size_t i = 0; i < m->n_spans; i++) {
        const struct rp_source_span *s = &m->spans[i];
        doc_row_open(d, NULL);
        doc_cell_code(d, s->source);
        doc_cell(d);
        r_time(d, s->first);
        doc_cell(d);
        r_time(d, s->last);
        doc_cell_puts(d, rp_fmt_dur(s->last - s->first, dur, sizeof dur));
        doc_cell(d);
        doc_printf(d, "%zu", s->events);
        doc_row_close(d);
    }
    doc_table_close(d);
}

static void r_services(struct doc *d, const struct rp_model *m)
{
    static const struct doc_col cols[] = {
        { "Service", NULL },
        { "First anomaly (UTC)", "t" },
        { "Errors", "n" },
        { "In the blast radius", NULL },
    };
    doc_section(d, "services", "Affected services");
    if (!m->n_services) {
        doc_para(d, "The diagnosis names no service.");
        return;
    }
    doc_table_open(d, cols, ELEMENTSOF(cols));
    for (size_t i = 0; i < m->n_services; i++) {
        const struct rp_service *s = &m->services[i];
        bool blast = false;
        for (size_t k = 0; m->n_hyps && k < m->hyps[0].n_blast; k++)
            if (streq(m->hyps[0].blast[k], s->name)) blast = true;
        doc_row_open(d, NULL);
        doc_cell_text(d, s->name);
        doc_cell(d);
        if (s->first.t == TS_TIME_NONE)
            doc_puts(d, "none seen");
        else
            r_time_z(d, &s->first);
        doc_cell(d);
        doc_printf(d, "%lld", s->errors);
        doc_cell_puts(d, blast ? "yes" : "no");
        doc_row_close(d);
    }
    doc_table_close(d);
}

static void r_timeline(struct doc *d, const struct rp_model *m)
{
    static const struct doc_col cols[] = {
        { "Time (UTC)", "t" },
        { "Source", "src" },
        { "Kind", NULL },
        { "Event", NULL },
    };
    doc_section(d, "timeline", "Timeline");
    doc_p_open(d, NULL);
    doc_puts(d, "All times are UTC.");
    if (m->n_zones) {
        char z[16];
        doc_puts(d, " Converted from the zones the sources used:");
        for (size_t i = 0; i < m->n_zones; i++)
            doc_printf(d, "%s UTC%s", i ? "," : "", rp_fmt_zone(m->zones[i], z, sizeof z));
        doc_puts(d, " (the original local time is shown next to each converted entry).");
    }
    if (m->assumed_utc) doc_puts(d, " Some times carried no zone and were taken as UTC.");
    doc_p_close(d);
    doc_timeline_figure(d, m);
    if (m->n_events) {
        doc_table_open(d, cols, ELEMENTSOF(cols));
        for (size_t i = 0; i < m->n_events; i++) {
            const struct rp_event *e = &m->events[i];
            doc_row_open(d, e->derived ? "derived" : NULL);
            doc_cell(d);
            r_time_z(d, &e->when);
            doc_cell_code(d, e->source);
            doc_cell_text(d, e->kind);
            doc_cell_text(d, e->text);
            doc_row_close(d);
        }
        doc_table_close(d);
        if (m->n_events_total > RP_MAX_EVENTS) {
            doc_p_open(d, NULL);
            doc_printf(d, "%zu more timeline entries are not shown.",
                       m->n_events_total - RP_MAX_EVENTS);
            doc_p_close(d);
        }
    } else {
        doc_para(d, "No event in the evidence carries a timestamp.");
    }
    if (m->n_untimed) {
        r_list(d, "Untimed sources (no timestamps, not on the timeline):", m->untimed, m->n_untimed,
               true);
    }
}

static void r_chain(struct doc *d, const struct rp_model *m)
{
    doc_section(d, "chain", "Root-cause chain");
    if (!m->n_hyps || !m->hyps[0].n_chain) {
        doc_para(d, "The diagnosis gives no causal chain.");
        return;
    }
    doc_chain_figure(d, &m->hyps[0]);
}

static void r_evidence_item(struct doc *d, const struct rp_evidence *e)
{
    doc_item_open(d);
    doc_code(d, e->ref);
    doc_puts(d, " (");
    doc_text(d, e->kind);
    if (e->when.t != TS_TIME_NONE) {
        doc_puts(d, ", ");
        r_time(d, e->when.t);
    }
    if (e->count > 1) doc_printf(d, ", %lld times", e->count);
    doc_puts(d, "): ");
    doc_code(d, e->text);
    doc_item_close(d, true);
}

static void r_h3(struct doc *d, const char *title)
{
    doc_h3_open(d);
    doc_puts(d, title);
    doc_h3_close(d);
}

static void r_hypotheses(struct doc *d, const struct rp_model *m)
{
    static const struct doc_col cols[] = {
        { "Rank", "n" },  { "Hypothesis", NULL }, { "Category", NULL },
        { "Score", "n" }, { "Confidence", NULL }, { "Subject", NULL },
    };
    doc_section(d, "hypotheses", "Ranked hypotheses");
    if (!m->n_hyps) {
        doc_para(d, "No hypothesis was ranked.");
        return;
    }
    doc_table_open(d, cols, ELEMENTSOF(cols));
    for (size_t i = 0; i < m->n_hyps; i++) {
        const struct rp_hyp *h = &m->hyps[i];
        doc_row_open(d, NULL);
        doc_cell(d);
        doc_printf(d, "%zu", i + 1);
        doc_cell_text(d, h->title);
        doc_cell_text(d, h->category);
        doc_cell(d);
        doc_printf(d, "%.2f", h->score);
        doc_cell_text(d, h->confidence);
        doc_cell_text(d, h->subject);
        doc_row_close(d);
    }
    doc_table_close(d);
    if (m->n_hyps_total > m->n_hyps) {
        doc_p_open(d, NULL);
        doc_printf(d, "%zu lower-ranked hypotheses are not shown.", m->n_hyps_total - m->n_hyps);
        doc_p_close(d);
    }
    const struct rp_hyp *w = &m->hyps[0];
    r_h3(d, "What confirmed the leading hypothesis");
    doc_list_open(d);
    for (size_t i = 0; i < w->n_ev; i++) r_evidence_item(d, &w->ev[i]);
    if (!w->n_ev) {
        doc_item_open(d);
        doc_puts(d, "No evidence item was attached.");
        doc_item_close(d, false);
    }
    if (w->n_ev_total > w->n_ev) {
        doc_item_open(d);
        doc_printf(d, "and %zu more", w->n_ev_total - w->n_ev);
        doc_item_close(d, false);
    }
    doc_list_close(d);
    if (w->n_arithmetic) r_list(d, "The arithmetic:", w->arithmetic, w->n_arithmetic, false);
    if (w->n_against) {
        doc_para(d, "Evidence against it, weighed and outweighed:");
        doc_list_open(d);
        for (size_t i = 0; i < w->n_against; i++) r_evidence_item(d, &w->against[i]);
        doc_list_close(d);
    }
    if (m->n_hyps < 2) return;
    r_h3(d, "What ruled the others out");
    doc_list_open(d);
    for (size_t k = 1; k < m->n_hyps; k++) {
        const struct rp_hyp *h = &m->hyps[k];
        doc_item_open(d);
        doc_printf(d, "Rank %zu, ", k + 1);
        doc_strong(d, h->title);
        doc_printf(d, " (score %.2f against %.2f)", h->score, w->score);
        if (!h->n_against) {
            doc_puts(d, ": nothing contradicts it directly; its supporting evidence is weaker.");
        } else {
            doc_puts(d, ":");
            doc_list_open(d);
            for (size_t i = 0; i < h->n_against; i++) r_evidence_item(d, &h->against[i]);
            doc_list_close(d);
        }
        doc_item_close(d, true);
    }
    doc_list_close(d);
}

static void r_gaps(struct doc *d, const struct rp_model *m)
{
    static const struct doc_col cols[] = {
        { "Alert", NULL },
        { "Condition", NULL },
        { "Would have fired (UTC)", "t" },
        { "Lead time before the first error", NULL },
        { "Basis", NULL },
        { "Existed", NULL },
    };
    char dur[32];
    doc_section(d, "gaps", "Detection gaps");
    if (m->first_alert != TS_TIME_NONE) {
        doc_p_open(d, NULL);
        doc_puts(d, "The first alert in the evidence: ");
        doc_text(d, m->first_alert_text);
        doc_puts(d, " at ");
        r_time(d, m->first_alert);
        if (m->start != TS_TIME_NONE && m->first_alert >= m->start)
            doc_printf(d, ", %s after the first error",
                       rp_fmt_dur(m->first_alert - m->start, dur, sizeof dur));
        doc_puts(d, ".");
        doc_p_close(d);
    } else {
        doc_para(d, "No alert firing was found in the evidence.");
    }
    if (!m->n_gaps || !m->gaps[0].subject) {
        doc_para(d, "No filesystem fill data (milestones, snapshots or metrics) was in the "
                    "evidence, so the built-in alert conditions could not be evaluated.");
        return;
    }
    doc_p_open(d, NULL);
    doc_puts(d, "The built-in alert conditions, evaluated over the filesystem milestones, "
                "snapshots and metrics of ");
    doc_code(d, m->gaps[0].subject);
    doc_puts(d, ":");
    doc_p_close(d);
    doc_table_open(d, cols, ELEMENTSOF(cols));
    for (size_t g = 0; g < m->n_gaps; g++) {
        const struct rp_gap *gap = &m->gaps[g];
        doc_row_open(d, NULL);
        doc_cell_puts(d, gap->name); /* static */
        doc_cell_text(d, gap->cond);
        doc_cell(d);
        if (gap->fires == TS_TIME_NONE)
            doc_puts(d, "would not have fired");
        else
            r_time(d, gap->fires);
        doc_cell(d);
        if (gap->fires != TS_TIME_NONE && m->start != TS_TIME_NONE && gap->fires <= m->start)
            doc_puts(d, rp_fmt_dur(m->start - gap->fires, dur, sizeof dur));
        else if (gap->fires != TS_TIME_NONE)
            doc_puts(d, "none (after the first error)");
        else
            doc_puts(d, "-");
        doc_cell_text(d, gap->basis ? gap->basis : "-");
        doc_cell(d);
        if (gap->existed)
            doc_tag(d, "yes", "yes (fired in the evidence)");
        else
            doc_tag(d, "no", "no");
        doc_row_close(d);
    }
    doc_table_close(d);
}

static void r_factors(struct doc *d, const struct rp_model *m)
{
    doc_section(d, "factors", "Contributing factors");
    if (!m->n_factors) {
        doc_para(d, "No contributing factor could be derived from the evidence.");
        return;
    }
    r_list(d, NULL, m->factors, m->n_factors, false);
}

static void r_actions(struct doc *d, const struct rp_model *m)
{
    static const struct doc_col cols[] = {
        { "Priority", NULL },
        { "Action", NULL },
        { "From", NULL },
        { "Owner", NULL },
    };
    doc_section(d, "actions", "Action items");
    if (!m->n_actions) {
        doc_para(d, "The knowledge base proposed no action for these hypotheses.");
        return;
    }
    doc_para(d, "P0 stops the impact, P1 removes the cause, P2 shortens the next diagnosis, P3 "
                "hardens the rest.");
    doc_table_open(d, cols, ELEMENTSOF(cols));
    for (size_t i = 0; i < m->n_actions; i++) {
        char cls[16];
        snprintf(cls, sizeof cls, "pill p%d", m->actions[i].prio);
        doc_row_open(d, NULL);
        doc_cell(d);
        doc_tag(d, cls, rp_prio_name(m->actions[i].prio));
        doc_cell_text(d, m->actions[i].what);
        doc_cell_text(d, m->actions[i].from);
        doc_cell_puts(d, "to assign");
        doc_row_close(d);
    }
    doc_table_close(d);
}

/* The hypotheses' prevention entries as a Prometheus rules file. */
static void yaml_rules(struct rp_out *o, const struct rp_model *m)
{
    rp_puts(o, "groups:\n  - name: tshoot-postmortem\n    rules:\n");
    for (size_t i = 0; i < m->n_rules; i++) {
        const struct rp_rule *r = &m->rules[i];
        rp_puts(o, "      - alert: ");
        rp_yaml_str(o, r->alert);
        rp_puts(o, "\n        expr: ");
        rp_yaml_str(o, r->expr);
        if (*r->for_) {
            rp_puts(o, "\n        for: ");
            rp_yaml_str(o, r->for_);
        }
        rp_puts(o, "\n        labels:\n          severity: warning\n        annotations:\n"
                   "          summary: ");
        rp_yaml_str(o, r->why);
        rp_puts(o, "\n");
    }
}

static void r_rules(struct doc *d, const struct rp_model *m)
{
    doc_section(d, "rules", "Alert rules");
    if (m->rules_yaml) {
        doc_p_open(d, NULL);
        doc_puts(d, "The generated rules file (");
        doc_code(d, "tshoot rules alerts");
        doc_puts(d, "), attached:");
        doc_p_close(d);
        doc_code_block(d, "yaml", m->rules_yaml);
    }
    if (!m->n_rules) {
        if (!m->rules_yaml) doc_para(d, "The hypotheses carry no prevention rule.");
        return;
    }
    struct rp_out y = { .b = BUF_INIT(REPORT_MAX_BYTES) };
    yaml_rules(&y, m);
    if (y.err) {
        d->o.err = d->o.err ? d->o.err : y.err;
        buf_release(&y.b);
        return;
    }
    doc_para(d, "From the hypotheses' prevention entries (Prometheus rules file):");
    doc_code_block(d, "yaml", buf_str(&y.b));
    buf_release(&y.b);
}

static void r_appendix(struct doc *d, const struct rp_model *m)
{
    static const struct doc_col cols[] = {
        { "Source", NULL },
        { "Kind", NULL },
        { "Lines", "n" },
        { "Timed", NULL },
    };
    doc_section(d, "appendix", "Evidence appendix");
    doc_para(d, "Every string below comes from the evidence, with secrets redacted.");
    for (size_t k = 0; k < m->n_hyps; k++) {
        const struct rp_hyp *h = &m->hyps[k];
        if (!h->n_ev && !h->n_against) continue;
        doc_h3_open(d);
        doc_printf(d, "H%zu ", k + 1);
        doc_text(d, h->id);
        doc_h3_close(d);
        doc_list_open(d);
        for (size_t i = 0; i < h->n_ev; i++) {
            doc_item_open(d);
            doc_printf(d, "E%zu.%zu for: ", k + 1, i + 1);
            doc_code(d, h->ev[i].ref);
            doc_printf(d, " weight %.2f: ", h->ev[i].weight);
            doc_code(d, h->ev[i].text);
            doc_item_close(d, true);
        }
        for (size_t i = 0; i < h->n_against; i++) {
            doc_item_open(d);
            doc_printf(d, "A%zu.%zu against: ", k + 1, i + 1);
            doc_code(d, h->against[i].ref);
            doc_printf(d, " weight %.2f: ", h->against[i].weight);
            doc_code(d, h->against[i].text);
            doc_item_close(d, true);
        }
        if (h->n_checks) {
            doc_item_open(d);
            doc_puts(d, "next checks:");
            doc_list_open(d);
            for (size_t i = 0; i < h->n_checks; i++) {
                doc_item_open(d);
                doc_code(d, h->checks[i].cmd);
                doc_puts(d, ": ");
                doc_text(d, h->checks[i].why);
                doc_item_close(d, false);
            }
            doc_list_close(d);
            doc_item_close(d, false);
        }
        doc_list_close(d);
    }
    r_h3(d, "Inputs");
    if (m->bundle) {
        doc_p_open(d, NULL);
        doc_puts(d, "Bundle: ");
        doc_code(d, m->bundle);
        doc_p_close(d);
    }
    if (m->n_sources) {
        doc_table_open(d, cols, ELEMENTSOF(cols));
        for (size_t i = 0; i < m->n_sources; i++) {
            doc_row_open(d, NULL);
            doc_cell_code(d, m->sources[i].path);
            doc_cell_text(d, m->sources[i].kind);
            doc_cell(d);
            doc_printf(d, "%lld", m->sources[i].lines);
            doc_cell_puts(d, m->sources[i].timed ? "yes" : "no");
            doc_row_close(d);
        }
        doc_table_close(d);
    }
    if (m->n_unreadable) r_list(d, "Could not be read:", m->unreadable, m->n_unreadable, true);
}

int rp_render(json_t *diagnosis, const struct doc_ops *ops, char **ret)
{
    _cleanup_(rp_model_freep) struct rp_model *m = NULL;
    int r = rp_model_build(diagnosis, &m);
    if (r < 0) return r;
    struct doc d = { .ops = ops, .o = { .b = BUF_INIT(REPORT_MAX_BYTES) } };
    ops->begin(&d, m->n_hyps ? m->hyps[0].title : "incident");
    doc_p_open(&d, "meta");
    doc_puts(&d, "Draft written by tshoot from the evidence");
    if (m->generated_at) {
        doc_puts(&d, " (diagnosis of ");
        doc_text(&d, m->generated_at);
        doc_puts(&d, ")");
    }
    doc_puts(&d, ". Blameless by design: it describes systems, signals and safeguards; review "
                 "the judgement calls before sharing.");
    doc_p_close(&d);
    doc_header_end(&d);
    r_summary(&d, m);
    r_impact(&d, m);
    r_services(&d, m);
    r_timeline(&d, m);
    r_chain(&d, m);
    r_hypotheses(&d, m);
    r_gaps(&d, m);
    r_factors(&d, m);
    r_actions(&d, m);
    r_rules(&d, m);
    r_appendix(&d, m);
    doc_end(&d);
    return rp_finish(&d.o, ret);
}
