/* Unit tests of the report types (report/ft_rtype.h: every one of the 78
 * names resolves, tuples derived from the field table, the column sets) and
 * of the stat.cfg language (report/ft_rcfg.h: statements, defaults,
 * variables, comments/tabs/CRLF, and errors naming file, line and token). */
#include <stdint.h>
#include <string.h>
#include "report/ft_rcfg.h"
#include "report/ft_rtype.h"
#include "ft_test.h"
#include "comment_lines.h"

static void all_types(void)
{
    size_t n = 0, tuples = 0;
    for (size_t i = 0; ft_rtype_name(i); i++, n++) {
        struct ft_rtype t;
        struct ft_err err;
        int rc = ft_rtype_lookup(ft_rtype_name(i), &t, &err);
        CHECK(rc == 0, "%s: %s", ft_rtype_name(i), err.msg);
        if (rc == 0 && t.kind == FT_RK_FIELDS) {
            tuples++;
            CHECK(t.nkeys >= 1 && t.nkeys <= 6, "%s: %d keys", t.name, t.nkeys);
            CHECK(t.allowed & (FT_RC_BIT(FT_RC_KEY) | FT_RC_BIT(FT_RC_KEY1)), "%s: keys", t.name);
            CHECK(t.heading[0] != '\0', "%s: heading", t.name);
        }
    }
    CHECK_EQ_U(n, 78, "report types");
    CHECK_EQ_U(tuples, 78 - 16, "tuple types (all but the 16 computed ones)");
}

static void check_derive(const char *name, int n, const unsigned *want)
{
    uint8_t ids[6];
    int got = ft_rtype_derive(name, ids, 6);
    CHECK(got == n, "%s: %d fields, want %d", name, got, n);
    for (int i = 0; i < n && got == n; i++)
        CHECK(ids[i] == want[i], "%s: field %d is %s", name, i, ft_fields[ids[i]].name);
}

static void derivation(void)
{
    check_derive("ip-source-port", 1, (unsigned[]){ FT_FLD_SRCPORT });
    check_derive("ip-source/destination-port", 2,
                 (unsigned[]){ FT_FLD_SRCPORT, FT_FLD_DSTPORT });
    check_derive("input/output-interface", 2, (unsigned[]){ FT_FLD_INPUT, FT_FLD_OUTPUT });
    check_derive("source/destination-as", 2, (unsigned[]){ FT_FLD_SRC_AS, FT_FLD_DST_AS });
    check_derive("ip-source/destination-address/ip-protocol/ip-tos/ip-source/destination-port",
                 6, (unsigned[]){ FT_FLD_SRCADDR, FT_FLD_DSTADDR, FT_FLD_PROT, FT_FLD_TOS,
                                  FT_FLD_SRCPORT, FT_FLD_DSTPORT });
    check_derive("ip-destination-address/input/output-interface", 3,
                 (unsigned[]){ FT_FLD_DSTADDR, FT_FLD_INPUT, FT_FLD_OUTPUT });
    uint8_t ids[6];
    CHECK(ft_rtype_derive("ip-source/nothing", ids, 6) < 0, "a part naming no field");
    CHECK(ft_rtype_derive("bogus", ids, 6) < 0, "no field");

    struct ft_rtype t;
    struct ft_err err;
    CHECK(ft_rtype_lookup("IP-Source/Destination-Port", &t, &err) == 0, "any case");
    CHECK_EQ_S(t.heading, "ip-source-port*,ip-destination-port*", "heading");
    CHECK(t.allowed == (t.allowed | FT_RC_BIT(FT_RC_KEY2)) && !(t.allowed & FT_RC_BIT(FT_RC_KEY3)),
          "two keys allow key1, key2");
    CHECK(ft_rtype_lookup(
              "ip-source/destination-address/ip-protocol/ip-tos/ip-source/destination-port",
              &t, &err) == 0 && t.key[2] == FT_FLD_SRCPORT && t.key[4] == FT_FLD_PROT,
          "the 6-tuple shows ports before protocol and tos, as the original");
    CHECK(ft_rtype_lookup("summary-detail", &t, &err) == 0 &&
          t.allowed == (FT_RC_PPS | FT_RC_BPS | FT_RC_BIT(FT_RC_OTHER)), "summary-detail's set");
    CHECK(ft_rtype_lookup("no-such-type", &t, &err) < 0, "unknown type");
    CHECK_EQ_U(ft_rcol_bits("pps"), FT_RC_PPS, "pps group");
    CHECK_EQ_U(ft_rcol_bits("KEY3"), FT_RC_BIT(FT_RC_KEY3), "key3");
    CHECK_EQ_U(ft_rcol_bits("nope"), 0, "unknown column");
}

