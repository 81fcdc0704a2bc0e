/*
 * ft_io_mysql.c - flow-export format 3: flows into a MySQL or MariaDB
 * table through libmariadb.
 *
 * Rows go in as multi-row INSERTs of up to FT_SQL_BATCH_ROWS flows, each
 * its own transaction (autocommit off, COMMIT after every INSERT), so a
 * failed batch leaves nothing of itself behind and the rows counted as
 * exported are the committed ones.  The session is made strict: a value a
 * column cannot hold is an error, never a silently cut number.
 */
#include "config.h"
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "io/ft_io_sql.h"

#ifdef HAVE_MYSQL
#include <mysql.h>

struct my_state {
    struct ft_sql sql;
    MYSQL *db;
};

static int my_fail(struct ft_export *x, const char *what, struct ft_err *err)
{
    struct my_state *m = x->priv;
    char msg[400];
    ft_sql_one_line(msg, sizeof msg, mysql_error(m->db));
    return ft_err_set(err, "MySQL: %s: %s", what, msg);
}

static int my_connect(struct ft_export *x, struct ft_err *err)
{
    struct my_state *m = x->priv;
    const struct ft_sql_uri *u = &m->sql.uri;
    unsigned timeout = 10;
    if (!(m->db = mysql_init(NULL)))
        return ft_err_set(err, "MySQL: out of memory");
    mysql_options(m->db, MYSQL_OPT_CONNECT_TIMEOUT, &timeout);
    /* a host that is a path is the server's Unix socket */
    const char *host = u->host[0] == '/' ? "localhost" : u->host;
    const char *sock = u->host[0] == '/' ? u->host : NULL;
    if (!mysql_real_connect(m->db, host, u->user, u->password, u->name, u->port, sock, 0)) {
        char what[300];
        snprintf(what, sizeof what, "connect to %s as %s",
                 *u->host ? u->host : "the local server", u->user);
        return my_fail(x, what, err);
    }
    static const char strict[] =
        "SET SESSION sql_mode = CONCAT_WS(',', @@SESSION.sql_mode, 'STRICT_ALL_TABLES')";
    if (mysql_query(m->db, strict) != 0)
        return my_fail(x, "SET sql_mode", err);
    if (mysql_autocommit(m->db, 0) != 0)
        return my_fail(x, "autocommit off", err);
    return 0;
}

static int my_begin(struct ft_export *x, struct ft_err *err)
{
    struct my_state *m = calloc(1, sizeof *m);
    if (!m)
        return ft_err_set(err, "out of memory");
    x->priv = m;
    if (ft_sql_init(&m->sql, x, FT_SQL_VALUES, '`', err) < 0 || my_connect(x, err) < 0)
        return -1;
    struct ft_sql *s = &m->sql;
    static const char ins[] = "INSERT INTO ", vals[] = ") VALUES ";
    if (ft_sql_append(s, ins, sizeof ins - 1, err) < 0 ||
        ft_sql_append(s, s->table_q, strlen(s->table_q), err) < 0 ||
        ft_sql_append(s, " (", 2, err) < 0 ||
        ft_sql_append(s, s->cols_q, strlen(s->cols_q), err) < 0 ||
        ft_sql_append(s, vals, sizeof vals - 1, err) < 0)
        return -1;
    s->head = s->len;
    return 0;
}

/* The batch as one INSERT and its COMMIT; on failure a ROLLBACK, and the
 * export's count says the rows stored before. */
static int my_flush(struct ft_export *x, struct ft_err *err)
{
    struct my_state *m = x->priv;
    struct ft_sql *s = &m->sql;
    if (s->rows == 0)
        return 0;
    const char *failed = NULL;
    if (mysql_real_query(m->db, s->buf, s->len) != 0)
        failed = "INSERT into";
    else if (mysql_commit(m->db) != 0)
        failed = "COMMIT of rows into";
    if (failed) {
        char what[300];
        snprintf(what, sizeof what, "%s %s", failed, s->table_q);
        my_fail(x, what, err);
        mysql_rollback(m->db);
        x->count = s->stored;
        return -1;
    }
    ft_sql_done(s);
    return 0;
}

static int my_put(struct ft_export *x, const struct ft_flow *f, struct ft_err *err)
{
    struct my_state *m = x->priv;
    if (ft_sql_row(&m->sql, f, err) < 0) {
        x->count = m->sql.stored;
        return -1;
    }
    return ft_sql_full(&m->sql) ? my_flush(x, err) : 0;
}

static void my_release(struct ft_export *x)
{
    struct my_state *m = x->priv;
    if (!m)
        return;
    if (m->db)
        mysql_close(m->db);
    ft_sql_free(&m->sql);
    free(m);
    x->priv = NULL;
}

const struct ft_export_ops ft_io_mysql_export = {my_begin, my_put, my_flush, my_release};

#endif
