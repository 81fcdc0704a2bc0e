/*
 * ft_format.c - the record formats of flow streams: table, decode, encode,
 * byte swap.
 *
 * Every flow-tools format is described once, as a list of (offset, kind,
 * field) triples taken from stream-format.md section 9, the field being a
 * row of the field table (core/ft_field.h): its has bit, member offset and
 * width come from there.  One generic codec walks those lists and moves
 * values through the rows.  v5, by far the most common format, also has a
 * straight-line codec because readers decode tens of millions of records.
 * ftkit's extended record (d_version 9005) has its own codec in
 * ft_format_ext.c: it stores the whole struct ft_flow.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include "stream/ft_format.h"
#include "stream/ft_format_int.h"
#include "core/ft_field.h"
#include "core/ft_bytes.h"

/*
 * Field kinds: how a value is stored.  The last three are where the
 * original's byte swapping goes wrong (on the little-endian hosts it runs
 * on).  K_U16_LE: the v8.12 destination AS, never swapped, so little-endian
 * in both byte orders; we write it so too (nothing is lost, and the original
 * reads ours).  K_EXADDR and K_TAG: the v1005 exporter address, never
 * swapped, and the tags, swapped as 16-bit values, so that in a big-endian
 * v1005 file the original wrote the address is little-endian and a tag is
 * its low 16 bits big-endian followed by two zero bytes.  That loses data,
 * so only the flow-tools layout (FT_ORDER_BIG_FLOWTOOLS) has it: we read it
 * in the original's files and write it only on request; FT_ORDER_BIG is
 * every field big-endian.
 */
enum kind {
    K_U8, K_U16, K_U32,
    K_U16_LE, K_EXADDR, K_TAG
};

/* One field of a record: where, how, and which row of ft_fields[]. */
struct field {
    uint8_t off, kind, id;
};
_Static_assert(FT_NFIELDS <= UINT8_MAX, "field ids fit struct field");

struct layout {
    const struct field *fields;
    unsigned n;
};

#define AT(off, kind, id) {off, K_##kind, FT_FLD_##id}

/* The four export-time fields and First/Last that most layouts share. */
#define HEAD(up, ex) \
    AT(0, U32, UNIX_SECS), AT(4, U32, UNIX_NSECS), AT(up, U32, SYSUPTIME), \
    AT(ex, U32, EXADDR)
#define V1_BODY \
    AT(16, U32, SRCADDR), AT(20, U32, DSTADDR), AT(24, U32, NEXTHOP), \
    AT(28, U16, INPUT), AT(30, U16, OUTPUT), AT(32, U32, DPKTS), \
    AT(36, U32, DOCTETS), AT(40, U32, FIRST), AT(44, U32, LAST), \
    AT(48, U16, SRCPORT), AT(50, U16, DSTPORT), AT(52, U8, PROT), \
    AT(53, U8, TOS), AT(54, U8, TCP_FLAGS)
#define V5_TAIL \
    AT(56, U8, ENGINE_TYPE), AT(57, U8, ENGINE_ID), AT(58, U8, SRC_MASK), \
    AT(59, U8, DST_MASK), AT(60, U16, SRC_AS), AT(62, U16, DST_AS)
/* v8 records with dFlows: counters and times at 16..35. */
#define V8_COUNTS \
    AT(16, U32, DFLOWS), AT(20, U32, DPKTS), AT(24, U32, DOCTETS), \
    AT(28, U32, FIRST), AT(32, U32, LAST)
/* v8 Catalyst records (6, 7, 8) have no dFlows. */
#define V8_CAT_COUNTS \
    AT(16, U32, DPKTS), AT(20, U32, DOCTETS), AT(24, U32, FIRST), \
    AT(28, U32, LAST)

static const struct field f_v1[] = {HEAD(8, 12), V1_BODY};
static const struct field f_v5[] = {HEAD(8, 12), V1_BODY, V5_TAIL};
static const struct field f_v6[] = {
    HEAD(8, 12), V1_BODY, V5_TAIL,
    AT(64, U8, IN_ENCAPS), AT(65, U8, OUT_ENCAPS), AT(68, U32, PEER_NEXTHOP)};
