/*
 * ft_report.c - the report engine: a definition's reports resolved into
 * runs (keys as field-table components, an ft_agg table each), and one pass
 * over the flows feeding them all.
 *
 * Per flow there is no look-up by name: the components are rows of the
 * field table chosen at open, and a key is written straight into a buffer.
 */
#include <stdlib.h>
#include <string.h>
#include "core/ft_bytes.h"
#include "stream/ft_format.h"
#include "report/ft_report_int.h"

#define REPORT_MAX_KEY 256

/* ---- opening ---------------------------------------------------------------- */

static int load_filters(struct ft_report *rp, struct ft_err *err)
{
    if (rp->filters)
        return 0;
    const char *path = rp->c->filter_file ? rp->c->filter_file : rp->o.filter_file;
    if (!path)
        return ft_err_set(err, "no filter file");
    struct ft_filter_opts fo = { .vars = rp->o.vars, .symdir = rp->o.symdir, .now = rp->o.now,
                                 .resolver = rp->o.resolver };
    rp->filters = ft_filter_load(path, &fo, err);
    return rp->filters ? 0 : -1;
}

/* The filter definition name used at line `line`, or an error naming it. */
static int find_filter(struct ft_report *rp, const char *name, unsigned line,
                       struct ft_filter_def **out, struct ft_err *err)
{
    if (load_filters(rp, err) < 0)
        return -1;
    *out = ft_filter_find(rp->filters, name);
    if (!*out)
        return ft_err_set(err, "%s line %u: unknown filter \"%s\"", rp->c->file, line, name);
    return 0;
}

static int find_tag(struct ft_report *rp, struct ft_err *err)
{
    const char *path = rp->c->tag_file ? rp->c->tag_file : rp->o.tag_file;
    if (!path)
        return ft_err_set(err, "no tag file");
    struct ft_tag_opts to = { .vars = rp->o.vars, .resolver = rp->o.resolver };
    rp->tags = ft_tag_load(path, &to, err);
    if (!rp->tags)
        return -1;
    rp->tag = ft_tag_find(rp->tags, rp->def->tag);
    if (!rp->tag)
        return ft_err_set(err, "%s line %u: unknown tag \"%s\"", rp->c->file,
                          rp->def->tag_line, rp->def->tag);
    return 0;
}

static int find_mask(struct ft_report *rp, struct ft_err *err)
{
    const char *path = rp->c->mask_file ? rp->c->mask_file : rp->o.mask_file;
    if (!path)
        return ft_err_set(err, "no mask file");
    rp->masks = ft_mask_load_r(path, rp->o.vars, rp->o.resolver, err);
    if (!rp->masks)
        return -1;
    rp->mask = ft_mask_find(rp->masks, rp->def->mask);
    if (!rp->mask)
        return ft_err_set(err, "%s line %u: unknown mask \"%s\"", rp->c->file,
                          rp->def->mask_line, rp->def->mask);
    return 0;
}

/* A key component for field id of report r. */
static void field_comp(const struct ft_rreport *r, unsigned id, struct rkey_comp *k)
{
    memset(k, 0, sizeof *k);
    k->field = &ft_fields[id];
    k->width = (uint8_t)ft_agg_key_width(k->field);
    k->and_mask = UINT32_MAX;
    if (id == FT_FLD_SRCADDR || id == FT_FLD_DSTADDR) {
        k->addr_fmt = id == FT_FLD_SRCADDR ? r->src_fmt : r->dst_fmt;
        if (k->addr_fmt != FT_RADDR_ADDRESS)
            k->mask = &ft_fields[id == FT_FLD_SRCADDR ? FT_FLD_SRC_MASK : FT_FLD_DST_MASK];
    }
    if (r->has_tag_mask && id == FT_FLD_SRC_TAG)
        k->and_mask = r->tag_mask_src;
    if (r->has_tag_mask && id == FT_FLD_DST_TAG)
        k->and_mask = r->tag_mask_dst;
}

