/*
 * ft_pdu_v9.c - NetFlow v9 (RFC 3954) and IPFIX (RFC 7011) datagrams.
 *
 * A datagram is walked twice.  The first walk checks the set framing and
 * parses every template without keeping it: any structural fault drops the
 * whole datagram, so a broken datagram never half-changes the template
 * store.  The second walk learns templates and decodes data sets in order
 * (data ahead of its template in the same datagram stays unknown, as in any
 * streaming collector).
 */
#include <stdlib.h>
#include <string.h>
#include "core/ft_rd.h"
#include "pdu/ft_pdu_ctx.h"
#include "pdu/ft_pdu_v9.h"

#define V9_HDR 20
#define IPFIX_HDR 16
#define NTP_UNIX_OFFSET 2208988800u     /* seconds from 1900 to 1970 */

/* Everything a data record needs from its datagram. */
struct dg {
    struct ft_pdu_ctx *ctx;
    const struct ft_pdu_src *src;
    struct ft_pdu_exporter_state *e;
    struct ft_pdu_info *info;
    unsigned version;
    uint32_t sysuptime, unix_secs, sequence, source_id;
    uint32_t records;           /* data records decoded (IPFIX sequence) */
    int incomplete;             /* a data set was skipped: the record count is a guess */
};

/* ---- templates ---------------------------------------------------------- */

static int rest_is_zero(const struct ft_rd *r)
{
    for (size_t i = r->off; i < r->len; i++)
        if (r->p[i])
            return 0;
    return 1;
}

/* Reads n field specifiers into t (allocated); -1 if they run past the set. */
static int read_fields(struct ft_rd *r, unsigned version, struct tmpl *t, uint16_t n)
{
    if (n == 0 || n > FT_TMPL_MAX_FIELDS)
        return -1;
    t->f = calloc(n, sizeof *t->f);
    if (!t->f)
        return -1;
    t->n_fields = n;
    for (uint16_t i = 0; i < n; i++) {
        uint16_t type = rd_u16(r), len = rd_u16(r);
        uint32_t pen = 0;
        if (version == 10 && (type & 0x8000)) {
            type &= 0x7FFF;
            pen = rd_u32(r);
        }
        t->f[i] = (struct tmpl_field){type, len, pen};
    }
    return r->bad ? -1 : 0;
}

enum tmpl_kind { TK_DATA, TK_OPTIONS_V9, TK_OPTIONS_IPFIX };

/*
 * Parse one template record.  Returns 1 with *t filled (caller owns t->f),
 * 2 for a withdrawal (t->id set, t->f NULL), 0 at padding (end of set), -1
 * malformed (*why set).
 */
static int parse_template(struct ft_rd *r, unsigned version, enum tmpl_kind kind,
                          struct tmpl *t, enum ft_pdu_reason *why)
{
    memset(t, 0, sizeof *t);
    size_t min = kind == TK_OPTIONS_V9 ? 6 : 4;
    if (rd_left(r) < min || rest_is_zero(r))
        return 0;       /* padding */
    *why = kind == TK_DATA ? FT_PDU_TEMPLATE : FT_PDU_OPTIONS_TEMPLATE;
    t->id = rd_u16(r);
    t->options = kind != TK_DATA;
    if (kind == TK_OPTIONS_V9) {
        uint16_t scope_len = rd_u16(r), opt_len = rd_u16(r);
        if (t->id < 256 || scope_len % 4 || opt_len % 4 || scope_len + opt_len == 0)
            return -1;
        t->n_scope = scope_len / 4;
        if (read_fields(r, version, t, (uint16_t)((scope_len + opt_len) / 4)) < 0)
            return -1;
    } else {
        uint16_t count = rd_u16(r);
        if (count == 0) {
            /* withdrawal; IPFIX ids 2 and 3 withdraw all of their kind */
            int all = version == 10 && t->id == (kind == TK_DATA ? 2 : 3);
            return t->id >= 256 || all ? 2 : -1;
        }
        if (t->id < 256)
            return -1;
        if (kind == TK_OPTIONS_IPFIX) {
            t->n_scope = rd_u16(r);
            if (t->n_scope == 0 || t->n_scope > count)
                return -1;
        }
        if (read_fields(r, version, t, count) < 0)
            return -1;
    }
    if (ft_tmpl_finish(t, version) < 0)
        return -1;
    return 1;
}

