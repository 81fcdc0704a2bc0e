/*
 * test_xlate.c - the xlate language (lib/lang/ft_xlate.h): what it accepts,
 * what it refuses with which message (file, line, word), and what every
 * action does to flows, terms with filters and stop, anonymisation keys
 * and their refresh.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <unistd.h>
#include "ft_test.h"
#include "core/ft_field.h"
#include "lang/ft_xlate.h"
#include "lang/ft_xlate_int.h"
#include "net/ft_cryptopan.h"

static char dir[64];
static char filter_path[128], key_path[128], bad_key_path[128];

/* The Crypto-PAn sample key (see test_cryptopan.c) as 64 hex digits. */
#define SAMPLE_KEY "1522178d33a4cf80130a5b1649907d10d8988f8379796527" "62574c2d2a842202"

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f || fputs(text, f) < 0 || fclose(f) != 0)
        perror(path);
}

static struct ft_xlate *parse(const char *text, struct ft_err *err)
{
    struct ft_xlate_opts o = {.filter_file = filter_path, .now = 1700000000};
    return ft_xlate_parse(text, strlen(text), "x.cfg", &o, err);
}

/* ---- accept / reject tables ---------------------------------------------- */

static const char *const accepted[] = {
    "xlate-action a\n type scale\n scale 10\nxlate-definition d\n term\n action a\n",
    /* actions may come after the terms that use them; keywords in any case */
    "XLATE-DEFINITION d\n TERM\n ACTION later\nxlate-action later\n TYPE tag-mask\n MASK 0xffff 0\n",
    "xlate-action p\n type ip-address-privacy-mask\n mask 255.255.255.0 0xFFFF0000\n",
    "xlate-action p\n type ip-port-privacy-mask\n mask 0xfff0 0177400\n",
    "xlate-action s\n type replace-source-as0\n as 4200000000\n",
    "xlate-action n\n type ip-source-address-to-network\n",
    "xlate-action k\n type ip-address-anonymize\n algorithm CryptoPAn-AES128\n key " SAMPLE_KEY "\n",
    /* a short key is right-aligned, as flow-tools reads it */
    "xlate-action k\n type ip-source-address-anonymize\n key 1\n",
    "# a comment\n\nxlate-definition d\n term\n stop\n",
    "xlate-definition d\n term\n filter lab\n action a\n stop\nxlate-action a\n type scale\n scale 2\n",
};

