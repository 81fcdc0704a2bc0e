/* Unit tests of flow-stat's reports (report/ft_stat.h): formats on
 * hand-made flows with known sums, the original's orders (first seen, by
 * key), sorts and their ties, -P percentages, the key limit, dPkts=0. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "report/ft_stat.h"
#include "ft_test.h"

static struct ft_flow flow(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                           uint8_t prot, uint64_t pkts, uint64_t octets, uint32_t ms)
{
    struct ft_flow f;
    memset(&f, 0, sizeof f);
    f.has = ft_format_find(5, 0)->mask;
    f.srcaddr = (struct ft_ip){.af = FT_AF_INET, .v4 = src};
    f.dstaddr = (struct ft_ip){.af = FT_AF_INET, .v4 = dst};
    f.srcport = sport;
    f.dstport = dport;
    f.prot = prot;
    f.dpkts = pkts;
    f.doctets = octets;
    f.first = 1000;
    f.last = 1000 + ms;
    f.unix_secs = 1700000000;
    f.src_mask = 16;
    f.dst_mask = 24;
    return f;
}

#define A 0x0a000001u   /* 10.0.0.1 */
#define B 0x0a000002u
#define C 0xc0a80105u   /* 192.168.1.5 */

static const struct ft_flow *sample(size_t *n)
{
    static struct ft_flow fl[5];
    fl[0] = flow(A, C, 1000, 80, 6, 10, 1000, 100);
    fl[1] = flow(B, C, 1001, 443, 6, 2, 100, 10);
    fl[2] = flow(A, C, 1002, 80, 6, 4, 400, 50);
    fl[3] = flow(C, A, 53, 1003, 17, 1, 60, 0);
    fl[4] = flow(B, A, 0, 0, 1, 3, 300, 0);     /* ICMP: no port */
    *n = 5;
    return fl;
}

/* The report of flows (no info block) as a string (malloc'd); *s_out gets
 * the report when wanted, else it is freed. */
static char *report(struct ft_stat_opts *o, const struct ft_flow *fl, size_t n,
                    struct ft_stat **s_out)
{
    struct ft_err err;
    enum ft_stat_error why;
    if (!o->comment)
        o->comment = '#';
    struct ft_stat *s = ft_stat_new(o, ft_format_find(5, 0), &why, &err);
    CHECK(s != NULL, "ft_stat_new -f %d: %s", o->format, err.msg);
    if (!s)
        return calloc(1, 1);
    FILE *tmp = tmpfile();
    struct ft_out out;
    ft_out_init(&out, fileno(tmp), 0);
    ft_stat_begin(s, &out);
    ft_stat_add(s, &out, fl, n);
    CHECK(ft_stat_end(s, &out) == 0, "ft_stat_end");
    ft_out_flush(&out);
    ft_out_free(&out);
    long len = ftell(tmp);
    char *text = calloc(1, (size_t)len + 1);
    rewind(tmp);
    if (fread(text, 1, (size_t)len, tmp) != (size_t)len)
        text[0] = '\0';
    fclose(tmp);
    if (s_out)
        *s_out = s;
    else
        ft_stat_free(s);
    return text;
}

static void check_report(struct ft_stat_opts o, const char *want, const char *what)
{
    size_t n;
    const struct ft_flow *fl = sample(&n);
    char *got = report(&o, fl, n, NULL);
    CHECK_EQ_S(got, want, what);
    free(got);
}

#define IPHEAD "#\n# IPaddr         flows                 octets                packets\n#\n"
#define PORTHEAD "#\n# port      flows                 octets                packets\n#\n"

