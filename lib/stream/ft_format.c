/*
 * ft_format.c - the record formats of flow streams: table, decode, encode,
 * byte swap.
 *
 * Every flow-tools format is described once, as a list of (offset, kind,
 * field) triples taken from stream-format.md section 9; one generic codec
 * walks those lists.  v5, by far the most common format, also has a
 * straight-line codec because readers decode tens of millions of records.
 * ftkit's extended record (d_version 9005) has its own codec: it stores the
 * whole struct ft_flow and is documented in ftkit-stream(5).
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "stream/ft_format.h"
#include "core/ft_bytes.h"

/* Field numbers: the bit index of the FT_F_* flag of each flow-tools field. */
enum {
    B_UNIX_SECS = 0, B_UNIX_NSECS = 1, B_SYSUPTIME = 2, B_EXADDR = 3, B_DFLOWS = 4,
    B_DPKTS = 5, B_DOCTETS = 6, B_FIRST = 7, B_LAST = 8, B_ENGINE_TYPE = 9,
    B_ENGINE_ID = 10, B_SRCADDR = 12, B_DSTADDR = 13, B_NEXTHOP = 16, B_INPUT = 17,
    B_OUTPUT = 18, B_SRCPORT = 19, B_DSTPORT = 20, B_PROT = 21, B_TOS = 22,
    B_TCP_FLAGS = 23, B_SRC_MASK = 24, B_DST_MASK = 25, B_SRC_AS = 26, B_DST_AS = 27,
    B_IN_ENCAPS = 28, B_OUT_ENCAPS = 29, B_PEER_NEXTHOP = 30, B_ROUTER_SC = 31,
    B_EXTRA_PKTS = 32, B_MARKED_TOS = 33, B_SRC_TAG = 34, B_DST_TAG = 35
};
_Static_assert(FT_F_SRCADDR == 1ULL << B_SRCADDR, "field bits follow FT_F_*");
_Static_assert(FT_F_DST_TAG == 1ULL << B_DST_TAG, "field bits follow FT_F_*");

/* Every flow-tools field bit (the low 36 bits that formats use). */
#define FT_F_FLOWTOOLS 0xFFFFFFFFFULL

/*
 * Field kinds.  The last three are where the original's byte swapping goes
 * wrong (on the little-endian hosts it runs on).  K_U16_LE: the v8.12
 * destination AS, never swapped, so little-endian in both byte orders; we
 * write it so too (nothing is lost, and the original reads ours).  K_EXADDR
 * and K_TAG: the v1005 exporter address, never swapped, and the tags,
 * swapped as 16-bit values, so that in a big-endian v1005 file the original
 * wrote the address is little-endian and a tag is its low 16 bits
 * big-endian followed by two zero bytes.  That loses data, so only the
 * flow-tools layout (FT_ORDER_BIG_FLOWTOOLS) has it: we read it in the
 * original's files and write it only on request; FT_ORDER_BIG is every
 * field big-endian.
 */
enum kind {
    K_U8, K_U16, K_U32,
    K_U16_LE, K_EXADDR, K_TAG
};

struct field {
    uint8_t off, kind, bit;
};

struct layout {
    const struct field *fields;
    unsigned n;
};

/* The four export-time fields and First/Last that most layouts share. */
#define HEAD(up, ex) \
    {0, K_U32, B_UNIX_SECS}, {4, K_U32, B_UNIX_NSECS}, {up, K_U32, B_SYSUPTIME}, \
    {ex, K_U32, B_EXADDR}
#define V1_BODY \
    {16, K_U32, B_SRCADDR}, {20, K_U32, B_DSTADDR}, {24, K_U32, B_NEXTHOP}, \
    {28, K_U16, B_INPUT}, {30, K_U16, B_OUTPUT}, {32, K_U32, B_DPKTS}, \
    {36, K_U32, B_DOCTETS}, {40, K_U32, B_FIRST}, {44, K_U32, B_LAST}, \
    {48, K_U16, B_SRCPORT}, {50, K_U16, B_DSTPORT}, {52, K_U8, B_PROT}, \
    {53, K_U8, B_TOS}, {54, K_U8, B_TCP_FLAGS}
#define V5_TAIL \
    {56, K_U8, B_ENGINE_TYPE}, {57, K_U8, B_ENGINE_ID}, {58, K_U8, B_SRC_MASK}, \
    {59, K_U8, B_DST_MASK}, {60, K_U16, B_SRC_AS}, {62, K_U16, B_DST_AS}
/* v8 records with dFlows: counters and times at 16..35. */
#define V8_COUNTS \
    {16, K_U32, B_DFLOWS}, {20, K_U32, B_DPKTS}, {24, K_U32, B_DOCTETS}, \
    {28, K_U32, B_FIRST}, {32, K_U32, B_LAST}
/* v8 Catalyst records (6, 7, 8) have no dFlows. */
#define V8_CAT_COUNTS \
    {16, K_U32, B_DPKTS}, {20, K_U32, B_DOCTETS}, {24, K_U32, B_FIRST}, \
    {28, K_U32, B_LAST}

static const struct field f_v1[] = {HEAD(8, 12), V1_BODY};
static const struct field f_v5[] = {HEAD(8, 12), V1_BODY, V5_TAIL};
static const struct field f_v6[] = {
    HEAD(8, 12), V1_BODY, V5_TAIL,
    {64, K_U8, B_IN_ENCAPS}, {65, K_U8, B_OUT_ENCAPS}, {68, K_U32, B_PEER_NEXTHOP}};