static void decode_pending(struct dg *d, uint16_t id);

/* Walk one template set; learn its templates when `learn`. */
static int template_set(struct dg *d, struct ft_rd *set, enum tmpl_kind kind, int learn,
                        enum ft_pdu_reason *why)
{
    for (;;) {
        struct tmpl t;
        int rc = parse_template(set, d->version, kind, &t, why);
        if (rc <= 0) {
            free(t.f);
            return rc;
        }
        if (!learn) {
            free(t.f);
            continue;
        }
        if (rc == 2) {
            if (t.id < 256)
                ft_tmpl_withdraw_all(d->ctx, d->e, kind != TK_DATA);
            else
                ft_tmpl_withdraw(d->ctx, d->e, t.id);
            continue;
        }
        t.learned_ms = d->src->recv_ms;
        if (ft_tmpl_put(d->ctx, d->e, &t) < 0) {
            free(t.f);
            d->ctx->st.by_reason[FT_PDU_TEMPLATE_LIMIT]++;
            d->info->reason = FT_PDU_TEMPLATE_LIMIT;
            continue;
        }
        decode_pending(d, t.id);
    }
}

/* ---- field values ------------------------------------------------------- */

/* Addresses seen in a record, both families, resolved at its end. */
struct addr_pair {
    struct ft_ip v4, v6;
};
struct rec_state {
    struct addr_pair src, dst, hop, bgp;
    int have_up_first, have_up_last, have_abs_first, have_abs_last;
    uint32_t up_first, up_last;
    uint64_t abs_first_ns, abs_last_ns;    /* ns since 1970 */
    uint64_t sys_init_ms;
    /* options data */
    int has_sampler;
    uint32_t sampler;
    uint32_t interval, pkt_interval, pkt_space, size, population;
    int has_algorithm;
    uint8_t algorithm;
    int seen_interval;          /* IE 34 read (first occurrence wins) */
};

static uint64_t ntp_to_ns(const uint8_t *p)
{
    uint64_t secs = ft_ld32(p, 1), frac = ft_ld32(p + 4, 1);
    if (secs < NTP_UNIX_OFFSET)
        return 0;
    return (secs - NTP_UNIX_OFFSET) * 1000000000u + ((frac * 1000000000u) >> 32);
}

static void take_addr(struct ft_ip *slot, const uint8_t *p, uint16_t len)
{
    if (slot->af != FT_AF_NONE)
        return;         /* first occurrence wins */
    if (len == 4)
        ft_ip_set4(slot, ft_ld32(p, 1));
    else if (len == 16) {
        slot->af = FT_AF_INET6;
        memcpy(slot->v6, p, 16);
    }
}

/* Set a numeric member once (first occurrence wins) with its has bit. */
#define TAKE(f, bit, member, value) do { \
    if (!((f)->has & (bit))) { (f)->member = (value); (f)->has |= (bit); } } while (0)

