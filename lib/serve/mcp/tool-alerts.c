/* SPDX-License-Identifier: MIT */
/*
 * tool-alerts.c: the `alert_rules` tool (lib/metrics/alerts.h): the
 * Prometheus rules file that would have paged before users noticed.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "serve/mcp/features.h"
#include "serve/mcp/tools.h"

#if MCP_HAVE_ALERTS
#include "metrics/alerts.h"

const char mcp_desc_alert_rules[] =
    "Generate the Prometheus alerting rules file (YAML) for tshoot's and node_exporter's "
    "metrics: file systems and tmpfs (including /dev/shm in pods) nearly full or predicted "
    "full within the horizon, inodes, OOM kills, memory/fd exhaustion, monitors down. Load it "
    "into Prometheus (rule_files) to be paged before users notice.";

const char mcp_schema_alert_rules[] =
    "{\"type\":\"object\",\"properties\":{"
    "\"threshold_pct\":{\"type\":\"number\",\"minimum\":1,\"maximum\":99,\"description\":\"Fill "
    "level that alerts (default 80)\"},"
    "\"horizon\":{\"type\":\"string\",\"description\":\"Predict exhaustion this far ahead "
    "(default 24h)\"},"
    "\"for_short\":{\"type\":\"string\",\"description\":\"'for' of near-full/OOM/fd alerts "
    "(default 5m)\"},"
    "\"for_long\":{\"type\":\"string\",\"description\":\"'for' of predictions and leaks (default "
    "15m)\"}," MCP_COMMON_PROPS "},\"additionalProperties\":false}";

int mcp_tool_alert_rules_call(struct mcp_call *c, json_t *args, json_t **ret, char **ret_error)
{
    struct alert_opts o = { 0 };
    json_t *v;
    if ((v = json_object_get(args, "threshold_pct"))) o.threshold_pct = json_number_value(v);
    const char *h = json_string_value(json_object_get(args, "horizon"));
    if (h) {
        int64_t ns;
        if (ts_parse_duration(h, &ns) < 0 || ns <= 0) {
            *ret_error = strdup("'horizon' must be a duration such as 6h or 2d");
            return *ret_error ? 0 : -ENOMEM;
        }
        o.horizon_s = (double)ns / 1e9;
    }
    o.for_short = json_string_value(json_object_get(args, "for_short"));
    o.for_long = json_string_value(json_object_get(args, "for_long"));
    _cleanup_free_ char *yaml = NULL;
    int r = alert_rules_yaml(&o, &yaml);
    if (r == -EINVAL) {
        *ret_error = strdup("invalid alert options: 'for_short'/'for_long' must be durations "
                            "such as 5m");
        return *ret_error ? 0 : -ENOMEM;
    }
    if (r < 0) return r;
    /* Count the rules for the summary. */
    json_int_t n = 0;
    for (const char *p = yaml; (p = strstr(p, "- alert:")); p++) n++;
    *ret = json_pack("{s:s,s:I,s:s}", "format", "prometheus-rules-yaml", "alerts", n, "yaml", yaml);
    return *ret ? 0 : -ENOMEM;
}

char *mcp_tool_alert_rules_render(const json_t *v)
{
    const char *y = json_string_value(json_object_get(v, "yaml"));
    return strdup(y ? y : "");
}
#endif
