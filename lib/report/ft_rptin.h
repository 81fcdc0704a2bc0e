/*
 * ft_rptin.h - flow-report's ASCII output read back (print-formats.md 5),
 * for the programs that present it: flow-rptfmt, and the chart page.
 *
 * The input is a sequence of reports.  A report may start with a header
 * block of `#` lines (Report Information, the stream header of +xheader),
 * then holds tables: each a column line `# recN: title,title*,...` (a `*`
 * marks a key column) and comma-separated data lines, possibly followed by
 * `# stop, hit record limit.`.  A new report starts with a header line
 * after a table, with a rec1 (totals) table, or with a second recn table
 * (time-series reports print one rec1/recn pair per interval).  The
 * running totals of the tally option (`#TALLY %recs=...` lines between the
 * data lines) stay with their table, each after the row it follows.
 *
 * The text is cut in place: titles, cells and header lines are
 * NUL-terminated strings inside the parsed copy, valid until
 * ft_rptin_free.  Nothing here prints; errors name the input and the line.
 */
#ifndef FT_RPTIN_H
#define FT_RPTIN_H

#include <stddef.h>
#include <stdint.h>
#include "core/ft_err.h"

struct ft_rpt_tally {
    size_t after;               /* rows of the table before it */
    const char *text;           /* the whole line ("#TALLY %recs=1.382 ...") */
};

struct ft_rpt_table {
    const char *kind;           /* what precedes the ':' of the column line: "rec1", "recn" */
    size_t ncols;
    const char **cols;          /* titles, without the key mark */
    uint8_t *key;               /* 1 for a key column (title ended with '*') */
    size_t nrows;
    const char **cells;         /* nrows * ncols, row by row */
    struct ft_rpt_tally *tallies;
    size_t ntallies;
    int hit_limit;              /* "# stop, hit record limit." followed it */
    size_t line;                /* line number of its column line */
};

struct ft_rpt_report {
    const char **header;        /* the header block's lines, whole ("# name: x") */
    size_t nheader;
    struct ft_rpt_table *tables;
    size_t ntables;
};

struct ft_rptin {
    struct ft_rpt_report *reports;
    size_t nreports;
    uint64_t refused;           /* data lines beyond the limit, not kept */
    char *text;                 /* the cut copy everything points into */
    size_t items, limit;
};

/* Cells, header lines and tables kept at most (default of limit 0). */
#define FT_RPTIN_DEFAULT_LIMIT (1u << 24)
/* Columns a table may have at most (rec2 of summary-detail has 120). */
#define FT_RPTIN_MAX_COLS 4096

/*
 * Parse len bytes of text; name is used in messages.  Lines that would
 * take the items kept past `limit` (0: FT_RPTIN_DEFAULT_LIMIT) are counted
 * in ->refused, not kept (once the limit is reached, every further line).  NULL with err ("NAME line N: ...") on a data line before any
 * column line or with another number of fields than its column line, or
 * when memory runs out.
 */
struct ft_rptin *ft_rptin_parse(const char *text, size_t len, const char *name,
                                size_t limit, struct ft_err *err);
void ft_rptin_free(struct ft_rptin *in);

/* The cell of a row and column. */
static inline const char *ft_rpt_cell(const struct ft_rpt_table *t, size_t row, size_t col)
{
    return t->cells[row * t->ncols + col];
}

/* The column titled title (without its '*'), or -1. */
long ft_rpt_col(const struct ft_rpt_table *t, const char *title);

/* The first table of kind ("rec1", "recn") in r, or NULL. */
const struct ft_rpt_table *ft_rpt_table_of(const struct ft_rpt_report *r, const char *kind);

/*
 * A header line's field: "# name:    top" gives key "name" (*klen 4) and
 * value "top"; 0, or -1 for lines that are no "key: value" (the "#"
 * separators, the Report Information title).
 */
int ft_rpt_header_field(const char *line, const char **key, size_t *klen, const char **value);

/* The value of header field key in r ("name", "type"), or NULL. */
const char *ft_rpt_header_value(const struct ft_rpt_report *r, const char *key);

/* A cell that is a plain decimal number ("42", "-1.5", "0.459770"): 1 with
 * its value in *v, else 0 (addresses, names). */
int ft_rpt_number(const char *cell, double *v);

#endif
