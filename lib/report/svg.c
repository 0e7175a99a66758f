/* SPDX-License-Identifier: MIT */
/*
 * svg.c: the figures of the HTML report, as inline SVG (no script, no
 * external resource): the timeline (filesystem fill with its 80%/95%/full
 * lines, error-rate sparklines per service, events per source, all on one
 * UTC axis) and the root-cause chain.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "report/model.h"

#define W          1100.0
#define LABEL_W    200.0
#define RIGHT      24.0
#define PLOT_W     (W - LABEL_W - RIGHT)
#define FS_H       150.0
#define SPARK_H    34.0
#define LANE_H     26.0
#define MAX_LANES  30
#define MAX_SPARKS 16

struct axis {
    ts_time_t t0, t1;
};

static double xt(const struct axis *a, ts_time_t t)
{
    if (a->t1 <= a->t0) return LABEL_W + PLOT_W / 2;
    double f = (double)(t - a->t0) / (double)(a->t1 - a->t0);
    if (f < 0) f = 0;
    if (f > 1) f = 1;
    return LABEL_W + f * PLOT_W;
}

/* Short label for a lane: at most n bytes, cut on a UTF-8 boundary. */
static void short_label(struct rp_out *o, const char *s, size_t n)
{
    size_t len = strlen(s);
    if (len <= n) {
        rp_html(o, s);
        return;
    }
    /* keep the end of paths: the file name is what tells lanes apart */
    size_t skip = len - (n - 1);
    while (skip < len && ((unsigned char)s[skip] & 0xC0) == 0x80) skip++;
    rp_puts(o, "…");
    rp_html(o, s + skip);
}

static const int64_t tick_steps_s[] = {
    60,       300,       900,   1800,      3600,      3 * 3600,
    6 * 3600, 12 * 3600, 86400, 2 * 86400, 7 * 86400, 30 * 86400,
};

static void draw_axis(struct rp_out *o, const struct axis *a, double y0, double y1)
{
    int64_t span_s = (a->t1 - a->t0) / TS_NSEC_PER_SEC, step = tick_steps_s[0];
    for (size_t i = 0; i < ELEMENTSOF(tick_steps_s); i++) {
        step = tick_steps_s[i];
        if (span_s / step <= 9) break;
    }
    if (span_s / step > 9) step = (span_s / 9 / 86400 + 1) * 86400; /* years: whole days */
    int64_t first = (a->t0 / TS_NSEC_PER_SEC / step + 1) * step;
    rp_printf(o, "<g class=\"axis\">");
    for (int64_t s = first; s * TS_NSEC_PER_SEC <= a->t1; s += step) {
        ts_time_t t = s * TS_NSEC_PER_SEC;
        double x = xt(a, t);
        char b[40];
        ts_format(t, 0, b, sizeof b); /* 2026-04-14T21:00:00Z */
        rp_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"grid\"/>", x,
                  y0, x, y1);
        if (step >= 86400)
            rp_printf(o, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">%.5s</text>", x, y1 + 14,
                      b + 5);
        else
            rp_printf(o, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\">%.5s %.5s</text>", x, y1 + 14,
                      b + 5, b + 11);
    }
    rp_printf(o, "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">UTC</text></g>\n",
              W - RIGHT, y1 + 28);
}

static void title_time(struct rp_out *o, ts_time_t t)
{
    char b[48];
    rp_puts(o, rp_fmt_time(t, b, sizeof b));
}

