/* SPDX-License-Identifier: MIT */
/*
 * kb.h: the knowledge base of failure modes (rules/NAME.yaml, one rule a file).
 *
 * A rule names a failure mode (id, category, title), the signals that point
 * at it (log patterns with weights, collect findings and filesystem
 * conditions, metric conditions), what contradicts it, which symptom
 * categories it explains, and the advice (next checks, mitigation, fix,
 * prevention alerts). docs/rules.md describes the file format.
 *
 * Loading is all-or-nothing per file: a malformed rule (bad YAML, unknown
 * key, missing field, invalid regex) is rejected whole and reported as
 * "FILE:LINE:COL: message"; the other files still load.
 */
#ifndef TSHOOT_RCA_KB_H
#define TSHOOT_RCA_KB_H

#include <stddef.h>
#include <jansson.h>
#include "core/macro.h"

/* The fixed taxonomy: every rule's category is one of these ids. */
extern const char *const kb_categories[];
extern const size_t kb_n_categories;
/* Index of a category id in kb_categories, or -1. */
int kb_category_index(const char *id);
/* True for categories that usually describe a symptom of another cause
 * (upstream_unavailable, timeout_cascade, probe_failure, crashloop_config,
 * image_pull): they lose to a cause category found in the same evidence. */
int kb_category_is_symptom(const char *id);

enum kb_signal_type {
    KB_SIG_LOG = 0,    /* regex over each log line (and k8s/snapshot evidence lines) */
    KB_SIG_FINDING,    /* a collect finding id (optionally fstype-restricted) */
    KB_SIG_FILESYSTEM, /* a collect filesystem row meeting thresholds */
    KB_SIG_METRIC,     /* a metric sample meeting a comparison */
};

struct kb_require {
    char *group; /* named capture group */
    double min;  /* numeric value of the group must be >= min */
};

struct kb_signal {
    enum kb_signal_type type;
    char *name;    /* short label, defaults to "signal N" */
    double weight; /* 0..1 */
    int line;      /* line in the rule file */
    /* KB_SIG_LOG */
    char *pattern; /* Hyperscan-compatible regex, matched case-insensitively */
    char *capture; /* optional PCRE2 regex with named groups, run on matched lines */
    struct kb_require *requires;
    size_t n_requires;
    unsigned
        window; /* >0: `log` opens a window; `capture` runs on the next N lines of that source */
    /* KB_SIG_FINDING */
    char *finding;
    /* KB_SIG_FILESYSTEM and KB_SIG_FINDING filter */
    char *fstype;          /* NULL: any */
    double min_used_pct;   /* -1: unset */
    double min_inodes_pct; /* -1: unset */
    int readonly;          /* 1: filesystem mounted read-only */
    /* KB_SIG_METRIC */
    char *metric;
    char op[3]; /* "<", "<=", ">", ">=", "==", "!=" */
    double value;
    unsigned min_series; /* at least this many series meet the comparison (default 1) */
    char *why;           /* for against entries: why it contradicts */
};

struct kb_check {
    char *cmd;
    char *why;
};

struct kb_alert {
    char *alert, *expr, *for_, *why;
};

struct kb_rule {
    char *id;
    char *category;
    char *title;
    char *summary;
    char *file;  /* path it was loaded from */
    int symptom; /* kind: symptom */
    struct kb_signal *signals;
    size_t n_signals;
    struct kb_signal *against;
    size_t n_against;
    char **explains; /* categories this cause explains */
    size_t n_explains;
    char **symptoms; /* what dependents see, free text */
    size_t n_symptoms;
    char **chain;
    size_t n_chain;
    struct kb_check *checks;
    size_t n_checks;
    char *mitigation;
    char *fix;
    struct kb_alert *prevention;
    size_t n_prevention;
};

struct kb {
    struct kb_rule *rules;
    size_t n_rules;
    char **errors; /* "FILE:LINE:COL: message" for every rejected file */
    size_t n_errors;
    size_t n_files;
};

/* Load every *.yaml / *.yml of each directory in dirs[0..n_dirs) (NULL
 * entries are skipped) in name order. A later rule with the same id replaces
 * an earlier one (user rules override built-in ones). Rejected files are
 * listed in (*ret)->errors; that is not a failure of kb_load. Returns 0,
 * -ENOENT when a directory is missing, -ENOMEM, -ELIBACC when libfyaml (loaded
 * on first use) cannot be loaded (dl_error()). *ret is caller-owned. */
int kb_load(const char *const *dirs, size_t n_dirs, struct kb **ret);

/* Parse one rule file. Returns 0 and *ret (caller-owned, free with
 * kb_rule_done + free), or -EINVAL with *ret_err ("FILE:LINE:COL: msg",
 * caller-owned), or -ELIBACC without libfyaml. `data` may be NULL to read `path`. */
int kb_parse_rule(const char *path, const char *data, size_t len, struct kb_rule **ret,
                  char **ret_err);

/* Refuse input libfyaml must not see (NUL bytes, '%' directives: libfyaml
 * 0.7 can hang on malformed ones). 0, or -EINVAL and *ret_line. */
int kb_yaml_precheck(const char *data, size_t len, int *ret_line);

void kb_rule_done(struct kb_rule *r);
struct kb *kb_free(struct kb *kb);
DEFINE_TRIVIAL_CLEANUP_FUNC(struct kb *, kb_free)

/* One embedded rule file: the shipped rules/NAME.yaml compiled into the
 * binary (generated at build time by scripts/embed-rules.py). */
struct kb_text {
    const char *name; /* "NAME.yaml" */
    const char *text;
    size_t len;
};
extern const struct kb_text kb_builtin_files[];
extern const size_t kb_n_builtin_files;

/* Like kb_load, but the embedded built-in rules load first (their file names
 * read "rules/NAME.yaml"), then each directory of dirs overrides or extends
 * them by id. Returns 0, -ENOENT when a directory is missing, -ENOMEM. */
int kb_load_builtin(const char *const *dirs, size_t n_dirs, struct kb **ret);

/* An explicit built-in rules directory ($TSHOOT_RULES_DIR) that replaces the
 * embedded rules, or NULL: use the embedded ones (kb_load_builtin).
 * Borrowed string. */
const char *kb_default_dir(void);

/* Borrowed rule by id, or NULL. */
const struct kb_rule *kb_find(const struct kb *kb, const char *id);
/* The rule as JSON (caller owns), NULL when unknown. */
json_t *kb_rule_json(const struct kb *kb, const char *id);

#endif
