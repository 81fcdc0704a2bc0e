/* Unit tests of the report engine (report/ft_report.h) on hand-made flows:
 * sums per key, sort orders and ties, percentages, the record limit, the
 * key limit, time series, IPv6 keys, 4-byte IPv4 keys, and the mask
 * language (lang/ft_mask.h) a definition applies. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include "lang/ft_mask.h"
#include "report/ft_report.h"
#include "ft_test.h"

static struct ft_flow flow(uint32_t src, uint32_t dst, uint16_t sport, uint16_t dport,
                           uint64_t octets, uint64_t packets, uint32_t first, uint32_t last)
{
    struct ft_flow f;
    memset(&f, 0, sizeof f);
    f.has = FT_F_SRCADDR | FT_F_DSTADDR | FT_F_SRCPORT | FT_F_DSTPORT | FT_F_DOCTETS |
            FT_F_DPKTS | FT_F_FIRST | FT_F_LAST | FT_F_UNIX_SECS | FT_F_SYSUPTIME |
            FT_F_PROT | FT_F_SRC_MASK | FT_F_DST_MASK;
    ft_ip_set4(&f.srcaddr, src);
    ft_ip_set4(&f.dstaddr, dst);
    f.srcport = sport;
    f.dstport = dport;
    f.doctets = octets;
    f.dpkts = packets;
    f.first = first;
    f.last = last;
    f.unix_secs = 1700000000;
    f.sysuptime = 1000000;
    f.prot = 6;
    f.src_mask = 24;
    f.dst_mask = 16;
    return f;
}

/* The stream header run_as gives the report (NULL: none, as before any
 * stream is read). */
static const struct ft_header *stream_header;

/* Run definition def of cfg over flows, every output in format (enum
 * ft_rformat; FT_RFMT_DEFAULT: as cfg says); the output into buf.  Returns
 * 0, or -1 after a failed check. */
static int run_as(const char *cfg, const char *def, const struct ft_flow *flows, size_t n,
                  size_t max_keys, int format, char *buf, size_t size)
{
    struct ft_err err;
    struct ft_rcfg *c = ft_rcfg_parse(cfg, strlen(cfg), "t.cfg", NULL, &err);
    CHECK(c != NULL, "parse: %s", err.msg);
    if (!c)
        return -1;
    struct ft_report_opts o = { .max_keys = max_keys, .now = 1, .format = format };
    struct ft_report *rp = ft_report_open(c, def, &o, &err);
    CHECK(rp != NULL, "open: %s", err.msg);
    if (rp && stream_header)
        ft_report_set_header(rp, stream_header);
    FILE *tmp = tmpfile();
    struct ft_out out;
    int rc = -1;
    if (rp && tmp && ft_out_init(&out, fileno(tmp), 0) == 0) {
        rc = ft_report_flows(rp, flows, n, &out, &err);
        if (rc == 0)
            rc = ft_report_finish(rp, &out, &err);
        CHECK(rc == 0, "run: %s", err.msg);
        ft_out_flush(&out);
        ft_out_free(&out);
        rewind(tmp);
        size_t got = fread(buf, 1, size - 1, tmp);
        buf[got] = '\0';
    }
    if (tmp)
        fclose(tmp);
    ft_report_free(rp);
    ft_rcfg_free(c);
    return rc;
}

static int run(const char *cfg, const char *def, const struct ft_flow *flows, size_t n,
               size_t max_keys, char *buf, size_t size)
{
    return run_as(cfg, def, flows, n, max_keys, FT_RFMT_DEFAULT, buf, size);
}

#define A(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

/* Four flows: 10.0.0.1 sends two (150 octets), 10.0.0.2 and 10.0.0.3 one
 * of 300 each; 750 octets, 10 packets, 3500 ms in all. */
