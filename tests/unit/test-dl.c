/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/dl: libraries loaded on first use through shims with the
 * libraries' own names. The missing-library case runs in a child process
 * (TSHOOT_DL_DISABLE is read once per library and process). */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <curl/curl.h>
#include <errno.h>
#include <hs/hs.h>
#include <libfyaml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include "dl/dl.h"
#include "rca/kb.h"
#include "rca/signatures.h"

/* Run fn in a child with TSHOOT_DL_DISABLE=disable; the child's failed
 * assertions show up as its exit status. */
static void in_child(const char *disable, void (*fn)(void))
{
    fflush(NULL);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        setenv("TSHOOT_DL_DISABLE", disable, 1);
        fn();
        _exit(0);
    }
    int st = 0;
    assert_int_equal(waitpid(pid, &st, 0), pid);
    assert_true(WIFEXITED(st));
    assert_int_equal(WEXITSTATUS(st), 0);
}

#define CHECK(x)                                                                                   \
    do {                                                                                           \
        if (!(x)) {                                                                                \
            fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #x);                  \
            _exit(1);                                                                              \
        }                                                                                          \
    } while (0)

static void child_no_curl(void)
{
    CHECK(dl_error() == NULL);
    CHECK(curl_easy_init() == NULL);
    CHECK(dl_load(DL_CURL) == -ELIBACC);
    CHECK(!dl_loaded(DL_CURL));
    CHECK(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_FAILED_INIT);
    CHECK(curl_easy_setopt(NULL, CURLOPT_URL, "http://x") == CURLE_FAILED_INIT);
    long code = 0;
    CHECK(curl_easy_getinfo(NULL, CURLINFO_RESPONSE_CODE, &code) == CURLE_FAILED_INIT);
    CHECK(curl_easy_perform(NULL) == CURLE_FAILED_INIT);
    CHECK(curl_easy_escape(NULL, "a b", 0) == NULL);
    CHECK(curl_slist_append(NULL, "X: y") == NULL);
    curl_slist_free_all(NULL);
    curl_easy_cleanup(NULL);
    curl_free(NULL);
    CHECK(dl_sym(DL_CURL, "curl_easy_init") == NULL);
    const char *e = dl_error();
    CHECK(e && strcmp(e, "libcurl.so.4 cannot be loaded (install the Debian package libcurl4): "
                         "disabled by TSHOOT_DL_DISABLE") == 0);
    CHECK(!strchr(e, '\n'));
    CHECK(strcmp(curl_easy_strerror(CURLE_OK), e) == 0);
    /* the others are not affected */
    CHECK(dl_load(DL_HS) == 0);
    CHECK(strcmp(dl_error(), e) == 0); /* the first failure stays the message */
}

static void child_nothing(void)
{
    /* "all", a list with spaces, an unknown name: all parse */
    CHECK(dl_load(DL_CURL) == -ELIBACC);
    CHECK(dl_load(DL_HS) == -ELIBACC);
    CHECK(dl_load(DL_JOURNAL) == -ELIBACC);
    CHECK(dl_load(DL_FYAML) == -ELIBACC);
    CHECK(strstr(dl_error(), "libcurl.so.4"));
    /* the error values callers already handle */
    hs_database_t *db = (hs_database_t *)1;
    hs_compile_error_t *ce = NULL;
    const char *expr = "x";
    unsigned fl = 0, id = 0;
    CHECK(hs_compile_multi(&expr, &fl, &id, 1, HS_MODE_BLOCK, NULL, &db, &ce) == HS_COMPILER_ERROR);
    CHECK(db == NULL && ce && ce->expression == -1 && strstr(ce->message, "libhs.so.5"));
    CHECK(hs_free_compile_error(ce) == HS_SUCCESS);
    hs_scratch_t *s = NULL;
    CHECK(hs_alloc_scratch(NULL, &s) == HS_INVALID);
    CHECK(hs_scan(NULL, "x", 1, 0, NULL, NULL, NULL) == HS_INVALID);
    CHECK(hs_free_database(NULL) == HS_SUCCESS && hs_free_scratch(NULL) == HS_SUCCESS);
    CHECK(hs_version() && *hs_version());
    sd_journal *j = NULL;
    CHECK(sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY) == -ELIBACC && j == NULL);
    CHECK(sd_journal_next(NULL) == -ELIBACC);
    CHECK(sd_journal_get_cursor(NULL, NULL) == -ELIBACC);
    sd_journal_close(NULL);
    CHECK(fy_diag_create(NULL) == NULL);
    CHECK(fy_document_build_from_string(NULL, "a: 1", 4) == NULL);
    /* the library-level entry points say why */
    struct kb *kb = NULL;
    CHECK(kb_load_builtin(NULL, 0, &kb) == -ELIBACC && kb == NULL);
}

