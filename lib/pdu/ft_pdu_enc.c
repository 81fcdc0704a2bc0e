/*
 * ft_pdu_enc.c - datagram builders: v1, v5, v6, v7, v8.x, v9 and IPFIX.
 *
 * Grouping and numbering as flow-tools does it (wire-pdus.md section 6): a
 * flow joins the datagram being built only if its header values are the
 * same; v5-v8 sequence numbers count flows per engine, v9 counts datagrams.
 * v9 datagrams carry one template for IPv4 flows and one for IPv6 flows,
 * sent in the first datagram and again every template_refresh datagrams.
 * IPFIX (RFC 7011) is built the same way, with absolute start/end times
 * (elements 152/153) instead of uptimes, a 16-byte header whose sequence
 * counts data records, and templates also resent every template_timeout
 * seconds of export time, as RFC 7011 section 8.4 asks of UDP exporters.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ft_err.h"
#include "core/ft_bytes.h"
#include "core/ft_field.h"
#include "pdu/ft_pdu_fixed.h"

#define V9_TMPL_IPV4 256
#define V9_TMPL_IPV6 257
#define ENC_MAX_SLOTS 256
#define ENC_BUF 65536

/* A field of an encoder template: a flow field (its row of ft_fields[]
 * gives the element and the member) sent in `width` bytes. */
struct enc_field {
    uint8_t field;              /* enum ft_field_id */
    uint8_t width;
};
#define EF(ID, width) {FT_FLD_##ID, width}

/* The v9 templates: every field of the v5 record and more, 4-byte counters
 * and interfaces, 8-byte packet and octet counts. */
static const struct enc_field v9_ipv4[] = {
    EF(SRCADDR, 4), EF(DSTADDR, 4), EF(NEXTHOP, 4), EF(BGP_NEXTHOP, 4), EF(INPUT, 4),
    EF(OUTPUT, 4), EF(DPKTS, 8), EF(DOCTETS, 8), EF(FIRST, 4), EF(LAST, 4), EF(SRCPORT, 2),
    EF(DSTPORT, 2), EF(SRC_AS, 4), EF(DST_AS, 4), EF(TCP_FLAGS, 1), EF(PROT, 1), EF(TOS, 1),
    EF(SRC_MASK, 1), EF(DST_MASK, 1), EF(ENGINE_TYPE, 1), EF(ENGINE_ID, 1), EF(DIRECTION, 1),
};
static const struct enc_field v9_ipv6[] = {
    EF(SRCADDR, 16), EF(DSTADDR, 16), EF(NEXTHOP, 16), EF(BGP_NEXTHOP, 16), EF(INPUT, 4),
    EF(OUTPUT, 4), EF(DPKTS, 8), EF(DOCTETS, 8), EF(FIRST, 4), EF(LAST, 4), EF(SRCPORT, 2),
    EF(DSTPORT, 2), EF(SRC_AS, 4), EF(DST_AS, 4), EF(FLOW_LABEL, 3), EF(TCP_FLAGS, 1),
    EF(PROT, 1), EF(TOS, 1), EF(SRC_MASK, 1), EF(DST_MASK, 1), EF(ENGINE_TYPE, 1),
    EF(ENGINE_ID, 1), EF(DIRECTION, 1),
};
#define N_FIELDS(a) (sizeof (a) / sizeof (a)[0])

/* IPFIX: the same, with flowStart/EndMilliseconds for the uptimes. */
static const struct enc_field ipfix_ipv4[] = {
    EF(SRCADDR, 4), EF(DSTADDR, 4), EF(NEXTHOP, 4), EF(BGP_NEXTHOP, 4), EF(INPUT, 4),
    EF(OUTPUT, 4), EF(DPKTS, 8), EF(DOCTETS, 8), EF(START_MS, 8), EF(END_MS, 8),
    EF(SRCPORT, 2), EF(DSTPORT, 2), EF(SRC_AS, 4), EF(DST_AS, 4), EF(TCP_FLAGS, 1),
    EF(PROT, 1), EF(TOS, 1), EF(SRC_MASK, 1), EF(DST_MASK, 1), EF(ENGINE_TYPE, 1),
    EF(ENGINE_ID, 1), EF(DIRECTION, 1),
};
static const struct enc_field ipfix_ipv6[] = {
    EF(SRCADDR, 16), EF(DSTADDR, 16), EF(NEXTHOP, 16), EF(BGP_NEXTHOP, 16), EF(INPUT, 4),
    EF(OUTPUT, 4), EF(DPKTS, 8), EF(DOCTETS, 8), EF(START_MS, 8), EF(END_MS, 8),
    EF(SRCPORT, 2), EF(DSTPORT, 2), EF(SRC_AS, 4), EF(DST_AS, 4), EF(FLOW_LABEL, 3),
    EF(TCP_FLAGS, 1), EF(PROT, 1), EF(TOS, 1), EF(SRC_MASK, 1), EF(DST_MASK, 1),
    EF(ENGINE_TYPE, 1), EF(ENGINE_ID, 1), EF(DIRECTION, 1),
};

