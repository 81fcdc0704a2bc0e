/*
 * test_acl.c - flow-filter's ACL language and criteria: a table of lines
 * the language accepts and of lines it refuses with their exact message
 * (file, line, token), verdicts of standard and extended lists, value
 * lists with ranges, inversion and masks, and bytes no file should hold.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ft_test.h"
#include "comment_lines.h"
#include "core/ft_field.h"
#include "lang/ft_acl.h"

static struct ft_acl_set *parse(const char *text, struct ft_err *err)
{
    return ft_acl_parse_buffer(text, strlen(text), "t.acl", err);
}

/* Files the language takes, with the lists and entries they make. */
static const struct {
    const char *text;
    size_t lists, entries_of_x;         /* entries of list "x" */
} accepted[] = {
    {"", 0, 0},
    {"! only a comment\n# and another\n\n   \n", 0, 0},
    {"ip access-list standard x permit any\n", 1, 1},
    {"ip access-list standard x permit host 10.0.0.1\n", 1, 1},
    {"ip access-list standard x permit 10.0.0.1\n", 1, 1},
    {"ip access-list standard x deny 10.0.0.0 0.0.0.255\n", 1, 1},
    {"ip access-list standard x\n permit any\n deny any\n", 1, 2},
    {"ip access-list standard x\n remark campus only\n permit any\n", 1, 1},
    {"IP Access-List STANDARD x PERMIT ANY\r\n", 1, 1},
    {"ip access-list standard x permit any ! everything\n", 1, 1},
    {"ip access-list standard x permit any\nip access-list standard x deny any\n", 1, 2},
    {"ip access-list standard 7 permit any\n", 1, 0},
    {"access-list 10 permit any\naccess-list 1300 deny host 1.2.3.4\n", 2, 0},
    {"access-list 100 permit tcp any any eq 80\n", 1, 0},
    {"ip access-list extended x permit ip any any\n", 1, 1},
    {"ip access-list extended x permit tcp any eq 53 host 1.2.3.4 range 1 1024\n", 1, 1},
    {"ip access-list extended x permit udp 10.0.0.0 0.255.255.255 any neq 53\n", 1, 1},
    {"ip access-list extended x permit tcp any lt 1024 any gt 1023 established\n", 1, 1},
    {"ip access-list extended x deny 47 any any\nip access-list extended x permit gre any any\n",
     1, 2},
    {"ip access-list standard a permit any\nip access-list extended x\n permit icmp any any\n",
     2, 1},
    {"\tip\taccess-list\tstandard\tx\tpermit\tany\n", 1, 1},
};

/* Files it refuses, with the whole message. */
static const struct {
    const char *text;
    const char *message;
} refused[] = {
    {"foo\n", "t.acl line 1: \"foo\": syntax error, expected \"ip\", \"access-list\", "
              "\"permit\", \"deny\", \"remark\" or end of line"},
    {"ip access-list\n", "t.acl line 1: end of line: syntax error, expected \"standard\" or "
                         "\"extended\""},
    {"ip access-list standard x permit 1.2.3.400\n",
     "t.acl line 1: \"1.2.3.400\": bad address"},
    {"\nip access-list standard x permit any $\n",
     "t.acl line 2: \"$\": syntax error, expected end of line"},
    {"permit any\n", "t.acl line 1: \"permit\": entry outside an ip access-list"},
    {"ip access-list standard x permit tcp any any\n",
     "t.acl line 1: \"permit\": extended entry in standard list \"x\""},
    {"ip access-list extended x permit any\n",
     "t.acl line 1: \"permit\": standard entry in extended list \"x\""},
    {"ip access-list extended x permit tcp any any eq 65536\n",
     "t.acl line 1: \"65536\": port out of range 0-65535"},
    {"ip access-list extended x permit 256 any any\n",
     "t.acl line 1: \"256\": protocol out of range 0-255"},
    {"ip access-list extended x permit foo any any\n",
     "t.acl line 1: \"foo\": unknown protocol"},
    {"ip access-list extended x permit icmp any eq 5 any\n",
     "t.acl line 1: \"eq\": ports need protocol tcp or udp"},
    {"ip access-list extended x permit udp any any established\n",
     "t.acl line 1: \"established\" needs protocol tcp"},
    {"ip access-list extended x permit tcp any any range 9 8\n",
     "t.acl line 1: \"8\": range ends below its start"},
    {"ip access-list extended x permit tcp 1.2.3.4 any\n",
     "t.acl line 1: \"any\": syntax error, expected an address"},
    {"access-list 500 permit any\n",
     "t.acl line 1: \"500\": access-list number not 1-99, 100-199, 1300-1999 or 2000-2699"},
    {"access-list 10 permit udp any any\n",
     "t.acl line 1: \"permit\": extended entry in standard list \"10\""},
    {"ip access-list standard x permit any\nip access-list extended x\n",
     "t.acl line 2: \"x\": already a standard list"},
    {"ip access-list standard x\n permit\n",
     "t.acl line 2: end of line: syntax error, expected \"ip\", \"host\", \"any\", a number, "
     "an address or a name"},
    {"ip access-list standard "
     "a234567890123456789012345678901234567890123456789012345678901234 permit any\n",
     "t.acl line 1: \"a23456789012345678901234567890123456789012345678901234567890123...\": "
     "name longer than 63 characters"},
    {"ip access-list standard x permit any\n\x01\n",
     "t.acl line 2: \"\\x01\": syntax error, expected \"ip\", \"access-list\", \"permit\", "
     "\"deny\", \"remark\" or end of line"},
};