static const struct field f_v7[] = {HEAD(8, 12), V1_BODY, V5_TAIL, {64, K_U32, B_ROUTER_SC}};
static const struct field f_v1005[] = {
    {0, K_U32, B_UNIX_SECS}, {4, K_U32, B_UNIX_NSECS}, {8, K_U32, B_SYSUPTIME},
    {12, K_EXADDR, B_EXADDR}, V1_BODY, V5_TAIL,
    {64, K_TAG, B_SRC_TAG}, {68, K_TAG, B_DST_TAG}};
static const struct field f_v8_1[] = {
    HEAD(8, 12), V8_COUNTS, {36, K_U16, B_SRC_AS}, {38, K_U16, B_DST_AS},
    {40, K_U16, B_INPUT}, {42, K_U16, B_OUTPUT}, {44, K_U8, B_ENGINE_TYPE},
    {45, K_U8, B_ENGINE_ID}};
static const struct field f_v8_2[] = {
    HEAD(8, 12), V8_COUNTS, {36, K_U8, B_PROT}, {40, K_U16, B_SRCPORT},
    {42, K_U16, B_DSTPORT}, {44, K_U8, B_ENGINE_TYPE}, {45, K_U8, B_ENGINE_ID}};
static const struct field f_v8_3[] = {
    HEAD(12, 8), V8_COUNTS, {36, K_U32, B_SRCADDR}, {40, K_U8, B_SRC_MASK},
    {42, K_U16, B_SRC_AS}, {44, K_U16, B_INPUT}, {46, K_U8, B_ENGINE_TYPE},
    {47, K_U8, B_ENGINE_ID}};
static const struct field f_v8_4[] = {
    HEAD(8, 12), V8_COUNTS, {36, K_U32, B_DSTADDR}, {40, K_U8, B_DST_MASK},
    {42, K_U8, B_ENGINE_TYPE}, {43, K_U8, B_ENGINE_ID}, {44, K_U16, B_DST_AS},
    {46, K_U16, B_OUTPUT}};
static const struct field f_v8_5[] = {
    HEAD(8, 12), V8_COUNTS, {36, K_U32, B_SRCADDR}, {40, K_U32, B_DSTADDR},
    {44, K_U8, B_DST_MASK}, {45, K_U8, B_SRC_MASK}, {46, K_U8, B_ENGINE_TYPE},
    {47, K_U8, B_ENGINE_ID}, {48, K_U16, B_SRC_AS}, {50, K_U16, B_DST_AS},
    {52, K_U16, B_INPUT}, {54, K_U16, B_OUTPUT}};
static const struct field f_v8_6[] = {
    HEAD(8, 12), V8_CAT_COUNTS, {32, K_U32, B_DSTADDR}, {36, K_U32, B_EXTRA_PKTS},
    {40, K_U32, B_ROUTER_SC}, {44, K_U16, B_OUTPUT}, {48, K_U8, B_TOS},
    {49, K_U8, B_MARKED_TOS}, {50, K_U8, B_ENGINE_TYPE}, {51, K_U8, B_ENGINE_ID}};
static const struct field f_v8_7[] = {
    HEAD(8, 12), V8_CAT_COUNTS, {32, K_U32, B_DSTADDR}, {36, K_U32, B_SRCADDR},
    {40, K_U32, B_EXTRA_PKTS}, {44, K_U32, B_ROUTER_SC}, {48, K_U16, B_OUTPUT},
    {50, K_U16, B_INPUT}, {52, K_U8, B_TOS}, {53, K_U8, B_MARKED_TOS},
    {54, K_U8, B_ENGINE_TYPE}, {55, K_U8, B_ENGINE_ID}};
static const struct field f_v8_8[] = {
    HEAD(8, 12), V8_CAT_COUNTS, {32, K_U32, B_DSTADDR}, {36, K_U32, B_SRCADDR},
    {40, K_U32, B_EXTRA_PKTS}, {44, K_U32, B_ROUTER_SC}, {48, K_U16, B_DSTPORT},
    {50, K_U16, B_SRCPORT}, {52, K_U16, B_OUTPUT}, {54, K_U16, B_INPUT},
    {56, K_U8, B_TOS}, {57, K_U8, B_MARKED_TOS}, {58, K_U8, B_ENGINE_TYPE},
    {59, K_U8, B_ENGINE_ID}, {60, K_U8, B_PROT}};
static const struct field f_v8_9[] = {
    HEAD(8, 12), V8_COUNTS, {36, K_U16, B_SRC_AS}, {38, K_U16, B_DST_AS},
    {40, K_U16, B_INPUT}, {42, K_U16, B_OUTPUT}, {44, K_U8, B_ENGINE_TYPE},
    {45, K_U8, B_ENGINE_ID}, {46, K_U8, B_TOS}};
/* The original's v8.10 mask omits input/output although the record holds
 * them; the mask stays as the original's, the values are still carried. */
static const struct field f_v8_10[] = {
    HEAD(8, 12), V8_COUNTS, {36, K_U16, B_SRCPORT}, {38, K_U16, B_DSTPORT},
    {40, K_U16, B_INPUT}, {42, K_U16, B_OUTPUT}, {44, K_U8, B_ENGINE_TYPE},
    {45, K_U8, B_ENGINE_ID}, {46, K_U8, B_PROT}, {47, K_U8, B_TOS}};
static const struct field f_v8_11[] = {
    HEAD(12, 8), V8_COUNTS, {36, K_U32, B_SRCADDR}, {40, K_U8, B_SRC_MASK},
    {41, K_U8, B_TOS}, {42, K_U16, B_SRC_AS}, {44, K_U16, B_INPUT},
    {46, K_U8, B_ENGINE_TYPE}, {47, K_U8, B_ENGINE_ID}};
static const struct field f_v8_12[] = {
    HEAD(12, 8), V8_COUNTS, {36, K_U32, B_DSTADDR}, {40, K_U16, B_OUTPUT},
    {42, K_U16_LE, B_DST_AS}, {44, K_U8, B_DST_MASK}, {45, K_U8, B_TOS},
    {46, K_U8, B_ENGINE_TYPE}, {47, K_U8, B_ENGINE_ID}};