static void four_flows(struct ft_flow f[4])
{
    f[0] = flow(A(10, 0, 0, 1), A(10, 0, 0, 9), 1000, 80, 100, 2, 0, 1000);
    f[1] = flow(A(10, 0, 0, 2), A(10, 0, 0, 9), 1001, 443, 300, 3, 0, 2000);
    f[2] = flow(A(10, 0, 0, 1), A(10, 0, 0, 8), 1002, 80, 50, 1, 0, 0);
    f[3] = flow(A(10, 0, 0, 3), A(10, 0, 0, 8), 1003, 22, 300, 4, 0, 500);
}

static void sums_and_sorts(void)
{
    struct ft_flow f[4];
    four_flows(f);
    char buf[4096];
    const char *cfg =
        "stat-report src\n type ip-source-address\n output\n  options +totals\n  sort +octets\n"
        "stat-report ports\n type ip-destination-port\n output\n  sort -octets\n"
        "  fields +frecs\n"
        "stat-report pct\n type ip-source/destination-address\n output\n"
        "  options +percent-total\n  records 1\n"
        "stat-definition d\n report src\n report ports\n report pct\n";
    if (run(cfg, "d", f, 4, 0, buf, sizeof buf) < 0)
        return;
    const char *want =
        "# rec1: records,ignores,flows,octets,packets,duration\n"
        "3,0,4,750,10,3500\n"
        "# recn: ip-source-address*,flows,octets,packets,duration\n"
        /* 10.0.0.2 and 10.0.0.3 tie at 300: largest first lists ties in the
         * reverse of the order they were seen */
        "10.0.0.3,1,300,4,500\n"
        "10.0.0.2,1,300,3,2000\n"
        "10.0.0.1,2,150,3,1000\n"
        "# recn: ip-destination-port*,flows,octets,packets,duration,frecs\n"
        /* smallest first, ties in the order of the ports' values */
        "80,2,150,3,1000,1\n"
        "22,1,300,4,500,1\n"
        "443,1,300,3,2000,1\n"
        "# recn: ip-source-address*,ip-destination-address*,flows,octets,packets,duration\n"
        "10.0.0.1,10.0.0.9,25.000000,13.333333,20.000000,28.571429\n"
        "# stop, hit record limit.\n";
    CHECK_EQ_S(buf, want, "three reports in one pass");
}

static void key_limit(void)
{
    struct ft_flow f[50];
    for (int i = 0; i < 50; i++)
        f[i] = flow(A(10, 0, 1, i), A(10, 0, 0, 1), 1, 80, 10, 1, 0,
                    10);
    char buf[8192];
    const char *cfg = "stat-report s\n type ip-source-address\n output\n  options +header\n"
                      "stat-definition d\n report s\n";
    if (run(cfg, "d", f, 50, 20, buf, sizeof buf) < 0)
        return;
    CHECK(strstr(buf, "# records:              20\n") != NULL, "20 keys kept:\n%s", buf);
    CHECK(strstr(buf, "# incomplete: 30 new keys refused at the limit of 20 keys\n") != NULL,
          "the report says it is incomplete:\n%s", buf);
}

static void ipv6_keys(void)
{
    struct ft_flow f = flow(0, 0, 1, 2, 10, 1, 0, 0);
    f.srcaddr.af = FT_AF_INET6;
    memset(f.srcaddr.v6, 0, 16);
    f.srcaddr.v6[0] = 0x20;
    f.srcaddr.v6[1] = 0x01;
    f.srcaddr.v6[2] = 0x0d;
    f.srcaddr.v6[3] = 0xb8;
    f.srcaddr.v6[15] = 1;
    char buf[1024];
    const char *cfg = "stat-report s\n type ip-source-address\n output\n"
                      "stat-definition d\n report s\n";
    if (run(cfg, "d", &f, 1, 0, buf, sizeof buf) == 0)
        CHECK_EQ_S(buf, "# recn: ip-source-address*,flows,octets,packets,duration\n"
                        "2001:db8::1,1,10,1,0\n", "an IPv6 key");
}

