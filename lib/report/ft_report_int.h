/*
 * ft_report_int.h - what the engine (ft_report.c) and the writer of its
 * outputs (ft_report_out.c) share.  Private to ftlib.
 */
#ifndef FT_REPORT_INT_H
#define FT_REPORT_INT_H

#include <stddef.h>
#include <string.h>
#include "lang/ft_filter.h"
#include "lang/ft_mask.h"
#include "lang/ft_tag.h"
#include "report/ft_agg.h"
#include "report/ft_dense.h"
#include "report/ft_report.h"
#include "text/ft_sym.h"

/* Bytes of an address in a key (rrun.addr_width). */
#define KEY_ADDR_WIDE 17
#define KEY_ADDR_V4 4

/* One component of a key: a flow field, how it is written, how shown. */
struct rkey_comp {
    const struct ft_field *field;
    uint8_t width;              /* bytes in the key */
    uint8_t addr_fmt;           /* enum ft_raddr_fmt (addresses) */
    const struct ft_field *mask; /* the prefix length of a prefix format, or NULL */
    uint32_t and_mask;          /* tag-mask; all ones otherwise */
};

/*
 * The counters of a key.  The table keeps only the leading part a report
 * needs (rrun.val_len): most count flows, octets, packets and duration
 * alone, so the rest is left out of their entries; it is read back through
 * rep_ctr, which fills in the zeros a report that does not count them had.
 */
struct rctr {
    uint64_t flows, octets, packets, duration;
    uint64_t count;                     /* the -count types */
    uint64_t frecs;                     /* the rates: shown or sorted on */
    double pps_sum, pps_min, pps_max, bps_sum, bps_min, bps_max;
    double lflows, loctets, lpackets;   /* linear-interpolated */
};

/* Buckets of summary-detail's distributions. */
#define RD_BUCKETS 26

/* Flows by packet size, packets, octets and duration (the last bucket of
 * each: everything larger). */
struct rdetail {
    uint64_t psize[RD_BUCKETS], fpsize[RD_BUCKETS], fosize[RD_BUCKETS], ftime[RD_BUCKETS];
};

/* A report's totals over what it counted. */
struct rtotals {
    uint64_t recs, ignores, flows, octets, packets, duration;
    /* earliest and latest export time (unix_secs): the original's first-
     * and last-flow, and the time of a report */
    uint32_t first_s, last_s;
    /* the largest uptime stamp of an end: summary-detail's fps is flows per
     * second of it (what the original computes; matched on its outputs) */
    uint32_t max_last;
    int any;
};

struct rrun {
    const struct ft_rreport *r;
    struct ft_filter_def *filter;       /* the report's own, or NULL */
    struct rkey_comp comp[FT_RTYPE_MAX_KEYS];
    int ncomp;
    size_t key_len;                     /* bytes of the key's components */
    /* bytes of an address in a key: 17 (family, then 16 bytes, IPv4 in the
     * first 4), or 4 when the stream's format has no IPv6
     * (ft_report_set_header): the IPv4 address alone, big-endian, so keys
     * sort as they did */
    uint8_t addr_width;
    int key_order;                      /* ties and no sort: in key order */
    int rates;                          /* some output shows or sorts on pps, bps, frecs */
    struct ft_agg *agg;                 /* keys and their rctr */
    /* a key of one 8- or 16-bit value listed in value order: counted here,
     * folded into agg before the outputs are written; or NULL */
    struct ft_dense *dense;
    size_t val_len;                     /* bytes of an rctr the table keeps */
    struct ft_agg *pairs;               /* the -count types: pairs seen */
    struct rtotals tot;
    struct rdetail detail;
};

struct ft_report {
    const struct ft_rcfg *c;
    const struct ft_rdef *def;
    struct ft_report_opts o;
    struct ft_filter *filters;
    struct ft_filter_def *def_filter;
    struct ft_tag *tags;
    const struct ft_tag_def *tag;
    struct ft_mask *masks;
    const struct ft_mask_def *mask;
    struct rrun *run;
    size_t nrun;
    struct ft_flow *scratch;            /* flows a tag or mask changes */
    const struct ft_header *hdr;
    struct ft_sym *sym[FT_SYM_NTABLES];
    uint8_t sym_tried[FT_SYM_NTABLES];
    uint64_t interval_end;              /* time series: the current interval's end, s */
    size_t written;                     /* intervals written */
};

/* Keys (or, in the -count types, pairs) a run refused at the key limit. */
static inline uint64_t rep_refused(const struct rrun *run)
{
    return (run->agg ? ft_agg_refused(run->agg) : 0) +
           (run->pairs ? ft_agg_refused(run->pairs) : 0);
}

/* The counters stored at val (val_len bytes of an rctr) as a whole rctr:
 * val itself when the table keeps it all, else buf with the rest zero. */
static inline const struct rctr *rep_ctr(const struct rrun *run, const void *val,
                                         struct rctr *buf)
{
    if (run->val_len == sizeof *buf)
        return val;
    memset(buf, 0, sizeof *buf);
    memcpy(buf, val, run->val_len);
    return buf;
}

/* Symbol names of keys (the `names` option): tables opened at first use. */
struct rep_names {
    struct ft_report *rp;
    int on;
};

/* The value of counter column col (enum ft_rcol) of a key. */
double rep_col_value(const struct rctr *c, int col);

/*
 * Key component i of key k (the whole key of a computed kind) as text at p,
 * at most FT_SYM_NAME_MAX or FT_IPV6_LEN + 4 bytes: a number, or, *text
 * set, an address, a prefix or a symbol name.  Returns the new end.
 */
char *rep_put_key(char *p, const struct rrun *run, int i, const uint8_t *k,
                  struct rep_names *nm, int *text);

/* The entries of run's table in the order output o sorts them: entry i of
 * the output is order[rep_nth(o, n, i)].  NULL with err set (no memory)
 * unless the table is empty; the caller frees it. */
uint32_t *rep_sorted(const struct rrun *run, const struct ft_routput *o, struct ft_err *err);

static inline size_t rep_nth(const struct ft_routput *o, size_t n, size_t i)
{
    /* `sort +F`: largest first, ties in the reverse of the ascending order */
    return o->sort_col >= 0 && o->sort_desc ? n - 1 - i : i;
}

/* Keys a report may hold (the -K limit or the default). */
static inline size_t rep_max_keys(const struct ft_report *rp)
{
    return rp->o.max_keys ? rp->o.max_keys : FT_AGG_DEFAULT_MAX_KEYS;
}

/* Write the records and totals of output o as JSON lines or CSV
 * (ft_report_rows.c); a CSV header row first when head is set (not when
 * appending to a table already begun).  0 or -1. */
int rep_write_rows(struct ft_report *rp, const struct rrun *run, const struct ft_routput *o,
                   int format, int head, struct ft_out *out, struct ft_err *err);

/* Write every output of run (ft_report_out.c).  0 or -1. */
int rep_write_run(struct ft_report *rp, struct rrun *run, struct ft_out *out,
                  struct ft_err *err);

#endif
