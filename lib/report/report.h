/* SPDX-License-Identifier: MIT */
/*
 * report.h: the blameless postmortem draft, written from a diagnosis.
 *
 * Input is a "tshoot.diagnose/1" document (see docs/report.md and the
 * contract in diagnose.h): hypotheses with evidence, a timeline, services and
 * the untimed sources. Both renderers produce the same sections: summary,
 * impact and duration, affected services, timeline (every source merged on
 * one UTC axis, the zone of converted times shown), root-cause chain,
 * ranked hypotheses, detection gaps (built-in alert conditions evaluated over
 * the filesystem milestones and samples), contributing factors, action items
 * P0-P3, alert rules and an evidence appendix.
 *
 * Safety: every string taken from the diagnosis passes through redaction
 * (core/redact.h) and is then escaped for the output language, so a log line
 * can neither leak a secret nor inject Markdown, HTML or script. Item counts
 * and string lengths are capped; the output is bounded (REPORT_MAX_BYTES).
 *
 * Optional fields beyond the contract that the renderers use when present:
 *   services[].series = {"start": RFC3339, "step_s": N, "counts": [N...]}
 *                       per-service error counts for the sparklines;
 *   fs_samples = [{"time", "subject", "used_pct", "source"}]
 *                       filesystem fill samples (report_enrich_bundle adds
 *                       them from a bundle's snapshots and metrics);
 *   timeline[].value    a number (the percentage of an fs_milestone);
 *   alert_rules_yaml    a rules file to attach verbatim (the lead's
 *                       `tshoot rules alerts` output).
 */
#ifndef TSHOOT_REPORT_H
#define TSHOOT_REPORT_H

#include <jansson.h>
#include "core/macro.h"

#define REPORT_MAX_BYTES (16u << 20)

/* Markdown postmortem (CommonMark + GFM tables, a Mermaid chain diagram).
 * diagnosis is borrowed. On success *ret is a NUL-terminated string owned by
 * the caller. Returns 0, -EINVAL when diagnosis is not a diagnose object,
 * -E2BIG past REPORT_MAX_BYTES, -ENOMEM. */
_warn_unused_result_ int report_markdown(json_t *diagnosis, char **ret);

/* The same report as one self-contained HTML page (inline CSS and SVG, no
 * script, no external resource; a Content-Security-Policy forbids both).
 * Same ownership and errors as report_markdown(). */
_warn_unused_result_ int report_html(json_t *diagnosis, char **ret);

/* Add what the renderers can use from a bundle directory and the diagnosis
 * does not carry: "fs_samples" from host/NAME.json snapshots (filesystems[] at
 * host.time) and from metrics/NAME.prom (tshoot_fs_* or node_filesystem_*
 * families, time from a "# tshoot-time:" line or the samples' timestamps).
 * Reads at most a bounded number of files and bytes, never follows symlinks
 * out of the bundle. diagnosis is modified in place. Returns the number of
 * samples added (>= 0), -ENOTDIR when bundle is not a directory, -ENOMEM. */
_warn_unused_result_ int report_enrich_bundle(json_t *diagnosis, const char *bundle);

#endif