/* Three flows exported 0 s, 299 s and 300 s after the first: an interval
 * starts at its first flow's export time, so 300 s intervals hold 2 and 1. */
static void series_flows(struct ft_flow f[3])
{
    f[0] = flow(A(10, 0, 0, 1), A(10, 0, 0, 9), 1, 6, 10, 1, 0, 0);
    f[1] = flow(A(10, 0, 0, 1), A(10, 0, 0, 9), 1, 6, 20, 1, 0, 100000);
    f[2] = flow(A(10, 0, 0, 1), A(10, 0, 0, 9), 1, 6, 40, 1, 0, 400000);
    f[1].unix_secs += 299;
    f[2].unix_secs += 300;
}

static void time_series(void)
{
    struct ft_flow f[3];
    series_flows(f);
    char buf[2048];
    const char *cfg = "stat-report p\n type ip-protocol\n output\n"
                      "stat-definition d\n time-series 300\n report p\n";
    if (run(cfg, "d", f, 3, 0, buf, sizeof buf) < 0)
        return;
    const char *h = "# recn: ip-protocol*,flows,octets,packets,duration\n";
    char want[512];
    snprintf(want, sizeof want, "%s6,2,30,2,100000\n%s6,1,40,1,400000\n", h, h);
    CHECK_EQ_S(buf, want, "two intervals of 300 s");
}

/* Three flows with every field a type may key on: 3 flows, 600 octets,
 * 6 packets, 4500 ms. */
static void every_field_flows(struct ft_flow f[3])
{
    for (int i = 0; i < 3; i++) {
        f[i] = flow(A(10, 0, 0, 1 + i), A(192, 168, 1, 9), (uint16_t)(1000 + i), 80,
                    100 * (uint64_t)(i + 1), 2, 0, 1500);
        f[i].has |= FT_F_SRC_TAG | FT_F_DST_TAG | FT_F_SRC_AS | FT_F_DST_AS | FT_F_INPUT |
                    FT_F_OUTPUT | FT_F_EXADDR | FT_F_NEXTHOP | FT_F_TOS | FT_F_ENGINE_ID |
                    FT_F_ENGINE_TYPE;
        f[i].src_tag = 7;
        f[i].src_as = 64500;
    }
}

/* Every type runs on flows with every field: a heading, and for the keyed
 * types as many flows counted as were given. */
static void every_type(void)
{
    struct ft_flow f[3];
    every_field_flows(f);
    for (size_t t = 0; ft_rtype_name(t); t++) {
        char cfg[512], buf[4096];
        snprintf(cfg, sizeof cfg, "stat-report r\n type %s\n output\n  options +totals\n"
                 "stat-definition d\n report r\n", ft_rtype_name(t));
        if (run(cfg, "d", f, 3, 0, buf, sizeof buf) < 0)
            continue;
        CHECK(strstr(buf, ",0,3,600,6,4500\n") != NULL, "%s: totals in\n%s", ft_rtype_name(t),
              buf);
        if (t >= 2)     /* the summaries have no keys */
            CHECK(strstr(buf, "# recn: ") != NULL, "%s: heading in\n%s", ft_rtype_name(t), buf);
    }
}

static void masks(void)
{
    const char *text = "# masks\nmask-definition m\n  prefix 10.0.0.0/8 8\n"
                       "\tprefix 10.1/16\t20\r\nmask-definition other\n";
    struct ft_err err;
    struct ft_mask *m = ft_mask_parse(text, strlen(text), "mask.cfg", NULL, &err);
    CHECK(m != NULL, "mask parse: %s", err.msg);
    if (!m)
        return;
    const struct ft_mask_def *d = ft_mask_find(m, "M");
    struct ft_flow f[2] = { flow(A(10, 1, 2, 3), A(192, 168, 0, 1), 0, 0, 1, 1, 0, 0),
                            flow(A(10, 9, 2, 3), A(10, 1, 0, 1), 0, 0, 1, 1, 0, 0) };
    if (d)
        ft_mask_apply(d, f, 2);
    CHECK(d && f[0].src_mask == 20 && f[0].dst_mask == 16, "longest prefix, uncovered kept");
    CHECK(d && f[1].src_mask == 8 && f[1].dst_mask == 20, "each address on its own");
    ft_mask_free(m);
    const char *bad = "mask-definition m\n  prefix 10.0.0.0/8 40\n";
    CHECK(ft_mask_parse(bad, strlen(bad), "mask.cfg", NULL, &err) == NULL &&
          strstr(err.msg, "mask.cfg line 2: bad length \"40\""), "bad length: %s", err.msg);
}