static const struct field f_v8_13[] = {
    HEAD(8, 12), V8_COUNTS, {36, K_U32, B_SRCADDR}, {40, K_U32, B_DSTADDR},
    {44, K_U16, B_SRC_AS}, {46, K_U16, B_DST_AS}, {48, K_U16, B_INPUT},
    {50, K_U16, B_OUTPUT}, {52, K_U8, B_DST_MASK}, {53, K_U8, B_SRC_MASK},
    {54, K_U8, B_ENGINE_TYPE}, {55, K_U8, B_ENGINE_ID}, {56, K_U8, B_TOS}};
static const struct field f_v8_14[] = {
    HEAD(8, 12), V8_COUNTS, {36, K_U32, B_SRCADDR}, {40, K_U32, B_DSTADDR},
    {44, K_U16, B_SRCPORT}, {46, K_U16, B_DSTPORT}, {48, K_U16, B_INPUT},
    {50, K_U16, B_OUTPUT}, {52, K_U8, B_DST_MASK}, {53, K_U8, B_SRC_MASK},
    {54, K_U8, B_ENGINE_TYPE}, {55, K_U8, B_ENGINE_ID}, {56, K_U8, B_TOS},
    {57, K_U8, B_PROT}};

#define V5_MASK 0x000000000FFF37EFULL
#define EXT_SIZE 272
#define EXT_MASK (0x0000000FFFFF37FFULL | FT_F_BGP_NEXTHOP | FT_F_SOURCE_ID | \
    FT_F_SAMPLING | FT_F_SAMPLER_ID | FT_F_SRC_VLAN | FT_F_DST_VLAN | FT_F_DIRECTION | \
    FT_F_ICMP | FT_F_ABS_TIMES | FT_F_EXPORT_INFO | FT_F_FLOW_LABEL | FT_F_IP_VERSION | \
    FT_F_TIMES)

/* ft_formats[] and layouts[] are parallel arrays. */
const struct ft_format ft_formats[] = {
    {1, 0, 0, 60, 0x0000000000FF31EFULL, "v1"},
    {5, 0, 0, 64, V5_MASK, "v5"},
    {6, 0, 0, 72, 0x000000007FFF37EFULL, "v6"},
    {7, 0, 0, 68, 0x000000008FFF37EFULL, "v7"},
    {8, 1, 2, 48, 0x000000000C0607FFULL, "v8.1"},
    {8, 2, 2, 48, 0x00000000003807FFULL, "v8.2"},
    {8, 3, 2, 48, 0x00000000050217FFULL, "v8.3"},
    {8, 4, 2, 48, 0x000000000A0427FFULL, "v8.4"},
    {8, 5, 2, 56, 0x000000000F0637FFULL, "v8.5"},
    {8, 6, 2, 52, 0x00000003804427EFULL, "v8.6"},
    {8, 7, 2, 56, 0x00000003804637EFULL, "v8.7"},
    {8, 8, 2, 64, 0x00000003807E37EFULL, "v8.8"},
    {8, 9, 2, 48, 0x000000000C4607FFULL, "v8.9"},
    {8, 10, 2, 48, 0x00000000007807FFULL, "v8.10"},
    {8, 11, 2, 48, 0x00000000054217FFULL, "v8.11"},
    {8, 12, 2, 48, 0x000000000A4427FFULL, "v8.12"},
    {8, 13, 2, 60, 0x000000000F4637FFULL, "v8.13"},
    {8, 14, 2, 60, 0x00000000037E37FFULL, "v8.14"},
    {1005, 0, 0, 72, 0x0000000C0FFF37EFULL, "v1005"},
    {FT_DV_EXTENDED, 0, 0, EXT_SIZE, EXT_MASK, "extended"},
    {0, 0, 0, 0, 0, NULL}
};

#define LAYOUT(a) {a, sizeof(a) / sizeof(a[0])}
static const struct layout layouts[] = {
    LAYOUT(f_v1), LAYOUT(f_v5), LAYOUT(f_v6), LAYOUT(f_v7),
    LAYOUT(f_v8_1), LAYOUT(f_v8_2), LAYOUT(f_v8_3), LAYOUT(f_v8_4), LAYOUT(f_v8_5),
    LAYOUT(f_v8_6), LAYOUT(f_v8_7), LAYOUT(f_v8_8), LAYOUT(f_v8_9), LAYOUT(f_v8_10),
    LAYOUT(f_v8_11), LAYOUT(f_v8_12), LAYOUT(f_v8_13), LAYOUT(f_v8_14),
    LAYOUT(f_v1005), {NULL, 0}
};
#define N_FORMATS (sizeof(layouts) / sizeof(layouts[0]))
_Static_assert(sizeof(ft_formats) / sizeof(ft_formats[0]) == N_FORMATS + 1,
               "one layout per format");

/* ---- lookup ----------------------------------------------------------- */

const struct ft_format *ft_format_find(unsigned d_version, unsigned agg_method)
{
    for (const struct ft_format *f = ft_formats; f->name; f++) {
        if (f->d_version == d_version && (d_version != 8 || f->agg_method == agg_method))
            return f;
    }
    return NULL;
}

/* Digits only, no sign or blanks; false on overflow past 65535. */
static bool parse_small(const char *s, const char **end, unsigned *out)
{
    unsigned v = 0;
    const char *p = s;
    for (; *p >= '0' && *p <= '9'; p++) {
        v = v * 10 + (unsigned)(*p - '0');
        if (v > 65535)
            return false;
    }
    *end = p;
    *out = v;
    return p != s;
}

