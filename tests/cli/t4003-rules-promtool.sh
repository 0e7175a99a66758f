#!/bin/sh
# Every rule that `tshoot rules alerts` writes passes `promtool check rules`,
# with default and custom options; bad options are usage errors.
. "$(dirname "$0")/lib.sh"
command -v promtool >/dev/null 2>&1 || skip_all "promtool not installed (scripts/deps.sh installs prometheus)"

expect_exit 0 "rules alerts" -- "$TSHOOT" rules alerts -o "$T_TMP/rules.yml"
expect_exit 0 "promtool check rules (defaults)" -- promtool check rules "$T_TMP/rules.yml"
expect_grep "SUCCESS: 2[0-9] rules found" "$T_TMP/out" "promtool counts the rules"
for name in TshootFilesystemNearlyFull TshootFilesystemPredictedFull TshootContainerTmpfsNearlyFull \
    TshootContainerTmpfsPredictedFull TshootFilesystemInodesNearlyFull NodeFilesystemPredictedFull \
    NodeFilesystemInodesNearlyFull NodeOOMKills NodeFileDescriptorsNearLimit ManyMonitorsDownTogether; do
    expect_grep "alert: $name\$" "$T_TMP/rules.yml" "rule $name"
done
expect_grep 'predict_linear\(tshoot_fs_avail_bytes\{fstype="tmpfs",container!=""\}\[1h\], 86400\) < 0' "$T_TMP/rules.yml" "container tmpfs uses predict_linear over 24h"
expect_grep 'count\(monitor_status == 0\) >= 3' "$T_TMP/rules.yml" "Uptime Kuma meta-alert"

expect_exit 0 "rules alerts with options" -- "$TSHOOT" rules alerts --threshold 90 --horizon 6h --for 1m --for-long 30m --kuma-min-down 5
cp "$T_TMP/out" "$T_TMP/rules2.yml"
expect_exit 0 "promtool check rules (custom)" -- promtool check rules "$T_TMP/rules2.yml"
expect_grep '> 90 ' "$T_TMP/rules2.yml" "threshold applied"
expect_grep '< 21600 ' "$T_TMP/rules2.yml" "horizon applied"
expect_grep 'for: 30m' "$T_TMP/rules2.yml" "long for applied"
expect_grep '>= 5 and' "$T_TMP/rules2.yml" "kuma minimum applied"

# promtool unit test: the meta-alert fires for 3 of 4 monitors down, not 1
cat >"$T_TMP/test.yml" <<YML
rule_files: [rules.yml]
evaluation_interval: 1m
tests:
  - interval: 1m
    input_series:
      - series: 'monitor_status{monitor_name="auth"}'
        values: '1 0 0 0 0 0'
      - series: 'monitor_status{monitor_name="wiki"}'
        values: '1 0 0 0 0 0'
      - series: 'monitor_status{monitor_name="git"}'
        values: '1 1 0 0 0 0'
      - series: 'monitor_status{monitor_name="dns"}'
        values: '1 1 1 1 1 1'
      - series: 'tshoot_fs_avail_bytes{mountpoint="/dev/shm",fstype="tmpfs",device="shm",container="outpost",pod="outpost-1",namespace="authentik"}'
        values: '10000000-500000x10'
      - series: 'tshoot_fs_size_bytes{mountpoint="/dev/shm",fstype="tmpfs",device="shm",container="outpost",pod="outpost-1",namespace="authentik"}'
        values: '67108864x10'
    alert_rule_test:
      - eval_time: 1m
        alertname: ManyMonitorsDownTogether
        exp_alerts: []
      - eval_time: 7m
        alertname: ManyMonitorsDownTogether
        exp_alerts:
          - exp_labels: {severity: critical}
            exp_annotations:
              summary: '3 Uptime Kuma monitors are down at once'
              description: 'Many monitors failing together point at a shared dependency (auth proxy, ingress, DNS, a full disk or tmpfs) rather than at each service: tshoot diagnose.'
      - eval_time: 8m
        alertname: TshootContainerTmpfsNearlyFull
        exp_alerts:
          - exp_labels: {severity: critical, mountpoint: /dev/shm, fstype: tmpfs, device: shm, container: outpost, pod: outpost-1, namespace: authentik}
            exp_annotations:
              summary: 'tmpfs /dev/shm in authentik/outpost-1 is 91% full'
              description: 'A container tmpfs (often /dev/shm, 64 MiB by default) is nearly full; node_exporter does not see it. Applications storing sessions or caches there fail with ENOSPC.'
YML
"$TSHOOT" rules alerts --for 5m --for-long 15m -o "$T_TMP/rules.yml"
expect_exit 0 "promtool test rules (meta-alert and container tmpfs)" -- promtool test rules "$T_TMP/test.yml"
[ "$T_FAILS" -gt 0 ] && sed 's/^/#   /' "$T_TMP/out" | head -30
expect_exit 64 "bad --for" -- "$TSHOOT" rules alerts --for soon
expect_exit 64 "bad threshold" -- "$TSHOOT" rules alerts --threshold 0
done_testing
