/* SPDX-License-Identifier: MIT */
/* Unit tests for lib/logs/miner: clustering, generalisation, bounded memory. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "logs/miner.h"

static uint32_t add(struct miner *m, const char *s)
{
    uint32_t id = UINT32_MAX;
    assert_int_equal(miner_add(m, s, strlen(s), TS_TIME_NONE, NULL, &id), 0);
    return id;
}

static const char *text_of(struct miner *m, uint32_t id)
{
    return miner_text(m, id, NULL);
}

static void test_same_shape(void **state)
{
    (void)state;
    struct miner *m = NULL;
    assert_int_equal(miner_new(NULL, &m), 0);
    uint32_t a = add(m, "Received block blk_1 of size 67108864 from /10.0.0.1");
    uint32_t b = add(m, "Received block blk_-99 of size 12 from /10.0.0.2");
    assert_int_equal(a, b);
    assert_string_equal(text_of(m, a), "Received block <*> of size <*> from <*>");
    uint32_t c = add(m, "Deleting block blk_1 file /x/y");
    assert_int_not_equal(a, c);
    struct miner_template t;
    size_t found = 0;
    for (size_t i = 0;; i++) {
        int r = miner_template_at(m, i, &t);
        if (r == -ENOENT) break;
        if (r == 1) {
            found++;
            if (t.id == a) {
                assert_int_equal(t.count, 2);
                assert_string_equal(t.example,
                                    "Received block blk_1 of size 67108864 from /10.0.0.1");
            }
        }
    }
    assert_int_equal(found, 2);
    miner_free(m);
}

static void test_generalise_names(void **state)
{
    (void)state;
    struct miner *m = NULL;
    assert_int_equal(miner_new(NULL, &m), 0);
    const char *users[] = { "alice", "bob", "carol", "dave", "erin" };
    uint32_t ids[5];
    for (int i = 0; i < 5; i++) {
        char line[128];
        snprintf(line, sizeof(line), "session opened for user %s by (uid=0)", users[i]);
        ids[i] = add(m, line);
    }
    /* lower-case names: three distinct values make the position a variable,
     * and the earlier lines' templates follow */
    for (int i = 0; i < 5; i++)
        assert_string_equal(text_of(m, ids[i]), "session opened for user <*> by (uid=<*>)");
    assert_int_equal(miner_resolve(m, ids[0]), miner_resolve(m, ids[4]));
    /* a key=value token generalises to key=<*> */
    const char *hosts[] = { "user=root", "user=guest", "user=test" };
    uint32_t h[3];
    for (int i = 0; i < 3; i++) {
        char line[128];
        snprintf(line, sizeof(line), "authentication failure; rhost=x %s", hosts[i]);
        h[i] = add(m, line);
    }
    assert_string_equal(text_of(m, h[0]), "authentication failure; rhost=x user=<*>");
    /* capitalised keywords (states) need more evidence: 4 stay apart */
    const char *states[] = { "Started", "Stopped", "Paused", "Resumed" };
    uint32_t s[4];
    for (int i = 0; i < 4; i++) {
        char line[128];
        snprintf(line, sizeof(line), "VM %s (Lifecycle Event)", states[i]);
        s[i] = add(m, line);
    }
    assert_string_equal(text_of(m, s[0]), "VM Started (Lifecycle Event)");
    assert_string_equal(text_of(m, s[3]), "VM Resumed (Lifecycle Event)");
    /* the first token is never generalised */
    const char *daemons[] = { "cupsd", "klogd", "sshd", "crond", "atd", "named" };
    for (int i = 0; i < 6; i++) {
        char line[64];
        snprintf(line, sizeof(line), "%s startup succeeded", daemons[i]);
        uint32_t id = add(m, line);
        assert_string_equal(text_of(m, id), line);
    }
    /* ... unless it names a source: a dotted name or Class::method with ':' */
    uint32_t f1 = add(m, "com.apple.CacheDelete.daily: told me to run this job; ignoring.");
    uint32_t f2 = add(m, "com.apple.icloud.fmfd.heartbeat: told me to run this job; ignoring.");
    assert_int_equal(miner_resolve(m, f1), miner_resolve(m, f2));
    assert_string_equal(text_of(m, f1), "<*>: told me to run this job; ignoring.");
    /* a dotted first token without ':' still names the event */
    uint32_t f3 = add(m, "com.apple.xpc.a started");
    uint32_t f4 = add(m, "com.apple.xpc.b started");
    assert_int_not_equal(miner_resolve(m, f3), miner_resolve(m, f4));
    miner_free(m);
}

static void test_wildcard_evidence(void **state)
{
    (void)state;
    struct miner *m = NULL;
    assert_int_equal(miner_new(NULL, &m), 0);
    /* a host name without digits next to the same template with an address */
    uint32_t a = add(m, "reverse mapping for ns.example.com [1.2.3.4] failed");
    uint32_t b = add(m, "reverse mapping for 5-6-7-8.example.net [5.6.7.8] failed");
    assert_string_equal(text_of(m, a), "reverse mapping for <*> [<*>] failed");
    assert_int_equal(miner_resolve(m, a), miner_resolve(m, b));
    /* punctuation-only tokens are not values */
    uint32_t c = add(m, "Fan speeds ( 1 2 **** 4 )");
    uint32_t d = add(m, "Fan speeds ( 1 2 3 4 )");
    assert_string_equal(text_of(m, c), "Fan speeds ( <*> <*> **** <*> )");
    assert_string_equal(text_of(m, d), "Fan speeds ( <*> <*> <*> <*> )");
    miner_free(m);
}

