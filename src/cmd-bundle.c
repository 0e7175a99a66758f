/* SPDX-License-Identifier: MIT */
/*
 * cmd-bundle.c: `tshoot bundle -o DIR [--logs FILE]... [--journal] [--since DUR]`.
 * Captures a diagnose bundle from this host: host/collect.json (a collect
 * snapshot), logs/<service>/<file> (the chosen logs, last 64 MiB each),
 * logs/journal/journal.log (optional), notes.md (a template). Everything
 * written passes through redaction. Never overwrites: DIR must not exist.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/buf.h"
#include "core/fileio.h"
#include "core/redact.h"
#include "core/timeutil.h"
#include "host/collect.h"
#include "logs/logs.h"
#include "tshoot.h"

#define LOG_TAIL_MAX (64ULL * 1024 * 1024)

static const char usage[] =
    "usage: tshoot bundle -o DIR [--logs FILE]... [--journal] [--since DUR]\n"
    "\n"
    "Capture a bundle for 'tshoot diagnose' (or for someone else to diagnose):\n"
    "host/collect.json, the chosen logs under logs/<service>/, a journal excerpt\n"
    "and a notes.md template. Secrets are redacted in everything written.\n"
    "Pack it with: tar -czf bundle.tar.gz -C DIR .\n"
    "\n"
    "  -o, --output DIR     directory to create (must not exist)\n"
    "  -l, --logs FILE      add a log file (repeatable); the last 64 MiB are kept\n"
    "      --service NAME   service name for the following --logs (default: file name)\n"
    "  -J, --journal        add the systemd journal since --since\n"
    "      --since DUR      journal window (default 2h)\n"
    "      --no-collect     skip the collect snapshot\n"
    "  -h, --help           this help\n";

static int write_redacted(int dirfd, const char *rel, const char *data, size_t len, int *nsecrets)
{
    struct buf b = BUF_INIT(len * 2 + 4096);
    int r = redact_append(&b, data, len);
    if (r < 0) {
        buf_release(&b);
        return r;
    }
    *nsecrets += r;
    int fd = openat(dirfd, rel, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0640);
    if (fd < 0) {
        buf_release(&b);
        return -errno;
    }
    r = write_all(fd, b.data ? b.data : "", b.len);
    if (close(fd) < 0 && r == 0) r = -errno;
    buf_release(&b);
    return r;
}

static int mkdirs(int dirfd, const char *rel)
{
    char p[4096];
    snprintf(p, sizeof p, "%s", rel);
    for (char *s = p + 1; *s; s++)
        if (*s == '/') {
            *s = 0;
            if (mkdirat(dirfd, p, 0750) < 0 && errno != EEXIST) return -errno;
            *s = '/';
        }
    if (mkdirat(dirfd, p, 0750) < 0 && errno != EEXIST) return -errno;
    return 0;
}

/* the last LOG_TAIL_MAX bytes of a (plain) log, starting at a line boundary */
static int read_tail(const char *path, char **ret, size_t *ret_len, int *truncated)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return -errno;
    struct stat st;
    if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
        int e = errno ? -errno : -EINVAL;
        close(fd);
        return S_ISDIR(st.st_mode) ? -EISDIR : e;
    }
    off_t start = st.st_size > (off_t)LOG_TAIL_MAX ? st.st_size - (off_t)LOG_TAIL_MAX : 0;
    *truncated = start > 0;
    size_t n = (size_t)(st.st_size - start);
    char *b = malloc(n + 1);
    if (!b) {
        close(fd);
        return -ENOMEM;
    }
    size_t got = 0;
    while (got < n) {
        ssize_t k = pread(fd, b + got, n - got, start + (off_t)got);
        if (k < 0) {
            if (errno == EINTR) continue;
            int e = -errno;
            free(b);
            close(fd);
            return e;
        }
        if (k == 0) break;
        got += (size_t)k;
    }
    close(fd);
    b[got] = 0;
    size_t off = 0;
    if (start > 0) {
        char *nl = memchr(b, '\n', got);
        if (nl) off = (size_t)(nl - b) + 1;
    }
    memmove(b, b + off, got - off + 1);
    *ret = b;
    *ret_len = got - off;
    return 0;
}

