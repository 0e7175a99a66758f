/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/logs/mask: what counts as a variable inside a message. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logs/mask.h"

static void expect_mask(const char *in, const char *want)
{
    size_t n = strlen(in);
    char *out = malloc(MASK_OUT_SIZE(n));
    assert_non_null(out);
    struct mask_tokens *mt = malloc(sizeof(*mt));
    assert_non_null(mt);
    mask_line(in, n, out, mt);
    if (strcmp(mt->text, want) != 0)
        fprintf(stderr, "mask(\"%s\")\n  got  \"%s\"\n  want \"%s\"\n", in, mt->text, want);
    assert_string_equal(mt->text, want);
    assert_int_equal(mt->len, strlen(want));
    assert_true(mt->hash == mask_hash(mt->text, mt->len));
    /* token table agrees with the text */
    mask_token_bounds(mt);
    size_t k = 0;
    for (uint32_t i = 0; i < mt->ntok; i++) {
        assert_int_equal(mt->off[i], k);
        k += mt->tlen[i] + 1;
    }
    assert_int_equal(k ? k - 1 : 0, mt->len);
    /* the same words with other whitespace (a tab first, doubled spaces, a
     * space at the end) take the general path: same text, same tokens */
    char *ws = malloc(2 * n + 3);
    char *wout = malloc(MASK_OUT_SIZE(2 * n + 3));
    struct mask_tokens *wt = malloc(sizeof(*wt));
    assert_non_null(ws);
    assert_non_null(wout);
    assert_non_null(wt);
    size_t m = 0;
    ws[m++] = '\t';
    for (size_t i = 0; i < n; i++) {
        ws[m++] = in[i];
        if (in[i] == ' ') ws[m++] = ' ';
    }
    ws[m++] = ' ';
    mask_line(ws, m, wout, wt);
    assert_string_equal(wt->text, want);
    assert_true(wt->hash == mt->hash);
    mask_token_bounds(wt);
    assert_int_equal(wt->ntok, mt->ntok);
    for (uint32_t i = 0; i < mt->ntok; i++) {
        assert_int_equal(wt->off[i], mt->off[i]);
        assert_int_equal(wt->tlen[i], mt->tlen[i]);
    }
    free(wt);
    free(wout);
    free(ws);
    free(mt);
    free(out);
}

static void test_numbers(void **state)
{
    (void)state;
    expect_mask("PacketResponder 1 for block blk_-6952295868487656571 terminating",
                "PacketResponder <*> for block <*> terminating");
    expect_mask("took 0.2477829 s, status -1, code 0x1f", "took <*> s, status <*>, code <*>");
    expect_mask("timeout of 10000ms exceeded; 126MB free", "timeout of <*> exceeded; <*> free");
    expect_mask("Finished task 3.0 in stage 0.0 (TID 3). 2703 bytes",
                "Finished task <*> in stage <*> (TID <*>). <*> bytes");
    expect_mask("uid=0 euid=0 tty=NODEVssh ruser= rhost=",
                "uid=<*> euid=<*> tty=NODEVssh ruser= rhost=");
    expect_mask("Initializing CPU#0 version v1.0.6", "Initializing CPU#<*> version <*>");
}

static void test_names_with_digits(void **state)
{
    (void)state;
    /* short digit suffixes and inner digits are part of names */
    expect_mask("via interface eth0 using ssh2 and utf8 Log4jLogger",
                "via interface eth0 using ssh2 and utf8 Log4jLogger");
    expect_mask("lr:00004ed0 r24=0x0ffea4c8 dbcr0=0x00000000", "lr:<*> r24=<*> dbcr0=<*>");
    /* numbered names and glued ids are values */
    expect_mask("mount on bglio46 and storage442 slot U11", "mount on <*> and <*> slot <*>");
    expect_mask("attempt_1445144423722_0020_m_000000_0 Task", "<*> Task");
    expect_mask("location R10-M1-N2 done", "location <*> done");
    /* word-NUMBER keeps its word */
    expect_mask("served by node node-96 and core.2275", "served by node node-<*> and core.<*>");
}

static void test_addresses(void **state)
{
    (void)state;
    expect_mask("from 10.251.73.220:50010 to 173.234.31.186", "from <*> to <*>");
    /* Java's "/ip:port" keeps the port apart */
    expect_mask("connection from /10.10.34.13:37196", "connection from <*>:<*>");
    expect_mask("mac FF:F2:9F:16:E2:23:00:0D ip fe80::1:2", "mac <*> ip <*>");
    expect_mask("instance b9000564-fe1a-409b-b8cc-1e88b294cd1d ok", "instance <*> ok");
    expect_mask("[instance: 96abccce-8d1f-4e07-b6d1-4b2ab87e23b4] Claim", "[instance: <*>] Claim");
    expect_mask("rhost=5.36.59.76.dynamic-dsl-ip.example.net user=root", "rhost=<*> user=root");
    expect_mask("connect host8.example.net now", "connect <*> now");
}