static int evict_calls;
static void on_evict(void *ud)
{
    (void)ud;
    evict_calls++;
}

static void test_dotted_names(void **state)
{
    (void)state;
    struct miner *m = NULL;
    assert_int_equal(miner_new(NULL, &m), 0);
    /* two dotted names at a position make it a variable; the wildcard takes
     * the whole name */
    uint32_t a = add(m, "acquire lock=1, name=com.android.phone, ws=null");
    uint32_t b = add(m, "acquire lock=2, name=com.android.systemui, ws=null");
    assert_string_equal(text_of(m, a), "acquire lock=<*>, name=<*>, ws=<*>");
    assert_string_equal(text_of(m, b), "acquire lock=<*>, name=<*>, ws=<*>");
    uint32_t c = add(m, "visible is system.call.count gt 0");
    uint32_t d = add(m, "visible is system.message.count gt 0");
    assert_string_equal(text_of(m, c), "visible is <*> gt <*>");
    assert_int_equal(miner_resolve(m, c), miner_resolve(m, d));
    /* upper-case constants in a dotted name are keywords: two stay apart */
    uint32_t e = add(m, "onReceive action: android.intent.action.SCREEN_ON");
    uint32_t f = add(m, "onReceive action: android.intent.action.SCREEN_OFF");
    assert_int_not_equal(miner_resolve(m, e), miner_resolve(m, f));
    assert_string_equal(text_of(m, f), "onReceive action: android.intent.action.SCREEN_OFF");
    /* nor are plain words: two stay apart */
    uint32_t i = add(m, "session opened for user alice");
    uint32_t j = add(m, "session opened for user bob");
    assert_int_not_equal(miner_resolve(m, i), miner_resolve(m, j));
    miner_free(m);
}

static void test_bounded(void **state)
{
    (void)state;
    struct miner_opts o = { .max_templates = 64, .before_evict = on_evict };
    struct miner *m = NULL;
    assert_int_equal(miner_new(&o, &m), 0);
    /* an endless stream of unique templates: the first word differs and
     * has no digits, so nothing masks or merges it */
    char line[64];
    const int n = 20000;
    for (int i = 0; i < n; i++) {
        int x = i;
        char w[8];
        for (int k = 0; k < 6; k++, x /= 26) w[k] = (char)('a' + x % 26);
        w[6] = '\0';
        snprintf(line, sizeof(line), "%s: event happened", w);
        add(m, line);
        /* a frequent template keeps being seen */
        if (i % 10 == 0) add(m, "heartbeat ok");
    }
    const struct miner_stats *st = miner_get_stats(m);
    assert_true(st->entries <= 64);
    assert_true(st->templates <= 64);
    assert_true(st->evictions >= (uint64_t)n - 64);
    assert_int_equal(evict_calls, st->evictions);
    assert_int_equal(st->lines, n + n / 10);
    /* the frequent template survived the churn (count-1 entries go first) */
    int seen = 0;
    struct miner_template t;
    for (size_t i = 0;; i++) {
        int r = miner_template_at(m, i, &t);
        if (r == -ENOENT) break;
        if (r == 1 && strcmp(t.text, "heartbeat ok") == 0) {
            seen = 1;
            assert_int_equal(t.count, n / 10);
        }
    }
    assert_true(seen);
    miner_free(m);
}

static void test_times_sources(void **state)
{
    (void)state;
    struct miner *m = NULL;
    assert_int_equal(miner_new(NULL, &m), 0);
    uint32_t id;
    assert_int_equal(miner_add(m, "disk 1 full", 11, 2000, "a.log", &id), 0);
    assert_int_equal(miner_add(m, "disk 2 full", 11, 1000, "b.log", &id), 0);
    assert_int_equal(miner_add(m, "disk 3 full", 11, TS_TIME_NONE, "a.log", &id), 0);
    for (int i = 0; i < 6; i++) {
        char src[16];
        snprintf(src, sizeof(src), "s%d.log", i);
        assert_int_equal(miner_add(m, "disk 4 full", 11, 3000, src, &id), 0);
    }
    struct miner_template t;
    int found = 0;
    for (size_t i = 0;; i++) {
        int r = miner_template_at(m, i, &t);
        if (r == -ENOENT) break;
        if (r != 1) continue;
        found = 1;
        assert_int_equal(t.count, 9);
        assert_true(t.first == 1000);
        assert_true(t.last == 3000);
        assert_int_equal(t.n_sources, MINER_MAX_SOURCES);
        assert_string_equal(t.sources[0], "a.log");
        assert_string_equal(t.sources[1], "b.log");
        assert_true(t.more_sources);
    }
    assert_true(found);
    miner_free(m);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_same_shape),        cmocka_unit_test(test_generalise_names),
        cmocka_unit_test(test_wildcard_evidence), cmocka_unit_test(test_bounded),
        cmocka_unit_test(test_times_sources),     cmocka_unit_test(test_dotted_names),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