const struct ft_format *ft_format_parse(const char *spec)
{
    unsigned dv, agg = 0;
    const char *p;
    if (!spec)
        return NULL;
    if (strcmp(spec, "extended") == 0)
        return ft_format_find(FT_DV_EXTENDED, 0);
    if (*spec == 'v')
        spec++;
    if (!parse_small(spec, &p, &dv))
        return NULL;
    if (*p == '.') {
        if (dv != 8 || !parse_small(p + 1, &p, &agg))
            return NULL;
    } else if (dv == 8) {
        return NULL;        /* v8 needs its aggregation method */
    }
    if (*p)
        return NULL;
    return ft_format_find(dv, agg);
}

int ft_host_order(void)
{
    return FT_HOST_BIG ? FT_ORDER_BIG : FT_ORDER_LITTLE;
}

static const struct layout *layout_of(const struct ft_format *fmt)
{
    uintptr_t p = (uintptr_t)fmt, base = (uintptr_t)ft_formats;
    if (p >= base && p < base + N_FORMATS * sizeof(*fmt))
        return &layouts[fmt - ft_formats];
    const struct ft_format *known = ft_format_find(fmt->d_version, fmt->agg_method);
    return known ? &layouts[known - ft_formats] : &layouts[N_FORMATS - 1];
}

/* The byte order of an FT_ORDER_* value: 1 for big-endian. */
static inline int order_big(int order)
{
    return order == FT_ORDER_BIG || order == FT_ORDER_BIG_FLOWTOOLS;
}

static unsigned export_version_of(unsigned d_version)
{
    return d_version == 1005 ? 5 : d_version;   /* 1005 is tagged v5 */
}

/* ---- narrowing with loss accounting --------------------------------- */

#define AS_TRANS 23456      /* RFC 6793: stands in for a 4-byte AS in 2 bytes */

static inline uint32_t sat32(uint64_t v, unsigned *loss)
{
    if (v > UINT32_MAX) {
        *loss |= FT_LOSS_COUNTER;
        return UINT32_MAX;
    }
    return (uint32_t)v;
}

static inline uint16_t sat16(uint32_t v, unsigned *loss)
{
    if (v > UINT16_MAX) {
        *loss |= FT_LOSS_WIDTH;
        return UINT16_MAX;
    }
    return (uint16_t)v;
}

static inline uint16_t as16(uint32_t v, unsigned *loss)
{
    if (v > UINT16_MAX) {
        *loss |= FT_LOSS_WIDTH;
        return AS_TRANS;
    }
    return (uint16_t)v;
}

static inline uint32_t v4_of(const struct ft_ip *a, unsigned *loss)
{
    if (a->af == FT_AF_INET)
        return a->v4;
    if (a->af == FT_AF_INET6)
        *loss |= FT_LOSS_ADDR6;
    return 0;
}

static bool ip_is_set(const struct ft_ip *a)
{
    static const uint8_t zero[16];
    if (a->af == FT_AF_INET)
        return a->v4 != 0;
    if (a->af == FT_AF_INET6)
        return memcmp(a->v6, zero, 16) != 0;
    return false;
}

/* ---- export-time fields of a record ------------------------------------ */

struct rec_times {
    uint32_t unix_secs, unix_nsecs, sysuptime, first, last;
};

#define RAW_TIMES (FT_F_UNIX_SECS | FT_F_SYSUPTIME | FT_F_FIRST | FT_F_LAST)

/*
 * A flow with absolute times only (IPFIX, sensor) gets export fields made
 * up so that ft_flow_set_times() gives start_ms/end_ms back: exported at
 * the later of the two, sysUpTime = the duration, and the earlier stamp at
 * uptime 0, so that even the original (which has no wrap handling) reads
 * the same times.
 */
static unsigned synthesize_times(const struct ft_flow *f, struct rec_times *t)
{
    unsigned loss = 0;
    bool forward = f->end_ms >= f->start_ms;
    uint64_t hi = forward ? f->end_ms : f->start_ms;
    uint64_t span = forward ? f->end_ms - f->start_ms : f->start_ms - f->end_ms;
    if (span > INT32_MAX) {     /* the uptime difference is read as int32 */
        span = INT32_MAX;
        loss |= FT_LOSS_WIDTH;
    }
    if (hi / 1000 > UINT32_MAX)
        loss |= FT_LOSS_WIDTH;
    t->unix_secs = (uint32_t)(hi / 1000);
    t->unix_nsecs = (uint32_t)(hi % 1000) * 1000000u;
    t->sysuptime = (uint32_t)span;
    t->first = forward ? 0 : (uint32_t)span;
    t->last = forward ? (uint32_t)span : 0;
    return loss;
}

static inline unsigned record_times(const struct ft_flow *f, struct rec_times *t)
{
    bool synth = (f->has & FT_F_TIMES) &&
        ((f->has & FT_F_ABS_TIMES) || (f->has & RAW_TIMES) != RAW_TIMES);
    if (synth)
        return synthesize_times(f, t);
    t->unix_secs = f->unix_secs;
    t->unix_nsecs = f->unix_nsecs;
    t->sysuptime = f->sysuptime;
    t->first = f->first;
    t->last = f->last;
    return 0;
}

