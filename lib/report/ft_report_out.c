/*
 * ft_report_out.c - a report's outputs as flow-report writes them in ASCII
 * (print-formats.md section 5): the information block (+header, +xheader),
 * the totals (+totals), the `# recn:` heading with the key columns starred,
 * comma-separated records in sort order, running tallies and the record
 * limit.  Outputs go to the caller's buffer, a file or a command; JSON
 * and CSV outputs are written by ft_report_rows.c, with the sort order and
 * key text shared from here.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/ft_bytes.h"
#include "report/ft_report_int.h"
#include "text/ft_print.h"

/* ---- destinations --------------------------------------------------------------- */

struct dest {
    struct ft_out own;          /* for a file or a pipe */
    struct ft_out *out;         /* where lines go */
    FILE *pipe;
    int fd;
};

/* Make the directories above path (mkdir -p of its dirname). */
static int make_parents(const char *path)
{
    char dir[4096];
    snprintf(dir, sizeof dir, "%s", path);
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/')
            continue;
        *p = '\0';
        if (mkdir(dir, 0777) < 0 && errno != EEXIST)
            return -1;
        *p = '/';
    }
    return 0;
}

/* The moment an output's path shows. */
static time_t report_time(const struct ft_report *rp, const struct rrun *run,
                          const struct ft_routput *o)
{
    time_t start = run->tot.any ? (time_t)run->tot.first_s : rp->o.now;
    time_t end = run->tot.any ? (time_t)run->tot.last_s : rp->o.now;
    switch (o->time) {
    case FT_RTIME_NOW: return rp->o.now;
    case FT_RTIME_START: return start;
    case FT_RTIME_END: return end;
    default: return start + (end - start) / 2;
    }
}

static int open_dest(struct ft_report *rp, const struct rrun *run, const struct ft_routput *o,
                     struct ft_out *out, struct dest *d, struct ft_err *err)
{
    memset(d, 0, sizeof *d);
    d->fd = -1;
    if (!o->path) {
        d->out = out;
        return 0;
    }
    char path[4096];
    time_t t = report_time(rp, run, o);
    struct tm tm;
    localtime_r(&t, &tm);
    if (strftime(path, sizeof path, o->path, &tm) == 0)
        return ft_err_set(err, "%s line %u: path too long", rp->c->file, o->path_line);
    int fd;
    if (path[0] == '|') {
        ft_out_flush(out);      /* what came before, before the command's output */
        d->pipe = popen(path + 1, "w");
        if (!d->pipe)
            return ft_err_set(err, "%s: %s", path + 1, strerror(errno));
        fd = fileno(d->pipe);
    } else {
        int flags = O_WRONLY | O_CREAT | (rp->written ? O_APPEND : O_TRUNC);
        if (make_parents(path) < 0 || (d->fd = open(path, flags, 0666)) < 0)
            return ft_err_set(err, "%s: %s", path, strerror(errno));
        fd = d->fd;
    }
    if (ft_out_init(&d->own, fd, 0) < 0) {
        if (d->pipe)
            pclose(d->pipe);
        else
            close(d->fd);
        return ft_err_set(err, "out of memory");
    }
    d->out = &d->own;
    return 0;
}

/* Close a file or a pipe; a command that failed is a warning only, so that
 * the other reports are still written. */
static int close_dest(struct ft_report *rp, const struct ft_routput *o, struct dest *d,
                      struct ft_err *err)
{
    if (d->out != &d->own)
        return 0;
    ft_out_flush(&d->own);
    int werr = d->own.error;
    ft_out_free(&d->own);
    if (d->pipe) {
        int st = pclose(d->pipe);
        if ((st != 0 || werr) && rp->o.warn) {
            char msg[512], why[64];
            if (st == -1 || !WIFEXITED(st))
                snprintf(why, sizeof why, "did not exit");
            else if (WEXITSTATUS(st))
                snprintf(why, sizeof why, "exit status %d", WEXITSTATUS(st));
            else
                snprintf(why, sizeof why, "%s", strerror(werr));
            snprintf(msg, sizeof msg, "%s line %u: command \"%s\" failed: %s", rp->c->file,
                     o->path_line, o->path + 1, why);
            rp->o.warn(rp->o.warn_ctx, msg);
        }
        return 0;
    }
    if (close(d->fd) < 0 && !werr)
        werr = errno;
    if (werr)
        return ft_err_set(err, "%s: %s", o->path, strerror(werr));
    return 0;
}

