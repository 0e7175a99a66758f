/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/report: time normalisation, escaping, the alert
 * evaluation over fill samples, redaction, untimed input and caps. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "report/model.h"
#include "report/report.h"

#define FIXTURE "tests/data/report/diagnosis-founding.json"

static json_t *load_fixture(void)
{
    json_error_t e;
    json_t *d = json_load_file(FIXTURE, 0, &e);
    if (!d) fail_msg("cannot load %s: %s", FIXTURE, e.text);
    return d;
}

/* Outside code spans and fenced blocks (where CommonMark shows text
 * literally), a Markdown document must hold no raw '<': no HTML can open. */
static void assert_no_raw_html(const char *md)
{
    bool fenced = false;
    for (const char *line = md; *line;) {
        size_t n = strcspn(line, "\n");
        if (strncmp(line, "```", 3) == 0) fenced = !fenced;
        for (size_t i = 0; !fenced && i < n; i++) {
            if (line[i] == '\\') {
                i++;
                continue;
            }
            if (line[i] == '`') {
                size_t run = strspn(line + i, "`");
                /* find the closing run of the same length on this line */
                const char *p = line + i + run, *end = line + n;
                while (p < end) {
                    const char *q = memchr(p, '`', (size_t)(end - p));
                    if (!q) break;
                    size_t r = strspn(q, "`");
                    if (r == run) {
                        i = (size_t)(q - line) + r - 1;
                        break;
                    }
                    p = q + r;
                }
                continue;
            }
            if (line[i] == '<') fail_msg("raw '<' in Markdown: %.*s", (int)n, line);
            if (line[i] == ']' && line[i + 1] == '(')
                fail_msg("a link or image in Markdown: %.*s", (int)n, line);
        }
        line += n;
        if (*line) line++;
    }
}

static void test_parse_time(void **state)
{
    (void)state;
    struct rp_time t;
    char b[64];
    assert_int_equal(rp_parse_time("2026-04-14T21:22:40Z", &t), 0);
    assert_string_equal(rp_fmt_time(t.t, b, sizeof b), "2026-04-14 21:22:40 UTC");
    assert_true(t.has_zone);
    assert_int_equal(t.off_min, 0);
    /* another zone: the instant is converted, the offset kept for display */
    assert_int_equal(rp_parse_time("2026-04-15T09:05:00+02:00", &t), 0);
    assert_string_equal(rp_fmt_time(t.t, b, sizeof b), "2026-04-15 07:05:00 UTC");
    assert_int_equal(t.off_min, 120);
    assert_int_equal(rp_parse_time("2026-01-01T00:30:00.250-0530", &t), 0);
    assert_string_equal(ts_format(t.t, 1, b, sizeof b), "2026-01-01T06:00:00.250Z");
    assert_int_equal(t.off_min, -330);
    assert_string_equal(rp_fmt_zone(t.off_min, b, sizeof b), "-05:30");
    /* no zone: UTC assumed, and flagged */
    assert_int_equal(rp_parse_time("2026-04-14 21:22:40", &t), 0);
    assert_false(t.has_zone);
    assert_string_equal(rp_fmt_time(t.t, b, sizeof b), "2026-04-14 21:22:40 UTC");
    assert_int_equal(rp_parse_time("2026-13-01T00:00:00Z", &t), -EINVAL);
    assert_int_equal(rp_parse_time("yesterday", &t), -EINVAL);
    /* outside 1970..2200 the nanosecond arithmetic could overflow */
    assert_int_equal(rp_parse_time("2300-01-01T00:00:00Z", &t), -EINVAL);
    assert_int_equal(rp_parse_time("1969-12-31T23:59:59Z", &t), -EINVAL);
    assert_int_equal(rp_parse_time("2026-04-14T21:22:40Zjunk", &t), -EINVAL);
    assert_int_equal(t.t, TS_TIME_NONE);
    assert_string_equal(
        rp_fmt_dur(44 * 3600 * TS_NSEC_PER_SEC + 330 * TS_NSEC_PER_SEC, b, sizeof b), "44h05m");
}

