/*
 * ft_io_pgsql.c - flow-export format 5: flows into a PostgreSQL table
 * through libpq.
 *
 * Rows go in by COPY ... FROM STDIN (text format), FT_SQL_BATCH_ROWS flows
 * a batch, each batch inside BEGIN ... COMMIT: a failed batch leaves
 * nothing of itself behind and the rows counted as exported are the
 * committed ones.  The server's notices are not printed (lib prints
 * nothing); its errors come back in the message.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/ft_io_sql.h"

#ifdef HAVE_PGSQL
#include <libpq-fe.h>

struct pg_state {
    struct ft_sql sql;
    PGconn *db;
    char *copy;                 /* COPY table (columns) FROM STDIN */
};

/* what failed and the server's words: the primary message, and where in
 * the COPY data it was (line and column) when the server says */
static int pg_fail(struct ft_export *x, const char *what, const PGresult *res,
                   struct ft_err *err)
{
    struct pg_state *p = x->priv;
    const char *primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    const char *context = res ? PQresultErrorField(res, PG_DIAG_CONTEXT) : NULL;
    char msg[400], ctx[200] = "";
    ft_sql_one_line(msg, sizeof msg, primary ? primary : PQerrorMessage(p->db));
    if (context)
        ft_sql_one_line(ctx, sizeof ctx, context);
    return ft_err_set(err, "PostgreSQL: %s: %s%s%s%s", what, msg, *ctx ? " (" : "", ctx,
                      *ctx ? ")" : "");
}

static void pg_quiet(void *arg, const char *message)
{
    (void)arg;
    (void)message;
}

static int pg_connect(struct ft_export *x, struct ft_err *err)
{
    struct pg_state *p = x->priv;
    const struct ft_sql_uri *u = &p->sql.uri;
    char port[8];
    snprintf(port, sizeof port, "%u", u->port);
    const char *keys[] = {"host", "dbname", "user", "password", "connect_timeout",
                          "fallback_application_name", u->port ? "port" : NULL, NULL};
    const char *vals[] = {u->host, u->name, u->user, u->password, "10", "ftkit", port, NULL};
    p->db = PQconnectdbParams(keys, vals, 0);
    if (!p->db)
        return ft_err_set(err, "PostgreSQL: out of memory");
    if (PQstatus(p->db) != CONNECTION_OK) {
        char what[300];
        snprintf(what, sizeof what, "connect to %s as %s",
                 *u->host ? u->host : "the local server", u->user);
        return pg_fail(x, what, NULL, err);
    }
    PQsetNoticeProcessor(p->db, pg_quiet, NULL);
    return 0;
}

static int pg_begin(struct ft_export *x, struct ft_err *err)
{
    struct pg_state *p = calloc(1, sizeof *p);
    if (!p)
        return ft_err_set(err, "out of memory");
    x->priv = p;
    if (ft_sql_init(&p->sql, x, FT_SQL_COPY, '"', err) < 0)
        return -1;
    const struct ft_sql *s = &p->sql;
    size_t n = strlen(s->table_q) + strlen(s->cols_q) + 32;
    if (!(p->copy = malloc(n)))
        return ft_err_set(err, "out of memory");
    snprintf(p->copy, n, "COPY %s (%s) FROM STDIN", s->table_q, s->cols_q);
    return pg_connect(x, err);
}

/* A statement that returns no rows: 0, or -1 with err. */
static int pg_command(struct ft_export *x, const char *sql, const char *what,
                      ExecStatusType want, struct ft_err *err)
{
    struct pg_state *p = x->priv;
    PGresult *res = PQexec(p->db, sql);
    int ok = res && PQresultStatus(res) == want;
    if (!ok)
        pg_fail(x, what, res, err);
    PQclear(res);
    return ok ? 0 : -1;
}

/* The rows of the batch through COPY; the result of the COPY. */
static int pg_copy(struct ft_export *x, struct ft_err *err)
{
    struct pg_state *p = x->priv;
    struct ft_sql *s = &p->sql;
    char what[300];
    snprintf(what, sizeof what, "COPY into %s", s->table_q);
    if (pg_command(x, p->copy, what, PGRES_COPY_IN, err) < 0)
        return -1;
    if (PQputCopyData(p->db, s->buf, (int)s->len) != 1 || PQputCopyEnd(p->db, NULL) != 1)
        return pg_fail(x, what, NULL, err);
    int rc = 0;
    PGresult *res;
    while ((res = PQgetResult(p->db))) {        /* until the COPY is over */
        if (rc == 0 && PQresultStatus(res) != PGRES_COMMAND_OK)
            rc = pg_fail(x, what, res, err);
        PQclear(res);
    }
    return rc;
}

static int pg_flush(struct ft_export *x, struct ft_err *err)
{
    struct pg_state *p = x->priv;
    struct ft_sql *s = &p->sql;
    if (s->rows == 0)
        return 0;
    if (s->len > 0x7fffffff)
        return ft_err_set(err, "PostgreSQL: a batch larger than 2 GiB");
    int bad = pg_command(x, "BEGIN", "BEGIN", PGRES_COMMAND_OK, err) < 0;
    if (!bad && (pg_copy(x, err) < 0 ||
                 pg_command(x, "COMMIT", "COMMIT", PGRES_COMMAND_OK, err) < 0)) {
        PQclear(PQexec(p->db, "ROLLBACK"));
        bad = 1;
    }
    if (bad) {
        x->count = s->stored;
        return -1;
    }
    ft_sql_done(s);
    return 0;
}

static int pg_put(struct ft_export *x, const struct ft_flow *f, struct ft_err *err)
{
    struct pg_state *p = x->priv;
    if (ft_sql_row(&p->sql, f, err) < 0) {
        x->count = p->sql.stored;
        return -1;
    }
    return ft_sql_full(&p->sql) ? pg_flush(x, err) : 0;
}

static void pg_release(struct ft_export *x)
{
    struct pg_state *p = x->priv;
    if (!p)
        return;
    if (p->db)
        PQfinish(p->db);
    free(p->copy);
    ft_sql_free(&p->sql);
    free(p);
    x->priv = NULL;
}

const struct ft_export_ops ft_io_pgsql_export = {pg_begin, pg_put, pg_flush, pg_release};

#endif