/* ---- JSON lines and CSV ------------------------------------------------------- */

static void rows_json(void)
{
    struct ft_flow f[4];
    four_flows(f);
    char buf[4096];
    const char *cfg =
        "stat-report src\n type ip-source-address\n output\n  format json\n  sort +octets\n"
        "stat-report pct\n type ip-source/destination-address\n output\n  format JSON\n"
        "  options +percent-total\n  records 1\n"
        "stat-definition d\n report src\n report pct\n";
    if (run(cfg, "d", f, 4, 0, buf, sizeof buf) < 0)
        return;
    const char *want =
        "{\"report\":\"src\",\"ip-source-address\":\"10.0.0.3\",\"flows\":1,\"octets\":300,\"packets\":4,"
        "\"duration\":500}\n"
        "{\"report\":\"src\",\"ip-source-address\":\"10.0.0.2\",\"flows\":1,\"octets\":300,\"packets\":3,"
        "\"duration\":2000}\n"
        "{\"report\":\"src\",\"ip-source-address\":\"10.0.0.1\",\"flows\":2,\"octets\":150,\"packets\":3,"
        "\"duration\":1000}\n"
        "{\"report\":\"src\",\"totals\":{\"records\":3,\"ignores\":0,\"flows\":4,\"octets\":750,\"packets\":10,"
        "\"duration\":3500}}\n"
        /* percentages of the totals; the record limit; the totals whole */
        "{\"report\":\"pct\",\"ip-source-address\":\"10.0.0.1\",\"ip-destination-address\":\"10.0.0.9\","
        "\"flows\":25.000000,\"octets\":13.333333,\"packets\":20.000000,"
        "\"duration\":28.571429}\n"
        "{\"report\":\"pct\",\"totals\":{\"records\":4,\"ignores\":0,\"flows\":4,\"octets\":750,\"packets\":10,"
        "\"duration\":3500}}\n";
    CHECK_EQ_S(buf, want, "JSON lines: sorted keys, then the totals");

    /* an IPv6 key is a string; a port a number; rates are fractions */
    struct ft_flow g = flow(0, 0, 1, 2, 10, 1, 0, 0);
    g.srcaddr.af = FT_AF_INET6;
    memset(g.srcaddr.v6, 0, 16);
    g.srcaddr.v6[0] = 0x20;
    g.srcaddr.v6[1] = 0x01;
    g.srcaddr.v6[15] = 1;
    g.last = 2000;
    const char *cfg6 = "stat-report s\n type ip-source-address/ip-source-port\n output\n"
                       "  format json\n  fields +avg-pps,+frecs,-duration\n"
                       "stat-definition d\n report s\n";
    if (run(cfg6, "d", &g, 1, 0, buf, sizeof buf) == 0)
        CHECK_EQ_S(buf, "{\"report\":\"s\",\"ip-source-address\":\"2001::1\",\"ip-source-port\":1,"
                        "\"flows\":1,\"octets\":10,\"packets\":1,\"avg-pps\":0.500000,"
                        "\"frecs\":1}\n"
                        "{\"report\":\"s\",\"totals\":{\"records\":1,\"ignores\":0,\"flows\":1,\"octets\":10,"
                        "\"packets\":1,\"duration\":2000}}\n", "IPv6 key, port, rate");
}

