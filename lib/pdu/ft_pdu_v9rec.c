/*
 * ft_pdu_v9rec.c - one v9/IPFIX record.  Each template field comes with
 * what it does (ft_tmpl_resolve found it in the field table or among the
 * few special elements of ft_pdu_tmpl.c), so a record is a walk over its
 * fields with no element looked up.  The first occurrence of a field wins
 * (but for members sharing a has bit); addresses are resolved at the
 * record's end.
 */
#include <string.h>
#include "core/ft_bytes.h"
#include "pdu/ft_pdu_v9rec.h"

#define NTP_UNIX_OFFSET 2208988800u     /* seconds from 1900 to 1970 */

/* Addresses seen in a record, both families, resolved at its end. */
struct addr_pair {
    struct ft_ip v4, v6;
};

/* What an options record says about sampling. */
struct sampling_opts {
    int has_sampler;
    uint32_t sampler;
    uint32_t interval, pkt_interval, pkt_space, size, population;
    int has_algorithm;
    uint8_t algorithm;
};

/* What a record's fields leave for its end. */
struct rec_state {
    int have_up_first, have_up_last, have_abs_first, have_abs_last;
    uint32_t up_first, up_last;
    uint64_t abs_first_ns, abs_last_ns;    /* ns since 1970 */
    uint64_t sys_init_ms;
    int seen_interval;          /* IE 34 read (first occurrence wins) */
    struct sampling_opts opt;   /* options records only */
    struct addr_pair addr[FT_TMPL_MAX_ADDRS];  /* the template's address slots */
};

/*
 * A fresh state for a record of t: what is read before it is written.  Not
 * a memset of the whole, which took a twentieth of a v9 record's time:
 * values behind a have_ flag need no zero, an address slot only its
 * families marked absent, and data records never touch opt.
 */
static void rec_state_init(struct rec_state *s, const struct tmpl *t)
{
    s->have_up_first = s->have_up_last = s->have_abs_first = s->have_abs_last = 0;
    s->sys_init_ms = 0;
    s->seen_interval = 0;
    if (t->options)
        memset(&s->opt, 0, sizeof s->opt);
    for (uint8_t i = 0; i < t->n_addrs; i++)
        s->addr[i].v4.af = s->addr[i].v6.af = FT_AF_NONE;
}

/* ---- field values ------------------------------------------------------- */

static uint64_t ntp_to_ns(const uint8_t *p)
{
    uint64_t secs = ft_ld32(p, 1), frac = ft_ld32(p + 4, 1);
    if (secs < NTP_UNIX_OFFSET)
        return 0;
    return (secs - NTP_UNIX_OFFSET) * 1000000000u + ((frac * 1000000000u) >> 32);
}

/* An address element into its slot: whole, padding and all, since the
 * slot is copied into the flow as it is. */
static void take_addr(struct ft_ip *slot, const uint8_t *p, size_t len)
{
    if (slot->af != FT_AF_NONE || (len != 4 && len != 16))
        return;         /* first occurrence wins; other lengths are no address */
    memset(slot, 0, sizeof *slot);
    if (len == 4) {
        ft_ip_set4(slot, ft_ld32(p, 1));
    } else {
        slot->af = FT_AF_INET6;
        memcpy(slot->v6, p, 16);
    }
}

/* A number for row's member (act TA_U8..TA_U64, its type), cut to the
 * element's significant bits, unless the first occurrence wins and was
 * seen; returns the has bits with the member's. */
static uint64_t take_number(struct ft_flow *f, const struct tmpl_field *tf, uint64_t v,
                            uint64_t has)
{
    const struct ft_field *d = tf->row;
    if (tf->arg && (has & d->has))
        return has;
    if (d->bits)
        v &= (1ull << d->bits) - 1;
    void *m = ft_field_ptr(f, d);
    switch (tf->act) {
    case TA_U8: *(uint8_t *)m = (uint8_t)v; break;
    case TA_U16: *(uint16_t *)m = (uint16_t)v; break;
    case TA_U32: *(uint32_t *)m = (uint32_t)v; break;
    default: *(uint64_t *)m = v; break;
    }
    return has | d->has;
}

