/*
 * ft_udp.c - UDP sockets: bind/join, batched receive, connected senders.
 */
#define _GNU_SOURCE             /* recvmmsg, struct in_pktinfo */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#ifdef __linux__
#include <linux/sock_diag.h>     /* SK_MEMINFO_DROPS */
#endif
#include "net/ft_udp.h"
#include "core/ft_err.h"
#include "core/ft_bytes.h"

static int fail_close(int fd, struct ft_err *err, const char *what)
{
    int e = errno;
    close(fd);
    return ft_err_set(err, "%s: %s", what, strerror(e));
}

/* ---- listening ---------------------------------------------------------- */

/* Ask for a big receive buffer: a burst of datagrams waits there while the
 * receive thread is busy.  SO_RCVBUFFORCE passes rmem_max for root. */
static void set_rcvbuf(int fd, int want, int *got)
{
    if (want > 0 && setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &want, sizeof want) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &want, sizeof want);
    if (got) {
        int v = 0;
        socklen_t len = sizeof v;
        if (getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &v, &len) == 0)
            *got = v;
    }
}

/* Ask the kernel to tell each datagram's destination address, and how many
 * datagrams it dropped because the receive buffer was full. */
static void want_pktinfo(int fd, int family)
{
    int on = 1;
    setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on);
    if (family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on);
    /* also on dual-stack IPv6 sockets, for the IPv4 datagrams */
    setsockopt(fd, IPPROTO_IP, IP_PKTINFO, &on, sizeof on);
}

static int join_group4(int fd, const struct ft_addrspec *a)
{
    if (a->source_specific && !ft_ip_is_any(&a->remote)) {
        struct ip_mreq_source m;
        memset(&m, 0, sizeof m);
        m.imr_multiaddr.s_addr = htonl(a->group.v4);
        m.imr_sourceaddr.s_addr = htonl(a->remote.v4);
        m.imr_interface.s_addr = htonl(INADDR_ANY);
        return setsockopt(fd, IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, &m, sizeof m);
    }
    struct ip_mreq m;
    memset(&m, 0, sizeof m);
    m.imr_multiaddr.s_addr = htonl(a->group.v4);
    m.imr_interface.s_addr = htonl(INADDR_ANY);
    return setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &m, sizeof m);
}

static int join_group6(int fd, const struct ft_addrspec *a)
{
    if (a->source_specific && !ft_ip_is_any(&a->remote)) {
        struct group_source_req g;
        memset(&g, 0, sizeof g);
        ft_ip_to_sockaddr(&a->group, 0, 1, &g.gsr_group);
        ft_ip_to_sockaddr(&a->remote, 0, 1, &g.gsr_source);
        return setsockopt(fd, IPPROTO_IPV6, MCAST_JOIN_SOURCE_GROUP, &g, sizeof g);
    }
    struct ipv6_mreq m;
    memset(&m, 0, sizeof m);
    memcpy(&m.ipv6mr_multiaddr, a->group.v6, 16);
    return setsockopt(fd, IPPROTO_IPV6, IPV6_JOIN_GROUP, &m, sizeof m);
}

/* Family to bind: the local address's, the group's, or IPv6 dual-stack. */
static int listen_family(const struct ft_addrspec *a)
{
    const struct ft_ip *ip = a->multicast ? &a->group : &a->local;
    if (ip->af == FT_AF_INET)
        return AF_INET;
    return AF_INET6;
}

static int open_socket(int family, const struct ft_addrspec *a, struct ft_err *err)
{
    int fd = socket(family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    int on = 1, off = 0;
    if (family == AF_INET6) {
        /* "any" takes IPv4 too; a given IPv6 address or group only IPv6 */
        int v6only = a->local.af == FT_AF_INET6 && !ft_ip_is_any(&a->local);
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, v6only ? &on : &off, sizeof on);
    }
    if (a->multicast)
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    (void)err;
    return fd;
}

int ft_udp_listen(const struct ft_addrspec *a, int rcvbuf, int *rcvbuf_got, struct ft_err *err)
{
    int family = listen_family(a);
    int fd = open_socket(family, a, err);
    if (fd < 0 && family == AF_INET6 && errno == EAFNOSUPPORT && a->local.af == FT_AF_NONE &&
        !a->multicast) {
        family = AF_INET;       /* a host without IPv6 */
        fd = open_socket(family, a, err);
    }
    if (fd < 0)
        return ft_err_set(err, "socket: %s", strerror(errno));
    struct sockaddr_storage ss;
    socklen_t len = ft_ip_to_sockaddr(a->multicast ? &(struct ft_ip){0} : &a->local, a->port,
                                      family == AF_INET6, &ss);
    char addr[FT_IP_STRLEN];
    ft_ip_str(a->multicast ? &a->group : &a->local, addr, sizeof addr);
    if (bind(fd, (struct sockaddr *)&ss, len) < 0) {
        char what[128];
        snprintf(what, sizeof what, "bind %s port %u", addr, a->port);
        return fail_close(fd, err, what);
    }
    if (a->multicast) {
        int rc = family == AF_INET ? join_group4(fd, a) : join_group6(fd, a);
        if (rc < 0) {
            char what[128];
            snprintf(what, sizeof what, "join multicast group %s", addr);
            return fail_close(fd, err, what);
        }
    }
    want_pktinfo(fd, family);
    set_rcvbuf(fd, rcvbuf, rcvbuf_got);
    return fd;
}

