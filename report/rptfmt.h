/*
 * rptfmt.h - what the two halves of flow-rptfmt share: flow-rptfmt.c makes
 * views of flow-report's tables and writes them as ASCII or HTML;
 * rptfmt_chart.c (-f chart) draws the SVG charts of the nightly page and
 * puts beside each chart the very table -f html writes.
 */
#ifndef RPTFMT_H
#define RPTFMT_H

#include <stddef.h>
#include "report/ft_rptin.h"
#include "text/ft_sym.h"
#include "text/ft_text.h"

#define MAX_FIELDS 64                   /* -F names at most */
#define CELL_MAX 320                    /* longest cell text shown */
/* Keyless tables wider than this (summary-detail's rec2) are listed one
 * column a line: 120 columns side by side help nobody. */
#define WIDE_TABLE 10

/* chart: the HTML page with SVG charts of rptfmt_chart.c */
enum fmt { FMT_ASCII, FMT_HTML, FMT_CHART };

struct rptfmt_opts {
    enum fmt format;            /* -f */
    const char *fields[MAX_FIELDS];     /* -F */
    size_t nfields;
    int no_header;              /* -H */
    int names;                  /* -n */
    int percent;                /* -p */
    long max_lines;             /* -m, 0: all */
    const char *sort;           /* -s, without its sign */
    int sort_ascending;         /* -s -FIELD */
    const char *title;          /* -t: the chart page's title */
};

/* One column as shown: a column of the table, or the percent of one. */
struct vcol {
    long src;                   /* the table's column */
    int is_percent;             /* the share of src in total */
    double total;
    const struct ft_sym *sym;   /* names for its numbers (-n), or NULL */
    int numeric;                /* every shown cell a number: aligned right */
    char title[80];
    size_t width;
};

struct view {
    const struct ft_rpt_table *t;
    struct vcol *cols;
    size_t ncols;
    size_t *rows;               /* row indices in the order shown */
    size_t nrows;
    int in_order;               /* not sorted: the tally lines keep their places */
};

/* The symbol tables, each read at the first column that needs it. */
struct names {
    struct ft_sym *sym[FT_SYM_NTABLES];
    int tried[FT_SYM_NTABLES];
};


extern const char html_style[];

int has_key(const struct ft_rpt_table *t);
/* The columns and rows of t as shown with the options o; free_view after. */
void make_view(struct view *v, const struct ft_rpt_table *t, const struct ft_rpt_report *r,
               const struct rptfmt_opts *o, struct names *nm);
void free_view(struct view *v);
/* The text a view column shows for row `row` (into buf of CELL_MAX). */
const char *cell_text(const struct view *v, const struct vcol *c, size_t row, char *buf);

void html_text(struct ft_out *out, const char *s);
void html_table(struct ft_out *out, const struct view *v);
/* A report as -f html shows it: a <section> with its title and tables. */
void html_report(struct ft_out *out, const struct ft_rpt_report *r,
                 const struct rptfmt_opts *o, struct names *nm, size_t n);

/* The whole -f chart page. */
void chart_page(struct ft_out *out, const struct ft_rptin *in, const struct rptfmt_opts *o,
                struct names *nm);

#endif
