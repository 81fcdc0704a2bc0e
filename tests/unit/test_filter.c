/*
 * test_filter.c - the filter language: parsing, errors, evaluation,
 * variables, IPv6 prefixes.
 */
#include <ctype.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>

#include "ft_test.h"
#include "comment_lines.h"
#include "lang/ft_filter.h"
#include "core/ft_flow.h"
#include "text/ft_sym.h"

/* The shared symbol tables (symbolic values in filter definitions). */
static char symdir[1024];

static struct ft_filter *parse(const char *text, const struct ft_vars *vars, struct ft_err *err)
{
    struct ft_filter_opts o = {.vars = vars, .symdir = symdir, .now = 1710406800, .seed = 42};
    return ft_filter_parse(text, strlen(text), "t.cfg", &o, err);
}

/* Parse a config and judge one flow with one definition; -1 if it fails. */
static int judge(const char *text, const char *def, const struct ft_flow *f)
{
    struct ft_err err;
    struct ft_filter *flt = parse(text, NULL, &err);
    if (!flt) {
        fprintf(stderr, "parse failed: %s\n", err.msg);
        return -1;
    }
    struct ft_filter_def *d = ft_filter_find(flt, def);
    int r = d ? ft_filter_match(d, f) : -1;
    ft_filter_free(flt);
    return r;
}

static struct ft_flow v4flow(uint32_t src, uint32_t dst, uint8_t prot, uint16_t sport,
                             uint16_t dport)
{
    struct ft_flow f;
    memset(&f, 0, sizeof f);
    f.has = FT_F_SRCADDR | FT_F_DSTADDR | FT_F_PROT | FT_F_SRCPORT | FT_F_DSTPORT;
    ft_ip_set4(&f.srcaddr, src);
    ft_ip_set4(&f.dstaddr, dst);
    ft_ip_set4(&f.exaddr, 0x7f000001);
    f.prot = prot;
    f.srcport = sport;
    f.dstport = dport;
    return f;
}

/* The first line of an error message, for checks on its wording. */
static int error_says(const char *text, const char *want)
{
    struct ft_err err;
    struct ft_filter *f = parse(text, NULL, &err);
    if (f) {
        ft_filter_free(f);
        fprintf(stderr, "no error for: %s\n", text);
        return 0;
    }
    if (!strstr(err.msg, want)) {
        fprintf(stderr, "error \"%s\" lacks \"%s\"\n", err.msg, want);
        return 0;
    }
    return 1;
}

static void test_errors(void)
{
    CHECK(error_says("filter-primitive p\n  type ip-port\n  permit http-alt\n",
                     "t.cfg line 3:"), "range to an unknown name");
    CHECK(error_says("filter-primitive p\n  type ip-port\n  permit http-alt\n", "\"alt\""),
          "the message names the token");
    CHECK(error_says("filter-definition d\n  match bogus-field p\n", "Unknown match criteria"),
          "unknown field");
    CHECK(error_says("filter-primitive p\n type as\n type as\n", "Type previously defined"),
          "type twice");
    CHECK(error_says("filter-definition d\n match src-as nowhere\n",
                     "line 2: Unable to resolve primitive"), "unresolved");
    CHECK(error_says("filter-primitive p\n type as\n permit 1\n"
                     "filter-definition d\n match ip-protocol p\n", "incompatible"),
          "wrong type");
    CHECK(error_says("filter-primitive p\n type as\nfilter-primitive P\n type as\n",
                     "line 3: Name (P) previously defined"), "duplicate primitive");
    CHECK(error_says("filter-definition d\nfilter-definition d\n", "line 2"),
          "duplicate definition");
    CHECK(error_says("filter-primitive p\n type ip-protocol\n permit 256\n", "out of range"),
          "range check");
    CHECK(error_says("filter-primitive p\n type ip-protocol\n permit 1 2\n", "\"2\""),
          "blanks only after commas");
    CHECK(error_says("filter-primitive p\n permit 1\n", "type must be set"),
          "permit before type");
    CHECK(error_says("filter-primitive p\n type counter\n permit about 3\n", "operator"),
          "bad operator");
    CHECK(error_says("filter-primitive p\n type ip-address-prefix\n permit 10.1/1x\n",
                     "line 3"), "bad prefix length");
    CHECK(error_says("filter-primitive p\n type rate\n permit 0\n", "rate"), "rate 0");
    CHECK(error_says("filter-definition d\n or extra\n", "\"extra\""), "extra word");
    CHECK(error_says("match src-as p\n", "Unexpected keyword"), "match at top level");
    CHECK(error_says("filter-primitive p\n type ip-port\n permit @{X:1}\n", "line 3"),
          "@{NAME:default} is refused");
    CHECK(error_says("filter-primitive p\n type ip-port\n permit @{X\n", "unbalanced"),
          "unbalanced braces");
    CHECK(error_says("filter-primitive p\n type ip-tos\n mask\n", "mask"), "mask argument");
    CHECK(error_says("filter-primitive p\n type time-date\n permit gt not a date at all\n",
                     "line 3"), "bad date");
}

