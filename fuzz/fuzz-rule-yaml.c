/* SPDX-License-Identifier: MIT */
/* libFuzzer: one rule file through kb_parse_rule (YAML, schema, regex checks). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "rca/kb.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct kb_rule *r = NULL;
    char *err = NULL;
    if (size > 65536) return 0;
    if (kb_parse_rule("fuzz.yaml", (const char *)data, size, &r, &err) == 0) {
        kb_rule_done(r);
        free(r);
    }
    free(err);
    return 0;
}