static void source_ip(void)
{
    /* First-seen order; sums per key. */
    check_report((struct ft_stat_opts){.format = 9}, IPHEAD
                 "10.0.0.1         2                     1400                  14\n"
                 "10.0.0.2         2                     400                   5\n"
                 "192.168.1.5      1                     60                    1\n",
                 "-f 9 unsorted: first seen");
    /* -s 1: ties (2 flows) in first-seen order; -S 1 lists that backwards. */
    check_report((struct ft_stat_opts){.format = 9, .order = FT_STAT_ASCENDING,
                                       .sort_field = 1}, IPHEAD
                 "192.168.1.5      1                     60                    1\n"
                 "10.0.0.1         2                     1400                  14\n"
                 "10.0.0.2         2                     400                   5\n",
                 "-f 9 -s 1");
    check_report((struct ft_stat_opts){.format = 9, .order = FT_STAT_DESCENDING,
                                       .sort_field = 1}, IPHEAD
                 "10.0.0.2         2                     400                   5\n"
                 "10.0.0.1         2                     1400                  14\n"
                 "192.168.1.5      1                     60                    1\n",
                 "-f 9 -S 1: ties backwards");
    check_report((struct ft_stat_opts){.format = 9, .order = FT_STAT_DESCENDING,
                                       .sort_field = 0}, IPHEAD
                 "192.168.1.5      1                     60                    1\n"
                 "10.0.0.2         2                     400                   5\n"
                 "10.0.0.1         2                     1400                  14\n",
                 "-f 9 -S 0: by address");
}

static void ports(void)
{
    /* By descending key unsorted; ICMP left out; padded packets column. */
    check_report((struct ft_stat_opts){.format = 5}, PORTHEAD
                 "1003        1                     60                    1                   \n"
                 "443         1                     100                   2                   \n"
                 "80          2                     1400                  14                  \n",
                 "-f 5 unsorted: by descending port");
    check_report((struct ft_stat_opts){.format = 5, .order = FT_STAT_DESCENDING,
                                       .sort_field = 1}, PORTHEAD
                 "80          2                     1400                  14                  \n"
                 "1003        1                     60                    1                   \n"
                 "443         1                     100                   2                   \n",
                 "-f 5 -S 1: ties by descending port");
    check_report((struct ft_stat_opts){.format = 5, .order = FT_STAT_ASCENDING,
                                       .sort_field = 1}, PORTHEAD
                 "443         1                     100                   2                   \n"
                 "1003        1                     60                    1                   \n"
                 "80          2                     1400                  14                  \n",
                 "-f 5 -s 1: ties by ascending port");
    /* -f 7 counts a flow for its source and its destination port. */
    size_t n;
    const struct ft_flow *fl = sample(&n);
    struct ft_stat *s;
    struct ft_stat_opts o = {.format = 7};
    char *got = report(&o, fl, n, &s);
    CHECK_EQ_U(ft_stat_keys(s), 7, "-f 7 keys: 1000..1003, 53, 80, 443");
    CHECK(strstr(got, "\n80          2  ") != NULL, "-f 7 port 80 twice: %s", got);
    ft_stat_free(s);
    free(got);
}

static void pairs(void)
{
    /* In a report of pairs field 2 is flows: -S 2 sorts on flows, ties
     * (one flow each) listed backwards. */
    check_report((struct ft_stat_opts){.format = 10, .order = FT_STAT_DESCENDING,
                                       .sort_field = 2},
                 "#\n# src IPaddr     dst IPaddr       flows                 octets"
                 "                packets\n#\n"
                 "10.0.0.1         192.168.1.5      2                     1400     "
                 "             14                  \n"
                 "10.0.0.2         10.0.0.1         1                     300      "
                 "             3                   \n"
                 "192.168.1.5      10.0.0.1         1                     60       "
                 "             1                   \n"
                 "10.0.0.2         192.168.1.5      1                     100      "
                 "             2                   \n",
                 "-f 10 -S 2");
    /* Field 1 is the second key. */
    check_report((struct ft_stat_opts){.format = 10, .order = FT_STAT_ASCENDING,
                                       .sort_field = 1},
                 "#\n# src IPaddr     dst IPaddr       flows                 octets"
                 "                packets\n#\n"
                 "192.168.1.5      10.0.0.1         1                     60       "
                 "             1                   \n"
                 "10.0.0.2         10.0.0.1         1                     300      "
                 "             3                   \n"
                 "10.0.0.1         192.168.1.5      2                     1400     "
                 "             14                  \n"
                 "10.0.0.2         192.168.1.5      1                     100      "
                 "             2                   \n",
                 "-f 10 -s 1");
    CHECK(ft_stat_sort_valid(10, 5) && !ft_stat_sort_valid(10, 6), "-f 10 sorts on 0..5");
    CHECK(ft_stat_sort_valid(9, 4) && !ft_stat_sort_valid(9, 5), "-f 9 sorts on 0..4");
}