/* The shape of an event kind (colour comes from the CSS class). */
static void draw_marker(struct rp_out *o, const struct rp_event *e, double x, double y)
{
    const char *k = e->kind;
    rp_printf(o, "<g class=\"ev k-%s%s\"><title>",
              streq(k, "first_error") || streq(k, "spike") || streq(k, "restart") ||
                      streq(k, "oom") || streq(k, "fs_milestone") || streq(k, "deploy") ||
                      streq(k, "alert")
                  ? k
                  : "note",
              e->derived ? " derived" : "");
    title_time(o, e->when.t);
    rp_puts(o, " · ");
    rp_html(o, e->kind);
    rp_puts(o, ": ");
    rp_html(o, e->text);
    rp_puts(o, "</title>");
    if (streq(k, "first_error") || streq(k, "oom"))
        rp_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"6\"/>", x, y);
    else if (streq(k, "spike"))
        rp_printf(o, "<path d=\"M%.1f %.1fl6 10h-12z\"/>", x, y - 6);
    else if (streq(k, "restart") || streq(k, "deploy"))
        rp_printf(o, "<rect x=\"%.1f\" y=\"%.1f\" width=\"11\" height=\"11\"/>", x - 5.5, y - 5.5);
    else if (streq(k, "fs_milestone"))
        rp_printf(o, "<path d=\"M%.1f %.1fl6 7l-6 7l-6-7z\"/>", x, y - 7);
    else if (streq(k, "alert"))
        rp_printf(o,
                  "<path d=\"M%.1f %.1fl2.2 4.5l5 .7l-3.6 3.5l.9 5l-4.5-2.4l-4.5 2.4l.9-5"
                  "l-3.6-3.5l5-.7z\"/>",
                  x, y - 7);
    else
        rp_printf(o, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"4\"/>", x, y);
    rp_puts(o, "</g>");
}

static size_t lane_of(const struct rp_model *m, const char **lanes, size_t *n, const char *src)
{
    for (size_t i = 0; i < *n; i++)
        if (streq(lanes[i], src)) return i;
    (void)m;
    if (*n >= MAX_LANES) return SIZE_MAX;
    lanes[*n] = src;
    return (*n)++;
}

static void fs_panel(struct rp_out *o, const struct rp_model *m, const struct axis *a, double y0)
{
    const char *subject = m->gaps[0].subject;
    double h = FS_H - 30, top = y0 + 10;
    /* the y axis starts below the lowest sample (in steps of 10%, at most
     * 70%) so that the 80%/95%/full lines stay apart */
    double lo = 100;
    for (size_t i = 0; i < m->n_fs; i++)
        if (subject && streq(m->fs[i].subject, subject) && m->fs[i].pct < lo) lo = m->fs[i].pct;
    lo = (double)((int)((lo - 5) / 10)) * 10;
    if (lo > 70) lo = 70;
    if (lo < 0) lo = 0;
#define FS_Y(pct) (top + (100 - (pct)) / (100 - lo) * h)
    rp_printf(o, "<g class=\"fs\"><text x=\"8\" y=\"%.1f\" class=\"panel\">", y0 + 14);
    short_label(o, subject ? subject : "filesystem", 24);
    rp_printf(o, "</text><text x=\"8\" y=\"%.1f\" class=\"sub\">used %%</text>", y0 + 30);
    for (size_t i = 0; i < m->n_fs; i++)
        if (subject && streq(m->fs[i].subject, subject) && m->fs[i].source &&
            strstr(m->fs[i].source, "reconstructed")) {
            rp_printf(o,
                      "<text x=\"8\" y=\"%.1f\" class=\"sub\">reconstructed from</text>"
                      "<text x=\"8\" y=\"%.1f\" class=\"sub\">file mtimes</text>",
                      y0 + 44, y0 + 57);
            break;
        }
    static const struct {
        double pct;
        const char *cls, *label;
        double dy; /* label offset: 95% and full sit close together */
    } lines[] = { { 80, "t80", "80%", 4 }, { 95, "t95", "95%", 10 }, { 100, "t100", "full", -1 } };
    for (size_t i = 0; i < ELEMENTSOF(lines); i++) {
        double y = FS_Y(lines[i].pct);
        rp_printf(o,
                  "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"thr %s\"/>"
                  "<text x=\"%.1f\" y=\"%.1f\" class=\"thr-l %s\" text-anchor=\"end\">%s</text>",
                  LABEL_W, y, W - RIGHT, y, lines[i].cls, LABEL_W - 6, y + lines[i].dy,
                  lines[i].cls, lines[i].label);
    }
    rp_printf(o,
              "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"base\"/>"
              "<text x=\"%.1f\" y=\"%.1f\" class=\"tick\" text-anchor=\"end\">%.0f%%</text>",
              LABEL_W, top + h, W - RIGHT, top + h, LABEL_W - 6, top + h + 4, lo);
    /* the fill line of the subject that got fullest */
    rp_puts(o, "<polyline class=\"fill\" points=\"");
    for (size_t i = 0; i < m->n_fs; i++)
        if (subject && streq(m->fs[i].subject, subject))
            rp_printf(o, "%.1f,%.1f ", xt(a, m->fs[i].t), FS_Y(m->fs[i].pct));
    rp_puts(o, "\"/>");
    size_t n_pts = 0;
    for (size_t i = 0; i < m->n_fs; i++)
        if (subject && streq(m->fs[i].subject, subject)) n_pts++;
    for (size_t i = 0; i < m->n_fs && n_pts <= 40; i++) {
        if (!subject || !streq(m->fs[i].subject, subject)) continue;
        rp_printf(o, "<circle class=\"fill-pt\" cx=\"%.1f\" cy=\"%.1f\" r=\"3.5\"><title>",
                  xt(a, m->fs[i].t), FS_Y(m->fs[i].pct));
        title_time(o, m->fs[i].t);
        rp_printf(o, " · %.0f%% (", m->fs[i].pct);
        rp_html(o, m->fs[i].source);
        rp_puts(o, ")</title></circle>");
    }
    rp_puts(o, "</g>\n");
#undef FS_Y
}