static const struct { const char *text, *msg; } refused[] = {
    {"bogus\n", "x.cfg line 1: unexpected \"bogus\""},
    {"type scale\n", "x.cfg line 1: unexpected \"type\""},
    {"xlate-action a\n term\n", "x.cfg line 2: unexpected \"term\""},
    {"xlate-definition d\n type scale\n", "x.cfg line 2: unexpected \"type\""},
    {"xlate-action\n", "x.cfg line 1: xlate-action: missing argument"},
    {"xlate-action a b\n", "x.cfg line 1: unexpected \"b\""},
    {"xlate-action a\n type scale\n scale 1\nxlate-action A\n", "x.cfg line 4: xlate-action A defined twice"},
    {"xlate-definition d\nxlate-definition D\n", "x.cfg line 2: xlate-definition D defined twice"},
    {"xlate-action a\n type nonsense\n", "x.cfg line 2: unknown type \"nonsense\""},
    {"xlate-action a\n type scale\n type scale\n",
     "x.cfg line 3: type \"scale\": xlate-action a has a type already"},
    {"xlate-action a\n scale 2\n", "x.cfg line 2: scale before the type of xlate-action a"},
    {"xlate-action a\n type scale\n mask 1 2\n", "x.cfg line 3: \"mask\" is no parameter of type scale"},
    {"xlate-action a\n type tag-mask\n mask 1\n",
     "x.cfg line 3: mask: expecting a source and a destination mask"},
    {"xlate-action a\n type tag-mask\n mask 1 2 3\n", "x.cfg line 3: unexpected \"3\""},
    {"xlate-action a\n type ip-port-privacy-mask\n mask 0x10000 0\n",
     "x.cfg line 3: bad mask \"0x10000\" for srcport"},
    {"xlate-action a\n type ip-address-privacy-mask\n mask 255.255.255.0 1.2.3\n",
     "x.cfg line 3: bad mask \"1.2.3\" for dstaddr"},
    {"xlate-action a\n type tag-mask\n mask -1 0\n", "x.cfg line 3: bad mask \"-1\" for src_tag"},
    {"xlate-action a\n type scale\n scale ten\n", "x.cfg line 3: bad scale \"ten\""},
    {"xlate-action a\n type replace-destination-as0\n as 4294967296\n",
     "x.cfg line 3: bad AS number \"4294967296\""},
    {"xlate-action a\n type ip-address-anonymize\n key 12345g\n",
     "x.cfg line 3: key: not a key of up to 64 hexadecimal digits"},
    {"xlate-action a\n type ip-address-anonymize\n key " SAMPLE_KEY "0\n",
     "x.cfg line 3: key: not a key of up to 64 hexadecimal digits"},
    {"xlate-action a\n type ip-address-anonymize\n algorithm des\n",
     "x.cfg line 3: unknown algorithm \"des\" (cryptopan-aes128 is the one)"},
    {"xlate-action a\n type ip-address-anonymize\n key-file-refresh 0\n",
     "x.cfg line 3: bad refresh interval \"0\" (minutes, 1 to 1440)"},
    {"xlate-action a\n type ip-address-anonymize\n key-file-refresh 60 25:00\n",
     "x.cfg line 3: bad start time \"25:00\" (HH:MM:SS)"},
    {"xlate-action a\n type ip-address-anonymize\n key-file-refresh 60 12:\n",
     "x.cfg line 3: bad start time \"12:\" (HH:MM:SS)"},
    {"xlate-action a\n type ip-address-anonymize\n key-file-refresh 60 1:2:3:4\n",
     "x.cfg line 3: bad start time \"1:2:3:4\" (HH:MM:SS)"},
    {"xlate-action a\n type ip-address-anonymize\n key-file-refresh\n",
     "x.cfg line 3: key-file-refresh: missing argument"},
    {"xlate-action a\n type ip-address-anonymize\n key 1\n key-file-refresh 60\n",
     "x.cfg line 1: xlate-action a: key-file-refresh without key-file"},
    {"xlate-action a\n type ip-address-anonymize\n", "x.cfg line 1: xlate-action a has no key or key-file"},
    {"xlate-action a\n type ip-address-anonymize\n key 0000\n",
     "x.cfg line 1: xlate-action a: the key is all zeros"},
    {"xlate-action a\n type tag-mask\n", "x.cfg line 1: xlate-action a has no mask"},
    {"xlate-action a\n type scale\n", "x.cfg line 1: xlate-action a has no scale"},
    {"xlate-action a\n type replace-source-as0\n", "x.cfg line 1: xlate-action a has no as"},
    {"xlate-action a\n", "x.cfg line 1: xlate-action a has no type"},
    {"xlate-action a\n type scale\n mask 1 2\n", "x.cfg line 3: \"mask\" is no parameter of type scale"},
    {"xlate-definition d\n action a\n", "x.cfg line 2: \"action\" before the first term"},
    {"xlate-definition d\n stop\n", "x.cfg line 2: \"stop\" before the first term"},
    {"xlate-definition d\n term x\n", "x.cfg line 2: unexpected \"x\""},
    {"xlate-definition d\n term\n stop now\n", "x.cfg line 3: unexpected \"now\""},
    {"xlate-definition d\n term\n action missing\n", "x.cfg line 3: no xlate-action \"missing\""},
    {"xlate-definition d\n term\n filter nosuch\n", "x.cfg line 3: no filter-definition \"nosuch\""},
    {"xlate-definition d\n term\n filter lab\n filter lab\n",
     "x.cfg line 4: filter \"lab\": the term has a filter already"},
    {"include-filter a\ninclude-filter b\n",
     "x.cfg line 2: include-filter \"b\": the filter file is already named"},
    {"xlate-definition d\n term\n filter lab\ninclude-filter other\n",
     "x.cfg line 4: include-filter \"other\" after the first filter statement"},
    {"include-filter /nonexistent/f.cfg\nxlate-definition d\n term\n filter lab\n",
     "x.cfg line 4: filter file: /nonexistent/f.cfg"},
    {"xlate-action a\n type ip-address-anonymize\n key-file /nonexistent/key\n",
     "x.cfg line 3: key-file: /nonexistent/key"},
    {"xlate-action a\n type scale\n scale 2 # two\n", "x.cfg line 3: unexpected \"#\""},
};