/* ---- the information block ---------------------------------------------------- */

static void put_time_line(struct ft_out *out, const char *label, time_t t)
{
    char when[64];
    struct tm tm;
    localtime_r(&t, &tm);
    strftime(when, sizeof when, "%a %b %e %H:%M:%S %Y", &tm);
    ft_out_printf(out, "# %-22s%lld %s\n", label, (long long)t, when);
}

static const char *const option_names[] = { "percent-total", "names", "header", "xheader",
                                             "totals" };
static const char *const addr_fmt_names[] = { "address", "prefix-len", "prefix-mask" };

/* "+a,+b" of the bits set, named by name(i). */
static void put_switches(struct ft_out *out, const char *label, uint32_t bits, int n,
                         const char *(*name)(int))
{
    char buf[1024];
    size_t used = 0;
    buf[0] = '\0';
    for (int i = 0; i < n; i++)
        if (bits & (1u << i))
            used += (size_t)snprintf(buf + used, sizeof buf - used, "%s+%s",
                                     used ? "," : "", name(i));
    ft_out_printf(out, "# %-22s%s\n", label, buf);
}

static const char *option_name(int i) { return option_names[i]; }
static const char *column_name(int i) { return ft_rcol_name((enum ft_rcol)i); }

static int has_field(const struct ft_rtype *t, unsigned id)
{
    for (int i = 0; t->kind == FT_RK_FIELDS && i < t->nkeys; i++)
        if (t->key[i] == id)
            return 1;
    return 0;
}

static void put_info(struct ft_report *rp, const struct rrun *run, const struct ft_routput *o,
                     struct ft_out *out)
{
    const struct ft_rreport *r = run->r;
    ft_out_printf(out, "#  --- ---- ---- Report Information --- --- ---\n");
    ft_out_printf(out, "# %-22s%s\n", "build-version:", rp->o.version ? rp->o.version : "ftkit");
    ft_out_printf(out, "# %-22s%s\n", "name:", r->name);
    ft_out_printf(out, "# %-22s%s\n", "type:", r->type.name);
    put_switches(out, "options:", o->options, 5, option_name);
    if (has_field(&r->type, FT_FLD_SRCADDR))
        ft_out_printf(out, "# %-22s%s\n", "ip-src-addr-type:", addr_fmt_names[r->src_fmt]);
    if (has_field(&r->type, FT_FLD_DSTADDR))
        ft_out_printf(out, "# %-22s%s\n", "ip-dst-addr-type:", addr_fmt_names[r->dst_fmt]);
    if (o->sort_col >= 0)   /* the original always shows '+' */
        ft_out_printf(out, "# %-22s+%s\n", "sort_field:", ft_rcol_name(o->sort_col));
    put_switches(out, "fields:", o->fields, FT_RC_N, column_name);
    size_t keys = run->agg ? ft_agg_count(run->agg) : 0;
    ft_out_printf(out, "# %-22s%zu\n", "records:", keys);
    if (o->records)
        ft_out_printf(out, "# %-20s%" PRIu64 "\n", "records_shown:", o->records);
    put_time_line(out, "first-flow:", run->tot.any ? (time_t)run->tot.first_s : 0);
    put_time_line(out, "last-flow:", run->tot.any ? (time_t)run->tot.last_s : 0);
    put_time_line(out, "now:", rp->o.now);
    if ((o->options & FT_ROPT_XHEADER) && rp->hdr)
        ft_header_print(out, rp->hdr, '#');
}