static void percent(void)
{
    /* 4 TCP/UDP flows, 1560 octets, 17 packets. */
    check_report((struct ft_stat_opts){.format = 5, .percent = 1, .order =
                                       FT_STAT_DESCENDING, .sort_field = 2},
                 "#\n# port      flows    octets   packets\n#\n"
                 "80          50.000   89.744   82.353\n"
                 "443         25.000   6.410    11.765\n"
                 "1003        25.000   3.846    5.882 \n",
                 "-P -f 5 -S 2");
}

static void prefixes_and_sizes(void)
{
    /* Addresses masked to their lengths (16 for sources), trailing zero
     * octets left out. */
    check_report((struct ft_stat_opts){.format = 24},
                 "#\n# Source Prefix     flows                 octets                packets\n#\n"
                 "10/16               4                     1800                  19\n"
                 "192.168/16          1                     60                    1\n",
                 "-f 24");
    /* Average packet size: 100, 50, 100, 60, 100. */
    check_report((struct ft_stat_opts){.format = 1},
                 "#\n# Pkt Size  flows                 octets                packets\n#\n"
                 "100         3                     1700                  17\n"
                 "50          1                     100                   2\n"
                 "60          1                     60                    1\n",
                 "-f 1");
    check_report((struct ft_stat_opts){.format = 15},
                 "#\n# Octets            Packets             MBytes\n#\n"
                 "1860                20                  0.002\n", "-f 15");
    check_report((struct ft_stat_opts){.format = 8, .wide = 1},
                 "#\n# IPaddr         flows                 octets                packets"
                 "               duration\n#\n"
                 "192.168.1.5      3                     1500                  16        "
                 "            160\n"
                 "10.0.0.1         2                     360                   4          "
                 "           0\n",
                 "-w -f 8");
}

static void ipv6(void)
{
    /* An IPv6 address is padded to the column but never cut. */
    struct ft_flow f = flow(A, C, 1, 2, 6, 1, 100, 0);
    f.srcaddr.af = FT_AF_INET6;
    memset(f.srcaddr.v6, 0, 16);
    f.srcaddr.v6[0] = 0x20;
    f.srcaddr.v6[1] = 0x01;
    f.srcaddr.v6[2] = 0x0d;
    f.srcaddr.v6[3] = 0xb8;
    f.srcaddr.v6[15] = 0x01;
    f.src_mask = 32;
    struct ft_stat_opts o = {.format = 9};
    char *got = report(&o, &f, 1, NULL);
    CHECK(strstr(got, "\n2001:db8::1      1  ") != NULL, "-f 9 IPv6: %s", got);
    free(got);
    f.srcaddr.v6[14] = 0x12;
    got = report(&o, &f, 1, NULL);
    CHECK(strstr(got, "\n2001:db8::1201   1  ") != NULL, "-f 9 IPv6 of 14: %s", got);
    free(got);
    f.srcaddr.v6[4] = 0x12;
    got = report(&o, &f, 1, NULL);
    CHECK(strstr(got, "\n2001:db8:1200::1201  1  ") != NULL, "-f 9 IPv6 not cut: %s", got);
    free(got);
    o.format = 24;
    got = report(&o, &f, 1, NULL);
    CHECK(strstr(got, "\n2001:db8::/32       1  ") != NULL, "-f 24 IPv6 masked: %s", got);
    free(got);
}

