/* SPDX-License-Identifier: MIT */
/* libFuzzer target: /proc/PID/cgroup -> container id, pod UID, runtime (fixed-size fields stay
 * terminated) */
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
    struct cgroup_ident id;
    if (cgroup_ident_parse(s, &id) == 0) {
        if (strlen(id.id) >= sizeof id.id || strlen(id.pod_uid) >= sizeof id.pod_uid ||
            strlen(id.path) >= sizeof id.path || strlen(id.name) >= sizeof id.name ||
            strlen(id.mem_path) >= sizeof id.mem_path || strlen(id.cpu_path) >= sizeof id.cpu_path)
            abort();
        if (id.id[0] && strlen(id.id) != 64) abort();
        if (id.pod_uid[0] && strlen(id.pod_uid) != 36) abort();
    }
    free(s);
    return 0;
}
