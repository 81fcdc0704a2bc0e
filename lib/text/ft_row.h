/*
 * ft_row.h - flows as JSON objects and CSV rows.
 *
 * Keys and CSV column names are the json column of the field table
 * (core/ft_field.h).  A value the flow lacks is null in JSON and an empty
 * cell in CSV.  Two uses:
 *
 *   flow-print -f json / -f csv: fixed columns (the reference decoder's keys,
 *   then ftkit's own, which JSON leaves out when the flow lacks them), with
 *   the printer's time columns: time_base says whether first/last are
 *   router uptimes or wall-clock ms, first_ns/last_ns are wall-clock ns;
 *
 *   a chosen list of fields (flow-export -m), resolved once into a
 *   struct ft_row_cols: each cell is the field's member as stored.
 *
 * Every writer appends one line at p, where FT_OUT_MAX_LINE bytes are free
 * (ft_out_reserve), and returns the new end.
 */
#ifndef FT_ROW_H
#define FT_ROW_H

#include <stddef.h>
#include "core/ft_err.h"
#include "core/ft_field.h"
#include "core/ft_flow.h"
#include "text/ft_text.h"

enum ft_row_style { FT_ROW_JSON, FT_ROW_CSV };

/* flow-print's lines: a JSON object, a CSV row (newline included). */
char *ft_row_print_json(char *p, const struct ft_flow *f);
char *ft_row_print_csv(char *p, const struct ft_flow *f);
/* flow-print's CSV header line: the column names. */
void ft_row_print_head(struct ft_out *o);

/* A chosen list of fields. */
struct ft_row_col {
    const struct ft_field *field;
    const char *key;            /* its json key, else its flow-tools name */
    size_t len;
};

struct ft_row_cols {
    enum ft_row_style style;
    size_t n;
    struct ft_row_col col[FT_NFIELDS];
};

/* Columns for the fields ids[0..n), in that order: 0, or -1 with err when
 * there are none, an id is no field, or a field comes twice. */
int ft_row_cols_init(struct ft_row_cols *c, enum ft_row_style style,
                     const enum ft_field_id *ids, size_t n, struct ft_err *err);
/* The CSV header line of the columns (nothing for JSON). */
void ft_row_cols_head(struct ft_out *o, const struct ft_row_cols *c);
/* One flow as a JSON object or CSV row of the columns. */
char *ft_row_cols_put(char *p, const struct ft_row_cols *c, const struct ft_flow *f);

#endif
