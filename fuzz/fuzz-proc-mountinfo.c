/* SPDX-License-Identifier: MIT */
/* libFuzzer target: every /proc/PID/mountinfo line parses or is rejected, fields stay inside the
 * line */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "host/procparse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size + 1);
    if (!s) return 0;
    memcpy(s, data, size);
    s[size] = '\0';
    for (char *l = s; l && *l;) {
        char *nl = strchr(l, '\n');
        if (nl) *nl = '\0';
        struct mountinfo_entry e;
        if (mountinfo_parse_line(l, &e) == 0) {
            if (e.mountpoint[0] != '/' || e.root[0] != '/') abort();
            (void)fstype_is_pseudo(e.fstype);
            (void)mount_opt_has(e.opts, "ro");
            (void)mount_opt_has(e.super_opts, "ro");
        }
        l = nl ? nl + 1 : NULL;
    }
    free(s);
    return 0;
}
