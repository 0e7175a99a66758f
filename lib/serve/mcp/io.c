/* SPDX-License-Identifier: MIT */
/*
 * io.c: the stdio transport. A reader thread splits the input into lines
 * (each capped at max_message bytes), parses them, applies
 * notifications/cancelled at once (so a long tool call can be stopped while
 * it runs) and queues everything else; the calling thread answers the queue
 * in order. The queue is bounded: a client that floods us is slowed down,
 * memory is not.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "serve/mcp/mcp-internal.h"

#define QUEUE_MAX  8
#define READ_CHUNK 65536

int mcp_server_dispatch(struct mcp_server *s, struct mcp_msg *m);

struct item {
    struct item *next;
    struct mcp_msg msg;
    size_t oversized; /* > 0: a line of this many bytes was skipped */
};

struct queue {
    pthread_mutex_t lock;
    pthread_cond_t cond;
    struct item *head, *tail;
    size_t n;
    int eof;      /* reader is done */
    int read_err; /* -errno from read(), or 0 */
    int stop;     /* consumer gave up (write error): reader must stop */
};

struct reader {
    struct mcp_server *s;
    struct queue *q;
    int fd;
};

static int push(struct queue *q, struct item *it)
{
    pthread_mutex_lock(&q->lock);
    while (q->n >= QUEUE_MAX && !q->stop) pthread_cond_wait(&q->cond, &q->lock);
    if (q->stop) {
        pthread_mutex_unlock(&q->lock);
        return -ECANCELED;
    }
    if (q->tail)
        q->tail->next = it;
    else
        q->head = it;
    q->tail = it;
    q->n++;
    pthread_cond_broadcast(&q->cond);
    pthread_mutex_unlock(&q->lock);
    return 0;
}

static void free_item(struct item *it)
{
    if (!it) return;
    mcp_msg_done(&it->msg);
    free(it);
}

/* One complete line: cancellation is applied here, the rest is queued. */
static int take_line(struct reader *rd, const char *line, size_t len, size_t oversized)
{
    while (len > 0 && (line[len - 1] == '\r' || line[len - 1] == ' ' || line[len - 1] == '\t'))
        len--;
    if (len == 0 && !oversized) return 0; /* blank lines carry nothing */
    struct item *it = calloc(1, sizeof *it);
    if (!it) return -ENOMEM;
    it->oversized = oversized;
    if (!oversized) {
        int r = mcp_msg_parse(line, len, &it->msg);
        if (r < 0) {
            free(it);
            return r;
        }
        if (it->msg.kind == MCP_MSG_NOTIFICATION && it->msg.method &&
            streq(it->msg.method, "notifications/cancelled") && it->msg.params) {
            mcp_server_cancel(rd->s, json_object_get(it->msg.params, "requestId"));
            free_item(it);
            return 0;
        }
    }
    int r = push(rd->q, it);
    if (r < 0) free_item(it);
    return r;
}