static char *esc(void (*f)(struct rp_out *, const char *), const char *s)
{
    struct rp_out o = { .b = BUF_INIT(1 << 16) };
    f(&o, s);
    assert_int_equal(o.err, 0);
    char *r = buf_take(&o.b);
    buf_release(&o.b);
    assert_non_null(r);
    return r;
}

static void test_escape(void **state)
{
    (void)state;
    char *s = esc(rp_html, "<script>alert('x')</script> & \"q\"\n<img src=x onerror=y>");
    assert_string_equal(s, "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot; "
                           "&lt;img src=x onerror=y&gt;");
    free(s);
    s = esc(rp_md, "[click](javascript:alert(1)) <b>*x*</b> | `c` _u_ ![i](http://e/x.png)");
    assert_string_equal(s,
                        "\\[click\\](javascript:alert(1)) &lt;b&gt;\\*x\\*&lt;/b&gt; \\| \\`c\\` "
                        "\\_u\\_ \\!\\[i\\](http\\://e/x.png)");
    free(s);
    /* a leading list or heading marker cannot start a block */
    s = esc(rp_md, "- item");
    assert_string_equal(s, "\\- item");
    free(s);
    s = esc(rp_md, "12. step");
    assert_string_equal(s, "12\\. step");
    free(s);
    s = esc(rp_mermaid, "a\"] --> x[\"<b>");
    assert_string_equal(s, "a#quot;#93; --#gt; x#91;#quot;#lt;b#gt;");
    free(s);
}

static void test_code_span(void **state)
{
    (void)state;
    struct rp_out o = { .b = BUF_INIT(1 << 12) };
    rp_md_code(&o, "a `b` c", false);
    rp_puts(&o, "|");
    rp_md_code(&o, "`x|y", true);
    assert_int_equal(o.err, 0);
    assert_string_equal(buf_str(&o.b), "``a `b` c``|`` `x\\|y ``");
    buf_release(&o.b);
}

static void test_founding_markdown(void **state)
{
    (void)state;
    json_t *d = load_fixture();
    char *md = NULL;
    assert_int_equal(report_markdown(d, &md), 0);
    assert_no_raw_html(md);
    static const char *const sections[] = {
        "\n## Summary\n",        "\n## Impact and duration\n",  "\n## Affected services\n",
        "\n## Timeline\n",       "\n## Root-cause chain\n",     "\n## Ranked hypotheses\n",
        "\n## Detection gaps\n", "\n## Contributing factors\n", "\n## Action items\n",
        "\n## Alert rules\n",    "\n## Evidence appendix\n",
    };
    const char *prev = md;
    for (size_t i = 0; i < ELEMENTSOF(sections); i++) {
        const char *p = strstr(md, sections[i]);
        if (!p) fail_msg("section '%s' missing", sections[i] + 4);
        assert_true(p > prev); /* in order */
        prev = p;
    }
    assert_non_null(strstr(md, "**disk\\_full**"));
    assert_non_null(strstr(md, "```mermaid\nflowchart TD\n"));
    /* the converted zone is shown with the original local time */
    assert_non_null(strstr(md, "2026-04-15 07:05:00 UTC (09:05:00+02:00 in the source)"));
    assert_non_null(strstr(md, "UTC+02:00"));
    /* the detection gap: 80% would have fired 3h02m before the first error */
    assert_non_null(
        strstr(md, "| TshootFilesystemNearlyFull | used &gt; 80% | 2026-04-14 18:20:30 UTC | "
                   "3h02m |"));
    assert_non_null(strstr(md, "- `notes.md`")); /* untimed source listed */
    assert_non_null(strstr(md, "| P0 | Remove expired session\\_\\* files"));
    /* ranked best first, the first three of the four */
    const char *a = strstr(md, "| 1 | Container /dev/shm"), *b = strstr(md, "| 2 | Upstream");
    assert_non_null(a);
    assert_non_null(b);
    assert_true(a < b);
    free(md);
    json_decref(d);
}