/* Whether the original keeps the type in an array indexed by its value, so
 * that it lists keys (and sort ties) in the order of their values. */
static int keyed_by_value(const struct ft_rtype *t)
{
    if (t->kind == FT_RK_IP_PORT || t->kind == FT_RK_DST_ADDR_TYPE)
        return 1;
    if (t->kind != FT_RK_FIELDS || t->nkeys != 1)
        return 0;
    switch (ft_fields[t->key[0]].kind) {
    case FT_K_PORT: case FT_K_PROTOCOL: case FT_K_TOS: case FT_K_INTERFACE: case FT_K_AS:
    case FT_K_ENGINE:
        return 1;
    default:
        return 0;
    }
}

/* Bytes of a computed kind's key. */
static size_t kind_key_len(enum ft_rkind k, size_t addr_width)
{
    switch (k) {
    case FT_RK_DST_ADDR_TYPE: return 1;
    case FT_RK_IP_PORT: return 2;
    case FT_RK_IP_ADDRESS: case FT_RK_SRC_DST_COUNT: case FT_RK_DST_SRC_COUNT:
        return addr_width;
    case FT_RK_SUMMARY_DETAIL: case FT_RK_SUMMARY_COUNTERS: return 0;
    default: return 8;
    }
}

/* Bytes of an rctr a run's table keeps: the counters after the ones its
 * type and outputs use stay out of its entries (most reports: 32 of 120). */
static size_t counters_kept(const struct rrun *run)
{
    enum ft_rkind k = (enum ft_rkind)run->r->type.kind;
    if (k == FT_RK_LINEAR)
        return sizeof(struct rctr);
    if (run->rates)
        return offsetof(struct rctr, lflows);
    if (k == FT_RK_SRC_DST_COUNT || k == FT_RK_DST_SRC_COUNT)
        return offsetof(struct rctr, frecs);
    return offsetof(struct rctr, count);
}

static int make_tables(const struct ft_report *rp, struct rrun *run, struct ft_err *err);

static int open_run(struct ft_report *rp, const struct ft_rreport *r, struct rrun *run,
                    struct ft_err *err)
{
    memset(run, 0, sizeof *run);
    run->r = r;
    if (r->filter && find_filter(rp, r->filter, r->filter_line, &run->filter, err) < 0)
        return -1;
    const struct ft_rtype *t = &r->type;
    if (t->kind == FT_RK_FIELDS) {
        run->ncomp = t->nkeys;
        for (int i = 0; i < t->nkeys; i++)
            field_comp(r, t->key[i], &run->comp[i]);
    }
    run->addr_width = KEY_ADDR_WIDE;
    run->key_order = keyed_by_value(t);
    /* two divisions a flow, only for the reports that show them */
    for (size_t i = 0; i < r->nout; i++) {
        const struct ft_routput *o = &r->out[i];
        uint32_t sorted = o->sort_col >= 0 ? FT_RC_BIT(o->sort_col) : 0;
        if ((o->fields | sorted) & (FT_RC_PPS | FT_RC_BPS | FT_RC_BIT(FT_RC_FRECS)))
            run->rates = 1;
    }
    run->tot.first_s = UINT32_MAX;
    return make_tables(rp, run, err);
}

/* The key length of run for its addr_width, and its tables (none for the
 * summary kinds). */