static struct ft_rcfg *parse(const char *text, const struct ft_vars *v, struct ft_err *err)
{
    return ft_rcfg_parse(text, strlen(text), "stat.cfg", v, err);
}

static void statements(void)
{
    struct ft_err err;
    const char *text =
        "include-filter f.cfg\n"
        "include-tag t.cfg\n"
        "stat-report r1\n"
        "  type ip-source/destination-port\n"
        "  filter web\n"
        "  scale 10\n"
        "  tag-mask 0xffff0000 0x0000ffff\n"
        "  ip-source-address-format prefix-len\n"
        "  output\n"
        "    format ascii\n"
        "    sort +octets\n"
        "    records 9\n"
        "    tally 3\n"
        "    fields +first,-packets +frecs\n"
        "    options +header,+totals\n"
        "    path |flow-rptfmt -f ascii\n"
        "    time start\n"
        "  output\n"
        "    sort -key2\n"
        "stat-definition d\n"
        "  filter tcp\n"
        "  tag sites\n"
        "  report r1\n"
        "  time-series 300\n";
    struct ft_rcfg *c = parse(text, NULL, &err);
    CHECK(c != NULL, "parse: %s", err.msg);
    if (!c)
        return;
    CHECK_EQ_S(c->filter_file, "f.cfg", "include-filter");
    CHECK_EQ_U(c->nrep, 1, "reports");
    const struct ft_rreport *r = &c->rep[0];
    CHECK_EQ_S(r->filter, "web", "report filter");
    CHECK_EQ_U(r->scale, 10, "scale");
    CHECK_EQ_U(r->tag_mask_src, 0xffff0000u, "tag mask");
    CHECK_EQ_U(r->src_fmt, FT_RADDR_PREFIX_LEN, "address format");
    CHECK_EQ_U(r->nout, 2, "outputs");
    const struct ft_routput *o = &r->out[0];
    CHECK(o->sort_col == FT_RC_OCTETS && o->sort_desc, "sort +octets");
    CHECK_EQ_U(o->records, 9, "records");
    CHECK_EQ_U(o->tally, 3, "tally");
    uint32_t want = FT_RC_BIT(FT_RC_FIRST) | FT_RC_BIT(FT_RC_KEY1) | FT_RC_BIT(FT_RC_KEY2) |
                    FT_RC_BIT(FT_RC_FLOWS) | FT_RC_BIT(FT_RC_OCTETS) |
                    FT_RC_BIT(FT_RC_DURATION) | FT_RC_BIT(FT_RC_OTHER) | FT_RC_BIT(FT_RC_FRECS);
    CHECK_EQ_U(o->fields, want, "fields over the defaults");
    CHECK_EQ_U(o->options, FT_ROPT_HEADER | FT_ROPT_TOTALS, "options");
    CHECK_EQ_S(o->path, "|flow-rptfmt -f ascii", "path keeps the rest of the line");
    CHECK_EQ_U(o->time, FT_RTIME_START, "time");
    CHECK(r->out[1].sort_col == FT_RC_KEY2 && !r->out[1].sort_desc, "sort -key2");
    const struct ft_rdef *d = ft_rcfg_find_def(c, "D");
    CHECK(d && d->nreport == 1 && d->report[0] == 0, "definition's report");
    CHECK(d && d->time_series == 300 && strcmp(d->tag, "sites") == 0, "definition");
    ft_rcfg_free(c);
}