static void test_table(void)
{
    struct ft_err err;
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        struct ft_acl_set *s = parse(accepted[i].text, &err);
        CHECK(s != NULL, "accepted[%zu] refused: %s", i, err.msg);
        if (!s)
            continue;
        CHECK_EQ_U(ft_acl_count(s), accepted[i].lists, accepted[i].text);
        const struct ft_acl *x = ft_acl_find(s, "x");
        CHECK_EQ_U(x ? ft_acl_entries(x) : 0, accepted[i].entries_of_x, accepted[i].text);
        ft_acl_free(s);
    }
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        struct ft_acl_set *s = parse(refused[i].text, &err);
        CHECK(s == NULL, "refused[%zu] accepted", i);
        if (s)
            ft_acl_free(s);
        else
            CHECK_EQ_S(err.msg, refused[i].message, refused[i].text);
    }
}

/* Comments of every shape are nothing to the language. */
static void test_comments(void)
{
    char many[1100], longest[1100], text[2400];
    comment_lines(many, longest, sizeof many);
    snprintf(text, sizeof text, "%s\n%s\nip access-list standard x permit any\n", many,
             longest);
    struct ft_err err;
    struct ft_acl_set *s = parse(text, &err);
    CHECK(s && ft_acl_find(s, "x"), "comment lines: %s", s ? "" : err.msg);
    ft_acl_free(s);
}

static struct ft_ip v4(uint32_t a)
{
    struct ft_ip ip;
    memset(&ip, 0, sizeof ip);
    ip.af = FT_AF_INET;
    ip.v4 = a;
    return ip;
}

#define A(a, b, c, d) (((uint32_t)(a) << 24) | ((uint32_t)(b) << 16) | ((c) << 8) | (d))

static void test_standard(void)
{
    struct ft_err err;
    struct ft_acl_set *s = parse("ip access-list standard lab\n"
                                 " deny 172.16.9.0 0.0.0.255\n"
                                 " permit 172.16.0.0 0.0.255.255\n"
                                 "ip access-list standard odd permit 0.0.0.1 255.255.255.254\n"
                                 "access-list 11 deny host 100.64.29.177\n"
                                 "access-list 11 permit any\n", &err);
    CHECK(s != NULL, "%s", err.msg);
    if (!s)
        return;
    const struct ft_acl *lab = ft_acl_find(s, "lab"), *odd = ft_acl_find(s, "odd"),
                        *n11 = ft_acl_find(s, "11");
    struct ft_ip ip = v4(A(172, 16, 1, 2));
    CHECK(ft_acl_permits_addr(lab, &ip) == 1, "lab permits 172.16.1.2");
    ip = v4(A(172, 16, 9, 200));
    CHECK(ft_acl_permits_addr(lab, &ip) == 0, "the first match (deny) decides");
    ip = v4(A(10, 0, 0, 1));
    CHECK(ft_acl_permits_addr(lab, &ip) == 0, "no match: the implicit deny");
    ip = v4(A(10, 0, 0, 7));
    CHECK(ft_acl_permits_addr(odd, &ip) == 1, "a non-contiguous wildcard: odd addresses");
    ip = v4(A(10, 0, 0, 8));
    CHECK(ft_acl_permits_addr(odd, &ip) == 0, "... and not even ones");
    ip = v4(A(100, 64, 29, 177));
    CHECK(ft_acl_permits_addr(n11, &ip) == 0, "numbered list: host denied");
    ip = v4(A(100, 64, 29, 178));
    CHECK(ft_acl_permits_addr(n11, &ip) == 1, "numbered list: any permitted");
    struct ft_ip six;
    memset(&six, 0, sizeof six);
    six.af = FT_AF_INET6;
    six.v6[15] = 1;
    CHECK(ft_acl_permits_addr(lab, &six) == 0, "IPv4 entries never match IPv6");
    CHECK(ft_acl_permits_addr(n11, &six) == 1, "any matches IPv6");
    ft_acl_free(s);
}