/* ---- batched receive ---------------------------------------------------- */

#define CTRL_SIZE 256

struct ft_udp_batch {
    unsigned max;
    uint8_t *bufs;              /* max x FT_UDP_DGRAM_MAX bytes */
    struct mmsghdr *msgs;
    struct iovec *iov;
    struct sockaddr_storage *names;
    uint8_t *ctrl;              /* max x CTRL_SIZE */
    struct ft_udp_dgram *dgrams;
    uint64_t kernel_drops;      /* last SO_RXQ_OVFL count seen */
};

struct ft_udp_batch *ft_udp_batch_new(unsigned max)
{
    struct ft_udp_batch *b = calloc(1, sizeof *b);
    if (!b || max == 0)
        goto fail;
    b->max = max;
    b->bufs = malloc((size_t)max * FT_UDP_DGRAM_MAX);
    b->msgs = calloc(max, sizeof *b->msgs);
    b->iov = calloc(max, sizeof *b->iov);
    b->names = calloc(max, sizeof *b->names);
    b->ctrl = calloc(max, CTRL_SIZE);
    b->dgrams = calloc(max, sizeof *b->dgrams);
    if (!b->bufs || !b->msgs || !b->iov || !b->names || !b->ctrl || !b->dgrams)
        goto fail;
    return b;
fail:
    ft_udp_batch_free(b);
    return NULL;
}

void ft_udp_batch_free(struct ft_udp_batch *b)
{
    if (!b)
        return;
    free(b->bufs);
    free(b->msgs);
    free(b->iov);
    free(b->names);
    free(b->ctrl);
    free(b->dgrams);
    free(b);
}

static void prepare(struct ft_udp_batch *b)
{
    for (unsigned i = 0; i < b->max; i++) {
        b->iov[i].iov_base = b->bufs + (size_t)i * FT_UDP_DGRAM_MAX;
        b->iov[i].iov_len = FT_UDP_DGRAM_MAX;
        struct msghdr *h = &b->msgs[i].msg_hdr;
        memset(h, 0, sizeof *h);
        h->msg_name = &b->names[i];
        h->msg_namelen = sizeof b->names[i];
        h->msg_iov = &b->iov[i];
        h->msg_iovlen = 1;
        h->msg_control = b->ctrl + (size_t)i * CTRL_SIZE;
        h->msg_controllen = CTRL_SIZE;
    }
}

/* The destination address from IP_PKTINFO / IPV6_PKTINFO, and the kernel's
 * drop count from SO_RXQ_OVFL, when present. */
static void read_control(struct msghdr *h, struct ft_ip *dst, uint64_t *drops)
{
    memset(dst, 0, sizeof *dst);
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR(h, c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL &&
            c->cmsg_len >= CMSG_LEN(sizeof(uint32_t))) {
            uint32_t n;
            memcpy(&n, CMSG_DATA(c), sizeof n);
            *drops = n;
        } else if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO &&
            c->cmsg_len >= CMSG_LEN(sizeof(struct in_pktinfo))) {
            struct in_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            ft_ip_set4(dst, ntohl(pi.ipi_addr.s_addr));
        } else if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO &&
                   c->cmsg_len >= CMSG_LEN(sizeof(struct in6_pktinfo))) {
            struct in6_pktinfo pi;
            memcpy(&pi, CMSG_DATA(c), sizeof pi);
            struct sockaddr_in6 s6;
            memset(&s6, 0, sizeof s6);
            s6.sin6_family = AF_INET6;
            s6.sin6_addr = pi.ipi6_addr;
            ft_ip_from_sockaddr((struct sockaddr *)&s6, sizeof s6, dst, NULL);
        }
    }
}