static void rows_csv(void)
{
    struct ft_flow f[4];
    four_flows(f);
    char buf[4096];
    const char *cfg =
        "stat-report ports\n type ip-destination-port\n output\n  format csv\n"
        "  sort -octets\n  fields +frecs\n"
        "stat-report sum\n type summary-counters\n output\n  format csv\n"
        "stat-report prefix\n type ip-source-address/destination-as\n"
        " ip-source-address-format prefix-len\n output\n  format csv\n  fields -key2\n"
        "stat-report nokey\n type ip-protocol\n output\n  format csv\n  fields -key\n"
        "stat-definition d\n report ports\n report sum\n report prefix\n report nokey\n";
    for (int i = 0; i < 4; i++)
        f[i].has |= FT_F_DST_AS;
    if (run(cfg, "d", f, 4, 0, buf, sizeof buf) < 0)
        return;
    const char *want =
        "ip-destination-port,flows,octets,packets,duration,frecs\n"
        "80,2,150,3,1000,1\n"
        "22,1,300,4,500,1\n"
        "443,1,300,3,2000,1\n"
        "totals,4,750,10,3500,\n"
        /* no keys: the totals are the table */
        "records,ignores,flows,octets,packets,duration\n"
        "0,0,4,750,10,3500\n"
        /* a prefix is text; only the key columns shown */
        "ip-source-address,flows,octets,packets,duration\n"
        "10.0.0.1/24,2,150,3,1000\n"
        "10.0.0.2/24,1,300,3,2000\n"
        "10.0.0.3/24,1,300,4,500\n"
        "totals,4,750,10,3500\n"
        /* no key column: no totals row that could pass for a key's */
        "flows,octets,packets,duration\n"
        "4,750,10,3500\n";
    CHECK_EQ_S(buf, want, "CSV: header, rows, the totals row");
}

static void rows_override(void)
{
    struct ft_flow f[4];
    four_flows(f);
    char buf[4096];
    const char *cfg = "stat-report p\n type ip-protocol\n output\n  format csv\n"
                      "stat-definition d\n report p\n";
    if (run_as(cfg, "d", f, 4, 0, FT_RFMT_JSON, buf, sizeof buf) == 0)
        CHECK_EQ_S(buf, "{\"report\":\"p\",\"ip-protocol\":6,\"flows\":4,\"octets\":750,\"packets\":10,"
                        "\"duration\":3500}\n"
                        "{\"report\":\"p\",\"totals\":{\"records\":1,\"ignores\":0,\"flows\":4,\"octets\":750,"
                        "\"packets\":10,\"duration\":3500}}\n", "json over the cfg's csv");
    if (run_as(cfg, "d", f, 4, 0, FT_RFMT_ASCII, buf, sizeof buf) == 0)
        CHECK_EQ_S(buf, "# recn: ip-protocol*,flows,octets,packets,duration\n"
                        "6,4,750,10,3500\n", "ascii over the cfg's csv");
    const char *bin = "stat-report p\n type ip-protocol\n output\n  format binary\n"
                      "stat-definition d\n report p\n";
    if (run_as(bin, "d", f, 4, 0, FT_RFMT_CSV, buf, sizeof buf) == 0)
        CHECK_EQ_S(buf, "ip-protocol,flows,octets,packets,duration\n6,4,750,10,3500\n"
                        "totals,4,750,10,3500\n", "csv over the cfg's binary");
    CHECK(ft_rformat_parse("Csv") == FT_RFMT_CSV && ft_rformat_parse("json") == FT_RFMT_JSON &&
          ft_rformat_parse("ascii") == FT_RFMT_ASCII && ft_rformat_parse("xml") < 0,
          "format names");
    struct ft_err err;
    const char *bad = "stat-report p\n type ip-protocol\n output\n  format xml\n";
    struct ft_rcfg *c = ft_rcfg_parse(bad, strlen(bad), "t.cfg", NULL, &err);
    CHECK(!c && strstr(err.msg, "t.cfg line 4: unknown format \"xml\""), "bad format: %s",
          c ? "(parsed)" : err.msg);
    ft_rcfg_free(c);
}

