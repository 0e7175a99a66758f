/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/rca: rule loading (good and bad, with FILE:LINE:COL),
 * signature matching through the combined Hyperscan database, tmpfs arithmetic. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rca/diagnose.h"
#include "rca/kb.h"
#include "rca/signatures.h"

static const char good[] = "id: t1\ncategory: disk_full\ntitle: T\nsignals:\n"
                           "  - log: 'no space left on device'\n    weight: 0.8\n"
                           "  - log: 'could not resize shared memory segment'\n    weight: 0.4\n"
                           "  - log: '\\[\\s*\\d+\\]\\s+(\\d+)'\n"
                           "    capture: '\\[\\s*\\d+\\]\\s+(?<rss>\\d+)'\n"
                           "    require: { rss: 1000 }\n    weight: 0.5\n"
                           "  - filesystem: { fstype: tmpfs, min_used_pct: 95 }\n    weight: 0.9\n"
                           "explains: [upstream_unavailable]\n";

static void test_parse_good(void **state)
{
    (void)state;
    struct kb_rule *r = NULL;
    char *err = NULL;
    assert_int_equal(kb_parse_rule("good.yaml", good, strlen(good), &r, &err), 0);
    assert_null(err);
    assert_string_equal(r->id, "t1");
    assert_int_equal(r->n_signals, 4);
    assert_int_equal(r->signals[0].line, 5);
    assert_int_equal(r->signals[3].type, KB_SIG_FILESYSTEM);
    assert_string_equal(r->signals[3].fstype, "tmpfs");
    assert_int_equal(r->n_explains, 1);
    kb_rule_done(r);
    free(r);
}

static void check_bad(const char *text, const char *want_prefix)
{
    struct kb_rule *r = NULL;
    char *err = NULL;
    assert_int_equal(kb_parse_rule("bad.yaml", text, strlen(text), &r, &err), -EINVAL);
    assert_null(r);
    assert_non_null(err);
    if (strncmp(err, want_prefix, strlen(want_prefix)) != 0)
        fail_msg("got '%s', want prefix '%s'", err, want_prefix);
    free(err);
}

static void test_parse_bad(void **state)
{
    (void)state;
    check_bad("id: x\ncategory: disk_full\ntitle: T\nsignals:\n  - log: 'a'\n    weight: 2\n",
              "bad.yaml:6:13: weight");
    check_bad("id: x\ncategory: nope\ntitle: T\nsignals:\n  - log: 'a'\n    weight: 0.5\n",
              "bad.yaml:2:11: unknown category");
    check_bad("id: x\ncategory: disk_full\ntitle: T\n",
              "bad.yaml:1:1: a rule needs at least one signal");
    check_bad("id: x\ncategory: disk_full\ntitle: T\nsignals:\n  - log: '(a'\n    weight: 0.5\n",
              "bad.yaml:5:11: invalid regex");
    check_bad(
        "id: x\ncategory: disk_full\ntitle: T\nsignals:\n  - log: '(a)\\1'\n    weight: 0.5\n",
        "bad.yaml:5:11: back-references");
    check_bad(
        "id: x\ncategory: disk_full\ntitle: T\nextra: 1\nsignals:\n  - log: 'a'\n    weight: 0.5\n",
        "bad.yaml:4:1: unknown key 'extra'");
    check_bad("id: x\ntitle: \"T\n", "bad.yaml:");
    check_bad("- a\n- b\n", "bad.yaml:1:1: a rule file must be a YAML mapping");
    /* libfyaml 0.7 can hang on malformed directives: refused before parsing */
    check_bad("id: x\n%%%% p\n", "bad.yaml:2:1: YAML directives");
}