static void spark_row(struct rp_out *o, const struct rp_model *m, const struct axis *a,
                      const struct rp_service *s, double y0)
{
    double h = SPARK_H - 10, base = y0 + SPARK_H - 4;
    rp_printf(o, "<g class=\"spark\"><text x=\"8\" y=\"%.1f\" class=\"lane\">", y0 + 16);
    short_label(o, s->name, 24);
    rp_printf(o, "</text><text x=\"8\" y=\"%.1f\" class=\"sub\">%lld errors</text>", y0 + 29,
              s->errors);
    rp_printf(o, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" class=\"base\"/>", LABEL_W,
              base, W - RIGHT, base);
    if (s->n_series) {
        /* at most ~200 drawn buckets: adjacent intervals are summed */
        size_t group = (s->n_series + 199) / 200, nb = (s->n_series + group - 1) / group;
        int64_t step = s->series_step_ns * (int64_t)group;
        double max = 0;
        for (size_t b = 0; b < nb; b++) {
            double v = 0;
            for (size_t i = b * group; i < s->n_series && i < (b + 1) * group; i++)
                v += s->series[i];
            if (v > max) max = v;
        }
        rp_printf(o, "<path class=\"rate\" d=\"M%.1f %.1f", xt(a, s->series_start), base);
        double prev = -1;
        for (size_t b = 0; b < nb; b++) {
            double v = 0;
            for (size_t i = b * group; i < s->n_series && i < (b + 1) * group; i++)
                v += s->series[i];
            double y = base - (max > 0 ? v / max * h : 0);
            ts_time_t t = s->series_start + (int64_t)b * step;
            if (y != prev) rp_printf(o, "V%.1f", y);
            rp_printf(o, "H%.1f", xt(a, t + step));
            prev = y;
        }
        rp_printf(o, "V%.1fz\"><title>", base);
        char d[32];
        rp_html(o, s->name);
        rp_printf(o, ": warnings and errors per %s, peak %.0f</title></path>",
                  rp_fmt_dur(step, d, sizeof d), max);
    } else if (s->first.t != TS_TIME_NONE && s->errors > 0) {
        /* No per-interval counts: the average rate over the service's
         * anomaly span, drawn as a flat band and labelled as such. */
        ts_time_t end = s->last != TS_TIME_NONE && s->last > s->first.t ? s->last : m->end;
        double x0 = xt(a, s->first.t), x1 = xt(a, end);
        if (x1 - x0 < 2) x1 = x0 + 2;
        char d[32];
        double per_min =
            end > s->first.t ? (double)s->errors / ((double)(end - s->first.t) / 6e10) : 0;
        rp_printf(o,
                  "<rect class=\"rate avg\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\">"
                  "<title>",
                  x0, base - h * 0.6, x1 - x0, h * 0.6);
        rp_html(o, s->name);
        rp_printf(o,
                  ": %lld errors over %s, ~%.1f/min on average (no per-minute counts in the "
                  "evidence)</title></rect>",
                  s->errors, rp_fmt_dur(end - s->first.t, d, sizeof d), per_min);
    }
    rp_puts(o, "</g>\n");
}