/* Elements with a place in struct ft_flow.  Returns 0 if not one of them. */
static int flow_field(struct ft_flow *f, struct rec_state *s, uint16_t type,
                      const uint8_t *p, uint16_t len)
{
    int is_addr = type == 8 || type == 12 || type == 15 || type == 18 || type == 27 ||
                  type == 28 || type == 62 || type == 63;
    if (len > 8 && !is_addr)
        return 1;       /* no numeric member is wider than 64 bits: ignored */
    uint64_t v = ft_ldn(p, len, 1);
    switch (type) {
    case 1: TAKE(f, FT_F_DOCTETS, doctets, v); break;
    case 2: TAKE(f, FT_F_DPKTS, dpkts, v); break;
    case 3: TAKE(f, FT_F_DFLOWS, dflows, (uint32_t)v); break;
    case 4: TAKE(f, FT_F_PROT, prot, (uint8_t)v); break;
    case 5: TAKE(f, FT_F_TOS, tos, (uint8_t)v); break;
    case 6: TAKE(f, FT_F_TCP_FLAGS, tcp_flags, (uint8_t)v); break;
    case 7: TAKE(f, FT_F_SRCPORT, srcport, (uint16_t)v); break;
    case 11: TAKE(f, FT_F_DSTPORT, dstport, (uint16_t)v); break;
    case 9: case 29: TAKE(f, FT_F_SRC_MASK, src_mask, (uint8_t)v); break;
    case 13: case 30: TAKE(f, FT_F_DST_MASK, dst_mask, (uint8_t)v); break;
    case 10: TAKE(f, FT_F_INPUT, input, (uint32_t)v); break;
    case 14: TAKE(f, FT_F_OUTPUT, output, (uint32_t)v); break;
    case 16: TAKE(f, FT_F_SRC_AS, src_as, (uint32_t)v); break;
    case 17: TAKE(f, FT_F_DST_AS, dst_as, (uint32_t)v); break;
    case 8: take_addr(&s->src.v4, p, len); break;
    case 27: take_addr(&s->src.v6, p, len); break;
    case 12: take_addr(&s->dst.v4, p, len); break;
    case 28: take_addr(&s->dst.v6, p, len); break;
    case 15: take_addr(&s->hop.v4, p, len); break;
    case 62: take_addr(&s->hop.v6, p, len); break;
    case 18: take_addr(&s->bgp.v4, p, len); break;
    case 63: take_addr(&s->bgp.v6, p, len); break;
    case 31: TAKE(f, FT_F_FLOW_LABEL, flow_label, (uint32_t)v & 0xFFFFF); break;
    case 32: case 139:   /* icmpTypeCode: type in the high byte */
        if (!(f->has & FT_F_ICMP)) {
            f->icmp_type = (uint8_t)(v >> 8);
            f->icmp_code = (uint8_t)v;
            f->has |= FT_F_ICMP;
        }
        break;
    case 176: case 178: f->icmp_type = (uint8_t)v; f->has |= FT_F_ICMP; break;
    case 177: case 179: f->icmp_code = (uint8_t)v; f->has |= FT_F_ICMP; break;
    /* interval and algorithm share one has bit: either may come first */
    case 34:
        if (!s->seen_interval) {
            f->sampling_interval = (uint32_t)v;
            f->has |= FT_F_SAMPLING;
            s->seen_interval = 1;
        }
        break;
    case 35: f->sampling_algorithm = (uint8_t)v; f->has |= FT_F_SAMPLING; break;
    case 38: TAKE(f, FT_F_ENGINE_TYPE, engine_type, (uint8_t)v); break;
    case 39: TAKE(f, FT_F_ENGINE_ID, engine_id, (uint8_t)v); break;
    case 48: TAKE(f, FT_F_SAMPLER_ID, sampler_id, (uint32_t)v); break;
    case 58: case 243: TAKE(f, FT_F_SRC_VLAN, src_vlan, (uint16_t)v & 0xFFF); break;
    case 59: case 254: TAKE(f, FT_F_DST_VLAN, dst_vlan, (uint16_t)v & 0xFFF); break;
    case 60: TAKE(f, FT_F_IP_VERSION, ip_version, (uint8_t)v); break;
    case 61: TAKE(f, FT_F_DIRECTION, direction, (uint8_t)v); break;
    default: return 0;
    }
    return 1;
}