/* Does the flow-tools field `bit` of f hold a non-zero value? */
static bool flowtools_field_set(const struct ft_flow *f, unsigned bit)
{
    switch (bit) {
    case B_UNIX_SECS: return f->unix_secs != 0;
    case B_UNIX_NSECS: return f->unix_nsecs != 0;
    case B_SYSUPTIME: return f->sysuptime != 0;
    case B_FIRST: return f->first != 0;
    case B_LAST: return f->last != 0;
    case B_EXADDR: return ip_is_set(&f->exaddr);
    case B_SRCADDR: return ip_is_set(&f->srcaddr);
    case B_DSTADDR: return ip_is_set(&f->dstaddr);
    case B_NEXTHOP: return ip_is_set(&f->nexthop);
    case B_PEER_NEXTHOP: return ip_is_set(&f->peer_nexthop);
    case B_ROUTER_SC: return ip_is_set(&f->router_sc);
    case B_DFLOWS: return f->dflows > 1;    /* a record without dFlows is one flow */
    case B_DPKTS: return f->dpkts != 0;
    case B_DOCTETS: return f->doctets != 0;
    case B_ENGINE_TYPE: return f->engine_type != 0;
    case B_ENGINE_ID: return f->engine_id != 0;
    case B_INPUT: return f->input != 0;
    case B_OUTPUT: return f->output != 0;
    case B_SRCPORT: return f->srcport != 0;
    case B_DSTPORT: return f->dstport != 0;
    case B_PROT: return f->prot != 0;
    case B_TOS: return f->tos != 0;
    case B_TCP_FLAGS: return f->tcp_flags != 0;
    case B_SRC_MASK: return f->src_mask != 0;
    case B_DST_MASK: return f->dst_mask != 0;
    case B_SRC_AS: return f->src_as != 0;
    case B_DST_AS: return f->dst_as != 0;
    case B_IN_ENCAPS: return f->in_encaps != 0;
    case B_OUT_ENCAPS: return f->out_encaps != 0;
    case B_EXTRA_PKTS: return f->extra_pkts != 0;
    case B_MARKED_TOS: return f->marked_tos != 0;
    case B_SRC_TAG: return f->src_tag != 0;
    case B_DST_TAG: return f->dst_tag != 0;
    default: return false;
    }
}

/* ftkit-only facts that a flow-tools record cannot hold.  Transport
 * bookkeeping (FT_F_EXPORT_INFO) and derived bits are not counted. */
static bool ftkit_fields_set(const struct ft_flow *f, uint64_t mask)
{
    uint64_t has = f->has;
    if ((has & FT_F_BGP_NEXTHOP) && ip_is_set(&f->bgp_nexthop))
        return true;
    if ((has & FT_F_SOURCE_ID) && f->source_id)
        return true;
    if ((has & FT_F_SAMPLING) && (f->sampling_interval || f->sampling_algorithm))
        return true;
    if ((has & FT_F_SAMPLER_ID) && f->sampler_id)
        return true;
    if ((has & FT_F_SRC_VLAN) && f->src_vlan)
        return true;
    if ((has & FT_F_DST_VLAN) && f->dst_vlan)
        return true;
    if ((has & FT_F_DIRECTION) && f->direction)
        return true;
    if ((has & FT_F_FLOW_LABEL) && f->flow_label)
        return true;
    if ((has & FT_F_ICMP) && (f->icmp_type || f->icmp_code)) {
        /* flow-tools keeps ICMP type/code in the destination port */
        bool in_port = (mask & FT_F_DSTPORT) &&
            f->dstport == (uint16_t)(f->icmp_type << 8 | f->icmp_code);
        if (!in_port)
            return true;
    }
    if ((has & FT_F_TIMES) && (f->start_ns || f->end_ns))
        return true;
    return false;
}

#define FT_F_FTKIT_LOSSY (FT_F_BGP_NEXTHOP | FT_F_SOURCE_ID | FT_F_SAMPLING | \
    FT_F_SAMPLER_ID | FT_F_SRC_VLAN | FT_F_DST_VLAN | FT_F_DIRECTION | FT_F_FLOW_LABEL | \
    FT_F_ICMP | FT_F_TIMES)

/* FT_LOSS_FIELDS if f carries information a record of `mask` has no room for. */
static unsigned lost_fields(const struct ft_flow *f, uint64_t mask)
{
    uint64_t extra = f->has & ~mask & FT_F_FLOWTOOLS;
    for (unsigned bit = 0; extra; bit++, extra >>= 1) {
        if ((extra & 1) && flowtools_field_set(f, bit))
            return FT_LOSS_FIELDS;
    }
    if ((f->has & FT_F_FTKIT_LOSSY) && ftkit_fields_set(f, mask))
        return FT_LOSS_FIELDS;
    return 0;
}

/* ---- generic codec ------------------------------------------------------ */

static uint64_t field_value(const struct ft_flow *f, const struct rec_times *t,
                            unsigned bit, unsigned *loss)
{
    switch (bit) {
    case B_UNIX_SECS: return t->unix_secs;
    case B_UNIX_NSECS: return t->unix_nsecs;
    case B_SYSUPTIME: return t->sysuptime;
    case B_FIRST: return t->first;
    case B_LAST: return t->last;
    case B_EXADDR: return v4_of(&f->exaddr, loss);
    case B_SRCADDR: return v4_of(&f->srcaddr, loss);
    case B_DSTADDR: return v4_of(&f->dstaddr, loss);
    case B_NEXTHOP: return v4_of(&f->nexthop, loss);
    case B_PEER_NEXTHOP: return v4_of(&f->peer_nexthop, loss);
    case B_ROUTER_SC: return v4_of(&f->router_sc, loss);
    case B_DFLOWS: return (f->has & FT_F_DFLOWS) ? f->dflows : 1;
    case B_DPKTS: return f->dpkts;
    case B_DOCTETS: return f->doctets;
    case B_ENGINE_TYPE: return f->engine_type;
    case B_ENGINE_ID: return f->engine_id;
    case B_INPUT: return f->input;
    case B_OUTPUT: return f->output;
    case B_SRCPORT: return f->srcport;
    case B_DSTPORT: return f->dstport;
    case B_PROT: return f->prot;
    case B_TOS: return f->tos;
    case B_TCP_FLAGS: return f->tcp_flags;
    case B_SRC_MASK: return f->src_mask;
    case B_DST_MASK: return f->dst_mask;
    case B_SRC_AS: return f->src_as;
    case B_DST_AS: return f->dst_as;
    case B_IN_ENCAPS: return f->in_encaps;
    case B_OUT_ENCAPS: return f->out_encaps;
    case B_EXTRA_PKTS: return f->extra_pkts;
    case B_MARKED_TOS: return f->marked_tos;
    case B_SRC_TAG: return f->src_tag;
    case B_DST_TAG: return f->dst_tag;
    default: return 0;
    }
}