/* Elements 150-159 (arg = element - 150): start (even) or end (odd) in
 * seconds, milliseconds, NTP micro- or nanoseconds, or microseconds before
 * the export time. */
static void take_abs_time(const struct v9_dgram *d, struct rec_state *s, unsigned arg,
                          const uint8_t *p, size_t len, uint64_t v)
{
    int start = arg % 2 == 0;
    uint64_t ns;
    if (arg <= 1)
        ns = v * 1000000000u;
    else if (arg <= 3)
        ns = v * 1000000u;
    else if (arg <= 7)
        ns = len == 8 ? ntp_to_ns(p) : 0;
    else
        ns = (uint64_t)d->unix_secs * 1000000000u - v * 1000u;
    int *have = start ? &s->have_abs_first : &s->have_abs_last;
    if (!*have) {
        *have = 1;
        *(start ? &s->abs_first_ns : &s->abs_last_ns) = ns;
    }
}

/* What options data teaches about sampling, kept for the record's end. */
static void take_option(struct sampling_opts *s, enum tmpl_act act, uint64_t v)
{
    switch (act) {
    case TA_SAMPLER_MODE: s->algorithm = (uint8_t)v; s->has_algorithm = 1; break;
    case TA_SAMPLER_INTERVAL: s->interval = (uint32_t)v; break;
    case TA_SELECTOR_ID:
        if (!s->has_sampler) {
            s->sampler = (uint32_t)v;
            s->has_sampler = 1;
        }
        break;
    case TA_SELECTOR_ALGORITHM:     /* RFC 5477: count-based is deterministic */
        s->algorithm = v == 3 || v == 4 ? 2 : v == 1 || v == 2 ? 1 : (uint8_t)v;
        s->has_algorithm = 1;
        break;
    case TA_PACKET_INTERVAL: s->pkt_interval = (uint32_t)v; break;
    case TA_PACKET_SPACE: s->pkt_space = (uint32_t)v; break;
    case TA_SAMPLE_SIZE: s->size = (uint32_t)v; break;
    case TA_POPULATION: s->population = (uint32_t)v; break;
    default: break;
    }
}

/*
 * One field's value (len bytes at p) into *f or *s, as tf says.  The has
 * bits of the record so far come in `has` and go back with what the field
 * added: kept out of *f while the record is read, they are no chain of
 * loads and stores through memory from one field to the next.
 */
static uint64_t take_field(const struct v9_dgram *d, const struct tmpl_field *tf,
                           const uint8_t *p, size_t len, struct ft_flow *f,
                           struct rec_state *s, uint64_t has)
{
    if (tf->act >= TA_ADDR) {
        struct addr_pair *a = &s->addr[tf->arg];
        take_addr(tf->act == TA_ADDR ? &a->v4 : &a->v6, p, len);
        return has;
    }
    if (len > 8)
        return has;     /* no numeric member is wider than 64 bits: ignored */
    uint64_t v = ft_ldn(p, len, 1);
    if (tf->act <= TA_U64)      /* the plain fields, most of a record */
        return take_number(f, tf, v, has);
    switch (tf->act) {
    case TA_ICMP_TYPECODE:
        if (!(has & FT_F_ICMP)) {
            f->icmp_type = (uint8_t)(v >> 8);
            f->icmp_code = (uint8_t)v;
            has |= FT_F_ICMP;
        }
        break;
    case TA_SAMPLING_INTERVAL:  /* its has bit is the algorithm's too */
        if (!s->seen_interval) {
            f->sampling_interval = (uint32_t)v;
            has |= FT_F_SAMPLING;
            s->seen_interval = 1;
        }
        break;
    case TA_UPTIME_FIRST:
        if (!s->have_up_first) {
            s->up_first = (uint32_t)v;
            s->have_up_first = 1;
        }
        break;
    case TA_UPTIME_LAST:
        if (!s->have_up_last) {
            s->up_last = (uint32_t)v;
            s->have_up_last = 1;
        }
        break;
    case TA_ABS_TIME: take_abs_time(d, s, tf->arg, p, len, v); break;
    case TA_SYS_INIT: s->sys_init_ms = v; break;
    default: take_option(&s->opt, tf->act, v); break;
    }
    return has;
}

