/*
 * test_tag.c - the prefix trie (lib/ft_trie.h) and the tag language
 * (lib/ft_tag.h): parsing, errors with file/line/word, evaluation rules,
 * and the compat configuration against the original's tagged stream.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ft_test.h"
#include "comment_lines.h"
#include "stream/ft_stream.h"
#include "lang/ft_tag.h"
#include "lang/ft_trie.h"

static struct ft_ip v4(uint32_t a)
{
    struct ft_ip ip;
    memset(&ip, 0, sizeof(ip));
    ft_ip_set4(&ip, a);
    return ip;
}

/* ---- trie ------------------------------------------------------------- */

static void test_trie_longest_match(void)
{
    struct ft_trie *t = ft_trie_new(FT_AF_INET, 0);
    struct ft_err err;
    struct ft_ip a;
    uint32_t v = 99;
    a = v4(0x64400000); CHECK(ft_trie_insert(t, &a, 16, 1, &err) == 0, "insert /16");
    a = v4(0x64400200); CHECK(ft_trie_insert(t, &a, 24, 2, &err) == 0, "insert /24");
    a = v4(0x64000000); CHECK(ft_trie_insert(t, &a, 9, 3, &err) == 0, "insert /9");
    a = v4(0x0a0000ff); CHECK(ft_trie_insert(t, &a, 8, 4, &err) == 0, "host bits ignored");
    CHECK(ft_trie_lookup4(t, 0x644001bb, &v) && v == 1, "100.64.1.187 in /16: %u", v);
    CHECK(ft_trie_lookup4(t, 0x64400205, &v) && v == 2, "100.64.2.5 in /24: %u", v);
    CHECK(ft_trie_lookup4(t, 0x64410205, &v) && v == 3, "100.65.2.5 in /9: %u", v);
    CHECK(ft_trie_lookup4(t, 0x647f0000, &v) && v == 3, "100.127.0.0 in /9: %u", v);
    CHECK(!ft_trie_lookup4(t, 0x64800000, &v), "100.128.0.0 outside the /9");
    CHECK(ft_trie_lookup4(t, 0x0affffff, &v) && v == 4, "10/8: %u", v);
    CHECK(!ft_trie_lookup4(t, 0x0b000000, &v), "11.0.0.0 unmatched");
    /* a shorter prefix inserted later does not hide longer ones */
    a = v4(0x64400000); CHECK(ft_trie_insert(t, &a, 10, 5, &err) == 0, "insert /10");
    CHECK(ft_trie_lookup4(t, 0x64400205, &v) && v == 2, "/24 still wins: %u", v);
    CHECK(ft_trie_lookup4(t, 0x64410205, &v) && v == 5, "/10 beats /9: %u", v);
    /* exact lookups, even of a prefix covered everywhere by longer ones */
    a = v4(0x644002ff);
    CHECK(ft_trie_get(t, &a, 24, &v) && v == 2, "exact /24: %u", v);
    CHECK(!ft_trie_get(t, &a, 23, &v), "no /23");
    CHECK_EQ_U(ft_trie_count(t), 5, "prefixes");
    a = v4(0x64400200); ft_trie_insert(t, &a, 24, 7, &err);
    CHECK_EQ_U(ft_trie_count(t), 5, "replacing keeps the count");
    CHECK(ft_trie_lookup4(t, 0x64400201, &v) && v == 7, "replaced value: %u", v);
    /* the default route */
    a = v4(0); ft_trie_insert(t, &a, 0, 8, &err);
    CHECK(ft_trie_lookup4(t, 0x0b000000, &v) && v == 8, "default: %u", v);
    a = v4(1); CHECK(ft_trie_insert(t, &a, 33, 1, &err) < 0, "/33 refused");
    ft_trie_free(t);
}