static int make_tables(const struct ft_report *rp, struct rrun *run, struct ft_err *err)
{
    const struct ft_rtype *t = &run->r->type;
    run->key_len = 0;
    if (t->kind == FT_RK_FIELDS) {
        for (int i = 0; i < run->ncomp; i++) {
            struct rkey_comp *k = &run->comp[i];
            if (k->field->type == FT_T_IP)
                k->width = run->addr_width;
            run->key_len += k->width + (k->mask ? 1u : 0u);
        }
    } else {
        run->key_len = kind_key_len(t->kind, run->addr_width);
    }
    if (run->key_len == 0)
        return 0;
    run->val_len = counters_kept(run);
    struct ft_agg_opts ao = { .key_len = run->key_len, .val_len = run->val_len,
                              .max_keys = rp->o.max_keys };
    run->agg = ft_agg_new(&ao, err);
    if (!run->agg)
        return -1;
    /* Value order is the listing order of these types, so counting in an
     * array indexed by the value and folding it in at the end lists the
     * same; not when the key limit could keep the first keys seen. */
    if (run->key_order && run->key_len <= 2 &&
        rep_max_keys(rp) >= (size_t)1 << (8 * run->key_len) &&
        !(run->dense = ft_dense_new(run->key_len, run->val_len)))
        return ft_err_set(err, "out of memory");
    if (t->kind == FT_RK_SRC_DST_COUNT || t->kind == FT_RK_DST_SRC_COUNT) {
        struct ft_agg_opts po = { .key_len = 2u * run->addr_width, .val_len = 1,
                                  .max_keys = rp->o.max_keys };
        run->pairs = ft_agg_new(&po, err);
        if (!run->pairs)
            return -1;
    }
    return 0;
}

struct ft_report *ft_report_open(const struct ft_rcfg *c, const char *def_name,
                                 const struct ft_report_opts *o, struct ft_err *err)
{
    const struct ft_rdef *def = ft_rcfg_find_def(c, def_name);
    if (!def) {
        ft_err_set(err, "No such definition, %s.", def_name);
        return NULL;
    }
    struct ft_report *rp = calloc(1, sizeof *rp);
    if (!rp) {
        ft_err_set(err, "out of memory");
        return NULL;
    }
    rp->c = c;
    rp->def = def;
    rp->o = *o;
    if (!rp->o.now)
        rp->o.now = time(NULL);
    int rc = 0;
    if (def->filter)
        rc = find_filter(rp, def->filter, def->filter_line, &rp->def_filter, err);
    if (rc == 0 && def->tag)
        rc = find_tag(rp, err);
    if (rc == 0 && def->mask)
        rc = find_mask(rp, err);
    if (rc == 0 && !(rp->run = calloc(def->nreport ? def->nreport : 1, sizeof *rp->run)))
        rc = ft_err_set(err, "out of memory");
    for (size_t i = 0; rc == 0 && i < def->nreport; i++, rp->nrun++)
        rc = open_run(rp, &c->rep[def->report[i]], &rp->run[i], err);
    if (rc == 0 && (rp->tag || rp->mask) && !(rp->scratch = malloc(FT_READ_BATCH * sizeof *rp->scratch)))
        rc = ft_err_set(err, "out of memory");
    if (rc < 0) {       /* nrun counts the run that failed, half made */
        ft_report_free(rp);
        return NULL;
    }
    return rp;
}

void ft_report_free(struct ft_report *rp)
{
    if (!rp)
        return;
    for (size_t i = 0; i < rp->nrun; i++) {
        ft_agg_free(rp->run[i].agg);
        ft_agg_free(rp->run[i].pairs);
        ft_dense_free(rp->run[i].dense);
    }
    for (int t = 0; t < FT_SYM_NTABLES; t++)
        ft_sym_free(rp->sym[t]);
    free(rp->run);
    free(rp->scratch);
    ft_filter_free(rp->filters);
    ft_tag_free(rp->tags);
    ft_mask_free(rp->masks);
    free(rp);
}

uint64_t ft_report_needs(const struct ft_report *rp)
{
    uint64_t need = 0;
    for (size_t i = 0; i < rp->nrun; i++) {
        need |= rp->run[i].r->type.needs;
        if (rp->run[i].filter)
            need |= ft_filter_def_fields(rp->run[i].filter);
    }
    if (rp->tag)    /* tagging makes the tags */
        need &= ~(uint64_t)FT_TAG_FIELDS;
    if (rp->def_filter)
        need |= ft_filter_def_fields(rp->def_filter);
    if (rp->mask)
        need |= FT_MASK_FIELDS;
    return need;
}