int ft_udp_recv(int fd, struct ft_udp_batch *b, struct ft_err *err)
{
    prepare(b);
    int n;
    do
        n = recvmmsg(fd, b->msgs, b->max, MSG_DONTWAIT, NULL);
    while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        return ft_err_set(err, "recvmmsg: %s", strerror(errno));
    }
    for (int i = 0; i < n; i++) {
        struct msghdr *h = &b->msgs[i].msg_hdr;
        struct ft_udp_dgram *d = &b->dgrams[i];
        d->data = b->iov[i].iov_base;
        d->len = b->msgs[i].msg_len;
        d->truncated = (h->msg_flags & MSG_TRUNC) != 0;
        if (ft_ip_from_sockaddr((struct sockaddr *)&b->names[i], h->msg_namelen, &d->src,
                                &d->sport) < 0) {
            memset(&d->src, 0, sizeof d->src);
            d->sport = 0;
        }
        read_control(h, &d->dst, &b->kernel_drops);
    }
    return n;
}

const struct ft_udp_dgram *ft_udp_batch_get(const struct ft_udp_batch *b, unsigned i)
{
    return i < b->max ? &b->dgrams[i] : NULL;
}

uint64_t ft_udp_kernel_drops(const struct ft_udp_batch *b)
{
    return b->kernel_drops;
}

uint64_t ft_udp_socket_drops(int fd, const struct ft_udp_batch *b)
{
    uint64_t n = b->kernel_drops;
#if defined(SO_MEMINFO) && defined(__linux__)
    uint32_t mem[SK_MEMINFO_VARS];
    socklen_t len = sizeof mem;
    if (getsockopt(fd, SOL_SOCKET, SO_MEMINFO, mem, &len) == 0 &&
        len > SK_MEMINFO_DROPS * sizeof mem[0] && mem[SK_MEMINFO_DROPS] > n)
        n = mem[SK_MEMINFO_DROPS];
#endif
    return n;
}

int ft_udp_wait(int fd, int timeout_ms)
{
    struct pollfd p = {.fd = fd, .events = POLLIN};
    int n = poll(&p, 1, timeout_ms);
    if (n < 0)
        return errno == EINTR ? 0 : -1;
    return n > 0;
}

/* ---- sending ------------------------------------------------------------ */

static int set_ttl(int fd, int family, int multicast, int ttl)
{
    if (family == AF_INET6) {
        int opt = multicast ? IPV6_MULTICAST_HOPS : IPV6_UNICAST_HOPS;
        return setsockopt(fd, IPPROTO_IPV6, opt, &ttl, sizeof ttl);
    }
    if (multicast) {
        unsigned char t = (unsigned char)ttl;
        return setsockopt(fd, IPPROTO_IP, IP_MULTICAST_TTL, &t, sizeof t);
    }
    return setsockopt(fd, IPPROTO_IP, IP_TTL, &ttl, sizeof ttl);
}

int ft_udp_connect(const struct ft_addrspec *a, struct ft_err *err)
{
    char addr[FT_IP_STRLEN];
    if (a->remote.af == FT_AF_NONE)
        return ft_err_set(err, "no destination address");
    ft_ip_str(&a->remote, addr, sizeof addr);
    int family = a->remote.af == FT_AF_INET6 ? AF_INET6 : AF_INET;
    int fd = socket(family, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return ft_err_set(err, "socket: %s", strerror(errno));
    struct sockaddr_storage ss;
    socklen_t len;
    if (a->local.af != FT_AF_NONE && !ft_ip_is_any(&a->local)) {
        len = ft_ip_to_sockaddr(&a->local, 0, family == AF_INET6, &ss);
        if (bind(fd, (struct sockaddr *)&ss, len) < 0)
            return fail_close(fd, err, "bind local address");
    }
    int multicast = ft_ip_is_multicast(&a->remote);
    int ttl = a->ttl >= 0 ? a->ttl : multicast ? 1 : 255;
    if ((a->ttl >= 0 || !multicast) && set_ttl(fd, family, multicast, ttl) < 0)
        return fail_close(fd, err, "set TTL");
    len = ft_ip_to_sockaddr(&a->remote, a->port, family == AF_INET6, &ss);
    if (connect(fd, (struct sockaddr *)&ss, len) < 0) {
        char what[128];
        snprintf(what, sizeof what, "connect %s port %u", addr, a->port);
        return fail_close(fd, err, what);
    }
    return fd;
}

int ft_udp_send(int fd, const void *buf, size_t len)
{
    ssize_t n;
    do
        n = send(fd, buf, len, MSG_DONTWAIT);
    while (n < 0 && errno == EINTR);
    return n < 0 ? errno : 0;
}

/* ---- source spoofing ---------------------------------------------------- */

#define IP_HDR 20
#define UDP_HDR 8

struct ft_udp_raw {
    int fd;
    uint8_t pkt[FT_UDP_DGRAM_MAX];      /* the packet being sent, headers included */
};

struct ft_udp_raw *ft_udp_raw_open(struct ft_err *err)
{
    struct ft_udp_raw *raw = malloc(sizeof *raw);
    if (!raw) {
        ft_err_set(err, "raw socket: out of memory");
        return NULL;
    }
    int on = 1;
    raw->fd = socket(AF_INET, SOCK_RAW | SOCK_CLOEXEC, IPPROTO_RAW);
    if (raw->fd < 0)
        ft_err_set(err, "raw socket (source spoofing needs CAP_NET_RAW): %s", strerror(errno));
    else if (setsockopt(raw->fd, IPPROTO_IP, IP_HDRINCL, &on, sizeof on) < 0)
        raw->fd = fail_close(raw->fd, err, "IP_HDRINCL");
    if (raw->fd < 0) {
        free(raw);
        return NULL;
    }
    return raw;
}

void ft_udp_raw_close(struct ft_udp_raw *raw)
{
    if (!raw)
        return;
    close(raw->fd);
    free(raw);
}

/* Internet checksum (RFC 1071) of the bytes, continuing from sum. */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
    for (; n > 1; p += 2, n -= 2)
        sum += (uint32_t)p[0] << 8 | p[1];
    if (n)
        sum += (uint32_t)p[0] << 8;
    return sum;
}

