/*
 * ft_packet.c - a captured frame to the flow key of its IP packet (see
 * ft_packet.h).  Every byte is read through core/ft_rd.h; each layer checks
 * the reader's sticky flag once after its reads.
 */
#include <string.h>
#include <pcap/pcap.h>
#include "sensor/ft_packet.h"
#include "core/ft_rd.h"

#define ETH_IPV4 0x0800
#define ETH_IPV6 0x86DD
#define ETH_VLAN 0x8100
#define ETH_QINQ 0x88A8
#define ETH_QINQ_OLD 0x9100
#define ETH_MPLS 0x8847
#define ETH_MPLS_MC 0x8848

#define NAME_(id, name) name,
const char *const ft_pkt_reason_names[FT_PKT_NREASONS] = { FT_PKT_REASONS(NAME_) };

static int is_raw_ip(int dlt)
{
    return dlt == DLT_RAW || dlt == 12 || dlt == 14 || dlt == 101 || dlt == 228 ||
           dlt == 229;
}

int ft_pkt_dlt_supported(int dlt)
{
    return dlt == DLT_EN10MB || dlt == DLT_LINUX_SLL || dlt == 276 /* SLL2 */ ||
           dlt == DLT_NULL || dlt == DLT_LOOP || is_raw_ip(dlt);
}

/* The IP version of the next byte (0 if none left). */
static unsigned peek_version(const struct ft_rd *r)
{
    return rd_left(r) ? r->p[r->off] >> 4 : 0;
}

/*
 * After an ethertype: VLAN tags and MPLS labels down to the IP header.
 * *ipver gets 4 or 6, or 0 for something else.
 */
static enum ft_pkt_reason ethertype_layer(struct ft_rd *r, unsigned type, struct ft_pkt *p,
                                          unsigned *ipver)
{
    int tags = 0;
    while (type == ETH_VLAN || type == ETH_QINQ || type == ETH_QINQ_OLD) {
        if (++tags > FT_PKT_MAX_TAGS)
            return FT_PKT_VLAN_DEEP;
        uint16_t tci = rd_u16(r);
        type = rd_u16(r);
        if (r->bad)
            return FT_PKT_LINK_SHORT;
        if (tags == 1)
            p->vlan = tci & 0x0fff;
    }
    if (type == ETH_MPLS || type == ETH_MPLS_MC) {
        for (int labels = 0;; labels++) {
            if (labels >= FT_PKT_MAX_LABELS)
                return FT_PKT_MPLS_DEEP;
            uint32_t l = rd_u32(r);
            if (r->bad)
                return FT_PKT_LINK_SHORT;
            if (l & 0x100)          /* bottom of stack */
                break;
        }
        *ipver = peek_version(r);   /* MPLS does not say what it carries */
        return FT_PKT_OK;
    }
    *ipver = type == ETH_IPV4 ? 4 : type == ETH_IPV6 ? 6 : 0;
    return FT_PKT_OK;
}

/* Link layer: leaves r at the network header, *ipver 4, 6 or 0. */
static enum ft_pkt_reason link_layer(int dlt, struct ft_rd *r, struct ft_pkt *p,
                                     unsigned *ipver)
{
    unsigned type;
    switch (dlt) {
    case DLT_EN10MB:
        rd_take(r, 12);
        type = rd_u16(r);
        break;
    case DLT_LINUX_SLL:
        rd_take(r, 14);
        type = rd_u16(r);
        break;
    case 276:                           /* LINUX_SLL2: protocol first */
        type = rd_u16(r);
        rd_take(r, 18);
        break;
    case DLT_NULL:
    case DLT_LOOP: {
        const uint8_t *q = rd_take(r, 4);
        if (!q)
            return FT_PKT_LINK_SHORT;
        /* the address family in host order (DLT_NULL) or network order
         * (DLT_LOOP): one of the end bytes holds it either way */
        unsigned fam = q[0] ? q[0] : q[3];
        *ipver = fam == 2 ? 4 : (fam == 24 || fam == 28 || fam == 30) ? 6 : 0;
        return FT_PKT_OK;
    }
    default:
        if (!is_raw_ip(dlt))
            return FT_PKT_LINKTYPE;
        *ipver = dlt == 228 ? 4 : dlt == 229 ? 6 : peek_version(r);
        if (!*ipver && !rd_left(r))
            return FT_PKT_IP_SHORT;
        return FT_PKT_OK;
    }
    if (r->bad)
        return FT_PKT_LINK_SHORT;
    return ethertype_layer(r, type, p, ipver);
}

/* Ports, flags or ICMP type/code of the transport header at r; a header cut
 * by the snap length leaves has_ports 0 (the packet still counts). */
static void transport_layer(struct ft_rd *r, struct ft_pkt *p)
{
    switch (p->prot) {
    case 6: {                           /* TCP */
        const uint8_t *q = rd_take(r, 14);
        if (!q)
            return;
        p->sport = ft_ld16(q, 1);
        p->dport = ft_ld16(q + 2, 1);
        p->tcp_flags = q[13];
        break;
    }
    case 17:                            /* UDP */
    case 132: {                         /* SCTP */
        const uint8_t *q = rd_take(r, 4);
        if (!q)
            return;
        p->sport = ft_ld16(q, 1);
        p->dport = ft_ld16(q + 2, 1);
        break;
    }
    case 1:                             /* ICMP */
    case 58: {                          /* ICMPv6 */
        const uint8_t *q = rd_take(r, 2);
        if (!q)
            return;
        p->icmp_type = q[0];
        p->icmp_code = q[1];
        p->dport = (uint16_t)(q[0] << 8 | q[1]);
        break;
    }
    default:
        return;                         /* no ports: a flow per address pair */
    }
    p->has_ports = 1;
}

