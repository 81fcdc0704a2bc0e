/* Unit tests of the report engine (report/ft_report.h) on hand-made flows:
 * sums per key, sort orders and ties, percentages, the record limit, the
 * key limit, time series, IPv6 keys, and the mask
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

/* Run definition def of cfg over flows; the output (masked "# now:") into
 * buf.  Returns 0, or -1 after a failed check. */
static int run(const char *cfg, const char *def, const struct ft_flow *flows, size_t n,
               size_t max_keys, char *buf, size_t size)
{
    struct ft_err err;
    struct ft_rcfg *c = ft_rcfg_parse(cfg, strlen(cfg), "t.cfg", NULL, &err);
    CHECK(c != NULL, "parse: %s", err.msg);
    if (!c)
        return -1;
    struct ft_report_opts o = { .max_keys = max_keys, .now = 1 };
    struct ft_report *rp = ft_report_open(c, def, &o, &err);
    CHECK(rp != NULL, "open: %s", err.msg);
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

#define A(a, b, c, d) ((uint32_t)(a) << 24 | (uint32_t)(b) << 16 | (uint32_t)(c) << 8 | (d))

static void sums_and_sorts(void)
{
    struct ft_flow f[] = {
        flow(A(10, 0, 0, 1), A(10, 0, 0, 9), 1000, 80, 100, 2, 0, 1000),
        flow(A(10, 0, 0, 2), A(10, 0, 0, 9), 1001, 443, 300, 3, 0, 2000),
        flow(A(10, 0, 0, 1), A(10, 0, 0, 8), 1002, 80, 50, 1, 0, 0),
        flow(A(10, 0, 0, 3), A(10, 0, 0, 8), 1003, 22, 300, 4, 0, 500),
    };
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

static void time_series(void)
{
    /* exported 0 s, 299 s and 300 s after the first: an interval starts at
     * its first flow's export time */
    struct ft_flow f[] = {
        flow(A(10, 0, 0, 1), A(10, 0, 0, 9), 1, 6, 10, 1, 0, 0),
        flow(A(10, 0, 0, 1), A(10, 0, 0, 9), 1, 6, 20, 1, 0, 100000),
        flow(A(10, 0, 0, 1), A(10, 0, 0, 9), 1, 6, 40, 1, 0, 400000),
    };
    f[1].unix_secs += 299;
    f[2].unix_secs += 300;
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

/* Every type runs on flows with every field: a heading, and for the keyed
 * types as many flows counted as were given. */
static void every_type(void)
{
    struct ft_flow f[3];
    for (int i = 0; i < 3; i++) {
        f[i] = flow(A(10, 0, 0, 1 + i), A(192, 168, 1, 9), (uint16_t)(1000 + i), 80,
                    100 * (uint64_t)(i + 1), 2, 0, 1500);
        f[i].has |= FT_F_SRC_TAG | FT_F_DST_TAG | FT_F_SRC_AS | FT_F_DST_AS | FT_F_INPUT |
                    FT_F_OUTPUT | FT_F_EXADDR | FT_F_NEXTHOP | FT_F_TOS | FT_F_ENGINE_ID |
                    FT_F_ENGINE_TYPE;
        f[i].src_tag = 7;
        f[i].src_as = 64500;
    }
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

int main(void)
{
    sums_and_sorts();
    key_limit();
    ipv6_keys();
    time_series();
    every_type();
    masks();
    return ft_test_report("test_report");
}
