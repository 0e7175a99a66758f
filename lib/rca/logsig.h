/* SPDX-License-Identifier: MIT */
/*
 * logsig.h: the knowledge base's log signals as a struct logs_sigs matcher
 * for the log analyses (logs_errors_run): one signature per (rule, log
 * signal), matched with the rules' single Hyperscan database, PCRE2 only
 * for signals that `require` captured values.
 */
#ifndef TSHOOT_RCA_LOGSIG_H
#define TSHOOT_RCA_LOGSIG_H

#include "logs/query.h"
#include "rca/kb.h"
#include "rca/signatures.h"

struct rca_logsigs;

/* Build the matcher over kb and db (both borrowed, must outlive it; db must
 * be built from kb). Signals with a `window` count on the line that opens
 * the window. *ret is caller-owned. 0, -EINVAL, -ENOMEM. */
int rca_logsigs_new(const struct kb *kb, struct sigdb *db, struct rca_logsigs **ret);
struct rca_logsigs *rca_logsigs_free(struct rca_logsigs *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct rca_logsigs *, rca_logsigs_free)
/* The matcher to put in logs_query.sigs (borrowed from m). */
const struct logs_sigs *rca_logsigs_get(const struct rca_logsigs *m);

#endif