static void test_trie_v6_and_limits(void)
{
    struct ft_trie *t = ft_trie_new(FT_AF_INET6, 0);
    struct ft_err err;
    struct ft_ip p, q;
    unsigned len;
    uint32_t v = 0;
    CHECK(ft_prefix_parse("2001:db8::/32", 1, &p, &len, &err) == 0 && len == 32, "v6 prefix");
    CHECK(ft_trie_insert(t, &p, len, 11, &err) == 0, "insert v6");
    ft_prefix_parse("2001:db8:1::/48", 1, &p, &len, &err);
    ft_trie_insert(t, &p, len, 12, &err);
    ft_prefix_parse("2001:db8:1::5", 1, &q, &len, &err);
    CHECK(len == 128, "v6 address without length: %u", len);
    CHECK(ft_trie_lookup(t, &q, &v) && v == 12, "v6 /48: %u", v);
    ft_prefix_parse("2001:db8:2::5", 1, &q, &len, &err);
    CHECK(ft_trie_lookup(t, &q, &v) && v == 11, "v6 /32: %u", v);
    q = v4(0x20010db8);
    CHECK(!ft_trie_lookup(t, &q, &v), "IPv4 address in an IPv6 trie");
    ft_trie_free(t);

    /* two nodes: the root and one more; a third is refused and counted */
    t = ft_trie_new(FT_AF_INET, 2);
    p = v4(0x0a010000);
    CHECK(ft_trie_insert(t, &p, 16, 1, &err) == 0, "first /16 fits");
    p = v4(0x0b010000);
    CHECK(ft_trie_insert(t, &p, 16, 2, &err) < 0, "node limit");
    CHECK_EQ_U(ft_trie_refused(t), 1, "refused");
    CHECK_EQ_U(ft_trie_nodes(t), 2, "nodes");
    ft_trie_free(t);
}

static void test_prefix_parse(void)
{
    struct ft_ip a;
    unsigned len;
    struct ft_err err;
    CHECK(ft_prefix_parse("128.146/16", 1, &a, &len, &err) == 0 && a.v4 == 0x80920000 &&
          len == 16, "partial form");
    ft_prefix_parse("10.0.0.0", 1, &a, &len, &err); CHECK_EQ_U(len, 8, "class A");
    ft_prefix_parse("10.1.0.0", 1, &a, &len, &err); CHECK_EQ_U(len, 32, "class A host");
    ft_prefix_parse("172.16.0.0", 1, &a, &len, &err); CHECK_EQ_U(len, 16, "class B");
    ft_prefix_parse("192.168.1.0", 1, &a, &len, &err); CHECK_EQ_U(len, 24, "class C");
    ft_prefix_parse("192.168.1.0", 0, &a, &len, &err); CHECK_EQ_U(len, 32, "not classful");
    ft_prefix_parse("10.1.2.3/40", 1, &a, &len, &err); CHECK_EQ_U(len, 32, "length cut");
    CHECK(ft_prefix_parse("10.1.2.3/x", 1, &a, &len, &err) < 0, "bad length");
    CHECK(ft_prefix_parse("10.x/8", 1, &a, &len, &err) < 0, "bad address");
    /* components are taken modulo 256, as flow-tools reads addresses */
    CHECK(ft_prefix_parse("10.0.0.300", 1, &a, &len, &err) == 0 && a.v4 == 0x0a00002c,
          "modulo 256");
}

/* ---- tag language: parsing -------------------------------------------------- */

static struct ft_tag *parse(const char *text, struct ft_err *err)
{
    return ft_tag_parse(text, strlen(text), "t.cfg", NULL, err);
}

/* The configuration must be refused with a message holding `want`. */
static void refused(const char *text, const char *want)
{
    struct ft_err err = {""};
    struct ft_tag *t = parse(text, &err);
    CHECK(!t, "accepted: %s", text);
    CHECK(strstr(err.msg, want) != NULL, "message \"%s\" lacks \"%s\"", err.msg, want);
    ft_tag_free(t);
}