static const struct field f_v7[] = {HEAD(8, 12), V1_BODY, V5_TAIL, AT(64, U32, ROUTER_SC)};
static const struct field f_v1005[] = {
    AT(0, U32, UNIX_SECS), AT(4, U32, UNIX_NSECS), AT(8, U32, SYSUPTIME),
    AT(12, EXADDR, EXADDR), V1_BODY, V5_TAIL,
    AT(64, TAG, SRC_TAG), AT(68, TAG, DST_TAG)};
static const struct field f_v8_1[] = {
    HEAD(8, 12), V8_COUNTS, AT(36, U16, SRC_AS), AT(38, U16, DST_AS),
    AT(40, U16, INPUT), AT(42, U16, OUTPUT), AT(44, U8, ENGINE_TYPE),
    AT(45, U8, ENGINE_ID)};
static const struct field f_v8_2[] = {
    HEAD(8, 12), V8_COUNTS, AT(36, U8, PROT), AT(40, U16, SRCPORT),
    AT(42, U16, DSTPORT), AT(44, U8, ENGINE_TYPE), AT(45, U8, ENGINE_ID)};
static const struct field f_v8_3[] = {
    HEAD(12, 8), V8_COUNTS, AT(36, U32, SRCADDR), AT(40, U8, SRC_MASK),
    AT(42, U16, SRC_AS), AT(44, U16, INPUT), AT(46, U8, ENGINE_TYPE),
    AT(47, U8, ENGINE_ID)};
static const struct field f_v8_4[] = {
    HEAD(8, 12), V8_COUNTS, AT(36, U32, DSTADDR), AT(40, U8, DST_MASK),
    AT(42, U8, ENGINE_TYPE), AT(43, U8, ENGINE_ID), AT(44, U16, DST_AS),
    AT(46, U16, OUTPUT)};
static const struct field f_v8_5[] = {
    HEAD(8, 12), V8_COUNTS, AT(36, U32, SRCADDR), AT(40, U32, DSTADDR),
    AT(44, U8, DST_MASK), AT(45, U8, SRC_MASK), AT(46, U8, ENGINE_TYPE),
    AT(47, U8, ENGINE_ID), AT(48, U16, SRC_AS), AT(50, U16, DST_AS),
    AT(52, U16, INPUT), AT(54, U16, OUTPUT)};
static const struct field f_v8_6[] = {
    HEAD(8, 12), V8_CAT_COUNTS, AT(32, U32, DSTADDR), AT(36, U32, EXTRA_PKTS),
    AT(40, U32, ROUTER_SC), AT(44, U16, OUTPUT), AT(48, U8, TOS),
    AT(49, U8, MARKED_TOS), AT(50, U8, ENGINE_TYPE), AT(51, U8, ENGINE_ID)};
static const struct field f_v8_7[] = {
    HEAD(8, 12), V8_CAT_COUNTS, AT(32, U32, DSTADDR), AT(36, U32, SRCADDR),
    AT(40, U32, EXTRA_PKTS), AT(44, U32, ROUTER_SC), AT(48, U16, OUTPUT),
    AT(50, U16, INPUT), AT(52, U8, TOS), AT(53, U8, MARKED_TOS),
    AT(54, U8, ENGINE_TYPE), AT(55, U8, ENGINE_ID)};
static const struct field f_v8_8[] = {
    HEAD(8, 12), V8_CAT_COUNTS, AT(32, U32, DSTADDR), AT(36, U32, SRCADDR),
    AT(40, U32, EXTRA_PKTS), AT(44, U32, ROUTER_SC), AT(48, U16, DSTPORT),
    AT(50, U16, SRCPORT), AT(52, U16, OUTPUT), AT(54, U16, INPUT),
    AT(56, U8, TOS), AT(57, U8, MARKED_TOS), AT(58, U8, ENGINE_TYPE),
    AT(59, U8, ENGINE_ID), AT(60, U8, PROT)};
static const struct field f_v8_9[] = {
    HEAD(8, 12), V8_COUNTS, AT(36, U16, SRC_AS), AT(38, U16, DST_AS),
    AT(40, U16, INPUT), AT(42, U16, OUTPUT), AT(44, U8, ENGINE_TYPE),
    AT(45, U8, ENGINE_ID), AT(46, U8, TOS)};
/* The original's v8.10 mask omits input/output although the record holds
 * them; the mask stays as the original's, the values are still carried. */