uint64_t ft_report_reads(const struct ft_report *rp)
{
    const uint64_t counted = FT_F_DFLOWS | FT_F_DPKTS | FT_F_DOCTETS | FT_F_FIRST |
        FT_F_LAST | FT_F_UNIX_SECS | FT_F_UNIX_NSECS | FT_F_SYSUPTIME;
    if (rp->tag)
        return 0;
    uint64_t reads = ft_report_needs(rp) | counted;
    for (size_t i = 0; i < rp->nrun; i++)       /* and the prefix lengths of prefix formats */
        for (int k = 0; k < rp->run[i].ncomp; k++)
            reads |= rp->run[i].comp[k].field->has |
                     (rp->run[i].comp[k].mask ? rp->run[i].comp[k].mask->has : 0);
    return reads;
}

void ft_report_set_header(struct ft_report *rp, const struct ft_header *h)
{
    rp->hdr = h;
    /* A stream whose format has no IPv6 keys addresses by their 4 bytes, not
     * 17: a quarter of the memory of an address report.  No flow has been
     * counted yet, so the empty tables are made again, narrower; a run
     * whose new tables cannot be made keeps its wide ones. */
    if (!h || h->d_version == FT_DV_EXTENDED)
        return;
    for (size_t i = 0; i < rp->nrun; i++) {
        struct rrun *run = &rp->run[i], wide = *run;
        if (!run->agg || run->addr_width == KEY_ADDR_V4 || run->tot.recs)
            continue;
        struct ft_err err;
        run->addr_width = KEY_ADDR_V4;
        if (make_tables(rp, run, &err) < 0) {
            ft_agg_free(run->agg);
            ft_agg_free(run->pairs);
            ft_dense_free(run->dense);
            *run = wide;
            continue;
        }
        ft_agg_free(wide.agg);
        ft_agg_free(wide.pairs);
        ft_dense_free(wide.dense);
    }
}

size_t ft_report_incomplete(const struct ft_report *rp)
{
    size_t n = 0;
    for (size_t i = 0; i < rp->nrun; i++)
        if (rep_refused(&rp->run[i]))
            n++;
    return n;
}

/* ---- one flow --------------------------------------------------------------- */

/* What a flow counts for in a report (scaled). */
struct fvals {
    uint64_t flows, octets, packets, duration;
};

static void count_rates(struct rctr *c, const struct fvals *v)
{
    if (!v->duration)
        return;
    double pps = (double)v->packets * 1000.0 / (double)v->duration;
    double bps = (double)v->octets * 8000.0 / (double)v->duration;
    if (!c->frecs || pps < c->pps_min)
        c->pps_min = pps;
    if (!c->frecs || bps < c->bps_min)
        c->bps_min = bps;
    if (pps > c->pps_max)
        c->pps_max = pps;
    if (bps > c->bps_max)
        c->bps_max = bps;
    c->pps_sum += pps;
    c->bps_sum += bps;
    c->frecs++;
}

/* Add v to the counters of key; NULL when the table refused the key. */
static struct rctr *count_key(struct rrun *run, const uint8_t *key, const struct fvals *v)
{
    int added;
    struct rctr *c = run->dense ? ft_dense_at(run->dense, (uint32_t)ft_ldn(key, run->key_len, 1))
                                : ft_agg_get(run->agg, key, &added);
    if (!c)
        return NULL;
    c->flows += v->flows;
    c->octets += v->octets;
    c->packets += v->packets;
    c->duration += v->duration;
    if (run->rates)
        count_rates(c, v);
    return c;
}