/* Time elements; also the options elements that teach sampling. */
static void time_or_option_field(struct dg *d, struct rec_state *s, uint16_t type,
                                 const uint8_t *p, uint16_t len)
{
    uint64_t v = len <= 8 ? ft_ldn(p, len, 1) : 0;
    switch (type) {
    case 22: if (!s->have_up_first) { s->up_first = (uint32_t)v; s->have_up_first = 1; } break;
    case 21: if (!s->have_up_last) { s->up_last = (uint32_t)v; s->have_up_last = 1; } break;
    case 150: case 152: case 154: case 156: case 158:
    case 151: case 153: case 155: case 157: case 159: {
        int start = type % 2 == 0;
        uint64_t ns;
        if (type <= 151)
            ns = v * 1000000000u;
        else if (type <= 153)
            ns = v * 1000000u;
        else if (type <= 157)
            ns = len == 8 ? ntp_to_ns(p) : 0;
        else            /* flowStart/EndDeltaMicroseconds: before the export time */
            ns = (uint64_t)d->unix_secs * 1000000000u - v * 1000u;
        int *have = start ? &s->have_abs_first : &s->have_abs_last;
        if (!*have && (len <= 8)) {
            *have = 1;
            *(start ? &s->abs_first_ns : &s->abs_last_ns) = ns;
        }
        break;
    }
    case 160: s->sys_init_ms = v; break;
    case 50: s->interval = (uint32_t)v; break;          /* samplerRandomInterval */
    case 49: s->algorithm = (uint8_t)v; s->has_algorithm = 1; break;   /* samplerMode */
    case 302: if (!s->has_sampler) { s->sampler = (uint32_t)v; s->has_sampler = 1; } break;
    case 304:   /* selectorAlgorithm (RFC 5477): count-based is deterministic */
        s->algorithm = v == 3 || v == 4 ? 2 : v == 1 || v == 2 ? 1 : (uint8_t)v;
        s->has_algorithm = 1;
        break;
    case 305: s->pkt_interval = (uint32_t)v; break;
    case 306: s->pkt_space = (uint32_t)v; break;
    case 309: s->size = (uint32_t)v; break;
    case 310: s->population = (uint32_t)v; break;
    default: break;
    }
}

/* ---- records ------------------------------------------------------------ */

/* tshark's rule for a record with both IPv4 and IPv6 forms of an address. */
static void resolve_addr(struct ft_flow *f, struct ft_ip *out, uint64_t bit,
                         const struct addr_pair *a)
{
    const struct ft_ip *pick = NULL;
    int z4 = a->v4.af && a->v4.v4 == 0;
    int z6 = 1;
    for (int i = 0; a->v6.af && i < 16; i++)
        z6 &= a->v6.v6[i] == 0;
    if (a->v4.af && a->v6.af) {
        if ((f->has & FT_F_IP_VERSION) && (f->ip_version == 6 || f->ip_version == 4))
            pick = f->ip_version == 6 ? &a->v6 : &a->v4;
        else
            pick = z4 && !z6 ? &a->v6 : &a->v4;
    } else {
        pick = a->v4.af ? &a->v4 : a->v6.af ? &a->v6 : NULL;
    }
    if (pick) {
        *out = *pick;
        if (bit)
            f->has |= bit;
    }
}

static void set_abs_times(struct ft_flow *f, const struct rec_state *s)
{
    uint64_t first = s->have_abs_first ? s->abs_first_ns : s->abs_last_ns;
    uint64_t last = s->have_abs_last ? s->abs_last_ns : s->abs_first_ns;
    f->start_ms = first / 1000000u;
    f->start_ns = (uint32_t)(first % 1000000u);
    f->end_ms = last / 1000000u;
    f->end_ns = (uint32_t)(last % 1000000u);
    f->has |= FT_F_ABS_TIMES | FT_F_TIMES;
}

static void set_times(const struct dg *d, struct ft_flow *f, const struct rec_state *s)
{
    if (s->have_up_first || s->have_up_last) {
        f->first = s->have_up_first ? s->up_first : s->up_last;
        f->last = s->have_up_last ? s->up_last : s->up_first;
        f->has |= (s->have_up_first ? FT_F_FIRST : 0) | (s->have_up_last ? FT_F_LAST : 0);
        if (d->version == 9) {
            ft_flow_set_times(f);
        } else {
            uint64_t init = s->sys_init_ms ? s->sys_init_ms : d->e->sys_init_ms;
            if (init) {
                f->start_ms = init + f->first;
                f->end_ms = init + f->last;
                f->has |= FT_F_TIMES;
            }
        }
    } else if (s->have_abs_first || s->have_abs_last) {
        set_abs_times(f, s);
        if (d->version == 9) {
            /* keep uptime stamps too, for the uptime-based record formats */
            uint64_t export_ms = (uint64_t)d->unix_secs * 1000u;
            f->first = d->sysuptime - (uint32_t)(export_ms - f->start_ms);
            f->last = d->sysuptime - (uint32_t)(export_ms - f->end_ms);
            f->has |= FT_F_FIRST | FT_F_LAST;
        }
    }
}

