/*
 * ft_packet.h - what the sensor takes from a captured packet: the flow key
 * and counters of its IP header, read through the checked reader.
 *
 * Link types: Ethernet (802.1Q/802.1ad tags, MPLS label stacks), Linux
 * cooked v1 and v2, raw IPv4/IPv6, BSD loopback (DLT_NULL, DLT_LOOP).
 * Network: IPv4 with options, IPv6 with a bounded walk over hop-by-hop,
 * routing, destination options, fragment and AH headers.  Transport: TCP
 * (ports, flags), UDP, SCTP (ports), ICMP/ICMPv6 (type and code, put into
 * the destination port as flow-tools does).
 *
 * A packet that is not IP is counted as such; one that is IP but cannot be
 * read (cut inside a header, lengths that disagree, tag stacks or header
 * chains without end) is malformed, counted by reason, and never read past.
 */
#ifndef FT_PACKET_H
#define FT_PACKET_H

#include <stdint.h>
#include <stddef.h>

/* Why a frame gave no flow; FT_PKT_OK for a packet that did. */
#define FT_PKT_REASONS(X) \
    X(OK, "ok") \
    X(NOT_IP, "not_ip")                 /* ARP, LLDP, ...: not malformed */ \
    X(LINKTYPE, "linktype")             /* a link type we do not read */ \
    X(LINK_SHORT, "link_short")         /* cut inside the link header */ \
    X(VLAN_DEEP, "vlan_deep")           /* more VLAN tags than FT_PKT_MAX_TAGS */ \
    X(MPLS_DEEP, "mpls_deep")           /* no bottom of stack in FT_PKT_MAX_LABELS */ \
    X(IP_SHORT, "ip_short")             /* cut inside the IP header */ \
    X(IP_VERSION, "ip_version")         /* version field not the link's */ \
    X(IP_HDRLEN, "ip_hdrlen")           /* IPv4 header length < 20 or > total */ \
    X(IP_LEN, "ip_len")                 /* total length past the frame on the wire */ \
    X(EXT_SHORT, "ext_short")           /* IPv6 extension header cut or past payload */ \
    X(EXT_DEEP, "ext_deep")             /* more than FT_PKT_MAX_EXT extension headers */

#define FT_PKT_ENUM_(id, name) FT_PKT_##id,
enum ft_pkt_reason { FT_PKT_REASONS(FT_PKT_ENUM_) FT_PKT_NREASONS };

/* The names of the reasons ("ip_short"), by enum ft_pkt_reason. */
extern const char *const ft_pkt_reason_names[FT_PKT_NREASONS];

#define FT_PKT_MAX_TAGS 4       /* VLAN tags (QinQ is 2) */
#define FT_PKT_MAX_LABELS 16    /* MPLS labels */
#define FT_PKT_MAX_EXT 8        /* IPv6 extension headers */

/* Fragment state of a packet. */
enum { FT_FRAG_NONE, FT_FRAG_FIRST, FT_FRAG_LATER };

/* One IP packet as the flow cache needs it. */
struct ft_pkt {
    uint8_t src[16], dst[16];   /* network order; IPv4 in the first 4 bytes */
    uint8_t ipver;              /* 4 or 6 */
    uint8_t prot, tos, tcp_flags;
    uint16_t sport, dport;      /* ICMP: dport = type << 8 | code */
    uint8_t icmp_type, icmp_code;
    uint8_t frag;               /* FT_FRAG_* */
    uint8_t has_ports;          /* the transport header was there (not a later
                                 * fragment, not cut by the snap length) */
    uint16_t vlan;              /* outermost VLAN id, 0 none */
    uint32_t frag_id;           /* IPv4 16-bit or IPv6 32-bit identification */
    uint32_t flow_label;        /* IPv6 */
    uint32_t octets;            /* IP total length (header and payload) */
};

/*
 * Read one frame of link type dlt (a DLT_* value) that was wirelen bytes on
 * the wire and caplen bytes captured.  FT_PKT_OK with *p filled, or the
 * reason it gave no flow.
 */
enum ft_pkt_reason ft_pkt_parse(int dlt, const uint8_t *frame, size_t caplen, size_t wirelen,
                                struct ft_pkt *p);

/* 1 when the sensor reads link type dlt. */
int ft_pkt_dlt_supported(int dlt);

#endif
