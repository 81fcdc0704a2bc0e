/*
 * ft_report_rows.c - a report's outputs as JSON lines and CSV (ftkit's,
 * beyond flow-tools), so that dashboards and scripts read reports without
 * screen-scraping.
 *
 * One JSON object or CSV row per key, in the output's sort order and up to
 * its record limit, with the output's fields; then the totals: a JSON
 * object {"totals":{...}} (with "incomplete" when keys were refused at the
 * limit), or a CSV row marked "totals" in the first key column.  A time
 * series puts its interval's start and end in every object and row.  Every
 * JSON object starts with the report's name ("report"), as several reports
 * may write to one stream.
 *
 * Names: key columns are the field table's report spellings
 * ("ip-source-address"), computed keys are named below, counters by their
 * `fields` names ("octets", "avg-bps").  Numbers are JSON numbers,
 * addresses, prefixes and symbol names (the `names` option) strings.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report/ft_report_int.h"

/* What a column shows. */
enum rcol_kind {
    RCOL_REPORT, RCOL_IVL_START, RCOL_IVL_END, RCOL_FIRST, RCOL_LAST, RCOL_KEY, RCOL_COUNT,
    RCOL_COUNTER, RCOL_RATE, RCOL_FRECS, RCOL_LINEAR
};

struct rcolumn {
    uint8_t kind;               /* enum rcol_kind */
    uint8_t arg;                /* the key component, enum ft_rcol, or 0..2 (linear) */
    char name[64];
};

/* Interval columns, first/last, six keys, count, counters, rates, frecs. */
#define ROWS_MAX_COLUMNS 32

/* Room for one cell: an escaped symbol name is the longest. */
#define ROWS_CELL_MAX (6 * FT_SYM_NAME_MAX + 192)

struct rows {
    const struct rrun *run;
    const struct ft_routput *o;
    struct ft_out *out;
    int json, percent;
    size_t cell_max;            /* room for the longest cell (the report's name) */
    uint64_t ivl_start, ivl_end;
    struct rep_names nm;
    struct rcolumn col[ROWS_MAX_COLUMNS];
    size_t ncol;
};

/* The name of a computed kind's key (the ASCII heading's, spelt as a
 * name: "octets/flow*" is "octets-per-flow"; first, last and duration get
 * "flow-" so as not to meet the columns of the same names). */
static const char *kind_key_name(enum ft_rkind k)
{
    switch (k) {
    case FT_RK_PACKET_SIZE: return "packet-size";
    case FT_RK_OCTETS: return "octets-per-flow";
    case FT_RK_PACKETS: return "packets-per-flow";
    case FT_RK_BPS: return "bps-per-flow";
    case FT_RK_PPS: return "pps-per-flow";
    case FT_RK_DST_ADDR_TYPE: return "ip-destination-address-type";
    case FT_RK_IP_ADDRESS: return "ip-address";
    case FT_RK_IP_PORT: return "ip-port";
    case FT_RK_SRC_DST_COUNT: return "ip-source-address";
    case FT_RK_DST_SRC_COUNT: return "ip-destination-address";
    case FT_RK_LINEAR: return "unix-secs";
    case FT_RK_FIRST: return "flow-first";
    case FT_RK_LAST: return "flow-last";
    case FT_RK_DURATION: return "flow-duration";
    default: return "key";
    }
}

static void add_col(struct rows *w, enum rcol_kind kind, int arg, const char *name)
{
    struct rcolumn *c = &w->col[w->ncol++];
    c->kind = (uint8_t)kind;
    c->arg = (uint8_t)arg;
    snprintf(c->name, sizeof c->name, "%s", name);
}

static void add_key_cols(struct rows *w)
{
    const struct rrun *run = w->run;
    enum ft_rkind kind = (enum ft_rkind)run->r->type.kind;
    int nkeys = kind == FT_RK_FIELDS ? run->ncomp : 1;
    for (int i = 0; i < nkeys; i++) {
        int bit = nkeys == 1 ? FT_RC_KEY : FT_RC_KEY1 + i;
        char name[64];
        if (!(w->o->fields & FT_RC_BIT(bit)))
            continue;
        if (kind != FT_RK_FIELDS ||
            !ft_field_lang_name(run->comp[i].field, name, sizeof name))
            snprintf(name, sizeof name, "%s", kind_key_name(kind));
        add_col(w, RCOL_KEY, i, name);
    }
}