static void test_tables(void)
{
    struct ft_err err;
    for (size_t i = 0; i < sizeof accepted / sizeof accepted[0]; i++) {
        struct ft_xlate *x = parse(accepted[i], &err);
        CHECK(x != NULL, "accepted[%zu] refused: %s", i, err.msg);
        ft_xlate_free(x);
    }
    for (size_t i = 0; i < sizeof refused / sizeof refused[0]; i++) {
        err.msg[0] = '\0';
        struct ft_xlate *x = parse(refused[i].text, &err);
        CHECK(!x, "refused[%zu] accepted", i);
        CHECK(strncmp(err.msg, refused[i].msg, strlen(refused[i].msg)) == 0,
              "refused[%zu]: \"%s\", want \"%s\"", i, err.msg, refused[i].msg);
        ft_xlate_free(x);
    }
    /* a key file: its digits, a line end; not a short read or other text */
    char text[600];
    snprintf(text, sizeof text, "xlate-action a\n type ip-address-anonymize\n key-file %s\n",
             bad_key_path);
    struct ft_xlate *x = parse(text, &err);
    CHECK(!x && strstr(err.msg, "not a key of up to 64 hexadecimal digits"), "bad key file: %s",
          err.msg);
    ft_xlate_free(x);
}

/* ---- actions on flows ---------------------------------------------------- */

static void flow_init(struct ft_flow *f, uint32_t src, uint32_t dst)
{
    memset(f, 0, sizeof *f);
    ft_ip_set4(&f->srcaddr, src);
    ft_ip_set4(&f->dstaddr, dst);
    f->src_mask = 20;
    f->dst_mask = 7;
    f->srcport = 0x1234;
    f->dstport = 0xABCD;
    f->doctets = 1000;
    f->dpkts = 3;
    f->src_tag = 0x11223344;
    f->dst_tag = 0x55667788;
    f->prot = 6;
}

/* Apply definition `def` of text to f. */
static int run(const char *text, const char *def, struct ft_flow *f, size_t n)
{
    struct ft_err err;
    struct ft_xlate *x = parse(text, &err);
    CHECK(x != NULL, "parse: %s", err.msg);
    if (!x)
        return -1;
    struct ft_xlate_def *d = ft_xlate_find(x, def);
    CHECK(d != NULL, "definition %s", def);
    if (d)
        ft_xlate_apply(d, f, n, 1700000000);
    ft_xlate_free(x);
    return 0;
}

#define ONE(type, params) \
    "xlate-action a\n type " type "\n" params "xlate-definition d\n term\n action a\n"