/* An address as a key of width bytes (KEY_ADDR_V4 or KEY_ADDR_WIDE). */
static void put_ip(uint8_t *p, const struct ft_ip *ip, size_t width)
{
    if (width == KEY_ADDR_V4) {
        ft_st32(p, ip->v4, 1);
        return;
    }
    memset(p, 0, 17);
    p[0] = ip->af;
    if (ip->af == FT_AF_INET)
        ft_st32(p + 1, ip->v4, 1);
    else if (ip->af == FT_AF_INET6)
        memcpy(p + 1, ip->v6, 16);
}

/* The prefix of an address component: the mask length, and for
 * prefix-mask the address cut to it. */
static uint8_t *put_prefix(uint8_t *p, const struct rkey_comp *k, const struct ft_flow *f)
{
    unsigned len = (unsigned)ft_field_get(f, k->mask);
    uint8_t *start = p - k->width;
    uint8_t *v4 = k->width == KEY_ADDR_V4 ? start : start[0] == FT_AF_INET ? start + 1 : NULL;
    if (k->addr_fmt == FT_RADDR_PREFIX_MASK && v4) {
        uint32_t a = ft_ld32(v4, 1);
        a &= len == 0 ? 0 : len >= 32 ? UINT32_MAX : ~(UINT32_MAX >> len);
        ft_st32(v4, a, 1);
    }
    *p++ = (uint8_t)len;
    return p;
}

static void build_field_key(const struct rrun *run, const struct ft_flow *f, uint8_t *key)
{
    uint8_t *p = key;
    for (int i = 0; i < run->ncomp; i++) {
        const struct rkey_comp *k = &run->comp[i];
        if (k->field->type == FT_T_IP) {
            put_ip(p, ft_field_cptr(f, k->field), k->width);
            p += k->width;
            if (k->mask)
                p = put_prefix(p, k, f);
        } else {
            ft_stn(p, ft_field_get(f, k->field) & k->and_mask, k->width, 1);
            p += k->width;
        }
    }
}

/* The class of an IPv4 destination: 0 A, 1 B, 2 C, 3 D (multicast), 4 E. */
static uint8_t address_class(const struct ft_ip *ip)
{
    if (ip->af != FT_AF_INET)
        return 0;
    uint32_t a = ip->v4;
    if (!(a & 0x80000000u))
        return 0;
    if ((a & 0xC0000000u) == 0x80000000u)
        return 1;
    if ((a & 0xE0000000u) == 0xC0000000u)
        return 2;
    if ((a & 0xF0000000u) == 0xE0000000u)
        return 3;
    return 4;
}

static uint64_t per(uint64_t a, uint64_t b)
{
    return b ? a / b : 0;
}

/* Units per second of a flow (the bps and pps keys, from the flow's own
 * counters, before `scale`); 0 for a flow without duration. */
static uint64_t rate(uint64_t units, uint64_t duration_ms)
{
    return duration_ms ? (uint64_t)((double)units * 1000.0 / (double)duration_ms) : 0;
}

/* Each second the flow lasted gets its share of the flow. */
static void count_linear(struct rrun *run, const struct ft_flow *f, const struct fvals *v)
{
    uint64_t s0 = ft_flow_start_ms(f) / 1000, s1 = ft_flow_end_ms(f) / 1000;
    if (s1 < s0)
        s1 = s0;
    double n = (double)(s1 - s0 + 1);
    uint8_t key[8];
    for (uint64_t s = s0; s <= s1; s++) {
        int added;
        ft_st64(key, s, 1);
        struct rctr *c = ft_agg_get(run->agg, key, &added);
        if (!c)
            return;
        c->lflows += (double)v->flows / n;
        c->loctets += (double)v->octets / n;
        c->lpackets += (double)v->packets / n;
    }
}