/* The IPv6 template sends each field as its IPv6 element (the row's ie_alt:
 * addresses 27/28/62/63, prefix lengths 29/30) where it has one. */
struct enc_tmpl {
    uint16_t id;
    uint8_t v6;
    uint8_t n;
    const struct enc_field *f;
};
enum { ENC_IPV4, ENC_IPV6 };
static const struct enc_tmpl v9_tmpls[] = {
    [ENC_IPV4] = {V9_TMPL_IPV4, 0, N_FIELDS(v9_ipv4), v9_ipv4},
    [ENC_IPV6] = {V9_TMPL_IPV6, 1, N_FIELDS(v9_ipv6), v9_ipv6},
};
static const struct enc_tmpl ipfix_tmpls[] = {
    [ENC_IPV4] = {V9_TMPL_IPV4, 0, N_FIELDS(ipfix_ipv4), ipfix_ipv4},
    [ENC_IPV6] = {V9_TMPL_IPV6, 1, N_FIELDS(ipfix_ipv6), ipfix_ipv6},
};
#define IPFIX_HDR 16
#define V9_HDR 20

/* Header values of a datagram: flows share a datagram only if these agree. */
struct enc_hdr {
    uint32_t sysuptime, unix_secs, unix_nsecs;
    uint8_t engine_type, engine_id;
};

struct ft_pdu_enc {
    struct ft_pdu_enc_opts o;
    const struct fx_layout *l;  /* NULL for v9 */
    uint8_t *cur, *done;        /* datagram being built, last finished one */
    size_t len;                 /* bytes in cur */
    unsigned n;                 /* flows in cur */
    unsigned records;           /* v9: records (templates + data) in cur */
    size_t set_start;           /* v9: offset of the open data flowset, 0 none */
    uint16_t set_id;
    struct enc_hdr hdr;
    struct ft_ip exaddr;
    const struct enc_tmpl *tmpls;   /* v9_tmpls or ipfix_tmpls */
    uint32_t tmpl_secs;             /* export time of the last templates */
    struct { uint16_t engine; uint32_t next; } slots[ENC_MAX_SLOTS];
    unsigned n_slots;
    uint32_t v9_sequence;
    size_t v9_rec_size[N_FIELDS(v9_tmpls)]; /* bytes of a record of each template */
    unsigned since_templates;   /* v9 datagrams since the templates were sent */
    uint64_t now_ms, boot_ms;
    int clock_set, boot_auto;
    uint64_t losses;
};

static size_t v9_record_size(const struct enc_tmpl *t)
{
    size_t s = 0;
    for (size_t i = 0; i < t->n; i++)
        s += t->f[i].width;
    return s;
}

struct ft_pdu_enc *ft_pdu_enc_new(const struct ft_pdu_enc_opts *o, struct ft_err *err)
{
    const struct fx_layout *l = NULL;
    if (o->version != 9 && o->version != 10) {
        l = ft_fx_layout(o->version, o->agg_method);
        if (!l || (o->version == 8 && o->agg_method == 0)) {
            ft_err_set(err, "cannot encode version %u%s", o->version,
                       o->version == 8 ? " with that aggregation" : "");
            return NULL;
        }
    }
    struct ft_pdu_enc *e = calloc(1, sizeof *e);
    if (!e)
        goto oom;
    e->o = *o;
    e->l = l;
    e->tmpls = o->version == 10 ? ipfix_tmpls : v9_tmpls;
    for (size_t k = 0; k < N_FIELDS(v9_tmpls); k++)
        e->v9_rec_size[k] = v9_record_size(&e->tmpls[k]);
    if (!e->o.template_refresh)
        e->o.template_refresh = 20;
    if (!e->o.max_size)
        e->o.max_size = 1400;
    if (e->o.max_size < 400)
        e->o.max_size = 400;        /* room for the templates and one record */
    if (e->o.max_size > ENC_BUF)
        e->o.max_size = ENC_BUF;
    e->cur = calloc(1, ENC_BUF);
    e->done = calloc(1, ENC_BUF);
    if (!e->cur || !e->done) {
        ft_pdu_enc_free(e);
        goto oom;
    }
    return e;
oom:
    ft_err_set(err, "out of memory");
    return NULL;
}

