/*
 * ft_stat.c - flow-stat's reports (see ft_stat.h): the info block, and the
 * key reports, counted in an ft_agg table and listed in the original's
 * order.
 *
 * Order, as flow-tools lists them: reports of 8- and 16-bit keys (ports,
 * protocols, interfaces, AS, ToS, engines) were arrays in the original, so
 * unsorted they come by descending key; the others were hash tables walked
 * in the order keys were first seen.  A sort (-s) is stable over that base
 * order (ascending keys for the arrays), and a descending sort (-S) lists
 * the ascending one backwards, ties included.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "core/ft_bytes.h"
#include "core/ft_field.h"
#include "report/ft_stat_int.h"
#include "text/ft_print.h"

/* ---- the report information block ---------------------------------------- */

static void info_line(struct ft_out *o, char c, const char *label, const char *value)
{
    char *p = ft_out_reserve(o, 64);
    int n = snprintf(p, 64, "%c %-11s", c, label);
    ft_out_commit(o, p + n);
    ft_out_str(o, value);
    ft_out_write(o, "\n", 1);
}

void ft_stat_info(struct ft_out *o, const struct ft_stat_opts *opts, const char *title,
                  int argc, char *const *args, const struct ft_header *h)
{
    char c = opts->comment;
    char buf[64];
    ft_out_write(o, (char[]){c}, 1);
    ft_out_str(o, "  --- ---- ---- Report Information --- --- ---\n");
    ft_out_write(o, (char[]){c, '\n'}, 2);
    if (title)
        info_line(o, c, "Title:", title);
    info_line(o, c, "Fields:", opts->percent ? "Percent Total" : "Total");
    info_line(o, c, "Symbols:", opts->names ? "Enabled" : "Disabled");
    if (opts->order == FT_STAT_UNSORTED)
        snprintf(buf, sizeof buf, "None");
    else
        snprintf(buf, sizeof buf, "%s Field %d",
                 opts->order == FT_STAT_ASCENDING ? "Ascending" : "Descending",
                 opts->sort_field);
    info_line(o, c, "Sorting:", buf);
    const char *name = ft_stat_format_name(opts->format);
    info_line(o, c, "Name:", name ? name : "");
    ft_out_write(o, (char[]){c, '\n'}, 2);
    ft_out_write(o, (char[]){c}, 1);
    ft_out_str(o, " Args:      ");
    for (int i = 0; i < argc; i++) {
        for (const char *s = args[i]; *s; s++)
            if (isprint((unsigned char)*s))
                ft_out_write(o, s, 1);
        ft_out_write(o, " ", 1);
    }
    ft_out_write(o, "\n", 1);
    ft_out_write(o, (char[]){c, '\n'}, 2);
    if (h)
        ft_header_print(o, h, c);
}

/* ---- building a report ----------------------------------------------------- */

static size_t col_bytes(const struct ft_stat_col *col)
{
    switch (col->derive) {
    case FT_SD_PKTSIZE: return 8;
    case FT_SD_PREFIX: return 18;    /* the masked address, then its length */
    default: return ft_agg_key_width(&ft_fields[col->field]);
    }
}

/* Bytes of the one 8- or 16-bit field a report counts by (then it counts
 * in a dense array), or 0. */
static size_t dense_width(const struct ft_stat_fmt *f)
{
    if ((f->ncols != 1 && !f->each) || f->col[0].derive != FT_SD_FIELD)
        return 0;
    size_t w = ft_agg_key_width(&ft_fields[f->col[0].field]);
    return w <= 2 ? w : 0;
}

static void open_tables(struct ft_stat *s, struct ft_err *err)
{
    for (int c = 0; c < s->fmt->ncols; c++) {
        if (!s->opts.names || s->fmt->col[c].sym == FT_SYM_NONE)
            continue;
        /* A table that cannot be read leaves the column numeric, as flow-tools. */
        s->sym[c] = ft_sym_open(s->opts.symdir, (enum ft_sym_table)s->fmt->col[c].sym, err);
    }
}

uint64_t ft_stat_reads(int format)
{
    return ft_stat_required(format) | FT_F_DFLOWS | FT_F_DPKTS | FT_F_DOCTETS | FT_F_FIRST |
        FT_F_LAST | FT_F_UNIX_SECS | FT_F_UNIX_NSECS | FT_F_SYSUPTIME | FT_F_PROT;
}