static void *reader_main(void *p)
{
    struct reader *rd = p;
    size_t max = rd->s->max_message;
    /* The line buffer grows up to max+1 bytes; past that the rest of the
     * line is skipped and only its length is counted. */
    char *line = NULL;
    size_t len = 0, cap = 0, skipped = 0;
    int skipping = 0, err = 0;
    char *chunk = malloc(READ_CHUNK);
    if (!chunk) err = -ENOMEM;

    while (!err) {
        /* Wake up now and then to see whether the consumer gave up. */
        pthread_mutex_lock(&rd->q->lock);
        int stop = rd->q->stop;
        pthread_mutex_unlock(&rd->q->lock);
        if (stop) break;
        struct pollfd pfd = { .fd = rd->fd, .events = POLLIN };
        int pr = poll(&pfd, 1, 200);
        if (pr < 0 && errno != EINTR) {
            err = -errno;
            break;
        }
        if (pr <= 0) continue;
        ssize_t n = read(rd->fd, chunk, READ_CHUNK);
        if (n < 0) {
            if (errno == EINTR) continue;
            err = -errno;
            break;
        }
        if (n == 0) break;
        size_t off = 0;
        while (off < (size_t)n && !err) {
            char *nl = memchr(chunk + off, '\n', (size_t)n - off);
            size_t seg = nl ? (size_t)(nl - (chunk + off)) : (size_t)n - off;
            if (skipping)
                skipped += seg;
            else if (len + seg > max) {
                skipping = 1;
                skipped = len + seg;
                len = 0;
            } else {
                if (len + seg + 1 > cap) {
                    size_t nc = cap ? cap : 4096;
                    while (nc < len + seg + 1) nc *= 2;
                    if (nc > max + 1) nc = max + 1;
                    char *t = realloc(line, nc);
                    if (!t) {
                        err = -ENOMEM;
                        break;
                    }
                    line = t;
                    cap = nc;
                }
                memcpy(line + len, chunk + off, seg);
                len += seg;
            }
            off += seg;
            if (nl) {
                off++;
                int r = take_line(rd, line ? line : "", len, skipping ? skipped : 0);
                if (r < 0) err = r;
                len = 0;
                skipping = 0;
                skipped = 0;
                /* Do not keep a 4 MiB buffer around after one big message. */
                if (cap > (1u << 20)) {
                    free(line);
                    line = NULL;
                    cap = 0;
                }
            }
        }
    }
    /* A last line without a newline is still a message. */
    if (!err && (len > 0 || skipping)) {
        int r = take_line(rd, line ? line : "", len, skipping ? skipped : 0);
        if (r < 0 && r != -ECANCELED) err = r;
    }
    if (err == -ECANCELED) err = 0;
    free(chunk);
    free(line);
    pthread_mutex_lock(&rd->q->lock);
    rd->q->eof = 1;
    rd->q->read_err = err;
    pthread_cond_broadcast(&rd->q->cond);
    pthread_mutex_unlock(&rd->q->lock);
    return NULL;
}

int mcp_serve_fd(struct mcp_server *s, int in_fd)
{
    struct queue q = { .head = NULL };
    pthread_mutex_init(&q.lock, NULL);
    pthread_cond_init(&q.cond, NULL);
    struct reader rd = { .s = s, .q = &q, .fd = in_fd };
    pthread_t th;
    int r = -pthread_create(&th, NULL, reader_main, &rd);
    if (r < 0) goto out;

    bool warmed = false;
    for (;;) {
        pthread_mutex_lock(&q.lock);
        if (!q.head && !q.eof && !warmed && mcp_server_protocol_version(s)) {
            /* Idle for a while after initialize (the client's tools/list
             * usually follows at once): load and compile the rules now, so
             * the agent's first diagnose does not pay for it. Messages
             * arriving meanwhile are queued by the reader. */
            struct timespec until;
            clock_gettime(CLOCK_REALTIME, &until);
            until.tv_nsec += 150 * 1000000L;
            if (until.tv_nsec >= 1000000000L) {
                until.tv_sec++;
                until.tv_nsec -= 1000000000L;
            }
            while (!q.head && !q.eof &&
                   pthread_cond_timedwait(&q.cond, &q.lock, &until) != ETIMEDOUT) {}
            if (!q.head && !q.eof) {
                warmed = true;
                pthread_mutex_unlock(&q.lock);
                mcp_server_warm_up(s);
                pthread_mutex_lock(&q.lock);
            }
        }
        while (!q.head && !q.eof) pthread_cond_wait(&q.cond, &q.lock);
        struct item *it = q.head;
        if (it) {
            q.head = it->next;
            if (!q.head) q.tail = NULL;
            q.n--;
            pthread_cond_broadcast(&q.cond);
        }
        pthread_mutex_unlock(&q.lock);
        if (!it) break; /* eof and drained */

        if (it->oversized) {
            char t[160];
            snprintf(t, sizeof t,
                     "invalid request: message of %zu bytes is over the %zu byte limit",
                     it->oversized, s->max_message);
            r = mcp_send(s, jsonrpc_error(NULL, JSONRPC_INVALID_REQUEST, t, NULL));
        } else
            r = mcp_server_dispatch(s, &it->msg);
        free_item(it);
        if (r < 0) break;
    }

    /* On a write error the reader is told to stop; it notices within one
     * poll interval. */
    pthread_mutex_lock(&q.lock);
    q.stop = 1;
    pthread_cond_broadcast(&q.cond);
    pthread_mutex_unlock(&q.lock);
    pthread_join(th, NULL);
    if (r >= 0) r = q.read_err;
    while (q.head) { /* left over only after a write error */
        struct item *it = q.head;
        q.head = it->next;
        free_item(it);
    }
out:
    pthread_mutex_destroy(&q.lock);
    pthread_cond_destroy(&q.cond);
    return r;
}