static void summary(void)
{
    size_t n;
    const struct ft_flow *fl = sample(&n);
    struct ft_stat_opts o = {.format = 0};
    char *got = report(&o, fl, n, NULL);
    CHECK(strncmp(got, "Total Flows                     : 5\n"
                       "Total Octets                    : 1860\n"
                       "Total Packets                   : 20\n"
                       "Total Time (1/1000 secs) (flows): 160\n", strlen(
                       "Total Flows                     : 5\n"
                       "Total Octets                    : 1860\n"
                       "Total Packets                   : 20\n"
                       "Total Time (1/1000 secs) (flows): 160\n")) == 0, "-f 0: %s", got);
    CHECK(strstr(got, "Average packet size (octets)    : 93.0000\n") != NULL, "avg size");
    /* Packets per flow 10, 2, 4, 1, 3: buckets 12, 2, 4, 1, 4. */
    CHECK(strstr(got, "Packets per flow distribution:\n"
                      "      1    2    4    8   12   16   20   24   28   32   36   40   44"
                      "   48   52\n   .200 .200 .400 .000 .200 ") != NULL, "ppf: %s", got);
    free(got);
    /* No flows: nothing but the info block. */
    got = report(&o, fl, 0, NULL);
    CHECK_EQ_S(got, "", "-f 0 without flows");
    free(got);
}

static void limits(void)
{
    size_t n;
    const struct ft_flow *fl = sample(&n);
    struct ft_stat *s;
    struct ft_stat_opts o = {.format = 9, .max_keys = 2};
    char *got = report(&o, fl, n, &s);
    CHECK_EQ_U(ft_stat_keys(s), 2, "keys at the limit");
    CHECK_EQ_U(ft_stat_refused(s), 1, "flows refused at the limit");
    ft_stat_free(s);
    free(got);

    /* The port reports count in an array and fold it into the table at
     * the end: ports 80 and 443 fit, 1003's flow is refused. */
    o = (struct ft_stat_opts){.format = 5, .max_keys = 2};
    got = report(&o, fl, n, &s);
    CHECK_EQ_U(ft_stat_keys(s), 2, "port keys at the limit");
    CHECK_EQ_U(ft_stat_refused(s), 1, "port flows refused at the limit");
    CHECK(strstr(got, "\n443 ") && strstr(got, "\n80 ") && !strstr(got, "\n1003 "),
          "-f 5 at the limit: %s", got);
    ft_stat_free(s);
    free(got);

    struct ft_flow bogus[2] = {fl[0], fl[1]};
    bogus[1].dpkts = 0;
    o = (struct ft_stat_opts){.format = 9};
    got = report(&o, bogus, 2, &s);
    CHECK_EQ_U(ft_stat_bogus(s), 1, "dPkts=0 left out");
    CHECK_EQ_U(ft_stat_keys(s), 1, "only the good flow's key");
    ft_stat_free(s);
    free(got);

    struct ft_err err;
    enum ft_stat_error why = 0;
    o = (struct ft_stat_opts){.format = 30};
    CHECK(ft_stat_new(&o, ft_format_find(5, 0), &why, &err) == NULL && why == FT_STAT_EFIELDS,
          "-f 30 on v5: no tags");
    o.format = 33;
    CHECK(ft_stat_new(&o, ft_format_find(5, 0), &why, &err) == NULL &&
          why == FT_STAT_ENOFORMAT, "-f 33");
    o.format = 30;
    struct ft_stat *tags = ft_stat_new(&o, ft_format_find(1005, 0), &why, &err);
    CHECK(tags != NULL, "-f 30 on v1005: %s", err.msg);
    ft_stat_free(tags);
}

int main(void)
{
    source_ip();
    ports();
    pairs();
    percent();
    prefixes_and_sizes();
    ipv6();
    summary();
    limits();
    return ft_test_report("test_stat");
}
