/*
 * ft_report.h - the report engine of flow-report: one pass over the flows
 * feeds every report of a definition (nfilter-language.md section 3), then
 * each report writes its outputs (print-formats.md section 5).
 *
 * The definition's filter, tag and mask come first, then each report's own
 * filter; keys go into an ft_agg table per report, bounded by max_keys (a
 * report that hit the limit says it is incomplete).  With time-series the
 * reports are written and emptied at every interval of flow time.
 *
 * An output is ASCII (the original's text), JSON lines or CSV (ftkit's,
 * ft_report_rows.c): one object or row per key, named after the report's
 * fields, then the totals.
 *
 * Outputs without a `path` go to the caller's buffer (standard output: the
 * engine never writes there itself); a path is a file (strftime-expanded,
 * directories made as needed) or, with a leading '|', a command's input.
 */
#ifndef FT_REPORT_H
#define FT_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>
#include "core/ft_err.h"
#include "core/ft_flow.h"
#include "lang/ft_vars.h"
#include "report/ft_rcfg.h"
#include "stream/ft_stream.h"
#include "text/ft_text.h"

struct ft_resolver;                 /* net/ft_resolve.h */

struct ft_report_opts {
    const struct ft_vars *vars;         /* -v, for the filter and tag files */
    const char *filter_file;            /* when the config includes none */
    const char *tag_file;
    const char *mask_file;
    const char *symdir;                 /* symbol tables (NULL: the default) */
    size_t max_keys;                    /* per report; 0: FT_AGG_DEFAULT_MAX_KEYS */
    time_t now;                         /* the `# now:` line and `time now`; 0: time() */
    const char *version;                /* the `# build-version:` line */
    /* enum ft_rformat of every output (flow-report -f); FT_RFMT_DEFAULT:
     * each output's own `format` */
    int format;
    /* Messages that stop nothing (a pipe command that failed). NULL: dropped. */
    void (*warn)(void *ctx, const char *msg);
    void *warn_ctx;
    /* Names in the filter, tag and mask files' addresses (net/ft_resolve.h);
     * NULL: getaddrinfo, each name bounded in time. */
    const struct ft_resolver *resolver;
};

struct ft_report;

/*
 * The run of definition def_name of c: filters, tags and masks resolved,
 * tables made.  NULL with err set ("FILE line N: unknown filter ...").
 * c must outlive the run.
 */
struct ft_report *ft_report_open(const struct ft_rcfg *c, const char *def_name,
                                 const struct ft_report_opts *o, struct ft_err *err);
void ft_report_free(struct ft_report *rp);

/* FT_F_* fields the run reads: a stream lacking one is refused
 * ("Report definition references a field not in flow."). */
uint64_t ft_report_needs(const struct ft_report *rp);

/* FT_F_* fields the run reads from a flow, for ft_reader_want: the needs
 * above, the counters and the times; 0 (every field) when the definition
 * tags, since a tag definition may match on any field. */
uint64_t ft_report_reads(const struct ft_report *rp);

/* The stream header shown by +xheader (kept, not copied). */
void ft_report_set_header(struct ft_report *rp, const struct ft_header *h);

/*
 * Feed n flows.  With time-series, an interval that ends writes and empties
 * the reports first (out: standard output's buffer).  0, or -1 with err set
 * (an output that could not be opened or written).
 */
int ft_report_flows(struct ft_report *rp, const struct ft_flow *flows, size_t n,
                    struct ft_out *out, struct ft_err *err);

/* Write every report's outputs (the last interval's). 0 or -1. */
int ft_report_finish(struct ft_report *rp, struct ft_out *out, struct ft_err *err);

/* Reports that refused keys at the limit (they said so in their output). */
size_t ft_report_incomplete(const struct ft_report *rp);

/* ---- groups: flows counted elsewhere --------------------------------------
 * A database that holds the flows (flow-report -c, ClickHouse) counts them
 * by the fields a report keys on; the groups then go into the same tables
 * and out through the same writers as flows read from a stream. */

/* Reports of the definition, and report i's name. */
size_t ft_report_nreports(const struct ft_report *rp);
const char *ft_report_name(const struct ft_report *rp, size_t i);

/*
 * The fields (enum ft_field_id) report i is a grouping of, into ids (room
 * for 2 * FT_RTYPE_MAX_KEYS) and *n: a report's flows grouped by them and
 * counted per group give its output.  NULL, or why the report is not such
 * a grouping (a filter, tag, mask or time series, per-flow rates, a kind of
 * its own): it then needs the flows themselves.
 */
const char *ft_report_group_keys(const struct ft_report *rp, size_t i, unsigned *ids,
                                 size_t *n);

/* One group: the flows with the same values of the key fields. */
struct ft_report_group {
    const struct ft_flow *key;          /* the key fields' values (others unread) */
    uint64_t recs;                      /* records */
    uint64_t flows;                     /* sum of dflows, or 1 a record without */
    uint64_t octets, packets;           /* sums, not scaled */
    uint64_t duration;                  /* sum of ft_flow_duration_ms */
    uint32_t first_s, last_s;           /* least and greatest unix_secs */
    uint32_t max_last;                  /* greatest uptime stamp `last` */
};

/* Count group g into report i (for which ft_report_group_keys said NULL). */
void ft_report_add_group(struct ft_report *rp, size_t i, const struct ft_report_group *g);

#endif
