/* SPDX-License-Identifier: MIT */
/* libFuzzer: bundle parts (k8s JSON, Prometheus text, deps.yaml, notes, log
 * lines) through the evidence engine with the shipped rules. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "rca/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct kb *kb;
    static struct sigdb *db;
    if (!kb) {
        const char *env = getenv("TSHOOT_RULES_DIR");
        const char *dirs[1] = { env && *env ? env : "rules" };
        if (kb_load(dirs, 1, &kb) < 0 || sigdb_build(kb, &db, NULL) < 0) abort();
    }
    if (size > 1 << 20) return 0;
    struct ev e;
    if (ev_init(&e, kb, db) < 0) abort();
    const char *text = (const char *)data;
    json_t *j = json_loadb(text, size, 0, NULL);
    if (j) {
        (void)ev_add_k8s(&e, j, "k8s/x.json");
        (void)ev_add_snapshot(&e, j, "host/x.json");
        json_decref(j);
    }
    (void)ev_add_metrics_text(&e, text, size, "metrics/x.prom");
    (void)ev_add_deps_yaml(&e, text, size, "deps.yaml");
    (void)ev_add_notes(&e, text, size, "notes.md");
    int src = ev_source_add(&e, "logs/x.log", "x", EV_LOG);
    if (src >= 0) {
        const char *p = text, *end = text + size;
        uint64_t n = 0;
        while (p < end) {
            const char *nl = memchr(p, '\n', (size_t)(end - p));
            size_t l = nl ? (size_t)(nl - p) : (size_t)(end - p);
            (void)ev_line(&e, src, p, l, ++n);
            p += l + 1;
        }
    }
    ev_done(&e);
    return 0;
}
