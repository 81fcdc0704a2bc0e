/*
 * ft_pcap.c - UDP datagrams out of a pcap file (see ft_pcap.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>
#include "net/ft_pcap.h"
#include "core/ft_err.h"
#include "core/ft_rd.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86DD
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88A8
#define IPPROTO_UDP_ 17

struct ft_pcap {
    pcap_t *pc;
    int dlt;
    uint16_t port;
    char path[256];
    struct ft_pcap_stats st;
};

static struct ft_pcap *pcap_wrap(pcap_t *pc, const char *path, struct ft_err *err)
{
    struct ft_pcap *p = calloc(1, sizeof *p);
    if (!p) {
        pcap_close(pc);
        ft_err_set(err, "%s: out of memory", path);
        return NULL;
    }
    p->pc = pc;
    p->dlt = pcap_datalink(pc);
    snprintf(p->path, sizeof p->path, "%s", path);
    return p;
}

struct ft_pcap *ft_pcap_open(const char *path, struct ft_err *err)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    pcap_t *pc = pcap_open_offline(path, ebuf);
    if (!pc) {
        if (strstr(ebuf, path))     /* libpcap often names the file itself */
            ft_err_set(err, "%s", ebuf);
        else
            ft_err_set(err, "%.200s: %s", path, ebuf);
        return NULL;
    }
    return pcap_wrap(pc, path, err);
}

struct ft_pcap *ft_pcap_open_mem(const void *buf, size_t len, const char *name,
                                 struct ft_err *err)
{
    char ebuf[PCAP_ERRBUF_SIZE] = "";
    if (!name)
        name = "memory";
    if (len == 0)
        return ft_err_set(err, "%.200s: empty capture", name), NULL;
    /* libpcap reads a FILE: one over the caller's bytes, read-only */
    FILE *fp = fmemopen((void *)buf, len, "r");
    if (!fp)
        return ft_err_set(err, "%.200s: out of memory", name), NULL;
    pcap_t *pc = pcap_fopen_offline(fp, ebuf);
    if (!pc) {
        fclose(fp);             /* libpcap closes it only once it took it */
        ft_err_set(err, "%.200s: %s", name, ebuf);
        return NULL;
    }
    return pcap_wrap(pc, name, err);
}

void ft_pcap_close(struct ft_pcap *p)
{
    if (!p)
        return;
    pcap_close(p->pc);
    free(p);
}

void ft_pcap_set_port(struct ft_pcap *p, uint16_t port)
{
    p->port = port;
}

void ft_pcap_stats(const struct ft_pcap *p, struct ft_pcap_stats *st)
{
    *st = p->st;
}

/* ---- layers ------------------------------------------------------------- */

#define COUNT(st, what) do { if (st) (st)->what++; } while (0)

/* Raw IP link types: DLT_RAW is 12 or 14 by platform; 101 is LINKTYPE_RAW,
 * 228/229 LINKTYPE_IPV4/IPV6. */
static int is_raw_ip(int dlt)
{
    return dlt == DLT_RAW || dlt == 12 || dlt == 14 || dlt == 101 || dlt == 228 || dlt == 229;
}

/* Link layer: leaves r at the network header; returns the ethertype or 0. */
static unsigned link_layer(int dlt, struct ft_rd *r)
{
    unsigned type;
    switch (dlt) {
    case DLT_EN10MB:
        rd_take(r, 12);
        type = rd_u16(r);
        for (int tags = 0; (type == ETH_VLAN || type == ETH_QINQ) && tags < 2; tags++) {
            rd_u16(r);          /* tag control */
            type = rd_u16(r);
        }
        return r->bad ? 0 : type;
    case DLT_LINUX_SLL:
        rd_take(r, 14);
        type = rd_u16(r);
        return r->bad ? 0 : type;
#ifdef DLT_LINUX_SLL2
    case DLT_LINUX_SLL2:
        type = rd_u16(r);
        rd_take(r, 18);
        return r->bad ? 0 : type;
#endif
    case DLT_NULL:
    case DLT_LOOP: {
        const uint8_t *q = rd_take(r, 4);
        if (!q)
            return 0;
        /* address family: host order for DLT_NULL, network order for
         * DLT_LOOP; either way one of the end bytes holds it */
        unsigned fam = q[0] ? q[0] : q[3];
        return fam == 2 ? ETH_IPV4 : (fam == 24 || fam == 28 || fam == 30) ? ETH_IPV6 : 0;
    }
    default: {
        if (!is_raw_ip(dlt) || rd_left(r) < 1)
            return 0;
        unsigned v = r->p[r->off] >> 4;
        return v == 4 ? ETH_IPV4 : v == 6 ? ETH_IPV6 : 0;
    }
    }
}