static void test_parse_errors(void)
{
    refused("tag-action a\n type nonsense\n", "t.cfg line 2: unknown type \"nonsense\"");
    refused("tag-action a\n match 1 set-src 1\n", "line 2: match before the type");
    refused("tag-action a\n type as\n type as\n", "line 3:");
    refused("tag-action a\n type as\n match 1 set-src 1 extra\n", "\"extra\"");
    refused("tag-action a\n type as\n match 1 set-both 1\n", "\"set-both\"");
    refused("tag-action a\n type as\n match 1 set-src 0x1g\n", "bad tag \"0x1g\"");
    refused("tag-action a\n type tcp-port\n match 65536 set-src 1\n", "\"65536\"");
    refused("tag-action a\n type tos\n match 256 set-src 1\n", "\"256\"");
    refused("tag-action a\n type prefix\n match 10.0.x.0/8 set-src 1\n", "10.0.x.0");
    refused("tag-action a\n type ip\n match 10.1.0.0/16 set-src 1\n", "not a prefix");
    refused("tag-action a\n type any\n match all set-src 1\n", "\"all\"");
    refused("tag-action a\n type as\n match 5 set-src 1\n match 5 or-source 2\n",
            "line 4: \"5\": Only one set per source/destination per match.");
    refused("tag-definition d\n action a\n", "line 2: \"action\" before the first term");
    refused("tag-definition d\n term\n action missing\n", "line 3: no tag-action \"missing\"");
    refused("tag-definition d\n term\n input-filter 1,x\n", "bad interface list");
    refused("tag-definition d\n term\n input-filter 5-2\n", "bad interface list");
    refused("tag-definition d\n term\n input-filter 5 6\n", "unexpected \"6\"");
    refused("tag-definition d\n term\n exporter 1.2.3.4/8\n", "bad exporter");
    refused("tag-definition d\n term extra\n", "\"extra\"");
    refused("match 1 set-src 1\n", "line 1: unexpected \"match\"");
    refused("tag-action a\n type as\ntag-action A\n type as\n", "line 3: tag-action A defined twice");
    refused("tag-definition d\ntag-definition D\n", "line 2: tag-definition D defined twice");
    refused("tag-action a\n type as\n term\n", "unexpected \"term\" in tag-action a");
    refused("tag-action\n", "missing argument");
    refused("tag-action a\n type as\n match 1 set-src 1 # comment\n", "\"#\"");
}

static void test_parse_accepts(void)
{
    struct ft_err err = {""};
    /* comments, blank lines, any case, actions defined after their use */
    struct ft_tag *t = parse("# comment\n\n  # indented comment\nTAG-DEFINITION Main\n"
                             " TERM\n  ACTION late\ntag-action LATE\n TYPE AS\n"
                             " MATCH 0x10 SET-SRC 010\n", &err);
    CHECK(t != NULL, "accepted: %s", err.msg);
    if (!t)
        return;
    CHECK(ft_tag_find(t, "main") != NULL, "definition found without case");
    CHECK(ft_tag_find(t, "other") == NULL, "no such definition");
    CHECK_EQ_U(ft_tag_count_actions(t), 1, "actions");
    CHECK_EQ_U(ft_tag_count_definitions(t), 1, "definitions");
    struct ft_flow f;
    memset(&f, 0, sizeof(f));
    f.src_as = 16;
    ft_tag_apply(ft_tag_find(t, "MAIN"), &f, 1);
    CHECK_EQ_U(f.src_tag, 8, "hex key, octal tag");
    CHECK((f.has & FT_TAG_FIELDS) == FT_TAG_FIELDS, "tag fields marked");
    ft_tag_free(t);
}

static void test_variables(void)
{
    struct ft_vars vars;
    struct ft_err err = {""};
    memset(&vars, 0, sizeof(vars));
    CHECK(ft_vars_set(&vars, "PORT=443", &err) == 0, "set: %s", err.msg);
    const char *text = "tag-action a\n type tcp-dst-port\n match @PORT or-dst 1\n"
                       " match @{OTHER:-80} or-dst 2\ntag-definition d\n term\n action a\n";
    struct ft_tag_opts o = {.vars = &vars};
    struct ft_tag *t = ft_tag_parse(text, strlen(text), "v.cfg", &o, &err);
    CHECK(t != NULL, "variables: %s", err.msg);
    if (t) {
        struct ft_flow f[2];
        memset(f, 0, sizeof(f));
        f[0].prot = f[1].prot = 6;
        f[0].dstport = 443;
        f[1].dstport = 80;
        ft_tag_apply(ft_tag_find(t, "d"), f, 2);
        CHECK_EQ_U(f[0].dst_tag, 1, "@PORT");
        CHECK_EQ_U(f[1].dst_tag, 2, "@{OTHER:-80}");
    }
    ft_tag_free(t);
    ft_vars_free(&vars);
}

