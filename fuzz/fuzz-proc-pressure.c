/* SPDX-License-Identifier: MIT */
/* libFuzzer target: PSI files (/proc/pressure/{cpu,memory,io}, cgroup v2 pressure files) */
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
    struct psi p;
    if (psi_parse(s, &p) == 0 && !p.some.present) abort();
    free(s);
    return 0;
}