static struct ft_flow flow(uint32_t src, uint32_t dst, uint8_t prot, uint16_t sport,
                           uint16_t dport, uint8_t flags)
{
    struct ft_flow f;
    memset(&f, 0, sizeof f);
    f.has = FT_F_SRCADDR | FT_F_DSTADDR | FT_F_PROT | FT_F_SRCPORT | FT_F_DSTPORT |
            FT_F_TCP_FLAGS | FT_F_TOS | FT_F_EXADDR | FT_F_SRC_AS;
    f.srcaddr = v4(src);
    f.dstaddr = v4(dst);
    f.exaddr = v4(A(127, 0, 0, 1));
    f.prot = prot;
    f.srcport = sport;
    f.dstport = dport;
    f.tcp_flags = flags;
    return f;
}

static void test_extended(void)
{
    struct ft_err err;
    struct ft_acl_set *s = parse(
        "ip access-list extended web\n"
        " deny tcp host 10.0.0.66 any\n"
        " permit tcp 10.0.0.0 0.0.0.255 any eq 443\n"
        " permit tcp any range 1 1023 any neq 80 established\n"
        " permit udp any any gt 65000\n"
        " permit 47 any host 192.0.2.1\n", &err);
    CHECK(s != NULL, "%s", err.msg);
    if (!s)
        return;
    const struct ft_acl *web = ft_acl_find(s, "web");
    struct ft_flow f = flow(A(10, 0, 0, 5), A(1, 2, 3, 4), 6, 40000, 443, 2);
    CHECK(ft_acl_permits_flow(web, &f) == 1, "tcp to 443 from 10.0.0.5");
    f.dstport = 444;
    CHECK(ft_acl_permits_flow(web, &f) == 0, "tcp to 444");
    f = flow(A(10, 0, 0, 66), A(1, 2, 3, 4), 6, 40000, 443, 2);
    CHECK(ft_acl_permits_flow(web, &f) == 0, "the deny before it decides");
    f = flow(A(9, 9, 9, 9), A(1, 2, 3, 4), 6, 80, 50000, 0x10);
    CHECK(ft_acl_permits_flow(web, &f) == 1, "from port 80, ACK set: established");
    f.tcp_flags = 0x02;
    CHECK(ft_acl_permits_flow(web, &f) == 0, "SYN only: not established");
    f.tcp_flags = 0x10;
    f.dstport = 80;
    CHECK(ft_acl_permits_flow(web, &f) == 0, "neq 80");
    f = flow(A(9, 9, 9, 9), A(1, 2, 3, 4), 17, 53, 65001, 0);
    CHECK(ft_acl_permits_flow(web, &f) == 1, "udp gt 65000");
    f.dstport = 65000;
    CHECK(ft_acl_permits_flow(web, &f) == 0, "udp 65000 is not above 65000");
    f = flow(A(9, 9, 9, 9), A(192, 0, 2, 1), 47, 0, 0, 0);
    CHECK(ft_acl_permits_flow(web, &f) == 1, "protocol 47 to the host");
    f.prot = 50;
    CHECK(ft_acl_permits_flow(web, &f) == 0, "protocol 50");

    struct ft_acl_filter *flt = ft_acl_filter_new(0);
    CHECK(ft_acl_filter_flow(flt, web, &err) == 0, "%s", err.msg);
    CHECK(ft_acl_filter_addr(flt, FT_FLD_SRCADDR, web, &err) < 0 &&
          strstr(err.msg, "extended"), "an extended list is no address list");
    CHECK_EQ_U(ft_acl_filter_fields(flt), FT_F_SRCADDR | FT_F_DSTADDR | FT_F_PROT |
               FT_F_SRCPORT | FT_F_DSTPORT | FT_F_TCP_FLAGS, "fields of -E");
    ft_acl_filter_free(flt);
    ft_acl_free(s);
}