static void test_founding_html(void **state)
{
    (void)state;
    json_t *d = load_fixture();
    char *html = NULL;
    assert_int_equal(report_html(d, &html), 0);
    assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    assert_non_null(strstr(html, "Content-Security-Policy"));
    assert_non_null(strstr(html, "<svg class=\"timeline\""));
    assert_non_null(strstr(html, "<svg class=\"chain\""));
    assert_non_null(strstr(html, "class=\"thr t80\""));
    assert_non_null(strstr(html, "class=\"thr t95\""));
    assert_non_null(strstr(html, "class=\"thr t100\""));
    assert_non_null(strstr(html, "@media print"));
    /* self-contained: nothing to load */
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "src="));
    assert_null(strstr(html, "href=\"http"));
    for (const char *u = strstr(html, "url("); u; u = strstr(u + 1, "url("))
        assert_true(u[4] == '#'); /* only references inside the page */
    assert_null(strstr(html, "@import"));
    assert_null(strstr(html, "@font-face"));
    assert_null(strstr(html, "url(http"));
    free(html);
    json_decref(d);
}

/* A synthetic fill: 4%/h from 0 at t0, sampled hourly. 80% at 20 h, 95% at
 * 24 h (first sample >= 95 is 24 h: 96%), predicted full within 24 h as soon
 * as (100 - p) / 4 <= 24, i.e. p >= 4 at t = 1 h. */
static void test_gap_evaluation(void **state)
{
    (void)state;
    json_t *d = json_pack("{s:s, s:[], s:[], s:[]}", "schema", "tshoot.diagnose/1", "hypotheses",
                          "timeline", "fs_samples");
    json_t *s = json_object_get(d, "fs_samples");
    for (int h = 0; h <= 25; h++) {
        char t[40];
        snprintf(t, sizeof t, "2026-03-01T%02d:00:00Z", h % 24);
        if (h >= 24) snprintf(t, sizeof t, "2026-03-02T%02d:00:00Z", h - 24);
        json_array_append_new(s, json_pack("{s:s, s:s, s:f, s:s}", "time", t, "subject",
                                           "/var/lib/data", "used_pct", 4.0 * h, "source",
                                           "host/snap.json"));
    }
    /* another filesystem, flat at 50%: not the one evaluated */
    json_array_append_new(s, json_pack("{s:s, s:s, s:f}", "time", "2026-03-01T05:00:00Z", "subject",
                                       "/", "used_pct", 50.0));
    json_array_append_new(json_object_get(d, "timeline"),
                          json_pack("{s:s, s:s, s:s, s:s}", "time", "2026-03-02T01:00:00Z",
                                    "source", "logs/app.log", "kind", "first_error", "text",
                                    "write failed: no space left on device"));
    struct rp_model *m = NULL;
    assert_int_equal(rp_model_build(d, &m), 0);
    char b[48];
    assert_string_equal(m->gaps[0].subject, "/var/lib/data");
    assert_string_equal(rp_fmt_time(m->gaps[0].fires, b, sizeof b), "2026-03-01 20:00:00 UTC");
    assert_string_equal(rp_fmt_time(m->gaps[1].fires, b, sizeof b), "2026-03-02 00:00:00 UTC");
    assert_string_equal(rp_fmt_time(m->gaps[2].fires, b, sizeof b), "2026-03-01 01:00:00 UTC");
    assert_false(m->gaps[0].existed);
    /* the impact window starts at the first error */
    assert_string_equal(rp_fmt_time(m->start, b, sizeof b), "2026-03-02 01:00:00 UTC");
    m = rp_model_free(m);

    /* an alert about the disk in the evidence: the alert existed */
    json_array_append_new(json_object_get(d, "timeline"),
                          json_pack("{s:s, s:s, s:s, s:s}", "time", "2026-03-01T20:05:00Z",
                                    "source", "alertmanager", "kind", "alert", "text",
                                    "DiskAlmostFull /var/lib/data firing"));
    assert_int_equal(rp_model_build(d, &m), 0);
    assert_true(m->gaps[0].existed);
    m = rp_model_free(m);

    /* a slow fill: 1%/h from 10% never predicts full within 24 h before 76% */
    json_array_clear(s);
    for (int h = 0; h < 24; h++) {
        char t[40];
        snprintf(t, sizeof t, "2026-03-01T%02d:00:00Z", h);
        json_array_append_new(
            s, json_pack("{s:s, s:s, s:f}", "time", t, "subject", "/srv", "used_pct", 10.0 + h));
    }
    assert_int_equal(rp_model_build(d, &m), 0);
    assert_int_equal(m->gaps[0].fires, TS_TIME_NONE);
    assert_int_equal(m->gaps[2].fires, TS_TIME_NONE);
    m = rp_model_free(m);
    json_decref(d);
}