static void child_parse_list(void)
{
    CHECK(dl_load(DL_CURL) == 0);
    CHECK(dl_load(DL_JOURNAL) == -ELIBACC);
    CHECK(dl_load(DL_HS) == -ELIBACC);
    CHECK(dl_load(DL_FYAML) == 0);
    CHECK(strstr(dl_error(), "libsystemd.so.0 cannot be loaded (install the Debian package "
                             "libsystemd0)"));
}

static void test_missing(void **state)
{
    (void)state;
    in_child("curl", child_no_curl);
    in_child("all", child_nothing);
    in_child("bogus, journal,hs", child_parse_list);
}

static void test_names(void **state)
{
    (void)state;
    assert_string_equal(dl_soname(DL_CURL), "libcurl.so.4");
    assert_string_equal(dl_soname(DL_HS), "libhs.so.5");
    assert_string_equal(dl_soname(DL_JOURNAL), "libsystemd.so.0");
    assert_string_equal(dl_soname(DL_FYAML), "libfyaml.so.0");
    assert_string_equal(dl_package(DL_HS), "libhyperscan5");
    assert_null(dl_soname(_DL_MAX));
    assert_int_equal(dl_load(_DL_MAX), -EINVAL);
}

static void test_load(void **state)
{
    (void)state;
    unsetenv("TSHOOT_DL_DISABLE");
    assert_false(dl_loaded(DL_CURL)); /* nothing loads at start */
    for (int l = 0; l < _DL_MAX; l++) {
        assert_int_equal(dl_load(l), 0);
        assert_true(dl_loaded(l));
        assert_int_equal(dl_load(l), 0); /* once */
    }
    assert_non_null(dl_sym(DL_CURL, "curl_easy_init"));
    assert_non_null(dl_sym(DL_HS, "hs_scan"));
    assert_non_null(dl_sym(DL_JOURNAL, "sd_journal_open"));
    assert_non_null(dl_sym(DL_FYAML, "fy_document_build_from_string"));
    assert_null(dl_sym(DL_CURL, "no_such_function"));
    assert_null(dl_error());
}

struct sink {
    char data[64];
    size_t n;
};

static size_t on_data(char *p, size_t size, size_t n, void *userdata)
{
    struct sink *s = userdata;
    size_t len = size * n;
    if (len > sizeof s->data - 1 - s->n) return 0;
    memcpy(s->data + s->n, p, len);
    s->n += len;
    return len;
}

/* curl_easy_setopt/getinfo are variadic: every argument type goes through */
static void test_curl(void **state)
{
    (void)state;
    char path[] = "/tmp/tshoot-test-dl-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    assert_int_equal(write(fd, "hello", 5), 5);
    close(fd);
    char url[64];
    snprintf(url, sizeof url, "file://%s", path);

    assert_int_equal(curl_global_init(CURL_GLOBAL_DEFAULT), CURLE_OK);
    CURL *c = curl_easy_init();
    assert_non_null(c);
    struct sink s = { .n = 0 };
    char errbuf[CURL_ERROR_SIZE] = "";
    static const char ca[] = "not a certificate";
    struct curl_blob blob = { (void *)ca, sizeof ca - 1, CURL_BLOB_COPY };
    assert_int_equal(curl_easy_setopt(c, CURLOPT_URL, url), CURLE_OK);               /* string */
    assert_int_equal(curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L), CURLE_OK);           /* long */
    assert_int_equal(curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data), CURLE_OK); /* func */
    assert_int_equal(curl_easy_setopt(c, CURLOPT_WRITEDATA, &s), CURLE_OK);          /* object */
    assert_int_equal(curl_easy_setopt(c, CURLOPT_ERRORBUFFER, errbuf), CURLE_OK);
    assert_int_equal(curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)1 << 20),
                     CURLE_OK);                                                  /* off_t */
    assert_int_equal(curl_easy_setopt(c, CURLOPT_CAINFO_BLOB, &blob), CURLE_OK); /* blob */
    assert_int_equal(curl_easy_setopt(c, (CURLoption)99999, 1L), CURLE_BAD_FUNCTION_ARGUMENT);
    assert_int_equal(curl_easy_perform(c), CURLE_OK);
    s.data[s.n] = 0;
    assert_string_equal(s.data, "hello");
    curl_off_t size = -1;
    assert_int_equal(curl_easy_getinfo(c, CURLINFO_SIZE_DOWNLOAD_T, &size), CURLE_OK);
    assert_int_equal(size, 5);
    char *eff = NULL;
    assert_int_equal(curl_easy_getinfo(c, CURLINFO_EFFECTIVE_URL, &eff), CURLE_OK);
    assert_string_equal(eff, url);
    long code = -1;
    assert_int_equal(curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code), CURLE_OK);
    assert_int_equal(code, 0);
    double t = -1;
    assert_int_equal(curl_easy_getinfo(c, CURLINFO_TOTAL_TIME, &t), CURLE_OK);
    assert_true(t >= 0);
    assert_int_equal(curl_easy_getinfo(c, (CURLINFO)0x900001, &t), CURLE_BAD_FUNCTION_ARGUMENT);
    curl_easy_cleanup(c);
    unlink(path);

    char *e = curl_easy_escape(NULL, "a b/c", 0);
    assert_string_equal(e, "a%20b%2Fc");
    curl_free(e);
    struct curl_slist *l = curl_slist_append(NULL, "X-A: 1");
    assert_non_null(l);
    l = curl_slist_append(l, "X-B: 2");
    assert_string_equal(l->next->data, "X-B: 2");
    curl_slist_free_all(l);
    assert_string_equal(curl_easy_strerror(CURLE_OK), "No error");
}