void ft_pdu_enc_free(struct ft_pdu_enc *e)
{
    if (!e)
        return;
    free(e->cur);
    free(e->done);
    free(e);
}

void ft_pdu_enc_set_clock(struct ft_pdu_enc *e, uint64_t now_ms, uint64_t boot_ms)
{
    e->now_ms = now_ms;
    e->boot_ms = boot_ms;
    e->clock_set = 1;
}

uint64_t ft_pdu_enc_losses(const struct ft_pdu_enc *e)
{
    return e->losses;
}

/* ---- header values and uptime stamps of a flow -------------------------- */

/*
 * g = f with the export header values filled in and first/last as uptime
 * stamps under that header.  Flows read from v1-v8 streams carry both;
 * sensor and IPFIX flows have only absolute times and get the clock's.
 */
static void prepare(struct ft_pdu_enc *e, const struct ft_flow *f, struct ft_flow *g,
                    struct enc_hdr *h)
{
    *g = *f;
    if (!(f->has & FT_F_SYSUPTIME) || !(f->has & FT_F_UNIX_SECS)) {
        uint64_t now = e->clock_set ? e->now_ms : f->end_ms;
        if (!e->clock_set && !e->boot_auto) {
            e->boot_ms = f->start_ms > 1000 ? f->start_ms - 1000 : 0;
            e->boot_auto = 1;
        }
        g->sysuptime = (uint32_t)(now - e->boot_ms);
        g->unix_secs = (uint32_t)(now / 1000u);
        g->unix_nsecs = (uint32_t)(now % 1000u) * 1000000u;
    } else if (!(f->has & FT_F_UNIX_NSECS)) {
        g->unix_nsecs = 0;
    }
    int have_uptimes = (f->has & (FT_F_FIRST | FT_F_LAST)) == (FT_F_FIRST | FT_F_LAST) &&
                       (f->has & FT_F_SYSUPTIME);
    if (!have_uptimes && (f->has & FT_F_TIMES)) {
        uint64_t export_ms = (uint64_t)g->unix_secs * 1000u + g->unix_nsecs / 1000000u;
        g->first = g->sysuptime - (uint32_t)(export_ms - f->start_ms);
        g->last = g->sysuptime - (uint32_t)(export_ms - f->end_ms);
    }
    memset(h, 0, sizeof *h);
    h->sysuptime = g->sysuptime;
    h->unix_secs = g->unix_secs;
    /* v9 and IPFIX have no nsecs */
    h->unix_nsecs = e->o.version >= 9 ? 0 : g->unix_nsecs;
    if (e->o.version != 1 && e->o.version < 9) {
        h->engine_type = f->has & FT_F_ENGINE_TYPE ? f->engine_type : 0;
        h->engine_id = f->has & FT_F_ENGINE_ID ? f->engine_id : 0;
    }
}

static int same_header(const struct enc_hdr *a, const struct enc_hdr *b)
{
    return a->sysuptime == b->sysuptime && a->unix_secs == b->unix_secs &&
           a->unix_nsecs == b->unix_nsecs && a->engine_type == b->engine_type &&
           a->engine_id == b->engine_id;
}

/* ---- v1-v8 -------------------------------------------------------------- */

static uint32_t *slot_counter(struct ft_pdu_enc *e, uint16_t engine)
{
    for (unsigned i = 0; i < e->n_slots; i++)
        if (e->slots[i].engine == engine)
            return &e->slots[i].next;
    unsigned i = e->n_slots < ENC_MAX_SLOTS ? e->n_slots++ : ENC_MAX_SLOTS - 1;
    e->slots[i].engine = engine;
    e->slots[i].next = 0;
    return &e->slots[i].next;
}