/* Decode one record (exactly rec->len bytes) into *f and *s.  A record of
 * fixed length has every field at its template offset; one with variable
 * fields is read field after field. */
static void decode_record(const struct v9_dgram *d, const struct tmpl *t, struct ft_rd *rec,
                          struct ft_flow *f, struct rec_state *s)
{
    const uint8_t *base = rec->p + rec->off;
    uint64_t has = f->has;
    for (uint16_t i = 0; i < t->n_fields; i++) {
        const struct tmpl_field *tf = &t->f[i];
        size_t len = tf->len;
        const uint8_t *p = base + tf->at;
        if (t->variable) {
            if (len == FT_VARLEN) {
                len = rd_u8(rec);
                if (len == 255)
                    len = rd_u16(rec);
            }
            p = rd_take(rec, len);
            if (!p)
                break;      /* the caller measured the record: cannot happen */
        }
        if (tf->act != TA_SKIP)
            has = take_field(d, tf, p, len, f, s, has);
    }
    f->has = has;
}

/* ---- the record's end --------------------------------------------------- */

/* tshark's rule for a record with both IPv4 and IPv6 forms of an address. */
static void resolve_addr(struct ft_flow *f, const struct ft_field *d,
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
        *(struct ft_ip *)ft_field_ptr(f, d) = *pick;
        f->has |= d->has;
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

static void set_times(const struct v9_dgram *d, struct ft_flow *f, const struct rec_state *s)
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

static void header_flow(const struct v9_dgram *d, uint16_t template_id, struct ft_flow *f)
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

static void finish_flow(const struct v9_dgram *d, const struct tmpl *t, struct ft_flow *f,
                        const struct rec_state *s)
{
    for (uint8_t i = 0; i < t->n_addrs; i++)
        resolve_addr(f, &ft_fields[t->addr_field[i]], &s->addr[i]);
    if (!(f->has & FT_F_IP_VERSION))
        f->ip_version = f->srcaddr.af == FT_AF_INET6 || f->dstaddr.af == FT_AF_INET6 ? 6
                      : f->srcaddr.af == FT_AF_INET || f->dstaddr.af == FT_AF_INET ? 4 : 0;
    set_times(d, f, s);
    set_sampling(d->e, f);
}

void ft_v9_flow_record(const struct v9_dgram *d, uint16_t id, const struct tmpl *t,
                       struct ft_rd *rec, struct ft_flow *f)
{
    struct rec_state s;
    rec_state_init(&s, t);
    header_flow(d, id, f);
    decode_record(d, t, rec, f, &s);
    finish_flow(d, t, f, &s);
    d->e->flows++;
}

/* ---- options records ---------------------------------------------------- */

/* What an options data record teaches about its exporter. */
static void learn_options(struct ft_pdu_ctx *ctx, struct ft_pdu_exporter_state *e,
                          const struct rec_state *s, const struct ft_flow *f)
{
    const struct sampling_opts *o = &s->opt;
    if (s->sys_init_ms)
        e->sys_init_ms = s->sys_init_ms;
    uint32_t interval = s->seen_interval ? f->sampling_interval : 0;
    if (!interval)
        interval = o->interval;
    if (!interval && o->pkt_interval)
        interval = (uint32_t)(((uint64_t)o->pkt_interval + o->pkt_space) / o->pkt_interval);
    if (!interval && o->size)
        interval = o->population / o->size;
    if (!interval)
        return;         /* never learn a rate of 0 */
    uint8_t algorithm = o->has_algorithm ? o->algorithm : f->sampling_algorithm;
    int has_id = (f->has & FT_F_SAMPLER_ID) || o->has_sampler;
    uint32_t id = f->has & FT_F_SAMPLER_ID ? f->sampler_id : o->sampler;
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

void ft_v9_options_record(const struct v9_dgram *d, const struct tmpl *t, struct ft_rd *rec)
{
    struct rec_state s;
    struct ft_flow tmp;
    rec_state_init(&s, t);
    memset(&tmp, 0, sizeof tmp);
    decode_record(d, t, rec, &tmp, &s);
    learn_options(d->ctx, d->e, &s, &tmp);
}