static void test_signatures(void **state)
{
    (void)state;
    struct kb kb = { 0 };
    struct kb_rule *r = NULL;
    char *err = NULL;
    assert_int_equal(kb_parse_rule("good.yaml", good, strlen(good), &r, &err), 0);
    kb.rules = r;
    kb.n_rules = 1;
    struct sigdb *db = NULL;
    assert_int_equal(sigdb_build(&kb, &db, &err), 0);
    assert_null(err);
    /* builtins + 3 log patterns */
    assert_int_equal(sigdb_n_patterns(db), _SIG_BUILTIN_MAX + 3);
    /* not the built-in rules: every pattern compiled at run time */
    assert_int_equal(sigdb_n_compiled(db), _SIG_BUILTIN_MAX + 3);
    uint32_t ids[16];
    const char *l1 = "write /dev/shm/session_X: No Space Left On Device";
    int n = sigdb_scan(db, l1, strlen(l1), ids, 16);
    assert_int_equal(n, 1); /* caseless; no error word here */
    assert_string_equal(sigdb_pattern(db, ids[0])->expr, "no space left on device");
    const char *l2 = "ERROR: could not resize shared memory segment: No space left on device";
    n = sigdb_scan(db, l2, strlen(l2), ids, 16);
    assert_int_equal(n, 3); /* error word + both patterns, each once */
    const char *l3 = "all good";
    assert_int_equal(sigdb_scan(db, l3, strlen(l3), ids, 16), 0);
    /* capture with a numeric requirement */
    char *txt = NULL;
    assert_int_equal(sigdb_capture(db, 0, 2, "[ 123]  5000", 12, &txt), 1);
    assert_string_equal(txt, "rss=5000");
    free(txt);
    assert_int_equal(sigdb_capture(db, 0, 2, "[ 123]  999", 11, NULL), 0);
    sigdb_free(db);
    kb_rule_done(r);
    free(r);
}

static void test_arithmetic(void **state)
{
    (void)state;
    /* 64 MiB tmpfs = 16384 pages: 16384 small files, 8192 files of 5 KiB */
    assert_int_equal(tmpfs_capacity_files(64ULL << 20, 861), 16384);
    assert_int_equal(tmpfs_capacity_files(64ULL << 20, 5000), 8192);
    assert_int_equal(tmpfs_capacity_files(64ULL << 20, 0), 16384);
    /* 18 files/min kept 7 days = 181,440 files (~709 MiB at one page each) */
    uint64_t ss = steady_state_files(18, 7LL * 86400 * 1000000000LL);
    assert_int_equal(ss, 181440);
    assert_int_equal((ss * 4096) >> 20, 708);
    assert_int_equal(steady_state_files(0, 1000), 0);
}