/* ---- totals and summary-detail ------------------------------------------------------ */

static void put_totals(const struct rrun *run, struct ft_out *out)
{
    const struct rtotals *t = &run->tot;
    ft_out_printf(out, "# rec1: records,ignores,flows,octets,packets,duration\n");
    ft_out_printf(out, "%zu,%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 ",%" PRIu64 "\n",
             run->agg ? ft_agg_count(run->agg) : 0, t->ignores, t->flows, t->octets,
             t->packets, t->duration);
}

static const char rec2_heading[] =
    "# rec2: time_real,aflowtime,aps,afs,apf,fps,fps_real,psize32,psize64,psize96,psize128,"
    "psize160,psize192,psize224,psize256,psize288,psize320,psize352,psize384,psize416,"
    "psize448,psize480,psize512,psize544,psize576,psize1024,psize1536,psize2048,psize2560,"
    "psize3072,psize3584,>psize4096,psize4608,fpsize1,fpsize2,fpsize4,fpsize8,fpsize12,"
    "fpsize16,fpsize20,fpsize24,fpsize28,fpsize32,fpsize36,fpsize40,fpsize44,fpsize48,"
    "fpsize52,fpsize60,fpsize100,fpsize200,fpsize300,fpsize400,fpsize500,fpsize600,"
    "fpsize700,fpsize800,fpsize900,fpsize_other,fosize32,fosize64,fosize128,fosize256,"
    "fosize512,fosize1280,fosize2048,fosize2816,fosize3584,fosize4352,fosize5120,fosize5888,"
    "fosize6656,fosize7424,fosize8192,fosize8960,fosize9728,fosize10496,fosize11264,"
    "fosize12032,fosize12800,fosize13568,fosize14336,fosize15104,fosize15872,fosize_other,"
    "ftime10,ftime50,ftime100,ftime200,ftime500,ftime1000,ftime2000,ftime3000,ftime4000,"
    "ftime5000,ftime6000,ftime7000,ftime8000,ftime9000,ftime10000,ftime12000,ftime14000,"
    "ftime16000,ftime18000,ftime20000,ftime22000,ftime24000,ftime26000,ftime28000,"
    "ftime30000,ftime_other\n";

static uint64_t quot(uint64_t a, uint64_t b)
{
    return b ? a / b : 0;
}

static void put_fractions(struct ft_out *out, const uint64_t *n, uint64_t flows)
{
    for (int i = 0; i < RD_BUCKETS; i++)
        ft_out_printf(out, ",%f", flows ? (double)n[i] / (double)flows : 0.0);
}

static void put_detail(const struct rrun *run, struct ft_out *out)
{
    const struct rtotals *t = &run->tot;
    uint64_t time_real = t->any ? t->last_s : 0;
    ft_out_str(out, rec2_heading);
    ft_out_printf(out, "%" PRIu64 ",%f,%f,%f,%f,%f,%f", time_real,
             (double)quot(t->duration, t->flows), (double)quot(t->octets, t->packets),
             (double)quot(t->octets, t->flows), (double)quot(t->packets, t->flows),
             t->max_last ? (double)t->flows / ((double)t->max_last / 1000.0) : 0.0,
             time_real ? (double)t->flows / (double)time_real : 0.0);
    put_fractions(out, run->detail.psize, t->flows);
    put_fractions(out, run->detail.fpsize, t->flows);
    put_fractions(out, run->detail.fosize, t->flows);
    put_fractions(out, run->detail.ftime, t->flows);
    ft_out_str(out, "\n");
}

/* ---- records ------------------------------------------------------------------------ */

struct sort_ctx {
    const struct rrun *run;
    int col;
};

