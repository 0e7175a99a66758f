/* SPDX-License-Identifier: MIT */
/*
 * errors.h: `tshoot logs errors`: the warning and error lines that matter.
 *
 * Reads every input of a struct logs_query once and builds the document
 * "tshoot.logs.errors/1" (documented in docs/logs.md): warnings and errors
 * grouped by template with per-minute counts, the first occurrence of every
 * error template, spikes against a baseline (robust z-score over per-minute
 * counts), templates new in the window and spikes of different sources that
 * start together.
 */
#ifndef TSHOOT_LOGS_ERRORS_H
#define TSHOOT_LOGS_ERRORS_H

#include <jansson.h>
#include <stddef.h>
#include "core/buf.h"
#include "logs/query.h"

/* Run the analysis. On success returns 0 and *ret (caller owns, json_decref).
 * Returns -ENOENT when a path does not exist, -ENOMEM, or another -errno of
 * the reader; per-file problems (binary, truncated archive, unreadable file)
 * are listed in the document's "inputs.problems", not returned. */
int logs_errors_run(const struct logs_query *q, json_t **ret);

/* Baseline read before --since: the window's robust statistics use up to
 * this much history (ns). */
#define LOGS_BASELINE_LOOKBACK (24LL * 3600 * TS_NSEC_PER_SEC)
/* A minute is a spike when its count is >= LOGS_SPIKE_MIN and its robust
 * z-score (count - median) / max(1.4826 * MAD, 1) is >= LOGS_SPIKE_Z. */
#define LOGS_SPIKE_MIN 5
#define LOGS_SPIKE_Z   5.0
/* Spikes of different sources starting within this many ns are correlated. */
#define LOGS_CORRELATE_NS (2LL * 60 * TS_NSEC_PER_SEC)
/* Caps (memory is bounded whatever the input). */
#define LOGS_MAX_TEMPLATES 10000 /* miner template ids tracked; lines past it are counted */
#define LOGS_MAX_MINUTES   100000

#endif
