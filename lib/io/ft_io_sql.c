/*
 * ft_io_sql.c - the parts of the SQL exports that do not depend on the
 * server: the -u URI, the columns from the field table, a batch of rows as
 * text.  Built with or without the client libraries.
 */
#include <stdlib.h>
#include <string.h>
#include "io/ft_io_sql.h"

/* ---- -u ------------------------------------------------------------------ */

int ft_sql_uri_parse(const char *uri, struct ft_sql_uri *u, struct ft_err *err)
{
    memset(u, 0, sizeof *u);
    /* flow-tools' defaults, also when there is no -u at all */
    u->user = "netflow";
    u->password = "netflow";
    u->host = "localhost";
    u->name = "netflow";
    u->table = "raw";
    if (!uri)
        return 0;
    if (!(u->buf = strdup(uri)))
        return ft_err_set(err, "out of memory");
    const char **part[] = {&u->user, &u->password, &u->host, NULL, &u->name, &u->table};
    char *p = u->buf, *port = NULL;
    for (size_t i = 0; i < 6; i++) {
        if (!p)
            return ft_err_set(err, "missing field in the URI \"%s\", expecting "
                              "user:password:host:port:name:table", uri);
        char *end = strchr(p, ':');
        if (end)
            *end = '\0';
        if (part[i])
            *part[i] = p;
        else
            port = p;
        p = end ? end + 1 : NULL;
    }
    if (p)
        return ft_err_set(err, "more than six fields in the URI \"%s\", expecting "
                          "user:password:host:port:name:table", uri);
    if (*u->name == '\0' || *u->table == '\0')
        return ft_err_set(err, "no database or table name in the URI \"%s\"", uri);
    if (*port) {
        uint64_t v;
        if (ft_io_number(port, strlen(port), 65535, &v) < 0 || v == 0)
            return ft_err_set(err, "bad port \"%s\" in the URI", port);
        u->port = (unsigned)v;
    }
    return 0;
}

/* ---- names --------------------------------------------------------------- */

/* name as a quoted identifier (q doubled inside); a dot separates a schema
 * or database from the table, and each part is quoted on its own. */
static char *quote_ident(const char *name, char q)
{
    size_t n = strlen(name);
    char *out = malloc(3 * n + 3), *p = out;    /* every byte doubled, plus quotes */
    if (!out)
        return NULL;
    *p++ = q;
    for (const char *s = name; *s; s++) {
        if (*s == '.') {
            *p++ = q;
            *p++ = '.';
            *p++ = q;
            continue;
        }
        if (*s == q)
            *p++ = q;
        *p++ = *s;
    }
    *p++ = q;
    *p = '\0';
    return out;
}

static int quote_names(struct ft_sql *s, char q, struct ft_err *err)
{
    size_t size = 1;
    for (size_t i = 0; i < s->n_cols; i++)
        size += 2 * strlen(s->cols[i]->name) + 3;
    if (!(s->table_q = quote_ident(s->uri.table, q)) || !(s->cols_q = malloc(size)))
        return ft_err_set(err, "out of memory");
    char *p = s->cols_q;
    for (size_t i = 0; i < s->n_cols; i++) {
        char *c = quote_ident(s->cols[i]->name, q);
        if (!c)
            return ft_err_set(err, "out of memory");
        if (i)
            *p++ = ',';
        size_t n = strlen(c);
        memcpy(p, c, n);
        p += n;
        free(c);
    }
    *p = '\0';
    return 0;
}

int ft_sql_init(struct ft_sql *s, const struct ft_export *x, enum ft_sql_style style, char q,
                struct ft_err *err)
{
    memset(s, 0, sizeof *s);
    s->style = style;
    if (ft_sql_uri_parse(x->opt.uri, &s->uri, err) < 0)
        return -1;
    uint64_t mask = ft_io_export_mask(x);
    for (int i = 0; i < FT_NFIELDS; i++)
        if (ft_fields[i].has & mask)
            s->cols[s->n_cols++] = &ft_fields[i];
    if (s->n_cols == 0)
        return ft_err_set(err, "no fields to export (-m names none of the stream's)");
    return quote_names(s, q, err);
}

void ft_sql_free(struct ft_sql *s)
{
    free(s->uri.buf);
    free(s->buf);
    free(s->table_q);
    free(s->cols_q);
    memset(s, 0, sizeof *s);
}

/* ---- the batch ----------------------------------------------------------- */

/* Room for n more bytes: 0 or -1. */
static int room(struct ft_sql *s, size_t n, struct ft_err *err)
{
    if (s->cap - s->len >= n)
        return 0;
    size_t cap = s->cap ? s->cap : 64 * 1024;
    while (cap - s->len < n)
        cap *= 2;
    char *b = realloc(s->buf, cap);
    if (!b)
        return ft_err_set(err, "out of memory");
    s->buf = b;
    s->cap = cap;
    return 0;
}

int ft_sql_append(struct ft_sql *s, const char *p, size_t n, struct ft_err *err)
{
    if (room(s, n, err) < 0)
        return -1;
    memcpy(s->buf + s->len, p, n);
    s->len += n;
    return 0;
}

/* The longest cell: an IPv6 address (39) in quotes, and its separator. */
#define CELL_MAX 48

int ft_sql_row(struct ft_sql *s, const struct ft_flow *f, struct ft_err *err)
{
    if (room(s, s->n_cols * CELL_MAX + 4, err) < 0)
        return -1;
    int values = s->style == FT_SQL_VALUES;
    char *p = s->buf + s->len;
    if (values) {
        if (s->rows)
            *p++ = ',';
        *p++ = '(';
    }
    for (size_t i = 0; i < s->n_cols; i++) {
        const struct ft_field *d = s->cols[i];
        if (i)
            *p++ = values ? ',' : '\t';
        if (!(f->has & d->has))
            p = values ? ft_put_mem(p, "NULL", 4) : ft_put_mem(p, "\\N", 2);
        else if (d->type == FT_T_IP) {
            if (values)
                *p++ = '\'';
            p = ft_put_ip(p, ft_field_cptr(f, d));
            if (values)
                *p++ = '\'';
        } else
            p = ft_put_u64(p, ft_field_get(f, d));
    }
    *p++ = values ? ')' : '\n';
    s->len = (size_t)(p - s->buf);
    s->rows++;
    return 0;
}

int ft_sql_full(const struct ft_sql *s)
{
    return s->rows >= FT_SQL_BATCH_ROWS || s->len - s->head >= FT_SQL_BATCH_BYTES;
}

void ft_sql_done(struct ft_sql *s)
{
    s->stored += s->rows;
    s->rows = 0;
    s->len = s->head;
}

/* ---- messages ------------------------------------------------------------ */

void ft_sql_one_line(char *out, size_t size, const char *msg)
{
    size_t n = 0;
    int blank = 0;
    if (size == 0)
        return;
    for (const char *m = msg ? msg : ""; *m && n + 1 < size; m++) {
        if (*m == ' ' || *m == '\t' || *m == '\n' || *m == '\r') {
            blank = n > 0;
            continue;
        }
        if (blank && n + 2 < size)
            out[n++] = ' ';
        blank = 0;
        out[n++] = *m;
    }
    out[n] = '\0';
}
