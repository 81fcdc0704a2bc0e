/* Unit tests of the server-free part of flow-export's SQL formats
 * (lib/io/ft_io_sql.c): the -u URI and flow-tools' defaults, columns from
 * the field table and -m, quoted names, rows as INSERT values and as COPY
 * text, batches, server messages made one line.  The servers themselves
 * are tests/sqlexport.sh's. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include "io/ft_io_sql.h"
#include "stream/ft_format.h"
#include "ft_test.h"

static void uris(void)
{
    struct ft_sql_uri u;
    struct ft_err err;
    CHECK(ft_sql_uri_parse(NULL, &u, &err) == 0, "no -u");
    CHECK_EQ_S(u.user, "netflow", "default user");
    CHECK_EQ_S(u.password, "netflow", "default password");
    CHECK_EQ_S(u.host, "localhost", "default host");
    CHECK_EQ_S(u.name, "netflow", "default database");
    CHECK_EQ_S(u.table, "raw", "default table");
    CHECK_EQ_U(u.port, 0, "default port");

    CHECK(ft_sql_uri_parse("me:s3cr et:db1:5433:flows:nf.raw", &u, &err) == 0, "%s", err.msg);
    CHECK_EQ_S(u.user, "me", "user");
    CHECK_EQ_S(u.password, "s3cr et", "password");
    CHECK_EQ_S(u.host, "db1", "host");
    CHECK_EQ_U(u.port, 5433, "port");
    CHECK_EQ_S(u.name, "flows", "database");
    CHECK_EQ_S(u.table, "nf.raw", "table");
    free(u.buf);

    CHECK(ft_sql_uri_parse("me::/run/x:::raw", &u, &err) < 0, "no database");
    free(u.buf);
    CHECK(ft_sql_uri_parse("me::/run/x::db:raw", &u, &err) == 0, "%s", err.msg);
    CHECK(*u.password == '\0' && u.port == 0 && strcmp(u.host, "/run/x") == 0, "empties");
    free(u.buf);

    static const struct { const char *uri, *msg; } bad[] = {
        {"a:b:c:1:d", "missing field in the URI \"a:b:c:1:d\", expecting "
                      "user:password:host:port:name:table"},
        {"a:b:c:1:d:e:f", "more than six fields in the URI \"a:b:c:1:d:e:f\", expecting "
                          "user:password:host:port:name:table"},
        {"a:b:c:x:d:e", "bad port \"x\" in the URI"},
        {"a:b:c:0:d:e", "bad port \"0\" in the URI"},
        {"a:b:c:65536:d:e", "bad port \"65536\" in the URI"},
        {"a:b:c:1:d:", "no database or table name in the URI \"a:b:c:1:d:\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err.msg[0] = '\0';
        CHECK(ft_sql_uri_parse(bad[i].uri, &u, &err) < 0, "%s accepted", bad[i].uri);
        CHECK_EQ_S(err.msg, bad[i].msg, bad[i].uri);
        free(u.buf);
    }
}

/* An export of v5 flows with -u uri and -m list (NULL: all fields). */
static struct ft_export export_of(const char *uri, const char *list)
{
    struct ft_export x;
    struct ft_err err;
    memset(&x, 0, sizeof x);
    x.in = ft_format_find(5, 0);
    x.opt.uri = uri;
    if (list)
        CHECK(ft_io_parse_fields(list, &x.opt.fields, &err) == 0, "%s", err.msg);
    return x;
}

