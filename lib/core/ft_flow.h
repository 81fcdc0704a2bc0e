/*
 * ft_flow.h - the in-memory flow every part of ftkit speaks.
 *
 * One struct is the superset of every on-disk record format (flow-tools
 * d_versions 1, 5, 6, 7, 8.x, 1005 and ftkit's extended record) and of what
 * the NetFlow v9/IPFIX decoders and the sensor produce.  Which members are
 * meaningful is told by the `has` bit set (FT_F_*); the low 36 bits are the
 * flow-tools field-mask bits, so a stream's format mask can be compared with
 * them directly.
 */
#ifndef FT_FLOW_H
#define FT_FLOW_H

#include <stdint.h>
#include <stddef.h>

/* flow-tools field bits (stream-format.md section 8). */
#define FT_F_UNIX_SECS      0x1ULL
#define FT_F_UNIX_NSECS     0x2ULL
#define FT_F_SYSUPTIME      0x4ULL
#define FT_F_EXADDR         0x8ULL
#define FT_F_DFLOWS         0x10ULL
#define FT_F_DPKTS          0x20ULL
#define FT_F_DOCTETS        0x40ULL
#define FT_F_FIRST          0x80ULL
#define FT_F_LAST           0x100ULL
#define FT_F_ENGINE_TYPE    0x200ULL
#define FT_F_ENGINE_ID      0x400ULL
#define FT_F_SRCADDR        0x1000ULL
#define FT_F_DSTADDR        0x2000ULL
#define FT_F_NEXTHOP        0x10000ULL
#define FT_F_INPUT          0x20000ULL
#define FT_F_OUTPUT         0x40000ULL
#define FT_F_SRCPORT        0x80000ULL
#define FT_F_DSTPORT        0x100000ULL
#define FT_F_PROT           0x200000ULL
#define FT_F_TOS            0x400000ULL
#define FT_F_TCP_FLAGS      0x800000ULL
#define FT_F_SRC_MASK       0x1000000ULL
#define FT_F_DST_MASK       0x2000000ULL
#define FT_F_SRC_AS         0x4000000ULL
#define FT_F_DST_AS         0x8000000ULL
#define FT_F_IN_ENCAPS      0x10000000ULL
#define FT_F_OUT_ENCAPS     0x20000000ULL
#define FT_F_PEER_NEXTHOP   0x40000000ULL
#define FT_F_ROUTER_SC      0x80000000ULL
#define FT_F_EXTRA_PKTS     0x100000000ULL
#define FT_F_MARKED_TOS     0x200000000ULL
#define FT_F_SRC_TAG        0x400000000ULL
#define FT_F_DST_TAG        0x800000000ULL
/* ftkit additions: never part of a flow-tools format mask. */
#define FT_F_BGP_NEXTHOP    (1ULL << 40)
#define FT_F_SOURCE_ID      (1ULL << 41)  /* v9 source id / IPFIX observation domain */
#define FT_F_SAMPLING       (1ULL << 42)  /* sampling_interval and sampling_algorithm */
#define FT_F_SAMPLER_ID     (1ULL << 43)
#define FT_F_SRC_VLAN       (1ULL << 44)
#define FT_F_DST_VLAN       (1ULL << 45)
#define FT_F_DIRECTION      (1ULL << 46)
#define FT_F_ICMP           (1ULL << 47)  /* icmp_type/icmp_code from a dedicated field */
#define FT_F_ABS_TIMES      (1ULL << 48)  /* start_ms/end_ms came as absolute times, not uptimes */
#define FT_F_EXPORT_INFO    (1ULL << 49)  /* export_version, exporter_port, sequence, template_id */
#define FT_F_FLOW_LABEL     (1ULL << 50)
#define FT_F_IP_VERSION     (1ULL << 51)  /* ip_version was exported explicitly (IE 60) */
#define FT_F_TIMES          (1ULL << 52)  /* start_ms/end_ms are known */
#define FT_F_SCALED         (1ULL << 53)  /* dpkts/doctets were multiplied by sampling_interval */

/* An address: IPv4 in host order, or IPv6 in network byte order. */
#define FT_AF_NONE 0
#define FT_AF_INET 4
#define FT_AF_INET6 6
struct ft_ip {
    uint8_t af;                 /* FT_AF_* */
    union {
        uint32_t v4;            /* host order: 10.1.2.3 is 0x0a010203 */
        uint8_t v6[16];         /* network order */
    };
};

struct ft_flow {
    uint64_t has;               /* FT_F_* bits */