static int run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "output", required_argument, NULL, 'o' },  { "logs", required_argument, NULL, 'l' },
        { "service", required_argument, NULL, 'S' }, { "journal", no_argument, NULL, 'J' },
        { "since", required_argument, NULL, 's' },   { "no-collect", no_argument, NULL, 'C' },
        { "help", no_argument, NULL, 'h' },          {}
    };
    const char *out = NULL;
    _cleanup_free_ const char **logs = calloc((size_t)argc + 1, sizeof(char *));
    _cleanup_free_ const char **svcs = calloc((size_t)argc + 1, sizeof(char *));
    if (!logs || !svcs) return fail_errno("bundle", -ENOMEM, "out of memory");
    size_t n_logs = 0;
    const char *svc = NULL;
    int journal = 0, no_collect = 0, c;
    int64_t since = 2 * 3600 * TS_NSEC_PER_SEC;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:l:Jh", opts, NULL)) >= 0) {
        switch (c) {
        case 'o': out = optarg; break;
        case 'l':
            svcs[n_logs] = svc;
            logs[n_logs++] = optarg;
            break;
        case 'S': svc = optarg; break;
        case 'J': journal = 1; break;
        case 's':
            if (ts_parse_duration(optarg, &since) < 0)
                return usage_error("bundle", "bad --since '%s'", optarg);
            break;
        case 'C': no_collect = 1; break;
        case 'h': fputs(usage, stdout); return 0;
        default: return usage_error("bundle", "unknown option");
        }
    }
    if (!out) return usage_error("bundle", "missing -o DIR");
    if (optind < argc) return usage_error("bundle", "unexpected argument '%s'", argv[optind]);
    if (mkdir(out, 0750) < 0) {
        if (errno == EEXIST)
            return fail("bundle", EXIT_USAGE, "'%s' already exists (bundle never overwrites)", out);
        return fail_errno("bundle", -errno, "cannot create '%s'", out);
    }
    int dirfd = open(out, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dirfd < 0) return fail_errno("bundle", -errno, "cannot open '%s'", out);
    int secrets = 0, r, failed = 0;
    if (!no_collect) {
        struct collect_opts co = { .root = "/", .budget_ms = 10000 };
        json_t *snap = NULL;
        r = collect_run(&co, &snap);
        if (r < 0) {
            warn("bundle", "collect failed: %s", strerror(-r));
            failed = 1;
        } else {
            char *txt = json_dumps(snap, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
            json_decref(snap);
            r = txt ? mkdirs(dirfd, "host") : -ENOMEM;
            if (r >= 0) r = write_redacted(dirfd, "host/collect.json", txt, strlen(txt), &secrets);
            free(txt);
            if (r < 0) {
                close(dirfd);
                return fail_errno("bundle", r, "cannot write '%s/host/collect.json'", out);
            }
        }
    }
    for (size_t i = 0; i < n_logs; i++) {
        _cleanup_free_ char *data = NULL, *pathcopy = strdup(logs[i]);
        size_t len = 0;
        int trunc = 0;
        r = pathcopy ? read_tail(logs[i], &data, &len, &trunc) : -ENOMEM;
        if (r < 0) {
            warn("bundle", "skipping '%s': %s", logs[i], strerror(-r));
            failed = 1;
            continue;
        }
        const char *base = basename(pathcopy);
        char name[256], rel[600];
        if (svcs[i])
            snprintf(name, sizeof name, "%s", svcs[i]);
        else
            snprintf(name, sizeof name, "%.*s", (int)strcspn(base, "."), base);
        for (char *p = name; *p; p++)
            if (*p == '/' || *p == ' ') *p = '_';
        snprintf(rel, sizeof rel, "logs/%s", name[0] && name[0] != '.' ? name : "log");
        r = mkdirs(dirfd, rel);
        snprintf(rel + strlen(rel), sizeof rel - strlen(rel), "/%s", base);
        if (r >= 0) r = write_redacted(dirfd, rel, data, len, &secrets);
        if (r < 0) {
            close(dirfd);
            return fail_errno("bundle", r, "cannot write '%s/%s'", out, rel);
        }
        if (trunc) warn("bundle", "'%s': kept the last 64 MiB", logs[i]);
    }
    if (journal) {
        struct log_reader_opts lo = { .since = ts_now() - since, .until = TS_TIME_NONE };
        struct log_reader *lr = NULL;
        struct buf b = BUF_INIT(LOG_TAIL_MAX);
        r = log_reader_new(&lo, &lr);
        if (r >= 0) r = log_reader_add_journal(lr, NULL);
        struct log_record rec;
        while (r >= 0 && (r = log_reader_next(lr, &rec)) > 0) {
            char tb[64];
            if (buf_printf(&b, "%s %.*s\n", ts_format(rec.time, 1, tb, sizeof tb),
                           (int)rec.line_len, rec.line) < 0)
                break;
        }
        log_reader_free(lr);
        if (r < 0) {
            warn("bundle", "journal: %s", strerror(-r));
            failed = 1;
        } else if (b.len) {
            r = mkdirs(dirfd, "logs/journal");
            if (r >= 0)
                r = write_redacted(dirfd, "logs/journal/journal.log", b.data, b.len, &secrets);
            if (r < 0) warn("bundle", "cannot write the journal excerpt: %s", strerror(-r));
        }
        buf_release(&b);
    }
    static const char notes[] =
        "# Notes\n\n- What did users see, since when (UTC)?\n- What changed recently "
        "(deploys, config, traffic)?\n- Retention of anything that accumulates (e.g. "
        "\"sessions kept 7 days\"):\n\nAdd k8s/*.json (kubectl get pods,events -o json), "
        "metrics/*.prom and deps.yaml (service: [dependencies]) if you have them.\n";
    r = write_redacted(dirfd, "notes.md", notes, sizeof notes - 1, &secrets);
    close(dirfd);
    if (r < 0) return fail_errno("bundle", r, "cannot write '%s/notes.md'", out);
    printf("bundle written to %s (%zu log%s%s, %d secret%s redacted)\n", out, n_logs,
           n_logs == 1 ? "" : "s", journal ? " + journal" : "", secrets, secrets == 1 ? "" : "s");
    printf("diagnose it with: tshoot diagnose %s\n", out);
    return failed ? EXIT_FINDINGS : 0;
}

const struct command cmd_bundle = { "bundle", run,
                                    "capture a redacted diagnose bundle from this host", usage };