static void test_actions(void)
{
    struct ft_flow f;
    flow_init(&f, 0x0A0B0C0D, 0xC0A80105);
    run(ONE("ip-source-address-to-network", ""), "d", &f, 1);
    CHECK_EQ_U(f.srcaddr.v4, 0x0A0B0000, "src to /20");
    CHECK_EQ_U(f.dstaddr.v4, 0xC0A80105, "dst untouched");
    run(ONE("ip-destination-address-to-network", ""), "d", &f, 1);
    CHECK_EQ_U(f.dstaddr.v4, 0xC0000000, "dst to /7");

    flow_init(&f, 0x8A0B0C0D, 0xE0000105);
    run(ONE("ip-source-address-to-class-network", ""), "d", &f, 1);
    CHECK_EQ_U(f.srcaddr.v4, 0x8A0B0000, "class B");
    run(ONE("ip-destination-address-to-class-network", ""), "d", &f, 1);
    CHECK_EQ_U(f.dstaddr.v4, 0xE0000100, "class D keeps /24");
    flow_init(&f, 0x0A0B0C0D, 0xC0A80105);
    run(ONE("ip-source-address-to-class-network", ""), "d", &f, 1);
    CHECK_EQ_U(f.srcaddr.v4, 0x0A000000, "class A");

    flow_init(&f, 0x0A0B0C0D, 0xC0A80105);
    run(ONE("ip-address-privacy-mask", " mask 255.255.255.0 0xFFFF0000\n"), "d", &f, 1);
    CHECK(f.srcaddr.v4 == 0x0A0B0C00 && f.dstaddr.v4 == 0xC0A80000, "address privacy mask");
    run(ONE("ip-port-privacy-mask", " mask 0xFFF0 0xFF00\n"), "d", &f, 1);
    CHECK(f.srcport == 0x1230 && f.dstport == 0xAB00, "port privacy mask");
    run(ONE("tag-mask", " mask 0xFFFF0000 0x00FFFFFF\n"), "d", &f, 1);
    CHECK(f.src_tag == 0x11220000 && f.dst_tag == 0x00667788, "tag mask");
    run(ONE("scale", " scale 10\n"), "d", &f, 1);
    CHECK(f.doctets == 10000 && f.dpkts == 30, "scale");
    f.doctets = UINT64_MAX / 2;
    run(ONE("scale", " scale 4\n"), "d", &f, 1);
    CHECK(f.doctets == UINT64_MAX, "scale saturates, never wraps");

    f.src_as = 0;
    f.dst_as = 7;
    run(ONE("replace-source-as0", " as 64999\n"), "d", &f, 1);
    run(ONE("replace-destination-as0", " as 65000\n"), "d", &f, 1);
    CHECK(f.src_as == 64999 && f.dst_as == 7, "as0 replaced only when 0");

    /* IPv6: to-network cuts 128 bits; 32-bit privacy masks leave it */
    struct ft_flow g;
    flow_init(&g, 0, 0);
    g.srcaddr.af = FT_AF_INET6;
    inet_pton(AF_INET6, "2001:db8:abcd:1234::1", g.srcaddr.v6);
    g.src_mask = 36;
    run(ONE("ip-source-address-to-network", ""), "d", &g, 1);
    uint8_t want[16];
    inet_pton(AF_INET6, "2001:db8:a000::", want);
    CHECK(memcmp(g.srcaddr.v6, want, 16) == 0, "IPv6 to /36");
    run(ONE("ip-address-privacy-mask", " mask 0 0\n"), "d", &g, 1);
    CHECK(memcmp(g.srcaddr.v6, want, 16) == 0, "IPv6 untouched by a 32-bit mask");
}

