/* SPDX-License-Identifier: MIT */
/* libFuzzer target: any JSON document given as a diagnosis renders to
 * Markdown and HTML without a crash, and the HTML never contains a raw
 * <script> (every string from the input is escaped). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>

#include "report/report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > 1 << 16) return 0;
    json_t *d = json_loadb((const char *)data, size, JSON_DECODE_ANY, NULL);
    if (!json_is_object(d)) {
        json_decref(d);
        return 0;
    }
    json_object_set_new(d, "schema", json_string("tshoot.diagnose/1"));
    char *md = NULL, *html = NULL;
    if (report_markdown(d, &md) == 0) free(md);
    if (report_html(d, &html) == 0) {
        if (strstr(html, "<script")) abort();
        free(html);
    }
    json_decref(d);
    return 0;
}