static enum ft_pkt_reason ipv4_layer(struct ft_rd *r, size_t wire_left, struct ft_pkt *p)
{
    const uint8_t *h = rd_take(r, 20);
    if (!h)
        return FT_PKT_IP_SHORT;
    if (h[0] >> 4 != 4)
        return FT_PKT_IP_VERSION;
    unsigned hlen = (h[0] & 0x0f) * 4u;
    unsigned total = ft_ld16(h + 2, 1);
    if (hlen < 20 || total < hlen)
        return FT_PKT_IP_HDRLEN;
    if (total > wire_left)
        return FT_PKT_IP_LEN;
    if (!rd_take(r, hlen - 20))
        return FT_PKT_IP_SHORT;         /* options cut */
    p->ipver = 4;
    p->tos = h[1];
    p->prot = h[9];
    p->octets = total;
    memcpy(p->src, h + 12, 4);
    memcpy(p->dst, h + 16, 4);
    uint16_t frag = ft_ld16(h + 6, 1);
    p->frag_id = ft_ld16(h + 4, 1);
    if (frag & 0x1fff)
        p->frag = FT_FRAG_LATER;
    else if (frag & 0x2000)
        p->frag = FT_FRAG_FIRST;
    /* the transport header lies within the total length, not past it */
    size_t body = total - hlen < rd_left(r) ? total - hlen : rd_left(r);
    struct ft_rd t;
    rd_init(&t, r->p + r->off, body);
    if (p->frag != FT_FRAG_LATER)
        transport_layer(&t, p);
    return FT_PKT_OK;
}

/* Extension headers of IPv6: leaves r at the transport header and p->prot
 * at its protocol; *left is what the payload length leaves of the packet. */
static enum ft_pkt_reason ipv6_ext(struct ft_rd *r, unsigned next, size_t *left,
                                   struct ft_pkt *p)
{
    for (int n = 0;; n++) {
        size_t len;
        if (next == 0 || next == 43 || next == 60) {          /* HBH, routing, dest */
            if (rd_left(r) < 2)
                return FT_PKT_EXT_SHORT;
            len = (r->p[r->off + 1] + 1u) * 8u;
        } else if (next == 51) {                               /* AH */
            if (rd_left(r) < 2)
                return FT_PKT_EXT_SHORT;
            len = (r->p[r->off + 1] + 2u) * 4u;
        } else if (next == 44) {                               /* fragment */
            len = 8;
        } else {
            p->prot = (uint8_t)next;
            return FT_PKT_OK;
        }
        if (n >= FT_PKT_MAX_EXT)
            return FT_PKT_EXT_DEEP;
        if (len > *left)
            return FT_PKT_EXT_SHORT;
        const uint8_t *q = rd_take(r, len);
        if (!q)
            return FT_PKT_EXT_SHORT;
        *left -= len;
        if (next == 44) {
            uint16_t off = ft_ld16(q + 2, 1);
            p->frag_id = ft_ld32(q + 4, 1);
            p->frag = off & 0xfff8 ? FT_FRAG_LATER : (off & 1) ? FT_FRAG_FIRST : FT_FRAG_NONE;
            if (p->frag == FT_FRAG_LATER) {
                p->prot = q[0];         /* what the first fragment carries */
                return FT_PKT_OK;
            }
        }
        next = q[0];
    }
}

static enum ft_pkt_reason ipv6_layer(struct ft_rd *r, size_t wire_left, struct ft_pkt *p)
{
    const uint8_t *h = rd_take(r, 40);
    if (!h)
        return FT_PKT_IP_SHORT;
    if (h[0] >> 4 != 6)
        return FT_PKT_IP_VERSION;
    uint32_t w = ft_ld32(h, 1);
    size_t payload = ft_ld16(h + 4, 1);
    if (40 + payload > wire_left)
        return FT_PKT_IP_LEN;
    p->ipver = 6;
    p->tos = (uint8_t)(w >> 20);
    p->flow_label = w & 0xfffff;
    p->octets = (uint32_t)(40 + payload);
    memcpy(p->src, h + 8, 16);
    memcpy(p->dst, h + 24, 16);
    size_t left = payload;
    struct ft_rd x;
    rd_init(&x, r->p + r->off, left < rd_left(r) ? left : rd_left(r));
    enum ft_pkt_reason why = ipv6_ext(&x, h[6], &left, p);
    if (why != FT_PKT_OK)
        return why;
    if (p->frag != FT_FRAG_LATER)
        transport_layer(&x, p);
    return FT_PKT_OK;
}

enum ft_pkt_reason ft_pkt_parse(int dlt, const uint8_t *frame, size_t caplen, size_t wirelen,
                                struct ft_pkt *p)
{
    struct ft_rd r;
    unsigned ipver = 0;
    memset(p, 0, sizeof *p);
    rd_init(&r, frame, caplen);
    enum ft_pkt_reason why = link_layer(dlt, &r, p, &ipver);
    if (why != FT_PKT_OK)
        return why;
    if (ipver != 4 && ipver != 6)
        return FT_PKT_NOT_IP;
    /* lengths are checked against the frame on the wire, reads against
     * what was captured */
    size_t wire_left = wirelen > r.off ? wirelen - r.off : 0;
    if (wirelen < caplen)
        wire_left = rd_left(&r);
    return ipver == 4 ? ipv4_layer(&r, wire_left, p) : ipv6_layer(&r, wire_left, p);
}