static json_t *hostile_diagnosis(void)
{
    const char *x = "<script>alert(1)</script><img src=x onerror=alert(2)>"
                    "[link](javascript:alert(3)) `code` | cell | **bold** password=hunter2";
    return json_pack(
        "{s:s, s:s, s:{s:s, s:[{s:s, s:s, s:i, s:b}]},"
        " s:[{s:s, s:s, s:s, s:f, s:s, s:s, s:[{s:s, s:s, s:s, s:s, s:f, s:i}],"
        "     s:[s, s], s:[{s:s, s:s, s:s}], s:s, s:s}],"
        " s:[{s:s, s:s, s:s, s:s}], s:[{s:s, s:s, s:i}], s:[s]}",
        "schema", "tshoot.diagnose/1", "generated_at", x, "inputs", "bundle", x, "sources", "path",
        x, "kind", "log", "lines", 3, "timed", 1, "hypotheses", "id", x, "category", "disk_full",
        "title", x, "score", 0.9, "confidence", "high", "subject", x, "evidence", "kind", "log",
        "ref", x, "time", "2026-04-14T21:22:40Z", "text",
        "Authorization: Bearer abcdefghijklmnop123 </code></li><script>x</script>", "weight", 0.5,
        "count", 2, "chain", x, "\"]\n  evil[\"x", "prevention", "alert", x, "expr", x, "for", "5m",
        "mitigation", x, "fix", x, "timeline", "time", "2026-04-14T21:22:40Z", "source", x, "kind",
        "<b>first_error</b>", "text", x, "services", "name", x, "first_anomaly",
        "2026-04-14T21:22:40Z", "errors", 5, "untimed_sources", x);
}