static void rows_time_series(void)
{
    struct ft_flow f[3];
    series_flows(f);
    char buf[2048];
    const char *cfg = "stat-report p\n type ip-protocol\n output\n  format json\n"
                      "stat-definition d\n time-series 300\n report p\n";
    if (run(cfg, "d", f, 3, 0, buf, sizeof buf) == 0)
        CHECK_EQ_S(buf,
            "{\"report\":\"p\",\"interval-start\":1700000000,\"interval-end\":1700000300,\"ip-protocol\":6,"
            "\"flows\":2,\"octets\":30,\"packets\":2,\"duration\":100000}\n"
            "{\"report\":\"p\",\"interval-start\":1700000000,\"interval-end\":1700000300,\"totals\":"
            "{\"records\":1,\"ignores\":0,\"flows\":2,\"octets\":30,\"packets\":2,"
            "\"duration\":100000}}\n"
            "{\"report\":\"p\",\"interval-start\":1700000300,\"interval-end\":1700000600,\"ip-protocol\":6,"
            "\"flows\":1,\"octets\":40,\"packets\":1,\"duration\":400000}\n"
            "{\"report\":\"p\",\"interval-start\":1700000300,\"interval-end\":1700000600,\"totals\":"
            "{\"records\":1,\"ignores\":0,\"flows\":1,\"octets\":40,\"packets\":1,"
            "\"duration\":400000}}\n", "JSON time series: each line its interval");
    /* CSV: one table, its header once */
    if (run_as(cfg, "d", f, 3, 0, FT_RFMT_CSV, buf, sizeof buf) == 0)
        CHECK_EQ_S(buf,
            "interval-start,interval-end,ip-protocol,flows,octets,packets,duration\n"
            "1700000000,1700000300,6,2,30,2,100000\n"
            "1700000000,1700000300,totals,2,30,2,100000\n"
            "1700000300,1700000600,6,1,40,1,400000\n"
            "1700000300,1700000600,totals,1,40,1,400000\n", "CSV time series: one table");
    /* two outputs on standard output: each interval's tables each headed */
    const char *two = "stat-report p\n type ip-protocol\n output\n  format csv\n"
                      "stat-report q\n type ip-tos\n output\n  format csv\n"
                      "stat-definition d\n time-series 300\n report p\n report q\n";
    if (run(two, "d", f, 3, 0, buf, sizeof buf) == 0)
        CHECK_EQ_S(buf,
            "interval-start,interval-end,ip-protocol,flows,octets,packets,duration\n"
            "1700000000,1700000300,6,2,30,2,100000\n"
            "1700000000,1700000300,totals,2,30,2,100000\n"
            "interval-start,interval-end,ip-tos,flows,octets,packets,duration\n"
            "1700000000,1700000300,0,2,30,2,100000\n"
            "1700000000,1700000300,totals,2,30,2,100000\n"
            "interval-start,interval-end,ip-protocol,flows,octets,packets,duration\n"
            "1700000300,1700000600,6,1,40,1,400000\n"
            "1700000300,1700000600,totals,1,40,1,400000\n"
            "interval-start,interval-end,ip-tos,flows,octets,packets,duration\n"
            "1700000300,1700000600,0,1,40,1,400000\n"
            "1700000300,1700000600,totals,1,40,1,400000\n",
            "CSV time series, two tables on standard output: headed every interval");
}

