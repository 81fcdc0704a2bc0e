/*
 * ch_report.c - flow-report -c: a report that is a grouping of flow fields
 * is one GROUP BY of those fields in ClickHouse; its rows come back as
 * groups (ft_report_add_group) into the report engine, so that the output
 * is written by the same code, byte for byte, as from a stream.
 * The SQL derives from the field table: a field's column is its flow-tools
 * name (address: NAME, NAME6 and its has bit), as flow-clickhouse loads it.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/ft_field.h"
#include "ft_prog.h"
#include "ch_report.h"

#define SQL_MAX 8192
#define ANSWER_MAX ((size_t)4 << 30)

void ch_add_exporters(struct ch_source *src, const char *list)
{
    char buf[64];
    while (*list) {
        size_t n = strcspn(list, ",");
        struct in_addr a;
        if (n >= sizeof buf)
            ft_die("bad exporter \"%.*s\"", (int)n, list);
        memcpy(buf, list, n);
        buf[n] = 0;
        if (inet_pton(AF_INET, buf, &a) != 1)
            ft_die("bad exporter \"%s\" (an IPv4 address)", buf);
        if (src->nexporter == CH_MAX_EXPORTERS)
            ft_die("more than %d exporters", CH_MAX_EXPORTERS);
        src->exporter[src->nexporter++] = ntohl(a.s_addr);
        list += n + (list[n] == ',');
    }
}

#define ADD(...) (o += (size_t)snprintf(o < size ? sql + o : NULL, o < size ? size - o : 0, __VA_ARGS__))

/* The key columns of the report (NULL keys: none). */
static size_t key_columns(char *sql, size_t size, const unsigned *ids, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++) {
        const struct ft_field *d = &ft_fields[ids[i]];
        if (d->type == FT_T_IP)
            ADD("%s%s, hex(%s6), bitAnd(has, %" PRIu64 ") != 0", i ? ", " : "", d->name, d->name,
                d->has);
        else
            ADD("%s%s", i ? ", " : "", d->name);
    }
    return o;
}

static int build_sql(char *sql, size_t size, const struct ch_source *src, const unsigned *ids,
                     size_t n)
{
    size_t o = 0;
    char keys[2048] = "";
    key_columns(keys, sizeof keys, ids, n);
    ADD("SELECT %s%scount(), sum(if(bitAnd(has, %" PRIu64 ") != 0, dflows, 1)), "
        "sum(doctets), sum(dpkts), ", keys, n ? ", " : "", (uint64_t)FT_F_DFLOWS);
    /* ft_flow_duration_ms: uptime stamps, modulo 2^32, where the flow has
     * either; absolute times only without */
    ADD("sum(if(bitAnd(has, %" PRIu64 ") != 0 OR bitAnd(has, %" PRIu64 ") = 0, "
        "toUInt64(bitAnd(toInt64(last) - toInt64(first), 4294967295)), "
        "if(end_ms > start_ms, toUInt64(end_ms - start_ms), toUInt64(0)))), ",
        (uint64_t)(FT_F_FIRST | FT_F_LAST), (uint64_t)FT_F_TIMES);
    ADD("min(unix_secs), max(unix_secs), max(last) FROM %s WHERE 1", src->table);
    if (src->have_start)
        ADD(" AND ts_start >= toDateTime(%lld)", (long long)src->start);
    if (src->have_end)
        ADD(" AND ts_start < toDateTime(%lld)", (long long)src->end);
    for (int i = 0; i < src->nexporter; i++)
        ADD("%s%" PRIu32 "%s", i ? ", " : " AND exaddr IN (", src->exporter[i],
            i + 1 == src->nexporter ? ")" : "");
    if (n)
        ADD(" GROUP BY %s", keys);
    ADD(" FORMAT TabSeparated");
    return o < size ? 0 : -1;
}

