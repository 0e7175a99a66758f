/* SPDX-License-Identifier: MIT */
/* tshoot watch: sample, predict, export, alert (see docs/watch.md). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <malloc.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "core/redact.h"
#include "core/timeutil.h"
#include "metrics/alerts.h"
#include "metrics/state.h"
#include "metrics/watch.h"
#include "serve/serve.h"
#include "tshoot.h"

#define CMD        "watch"
#define MAX_GLOBS  64
#define SAVE_EVERY (60 * TS_NSEC_PER_SEC)

static const char usage[] =
    "usage: tshoot watch [OPTIONS]\n"
    "\n"
    "Sample every filesystem of the host and of its containers, the hot file\n"
    "prefixes of each tmpfs and process memory/fds; predict when each runs out;\n"
    "serve Prometheus metrics and send alerts before it happens.\n"
    "\n"
    "Options:\n"
    "  -i, --interval DUR       time between samples (default 15s)\n"
    "  -l, --listen ADDR:PORT   serve /metrics and /healthz (default 127.0.0.1:9877;\n"
    "                           'none' serves nothing)\n"
    "  -s, --state FILE         SQLite state file keeping history across restarts\n"
    "      --state-max-bytes N  cap of the state file (default 16777216)\n"
    "      --alertmanager URL   send alerts to Alertmanager's API v2 (URL/api/v2/alerts)\n"
    "      --webhook URL        POST firing/resolved alerts as JSON to URL\n"
    "      --bearer-token-file F  Authorization for --alertmanager/--webhook\n"
    "      --horizon DUR        alert when predicted full within DUR (default 24h)\n"
    "      --for DUR            how long a condition must hold before firing\n"
    "                           (default 5m; --once uses 0 unless given)\n"
    "      --threshold PCT      near-full alert threshold in percent (default 80)\n"
    "  -m, --mount GLOB         only mountpoints matching GLOB (repeatable)\n"
    "      --no-containers      only the host's mount namespace\n"
    "      --no-processes       no process memory/fd tracking\n"
    "      --probe-timeout DUR  deadline of the filesystem probes of one sample\n"
    "                           (default min(interval/2, 5s)); a hung mount is\n"
    "                           reported late, never waited for\n"
    "      --config FILE        read options from FILE ('key = value' per line, keys\n"
    "                           are the long option names); SIGHUP re-reads it\n"
    "      --instance NAME      'instance' label of the alerts (default: the hostname;\n"
    "                           in a DaemonSet pass the node name)\n"
    "      --once               take one sample, print a table, send alerts, exit\n"
    "                           (exit 1 when an alert fires)\n"
    "\n"
    "Signals: SIGTERM/SIGINT save the state and exit within a second; SIGHUP\n"
    "reloads the configuration. Alert transitions are logged to stderr.\n";

enum {
    OPT_STATE_MAX = 0x100,
    OPT_AM,
    OPT_WEBHOOK,
    OPT_TOKEN,
    OPT_HORIZON,
    OPT_FOR,
    OPT_THRESHOLD,
    OPT_NO_CONTAINERS,
    OPT_NO_PROCESSES,
    OPT_PROBE_TIMEOUT,
    OPT_CONFIG,
    OPT_ONCE,
    OPT_INSTANCE,
};

static const struct option options[] = {
    { "interval", required_argument, NULL, 'i' },
    { "listen", required_argument, NULL, 'l' },
    { "state", required_argument, NULL, 's' },
    { "state-max-bytes", required_argument, NULL, OPT_STATE_MAX },
    { "alertmanager", required_argument, NULL, OPT_AM },
    { "webhook", required_argument, NULL, OPT_WEBHOOK },
    { "bearer-token-file", required_argument, NULL, OPT_TOKEN },
    { "horizon", required_argument, NULL, OPT_HORIZON },
    { "for", required_argument, NULL, OPT_FOR },
    { "threshold", required_argument, NULL, OPT_THRESHOLD },
    { "mount", required_argument, NULL, 'm' },
    { "no-containers", no_argument, NULL, OPT_NO_CONTAINERS },
    { "no-processes", no_argument, NULL, OPT_NO_PROCESSES },
    { "probe-timeout", required_argument, NULL, OPT_PROBE_TIMEOUT },
    { "config", required_argument, NULL, OPT_CONFIG },
    { "once", no_argument, NULL, OPT_ONCE },
    { "instance", required_argument, NULL, OPT_INSTANCE },
    { "help", no_argument, NULL, 'h' },
    {},
};

struct config {
    struct watch_opts w;
    const char *listen, *state, *am, *webhook, *token, *config;
    unsigned long state_max;
    bool once;
    const char *globs[MAX_GLOBS];
    /* strings owned by the config (config-file values) */
    char *owned[256];
    size_t n_owned;
};