static void test_paths_urls(void **state)
{
    (void)state;
    expect_mask("workerEnv.init() ok /etc/httpd/conf/workers2.properties",
                "workerEnv.init() ok <*>");
    expect_mask("node map file /p/gb2/x.map: Bad file", "node map file <*>: Bad file");
    expect_mask("at (/var/lib/nova/_base/a489c868): checking", "at (<*>): checking");
    expect_mask("driver: spark://Coarse@10.10.34.11:48069 now", "driver: <*> now");
    expect_mask("to C:\\Users\\me\\AppData x", "to <*> x");
    expect_mask("loading ./runtime_malloc: failed", "loading <*>: failed");
    expect_mask("\"GET /v2/54fadb412c4e/servers/detail HTTP/1.1\" status: 200",
                "\"GET <*>\" status: <*>");
    /* "and/or" is not a path */
    expect_mask("read and/or write", "read and/or write");
}

static void test_times(void **state)
{
    (void)state;
    expect_mask("User unknown timed out after 900 seconds at Sat Jun 18 02:23:10 2005",
                "User unknown timed out after <*> seconds at <*>");
    expect_mask("from 2017-05-16 05:00:00 to 2017-05-16 06:00:00. 87 instances.",
                "from <*> to <*>. <*> instances.");
    expect_mask("status=M Fri Jul 01 08:16:53 PDT 2005", "status=M <*>");
    /* a run that ends at the time: one <*>, the time is not masked again */
    expect_mask("Jun 14 15:16:02 combo sshd(pam_unix)[19937]: check pass",
                "<*> combo sshd(pam_unix)[<*>]: check pass");
    expect_mask("at Jun 9 15:16:02", "at <*>");
}

static void test_shape(void **state)
{
    (void)state;
    /* whitespace runs collapse, tabs separate, empty input stays empty */
    expect_mask("  BLOCK*  ask\t x  ", "BLOCK* ask x");
    expect_mask("", "");
    /* a long list of values folds into one wildcard */
    expect_mask("delete 1 2 3 4 5 6 7 8 9 10", "delete <*>");
    expect_mask("Fan speeds ( 3552 3534 3375 **** 3515 3479 )",
                "Fan speeds ( <*> <*> <*> **** <*> <*> )");
}

static void test_limits(void **state)
{
    (void)state;
    /* more tokens than MASK_MAX_TOKENS: the rest folds into one <*> */
    size_t n = MASK_MAX_TOKENS * 3;
    char *in = malloc(n + 1);
    assert_non_null(in);
    for (size_t i = 0; i < n; i += 2) {
        in[i] = 'a';
        in[i + 1] = ' ';
    }
    in[n] = '\0';
    char *out = malloc(MASK_OUT_SIZE(n));
    struct mask_tokens *mt = malloc(sizeof(*mt));
    assert_non_null(out);
    assert_non_null(mt);
    mask_line(in, n, out, mt);
    mask_token_bounds(mt);
    assert_true(mt->ntok <= MASK_MAX_TOKENS);
    assert_true(mt->len + 1 <= MASK_OUT_SIZE(n));
    assert_string_equal(mt->text + mt->len - 3, "<*>");
    /* worst-case growth: single digits become 3-byte wildcards */
    for (size_t i = 0; i < n; i += 2) in[i] = '7';
    mask_line(in, n, out, mt);
    assert_true(mt->len + 1 <= MASK_OUT_SIZE(n));
    /* over-long input is cut and flagged */
    char *big = malloc(MASK_MAX_LINE + 100);
    char *bout = malloc(MASK_OUT_SIZE(MASK_MAX_LINE + 100));
    assert_non_null(big);
    assert_non_null(bout);
    memset(big, 'x', MASK_MAX_LINE + 100);
    mask_line(big, MASK_MAX_LINE + 100, bout, mt);
    assert_true(mt->truncated);
    assert_int_equal(mt->len, MASK_MAX_LINE);
    /* hashes: equal text, equal hash; per-token hashes on demand */
    mask_line("a 1 b", 5, out, mt);
    uint64_t h1 = mt->hash;
    mask_line("a 22 b", 6, out, mt);
    assert_true(mt->hash == h1);
    mask_token_hashes(mt);
    assert_true(mt->th[1] == mask_hash("<*>", 3));
    mask_line("a 22 c", 6, out, mt);
    assert_true(mt->hash != h1);
    free(big);
    free(bout);
    free(mt);
    free(out);
    free(in);
}

