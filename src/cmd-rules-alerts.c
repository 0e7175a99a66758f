/* SPDX-License-Identifier: MIT */
/* tshoot rules alerts: write the Prometheus alerting rules file. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>

#include "cmd-rules.h"
#include "core/timeutil.h"
#include "metrics/alerts.h"
#include "tshoot.h"

#define CMD "rules alerts"

static const char usage[] =
    "usage: tshoot rules alerts [OPTIONS]\n"
    "\n"
    "Write a Prometheus rules file for tshoot's and node_exporter's metrics:\n"
    "filesystems and container tmpfs near full or predicted full (bytes and\n"
    "inodes), hot file prefixes, hung mounts, process memory/fd leaks, OOM kills,\n"
    "fd limits, and many Uptime Kuma monitors (monitor_status) down together.\n"
    "Every rule passes `promtool check rules`.\n"
    "\n"
    "Options:\n"
    "  -o, --output FILE     write to FILE instead of stdout\n"
    "      --threshold PCT   near-full threshold in percent (default 80)\n"
    "      --horizon DUR     predicted-full horizon (default 24h)\n"
    "      --for DUR         `for` of the near-full/OOM/fd rules (default 5m)\n"
    "      --for-long DUR    `for` of the prediction and leak rules (default 15m)\n"
    "      --kuma-min-down N monitors down together for the meta-alert (default 3)\n";

int cmd_rules_alerts(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },
        { "threshold", required_argument, NULL, 't' },
        { "horizon", required_argument, NULL, 'H' },
        { "for", required_argument, NULL, 'f' },
        { "for-long", required_argument, NULL, 'F' },
        { "kuma-min-down", required_argument, NULL, 'k' },
        { "help", no_argument, NULL, 'h' },
        {},
    };
    struct alert_opts ao = { 0 };
    const char *output = NULL;
    int opt, r;
    int64_t ns;
    unsigned long v;
    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":o:h", opts, NULL)) != -1) {
        switch (opt) {
        case 'o': output = optarg; break;
        case 't': {
            char *end;
            ao.threshold_pct = strtod(optarg, &end);
            if (*end || !(ao.threshold_pct > 0 && ao.threshold_pct < 100))
                return usage_error(CMD, "--threshold '%s' is not a percentage in (0, 100)", optarg);
            break;
        }
        case 'H':
            if (ts_parse_duration(optarg, &ns) < 0 || ns <= 0)
                return usage_error(CMD, "--horizon '%s' is not a duration", optarg);
            ao.horizon_s = (double)ns / 1e9;
            break;
        case 'f':
        case 'F':
            if (ts_parse_duration(optarg, &ns) < 0)
                return usage_error(CMD, "%s '%s' is not a duration",
                                   opt == 'f' ? "--for" : "--for-long", optarg);
            if (opt == 'f')
                ao.for_short = optarg;
            else
                ao.for_long = optarg;
            break;
        case 'k':
            if ((r = parse_uint_opt(CMD, "--kuma-min-down", optarg, 10000, &v))) return r;
            ao.kuma_min_down = (int)v;
            break;
        case 'h': fputs(usage, stdout); return 0;
        case ':': return usage_error(CMD, "option '%s' needs a value", argv[optind - 1]);
        default: return usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    char *yaml = NULL;
    r = alert_rules_yaml(&ao, &yaml);
    if (r < 0) return fail_errno(CMD, r, "cannot generate rules");
    FILE *f = output_open(output);
    if (!f) {
        free(yaml);
        return fail_errno(CMD, -errno, "cannot open '%s'", output);
    }
    fputs(yaml, f);
    free(yaml);
    return output_close(CMD, f, output);
}
