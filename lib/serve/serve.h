/* SPDX-License-Identifier: MIT */
/*
 * serve.h: the metrics HTTP server (libmicrohttpd, one internal polling
 * thread). Serves GET/HEAD /metrics (the last rendered exposition) and
 * /healthz ("ok" or 503 with the reason); anything else is 404/405.
 *
 * Hardening: a cap on simultaneous connections (in total and per client
 * address), a per-connection idle
 * timeout (a slow client is dropped, it cannot hold a thread), a memory cap
 * per connection (oversized request headers get an error, not an
 * allocation), no request bodies accepted. The sampler thread publishes a
 * new body with serve_publish_take(); responses share it by reference (it is
 * freed when the last one is sent), so a scrape neither waits for a sample
 * nor copies the exposition.
 */
#ifndef TSHOOT_SERVE_H
#define TSHOOT_SERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct serve;

struct serve_opts {
    const char *listen;       /* "127.0.0.1:9877", "[::1]:9877", ":9877" (all IPv4) */
    unsigned max_connections; /* default 64 */
    unsigned max_per_ip;      /* default 8: one abusive address cannot starve the scraper */
    unsigned timeout_s;       /* per connection idle timeout, default 5 */
};

/* Parse "HOST:PORT" into a sockaddr (numeric hosts only: no DNS in a
 * troubleshooter). 0 or -EINVAL. */
int serve_parse_listen(const char *s, void *ret_sockaddr_storage, unsigned *ret_len);

/* Start listening. 0, -EINVAL (bad address), -EADDRINUSE/-EACCES (bind). */
int serve_start(const struct serve_opts *o, struct serve **ret);
/* The bound port (useful with port 0). */
unsigned serve_port(const struct serve *s);
/* Replace the /metrics body, taking ownership of `body` (malloc'ed, `len`
 * bytes; freed once no response uses it, also on -ENOMEM). 0 or -ENOMEM. */
int serve_publish_take(struct serve *s, char *body, size_t len);
/* The same with a copy of body. 0 or -ENOMEM. */
int serve_publish(struct serve *s, const char *body, size_t len);
/* Health for /healthz: ok or a one-line reason (copied). */
void serve_set_health(struct serve *s, bool ok, const char *reason);
/* Stop (closes connections) and free. Returns NULL. */
struct serve *serve_stop(struct serve *s);
/* Requests answered so far (for metrics/tests). */
uint64_t serve_requests(const struct serve *s);

#endif