/* ---- tag language: evaluation ------------------------------------------------ */

static const char *eval_cfg =
    "tag-action pfx\n type prefix\n"
    "  match 198.18/16 set-src 0x100\n  match 198.18/16 set-dst 0x200\n"
    "  match 10/8 set-src 0x1\n"
    "tag-action or\n type tcp-dst-port\n  match 80 or-dst 0x10000000\n"
    "tag-action udp\n type udp-port\n  match 53 or-src 0x20\n"
    "tag-action as32\n type as\n  match 4200000000 or-src 0x40000000\n  match 7 or-dst 0x4\n"
    "tag-action ifc\n type interface\n  match 70000 or-dst 0x8\n"
    "tag-action all\n type any\n  match any set-src 0xffffffff\n  match ANY set-dst 0\n"
    "tag-action ex\n type exporter\n  match 127.0.0.1 or-dst 0x80\n"
    "tag-action nh\n type next-hop\n  match 192.0.2.1 set-dst 0x99\n"
    "tag-action tos\n type tos\n  match 184 or-src 0x800000\n"
    "tag-definition order\n term\n  action pfx\n"
    "tag-definition ports\n term\n  action or\n  action udp\n"
    "tag-definition wide\n term\n  action as32\n  action ifc\n"
    "tag-definition filters\n term\n  input-filter 1, 3-4\n  action tos\n"
    "  term\n  output-filter !2\n  action ex\n"
    "  term\n  exporter 192.0.2.99\n  action nh\n"
    "tag-definition sequence\n term\n  action all\n term\n  action nh\n  action pfx\n";

static struct ft_flow flow4(uint32_t src, uint32_t dst)
{
    struct ft_flow f;
    memset(&f, 0, sizeof(f));
    ft_ip_set4(&f.srcaddr, src);
    ft_ip_set4(&f.dstaddr, dst);
    ft_ip_set4(&f.nexthop, 0xc0000201);
    ft_ip_set4(&f.exaddr, 0x7f000001);
    return f;
}