static void set_sampling(const struct ft_pdu_exporter_state *e, struct ft_flow *f)
{
    if (f->has & FT_F_SAMPLING)
        return;
    if (f->has & FT_F_SAMPLER_ID) {
        for (uint32_t i = 0; i < e->n_samplers; i++) {
            if (e->samplers[i].id == f->sampler_id) {
                f->sampling_interval = e->samplers[i].interval;
                f->sampling_algorithm = e->samplers[i].algorithm;
                f->has |= FT_F_SAMPLING;
                return;
            }
        }
    }
    if (e->sampling_interval) {
        f->sampling_interval = e->sampling_interval;
        f->sampling_algorithm = e->sampling_algorithm;
        f->has |= FT_F_SAMPLING;
    }
}

static void header_flow(const struct dg *d, uint16_t template_id, struct ft_flow *f)
{
    f->has = FT_F_UNIX_SECS | FT_F_EXADDR | FT_F_EXPORT_INFO | FT_F_SOURCE_ID;
    if (d->version == 9) {
        f->has |= FT_F_SYSUPTIME;
        f->sysuptime = d->sysuptime;
    }
    f->unix_secs = d->unix_secs;
    f->exaddr = d->src->addr;
    f->exporter_port = d->src->port;
    f->export_version = (uint8_t)d->version;
    f->sequence = d->sequence;
    f->source_id = d->source_id;
    f->template_id = template_id;
}

static void finish_flow(const struct dg *d, struct ft_flow *f, struct rec_state *s)
{
    resolve_addr(f, &f->srcaddr, FT_F_SRCADDR, &s->src);
    resolve_addr(f, &f->dstaddr, FT_F_DSTADDR, &s->dst);
    resolve_addr(f, &f->nexthop, FT_F_NEXTHOP, &s->hop);
    resolve_addr(f, &f->bgp_nexthop, FT_F_BGP_NEXTHOP, &s->bgp);
    if (!(f->has & FT_F_IP_VERSION))
        f->ip_version = f->srcaddr.af == FT_AF_INET6 || f->dstaddr.af == FT_AF_INET6 ? 6
                      : f->srcaddr.af == FT_AF_INET || f->dstaddr.af == FT_AF_INET ? 4 : 0;
    set_times(d, f, s);
    set_sampling(d->e, f);
}

/* What an options data record teaches about its exporter. */
static void learn_options(struct ft_pdu_ctx *ctx, struct ft_pdu_exporter_state *e,
                          const struct rec_state *s, const struct ft_flow *f)
{
    if (s->sys_init_ms)
        e->sys_init_ms = s->sys_init_ms;
    uint32_t interval = s->seen_interval ? f->sampling_interval : 0;
    if (!interval)
        interval = s->interval;
    if (!interval && s->pkt_interval)
        interval = (uint32_t)(((uint64_t)s->pkt_interval + s->pkt_space) / s->pkt_interval);
    if (!interval && s->size)
        interval = s->population / s->size;
    if (!interval)
        return;         /* never learn a rate of 0 */
    uint8_t algorithm = s->has_algorithm ? s->algorithm : f->sampling_algorithm;
    int has_id = (f->has & FT_F_SAMPLER_ID) || s->has_sampler;
    uint32_t id = f->has & FT_F_SAMPLER_ID ? f->sampler_id : s->sampler;
    if (!has_id) {
        e->sampling_interval = interval;
        e->sampling_algorithm = algorithm;
        return;
    }
    uint32_t i = 0;
    while (i < e->n_samplers && e->samplers[i].id != id)
        i++;
    if (i == e->n_samplers) {
        if (e->n_samplers == FT_PDU_MAX_SAMPLERS) {
            i = FT_PDU_MAX_SAMPLERS - 1;        /* full: the newest replaces the last */
            ctx->st.samplers_replaced++;
        } else {
            e->n_samplers++;
        }
    }
    e->samplers[i] = (struct sampler){id, interval, algorithm};
}

/*
 * Length of the record at the reader's position: fixed templates have
 * min_len; variable fields carry a 1-byte length, or 255 and a 2-byte one.
 * 0 if the record runs past the set.
 */
