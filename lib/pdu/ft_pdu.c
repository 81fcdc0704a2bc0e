/*
 * ft_pdu.c - the decoder context: exporters, output buffer, dispatch by
 * version, counters.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include "net/ft_addrspec.h"
#include "core/ft_err.h"
#include "pdu/ft_exporters.h"
#include "pdu/ft_pdu_int.h"

static const char *const reason_names[FT_PDU_N_REASONS] = {
    [FT_PDU_OK] = "ok",
    [FT_PDU_SHORT] = "short",
    [FT_PDU_VERSION] = "version",
    [FT_PDU_COUNT] = "count",
    [FT_PDU_SIZE] = "size",
    [FT_PDU_V8_AGG] = "v8-aggregation",
    [FT_PDU_LENGTH] = "length",
    [FT_PDU_SET] = "set",
    [FT_PDU_TEMPLATE] = "template",
    [FT_PDU_OPTIONS_TEMPLATE] = "options-template",
    [FT_PDU_TEMPLATE_LIMIT] = "template-limit",
    [FT_PDU_EXPORTER_LIMIT] = "exporter-limit",
    [FT_PDU_NO_TEMPLATE] = "no-template",
    [FT_PDU_RECORD] = "record",
    [FT_PDU_FLOW_LIMIT] = "flow-limit",
    [FT_PDU_PENDING_LIMIT] = "pending-limit",
};

const char *ft_pdu_reason_name(enum ft_pdu_reason r)
{
    return (unsigned)r < FT_PDU_N_REASONS ? reason_names[r] : "unknown";
}

static void opts_defaults(struct ft_pdu_opts *o)
{
    if (!o->max_exporters)
        o->max_exporters = 4096;
    if (!o->max_templates_per_exporter)
        o->max_templates_per_exporter = 256;
    if (!o->max_templates)
        o->max_templates = 16384;
    if (!o->max_flows)
        o->max_flows = 65536;
}

struct ft_pdu_ctx *ft_pdu_ctx_new(const struct ft_pdu_opts *opts)
{
    struct ft_pdu_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    if (opts)
        ctx->opts = *opts;
    opts_defaults(&ctx->opts);
    ctx->n_buckets = 1024;
    ctx->buckets = calloc(ctx->n_buckets, sizeof *ctx->buckets);
    if (ctx->opts.pending_sets)
        ctx->pend = calloc(ctx->opts.pending_sets, sizeof *ctx->pend);
    if (!ctx->buckets || (ctx->opts.pending_sets && !ctx->pend)) {
        ft_pdu_ctx_free(ctx);
        return NULL;
    }
    return ctx;
}

void ft_pdu_ctx_free(struct ft_pdu_ctx *ctx)
{
    if (!ctx)
        return;
    for (uint32_t i = 0; i < ctx->n_exps; i++) {
        ft_tmpl_free_all(&ctx->exps[i]);
        free(ctx->exps[i].slots);
    }
    for (uint32_t i = 0; i < ctx->n_pend; i++)
        free(ctx->pend[i].data);
    free(ctx->pend);
    free(ctx->exps);
    free(ctx->buckets);
    free(ctx->own);
    free(ctx);
}

/* ---- exporters ---------------------------------------------------------- */

static uint32_t ip_hash(const struct ft_ip *a)
{
    uint32_t h = a->af;
    if (a->af == FT_AF_INET)
        h ^= a->v4 * 2654435761u;
    else if (a->af == FT_AF_INET6)
        for (int i = 0; i < 16; i++)
            h = h * 31 + a->v6[i];
    return h;
}

static uint32_t exporter_hash(const struct ft_ip *addr, const struct ft_ip *local,
                              uint16_t port, unsigned version, uint32_t source_id)
{
    uint32_t h = ip_hash(addr) * 33 + ip_hash(local);
    h = h * 33 + port;
    h = h * 33 + version;
    h = h * 33 + source_id;
    return h ^ (h >> 15);
}

/*
 * The exporter entry of a datagram; created if new (*created = 1).
 * v1-v8 use flow-tools' key: no port, no source id.  NULL when the table is
 * full (the caller counts it).
 */