struct ft_stat *ft_stat_new(const struct ft_stat_opts *opts, const struct ft_format *fmt,
                            enum ft_stat_error *why, struct ft_err *err)
{
    if (opts->format < 0 || opts->format >= FT_STAT_NFORMATS) {
        *why = FT_STAT_ENOFORMAT;
        ft_err_set(err, "No such format, %d", opts->format);
        return NULL;
    }
    uint64_t missing = ft_stat_required(opts->format) & ~fmt->mask;
    if (missing) {
        *why = FT_STAT_EFIELDS;
        for (int i = 0; i < FT_NFIELDS; i++)
            if (ft_fields[i].has & missing) {
                ft_err_set(err, "%s records lack the %s field this report needs",
                           fmt->name, ft_fields[i].name);
                break;
            }
        return NULL;
    }
    struct ft_stat *s = calloc(1, sizeof *s);
    if (!s) {
        *why = FT_STAT_ENOMEM;
        ft_err_set(err, "out of memory");
        return NULL;
    }
    s->opts = *opts;
    s->fmt = &ft_stat_fmts[opts->format];
    s->sum.first_min = s->sum.secs_min = UINT32_MAX;
    s->sum.ymin = UINT64_MAX;
    if (s->fmt->kind == FT_SK_KEYS) {
        size_t len = 0;
        for (int c = 0; c < (s->fmt->each ? 1 : s->fmt->ncols); c++)
            len += col_bytes(&s->fmt->col[c]);
        s->key_len = len;
        struct ft_agg_opts ao = {.key_len = s->key_len,
                                 .val_len = sizeof(struct ft_stat_counts),
                                 .max_keys = opts->max_keys};
        s->agg = ft_agg_new(&ao, err);
        if (!s->agg) {
            *why = FT_STAT_ENOMEM;
            free(s);
            return NULL;
        }
        open_tables(s, err);
        if (dense_width(s->fmt) &&
            !(s->dense = ft_dense_new(dense_width(s->fmt), sizeof(struct ft_stat_counts)))) {
            *why = FT_STAT_ENOMEM;
            ft_err_set(err, "out of memory");
            ft_stat_free(s);
            return NULL;
        }
    }
    return s;
}

void ft_stat_free(struct ft_stat *s)
{
    if (!s)
        return;
    ft_agg_free(s->agg);
    ft_dense_free(s->dense);
    for (int c = 0; c < 2; c++)
        ft_sym_free(s->sym[c]);
    free(s);
}

uint64_t ft_stat_bogus(const struct ft_stat *s) { return s->bogus; }
size_t ft_stat_keys(const struct ft_stat *s) { return s->agg ? ft_agg_count(s->agg) : 0; }
uint64_t ft_stat_refused(const struct ft_stat *s)
{
    if (!s->agg)
        return 0;
    /* The fold's refusals are keys; dense_refused counts their flows. */
    return dense_width(s->fmt) ? s->dense_refused : ft_agg_refused(s->agg);
}
int ft_stat_failed(const struct ft_stat *s) { return s->agg ? ft_agg_failed(s->agg) : 0; }

/* ---- counting --------------------------------------------------------------- */

/* An address masked to its first len bits (IPv4 in host order). */
static uint8_t *put_prefix(uint8_t *p, const struct ft_ip *ip, unsigned len)
{
    memset(p, 0, 18);
    p[0] = ip->af;
    if (ip->af == FT_AF_INET) {
        uint32_t m = len == 0 ? 0 : len >= 32 ? UINT32_MAX : ~(UINT32_MAX >> len);
        ft_st32(p + 1, ip->v4 & m, 1);
    } else if (ip->af == FT_AF_INET6) {
        for (unsigned i = 0; i < 16 && i * 8 < len; i++)
            p[1 + i] = len >= i * 8 + 8 ? ip->v6[i]
                                        : (uint8_t)(ip->v6[i] & (0xFF00 >> (len - i * 8)));
    }
    p[17] = (uint8_t)len;
    return p + 18;
}

static uint8_t *put_col(uint8_t *p, const struct ft_stat_col *col, const struct ft_flow *f)
{
    switch (col->derive) {
    case FT_SD_PKTSIZE:
        ft_st64(p, f->doctets / f->dpkts, 1);
        return p + 8;
    case FT_SD_PREFIX:
        return put_prefix(p, ft_field_cptr(f, &ft_fields[col->field]),
                          (unsigned)ft_field_get(f, &ft_fields[col->mask]));
    default:
        return ft_agg_key_put(p, &ft_fields[col->field], f);
    }
}

/* A flow's counts added to a key's. */
static void add_counts(struct ft_stat_counts *c, const struct ft_flow *f)
{
    c->flows += ft_stat_flows_of(f);
    c->octets += f->doctets;
    c->packets += f->dpkts;
    c->duration += (uint32_t)(f->last - f->first);
}