/* The columns of a keyed report, in the order of the ASCII records. */
static void keyed_columns(struct rows *w)
{
    enum ft_rkind kind = (enum ft_rkind)w->run->r->type.kind;
    uint32_t f = w->o->fields;
    if (f & FT_RC_BIT(FT_RC_FIRST))
        add_col(w, RCOL_FIRST, 0, "first");
    if (f & FT_RC_BIT(FT_RC_LAST))
        add_col(w, RCOL_LAST, 0, "last");
    add_key_cols(w);
    if (f & FT_RC_BIT(FT_RC_COUNT))
        add_col(w, RCOL_COUNT, 0, kind == FT_RK_SRC_DST_COUNT ? "ip-destination-address-count"
                                : kind == FT_RK_DST_SRC_COUNT ? "ip-source-address-count"
                                : "count");
    if (kind == FT_RK_LINEAR) {     /* always its three, as in ASCII */
        add_col(w, RCOL_LINEAR, 0, "flows");
        add_col(w, RCOL_LINEAR, 1, "octets");
        add_col(w, RCOL_LINEAR, 2, "packets");
        return;
    }
    for (int c = FT_RC_FLOWS; c <= FT_RC_DURATION; c++)
        if (f & FT_RC_BIT(c))
            add_col(w, RCOL_COUNTER, c, ft_rcol_name((enum ft_rcol)c));
    for (int c = FT_RC_AVG_BPS; c <= FT_RC_MAX_PPS; c++)
        if (f & FT_RC_BIT(c))
            add_col(w, RCOL_RATE, c, ft_rcol_name((enum ft_rcol)c));
    if (f & FT_RC_BIT(FT_RC_FRECS))
        add_col(w, RCOL_FRECS, 0, "frecs");
}

/* ---- cells ------------------------------------------------------------------ */

/* The separator and, in JSON, the member's name. */
static char *cell_start(const struct rows *w, char *p, size_t i, const char *name)
{
    if (i)
        *p++ = ',';
    if (w->json) {
        p = ft_put_json_str(p, name, strlen(name));
        *p++ = ':';
    }
    return p;
}

/* A CSV cell of text, quoted with its quotes doubled when it holds a
 * comma, a quote or a line end (RFC 4180). */
static char *put_csv_text(char *p, const char *s, size_t n)
{
    if (!memchr(s, ',', n) && !memchr(s, '"', n) && !memchr(s, '\n', n) &&
        !memchr(s, '\r', n))
        return ft_put_mem(p, s, n);
    *p++ = '"';
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '"')
            *p++ = '"';
        *p++ = s[i];
    }
    *p++ = '"';
    return p;
}

static char *put_text(const struct rows *w, char *p, const char *s, size_t n)
{
    return w->json ? ft_put_json_str(p, s, n) : put_csv_text(p, s, n);
}

/* A fraction as ASCII prints it; JSON has no infinity: null. */
static char *put_real(const struct rows *w, char *p, double v)
{
    if (!isfinite(v))
        return w->json ? ft_put_lit(p, "null") : p;
    return p + snprintf(p, 400, "%f", v);
}

static char *put_key_cell(struct rows *w, char *p, int comp, const uint8_t *k)
{
    char text[FT_SYM_NAME_MAX + FT_IPV6_LEN + 8];
    int is_text;
    char *end = rep_put_key(text, w->run, comp, k, &w->nm, &is_text);
    if (is_text)
        return put_text(w, p, text, (size_t)(end - text));
    return ft_put_mem(p, text, (size_t)(end - text));
}

static uint64_t counter_of(const struct rctr *c, int col)
{
    switch (col) {
    case FT_RC_FLOWS: return c->flows;
    case FT_RC_OCTETS: return c->octets;
    case FT_RC_PACKETS: return c->packets;
    default: return c->duration;
    }
}

static uint64_t total_of(const struct rtotals *t, int col)
{
    switch (col) {
    case FT_RC_FLOWS: return t->flows;
    case FT_RC_OCTETS: return t->octets;
    case FT_RC_PACKETS: return t->packets;
    default: return t->duration;
    }
}