static void set_field(struct ft_flow *f, unsigned bit, uint32_t v)
{
    switch (bit) {
    case B_UNIX_SECS: f->unix_secs = v; break;
    case B_UNIX_NSECS: f->unix_nsecs = v; break;
    case B_SYSUPTIME: f->sysuptime = v; break;
    case B_FIRST: f->first = v; break;
    case B_LAST: f->last = v; break;
    case B_EXADDR: ft_ip_set4(&f->exaddr, v); break;
    case B_SRCADDR: ft_ip_set4(&f->srcaddr, v); break;
    case B_DSTADDR: ft_ip_set4(&f->dstaddr, v); break;
    case B_NEXTHOP: ft_ip_set4(&f->nexthop, v); break;
    case B_PEER_NEXTHOP: ft_ip_set4(&f->peer_nexthop, v); break;
    case B_ROUTER_SC: ft_ip_set4(&f->router_sc, v); break;
    case B_DFLOWS: f->dflows = v; break;
    case B_DPKTS: f->dpkts = v; break;
    case B_DOCTETS: f->doctets = v; break;
    case B_ENGINE_TYPE: f->engine_type = (uint8_t)v; break;
    case B_ENGINE_ID: f->engine_id = (uint8_t)v; break;
    case B_INPUT: f->input = v; break;
    case B_OUTPUT: f->output = v; break;
    case B_SRCPORT: f->srcport = (uint16_t)v; break;
    case B_DSTPORT: f->dstport = (uint16_t)v; break;
    case B_PROT: f->prot = (uint8_t)v; break;
    case B_TOS: f->tos = (uint8_t)v; break;
    case B_TCP_FLAGS: f->tcp_flags = (uint8_t)v; break;
    case B_SRC_MASK: f->src_mask = (uint8_t)v; break;
    case B_DST_MASK: f->dst_mask = (uint8_t)v; break;
    case B_SRC_AS: f->src_as = v; break;
    case B_DST_AS: f->dst_as = v; break;
    case B_IN_ENCAPS: f->in_encaps = (uint8_t)v; break;
    case B_OUT_ENCAPS: f->out_encaps = (uint8_t)v; break;
    case B_EXTRA_PKTS: f->extra_pkts = v; break;
    case B_MARKED_TOS: f->marked_tos = (uint8_t)v; break;
    case B_SRC_TAG: f->src_tag = v; break;
    case B_DST_TAG: f->dst_tag = v; break;
    default: break;
    }
}

/* `ft`: the flow-tools big-endian layout (only ever set with `big`). */
static uint32_t load_field(const uint8_t *rec, const struct field *fl, int big, int ft)
{
    const uint8_t *p = rec + fl->off;
    switch (fl->kind) {
    case K_U8: return p[0];
    case K_U16: return ft_ld16(p, big);
    case K_U32: return ft_ld32(p, big);
    case K_U16_LE: return ft_ld16(p, 0);
    case K_EXADDR: return ft_ld32(p, big && !ft);
    case K_TAG: return ft ? ft_ld16(p, 1) : ft_ld32(p, big);
    default: return 0;
    }
}

static void store_field(uint8_t *rec, const struct field *fl, uint64_t v, int big, int ft,
                        unsigned *loss)
{
    uint8_t *p = rec + fl->off;
    switch (fl->kind) {
    case K_U8:
        if (v > UINT8_MAX) {
            *loss |= FT_LOSS_WIDTH;
            v = UINT8_MAX;
        }
        p[0] = (uint8_t)v;
        break;
    case K_U16:
    case K_U16_LE:
        if (fl->kind == K_U16_LE)
            big = 0;
        if (fl->bit == B_SRC_AS || fl->bit == B_DST_AS)
            ft_st16(p, as16((uint32_t)v, loss), big);
        else
            ft_st16(p, sat16((uint32_t)v, loss), big);
        break;
    case K_U32:
        ft_st32(p, sat32(v, loss), big);
        break;
    case K_EXADDR:
        ft_st32(p, (uint32_t)v, big && !ft);
        break;
    case K_TAG:
        if (!ft) {
            ft_st32(p, (uint32_t)v, big);
            break;
        }
        if (v > UINT16_MAX)     /* truncated, as the original does */
            *loss |= FT_LOSS_WIDTH;
        ft_st16(p, (uint16_t)v, 1);
        p[2] = p[3] = 0;
        break;
    }
}

static void decode_generic(const struct ft_format *fmt, const struct layout *lay, int big,
                           int ft, const uint8_t *rec, struct ft_flow *f)
{
    memset(f, 0, sizeof(*f));
    for (unsigned i = 0; i < lay->n; i++)
        set_field(f, lay->fields[i].bit, load_field(rec, &lay->fields[i], big, ft));
    f->has = fmt->mask | FT_F_TIMES;
    f->export_version = (uint8_t)export_version_of(fmt->d_version);
    ft_flow_set_times(f);
}