static void test_kb_dir(void **state)
{
    (void)state;
    /* the shipped rules all load, cover the 22 categories */
    const char *dirs[1] = { "rules" };
    struct kb *kb = NULL;
    assert_int_equal(kb_load(dirs, 1, &kb), 0);
    assert_int_equal(kb->n_errors, 0);
    for (size_t c = 0; c < kb_n_categories; c++) {
        int found = 0;
        for (size_t i = 0; i < kb->n_rules; i++)
            if (strcmp(kb->rules[i].category, kb_categories[c]) == 0) found = 1;
        if (!found) fail_msg("no rule for %s", kb_categories[c]);
    }
    json_t *j = kb_rule_json(kb, "disk_full");
    assert_non_null(j);
    assert_string_equal(json_string_value(json_object_get(j, "category")), "disk_full");
    json_decref(j);
    assert_null(kb_rule_json(kb, "nope"));
    struct sigdb *db = NULL;
    char *err = NULL;
    assert_int_equal(sigdb_build(kb, &db, &err), 0);
    assert_null(err);
    sigdb_free(db);

    /* the embedded rules are exactly the shipped files */
    struct kb *emb = NULL;
    assert_int_equal(kb_load_builtin(NULL, 0, &emb), 0);
    assert_int_equal(emb->n_errors, 0);
    assert_int_equal(emb->n_rules, kb->n_rules);
    assert_int_equal(emb->n_files, kb->n_files);
    for (size_t i = 0; i < kb->n_rules; i++) {
        assert_string_equal(emb->rules[i].id, kb->rules[i].id);
        assert_string_equal(emb->rules[i].file, kb->rules[i].file);
        assert_int_equal(emb->rules[i].n_signals, kb->rules[i].n_signals);
    }
    /* their patterns come from the build-time database, with the same ids
     * and the same matches as a run-time compile */
    struct sigdb *edb = NULL, *cdb = NULL;
    assert_int_equal(sigdb_build(emb, &edb, &err), 0);
    assert_null(err);
    assert_int_equal(sigdb_n_compiled(edb), 0);
    assert_int_equal(sigdb_build_generic(emb, &cdb, &err), 0);
    assert_int_equal(sigdb_n_compiled(cdb), sigdb_n_patterns(cdb));
    assert_int_equal(sigdb_n_patterns(edb), sigdb_n_patterns(cdb));
    for (size_t i = 0; i < sigdb_n_patterns(edb); i++)
        assert_string_equal(sigdb_pattern(edb, i)->expr, sigdb_pattern(cdb, i)->expr);
    static const char *const lines[] = {
        "write /dev/shm/session_abc: no space left on device",
        "dial tcp: lookup db.svc.cluster.local on 10.96.0.10:53: no such host",
        "Memory cgroup out of memory: Killed process 1234 (java)",
        "x509: certificate has expired or is not yet valid",
        "all good here",
    };
    for (size_t l = 0; l < sizeof lines / sizeof lines[0]; l++) {
        uint32_t a[64], b[64];
        int na = sigdb_scan(edb, lines[l], strlen(lines[l]), a, 64);
        int nb = sigdb_scan(cdb, lines[l], strlen(lines[l]), b, 64);
        assert_int_equal(na, nb);
        for (int k = 0; k < na; k++) assert_int_equal(a[k], b[k]);
        if (l < 4) assert_true(na >= 1);
    }
    sigdb_free(cdb);

    /* a user rule with a new id: only its new pattern is compiled */
    struct kb_rule *u = NULL;
    static const char user[] = "id: frob\ncategory: port_conflict\ntitle: t\nsignals:\n"
                               "  - log: 'frobnicator jammed'\n    weight: 0.9\n";
    assert_int_equal(kb_parse_rule("u.yaml", user, strlen(user), &u, &err), 0);
    struct kb_rule *nr = realloc(emb->rules, (emb->n_rules + 1) * sizeof *nr);
    assert_non_null(nr);
    emb->rules = nr;
    emb->rules[emb->n_rules++] = *u;
    free(u);
    sigdb_free(edb);
    assert_int_equal(sigdb_build(emb, &edb, &err), 0);
    assert_int_equal(sigdb_n_compiled(edb), 1);
    uint32_t ids[64];
    const char *fl = "the frobnicator jammed again";
    assert_int_equal(sigdb_scan(edb, fl, strlen(fl), ids, 64), 1);
    assert_string_equal(sigdb_pattern(edb, ids[0])->expr, "frobnicator jammed");
    assert_int_equal(sigdb_pattern(edb, ids[0])->uses[0].rule, emb->n_rules - 1);
    sigdb_free(edb);

    /* a user rule replacing a built-in one: everything compiled */
    kb_rule_done(&emb->rules[0]);
    assert_int_equal(kb_parse_rule("v.yaml", user, strlen(user), &u, &err), 0);
    emb->rules[0] = *u;
    free(u);
    assert_int_equal(sigdb_build(emb, &edb, &err), 0);
    assert_int_equal(sigdb_n_compiled(edb), sigdb_n_patterns(edb));
    sigdb_free(edb);
    kb_free(emb);
    kb_free(kb);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_good), cmocka_unit_test(test_parse_bad),
        cmocka_unit_test(test_signatures), cmocka_unit_test(test_arithmetic),
        cmocka_unit_test(test_kb_dir),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
