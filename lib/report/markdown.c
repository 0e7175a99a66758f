/* SPDX-License-Identifier: MIT */
/* The postmortem as Markdown (CommonMark + GFM tables + a Mermaid diagram). */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "report/model.h"
#include "report/report.h"

static void md_time(struct rp_out *o, ts_time_t t)
{
    char b[48];
    rp_puts(o, rp_fmt_time(t, b, sizeof b));
}

/* "2026-04-15 07:05:00 UTC (09:05:00+02:00 in the source)" */
static void md_time_z(struct rp_out *o, const struct rp_time *t)
{
    md_time(o, t->t);
    if (t->t == TS_TIME_NONE) return;
    if (!t->has_zone) {
        rp_puts(o, " (no zone in the source: UTC assumed)");
    } else if (t->off_min) {
        char b[48], z[16];
        ts_format(t->t + (int64_t)t->off_min * 60 * TS_NSEC_PER_SEC, 0, b, sizeof b);
        b[19] = '\0';
        rp_printf(o, " (%s%s in the source)", b + 11, rp_fmt_zone(t->off_min, z, sizeof z));
    }
}

static void md_summary(struct rp_out *o, const struct rp_model *m)
{
    char d[32];
    rp_puts(o, "## Summary\n\n");
    if (!m->n_hyps) {
        rp_puts(o, "The diagnosis ranked no hypothesis: the evidence below is all there is. ");
    }
    if (m->start != TS_TIME_NONE) {
        rp_puts(o, "From ");
        md_time(o, m->start);
        rp_puts(o, " to ");
        md_time(o, m->end);
        rp_printf(o, " (%s), ", rp_fmt_dur(m->end - m->start, d, sizeof d));
        size_t shown = 0;
        for (size_t i = 0; i < m->n_services; i++) {
            if (m->services[i].first.t == TS_TIME_NONE) continue;
            rp_puts(o, shown ? ", " : "");
            rp_md(o, m->services[i].name);
            shown++;
        }
        rp_puts(o, shown ? " showed errors." : "the evidence shows anomalies.");
    } else {
        rp_puts(o, "The evidence carries no timestamps, so the incident window is unknown.");
    }
    if (m->n_hyps) {
        const struct rp_hyp *h = &m->hyps[0];
        rp_puts(o, "\n\nThe most likely cause (");
        rp_md(o, h->confidence);
        rp_printf(o, " confidence, score %.2f) is **", h->score);
        rp_md(o, h->category);
        rp_puts(o, "**: ");
        rp_md(o, h->title);
        rp_puts(o, ", on ");
        rp_md(o, h->subject);
        rp_puts(o, ".");
        if (h->n_chain) {
            rp_puts(o, " In short: ");
            for (size_t i = 0; i < h->n_chain; i++) {
                if (i) rp_puts(o, " → ");
                rp_md(o, h->chain[i]);
            }
            rp_puts(o, ".");
        }
    }
    rp_puts(o, "\n\n");
}

static void md_impact(struct rp_out *o, const struct rp_model *m)
{
    char d[32];
    rp_puts(o, "## Impact and duration\n\n");
    rp_puts(o, "- Start (first anomaly): ");
    md_time(o, m->start);
    rp_puts(o, "\n- End (last event in the evidence): ");
    md_time(o, m->end);
    if (m->start != TS_TIME_NONE)
        rp_printf(o, "\n- Duration: %s", rp_fmt_dur(m->end - m->start, d, sizeof d));
    if (m->n_hyps && m->hyps[0].n_blast) {
        rp_puts(o, "\n- Blast radius: ");
        for (size_t i = 0; i < m->hyps[0].n_blast; i++) {
            if (i) rp_puts(o, ", ");
            rp_md(o, m->hyps[0].blast[i]);
        }
    }
    rp_puts(o, "\n\n");
    if (!m->n_spans) return;
    rp_puts(o, "Per source, first to last event:\n\n"
               "| Source | First (UTC) | Last (UTC) | Span | Events |\n"
               "| --- | --- | --- | --- | ---: |\n");
    for (size_t i = 0; i < m->n_spans; i++) {
        const struct rp_source_span *s = &m->spans[i];
        rp_puts(o, "| ");
        rp_md_code(o, s->source, true);
        rp_puts(o, " | ");
        md_time(o, s->first);
        rp_puts(o, " | ");
        md_time(o, s->last);
        rp_printf(o, " | %s | %zu |\n", rp_fmt_dur(s->last - s->first, d, sizeof d), s->events);
    }
    rp_puts(o, "\n");
}