void rp_svg_timeline(struct rp_out *o, const struct rp_model *m)
{
    if (m->axis_min == TS_TIME_NONE) return;
    struct axis a = { m->axis_min, m->axis_max };
    int64_t pad = (a.t1 - a.t0) / 40;
    if (pad < 60 * TS_NSEC_PER_SEC) pad = 60 * TS_NSEC_PER_SEC;
    a.t0 -= pad;
    a.t1 += pad;

    const char *lanes[MAX_LANES];
    size_t n_lanes = 0, hidden = 0;
    for (size_t i = 0; i < m->n_events; i++)
        if (lane_of(m, lanes, &n_lanes, m->events[i].source) == SIZE_MAX) hidden++;
    size_t n_sparks = 0;
    for (size_t i = 0; i < m->n_services && n_sparks < MAX_SPARKS; i++) n_sparks++;
    bool fs = m->n_fs > 0 && m->gaps[0].subject;

    double y = 8, fs_y = y;
    if (fs) y += FS_H;
    double spark_y = y + (n_sparks ? 18 : 0);
    y = spark_y + (double)n_sparks * SPARK_H;
    double lane_y = y + 18;
    y = lane_y + (double)n_lanes * LANE_H;
    double height = y + 36;

    rp_printf(o,
              "<svg class=\"timeline\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" "
              "aria-labelledby=\"tl-title\">"
              "<title id=\"tl-title\">Timeline: every source on one UTC axis</title>\n",
              W, height);
    /* the impact window behind everything */
    if (m->start != TS_TIME_NONE) {
        double x0 = xt(&a, m->start), x1 = xt(&a, m->end);
        char d[32];
        rp_printf(o,
                  "<rect class=\"impact\" x=\"%.1f\" y=\"4\" width=\"%.1f\" height=\"%.1f\">"
                  "<title>impact: ",
                  x0, x1 - x0 < 1 ? 1 : x1 - x0, y - 4);
        rp_puts(o, rp_fmt_dur(m->end - m->start, d, sizeof d));
        rp_printf(o,
                  "</title></rect><text x=\"%.1f\" y=\"%.1f\" class=\"impact-l\">impact %s"
                  "</text>\n",
                  x0 + 4, y + 28, d);
    }
    draw_axis(o, &a, 4, y);
    if (fs) fs_panel(o, m, &a, fs_y);
    if (n_sparks)
        rp_printf(o, "<text x=\"8\" y=\"%.1f\" class=\"panel\">error rate per service</text>\n",
                  spark_y - 4);
    for (size_t i = 0; i < n_sparks; i++)
        spark_row(o, m, &a, &m->services[i], spark_y + (double)i * SPARK_H);
    if (n_lanes)
        rp_printf(o, "<text x=\"8\" y=\"%.1f\" class=\"panel\">events per source</text>\n",
                  lane_y - 4);
    for (size_t i = 0; i < n_lanes; i++) {
        double ly = lane_y + (double)i * LANE_H;
        rp_printf(o,
                  "<g class=\"lanebox\"><line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                  "class=\"lane-line\"/><text x=\"8\" y=\"%.1f\" class=\"lane\"><title>",
                  LABEL_W, ly + LANE_H / 2, W - RIGHT, ly + LANE_H / 2, ly + LANE_H / 2 + 4);
        rp_html(o, lanes[i]);
        rp_puts(o, "</title>");
        short_label(o, lanes[i], 26);
        rp_puts(o, "</text></g>\n");
    }
    for (size_t i = 0; i < m->n_events; i++) {
        size_t l;
        for (l = 0; l < n_lanes; l++)
            if (streq(lanes[l], m->events[i].source)) break;
        if (l == n_lanes) continue;
        draw_marker(o, &m->events[i], xt(&a, m->events[i].when.t),
                    lane_y + (double)l * LANE_H + LANE_H / 2);
        rp_puts(o, "\n");
    }
    /* the built-in alert conditions: where they would have fired */
    for (size_t g = 0; g < m->n_gaps; g++) {
        if (m->gaps[g].fires == TS_TIME_NONE || m->gaps[g].existed) continue;
        double x = xt(&a, m->gaps[g].fires);
        rp_printf(o,
                  "<line class=\"would\" x1=\"%.1f\" y1=\"4\" x2=\"%.1f\" y2=\"%.1f\"><title>%s "
                  "would have fired at ",
                  x, x, y, m->gaps[g].name);
        title_time(o, m->gaps[g].fires);
        rp_puts(o, "</title></line>");
        static const char *const short_names[] = { "80% alert", "95% alert", "full-in-24h alert" };
        if (fs && g < ELEMENTSOF(short_names))
            rp_printf(o, "<text class=\"would-l\" x=\"%.1f\" y=\"%.1f\">%s</text>", x + 4,
                      fs_y + FS_H - 48 + 11.0 * (double)g, short_names[g]);
        rp_puts(o, "\n");
    }
    if (hidden)
        rp_printf(o,
                  "<text x=\"8\" y=\"%.1f\" class=\"sub\">%zu events from further sources are "
                  "in the table</text>\n",
                  height - 6, hidden);
    rp_puts(o, "</svg>\n");
}