static void variables_and_layout(void)
{
    struct ft_vars v = { 0 };
    struct ft_err err;
    CHECK(ft_vars_set(&v, "TYPE=ip-source-port", &err) == 0, "-v");
    char many[2048], longc[2048], text[8192];
    comment_lines(many, longc, sizeof many);
    snprintf(text, sizeof text,
             "%s\r\n"
             "\t# indented by a tab; a broken reference @{NAME in a comment\r\n"
             "\r\n \t \r\n"
             "stat-report default\r\n"
             "\ttype\t@{TYPE:-summary-detail}\t\r\n"
             "%s\r\n"
             "  output\r\n"
             "    sort @{SORT:-+}\r\n"
             "    fields @{FIELDS:-+}\r\n"
             "    options @{OPTIONS:-+header,+xheader,+totals}\r\n"
             "stat-definition default\r\n"
             "  report default\r\n", many, longc);
    struct ft_rcfg *c = parse(text, &v, &err);
    CHECK(c != NULL, "the default stat.cfg with CRLF, tabs, comments: %s", err.msg);
    if (c) {
        CHECK_EQ_S(c->rep[0].type.name, "ip-source-port", "the variable's type");
        CHECK(c->rep[0].out[0].sort_col == -1, "sort + alone: no sort");
        CHECK_EQ_U(c->rep[0].out[0].options,
                   FT_ROPT_HEADER | FT_ROPT_XHEADER | FT_ROPT_TOTALS, "default options");
        ft_rcfg_free(c);
    }
    ft_vars_free(&v);
}

static void expect_error(const char *text, const char *want)
{
    struct ft_err err;
    err.msg[0] = '\0';
    struct ft_rcfg *c = parse(text, NULL, &err);
    CHECK(c == NULL && strstr(err.msg, want) != NULL, "got \"%s\", want \"%s\"", err.msg, want);
    ft_rcfg_free(c);
}

static void errors(void)
{
    expect_error("stat-report r\n  type bogus-type\n", "stat.cfg line 2: unknown report type \"bogus-type\"");
    expect_error("stat-report r\n  type summary-counters\n  output\n    fields +flows\n",
                 "stat.cfg line 4: field \"flows\" not allowed for report type summary-counters");
    expect_error("stat-report r\n  type ip-protocol\n  output\n    sort +key2\n",
                 "stat.cfg line 4: field \"key2\" not allowed");
    expect_error("stat-report r\n  frobnicate 3\n", "stat.cfg line 2: unknown statement \"frobnicate\"");
    expect_error("stat-report r\n  type ip-protocol\n", "stat.cfg line 1: report r has no output");
    expect_error("stat-report r\n  type ip-protocol\n  output\nstat-definition d\n  report nope\n",
                 "stat.cfg line 5: unknown report \"nope\"");
    expect_error("stat-report r\n  type ip-protocol extra\n", "stat.cfg line 2: unexpected \"extra\"");
    expect_error("stat-report r\n  type ip-protocol\n  output\n    options +bogus\n",
                 "stat.cfg line 4: unknown option \"bogus\"");
    expect_error("type ip-protocol\n", "stat.cfg line 1: unknown statement \"type\"");
    expect_error("stat-report r\n  type ip-protocol\n  output\n    records x\n",
                 "stat.cfg line 4: bad number \"x\"");
    expect_error("stat-definition d\n  time-series 0\n", "stat.cfg line 2: bad time-series");
    expect_error("stat-report r\n  type ip-tos # comment\n", "stat.cfg line 2: unexpected \"#\"");
}

int main(void)
{
    all_types();
    derivation();
    statements();
    variables_and_layout();
    errors();
    return ft_test_report("test_rcfg");
}