static void columns(void)
{
    struct ft_sql s;
    struct ft_err err;
    struct ft_export x = export_of("u:p:h::db:nf.r`aw", NULL);
    CHECK(ft_sql_init(&s, &x, FT_SQL_VALUES, '`', &err) == 0, "%s", err.msg);
    CHECK_EQ_U(s.n_cols, 24, "v5 columns");
    CHECK_EQ_S(s.table_q, "`nf`.`r``aw`", "MySQL table");
    static const char first[] = "`unix_secs`,`unix_nsecs`,`sysuptime`,`exaddr`,`dpkts`,";
    CHECK(strncmp(s.cols_q, first, sizeof first - 1) == 0, "columns %s", s.cols_q);
    ft_sql_free(&s);

    x = export_of("u:p:h::db:My \"T\"", "dpkts,srcaddr,dst_as");
    CHECK(ft_sql_init(&s, &x, FT_SQL_COPY, '"', &err) == 0, "%s", err.msg);
    CHECK_EQ_S(s.table_q, "\"My \"\"T\"\"\"", "PostgreSQL table");
    CHECK_EQ_S(s.cols_q, "\"dpkts\",\"srcaddr\",\"dst_as\"", "-m columns");
    ft_sql_free(&s);

    x = export_of(NULL, "src_tag");           /* v5 has no tags */
    CHECK(ft_sql_init(&s, &x, FT_SQL_COPY, '"', &err) < 0, "no columns");
    CHECK_EQ_S(err.msg, "no fields to export (-m names none of the stream's)", "no columns");
    ft_sql_free(&s);
}

static void rows(void)
{
    struct ft_sql s;
    struct ft_err err;
    struct ft_flow f;
    memset(&f, 0, sizeof f);
    f.has = FT_F_DPKTS | FT_F_SRCADDR;        /* dst_as missing: NULL */
    f.dpkts = 18446744073709551615ULL;
    f.srcaddr = (struct ft_ip){.af = FT_AF_INET, .v4 = 0x0a000102};

    struct ft_export x = export_of(NULL, "dpkts,srcaddr,dst_as");
    CHECK(ft_sql_init(&s, &x, FT_SQL_VALUES, '`', &err) == 0, "%s", err.msg);
    CHECK(ft_sql_append(&s, "VALUES ", 7, &err) == 0, "append");
    s.head = s.len;
    CHECK(ft_sql_row(&s, &f, &err) == 0 && ft_sql_row(&s, &f, &err) == 0, "rows");
    static const char want[] = "VALUES (18446744073709551615,'10.0.1.2',NULL),"
                               "(18446744073709551615,'10.0.1.2',NULL)";
    CHECK(s.len == sizeof want - 1 && memcmp(s.buf, want, s.len) == 0, "VALUES %.*s",
          (int)s.len, s.buf);
    CHECK(!ft_sql_full(&s), "two rows are no full batch");
    ft_sql_done(&s);
    CHECK(s.len == 7 && s.rows == 0 && s.stored == 2, "done keeps the head");
    for (int i = 0; i < FT_SQL_BATCH_ROWS - 1; i++)
        ft_sql_row(&s, &f, &err);
    CHECK(!ft_sql_full(&s), "one row short of a batch");
    ft_sql_row(&s, &f, &err);
    CHECK(ft_sql_full(&s), "a full batch");
    ft_sql_free(&s);

    f.has |= FT_F_DST_AS;
    f.dst_as = 65001;
    f.srcaddr.af = FT_AF_INET6;
    memset(f.srcaddr.v6, 0, 16);
    f.srcaddr.v6[0] = 0x20, f.srcaddr.v6[1] = 0x01, f.srcaddr.v6[2] = 0x0d;
    f.srcaddr.v6[3] = 0xb8, f.srcaddr.v6[15] = 1;
    CHECK(ft_sql_init(&s, &x, FT_SQL_COPY, '"', &err) == 0, "%s", err.msg);
    f.has &= ~FT_F_DPKTS;
    ft_sql_row(&s, &f, &err);
    static const char copy[] = "\\N\t2001:db8::1\t65001\n";
    CHECK(s.len == sizeof copy - 1 && memcmp(s.buf, copy, s.len) == 0, "COPY %.*s",
          (int)s.len, s.buf);
    ft_sql_free(&s);
}

static void messages(void)
{
    char out[64];
    ft_sql_one_line(out, sizeof out, "connection failed: refused\n\tIs the server running?\n");
    CHECK_EQ_S(out, "connection failed: refused Is the server running?", "one line");
    ft_sql_one_line(out, 8, "  abc   defgh");
    CHECK_EQ_S(out, "abc def", "cut to the size");
    ft_sql_one_line(out, sizeof out, NULL);
    CHECK_EQ_S(out, "", "no message");
}

int main(void)
{
    uris();
    columns();
    rows();
    messages();
    return ft_test_report("test_sql");
}