static void test_eval(void)
{
    struct ft_err err = {""};
    struct ft_tag *t = parse(eval_cfg, &err);
    CHECK(t != NULL, "eval config: %s", err.msg);
    if (!t)
        return;
    struct ft_flow f[4];

    /* a hit applies every operation of its entry; src looked up before dst */
    f[0] = flow4(0xc6120001, 0x0a000001);   /* 198.18.0.1 -> 10.0.0.1 */
    f[1] = flow4(0x0a000001, 0xc6120001);   /* 10.0.0.1 -> 198.18.0.1 */
    f[2] = flow4(0x0b000001, 0x0b000002);   /* no match: tags kept */
    f[2].src_tag = 5;
    f[2].dst_tag = 6;
    ft_tag_apply(ft_tag_find(t, "order"), f, 3);
    CHECK_EQ_U(f[0].src_tag, 0x1, "dst lookup overwrites the source tag");
    CHECK_EQ_U(f[0].dst_tag, 0x200, "src entry sets the destination tag");
    CHECK_EQ_U(f[1].src_tag, 0x100, "set by the later (destination) lookup");
    CHECK_EQ_U(f[1].dst_tag, 0x200, "destination tag");
    CHECK(f[2].src_tag == 5 && f[2].dst_tag == 6, "untouched tags");

    /* ports look at their protocol only */
    f[0] = flow4(1, 2); f[0].prot = 6; f[0].dstport = 80; f[0].dst_tag = 1;
    f[1] = flow4(1, 2); f[1].prot = 17; f[1].dstport = 80;
    f[2] = flow4(1, 2); f[2].prot = 17; f[2].srcport = 53;
    f[3] = flow4(1, 2); f[3].prot = 6; f[3].srcport = 53;
    ft_tag_apply(ft_tag_find(t, "ports"), f, 4);
    CHECK_EQ_U(f[0].dst_tag, 0x10000001, "or-dst on TCP 80");
    CHECK_EQ_U(f[1].dst_tag, 0, "UDP 80 is not TCP 80");
    CHECK_EQ_U(f[2].src_tag, 0x20, "udp-port looks at the source port");
    CHECK_EQ_U(f[3].src_tag, 0, "TCP 53 is not UDP 53");

    /* 32-bit AS numbers and ifIndexes above the direct tables */
    f[0] = flow4(1, 2); f[0].dst_as = 4200000000u; f[0].output = 70000;
    f[1] = flow4(1, 2); f[1].src_as = 7; f[1].input = 70000 - 65536;
    ft_tag_apply(ft_tag_find(t, "wide"), f, 2);
    CHECK_EQ_U(f[0].src_tag, 0x40000000, "32-bit AS");
    CHECK_EQ_U(f[0].dst_tag, 0x8, "ifIndex 70000");
    CHECK_EQ_U(f[1].dst_tag, 0x4, "AS 7");
    CHECK_EQ_U(f[1].src_tag, 0, "4464 is not 70000");

    /* term filters: interface lists, inverted lists, exporters */
    f[0] = flow4(1, 2); f[0].input = 3; f[0].output = 2; f[0].tos = 184;
    f[1] = flow4(1, 2); f[1].input = 2; f[1].output = 70000; f[1].tos = 184;
    f[2] = flow4(1, 2); ft_ip_set4(&f[2].exaddr, 0xc0000263);
    ft_tag_apply(ft_tag_find(t, "filters"), f, 3);
    CHECK_EQ_U(f[0].src_tag, 0x800000, "input 3 in 1,3-4");
    CHECK_EQ_U(f[0].dst_tag, 0, "output 2 refused by !2");
    CHECK_EQ_U(f[1].src_tag, 0, "input 2 not in 1,3-4");
    CHECK_EQ_U(f[1].dst_tag, 0x80, "output 70000 accepted by !2");
    CHECK_EQ_U(f[2].dst_tag, 0x99, "exporter term");

    /* every term runs; later actions overwrite earlier ones */
    f[0] = flow4(0x0a000001, 0x0b000001);
    ft_tag_apply(ft_tag_find(t, "sequence"), f, 1);
    CHECK_EQ_U(f[0].src_tag, 0x1, "set after any");
    CHECK_EQ_U(f[0].dst_tag, 0x99, "next hop after any");

    /* IPv6 flows match no address action */
    memset(&f[0], 0, sizeof(f[0]));
    f[0].srcaddr.af = f[0].dstaddr.af = FT_AF_INET6;
    f[0].srcaddr.v6[0] = 198;
    f[0].srcaddr.v6[1] = 18;
    ft_tag_apply(ft_tag_find(t, "order"), f, 1);
    CHECK(f[0].src_tag == 0 && f[0].dst_tag == 0, "IPv6 unmatched");
    ft_tag_free(t);
}

/* Comments, tabs and CRLF line ends (nfilter-language.md section 0): a
 * line whose first word starts with '#' is a comment however many words it
 * has (more than a statement may) and however long it is; '#' after a
 * statement is a word, as in flow-tools, and refused (test_parse_errors). */
static void test_comments(void)
{
    static char many[2000], longc[2000], text[8000];
    comment_lines(many, longc, sizeof many);
    snprintf(text, sizeof text,
             "%s\r\n"
             "\t# indented by a tab; a broken reference @{NAME in a comment\r\n"
             "\r\n \t \r\n"
             "tag-action\tweb\r\n"
             "\ttype\ttcp-dst-port\t\r\n"
             "%s\r\n"
             "\tmatch\t443\tset-dst\t0x10\r\n"
             "tag-definition d\r\n"
             "\tterm\r\n"
             "\tinput-filter\t1,\t2\r\n"
             "\taction\tweb\r", many, longc);
    struct ft_err err = {""};
    struct ft_tag *t = parse(text, &err);
    CHECK(t != NULL, "commented CRLF config: %s", err.msg);
    if (!t)
        return;
    struct ft_flow f[2];
    f[0] = flow4(1, 2); f[0].prot = 6; f[0].dstport = 443; f[0].input = 2;
    f[1] = f[0]; f[1].input = 3;
    ft_tag_apply(ft_tag_find(t, "d"), f, 2);
    CHECK_EQ_U(f[0].dst_tag, 0x10, "tag before CR, interface list with a tab");
    CHECK_EQ_U(f[1].dst_tag, 0, "interface 3 not in the list");
    ft_tag_free(t);
}