static uint16_t fold(uint32_t sum)
{
    while (sum >> 16)
        sum = (sum & 0xffff) + (sum >> 16);
    return (uint16_t)~sum;
}

/* The UDP checksum covers a pseudo header of addresses, protocol, length. */
static uint16_t udp_checksum(uint32_t src, uint32_t dst, const uint8_t *udp, size_t len)
{
    uint8_t pseudo[12];
    ft_st32(pseudo, src, 1);
    ft_st32(pseudo + 4, dst, 1);
    pseudo[8] = 0;
    pseudo[9] = IPPROTO_UDP;
    ft_st16(pseudo + 10, (uint16_t)len, 1);
    uint16_t c = fold(sum16(udp, len, sum16(pseudo, sizeof pseudo, 0)));
    return c ? c : 0xffff;
}

int ft_udp_raw_send(struct ft_udp_raw *raw, const struct ft_ip *src, uint16_t sport,
                    const struct ft_addrspec *a, const void *payload, size_t len)
{
    uint8_t *pkt = raw->pkt;
    if (src->af != FT_AF_INET || a->remote.af != FT_AF_INET)
        return EAFNOSUPPORT;
    if (len > sizeof raw->pkt - IP_HDR - UDP_HDR)
        return EMSGSIZE;
    size_t total = IP_HDR + UDP_HDR + len;
    memset(pkt, 0, IP_HDR + UDP_HDR);
    pkt[0] = 0x45;                          /* version 4, 5-word header */
    ft_st16(pkt + 2, (uint16_t)total, 1);
    pkt[8] = (uint8_t)(a->ttl >= 0 ? a->ttl : 255);
    pkt[9] = IPPROTO_UDP;
    ft_st32(pkt + 12, src->v4, 1);
    ft_st32(pkt + 16, a->remote.v4, 1);
    ft_st16(pkt + 10, fold(sum16(pkt, IP_HDR, 0)), 1);
    uint8_t *udp = pkt + IP_HDR;
    ft_st16(udp, sport, 1);
    ft_st16(udp + 2, a->port, 1);
    ft_st16(udp + 4, (uint16_t)(UDP_HDR + len), 1);
    memcpy(udp + UDP_HDR, payload, len);
    ft_st16(udp + 6, udp_checksum(src->v4, a->remote.v4, udp, UDP_HDR + len), 1);
    struct sockaddr_storage ss;
    socklen_t sl = ft_ip_to_sockaddr(&a->remote, 0, 0, &ss);
    ssize_t n;
    do
        n = sendto(raw->fd, pkt, total, MSG_DONTWAIT, (struct sockaddr *)&ss, sl);
    while (n < 0 && errno == EINTR);
    return n < 0 ? errno : 0;
}

int ft_udp_send_as(int fd, struct ft_udp_raw *raw, const struct ft_ip *src, uint16_t sport,
                   const struct ft_addrspec *a, const void *payload, size_t len,
                   uint64_t *unspoofed)
{
    if (raw && src->af == FT_AF_INET && src->v4 != 0 && a->remote.af == FT_AF_INET)
        return ft_udp_raw_send(raw, src, sport, a, payload, len);
    if (raw)
        (*unspoofed)++;
    return ft_udp_send(fd, payload, len);
}

void ft_udp_pause(long usec)
{
    if (usec <= 0)
        return;
    struct timespec ts = {usec / 1000000, (usec % 1000000) * 1000};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        continue;
}