static void count_key(struct ft_stat *s, const uint8_t *key, const struct ft_flow *f)
{
    int added;
    struct ft_stat_counts *c = ft_agg_get(s->agg, key, &added);
    if (c)                      /* else refused at the limit: counted by the table */
        add_counts(c, f);
}

/* Does the report count f?  Flows of no packets are left out and counted
 * (flow-tools warns about them); port reports take only TCP and UDP. */
static int counts_flow(struct ft_stat *s, const struct ft_flow *f)
{
    if (f->dpkts == 0) {
        s->bogus++;
        return 0;
    }
    return !s->fmt->tcp_udp || f->prot == 6 || f->prot == 17;
}

static void dense_add(struct ft_stat *s, const struct ft_flow *flows, size_t n)
{
    const struct ft_stat_fmt *fm = s->fmt;
    const struct ft_field *d0 = &ft_fields[fm->col[0].field];
    const struct ft_field *d1 = &ft_fields[fm->col[fm->each ? 1 : 0].field];
    for (size_t i = 0; i < n; i++) {
        const struct ft_flow *f = &flows[i];
        if (!counts_flow(s, f))
            continue;
        add_counts(ft_dense_at(s->dense, (uint32_t)ft_field_get(f, d0)), f);
        if (fm->each)
            add_counts(ft_dense_at(s->dense, (uint32_t)ft_field_get(f, d1)), f);
    }
}

/* The dense counters into the table. */
static void dense_fold(struct ft_stat *s)
{
    s->dense_refused += ft_dense_fold(s->dense, s->agg);
    ft_dense_free(s->dense);
    s->dense = NULL;
}

/* The key of a report of one or more columns (not `each`). */
static void build_key(const struct ft_stat *s, const struct ft_flow *f, uint8_t *key)
{
    memset(key, 0, s->key_len);
    uint8_t *p = key;
    for (int c = 0; c < s->fmt->ncols; c++)
        p = put_col(p, &s->fmt->col[c], f);
}

/* Lookups ahead: the index slot 16 flows ahead, the entry 8 ahead (a
 * table of addresses is past the core's cache; the misses overlap). */
static void prefetch_keys(const struct ft_stat *s, const struct ft_flow *flows, size_t i,
                          size_t n)
{
    uint8_t key[64];
    if (i + 16 < n && flows[i + 16].dpkts) {
        build_key(s, &flows[i + 16], key);
        ft_agg_prefetch_slot(s->agg, key);
    }
    if (i + 8 < n && flows[i + 8].dpkts) {
        build_key(s, &flows[i + 8], key);
        ft_agg_prefetch_entry(s->agg, key);
    }
}

static void keys_add(struct ft_stat *s, const struct ft_flow *flows, size_t n)
{
    if (s->dense) {
        dense_add(s, flows, n);
        return;
    }
    const struct ft_stat_fmt *fm = s->fmt;
    uint8_t key[64];
    for (size_t i = 0; i < n; i++) {
        const struct ft_flow *f = &flows[i];
        if (!fm->each)
            prefetch_keys(s, flows, i, n);
        if (!counts_flow(s, f))
            continue;
        memset(key, 0, s->key_len);
        if (fm->each) {
            /* One key column, counted once for each of the two fields. */
            for (int c = 0; c < 2; c++) {
                put_col(key, &fm->col[c], f);
                count_key(s, key, f);
            }
            continue;
        }
        uint8_t *p = key;
        for (int c = 0; c < fm->ncols; c++)
            p = put_col(p, &fm->col[c], f);
        count_key(s, key, f);
    }
}

void ft_stat_add(struct ft_stat *s, struct ft_out *o, const struct ft_flow *flows, size_t n)
{
    if (s->fmt->kind == FT_SK_KEYS)
        keys_add(s, flows, n);
    else
        ft_stat_sum_add(s, o, flows, n);
}

void ft_stat_begin(struct ft_stat *s, struct ft_out *o)
{
    if (s->fmt->kind != FT_SK_KEYS)
        ft_stat_sum_begin(s, o);
}

/* ---- ordering ----------------------------------------------------------------- */

/*
 * Sort fields are numbered by the report's columns: its keys first (0, or
 * 0 and 1 in the reports of pairs), then flows, octets, packets and
 * duration.  A key column compares as its bytes: numbers are stored
 * big-endian.
 */
struct sort_ctx {
    int counter;                /* enum ft_stat_sort_field, or KEY */
    size_t off, len;            /* the key column's bytes */
    size_t key_len;
};

static int key_columns(const struct ft_stat_fmt *f)
{
    return f->each ? 1 : f->ncols;
}