static const struct field f_v8_10[] = {
    HEAD(8, 12), V8_COUNTS, AT(36, U16, SRCPORT), AT(38, U16, DSTPORT),
    AT(40, U16, INPUT), AT(42, U16, OUTPUT), AT(44, U8, ENGINE_TYPE),
    AT(45, U8, ENGINE_ID), AT(46, U8, PROT), AT(47, U8, TOS)};
static const struct field f_v8_11[] = {
    HEAD(12, 8), V8_COUNTS, AT(36, U32, SRCADDR), AT(40, U8, SRC_MASK),
    AT(41, U8, TOS), AT(42, U16, SRC_AS), AT(44, U16, INPUT),
    AT(46, U8, ENGINE_TYPE), AT(47, U8, ENGINE_ID)};
static const struct field f_v8_12[] = {
    HEAD(12, 8), V8_COUNTS, AT(36, U32, DSTADDR), AT(40, U16, OUTPUT),
    AT(42, U16_LE, DST_AS), AT(44, U8, DST_MASK), AT(45, U8, TOS),
    AT(46, U8, ENGINE_TYPE), AT(47, U8, ENGINE_ID)};
static const struct field f_v8_13[] = {
    HEAD(8, 12), V8_COUNTS, AT(36, U32, SRCADDR), AT(40, U32, DSTADDR),
    AT(44, U16, SRC_AS), AT(46, U16, DST_AS), AT(48, U16, INPUT),
    AT(50, U16, OUTPUT), AT(52, U8, DST_MASK), AT(53, U8, SRC_MASK),
    AT(54, U8, ENGINE_TYPE), AT(55, U8, ENGINE_ID), AT(56, U8, TOS)};
static const struct field f_v8_14[] = {
    HEAD(8, 12), V8_COUNTS, AT(36, U32, SRCADDR), AT(40, U32, DSTADDR),
    AT(44, U16, SRCPORT), AT(46, U16, DSTPORT), AT(48, U16, INPUT),
    AT(50, U16, OUTPUT), AT(52, U8, DST_MASK), AT(53, U8, SRC_MASK),
    AT(54, U8, ENGINE_TYPE), AT(55, U8, ENGINE_ID), AT(56, U8, TOS),
    AT(57, U8, PROT)};

#define V5_MASK 0x000000000FFF37EFULL

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
    {FT_DV_EXTENDED, 0, 0, FT_EXT_SIZE, FT_EXT_MASK, "extended"},
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

/* ---- the flow as a record sees it -------------------------------------- */

#define RAW_TIMES (FT_F_UNIX_SECS | FT_F_SYSUPTIME | FT_F_FIRST | FT_F_LAST)

/*
 * A flow with absolute times only (IPFIX, sensor) gets export fields made
 * up in *t so that ft_flow_set_times() gives start_ms/end_ms back: exported
 * at the later of the two, sysUpTime = the duration, and the earlier stamp
 * at uptime 0, so that even the original (which has no wrap handling) reads
 * the same times.
 */
static unsigned synthesize_times(const struct ft_flow *f, struct ft_flow *t)
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

/*
 * What a record stores of f: f itself, or, when its export-time fields have
 * to be made up, a copy of f in *copy that has them.  The copy is made only
 * then, so the common case costs one test.
 */
static inline const struct ft_flow *record_view(const struct ft_flow *f, struct ft_flow *copy,
                                                unsigned *loss)
{
    bool synth = (f->has & FT_F_TIMES) &&
        ((f->has & FT_F_ABS_TIMES) || (f->has & RAW_TIMES) != RAW_TIMES);
    if (!synth)
        return f;
    *copy = *f;
    *loss |= synthesize_times(f, copy);
    return copy;
}

/* ---- fields a record has no room for -------------------------------------- */

/* ftkit-only facts that a flow-tools record cannot hold.  Transport
 * bookkeeping (FT_F_EXPORT_INFO) and derived bits are not counted. */
#define FT_F_FTKIT_LOSSY (FT_F_BGP_NEXTHOP | FT_F_SOURCE_ID | FT_F_SAMPLING | \
    FT_F_SAMPLER_ID | FT_F_SRC_VLAN | FT_F_DST_VLAN | FT_F_DIRECTION | FT_F_FLOW_LABEL | \
    FT_F_ICMP | FT_F_TIMES)

/* flow-tools keeps ICMP type/code in the destination port */
static inline bool icmp_in_port(const struct ft_flow *f, uint64_t mask)
{
    return (mask & FT_F_DSTPORT) &&
        f->dstport == (uint16_t)(f->icmp_type << 8 | f->icmp_code);
}