/* Split s into lines of at most `width` bytes at spaces. */
static size_t wrap(const char *s, size_t width, size_t starts[], size_t lens[], size_t max)
{
    size_t n = 0, len = strlen(s), pos = 0;
    while (pos < len && n < max) {
        size_t take = len - pos;
        if (take > width) {
            take = width;
            while (take > width / 2 && s[pos + take] != ' ') take--;
            if (s[pos + take] != ' ') take = width;
            while (take > 0 && ((unsigned char)s[pos + take] & 0xC0) == 0x80) take--;
        }
        starts[n] = pos;
        lens[n++] = take;
        pos += take;
        while (pos < len && s[pos] == ' ') pos++;
    }
    return n;
}

void rp_svg_chain(struct rp_out *o, const struct rp_hyp *h)
{
    if (!h || !h->n_chain) return;
    const double bw = 460, x0 = 30, line_h = 17, gap = 26;
    size_t starts[RP_MAX_CHAIN][8], lens[RP_MAX_CHAIN][8], nl[RP_MAX_CHAIN];
    double height = 10;
    for (size_t i = 0; i < h->n_chain; i++) {
        nl[i] = wrap(h->chain[i], 52, starts[i], lens[i], 8);
        if (!nl[i]) {
            nl[i] = 1;
            starts[i][0] = lens[i][0] = 0;
        }
        height += (double)nl[i] * line_h + 18 + gap;
    }
    rp_printf(o,
              "<svg class=\"chain\" viewBox=\"0 0 520 %.0f\" role=\"img\" "
              "aria-labelledby=\"ch-title\">"
              "<title id=\"ch-title\">Root-cause chain, cause at the top</title>"
              "<defs><marker id=\"arr\" viewBox=\"0 0 10 10\" refX=\"5\" refY=\"9\" "
              "markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">"
              "<path d=\"M0 0L10 0L5 10z\" class=\"arrow\"/></marker></defs>\n",
              height - gap + 10);
    double y = 10;
    for (size_t i = 0; i < h->n_chain; i++) {
        double bh = (double)nl[i] * line_h + 18;
        const char *cls = i == 0 ? "cause" : i + 1 == h->n_chain ? "effect" : "step";
        rp_printf(o,
                  "<g class=\"node %s\"><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                  "height=\"%.1f\" rx=\"8\"/>",
                  cls, x0, y, bw, bh);
        for (size_t k = 0; k < nl[i]; k++) {
            char *line = strndup(h->chain[i] + starts[i][k], lens[i][k]);
            if (!line) {
                o->err = o->err ? o->err : -ENOMEM;
                return;
            }
            rp_printf(o, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", x0 + bw / 2,
                      y + 22 + (double)k * line_h);
            rp_html(o, line);
            rp_puts(o, "</text>");
            free(line);
        }
        rp_puts(o, "</g>\n");
        if (i + 1 < h->n_chain)
            rp_printf(o,
                      "<line class=\"link\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                      "marker-end=\"url(#arr)\"/>\n",
                      x0 + bw / 2, y + bh + 2, x0 + bw / 2, y + bh + gap - 6);
        y += bh + gap;
    }
    rp_puts(o, "</svg>\n");
}