static void md_services(struct rp_out *o, const struct rp_model *m)
{
    rp_puts(o, "## Affected services\n\n");
    if (!m->n_services) {
        rp_puts(o, "The diagnosis names no service.\n\n");
        return;
    }
    rp_puts(o, "| Service | First anomaly (UTC) | Errors | In the blast radius |\n"
               "| --- | --- | ---: | --- |\n");
    for (size_t i = 0; i < m->n_services; i++) {
        const struct rp_service *s = &m->services[i];
        bool blast = false;
        for (size_t k = 0; m->n_hyps && k < m->hyps[0].n_blast; k++)
            if (streq(m->hyps[0].blast[k], s->name)) blast = true;
        rp_puts(o, "| ");
        rp_md(o, s->name);
        rp_puts(o, " | ");
        if (s->first.t == TS_TIME_NONE)
            rp_puts(o, "none seen");
        else
            md_time_z(o, &s->first);
        rp_printf(o, " | %lld | %s |\n", s->errors, blast ? "yes" : "no");
    }
    rp_puts(o, "\n");
}

static void md_zone_note(struct rp_out *o, const struct rp_model *m)
{
    rp_puts(o, "All times are UTC.");
    if (m->n_zones) {
        char z[16];
        rp_puts(o, " Converted from the zones the sources used:");
        for (size_t i = 0; i < m->n_zones; i++)
            rp_printf(o, "%s UTC%s", i ? "," : "", rp_fmt_zone(m->zones[i], z, sizeof z));
        rp_puts(o, " (the original local time is shown next to each converted entry).");
    }
    if (m->assumed_utc) rp_puts(o, " Some times carried no zone and were taken as UTC.");
    rp_puts(o, "\n\n");
}

static void md_timeline(struct rp_out *o, const struct rp_model *m)
{
    rp_puts(o, "## Timeline\n\n");
    md_zone_note(o, m);
    if (m->n_events) {
        rp_puts(o, "| Time (UTC) | Source | Kind | Event |\n| --- | --- | --- | --- |\n");
        for (size_t i = 0; i < m->n_events; i++) {
            const struct rp_event *e = &m->events[i];
            rp_puts(o, "| ");
            md_time_z(o, &e->when);
            rp_puts(o, " | ");
            rp_md_code(o, e->source, true);
            rp_puts(o, " | ");
            rp_md(o, e->kind);
            rp_puts(o, " | ");
            rp_md(o, e->text);
            rp_puts(o, " |\n");
        }
        rp_puts(o, "\n");
        if (m->n_events_total > RP_MAX_EVENTS)
            rp_printf(o, "%zu more timeline entries are not shown.\n\n",
                      m->n_events_total - RP_MAX_EVENTS);
    } else {
        rp_puts(o, "No event in the evidence carries a timestamp.\n\n");
    }
    if (m->n_untimed) {
        rp_puts(o, "Untimed sources (no timestamps, not on the timeline):\n\n");
        for (size_t i = 0; i < m->n_untimed; i++) {
            rp_puts(o, "- ");
            rp_md_code(o, m->untimed[i], false);
            rp_puts(o, "\n");
        }
        rp_puts(o, "\n");
    }
}

