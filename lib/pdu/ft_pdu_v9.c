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
#include "pdu/ft_pdu_v9rec.h"

#define V9_HDR 20
#define IPFIX_HDR 16

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
        t->f[i] = (struct tmpl_field){.type = type, .len = len, .pen = pen};
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

static void decode_pending(struct v9_dgram *d, uint16_t id);

/* Walk one template set; learn its templates when `learn`. */
static int template_set(struct v9_dgram *d, struct ft_rd *set, enum tmpl_kind kind,
                        int learn, enum ft_pdu_reason *why)
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

/* ---- data sets ---------------------------------------------------------- */

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

/* Records of one length, the common case: the set's slots are taken (and
 * zeroed) in one call.  What is left after the last record is padding. */
static void fixed_data_set(struct v9_dgram *d, struct ft_rd *set, uint16_t id,
                           const struct tmpl *t)
{
    size_t records = rd_left(set) / t->min_len, n;
    struct ft_flow *f = ft_pdu_out_take(d->ctx, records, &n);
    d->records += records;
    for (size_t i = 0; i < n; i++) {
        struct ft_rd rec;
        rd_sub(set, t->min_len, &rec);
        ft_v9_flow_record(d, id, t, &rec, &f[i]);
    }
}

static void data_set(struct v9_dgram *d, struct ft_rd *set, uint16_t id, const struct tmpl *t)
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
            ft_v9_options_record(d, t, &rec);
            d->info->options_records++;
            continue;
        }
        struct ft_flow *f = ft_pdu_out_next(ctx);
        if (!f)
            return;     /* past opts.max_flows, counted */
        ft_v9_flow_record(d, id, t, &rec, f);
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

static void pending_hold(struct v9_dgram *d, uint16_t id, const struct ft_rd *set)
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
static void decode_pending(struct v9_dgram *d, uint16_t id)
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
        struct v9_dgram old = *d;
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
static void seq_check(struct v9_dgram *d)
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

static void seq_advance(struct v9_dgram *d)
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
static int walk_sets(struct v9_dgram *d, struct ft_rd *msg, int learn, struct ft_err *err)
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

static int read_header(struct v9_dgram *d, struct ft_rd *r, size_t len, struct ft_err *err)
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
    struct v9_dgram d = {.ctx = ctx, .src = src, .info = info};
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
