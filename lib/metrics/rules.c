/* SPDX-License-Identifier: MIT */
/* alert_rules_yaml(): the Prometheus rules file for tshoot's and
 * node_exporter's metrics (declared in metrics/alerts.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/buf.h"
#include "core/macro.h"
#include "core/timeutil.h"
#include "metrics/alerts.h"

void alert_opts_defaults(struct alert_opts *o)
{
    if (!(o->threshold_pct > 0 && o->threshold_pct < 100)) o->threshold_pct = 80;
    if (!(o->horizon_s > 0)) o->horizon_s = 86400;
    if (!o->for_short) o->for_short = "5m";
    if (!o->for_long) o->for_long = "15m";
    if (o->kuma_min_down <= 0) o->kuma_min_down = 3;
}

struct rule {
    const char *group; /* NULL = same as previous */
    const char *name;
    const char *expr; /* printf format; args: see render() */
    int for_kind;     /* 0 short, 1 long */
    const char *severity;
    const char *summary;
    const char *description;
};

/* Placeholders in expr/summary/description: {THRESHOLD} threshold percent,
 * {HORIZON_S} horizon in seconds, {HORIZON} horizon as text ("1d"),
 * {KUMA_MIN} Uptime Kuma monitors down together. */
static const struct rule rules[] = {
    { "tshoot.filesystems", "TshootFilesystemNearlyFull",
      "100 * (1 - tshoot_fs_avail_bytes / tshoot_fs_size_bytes) > {THRESHOLD} and "
      "tshoot_fs_size_bytes > 0 "
      "and tshoot_fs_readonly == 0",
      0, "warning", "{{ $labels.mountpoint }} is {{ $value | printf \"%.0f\" }}% full",
      "Filesystem {{ $labels.mountpoint }} ({{ $labels.fstype }}{{ if $labels.pod }} in pod "
      "{{ $labels.namespace }}/{{ $labels.pod }}{{ end }}) on {{ $labels.instance }} is above "
      "{THRESHOLD}%. "
      "Writes fail with ENOSPC when it reaches 100%." },
    { NULL, "TshootFilesystemPredictedFull",
      "tshoot_fs_predicted_full_seconds < {HORIZON_S} and tshoot_fs_readonly == 0", 1, "warning",
      "{{ $labels.mountpoint }} predicted full in {{ $value | humanizeDuration }}",
      "At its current growth rate {{ $labels.mountpoint }} ({{ $labels.fstype }}) runs out of "
      "space within {HORIZON}. Find what writes there: tshoot collect." },
    { NULL, "TshootContainerTmpfsNearlyFull",
      "100 * (1 - tshoot_fs_avail_bytes{fstype=\"tmpfs\",container!=\"\"} / "
      "tshoot_fs_size_bytes{fstype=\"tmpfs\",container!=\"\"}) > {THRESHOLD}",
      0, "critical",
      "tmpfs {{ $labels.mountpoint }} in {{ $labels.namespace }}/{{ $labels.pod }} is "
      "{{ $value | printf \"%.0f\" }}% full",
      "A container tmpfs (often /dev/shm, 64 MiB by default) is nearly full; node_exporter does "
      "not "
      "see it. Applications storing sessions or caches there fail with ENOSPC." },
    { NULL, "TshootContainerTmpfsPredictedFull",
      "predict_linear(tshoot_fs_avail_bytes{fstype=\"tmpfs\",container!=\"\"}[1h], {HORIZON_S}) < "
      "0",
      1, "warning",
      "tmpfs {{ $labels.mountpoint }} in {{ $labels.namespace }}/{{ $labels.pod }} "
      "fills within {HORIZON}",
      "Linear extrapolation of the last hour says this container tmpfs runs out of space within "
      "{HORIZON}." },
    { NULL, "TshootFilesystemInodesNearlyFull",
      "100 * (1 - tshoot_fs_files_free / tshoot_fs_files) > {THRESHOLD} and tshoot_fs_files > 0", 0,
      "warning", "{{ $labels.mountpoint }} has used {{ $value | printf \"%.0f\" }}% of its inodes",
      "New files on {{ $labels.mountpoint }} fail with ENOSPC when inodes run out, even with free "
      "bytes. Look for many small files (tshoot collect shows hot prefixes)." },
    { NULL, "TshootFilesystemInodesPredictedFull",
      "tshoot_fs_files_predicted_full_seconds < {HORIZON_S}", 1, "warning",
      "{{ $labels.mountpoint }} runs out of inodes in {{ $value | humanizeDuration }}",
      "File creation on {{ $labels.mountpoint }} outpaces deletion." },
    { NULL, "TshootHotPrefixGrowing",
      "tshoot_dir_entries_growth_per_second > 0 and tshoot_dir_entries > 10000", 1, "info",
      "{{ $labels.dir }}/{{ $labels.prefix }}* keeps growing ({{ $value | printf \"%.2f\" }}/s)",
      "Many files with one prefix accumulate without cleanup (sessions, caches, uploads)." },
    { NULL, "TshootProbeLate", "tshoot_fs_probe_late == 1", 0, "warning",
      "statvfs of {{ $labels.mountpoint }} is not answering",
      "A filesystem probe missed its deadline: a hung NFS/FUSE mount blocks processes that "
      "touch it." },
    { "tshoot.processes", "TshootProcessMemoryLeak", "tshoot_process_memory_leak_suspected == 1", 1,
      "warning", "{{ $labels.comm }} (pid {{ $labels.pid }}) memory grows steadily",
      "Resident memory grows linearly (least squares R^2 high): the leak pattern. Growth: "
      "{{ with printf \"tshoot_process_memory_growth_bytes_per_second{pid='%s'}\" $labels.pid | "
      "query }}{{ . | first | value | humanize1024 }}B/s{{ end }}." },
    { NULL, "TshootProcessFdLeak", "tshoot_process_fd_leak_suspected == 1", 1, "warning",
      "{{ $labels.comm }} (pid {{ $labels.pid }}) keeps opening file descriptors",
      "Open file descriptors grow steadily; EMFILE ('too many open files') follows at the limit." },
    { NULL, "TshootProcessFdsNearLimit",
      "tshoot_process_open_fds / tshoot_process_max_fds > 0.8 and tshoot_process_max_fds > 0", 0,
      "warning", "{{ $labels.comm }} uses {{ $value | humanizePercentage }} of its fd limit",
      "At the limit every open/accept fails with EMFILE." },
    { "node.filesystems", "NodeFilesystemNearlyFull",
      "100 * (1 - node_filesystem_avail_bytes{fstype!~\"tmpfs|ramfs|squashfs|overlay\"} / "
      "node_filesystem_size_bytes{fstype!~\"tmpfs|ramfs|squashfs|overlay\"}) > {THRESHOLD} and "
      "node_filesystem_readonly == 0",
      0, "warning",
      "{{ $labels.mountpoint }} on {{ $labels.instance }} is {{ $value | printf "
      "\"%.0f\" }}% full",
      "node_exporter reports {{ $labels.mountpoint }} above {THRESHOLD}%." },
    { NULL, "NodeTmpfsNearlyFull",
      "100 * (1 - node_filesystem_avail_bytes{fstype=\"tmpfs\"} / "
      "node_filesystem_size_bytes{fstype=\"tmpfs\"}) > {THRESHOLD} and node_filesystem_size_bytes "
      "> 0",
      0, "warning",
      "tmpfs {{ $labels.mountpoint }} on {{ $labels.instance }} is {{ $value | printf "
      "\"%.0f\" }}% full",
      "A host tmpfs (RAM backed: /dev/shm, /run) is nearly full." },
    { NULL, "NodeFilesystemPredictedFull",
      "predict_linear(node_filesystem_avail_bytes{fstype!~\"ramfs|squashfs|overlay\"}[6h], "
      "{HORIZON_S}) < 0 "
      "and node_filesystem_readonly == 0",
      1, "warning", "{{ $labels.mountpoint }} on {{ $labels.instance }} fills within {HORIZON}",
      "Linear extrapolation of the last 6 hours says {{ $labels.mountpoint }} runs out of space." },
    { NULL, "NodeFilesystemInodesNearlyFull",
      "100 * (1 - node_filesystem_files_free / node_filesystem_files) > {THRESHOLD} and "
      "node_filesystem_files > 0",
      0, "warning",
      "{{ $labels.mountpoint }} on {{ $labels.instance }} has used {{ $value | printf "
      "\"%.0f\" }}% of its inodes",
      "File creation fails with ENOSPC when the inodes are gone." },
    { NULL, "NodeFilesystemInodesPredictedFull",
      "predict_linear(node_filesystem_files_free[6h], {HORIZON_S}) < 0 and node_filesystem_files > "
      "0",
      1, "warning",
      "{{ $labels.mountpoint }} on {{ $labels.instance }} runs out of inodes within {HORIZON}",
      "File creation outpaces deletion." },
    { "node.memory", "NodeOOMKills", "increase(node_vmstat_oom_kill[15m]) > 0", 0, "warning",
      "{{ $labels.instance }}: {{ $value | printf \"%.0f\" }} OOM kill(s) in 15 minutes",
      "The kernel killed processes for memory. Check which cgroup hit its limit: tshoot collect." },
    { NULL, "NodeFileDescriptorsNearLimit", "node_filefd_allocated / node_filefd_maximum > 0.8", 0,
      "warning",
      "{{ $labels.instance }} uses {{ $value | humanizePercentage }} of the system fd limit",
      "At fs.file-max every open fails with ENFILE." },
    { NULL, "ProcessFdsNearLimit", "process_open_fds / process_max_fds > 0.8", 0, "warning",
      "{{ $labels.job }} on {{ $labels.instance }} uses {{ $value | humanizePercentage }} of its "
      "fd "
      "limit",
      "At the limit every open/accept fails with EMFILE." },
    { "uptime_kuma", "ManyMonitorsDownTogether",
      "count(monitor_status == 0) >= {KUMA_MIN} and count(monitor_status == 0) / "
      "count(monitor_status) >= "
      "0.25",
      0, "critical", "{{ $value | printf \"%.0f\" }} Uptime Kuma monitors are down at once",
      "Many monitors failing together point at a shared dependency (auth proxy, ingress, DNS, a "
      "full disk or tmpfs) rather than at each service: tshoot diagnose." },
};

