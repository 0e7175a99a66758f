/* SPDX-License-Identifier: MIT */
/*
 * tool-collect.c: the `collect` tool (lib/host/collect.h): the host and
 * container snapshot, findings first, the other sections on request.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "serve/mcp/features.h"
#include "serve/mcp/tools.h"

#if MCP_HAVE_COLLECT
#include "host/collect.h"

const char mcp_desc_collect[] =
    "Snapshot a host and its containers, read-only: findings first (full or nearly full "
    "file systems including tmpfs such as /dev/shm inside pods, inodes, OOM kills, memory/IO "
    "pressure, fd limits, throttling, D-state processes, conntrack, clock), then file-count "
    "hot spots and file systems. Ask for other sections (memory, cgroups, pressure, cpu, "
    "processes, fds, network, containers, scans) with 'sections'. Without 'root' it reads the "
    "live host.";

const char mcp_schema_collect[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"root\":{\"type\":\"string\",\"minLength\":1,\"description\":\"A captured /proc+/sys tree "
    "inside the server's roots instead of the live host\"},"
    "\"paths\":{\"type\":\"array\",\"maxItems\":32,\"items\":{\"type\":\"string\",\"minLength\":1},"
    "\"description\":\"Extra directories (inside the roots) to scan for file-count hot spots\"},"
    "\"sections\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"enum\":[\"findings\","
    "\"hotspots\",\"filesystems\",\"filesystems_summary\",\"memory\",\"cgroups\",\"pressure\","
    "\"cpu\",\"processes\",\"fds\",\"network\",\"containers\",\"scans\",\"unavailable\","
    "\"timing_ms\"]},\"description\":\"Sections to return (default: findings, hotspots, "
    "filesystems)\"},"
    "\"no_containers\":{\"type\":\"boolean\",\"description\":\"Skip other mount "
    "namespaces\"}," MCP_COMMON_PROPS "},\"additionalProperties\":false}";

static double fs_fill(const json_t *f)
{
    double a = json_number_value(json_object_get(f, "used_pct"));
    double b = json_number_value(json_object_get(f, "inodes_used_pct"));
    return isfinite(a) && a > b ? a : b;
}

static int by_fill(const void *x, const void *y)
{
    double a = fs_fill(*(json_t *const *)x), b = fs_fill(*(json_t *const *)y);
    return a < b ? 1 : a > b ? -1 : 0;
}

/* Fullest file systems first, so a cut list keeps the ones that matter. */
static json_t *sorted_filesystems(json_t *fs)
{
    size_t n = json_array_size(fs);
    json_t **v = calloc(n + 1, sizeof(json_t *));
    json_t *out = json_array();
    if (!v || !out) goto fail;
    for (size_t i = 0; i < n; i++) v[i] = json_array_get(fs, i);
    qsort(v, n, sizeof(json_t *), by_fill);
    for (size_t i = 0; i < n; i++)
        if (json_array_append(out, v[i]) < 0) goto fail;
    free(v);
    return out;
fail:
    free(v);
    json_decref(out);
    return NULL;
}

int mcp_tool_collect_call(struct mcp_call *c, json_t *args, json_t **ret, char **ret_error)
{
    _cleanup_free_ char *root = NULL;
    char **paths = NULL;
    size_t n_paths = 0;
    /* Paths first: a path outside the roots is the clearer error. */
    int r = mcp_arg_path(c, args, "root", &root, ret_error);
    if (r < 0 || *ret_error) return r;
    r = mcp_arg_paths(c, args, "paths", &paths, &n_paths, ret_error);
    if (r < 0 || *ret_error) return r;
    if (!root && (r = mcp_need_live(c, "reading the live host", ret_error)) != 0) {
        mcp_strv_free(paths, n_paths);
        return r > 0 ? 0 : r;
    }

    struct collect_opts o = {
        .root = root,
        .scan_paths = (const char **)paths,
        .n_scan = n_paths,
        .no_containers = json_is_true(json_object_get(args, "no_containers")),
        .budget_ms = 5000,
    };
    json_t *doc = NULL;
    r = mcp_call_stage(c, 1, 3, "collecting");
    if (r >= 0) r = collect_run(&o, &doc);
    mcp_strv_free(paths, n_paths);
    if (r == -EINVAL) {
        *ret_error = strdup("cannot collect: bad options (is 'root' a captured tree?)");
        return *ret_error ? 0 : -ENOMEM;
    }
    if (r < 0) return r;

    json_t *v = json_object();
    json_t *sections = json_object_get(args, "sections");
    static const char *const always[] = { "schema", "generated_at", "root", "live", "host" };
    static const char *const dflt[] = { "findings", "hotspots", "filesystems" };
    for (size_t i = 0; v && i < ELEMENTSOF(always); i++) {
        json_t *x = json_object_get(doc, always[i]);
        if (x) json_object_set(v, always[i], x);
    }
    size_t n = json_array_size(sections) ? json_array_size(sections) : ELEMENTSOF(dflt);
    for (size_t i = 0; v && i < n; i++) {
        const char *k =
            json_array_size(sections) ? json_string_value(json_array_get(sections, i)) : dflt[i];
        json_t *x = json_object_get(doc, k);
        if (!x) continue;
        if (streq(k, "filesystems")) {
            json_t *s = sorted_filesystems(x);
            if (!s || json_object_set_new(v, k, s) < 0) r = -ENOMEM;
        } else if (json_object_set(v, k, x) < 0)
            r = -ENOMEM;
    }
    json_decref(doc);
    if (!v || r < 0) {
        json_decref(v);
        return -ENOMEM;
    }
    *ret = v;
    return 0;
}

static const char *jstr(const json_t *o, const char *k)
{
    const char *s = json_string_value(json_object_get(o, k));
    return s ? s : "";
}

char *mcp_tool_collect_render(const json_t *v)
{
    struct buf b = BUF_INIT(1 << 20);
    json_t *host = json_object_get(v, "host");
    json_t *fi = json_object_get(v, "findings"), *e;
    size_t i;
    mcp_textf(&b, "collect: %s%s, %zu finding%s\n",
              *jstr(host, "hostname") ? jstr(host, "hostname") : "host",
              json_is_true(json_object_get(v, "live")) ? " (live)" : " (captured tree)",
              json_array_size(fi), json_array_size(fi) == 1 ? "" : "s");
    json_array_foreach(fi, i, e)
    {
        if (i >= 8) break;
        mcp_textf(&b, "- [%s] %s: %s\n", jstr(e, "severity"), jstr(e, "id"), jstr(e, "message"));
    }
    json_array_foreach(json_object_get(v, "hotspots"), i, e)
    {
        if (i >= 3) break;
        mcp_textf(&b, "hot spot: %s/%s* %lld files, %.1f/min\n", jstr(e, "dir"), jstr(e, "prefix"),
                  (long long)json_integer_value(json_object_get(e, "count")),
                  json_number_value(json_object_get(e, "rate_per_min")));
    }
    json_array_foreach(json_object_get(v, "filesystems"), i, e)
    {
        if (i >= 3) break;
        mcp_textf(&b, "fs: %s (%s) %.1f%% used, inodes %.1f%%\n", jstr(e, "mountpoint"),
                  jstr(e, "fstype"), json_number_value(json_object_get(e, "used_pct")),
                  json_number_value(json_object_get(e, "inodes_used_pct")));
    }
    char *s = buf_take(&b);
    buf_release(&b);
    return s;
}
#endif
