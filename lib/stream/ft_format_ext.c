/*
 * ft_format_ext.c - ftkit's extended record (d_version 9005): every member
 * of struct ft_flow, so that a stream loses nothing a decoder produced.
 * The layout is documented in ftkit-stream(5).
 *
 * Its codec is straight-line code per byte order, expanded from one list of
 * members: streams of extended records are decoded as often as v5 ones
 * (flow-capture writes them for v9/IPFIX exporters).
 */
#include <string.h>
#include "stream/ft_format_int.h"
#include "core/ft_bytes.h"

/* Offsets of the extended record.  Integers are in stream byte order,
 * addresses are byte strings. */
enum {
    X_HAS = 0, X_START_MS = 8, X_END_MS = 16, X_DPKTS = 24, X_DOCTETS = 32,
    X_U32 = 40,     /* 20 x uint32, in the order of EXT_INTS */
    X_U16 = 120,    /* 6 x uint16 */
    X_U8 = 132,     /* 16 x uint8 */
    X_AF = 148,     /* 7 address families, then 1 pad byte */
    X_ADDR = 156,   /* 7 x 16 bytes */
    X_RESERVED = 268
};
#define X_N_U64 5
#define X_N_U32 20
#define X_N_U16 6
#define X_N_U8 16
#define X_N_ADDR 7
_Static_assert(X_U32 == X_N_U64 * 8, "extended layout");
_Static_assert(X_U16 == X_U32 + X_N_U32 * 4, "extended layout");
_Static_assert(X_U8 == X_U16 + X_N_U16 * 2, "extended layout");
_Static_assert(X_AF == X_U8 + X_N_U8, "extended layout");
_Static_assert(X_RESERVED == X_ADDR + X_N_ADDR * 16 && FT_EXT_SIZE == X_RESERVED + 4,
               "extended layout");

/* The integer members in record order, with their width; one list serves
 * decode and encode, expanded into straight-line code per byte order.  The
 * order is the file format's, not the field table's. */
#define EXT_INTS(X) \
    X(64, has, X_HAS) X(64, start_ms, X_START_MS) X(64, end_ms, X_END_MS) \
    X(64, dpkts, X_DPKTS) X(64, doctets, X_DOCTETS) \
    X(32, unix_secs, X_U32) X(32, unix_nsecs, X_U32 + 4) X(32, sysuptime, X_U32 + 8) \
    X(32, first, X_U32 + 12) X(32, last, X_U32 + 16) X(32, start_ns, X_U32 + 20) \
    X(32, end_ns, X_U32 + 24) X(32, dflows, X_U32 + 28) X(32, extra_pkts, X_U32 + 32) \
    X(32, input, X_U32 + 36) X(32, output, X_U32 + 40) X(32, src_as, X_U32 + 44) \
    X(32, dst_as, X_U32 + 48) X(32, src_tag, X_U32 + 52) X(32, dst_tag, X_U32 + 56) \
    X(32, source_id, X_U32 + 60) X(32, sampling_interval, X_U32 + 64) \
    X(32, sampler_id, X_U32 + 68) X(32, flow_label, X_U32 + 72) X(32, sequence, X_U32 + 76) \
    X(16, srcport, X_U16) X(16, dstport, X_U16 + 2) X(16, src_vlan, X_U16 + 4) \
    X(16, dst_vlan, X_U16 + 6) X(16, exporter_port, X_U16 + 8) X(16, template_id, X_U16 + 10) \
    X(8, prot, X_U8) X(8, tos, X_U8 + 1) X(8, tcp_flags, X_U8 + 2) X(8, marked_tos, X_U8 + 3) \
    X(8, src_mask, X_U8 + 4) X(8, dst_mask, X_U8 + 5) X(8, engine_type, X_U8 + 6) \
    X(8, engine_id, X_U8 + 7) X(8, in_encaps, X_U8 + 8) X(8, out_encaps, X_U8 + 9) \
    X(8, sampling_algorithm, X_U8 + 10) X(8, direction, X_U8 + 11) \
    X(8, icmp_type, X_U8 + 12) X(8, icmp_code, X_U8 + 13) X(8, ip_version, X_U8 + 14) \
    X(8, export_version, X_U8 + 15)
#define EXT_ADDRS(X) X(exaddr, 0) X(srcaddr, 1) X(dstaddr, 2) X(nexthop, 3) \
    X(peer_nexthop, 4) X(router_sc, 5) X(bgp_nexthop, 6)

/* A member whose width changes must change the record (and its man page). */
#define EXT_WIDTH_(bits, m, off) \
    _Static_assert(sizeof(((struct ft_flow *)0)->m) * 8 == (bits), #m " is not " #bits " bits");
EXT_INTS(EXT_WIDTH_)

static inline void decode_addr(const uint8_t *r, unsigned i, struct ft_ip *a)
{
    const uint8_t *p = r + X_ADDR + 16 * i;
    if (r[X_AF + i] == FT_AF_INET) {
        ft_ip_set4(a, ft_ld32(p, 1));
    } else if (r[X_AF + i] == FT_AF_INET6) {
        a->af = FT_AF_INET6;
        memcpy(a->v6, p, 16);
    }   /* anything else: no address */
}

static inline void encode_addr(uint8_t *r, unsigned i, const struct ft_ip *a)
{
    uint8_t *p = r + X_ADDR + 16 * i;
    if (a->af == FT_AF_INET) {
        r[X_AF + i] = FT_AF_INET;
        ft_st32(p, a->v4, 1);
    } else if (a->af == FT_AF_INET6) {
        r[X_AF + i] = FT_AF_INET6;
        memcpy(p, a->v6, 16);
    }
}

static inline __attribute__((always_inline))
void decode_ext(int big, const uint8_t *r, struct ft_flow *f)
{
    memset(f, 0, sizeof(*f));
#define X(bits, m, off) f->m = ft_ld##bits(r + (off), big);
    EXT_INTS(X)
#undef X
#define X(m, i) decode_addr(r, i, &f->m);
    EXT_ADDRS(X)
#undef X
}

static inline __attribute__((always_inline))
void encode_ext(int big, const struct ft_flow *f, uint8_t *r)
{
    memset(r + X_AF, 0, FT_EXT_SIZE - X_AF);
#define X(bits, m, off) ft_st##bits(r + (off), f->m, big);
    EXT_INTS(X)
#undef X
#define X(m, i) encode_addr(r, i, &f->m);
    EXT_ADDRS(X)
#undef X
}

/* One copy of the codec per byte order, the order a constant in each. */
void ft_ext_decode(const uint8_t *rec, int big, struct ft_flow *f)
{
    if (big)
        decode_ext(1, rec, f);
    else
        decode_ext(0, rec, f);
}

void ft_ext_encode(const struct ft_flow *f, int big, uint8_t *rec)
{
    if (big)
        encode_ext(1, f, rec);
    else
        encode_ext(0, f, rec);
}

void ft_ext_swap(uint8_t *r)
{
    for (unsigned i = 0; i < X_N_U64; i++)
        ft_swap_bytes(r + 8 * i, 8);
    for (unsigned i = 0; i < X_N_U32; i++)
        ft_swap_bytes(r + X_U32 + 4 * i, 4);
    for (unsigned i = 0; i < X_N_U16; i++)
        ft_swap_bytes(r + X_U16 + 2 * i, 2);
}