static uint64_t next_u64(char **p)
{
    char *e;
    uint64_t v = strtoull(*p, &e, 10);
    *p = *e == '\t' ? e + 1 : e;
    return v;
}

static int unhex(char c)
{
    return c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* An address from its three columns; -1 if malformed. */
static int next_ip(char **p, struct ft_ip *ip)
{
    uint32_t v4 = (uint32_t)next_u64(p);
    uint8_t v6[16], any6 = 0;
    for (int i = 0; i < 16; i++) {
        int hi = unhex((*p)[2 * i]), lo = hi < 0 ? -1 : unhex((*p)[2 * i + 1]);
        if (lo < 0)
            return -1;
        v6[i] = (uint8_t)(hi << 4 | lo);
        any6 |= v6[i];
    }
    *p += 32 + ((*p)[32] == '\t');
    int has = next_u64(p) != 0;
    memset(ip, 0, sizeof *ip);
    if (any6) {
        ip->af = FT_AF_INET6;
        memcpy(ip->v6, v6, 16);
    } else if (has) {
        ip->af = FT_AF_INET;
        ip->v4 = v4;
    }
    return 0;
}

/* One row of the answer into report i. */
static int add_row(struct ft_report *rp, size_t i, char *p, const unsigned *ids, size_t n)
{
    struct ft_flow key;
    memset(&key, 0, sizeof key);
    for (size_t k = 0; k < n; k++) {
        const struct ft_field *d = &ft_fields[ids[k]];
        if (d->type == FT_T_IP) {
            if (next_ip(&p, ft_field_ptr(&key, d)) < 0)
                return -1;
        } else {
            ft_field_put(&key, d, next_u64(&p));
        }
        key.has |= d->has;
    }
    struct ft_report_group g = { .key = &key };
    g.recs = next_u64(&p);
    g.flows = next_u64(&p);
    g.octets = next_u64(&p);
    g.packets = next_u64(&p);
    g.duration = next_u64(&p);
    g.first_s = (uint32_t)next_u64(&p);
    g.last_s = (uint32_t)next_u64(&p);
    g.max_last = (uint32_t)next_u64(&p);
    if (g.recs)
        ft_report_add_group(rp, i, &g);
    return 0;
}

static int run_one(struct ft_report *rp, size_t i, const struct ch_source *src)
{
    unsigned ids[2 * FT_RTYPE_MAX_KEYS];
    size_t n = 0;
    const char *why = ft_report_group_keys(rp, i, ids, &n);
    if (why) {
        ft_warn("report %s cannot run on ClickHouse: %s", ft_report_name(rp, i), why);
        return 1;
    }
    char sql[SQL_MAX], *ans = NULL;
    size_t len;
    struct ft_err err;
    if (build_sql(sql, sizeof sql, src, ids, n) < 0) {
        ft_warn("report %s: query too long", ft_report_name(rp, i));
        return 1;
    }
    if (ft_ch_query(&src->url, sql, &ans, &len, ANSWER_MAX, &err) < 0) {
        ft_warn("report %s: %s", ft_report_name(rp, i), err.msg);
        return 1;
    }
    int rc = 0;
    for (char *line = ans, *nl; *line; line = nl + 1) {
        nl = strchr(line, '\n');
        if (!nl)
            break;
        *nl = 0;
        if (add_row(rp, i, line, ids, n) < 0) {
            ft_warn("report %s: bad row \"%.80s\"", ft_report_name(rp, i), line);
            rc = 1;
            break;
        }
    }
    free(ans);
    return rc;
}

int ch_run_reports(struct ft_report *rp, const struct ch_source *src, struct ft_out *out)
{
    struct ft_err err;
    int rc = 0;
    for (size_t i = 0; i < ft_report_nreports(rp) && rc == 0; i++)
        rc = run_one(rp, i, src);
    if (rc == 0 && ft_report_finish(rp, out, &err) < 0) {
        ft_warn("%s", err.msg);
        rc = 1;
    }
    return rc;
}