/* Is a value of field `id` (non-zero: `nonzero`) lost in a record of `mask`
 * that has no room for it?  With a constant id it folds to one test. */
static inline bool value_lost(unsigned id, bool nonzero, const struct ft_flow *f,
                              uint64_t mask)
{
    switch (id) {
    case FT_FLD_DFLOWS: return f->dflows > 1;  /* a record without dFlows is one flow */
    case FT_FLD_START_MS:
    case FT_FLD_END_MS: return false;          /* the record's times give them back */
    case FT_FLD_ICMP_TYPE:
    case FT_FLD_ICMP_CODE: return nonzero && !icmp_in_port(f, mask);
    default: return nonzero;
    }
}

/* Does a member hold a value?  Integers inline; addresses through their row. */
#define NONZERO_IP(f, ID, m) ft_field_is_set(f, &ft_fields[FT_FLD_##ID])
#define NONZERO_U8(f, ID, m) ((f)->m != 0)
#define NONZERO_U16(f, ID, m) ((f)->m != 0)
#define NONZERO_U32(f, ID, m) ((f)->m != 0)
#define NONZERO_U64(f, ID, m) ((f)->m != 0)

/* One row of FT_FIELDS, expanded at build time: the has bit is a constant,
 * so rows outside `group` disappear and the rest are one test each. */
