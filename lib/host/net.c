/* SPDX-License-Identifier: MIT */
/* Network: TCP sockets by state (v4+v6), listeners, ephemeral ports vs
 * ip_local_port_range, conntrack count vs max. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/sock_diag.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "core/timeutil.h"
#include "host/hostctx.h"
#include "host/procparse.h"

static int read_u64_file(struct hctx *c, const char *rel, uint64_t *v)
{
    _cleanup_free_ char *t = NULL;
    int r = hctx_read(c, rel, true, &t, NULL);
    if (r < 0) return r;
    if (parse_u64_or_max(t, v) < 0) {
        hctx_unavail(c, rel, "malformed: not a number");
        return -EBADMSG;
    }
    return 0;
}

/* Live host: dump TCP sockets over NETLINK_SOCK_DIAG (what ss(8) uses). Much
 * cheaper than /proc/net/tcp on hosts with large hash tables. Returns 0, or
 * -errno so the caller falls back to the /proc files. */
static int tcp_netlink(struct hctx *c, int family, unsigned lo, unsigned hi, struct tcp_stats *st)
{
    int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, NETLINK_SOCK_DIAG);
    if (fd < 0) return -errno;
    struct {
        struct nlmsghdr nlh;
        struct inet_diag_req_v2 r;
    } req = {
        .nlh = { .nlmsg_len = sizeof req,
                 .nlmsg_type = SOCK_DIAG_BY_FAMILY,
                 .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
                 .nlmsg_seq = 1 },
        .r = { .sdiag_family = (uint8_t)family,
               .sdiag_protocol = IPPROTO_TCP,
               .idiag_states = ~0u },
    };
    struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
    if (sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&sa, sizeof sa) < 0) {
        int r = -errno;
        close(fd);
        return r;
    }
    static char buf[32768] __attribute__((aligned(NLMSG_ALIGNTO)));
    int r = 0;
    for (bool done = false; !done;) {
        ssize_t n = recv(fd, buf, sizeof buf, 0);
        if (n < 0) {
            if (errno == EINTR) continue;
            r = -errno;
            break;
        }
        if (n == 0) break;
        for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)n);
             h = NLMSG_NEXT(h, n)) {
            if (h->nlmsg_type == NLMSG_DONE) {
                done = true;
                break;
            }
            if (h->nlmsg_type == NLMSG_ERROR) {
                struct nlmsgerr *e = NLMSG_DATA(h);
                r = e->error < 0 ? e->error : -EPROTO;
                done = true;
                break;
            }
            if (h->nlmsg_len < NLMSG_LENGTH(sizeof(struct inet_diag_msg))) continue;
            struct inet_diag_msg *m = NLMSG_DATA(h);
            char addr[INET6_ADDRSTRLEN + 2] = "?";
            if (m->idiag_family == AF_INET) {
                inet_ntop(AF_INET, m->id.idiag_src, addr, sizeof addr);
            } else {
                char a6[INET6_ADDRSTRLEN];
                const uint8_t *b = (const uint8_t *)m->id.idiag_src;
                static const uint8_t v4mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff };
                if (memcmp(b, v4mapped, 12) == 0)
                    inet_ntop(AF_INET, b + 12, addr, sizeof addr);
                else if (inet_ntop(AF_INET6, m->id.idiag_src, a6, sizeof a6))
                    snprintf(addr, sizeof addr, "[%s]", a6);
            }
            tcp_stats_add(st, m->idiag_state, addr, ntohs(m->id.idiag_sport), lo, hi);
        }
        if (ts_mono_ns() > c->deadline) break;
    }
    close(fd);
    return r;
}