struct exporter *ft_pdu_exporter_get(struct ft_pdu_ctx *ctx, const struct ft_pdu_src *src,
                                     unsigned version, uint32_t source_id, int *created)
{
    int templated = version >= 9;
    uint16_t port = templated && !ctx->opts.ignore_port ? src->port : 0;
    struct ft_ip local = src->local;
    if (local.af != FT_AF_INET && local.af != FT_AF_INET6)
        memset(&local, 0, sizeof local);
    uint32_t b = exporter_hash(&src->addr, &local, port, version, source_id) % ctx->n_buckets;
    *created = 0;
    for (uint32_t i = ctx->buckets[b]; i; i = ctx->exps[i - 1].hash_next) {
        struct exporter *e = &ctx->exps[i - 1];
        if (e->version == version && e->port == port && e->source_id == source_id &&
            ft_ip_equal(&e->addr, &src->addr) && ft_ip_equal(&e->local, &local))
            return e;
    }
    if (ctx->n_exps >= ctx->opts.max_exporters)
        return NULL;
    if (ctx->n_exps == ctx->cap_exps) {
        uint32_t cap = ctx->cap_exps ? ctx->cap_exps * 2 : 16;
        struct exporter *n = realloc(ctx->exps, cap * sizeof *n);
        if (!n)
            return NULL;
        ctx->exps = n;
        ctx->cap_exps = cap;
    }
    struct exporter *e = &ctx->exps[ctx->n_exps++];
    memset(e, 0, sizeof *e);
    e->addr = src->addr;
    e->local = local;
    e->port = port;
    e->version = (uint8_t)version;
    e->source_id = source_id;
    e->hash_next = ctx->buckets[b];
    ctx->buckets[b] = ctx->n_exps;
    *created = 1;
    return e;
}

size_t ft_pdu_exporters(const struct ft_pdu_ctx *ctx, struct ft_pdu_exporter *out, size_t max)
{
    for (uint32_t i = 0; i < ctx->n_exps && i < max; i++) {
        const struct exporter *e = &ctx->exps[i];
        struct ft_pdu_exporter *o = &out[i];
        memset(o, 0, sizeof *o);
        o->addr = e->addr;
        o->local = e->local;
        o->port = e->port;
        o->version = e->version;
        o->source_id = e->source_id;
        o->datagrams = e->datagrams;
        o->flows = e->flows;
        o->lost = e->lost;
        o->resets = e->resets;
        o->misordered = e->misordered;
        o->templates = e->n_tmpls;
        o->sampling_interval = e->sampling_interval;
    }
    return ctx->n_exps;
}

/* ---- output ------------------------------------------------------------- */

/*
 * Room for n more flows in the current output.  The caller's array, when
 * full, is left for the context's own: the flows so far move over, and the
 * caller finds them there (info->flows).  n_out + n <= opts.max_flows.
 */
static int out_room(struct ft_pdu_ctx *ctx, size_t n)
{
    size_t need = ctx->n_out + n;
    if (need <= ctx->cap_out)
        return 0;
    if (need > ctx->cap_own) {
        size_t cap = ctx->cap_own ? ctx->cap_own * 2 : 64;
        while (cap < need)
            cap *= 2;
        if (cap > ctx->opts.max_flows)
            cap = ctx->opts.max_flows;
        struct ft_flow *own = realloc(ctx->own, cap * sizeof *own);
        if (!own)
            return -1;
        if (ctx->out == ctx->own)
            ctx->out = own;
        ctx->own = own;
        ctx->cap_own = cap;
    }
    if (ctx->out != ctx->own)
        memcpy(ctx->own, ctx->out, ctx->n_out * sizeof *ctx->out);
    ctx->out = ctx->own;
    ctx->cap_out = ctx->cap_own;
    return 0;
}

/*
 * Up to n zeroed slots for the next flows, *got of them (fewer past
 * opts.max_flows or out of memory: counted once), NULL when none.  Zeroing
 * a datagram's flows in one call costs a quarter of zeroing them one by
 * one, which gcc expands into `rep stosq`.
 */
struct ft_flow *ft_pdu_out_take(struct ft_pdu_ctx *ctx, size_t n, size_t *got)
{
    size_t left = ctx->opts.max_flows > ctx->n_out ? ctx->opts.max_flows - ctx->n_out : 0;
    size_t k = n < left ? n : left;
    if (k > 0 && out_room(ctx, k) < 0)
        k = 0;
    if (k < n)
        ctx->st.by_reason[FT_PDU_FLOW_LIMIT]++;
    *got = k;
    if (k == 0)
        return NULL;
    struct ft_flow *f = &ctx->out[ctx->n_out];
    memset(f, 0, k * sizeof *f);
    ctx->n_out += k;
    return f;
}