static size_t record_len(const struct tmpl *t, const struct ft_rd *set)
{
    if (!t->variable)
        return t->min_len <= rd_left(set) ? t->min_len : 0;
    struct ft_rd r = *set;
    size_t start = r.off;
    for (uint16_t i = 0; i < t->n_fields; i++) {
        size_t len = t->f[i].len;
        if (len == FT_VARLEN) {
            len = rd_u8(&r);
            if (len == 255)
                len = rd_u16(&r);
        }
        if (!rd_take(&r, len))
            return 0;
    }
    return r.bad ? 0 : r.off - start;
}

/* Decode one record (exactly rec->len bytes) into *f and *s. */
static void decode_record(struct dg *d, const struct tmpl *t, struct ft_rd *rec,
                          struct ft_flow *f, struct rec_state *s)
{
    for (uint16_t i = 0; i < t->n_fields; i++) {
        size_t len = t->f[i].len;
        if (len == FT_VARLEN) {
            len = rd_u8(rec);
            if (len == 255)
                len = rd_u16(rec);
        }
        const uint8_t *p = rd_take(rec, len);
        if (!p)
            return;     /* record_len() measured it: cannot happen */
        if (t->f[i].pen != 0 || (t->options && i < t->n_scope && t->f[i].type != 48 &&
                                 t->f[i].type != 302))
            continue;   /* enterprise elements; scope fields other than sampler ids */
        if (!flow_field(f, s, t->f[i].type, p, (uint16_t)len))
            time_or_option_field(d, s, t->f[i].type, p, (uint16_t)len);
    }
}

static void flow_record(struct dg *d, uint16_t id, const struct tmpl *t, struct ft_rd *rec,
                        struct ft_flow *f)
{
    struct rec_state s;
    memset(&s, 0, sizeof s);
    header_flow(d, id, f);
    decode_record(d, t, rec, f, &s);
    finish_flow(d, f, &s);
    d->e->flows++;
}

/* Records of one length, the common case: the set's slots are taken (and
 * zeroed) in one call.  What is left after the last record is padding. */
static void fixed_data_set(struct dg *d, struct ft_rd *set, uint16_t id, const struct tmpl *t)
{
    size_t records = rd_left(set) / t->min_len, n;
    struct ft_flow *f = ft_pdu_out_take(d->ctx, records, &n);
    d->records += records;
    for (size_t i = 0; i < n; i++) {
        struct ft_rd rec;
        rd_sub(set, t->min_len, &rec);
        flow_record(d, id, t, &rec, &f[i]);
    }
}

static void data_set(struct dg *d, struct ft_rd *set, uint16_t id, const struct tmpl *t)
{
    struct ft_pdu_ctx *ctx = d->ctx;
    if (!t->options && !t->variable && t->min_len > 0) {
        fixed_data_set(d, set, id, t);
        return;
    }
    for (;;) {
        if (rd_left(set) < t->min_len || rd_left(set) == 0)
            return;     /* the rest is padding */
        size_t n = record_len(t, set);
        if (n == 0) {
            ctx->st.by_reason[FT_PDU_RECORD]++;
            d->info->reason = FT_PDU_RECORD;
            return;
        }
        struct ft_rd rec;
        rd_sub(set, n, &rec);
        d->records++;
        if (t->options) {
            struct rec_state s;
            struct ft_flow tmp;
            memset(&s, 0, sizeof s);
            memset(&tmp, 0, sizeof tmp);
            decode_record(d, t, &rec, &tmp, &s);
            learn_options(ctx, d->e, &s, &tmp);
            d->info->options_records++;
            continue;
        }
        struct ft_flow *f = ft_pdu_out_next(ctx);
        if (!f)
            return;     /* past opts.max_flows, counted */
        flow_record(d, id, t, &rec, f);
    }
}

/* ---- data ahead of its template ----------------------------------------- */

static void pending_drop(struct ft_pdu_ctx *ctx, uint32_t i)
{
    free(ctx->pend[i].data);
    memmove(&ctx->pend[i], &ctx->pend[i + 1], (ctx->n_pend - i - 1) * sizeof *ctx->pend);
    ctx->n_pend--;
}

/* Held sets older than this are given up: their template is not coming. */
#define PENDING_MAX_AGE_MS 60000u