    /* Export packet context, as flow-tools records keep it. */
    uint32_t unix_secs, unix_nsecs, sysuptime;
    uint32_t first, last;       /* router uptime (ms) at first/last packet */
    /* Absolute wall-clock times, ms since 1970 (derived from the above with
     * correct uptime-wrap handling, or exported directly).  The *_ns members
     * keep the sub-millisecond remainder (0..999999) when an exporter sent it. */
    uint64_t start_ms, end_ms;
    uint32_t start_ns, end_ns;

    struct ft_ip exaddr, srcaddr, dstaddr, nexthop, peer_nexthop, router_sc, bgp_nexthop;

    uint64_t dpkts, doctets;
    uint32_t dflows, extra_pkts;
    uint32_t input, output;
    uint32_t src_as, dst_as;
    uint32_t src_tag, dst_tag;
    uint32_t source_id;
    uint32_t sampling_interval;
    uint32_t sampler_id;
    uint32_t flow_label;
    uint32_t sequence;          /* export datagram sequence number */

    uint16_t srcport, dstport;
    uint16_t src_vlan, dst_vlan;
    uint16_t exporter_port;     /* UDP source port of the datagram */
    uint16_t template_id;       /* v9/IPFIX data set id */

    uint8_t prot, tos, tcp_flags, marked_tos;
    uint8_t src_mask, dst_mask;
    uint8_t engine_type, engine_id;
    uint8_t in_encaps, out_encaps;
    uint8_t sampling_algorithm;
    uint8_t direction;          /* 0 ingress, 1 egress (IE 61) */
    uint8_t icmp_type, icmp_code;
    uint8_t ip_version;         /* 4 or 6 */
    uint8_t export_version;     /* 1, 5, 6, 7, 8, 9 or 10 (IPFIX) */
};

/*
 * Wall-clock ms of an uptime stamp `t` of a record exported at
 * (unix_secs, unix_nsecs, sysuptime).  The difference is taken modulo 2^32
 * so that stamps from before an uptime wrap land in the past (the original
 * flow-tools put them 49.7 days in the future).
 */
static inline uint64_t ft_uptime_to_ms(uint32_t unix_secs, uint32_t unix_nsecs,
                                       uint32_t sysuptime, uint32_t t)
{
    uint64_t export_ms = (uint64_t)unix_secs * 1000u + unix_nsecs / 1000000u;
    int64_t behind = (int32_t)(sysuptime - t);
    int64_t ms = (int64_t)export_ms - behind;
    /* Before 1970 it cannot have been a wrap (synthetic data such as
     * flow-gen's): read the stamp as ahead of sysUpTime, as flow-tools does. */
    if (ms < 0)
        ms = (int64_t)export_ms + (uint32_t)(t - sysuptime);
    return (uint64_t)ms;
}

/* Fill start_ms/end_ms from the uptime fields. */
static inline void ft_flow_set_times(struct ft_flow *f)
{
    f->start_ms = ft_uptime_to_ms(f->unix_secs, f->unix_nsecs, f->sysuptime, f->first);
    f->end_ms = ft_uptime_to_ms(f->unix_secs, f->unix_nsecs, f->sysuptime, f->last);
    f->has |= FT_F_TIMES;
}

/* Wall-clock ms of the first and the last packet, from the absolute times
 * when the flow has them, else from its uptime stamps. */
static inline uint64_t ft_flow_start_ms(const struct ft_flow *f)
{
    if (f->has & FT_F_TIMES)
        return f->start_ms;
    return ft_uptime_to_ms(f->unix_secs, f->unix_nsecs, f->sysuptime, f->first);
}

static inline uint64_t ft_flow_end_ms(const struct ft_flow *f)
{
    if (f->has & FT_F_TIMES)
        return f->end_ms;
    return ft_uptime_to_ms(f->unix_secs, f->unix_nsecs, f->sysuptime, f->last);
}

/*
 * A flow's duration in ms.  Uptime stamps win where the flow has either, and
 * their difference is taken modulo 2^32 as flow-tools does (so Last before
 * First reads as a duration of about 49.7 days, as in the original's
 * reports); absolute times are used only without them.
 */
static inline uint64_t ft_flow_duration_ms(const struct ft_flow *f)
{
    if ((f->has & (FT_F_FIRST | FT_F_LAST)) || !(f->has & FT_F_TIMES))
        return (uint32_t)(f->last - f->first);
    return f->end_ms > f->start_ms ? f->end_ms - f->start_ms : 0;
}

static inline void ft_ip_set4(struct ft_ip *a, uint32_t v4)
{
    a->af = FT_AF_INET;
    a->v4 = v4;
}

#endif
