/* SPDX-License-Identifier: MIT */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "core/macro.h"
#include "metrics/exposition.h"
#include "serve/serve.h"

/* A published /metrics body, shared by the responses being sent: freed by
 * whoever drops the last reference (a new publish or a finished response),
 * so the exposition is never copied per scrape. */
struct body {
    char *data;
    size_t len;
    unsigned refs; /* under serve.lock */
    pthread_mutex_t *lock;
};

struct serve {
    struct MHD_Daemon *d;
    pthread_mutex_t lock;
    struct body *body;
    bool ok;
    char reason[256];
    unsigned port;
    uint64_t requests;
};

int serve_parse_listen(const char *s, void *ret, unsigned *ret_len)
{
    char host[128];
    const char *colon;
    if (!s || !*s) return -EINVAL;
    if (s[0] == '[') {
        const char *end = strchr(s, ']');
        if (!end || end[1] != ':' || (size_t)(end - s - 1) >= sizeof host) return -EINVAL;
        memcpy(host, s + 1, (size_t)(end - s - 1));
        host[end - s - 1] = '\0';
        colon = end + 1;
    } else {
        colon = strrchr(s, ':');
        if (!colon || (size_t)(colon - s) >= sizeof host) return -EINVAL;
        memcpy(host, s, (size_t)(colon - s));
        host[colon - s] = '\0';
    }
    char *end;
    errno = 0;
    long port = strtol(colon + 1, &end, 10);
    if (errno || *end || !colon[1] || port < 0 || port > 65535) return -EINVAL;
    struct sockaddr_storage *ss = ret;
    memset(ss, 0, sizeof *ss);
    if (s[0] == '[') {
        struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;
        a->sin6_family = AF_INET6;
        a->sin6_port = htons((uint16_t)port);
        if (inet_pton(AF_INET6, host, &a->sin6_addr) != 1) return -EINVAL;
        *ret_len = sizeof *a;
    } else {
        struct sockaddr_in *a = (struct sockaddr_in *)ss;
        a->sin_family = AF_INET;
        a->sin_port = htons((uint16_t)port);
        if (!*host)
            a->sin_addr.s_addr = htonl(INADDR_ANY);
        else if (inet_pton(AF_INET, host, &a->sin_addr) != 1)
            return -EINVAL;
        *ret_len = sizeof *a;
    }
    return 0;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *ctype,
                             const char *body, size_t len)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!r) return MHD_NO;
    MHD_add_response_header(r, "Content-Type", ctype);
    MHD_add_response_header(r, "Cache-Control", "no-store");
    enum MHD_Result ret = MHD_queue_response(c, status, r);
    MHD_destroy_response(r);
    return ret;
}

static void body_unref(struct body *b)
{
    if (!b) return;
    pthread_mutex_lock(b->lock);
    bool last = --b->refs == 0;
    pthread_mutex_unlock(b->lock);
    if (!last) return;
    free(b->data);
    free(b);
}

/* MHD calls this when a response is destroyed (sent or aborted). */
static void body_release(void *cls)
{
    body_unref(cls);
}

static enum MHD_Result handler(void *cls, struct MHD_Connection *c, const char *url,
                               const char *method, const char *version, const char *upload_data,
                               size_t *upload_size, void **con_cls)
{
    struct serve *s = cls;
    (void)version;
    (void)upload_data;
    /* Only GET and HEAD: anything else is answered on the first call (the
     * headers), before any body is read. */
    if (!streq(method, "GET") && !streq(method, "HEAD"))
        return reply(c, 405, "text/plain", "method not allowed\n", 19);
    if (!*con_cls) {
        *con_cls = (void *)1;
        return MHD_YES;
    }
    if (*upload_size) {
        /* a GET with a body: drop the body, answer once it is read */
        *upload_size = 0;
        return MHD_YES;
    }
    __atomic_add_fetch(&s->requests, 1, __ATOMIC_RELAXED);
    if (streq(url, "/metrics")) {
        pthread_mutex_lock(&s->lock);
        struct body *b = s->body;
        if (b) b->refs++;
        pthread_mutex_unlock(&s->lock);
        struct MHD_Response *r =
            b ? MHD_create_response_from_buffer_with_free_callback_cls(b->len, b->data,
                                                                       body_release, b)
              : MHD_create_response_from_buffer(0, (void *)"", MHD_RESPMEM_PERSISTENT);
        if (!r) {
            body_unref(b);
            return MHD_NO;
        }
        MHD_add_response_header(r, "Content-Type", PROM_CONTENT_TYPE);
        enum MHD_Result ret = MHD_queue_response(c, MHD_HTTP_OK, r);
        MHD_destroy_response(r);
        return ret;
    }
    if (streq(url, "/healthz")) {
        char msg[300];
        pthread_mutex_lock(&s->lock);
        bool ok = s->ok;
        snprintf(msg, sizeof msg, "%s\n", ok ? "ok" : s->reason);
        pthread_mutex_unlock(&s->lock);
        return reply(c, ok ? 200 : 503, "text/plain; charset=utf-8", msg, strlen(msg));
    }
    if (streq(url, "/")) {
        static const char idx[] = "tshoot watch: see /metrics and /healthz\n";
        return reply(c, 200, "text/plain; charset=utf-8", idx, sizeof idx - 1);
    }
    return reply(c, 404, "text/plain", "not found\n", 10);
}