/* Cells every row has alike: the interval and first/last. */
static char *put_common_cell(const struct rows *w, const struct rcolumn *col, char *p)
{
    const struct rtotals *t = &w->run->tot;
    switch (col->kind) {
    case RCOL_REPORT: return ft_put_json_str(p, w->run->r->name, strlen(w->run->r->name));
    case RCOL_IVL_START: return ft_put_u64(p, w->ivl_start);
    case RCOL_IVL_END: return ft_put_u64(p, w->ivl_end);
    case RCOL_FIRST: return ft_put_u64(p, t->first_s);
    default: return ft_put_u64(p, t->last_s);
    }
}

static char *put_cell(struct rows *w, const struct rcolumn *col, char *p, const uint8_t *k,
                      const struct rctr *c)
{
    const struct rtotals *t = &w->run->tot;
    switch (col->kind) {
    case RCOL_KEY:
        return put_key_cell(w, p, col->arg, k);
    case RCOL_COUNT:
        return ft_put_u64(p, c->count);
    case RCOL_COUNTER: {
        uint64_t v = counter_of(c, col->arg), all = total_of(t, col->arg);
        if (!w->percent)
            return ft_put_u64(p, v);
        return put_real(w, p, all ? (double)v * 100.0 / (double)all : 0.0);
    }
    case RCOL_RATE:
        return put_real(w, p, rep_col_value(c, col->arg));
    case RCOL_FRECS:
        return ft_put_u64(p, c->frecs);
    case RCOL_LINEAR:
        return put_real(w, p, col->arg == 0 ? c->lflows : col->arg == 1 ? c->loctets
                                                                       : c->lpackets);
    default:
        return put_common_cell(w, col, p);
    }
}

/* ---- rows -------------------------------------------------------------------- */

static void put_row(struct rows *w, const uint8_t *k, const struct rctr *c)
{
    if (w->json)
        ft_out_str(w->out, "{");
    for (size_t i = 0; i < w->ncol; i++) {
        char *p = ft_out_reserve(w->out, w->cell_max);
        p = put_cell(w, &w->col[i], cell_start(w, p, i, w->col[i].name), k, c);
        ft_out_commit(w->out, p);
    }
    ft_out_str(w->out, w->json ? "}\n" : "\n");
}

/* The CSV header row: the columns' names. */
static void put_head(struct rows *w)
{
    for (size_t i = 0; i < w->ncol; i++) {
        char *p = ft_out_reserve(w->out, w->cell_max);
        if (i)
            *p++ = ',';
        p = put_csv_text(p, w->col[i].name, strlen(w->col[i].name));
        ft_out_commit(w->out, p);
    }
    ft_out_str(w->out, "\n");
}

/* CSV: the totals under the columns of the keys, "totals" in the first key
 * column, the counters' sums (never percentages), nothing where a sum means
 * nothing (count, rates).  Not written when no key column is shown: the
 * row could not be told from a key's. */
static void put_total_row(struct rows *w)
{
    const struct rtotals *t = &w->run->tot;
    int marked = 0;
    for (size_t i = 0; i < w->ncol; i++)
        marked |= w->col[i].kind == RCOL_KEY;
    if (!marked)
        return;
    marked = 0;
    for (size_t i = 0; i < w->ncol; i++) {
        const struct rcolumn *col = &w->col[i];
        char *p = ft_out_reserve(w->out, w->cell_max);
        if (i)
            *p++ = ',';
        if (col->kind == RCOL_KEY && !marked) {
            p = ft_put_lit(p, "totals");
            marked = 1;
        } else if (col->kind == RCOL_COUNTER) {
            p = ft_put_u64(p, total_of(t, col->arg));
        } else if (col->kind == RCOL_LINEAR) {
            static const int sums[] = { FT_RC_FLOWS, FT_RC_OCTETS, FT_RC_PACKETS };
            p = ft_put_u64(p, total_of(t, sums[col->arg]));
        } else if (col->kind <= RCOL_LAST) {
            p = put_common_cell(w, col, p);
        }
        ft_out_commit(w->out, p);
    }
    ft_out_str(w->out, "\n");
}

/* The columns of the totals (the `# rec1:` line's) and their values. */
static const char *const total_names[] = { "records", "ignores", "flows", "octets", "packets",
                                           "duration" };