/* Replace the {NAME} placeholders of t. */
static int expand(const char *t, const struct alert_opts *o, const char *horizon_txt, char **ret)
{
    struct buf b = BUF_INIT(64 << 10);
    int r = 0;
    while (*t && r == 0) {
        const char *rest;
        if ((rest = startswith(t, "{THRESHOLD}"))) {
            r = buf_printf(&b, "%g", o->threshold_pct);
        } else if ((rest = startswith(t, "{HORIZON_S}"))) {
            r = buf_printf(&b, "%.0f", o->horizon_s);
        } else if ((rest = startswith(t, "{HORIZON}"))) {
            r = buf_puts(&b, horizon_txt);
        } else if ((rest = startswith(t, "{KUMA_MIN}"))) {
            r = buf_printf(&b, "%d", o->kuma_min_down);
        } else {
            r = buf_putc(&b, *t);
            rest = t + 1;
        }
        t = rest;
    }
    if (r < 0) {
        buf_release(&b);
        return r;
    }
    *ret = buf_take(&b);
    buf_release(&b);
    return *ret ? 0 : -ENOMEM;
}

static int yaml_quote(struct buf *b, const char *s)
{
    int r = buf_putc(b, '\'');
    for (; *s && r == 0; s++) r = *s == '\'' ? buf_puts(b, "''") : buf_putc(b, *s);
    if (r == 0) r = buf_putc(b, '\'');
    return r;
}