static void test_lists(void)
{
    const char *cfg =
        "# comment\n"
        "filter-primitive ports\n  type ip-port\n  permit 80,443, 8000-8010\n  deny 8005\n"
        "filter-primitive notssh\n  TYPE IP-PORT\n  permit !22\n  default permit\n"
        "filter-primitive tcp\n  type ip-protocol\n  permit 6\n"
        "filter-primitive ef\n  type ip-tos\n  mask 0xfc\n  permit 0xb8\n"
        "filter-definition web\n  match ip-protocol tcp\n  match dst-ip-port ports\n"
        "filter-definition no-ssh\n  match ip-source-port notssh\n  match ip-destination-port notssh\n"
        "filter-definition voice\n  match ip-tos ef\n";
    struct ft_flow f = v4flow(0x0a000001, 0x0a000002, 6, 1234, 80);
    CHECK_EQ_U(judge(cfg, "web", &f), 1, "tcp to 80");
    CHECK_EQ_U(judge(cfg, "WEB", &f), 1, "names are case-insensitive");
    f.dstport = 8004;
    CHECK_EQ_U(judge(cfg, "web", &f), 1, "in a range");
    f.dstport = 8005;
    CHECK_EQ_U(judge(cfg, "web", &f), 0, "re-set to deny: the later line wins");
    f.dstport = 8011;
    CHECK_EQ_U(judge(cfg, "web", &f), 0, "beyond the range");
    f.dstport = 80;
    f.prot = 17;
    CHECK_EQ_U(judge(cfg, "web", &f), 0, "udp");
    CHECK_EQ_U(judge(cfg, "no-ssh", &f), 1, "no port 22");
    f.srcport = 22;
    CHECK_EQ_U(judge(cfg, "no-ssh", &f), 0, "! gives the opposite mode");
    f.tos = 0xb9;
    CHECK_EQ_U(judge(cfg, "voice", &f), 1, "masked tos");
    f.tos = 0xb0;
    CHECK_EQ_U(judge(cfg, "voice", &f), 0, "other tos");
}

/* as and ifindex lists take 32-bit values (4-byte AS numbers, v9 ifIndexes). */
static void test_wide_values(void)
{
    const char *cfg =
        "filter-primitive as\n type as\n permit 65530-70000\n deny 66000\n"
        " permit 4200000000\n permit CAMPUS_A\n"
        "filter-primitive ifs\n type ifindex\n permit 1,100000-100010\n default deny\n"
        "filter-definition as\n match source-as as\n"
        "filter-definition ifs\n match input-interface ifs\n";
    struct ft_flow f = v4flow(1, 2, 6, 1, 2);
    uint32_t yes[] = {65530, 65535, 65536, 69999, 70000, 4200000000u};
    uint32_t no[] = {65529, 66000, 70001, 4199999999u};
    for (size_t i = 0; i < sizeof yes / sizeof yes[0]; i++) {
        f.src_as = yes[i];
        CHECK(judge(cfg, "as", &f) == 1, "AS %u permitted", yes[i]);
    }
    for (size_t i = 0; i < sizeof no / sizeof no[0]; i++) {
        f.src_as = no[i];
        CHECK(judge(cfg, "as", &f) == 0, "AS %u denied", no[i]);
    }
    f.src_as = 0x00010001;      /* CAMPUS_A in tag.sym */
    CHECK_EQ_U(judge(cfg, "as", &f), 1, "a tag.sym name above 65535");
    f.input = 100005;
    CHECK_EQ_U(judge(cfg, "ifs", &f), 1, "32-bit ifIndex");
    f.input = 100011;
    CHECK_EQ_U(judge(cfg, "ifs", &f), 0, "32-bit ifIndex outside");
    CHECK(error_says("filter-primitive p\n type as\n permit 4294967296\n", "out of range"),
          "beyond 32 bits");
    CHECK(error_says("filter-primitive p\n type ip-port\n permit 65536\n", "out of range"),
          "ports stay 16-bit");
}

static void test_groups(void)
{
    const char *cfg =
        "filter-primitive p1\n type ip-address-prefix\n permit 10.1/16\n"
        "filter-primitive tcp\n type ip-protocol\n permit 6\n"
        "filter-primitive big\n type counter\n permit gt 10000\n"
        "filter-definition d1\n match src-ip-addr p1\n or\n match ip-protocol tcp\n match octets big\n"
        "filter-definition d1-inverted\n match src-ip-addr p1\n or\n match ip-protocol tcp\n"
        " match octets big\n invert\n"
        "filter-definition empty\n"
        "filter-definition empty-inverted\n invert\n";
    struct ft_flow f = v4flow(0x0a010203, 0x0b000001, 17, 1, 2);
    CHECK_EQ_U(judge(cfg, "d1", &f), 1, "first group");
    CHECK_EQ_U(judge(cfg, "d1-inverted", &f), 0, "inverted");
    ft_ip_set4(&f.srcaddr, 0x0a020203);
    CHECK_EQ_U(judge(cfg, "d1", &f), 0, "neither group");
    f.prot = 6;
    f.doctets = 10001;
    CHECK_EQ_U(judge(cfg, "d1", &f), 1, "second group");
    f.doctets = 10000;
    CHECK_EQ_U(judge(cfg, "d1", &f), 0, "second group, too small");
    CHECK_EQ_U(judge(cfg, "empty", &f), 0, "an empty definition denies");
    CHECK_EQ_U(judge(cfg, "empty-inverted", &f), 1, "inverted, it permits");
}

/* Every spelling of nfilter-language.md 1.3 for a member of the flow: the
 * member it reads, the stream fields it needs, the primitive it takes. */