static void test_anonymize(void)
{
    struct ft_flow f[2];
    flow_init(&f[0], 0x800B4484, 0x18050050);   /* 128.11.68.132, 24.5.0.80 */
    flow_init(&f[1], 0x800B4484, 0x18050050);
    run(ONE("ip-address-anonymize", " key " SAMPLE_KEY "\n algorithm cryptopan-aes128\n"), "d", f, 1);
    /* the published sample: 135.242.180.132 and 100.9.15.210 */
    CHECK(f[0].srcaddr.v4 == 0x87F2B484 && f[0].dstaddr.v4 == 0x64090FD2, "sample pair: %x %x",
          f[0].srcaddr.v4, f[0].dstaddr.v4);
    run(ONE("ip-destination-address-anonymize", " key " SAMPLE_KEY "\n"), "d", &f[1], 1);
    CHECK(f[1].srcaddr.v4 == 0x800B4484 && f[1].dstaddr.v4 == 0x64090FD2, "destination only");

    /* many addresses (more than the action remembers, in colliding slots,
     * each seen twice) give what Crypto-PAn gives them one by one */
    enum { MANY = 20000 };
    static struct ft_flow many[MANY];
    uint32_t seed = 12345;
    for (int i = 0; i < MANY; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t a = i % 2 ? many[i - 1].srcaddr.v4 ^ 1 : seed;
        flow_init(&many[i], a, i >= MANY / 2 ? many[i - MANY / 2].srcaddr.v4 : ~a);
    }
    run(ONE("ip-address-anonymize", " key " SAMPLE_KEY "\n"), "d", many, MANY);
    static const uint8_t sample[32] = {
        21, 34, 23, 141, 51, 164, 207, 128, 19, 10, 91, 22, 73, 144, 125, 16,
        216, 152, 143, 131, 121, 121, 101, 39, 98, 87, 76, 45, 42, 132, 34, 2
    };
    struct ft_err err;
    struct ft_cryptopan *cp = ft_cryptopan_new(sample, &err);
    unsigned wrong = 0;
    /* the same inputs again, each compared with its own computation */
    struct ft_flow *orig = calloc(MANY, sizeof *orig);
    seed = 12345;
    for (int i = 0; orig && i < MANY; i++) {
        seed = seed * 1103515245u + 12345u;
        uint32_t a = i % 2 ? orig[i - 1].srcaddr.v4 ^ 1 : seed;
        flow_init(&orig[i], a, i >= MANY / 2 ? orig[i - MANY / 2].srcaddr.v4 : ~a);
        wrong += many[i].srcaddr.v4 != ft_cryptopan_v4(cp, orig[i].srcaddr.v4) ||
                 many[i].dstaddr.v4 != ft_cryptopan_v4(cp, orig[i].dstaddr.v4);
    }
    CHECK(cp && orig && wrong == 0, "%u of %d flows anonymised otherwise than one by one", wrong, MANY);
    free(orig);
    ft_cryptopan_free(cp);

    /* a key file gives the same key; its refresh reloads it when due */
    char text[600];
    snprintf(text, sizeof text, "xlate-action a\n type ip-source-address-anonymize\n"
             " key-file %s\n key-file-refresh 5\nxlate-definition d\n term\n action a\n", key_path);
    struct ft_xlate *x = parse(text, &err);
    CHECK(x != NULL, "key-file: %s", err.msg);
    if (!x)
        return;
    struct ft_xlate_def *d = ft_xlate_find(x, "d");
    flow_init(&f[0], 0x800B4484, 0);
    ft_xlate_apply(d, f, 1, 1700000000);
    CHECK_EQ_U(f[0].srcaddr.v4, 0x87F2B484, "key from file");
    write_file(key_path, "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef\n");
    flow_init(&f[0], 0x800B4484, 0);
    ft_xlate_apply(d, f, 1, 1700000000 + 10);   /* not due yet */
    CHECK_EQ_U(f[0].srcaddr.v4, 0x87F2B484, "old key before the refresh");
    flow_init(&f[0], 0x800B4484, 0);
    ft_xlate_apply(d, f, 1, 1700000000 + 3600);
    CHECK(f[0].srcaddr.v4 != 0x87F2B484 && f[0].srcaddr.v4 != 0x800B4484, "new key after it");
    ft_xlate_free(x);
    write_file(key_path, SAMPLE_KEY "\n");
}