double rep_col_value(const struct rctr *c, int col)
{
    switch (col) {
    case FT_RC_FLOWS: return (double)c->flows;
    case FT_RC_OCTETS: return (double)c->octets;
    case FT_RC_PACKETS: return (double)c->packets;
    case FT_RC_DURATION: return (double)c->duration;
    case FT_RC_COUNT: return (double)c->count;
    case FT_RC_AVG_PPS: return c->frecs ? c->pps_sum / (double)c->frecs : 0;
    case FT_RC_MIN_PPS: return c->pps_min;
    case FT_RC_MAX_PPS: return c->pps_max;
    case FT_RC_AVG_BPS: return c->frecs ? c->bps_sum / (double)c->frecs : 0;
    case FT_RC_MIN_BPS: return c->bps_min;
    case FT_RC_MAX_BPS: return c->bps_max;
    default: return 0;
    }
}

/* Where key component i starts in a key, and its length. */
static size_t comp_span(const struct rrun *run, int i, size_t *len)
{
    size_t off = 0;
    for (int k = 0; k < run->ncomp; k++) {
        size_t w = run->comp[k].width + (run->comp[k].mask ? 1u : 0u);
        if (k == i) {
            *len = w;
            return off;
        }
        off += w;
    }
    *len = run->key_len;
    return 0;
}

static int cmp_entries(const void *ka, const void *va, const void *kb, const void *vb,
                       void *ctx)
{
    const struct sort_ctx *s = ctx;
    int col = s->col;
    if (col >= FT_RC_KEY && col <= FT_RC_KEY6) {
        size_t len, off = col == FT_RC_KEY ? 0 : comp_span(s->run, col - FT_RC_KEY1, &len);
        if (col == FT_RC_KEY)
            len = s->run->key_len;
        int c = memcmp((const uint8_t *)ka + off, (const uint8_t *)kb + off, len);
        if (c)
            return c;
    } else if (col >= 0) {
        /* flows to duration are in every entry: compared in place, without
         * the copy the other counters take (this runs n log n times) */
        struct rctr bufa, bufb;
        const struct rctr *ca = va, *cb = vb;
        if (col < FT_RC_FLOWS || col > FT_RC_DURATION) {
            ca = rep_ctr(s->run, va, &bufa);
            cb = rep_ctr(s->run, vb, &bufb);
        }
        double a = rep_col_value(ca, col), b = rep_col_value(cb, col);
        if (a != b)
            return a < b ? -1 : 1;
    }
    return s->run->key_order ? memcmp(ka, kb, s->run->key_len) : 0;
}

/* The symbol table of a field's kind, opened at its first use. */
static const struct ft_sym *sym_of(struct rep_names *nm, int kind)
{
    if (!nm->on)
        return NULL;
    int t = kind == FT_K_PROTOCOL ? FT_SYM_IP_PROT : kind == FT_K_PORT ? FT_SYM_TCP_PORT
          : kind == FT_K_AS ? FT_SYM_ASN : kind == FT_K_TAG ? FT_SYM_TAG : -1;
    if (t < 0)
        return NULL;
    if (!nm->rp->sym_tried[t]) {
        struct ft_err e;
        nm->rp->sym_tried[t] = 1;
        nm->rp->sym[t] = ft_sym_open(nm->rp->o.symdir, (enum ft_sym_table)t, &e);
    }
    return nm->rp->sym[t];
}

static char *put_number(char *p, uint64_t v, const struct ft_sym *sym, int *text)
{
    const char *name = sym ? ft_sym_name(sym, (uint32_t)v) : NULL;
    if (name) {
        *text = 1;
        return ft_put_mem(p, name, strlen(name));
    }
    return ft_put_u64(p, v);
}

/* An address key of width bytes (rrun.addr_width) as text. */
static char *put_key_ip(char *p, const uint8_t *k, size_t width)
{
    struct ft_ip ip;
    if (width == KEY_ADDR_V4) {
        memset(&ip, 0, sizeof ip);
        ip.af = FT_AF_INET;
        ip.v4 = ft_ld32(k, 1);
    } else {
        ft_agg_key_ip(k, &ip);
    }
    return ft_put_ip(p, &ip);
}