static const struct member_case {
    const char *names;          /* blank-separated spellings */
    const char *type, *rule;    /* a primitive permitting the value 7 */
    uint64_t need;
    size_t off;                 /* the member */
    int width;                  /* its bytes; 0: an address */
} member_cases[] = {
#define M(member) offsetof(struct ft_flow, member), (int)sizeof(((struct ft_flow *)0)->member)
#define A(member) offsetof(struct ft_flow, member), 0
    {"src-as source-as", "as", "permit 7", FT_F_SRC_AS, M(src_as)},
    {"dst-as destination-as", "as", "permit 7", FT_F_DST_AS, M(dst_as)},
    {"ip-protocol", "ip-protocol", "permit 7", FT_F_PROT, M(prot)},
    {"src-ip-addr-prefix-len ip-source-address-prefix-len", "ip-address-prefix-len",
     "permit 7", FT_F_SRC_MASK, M(src_mask)},
    {"dst-ip-addr-prefix-len ip-destination-address-prefix-len", "ip-address-prefix-len",
     "permit 7", FT_F_DST_MASK, M(dst_mask)},
    {"ip-tos", "ip-tos", "permit 7", FT_F_TOS, M(tos)},
    {"ip-marked-tos", "ip-tos", "permit 7", FT_F_MARKED_TOS, M(marked_tos)},
    {"ip-tcp-flags", "ip-tcp-flags", "permit 7", FT_F_TCP_FLAGS, M(tcp_flags)},
    {"src-ip-port ip-source-port", "ip-port", "permit 7", FT_F_SRCPORT, M(srcport)},
    {"dst-ip-port ip-destination-port", "ip-port", "permit 7", FT_F_DSTPORT, M(dstport)},
    {"src-ifindex input-interface", "ifindex", "permit 7", FT_F_INPUT, M(input)},
    {"dst-ifindex output-interface", "ifindex", "permit 7", FT_F_OUTPUT, M(output)},
    {"engine-id", "engine", "permit 7", FT_F_ENGINE_ID, M(engine_id)},
    {"engine-type", "engine", "permit 7", FT_F_ENGINE_TYPE, M(engine_type)},
    {"flows", "counter", "permit eq 7", FT_F_DFLOWS, M(dflows)},
    {"octets", "counter", "permit eq 7", FT_F_DOCTETS, M(doctets)},
    {"packets", "counter", "permit eq 7", FT_F_DPKTS, M(dpkts)},
    {"extra-packets", "counter", "permit eq 7", FT_F_EXTRA_PKTS, M(extra_pkts)},
    {"src-tag source-tag", "tag", "permit 7", FT_F_SRC_TAG, M(src_tag)},
    {"dst-tag destination-tag", "tag-mask", "permit 7 0xff", FT_F_DST_TAG, M(dst_tag)},
    {"nexthop-ip-addr ip-nexthop-address", "ip-address", "permit 0.0.0.7", FT_F_NEXTHOP,
     A(nexthop)},
    {"shortcut-ip-addr ip-shortcut-address", "ip-address-prefix", "permit 0.0.0.7/32",
     FT_F_ROUTER_SC, A(router_sc)},
    {"src-ip-addr ip-source-address", "ip-address-mask", "permit 0.0.0.7 255.255.255.255",
     FT_F_SRCADDR, A(srcaddr)},
    {"dst-ip-addr ip-destination-address", "ip-address", "permit 0.0.0.7", FT_F_DSTADDR,
     A(dstaddr)},
    {"exporter-ip-addr ip-exporter-address", "ip-address", "permit 0.0.0.7", FT_F_EXADDR,
     A(exaddr)},
#undef M
#undef A
};

/* The member of c in f set to v (an address to 0.0.0.v). */
static void set_member(struct ft_flow *f, const struct member_case *c, uint64_t v)
{
    char *m = (char *)f + c->off;
    uint8_t u8 = (uint8_t)v;
    uint16_t u16 = (uint16_t)v;
    uint32_t u32 = (uint32_t)v;
    switch (c->width) {
    case 1: memcpy(m, &u8, 1); break;
    case 2: memcpy(m, &u16, 2); break;
    case 4: memcpy(m, &u32, 4); break;
    case 8: memcpy(m, &v, 8); break;
    default: ft_ip_set4((struct ft_ip *)m, u32); break;
    }
}

/* A flow whose every address is 0.0.0.0, the member of c set to 7. */
static struct ft_flow flow_with_7(const struct member_case *c)
{
    struct ft_flow f;
    memset(&f, 0, sizeof f);
    struct ft_ip *addrs[] = {&f.exaddr, &f.srcaddr, &f.dstaddr, &f.nexthop, &f.router_sc};
    for (size_t i = 0; i < sizeof addrs / sizeof addrs[0]; i++)
        ft_ip_set4(addrs[i], 0);
    set_member(&f, c, 7);
    return f;
}

/* Each spelling (and its upper case) reads its member and needs its field;
 * a primitive of another type is refused. */