int collect_network(struct hctx *c)
{
    json_t *n = json_object();
    if (!n) return -ENOMEM;
    json_object_set_new(c->doc, "network", n);
    unsigned lo = 32768, hi = 60999;
    bool range_known = false;
    _cleanup_free_ char *pr = NULL;
    if (hctx_read(c, "/proc/sys/net/ipv4/ip_local_port_range", false, &pr, NULL) == 0) {
        if (port_range_parse(pr, &lo, &hi) < 0)
            hctx_unavail(c, "/proc/sys/net/ipv4/ip_local_port_range", "malformed: not 'LOW HIGH'");
        else
            range_known = true;
    }
    struct tcp_stats *st = calloc(1, sizeof *st);
    if (!st) return -ENOMEM;
    static const char *const files[] = { "/proc/net/tcp", "/proc/net/tcp6" };
    int files_ok = 0;
    const char *source = "proc";
    bool via_netlink = false;
    if (c->live && tcp_netlink(c, AF_INET, lo, hi, st) == 0) {
        files_ok = 1;
        via_netlink = true;
        source = "sock_diag";
        if (tcp_netlink(c, AF_INET6, lo, hi, st) < 0) {
            /* no IPv6: fine; anything else falls back to the file */
            _cleanup_free_ char *t = NULL;
            if (hctx_read_max(c, files[1], HCTX_READ_BIG, true, &t, NULL) == 0)
                (void)tcp_parse(t, lo, hi, st);
        }
    }
    for (size_t i = 0; i < ELEMENTSOF(files) && !via_netlink; i++) {
        _cleanup_free_ char *t = NULL;
        if (hctx_read_max(c, files[i], HCTX_READ_BIG, i == 1, &t, NULL) < 0) continue;
        uint64_t before = st->malformed;
        if (tcp_parse(t, lo, hi, st) < 0) {
            hctx_unavail(c, files[i], "malformed: no header line");
            continue;
        }
        files_ok++;
        if (st->malformed > before)
            hctx_unavail(c, files[i], "malformed: %" PRIu64 " socket line(s) skipped",
                         st->malformed - before);
    }
    json_t *tcp = json_object(), *states = json_object(), *ls = json_array();
    if (!tcp || !states || !ls) {
        free(st);
        json_decref(tcp);
        json_decref(states);
        json_decref(ls);
        return -ENOMEM;
    }
    json_object_set_new(n, "tcp", tcp);
    json_object_set_new(tcp, "available", json_boolean(files_ok > 0));
    json_object_set_new(tcp, "source", json_string(source));
    json_object_set_new(tcp, "total", json_integer((json_int_t)st->total));
    for (unsigned s = 1; s <= TCP_STATE_MAX; s++)
        if (st->states[s])
            json_object_set_new(states, tcp_state_name(s), json_integer((json_int_t)st->states[s]));
    json_object_set_new(tcp, "states", states);
    for (size_t i = 0; i < st->n_listeners; i++) {
        json_t *o = json_object();
        if (!o) break;
        json_object_set_new(o, "addr", json_string(st->listeners[i].addr));
        json_object_set_new(o, "port", json_integer(st->listeners[i].port));
        json_array_append_new(ls, o);
    }
    json_object_set_new(tcp, "listeners", ls);
    json_object_set_new(tcp, "listeners_total", json_integer((json_int_t)st->listeners_total));
    json_t *eph = json_object();
    json_object_set_new(n, "ephemeral_ports", eph);
    unsigned range = hi - lo + 1;
    json_object_set_new(eph, "range_low", json_integer(lo));
    json_object_set_new(eph, "range_high", json_integer(hi));
    json_object_set_new(eph, "range_known", json_boolean(range_known));
    json_object_set_new(eph, "in_use", json_integer((json_int_t)st->ephemeral_in_use));
    double pct = 100.0 * (double)st->ephemeral_in_use / (double)range;
    json_object_set_new(eph, "used_pct", json_pct(pct));
    if (files_ok && pct >= 70)
        hctx_finding(c, "net.ephemeral_ports", pct >= 90 ? "critical" : "warning",
                     "ephemeral ports", pct, 70,
                     "%" PRIu64 " of %u local ports in %u-%u are in use (%.1f%%); outgoing "
                     "connect() fails with EADDRNOTAVAIL when they run out",
                     st->ephemeral_in_use, range, lo, hi, pct);
    free(st);

    uint64_t cnt, max;
    json_t *ct = json_object();
    json_object_set_new(n, "conntrack", ct);
    if (read_u64_file(c, "/proc/sys/net/netfilter/nf_conntrack_count", &cnt) == 0 &&
        read_u64_file(c, "/proc/sys/net/netfilter/nf_conntrack_max", &max) == 0 && max > 0) {
        double cp = 100.0 * (double)cnt / (double)max;
        json_object_set_new(ct, "count", json_integer((json_int_t)cnt));
        json_object_set_new(ct, "max", json_u64(max));
        json_object_set_new(ct, "used_pct", json_pct(cp));
        if (cp >= 80)
            hctx_finding(c, "net.conntrack_near_limit", cp >= 95 ? "critical" : "warning",
                         "conntrack table", cp, 80,
                         "conntrack table holds %" PRIu64 " of %" PRIu64
                         " entries (%.1f%%); new connections are dropped when full",
                         cnt, max, cp);
    } else {
        json_object_set_new(ct, "count", json_null());
        json_object_set_new(ct, "max", json_null());
    }
    return 0;
}