/* ---- the compat configuration against the original's output ------------------------- */

static size_t read_all(const char *path, struct ft_flow *flows, size_t max)
{
    struct ft_err err;
    struct ft_reader *r = ft_reader_open_path(path, &err);
    CHECK(r != NULL, "%s", r ? "" : err.msg);
    if (!r)
        return 0;
    size_t n = 0;
    ssize_t got;
    while (n < max && (got = ft_reader_read(r, flows + n, max - n)) > 0)
        n += (size_t)got;
    ft_reader_close(r);
    return n;
}

/* Tag the flows of `input` (their own tags cleared when `clear`) and compare
 * with the tags of `expected`, the original's output for the same flows. */
static void compare_definition(struct ft_tag *t, const char *def, const char *input,
                               const char *expected, int clear)
{
    enum { MAX = 1000 };
    static struct ft_flow in[MAX], want[MAX];
    char path_in[512], path_want[512];
    snprintf(path_in, sizeof(path_in), "%s/compat/%s", ft_test_shared(), input);
    snprintf(path_want, sizeof(path_want), "%s/compat/%s", ft_test_shared(), expected);
    size_t n = read_all(path_in, in, MAX), m = read_all(path_want, want, MAX);
    CHECK(n > 0 && n == m, "%s: %zu flows in, %zu expected", def, n, m);
    for (size_t i = 0; clear && i < n; i++)
        in[i].src_tag = in[i].dst_tag = 0;
    ft_tag_apply(ft_tag_find(t, def), in, n);
    size_t differ = 0;
    for (size_t i = 0; i < n && i < m; i++)
        differ += in[i].src_tag != want[i].src_tag || in[i].dst_tag != want[i].dst_tag;
    CHECK(differ == 0, "%s: %zu of %zu flows tagged differently", def, differ, n);
}

static void test_compat(void)
{
    char path[512];
    struct ft_err err = {""};
    snprintf(path, sizeof(path), "%s/compat/cfg/tag.cfg", ft_test_shared());
    struct ft_tag *t = ft_tag_load(path, NULL, &err);
    CHECK(t != NULL, "compat tag.cfg: %s", err.msg);
    if (!t)
        return;
    CHECK_EQ_U(ft_tag_count_actions(t), 15, "compat actions");
    CHECK_EQ_U(ft_tag_count_definitions(t), 4, "compat definitions");
    compare_definition(t, "sites", "inputs/v5.ft", "expected/tag/tag_sites.ft", 0);
    compare_definition(t, "campus-only", "inputs/v5.ft", "expected/tag/tag_campus-only.ft", 0);
    compare_definition(t, "blanket", "inputs/v5.ft", "expected/tag/tag_blanket.ft", 0);
    compare_definition(t, "resolvers", "inputs/v1005.ft", "expected/tag/tag_retag_1005.ft", 0);
    /* tagged at capture by the original's flow-capture -T blanket */
    compare_definition(t, "blanket", "inputs/v1005_cap.ft", "inputs/v1005_cap.ft", 1);
    ft_tag_free(t);
    CHECK(ft_tag_load("/nonexistent/tag.cfg", NULL, &err) == NULL &&
          strstr(err.msg, "/nonexistent/tag.cfg"), "missing file: %s", err.msg);
}

int main(void)
{
    test_trie_longest_match();
    test_trie_v6_and_limits();
    test_prefix_parse();
    test_parse_errors();
    test_parse_accepts();
    test_variables();
    test_eval();
    test_comments();
    test_compat();
    return ft_test_report("test_tag");
}