static void total_values(const struct rrun *run, uint64_t v[6])
{
    const struct rtotals *t = &run->tot;
    v[0] = run->agg ? ft_agg_count(run->agg) : 0;
    v[1] = t->ignores;
    v[2] = t->flows;
    v[3] = t->octets;
    v[4] = t->packets;
    v[5] = t->duration;
}

/* JSON: {"report":R,"interval-start":S,"interval-end":E,"totals":{...},"incomplete":N}. */
static void put_total_object(struct rows *w)
{
    uint64_t v[6];
    total_values(w->run, v);
    char *p = ft_out_reserve(w->out, w->cell_max);
    *p++ = '{';
    size_t n = 0;
    for (; n < w->ncol && w->col[n].kind <= RCOL_IVL_END; n++)
        p = put_common_cell(w, &w->col[n], cell_start(w, p, n, w->col[n].name));
    p = cell_start(w, p, n, "totals");
    *p++ = '{';
    for (size_t i = 0; i < 6; i++)
        p = ft_put_u64(cell_start(w, p, i, total_names[i]), v[i]);
    *p++ = '}';
    if (rep_refused(w->run))
        p = ft_put_u64(ft_put_lit(p, ",\"incomplete\":"), rep_refused(w->run));
    p = ft_put_lit(p, "}\n");
    ft_out_commit(w->out, p);
}

/* A report without keys (summary-counters, summary-detail) in CSV: the
 * interval's columns, if any, and the totals as one row. */
static void put_keyless_csv(struct rows *w, int head)
{
    uint64_t v[6];
    total_values(w->run, v);
    for (size_t i = 0; i < 6; i++)
        add_col(w, RCOL_COUNTER, 0, total_names[i]);
    if (head)
        put_head(w);
    char *p = ft_out_reserve(w->out, w->cell_max);
    for (size_t i = 0; i < w->ncol; i++) {
        if (i)
            *p++ = ',';
        if (w->col[i].kind <= RCOL_IVL_END)
            p = put_common_cell(w, &w->col[i], p);
        else
            p = ft_put_u64(p, v[i - (w->ncol - 6)]);
    }
    *p++ = '\n';
    ft_out_commit(w->out, p);
}

static int put_keyed(struct rows *w, int head, struct ft_err *err)
{
    const struct rrun *run = w->run;
    size_t n = ft_agg_count(run->agg);
    uint32_t *order = rep_sorted(run, w->o, err);
    if (!order && n)
        return -1;
    keyed_columns(w);
    if (head && !w->json)
        put_head(w);
    for (size_t i = 0; i < n && !w->out->error; i++) {
        if (w->o->records && i >= w->o->records)
            break;
        uint32_t e = order[rep_nth(w->o, n, i)];
        struct rctr buf;
        put_row(w, ft_agg_key(run->agg, e), rep_ctr(run, ft_agg_val(run->agg, e), &buf));
    }
    free(order);
    return 0;
}

int rep_write_rows(struct ft_report *rp, const struct rrun *run, const struct ft_routput *o,
                   int format, int head, struct ft_out *out, struct ft_err *err)
{
    struct rows *w = calloc(1, sizeof *w);
    if (!w)
        return ft_err_set(err, "out of memory");
    w->run = run;
    w->o = o;
    w->out = out;
    w->json = format == FT_RFMT_JSON;
    w->percent = (o->options & FT_ROPT_PERCENT) != 0;
    w->nm.rp = rp;
    w->nm.on = (o->options & FT_ROPT_NAMES) != 0;
    w->cell_max = ROWS_CELL_MAX + 6 * strlen(run->r->name);
    /* several reports' lines may share one stream: each says whose it is */
    if (w->json)
        add_col(w, RCOL_REPORT, 0, "report");
    if (rp->def->time_series) {
        /* written before the engine moves on: interval_end is this one's */
        uint64_t len = rp->def->time_series;
        w->ivl_end = rp->interval_end;
        w->ivl_start = w->ivl_end >= len ? w->ivl_end - len : 0;
        add_col(w, RCOL_IVL_START, 0, "interval-start");
        add_col(w, RCOL_IVL_END, 0, "interval-end");
    }
    int rc = 0;
    if (!run->agg && !w->json)
        put_keyless_csv(w, head);
    else if (run->agg)
        rc = put_keyed(w, head, err);
    if (rc == 0 && w->json)
        put_total_object(w);
    else if (rc == 0 && run->agg)
        put_total_row(w);
    free(w);
    return rc;
}