#define LOST_IN_(group, ID, member, type, kind, has, ...) \
    if (((has) & (group)) && (extra & (has)) && \
        value_lost(FT_FLD_##ID, NONZERO_##type(f, ID, member), f, mask)) \
        return FT_LOSS_FIELDS;
#define LOST_FLOWTOOLS_(...) LOST_IN_(FT_F_FLOWTOOLS, __VA_ARGS__)
#define LOST_FTKIT_(...) LOST_IN_(FT_F_FTKIT_LOSSY, __VA_ARGS__)
#define LOST_TIMES_(...) LOST_IN_(FT_F_TIMES, __VA_ARGS__)

/* FT_LOSS_FIELDS if f carries information a record of `mask` has no room for. */
static inline __attribute__((always_inline))
unsigned lost_fields(const struct ft_flow *f, uint64_t mask)
{
    uint64_t extra = f->has & ~mask;
    if (extra & FT_F_FLOWTOOLS) {
        FT_FIELDS(LOST_FLOWTOOLS_)
    }
    /* Every decoded flow has its times: the rows of that bit alone first */
    if ((extra & FT_F_FTKIT_LOSSY) == FT_F_TIMES) {
        FT_FIELDS(LOST_TIMES_)
    } else if (extra & FT_F_FTKIT_LOSSY) {
        FT_FIELDS(LOST_FTKIT_)
    }
    return 0;
}

/* ---- generic codec ------------------------------------------------------ */

/* `ft`: the flow-tools big-endian layout (only ever set with `big`). */
static inline __attribute__((always_inline))
uint32_t load_field(const uint8_t *rec, const struct field *fl, int big, int ft)
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

static inline __attribute__((always_inline))
void store_field(uint8_t *rec, const struct field *fl, uint64_t v, int big, int ft,
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
        if (ft_fields[fl->id].kind == FT_K_AS)
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

/* A record's value into the member of row d: record addresses are IPv4. */
static inline void put_member(struct ft_flow *f, const struct ft_field *d, uint32_t v)
{
    if (d->type == FT_T_IP)
        ft_ip_set4(ft_field_ptr(f, d), v);
    else
        ft_field_put(f, d, v);
}

/* The value a record stores for the member of row d. */
static inline uint64_t member_value(const struct ft_flow *f, const struct ft_field *d,
                                    unsigned *loss)
{
    if (d->type == FT_T_IP)
        return v4_of(ft_field_cptr(f, d), loss);
    if (d->id == FT_FLD_DFLOWS && !(f->has & FT_F_DFLOWS))
        return 1;               /* a flow without dFlows is one flow */
    return ft_field_get(f, d);
}

static inline __attribute__((always_inline))
void decode_generic(const struct ft_format *fmt, const struct layout *lay, int big, int ft,
                    const uint8_t *rec, struct ft_flow *f)
{
    memset(f, 0, sizeof(*f));
    for (unsigned i = 0; i < lay->n; i++) {
        const struct field *fl = &lay->fields[i];
        put_member(f, &ft_fields[fl->id], load_field(rec, fl, big, ft));
    }
    f->has = fmt->mask | FT_F_TIMES;
    f->export_version = (uint8_t)export_version_of(fmt->d_version);
    ft_flow_set_times(f);
}

static inline __attribute__((always_inline))
unsigned encode_generic(const struct ft_format *fmt, const struct layout *lay, int big, int ft,
                        const struct ft_flow *f, uint8_t *out)
{
    struct ft_flow copy;
    unsigned loss = 0;
    const struct ft_flow *rf = record_view(f, &copy, &loss);
    memset(out, 0, fmt->rec_size);
    for (unsigned i = 0; i < lay->n; i++) {
        const struct field *fl = &lay->fields[i];
        store_field(out, fl, member_value(rf, &ft_fields[fl->id], &loss), big, ft, &loss);
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
    struct ft_flow copy;
    unsigned loss = 0;
    const struct ft_flow *t = record_view(f, &copy, &loss);
    ft_st32(r, t->unix_secs, big);
    ft_st32(r + 4, t->unix_nsecs, big);
    ft_st32(r + 8, t->sysuptime, big);
    ft_st32(r + 12, v4_of(&f->exaddr, &loss), big);
    ft_st32(r + 16, v4_of(&f->srcaddr, &loss), big);
    ft_st32(r + 20, v4_of(&f->dstaddr, &loss), big);
    ft_st32(r + 24, v4_of(&f->nexthop, &loss), big);
    ft_st16(r + 28, sat16(f->input, &loss), big);
    ft_st16(r + 30, sat16(f->output, &loss), big);
    ft_st32(r + 32, sat32(f->dpkts, &loss), big);
    ft_st32(r + 36, sat32(f->doctets, &loss), big);
    ft_st32(r + 40, t->first, big);
    ft_st32(r + 44, t->last, big);
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
        ft_ext_decode(rec, big, f);
    } else if (big) {
        decode_generic(fmt, layout_of(fmt), 1, order == FT_ORDER_BIG_FLOWTOOLS, rec, f);
    } else {
        decode_generic(fmt, layout_of(fmt), 0, 0, rec, f);
    }
}

unsigned ft_rec_encode(const struct ft_format *fmt, int order, const struct ft_flow *f,
                       uint8_t *out)
{
    int big = order_big(order);
    if (fmt->d_version == 5)
        return big ? encode_v5(f, out, 1) : encode_v5(f, out, 0);
    if (fmt->d_version == FT_DV_EXTENDED) {
        ft_ext_encode(f, big, out);
        return 0;
    }
    if (big)
        return encode_generic(fmt, layout_of(fmt), 1, order == FT_ORDER_BIG_FLOWTOOLS, f, out);
    return encode_generic(fmt, layout_of(fmt), 0, 0, f, out);
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
        ft_ext_swap(rec);
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

/* ---- which bytes hold which fields (column blocks) -------------------- */

static unsigned kind_width(unsigned kind)
{
    return kind == K_U8 ? 1 : kind == K_U16 || kind == K_U16_LE ? 2 : 4;
}

void ft_format_columns(const struct ft_format *fmt, uint64_t fields, uint8_t *cols)
{
    const struct layout *lay = layout_of(fmt);
    size_t bytes = ((size_t)fmt->rec_size + 7) / 8;
    memset(cols, lay->n ? 0 : 0xFF, bytes);
    for (unsigned i = 0; i < lay->n; i++) {
        const struct field *fl = &lay->fields[i];
        if (!(ft_fields[fl->id].has & fields))
            continue;
        for (unsigned j = fl->off; j < fl->off + kind_width(fl->kind); j++)
            cols[j / 8] |= (uint8_t)(1u << (j % 8));
    }
}

int ft_format_bounds(const struct ft_format *fmt, uint8_t *bounds)
{
    const struct layout *lay = layout_of(fmt);
    memset(bounds, 0, ((size_t)fmt->rec_size + 8) / 8);
    for (unsigned i = 0; i < lay->n; i++) {
        unsigned a = lay->fields[i].off, b = a + kind_width(lay->fields[i].kind);
        bounds[a / 8] |= (uint8_t)(1u << (a % 8));
        bounds[b / 8] |= (uint8_t)(1u << (b % 8));
    }
    return lay->n ? 1 : 0;
}
