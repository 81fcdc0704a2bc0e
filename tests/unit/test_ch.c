/* Unit tests of lib/io: ClickHouse URLs, the columns and DDL derived from
 * the field table, the RowBinary encoding of a flow, and the HTTP client's
 * reading of answers (sized, chunked, errors) from a canned server. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdint.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include "core/ft_field.h"
#include "io/ft_chhttp.h"
#include "io/ft_chrow.h"
#include "ft_test.h"

static void urls(void)
{
    struct ft_ch_url u;
    struct ft_err err;
    CHECK(ft_ch_url_parse("http://ch1:9000/?database=x&max_threads=2", &u, &err) == 0, "%s", err.msg);
    CHECK_EQ_S(u.host, "ch1", "host");
    CHECK_EQ_S(u.port, "9000", "port");
    CHECK_EQ_S(u.params, "database=x&max_threads=2", "params");
    CHECK(ft_ch_url_parse("http://127.0.0.1", &u, &err) == 0, "%s", err.msg);
    CHECK_EQ_S(u.port, "8123", "default port");
    CHECK_EQ_S(u.params, "", "no params");
    CHECK(ft_ch_url_parse("https://x/", &u, &err) < 0, "https refused");
    CHECK(ft_ch_url_parse("http://x:80a/", &u, &err) < 0, "bad port refused");
    CHECK(ft_ch_url_parse("http://x/db", &u, &err) < 0, "a path refused");
    CHECK(ft_ch_url_parse("http://:80/", &u, &err) < 0, "no host refused");
    CHECK(ft_ch_check_name("t", "flows_local", &err) == 0, "plain name");
    CHECK(ft_ch_check_name("t", "db.flows", &err) == 0, "database.table");
    CHECK(ft_ch_check_name("t", "x; DROP", &err) < 0, "not a name");
    CHECK(ft_ch_check_name("t", "1x", &err) < 0, "starts with a digit");
}

/* Every field is a column (an address two), in the DDL too. */
static void columns(void)
{
    char cols[4096];
    CHECK(ft_ch_columns(cols, sizeof cols) < sizeof cols, "column list fits");
    char *ddl = ft_ch_ddl("flows", NULL, NULL);
    char *dist = ft_ch_ddl("all", "c1", "loc");
    char want[64];
    for (int i = 0; i < FT_NFIELDS; i++) {
        const struct ft_field *d = &ft_fields[i];
        snprintf(want, sizeof want, " %s%s", d->name, d->type == FT_T_IP ? "6 FixedString(16)," : " ");
        CHECK(strstr(ddl, want) != NULL, "DDL lacks \"%s\"", want);
        snprintf(want, sizeof want, "%s, ", d->name);
        CHECK(strstr(cols, want) != NULL, "columns lack %s", d->name);
    }
    CHECK(strstr(ddl, "PARTITION BY toYYYYMMDD(ts_start)") != NULL, "partitioned by day");
    CHECK(strstr(ddl, "ORDER BY (exaddr, exaddr6, ts_start)") != NULL, "ordered by exporter, time");
    CHECK(strstr(cols, "file, load_id") != NULL, "file and load id last");
    CHECK(strstr(dist, "CREATE TABLE IF NOT EXISTS loc (") != NULL, "the shards' table");
    CHECK(strstr(dist, "ENGINE = Distributed(c1, currentDatabase(), loc,") != NULL, "distributed");
    free(ddl);
    free(dist);
}

/* The byte offset of field id's column in a row. */
static size_t offset_of(unsigned id)
{
    static const size_t w[] = { [FT_T_IP] = 20, [FT_T_U8] = 1, [FT_T_U16] = 2,
                                [FT_T_U32] = 4, [FT_T_U64] = 8 };
    size_t o = 0;
    for (unsigned i = 0; i < id; i++)
        o += w[ft_fields[i].type];
    return o;
}

static uint32_t le32(const uint8_t *p) { return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24; }