static void fixed_finish_header(struct ft_pdu_enc *e)
{
    uint8_t *p = e->cur;
    const struct fx_layout *l = e->l;
    ft_st16(p, l->version, 1);
    ft_st16(p + 2, (uint16_t)e->n, 1);
    ft_st32(p + 4, e->hdr.sysuptime, 1);
    ft_st32(p + 8, e->hdr.unix_secs, 1);
    ft_st32(p + 12, e->hdr.unix_nsecs, 1);
    if (l->version == 1)
        return;
    uint32_t *next = slot_counter(e, (uint16_t)(e->hdr.engine_id << 8 | e->hdr.engine_type));
    ft_st32(p + 16, *next, 1);
    *next += e->n;
    p[20] = e->hdr.engine_type;
    p[21] = e->hdr.engine_id;
    if (l->version == 8) {
        p[22] = l->agg;
        p[23] = 2;
    }
}

static void fixed_add(struct ft_pdu_enc *e, const struct ft_flow *g)
{
    const struct fx_layout *l = e->l;
    if (e->n == 0) {
        memset(e->cur, 0, l->hdr_size);
        e->len = l->hdr_size;
    }
    uint8_t *rec = e->cur + e->len;
    memset(rec, 0, l->rec_size);
    if (ft_fx_put(l, g, rec))
        e->losses++;
    e->len += l->rec_size;
    e->n++;
}

/* ---- v9 ----------------------------------------------------------------- */

/* The template of a flow: ENC_IPV6 or ENC_IPV4. */
static size_t v9_tmpl_of(const struct ft_flow *f)
{
    return f->srcaddr.af == FT_AF_INET6 || f->dstaddr.af == FT_AF_INET6 ? ENC_IPV6 : ENC_IPV4;
}

static void put_v9_addr(uint8_t *p, uint16_t len, const struct ft_ip *a, unsigned *loss)
{
    memset(p, 0, len);
    if (len == 4 && a->af == FT_AF_INET)
        ft_st32(p, a->v4, 1);
    else if (len == 16 && a->af == FT_AF_INET6)
        memcpy(p, a->v6, 16);
    else if (a->af != FT_AF_NONE && !(len == 16 && a->af == FT_AF_INET && a->v4 == 0))
        *loss |= FT_LOSS_ADDR6;
}

/* A field's element in template t. */
static uint16_t v9_element(const struct enc_tmpl *t, const struct ft_field *d)
{
    return t->v6 && d->ie_alt ? d->ie_alt : d->ie;
}

static void put_v9_field(uint8_t *p, const struct enc_field *ef, const struct ft_flow *g,
                         unsigned *loss)
{
    const struct ft_field *d = &ft_fields[ef->field];
    if (d->type == FT_T_IP) {
        put_v9_addr(p, ef->width, ft_field_cptr(g, d), loss);
        return;
    }
    uint64_t v = ft_field_get(g, d);
    if (d->bits)
        v &= (1ull << d->bits) - 1;     /* the element's significant bits */
    ft_stn(p, v, ef->width, 1);
}

static void v9_templates(struct ft_pdu_enc *e)
{
    uint8_t *p = e->cur + e->len;
    size_t at = 4;
    for (size_t k = 0; k < N_FIELDS(v9_tmpls); k++) {
        const struct enc_tmpl *t = &e->tmpls[k];
        ft_st16(p + at, t->id, 1);
        ft_st16(p + at + 2, t->n, 1);
        at += 4;
        for (size_t i = 0; i < t->n; i++, at += 4) {
            ft_st16(p + at, v9_element(t, &ft_fields[t->f[i].field]), 1);
            ft_st16(p + at + 2, t->f[i].width, 1);
        }
    }
    ft_st16(p, e->o.version == 10 ? 2 : 0, 1);     /* template set */
    ft_st16(p + 2, (uint16_t)at, 1);   /* a multiple of 4 */
    e->len += at;
    e->records += 2;
}