/* A zeroed slot for the next flow, or NULL past opts.max_flows (counted). */
struct ft_flow *ft_pdu_out_next(struct ft_pdu_ctx *ctx)
{
    size_t got;
    return ft_pdu_out_take(ctx, 1, &got);
}

/* ---- messages ----------------------------------------------------------- */

/* "exporter A port P: <message> (byte N)" */
void ft_pdu_err(struct ft_err *err, const struct ft_pdu_src *src, size_t off,
                const char *fmt, ...)
{
    if (!err)
        return;
    char ip[FT_IP_STRLEN], what[400];
    ft_ip_str(&src->addr, ip, sizeof ip);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    ft_err_set(err, "exporter %s port %u: %s (byte %zu)", ip, (unsigned)src->port, what, off);
}

/* ---- decoding ----------------------------------------------------------- */

int ft_pdu_decode(struct ft_pdu_ctx *ctx, const struct ft_pdu_src *src,
                  const uint8_t *buf, size_t len, struct ft_pdu_info *info,
                  struct ft_err *err)
{
    return ft_pdu_decode_into(ctx, src, buf, len, NULL, 0, info, err);
}

int ft_pdu_decode_into(struct ft_pdu_ctx *ctx, const struct ft_pdu_src *src,
                       const uint8_t *buf, size_t len, struct ft_flow *out, size_t room,
                       struct ft_pdu_info *info, struct ft_err *err)
{
    memset(info, 0, sizeof *info);
    ctx->n_out = 0;
    ctx->out = out ? out : ctx->own;
    ctx->cap_out = out ? room : ctx->cap_own;
    int rc;
    if (len > FT_PDU_MAX_DATAGRAM) {
        info->reason = FT_PDU_SIZE;
        ft_pdu_err(err, src, FT_PDU_MAX_DATAGRAM, "datagram of %zu bytes is too large", len);
        rc = -1;
    } else if (len < 4) {
        info->reason = FT_PDU_SHORT;
        ft_pdu_err(err, src, len, "datagram of %zu bytes has no version and count", len);
        rc = -1;
    } else {
        unsigned version = (unsigned)buf[0] << 8 | buf[1];
        info->version = version;
        switch (version) {
        case 1: case 5: case 6: case 7: case 8:
            rc = ft_pdu_decode_fixed(ctx, src, buf, len, info, err);
            break;
        case 9: case 10:
            rc = ft_pdu_decode_v9(ctx, src, buf, len, info, err);
            break;
        default:
            info->reason = FT_PDU_VERSION;
            ft_pdu_err(err, src, 0, "unsupported export version %u", version);
            rc = -1;
        }
    }
    info->flows = ctx->out;
    if (rc < 0) {
        ctx->st.rejected++;
        ctx->st.by_reason[info->reason]++;
        info->n_flows = 0;
        return -1;
    }
    /* Exporters' settings and quirks here, not in the decoders. */
    ft_exporters_apply(ctx->opts.exporters, ctx->out, ctx->n_out, src->recv_ms);
    /* Partial drops (unknown templates, bad records...) were counted where
     * they happened, once per set or record. */
    info->n_flows = ctx->n_out;
    ctx->st.datagrams++;
    ctx->st.flows += ctx->n_out;
    ctx->st.lost += info->lost;
    ctx->st.resets += info->resets;
    ctx->st.misordered += info->misordered;
    ctx->st.options_records += info->options_records;
    return (int)ctx->n_out;
}

const struct ft_format *ft_pdu_format(const struct ft_pdu_info *info)
{
    switch (info->version) {
    case 1: case 5: case 6: case 7:
        return ft_format_find(info->version, 0);
    case 8:
        return ft_format_find(8, info->agg_method);
    case 9: case 10:
        return ft_format_find(FT_DV_EXTENDED, 0);
    default:
        return NULL;
    }
}

void ft_pdu_stats(const struct ft_pdu_ctx *ctx, struct ft_pdu_stats *st)
{
    *st = ctx->st;
    st->templates_active = ctx->n_tmpls_total;
}