int ft_stat_sort_valid(int format, int field)
{
    if (format < 0 || format >= FT_STAT_NFORMATS || field < 0)
        return 0;
    const struct ft_stat_fmt *f = &ft_stat_fmts[format];
    if (f->kind != FT_SK_KEYS)
        return field < FT_STAT_SORT_NFIELDS;
    return field < key_columns(f) + FT_STAT_SORT_NFIELDS - 1;
}

static void sort_ctx_init(const struct ft_stat *s, struct sort_ctx *x)
{
    int field = s->opts.sort_field, ncols = key_columns(s->fmt);
    x->key_len = s->key_len;
    x->off = 0;
    x->len = s->key_len;
    x->counter = FT_STAT_SORT_KEY;
    if (s->opts.order == FT_STAT_UNSORTED)
        return;
    if (field >= ncols) {
        x->counter = field - ncols + 1;
        return;
    }
    for (int c = 0; c < field; c++)
        x->off += col_bytes(&s->fmt->col[c]);
    x->len = col_bytes(&s->fmt->col[field]);
}

static uint64_t counter(const struct ft_stat_counts *c, int field)
{
    switch (field) {
    case FT_STAT_SORT_FLOWS: return c->flows;
    case FT_STAT_SORT_OCTETS: return c->octets;
    case FT_STAT_SORT_PACKETS: return c->packets;
    default: return c->duration;
    }
}

static int cmp_whole_key(const void *ka, const void *kb, const struct sort_ctx *x)
{
    return memcmp(ka, kb, x->key_len);
}

static int cmp_key(const void *ka, const void *va, const void *kb, const void *vb, void *ctx)
{
    const struct sort_ctx *x = ctx;
    (void)va;
    (void)vb;
    return memcmp((const uint8_t *)ka + x->off, (const uint8_t *)kb + x->off, x->len);
}

static int cmp_field(const void *ka, const void *va, const void *kb, const void *vb,
                     void *ctx)
{
    const struct sort_ctx *x = ctx;
    if (x->counter == FT_STAT_SORT_KEY)
        return cmp_key(ka, va, kb, vb, ctx);
    uint64_t a = counter(va, x->counter), b = counter(vb, x->counter);
    return a < b ? -1 : a > b;
}

/* Ties by key: the base order of the array reports. */
static int cmp_field_key(const void *ka, const void *va, const void *kb, const void *vb,
                         void *ctx)
{
    int c = cmp_field(ka, va, kb, vb, ctx);
    return c ? c : cmp_whole_key(ka, kb, ctx);
}

static void reverse(uint32_t *v, size_t n)
{
    for (size_t i = 0; i < n / 2; i++) {
        uint32_t t = v[i];
        v[i] = v[n - 1 - i];
        v[n - 1 - i] = t;
    }
}

/* The entries in the order the report lists them; NULL: out of memory. */
static uint32_t *report_order(const struct ft_stat *s)
{
    struct sort_ctx ctx;
    sort_ctx_init(s, &ctx);
    ft_agg_cmp cmp;
    if (s->opts.order == FT_STAT_UNSORTED)
        cmp = s->fmt->by_key ? cmp_key : NULL;
    else
        cmp = s->fmt->by_key ? cmp_field_key : cmp_field;
    uint32_t *order = ft_agg_sorted(s->agg, cmp, &ctx);
    if (order && (s->opts.order == FT_STAT_DESCENDING ||
                  (s->opts.order == FT_STAT_UNSORTED && s->fmt->by_key)))
        reverse(order, ft_agg_count(s->agg));
    return order;
}

/* ---- writing ---------------------------------------------------------------------- */

static size_t col_width(const struct ft_stat *s, const struct ft_stat_col *col)
{
    /* -w widens the single numeric key columns to 15. */
    if (s->opts.wide && key_columns(s->fmt) == 1 && col->width < 15)
        return 15;
    return col->width;
}

static void write_title(const struct ft_stat *s, struct ft_out *o)
{
    char c = s->opts.comment;
    const char *head = s->fmt->head;
    size_t width = strlen(head);
    if (s->opts.wide && key_columns(s->fmt) == 1 && width < 15)
        width = 15;
    char *p = ft_out_reserve(o, 256), *start;
    *p++ = c;
    *p++ = '\n';
    *p++ = c;
    *p++ = ' ';
    start = p;
    p = ft_put_pad(start, ft_put_mem(p, head, strlen(head)), width);
    if (s->opts.percent)
        p = ft_put_lit(p, "flows    octets   packets");
    else
        p = ft_put_lit(p, "flows                 octets                packets");
    if (s->opts.wide)
        p = s->opts.percent ? ft_put_lit(p, "  duration")
                            : ft_put_lit(p, "               duration");
    *p++ = '\n';
    *p++ = c;
    *p++ = '\n';
    ft_out_commit(o, p);
}

