/*
 * ft_pdu_ctx.c - the decoder context: the exporter table, each exporter's
 * templates (lookup, replacement, withdrawal, expiry, limits), the output
 * slots of a call, messages, counters.  Calls no decoder.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "net/ft_addrspec.h"
#include "core/ft_err.h"
#include "pdu/ft_pdu_ctx.h"

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

/* What an exporter entry owns: its templates and sequence slots. */
static void exporter_free(struct ft_pdu_exporter_state *e)
{
    for (uint32_t i = 0; i < e->n_tmpls; i++)
        free(e->tmpls[i].f);
    free(e->tmpls);
    free(e->slots);
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
    for (uint32_t i = 0; i < ctx->n_exps; i++)
        exporter_free(&ctx->exps[i]);
    for (uint32_t i = 0; i < ctx->n_pend; i++)
        free(ctx->pend[i].data);
    free(ctx->pend);
    free(ctx->exps);
    free(ctx->buckets);
    free(ctx->own);
    free(ctx);
}

void ft_pdu_stats(const struct ft_pdu_ctx *ctx, struct ft_pdu_stats *st)
{
    *st = ctx->st;
    st->templates_active = ctx->n_tmpls_total;
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
struct ft_pdu_exporter_state *ft_pdu_exporter_get(struct ft_pdu_ctx *ctx,
                                                  const struct ft_pdu_src *src,
                                                  unsigned version, uint32_t source_id,
                                                  int *created)
{
    int templated = version >= 9;
    uint16_t port = templated && !ctx->opts.ignore_port ? src->port : 0;
    struct ft_ip local = src->local;
    if (local.af != FT_AF_INET && local.af != FT_AF_INET6)
        memset(&local, 0, sizeof local);
    uint32_t b = exporter_hash(&src->addr, &local, port, version, source_id) % ctx->n_buckets;
    *created = 0;
    for (uint32_t i = ctx->buckets[b]; i; i = ctx->exps[i - 1].hash_next) {
        struct ft_pdu_exporter_state *e = &ctx->exps[i - 1];
        if (e->version == version && e->port == port && e->source_id == source_id &&
            ft_ip_equal(&e->addr, &src->addr) && ft_ip_equal(&e->local, &local))
            return e;
    }
    if (ctx->n_exps >= ctx->opts.max_exporters)
        return NULL;
    if (ctx->n_exps == ctx->cap_exps) {
        uint32_t cap = ctx->cap_exps ? ctx->cap_exps * 2 : 16;
        struct ft_pdu_exporter_state *n = realloc(ctx->exps, cap * sizeof *n);
        if (!n)
            return NULL;
        ctx->exps = n;
        ctx->cap_exps = cap;
    }
    struct ft_pdu_exporter_state *e = &ctx->exps[ctx->n_exps++];
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
        const struct ft_pdu_exporter_state *e = &ctx->exps[i];
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

/* ---- an exporter's templates -------------------------------------------- */

static void tmpl_remove(struct ft_pdu_ctx *ctx, struct ft_pdu_exporter_state *e,
                        uint32_t i)
{
    free(e->tmpls[i].f);
    e->tmpls[i] = e->tmpls[--e->n_tmpls];
    ctx->n_tmpls_total--;
}

static int tmpl_expired(const struct ft_pdu_ctx *ctx, const struct tmpl *t, uint64_t now_ms)
{
    uint64_t limit = (uint64_t)ctx->opts.template_timeout_s * 1000u;
    return limit && now_ms && t->learned_ms && now_ms > t->learned_ms &&
           now_ms - t->learned_ms > limit;
}

struct tmpl *ft_tmpl_find(struct ft_pdu_ctx *ctx, struct ft_pdu_exporter_state *e,
                          uint16_t id, uint64_t now_ms)
{
    for (uint32_t i = 0; i < e->n_tmpls; i++) {
        if (e->tmpls[i].id != id)
            continue;
        if (tmpl_expired(ctx, &e->tmpls[i], now_ms)) {
            tmpl_remove(ctx, e, i);
            ctx->st.templates_expired++;
            return NULL;
        }
        return &e->tmpls[i];
    }
    return NULL;
}

int ft_tmpl_put(struct ft_pdu_ctx *ctx, struct ft_pdu_exporter_state *e, struct tmpl *t)
{
    for (uint32_t i = 0; i < e->n_tmpls; i++) {
        struct tmpl *old = &e->tmpls[i];
        if (old->id != t->id)
            continue;
        if (ft_tmpl_same(old, t)) {     /* a refresh: its fields are known */
            old->learned_ms = t->learned_ms;
            free(t->f);
        } else {                        /* a redefinition */
            ft_tmpl_resolve(t);
            free(old->f);
            *old = *t;
        }
        ctx->st.templates_learned++;
        return 0;
    }
    if (e->n_tmpls >= ctx->opts.max_templates_per_exporter ||
        ctx->n_tmpls_total >= ctx->opts.max_templates)
        return -1;
    if (e->n_tmpls == e->cap_tmpls) {
        uint32_t cap = e->cap_tmpls ? e->cap_tmpls * 2 : 8;
        struct tmpl *n = realloc(e->tmpls, cap * sizeof *n);
        if (!n)
            return -1;
        e->tmpls = n;
        e->cap_tmpls = cap;
    }
    ft_tmpl_resolve(t);
    e->tmpls[e->n_tmpls++] = *t;
    ctx->n_tmpls_total++;
    ctx->st.templates_learned++;
    return 0;
}

uint32_t ft_tmpl_withdraw(struct ft_pdu_ctx *ctx, struct ft_pdu_exporter_state *e,
                          uint16_t id)
{
    for (uint32_t i = 0; i < e->n_tmpls; i++) {
        if (e->tmpls[i].id == id) {
            tmpl_remove(ctx, e, i);
            ctx->st.templates_withdrawn++;
            return 1;
        }
    }
    return 0;
}

uint32_t ft_tmpl_withdraw_all(struct ft_pdu_ctx *ctx, struct ft_pdu_exporter_state *e,
                              int options)
{
    uint32_t n = 0;
    for (uint32_t i = e->n_tmpls; i > 0; i--) {
        if (e->tmpls[i - 1].options == options) {
            tmpl_remove(ctx, e, i - 1);
            n++;
        }
    }
    ctx->st.templates_withdrawn += n;
    return n;
}

/* ---- output ------------------------------------------------------------- */

void ft_pdu_out_begin(struct ft_pdu_ctx *ctx, struct ft_flow *out, size_t room)
{
    ctx->n_out = 0;
    ctx->out = out ? out : ctx->own;
    ctx->cap_out = out ? room : ctx->cap_own;
}

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
 * (Fewer past opts.max_flows or out of memory: counted once.)  Zeroing
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

struct ft_flow *ft_pdu_out_next(struct ft_pdu_ctx *ctx)
{
    size_t got;
    return ft_pdu_out_take(ctx, 1, &got);
}

/* ---- messages ----------------------------------------------------------- */

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