static int on_match(unsigned id, unsigned long long from, unsigned long long to, unsigned flags,
                    void *ctx)
{
    (void)from, (void)to, (void)flags;
    *(unsigned *)ctx |= 1u << id;
    return 0;
}

static void test_hs(void **state)
{
    (void)state;
    assert_non_null(strstr(hs_version(), "5."));
    const char *exprs[] = { "disk full", "no space left" };
    unsigned flags[] = { HS_FLAG_CASELESS, HS_FLAG_CASELESS }, ids[] = { 0, 1 };
    hs_database_t *db = NULL;
    hs_compile_error_t *ce = NULL;
    assert_int_equal(hs_compile_multi(exprs, flags, ids, 2, HS_MODE_BLOCK, NULL, &db, &ce),
                     HS_SUCCESS);
    hs_scratch_t *s = NULL, *s2 = NULL;
    assert_int_equal(hs_alloc_scratch(db, &s), HS_SUCCESS);
    assert_int_equal(hs_clone_scratch(s, &s2), HS_SUCCESS);
    unsigned hit = 0;
    const char line[] = "write: No space left on device";
    assert_int_equal(hs_scan(db, line, sizeof line - 1, 0, s2, on_match, &hit), HS_SUCCESS);
    assert_int_equal(hit, 2u);

    char *bytes = NULL, *info = NULL;
    size_t len = 0, dsize = 0;
    assert_int_equal(hs_serialize_database(db, &bytes, &len), HS_SUCCESS);
    assert_int_equal(hs_serialized_database_size(bytes, len, &dsize), HS_SUCCESS);
    assert_true(dsize > 0);
    assert_int_equal(hs_serialized_database_info(bytes, len, &info), HS_SUCCESS);
    assert_non_null(strstr(info, "Version"));
    free(info);
    hs_database_t *db2 = NULL;
    assert_int_equal(hs_deserialize_database(bytes, len, &db2), HS_SUCCESS);
    free(bytes);
    hit = 0;
    assert_int_equal(hs_scan(db2, "DISK FULL", 9, 0, s, on_match, &hit), HS_SUCCESS);
    assert_int_equal(hit, 1u);

    /* a refused expression: the real compile error, freed by the real library */
    const char *bad[] = { "(" };
    hs_database_t *db3 = NULL;
    assert_int_equal(hs_compile_multi(bad, flags, ids, 1, HS_MODE_BLOCK, NULL, &db3, &ce),
                     HS_COMPILER_ERROR);
    assert_non_null(ce);
    assert_int_equal(ce->expression, 0);
    assert_int_equal(hs_free_compile_error(ce), HS_SUCCESS);
    hs_expr_info_t *ei = NULL;
    ce = NULL;
    assert_int_equal(hs_expression_info("ab+c", 0, &ei, &ce), HS_SUCCESS);
    assert_int_equal(ei->min_width, 3u);
    free(ei);

    /* streaming */
    hs_database_t *sdb = NULL;
    const hs_expr_ext_t *ext[] = { NULL, NULL };
    assert_int_equal(
        hs_compile_ext_multi(exprs, flags, ids, ext, 2, HS_MODE_STREAM, NULL, &sdb, &ce),
        HS_SUCCESS);
    hs_scratch_t *ss = NULL;
    assert_int_equal(hs_alloc_scratch(sdb, &ss), HS_SUCCESS);
    hs_stream_t *st = NULL;
    assert_int_equal(hs_open_stream(sdb, 0, &st), HS_SUCCESS);
    hit = 0;
    assert_int_equal(hs_scan_stream(st, "disk f", 6, 0, ss, on_match, &hit), HS_SUCCESS);
    assert_int_equal(hs_scan_stream(st, "ull", 3, 0, ss, on_match, &hit), HS_SUCCESS);
    assert_int_equal(hs_reset_stream(st, 0, ss, on_match, &hit), HS_SUCCESS);
    assert_int_equal(hs_close_stream(st, ss, on_match, &hit), HS_SUCCESS);
    assert_int_equal(hit, 1u);

    hs_free_scratch(ss);
    hs_free_database(sdb);
    hs_free_scratch(s);
    hs_free_scratch(s2);
    hs_free_database(db);
    hs_free_database(db2);
}