/* The -count types: count the pair once, under its first address. */
static void count_pair(struct rrun *run, const struct ft_ip *a, const struct ft_ip *b,
                       const struct fvals *v)
{
    uint8_t pair[2 * KEY_ADDR_WIDE], key[24] = { 0 };
    put_ip(pair, a, run->addr_width);
    put_ip(pair + run->addr_width, b, run->addr_width);
    memcpy(key, pair, run->addr_width);
    struct rctr *c = count_key(run, key, v);
    int added = 0;
    if (c && ft_agg_get(run->pairs, pair, &added) && added)
        c->count++;
}

static void count_keyed(struct rrun *run, const struct ft_flow *f, const struct fvals *v)
{
    uint8_t key[REPORT_MAX_KEY];
    switch ((enum ft_rkind)run->r->type.kind) {
    case FT_RK_FIELDS:
        build_field_key(run, f, key);
        count_key(run, key, v);
        return;
    case FT_RK_PACKET_SIZE: ft_st64(key, per(v->octets, v->packets), 1); break;
    case FT_RK_OCTETS: ft_st64(key, per(v->octets, v->flows), 1); break;
    case FT_RK_PACKETS: ft_st64(key, per(v->packets, v->flows), 1); break;
    case FT_RK_BPS: ft_st64(key, rate(f->doctets * 8, v->duration), 1); break;
    case FT_RK_PPS: ft_st64(key, rate(f->dpkts, v->duration), 1); break;
    case FT_RK_FIRST: ft_st64(key, f->first, 1); break;
    case FT_RK_LAST: ft_st64(key, f->last, 1); break;
    case FT_RK_DURATION: ft_st64(key, v->duration, 1); break;
    case FT_RK_DST_ADDR_TYPE: key[0] = address_class(&f->dstaddr); break;
    case FT_RK_IP_ADDRESS:
        put_ip(key, &f->srcaddr, run->addr_width);
        count_key(run, key, v);
        put_ip(key, &f->dstaddr, run->addr_width);
        break;
    case FT_RK_IP_PORT:
        ft_st16(key, f->srcport, 1);
        count_key(run, key, v);
        ft_st16(key, f->dstport, 1);
        break;
    case FT_RK_SRC_DST_COUNT: count_pair(run, &f->srcaddr, &f->dstaddr, v); return;
    case FT_RK_DST_SRC_COUNT: count_pair(run, &f->dstaddr, &f->srcaddr, v); return;
    case FT_RK_LINEAR: count_linear(run, f, v); return;
    default: return;
    }
    count_key(run, key, v);
}

/* summary-detail's distributions: the upper bounds of the buckets but the
 * last (print-formats.md section 5, the `# rec2:` line). */
static const uint32_t psize_bounds[RD_BUCKETS - 1] = {
    32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448, 480, 512, 544, 576,
    1024, 1536, 2048, 2560, 3072, 3584, 4096 };
static const uint32_t fpsize_bounds[RD_BUCKETS - 1] = {
    1, 2, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 60, 100, 200, 300, 400, 500,
    600, 700, 800, 900 };
static const uint32_t fosize_bounds[RD_BUCKETS - 1] = {
    32, 64, 128, 256, 512, 1280, 2048, 2816, 3584, 4352, 5120, 5888, 6656, 7424, 8192,
    8960, 9728, 10496, 11264, 12032, 12800, 13568, 14336, 15104, 15872 };
static const uint32_t ftime_bounds[RD_BUCKETS - 1] = {
    10, 50, 100, 200, 500, 1000, 2000, 3000, 4000, 5000, 6000, 7000, 8000, 9000, 10000,
    12000, 14000, 16000, 18000, 20000, 22000, 24000, 26000, 28000, 30000 };

static unsigned bucket(uint64_t x, const uint32_t *bounds)
{
    for (unsigned i = 0; i < RD_BUCKETS - 1; i++)
        if (x <= bounds[i])
            return i;
    return RD_BUCKETS - 1;
}