/* One value list's verdict on the value v of field id. */
static int list_says(int field, const char *arg, int mask, uint64_t v)
{
    struct ft_err err;
    struct ft_acl_filter *f = ft_acl_filter_new(0);
    if (ft_acl_filter_list(f, field, arg, mask, &err) < 0) {
        fprintf(stderr, "list %s: %s\n", arg, err.msg);
        ft_acl_filter_free(f);
        return -1;
    }
    struct ft_flow fl = flow(0, 0, 6, 0, 0, 0);
    ft_field_put(&fl, &ft_fields[field], v);
    int r = ft_acl_filter_match(f, &fl);
    ft_acl_filter_free(f);
    return r;
}

static void test_lists(void)
{
    CHECK(list_says(FT_FLD_PROT, "6", 0, 6) == 1, "6 in 6");
    CHECK(list_says(FT_FLD_PROT, "17,47", 0, 6) == 0, "6 not in 17,47");
    CHECK(list_says(FT_FLD_PROT, "!17,47", 0, 6) == 1, "! inverts");
    CHECK(list_says(FT_FLD_PROT, "!17,47", 0, 47) == 0, "! inverts the whole list");
    CHECK(list_says(FT_FLD_DSTPORT, "1-1023", 0, 1023) == 1, "range end included");
    CHECK(list_says(FT_FLD_DSTPORT, "1-1023", 0, 1024) == 0, "past the range");
    CHECK(list_says(FT_FLD_DSTPORT, "0x50,443", 0, 80) == 1, "hex value");
    CHECK(list_says(FT_FLD_DSTPORT, "010", 0, 8) == 1, "octal value");
    CHECK(list_says(FT_FLD_SRC_AS, "64496-64511,4200000000", 0, 4200000000u) == 1,
          "a 32-bit AS in a range list");
    CHECK(list_says(FT_FLD_SRC_AS, "64496-64511,64500-64600,10", 0, 64550) == 1,
          "overlapping ranges merged");
    CHECK(list_says(FT_FLD_SRC_AS, "64496-64511,64500-64600,10", 0, 64601) == 0,
          "past merged ranges");
    CHECK(list_says(FT_FLD_TOS, "0xb8/0xfc", 1, 0xb9) == 1, "tos with a mask");
    CHECK(list_says(FT_FLD_TOS, "0xb8/0xfc", 1, 0xbc) == 0, "tos outside the mask");
    CHECK(list_says(FT_FLD_TCP_FLAGS, "0x4/0x4", 1, 0x14) == 1, "tcp flags RST set");
    CHECK(list_says(FT_FLD_TCP_FLAGS, "0x4/0x4", 1, 0x12) == 0, "tcp flags RST clear");

    static const struct {
        int field;
        const char *arg;
        int mask;
    } bad[] = {
        {FT_FLD_PROT, "", 0}, {FT_FLD_PROT, "256", 0}, {FT_FLD_PROT, "6,", 0},
        {FT_FLD_PROT, "6,,17", 0}, {FT_FLD_PROT, "x", 0}, {FT_FLD_PROT, "9-8", 0},
        {FT_FLD_PROT, "1-2-3", 0}, {FT_FLD_PROT, "6/1", 0}, {FT_FLD_TOS, "1/", 1},
        {FT_FLD_DSTPORT, "65536", 0}, {FT_FLD_SRC_AS, "4294967296", 0},
        {FT_FLD_PROT, "!", 0}, {FT_FLD_PROT, "-1", 0}, {FT_FLD_PROT, "6 ", 0},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct ft_err err;
        struct ft_acl_filter *f = ft_acl_filter_new(0);
        int rc = ft_acl_filter_list(f, bad[i].field, bad[i].arg, bad[i].mask, &err);
        CHECK(rc < 0, "list \"%s\" accepted", bad[i].arg);
        if (rc < 0)
            CHECK(strstr(err.msg, bad[i].arg) != NULL, "message names the list: %s", err.msg);
        ft_acl_filter_free(f);
    }
}