static void rows(void)
{
    struct ft_flow f;
    memset(&f, 0, sizeof f);
    f.srcaddr.af = FT_AF_INET;
    f.srcaddr.v4 = 0x0a010203;
    f.dstaddr.af = FT_AF_INET6;
    for (int i = 0; i < 16; i++)
        f.dstaddr.v6[i] = (uint8_t)(0x20 + i);
    f.doctets = 0x0102030405060708ULL;
    f.dstport = 443;
    f.has = FT_F_SRCADDR | FT_F_DSTADDR | FT_F_DOCTETS | FT_F_TIMES;
    f.start_ms = 1700000000123ULL;
    f.end_ms = 1700000001999ULL;
    char name[200];
    memset(name, 'a', sizeof name);
    struct ft_ch_load l = { .file = name, .file_len = sizeof name, .load_id = 77 };
    uint8_t *row = malloc(ft_ch_row_max(&l));
    size_t n = ft_ch_row_encode(&f, &l, row);
    size_t fields = offset_of(FT_NFIELDS);
    /* fields, has, 2 x (4 + 2), LEB128 length of 200 (2 bytes), name, load id */
    CHECK_EQ_U(n, fields + 8 + 12 + 2 + 200 + 8, "row length");
    CHECK(n <= ft_ch_row_max(&l), "within row_max");
    const uint8_t *p = row + offset_of(FT_FLD_SRCADDR);
    CHECK_EQ_U(le32(p), 0x0a010203, "srcaddr UInt32");
    CHECK(p[4] == 0 && !memcmp(p + 4, p + 5, 15), "srcaddr6 zeros");
    p = row + offset_of(FT_FLD_DSTADDR);
    CHECK_EQ_U(le32(p), 0, "dstaddr UInt32 of an IPv6 address");
    CHECK(!memcmp(p + 4, f.dstaddr.v6, 16), "dstaddr6 bytes");
    p = row + offset_of(FT_FLD_DOCTETS);
    CHECK_EQ_U(le32(p), 0x05060708, "doctets low");
    CHECK_EQ_U(le32(p + 4), 0x01020304, "doctets high");
    p = row + offset_of(FT_FLD_DSTPORT);
    CHECK_EQ_U(p[0] | p[1] << 8, 443, "dstport UInt16");
    p = row + fields;
    CHECK_EQ_U(le32(p), (uint32_t)f.has, "has");
    CHECK_EQ_U(le32(p + 8), 1700000000, "ts_start");
    CHECK_EQ_U(p[12] | p[13] << 8, 123, "ts_start_ms");
    CHECK_EQ_U(le32(p + 14), 1700000001, "ts_end");
    CHECK_EQ_U(p[18] | p[19] << 8, 999, "ts_end_ms");
    CHECK(p[20] == ((200 & 0x7f) | 0x80) && p[21] == 1, "file length LEB128");
    CHECK_EQ_U(le32(p + 22 + 200), 77, "load_id");
    free(row);
}

/* A server that answers one connection with `answer`; its port. */
static int canned(const char *answer, pid_t *pid)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof a;
    if (bind(s, (struct sockaddr *)&a, sizeof a) < 0 || listen(s, 1) < 0 ||
        getsockname(s, (struct sockaddr *)&a, &len) < 0)
        return -1;
    *pid = fork();
    if (*pid == 0) {
        int c = accept(s, NULL, NULL);
        char buf[4096];
        alarm(10);
        /* the whole request: a query's client shuts its side down after it
         * (answering before reading it all could reset the connection) */
        while (read(c, buf, sizeof buf) > 0)
            ;
        if (write(c, answer, strlen(answer)) < 0)
            _exit(1);
        close(c);
        _exit(0);
    }
    close(s);
    return ntohs(a.sin_port);
}

static void answers(void)
{
    static const struct { const char *answer, *body; int ok; } cases[] = {
        { "HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\n42\t7\n\n", "42\t7\n\n", 1 },
        { "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\n12\t\r\n2\r\n5\n\r\n0\r\n\r\n",
          "12\t5\n", 1 },
        { "HTTP/1.1 500 Internal Server Error\r\nContent-Length: 60\r\n\r\n"
          "Code: 60, e.displayText() = DB::Exception: Table x doesn't exist\nstack",
          "HTTP 500: Code: 60, e.displayText() = DB::Exception: Table x doesn't exist", 0 },
        { "garbage", "not an HTTP answer", 0 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        pid_t pid;
        int port = canned(cases[i].answer, &pid);
        CHECK(port > 0, "canned server %zu", i);
        if (port <= 0)
            continue;
        char url[64], *out = NULL;
        struct ft_ch_url u;
        struct ft_err err;
        snprintf(url, sizeof url, "http://127.0.0.1:%d/", port);
        ft_ch_url_parse(url, &u, &err);
        size_t len = 0;
        int rc = ft_ch_query(&u, "SELECT 1", &out, &len, 1024, &err);
        CHECK_EQ_U(rc == 0, cases[i].ok, cases[i].body);
        if (rc == 0)
            CHECK_EQ_S(out, cases[i].body, "body");
        else
            CHECK(strstr(err.msg, cases[i].body) != NULL, "error \"%s\"", err.msg);
        free(out);
        waitpid(pid, NULL, 0);
    }
    /* nothing listens: the error says so */
    struct ft_ch_url u;
    struct ft_err err;
    ft_ch_url_parse("http://127.0.0.1:1/", &u, &err);
    CHECK(ft_ch_query(&u, "SELECT 1", NULL, NULL, 0, &err) < 0 && strstr(err.msg, "refused"),
          "refused: %s", err.msg);
}

int main(void)
{
    urls();
    columns();
    rows();
    answers();
    return ft_test_report("test_ch");
}