static void count_detail(struct rdetail *d, const struct fvals *v)
{
    d->psize[bucket(per(v->octets, v->packets), psize_bounds)]++;
    d->fpsize[bucket(v->packets, fpsize_bounds)]++;
    d->fosize[bucket(v->octets, fosize_bounds)]++;
    d->ftime[bucket(v->duration, ftime_bounds)]++;
}

static void count_flow(struct rrun *run, const struct ft_flow *f)
{
    const struct ft_rreport *r = run->r;
    if (run->filter && !ft_filter_match(run->filter, f))
        return;
    uint64_t scale = r->scale ? r->scale : 1;
    struct fvals v = {
        .flows = (f->has & FT_F_DFLOWS) ? f->dflows : 1,
        .octets = f->doctets * scale,
        .packets = f->dpkts * scale,
        .duration = ft_flow_duration_ms(f),
    };
    struct rtotals *t = &run->tot;
    t->recs++;
    t->flows += v.flows;
    t->octets += v.octets;
    t->packets += v.packets;
    t->duration += v.duration;
    if (f->unix_secs < t->first_s)
        t->first_s = f->unix_secs;
    if (f->unix_secs > t->last_s)
        t->last_s = f->unix_secs;
    if (f->last > t->max_last)
        t->max_last = f->last;
    t->any = 1;
    if (r->type.kind == FT_RK_SUMMARY_DETAIL)
        count_detail(&run->detail, &v);
    if (run->agg)
        count_keyed(run, f, &v);
}

/* ---- the pass --------------------------------------------------------------- */

static void clear_run(struct rrun *run)
{
    if (run->agg)
        ft_agg_clear(run->agg);
    if (run->pairs)
        ft_agg_clear(run->pairs);
    memset(&run->tot, 0, sizeof run->tot);
    memset(&run->detail, 0, sizeof run->detail);
    run->tot.first_s = UINT32_MAX;
}

static int write_all(struct ft_report *rp, struct ft_out *out, struct ft_err *err)
{
    for (size_t i = 0; i < rp->nrun; i++) {
        struct rrun *run = &rp->run[i];
        /* the table is empty and holds every value: nothing is refused */
        if (run->dense)
            (void)ft_dense_fold(run->dense, run->agg);
        if (rep_write_run(rp, run, out, err) < 0)
            return -1;
    }
    rp->written++;
    return 0;
}

/* Time series: write and empty the reports when f is past the interval.
 * An interval starts at the export time of its first flow, as in the
 * original (not at a multiple of its length). */
static int next_interval(struct ft_report *rp, const struct ft_flow *f, struct ft_out *out,
                         struct ft_err *err)
{
    uint64_t t = f->unix_secs;
    if (rp->interval_end && t < rp->interval_end)
        return 0;
    if (rp->interval_end) {
        if (write_all(rp, out, err) < 0)
            return -1;
        for (size_t i = 0; i < rp->nrun; i++)
            clear_run(&rp->run[i]);
    }
    rp->interval_end = t + rp->def->time_series;
    return 0;
}

/* Lookups ahead of the count: the index slot at PREFETCH_FAR flows, the
 * entry at PREFETCH_NEAR, for the reports keyed by fields (a table of
 * 100000 addresses is past the core's cache; its misses overlap now). */
#define PREFETCH_FAR 16
#define PREFETCH_NEAR 8

static void prefetch_keys(struct ft_report *rp, const struct ft_flow *f, int near)
{
    uint8_t key[REPORT_MAX_KEY];
    for (size_t r = 0; r < rp->nrun; r++) {
        struct rrun *run = &rp->run[r];
        /* value-indexed arrays gained nothing measurable: left out */
        if (!run->agg || run->dense || run->r->type.kind != FT_RK_FIELDS)
            continue;
        build_field_key(run, f, key);
        if (near)
            ft_agg_prefetch_entry(run->agg, key);
        else
            ft_agg_prefetch_slot(run->agg, key);
    }
}