static unsigned encode_generic(const struct ft_format *fmt, const struct layout *lay,
                               int big, int ft, const struct ft_flow *f, uint8_t *out)
{
    struct rec_times t;
    unsigned loss = record_times(f, &t);
    memset(out, 0, fmt->rec_size);
    for (unsigned i = 0; i < lay->n; i++) {
        const struct field *fl = &lay->fields[i];
        store_field(out, fl, field_value(f, &t, fl->bit, &loss), big, ft, &loss);
    }
    return loss | lost_fields(f, fmt->mask);
}

/* ---- v5, straight-line -------------------------------------------------- */

static inline __attribute__((always_inline))
void decode_v5(const uint8_t *r, struct ft_flow *f, int big)
{
    memset(f, 0, sizeof(*f));
    f->has = V5_MASK | FT_F_TIMES;
    f->unix_secs = ft_ld32(r, big);
    f->unix_nsecs = ft_ld32(r + 4, big);
    f->sysuptime = ft_ld32(r + 8, big);
    ft_ip_set4(&f->exaddr, ft_ld32(r + 12, big));
    ft_ip_set4(&f->srcaddr, ft_ld32(r + 16, big));
    ft_ip_set4(&f->dstaddr, ft_ld32(r + 20, big));
    ft_ip_set4(&f->nexthop, ft_ld32(r + 24, big));
    f->input = ft_ld16(r + 28, big);
    f->output = ft_ld16(r + 30, big);
    f->dpkts = ft_ld32(r + 32, big);
    f->doctets = ft_ld32(r + 36, big);
    f->first = ft_ld32(r + 40, big);
    f->last = ft_ld32(r + 44, big);
    f->srcport = ft_ld16(r + 48, big);
    f->dstport = ft_ld16(r + 50, big);
    f->prot = r[52];
    f->tos = r[53];
    f->tcp_flags = r[54];
    f->engine_type = r[56];
    f->engine_id = r[57];
    f->src_mask = r[58];
    f->dst_mask = r[59];
    f->src_as = ft_ld16(r + 60, big);
    f->dst_as = ft_ld16(r + 62, big);
    f->export_version = 5;
    ft_flow_set_times(f);
}

static inline __attribute__((always_inline))
unsigned encode_v5(const struct ft_flow *f, uint8_t *r, int big)
{
    struct rec_times t;
    unsigned loss = record_times(f, &t);
    ft_st32(r, t.unix_secs, big);
    ft_st32(r + 4, t.unix_nsecs, big);
    ft_st32(r + 8, t.sysuptime, big);
    ft_st32(r + 12, v4_of(&f->exaddr, &loss), big);
    ft_st32(r + 16, v4_of(&f->srcaddr, &loss), big);
    ft_st32(r + 20, v4_of(&f->dstaddr, &loss), big);
    ft_st32(r + 24, v4_of(&f->nexthop, &loss), big);
    ft_st16(r + 28, sat16(f->input, &loss), big);
    ft_st16(r + 30, sat16(f->output, &loss), big);
    ft_st32(r + 32, sat32(f->dpkts, &loss), big);
    ft_st32(r + 36, sat32(f->doctets, &loss), big);
    ft_st32(r + 40, t.first, big);
    ft_st32(r + 44, t.last, big);
    ft_st16(r + 48, f->srcport, big);
    ft_st16(r + 50, f->dstport, big);
    r[52] = f->prot;
    r[53] = f->tos;
    r[54] = f->tcp_flags;
    r[55] = 0;
    r[56] = f->engine_type;
    r[57] = f->engine_id;
    r[58] = f->src_mask;
    r[59] = f->dst_mask;
    ft_st16(r + 60, as16(f->src_as, &loss), big);
    ft_st16(r + 62, as16(f->dst_as, &loss), big);
    if (f->has & ~V5_MASK & (FT_F_FLOWTOOLS | FT_F_FTKIT_LOSSY))
        loss |= lost_fields(f, V5_MASK);
    return loss;
}

/* ---- extended record ---------------------------------------------------- */

/* Offsets of the extended record; the layout is documented in ftkit-stream(5).
 * Integers are in stream byte order, addresses are byte strings. */
enum {
    X_HAS = 0, X_START_MS = 8, X_END_MS = 16, X_DPKTS = 24, X_DOCTETS = 32,
    X_U32 = 40,     /* 20 x uint32, in the order of ext_u32() */
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
_Static_assert(X_RESERVED == X_ADDR + X_N_ADDR * 16 && EXT_SIZE == X_RESERVED + 4,
               "extended layout");

/* The integer members in record order, with their width; one list serves
 * decode and encode, expanded into straight-line code per byte order. */
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

static inline void decode_ext_addr(const uint8_t *r, unsigned i, struct ft_ip *a)
{
    const uint8_t *p = r + X_ADDR + 16 * i;
    if (r[X_AF + i] == FT_AF_INET) {
        ft_ip_set4(a, ft_ld32(p, 1));
    } else if (r[X_AF + i] == FT_AF_INET6) {
        a->af = FT_AF_INET6;
        memcpy(a->v6, p, 16);
    }   /* anything else: no address */
}

static inline void encode_ext_addr(uint8_t *r, unsigned i, const struct ft_ip *a)
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
#define X(m, i) decode_ext_addr(r, i, &f->m);
    EXT_ADDRS(X)
#undef X
}

static inline __attribute__((always_inline))
void encode_ext(int big, const struct ft_flow *f, uint8_t *r)
{
    memset(r + X_AF, 0, EXT_SIZE - X_AF);
#define X(bits, m, off) ft_st##bits(r + (off), f->m, big);
    EXT_INTS(X)
#undef X
#define X(m, i) encode_ext_addr(r, i, &f->m);
    EXT_ADDRS(X)
#undef X
}