static void rows_limits(void)
{
    struct ft_flow f[50];
    for (int i = 0; i < 50; i++)
        f[i] = flow(A(10, 0, 1, i), A(10, 0, 0, 1), 1, 80, 10, 1, 0, 10);
    char buf[8192];
    const char *cfg = "stat-report s\n type ip-source-address\n output\n  format json\n"
                      "  records 2\n  sort +octets\n"
                      "stat-definition d\n report s\n";
    if (run(cfg, "d", f, 50, 20, buf, sizeof buf) < 0)
        return;
    CHECK_EQ_S(buf, "{\"report\":\"s\",\"ip-source-address\":\"10.0.1.19\",\"flows\":1,\"octets\":10,"
                    "\"packets\":1,\"duration\":10}\n"
                    "{\"report\":\"s\",\"ip-source-address\":\"10.0.1.18\",\"flows\":1,\"octets\":10,"
                    "\"packets\":1,\"duration\":10}\n"
                    "{\"report\":\"s\",\"totals\":{\"records\":20,\"ignores\":0,\"flows\":50,\"octets\":500,"
                    "\"packets\":50,\"duration\":500},\"incomplete\":30}\n",
               "record limit; a report at the key limit says it is incomplete");
}

/* Every type writes well-formed lines in both formats. */
static void rows_every_type(void)
{
    struct ft_flow f[3];
    every_field_flows(f);
    for (size_t t = 0; ft_rtype_name(t); t++) {
        char cfg[512], buf[8192];
        snprintf(cfg, sizeof cfg, "stat-report r\n type %s\n output\n"
                 "stat-definition d\n report r\n", ft_rtype_name(t));
        if (run_as(cfg, "d", f, 3, 0, FT_RFMT_JSON, buf, sizeof buf) < 0)
            continue;
        int lines = 0, good = 1;
        for (char *l = buf, *nl; (nl = strchr(l, '\n')) != NULL; l = nl + 1, lines++)
            good &= l[0] == '{' && nl[-1] == '}';
        CHECK(good && lines >= 1 && strstr(buf, "{\"report\":\"r\",\"totals\":{\"records\":") &&
              strstr(buf, "\"flows\":3,\"octets\":600,\"packets\":6,\"duration\":4500}}\n"),
              "%s: JSON lines\n%s", ft_rtype_name(t), buf);
        if (run_as(cfg, "d", f, 3, 0, FT_RFMT_CSV, buf, sizeof buf) < 0)
            continue;
        CHECK(strstr(buf, t < 2 ? ",3,600,6,4500\n" : "totals,") != NULL,
              "%s: CSV totals in\n%s", ft_rtype_name(t), buf);
    }
}

/* A v5 stream keys addresses by 4 bytes, not 17: every type, with each
 * address format, writes what it does with the wide keys. */
static void v4_keys(void)
{
    struct ft_flow f[3];
    every_field_flows(f);
    f[2].srcaddr = f[0].srcaddr;        /* a key counted twice */
    static const char *const formats[] = { "address", "prefix-len", "prefix-mask" };
    struct ft_header v5 = { .d_version = 5 };
    for (size_t t = 0; ft_rtype_name(t); t++) {
        for (size_t i = 0; i < 3; i++) {
            char cfg[512], wide[4096], narrow[4096];
            snprintf(cfg, sizeof cfg,
                     "stat-report r\n type %s\n ip-source-address-format %s\n"
                     " ip-destination-address-format %s\n output\n%s"
                     "stat-definition d\n report r\n", ft_rtype_name(t), formats[i],
                     formats[i], t >= 2 ? "  sort +octets\n" : "");  /* summaries: no sort */
            stream_header = NULL;
            int rc = run(cfg, "d", f, 3, 0, wide, sizeof wide);
            stream_header = &v5;
            rc |= run(cfg, "d", f, 3, 0, narrow, sizeof narrow);
            stream_header = NULL;
            if (rc == 0)
                CHECK_EQ_S(narrow, wide, ft_rtype_name(t));
        }
    }
}

int main(void)
{
    sums_and_sorts();
    key_limit();
    ipv6_keys();
    time_series();
    every_type();
    v4_keys();
    masks();
    rows_json();
    rows_csv();
    rows_override();
    rows_time_series();
    rows_limits();
    rows_every_type();
    return ft_test_report("test_report");
}
