/*
 * ch_report.h - flow-report -c: the reports of a definition run against a
 * ClickHouse table of flows (flow-clickhouse(1)) instead of a stream.
 */
#ifndef CH_REPORT_H
#define CH_REPORT_H

#include <stdint.h>
#include <time.h>
#include "io/ft_chhttp.h"
#include "report/ft_report.h"
#include "text/ft_text.h"

#define CH_MAX_EXPORTERS 64

struct ch_source {
    struct ft_ch_url url;
    const char *table;
    int have_start, have_end;       /* the window: start <= ts_start < end */
    time_t start, end;
    uint32_t exporter[CH_MAX_EXPORTERS];    /* IPv4 exporters; none: all */
    int nexporter;
};

/* Parse "a.b.c.d,..." into src's exporters; dies on a bad one. */
void ch_add_exporters(struct ch_source *src, const char *list);

/* Every report of rp from the table, written to out.  0, or 1 after saying
 * why (a report that is no grouping of fields, the server's error). */
int ch_run_reports(struct ft_report *rp, const struct ch_source *src, struct ft_out *out);

#endif
