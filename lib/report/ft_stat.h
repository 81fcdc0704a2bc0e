/*
 * ft_stat.h - flow-stat's classic reports, formats 0..32 (print-formats.md
 * section 3), byte for byte as flow-tools 0.68 prints them.
 *
 * A report is built once per stream (it checks that the stream carries the
 * fields its format needs), is given the flows in batches, and writes its
 * text into a struct ft_out at the end (formats 13 and 14 write a block per
 * flow as they go).  The key reports are rows of one table of formats
 * (ft_stat_fmt.c), each naming its key columns as field ids of the field
 * table; their keys are counted in an ft_agg table with a key limit.
 */
#ifndef FT_STAT_H
#define FT_STAT_H

#include <stddef.h>
#include <stdint.h>
#include "core/ft_err.h"
#include "core/ft_flow.h"
#include "stream/ft_format.h"
#include "stream/ft_stream.h"
#include "text/ft_text.h"

#define FT_STAT_NFORMATS 33     /* formats 0..32 */

/* Fields a report of one key column sorts on (-s/-S n); a report of two
 * key columns (10, 21, 23, 26, 32) numbers both keys first, so its flows
 * are field 2 and its duration field 5. */
enum ft_stat_sort_field {
    FT_STAT_SORT_KEY, FT_STAT_SORT_FLOWS, FT_STAT_SORT_OCTETS, FT_STAT_SORT_PACKETS,
    FT_STAT_SORT_DURATION, FT_STAT_SORT_NFIELDS
};

enum ft_stat_order { FT_STAT_UNSORTED, FT_STAT_ASCENDING, FT_STAT_DESCENDING };

struct ft_stat_opts {
    int format;                 /* 0..32 */
    int names;                  /* -n: symbolic names (ports, protocols, AS, tags) */
    int percent;                /* -P: counters as percentages of the report's totals */
    int wide;                   /* -w: a duration column, wider numeric keys */
    enum ft_stat_order order;   /* -s (ascending) or -S (descending) */
    int sort_field;             /* enum ft_stat_sort_field */
    char comment;               /* -c: the comment character ('#') */
    const char *symdir;         /* symbol tables (NULL: FT_SYM_DEFAULT_DIR) */
    size_t max_keys;            /* keys a report keeps (0: FT_AGG_DEFAULT_MAX_KEYS) */
};

/* The format's name as the info block prints it ("Source IP"), or NULL
 * when there is no such format. */
const char *ft_stat_format_name(int format);

/* Can format sort on field? */
int ft_stat_sort_valid(int format, int field);

/* FT_F_* fields a format needs in the stream. */
uint64_t ft_stat_required(int format);

/* FT_F_* fields a format reads from a flow (ft_reader_want): the above,
 * the counters, the times and the protocol. */
uint64_t ft_stat_reads(int format);

/*
 * The report information block: title (NULL: none), fields, symbols,
 * sorting, name and the command line (args, argc words, each followed by a
 * space, unprintable characters left out), then with h the stream header
 * block (flow-stat -p).
 */
void ft_stat_info(struct ft_out *o, const struct ft_stat_opts *opts, const char *title,
                  int argc, char *const *args, const struct ft_header *h);

struct ft_stat;

/* Why ft_stat_new failed. */
enum ft_stat_error {
    FT_STAT_ENOFORMAT = 1,      /* no such format */
    FT_STAT_EFIELDS,            /* the stream lacks a field the format needs */
    FT_STAT_ENOMEM
};

/* A report for flows of stream format fmt; NULL with *why and err set. With
 * opts->names the symbol tables are read; one that cannot be read leaves
 * its columns numeric. */
struct ft_stat *ft_stat_new(const struct ft_stat_opts *opts, const struct ft_format *fmt,
                            enum ft_stat_error *why, struct ft_err *err);
void ft_stat_free(struct ft_stat *s);

/* What comes before the flows (the plot formats' column titles). */
void ft_stat_begin(struct ft_stat *s, struct ft_out *o);

/* Count n flows (the plot formats write their lines to o). */
void ft_stat_add(struct ft_stat *s, struct ft_out *o, const struct ft_flow *flows, size_t n);

/* The report itself. -1 when memory ran out for sorting (nothing written). */
int ft_stat_end(struct ft_stat *s, struct ft_out *o);

/* Flows left out because dPkts was 0 (flow-tools warns about them). */
uint64_t ft_stat_bogus(const struct ft_stat *s);

/* Keys held, flows whose key was refused at the key limit, and whether
 * memory ran out before the limit: with either the report is incomplete. */
size_t ft_stat_keys(const struct ft_stat *s);
uint64_t ft_stat_refused(const struct ft_stat *s);
int ft_stat_failed(const struct ft_stat *s);

#endif