static char *put_key_col(const struct ft_stat *s, int c, const uint8_t *k, char *p)
{
    const struct ft_stat_col *col = &s->fmt->col[c];
    const struct ft_field *d = &ft_fields[col->field];
    char *start = p;
    int cut = 1;                /* "%-W.Ws", as flow-tools; IPv6 is never cut */
    if (col->derive == FT_SD_PREFIX) {
        struct ft_ip ip;
        ft_agg_key_ip(k, &ip);
        if (ip.af == FT_AF_INET6) {
            cut = 0;
            p = ft_put_ipv6(p, ip.v6);
            *p++ = '/';
            p = ft_put_u32(p, k[17]);
        } else {
            p = ft_put_prefix(p, ip.v4, k[17]);
        }
    } else if (col->derive == FT_SD_FIELD && d->type == FT_T_IP) {
        struct ft_ip ip;
        ft_agg_key_ip(k, &ip);
        p = ft_put_ip(p, &ip);
        cut = ip.af != FT_AF_INET6;
    } else {
        uint64_t v = col->derive == FT_SD_PKTSIZE ? ft_ld64(k, 1) : ft_agg_key_number(k, d);
        if (s->sym[c] && v <= UINT32_MAX)
            p += ft_sym_format(s->sym[c], (uint32_t)v, p, col->sym_max);
        else
            p = ft_put_u64(p, v);
    }
    p = cut ? ft_put_fit(start, p, col_width(s, col)) : ft_put_pad(start, p, col_width(s, col));
    return ft_put_spaces(p, 2);
}

static char *put_percent(char *p, uint64_t v, uint64_t total, int last)
{
    double pct = total ? (double)v / (double)total * 100.0 : 0.0;
    char *start = p;
    p += snprintf(p, 32, "%.3f", pct);
    p = ft_put_pad(start, p, 6);
    return last ? p : ft_put_spaces(p, 3);
}

static void write_line(const struct ft_stat *s, struct ft_out *o, const uint8_t *key,
                       const struct ft_stat_counts *v, const struct ft_stat_counts *tot)
{
    char *p = ft_out_reserve(o, 512), *start;
    const uint8_t *k = key;
    int ncols = s->fmt->each ? 1 : s->fmt->ncols;
    for (int c = 0; c < ncols; c++) {
        p = put_key_col(s, c, k, p);
        k += col_bytes(&s->fmt->col[c]);
    }
    int wide = s->opts.wide;
    if (s->opts.percent) {
        p = put_percent(p, v->flows, tot->flows, 0);
        p = put_percent(p, v->octets, tot->octets, 0);
        p = put_percent(p, v->packets, tot->packets, !wide);
        if (wide)
            p = put_percent(p, v->duration, tot->duration, 1);
    } else {
        start = p;
        p = ft_put_spaces(ft_put_pad(start, ft_put_u64(p, v->flows), 20), 2);
        start = p;
        p = ft_put_spaces(ft_put_pad(start, ft_put_u64(p, v->octets), 20), 2);
        start = p;
        p = ft_put_u64(p, v->packets);
        if (wide || s->fmt->pad_packets)
            p = ft_put_pad(start, p, 20);
        if (wide)
            p = ft_put_u64(ft_put_spaces(p, 2), v->duration);
    }
    *p++ = '\n';
    ft_out_commit(o, p);
}

static int keys_end(struct ft_stat *s, struct ft_out *o)
{
    if (s->dense)
        dense_fold(s);
    uint32_t *order = report_order(s);
    if (!order)
        return -1;
    size_t n = ft_agg_count(s->agg);
    struct ft_stat_counts tot = {0};
    if (s->opts.percent)
        for (size_t i = 0; i < n; i++) {
            const struct ft_stat_counts *v = ft_agg_val(s->agg, i);
            tot.flows += v->flows;
            tot.octets += v->octets;
            tot.packets += v->packets;
            tot.duration += v->duration;
        }
    write_title(s, o);
    for (size_t i = 0; i < n; i++)
        write_line(s, o, ft_agg_key(s->agg, order[i]), ft_agg_val(s->agg, order[i]), &tot);
    free(order);
    return 0;
}

int ft_stat_end(struct ft_stat *s, struct ft_out *o)
{
    if (s->fmt->kind == FT_SK_KEYS)
        return keys_end(s, o);
    ft_stat_sum_end(s, o);
    return 0;
}