char *rep_put_key(char *p, const struct rrun *run, int i, const uint8_t *k,
                  struct rep_names *nm, int *text)
{
    enum ft_rkind kind = (enum ft_rkind)run->r->type.kind;
    *text = 0;
    if (kind != FT_RK_FIELDS) {
        if (kind == FT_RK_IP_ADDRESS || kind == FT_RK_SRC_DST_COUNT ||
            kind == FT_RK_DST_SRC_COUNT) {
            *text = 1;
            return put_key_ip(p, k, run->addr_width);
        }
        if (kind == FT_RK_IP_PORT)
            return put_number(p, ft_ld16(k, 1), sym_of(nm, FT_K_PORT), text);
        return ft_put_u64(p, ft_ldn(k, run->key_len, 1));
    }
    size_t len, off = comp_span(run, i, &len);
    const struct rkey_comp *c = &run->comp[i];
    k += off;
    if (c->field->type != FT_T_IP)
        return put_number(p, ft_ldn(k, c->width, 1), sym_of(nm, c->field->kind), text);
    *text = 1;
    if (c->width == KEY_ADDR_V4)
        return c->mask ? ft_put_prefix(p, ft_ld32(k, 1), k[KEY_ADDR_V4])
                       : put_key_ip(p, k, KEY_ADDR_V4);
    if (!c->mask || k[0] != FT_AF_INET)
        return put_key_ip(p, k, KEY_ADDR_WIDE);
    return ft_put_prefix(p, ft_ld32(k + 1, 1), k[KEY_ADDR_WIDE]);
}

static char *put_counter(char *p, uint64_t v, uint64_t total, int percent)
{
    if (!percent)
        return ft_put_u64(p, v);
    return p + sprintf(p, "%f", total ? (double)v * 100.0 / (double)total : 0.0);
}

static char *put_sep(char *p, int *first)
{
    if (!*first)
        *p++ = ',';
    *first = 0;
    return p;
}

static void put_record(const struct rrun *run, const struct ft_routput *o, const uint8_t *k,
                       const struct rctr *c, struct rep_names *nm, struct ft_out *out)
{
    const struct rtotals *t = &run->tot;
    uint32_t f = o->fields;
    int pct = (o->options & FT_ROPT_PERCENT) != 0, first = 1;
    char *p = ft_out_reserve(out, FT_OUT_MAX_LINE);
    if (f & FT_RC_BIT(FT_RC_FIRST))
        p = ft_put_u64(put_sep(p, &first), t->first_s);
    if (f & FT_RC_BIT(FT_RC_LAST))
        p = ft_put_u64(put_sep(p, &first), t->last_s);
    int nkeys = run->r->type.kind == FT_RK_FIELDS ? run->ncomp : 1;
    for (int i = 0; i < nkeys; i++) {
        int bit = nkeys == 1 ? FT_RC_KEY : FT_RC_KEY1 + i;
        int text;
        if (f & FT_RC_BIT(bit))
            p = rep_put_key(put_sep(p, &first), run, i, k, nm, &text);
    }
    if (f & FT_RC_BIT(FT_RC_COUNT))
        p = ft_put_u64(put_sep(p, &first), c->count);
    if (run->r->type.kind == FT_RK_LINEAR) {
        p = put_sep(p, &first);
        p += sprintf(p, "%f,%f,%f", c->lflows, c->loctets, c->lpackets);
    } else {
        if (f & FT_RC_BIT(FT_RC_FLOWS))
            p = put_counter(put_sep(p, &first), c->flows, t->flows, pct);
        if (f & FT_RC_BIT(FT_RC_OCTETS))
            p = put_counter(put_sep(p, &first), c->octets, t->octets, pct);
        if (f & FT_RC_BIT(FT_RC_PACKETS))
            p = put_counter(put_sep(p, &first), c->packets, t->packets, pct);
        if (f & FT_RC_BIT(FT_RC_DURATION))
            p = put_counter(put_sep(p, &first), c->duration, t->duration, pct);
        for (int col = FT_RC_AVG_BPS; col <= FT_RC_MAX_PPS; col++)
            if (f & FT_RC_BIT(col)) {
                p = put_sep(p, &first);
                p += sprintf(p, "%f", rep_col_value(c, col));
            }
        if (f & FT_RC_BIT(FT_RC_FRECS))
            p = ft_put_u64(put_sep(p, &first), c->frecs);
    }
    *p++ = '\n';
    ft_out_commit(out, p);
}