static void test_combining(void)
{
    struct ft_err err;
    struct ft_flow udp = flow(0, 0, 17, 1, 53, 0), tcp = flow(0, 0, 6, 1, 22, 0x02);
    struct ft_acl_filter *all = ft_acl_filter_new(0), *one = ft_acl_filter_new(1),
                         *none = ft_acl_filter_new(0);
    CHECK(ft_acl_filter_list(all, FT_FLD_PROT, "1", 0, &err) == 0, "%s", err.msg);
    CHECK(ft_acl_filter_list(all, FT_FLD_DSTPORT, "22", 0, &err) == 0, "%s", err.msg);
    CHECK(ft_acl_filter_list(one, FT_FLD_PROT, "1", 0, &err) == 0, "%s", err.msg);
    CHECK(ft_acl_filter_list(one, FT_FLD_DSTPORT, "22", 0, &err) == 0, "%s", err.msg);
    CHECK(ft_acl_filter_match(all, &tcp) == 0, "and: one of two fails");
    CHECK(ft_acl_filter_match(one, &tcp) == 1, "or: one of two passes");
    CHECK(ft_acl_filter_match(one, &udp) == 0, "or: none passes");
    CHECK(ft_acl_filter_match(none, &udp) == 1, "no criterion passes everything");

    /* TCP flags test TCP flows only (flow-tools'), whichever way they combine. */
    struct ft_acl_filter *flags = ft_acl_filter_new(0), *flags_or = ft_acl_filter_new(1);
    CHECK(ft_acl_filter_list(flags, FT_FLD_TCP_FLAGS, "0x4/0x4", 1, &err) == 0, "%s", err.msg);
    CHECK(ft_acl_filter_list(flags_or, FT_FLD_TCP_FLAGS, "0x4/0x4", 1, &err) == 0, "%s",
          err.msg);
    CHECK(ft_acl_filter_match(flags, &udp) == 1, "and: flags do not fail a udp flow");
    CHECK(ft_acl_filter_match(flags_or, &udp) == 0, "or: nor do they pass it");
    CHECK(ft_acl_filter_match(flags, &tcp) == 0, "a tcp flow without RST");
    CHECK_EQ_U(ft_acl_filter_fields(flags), FT_F_TCP_FLAGS | FT_F_PROT, "fields of -T");

    struct ft_acl_filter *ex = ft_acl_filter_new(0);
    CHECK(ft_acl_filter_equal(ex, FT_FLD_EXADDR, "127.0.0.1", &err) == 0, "%s", err.msg);
    CHECK(ft_acl_filter_match(ex, &udp) == 1, "exporter 127.0.0.1");
    udp.exaddr = v4(A(127, 0, 0, 2));
    CHECK(ft_acl_filter_match(ex, &udp) == 0, "exporter 127.0.0.2");

    uint8_t keep[2];
    struct ft_flow two[2] = {udp, tcp};
    CHECK_EQ_U(ft_acl_filter_batch(one, two, 2, keep), 1, "batch count");
    CHECK(keep[0] == 0 && keep[1] == 1, "batch verdicts");
    ft_acl_filter_free(all);
    ft_acl_filter_free(one);
    ft_acl_filter_free(none);
    ft_acl_filter_free(flags);
    ft_acl_filter_free(flags_or);
    ft_acl_filter_free(ex);
}

/* Bytes no ACL file should hold give an answer, never a crash: NULs,
 * no final newline, every byte value, a line longer than a line. */
static void test_odd_bytes(void)
{
    struct ft_err err;
    static const char nul[] = "ip access-list standard x permit any\n\0\0ip\n";
    struct ft_acl_set *s = ft_acl_parse_buffer(nul, sizeof nul - 1, "t.acl", &err);
    CHECK(s != NULL, "NUL bytes start a line that is empty to the reader: %s", err.msg);
    ft_acl_free(s);
    char all[512];
    for (int i = 0; i < 256; i++) {
        all[2 * i] = (char)i;
        all[2 * i + 1] = ' ';
    }
    s = ft_acl_parse_buffer(all, sizeof all, "t.acl", &err);
    /* byte 0 ends line 1 for the line reader, \n ends it; \v \f \r are blanks */
    CHECK(s == NULL && strcmp(err.msg, "t.acl line 2: \"\\x0e\": syntax error, expected "
                              "\"ip\", \"access-list\", \"permit\", \"deny\", \"remark\" or "
                              "end of line") == 0, "every byte: %s", err.msg);
    ft_acl_free(s);
    size_t big = 5000;
    char *line = malloc(big);
    memset(line, '1', big);
    s = ft_acl_parse_buffer(line, big, "t.acl", &err);
    CHECK(s == NULL && strstr(err.msg, "t.acl line 1: "), "a long number: %s", err.msg);
    ft_acl_free(s);
    free(line);
    CHECK(ft_acl_load("/nonexistent/flow.acl", &err) == NULL &&
          strstr(err.msg, "/nonexistent/flow.acl"), "missing file named: %s", err.msg);
}