int ft_report_flows(struct ft_report *rp, const struct ft_flow *flows, size_t n,
                    struct ft_out *out, struct ft_err *err)
{
    while (n > 0) {
        size_t batch = n < FT_READ_BATCH ? n : FT_READ_BATCH;
        const struct ft_flow *fl = flows;
        if (rp->tag || rp->mask) {  /* masks, then tags, then the filter */
            memcpy(rp->scratch, flows, batch * sizeof *flows);
            if (rp->mask)
                ft_mask_apply(rp->mask, rp->scratch, batch);
            if (rp->tag)
                ft_tag_apply(rp->tag, rp->scratch, batch);
            fl = rp->scratch;
        }
        for (size_t i = 0; i < batch; i++) {
            const struct ft_flow *f = &fl[i];
            if (i + PREFETCH_FAR < batch)
                prefetch_keys(rp, &fl[i + PREFETCH_FAR], 0);
            if (i + PREFETCH_NEAR < batch)
                prefetch_keys(rp, &fl[i + PREFETCH_NEAR], 1);
            if (rp->def_filter && !ft_filter_match(rp->def_filter, f))
                continue;
            if (rp->def->time_series && next_interval(rp, f, out, err) < 0)
                return -1;
            for (size_t r = 0; r < rp->nrun; r++)
                count_flow(&rp->run[r], f);
        }
        flows += batch;
        n -= batch;
    }
    return 0;
}

int ft_report_finish(struct ft_report *rp, struct ft_out *out, struct ft_err *err)
{
    return write_all(rp, out, err);
}

/* ---- groups: flows counted elsewhere (flow-report -c, a database) ------------ */

const char *ft_report_group_keys(const struct ft_report *rp, size_t i, unsigned *ids,
                                 size_t *n)
{
    if (rp->def_filter || rp->tag || rp->mask)
        return "the definition has a filter, tag or mask";
    if (rp->def->time_series)
        return "the definition is a time series";
    if (i >= rp->nrun)
        return "no such report";
    const struct rrun *run = &rp->run[i];
    enum ft_rkind k = (enum ft_rkind)run->r->type.kind;
    if (run->filter)
        return "the report has a filter";
    if (run->rates)
        return "its outputs show or sort on per-flow rates (pps, bps)";
    if (k != FT_RK_FIELDS && k != FT_RK_SUMMARY_COUNTERS)
        return "its type is not a grouping of flow fields";
    *n = 0;
    for (int c = 0; c < run->ncomp; c++) {
        ids[(*n)++] = run->comp[c].field->id;
        if (run->comp[c].mask)
            ids[(*n)++] = run->comp[c].mask->id;
    }
    return NULL;
}

size_t ft_report_nreports(const struct ft_report *rp)
{
    return rp->nrun;
}

const char *ft_report_name(const struct ft_report *rp, size_t i)
{
    return i < rp->nrun ? rp->run[i].r->name : NULL;
}

void ft_report_add_group(struct ft_report *rp, size_t i, const struct ft_report_group *g)
{
    struct rrun *run = &rp->run[i];
    uint64_t scale = run->r->scale ? run->r->scale : 1;
    struct fvals v = {
        .flows = g->flows, .octets = g->octets * scale, .packets = g->packets * scale,
        .duration = g->duration,
    };
    struct rtotals *t = &run->tot;
    t->recs += g->recs;
    t->flows += v.flows;
    t->octets += v.octets;
    t->packets += v.packets;
    t->duration += v.duration;
    if (g->first_s < t->first_s)
        t->first_s = g->first_s;
    if (g->last_s > t->last_s)
        t->last_s = g->last_s;
    if (g->max_last > t->max_last)
        t->max_last = g->max_last;
    t->any = 1;
    if (run->agg) {
        uint8_t key[REPORT_MAX_KEY];
        build_field_key(run, g->key, key);
        count_key(run, key, &v);
    }
}
