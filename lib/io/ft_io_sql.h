/*
 * ft_io_sql.h - what the two SQL exports (MySQL/MariaDB format 3,
 * PostgreSQL format 5) share (not installed): the -u URI, the columns and
 * the batch of rows being built.
 *
 * The columns are the stream's fields within -m, in the order of the field
 * table, each named by its flow-tools field name (the names of -m and of
 * the CSV header); a value the flow lacks is NULL.  Values are numbers and
 * addresses printed here (digits, dots, colons, hex): nothing in them needs
 * escaping, and the names the user gives (table, and a schema before a
 * dot) are quoted as identifiers.
 */
#ifndef FT_IO_SQL_H
#define FT_IO_SQL_H

#include <stddef.h>
#include <stdint.h>
#include "io/ft_io_int.h"

/* user:password:host:port:name:table, flow-tools' defaults for what is not
 * given (no -u at all: netflow:netflow:localhost:<default port>:netflow:raw). */
struct ft_sql_uri {
    char *buf;                  /* the copy the strings below point into */
    const char *user, *password, *host, *name, *table;
    unsigned port;              /* 0: the library's default */
};

/* Parse uri (NULL: the defaults): 0, or -1 with err. */
int ft_sql_uri_parse(const char *uri, struct ft_sql_uri *u, struct ft_err *err);

/* How rows are written into the batch. */
enum ft_sql_style {
    FT_SQL_VALUES,              /* (1,'10.0.0.1',NULL),(...) for INSERT ... VALUES */
    FT_SQL_COPY                 /* 1<TAB>10.0.0.1<TAB>\N<LF> for COPY ... FROM STDIN */
};

/* Rows per batch, and bytes at which a batch goes out before that: small
 * enough for any server's packet limit (MariaDB allows 16 MiB by default). */
#define FT_SQL_BATCH_ROWS 2000
#define FT_SQL_BATCH_BYTES (1024 * 1024)

struct ft_sql {
    struct ft_sql_uri uri;
    enum ft_sql_style style;
    const struct ft_field *cols[FT_NFIELDS];
    size_t n_cols;
    char *buf;                  /* the statement or COPY data being built */
    size_t len, cap;
    size_t head;                /* bytes of buf before the first row (INSERT ... VALUES ) */
    size_t rows;                /* rows in the batch */
    uint64_t stored;            /* rows committed */
    char *table_q;              /* the table as a quoted identifier */
    char *cols_q;               /* the quoted column names, comma separated */
};

/* Set up s for export x: parse -u, choose the columns, quote the names with
 * q (` for MySQL, " for PostgreSQL).  0, or -1 with err (s is then to be
 * released with ft_sql_free all the same). */
int ft_sql_init(struct ft_sql *s, const struct ft_export *x, enum ft_sql_style style, char q,
                struct ft_err *err);
void ft_sql_free(struct ft_sql *s);

/* Append n bytes to the batch: 0, or -1 with err (out of memory). */
int ft_sql_append(struct ft_sql *s, const char *p, size_t n, struct ft_err *err);
/* Append a flow as a row of the batch: 0, or -1 with err. */
int ft_sql_row(struct ft_sql *s, const struct ft_flow *f, struct ft_err *err);
/* Is the batch full? */
int ft_sql_full(const struct ft_sql *s);
/* The batch went in: count its rows as stored and start the next one
 * (keeping the first head bytes). */
void ft_sql_done(struct ft_sql *s);

/* A server's message made one line (runs of blanks and line ends become
 * one space, no trailing blank) into out[0..size). */
void ft_sql_one_line(char *out, size_t size, const char *msg);

#endif