/* IPv4: 1 with r at the UDP header (r->len cut to the IP total length). */
static int ipv4_layer(struct ft_rd *r, struct ft_pcap_dgram *d, struct ft_pcap_stats *st)
{
    size_t start = r->off;
    uint8_t vihl = rd_u8(r);
    rd_u8(r);
    uint16_t total = rd_u16(r);
    rd_u16(r);
    uint16_t frag = rd_u16(r);
    rd_u8(r);
    uint8_t proto = rd_u8(r);
    rd_u16(r);
    uint32_t src = rd_u32(r), dst = rd_u32(r);
    size_t ihl = (size_t)(vihl & 0x0F) * 4;
    if (r->bad || (vihl >> 4) != 4 || ihl < 20 || total < ihl) {
        COUNT(st, not_udp);
        return 0;
    }
    if (total > r->len - start || !rd_take(r, ihl - 20)) {
        COUNT(st, truncated);
        return 0;
    }
    if (proto != IPPROTO_UDP_) {
        COUNT(st, not_udp);
        return 0;
    }
    if (frag & 0x3FFF) {        /* more-fragments flag or an offset */
        COUNT(st, fragments);
        return 0;
    }
    r->len = start + total;     /* Ethernet padding is not payload */
    ft_ip_set4(&d->src, src);
    ft_ip_set4(&d->dst, dst);
    return 1;
}

/* IPv6: 1 with r at the UDP header; extension headers skipped. */
static int ipv6_layer(struct ft_rd *r, struct ft_pcap_dgram *d, struct ft_pcap_stats *st)
{
    uint32_t vtc = rd_u32(r);
    uint16_t payload = rd_u16(r);
    uint8_t next = rd_u8(r);
    rd_u8(r);
    const uint8_t *src = rd_take(r, 16), *dst = rd_take(r, 16);
    if (r->bad || (vtc >> 28) != 6) {
        if (r->bad)
            COUNT(st, truncated);
        else
            COUNT(st, not_udp);
        return 0;
    }
    if (payload > rd_left(r)) {
        COUNT(st, truncated);
        return 0;
    }
    r->len = r->off + payload;
    for (int hops = 0; next != IPPROTO_UDP_ && hops < 8; hops++) {
        if (next == 44) {
            COUNT(st, fragments);
            return 0;
        }
        if (next != 0 && next != 43 && next != 60) {
            COUNT(st, not_udp);
            return 0;
        }
        next = rd_u8(r);
        size_t len = ((size_t)rd_u8(r) + 1) * 8;
        if (!rd_take(r, len - 2)) {
            COUNT(st, truncated);
            return 0;
        }
    }
    if (next != IPPROTO_UDP_) {
        COUNT(st, not_udp);
        return 0;
    }
    d->src.af = d->dst.af = FT_AF_INET6;
    memcpy(d->src.v6, src, 16);
    memcpy(d->dst.v6, dst, 16);
    return 1;
}

int ft_pcap_parse_frame(int dlt, const uint8_t *frame, size_t caplen,
                        struct ft_pcap_dgram *d, struct ft_pcap_stats *st)
{
    struct ft_rd r;
    rd_init(&r, frame, caplen);
    memset(d, 0, sizeof *d);
    unsigned type = link_layer(dlt, &r);
    int ok = type == ETH_IPV4 ? ipv4_layer(&r, d, st)
           : type == ETH_IPV6 ? ipv6_layer(&r, d, st) : -1;
    if (ok < 0)
        COUNT(st, not_udp);
    if (ok <= 0)
        return 0;
    d->sport = rd_u16(&r);
    d->dport = rd_u16(&r);
    uint16_t ulen = rd_u16(&r);
    rd_u16(&r);
    if (r.bad || ulen < 8 || ulen - 8u > rd_left(&r)) {
        COUNT(st, truncated);
        return 0;
    }
    d->data = r.p + r.off;
    d->len = ulen - 8u;
    return 1;
}

int ft_pcap_next(struct ft_pcap *p, struct ft_pcap_dgram *d, struct ft_err *err)
{
    for (;;) {
        struct pcap_pkthdr *h;
        const u_char *bytes;
        int rc = pcap_next_ex(p->pc, &h, &bytes);
        if (rc == PCAP_ERROR_BREAK)
            return 0;
        if (rc < 0)
            return ft_err_set(err, "%s: frame %llu: %s", p->path,
                              (unsigned long long)p->st.frames + 1, pcap_geterr(p->pc));
        if (rc == 0)
            continue;   /* live capture timeout: not for files */
        p->st.frames++;
        if (!ft_pcap_parse_frame(p->dlt, bytes, h->caplen, d, &p->st))
            continue;
        if (p->port && d->dport != p->port) {
            p->st.other_port++;
            continue;
        }
        d->ts_ms = (uint64_t)h->ts.tv_sec * 1000u + (uint64_t)h->ts.tv_usec / 1000u;
        d->frame = p->st.frames;
        p->st.datagrams++;
        return 1;
    }
}
