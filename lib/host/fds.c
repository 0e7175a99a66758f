/* SPDX-License-Identifier: MIT */
/* System-wide file handles: /proc/sys/fs/file-nr vs file-max. (Per-process
 * descriptor counts are gathered in the process walk, procs.c.) */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>

#include "host/hostctx.h"
#include "host/procparse.h"

int collect_fds(struct hctx *c)
{
    json_t *f = json_object_get(c->doc, "fds");
    if (!f) {
        f = json_object();
        if (!f) return -ENOMEM;
        json_object_set_new(c->doc, "fds", f);
    }
    _cleanup_free_ char *t = NULL;
    if (hctx_read(c, "/proc/sys/fs/file-nr", false, &t, NULL) < 0) return 0;
    unsigned long long alloc, unused, max;
    if (sscanf(t, "%llu %llu %llu", &alloc, &unused, &max) != 3 || max == 0) {
        hctx_unavail(c, "/proc/sys/fs/file-nr", "malformed: not 'ALLOCATED UNUSED MAX'");
        return 0;
    }
    json_object_set_new(f, "system_allocated", json_integer((json_int_t)alloc));
    json_object_set_new(f, "system_max", json_u64(max));
    double pct = 100.0 * (double)alloc / (double)max;
    json_object_set_new(f, "system_used_pct", json_pct(pct));
    if (pct >= 80)
        hctx_finding(c, "fd.system_near_limit", pct >= 95 ? "critical" : "warning",
                     "system file handles", pct, 80,
                     "%llu of %llu system-wide file handles are allocated (%.1f%%, fs.file-max); "
                     "open() fails with ENFILE at the limit",
                     alloc, max, pct);
    return 0;
}