static void test_journal(void **state)
{
    (void)state;
    sd_journal *j = NULL;
    int r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY);
    if (r < 0) skip(); /* no journal access here: the library still loaded */
    assert_int_equal(sd_journal_set_data_threshold(j, 4096), 0);
    uint64_t usage = 0;
    assert_true(sd_journal_get_usage(j, &usage) >= 0);
    assert_int_equal(sd_journal_add_match(j, "PRIORITY=3", 0), 0);
    assert_int_equal(sd_journal_add_disjunction(j), 0);
    assert_int_equal(sd_journal_seek_head(j), 0);
    if (sd_journal_next(j) > 0) {
        const void *d;
        size_t l;
        uint64_t us = 0;
        assert_true(sd_journal_get_realtime_usec(j, &us) >= 0);
        assert_true(sd_journal_seek_realtime_usec(j, us) >= 0);
        sd_journal_restart_data(j);
        (void)sd_journal_enumerate_available_data(j, &d, &l);
        sd_journal_restart_data(j);
        (void)sd_journal_enumerate_data(j, &d, &l);
        (void)sd_journal_get_data(j, "MESSAGE", &d, &l);
        (void)sd_journal_previous(j);
        char *cur = NULL;
        if (sd_journal_get_cursor(j, &cur) >= 0) free(cur);
    }
    sd_journal_close(j);
    const char *none[] = { "/nonexistent/x.journal", NULL };
    j = NULL;
    assert_true(sd_journal_open_files(&j, none, 0) < 0);
    j = NULL;
    assert_true(sd_journal_open_directory(&j, "/nonexistent", 0) < 0);
}

static void test_fyaml(void **state)
{
    (void)state;
    struct fy_diag_cfg dc;
    fy_diag_cfg_default(&dc);
    dc.fp = NULL;
    struct fy_diag *diag = fy_diag_create(&dc);
    assert_non_null(diag);
    struct fy_parse_cfg pc = { .flags = FYPCF_QUIET, .diag = diag };
    static const char y[] = "a: [1, 2]\nb: text\n";
    struct fy_document *doc = fy_document_build_from_string(&pc, y, sizeof y - 1);
    assert_non_null(doc);
    struct fy_node *root = fy_document_root(doc);
    assert_true(fy_node_is_mapping(root));
    void *it = NULL;
    struct fy_node_pair *p = fy_node_mapping_iterate(root, &it);
    assert_string_equal(fy_node_get_scalar0(fy_node_pair_key(p)), "a");
    struct fy_node *seq = fy_node_pair_value(p);
    assert_true(fy_node_is_sequence(seq));
    void *it2 = NULL;
    struct fy_node *one = fy_node_sequence_iterate(seq, &it2);
    assert_true(fy_node_is_scalar(one));
    size_t len = 0;
    assert_memory_equal(fy_node_get_scalar(one, &len), "1", 1);
    assert_int_equal(len, 1);
    const struct fy_mark *m = fy_token_start_mark(fy_node_get_scalar_token(one));
    assert_non_null(m);
    assert_int_equal(m->line, 0);
    fy_document_destroy(doc);
    fy_diag_destroy(diag);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        /* first: the children must not inherit loaded libraries */
        cmocka_unit_test(test_missing), cmocka_unit_test(test_names),
        cmocka_unit_test(test_load),    cmocka_unit_test(test_curl),
        cmocka_unit_test(test_hs),      cmocka_unit_test(test_journal),
        cmocka_unit_test(test_fyaml),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