static void pending_expire(struct ft_pdu_ctx *ctx, uint64_t now_ms)
{
    for (uint32_t i = 0; i < ctx->n_pend;) {
        uint64_t t = ctx->pend[i].recv_ms;
        if (now_ms && t && now_ms > t && now_ms - t > PENDING_MAX_AGE_MS) {
            pending_drop(ctx, i);
            ctx->st.by_reason[FT_PDU_PENDING_LIMIT]++;
        } else {
            i++;
        }
    }
}

static void pending_hold(struct dg *d, uint16_t id, const struct ft_rd *set)
{
    struct ft_pdu_ctx *ctx = d->ctx;
    if (!ctx->opts.pending_sets)
        return;
    pending_expire(ctx, d->src->recv_ms);
    if (ctx->n_pend == ctx->opts.pending_sets) {
        pending_drop(ctx, 0);   /* the oldest makes room */
        ctx->st.by_reason[FT_PDU_PENDING_LIMIT]++;
    }
    size_t len = rd_left(set);
    uint8_t *copy = malloc(len ? len : 1);
    if (!copy)
        return;
    memcpy(copy, set->p + set->off, len);
    ctx->pend[ctx->n_pend++] = (struct pending){
        .exporter = (uint32_t)(d->e - ctx->exps), .template_id = id,
        .sequence = d->sequence, .sysuptime = d->sysuptime, .unix_secs = d->unix_secs,
        .recv_ms = d->src->recv_ms, .data = copy, .len = len};
    ctx->st.pending_held++;
}

/* A template just arrived: decode the sets that waited for it, oldest first. */
static void decode_pending(struct dg *d, uint16_t id)
{
    struct ft_pdu_ctx *ctx = d->ctx;
    uint32_t me = (uint32_t)(d->e - ctx->exps);
    pending_expire(ctx, d->src->recv_ms);
    for (uint32_t i = 0; i < ctx->n_pend;) {
        struct pending *p = &ctx->pend[i];
        if (p->exporter != me || p->template_id != id) {
            i++;
            continue;
        }
        const struct tmpl *t = ft_tmpl_find(ctx, d->e, id, d->src->recv_ms);
        if (!t)
            return;
        struct dg old = *d;
        old.sequence = p->sequence;
        old.sysuptime = p->sysuptime;
        old.unix_secs = p->unix_secs;
        size_t before = ctx->n_out;
        struct ft_rd set;
        rd_init(&set, p->data, p->len);
        data_set(&old, &set, id, t);
        d->info->pending_decoded += (uint32_t)(ctx->n_out - before);
        ctx->st.pending_decoded += ctx->n_out - before;
        pending_drop(ctx, i);
    }
}

/* ---- sequence numbers --------------------------------------------------- */

/*
 * v9 numbers datagrams, IPFIX data records.  A small step back is a late
 * datagram (misordered, expectation kept); a gap of 1000 or more either
 * way is a reset, as flow-tools counts them.
 */
static void seq_check(struct dg *d)
{
    struct ft_pdu_exporter_state *e = d->e;
    if (!e->seq_seen) {
        e->seq_seen = 1;
        return;
    }
    uint32_t gap = d->sequence - e->seq_expected;
    if (gap == 0)
        return;
    d->info->seq_expected = e->seq_expected;
    if (gap < 1000) {
        d->info->lost = gap;
        e->lost += gap;
    } else if ((uint32_t)-gap < 1000) {
        d->info->misordered = 1;
        e->misordered++;
    } else {
        d->info->resets = 1;
        e->resets++;
    }
}

static void seq_advance(struct dg *d)
{
    struct ft_pdu_exporter_state *e = d->e;
    uint32_t next = d->version == 9 ? d->sequence + 1 : d->sequence + d->records;
    if (d->info->misordered)
        return;
    e->seq_expected = next;
    if (d->version == 10 && d->incomplete)
        e->seq_seen = 0;    /* records of unknown sets went uncounted: resynchronise */
}

/* ---- the datagram ------------------------------------------------------- */

