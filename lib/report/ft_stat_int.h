/*
 * ft_stat_int.h - inside flow-stat's reports: the table of formats and the
 * report's state, shared by ft_stat.c (key reports), ft_stat_sum.c (the
 * summaries and plots) and ft_stat_fmt.c (the table).
 */
#ifndef FT_STAT_INT_H
#define FT_STAT_INT_H

#include "report/ft_agg.h"
#include "report/ft_dense.h"
#include "report/ft_stat.h"
#include "text/ft_sym.h"

enum ft_stat_kind {
    FT_SK_SUMMARY,              /* 0: overall summary with histograms */
    FT_SK_KEYS,                 /* key/counter reports */
    FT_SK_PLOT,                 /* 13, 14: two lines per flow */
    FT_SK_SHORT,                /* 15: octets, packets, MBytes */
    FT_SK_NONE                  /* 4: "Not implemented." */
};

/* How a key column is made from a flow. */
enum ft_stat_derive {
    FT_SD_FIELD,                /* the field's value */
    FT_SD_PKTSIZE,              /* dOctets / dPkts */
    FT_SD_PREFIX                /* the address masked by the length in `mask` */
};

#define FT_SYM_NONE (-1)

struct ft_stat_col {
    uint8_t field;              /* enum ft_field_id: the value, or a prefix's address */
    uint8_t mask;               /* FT_SD_PREFIX: the field holding its length */
    uint8_t derive;             /* enum ft_stat_derive */
    uint8_t width;              /* columns the key takes ("%-W.Ws") */
    int8_t sym;                 /* enum ft_sym_table of -n, or FT_SYM_NONE */
    uint8_t sym_max;            /* flow-tools' name buffer: names cut to sym_max-1 */
};

struct ft_stat_fmt {
    const char *name;
    uint8_t kind;               /* enum ft_stat_kind */
    const char *head;           /* title line between "# " and "flows" */
    uint8_t ncols;              /* key columns (1 or 2) */
    uint8_t each;               /* both columns are one key, each counted (7, 11) */
    uint8_t by_key;             /* listed by key, as flow-tools' arrays of 8/16-bit keys */
    uint8_t pad_packets;        /* the packets column padded to 20 as well */
    uint8_t tcp_udp;            /* only TCP and UDP flows count (port reports) */
    struct ft_stat_col col[2];
};

extern const struct ft_stat_fmt ft_stat_fmts[FT_STAT_NFORMATS];

/* A key's counters. */
struct ft_stat_counts {
    uint64_t flows, octets, packets, duration;
};

#define FT_STAT_NBUCKETS 26     /* every histogram of format 0: 15 + 11 columns */

/* Format 0's totals and histograms; format 15's totals; 13/14's extremes. */
struct ft_stat_sum {
    uint64_t flows, octets, packets, time;
    uint32_t first_min, last_max, secs_min, secs_max;
    uint64_t ymin, ymax;
    int seen;
    uint64_t psize[FT_STAT_NBUCKETS], ppf[FT_STAT_NBUCKETS];
    uint64_t opf[FT_STAT_NBUCKETS], ftime[FT_STAT_NBUCKETS];
};

struct ft_stat {
    struct ft_stat_opts opts;
    const struct ft_stat_fmt *fmt;
    struct ft_agg *agg;         /* key reports */
    size_t key_len;             /* bytes of a key: the columns' widths, rounded to 8 */
    struct ft_sym *sym[2];      /* -n tables of the columns, or NULL */
    struct ft_stat_sum sum;
    uint64_t bogus;
    /* Reports of one 8- or 16-bit field (ports, protocol, ToS, engines)
     * count in an array indexed by the value, as flow-tools did, and fold
     * it into agg at the end: no hashing per flow. */
    struct ft_dense *dense;
    uint64_t dense_refused;     /* flows of keys the fold found no room for */
};

/* ft_stat_sum.c */
void ft_stat_sum_add(struct ft_stat *s, struct ft_out *o, const struct ft_flow *flows,
                     size_t n);
void ft_stat_sum_begin(struct ft_stat *s, struct ft_out *o);
void ft_stat_sum_end(struct ft_stat *s, struct ft_out *o);

/* The flows a record stands for: dFlows in aggregated streams, else 1. */
static inline uint64_t ft_stat_flows_of(const struct ft_flow *f)
{
    return (f->has & FT_F_DFLOWS) ? f->dflows : 1;
}

#endif