/* Keys right-aligned as flow-tools reads them; refresh start times. */
static void test_key_helpers(void)
{
    uint8_t key[FT_CRYPTOPAN_KEY_SIZE], want[FT_CRYPTOPAN_KEY_SIZE] = {0};
    want[30] = 0x0a;
    want[31] = 0xbc;
    CHECK(xlate_key_hex("abc", key) == 0 && memcmp(key, want, sizeof key) == 0, "short key");
    CHECK(xlate_key_hex("ABC", key) == 0 && memcmp(key, want, sizeof key) == 0, "upper case");
    CHECK(xlate_key_hex(SAMPLE_KEY, key) == 0 && key[0] == 0x15 && key[31] == 0x02, "full key");
    CHECK(xlate_key_hex("", key) < 0 && xlate_key_hex("0x12", key) < 0, "no digits, 0x");
    /* 2023-11-14 22:13:20 UTC */
    setenv("TZ", "UTC", 1);
    tzset();
    CHECK_EQ_U(xlate_refresh_start(1700000000, 5, 0, 0, 0, 0), 1700000100, "next 5 minutes");
    CHECK_EQ_U(xlate_refresh_start(1700000000, 60, 0, 0, 0, 0), 1700002800, "next hour");
    CHECK_EQ_U(xlate_refresh_start(1700000000, 60, 1, 4, 30, 0), 1700022600, "04:30 tomorrow");
    CHECK_EQ_U(xlate_refresh_start(1700000000, 60, 1, 23, 0, 0), 1700002800, "23:00 today");
}

/* Terms: a filter chooses the flows, stop ends the definition for them. */
static void test_terms(void)
{
    const char *text =
        "xlate-action ten\n type scale\n scale 10\n"
        "xlate-action two\n type scale\n scale 2\n"
        "xlate-definition d\n term\n filter lab\n action ten\n stop\n term\n action two\n";
    struct ft_flow f[2];
    flow_init(&f[0], 0xAC100001, 0x08080808);   /* 172.16.0.1: the lab */
    flow_init(&f[1], 0x0A000001, 0x08080808);
    run(text, "d", f, 2);
    CHECK_EQ_U(f[0].doctets, 10000, "filtered term, then stop");
    CHECK_EQ_U(f[1].doctets, 2000, "the other flow skips the term");

    struct ft_err err;
    struct ft_xlate *x = parse(text, &err);
    if (x) {
        uint64_t want = FT_F_DOCTETS | FT_F_DPKTS | FT_F_SRCADDR;
        CHECK_EQ_U(ft_xlate_def_fields(ft_xlate_find(x, "D")), want, "fields: actions and filter");
        CHECK(ft_xlate_find(x, "nope") == NULL, "unknown definition");
    }
    ft_xlate_free(x);
    /* variables expand before parsing */
    struct ft_vars vars = {0};
    CHECK(ft_vars_set(&vars, "N=3", &err) == 0, "var: %s", err.msg);
    struct ft_xlate_opts o = {.vars = &vars, .filter_file = filter_path};
    const char *vt = "xlate-action a\n type scale\n scale @N\nxlate-definition d\n term\n action a\n";
    x = ft_xlate_parse(vt, strlen(vt), "v.cfg", &o, &err);
    CHECK(x != NULL, "variables: %s", err.msg);
    if (x) {
        flow_init(&f[0], 1, 2);
        ft_xlate_apply(ft_xlate_find(x, "d"), f, 1, 0);
        CHECK_EQ_U(f[0].doctets, 3000, "scale @N");
    }
    ft_xlate_free(x);
    ft_vars_free(&vars);
}

int main(void)
{
    if (ft_test_mkdtemp(dir, sizeof dir, "test_xlate") < 0)
        return 1;
    snprintf(filter_path, sizeof filter_path, "%s/filter.cfg", dir);
    snprintf(key_path, sizeof key_path, "%s/key", dir);
    snprintf(bad_key_path, sizeof bad_key_path, "%s/badkey", dir);
    write_file(filter_path, "filter-primitive lab-net\n type ip-address-prefix\n permit 172.16/16\n"
               "filter-definition lab\n match ip-source-address lab-net\n");
    write_file(key_path, SAMPLE_KEY "\n");
    write_file(bad_key_path, "not a key\n");
    test_tables();
    test_actions();
    test_anonymize();
    test_key_helpers();
    test_terms();
    ft_test_rmtree(dir);
    return ft_test_report("test_xlate");
}