static void test_word_values(void **state)
{
    (void)state;
    /* true / false / null standing alone are values, in key=value lists too */
    expect_mask("updateClipping isOverlap:false, getTopPadding=333.0, Translation=-24.0",
                "updateClipping isOverlap:<*>, getTopPadding=<*>, Translation=<*>");
    expect_mask("ready=true,policy=3,bootcompleted=true,mode=false,auto=-1",
                "ready=<*>,policy=<*>,bootcompleted=<*>,mode=<*>,auto=<*>");
    expect_mask("mVisiblity.getValue is false", "mVisiblity.getValue is <*>");
    expect_mask("Suspending AWDL, enterQuietMode(true)", "Suspending AWDL, enterQuietMode(<*>)");
    expect_mask("SQM: Initializing online with Windows opt-in: False",
                "SQM: Initializing online with Windows opt-in: <*>");
    expect_mask("OutputCommitter set in config null", "OutputCommitter set in config <*>");
    expect_mask("[HSM] stayAwake false uid: 10111", "[HSM] stayAwake <*> uid: <*>");
    /* a null before another word names a thing */
    expect_mask("unable to handle kernel NULL pointer dereference at 0000000000000008",
                "unable to handle kernel NULL pointer dereference at <*>");
    /* ... but not inside a word or a dotted name */
    expect_mask("trueness of config.null and nullable", "trueness of config.null and nullable");
    /* a quoted value after '=' is one value, spaces included */
    expect_mask("acquire lock=233570404, flags=0x1, tag=\"View Lock\", ws=null, uid=10037",
                "acquire lock=<*>, flags=<*>, tag=\"<*>\", ws=<*>, uid=<*>");
    expect_mask("release tag=\"RILJ_ACK_WL\", name=x", "release tag=\"<*>\", name=x");
    /* a rewrite that keeps the length (3 bytes quoted): hash and tokens follow
     * the new text, and the shape is not remembered as needing no rewrite */
    expect_mask("set tag=\"abc\" now", "set tag=\"<*>\" now");
    expect_mask("set tag=\"abc\" now", "set tag=\"<*>\" now");
    expect_mask("set tag=\"a b\" now", "set tag=\"<*>\" now");
    expect_mask("set x='a b c' now", "set x='<*>' now");
    /* short or unterminated quoted values stay */
    expect_mask("tag=\"\" and k=\"ab\" and z=\"open", "tag=\"\" and k=\"ab\" and z=\"open");
}

static void test_sizes_durations(void **state)
{
    (void)state;
    /* a number with a fraction and a size unit is one (human-scaled) value */
    expect_mask("stored as bytes in memory (estimated size 93.0 B, free 317.1 KB)",
                "stored as bytes in memory (estimated size <*>, free <*>)");
    /* an integer amount keeps its unit */
    expect_mask("Attempting claim: memory 2048 MB, disk 20 GB",
                "Attempting claim: memory <*> MB, disk <*> GB");
    /* a size in bytes restated in parentheses: the restatement goes */
    expect_mask("h.example.com:5070 close, 451 bytes sent, 18846 bytes (18.4 KB) received",
                "<*> close, <*> bytes sent, <*> bytes received");
    expect_mask("close, 7829 bytes (7.64 KB) sent, 578548 bytes (564 KB) received, lifetime 00:18",
                "close, <*> bytes sent, <*> bytes received, lifetime <*>");
    /* a bound is a value, with its time unit */
    expect_mask("close, 0 bytes sent, lifetime <1 sec", "close, <*> bytes sent, lifetime <*>");
    expect_mask("waited >5 ms, then <2.", "waited <*>, then <*>.");
}

static void test_host_port(void **state)
{
    (void)state;
    /* a digit-free dotted host name with a port is one address */
    expect_mask("proxy.cse.cuhk.edu.hk:5070 open through proxy proxy.cse.cuhk.edu.hk:5070 HTTPS",
                "<*> open through proxy <*> HTTPS");
    expect_mask("www.google.com:443 close, github.com:443", "<*> close, <*>");
    /* hosts with digits were values already */
    expect_mask("pic4.zhimg.com:443 open", "<*> open");
    /* a source file, a class, a key: not hosts */
    expect_mask("[ib_sm_sweep.c:1831]: NEW SWEEP", "[ib_sm_sweep.c:<*>]: NEW SWEEP");
    expect_mask("at Session.onTransact:136 port:8080", "at Session.onTransact:<*> port:<*>");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_numbers),         cmocka_unit_test(test_names_with_digits),
        cmocka_unit_test(test_addresses),       cmocka_unit_test(test_paths_urls),
        cmocka_unit_test(test_times),           cmocka_unit_test(test_shape),
        cmocka_unit_test(test_limits),          cmocka_unit_test(test_word_values),
        cmocka_unit_test(test_sizes_durations), cmocka_unit_test(test_host_port),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