/* "# recn: first,last,KEY*,...": the heading names the key columns its own way. */
static void put_heading(const struct rrun *run, const struct ft_routput *o, struct ft_out *out)
{
    static const int counters[] = { FT_RC_FLOWS, FT_RC_OCTETS, FT_RC_PACKETS, FT_RC_DURATION,
                                     FT_RC_AVG_BPS, FT_RC_MIN_BPS, FT_RC_MAX_BPS,
                                     FT_RC_AVG_PPS, FT_RC_MIN_PPS, FT_RC_MAX_PPS,
                                     FT_RC_FRECS };
    char line[1024], heading[sizeof run->r->type.heading];
    size_t used = 0;
    uint32_t f = o->fields;
#define ADD(s) used += (size_t)snprintf(line + used, sizeof line - used, "%s%s", \
                                        used ? "," : "", (s))
    if (f & FT_RC_BIT(FT_RC_FIRST))
        ADD("first");
    if (f & FT_RC_BIT(FT_RC_LAST))
        ADD("last");
    memcpy(heading, run->r->type.heading, sizeof heading);
    int nkeys = run->r->type.kind == FT_RK_FIELDS ? run->ncomp : 1, i = 0;
    char *save = NULL;
    for (char *part = strtok_r(heading, ",", &save); part;
         part = strtok_r(NULL, ",", &save), i++) {
        int bit = i >= nkeys ? FT_RC_COUNT : nkeys == 1 ? FT_RC_KEY : FT_RC_KEY1 + i;
        if (f & FT_RC_BIT(bit))
            ADD(part);
    }
    for (size_t c = 0; c < sizeof counters / sizeof counters[0]; c++)
        if (f & FT_RC_BIT(counters[c]))
            ADD(ft_rcol_name((enum ft_rcol)counters[c]));
#undef ADD
    ft_out_printf(out, "# recn: %s\n", line);
}

static void put_tally(const struct rrun *run, size_t shown, const uint64_t *sum,
                      struct ft_out *out)
{
    const struct rtotals *t = &run->tot;
    size_t keys = ft_agg_count(run->agg);
#define PCT(a, b) ((b) ? (double)(a) * 100.0 / (double)(b) : 0.0)
    ft_out_printf(out, "#TALLY %%recs=%.3f %%flows=%.3f %%octets=%.3f %%packets=%.3f\n",
             PCT(shown, keys), PCT(sum[0], t->flows), PCT(sum[1], t->octets),
             PCT(sum[2], t->packets));
#undef PCT
}

uint32_t *rep_sorted(const struct rrun *run, const struct ft_routput *o, struct ft_err *err)
{
    struct sort_ctx sc = { run, o->sort_col };
    uint32_t *order = ft_agg_sorted(run->agg, cmp_entries, &sc);
    if (!order && ft_agg_count(run->agg))
        ft_err_set(err, "out of memory");
    return order;
}