static void md_chain(struct rp_out *o, const struct rp_model *m)
{
    rp_puts(o, "## Root-cause chain\n\n");
    if (!m->n_hyps || !m->hyps[0].n_chain) {
        rp_puts(o, "The diagnosis gives no causal chain.\n\n");
        return;
    }
    const struct rp_hyp *h = &m->hyps[0];
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

static void md_evidence_item(struct rp_out *o, const struct rp_evidence *e)
{
    rp_puts(o, "- ");
    rp_md_code(o, e->ref, false);
    rp_puts(o, " (");
    rp_md(o, e->kind);
    if (e->when.t != TS_TIME_NONE) {
        rp_puts(o, ", ");
        md_time(o, e->when.t);
    }
    if (e->count > 1) rp_printf(o, ", %lld times", e->count);
    rp_puts(o, "): ");
    rp_md_code(o, e->text, false);
    rp_puts(o, "\n");
}

static void md_hypotheses(struct rp_out *o, const struct rp_model *m)
{
    rp_puts(o, "## Ranked hypotheses\n\n");
    if (!m->n_hyps) {
        rp_puts(o, "No hypothesis was ranked.\n\n");
        return;
    }
    rp_puts(o, "| Rank | Hypothesis | Category | Score | Confidence | Subject |\n"
               "| ---: | --- | --- | ---: | --- | --- |\n");
    for (size_t i = 0; i < m->n_hyps; i++) {
        const struct rp_hyp *h = &m->hyps[i];
        rp_printf(o, "| %zu | ", i + 1);
        rp_md(o, h->title);
        rp_puts(o, " | ");
        rp_md(o, h->category);
        rp_printf(o, " | %.2f | ", h->score);
        rp_md(o, h->confidence);
        rp_puts(o, " | ");
        rp_md(o, h->subject);
        rp_puts(o, " |\n");
    }
    if (m->n_hyps_total > m->n_hyps)
        rp_printf(o, "\n%zu lower-ranked hypotheses are not shown.\n", m->n_hyps_total - m->n_hyps);
    const struct rp_hyp *w = &m->hyps[0];
    rp_puts(o, "\n### What confirmed the leading hypothesis\n\n");
    for (size_t i = 0; i < w->n_ev; i++) md_evidence_item(o, &w->ev[i]);
    if (!w->n_ev) rp_puts(o, "- No evidence item was attached.\n");
    if (w->n_ev_total > w->n_ev) rp_printf(o, "- and %zu more\n", w->n_ev_total - w->n_ev);
    if (w->n_arithmetic) {
        rp_puts(o, "\nThe arithmetic:\n\n");
        for (size_t i = 0; i < w->n_arithmetic; i++) {
            rp_puts(o, "- ");
            rp_md(o, w->arithmetic[i]);
            rp_puts(o, "\n");
        }
    }
    if (w->n_against) {
        rp_puts(o, "\nEvidence against it, weighed and outweighed:\n\n");
        for (size_t i = 0; i < w->n_against; i++) md_evidence_item(o, &w->against[i]);
    }
    if (m->n_hyps < 2) {
        rp_puts(o, "\n");
        return;
    }
    rp_puts(o, "\n### What ruled the others out\n\n");
    for (size_t k = 1; k < m->n_hyps; k++) {
        const struct rp_hyp *h = &m->hyps[k];
        rp_printf(o, "- Rank %zu, **", k + 1);
        rp_md(o, h->title);
        rp_printf(o, "** (score %.2f against %.2f)", h->score, w->score);
        if (!h->n_against) {
            rp_puts(o, ": nothing contradicts it directly; its supporting evidence is weaker.\n");
            continue;
        }
        rp_puts(o, ":\n");
        for (size_t i = 0; i < h->n_against; i++) {
            rp_puts(o, "  ");
            md_evidence_item(o, &h->against[i]);
        }
    }
    rp_puts(o, "\n");
}

static void md_gaps(struct rp_out *o, const struct rp_model *m)
{
    char d[32];
    rp_puts(o, "## Detection gaps\n\n");
    if (m->first_alert != TS_TIME_NONE) {
        rp_puts(o, "The first alert in the evidence: ");
        rp_md(o, m->first_alert_text);
        rp_puts(o, " at ");
        md_time(o, m->first_alert);
        if (m->start != TS_TIME_NONE && m->first_alert >= m->start)
            rp_printf(o, ", %s after the first error",
                      rp_fmt_dur(m->first_alert - m->start, d, sizeof d));
        rp_puts(o, ".\n\n");
    } else {
        rp_puts(o, "No alert firing was found in the evidence.\n\n");
    }
    if (!m->n_gaps || !m->gaps[0].subject) {
        rp_puts(o, "No filesystem fill data (milestones, snapshots or metrics) was in the "
                   "evidence, so the built-in alert conditions could not be evaluated.\n\n");
        return;
    }
    rp_puts(o, "The built-in alert conditions, evaluated over the filesystem milestones, "
               "snapshots and metrics of ");
    rp_md_code(o, m->gaps[0].subject, false);
    rp_puts(o, ":\n\n| Alert | Condition | Would have fired (UTC) | Lead time before the first "
               "error | Basis | Existed |\n| --- | --- | --- | --- | --- | --- |\n");
    for (size_t g = 0; g < m->n_gaps; g++) {
        const struct rp_gap *gap = &m->gaps[g];
        rp_printf(o, "| %s | ", gap->name);
        rp_md(o, gap->cond);
        rp_puts(o, " | ");
        if (gap->fires == TS_TIME_NONE)
            rp_puts(o, "would not have fired");
        else
            md_time(o, gap->fires);
        rp_puts(o, " | ");
        if (gap->fires != TS_TIME_NONE && m->start != TS_TIME_NONE && gap->fires <= m->start)
            rp_puts(o, rp_fmt_dur(m->start - gap->fires, d, sizeof d));
        else if (gap->fires != TS_TIME_NONE)
            rp_puts(o, "none (after the first error)");
        else
            rp_puts(o, "-");
        rp_puts(o, " | ");
        rp_md(o, gap->basis ? gap->basis : "-");
        rp_printf(o, " | %s |\n", gap->existed ? "yes (fired in the evidence)" : "no");
    }
    rp_puts(o, "\n");
}

static void md_list(struct rp_out *o, const char *title, char **items, size_t n, const char *none)
{
    rp_printf(o, "## %s\n\n", title);
    if (!n) rp_printf(o, "%s\n", none);
    for (size_t i = 0; i < n; i++) {
        rp_puts(o, "- ");
        rp_md(o, items[i]);
        rp_puts(o, "\n");
    }
    rp_puts(o, "\n");
}

static void md_actions(struct rp_out *o, const struct rp_model *m)
{
    rp_puts(o, "## Action items\n\n");
    if (!m->n_actions) {
        rp_puts(o, "The knowledge base proposed no action for these hypotheses.\n\n");
        return;
    }
    rp_puts(o, "P0 stops the impact, P1 removes the cause, P2 shortens the next diagnosis, P3 "
               "hardens the rest.\n\n| Priority | Action | From | Owner |\n"
               "| --- | --- | --- | --- |\n");
    for (size_t i = 0; i < m->n_actions; i++) {
        rp_printf(o, "| %s | ", rp_prio_name(m->actions[i].prio));
        rp_md(o, m->actions[i].what);
        rp_puts(o, " | ");
        rp_md(o, m->actions[i].from);
        rp_puts(o, " | to assign |\n");
    }
    rp_puts(o, "\n");
}

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

/* The longest run of backticks in s, for a fence that it cannot close. */
static size_t backtick_run(const char *s)
{
    size_t longest = 0, cur = 0;
    for (; s && *s; s++) {
        cur = *s == '`' ? cur + 1 : 0;
        if (cur > longest) longest = cur;
    }
    return longest;
}

static void md_rules(struct rp_out *o, const struct rp_model *m)
{
    rp_puts(o, "## Alert rules\n\n");
    if (m->rules_yaml) {
        size_t n = TS_MAX(backtick_run(m->rules_yaml) + 1, 3);
        rp_puts(o, "The generated rules file (`tshoot rules alerts`), attached:\n\n");
        for (size_t i = 0; i < n; i++) rp_puts(o, "`");
        rp_puts(o, "yaml\n");
        rp_puts(o, m->rules_yaml);
        if (*m->rules_yaml && m->rules_yaml[strlen(m->rules_yaml) - 1] != '\n') rp_puts(o, "\n");
        for (size_t i = 0; i < n; i++) rp_puts(o, "`");
        rp_puts(o, "\n\n");
    }
    if (!m->n_rules) {
        if (!m->rules_yaml) rp_puts(o, "The hypotheses carry no prevention rule.\n\n");
        return;
    }
    struct rp_out y = { .b = BUF_INIT(REPORT_MAX_BYTES) };
    yaml_rules(&y, m);
    if (y.err) {
        o->err = o->err ? o->err : y.err;
        buf_release(&y.b);
        return;
    }
    rp_puts(o, "From the hypotheses' prevention entries (Prometheus rules file):\n\n");
    /* a fence longer than any backtick run in the file, as for the attached one */
    const char *yaml = buf_str(&y.b);
    size_t n = TS_MAX(backtick_run(yaml) + 1, 3);
    for (size_t i = 0; i < n; i++) rp_puts(o, "`");
    rp_puts(o, "yaml\n");
    rp_puts(o, yaml);
    for (size_t i = 0; i < n; i++) rp_puts(o, "`");
    rp_puts(o, "\n\n");
    buf_release(&y.b);
}

static void md_appendix(struct rp_out *o, const struct rp_model *m)
{
    rp_puts(o, "## Evidence appendix\n\n");
    rp_puts(o, "Every string below comes from the evidence, with secrets redacted.\n\n");
    for (size_t k = 0; k < m->n_hyps; k++) {
        const struct rp_hyp *h = &m->hyps[k];
        if (!h->n_ev && !h->n_against) continue;
        rp_printf(o, "### H%zu ", k + 1);
        rp_md(o, h->id);
        rp_puts(o, "\n\n");
        for (size_t i = 0; i < h->n_ev; i++) {
            rp_printf(o, "- E%zu.%zu for: ", k + 1, i + 1);
            rp_md_code(o, h->ev[i].ref, false);
            rp_printf(o, " weight %.2f: ", h->ev[i].weight);
            rp_md_code(o, h->ev[i].text, false);
            rp_puts(o, "\n");
        }
        for (size_t i = 0; i < h->n_against; i++) {
            rp_printf(o, "- A%zu.%zu against: ", k + 1, i + 1);
            rp_md_code(o, h->against[i].ref, false);
            rp_printf(o, " weight %.2f: ", h->against[i].weight);
            rp_md_code(o, h->against[i].text, false);
            rp_puts(o, "\n");
        }
        if (h->n_checks) {
            rp_puts(o, "- next checks:\n");
            for (size_t i = 0; i < h->n_checks; i++) {
                rp_puts(o, "  - ");
                rp_md_code(o, h->checks[i].cmd, false);
                rp_puts(o, ": ");
                rp_md(o, h->checks[i].why);
                rp_puts(o, "\n");
            }
        }
        rp_puts(o, "\n");
    }
    rp_puts(o, "### Inputs\n\n");
    if (m->bundle) {
        rp_puts(o, "Bundle: ");
        rp_md_code(o, m->bundle, false);
        rp_puts(o, "\n\n");
    }
    if (m->n_sources) {
        rp_puts(o, "| Source | Kind | Lines | Timed |\n| --- | --- | ---: | --- |\n");
        for (size_t i = 0; i < m->n_sources; i++) {
            rp_puts(o, "| ");
            rp_md_code(o, m->sources[i].path, true);
            rp_puts(o, " | ");
            rp_md(o, m->sources[i].kind);
            rp_printf(o, " | %lld | %s |\n", m->sources[i].lines,
                      m->sources[i].timed ? "yes" : "no");
        }
        rp_puts(o, "\n");
    }
    if (m->n_unreadable) {
        rp_puts(o, "Could not be read:\n\n");
        for (size_t i = 0; i < m->n_unreadable; i++) {
            rp_puts(o, "- ");
            rp_md_code(o, m->unreadable[i], false);
            rp_puts(o, "\n");
        }
        rp_puts(o, "\n");
    }
}

int report_markdown(json_t *diagnosis, char **ret)
{
    _cleanup_(rp_model_freep) struct rp_model *m = NULL;
    int r = rp_model_build(diagnosis, &m);
    if (r < 0) return r;
    struct rp_out o = { .b = BUF_INIT(REPORT_MAX_BYTES) };
    rp_puts(&o, "# Postmortem: ");
    if (m->n_hyps) {
        rp_md(&o, m->hyps[0].title);
    } else {
        rp_puts(&o, "incident");
    }
    rp_puts(&o, " (draft)\n\n");
    rp_puts(&o, "Draft written by tshoot from the evidence");
    if (m->generated_at) {
        rp_puts(&o, " (diagnosis of ");
        rp_md(&o, m->generated_at);
        rp_puts(&o, ")");
    }
    rp_puts(&o, ". Blameless by design: it describes systems, signals and safeguards; "
                "review the judgement calls before sharing.\n\n");
    md_summary(&o, m);
    md_impact(&o, m);
    md_services(&o, m);
    md_timeline(&o, m);
    md_chain(&o, m);
    md_hypotheses(&o, m);
    md_gaps(&o, m);
    md_list(&o, "Contributing factors", m->factors, m->n_factors,
            "No contributing factor could be derived from the evidence.");
    md_actions(&o, m);
    md_rules(&o, m);
    md_appendix(&o, m);
    /* one trailing newline, no blank line at the end (MD012/MD047) */
    while (!o.err && o.b.len >= 2 && o.b.data[o.b.len - 1] == '\n' && o.b.data[o.b.len - 2] == '\n')
        o.b.data[--o.b.len] = '\0';
    return rp_finish(&o, ret);
}