static void test_injection(void **state)
{
    (void)state;
    json_t *d = hostile_diagnosis();
    assert_non_null(d);
    char *html = NULL, *md = NULL;
    assert_int_equal(report_html(d, &html), 0);
    assert_int_equal(report_markdown(d, &md), 0);
    assert_null(strstr(html, "<script"));
    assert_null(strstr(html, "<img"));
    assert_null(strstr(html, "<b>first_error"));
    assert_non_null(strstr(html, "&lt;b&gt;first_error&lt;/b&gt;"));
    assert_null(strstr(html, "</code></li><script"));
    assert_non_null(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert_no_raw_html(md);
    assert_null(strstr(md, "[REDACTED]]"));
    assert_non_null(strstr(md, "&lt;script&gt;"));
    /* the mermaid label cannot close its node or add one */
    assert_null(strstr(md, "\"]\n  evil"));
    /* secrets: none survive, in either format */
    assert_null(strstr(html, "hunter2"));
    assert_null(strstr(md, "hunter2"));
    assert_null(strstr(html, "abcdefghijklmnop123"));
    assert_null(strstr(md, "abcdefghijklmnop123"));
    assert_non_null(strstr(md, "[REDACTED]"));
    free(html);
    free(md);
    json_decref(d);
}

static void test_untimed(void **state)
{
    (void)state;
    json_t *d = json_pack("{s:s, s:{s:[{s:s,s:s,s:i,s:b},{s:s,s:s,s:i,s:b}]}, s:[{s:s, s:s, "
                          "s:s, s:f, s:[{s:s,s:s,s:s}]}], s:[], s:[]}",
                          "schema", "tshoot.diagnose/1", "inputs", "sources", "path",
                          "logs/app/app.log", "kind", "log", "lines", 40, "timed", 0, "path",
                          "logs/db.log", "kind", "log", "lines", 12, "timed", 0, "hypotheses", "id",
                          "disk_full.generic", "category", "disk_full", "title", "Filesystem full",
                          "score", 0.6, "evidence", "kind", "log", "ref", "logs/app/app.log:7",
                          "text", "No space left on device", "timeline", "services");
    char *md = NULL, *html = NULL;
    assert_int_equal(report_markdown(d, &md), 0);
    assert_int_equal(report_html(d, &html), 0);
    assert_non_null(strstr(md, "The evidence carries no timestamps"));
    assert_non_null(strstr(md, "Untimed sources (no timestamps, not on the timeline):\n\n"
                               "- `logs/app/app.log`\n- `logs/db.log`\n"));
    assert_non_null(strstr(md, "could not be evaluated"));
    assert_non_null(strstr(html, "<code>logs/db.log</code>"));
    assert_null(strstr(html, "<svg class=\"timeline\""));
    free(md);
    free(html);
    json_decref(d);
}

/* The sections are written once (render.c) through a writer per format:
 * both formats say the same things, including what is left out. */
static void test_same_sections(void **state)
{
    (void)state;
    json_t *d = load_fixture();
    json_t *hyps = json_object_get(d, "hypotheses");
    json_t *copy = json_deep_copy(hyps);
    for (int i = 0; i < 4; i++) assert_int_equal(json_array_extend(hyps, copy), 0);
    json_decref(copy);
    char *md = NULL, *html = NULL;
    assert_int_equal(report_markdown(d, &md), 0);
    assert_int_equal(report_html(d, &html), 0);
    static const char *const both[] = {
        "The most likely cause (",
        " In short: ",
        "Per source, first to last event:",
        "lower-ranked hypotheses are not shown.",
        "What confirmed the leading hypothesis",
        "What ruled the others out",
        "Rank 2, ",
        "The built-in alert conditions, evaluated over the filesystem milestones",
        "P0 stops the impact, P1 removes the cause",
        "From the hypotheses' prevention entries (Prometheus rules file):",
        "Every string below comes from the evidence, with secrets redacted.",
    };
    for (size_t i = 0; i < sizeof both / sizeof both[0]; i++) {
        if (!strstr(md, both[i])) fail_msg("markdown lacks '%s'", both[i]);
        if (!strstr(html, both[i])) fail_msg("html lacks '%s'", both[i]);
    }
    /* the writers' own syntax */
    assert_non_null(strstr(md, "\n## Ranked hypotheses\n\n| Rank | Hypothesis |"));
    assert_non_null(strstr(html, "<section id=\"hypotheses\">\n<h2>Ranked hypotheses</h2>\n"
                                 "<div class=\"scroll\"><table><thead><tr><th>Rank</th>"));
    assert_non_null(strstr(html, "(Prometheus rules file):</p><pre>groups:\n"));
    assert_non_null(strstr(md, "(Prometheus rules file):\n\n```yaml\ngroups:\n"));
    assert_null(strstr(html, "<ol"));
    /* a paragraph directly followed by a list keeps no line break between */
    assert_non_null(strstr(html, "<p>The arithmetic:</p><ul><li>"));
    assert_non_null(strstr(md, "The arithmetic:\n\n- "));
    /* every section is closed once, the page ends once */
    assert_non_null(strstr(html, "</section>\n</main>\n</body>\n</html>\n"));
    size_t open = 0, close = 0;
    for (const char *p = html; (p = strstr(p, "<section ")); p++) open++;
    for (const char *p = html; (p = strstr(p, "</section>")); p++) close++;
    assert_int_equal(open, 11);
    assert_int_equal(close, 11);
    assert_int_equal(md[strlen(md) - 1], '\n');
    assert_int_not_equal(md[strlen(md) - 2], '\n');
    free(md);
    free(html);
    json_decref(d);
}

static void test_invalid(void **state)
{
    (void)state;
    char *s = NULL;
    json_t *d = json_pack("{s:s}", "schema", "tshoot.collect/1");
    assert_int_equal(report_markdown(d, &s), -EINVAL);
    assert_int_equal(report_html(d, &s), -EINVAL);
    json_decref(d);
    d = json_array();
    assert_int_equal(report_markdown(d, &s), -EINVAL);
    json_decref(d);
    /* wrong types everywhere: still a report, nothing crashes */
    d = json_pack("{s:s, s:i, s:s, s:{}, s:[i, s, {s:i}], s:[{s:i, s:[i]}]}", "schema",
                  "tshoot.diagnose/1", "hypotheses", 3, "timeline", "x", "services", "inputs", 1,
                  "x", "time", 4, "untimed_sources", "time", 5, "x", 6);
    assert_int_equal(report_markdown(d, &s), 0);
    free(s);
    assert_int_equal(report_html(d, &s), 0);
    free(s);
    json_decref(d);
    /* two centuries on one axis, and a series with an absurd step: bounded
     * output, no overflow (found by fuzz-report) */
    d = json_pack("{s:s, s:[{s:s,s:s,s:s,s:s},{s:s,s:s,s:s,s:s}], s:[{s:s, s:s, s:i, s:{s:s, "
                  "s:f, s:[i,i,i]}}]}",
                  "schema", "tshoot.diagnose/1", "timeline", "time", "1970-01-01T00:00:00Z",
                  "source", "a", "kind", "spike", "text", "x", "time", "2200-12-31T23:59:59Z",
                  "source", "b", "kind", "first_error", "text", "y", "services", "name", "s",
                  "first_anomaly", "2200-01-01T00:00:00Z", "errors", 3, "series", "start",
                  "2200-01-01T00:00:00Z", "step_s", 1e15, "counts", 1, 2, 3);
    assert_int_equal(report_html(d, &s), 0);
    assert_true(strlen(s) < 1u << 20);
    free(s);
    json_decref(d);
}

static void test_caps(void **state)
{
    (void)state;
    json_t *d = load_fixture();
    json_t *tl = json_object_get(d, "timeline");
    char big[4000];
    memset(big, 'A', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    for (int i = 0; i < 5000; i++) {
        char t[40];
        snprintf(t, sizeof t, "2026-04-15T%02d:%02d:%02dZ", (i / 3600) % 24, (i / 60) % 60, i % 60);
        json_array_append_new(tl, json_pack("{s:s, s:s, s:s, s:s}", "time", t, "source",
                                            "logs/noisy.log", "kind", "spike", "text", big));
    }
    char *md = NULL, *html = NULL;
    assert_int_equal(report_markdown(d, &md), 0);
    assert_int_equal(report_html(d, &html), 0);
    assert_non_null(strstr(md, "more timeline entries are not shown"));
    assert_null(strstr(md, big)); /* texts are capped */
    assert_true(strlen(md) < 2u << 20);
    assert_true(strlen(html) < 4u << 20);
    free(md);
    free(html);
    json_decref(d);
}

static void write_text(const char *dir, const char *rel, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, rel);
    FILE *f = fopen(path, "we");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

/* A bundle directory: one snapshot of a full /data holding 25,600
 * cache_ files written 20/min (one 4 KiB page each: 100 MiB holds exactly
 * 25,600), a metrics snapshot of /srv at 70%, and an app log with errors. */
static void test_enrich_bundle(void **state)
{
    (void)state;
    char dir[] = "/tmp/tshoot-report-enrich.XXXXXX";
    assert_non_null(mkdtemp(dir));
    char sub[600];
    static const char *const subs[] = { "host", "metrics", "logs", "logs/app" };
    for (size_t i = 0; i < ELEMENTSOF(subs); i++) {
        snprintf(sub, sizeof sub, "%s/%s", dir, subs[i]);
        assert_int_equal(mkdir(sub, 0755), 0);
    }
    write_text(dir, "host/snap.json",
               "{\"schema\":\"tshoot.collect/1\",\"host\":{\"time\":\"2026-01-02T00:00:00Z\"},"
               "\"filesystems\":[{\"mountpoint\":\"/data\",\"fstype\":\"ext4\","
               "\"size_bytes\":104857600,\"used_bytes\":104857600,\"used_pct\":100}],"
               "\"hotspots\":[{\"dir\":\"/data\",\"prefix\":\"cache_\",\"count\":25600,"
               "\"bytes\":102400000,\"oldest_mtime\":\"2026-01-01T00:00:00Z\","
               "\"newest_mtime\":\"2026-01-02T00:00:00Z\",\"rate_per_min\":20,"
               "\"fs_mountpoint\":\"/data\"}]}");
    write_text(dir, "metrics/node.prom",
               "# tshoot-time: 2026-01-01T12:00:00Z\n"
               "node_filesystem_size_bytes{mountpoint=\"/srv\",fstype=\"xfs\"} 1000\n"
               "node_filesystem_avail_bytes{mountpoint=\"/srv\",fstype=\"xfs\"} 300\n");
    write_text(dir, "logs/app/app.log",
               "2026-01-01T21:00:00Z INFO started\n"
               "2026-01-01T21:20:10Z ERROR write failed: no space left on device\n"
               "2026-01-01T21:20:40Z ERROR write failed: no space left on device\n"
               "2026-01-01T21:31:00Z ERROR write failed: no space left on device\n");
    json_t *d = json_pack("{s:s, s:[], s:[], s:[{s:s, s:s, s:i}]}", "schema", "tshoot.diagnose/1",
                          "hypotheses", "timeline", "services", "name", "app", "first_anomaly",
                          "2026-01-01T21:20:10Z", "errors", 3);
    int n = report_enrich_bundle(d, dir);
    assert_true(n > 3);
    /* the /srv metric sample */
    json_t *s, *x;
    size_t i;
    bool srv = false;
    json_array_foreach(json_object_get(d, "fs_samples"), i, x)
    {
        if (streq(json_string_value(json_object_get(x, "subject")), "/srv")) {
            srv = true;
            assert_float_equal(json_number_value(json_object_get(x, "used_pct")), 70.0, 1e-9);
            assert_string_equal(json_string_value(json_object_get(x, "time")),
                                "2026-01-01T12:00:00Z");
        }
    }
    assert_true(srv);
    /* the app's error series, from the log engine */
    s = json_object_get(json_array_get(json_object_get(d, "services"), 0), "series");
    assert_non_null(s);
    double total = 0;
    json_array_foreach(json_object_get(s, "counts"), i, x) total += json_number_value(x);
    assert_float_equal(total, 3.0, 1e-9);
    /* the reconstructed fill: 80% after 0.8 x 25,600 files at 20/min =
     * 1,024 min (17:04), 95% after 1,216 min (20:16), full at 21:20 */
    struct rp_model *m = NULL;
    assert_int_equal(rp_model_build(d, &m), 0);
    char b[48];
    assert_string_equal(m->gaps[0].subject, "/data");
    assert_string_equal(rp_fmt_time(m->gaps[0].fires, b, sizeof b), "2026-01-01 17:04:00 UTC");
    assert_string_equal(rp_fmt_time(m->gaps[1].fires, b, sizeof b), "2026-01-01 20:16:00 UTC");
    assert_non_null(strstr(m->gaps[0].basis, "reconstructed from 25600 cache_ files"));
    assert_int_equal(m->services[0].n_series > 0, 1);
    m = rp_model_free(m);
    /* not a directory */
    write_text(dir, "file", "x");
    snprintf(sub, sizeof sub, "%s/file", dir);
    assert_int_equal(report_enrich_bundle(d, sub), -ENOTDIR);
    json_decref(d);
    char cmd[700];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    assert_int_equal(system(cmd), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_time),    cmocka_unit_test(test_escape),
        cmocka_unit_test(test_code_span),     cmocka_unit_test(test_founding_markdown),
        cmocka_unit_test(test_founding_html), cmocka_unit_test(test_gap_evaluation),
        cmocka_unit_test(test_injection),     cmocka_unit_test(test_untimed),
        cmocka_unit_test(test_invalid),       cmocka_unit_test(test_caps),
        cmocka_unit_test(test_enrich_bundle), cmocka_unit_test(test_same_sections),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