int serve_start(const struct serve_opts *o, struct serve **ret)
{
    struct sockaddr_storage ss;
    unsigned len;
    int r = serve_parse_listen(o->listen, &ss, &len);
    if (r < 0) return r;
    struct serve *s = calloc(1, sizeof *s);
    if (!s) return -ENOMEM;
    pthread_mutex_init(&s->lock, NULL);
    s->ok = false;
    snprintf(s->reason, sizeof s->reason, "starting: no sample yet");
    unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL;
    if (ss.ss_family == AF_INET6) flags |= MHD_USE_IPv6;
    unsigned port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
                                                   : ((struct sockaddr_in *)&ss)->sin_port);
    errno = 0;
    s->d = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, handler, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&ss,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned)(o->max_connections ? o->max_connections : 64),
        MHD_OPTION_PER_IP_CONNECTION_LIMIT, (unsigned)(o->max_per_ip ? o->max_per_ip : 8),
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)(o->timeout_s ? o->timeout_s : 5),
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(32 << 10), MHD_OPTION_LISTEN_BACKLOG_SIZE,
        (unsigned)64, MHD_OPTION_END);
    if (!s->d) {
        r = errno == EADDRINUSE || errno == EACCES ? -errno : -EADDRINUSE;
        pthread_mutex_destroy(&s->lock);
        free(s);
        return r;
    }
    const union MHD_DaemonInfo *di = MHD_get_daemon_info(s->d, MHD_DAEMON_INFO_BIND_PORT);
    s->port = di ? di->port : port;
    *ret = s;
    return 0;
}

unsigned serve_port(const struct serve *s)
{
    return s->port;
}

int serve_publish_take(struct serve *s, char *body, size_t len)
{
    struct body *b = malloc(sizeof *b);
    if (!b) {
        free(body);
        return -ENOMEM;
    }
    *b = (struct body){ .data = body, .len = len, .refs = 1, .lock = &s->lock };
    pthread_mutex_lock(&s->lock);
    struct body *old = s->body;
    s->body = b;
    pthread_mutex_unlock(&s->lock);
    body_unref(old);
    return 0;
}

int serve_publish(struct serve *s, const char *body, size_t len)
{
    char *copy = malloc(len + 1);
    if (!copy) return -ENOMEM;
    memcpy(copy, body, len);
    copy[len] = '\0';
    return serve_publish_take(s, copy, len);
}

void serve_set_health(struct serve *s, bool ok, const char *reason)
{
    pthread_mutex_lock(&s->lock);
    s->ok = ok;
    snprintf(s->reason, sizeof s->reason, "%s", reason ? reason : "");
    pthread_mutex_unlock(&s->lock);
}

uint64_t serve_requests(const struct serve *s)
{
    return __atomic_load_n(&s->requests, __ATOMIC_RELAXED);
}

struct serve *serve_stop(struct serve *s)
{
    if (!s) return NULL;
    MHD_stop_daemon(s->d); /* destroys the responses in flight: their references go */
    body_unref(s->body);
    pthread_mutex_destroy(&s->lock);
    free(s);
    return NULL;
}