int alert_rules_yaml(const struct alert_opts *in, char **ret)
{
    struct alert_opts o = in ? *in : (struct alert_opts){ 0 };
    alert_opts_defaults(&o);
    int64_t dummy;
    if (ts_parse_duration(o.for_short, &dummy) < 0 || ts_parse_duration(o.for_long, &dummy) < 0 ||
        !isfinite(o.horizon_s))
        return -EINVAL;
    char horizon_txt[32];
    ts_format_duration((int64_t)(o.horizon_s * 1e9), horizon_txt, sizeof horizon_txt);
    struct buf b = BUF_INIT(1 << 20);
    int r = buf_puts(&b, "# Prometheus alerting rules generated by `tshoot rules alerts`.\n"
                         "# Check: promtool check rules FILE\n"
                         "groups:\n");
    for (size_t i = 0; i < ELEMENTSOF(rules) && r == 0; i++) {
        const struct rule *ru = &rules[i];
        _cleanup_free_ char *expr = NULL, *sum = NULL, *desc = NULL;
        if ((r = expand(ru->expr, &o, horizon_txt, &expr)) < 0 ||
            (r = expand(ru->summary, &o, horizon_txt, &sum)) < 0 ||
            (r = expand(ru->description, &o, horizon_txt, &desc)) < 0)
            break;
        if (ru->group) r = buf_printf(&b, "  - name: %s\n    rules:\n", ru->group);
        if (r == 0) r = buf_printf(&b, "      - alert: %s\n        expr: ", ru->name);
        if (r == 0) r = yaml_quote(&b, expr);
        if (r == 0)
            r = buf_printf(&b,
                           "\n        for: %s\n        labels:\n          severity: %s\n"
                           "        annotations:\n          summary: ",
                           ru->for_kind ? o.for_long : o.for_short, ru->severity);
        if (r == 0) r = yaml_quote(&b, sum);
        if (r == 0) r = buf_puts(&b, "\n          description: ");
        if (r == 0) r = yaml_quote(&b, desc);
        if (r == 0) r = buf_putc(&b, '\n');
    }
    if (r < 0) {
        buf_release(&b);
        return r;
    }
    *ret = buf_take(&b);
    buf_release(&b);
    return *ret ? 0 : -ENOMEM;
}