/* A numbered statement ends a block: a bare entry after it has no list. */
static void test_block_end(void)
{
    struct ft_err err;
    struct ft_acl_set *s = parse("ip access-list standard x\n permit any\n"
                                 "access-list 10 permit any\n deny any\n", &err);
    CHECK(s == NULL && strcmp(err.msg, "t.acl line 4: \"deny\": entry outside an ip "
                              "access-list") == 0, "block ended: %s", s ? "accepted" : err.msg);
    ft_acl_free(s);
}

/* Mutations of a good file (bytes replaced, dropped, repeated), a few
 * thousand of them: each gives lists or a message naming the file and a
 * line, and nothing crashes or leaks (the ASan tree runs this too). */
static void test_mutations(void)
{
    static const char good[] =
        "! lists\nip access-list standard campus\n permit 10.10.0.0 0.0.255.255\n"
        " deny host 10.10.9.9\n remark x\naccess-list 10 permit any\n"
        "ip access-list extended web permit tcp any eq 80 10.0.0.0 0.0.0.255 range 1 9 "
        "established\naccess-list 120 deny udp any any neq 53\n";
    static const char bytes[] = " \t\n\r!#.0123456789abcdefhinprstxy-$\x01\xff";
    char buf[sizeof good * 2];
    uint32_t seed = 12345;
    unsigned ok = 0, refused_ok = 0, runs = 3000;
    for (unsigned run = 0; run < runs; run++) {
        size_t len = sizeof good - 1;
        memcpy(buf, good, len);
        for (int m = 0; m < 1 + (int)(run % 4); m++) {
            seed = seed * 1103515245u + 12345u;
            size_t at = (seed >> 8) % len;
            switch ((seed >> 4) % 3) {
            case 0:             /* replace */
                buf[at] = bytes[(seed >> 16) % (sizeof bytes - 1)];
                break;
            case 1:             /* drop */
                memmove(buf + at, buf + at + 1, len - at - 1);
                len--;
                break;
            default:            /* repeat */
                if (len + 1 < sizeof buf) {
                    memmove(buf + at + 1, buf + at, len - at);
                    len++;
                }
            }
        }
        struct ft_err err;
        struct ft_acl_set *s = ft_acl_parse_buffer(buf, len, "m.acl", &err);
        if (s)
            ok++;
        else if (strncmp(err.msg, "m.acl line ", 11) == 0)
            refused_ok++;
        else
            fprintf(stderr, "mutation %u: %s\n", run, err.msg);
        ft_acl_free(s);
    }
    CHECK_EQ_U(ok + refused_ok, runs, "mutations parsed or refused with a place");
    CHECK(ok > 0 && refused_ok > 0, "both kinds of outcome (%u parsed)", ok);
}

static void test_compat_file(void)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/compat/cfg/flow.acl", ft_test_shared());
    struct ft_err err;
    struct ft_acl_set *s = ft_acl_load(path, &err);
    if (!s) {
        fprintf(stderr, "skipping the compat ACL file: %s\n", err.msg);
        return;
    }
    CHECK_EQ_U(ft_acl_count(s), 7, "lists of cfg/flow.acl");
    const struct ft_acl *campus = ft_acl_find(s, "campus");
    CHECK(campus && ft_acl_entries(campus) == 2 && !ft_acl_is_extended(campus), "campus");
    ft_acl_free(s);
}

int main(void)
{
    test_table();
    test_comments();
    test_standard();
    test_extended();
    test_lists();
    test_combining();
    test_odd_bytes();
    test_block_end();
    test_mutations();
    test_compat_file();
    return ft_test_report("test_acl");
}