static void v9_close_set(struct ft_pdu_enc *e)
{
    if (!e->set_start)
        return;
    while ((e->len - e->set_start) % 4)
        e->cur[e->len++] = 0;       /* padding to a 4-byte boundary */
    ft_st16(e->cur + e->set_start, e->set_id, 1);
    ft_st16(e->cur + e->set_start + 2, (uint16_t)(e->len - e->set_start), 1);
    e->set_start = 0;
}

static void v9_finish_header(struct ft_pdu_enc *e)
{
    v9_close_set(e);
    uint8_t *p = e->cur;
    if (e->o.version == 10) {
        ft_st16(p, 10, 1);
        ft_st16(p + 2, (uint16_t)e->len, 1);
        ft_st32(p + 4, e->hdr.unix_secs, 1);
        ft_st32(p + 8, e->v9_sequence, 1);     /* data records before this one */
        ft_st32(p + 12, e->o.source_id, 1);
        e->v9_sequence += e->n;
        return;
    }
    ft_st16(p, 9, 1);
    ft_st16(p + 2, (uint16_t)e->records, 1);
    ft_st32(p + 4, e->hdr.sysuptime, 1);
    ft_st32(p + 8, e->hdr.unix_secs, 1);
    ft_st32(p + 12, e->v9_sequence++, 1);
    ft_st32(p + 16, e->o.source_id, 1);
}

/* Bytes a flow adds to the datagram being built (with a new set header). */
static size_t v9_need(const struct ft_pdu_enc *e, const struct ft_flow *g)
{
    size_t k = v9_tmpl_of(g);
    return e->v9_rec_size[k] + 3 /* padding */ +
           (e->set_start && e->set_id == e->tmpls[k].id ? 0 : 4);
}

static void v9_add(struct ft_pdu_enc *e, const struct ft_flow *g)
{
    if (e->n == 0) {
        size_t hdr = e->o.version == 10 ? IPFIX_HDR : V9_HDR;
        memset(e->cur, 0, hdr);
        e->len = hdr;
        e->records = 0;
        if (e->o.template_timeout && e->hdr.unix_secs - e->tmpl_secs >= e->o.template_timeout)
            e->since_templates = 0;
        if (e->since_templates == 0) {
            v9_templates(e);
            e->tmpl_secs = e->hdr.unix_secs;
        }
    }
    const struct enc_tmpl *t = &e->tmpls[v9_tmpl_of(g)];
    if (!e->set_start || e->set_id != t->id) {
        v9_close_set(e);
        e->set_start = e->len;
        e->set_id = t->id;
        e->len += 4;
    }
    unsigned loss = 0;
    for (size_t i = 0; i < t->n; i++) {
        put_v9_field(e->cur + e->len, &t->f[i], g, &loss);
        e->len += t->f[i].width;
    }
    if (loss)
        e->losses++;
    e->n++;
    e->records++;
}

/* ---- datagrams ---------------------------------------------------------- */

static int finish(struct ft_pdu_enc *e, struct ft_pdu_dgram *out)
{
    if (e->n == 0)
        return 0;
    if (e->l) {
        fixed_finish_header(e);
    } else {
        v9_finish_header(e);
        if (++e->since_templates >= e->o.template_refresh)
            e->since_templates = 0;
    }
    uint8_t *t = e->done;
    e->done = e->cur;
    e->cur = t;
    out->data = e->done;
    out->len = e->len;
    out->n_flows = e->n;
    out->exaddr = e->exaddr;
    e->len = 0;
    e->n = 0;
    return 1;
}

int ft_pdu_enc_add(struct ft_pdu_enc *e, const struct ft_flow *f, struct ft_pdu_dgram *out)
{
    struct ft_flow g;
    struct enc_hdr h;
    prepare(e, f, &g, &h);
    int ready = 0;
    if (e->n > 0 && (!same_header(&e->hdr, &h) || (e->l && e->n >= e->l->max_count) ||
                     (!e->l && e->len + v9_need(e, &g) > e->o.max_size)))
        ready = finish(e, out);
    if (e->n == 0) {
        e->hdr = h;
        e->exaddr = f->exaddr;
    }
    if (e->l) {
        fixed_add(e, &g);
        if (e->n == e->l->max_count && !ready)
            ready = finish(e, out);
    } else {
        v9_add(e, &g);
    }
    return ready;
}

int ft_pdu_enc_flush(struct ft_pdu_enc *e, struct ft_pdu_dgram *out)
{
    return finish(e, out);
}