static void test_match_fields(void)
{
    static char cfg[512];
    for (size_t i = 0; i < sizeof member_cases / sizeof member_cases[0]; i++) {
        const struct member_case *c = &member_cases[i];
        char names[128], *save = NULL;
        snprintf(names, sizeof names, "%s", c->names);
        for (char *n = strtok_r(names, " ", &save); n; n = strtok_r(NULL, " ", &save)) {
            for (int upper = 0; upper < 2; upper++) {
                char name[64];
                for (size_t k = 0; k <= strlen(n); k++)
                    name[k] = upper ? (char)toupper((unsigned char)n[k]) : n[k];
                snprintf(cfg, sizeof cfg, "filter-primitive p\n type %s\n %s\n"
                         "filter-definition d\n match %s p\n", c->type, c->rule, name);
                struct ft_err err;
                struct ft_filter *f = parse(cfg, NULL, &err);
                CHECK(f != NULL, "%s: %s", name, err.msg);
                if (!f)
                    continue;
                struct ft_filter_def *d = ft_filter_find(f, "d");
                CHECK_EQ_U(ft_filter_def_fields(d), c->need, name);
                struct ft_flow fl = flow_with_7(c);
                CHECK(ft_filter_match(d, &fl) == 1, "%s reads its member", name);
                set_member(&fl, c, 0);
                CHECK(ft_filter_match(d, &fl) == 0, "%s: 0 is not 7", name);
                ft_filter_free(f);
            }
        }
        snprintf(cfg, sizeof cfg, "filter-primitive p\n type rate\n permit 2\n"
                 "filter-definition d\n match %.*s p\n", (int)strcspn(c->names, " "), c->names);
        CHECK(error_says(cfg, "incompatible with match"), "%s takes no rate", c->names);
    }
    CHECK(error_says("filter-primitive p\n type counter\n permit gt 1\n"
                     "filter-definition d\n match src-AS p\n",
                     "Primitive \"p\" incompatible with match \"src-AS\""), "as written");
    CHECK(error_says("filter-definition d\n match unix-secs p\n", "Unknown match criteria"),
          "a member the language does not name");
    CHECK(error_says("filter-definition d\n match srcaddr p\n", "Unknown match criteria"),
          "a flow-tools field name is no language spelling");
}

/* The fields that are no member of the flow: what they need; bps. */
static void test_computed_fields(void)
{
    static char cfg[512];
    static const struct { const char *name, *type, *rule; uint64_t need; } computed[] = {
        {"duration", "counter", "permit gt 1", FT_F_FIRST | FT_F_LAST},
        {"start-time", "time", "permit gt 1:00", FT_F_UNIX_SECS | FT_F_UNIX_NSECS |
                                                 FT_F_SYSUPTIME | FT_F_FIRST},
        {"end-time", "time-date", "permit gt 1 hour ago", FT_F_UNIX_SECS | FT_F_UNIX_NSECS |
                                                          FT_F_SYSUPTIME | FT_F_LAST},
        {"bps", "double", "permit gt 7999", FT_F_DOCTETS | FT_F_FIRST | FT_F_LAST},
        {"pps", "double", "permit gt 1.5", FT_F_DPKTS | FT_F_FIRST | FT_F_LAST},
        {"random-sample", "rate", "permit 1", 0},
    };
    for (size_t i = 0; i < sizeof computed / sizeof computed[0]; i++) {
        snprintf(cfg, sizeof cfg, "filter-primitive p\n type %s\n %s\n"
                 "filter-definition d\n match %s p\n", computed[i].type, computed[i].rule,
                 computed[i].name);
        struct ft_err err;
        struct ft_filter *f = parse(cfg, NULL, &err);
        CHECK(f && ft_filter_def_fields(ft_filter_find(f, "d")) == computed[i].need,
              "%s: %s", computed[i].name, f ? "needs" : err.msg);
        ft_filter_free(f);
    }
    struct ft_flow fl = v4flow(1, 2, 6, 1, 2);
    fl.has |= FT_F_FIRST | FT_F_LAST;
    fl.first = 5000;
    fl.last = 6000;
    fl.doctets = 1000;          /* 8000 bits in 1 s */
    snprintf(cfg, sizeof cfg, "filter-primitive p\n type double\n permit gt 7999\n"
             "filter-definition d\n match bps p\n");
    CHECK_EQ_U(judge(cfg, "d", &fl), 1, "8000 bps");
    fl.doctets = 999;
    CHECK_EQ_U(judge(cfg, "d", &fl), 0, "7992 bps");
}