static int put_records(struct ft_report *rp, const struct rrun *run,
                       const struct ft_routput *o, struct ft_out *out, struct ft_err *err)
{
    size_t n = ft_agg_count(run->agg);
    uint32_t *order = rep_sorted(run, o, err);
    if (!order && n)
        return -1;
    struct rep_names nm = { rp, (o->options & FT_ROPT_NAMES) != 0 };
    uint64_t sum[3] = { 0, 0, 0 };
    put_heading(run, o, out);
    for (size_t i = 0; i < n && !out->error; i++) {
        if (o->records && i >= o->records) {
            ft_out_str(out, "# stop, hit record limit.\n");
            break;
        }
        uint32_t e = order[rep_nth(o, n, i)];
        struct rctr buf;
        const struct rctr *c = rep_ctr(run, ft_agg_val(run->agg, e), &buf);
        put_record(run, o, ft_agg_key(run->agg, e), c, &nm, out);
        sum[0] += c->flows;
        sum[1] += c->octets;
        sum[2] += c->packets;
        if (o->tally && (i + 1) % o->tally == 0 && i + 1 < n)
            put_tally(run, i + 1, sum, out);
    }
    free(order);
    return 0;
}

/* The original's text. */
static int write_ascii(struct ft_report *rp, const struct rrun *run,
                       const struct ft_routput *o, struct dest *d, struct ft_err *err)
{
    if (o->options & FT_ROPT_HEADER)
        put_info(rp, run, o, d->out);
    /* ftkit's line: a report that hit the key limit says so, header or not */
    if (rep_refused(run))
        ft_out_printf(d->out, "# incomplete: %" PRIu64 " new keys refused at the limit of %zu keys\n",
                 rep_refused(run), rep_max_keys(rp));
    enum ft_rkind kind = (enum ft_rkind)run->r->type.kind;
    if ((o->options & FT_ROPT_TOTALS) || kind == FT_RK_SUMMARY_COUNTERS)
        put_totals(run, d->out);
    if (kind == FT_RK_SUMMARY_DETAIL)
        put_detail(run, d->out);
    return run->agg ? put_records(rp, run, o, d->out, err) : 0;
}

/* Outputs of the run that go to standard output. */
static size_t stdout_outputs(const struct ft_report *rp)
{
    size_t n = 0;
    for (size_t i = 0; i < rp->nrun; i++)
        for (size_t j = 0; j < rp->run[i].r->nout; j++)
            n += rp->run[i].r->out[j].path == NULL;
    return n;
}

/* Whether a CSV output starts with its header row: a table begins with it,
 * and a time series appends its intervals to the table without it; but a
 * command is a new reader each interval, and on a standard output shared
 * by several outputs each interval's tables come one after the other. */
static int csv_head(const struct ft_report *rp, const struct dest *d)
{
    if (d->pipe)
        return 1;
    if (d->fd >= 0)
        return lseek(d->fd, 0, SEEK_END) == 0;
    return rp->written == 0 || stdout_outputs(rp) > 1;
}

static int write_output(struct ft_report *rp, const struct rrun *run,
                        const struct ft_routput *o, struct ft_out *out, struct ft_err *err)
{
    /* flow-report -f overrides every output's own format */
    int format = rp->o.format != FT_RFMT_DEFAULT ? rp->o.format : o->format;
    if (format == FT_RFMT_BINARY)
        return ft_err_set(err, "%s line %u: format binary is not supported", rp->c->file,
                          o->lineno);
    struct dest d;
    if (open_dest(rp, run, o, out, &d, err) < 0)
        return -1;
    int rc;
    if (format == FT_RFMT_JSON || format == FT_RFMT_CSV)
        rc = rep_write_rows(rp, run, o, format, csv_head(rp, &d), d.out, err);
    else
        rc = write_ascii(rp, run, o, &d, err);
    if (close_dest(rp, o, &d, err) < 0)
        rc = -1;
    return rc;
}

int rep_write_run(struct ft_report *rp, struct rrun *run, struct ft_out *out,
                  struct ft_err *err)
{
    for (size_t i = 0; i < run->r->nout; i++)
        if (write_output(rp, run, &run->r->out[i], out, err) < 0)
            return -1;
    return 0;
}