/* One walk over the sets: check only (learn = 0) or learn and decode. */
static int walk_sets(struct dg *d, struct ft_rd *msg, int learn, struct ft_err *err)
{
    unsigned tmpl_set = d->version == 9 ? 0 : 2, opt_set = d->version == 9 ? 1 : 3;
    while (rd_left(msg) >= 4) {
        size_t at = msg->off;     /* msg reads the whole datagram */
        uint16_t id = rd_u16(msg), len = rd_u16(msg);
        struct ft_rd set;
        if (len < 4 || rd_sub(msg, len - 4u, &set) < 0) {
            d->info->reason = FT_PDU_SET;
            ft_pdu_err(err, d->src, at, "set %u of length %u runs past the datagram", id, len);
            return -1;
        }
        enum ft_pdu_reason why = FT_PDU_OK;
        if (id == tmpl_set || id == opt_set) {
            enum tmpl_kind kind = id == tmpl_set ? TK_DATA
                                : d->version == 9 ? TK_OPTIONS_V9 : TK_OPTIONS_IPFIX;
            if (template_set(d, &set, kind, learn, &why) < 0) {
                d->info->reason = why;
                ft_pdu_err(err, d->src, at + 4 + set.off, "malformed %stemplate in set %u",
                           kind == TK_DATA ? "" : "options ", id);
                return -1;
            }
        } else if (id >= 256 && learn) {
            const struct tmpl *t = ft_tmpl_find(d->ctx, d->e, id, d->src->recv_ms);
            if (t) {
                data_set(d, &set, id, t);
            } else {
                d->ctx->st.by_reason[FT_PDU_NO_TEMPLATE]++;
                d->info->unknown_sets++;
                d->incomplete = 1;
                if (d->info->reason == FT_PDU_OK)
                    d->info->reason = FT_PDU_NO_TEMPLATE;
                pending_hold(d, id, &set);
            }
        }
        /* ids 2..255 (v9) or 0, 1, 4..255 (IPFIX) are reserved: skipped */
    }
    return 0;   /* fewer than 4 bytes left: datagram padding */
}

static int read_header(struct dg *d, struct ft_rd *r, size_t len, struct ft_err *err)
{
    d->version = rd_u16(r);
    if (d->version == 9) {
        if (len < V9_HDR) {
            d->info->reason = FT_PDU_SHORT;
            ft_pdu_err(err, d->src, len, "v9 datagram of %zu bytes has no header", len);
            return -1;
        }
        rd_u16(r);      /* count: not to be trusted (some exporters count only flows) */
        d->sysuptime = rd_u32(r);
        d->unix_secs = rd_u32(r);
        d->sequence = rd_u32(r);
        d->source_id = rd_u32(r);
        return 0;
    }
    if (len < IPFIX_HDR) {
        d->info->reason = FT_PDU_SHORT;
        ft_pdu_err(err, d->src, len, "IPFIX datagram of %zu bytes has no header", len);
        return -1;
    }
    uint16_t msg_len = rd_u16(r);
    if (msg_len < IPFIX_HDR || msg_len > len) {
        d->info->reason = FT_PDU_LENGTH;
        ft_pdu_err(err, d->src, 2, "IPFIX message length %u in a datagram of %zu bytes",
                   msg_len, len);
        return -1;
    }
    r->len = msg_len;   /* bytes after the message are not part of it */
    d->unix_secs = rd_u32(r);
    d->sequence = rd_u32(r);
    d->source_id = rd_u32(r);
    return 0;
}

int ft_pdu_decode_v9(struct ft_pdu_ctx *ctx, const struct ft_pdu_src *src,
                     const uint8_t *buf, size_t len, struct ft_pdu_info *info,
                     struct ft_err *err)
{
    struct dg d = {.ctx = ctx, .src = src, .info = info};
    struct ft_rd r;
    rd_init(&r, buf, len);
    if (read_header(&d, &r, len, err) < 0)
        return -1;
    info->sequence = d.sequence;
    int created;
    d.e = ft_pdu_exporter_get(ctx, src, d.version, d.source_id, &created);
    if (!d.e) {
        info->reason = FT_PDU_EXPORTER_LIMIT;
        ft_pdu_err(err, src, 0, "exporter table full (%u)", ctx->opts.max_exporters);
        return -1;
    }
    struct ft_rd check = r;
    if (walk_sets(&d, &check, 0, err) < 0)
        return -1;
    info->new_exporter = created;
    d.e->datagrams++;
    seq_check(&d);
    walk_sets(&d, &r, 1, err);
    seq_advance(&d);
    return 0;
}