static void test_addresses(void)
{
    const char *cfg =
        "filter-primitive pfx\n type ip-address-prefix\n permit 198.18.0.0/15\n"
        " deny 198.18.0.0/24\n permit 10.0.0.0\n permit 2001:db8::/32\n deny 2001:db8:1::/48\n"
        "filter-primitive host\n type ip-address\n permit 192.0.2.1\n permit 2001:db8::1\n"
        "filter-primitive msk\n type ip-address-mask\n permit 100.64.0.0 255.255.240.0\n"
        " permit 2001:db8:: ffff:ffff::\n"
        "filter-primitive cls\n type ip-address-prefix\n permit 224.0.0.0\n"
        "filter-definition p\n match ip-destination-address pfx\n"
        "filter-definition h\n match ip-nexthop-address host\n"
        "filter-definition m\n match ip-source-address msk\n"
        "filter-definition c\n match dst-ip-addr cls\n";
    struct ft_flow f = v4flow(0x64400f01, 0xc6130001, 6, 1, 2);     /* 100.64.15.1 -> 198.19.0.1 */
    ft_ip_set4(&f.nexthop, 0xc0000201);
    CHECK_EQ_U(judge(cfg, "p", &f), 1, "inside the /15");
    ft_ip_set4(&f.dstaddr, 0xc6120005);
    CHECK_EQ_U(judge(cfg, "p", &f), 0, "the longer deny wins");
    ft_ip_set4(&f.dstaddr, 0x0a630001);
    CHECK_EQ_U(judge(cfg, "p", &f), 1, "10.0.0.0 alone is 10/8 (classful)");
    CHECK_EQ_U(judge(cfg, "h", &f), 1, "exact address");
    ft_ip_set4(&f.nexthop, 0xc0000202);
    CHECK_EQ_U(judge(cfg, "h", &f), 0, "another address");
    CHECK_EQ_U(judge(cfg, "m", &f), 1, "address and mask");
    ft_ip_set4(&f.srcaddr, 0x64401001);
    CHECK_EQ_U(judge(cfg, "m", &f), 0, "outside the mask");
    ft_ip_set4(&f.dstaddr, 0xe000000f);
    CHECK_EQ_U(judge(cfg, "c", &f), 1, "224.0.0.0 alone is /28");
    ft_ip_set4(&f.dstaddr, 0xe0000010);
    CHECK_EQ_U(judge(cfg, "c", &f), 0, "outside the /28");

    /* IPv6 flows (extended records) */
    uint8_t a6[16] = {0x20, 0x01, 0x0d, 0xb8, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
    f.dstaddr.af = FT_AF_INET6;
    memcpy(f.dstaddr.v6, a6, 16);
    CHECK_EQ_U(judge(cfg, "p", &f), 1, "IPv6 prefix");
    f.dstaddr.v6[5] = 1;
    CHECK_EQ_U(judge(cfg, "p", &f), 0, "IPv6 longer deny");
    f.dstaddr.v6[1] = 2;
    CHECK_EQ_U(judge(cfg, "p", &f), 0, "IPv6 outside");
    f.nexthop.af = FT_AF_INET6;
    memset(f.nexthop.v6, 0, 16);
    memcpy(f.nexthop.v6, a6, 4);
    f.nexthop.v6[15] = 1;
    CHECK_EQ_U(judge(cfg, "h", &f), 1, "IPv6 exact address");
    f.srcaddr = f.nexthop;
    CHECK_EQ_U(judge(cfg, "m", &f), 1, "IPv6 address and mask");
    /* an IPv4 rule never matches an IPv6 address whose bits would match it */
    memset(f.dstaddr.v6, 0, 16);
    f.dstaddr.v6[0] = 10;
    CHECK_EQ_U(judge(cfg, "p", &f), 0, "v4 rule, v6 address");
}

static void test_counters_and_times(void)
{
    const char *cfg =
        "filter-primitive mid\n type counter\n deny lt 100\n permit lt 1500\n default deny\n"
        "filter-primitive long\n type counter\n permit ge 60000\n"
        "filter-primitive fast\n type double\n permit gt 50.0\n"
        "filter-primitive after\n type time-date\n permit gt March 14, 2024 09:05:00 UTC\n"
        "filter-primitive early\n type time\n permit lt 9:05\n"
        "filter-definition mid\n match octets mid\n"
        "filter-definition long\n match duration long\n"
        "filter-definition fast\n match pps fast\n"
        "filter-definition after\n match start-time after\n"
        "filter-definition early\n match end-time early\n";
    struct ft_flow f = v4flow(1, 2, 6, 1, 2);
    f.has |= FT_F_DOCTETS | FT_F_DPKTS | FT_F_FIRST | FT_F_LAST | FT_F_TIMES;
    f.doctets = 99;
    CHECK_EQ_U(judge(cfg, "mid", &f), 0, "first true rule: deny lt 100");
    f.doctets = 100;
    CHECK_EQ_U(judge(cfg, "mid", &f), 1, "permit lt 1500");
    f.doctets = 1500;
    CHECK_EQ_U(judge(cfg, "mid", &f), 0, "default");
    f.first = 1000;
    f.last = 61000;
    CHECK_EQ_U(judge(cfg, "long", &f), 1, "duration 60 s");
    f.first = 0xffffff00u;      /* the uptime wrapped during the flow */
    f.last = 100;
    CHECK_EQ_U(judge(cfg, "long", &f), 0, "duration across an uptime wrap");
    f.first = 0;
    f.last = 1000;
    f.dpkts = 51;
    CHECK_EQ_U(judge(cfg, "fast", &f), 1, "51 pps");
    f.dpkts = 50;
    CHECK_EQ_U(judge(cfg, "fast", &f), 0, "50 pps");
    f.last = 0;
    f.dpkts = 1000;
    CHECK_EQ_U(judge(cfg, "fast", &f), 0, "no duration: 0 pps");
    setenv("TZ", "UTC", 1);
    tzset();
    f.start_ms = 1710407101000ULL;      /* 2024-03-14 09:05:01 UTC */
    f.end_ms = 1710407101000ULL;
    CHECK_EQ_U(judge(cfg, "after", &f), 1, "after 09:05");
    f.start_ms = 1710407100000ULL;
    CHECK_EQ_U(judge(cfg, "after", &f), 0, "at 09:05");
    f.end_ms = 1710407099000ULL;        /* 09:04:59 */
    CHECK_EQ_U(judge(cfg, "early", &f), 1, "time of day before 09:05");
    f.end_ms = 1710407100000ULL;
    CHECK_EQ_U(judge(cfg, "early", &f), 0, "time of day 09:05");
}

static void test_tags_and_rate(void)
{
    const char *cfg =
        "filter-primitive t\n type tag\n permit 0x10001\n permit 7\n deny 7\n"
        "filter-primitive tm\n type tag-mask\n permit 0x00030000 0x00ff0000\n"
        "filter-primitive all\n type rate\n permit 1\n"
        "filter-primitive half\n type rate\n permit 2\n default permit\n"
        "filter-definition t\n match src-tag t\n"
        "filter-definition tm\n match destination-tag tm\n"
        "filter-definition all\n match random-sample all\n"
        "filter-definition half\n match random-sample half\n";
    struct ft_flow f = v4flow(1, 2, 6, 1, 2);
    f.src_tag = 0x10001;
    f.dst_tag = 0x10030005;
    CHECK_EQ_U(judge(cfg, "t", &f), 1, "tag");
    f.src_tag = 7;
    CHECK_EQ_U(judge(cfg, "t", &f), 0, "tag listed twice: the later line");
    CHECK_EQ_U(judge(cfg, "tm", &f), 1, "tag-mask");
    f.dst_tag = 0x10040005;
    CHECK_EQ_U(judge(cfg, "tm", &f), 0, "tag-mask, other group");
    CHECK_EQ_U(judge(cfg, "all", &f), 1, "rate 1");

    struct ft_err err;
    int warnings = 0;
    struct ft_filter *flt = parse(cfg, NULL, &err);
    CHECK(flt != NULL, "%s", err.msg);
    if (!flt)
        return;
    struct ft_filter_def *d = ft_filter_find(flt, "half");
    static struct ft_flow flows[10000];
    for (size_t i = 0; i < 10000; i++)
        flows[i] = f;
    size_t kept = ft_filter_compact(d, flows, 10000);
    CHECK(kept > 4500 && kept < 5500, "rate 2 kept %zu of 10000", kept);
    CHECK_EQ_U(ft_filter_count_primitives(flt), 4, "primitives");
    CHECK_EQ_U(ft_filter_count_definitions(flt), 4, "definitions");
    CHECK(ft_filter_find(flt, "nothing") == NULL, "unknown definition");
    ft_filter_free(flt);
    (void)warnings;
}

static void count_warning(void *ctx, const char *msg)
{
    (void)msg;
    (*(int *)ctx)++;
}

static void test_warnings(void)
{
    const char *cfg = "filter-primitive p\n type ip-port\n permit 1-3\n deny 2\n"
                      "filter-primitive r\n type rate\n permit 3\n default deny\n";
    int n = 0;
    struct ft_err err;
    struct ft_filter_opts o = {.warn = count_warning, .warn_ctx = &n};
    struct ft_filter *f = ft_filter_parse(cfg, strlen(cfg), "w.cfg", &o, &err);
    CHECK(f != NULL, "%s", err.msg);
    CHECK_EQ_U(n, 2, "value set again with another mode; default in a rate primitive");
    ft_filter_free(f);
}

/* Comments, tabs and CRLF line ends (nfilter-language.md section 0):
 * a line whose first word starts with '#' is a comment whatever follows;
 * '#' after a statement is a word, as in flow-tools, so it is refused. */
static void test_comments(void)
{
    static char many[2000], longc[2000], cfg[8000];
    comment_lines(many, longc, sizeof many);
    snprintf(cfg, sizeof cfg,
             "%s\r\n"
             "\t# indented by a tab; a broken reference @{NAME in a comment\r\n"
             "\r\n \t \r\n"
             "filter-primitive\tweb\r\n"
             "\ttype\tip-port\t\r\n"
             "\tpermit\t80,\t443\r\n"
             "%s\r\n"
             "filter-primitive\tlater\r\n"
             "\ttype time-date\r\n"
             "\tpermit gt March 14, 2024 09:05:00 UTC\t\r\n"
             "filter-definition d\r\n"
             "\tmatch\tip-destination-port\tweb\r\n"
             "filter-definition t\r\n"
             "\tmatch start-time later\r", many, longc);
    struct ft_flow f = v4flow(1, 2, 6, 1000, 443);
    CHECK_EQ_U(judge(cfg, "d", &f), 1, "commented CRLF config, port 443");
    f.dstport = 22;
    CHECK_EQ_U(judge(cfg, "d", &f), 0, "commented CRLF config, port 22");
    f.has |= FT_F_TIMES;
    f.start_ms = 1710407101000ULL;      /* 09:05:01 UTC */
    CHECK_EQ_U(judge(cfg, "t", &f), 1, "a date before CRLF");
    f.start_ms = 1710407100000ULL;
    CHECK_EQ_U(judge(cfg, "t", &f), 0, "a date before CRLF, at 09:05");

    CHECK(error_says("filter-primitive p\n type ip-port\n permit 80 # web\n", "\"#\""),
          "a comment after a list");
    CHECK(error_says("filter-primitive p # ports\n", "\"#\""), "a comment after a name");
    CHECK(error_says("filter-primitive p\n type ip-port # ports\n", "\"#\""),
          "a comment after a type");
    CHECK(error_says("filter-primitive p\n type ip-port\n permit 80\n"
                     "filter-definition d\n match ip-destination-port p # web\n", "\"#\""),
          "a comment after a match");
    CHECK(error_says("filter-primitive p\n type counter\n permit gt 5 # small\n", "\"#\""),
          "a comment after a comparison");
    CHECK(error_says("filter-primitive p\n type ip-address\n permit 10.0.0.1 # host\n",
                     "\"#\""), "a comment after an address");

    /* a variable may turn a line into a comment, as in flow-tools, where
     * lines are expanded before they are read */
    struct ft_vars v;
    struct ft_err err;
    memset(&v, 0, sizeof v);
    ft_vars_set(&v, "OFF=#", &err);
    const char *off = "filter-primitive p\n type ip-port\n permit 80\n @OFF permit 22\n"
                      "filter-definition d\n match ip-destination-port p\n";
    struct ft_filter *flt = parse(off, &v, &err);
    f.dstport = 22;
    CHECK(flt && ft_filter_match(ft_filter_find(flt, "d"), &f) == 0, "@OFF comments a line");
    ft_filter_free(flt);
    ft_vars_free(&v);
}

/* Symbol tables (ft_sym_parse) read the same lines: comments of any length,
 * tabs, CRLF.  A name is the rest of its line (symbol files section 6), so
 * a '#' after it is part of it. */
static void test_symbol_lines(void)
{
    static char many[2000], longc[2000], text[8000];
    comment_lines(many, longc, sizeof many);
    snprintf(text, sizeof text,
             "%s\r\n\t# a tab first\r\n%s\r\n\r\n"
             "6\ttcp\r\n"
             "17 udp # user datagrams\r\n"
             "0x50\t\thttp \t\r\n"
             "47\tgre\r", many, longc);
    struct ft_err err;
    struct ft_sym *s = ft_sym_parse(text, strlen(text), "t.sym", 0, &err);
    CHECK(s != NULL, "%s", err.msg);
    if (!s)
        return;
    uint32_t v = 0;
    CHECK(ft_sym_value(s, "tcp", &v) == 0 && v == 6, "tab separated, CRLF");
    CHECK_EQ_S(ft_sym_name(s, 17), "udp # user datagrams", "'#' after a name is the name's");
    CHECK_EQ_S(ft_sym_name(s, 80), "http", "trailing blanks and CR cut");
    CHECK_EQ_S(ft_sym_name(s, 47), "gre", "a last line without its newline");
    CHECK_EQ_U(ft_sym_count(s), 4, "entries");
    CHECK_EQ_U(ft_sym_refused(s), 0, "no line refused");
    ft_sym_free(s);
}

/* The first error of parsing cfg with the symbol tables of dir ("" when
 * it parses); definition "d" of a parse that succeeds must permit TCP. */
static const char *parse_with_symbols(const char *cfg, const char *dir, struct ft_err *err)
{
    struct ft_filter_opts o = {.symdir = dir};
    struct ft_filter *f = ft_filter_parse(cfg, strlen(cfg), "t.cfg", &o, err);
    if (!f)
        return err->msg;
    struct ft_flow fl = v4flow(1, 2, 6, 1, 2);
    struct ft_filter_def *d = ft_filter_find(f, "d");
    CHECK(!d || ft_filter_match(d, &fl) == 1, "tcp permitted");
    ft_filter_free(f);
    return "";
}

static void write_text(const char *path, const char *text)
{
    FILE *fp = fopen(path, "w");
    CHECK(fp && fputs(text, fp) >= 0 && fclose(fp) == 0, "write %s", path);
}

/* Symbol tables are read at the first name that needs one.  A missing
 * table leaves names unknown, as in flow-tools; a table that cannot be read
 * or is malformed (flow-tools loads none of it then: "Missing field") fails
 * the parse with the table's path and why.  Numbers need no table. */
static void test_symbol_tables(void)
{
    char dir[128], path[256], want[512];
    struct ft_err err;
    if (ft_test_mkdtemp(dir, sizeof dir, "test_filter") < 0)
        return;
    const char *byname = "filter-primitive p\n type ip-protocol\n permit tcp\n"
                         "filter-definition d\n match ip-protocol p\n";
    const char *bynumber = "filter-primitive p\n type ip-protocol\n permit 6\n"
                           "filter-definition d\n match ip-protocol p\n";
    snprintf(path, sizeof path, "%s/ip-prot.sym", dir);

    const char *msg = parse_with_symbols(byname, dir, &err);
    CHECK(strstr(msg, "t.cfg line 3: symbol lookup failed for \"tcp\"") && !strstr(msg, path),
          "missing table: the name is unknown: %s", msg);
    CHECK_EQ_S(parse_with_symbols(bynumber, dir, &err), "", "missing table, numbers");

    write_text(path, "# protocols\r\n6\ttcp\r\n");
    CHECK_EQ_S(parse_with_symbols(byname, dir, &err), "", "a CRLF table");

    write_text(path, "6 tcp\n17\n");
    msg = parse_with_symbols(byname, dir, &err);
    snprintf(want, sizeof want, "t.cfg line 3: symbol lookup failed for \"tcp\": %s:2: "
             "Missing field", path);
    CHECK_EQ_S(msg, want, "malformed table");
    CHECK_EQ_S(parse_with_symbols(bynumber, dir, &err), "", "malformed table, numbers");

    unlink(path);
    CHECK(mkdir(path, 0700) == 0, "mkdir %s", path);   /* exists, cannot be read */
    msg = parse_with_symbols(byname, dir, &err);
    snprintf(want, sizeof want, "t.cfg line 3: symbol lookup failed for \"tcp\": %s: ", path);
    CHECK(strncmp(msg, want, strlen(want)) == 0, "unreadable table: %s", msg);
    CHECK_EQ_S(parse_with_symbols(bynumber, dir, &err), "", "unreadable table, numbers");

    /* as names come from tag.sym (nfilter-language.md 1.2): its errors too */
    snprintf(path, sizeof path, "%s/tag.sym", dir);
    write_text(path, "0x10 CAMPUS\nbad CAMPUS_B\n");
    msg = parse_with_symbols("filter-primitive a\n type as\n permit CAMPUS\n", dir, &err);
    CHECK(strstr(msg, "line 3: symbol lookup failed for \"CAMPUS\"") &&
          strstr(msg, "tag.sym:2: bad value"), "malformed tag.sym: %s", msg);
    ft_test_rmtree(dir);
}

static void test_vars(void)
{
    struct ft_vars v;
    struct ft_err err;
    char out[FT_VARS_LINE_MAX];
    memset(&v, 0, sizeof v);
    CHECK(ft_vars_set(&v, "SVC=53", &err) == 0, "%s", err.msg);
    CHECK(ft_vars_set(&v, "A=x=y", &err) == 0, "%s", err.msg);
    CHECK(ft_vars_set(&v, "=1", &err) < 0, "empty name");
    CHECK(ft_vars_set(&v, "B=", &err) < 0, "empty value");
    CHECK(ft_vars_set(&v, "B", &err) < 0, "no =");
    ft_vars_expand(&v, "permit @{SVC:-22}", out, &err);
    CHECK_EQ_S(out, "permit 53", "defined, with default");
    ft_vars_expand(&v, "permit @{OTHER:-22},@SVC.@A!", out, &err);
    CHECK_EQ_S(out, "permit 22,53.x=y!", "default, @NAME");
    ft_vars_expand(&v, "a @NOPE b @{NOPE} c @", out, &err);
    CHECK_EQ_S(out, "a  b  c @", "undefined names expand to nothing");
    CHECK(ft_vars_expand(&v, "@{SVC:22}", out, &err) < 0, "missing -");
    CHECK(ft_vars_expand(NULL, "x @{SVC} y", out, &err) == 0 && strcmp(out, "x  y") == 0,
          "no variables");
    char longline[3000];
    memset(longline, 'a', sizeof longline - 1);
    longline[sizeof longline - 1] = 0;
    ft_vars_expand(&v, longline, out, &err);
    CHECK_EQ_U(strlen(out), FT_VARS_LINE_MAX - 1, "cut to 1023 characters");
    CHECK(ft_vars_set(&v, "SVC=80", &err) == 0, "redefine");
    ft_vars_expand(&v, "@SVC", out, &err);
    CHECK_EQ_S(out, "80", "the new value");

    const char *cfg = "filter-primitive p\n type ip-port\n permit @{SVC:-22}\n"
                      "filter-definition d\n match ip-destination-port p\n";
    struct ft_flow f = v4flow(1, 2, 6, 1, 80);
    struct ft_filter *flt = parse(cfg, &v, &err);
    CHECK(flt && ft_filter_match(ft_filter_find(flt, "d"), &f) == 1, "bound variable");
    ft_filter_free(flt);
    f.dstport = 22;
    CHECK_EQ_U(judge(cfg, "d", &f), 1, "default value");
    ft_vars_free(&v);
}

/* The golden configuration parses, and definitions report their fields. */
static void test_compat_config(void)
{
    char path[1024];
    struct ft_err err;
    snprintf(path, sizeof path, "%s/compat/cfg/filter.cfg", ft_test_shared());
    struct ft_filter_opts o = {.symdir = symdir};
    struct ft_filter *f = ft_filter_load(path, &o, &err);
    CHECK(f != NULL, "%s", err.msg);
    if (!f)
        return;
    struct ft_filter_def *d = ft_filter_find(f, "extra-packets");
    CHECK(d && (ft_filter_def_fields(d) & FT_F_EXTRA_PKTS), "extra-packets needs its field");
    d = ft_filter_find(f, "web");
    CHECK(d && ft_filter_def_fields(d) == (FT_F_PROT | FT_F_SRCPORT | FT_F_DSTPORT),
          "web reads protocol and ports");
    d = ft_filter_find(f, "alpha");
    struct ft_flow fl = v4flow(1, 2, 6, 1, 2);
    fl.dst_as = 0xfbf0;
    CHECK(d && ft_filter_match(d, &fl) == 1, "as names come from tag.sym");
    d = ft_filter_find(f, "web");
    static struct ft_flow flows[3];
    uint8_t keep[3];
    flows[0] = v4flow(1, 2, 6, 1000, 443);
    flows[1] = v4flow(1, 2, 6, 1000, 444);
    flows[2] = v4flow(1, 2, 6, 8080, 1000);
    CHECK_EQ_U(ft_filter_batch(d, flows, 3, keep), 2, "batch");
    CHECK(keep[0] == 1 && keep[1] == 0 && keep[2] == 1, "batch verdicts");
    ft_filter_free(f);

    snprintf(path, sizeof path, "%s/compat/cfg/filter-bad.cfg", ft_test_shared());
    CHECK(ft_filter_load(path, NULL, &err) == NULL && strstr(err.msg, "filter-bad.cfg line 4"),
          "bad config: %s", err.msg);
    CHECK(ft_filter_load("/nonexistent/filter.cfg", NULL, &err) == NULL
          && strstr(err.msg, "/nonexistent/filter.cfg"), "missing file: %s", err.msg);
}

int main(void)
{
    snprintf(symdir, sizeof symdir, "%s/compat/sym", ft_test_shared());
    test_errors();
    test_lists();
    test_wide_values();
    test_groups();
    test_match_fields();
    test_computed_fields();
    test_addresses();
    test_counters_and_times();
    test_tags_and_rate();
    test_warnings();
    test_comments();
    test_symbol_lines();
    test_symbol_tables();
    test_vars();
    test_compat_config();
    return ft_test_report("test_filter");
}