static void config_free(struct config *c)
{
    for (size_t i = 0; i < c->n_owned; i++) free(c->owned[i]);
    c->n_owned = 0;
}

static int parse_dur(const char *opt, const char *v, int64_t *ret, bool allow_zero)
{
    int64_t ns;
    if (ts_parse_duration(v, &ns) < 0 || (!allow_zero && ns <= 0))
        return usage_error(CMD, "%s '%s' is not a duration such as 15s, 5m, 24h", opt, v);
    *ret = ns;
    return 0;
}

/* Apply argv (argv[0] ignored) on top of c. */
static int parse_args(struct config *c, int argc, char **argv, bool from_file)
{
    int opt, r;
    int64_t ns = 0;
    optind = 0;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":i:l:s:m:h", options, NULL)) != -1) {
        switch (opt) {
        case 'i':
            if ((r = parse_dur("--interval", optarg, &c->w.interval_ns, false))) return r;
            if (c->w.interval_ns < 100 * 1000000LL)
                return usage_error(CMD, "--interval must be at least 100ms");
            break;
        case 'l': c->listen = optarg; break;
        case 's': c->state = optarg; break;
        case OPT_STATE_MAX:
            if ((r = parse_uint_opt(CMD, "--state-max-bytes", optarg, 1UL << 40, &c->state_max)))
                return r;
            break;
        case OPT_AM: c->am = optarg; break;
        case OPT_WEBHOOK: c->webhook = optarg; break;
        case OPT_TOKEN: c->token = optarg; break;
        case OPT_HORIZON:
            if ((r = parse_dur("--horizon", optarg, &ns, false))) return r;
            c->w.horizon_s = (double)ns / 1e9;
            break;
        case OPT_FOR:
            if ((r = parse_dur("--for", optarg, &c->w.for_ns, true))) return r;
            c->w.for_set = true;
            break;
        case OPT_THRESHOLD: {
            char *end;
            double v = strtod(optarg, &end);
            if (*end == '%') end++;
            if (*end || !(v > 0 && v < 100))
                return usage_error(CMD, "--threshold '%s' is not a percentage in (0, 100)", optarg);
            c->w.threshold_pct = v;
            break;
        }
        case 'm':
            if (c->w.n_globs >= MAX_GLOBS) return usage_error(CMD, "too many --mount globs");
            c->globs[c->w.n_globs++] = optarg;
            break;
        case OPT_NO_CONTAINERS: c->w.no_containers = true; break;
        case OPT_NO_PROCESSES: c->w.no_processes = true; break;
        case OPT_PROBE_TIMEOUT:
            if ((r = parse_dur("--probe-timeout", optarg, &c->w.probe_timeout_ns, false))) return r;
            break;
        case OPT_CONFIG:
            if (from_file) return usage_error(CMD, "--config inside a config file");
            c->config = optarg;
            break;
        case OPT_ONCE: c->once = true; break;
        case OPT_INSTANCE:
            if (!*optarg) return usage_error(CMD, "--instance needs a name");
            c->w.instance = optarg;
            break;
        case ':': return usage_error(CMD, "option '%s' needs a value", argv[optind - 1]);
        default: return usage_error(CMD, "unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc) return usage_error(CMD, "unexpected argument '%s'", argv[optind]);
    return 0;
}

/* Read 'key = value' lines into c (before the command line is applied). */
static int parse_config_file(struct config *c, const char *path)
{
    _cleanup_free_ char *text = NULL;
    size_t n;
    int r = read_file(path, 1 << 20, &text, &n);
    if (r < 0) return fail_errno(CMD, r, "cannot read config '%s'", path);
    char *argv[130] = { (char *)"watch" };
    int argc = 1;
    char *save = NULL;
    for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
        while (*line == ' ' || *line == '\t') line++;
        if (!*line || *line == '#') continue;
        char *eq = line + strcspn(line, "= \t");
        char *val = eq;
        if (*val) *val++ = '\0';
        while (*val == ' ' || *val == '\t' || *val == '=') val++;
        size_t l = strlen(val);
        while (l && (val[l - 1] == ' ' || val[l - 1] == '\t' || val[l - 1] == '\r')) val[--l] = 0;
        if (argc >= 128 || c->n_owned >= ELEMENTSOF(c->owned))
            return fail(CMD, EXIT_DATAERR, "config '%s': too many lines", path);
        char *arg = NULL;
        if (asprintf(&arg, *val ? "--%s=%s" : "--%s", line, val) < 0)
            return fail_errno(CMD, -ENOMEM, "config");
        c->owned[c->n_owned++] = arg;
        argv[argc++] = arg;
    }
    argv[argc] = NULL;
    return parse_args(c, argc, argv, true);
}

static int load_config(struct config *c, int argc, char **argv)
{
    memset(c, 0, sizeof *c);
    int r = parse_args(c, argc, argv, false); /* finds --config */
    if (r) return r;
    if (c->config) {
        const char *cfgpath = c->config;
        config_free(c);
        memset(c, 0, sizeof *c);
        if ((r = parse_config_file(c, cfgpath))) return r;
        c->config = cfgpath;
        if ((r = parse_args(c, argc, argv, false))) return r; /* command line wins */
    }
    if (!c->listen) c->listen = "127.0.0.1:9877";
    if (!streq(c->listen, "none")) {
        struct sockaddr_storage ss;
        unsigned len;
        if (serve_parse_listen(c->listen, &ss, &len) < 0)
            return usage_error(CMD, "--listen '%s' is not ADDR:PORT (numeric address)", c->listen);
    }
    c->w.globs = c->globs;
    if (c->once && !c->w.for_set) {
        c->w.for_set = true;
        c->w.for_ns = 0;
    }
    return 0;
}

/* ---- signals: handlers set flags and wake the main loop through a pipe ----
 * (handlers rather than a sigwait thread: sanitizer runtimes start threads of
 * their own before main, where a blocked-signal scheme would not hold) */

static volatile sig_atomic_t stop_flag_sig, reload_flag_sig;
static volatile int stop_flag; /* polled by curl transfers to abort */
static int wake_pipe[2] = { -1, -1 };

static void on_signal(int sig)
{
    int saved = errno;
    if (sig == SIGHUP)
        reload_flag_sig = 1;
    else {
        stop_flag_sig = 1;
        stop_flag = 1;
    }
    char c = 1;
    if (wake_pipe[1] >= 0) (void)!write(wake_pipe[1], &c, 1);
    errno = saved;
}

/* Sleep until the monotonic deadline or a signal. */
static void sleep_until(int64_t deadline)
{
    for (;;) {
        if (stop_flag_sig || reload_flag_sig) return;
        int64_t left = deadline - ts_mono_ns();
        if (left <= 0) return;
        struct pollfd p = { .fd = wake_pipe[0], .events = POLLIN };
        int ms = (int)TS_MIN(left / 1000000 + 1, 60000);
        if (poll(&p, 1, ms) > 0) {
            char buf[64];
            (void)!read(wake_pipe[0], buf, sizeof buf);
        }
    }
}

static void log_line(const char *fmt, ...) _printf_(1, 2);
static void log_line(const char *fmt, ...)
{
    char ts[64];
    va_list ap;
    struct buf b = BUF_INIT(8192);
    va_start(ap, fmt);
    int r = buf_vprintf(&b, fmt, ap);
    va_end(ap);
    if (r == 0) {
        _cleanup_free_ char *red = redact_dup(buf_str(&b), NULL);
        fprintf(stderr, "tshoot watch: [%s] %s\n", ts_format(ts_now(), 1, ts, sizeof ts),
                red ? red : "?");
    }
    buf_release(&b);
}

static void log_events(const struct alert_event *ev, size_t n)
{
    static const char *const kind[] = { "firing", "resolved", "still firing" };
    for (size_t i = 0; i < n; i++) {
        if (ev[i].kind == ALERT_EV_RESEND) continue;
        json_t *l = json_object_get(ev[i].alert, "labels");
        json_t *a = json_object_get(ev[i].alert, "annotations");
        const char *name = json_string_value(json_object_get(l, "alertname"));
        const char *sum = json_string_value(json_object_get(a, "summary"));
        const char *desc = json_string_value(json_object_get(a, "description"));
        log_line("alert %s: %s: %s (%s)", kind[ev[i].kind], name ? name : "?", sum ? sum : "",
                 desc ? desc : "");
    }
}

/* ---- state ---- */

struct persist {
    struct state_db *db;
    const char *path;
    bool memory_only;
};

static int put_blob(void *userdata, const char *key, const void *blob, size_t n)
{
    struct state_db *db = userdata;
    return state_put(db, key, blob, n, ts_now() / TS_NSEC_PER_SEC);
}

static void persist_save(struct persist *p, struct watch *w)
{
    if (!p->db || p->memory_only) return;
    int r = state_begin(p->db);
    if (r == 0) r = watch_export_series(w, put_blob, p->db);
    if (r == 0)
        r = state_commit(p->db, ts_now() / TS_NSEC_PER_SEC);
    else
        state_rollback(p->db);
    if (r < 0) {
        warn(CMD, "cannot save state '%s': %s; keeping history in memory only", p->path,
             strerror(-r));
        p->memory_only = true;
        watch_note_state(w, false);
    }
}

static int import_blob(void *userdata, const char *key, const void *blob, size_t n)
{
    return watch_import_series(userdata, key, blob, n);
}

static void persist_open(struct persist *p, const char *path, unsigned long max, struct watch *w)
{
    p->path = path;
    if (!path) return;
    int flags = 0;
    _cleanup_free_ char *aside = NULL;
    int r = state_open(path, (int64_t)max, &p->db, &flags, &aside);
    if (flags & STATE_SET_ASIDE)
        warn(CMD, "state file '%s' was corrupt; moved to '%s', starting fresh", path, aside);
    if (r < 0) {
        warn(CMD, "cannot open state '%s': %s; keeping history in memory only", path, strerror(-r));
        p->memory_only = true;
        watch_note_state(w, false);
        return;
    }
    r = state_load(p->db, import_blob, w);
    if (r < 0) warn(CMD, "cannot read state '%s': %s; starting fresh", path, strerror(-r));
}

/* ---- --once table ---- */

struct table_ctx {
    struct palette pal;
};

static void fmt_tte(double s, char *buf, size_t size)
{
    if (isinf(s))
        snprintf(buf, size, "-");
    else
        ts_format_duration((int64_t)(s * 1e9), buf, size);
}

static void print_fs(void *userdata, const struct watch_fs_view *v)
{
    struct table_ctx *t = userdata;
    char where[160], tte[32], ttf[32];
    double pct = v->size_bytes > 0 ? 100 * (1 - v->avail_bytes / v->size_bytes) : 0;
    if (v->pod)
        snprintf(where, sizeof where, "%s/%s", v->pod_namespace, v->pod);
    else if (v->container)
        snprintf(where, sizeof where, "%s", v->container);
    else
        snprintf(where, sizeof where, "host");
    fmt_tte(v->predicted_full_s, tte, sizeof tte);
    fmt_tte(v->files_predicted_full_s, ttf, sizeof ttf);
    const char *col = pct >= 95 ? t->pal.red : pct >= 80 ? t->pal.yellow : "";
    if (v->late)
        printf("%-24s %-32s %-8s %s(probe late)%s\n", where, v->mountpoint, v->fstype,
               t->pal.yellow, t->pal.reset);
    else if (v->error)
        printf("%-24s %-32s %-8s (probe failed)\n", where, v->mountpoint, v->fstype);
    else
        printf("%-24s %-32s %-8s %s%5.1f%%%s %12.0f %12.0f  full in %s, inodes in %s\n", where,
               v->mountpoint, v->fstype, col, pct, *col ? t->pal.reset : "", v->size_bytes,
               v->avail_bytes, tte, ttf);
}

/* ---- main ---- */

static int run(int argc, char **argv)
{
    struct config cfg;
    int r = load_config(&cfg, argc, argv);
    if (r) {
        config_free(&cfg);
        return r;
    }
    int ret = 0;
    struct watch *w = NULL;
    struct serve *srv = NULL;
    struct persist ps = { 0 };
    struct buf out = BUF_INIT(64 << 20);
    /* a long-running daemon with a few threads: two malloc arenas are plenty
       and keep the resident set small. Blocks of 64 KiB and more (the
       exposition, the process table of a sample) are mapped on their own and
       go back to the kernel when freed, and a free top of the heap is
       returned past 128 KiB: fixed values, not glibc's sliding threshold,
       which grows to the largest block freed and then keeps it in the heap */
    mallopt(M_ARENA_MAX, 2);
    mallopt(M_MMAP_THRESHOLD, 64 << 10);
    mallopt(M_TRIM_THRESHOLD, 128 << 10);
    if (!cfg.once) {
        if (pipe2(wake_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
            ret = fail_errno(CMD, -errno, "pipe");
            goto out;
        }
        struct sigaction sa = { .sa_handler = on_signal, .sa_flags = SA_RESTART };
        sigemptyset(&sa.sa_mask);
        sigaction(SIGTERM, &sa, NULL);
        sigaction(SIGINT, &sa, NULL);
        sigaction(SIGHUP, &sa, NULL);
        signal(SIGPIPE, SIG_IGN);
    }

    r = watch_new(&cfg.w, &w);
    if (r < 0) {
        ret = fail_errno(CMD, r, "cannot start");
        goto out;
    }
    if (!cfg.once && !streq(cfg.listen, "none")) {
        struct serve_opts so = { .listen = cfg.listen };
        r = serve_start(&so, &srv);
        if (r < 0) {
            ret = r == -EINVAL ? usage_error(CMD, "--listen '%s' is not ADDR:PORT", cfg.listen)
                               : fail_errno(CMD, r, "cannot listen on '%s'", cfg.listen);
            goto out;
        }
        log_line("serving /metrics on %s (port %u)", cfg.listen, serve_port(srv));
    }
    persist_open(&ps, cfg.state, cfg.state_max, w);

    struct notify_opts no = { .alertmanager_url = cfg.am,
                              .webhook_url = cfg.webhook,
                              .bearer_token_file = cfg.token,
                              .timeout_ms = 5000,
                              .cancel = &stop_flag };
    int64_t next = ts_mono_ns(), last_save = ts_mono_ns();
    bool any_firing = false;
    for (;;) {
        struct watch_stats st;
        ts_time_t now = ts_now();
        r = watch_sample(w, now, &st);
        if (r < 0) {
            warn(CMD, "sample failed: %s", strerror(-r));
            if (srv) serve_set_health(srv, false, "sampling failed");
        } else if (srv) {
            char msg[160];
            snprintf(msg, sizeof msg, "%zu filesystems, %zu late", st.targets, st.late);
            serve_set_health(srv, true, msg);
        }
        struct alert_event *ev = NULL;
        size_t n_ev = 0;
        watch_alert_events(w, &ev, &n_ev);
        log_events(ev, n_ev);
        for (size_t i = 0; i < n_ev; i++)
            if (ev[i].kind != ALERT_EV_RESOLVED) any_firing = true;
        if (n_ev && (no.alertmanager_url || no.webhook_url)) {
            _cleanup_free_ char *err = NULL;
            int q = alerts_notify(&no, ev, n_ev, &err);
            if (q < 0) {
                watch_note_notify_error(w);
                log_line("cannot send alerts: %s", err ? err : strerror(-q));
            }
        }
        alert_events_free(ev, n_ev);

        /* a fresh buffer each time, handed to the server without a copy
           (the previous body is freed once no scrape is sending it); past
           64 KiB it is a mapping of its own that grows in place */
        buf_release(&out);
        r = watch_render(w, &out);
        if (r < 0)
            warn(CMD, "cannot render metrics: %s", strerror(-r));
        else if (srv) {
            size_t len = out.len;
            char *body = buf_take(&out);
            if (body) (void)serve_publish_take(srv, body, len);
        }
        /* a sample allocates and frees ~1 KiB per filesystem (targets,
           probe jobs): give the free pages inside the heap back (a walk of
           the free chunks, well under a millisecond every interval) */
        if (!cfg.once) malloc_trim(0);

        if (cfg.once) {
            struct table_ctx t;
            palette_init(&t.pal, use_color(stdout));
            watch_foreach_fs(w, print_fs, &t);
            persist_save(&ps, w);
            ret = any_firing ? EXIT_FINDINGS : 0;
            break;
        }
        if (ts_mono_ns() - last_save >= SAVE_EVERY) {
            persist_save(&ps, w);
            last_save = ts_mono_ns();
        }
        next += cfg.w.interval_ns;
        if (next < ts_mono_ns()) next = ts_mono_ns(); /* overran: no burst of catch-up samples */
        sleep_until(next);
        if (stop_flag_sig) {
            log_line("stopping");
            persist_save(&ps, w);
            break;
        }
        if (reload_flag_sig) {
            reload_flag_sig = 0;
            struct config nc;
            if (load_config(&nc, argc, argv) == 0) {
                if (!streq_ptr(nc.listen, cfg.listen) || !streq_ptr(nc.state, cfg.state))
                    warn(CMD, "--listen and --state changes need a restart");
                if (watch_set_opts(w, &nc.w) == 0) {
                    config_free(&cfg);
                    cfg = nc;
                    cfg.w.globs = cfg.globs;
                    no.alertmanager_url = cfg.am;
                    no.webhook_url = cfg.webhook;
                    no.bearer_token_file = cfg.token;
                    log_line("configuration reloaded");
                } else
                    config_free(&nc);
            } else {
                config_free(&nc);
                warn(CMD, "configuration not reloaded: keeping the previous one");
            }
            next = ts_mono_ns();
        }
    }
out:
    /* stop serving first so a scrape never sees a half-freed engine */
    serve_stop(srv);
    ps.db = state_close(ps.db);
    watch_free(w);
    buf_release(&out);
    config_free(&cfg);
    return ret;
}

const struct command cmd_watch = { "watch", run,
                                   "predict exhaustion, export Prometheus metrics, send alerts",
                                   usage };