static void swap_ext(uint8_t *r)
{
    for (unsigned i = 0; i < X_N_U64; i++)
        ft_swap_bytes(r + 8 * i, 8);
    for (unsigned i = 0; i < X_N_U32; i++)
        ft_swap_bytes(r + X_U32 + 4 * i, 4);
    for (unsigned i = 0; i < X_N_U16; i++)
        ft_swap_bytes(r + X_U16 + 2 * i, 2);
}

/* ---- public entry points ------------------------------------------------ */

void ft_rec_decode(const struct ft_format *fmt, int order, const uint8_t *rec,
                   struct ft_flow *f)
{
    int big = order_big(order);
    if (fmt->d_version == 5) {
        if (big)
            decode_v5(rec, f, 1);
        else
            decode_v5(rec, f, 0);
    } else if (fmt->d_version == FT_DV_EXTENDED) {
        if (big)
            decode_ext(1, rec, f);
        else
            decode_ext(0, rec, f);
    } else {
        decode_generic(fmt, layout_of(fmt), big, order == FT_ORDER_BIG_FLOWTOOLS, rec, f);
    }
}

unsigned ft_rec_encode(const struct ft_format *fmt, int order, const struct ft_flow *f,
                       uint8_t *out)
{
    int big = order_big(order);
    if (fmt->d_version == 5)
        return big ? encode_v5(f, out, 1) : encode_v5(f, out, 0);
    if (fmt->d_version == FT_DV_EXTENDED) {
        if (big)
            encode_ext(1, f, out);
        else
            encode_ext(0, f, out);
        return 0;
    }
    return encode_generic(fmt, layout_of(fmt), big, order == FT_ORDER_BIG_FLOWTOOLS, f, out);
}

/*
 * Byte swap in place, between FT_ORDER_LITTLE and FT_ORDER_BIG (ftkit's
 * big-endian layout: nothing is lost).  Padding is kept as it is.  The
 * v8.12 destination AS stays little-endian (see enum kind).  The flow-tools
 * big-endian v1005 layout is ft_rec_convert's business.
 */
void ft_rec_swap(const struct ft_format *fmt, uint8_t *rec)
{
    if (fmt->d_version == FT_DV_EXTENDED) {
        swap_ext(rec);
        return;
    }
    const struct layout *lay = layout_of(fmt);
    for (unsigned i = 0; i < lay->n; i++) {
        uint8_t *p = rec + lay->fields[i].off;
        switch (lay->fields[i].kind) {
        case K_U16: ft_swap_bytes(p, 2); break;
        case K_U32:
        case K_EXADDR:
        case K_TAG: ft_swap_bytes(p, 4); break;
        default: break;
        }
    }
}

int ft_order_of(const struct ft_format *fmt, int order)
{
    if (order == 0)
        return ft_host_order();
    if (order == FT_ORDER_BIG_FLOWTOOLS && fmt->d_version != 1005)
        return FT_ORDER_BIG;        /* the same bytes: one big-endian layout */
    return order;
}

/*
 * A plain swap unless the flow-tools layout is involved (v1005 only); then
 * field by field, each field read in the old layout and stored in the new
 * one at the same offset, so that padding is kept as a swap keeps it.
 */
unsigned ft_rec_convert(const struct ft_format *fmt, uint8_t *rec, int from, int to)
{
    from = ft_order_of(fmt, from);
    to = ft_order_of(fmt, to);
    if (from == to)
        return 0;
    if (from != FT_ORDER_BIG_FLOWTOOLS && to != FT_ORDER_BIG_FLOWTOOLS) {
        ft_rec_swap(fmt, rec);
        return 0;
    }
    const struct layout *lay = layout_of(fmt);
    int big_in = order_big(from), ft_in = from == FT_ORDER_BIG_FLOWTOOLS;
    int big_out = order_big(to), ft_out = to == FT_ORDER_BIG_FLOWTOOLS;
    unsigned loss = 0;
    for (unsigned i = 0; i < lay->n; i++) {
        const struct field *fl = &lay->fields[i];
        store_field(rec, fl, load_field(rec, fl, big_in, ft_in), big_out, ft_out, &loss);
    }
    return loss;
}

/* Stream-version-1 records (stream-format.md 4.1), as d_version 1 or 5. */
void ft_rec_decode_sv1(unsigned d_version, int order, const uint8_t *r, struct ft_flow *f)
{
    int big = order_big(order);
    const struct ft_format *fmt = ft_format_find(d_version == 5 ? 5 : 1, 0);
    memset(f, 0, sizeof(*f));
    f->has = fmt->mask | FT_F_TIMES;
    f->unix_secs = ft_ld32(r, big);
    f->unix_nsecs = ft_ld32(r + 4, big) * 1000000u;    /* stored as milliseconds */
    ft_ip_set4(&f->exaddr, 0);
    ft_ip_set4(&f->srcaddr, ft_ld32(r + 8, big));
    ft_ip_set4(&f->dstaddr, ft_ld32(r + 12, big));
    ft_ip_set4(&f->nexthop, ft_ld32(r + 16, big));
    f->input = ft_ld16(r + 20, big);
    f->output = ft_ld16(r + 22, big);
    f->dpkts = ft_ld32(r + 24, big);
    f->doctets = ft_ld32(r + 28, big);
    f->first = ft_ld32(r + 32, big);
    f->last = ft_ld32(r + 36, big);
    f->srcport = ft_ld16(r + 40, big);
    f->dstport = ft_ld16(r + 42, big);
    f->prot = r[46];
    f->tos = r[47];
    f->tcp_flags = r[48];
    if (fmt->d_version == 5) {
        f->src_as = ft_ld16(r + 52, big);
        f->dst_as = ft_ld16(r + 54, big);
        f->src_mask = r[56];
        f->dst_mask = r[57];
    }
    f->export_version = (uint8_t)fmt->d_version;
    ft_flow_set_times(f);
}
